package agents_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/simtime"
)

func providerCohort(t *testing.T, cat *agents.Catalog) agents.ProviderCohort {
	t.Helper()
	c := agents.DefaultProviderCohort()
	c.Name = "p"
	c.Count = 3
	c.CPUCores = 64
	c.MemoryGB = 256
	c.GPUs = map[string]int{"h100": 8}
	c.PriceListUSDHour = map[string]float64{"cpu": 0.002, "memory_gb": 0.001, "h100": 2.0}
	c.CostUSDHour = map[string]float64{"cpu": 0.001, "memory_gb": 0.0001, "h100": 1.5}
	c.MinMarkup = 0.2
	require.NoError(t, c.Validate(cat))
	return c
}

// TestNewProfileAsk checks ask = max(list x price multiplier, cost x cost
// multiplier x (1 + min markup)) per resource, with hand-computed values.
func TestNewProfileAsk(t *testing.T) {
	cat := testCatalog(t)
	h100, _ := cat.Index("h100")
	a100, _ := cat.Index("a100")
	c := providerCohort(t, cat)
	c.PriceMultiplier = agents.Const(1.5)
	c.CostMultiplier = agents.Const(2)
	c.AuditedFraction = 1
	p := c.NewProfile(4, cat, rand.New(rand.NewPCG(1, 1)))
	assert.Equal(t, 4, p.Cohort)
	assert.Equal(t, []int32{64, 256, 0, 8}, []int32{p.Capacity[agents.ResCPU], p.Capacity[agents.ResMemory], p.Capacity[a100], p.Capacity[h100]})
	assert.True(t, p.Audited)
	// cpu: list 0.002 x 1.5 = 0.003; cost 0.001 x 2 x 1.2 = 0.0024 -> 0.003 (list)
	assert.InDelta(t, 0.003, p.Ask[agents.ResCPU], 1e-15)
	// memory: list 0.0015; cost 0.0002 x 1.2 = 0.00024 -> 0.0015
	assert.InDelta(t, 0.0015, p.Ask[agents.ResMemory], 1e-15)
	// h100: list 3.0; cost 1.5 x 2 x 1.2 = 3.6 -> 3.6 (cost-plus floor binds)
	assert.InDelta(t, 3.6, p.Ask[h100], 1e-12)
	assert.InDelta(t, 3.0, p.Cost[h100], 1e-12)
	assert.Equal(t, 0.0, p.Ask[a100])
	// cost of the whole capacity per hour: 64 x 0.002 + 256 x 0.0002 + 8 x 3
	assert.InDelta(t, 0.128+0.0512+24, p.CostPerHour(), 1e-12)

	c.AuditedFraction = 0
	assert.False(t, c.NewProfile(0, cat, rand.New(rand.NewPCG(1, 1))).Audited)
}

// TestNewProfileDrawOrder replays the documented draw order (audit status,
// price multiplier, cost multiplier) with an identically seeded generator
// and checks the ask formula on random multipliers.
func TestNewProfileDrawOrder(t *testing.T) {
	cat := testCatalog(t)
	c := providerCohort(t, cat)
	c.PriceMultiplier = agents.Dist{Kind: "lognormal", Median: 1, Sigma: 0.25}
	c.CostMultiplier = agents.Dist{Kind: "uniform", Min: 0.8, Max: 1.6}
	c.AuditedFraction = 0.5
	list := []float64{0.002, 0.001, 0, 2.0} // cpu, memory, a100, h100
	cost := []float64{0.001, 0.0001, 0, 1.5}
	audited := 0
	for seed := uint64(1); seed <= 300; seed++ {
		p := c.NewProfile(0, cat, rand.New(rand.NewPCG(seed, 3)))
		replay := rand.New(rand.NewPCG(seed, 3))
		wantAudited := replay.Float64() < 0.5
		pm := c.PriceMultiplier.Sample(replay)
		cm := c.CostMultiplier.Sample(replay)
		require.Equal(t, wantAudited, p.Audited)
		if p.Audited {
			audited++
		}
		for r := range list {
			require.InDelta(t, cost[r]*cm, p.Cost[r], 1e-15)
			require.InDelta(t, math.Max(list[r]*pm, cost[r]*cm*1.2), p.Ask[r], 1e-15, "seed %d resource %d", seed, r)
			require.GreaterOrEqual(t, p.Ask[r], p.Cost[r]*1.2-1e-15, "never below cost plus markup")
		}
	}
	assert.InDelta(t, 150, audited, 45)
}

