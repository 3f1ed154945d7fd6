package agents_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/integrate/quad"

	"github.com/depinsim/depinsim/agents"
)

// theoryDists are the cost distributions the theory tests use: uniform
// (closed form) and non-uniform ones, with and without a cap.
var theoryDists = map[string]agents.Dist{
	"uniform":          {Kind: "uniform", Min: 0.8, Max: 1.2},
	"uniform-capped":   {Kind: "uniform", Min: 0.5, Max: 1.5, Cap: 1.2},
	"lognormal":        {Kind: "lognormal", Median: 1, Sigma: 0.25},
	"lognormal-wide":   {Kind: "lognormal", Median: 2, Sigma: 1.2},
	"lognormal-capped": {Kind: "lognormal", Median: 1, Sigma: 0.5, Cap: 1.5},
	"exponential":      {Kind: "exponential", Mean: 1},
	"exponential-cap":  {Kind: "exponential", Mean: 1, Cap: 2},
	"pareto":           {Kind: "pareto", Min: 1, Alpha: 3},
	"pareto-capped":    {Kind: "pareto", Min: 1, Alpha: 0.8, Cap: 4},
}

// refBid is the equilibrium bid by direct quadrature of the definition,
// with the survival function of Dist.ShareAtLeast: c + (integral from c
// to the top of S(x)^(n-1)) / S(c)^(n-1), over many Gauss-Legendre
// segments (geometric for an unbounded tail).
func refBid(d agents.Dist, n int, c float64) float64 {
	p := float64(n - 1)
	sc := math.Pow(d.ShareAtLeast(c), p)
	if sc == 0 {
		return c
	}
	f := func(x float64) float64 { return math.Pow(d.ShareAtLeast(x), p) / sc }
	top := d.Largest()
	sum := 0.0
	if !math.IsInf(top, 1) {
		const segs = 4000
		h := (top - c) / segs
		for i := range segs {
			sum += quad.Fixed(f, c+float64(i)*h, c+float64(i+1)*h, 8, quad.Legendre{}, 0)
		}
		return c + sum
	}
	// unbounded: segments growing by 1% up to where the integrand is negligible
	a, h := c, math.Max(c, 1e-3)*1e-3
	for i := 0; i < 200000; i++ {
		b := a + h
		s := quad.Fixed(f, a, b, 8, quad.Legendre{}, 0)
		sum += s
		if f(b) < 1e-16 && s < 1e-18*sum {
			break
		}
		a, h = b, h*1.01
	}
	return c + sum
}

// quantile returns the u-quantile of d by bisection on ShareAtLeast.
func quantile(d agents.Dist, u float64) float64 {
	lo, hi := 0.0, 1.0
	for d.ShareAtLeast(hi) > 1-u {
		hi *= 2
	}
	for range 200 {
		m := (lo + hi) / 2
		if d.ShareAtLeast(m) > 1-u {
			lo = m
		} else {
			hi = m
		}
	}
	return (lo + hi) / 2
}

func TestEquilibriumBidUniformClosedForm(t *testing.T) {
	d := agents.Dist{Kind: "uniform", Min: 0.8, Max: 1.2}
	for _, n := range []int{2, 3, 5, 10} {
		b, err := agents.NewBidFunction(d, n)
		require.NoError(t, err)
		for i := 0; i <= 100; i++ {
			c := 0.8 + 0.4*float64(i)/100
			assert.InDelta(t, c+(1.2-c)/float64(n), b.At(c), 1e-12, "n=%d c=%v", n, c)
		}
	}
	// const: no one is cheaper, so everyone bids its cost (Bertrand)
	b, err := agents.NewBidFunction(agents.Const(1.5), 4)
	require.NoError(t, err)
	assert.Equal(t, 1.5, b.At(1.5))
}

