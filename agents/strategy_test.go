package agents_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
)

func TestStrategyRegistry(t *testing.T) {
	assert.Equal(t, []string{"adaptive-markup", "cost-plus", "equilibrium", "no-regret", "undercut-median"}, agents.StrategyNames())
	for _, name := range agents.StrategyNames() {
		s, err := agents.NewStrategy(name)
		require.NoError(t, err)
		assert.Equal(t, name, s.Name())
		assert.Equal(t, name == agents.CostPlusName, s.StaticAsks(), name)
	}
	_, err := agents.NewStrategy("greedy")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `strategy: unknown strategy "greedy" (known: adaptive-markup, cost-plus, equilibrium, no-regret, undercut-median)`)
}

func TestCostPlusQuotesAsks(t *testing.T) {
	s, err := agents.NewStrategy(agents.CostPlusName)
	require.NoError(t, err)
	p := agents.Profile{Ask: []float64{0.01, 0.002, 1.0, 2.0}}
	q := agents.Request{CPU: 4, MemoryGB: 10, GPUs: 2, GPUModel: 3}
	assert.InDelta(t, 0.04+0.02+4.0, s.Quote(&p, &q, &agents.MarketView{}), 1e-12)
}

// gpuProfile has asks well above its costs, so a markup below 1 can lower
// its quotes: the request below costs 4.144 $/h at its asks and 1.232 at
// cost.
var gpuProfile = agents.Profile{
	Capacity: []int32{64, 256, 0, 8},
	Ask:      []float64{0.01, 0.002, 1.0, 2.0},
	Cost:     []float64{0.002, 0.0005, 0.3, 0.6},
}

var gpuRequest = agents.Request{CPU: 8, MemoryGB: 32, GPUs: 2, GPUModel: 3}

func adaptive(t *testing.T, step, target, markupMax, minMarkup float64) agents.Strategy {
	t.Helper()
	c := agents.DefaultProviderCohort()
	c.Strategy = agents.AdaptiveMarkupName
	c.MarkupStep, c.TargetWinRate, c.MarkupMax, c.MinMarkup = step, target, markupMax, minMarkup
	s, err := c.NewStrategy()
	require.NoError(t, err)
	return s
}

// TestAdaptiveMarkupConvergesToTarget simulates a simple market: the
// provider wins a bid iff its quote is at most a competing price drawn
// from a fixed lognormal around its list price (median = the list price,
// sigma 0.3). Over 40 seeds and three targets, the win rate over the
// second half of 20,000 bids is within 0.005 of the target (while m stays
// inside its bounds the gap is at most 2 ln(markup_max) / (step x 10,000)
// = 0.0044), and the markup settles near the m* at which the win
// probability is the target.
func TestAdaptiveMarkupConvergesToTarget(t *testing.T) {
	const bids, sigma = 20_000, 0.3
	list := gpuRequest.Price(gpuProfile.Ask)
	for _, target := range []float64{0.2, 0.5, 0.8} {
		// P(win | m) = P(list x exp(sigma Z) >= m x list) = 1 - Phi(ln m / sigma)
		lnMStar := sigma * math.Sqrt2 * math.Erfinv(1-2*target)
		for seed := uint64(1); seed <= 40; seed++ {
			rng := rand.New(rand.NewPCG(seed, 17))
			s := adaptive(t, 0.05, target, 3, 0)
			a := s.(*agents.AdaptiveMarkup)
			wins, lnM := 0, 0.0
			for i := 0; i < bids; i++ {
				competitor := list * math.Exp(sigma*rng.NormFloat64())
				won := s.Quote(&gpuProfile, &gpuRequest, &agents.MarketView{}) <= competitor
				s.Observe(won)
				if i >= bids/2 {
					if won {
						wins++
					}
					lnM += math.Log(a.Markup())
				}
			}
			rate := float64(wins) / (bids / 2)
			assert.InDelta(t, target, rate, 0.005, "target %v seed %d: win rate", target, seed)
			assert.InDelta(t, lnMStar, lnM/(bids/2), 0.05, "target %v seed %d: mean ln m", target, seed)
		}
	}
}