func TestProviderRules(t *testing.T) {
	cat := testCatalog(t)
	h100, _ := cat.Index("h100")
	c := providerCohort(t, cat)
	c.PriceMultiplier = agents.Const(1)
	c.CostMultiplier = agents.Const(1)
	p := c.NewProfile(0, cat, rand.New(rand.NewPCG(1, 1)))

	assert.True(t, p.CanServe(&agents.Request{CPU: 64, MemoryGB: 256, GPUs: 8, GPUModel: h100}))
	assert.False(t, p.CanServe(&agents.Request{CPU: 65}))
	assert.False(t, p.CanServe(&agents.Request{GPUs: 9, GPUModel: h100}))
	a100, _ := cat.Index("a100")
	assert.False(t, p.CanServe(&agents.Request{GPUs: 1, GPUModel: a100}))

	// exit: below threshold x cost leaves with probability ExitHazard; a
	// profitable provider never draws
	c.ExitThreshold = 1
	c.ExitHazard = 1
	pcg := rand.NewPCG(1, 1)
	rng := rand.New(pcg)
	assert.True(t, c.ShouldExit(99, 100, rng))
	st := *pcg
	assert.False(t, c.ShouldExit(100, 100, rng))
	assert.Equal(t, st, *pcg, "no draw when profitable")
	c.ExitHazard = 0
	assert.False(t, c.ShouldExit(0, 100, rng))
	c.ExitHazard = 0.25
	exits := 0
	for i := 0; i < 20000; i++ {
		if c.ShouldExit(0, 100, rng) {
			exits++
		}
	}
	assert.InDelta(t, 5000, exits, 6*math.Sqrt(20000*0.25*0.75))

	// entry: revenue at the utilization and own asks vs threshold x cost
	cost := p.CostPerHour()
	util := make([]float64, cat.NumResources())
	c.EntryThreshold = 1
	assert.False(t, c.ShouldEnter(&p, util, 0), "an idle market pays nothing")
	util[h100] = 1
	rev := 8 * p.Ask[h100]
	assert.Equal(t, rev >= cost, c.ShouldEnter(&p, util, 0))
	c.EntryThreshold = rev / cost
	assert.True(t, c.ShouldEnter(&p, util, 0), "at the threshold")
	c.EntryThreshold = rev/cost + 1e-9
	assert.False(t, c.ShouldEnter(&p, util, 0))
	util[agents.ResCPU] = math.NaN() // no CPU capacity on the market: counts as 0
	c.EntryThreshold = rev / cost
	assert.True(t, c.ShouldEnter(&p, util, 0))

	c.ReviewEvery = simtime.Duration(7 * simtime.Day)
	c.ReviewWindow = simtime.Duration(28 * simtime.Day)
	assert.Equal(t, 4, c.ReviewPeriods())
	c.ReviewWindow = simtime.Duration(29 * simtime.Day)
	assert.Equal(t, 5, c.ReviewPeriods(), "rounded up to whole periods")
	c.ReviewWindow = c.ReviewEvery
	assert.Equal(t, 1, c.ReviewPeriods())
}

func TestProviderValidate(t *testing.T) {
	cat := testCatalog(t)
	cases := []struct {
		key string
		mod func(c *agents.ProviderCohort)
	}{
		{"name:", func(c *agents.ProviderCohort) { c.Name = "" }},
		{"kind:", func(c *agents.ProviderCohort) { c.Kind = "sybil" }},
		{"strategy:", func(c *agents.ProviderCohort) { c.Strategy = "x" }},
		{"count:", func(c *agents.ProviderCohort) { c.Count = -1 }},
		{"cpu_cores:", func(c *agents.ProviderCohort) { c.CPUCores = 1 << 25 }},
		{"gpus.b200:", func(c *agents.ProviderCohort) { c.GPUs = map[string]int{"b200": 1} }},
		{"gpus.h100:", func(c *agents.ProviderCohort) { c.GPUs = map[string]int{"h100": -1} }},
		{"price_list_usd_hour.tpu:", func(c *agents.ProviderCohort) { c.PriceListUSDHour = map[string]float64{"tpu": 1} }},
		{"cost_usd_hour.cpu:", func(c *agents.ProviderCohort) { c.CostUSDHour = map[string]float64{"cpu": -1} }},
		{"price_multiplier.kind:", func(c *agents.ProviderCohort) { c.PriceMultiplier = agents.Dist{} }},
		{"cost_multiplier.sigma:", func(c *agents.ProviderCohort) {
			c.CostMultiplier = agents.Dist{Kind: "lognormal", Median: 1, Sigma: -1}
		}},
		{"audited_fraction:", func(c *agents.ProviderCohort) { c.AuditedFraction = 2 }},
		{"exit_hazard:", func(c *agents.ProviderCohort) { c.ExitHazard = -1 }},
		{"min_markup:", func(c *agents.ProviderCohort) { c.MinMarkup = math.NaN() }},
		{"entries_per_day:", func(c *agents.ProviderCohort) { c.EntriesPerDay = math.Inf(1) }},
		{"withdraw_every:", func(c *agents.ProviderCohort) { c.WithdrawEvery = simtime.Duration(simtime.Second) }},
		{"review_every:", func(c *agents.ProviderCohort) { c.ReviewEvery = simtime.Duration(simtime.Minute) }},
		{"review_window:", func(c *agents.ProviderCohort) { c.ReviewWindow = simtime.Duration(simtime.Day) }},
	}
	for _, x := range cases {
		c := providerCohort(t, cat)
		x.mod(&c)
		err := c.Validate(cat)
		require.Error(t, err, x.key)
		assert.Contains(t, err.Error(), x.key)
	}
}