func TestEquilibriumBidMatchesQuadrature(t *testing.T) {
	for name, d := range theoryDists {
		for _, n := range []int{2, 3, 5, 10} {
			b, err := agents.NewBidFunction(d, n)
			require.NoError(t, err, name)
			for _, u := range []float64{0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99} {
				c := quantile(d, u)
				if c >= d.Largest() {
					continue
				}
				want := refBid(d, n, c)
				assert.InDelta(t, want, b.At(c), 1e-6*want, "%s n=%d c=%v (quantile %v)", name, n, c, u)
			}
		}
	}
}

func TestEquilibriumBidChoice(t *testing.T) {
	// two values 1 and 2 with probabilities 0.25 and 0.75, n = 3: at c = 1,
	// S = 0.75 on [1, 2), so beta(1) = 1 + (2 - 1) 0.75^2 / 0.75^2 = 2; at
	// the top no one is dearer: beta(2) = 2; between, beta(1.5) = 2
	d := agents.Dist{Kind: "choice", Values: []float64{2, 1}, Weights: []float64{3, 1}}
	b, err := agents.NewBidFunction(d, 3)
	require.NoError(t, err)
	assert.InDelta(t, 2.0, b.At(1), 1e-12)
	assert.InDelta(t, 2.0, b.At(1.5), 1e-12)
	assert.InDelta(t, 2.0, b.At(2), 1e-12)
	// three values: at 1, S = 2/3 on [1,2) and 1/3 on [2,3): beta(1) = 1 + (1 (2/3)^2 + 1 (1/3)^2) / (2/3)^2 = 2.25
	d = agents.Dist{Kind: "choice", Values: []float64{1, 2, 3}}
	b, err = agents.NewBidFunction(d, 3)
	require.NoError(t, err)
	assert.InDelta(t, 2.25, b.At(1), 1e-12)
	assert.InDelta(t, 3.0, b.At(2), 1e-12)
	// a cap merges the values above it into an atom at the cap
	d.Cap = 2
	b, err = agents.NewBidFunction(d, 3)
	require.NoError(t, err)
	assert.InDelta(t, 2.0, b.At(1), 1e-12)
	assert.Equal(t, 2.0, b.At(2))
}

func TestEquilibriumBidIncreasingAboveCost(t *testing.T) {
	dists := maps2slice(theoryDists)
	dists = append(dists, agents.Dist{Kind: "choice", Values: []float64{0.7, 1, 1.3, 2}, Weights: []float64{1, 2, 3, 1}})
	for i, d := range dists {
		for _, n := range []int{2, 3, 5, 10, 50} {
			b, err := agents.NewBidFunction(d, n)
			require.NoError(t, err)
			hi := quantile(d, 0.9999)
			prev := math.Inf(-1)
			for k := 0; k <= 2000; k++ {
				c := hi * float64(k) / 2000
				v := b.At(c)
				require.False(t, math.IsNaN(v), "dist %d n=%d c=%v", i, n, c)
				assert.GreaterOrEqual(t, v, c, "dist %d n=%d c=%v: the bid is below cost", i, n, c)
				// non-decreasing (strictly inside a continuous support; up to table rounding)
				assert.GreaterOrEqual(t, v, prev-1e-9*math.Abs(v), "dist %d n=%d c=%v: the bid falls", i, n, c)
				prev = v
			}
		}
	}
}

func TestEquilibriumRejectsInfiniteBid(t *testing.T) {
	_, err := agents.NewBidFunction(agents.Dist{Kind: "pareto", Min: 1, Alpha: 0.5}, 3)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "alpha")
	c := agents.DefaultProviderCohort()
	c.Name = "p"
	c.Strategy = agents.EquilibriumName
	c.CostMultiplier = agents.Dist{Kind: "pareto", Min: 1, Alpha: 0.9}
	c.ExpectedBidders = 2
	cat := testCatalog(t)
	err = c.Validate(cat)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cost_multiplier.alpha:")
	c.ExpectedBidders = 1
	err = c.Validate(cat)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "expected_bidders: must be 0 (auto) or an integer in [2, 1048576], got 1")
	c.Strategy = agents.CostPlusName
	c.CostMultiplier = agents.Const(1)
	c.ExpectedBidders = 5
	err = c.Validate(cat)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `expected_bidders: only strategy "equilibrium" uses it`)
}