// TestAdaptiveMarkupDynamics checks the update rule: m starts at 1; while
// inside its bounds, ln m = step x (wins - target x bids) exactly (up to
// rounding); it rises on wins, falls on losses, and always stays in
// [1/markup_max, markup_max] (random outcome sequences, 200 seeds); an
// unbroken run of wins (losses) pins it at the upper (lower) bound.
func TestAdaptiveMarkupDynamics(t *testing.T) {
	const step, target, markupMax = 0.05, 0.3, 3.0
	s := adaptive(t, step, target, markupMax, 0)
	a := s.(*agents.AdaptiveMarkup)
	assert.Equal(t, 1.0, a.Markup())
	assert.False(t, s.StaticAsks())
	s.Observe(true)
	assert.InDelta(t, math.Exp(step*(1-target)), a.Markup(), 1e-15, "a win raises m")
	s.Observe(false)
	s.Observe(false)
	assert.InDelta(t, math.Exp(step*(1-3*target)), a.Markup(), 1e-15, "losses lower it")

	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2))
		p := rng.Float64() // this sequence's win probability
		s := adaptive(t, step, target, markupMax, 0)
		a := s.(*agents.AdaptiveMarkup)
		wins, clamped := 0, false
		for n := 1; n <= 2000; n++ {
			won := rng.Float64() < p
			if won {
				wins++
			}
			s.Observe(won)
			m := a.Markup()
			require.True(t, m >= 1/markupMax && m <= markupMax, "seed %d: m = %v out of bounds", seed, m)
			free := step * (float64(wins) - target*float64(n))
			if math.Abs(free) >= math.Log(markupMax) {
				clamped = true
			}
			if !clamped {
				require.InDelta(t, free, math.Log(m), 1e-9, "seed %d bid %d", seed, n)
			}
		}
	}

	up := adaptive(t, step, target, markupMax, 0)
	down := adaptive(t, step, target, markupMax, 0)
	for range 1000 {
		up.Observe(true)
		down.Observe(false)
	}
	assert.Equal(t, markupMax, up.(*agents.AdaptiveMarkup).Markup())
	assert.InDelta(t, 1/markupMax, down.(*agents.AdaptiveMarkup).Markup(), 1e-15)
	assert.InDelta(t, markupMax*gpuRequest.Price(gpuProfile.Ask), up.Quote(&gpuProfile, &gpuRequest, &agents.MarketView{}), 1e-9)
	// 1/3 x 4.144 = 1.381 is above the floor 1.232
	assert.InDelta(t, gpuRequest.Price(gpuProfile.Ask)/markupMax, down.Quote(&gpuProfile, &gpuRequest, &agents.MarketView{}), 1e-9)
}

// TestAdaptiveMarkupUnreachableTarget: a provider that never wins, even
// at its cost floor, ends at the lower bound, quoting the floor.
func TestAdaptiveMarkupUnreachableTarget(t *testing.T) {
	s := adaptive(t, 0.05, 0.5, 10, 0.5)
	floor := gpuRequest.Price(gpuProfile.Cost) * 1.5
	for range 500 {
		q := s.Quote(&gpuProfile, &gpuRequest, &agents.MarketView{})
		s.Observe(q <= floor/2) // competitors always quote half the floor
	}
	assert.Equal(t, 0.1, s.(*agents.AdaptiveMarkup).Markup())
	assert.Equal(t, floor, s.Quote(&gpuProfile, &gpuRequest, &agents.MarketView{}))
}

