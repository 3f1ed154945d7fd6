package agents_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/simtime"
)

func testCatalog(t *testing.T) *agents.Catalog {
	t.Helper()
	cat, err := agents.NewCatalog(agents.ResourcesParams{ReferenceUSDHour: map[string]float64{
		"cpu": 0.04, "memory_gb": 0.005, "h100": 2.5, "a100": 1.7,
	}})
	require.NoError(t, err)
	return cat
}

// countArrivals returns the number of arrivals of c in [0, horizon).
func countArrivals(c *agents.TenantCohort, horizon simtime.Time, rng *rand.Rand) int {
	n := 0
	t := simtime.Time(0)
	for {
		next := c.NextArrival(t, horizon, rng)
		if next == simtime.Never {
			return n
		}
		if next < t || next >= horizon {
			panic("arrival out of order or past the horizon")
		}
		t = next
		n++
	}
}

// TestNextArrivalCounts checks the arrival process's mean count over many
// seeds against the integral of its rate, within 4 standard errors (the
// count is Poisson: variance = mean): homogeneous, with a daily cycle
// (whole days: the cycle integrates to zero) and with growth.
func TestNextArrivalCounts(t *testing.T) {
	const days = 10.0
	horizon := simtime.Time(days * float64(simtime.Day))
	g := 3.0 // +300% a year
	cases := []struct {
		name string
		c    agents.TenantCohort
		mean float64
	}{
		{"homogeneous", agents.TenantCohort{ArrivalsPerDay: 20}, 20 * days},
		{"daily cycle", agents.TenantCohort{ArrivalsPerDay: 20, DailyAmplitude: 0.8}, 20 * days},
		{"growth", agents.TenantCohort{ArrivalsPerDay: 20, GrowthPerYear: g},
			20 * 365 / math.Log(1+g) * (math.Pow(1+g, days/365) - 1)},
		{"decline", agents.TenantCohort{ArrivalsPerDay: 20, GrowthPerYear: -0.9},
			20 * 365 / math.Log(0.1) * (math.Pow(0.1, days/365) - 1)},
	}
	const seeds = 400
	for _, c := range cases {
		total := 0
		for seed := uint64(1); seed <= seeds; seed++ {
			total += countArrivals(&c.c, horizon, rand.New(rand.NewPCG(seed, 5)))
		}
		mean := float64(total) / seeds
		se := math.Sqrt(c.mean / seeds)
		assert.InDelta(t, c.mean, mean, 4*se, "%s: mean count %v, want %v", c.name, mean, c.mean)
	}
}

func TestNextArrivalDailyCycleShape(t *testing.T) {
	// with amplitude 0.9, the rate peaks at 6h and bottoms at 18h: the
	// first half of each day gets (1 + 2a/pi)/2 of the arrivals
	c := agents.TenantCohort{ArrivalsPerDay: 200, DailyAmplitude: 0.9}
	rng := rand.New(rand.NewPCG(3, 3))
	horizon := 50 * simtime.Day
	first, all := 0, 0
	for t := c.NextArrival(0, horizon, rng); t != simtime.Never; t = c.NextArrival(t, horizon, rng) {
		all++
		if t%simtime.Day < 12*simtime.Hour {
			first++
		}
	}
	want := (1 + 2*0.9/math.Pi) / 2
	assert.InDelta(t, want, float64(first)/float64(all), 4*math.Sqrt(want*(1-want)/float64(all)))
}

func TestNextArrivalEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	zero := agents.TenantCohort{ArrivalsPerDay: 0}
	assert.Equal(t, simtime.Never, zero.NextArrival(0, simtime.Year, rng))
	// a tiny rate: the next arrival is (almost surely) after the horizon,
	// and must be reported as Never, not as an overflowed time
	for _, rate := range []float64{1e-3, 1e-6, 1e-9} {
		for i := 0; i < 200; i++ {
			c := agents.TenantCohort{ArrivalsPerDay: rate}
			got := c.NextArrival(simtime.Day, 100*simtime.Year, rng)
			require.True(t, got == simtime.Never || (got >= simtime.Day && got < 100*simtime.Year),
				"rate %v: next arrival %d", rate, int64(got))
		}
	}
	c := agents.TenantCohort{ArrivalsPerDay: 1e8}
	now := 5 * simtime.Day
	next := c.NextArrival(now, 6*simtime.Day, rng)
	assert.True(t, next >= now && next < now+simtime.Second)
	assert.Equal(t, simtime.Never, c.NextArrival(now, now, rng), "nothing at or after the horizon")
}

