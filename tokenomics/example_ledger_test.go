package tokenomics_test

import (
	"fmt"

	"github.com/depinsim/depinsim/tokenomics"
)

// A lease payment of 1.5 AKT withdrawn under a 2% take: the provider gets
// 1.47 AKT, the community pool 0.03, and the ledger still balances.
func ExampleLedger() {
	l := tokenomics.NewLedger()
	holders := l.Open("holders")
	escrow := l.Open("escrow")
	provider := l.Open("provider")
	pool := l.Open("community-pool")
	l.Mint(holders, tokenomics.AKT, tokenomics.Tokens(100))
	l.Transfer(holders, escrow, tokenomics.AKT, tokenomics.Tokens(1.5))
	fee, earn := tokenomics.Take(tokenomics.Tokens(1.5), 200)
	l.Transfer(escrow, provider, tokenomics.AKT, earn)
	l.Transfer(escrow, pool, tokenomics.AKT, fee)
	ok, _ := l.Check()
	fmt.Println(tokenomics.Whole(l.Balance(provider, tokenomics.AKT)), tokenomics.Whole(l.Balance(pool, tokenomics.AKT)))
	fmt.Println(tokenomics.Whole(l.Supply(tokenomics.AKT)), ok)
	// Output:
	// 1.47 0.03
	// 100 true
}

// Take splits a withdrawal as Akash's x/take does: fee = floor(amount x
// rate), with the rate in basis points.
func ExampleTake() {
	fmt.Println(tokenomics.Take(999, 200))
	fmt.Println(tokenomics.Take(1_000_000, 2_000))
	// Output:
	// 19 980
	// 200000 800000
}