// randomView returns medians per resource, some NaN, some far below cost.
func randomView(rng *rand.Rand, n int) *agents.MarketView {
	v := &agents.MarketView{MedianUnitUSD: make([]float64, n)}
	for r := range v.MedianUnitUSD {
		switch rng.IntN(3) {
		case 0:
			v.MedianUnitUSD[r] = math.NaN()
		case 1:
			v.MedianUnitUSD[r] = rng.Float64() * 1e-3
		default:
			v.MedianUnitUSD[r] = rng.Float64() * 5
		}
	}
	return v
}

// TestStrategiesNeverBelowCostFloor is a property over random cohorts
// (list prices below or above costs, random multipliers and minimum
// markups), profiles, requests, market views (medians missing or far
// below cost) and outcome histories (500 seeds): no strategy ever quotes
// below req.Price(p.Cost) x (1 + min_markup).
func TestStrategiesNeverBelowCostFloor(t *testing.T) {
	cat := testCatalog(t)
	for seed := uint64(1); seed <= 500; seed++ {
		rng := rand.New(rand.NewPCG(seed, 23))
		base := providerCohort(t, cat)
		base.PriceListUSDHour = map[string]float64{"cpu": rng.Float64() * 0.01, "memory_gb": rng.Float64() * 0.002, "h100": rng.Float64() * 3, "a100": rng.Float64() * 2}
		base.CostUSDHour = map[string]float64{"cpu": rng.Float64() * 0.01, "memory_gb": rng.Float64() * 0.002, "h100": rng.Float64() * 3, "a100": rng.Float64() * 2}
		base.PriceMultiplier = agents.Dist{Kind: "lognormal", Median: 1, Sigma: 0.5}
		base.CostMultiplier = agents.Dist{Kind: "lognormal", Median: 1, Sigma: 0.5}
		base.MinMarkup = rng.Float64() * 0.5
		for _, name := range agents.StrategyNames() {
			c := base
			c.Strategy = name
			switch name {
			case agents.AdaptiveMarkupName:
				c.MarkupStep, c.TargetWinRate, c.MarkupMax = 0.01+rng.Float64(), 0.05+0.9*rng.Float64(), 1+9*rng.Float64()
			case agents.UndercutMedianName:
				c.Undercut = 0.9 * rng.Float64()
			}
			require.NoError(t, c.Validate(cat), name)
			s, err := c.NewStrategy()
			require.NoError(t, err)
			p := c.NewProfile(0, cat, rng)
			winProb := rng.Float64() // a learner's markup drifts up or down
			for range 50 {
				q := agents.Request{CPU: int32(rng.IntN(33)), MemoryGB: int32(rng.IntN(129))}
				if rng.IntN(2) == 0 {
					q.GPUs, q.GPUModel = int32(1+rng.IntN(8)), 2+rng.IntN(2)
				}
				floor := q.Price(p.Cost) * (1 + c.MinMarkup)
				if name == agents.CostPlusName {
					// its floor is per resource (in the asks): equal up to rounding
					floor *= 1 - 1e-12
				}
				quote := s.Quote(&p, &q, randomView(rng, cat.NumResources()))
				require.GreaterOrEqual(t, quote, floor, "seed %d %s: request %+v", seed, name, q)
				s.Observe(rng.Float64() < winProb)
			}
		}
	}
}

