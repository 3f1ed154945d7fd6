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
