package tokenomics

import (
	"fmt"
	"math"
)

// Denom is a denomination.
type Denom uint8

// The denominations of the take-rate era.
const (
	// AKT is Akash's staking and payment token (base unit uakt).
	AKT Denom = iota
	// USDC is the bridged stable coin accepted for leases (base unit uusdc).
	USDC
	// ACT is Akash's USD-pegged compute credit of the burn-mint era (base
	// unit uact), minted by burning AKT into the BME vault (akash.md §7).
	ACT
	// NumDenoms is the number of denominations.
	NumDenoms
)

// BaseUnits is the number of base units in one whole token.
const BaseUnits = 1_000_000

var denomNames = [NumDenoms]string{"akt", "usdc", "act"}

// String returns the lower-case denomination name ("akt", "usdc").
func (d Denom) String() string {
	if d < NumDenoms {
		return denomNames[d]
	}
	return fmt.Sprintf("denom(%d)", d)
}

// ParseDenom reads a denomination name.
func ParseDenom(s string) (Denom, error) {
	for i, n := range denomNames {
		if n == s {
			return Denom(i), nil
		}
	}
	return 0, fmt.Errorf("unknown denomination %q (known: akt, usdc, act)", s)
}

// DenomNames lists the denomination names in order.
func DenomNames() []string { return denomNames[:] }

// Account identifies a ledger account.
type Account int32

// Ledger holds every balance. All changes go through Mint, Burn and
// Transfer; a change that would make a balance negative panics, because
// it is a bug in the caller (callers check funds first).
type Ledger struct {
	names    []string
	balances [][NumDenoms]int64
	supply   [NumDenoms]int64
	minted   [NumDenoms]int64
	burned   [NumDenoms]int64
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{} }

// Open creates a named account with zero balances.
func (l *Ledger) Open(name string) Account {
	l.names = append(l.names, name)
	l.balances = append(l.balances, [NumDenoms]int64{})
	return Account(len(l.names) - 1)
}

// Name returns the account's name.
func (l *Ledger) Name(a Account) string { return l.names[a] }

// Accounts returns the number of accounts.
func (l *Ledger) Accounts() int { return len(l.names) }

// Balance returns a's balance in d.
func (l *Ledger) Balance(a Account, d Denom) int64 { return l.balances[a][d] }

// Supply returns the total supply of d.
func (l *Ledger) Supply(d Denom) int64 { return l.supply[d] }

// Minted returns the total minted of d.
func (l *Ledger) Minted(d Denom) int64 { return l.minted[d] }

// Burned returns the total burned of d.
func (l *Ledger) Burned(d Denom) int64 { return l.burned[d] }

// Mint creates amt of d in account a. The total ever minted of d (which
// is at least its supply) must stay within int64: a mint beyond it panics
// rather than wrap the totals that Check compares.
func (l *Ledger) Mint(a Account, d Denom, amt int64) {
	if amt < 0 {
		panic(fmt.Sprintf("tokenomics: mint of negative amount %d %s", amt, d))
	}
	if l.minted[d] > math.MaxInt64-amt {
		panic(fmt.Sprintf("tokenomics: supply overflow: mint of %d %s over %d minted so far exceeds int64", amt, d, l.minted[d]))
	}
	l.balances[a][d] += amt
	l.supply[d] += amt
	l.minted[d] += amt
}

// Burn destroys amt of d held by account a.
func (l *Ledger) Burn(a Account, d Denom, amt int64) {
	if amt < 0 || l.balances[a][d] < amt {
		panic(fmt.Sprintf("tokenomics: burn of %d %s from %s holding %d", amt, d, l.names[a], l.balances[a][d]))
	}
	l.balances[a][d] -= amt
	l.supply[d] -= amt
	l.burned[d] += amt
}

// Transfer moves amt of d from one account to another.
func (l *Ledger) Transfer(from, to Account, d Denom, amt int64) {
	if amt < 0 || l.balances[from][d] < amt {
		panic(fmt.Sprintf("tokenomics: transfer of %d %s from %s holding %d", amt, d, l.names[from], l.balances[from][d]))
	}
	l.balances[from][d] -= amt
	l.balances[to][d] += amt
}

// Check verifies conservation: for each denomination the supply equals
// the sum of balances and minted - burned, and no balance is negative.
// It returns (true, "") when all hold, else false and the first violation.
func (l *Ledger) Check() (bool, string) {
	for d := Denom(0); d < NumDenoms; d++ {
		var sum int64
		for a, b := range l.balances {
			if b[d] < 0 {
				return false, fmt.Sprintf("account %s holds %d %s", l.names[a], b[d], d)
			}
			sum += b[d]
		}
		if sum != l.supply[d] {
			return false, fmt.Sprintf("%s: sum of balances %d != supply %d", d, sum, l.supply[d])
		}
		if l.supply[d] != l.minted[d]-l.burned[d] {
			return false, fmt.Sprintf("%s: supply %d != minted %d - burned %d", d, l.supply[d], l.minted[d], l.burned[d])
		}
	}
	return true, ""
}