func TestTopUp(t *testing.T) {
	c := agents.DefaultTenantCohort() // runway min 2 days, target 7 days
	require.Equal(t, 2.0, c.RunwayMinDays)
	require.Equal(t, 7.0, c.RunwayTargetDays)
	cases := []struct {
		name                string
		funds, rate, budget float64
		want                float64
	}{
		{"runway at the minimum: nothing", 48, 1, 1000, 0},
		{"runway above the minimum: nothing", 100, 1, 1000, 0},
		{"just below: restore 7 days", 47.5, 1, 1000, 168 - 47.5},
		{"empty escrow", 0, 2, 1000, 336},
		{"capped by the budget", 10, 1, 50, 50},
		{"no budget left", 10, 1, 0, 0},
		{"negative budget", 10, 1, -5, 0},
		{"free lease", 0, 0, 1000, 0},
	}
	for _, x := range cases {
		assert.InDelta(t, x.want, c.TopUp(x.funds, x.rate, x.budget), 1e-12, x.name)
	}
}

// tenantCohort returns a validated GPU tenant cohort with random
// (non-const) distributions, so every Draw consumes several variates.
func tenantCohort(t *testing.T, cat *agents.Catalog, models map[string]float64) agents.TenantCohort {
	t.Helper()
	c := agents.DefaultTenantCohort()
	c.Name = "t"
	c.ArrivalsPerDay = 10
	c.GPUModels = models
	c.GPUs = agents.Dist{Kind: "choice", Values: []float64{1, 2, 4, 8}}
	c.CPUCores = agents.Dist{Kind: "uniform", Min: 1, Max: 16}
	c.MemoryGB = agents.Dist{Kind: "lognormal", Median: 16, Sigma: 1}
	c.MaxPriceRatio = agents.Dist{Kind: "uniform", Min: 1.2, Max: 3}
	c.LifetimeHours = agents.Dist{Kind: "pareto", Min: 1, Alpha: 1.2}
	c.BudgetRatio = agents.Dist{Kind: "exponential", Mean: 2}
	c.USDCFraction = 0.3
	c.AuditedFraction = 0.2
	require.NoError(t, c.Validate(cat))
	return c
}

// TestDrawStreamAlignment checks that Draw makes the same RNG draws
// whatever the cohort's GPU mix: cohorts that differ only in gpu_models
// leave identically seeded generators in the same state, and draw the
// same non-GPU demand.
func TestDrawStreamAlignment(t *testing.T) {
	cat := testCatalog(t)
	mixes := []map[string]float64{
		nil, // CPU only
		{"h100": 1},
		{"h100": 1, "a100": 3},
		{"a100": 0, "h100": 2},
	}
	for seed := uint64(1); seed <= 50; seed++ {
		var tails []uint64
		var first []agents.Deployment
		for _, mix := range mixes {
			c := tenantCohort(t, cat, mix)
			rng := rand.New(rand.NewPCG(seed, 17))
			var deps []agents.Deployment
			for i := 0; i < 20; i++ {
				deps = append(deps, c.Draw(cat, rng))
			}
			tails = append(tails, rng.Uint64())
			if first == nil {
				first = deps
				continue
			}
			for i, d := range deps {
				f := first[i]
				require.Equal(t, f.Request.CPU, d.Request.CPU)
				require.Equal(t, f.Request.MemoryGB, d.Request.MemoryGB)
				require.Equal(t, f.Lifetime, d.Lifetime)
				require.Equal(t, f.USDC, d.USDC)
				require.Equal(t, f.RequireAudited, d.RequireAudited)
			}
		}
		for i := range tails {
			require.Equal(t, tails[0], tails[i], "seed %d: mix %v left the stream elsewhere", seed, mixes[i])
		}
	}
}

