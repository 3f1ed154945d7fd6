package agents_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
)

// TestNoRegretArms: the arms are geometric from 1 + min_markup to
// markup_max, so no quote is below cost x (1 + min_markup) or above cost x
// markup_max; a single arm sits at the floor.
func TestNoRegretArms(t *testing.T) {
	n := agents.NewNoRegret(5, 0.1, 2.2, 0.01, 0.1, nil)
	arms := n.Arms()
	require.Len(t, arms, 5)
	assert.InDelta(t, 1.1, arms[0], 1e-12)
	assert.Equal(t, 2.2, arms[4])
	for i := 1; i < len(arms); i++ {
		assert.InDelta(t, math.Pow(2, 0.25), arms[i]/arms[i-1], 1e-12, "geometric")
	}
	one := agents.NewNoRegret(1, 0.2, 3, 0.01, 0.1, nil)
	assert.Equal(t, []float64{1.2}, one.Arms())
}

// TestNoRegretQuoteBounds: over random profiles, requests, parameters and
// outcomes, every quote is cost x one of the arms, so between cost x (1 +
// min_markup) and cost x markup_max; Quote allocates nothing.
func TestNoRegretQuoteBounds(t *testing.T) {
	cat := testCatalog(t)
	for seed := range uint64(100) {
		rng := rand.New(rand.NewPCG(seed, 1))
		c := providerCohort(t, cat)
		c.Strategy = agents.NoRegretName
		c.CostMultiplier = agents.Dist{Kind: "lognormal", Median: 1, Sigma: 0.5}
		c.MinMarkup = rng.Float64()
		c.MarkupMax = (1 + c.MinMarkup) * (1 + 3*rng.Float64())
		c.MarkupArms = 1 + rng.IntN(30)
		c.Exploration = 0.01 + 0.99*rng.Float64()
		c.LearningRate = rng.Float64()
		require.NoError(t, c.Validate(cat))
		s, err := c.NewStrategy()
		require.NoError(t, err)
		s.(agents.Randomized).SetRand(rand.New(rand.NewPCG(seed, 2)))
		p := c.NewProfile(0, cat, rng)
		for range 200 {
			q := agents.Request{CPU: int32(1 + rng.IntN(32)), MemoryGB: int32(rng.IntN(129))}
			if rng.IntN(2) == 0 {
				q.GPUs, q.GPUModel = int32(1+rng.IntN(8)), 2+rng.IntN(2)
			}
			cost := q.Price(p.Cost)
			got := s.Quote(&p, &q, &agents.MarketView{})
			assert.GreaterOrEqual(t, got, cost*(1+c.MinMarkup)*(1-1e-12))
			assert.LessOrEqual(t, got, cost*c.MarkupMax*(1+1e-12))
			won := rng.IntN(2) == 0
			s.(agents.OutcomeObserver).ObserveOutcome(won, got*(1+rng.Float64()), cost)
		}
		q, v := agents.Request{CPU: 4, MemoryGB: 8}, &agents.MarketView{}
		assert.Zero(t, testing.AllocsPerRun(100, func() { s.Quote(&p, &q, v) }), "Quote allocates")
	}
}