func TestCatalog(t *testing.T) {
	cat := testCatalog(t)
	assert.Equal(t, []string{"a100", "h100"}, cat.GPUModels, "GPU models sorted")
	assert.Equal(t, 4, cat.NumResources())
	for r := 0; r < cat.NumResources(); r++ {
		i, ok := cat.Index(cat.Key(r))
		require.True(t, ok)
		assert.Equal(t, r, i)
	}
	assert.Equal(t, []float64{0.04, 0.005, 1.7, 2.5}, cat.Reference)
	_, ok := cat.Index("b200")
	assert.False(t, ok)

	_, err := agents.NewCatalog(agents.ResourcesParams{ReferenceUSDHour: map[string]float64{"cpu": 1}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "resources.reference_usd_hour.memory_gb")
	_, err = agents.NewCatalog(agents.ResourcesParams{ReferenceUSDHour: map[string]float64{"cpu": 1, "memory_gb": 1, "h100": -2}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "resources.reference_usd_hour.h100")

	h100, _ := cat.Index("h100")
	cases := []struct {
		q      agents.Request
		r      int
		amount int32
		ok     bool
	}{
		{agents.Request{GPUs: 2, GPUModel: h100}, h100, 2, true},
		{agents.Request{CPU: 3}, agents.ResCPU, 3, true},
		{agents.Request{MemoryGB: 5}, agents.ResMemory, 5, true},
		{agents.Request{CPU: 1, GPUs: 2, GPUModel: h100}, 0, 0, false},
		{agents.Request{CPU: 1, MemoryGB: 1}, 0, 0, false},
		{agents.Request{}, 0, 0, false},
	}
	for _, c := range cases {
		r, k, ok := c.q.SingleResource()
		assert.Equal(t, c.ok, ok, "%+v", c.q)
		if c.ok {
			assert.Equal(t, c.r, r)
			assert.Equal(t, c.amount, k)
		}
	}
	q := agents.Request{CPU: 2, MemoryGB: 4, GPUs: 1, GPUModel: h100}
	assert.Equal(t, int32(1), q.Amount(h100))
	a100, _ := cat.Index("a100")
	assert.Equal(t, int32(0), q.Amount(a100))
	assert.InDelta(t, 2*0.04+4*0.005+2.5, q.Price(cat.Reference), 1e-12)
}

func TestShouldLeaveByKind(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := agents.DefaultProviderCohort()
	for i := 0; i < 100; i++ {
		assert.False(t, c.ShouldLeave(simtime.Time(i)*simtime.Day, rng), "organic providers never leave by the churn rule")
	}
	c.Kind = agents.KindMercenary
	c.LeaveAfter = simtime.Duration(30 * simtime.Day)
	c.LeaveHazard = 1
	assert.False(t, c.ShouldLeave(29*simtime.Day, rng), "before leave_after")
	assert.True(t, c.ShouldLeave(30*simtime.Day, rng), "from leave_after on, hazard 1")
	c.LeaveHazard = 0.25
	left := 0
	for i := 0; i < 10_000; i++ {
		if c.ShouldLeave(40*simtime.Day, rng) {
			left++
		}
	}
	assert.InDelta(t, 2_500, left, 200, "hazard 0.25 per review")
	c.Kind = agents.KindFake
	c.DetectionProb = 0
	assert.False(t, c.ShouldLeave(0, rng), "undetectable fake capacity stays")
	c.DetectionProb = 1
	assert.True(t, c.ShouldLeave(0, rng))
}
