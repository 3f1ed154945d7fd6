package market_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

func newPosted(t testing.TB, p market.Params) *market.PostedPrice {
	t.Helper()
	return newAs[*market.PostedPrice](t, market.PostedPriceName, p)
}

func TestPostedPriceDefaultsAndCapabilities(t *testing.T) {
	m := newPosted(t, market.Params{"prices_usd_hour": map[string]any{"H100": 2.5, "cpu": int64(0)}})
	assert.Equal(t, map[string]float64{"H100": 2.5, "cpu": 0}, m.PricesUSDHour)
	assert.Equal(t, market.LowestLoad, m.Allocation)
	assert.Equal(t, 0, m.MaxBids())
	assert.Equal(t, 0.0, m.PeakK)
	assert.Equal(t, 0.7, m.PeakTarget)
	assert.Equal(t, 0.5, m.PeakMin)
	assert.Equal(t, 2.0, m.PeakMax)
	assert.Equal(t, int64(3600e9), m.Reprice, "reprice_every defaults to 1h")
	assert.Equal(t, int64(0), m.RepriceEvery(), "no repricing without peak pricing")
	assert.Equal(t, 1.0, m.Multiplier(0.99))
	var (
		_ market.Poster         = m
		_ market.ResourceBinder = m
		_ market.Windowed       = m
	)
	_, isTiered := any(m).(market.Tiered)
	_, isBatch := any(m).(market.Batcher)
	_, isCheapest := any(m).(market.CheapestAsk)
	assert.False(t, isTiered || isBatch || isCheapest)

	m = newPosted(t, market.Params{
		"prices_usd_hour": map[string]any{"gpu": 1.0}, "allocation": "round-robin", "max_candidates": int64(16),
		"peak_k": 0.5, "peak_target": 0.6, "peak_min": int64(1), "peak_max": 1.5, "reprice_every": "15m",
	})
	assert.Equal(t, market.RoundRobin, m.Allocation)
	assert.Equal(t, 16, m.MaxBids())
	assert.Equal(t, int64(15*60e9), m.RepriceEvery())
	assert.Equal(t, 1.0, m.PeakMin)
}

// TestPeakMultiplierClampedAndMonotone checks over random peak parameters
// (seeds 1..300) and random utilizations that the multiplier lies in
// [peak_min, peak_max], is non-decreasing in utilization, equals
// 1 + k*(u - target) when that is within the clamp, treats utilization
// outside [0, 1] as its nearest bound, and is 1 at the target when the
// clamp allows.
func TestPeakMultiplierClampedAndMonotone(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 3))
		lo := 0.1 + rng.Float64()
		p := market.Params{
			"prices_usd_hour": map[string]any{"gpu": 1.0},
			"peak_k":          3 * rng.Float64(),
			"peak_target":     rng.Float64(),
			"peak_min":        lo,
			"peak_max":        lo + 2*rng.Float64(),
		}
		m := newPosted(t, p)
		us := make([]float64, 50)
		for i := range us {
			us[i] = rng.Float64()
		}
		us = append(us, 0, 1, m.PeakTarget)
		slices.Sort(us)
		prev := math.Inf(-1)
		for _, u := range us {
			x := m.Multiplier(u)
			require.GreaterOrEqual(t, x, m.PeakMin, "seed %d u %g", seed, u)
			require.LessOrEqual(t, x, m.PeakMax, "seed %d u %g", seed, u)
			require.GreaterOrEqual(t, x, prev, "monotone, seed %d u %g", seed, u)
			prev = x
			raw := 1 + m.PeakK*(u-m.PeakTarget)
			if raw >= m.PeakMin && raw <= m.PeakMax {
				require.InDelta(t, raw, x, 1e-12, "seed %d u %g", seed, u)
			}
		}
		require.Equal(t, m.Multiplier(0), m.Multiplier(-0.5))
		require.Equal(t, m.Multiplier(1), m.Multiplier(1.7))
		require.Equal(t, m.Multiplier(0), m.Multiplier(math.NaN()))
		if m.PeakMin <= 1 && 1 <= m.PeakMax {
			require.InDelta(t, 1.0, m.Multiplier(m.PeakTarget), 1e-12)
		}
		if m.PeakK > 0 {
			require.Equal(t, int64(3600e9), m.RepriceEvery())
		}
	}
	// the io.net spec values: k = 0.5, target 0.7
	m := newPosted(t, market.Params{"prices_usd_hour": map[string]any{"gpu": 1.0}, "peak_k": 0.5})
	assert.InDelta(t, 0.65, m.Multiplier(0), 1e-12)
	assert.InDelta(t, 1.15, m.Multiplier(1), 1e-12)
}