func TestDrawValues(t *testing.T) {
	cat := testCatalog(t)
	h100, _ := cat.Index("h100")
	a100, _ := cat.Index("a100")
	c := tenantCohort(t, cat, map[string]float64{"h100": 1, "a100": 3})
	rng := rand.New(rand.NewPCG(8, 8))
	const n = 20000
	nH := 0
	for i := 0; i < n; i++ {
		d := c.Draw(cat, rng)
		q := d.Request
		require.Contains(t, []int{h100, a100}, q.GPUModel)
		require.Contains(t, []int32{1, 2, 4, 8}, q.GPUs)
		require.True(t, q.CPU >= 1 && q.CPU <= 16)
		require.GreaterOrEqual(t, q.MemoryGB, int32(0))
		if q.GPUModel == h100 {
			nH++
		}
		// max price = ratio x reference price of the request
		ref := q.Price(cat.Reference)
		require.True(t, d.MaxPriceUSDHour >= 1.2*ref-1e-9 && d.MaxPriceUSDHour <= 3*ref+1e-9)
		require.GreaterOrEqual(t, d.Lifetime, simtime.Hour, "pareto min 1 h")
		require.GreaterOrEqual(t, d.BudgetUSD, 0.0)
	}
	assert.InDelta(t, 0.25, float64(nH)/n, 0.02, "weights 1:3")

	cpu := tenantCohort(t, cat, nil)
	for i := 0; i < 100; i++ {
		d := cpu.Draw(cat, rng)
		require.Equal(t, int32(0), d.Request.GPUs, "CPU-only cohort")
	}
	// lifetimes are at least one minute
	c.LifetimeHours = agents.Const(0)
	assert.Equal(t, simtime.Minute, c.Draw(cat, rng).Lifetime)
	// zero-weight model never drawn
	c.GPUModels = map[string]float64{"a100": 0, "h100": 1}
	for i := 0; i < 1000; i++ {
		require.Equal(t, h100, c.Draw(cat, rng).Request.GPUModel)
	}
}

func TestRateAt(t *testing.T) {
	c := agents.TenantCohort{ArrivalsPerDay: 10, GrowthPerYear: 1, DailyAmplitude: 0.5}
	assert.InDelta(t, 10, c.RateAt(0), 1e-12)
	assert.InDelta(t, 20, c.RateAt(simtime.Year), 1e-9, "doubles in a year (at midnight)")
	assert.InDelta(t, 10*math.Pow(2, 0.25/365)*1.5, c.RateAt(6*simtime.Hour), 1e-9, "daily peak at 6h")
	assert.InDelta(t, 10*math.Pow(2, 0.75/365)*0.5, c.RateAt(18*simtime.Hour), 1e-9, "daily trough at 18h")
}

func TestTenantValidate(t *testing.T) {
	cat := testCatalog(t)
	base := tenantCohort(t, cat, map[string]float64{"h100": 1})
	cases := []struct {
		key string
		mod func(c *agents.TenantCohort)
	}{
		{"name:", func(c *agents.TenantCohort) { c.Name = " " }},
		{"arrivals_per_day:", func(c *agents.TenantCohort) { c.ArrivalsPerDay = -1 }},
		{"growth_per_year:", func(c *agents.TenantCohort) { c.GrowthPerYear = -1 }},
		{"daily_amplitude:", func(c *agents.TenantCohort) { c.DailyAmplitude = 1 }},
		{"gpu_models.b200:", func(c *agents.TenantCohort) { c.GPUModels = map[string]float64{"b200": 1} }},
		{"gpu_models.cpu:", func(c *agents.TenantCohort) { c.GPUModels = map[string]float64{"cpu": 1} }},
		{"gpu_models.h100:", func(c *agents.TenantCohort) { c.GPUModels = map[string]float64{"h100": -1} }},
		{"gpu_models:", func(c *agents.TenantCohort) { c.GPUModels = map[string]float64{"h100": 0} }},
		{"gpus.kind:", func(c *agents.TenantCohort) { c.GPUs = agents.Dist{} }},
		{"lifetime_hours.mean:", func(c *agents.TenantCohort) { c.LifetimeHours = agents.Dist{Kind: "exponential"} }},
		{"usdc_fraction:", func(c *agents.TenantCohort) { c.USDCFraction = 1.1 }},
		{"restart_prob:", func(c *agents.TenantCohort) { c.RestartProb = -0.1 }},
		{"runway_min_days:", func(c *agents.TenantCohort) { c.RunwayMinDays = 0 }},
		{"runway_target_days:", func(c *agents.TenantCohort) { c.RunwayTargetDays = 1 }},
		{"retry_every:", func(c *agents.TenantCohort) { c.RetryEvery = 0 }},
		{`selection: unknown selection policy "loyal" (known: cheapest, prefer-audited, random)`, func(c *agents.TenantCohort) { c.Selection = "loyal" }},
	}
	for _, x := range cases {
		c := base
		c.GPUModels = map[string]float64{"h100": 1}
		x.mod(&c)
		err := c.Validate(cat)
		require.Error(t, err, x.key)
		assert.Contains(t, err.Error(), x.key)
	}
}