// TestNoRegretUpdate: the probabilities are (1 - gamma) w / sum(w) +
// gamma / K, at least gamma / K each and summing to 1; a win multiplies
// the played arm's weight by exp(eta x reward / its probability), with the
// reward (paid - cost) / cost / (markup_max - 1) clamped to [0, 1]; a loss
// changes no weight.
func TestNoRegretUpdate(t *testing.T) {
	const k, eta, gamma, mmax = 4, 0.3, 0.2, 3.0
	n := agents.NewNoRegret(k, 0, mmax, eta, gamma, rand.New(rand.NewPCG(1, 2)))
	w := []float64{1, 1, 1, 1}
	probs := func() []float64 {
		s := 0.0
		for _, x := range w {
			s += x
		}
		p := make([]float64, k)
		for i, x := range w {
			p[i] = (1-gamma)*x/s + gamma/k
		}
		return p
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for step := range 300 {
		want := probs()
		got := n.Probabilities(nil)
		sum := 0.0
		for i := range got {
			assert.InDelta(t, want[i], got[i], 1e-9, "step %d arm %d", step, i)
			assert.GreaterOrEqual(t, got[i], gamma/k-1e-15, "exploration floor")
			sum += got[i]
		}
		assert.InDelta(t, 1, sum, 1e-12)
		arm := n.Arm()
		require.True(t, arm >= 0 && arm < k)
		won := rng.IntN(2) == 0
		paid := n.Arms()[arm] * (0.5 + rng.Float64()) // sometimes below cost, sometimes above markup_max
		if won {
			x := math.Min(math.Max((paid-1)/(mmax-1), 0), 1)
			w[arm] *= math.Exp(eta * x / want[arm])
			top := 0.0
			for _, v := range w {
				top = math.Max(top, v)
			}
			for i := range w {
				w[i] /= top
			}
			n.ObserveOutcome(true, paid, 1)
		} else {
			n.ObserveOutcome(false, 0, 0)
		}
		assert.Equal(t, step+1, n.Outcomes())
	}
	// Observe(true) without the price is a win paid at the bid
	a := agents.NewNoRegret(k, 0.5, mmax, eta, gamma, nil)
	b := agents.NewNoRegret(k, 0.5, mmax, eta, gamma, nil)
	a.Observe(true)
	b.ObserveOutcome(true, a.Arms()[0], 1)
	assert.Equal(t, a.Probabilities(nil), b.Probabilities(nil))
	assert.Greater(t, a.Probabilities(nil)[0], 1.0/k, "arm 0 paid above cost gained weight")
}

// TestNoRegretParamsValidate: the no-regret keys' ranges, and keys that
// only no-regret uses refused on other strategies.
func TestNoRegretParamsValidate(t *testing.T) {
	cat := testCatalog(t)
	cases := []struct {
		strategy string
		want     string
		set      func(c *agents.ProviderCohort)
	}{
		{"no-regret", "markup_arms: must be in [1, 1000], got 0", func(c *agents.ProviderCohort) { c.MarkupArms = 0 }},
		{"no-regret", "markup_arms: must be in [1, 1000], got 1001", func(c *agents.ProviderCohort) { c.MarkupArms = 1001 }},
		{"no-regret", "learning_rate: must be in (0, 1], got 0", func(c *agents.ProviderCohort) { c.LearningRate = 0 }},
		{"no-regret", "learning_rate: must be in (0, 1], got 1.5", func(c *agents.ProviderCohort) { c.LearningRate = 1.5 }},
		{"no-regret", "exploration: must be in (0, 1], got 0", func(c *agents.ProviderCohort) { c.Exploration = 0 }},
		{"no-regret", "exploration: must be in (0, 1], got NaN", func(c *agents.ProviderCohort) { c.Exploration = math.NaN() }},
		{"no-regret", "markup_max: strategy \"no-regret\" needs markup_max >= 1 + min_markup (1.5), got 1.2",
			func(c *agents.ProviderCohort) { c.MinMarkup, c.MarkupMax = 0.5, 1.2 }},
		{"cost-plus", `learning_rate: only strategy "no-regret" uses it, but the cohort's strategy is "cost-plus"`,
			func(c *agents.ProviderCohort) { c.LearningRate = 0.5 }},
		{"adaptive-markup", `markup_arms: only strategy "no-regret" uses it, but the cohort's strategy is "adaptive-markup"`,
			func(c *agents.ProviderCohort) { c.MarkupArms = 3 }},
		{"no-regret", `markup_step: only strategy "adaptive-markup" uses it, but the cohort's strategy is "no-regret"`,
			func(c *agents.ProviderCohort) { c.MarkupStep = 0.5 }},
	}
	for _, x := range cases {
		c := providerCohort(t, cat)
		c.Strategy = x.strategy
		x.set(&c)
		err := c.Validate(cat)
		require.Error(t, err, x.want)
		assert.Contains(t, err.Error(), x.want)
	}
	c := providerCohort(t, cat)
	c.Strategy = agents.NoRegretName
	c.MarkupMax, c.MarkupArms, c.LearningRate, c.Exploration = 5, 20, 1, 1
	assert.NoError(t, c.Validate(cat), "markup_max is no-regret's too")
}

// exp3Params returns EXP3's tuning for k arms and horizon t (Auer et al.
// 2002, Corollary 3.2): gamma = min(1, sqrt(k ln k / ((e - 1) t))), eta =
// gamma / k, and the regret bound 2 sqrt(e - 1) sqrt(t k ln k).
func exp3Params(k, t int) (eta, gamma, bound float64) {
	kf, tf := float64(k), float64(t)
	gamma = math.Min(1, math.Sqrt(kf*math.Log(kf)/((math.E-1)*tf)))
	return gamma / kf, gamma, 2 * math.Sqrt(math.E-1) * math.Sqrt(tf*kf*math.Log(kf))
}

// TestNoRegretRegret: against a fixed stochastic environment, arm k wins
// with probability 1 - (a_k - 1) / (markup_max - 1) (as a fixed field of
// competitors whose lowest bid is uniform over [cost, cost x markup_max]
// would make it), so the expected reward of arm k is x_k (1 - x_k), x_k =
// (a_k - 1) / (markup_max - 1), best near the middle of the grid. Over T
// outcomes with EXP3's tuning, the mean over seeds of the best fixed
// arm's expected total reward minus the learner's is at most the EXP3
// bound 2 sqrt(e - 1) sqrt(T K ln K) (K = 10, T = 20,000: 1,782, i.e.
// 0.089 a round), and the learner beats playing the arms uniformly.
func TestNoRegretRegret(t *testing.T) {
	const k, mmax = 10, 3.0
	T, seeds := 20000, 100
	if testing.Short() {
		seeds = 20
	}
	eta, gamma, bound := exp3Params(k, T)
	probe := agents.NewNoRegret(k, 0, mmax, eta, gamma, nil)
	mean := make([]float64, k)
	best, uniform := 0.0, 0.0
	for i, a := range probe.Arms() {
		x := (a - 1) / (mmax - 1)
		mean[i] = x * (1 - x)
		best = math.Max(best, mean[i])
		uniform += mean[i] / k
	}
	var regrets []float64
	for seed := range uint64(seeds) {
		n := agents.NewNoRegret(k, 0, mmax, eta, gamma, rand.New(rand.NewPCG(seed, 10)))
		env := rand.New(rand.NewPCG(seed, 11))
		got := 0.0
		for range T {
			a := n.Arms()[n.Arm()]
			x := (a - 1) / (mmax - 1)
			got += mean[n.Arm()] // the expected reward of the arm played
			if env.Float64() < 1-x {
				n.ObserveOutcome(true, a, 1)
			} else {
				n.ObserveOutcome(false, 0, 0)
			}
		}
		regrets = append(regrets, best*float64(T)-got)
	}
	m, se := meanSE(regrets)
	t.Logf("K=%d T=%d eta=%.5f gamma=%.4f: regret %.1f ± %.1f (best arm %.4f a round, uniform %.4f); bound %.1f", k, T, eta, gamma, m, 1.96*se, best, uniform, bound)
	assert.Less(t, m, bound, "mean regret within the EXP3 bound")
	assert.Less(t, m+3*se, (best-uniform)*float64(T), "the learner beats uniform play")
}

func meanSE(xs []float64) (mean, se float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - mean) * (x - mean)
	}
	v /= float64(len(xs) - 1)
	return mean, math.Sqrt(v / float64(len(xs)))
}