// TestUndercutMedian checks hand-computed quotes: (1 - u) x the medians of
// the request's resources, the provider's own ask for a resource without a
// median (NaN or missing from the view), and the cost floor when the
// market is below it.
func TestUndercutMedian(t *testing.T) {
	c := agents.DefaultProviderCohort()
	c.Strategy = agents.UndercutMedianName
	c.Undercut = 0.2
	s, err := c.NewStrategy()
	require.NoError(t, err)
	assert.Equal(t, agents.UndercutMedian{Undercut: 0.2}, s)
	assert.False(t, s.StaticAsks())
	p, q := gpuProfile, gpuRequest // 8 CPU, 32 GB, 2 x resource 3
	nan := math.NaN()

	all := &agents.MarketView{MedianUnitUSD: []float64{0.02, 0.004, 9, 1.5}}
	assert.InDelta(t, 0.8*(8*0.02+32*0.004+2*1.5), s.Quote(&p, &q, all), 1e-12)

	mixed := &agents.MarketView{MedianUnitUSD: []float64{0.02, nan, 9, nan}}
	assert.InDelta(t, 0.8*8*0.02+32*0.002+2*2.0, s.Quote(&p, &q, mixed), 1e-12, "NaN: the provider's own ask")

	none := &agents.MarketView{MedianUnitUSD: []float64{nan, nan, nan, nan}}
	list := q.Price(p.Ask)
	assert.InDelta(t, list, s.Quote(&p, &q, none), 1e-12, "no median at all: the list price, as cost-plus")
	assert.InDelta(t, list, s.Quote(&p, &q, &agents.MarketView{}), 1e-12, "medians missing from the view")

	cheap := &agents.MarketView{MedianUnitUSD: []float64{0.001, 0.0001, 0, 0.1}}
	assert.Equal(t, q.Price(p.Cost), s.Quote(&p, &q, cheap), "the floor (min markup 0)")

	cpuOnly := agents.Request{CPU: 4}
	assert.InDelta(t, 0.8*4*0.02, s.Quote(&p, &cpuOnly, all), 1e-12, "only the request's resources count")

	s.Observe(true)
	assert.InDelta(t, 0.8*(8*0.02+32*0.004+2*1.5), s.Quote(&p, &q, all), 1e-12, "it does not learn")

	c.Undercut = 0
	s0, err := c.NewStrategy()
	require.NoError(t, err)
	assert.InDelta(t, 8*0.02+32*0.004+2*1.5, s0.Quote(&p, &q, all), 1e-12, "undercut 0: the median")
}

// TestStrategyStatePerProvider: each call of ProviderCohort.NewStrategy
// returns fresh learning state, and the same outcomes give the same
// quotes (determinism).
func TestStrategyStatePerProvider(t *testing.T) {
	c := agents.DefaultProviderCohort()
	c.Strategy = agents.AdaptiveMarkupName
	a, err := c.NewStrategy()
	require.NoError(t, err)
	b, err := c.NewStrategy()
	require.NoError(t, err)
	for range 10 {
		a.Observe(true)
	}
	assert.Greater(t, a.(*agents.AdaptiveMarkup).Markup(), 1.0)
	assert.Equal(t, 1.0, b.(*agents.AdaptiveMarkup).Markup(), "another provider's state is untouched")

	run := func(seed uint64) []float64 {
		s, err := c.NewStrategy()
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(seed, 1))
		var quotes []float64
		for range 500 {
			q := s.Quote(&gpuProfile, &gpuRequest, &agents.MarketView{})
			quotes = append(quotes, q)
			s.Observe(q <= 4.144*math.Exp(0.3*rng.NormFloat64()))
		}
		return quotes
	}
	for seed := uint64(1); seed <= 20; seed++ {
		assert.Equal(t, run(seed), run(seed), "seed %d", seed)
	}
}