// TestTenantSelection: "" (the default) is the mechanism's own rule (a nil
// selector); every market selector name is accepted and built.
func TestTenantSelection(t *testing.T) {
	cat := testCatalog(t)
	c := tenantCohort(t, cat, map[string]float64{"h100": 1})
	assert.Equal(t, "", agents.DefaultTenantCohort().Selection)
	s, err := c.NewSelector()
	require.NoError(t, err)
	assert.Nil(t, s)
	for _, name := range market.SelectorNames() {
		c.Selection = name
		require.NoError(t, c.Validate(cat), name)
		s, err := c.NewSelector()
		require.NoError(t, err)
		assert.Equal(t, name, s.Name())
	}
}

// TestNextArrivalDemandSteps checks the arrival count under demand steps
// over many seeds against the integral of the stepped rate, within 4
// standard errors, and that the steps resolve from durations and dates.
func TestNextArrivalDemandSteps(t *testing.T) {
	start := simtime.Date{Year: 2024, Month: 3, Day: 20}
	c := agents.TenantCohort{ArrivalsPerDay: 20, DailyAmplitude: 0.5,
		DemandSteps: map[string]float64{"3d": 3, "2024-03-26": 0, "8d": 0.5}}
	steps, err := c.Steps(start)
	require.NoError(t, err)
	require.Equal(t, []agents.DemandStep{{At: 3 * simtime.Day, Multiplier: 3}, {At: 6 * simtime.Day, Multiplier: 0}, {At: 8 * simtime.Day, Multiplier: 0.5}}, steps)
	horizon := 10 * simtime.Day
	want := 20 * (3 + 3*3 + 0*2 + 0.5*2) // whole days: the daily cycle integrates to zero
	const seeds = 400
	total := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		for at := c.NextArrivalSteps(0, horizon, steps, rng); at != simtime.Never; at = c.NextArrivalSteps(at, horizon, steps, rng) {
			total++
			require.False(t, at >= 6*simtime.Day && at < 8*simtime.Day, "no arrival while the multiplier is 0")
		}
	}
	mean := float64(total) / seeds
	assert.InDelta(t, want, mean, 4*math.Sqrt(want/seeds))

	for _, bad := range []map[string]float64{{"2024-01-01": 2}, {"banana": 2}, {"10d": 1, "240h": 2}} {
		c := agents.TenantCohort{DemandSteps: bad}
		_, err := c.Steps(start)
		assert.ErrorContains(t, err, "demand_steps", "%v", bad)
	}
	bad := agents.DefaultTenantCohort()
	bad.Name = "t"
	bad.DemandSteps = map[string]float64{"10d": -1}
	assert.ErrorContains(t, bad.Validate(nil), "demand_steps.10d: the multiplier must be in [0, 1e4]")
}

// TestPriceResponse: the multiplier is ratio^-e within the clamp, 1 for
// an unknown ratio or e = 0; the bound is demand_multiplier_max when the
// response is on, else 1.
func TestPriceResponse(t *testing.T) {
	c := agents.DefaultTenantCohort()
	assert.Equal(t, 1.0, c.PriceResponse(0.5))
	assert.Equal(t, 1.0, c.ElasticBound())
	c.PriceElasticity = 1.5
	assert.Equal(t, 10.0, c.ElasticBound())
	assert.InDelta(t, math.Pow(0.8, -1.5), c.PriceResponse(0.8), 1e-12)
	assert.InDelta(t, math.Pow(1.3, -1.5), c.PriceResponse(1.3), 1e-12)
	assert.Equal(t, 1.0, c.PriceResponse(1))
	assert.Equal(t, 1.0, c.PriceResponse(math.NaN()), "no lease yet")
	assert.Equal(t, 10.0, c.PriceResponse(0), "a free network: the most")
	assert.Equal(t, 10.0, c.PriceResponse(0.01))
	assert.Equal(t, 0.1, c.PriceResponse(100))
	assert.Equal(t, 0.1, c.PriceResponse(math.Inf(1)))
}