func maps2slice(m map[string]agents.Dist) []agents.Dist {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]agents.Dist, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// eqCohort is a one-resource (CPU) cohort with cost 1 $/core-hour times
// the multiplier d and n expected bidders, bidding equilibrium.
func eqCohort(d agents.Dist, n int, minMarkup float64) agents.ProviderCohort {
	c := agents.DefaultProviderCohort()
	c.Name = "p"
	c.Strategy = agents.EquilibriumName
	c.ExpectedBidders = n
	c.CostUSDHour = map[string]float64{"cpu": 1}
	c.CostMultiplier = d
	c.MinMarkup = minMarkup
	return c
}

func TestEquilibriumQuote(t *testing.T) {
	cat := testCatalog(t)
	c := eqCohort(agents.Dist{Kind: "uniform", Min: 0.8, Max: 1.2}, 4, 0.1)
	c.CostUSDHour = map[string]float64{"cpu": 0.02, "memory_gb": 0.004, "h100": 1.5}
	require.NoError(t, c.Validate(cat))
	h100, _ := cat.Index("h100")
	req := agents.Request{CPU: 8, MemoryGB: 32, GPUs: 2, GPUModel: h100}
	prof := func(m float64) *agents.Profile {
		p := agents.Profile{Cost: make([]float64, cat.NumResources()), Ask: make([]float64, cat.NumResources())}
		p.Cost[agents.ResCPU], p.Cost[agents.ResMemory], p.Cost[h100] = 0.02*m, 0.004*m, 1.5*m
		return &p
	}
	base := 8*0.02 + 32*0.004 + 2*1.5
	first, err := c.StrategyMaker(cat, agents.StrategyEnv{PaysBid: true, Bidders: 99})
	require.NoError(t, err)
	second, err := c.StrategyMaker(cat, agents.StrategyEnv{PaysBid: false, Bidders: 99})
	require.NoError(t, err)
	v := &agents.MarketView{}
	for _, m := range []float64{0.8, 0.9, 1.0, 1.1, 1.2} {
		p := prof(m)
		// first price: every unit-hour at the per-unit bid, shaded for n = 4
		assert.InDelta(t, 1.1*base*(m+(1.2-m)/4), first().Quote(p, &req, v), 1e-12, "m=%v", m)
		// second price: truthful, the cost floor
		assert.InDelta(t, 1.1*base*m, second().Quote(p, &req, v), 1e-12, "m=%v", m)
		assert.GreaterOrEqual(t, first().Quote(p, &req, v), req.Price(p.Cost)*1.1)
	}
	s := first()
	assert.Equal(t, agents.EquilibriumName, s.Name())
	assert.False(t, s.StaticAsks())
	// auto: env.Bidders
	c.ExpectedBidders = 0
	auto, err := c.StrategyMaker(cat, agents.StrategyEnv{PaysBid: true, Bidders: 2})
	require.NoError(t, err)
	assert.InDelta(t, 1.1*base*(1.0+0.2/2), auto().Quote(prof(1), &req, v), 1e-12)
	allocs := testing.AllocsPerRun(100, func() { s.Quote(prof0, &req0, v) })
	assert.Zero(t, allocs)
}

var (
	prof0 = &agents.Profile{Cost: []float64{1, 0, 0, 0}}
	req0  = agents.Request{CPU: 1}
)

func TestDefaultBidders(t *testing.T) {
	cs := []agents.ProviderCohort{{Kind: "organic", Count: 30}, {Kind: "fake", Count: 100}, {Kind: "mercenary", Count: 5}}
	assert.Equal(t, 35, agents.DefaultBidders(cs, 0))
	assert.Equal(t, 20, agents.DefaultBidders(cs, 20))
	assert.Equal(t, 2, agents.DefaultBidders(cs[:0], 20))
}

