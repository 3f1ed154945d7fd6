package tokenomics_test

import (
	"fmt"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// io.net's hourly schedule (competitors.md §1.4): the first hour emits
// 500,000,000 × 0.08 / 8760 IO, and each later hour 0.0013886952395979 %
// less.
func ExampleNewEmission() {
	e, err := tokenomics.NewEmission(tokenomics.IONetEmissionParams())
	if err != nil {
		panic(err)
	}
	var issued int64
	first := e.Emit(0, simtime.Hour, issued)
	issued += first
	issued += e.Emit(simtime.Hour, simtime.Day, issued)
	fmt.Printf("first hour: %.6f IO\n", tokenomics.Whole(first))
	fmt.Printf("first day:  %.6f IO\n", tokenomics.Whole(issued))
	// Output:
	// first hour: 4566.210045 IO
	// first day:  109571.541513 IO
}

// A Render-style burn of a job's USD value at the current price
// (competitors.md §2.3): $95 at $4.75 per token is 20 tokens; $10 at $7.30
// is 1.369863 tokens, rounded down to the base unit.
func ExampleBurnForUSD() {
	fmt.Println(tokenomics.BurnForUSD(95, 4.75))
	fmt.Println(tokenomics.BurnForUSD(10, 7.3))
	// Output:
	// 20000000
	// 1369863
}

// Gensyn's buy-back vault (competitors.md §3.3): $1,000 of revenue at $0.10
// buys 10,000 AI; 1 % goes to the executor, 70 % of the rest is burned and
// the treasury keeps the remainder.
func ExampleBuybackParams_Buyback() {
	b := tokenomics.BuybackParams{RevenueShare: 1, ExecutorBps: 100, BurnBps: 7000}
	bought, executor, burn, treasury := b.Buyback(1_000, 0.10)
	fmt.Println(tokenomics.Whole(bought), tokenomics.Whole(executor), tokenomics.Whole(burn), tokenomics.Whole(treasury))
	// Output:
	// 10000 100 6930 2970
}
