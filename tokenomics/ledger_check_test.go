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

// TestBMECheckDetectsCorruption: BME.Check (the kernel's invariant
// bme-vault) reports remint credits below zero, credits that disagree
// with the flows, and a vault holding less than its credits.
func TestBMECheckDetectsCorruption(t *testing.T) {
	build := func() *BME {
		l := NewLedger()
		pool, vault, user := l.Open("pool"), l.Open("vault"), l.Open("user")
		l.Mint(pool, AKT, Tokens(1e6))
		l.Mint(user, AKT, Tokens(1000))
		b := NewBME(DefaultBMEParams(), l, vault)
		if err := b.Seed(pool); err != nil {
			t.Fatal(err)
		}
		if _, err := b.MintACT(user, user, Tokens(100), 2); err != nil {
			t.Fatal(err)
		}
		ok, why := b.Check()
		assert.True(t, ok, why)
		return b
	}
	for name, corrupt := range map[string]func(b *BME){
		"negative credits":          func(b *BME) { b.remint = -1 },
		"credits against the flows": func(b *BME) { b.remint++ },
		"vault below its credits":   func(b *BME) { b.l.balances[b.vault][AKT] = b.remint - 1 },
	} {
		b := build()
		corrupt(b)
		ok, why := b.Check()
		assert.False(t, ok, name)
		assert.NotEmpty(t, why, name)
	}
}