// auctionStats runs the textbook auction k times: n costs drawn from d,
// and returns the paired differences first-price price (lowest
// equilibrium bid, paid its bid, via the strategy's Quote) minus
// second-price price (second-lowest truthful bid).
func auctionDiffs(t *testing.T, d agents.Dist, n, k int, rng *rand.Rand) (mean, se float64) {
	t.Helper()
	cat := testCatalog(t)
	c := eqCohort(d, n, 0)
	fp, err := c.StrategyMaker(cat, agents.StrategyEnv{PaysBid: true})
	require.NoError(t, err)
	sp, err := c.StrategyMaker(cat, agents.StrategyEnv{PaysBid: false})
	require.NoError(t, err)
	sf, ss := fp(), sp()
	req := agents.Request{CPU: 1}
	v := &agents.MarketView{}
	p := agents.Profile{Cost: make([]float64, cat.NumResources())}
	sum, sum2 := 0.0, 0.0
	for range k {
		b1, s1, s2 := math.Inf(1), math.Inf(1), math.Inf(1)
		for range n {
			p.Cost[agents.ResCPU] = d.Sample(rng)
			b1 = math.Min(b1, sf.Quote(&p, &req, v))
			if q := ss.Quote(&p, &req, v); q < s1 {
				s1, s2 = q, s1
			} else if q < s2 {
				s2 = q
			}
		}
		x := b1 - s2
		sum += x
		sum2 += x * x
	}
	mean = sum / float64(k)
	return mean, math.Sqrt((sum2/float64(k) - mean*mean) / float64(k-1))
}

// TestRevenueEquivalence: with n i.i.d. private costs, the expected price
// of the first-price auction with equilibrium bids equals the second-price
// auction's with truthful bids. Over many seeds, the 95% confidence
// interval of the mean paired difference covers 0 about 95% of the time,
// and the pooled difference is within its 99.9% interval.
func TestRevenueEquivalence(t *testing.T) {
	seeds, k := 10, 2000
	if !testing.Short() {
		seeds, k = 40, 5000
	}
	dists := []struct {
		name string
		d    agents.Dist
	}{
		{"uniform", agents.Dist{Kind: "uniform", Min: 0.8, Max: 1.2}},
		{"lognormal", agents.Dist{Kind: "lognormal", Median: 1, Sigma: 0.3}},
		{"exponential-capped", agents.Dist{Kind: "exponential", Mean: 1, Cap: 3}},
	}
	for _, dc := range dists {
		for _, n := range []int{2, 3, 5, 10} {
			t.Run(fmt.Sprintf("%s/n=%d", dc.name, n), func(t *testing.T) {
				covered := 0
				pooled, pooledVar := 0.0, 0.0
				for s := range seeds {
					rng := rand.New(rand.NewPCG(uint64(s), uint64(n)))
					m, se := auctionDiffs(t, dc.d, n, k, rng)
					if math.Abs(m) <= 1.96*se {
						covered++
					}
					pooled += m
					pooledVar += se * se
				}
				pooled /= float64(seeds)
				pse := math.Sqrt(pooledVar) / float64(seeds)
				assert.LessOrEqual(t, math.Abs(pooled), 3.29*pse, "pooled difference %v (se %v)", pooled, pse)
				// 95% coverage expected; fewer than 80% is improbable (binomial)
				assert.GreaterOrEqual(t, float64(covered)/float64(seeds), 0.8, "95%% intervals covering 0: %d of %d", covered, seeds)
			})
		}
	}
}

