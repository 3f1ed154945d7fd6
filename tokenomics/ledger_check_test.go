package tokenomics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLedgerCheckDetectsCorruption: Check (the kernel's invariant
// ledger-conservation) reports a negative balance, a balance that does not
// add up to the supply, and a supply that is not minted minus burned.
func TestLedgerCheckDetectsCorruption(t *testing.T) {
	build := func() (*Ledger, Account, Account) {
		l := NewLedger()
		a, b := l.Open("a"), l.Open("b")
		l.Mint(a, AKT, 100)
		l.Transfer(a, b, AKT, 40)
		l.Burn(b, AKT, 5)
		ok, why := l.Check()
		assert.True(t, ok, why)
		return l, a, b
	}
	for name, corrupt := range map[string]func(l *Ledger, a, b Account){
		"negative balance": func(l *Ledger, a, b Account) { l.balances[a][AKT] -= 70; l.balances[b][AKT] += 70 },
		"sum != supply":    func(l *Ledger, a, b Account) { l.balances[b][USDC] = 3 },
		"minted - burned":  func(l *Ledger, a, b Account) { l.burned[AKT]++ },
	} {
		l, a, b := build()
		corrupt(l, a, b)
		ok, why := l.Check()
		assert.False(t, ok, name)
		assert.NotEmpty(t, why, name)
	}
}
