package tokenomics_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// A constant price ignores time, flow and randomness.
func ExampleNewPriceProcess() {
	pp, err := tokenomics.NewPriceProcess(tokenomics.DefaultPriceParams(), nil)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for day := range 3 {
		now := simtime.Time(day) * simtime.Day
		fmt.Printf("day %d: $%.2f\n", day+1, pp.Step(now, simtime.Day, 1e6, rng))
	}
	// Output:
	// day 1: $5.00
	// day 2: $5.00
	// day 3: $5.00
}

// With zero volatility, GBM is the deterministic drift P0·exp(mu·t).
func ExampleNewPriceProcess_gbm() {
	p := tokenomics.PriceParams{Model: tokenomics.PriceGBM, InitialUSD: 5, Drift: -0.5, Volatility: 0}
	pp, err := tokenomics.NewPriceProcess(p, nil)
	if err != nil {
		panic(err)
	}
	quarter := simtime.Year / 4
	for q := range 4 {
		fmt.Printf("after quarter %d: $%.4f\n", q+1, pp.Step(simtime.Time(q)*quarter, quarter, 0, nil))
	}
	// Output:
	// after quarter 1: $4.4125
	// after quarter 2: $3.8940
	// after quarter 3: $3.4364
	// after quarter 4: $3.0327
}

// The endogenous model moves the log price by Elasticity per
// MarketDepthUSD of net buying.
func ExampleNewPriceProcess_endogenous() {
	p := tokenomics.PriceParams{Model: tokenomics.PriceEndogenous, InitialUSD: 5, Elasticity: 0.1, MarketDepthUSD: 1e6}
	pp, err := tokenomics.NewPriceProcess(p, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("buy $1M:  $%.4f\n", pp.Step(0, simtime.Day, 1e6, nil))
	fmt.Printf("sell $2M: $%.4f\n", pp.Step(simtime.Day, simtime.Day, -2e6, nil))
	// Output:
	// buy $1M:  $5.5259
	// sell $2M: $4.5242
}

// A CSV price path is a step function of time.
func ExampleParsePricePath() {
	path, err := tokenomics.ParsePricePath(strings.NewReader("day,price_usd\n0,4.47\n30,3.10\n"), "akt.csv")
	if err != nil {
		panic(err)
	}
	for _, d := range []simtime.Time{0, 29, 30, 90} {
		fmt.Printf("day %d: $%.2f\n", d, path.At(d*simtime.Day))
	}
	_, err = tokenomics.ParsePricePath(strings.NewReader("day,price_usd\n0,4.47\n30,n/a\n"), "akt.csv")
	fmt.Println(err)
	// Output:
	// day 0: $4.47
	// day 29: $4.47
	// day 30: $3.10
	// day 90: $3.10
	// akt.csv: line 3, column 2 (price_usd): must be a price in [1e-09, 1e+12] USD, got text that is not a number (3 bytes)
}

// AEP-26's H100 cohort: 83 GPUs at $2.49 per GPU-hour. A day inside the
// window pays 83 × 2.49 × 24; the budget caps what is left to pay.
func ExampleIncentiveProgram_Payout() {
	pip := tokenomics.IncentiveProgram{
		Name:          "aep-26-h100",
		Cohorts:       []string{"h100"},
		Mode:          tokenomics.IncentivePerGPUHour,
		USDPerGPUHour: 2.49,
		Duration:      simtime.Duration(120 * simtime.Day),
		BudgetUSD:     5_000_000,
		Funding:       tokenomics.FundCommunityPool,
	}
	if err := pip.Validate(); err != nil {
		panic(err)
	}
	day := pip.Payout(0, simtime.Day, 83, 0, 0)
	whole := pip.Payout(0, 365*simtime.Day, 83, 0, 0) // only the 120-day window counts
	fmt.Printf("one day: $%.2f\n", day)
	fmt.Printf("whole program: $%.2f\n", whole)
	fmt.Printf("capped with $4,999,000 paid: $%.2f\n", pip.Cap(day, 4_999_000))

	topUp := tokenomics.IncentiveProgram{
		Name: "topup", Cohorts: []string{"a100"}, Mode: tokenomics.IncentiveGuaranteedUtilization,
		TargetUtilization: tokenomics.DefaultTargetUtilization, Duration: simtime.Duration(simtime.Year),
		BudgetUSD: 1e6, Funding: tokenomics.FundCommunityPool,
	}
	// 10 A100s at $1.34/h leased 45% of a day: topped up to 60%.
	fmt.Printf("guaranteed top-up: $%.2f\n", topUp.Payout(0, simtime.Day, 10, 0.45, 1.34))
	// Output:
	// one day: $4960.08
	// whole program: $595209.60
	// capped with $4,999,000 paid: $1000.00
	// guaranteed top-up: $48.24
}

// A season pool of 1,000 tokens split among three providers by points;
// largest-remainder rounding makes the parts sum to the pool exactly.
func ExampleSeason_Allocate() {
	s := tokenomics.Season{
		Name:             "ignition-s2",
		End:              simtime.Duration(30 * simtime.Day),
		ClaimAt:          simtime.Duration(60 * simtime.Day),
		PointsPerGPUHour: 1,
		PoolTokens:       1000,
	}
	points := []float64{
		s.Points(0, 30*simtime.Day, 8),              // 8 GPUs all season
		s.Points(10*simtime.Day, 60*simtime.Day, 8), // 8 GPUs from day 10
		s.Points(0, 30*simtime.Day, 1),              // 1 GPU all season
	}
	parts := s.Allocate(points)
	var sum int64
	for i, p := range parts {
		fmt.Printf("provider %d: %6.0f points, %s tokens\n", i, points[i], fmtTokens(p))
		sum += p
	}
	fmt.Println("sum:", fmtTokens(sum))
	// Output:
	// provider 0:   5760 points, 558.139535 tokens
	// provider 1:   3840 points, 372.093023 tokens
	// provider 2:    720 points, 69.767442 tokens
	// sum: 1000.000000
}

func fmtTokens(base int64) string {
	return fmt.Sprintf("%d.%06d", base/tokenomics.BaseUnits, base%tokenomics.BaseUnits)
}