// TestRevenueEquivalenceDetectsWrongN shows the test above can fail: bids
// computed for the wrong number of bidders move the first-price price.
func TestRevenueEquivalenceDetectsWrongN(t *testing.T) {
	d := agents.Dist{Kind: "uniform", Min: 0.8, Max: 1.2}
	b, err := agents.NewBidFunction(d, 5)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	const n, k = 3, 20000
	sum, sum2 := 0.0, 0.0
	for range k {
		b1, s1, s2 := math.Inf(1), math.Inf(1), math.Inf(1)
		for range n {
			c := d.Sample(rng)
			b1 = math.Min(b1, b.At(c))
			if c < s1 {
				s1, s2 = c, s1
			} else if c < s2 {
				s2 = c
			}
		}
		sum += b1 - s2
		sum2 += (b1 - s2) * (b1 - s2)
	}
	m := sum / k
	se := math.Sqrt((sum2/k - m*m) / (k - 1))
	assert.Greater(t, math.Abs(m), 3.29*se, "bids for 5 bidders in a 3-bidder auction should lower the price")
}

// TestTruthfulBestResponseSecondPrice: under the second-price rule, a
// provider whose competitors bid truthfully never earns more by bidding
// its cost times another markup: not on any draw, hence not in
// expectation.
func TestTruthfulBestResponseSecondPrice(t *testing.T) {
	k := 5000
	if !testing.Short() {
		k = 50000
	}
	for _, d := range []agents.Dist{{Kind: "uniform", Min: 0.8, Max: 1.2}, {Kind: "lognormal", Median: 1, Sigma: 0.3}} {
		for _, n := range []int{2, 3, 5, 10} {
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			grid := []float64{0.7, 0.8, 0.9, 0.95, 0.99, 1.01, 1.05, 1.1, 1.2, 1.5}
			gain := make([]float64, len(grid)) // truthful minus deviation
			for range k {
				c := d.Sample(rng)
				others := math.Inf(1)
				for range n - 1 {
					others = math.Min(others, d.Sample(rng))
				}
				u := func(b float64) float64 {
					if b < others {
						return others - c
					}
					return 0
				}
				for i, g := range grid {
					x := u(c) - u(c*g)
					require.GreaterOrEqual(t, x, 0.0, "a deviation to %v x cost earned more on a draw", g)
					gain[i] += x
				}
			}
			for i, g := range grid {
				assert.GreaterOrEqual(t, gain[i]/float64(k), 0.0, "deviation %v", g)
			}
			// and the gain is real for large deviations: overbidding by 50% loses some auctions it should win
			assert.Positive(t, gain[len(grid)-1])
		}
	}
}

// TestEquilibriumBestResponseFirstPrice: against n - 1 competitors bidding
// the equilibrium, a provider's expected utility (b - c) P(b wins) is
// largest at its equilibrium bid, over a grid of deviations (computed
// exactly from the distribution, not sampled).
func TestEquilibriumBestResponseFirstPrice(t *testing.T) {
	for name, d := range map[string]agents.Dist{"uniform": {Kind: "uniform", Min: 0.8, Max: 1.2}, "lognormal": {Kind: "lognormal", Median: 1, Sigma: 0.3}} {
		for _, n := range []int{2, 3, 5, 10} {
			bf, err := agents.NewBidFunction(d, n)
			require.NoError(t, err)
			// P(a competitor's bid > x) = S(beta^-1(x)), beta increasing
			inv := func(x float64) float64 {
				lo, hi := 0.0, quantile(d, 0.999999)
				if bf.At(hi) <= x {
					return hi
				}
				for range 100 {
					m := (lo + hi) / 2
					if bf.At(m) < x {
						lo = m
					} else {
						hi = m
					}
				}
				return (lo + hi) / 2
			}
			eu := func(c, b float64) float64 {
				return (b - c) * math.Pow(d.ShareAtLeast(inv(b)), float64(n-1))
			}
			for _, u := range []float64{0.1, 0.3, 0.5, 0.7, 0.9} {
				c := quantile(d, u)
				star := bf.At(c)
				best := eu(c, star)
				for _, g := range []float64{0.9, 0.95, 0.98, 0.99, 1.01, 1.02, 1.05, 1.1} {
					b := c + (star-c)*g
					assert.LessOrEqual(t, eu(c, b), best*(1+1e-6), "%s n=%d c=%v: bidding %v beats the equilibrium %v", name, n, c, b, star)
				}
			}
		}
	}
}

