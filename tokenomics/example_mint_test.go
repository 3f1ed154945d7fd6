package tokenomics_test

import (
	"fmt"

	"github.com/depinsim/depinsim/tokenomics"
)

func ExampleMintParams_Advance() {
	// One real day (14,164 blocks of 6.1 s) of x/mint at the March-2024
	// figures: supply 230,816,799 AKT, 57.8% bonded, inflation 15%.
	p := tokenomics.DefaultMintParams()
	supply := tokenomics.Tokens(230_816_799)
	bonded := tokenomics.Tokens(0.578 * 230_816_799)
	r := p.Advance(p.Initial, bonded, supply, 14_164)
	fmt.Printf("minted %.6f AKT\n", tokenomics.Whole(r.Minted))
	fmt.Printf("community pool %.6f, validators %.6f, delegators %.6f AKT\n",
		tokenomics.Whole(r.CommunityPool), tokenomics.Whole(r.Validators), tokenomics.Whole(r.Delegators))
	fmt.Printf("inflation %.4f%% -> %.4f%%\n", 100*p.Initial, 100*r.Inflation)
	fmt.Printf("staking APR %.2f%%\n", 100*p.StakingAPR(r.Inflation, 0.578))

	// The same day in two calls gives the same numbers.
	a := p.Advance(p.Initial, bonded, supply, 10_000)
	b := p.Advance(a.Inflation, bonded, supply+a.Minted, 4_164)
	fmt.Println(a.Minted+b.Minted == r.Minted, b.Inflation == r.Inflation)
	// Output:
	// minted 93435.717537 AKT
	// community pool 37374.287014, validators 2803.071526, delegators 53258.358997 AKT
	// inflation 15.0000% -> 15.0371%
	// staking APR 14.83%
	// true true
}