// TestNextArrivalScaled: scale 1 draws what NextArrivalSteps draws; a
// scale of k gives k times the arrivals (the candidates of the thinning),
// within 4 standard errors over many seeds.
func TestNextArrivalScaled(t *testing.T) {
	c := agents.TenantCohort{ArrivalsPerDay: 20, DailyAmplitude: 0.5, GrowthPerYear: 2}
	steps := []agents.DemandStep{{At: 2 * simtime.Day, Multiplier: 2}}
	horizon := 6 * simtime.Day
	a, b := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	for at := simtime.Time(0); at != simtime.Never; {
		next := c.NextArrivalSteps(at, horizon, steps, a)
		require.Equal(t, next, c.NextArrivalScaled(at, horizon, steps, 1, b))
		at = next
	}
	count := func(scale float64, seeds uint64) float64 {
		n := 0
		for seed := uint64(1); seed <= seeds; seed++ {
			rng := rand.New(rand.NewPCG(seed, 3))
			for at := c.NextArrivalScaled(0, horizon, steps, scale, rng); at != simtime.Never; at = c.NextArrivalScaled(at, horizon, steps, scale, rng) {
				n++
			}
		}
		return float64(n) / float64(seeds)
	}
	const seeds = 300
	one := count(1, seeds)
	three := count(3, seeds)
	assert.InDelta(t, 3*one, three, 4*math.Sqrt(3*one/seeds)+4*3*math.Sqrt(one/seeds))
}

// TestDrawAtReference: a reference multiplier scales the maximum price
// and the budget of the same draws and changes nothing else; 1 is Draw.
func TestDrawAtReference(t *testing.T) {
	cat := testCatalog(t)
	c := agents.DefaultTenantCohort()
	c.GPUModels = map[string]float64{"h100": 1}
	c.MaxPriceRatio = agents.Dist{Kind: "lognormal", Median: 1.5, Sigma: 0.3}
	d := c.Demand(cat)
	for seed := uint64(1); seed <= 50; seed++ {
		base := d.Draw(rand.New(rand.NewPCG(seed, 1)))
		same := d.DrawAt(rand.New(rand.NewPCG(seed, 1)), 1)
		require.Equal(t, base, same)
		low := d.DrawAt(rand.New(rand.NewPCG(seed, 1)), 0.7)
		assert.InDelta(t, 0.7*base.MaxPriceUSDHour, low.MaxPriceUSDHour, 1e-12*base.MaxPriceUSDHour)
		assert.InDelta(t, 0.7*base.BudgetUSD, low.BudgetUSD, 1e-9*base.BudgetUSD)
		low.MaxPriceUSDHour, low.BudgetUSD = base.MaxPriceUSDHour, base.BudgetUSD
		assert.Equal(t, base, low)
	}
}

// TestReferencePath: reference_steps resolve like demand_steps, in time
// order; bad keys and multipliers are errors naming the key path.
func TestReferencePath(t *testing.T) {
	start := simtime.Date{Year: 2024, Month: 1, Day: 1}
	p := agents.ResourcesParams{ReferenceSteps: map[string]float64{"2024-03-01": 0.8, "30d": 0.9}}
	steps, err := p.ReferencePath(start)
	require.NoError(t, err)
	assert.Equal(t, []agents.DemandStep{{At: 30 * simtime.Day, Multiplier: 0.9}, {At: 60 * simtime.Day, Multiplier: 0.8}}, steps)
	assert.Equal(t, 1.0, agents.StepAt(steps, 29*simtime.Day))
	assert.Equal(t, 0.9, agents.StepAt(steps, 30*simtime.Day))
	assert.Equal(t, 0.8, agents.StepAt(steps, 400*simtime.Day))
	none, err := (&agents.ResourcesParams{}).ReferencePath(start)
	require.NoError(t, err)
	assert.Nil(t, none)
	for _, c := range []struct {
		key  string
		v    float64
		want string
	}{
		{"30d", 0, "resources.reference_steps.30d: the multiplier must be in (0, 1e4], got 0"},
		{"30d", 2e4, "resources.reference_steps.30d: the multiplier must be in (0, 1e4], got 20000"},
		{"2023-12-31", 1, `resources.reference_steps.2023-12-31: "2023-12-31" is before the scenario's start 2024-01-01`},
	} {
		_, err := (&agents.ResourcesParams{ReferenceSteps: map[string]float64{c.key: c.v}}).ReferencePath(start)
		assert.EqualError(t, err, c.want)
	}
}