// refBidReserve is the equilibrium bid with reserve r by direct
// quadrature: c + (integral from c to min(r, top) of S(x)^(n-1)) /
// S(c)^(n-1).
func refBidReserve(d agents.Dist, n int, c, r float64) float64 {
	p := float64(n - 1)
	sc := math.Pow(d.ShareAtLeast(c), p)
	top := math.Min(r, d.Largest())
	if sc == 0 || top <= c {
		return c
	}
	f := func(x float64) float64 { return math.Pow(d.ShareAtLeast(x), p) / sc }
	const segs = 4000
	h := (top - c) / segs
	sum := 0.0
	for i := range segs {
		sum += quad.Fixed(f, c+float64(i)*h, c+float64(i+1)*h, 8, quad.Legendre{}, 0)
	}
	return c + sum
}

// TestEquilibriumReserveMatchesQuadrature: with a reserve r inside the
// support, AtReserve is the integral of the definition up to r, for every
// distribution kind; with r at or above the top it is the bid without a
// reserve; a cost at or above r bids the cost.
func TestEquilibriumReserveMatchesQuadrature(t *testing.T) {
	for name, d := range theoryDists {
		for _, n := range []int{2, 3, 7} {
			if d.Kind == "pareto" && d.Cap == 0 && d.Alpha*float64(n-1) <= 1 {
				continue
			}
			b, err := agents.NewBidFunction(d, n)
			require.NoError(t, err)
			for _, ur := range []float64{0.3, 0.7, 0.95} {
				r := quantile(d, ur)
				if r >= d.Largest() {
					continue
				}
				for _, uc := range []float64{0.01, 0.2, 0.5, 0.9} {
					c := quantile(d, uc*ur)
					want := refBidReserve(d, n, c, r)
					got := b.AtReserve(c, r)
					assert.InDelta(t, want, got, 1e-6*math.Max(1, want), "%s n=%d c=%v r=%v", name, n, c, r)
					assert.LessOrEqual(t, got, r+1e-12, "%s n=%d: a bid above the reserve", name, n)
					assert.LessOrEqual(t, got, b.At(c)+1e-12, "%s n=%d: a reserve cannot raise a bid", name, n)
					assert.GreaterOrEqual(t, got, c, "%s n=%d: below cost", name, n)
				}
				assert.Equal(t, r*1.01, b.AtReserve(r*1.01, r), "%s: a cost above the reserve bids its cost", name)
			}
			c := quantile(d, 0.4)
			assert.Equal(t, b.At(c), b.AtReserve(c, math.Inf(1)), "%s: no reserve", name)
		}
	}
	// uniform closed form: c + ((hi-c)^n - (hi-r)^n) / (n (hi-c)^(n-1))
	b, err := agents.NewBidFunction(agents.Dist{Kind: "uniform", Min: 0, Max: 1}, 4)
	require.NoError(t, err)
	for _, c := range []float64{0, 0.1, 0.3, 0.5} {
		r := 0.6
		want := c + (math.Pow(1-c, 4)-math.Pow(1-r, 4))/(4*math.Pow(1-c, 3))
		assert.InDelta(t, want, b.AtReserve(c, r), 1e-12, "c=%v", c)
	}
}