// TestStrategyParamsValidate checks the ranges of the strategy keys and
// that a key set for a strategy that does not use it is an error naming
// it; keys left at their defaults are fine whatever the strategy.
func TestStrategyParamsValidate(t *testing.T) {
	cat := testCatalog(t)
	for _, name := range agents.StrategyNames() {
		c := providerCohort(t, cat)
		c.Strategy = name
		require.NoError(t, c.Validate(cat), "%s with the defaults", name)
	}
	d := agents.DefaultProviderCohort()
	assert.Equal(t, []float64{0.05, 0.5, 3, 0.05}, []float64{d.MarkupStep, d.TargetWinRate, d.MarkupMax, d.Undercut})

	cases := []struct {
		strategy string
		want     string
		mod      func(c *agents.ProviderCohort)
	}{
		{"adaptive-markup", "markup_step: must be in (0, 1e9], got 0", func(c *agents.ProviderCohort) { c.MarkupStep = 0 }},
		{"adaptive-markup", "markup_step: must be in (0, 1e9], got NaN", func(c *agents.ProviderCohort) { c.MarkupStep = math.NaN() }},
		{"adaptive-markup", "target_win_rate: must be in (0, 1), got 1", func(c *agents.ProviderCohort) { c.TargetWinRate = 1 }},
		{"adaptive-markup", "target_win_rate: must be in (0, 1), got 0", func(c *agents.ProviderCohort) { c.TargetWinRate = 0 }},
		{"adaptive-markup", "markup_max: must be in [1, 1e9], got 0.5", func(c *agents.ProviderCohort) { c.MarkupMax = 0.5 }},
		{"undercut-median", "undercut: must be in [0, 0.9], got 0.95", func(c *agents.ProviderCohort) { c.Undercut = 0.95 }},
		{"undercut-median", "undercut: must be in [0, 0.9], got -0.1", func(c *agents.ProviderCohort) { c.Undercut = -0.1 }},
		{"cost-plus", `markup_step: only strategy "adaptive-markup" uses it, but the cohort's strategy is "cost-plus" (got 0.1;`,
			func(c *agents.ProviderCohort) { c.MarkupStep = 0.1 }},
		{"undercut-median", `markup_max: only strategies ["adaptive-markup" "no-regret"] use it, but the cohort's strategy is "undercut-median"`,
			func(c *agents.ProviderCohort) { c.MarkupMax = 2 }},
		{"adaptive-markup", `undercut: only strategy "undercut-median" uses it, but the cohort's strategy is "adaptive-markup"`,
			func(c *agents.ProviderCohort) { c.Undercut = 0.1 }},
	}
	for _, x := range cases {
		c := providerCohort(t, cat)
		c.Strategy = x.strategy
		x.mod(&c)
		err := c.Validate(cat)
		require.Error(t, err, x.want)
		assert.Contains(t, err.Error(), x.want)
		_, err = c.NewStrategy()
		require.Error(t, err, "NewStrategy checks the parameters too: %s", x.want)
	}
	c := providerCohort(t, cat)
	c.Strategy = agents.UndercutMedianName
	c.Undercut = 0.9
	require.NoError(t, c.Validate(cat), "the bound is allowed")
}

// TestStaticQuoteOfOneResource checks what the auction's ask index relies
// on: a strategy with static asks quotes a request for k units of one
// resource at exactly float64(k) times its unit ask (the same float64),
// whatever its asks of the other resources.
func TestStaticQuoteOfOneResource(t *testing.T) {
	const nres = 4 // CPU, memory and two GPU models
	for _, name := range agents.StrategyNames() {
		s, err := agents.NewStrategy(name)
		require.NoError(t, err)
		if !s.StaticAsks() {
			continue
		}
		for seed := range uint64(200) {
			rng := rand.New(rand.NewPCG(seed, 7))
			p := agents.Profile{Cost: make([]float64, nres), Ask: make([]float64, nres)}
			for r := range nres {
				p.Cost[r] = rng.Float64() * 5
				p.Ask[r] = p.Cost[r] * (1 + rng.Float64())
			}
			k := int32(1 + rng.IntN(64))
			reqs := []agents.Request{{CPU: k}, {MemoryGB: k}, {GPUs: k, GPUModel: 2 + rng.IntN(nres-2)}}
			for _, q := range reqs {
				r, amount, ok := q.SingleResource()
				require.True(t, ok)
				require.Equal(t, k, amount)
				got := s.Quote(&p, &q, &agents.MarketView{})
				assert.Equal(t, math.Float64bits(float64(k)*p.Ask[r]), math.Float64bits(got), "%s seed %d request %+v", name, seed, q)
			}
		}
	}
}