// firstPrice plays t repeated first-price reverse auctions between n
// no-regret learners (k arms over [cost, 2 x cost], EXP3's tuning for t)
// whose costs are drawn once from U[1, 2], as a provider's cost is in the
// simulation: the lowest bid wins and is paid its bid (ties to the lower
// index). It returns the mean price paid and the mean second-lowest cost
// over the last fifth of the rounds.
func firstPrice(seed uint64, n, k, t int) (price, second float64) {
	eta, gamma, _ := exp3Params(k, t)
	rng := rand.New(rand.NewPCG(seed, 99))
	ls := make([]*agents.NoRegret, n)
	cost := make([]float64, n)
	for i := range ls {
		ls[i] = agents.NewNoRegret(k, 0, 2, eta, gamma, rand.New(rand.NewPCG(seed, uint64(i))))
		cost[i] = 1 + rng.Float64()
	}
	lo, lo2 := math.Inf(1), math.Inf(1)
	for _, c := range cost {
		if c < lo {
			lo, lo2 = c, lo
		} else if c < lo2 {
			lo2 = c
		}
	}
	sum, cnt := 0.0, 0
	for r := range t {
		w, best := -1, math.Inf(1)
		for i, l := range ls {
			if b := cost[i] * l.Arms()[l.Arm()]; b < best {
				w, best = i, b
			}
		}
		for i, l := range ls {
			if i == w {
				l.ObserveOutcome(true, best, cost[i])
			} else {
				l.ObserveOutcome(false, 0, 0)
			}
		}
		if r >= t*4/5 {
			sum += best
			cnt++
		}
	}
	return sum / float64(cnt), lo2
}