// TestRevenueEquivalenceWithReserveAndVaryingN: the kernel tells an
// equilibrium bidder with expected_bidders auto how many bid on each order
// (MarketView.Bidders) and the tenant's maximum price (MaxUSDHour). With n
// drawn per order from 1 to 6 and a reserve that binds, the expected price
// of the first-price auction (bids above the reserve refused, the lowest
// bid paid) equals the second-price one's (the second-lowest cost, or the
// reserve when only one cost is below it), over many seeds.
func TestRevenueEquivalenceWithReserveAndVaryingN(t *testing.T) {
	seeds, k := 8, 3000
	if !testing.Short() {
		seeds, k = 30, 6000
	}
	cat := testCatalog(t)
	for name, d := range map[string]agents.Dist{
		"uniform":   {Kind: "uniform", Min: 0.8, Max: 1.2},
		"lognormal": {Kind: "lognormal", Median: 1, Sigma: 0.3},
	} {
		t.Run(name, func(t *testing.T) {
			c := eqCohort(d, 0, 0)
			fp, err := c.StrategyMaker(cat, agents.StrategyEnv{PaysBid: true, Bidders: 20})
			require.NoError(t, err)
			s := fp()
			r := quantile(d, 0.6) // the reserve binds often
			pooled, pooledVar := 0.0, 0.0
			for seed := range seeds {
				rng := rand.New(rand.NewPCG(uint64(seed), 77))
				sum, sum2 := 0.0, 0.0
				for range k {
					n := 1 + rng.IntN(6)
					b1, s1, s2 := reserveAuction(s, d, n, r, &agents.MarketView{Bidders: n, MaxUSDHour: r}, rng)
					first, second := 0.0, 0.0
					if s1 < r {
						first, second = b1, math.Min(s2, r)
					}
					require.False(t, s1 < r && math.IsInf(b1, 1), "the cheapest cost is below the reserve but no bid is")
					x := first - second
					sum += x
					sum2 += x * x
				}
				m := sum / float64(k)
				pooled += m
				pooledVar += (sum2/float64(k) - m*m) / float64(k-1)
			}
			pooled /= float64(seeds)
			pse := math.Sqrt(pooledVar) / float64(seeds)
			assert.LessOrEqual(t, math.Abs(pooled), 3.29*pse, "pooled difference %v (se %v)", pooled, pse)
			assert.Less(t, pse, 0.002, "the test is too weak to see a difference")
		})
	}
}

// TestEquilibriumWithoutReserveLowersRevenue: the same setting with the
// reserve hidden from the bidders (the strategy before it saw it) does not
// give revenue equivalence: the test above can fail.
func TestEquilibriumWithoutReserveLowersRevenue(t *testing.T) {
	cat := testCatalog(t)
	d := agents.Dist{Kind: "uniform", Min: 0.8, Max: 1.2}
	c := eqCohort(d, 0, 0)
	fp, err := c.StrategyMaker(cat, agents.StrategyEnv{PaysBid: true, Bidders: 20})
	require.NoError(t, err)
	s := fp()
	r := 1.04
	rng := rand.New(rand.NewPCG(3, 4))
	const k = 20000
	sum := 0.0
	for range k {
		n := 1 + rng.IntN(6)
		// no reserve, lone bidders think they have a rival
		b1, s1, s2 := reserveAuction(s, d, n, r, &agents.MarketView{Bidders: max(n, 2)}, rng)
		if s1 < r && !math.IsInf(b1, 1) {
			sum += b1 - math.Min(s2, r)
		} else if s1 < r {
			sum -= math.Min(s2, r) // its bid was refused: the sale is lost
		}
	}
	assert.Less(t, sum/k, -0.005, "ignoring the reserve should lower the first-price revenue")
}

// reserveAuction runs one first-price auction of a unit order with
// reserve r among n bidders of strategy s, costs drawn from d, each quoting
// with view v: it returns the lowest bid at or below r (+Inf when none)
// and the lowest and second-lowest costs.
func reserveAuction(s agents.Strategy, d agents.Dist, n int, r float64, v *agents.MarketView, rng *rand.Rand) (b1, s1, s2 float64) {
	req := agents.Request{CPU: 1}
	p := agents.Profile{Cost: make([]float64, agents.ResGPU0)}
	b1, s1, s2 = math.Inf(1), math.Inf(1), math.Inf(1)
	for range n {
		cost := d.Sample(rng)
		p.Cost[agents.ResCPU] = cost
		if q := s.Quote(&p, &req, v); q <= r {
			b1 = math.Min(b1, q)
		}
		if cost < s1 {
			s1, s2 = cost, s1
		} else if cost < s2 {
			s2 = cost
		}
	}
	return b1, s1, s2
}
