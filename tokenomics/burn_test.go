package tokenomics_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/tokenomics"
)

func TestBurnForUSD(t *testing.T) {
	cases := []struct {
		usd, price float64
		want       int64
	}{
		{0, 5, 0},
		// Render: 95 % of a $100 job burned at $4.75 per RENDER = 20 RENDER.
		{95, 4.75, 20_000_000},
		{1, 1, 1_000_000},
		{1, 3, 333_333},           // 0.333333(3) tokens, rounded down
		{2, 3, 666_666},           // not rounded to nearest
		{10, 7.3, 1_369_863},      // 1.36986301... tokens
		{0.3, 0.1, 3_000_000},     // float quotient 2999999.9999999995 counts as 3 tokens
		{1e-7, 1, 0},              // a tenth of a base unit
		{1_000_000, 0.1, 1e13},    // 10M tokens
		{12.34, 1234, 10_000},     // 0.01 token
		{1e9, 1e-3, 1e18},         // 1e12 tokens, still inside int64
		{0.000001, 0.000001, 1e6}, // exactly one token
	}
	for _, c := range cases {
		assert.Equal(t, c.want, tokenomics.BurnForUSD(c.usd, c.price), "usd %v price %v", c.usd, c.price)
	}
}

func TestBurnForUSDPanics(t *testing.T) {
	for _, c := range [][2]float64{
		{1, 0}, {1, -2}, {1, math.NaN()}, {1, math.Inf(1)},
		{-1, 1}, {math.NaN(), 1}, {math.Inf(1), 1},
		{1e20, 1}, // 1e26 base units overflow int64
	} {
		assert.Panics(t, func() { tokenomics.BurnForUSD(c[0], c[1]) }, "%v", c)
	}
}

func TestBurnForUSDRoundsDown(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 0xb0))
	for range 20_000 {
		usd := r.Float64() * math.Pow(10, float64(r.IntN(9)))
		price := 0.001 + r.Float64()*100
		n := tokenomics.BurnForUSD(usd, price)
		exact := usd / price * tokenomics.BaseUnits
		require.GreaterOrEqual(t, n, int64(0))
		require.LessOrEqual(t, float64(n), exact*(1+1e-15), "never more than the USD value")
		require.Greater(t, float64(n)+1, exact*(1-1e-15), "less than one base unit short")
	}
}

func TestBuyback(t *testing.T) {
	gensyn := tokenomics.BuybackParams{RevenueShare: 1, ExecutorBps: 100, BurnBps: 7000}
	io := tokenomics.BuybackParams{RevenueShare: 0.5, ExecutorBps: 0, BurnBps: 10_000}
	cases := []struct {
		name        string
		b           tokenomics.BuybackParams
		revenue, px float64
		want        [4]int64 // bought, executor, burn, treasury
	}{
		// $1,000 at $0.10 buys 10,000 AI: 1 % (100) to the executor, 70 %
		// of the remaining 9,900 (6,930) burned, 2,970 to the treasury.
		{"gensyn", gensyn, 1_000, 0.1, [4]int64{10_000e6, 100e6, 6_930e6, 2_970e6}},
		// Floors: 1 base unit bought leaves the executor and the burn nothing.
		{"dust", gensyn, 1e-6, 1, [4]int64{1, 0, 0, 1}},
		// 101 units: executor floor(1.01) = 1; burn floor(100 × 0.7) = 70.
		{"floors", gensyn, 101e-6, 1, [4]int64{101, 1, 70, 30}},
		// io.net-style: half of $200 of revenue at $2 buys 50 IO, all burned.
		{"all burned", io, 200, 2, [4]int64{50e6, 0, 50e6, 0}},
		{"no share", tokenomics.DefaultBuybackParams(), 1_000, 1, [4]int64{}},
		{"no revenue", gensyn, 0, 3, [4]int64{}},
		// Above Take's 64-bit product range (about 1.8e9 tokens).
		{"large", gensyn, 1e9, 0.1, [4]int64{1e16, 1e14, 6.93e15, 2.97e15}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.b.Validate())
			bought, ex, burn, tr := c.b.Buyback(c.revenue, c.px)
			assert.Equal(t, c.want, [4]int64{bought, ex, burn, tr})
		})
	}
}

func TestBuybackValidate(t *testing.T) {
	d := tokenomics.DefaultBuybackParams()
	require.NoError(t, d.Validate())
	assert.Equal(t, int64(100), d.ExecutorBps)
	assert.Equal(t, int64(7000), d.BurnBps)
	cases := []struct {
		b    tokenomics.BuybackParams
		want string
	}{
		{tokenomics.BuybackParams{RevenueShare: 2}, "tokenomics.buyback.revenue_share: must be a fraction in [0, 1], got 2"},
		{tokenomics.BuybackParams{RevenueShare: math.NaN()}, "tokenomics.buyback.revenue_share: must be a fraction in [0, 1], got NaN"},
		{tokenomics.BuybackParams{ExecutorBps: -1}, "tokenomics.buyback.executor_bps: must be in [0, 10000], got -1"},
		{tokenomics.BuybackParams{BurnBps: 10_001}, "tokenomics.buyback.burn_bps: must be in [0, 10000], got 10001"},
	}
	for _, c := range cases {
		err := c.b.Validate()
		require.Error(t, err)
		assert.Equal(t, c.want, err.Error())
		assert.Panics(t, func() { c.b.Buyback(1, 1) })
	}
	g := tokenomics.BuybackParams{RevenueShare: 1, ExecutorBps: 100, BurnBps: 7000}
	assert.Panics(t, func() { g.Buyback(-1, 1) })
	assert.Panics(t, func() { g.Buyback(1, 0) })
	assert.Panics(t, func() { g.Buyback(math.Inf(1), 1) })
}

func TestBuybackProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 0xbb))
	for range 20_000 {
		b := tokenomics.BuybackParams{RevenueShare: r.Float64(), ExecutorBps: r.Int64N(10_001), BurnBps: r.Int64N(10_001)}
		revenue := r.Float64() * math.Pow(10, float64(r.IntN(10)))
		price := 0.0001 + r.Float64()*50
		bought, ex, burn, tr := b.Buyback(revenue, price)
		for _, part := range []int64{bought, ex, burn, tr} {
			require.GreaterOrEqual(t, part, int64(0))
		}
		require.Equal(t, bought, ex+burn+tr)
		require.Equal(t, tokenomics.BurnForUSD(revenue*b.RevenueShare, price), bought)
		require.Equal(t, floorBps(bought, b.ExecutorBps), ex)
		require.Equal(t, floorBps(bought-ex, b.BurnBps), burn)
	}
}

// floorBps is floor(amount × bps / 10000) in big integers.
func floorBps(amount, bps int64) int64 {
	p := new(big.Int).Mul(big.NewInt(amount), big.NewInt(bps))
	return p.Quo(p, big.NewInt(10_000)).Int64()
}