// TestNoRegretRevenueEquivalence: n no-regret learners with i.i.d. U[1, 2]
// costs (fixed per learner, as in the simulation) in repeated first-price
// reverse auctions. Under the second-price rule with truthful bids the
// price is the second-lowest cost, whose expectation is 1 + 2 / (n + 1);
// revenue equivalence says the first-price expected price is the same.
// After T = 500,000 rounds (K = 20 arms, EXP3's tuning: gamma = 0.0067),
// the second-price expected price lies in the 95% confidence interval of
// the mean first-price price over 40 seeds, and the mean gap between the
// price and the second-lowest cost of the same seed is at least 0 and at
// most one step of the markup grid at the top of the cost range (2 x
// (2^(1/19) - 1) = 0.074): the learners cannot price finer than their
// grid. Measured: n = 3, mean price 1.547 ± 0.079 against 1.5, gap 0.059
// ± 0.009; n = 5, 1.372 ± 0.052 against 1.333, gap 0.048 ± 0.008. The gap
// shrinks slowly (n = 3: 0.158 at T = 20,000, 0.101 at T = 100,000). Two
// bidders do not get there within T = 500,000 (n = 2: 1.747 ± 0.071
// against 1.667, gap 0.070 ± 0.016, just inside one grid step), so n = 2
// is not asserted: its figure is a known shortfall, not a pass. Skipped under
// -short, where a cheaper check remains: after 20,000 rounds the winners
// shade their bids above the lowest cost (they do not bid their cost).
func TestNoRegretRevenueEquivalence(t *testing.T) {
	const k = 20
	if testing.Short() {
		var gaps []float64
		for seed := range uint64(10) {
			price, second := firstPrice(seed, 3, k, 20000)
			gaps = append(gaps, price-second)
		}
		m, se := meanSE(gaps)
		t.Logf("n=3 T=20000: price - second-lowest cost %.4f ± %.4f", m, 1.96*se)
		assert.Greater(t, m-3*se, 0.0, "learners converge from above the second-lowest cost")
		return
	}
	step := 2 * (math.Pow(2, 1.0/(k-1)) - 1)
	for _, n := range []int{3, 5} {
		var prices, gaps []float64
		for seed := range uint64(40) {
			price, second := firstPrice(seed, n, k, 500000)
			prices = append(prices, price)
			gaps = append(gaps, price-second)
		}
		sp := 1 + 2/float64(n+1)
		pm, pse := meanSE(prices)
		gm, gse := meanSE(gaps)
		t.Logf("n=%d T=500000: first-price mean price %.4f ± %.4f (95%%), second-price expected %.4f; price - second-lowest cost %.4f ± %.4f",
			n, pm, 1.96*pse, sp, gm, 1.96*gse)
		assert.InDelta(t, sp, pm, 1.96*pse, "n=%d: the second-price expected price within the first-price price's 95%% CI", n)
		assert.GreaterOrEqual(t, gm+1.96*gse, 0.0, "n=%d: not below the second-lowest cost", n)
		assert.LessOrEqual(t, gm, step, "n=%d: within one grid step of the second-lowest cost", n)
	}
}