func TestPostedPriceBind(t *testing.T) {
	m := newPosted(t, market.Params{"prices_usd_hour": map[string]any{"H100": 2.0, "cpu": 0.01, "memory_gb": int64(0)}})
	b := bind(t, m, "cpu", "memory_gb", "H100", "A100")
	p := b.(market.Poster)
	assert.InDelta(t, 4*0.01+2*2.0, p.PostedUSDHour([]int32{4, 16, 2, 0}, nil, 0), 1e-12)
	assert.InDelta(t, 4*0.01*1.5+2*2.0*0.5, p.PostedUSDHour([]int32{4, 16, 2, 7}, []float64{1.5, 3, 0.5, 9}, 0), 1e-12,
		"each resource at its own multiplier; A100 has no price")
	assert.Equal(t, p.PostedUSDHour([]int32{1, 1, 1, 1}, nil, 0), p.PostedUSDHour([]int32{1, 1, 1, 1}, nil, 3), "the tier is ignored")
	assert.Equal(t, b.(*market.PostedPrice).PricesUSDHour, m.PricesUSDHour)

	assert.PanicsWithValue(t, "market: posted-price: posted price of an unbound mechanism (call Bind first)", func() {
		m.PostedUSDHour([]int32{1}, nil, 0)
	}, "Bind returns a copy: the original stays unbound")
	assert.Panics(t, func() { p.PostedUSDHour([]int32{1, 2}, nil, 0) }, "wrong number of resources")

	_, err := m.Bind([]string{"cpu", "A100"})
	require.Error(t, err)
	assert.Equal(t, "market.prices_usd_hour.H100: unknown resource (known: cpu, A100); "+
		"market.prices_usd_hour.memory_gb: unknown resource (known: cpu, A100)", err.Error())
}

func TestPostedPriceClearTable(t *testing.T) {
	m := newPosted(t, market.Params{"prices_usd_hour": map[string]any{"gpu": 1.0}})
	bids := []market.Bid{{Provider: 1, Price: 40, Load: 0.5}, {Provider: 2, Price: 60}, {Provider: 3, Price: 50, Load: 0.1, Audited: true}}
	cases := []struct {
		name   string
		o      market.Order
		winner int
	}{
		{"posted above max: the tenant walks away", market.Order{MaxPrice: 49, Posted: 50}, -1},
		{"no posted price", market.Order{MaxPrice: 100}, -1},
		{"negative posted price", market.Order{MaxPrice: 100, Posted: -1}, -1},
		{"lowest load at or below the posted price", market.Order{MaxPrice: 100, Posted: 50}, 2},
		{"only cheap bids eligible", market.Order{MaxPrice: 100, Posted: 45}, 0},
		{"audited", market.Order{MaxPrice: 100, Posted: 50, RequireAudited: true}, 2},
		{"audited above posted", market.Order{MaxPrice: 100, Posted: 49, RequireAudited: true}, -1},
		{"posted equal to max", market.Order{MaxPrice: 60, Posted: 60}, 1},
	}
	for _, c := range cases {
		out := m.Clear(&c.o, bids, nil)
		assert.Equal(t, c.winner, out.Winner, c.name)
		if c.winner >= 0 {
			assert.Equal(t, c.o.Posted, out.Price, c.name)
		}
	}
}
