package sim_test

import (
	"fmt"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// ---- building small worlds ----

func dur(t sim.Time) simtime.Duration { return simtime.Duration(t) }

func testCatalog(t testing.TB) *agents.Catalog {
	t.Helper()
	cat, err := agents.NewCatalog(agents.ResourcesParams{ReferenceUSDHour: map[string]float64{
		"cpu": 0.04, "memory_gb": 0.005, "h100": 2.5, "a100": 1.7,
	}})
	require.NoError(t, err)
	return cat
}

func gpuProviders(name string, count int, model string, gpus int, list, cost float64) agents.ProviderCohort {
	c := agents.DefaultProviderCohort()
	c.Name = name
	c.Count = count
	c.CPUCores = 32
	c.MemoryGB = 256
	c.GPUs = map[string]int{model: gpus}
	c.AuditedFraction = 0.5
	c.PriceListUSDHour = map[string]float64{"cpu": 0.002, "memory_gb": 0.001, model: list}
	c.PriceMultiplier = agents.Dist{Kind: "lognormal", Median: 1, Sigma: 0.25}
	c.CostUSDHour = map[string]float64{"cpu": 0.0003, "memory_gb": 0.0001, model: cost}
	c.CostMultiplier = agents.Dist{Kind: "uniform", Min: 0.8, Max: 1.2}
	c.WithdrawEvery = dur(6 * sim.Hour)
	return c
}

func cpuProviders(name string, count int) agents.ProviderCohort {
	c := agents.DefaultProviderCohort()
	c.Name = name
	c.Count = count
	c.CPUCores = 16
	c.MemoryGB = 64
	c.AuditedFraction = 0.3
	c.PriceListUSDHour = map[string]float64{"cpu": 0.0022, "memory_gb": 0.0011}
	c.PriceMultiplier = agents.Dist{Kind: "lognormal", Median: 1, Sigma: 0.25}
	c.CostUSDHour = map[string]float64{"cpu": 0.0003, "memory_gb": 0.0001}
	c.CostMultiplier = agents.Dist{Kind: "uniform", Min: 0.8, Max: 1.2}
	c.WithdrawEvery = dur(12 * sim.Hour)
	return c
}

func gpuTenants(name string, perDay float64) agents.TenantCohort {
	c := agents.DefaultTenantCohort()
	c.Name = name
	c.ArrivalsPerDay = perDay
	c.GPUModels = map[string]float64{"h100": 1, "a100": 2}
	c.GPUs = agents.Dist{Kind: "choice", Values: []float64{1, 2}, Weights: []float64{3, 1}}
	c.CPUCores = agents.Dist{Kind: "uniform", Min: 1, Max: 8}
	c.MemoryGB = agents.Dist{Kind: "choice", Values: []float64{8, 16, 32}}
	c.MaxPriceRatio = agents.Dist{Kind: "uniform", Min: 0.6, Max: 2.5} // some orders cannot afford anyone
	c.LifetimeHours = agents.Dist{Kind: "lognormal", Median: 12, Sigma: 1}
	c.BudgetRatio = agents.Dist{Kind: "uniform", Min: 0.5, Max: 3}
	c.USDCFraction = 0.3
	c.AuditedFraction = 0.2
	return c
}

func cpuTenants(name string, perDay float64) agents.TenantCohort {
	c := agents.DefaultTenantCohort()
	c.Name = name
	c.ArrivalsPerDay = perDay
	c.CPUCores = agents.Dist{Kind: "choice", Values: []float64{1, 2, 4, 8}}
	c.MemoryGB = agents.Const(4)
	c.MaxPriceRatio = agents.Dist{Kind: "uniform", Min: 0.05, Max: 0.5}
	c.LifetimeHours = agents.Dist{Kind: "pareto", Min: 2, Alpha: 1.5, Cap: 500}
	c.BudgetRatio = agents.Dist{Kind: "exponential", Mean: 2}
	c.USDCFraction = 0.2
	c.AuditedFraction = 0.1
	return c
}

func mechanism(t testing.TB, p market.Params) market.Mechanism {
	t.Helper()
	m, err := market.New(market.AkashReverseName, p)
	require.NoError(t, err)
	return m
}

// baseConfig is the "window" regime: a 60 s selection window, up to 20
// bids per order (25 CPU providers, so the limit binds) and random ties;
// GPU and CPU tenants; AKT and USDC; audited-only orders.
func baseConfig(t testing.TB, days int) *sim.Config {
	t.Helper()
	sp := sim.DefaultParams()
	sp.Horizon = dur(sim.Time(days) * sim.Day)
	sp.SampleEvery = dur(sim.Hour)
	sp.Replications = 1
	return &sim.Config{
		Sim:     sp,
		Catalog: testCatalog(t),
		Providers: []agents.ProviderCohort{
			gpuProviders("gpu-h100", 3, "h100", 4, 1.8, 0.4),
			gpuProviders("gpu-a100", 4, "a100", 2, 1.1, 0.25),
			cpuProviders("cpu", 25),
		},
		Tenants: []agents.TenantCohort{
			gpuTenants("gpu", 30),
			cpuTenants("cpu", 60),
		},
		Mechanism:  mechanism(t, market.Params{"max_bids": int64(20), "tie_break": "random"}),
		Tokenomics: tokenomics.DefaultParams(),
		Check:      sim.CheckEvents,
	}
}

// indexConfig is the fast-path regime: GPU-only requests, selection
// window 0, unlimited bids and provider-id ties, so the kernel clears
// from the ask index. maxBids > 0 forces the bid-collecting path on the
// same scenario.
func indexConfig(t testing.TB, days int, maxBids int) *sim.Config {
	cfg := baseConfig(t, days)
	g := gpuTenants("gpu-only", 60)
	g.CPUCores = agents.Const(0)
	g.MemoryGB = agents.Const(0)
	g.SelectionWindow = 0
	g.AuditedFraction = 0 // audited-only orders take the slow path
	g2 := g
	g2.Name = "gpu-only-audited"
	g2.ArrivalsPerDay = 5
	g2.AuditedFraction = 1
	cfg.Tenants = []agents.TenantCohort{g, g2}
	cfg.Providers[0].Count = 6
	cfg.Providers[1].Count = 8
	cfg.Mechanism = mechanism(t, market.Params{"max_bids": int64(maxBids), "tie_break": "provider-id"})
	return cfg
}

func validate(t testing.TB, cfg *sim.Config) {
	t.Helper()
	require.NoError(t, cfg.Sim.Validate())
	require.NoError(t, cfg.Tokenomics.Validate())
	for i := range cfg.Providers {
		require.NoError(t, cfg.Providers[i].Validate(cfg.Catalog), cfg.Providers[i].Name)
	}
	for i := range cfg.Tenants {
		require.NoError(t, cfg.Tenants[i].Validate(cfg.Catalog), cfg.Tenants[i].Name)
	}
}

// ---- running them ----

// record is a deep copy of one sample.
type record struct {
	T         sim.Time
	Values    []float64
	Resources []sim.ResourceSample
	Cohorts   []sim.CohortSample
}

func copySample(s *sim.Sample) record {
	return record{T: s.T, Values: append([]float64(nil), s.Values...), Resources: append([]sim.ResourceSample(nil), s.Resources...),
		Cohorts: append([]sim.CohortSample(nil), s.Cohorts...)}
}

// bits makes NaN == NaN for comparisons.
func (r record) bits() []uint64 {
	var out []uint64
	out = append(out, uint64(r.T))
	for _, v := range r.Values {
		out = append(out, math.Float64bits(v))
	}
	for _, x := range r.Resources {
		out = append(out, math.Float64bits(x.Capacity), math.Float64bits(x.Allocated),
			math.Float64bits(x.Utilization), math.Float64bits(x.MedianPriceUSDHour))
	}
	for _, c := range r.Cohorts {
		out = append(out, uint64(c.Providers), math.Float64bits(c.GPUs), math.Float64bits(c.GPUsLeased),
			math.Float64bits(c.CPUs), math.Float64bits(c.IncomeUSD), math.Float64bits(c.Bids), math.Float64bits(c.BidsWon),
			math.Float64bits(c.WinRate), math.Float64bits(c.BidMarkup), math.Float64bits(c.WonMarkup))
	}
	return out
}

func sameRecords(t testing.TB, a, b []record, msg string) {
	t.Helper()
	require.Equal(t, len(a), len(b), msg)
	for i := range a {
		require.Equal(t, a[i].bits(), b[i].bits(), "%s: sample %d (t=%v) differs", msg, i, a[i].T)
	}
}

// run builds and runs one world with invariant checks after every event
// (cfg.Check) and the sample-level checks of checkSample at every sample.
// A panic (an invariant violation) fails the test naming the seed.
func run(t testing.TB, cfg *sim.Config, seed uint64) (sim.Result, []record, *sim.World) {
	t.Helper()
	res, recs, w, err := runE(cfg, seed)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return res, recs, w
}

// runE is run returning an error instead of failing the test, for use
// off the test goroutine.
func runE(cfg *sim.Config, seed uint64) (res sim.Result, recs []record, w *sim.World, err error) {
	var fail string
	var prev *record
	initial := 0
	for _, c := range cfg.Providers {
		if c.EnterAt.T() == 0 {
			initial += c.Count
		}
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	w = sim.NewWorld(cfg, 0, seed, sim.RecorderFunc(func(s *sim.Sample) {
		r := copySample(s)
		if fail == "" {
			var first *record
			if len(recs) > 0 {
				first = &recs[0]
			}
			fail = checkSample(cfg, w, first, prev, &r, initial)
		}
		recs = append(recs, r)
		prev = &recs[len(recs)-1]
	}))
	res, err = w.Run()
	if err != nil {
		return res, recs, w, err
	}
	if fail != "" {
		return res, recs, w, fmt.Errorf("%s", fail)
	}
	if ok, why := w.CheckInvariants(); !ok {
		return res, recs, w, fmt.Errorf("at the end: %s", why)
	}
	if n := int(res.Samples); n != len(recs) {
		return res, recs, w, fmt.Errorf("result says %d samples, recorded %d", n, len(recs))
	}
	return res, recs, w, nil
}

var counters = []int{sim.MOrdersTotal, sim.MOrdersUnservedTotal, sim.MLeasesStartedTotal, sim.MLeasesClosedTenantTotal,
	sim.MLeasesClosedFundsTotal, sim.MLeasesClosedProviderTotal, sim.MProvidersEnteredTotal, sim.MProvidersExitedTotal,
	sim.MProviderIncomeUSDTotal, sim.MTakeFeesUSDTotal, sim.MCommunityPoolAKT, sim.MOrderAttemptsTotal}

// checkSample checks one sample's internal consistency and its
// consistency with the previous sample; it returns "" or what is wrong.
func checkSample(cfg *sim.Config, w *sim.World, first, prev, r *record, initialProviders int) string {
	v := r.Values
	if first == nil {
		first = r
	}
	f := first.Values
	base := struct{ leases, providers float64 }{
		f[sim.MLeasesActive] - f[sim.MLeasesStartedTotal] + f[sim.MLeasesClosedTenantTotal] + f[sim.MLeasesClosedFundsTotal] + f[sim.MLeasesClosedProviderTotal],
		f[sim.MProvidersActive] - f[sim.MProvidersEnteredTotal] + f[sim.MProvidersExitedTotal],
	}
	every := cfg.Sim.SampleEvery.T()
	if prev == nil && r.T != 0 || prev != nil && r.T != prev.T+every {
		return fmt.Sprintf("sample at %v does not follow the sampling grid", r.T)
	}
	if ok, why := w.CheckInvariants(); !ok {
		return fmt.Sprintf("t=%v: %s", r.T, why)
	}
	// counters count from the start (after any warmup): what was active
	// then plus what started minus what closed is active now
	closed := v[sim.MLeasesClosedTenantTotal] + v[sim.MLeasesClosedFundsTotal] + v[sim.MLeasesClosedProviderTotal]
	if got, want := v[sim.MLeasesActive]-v[sim.MLeasesStartedTotal]+closed, base.leases; got != want {
		return fmt.Sprintf("t=%v: %v leases active, %v started and %v closed since the start, with %v active at the start",
			r.T, v[sim.MLeasesActive], v[sim.MLeasesStartedTotal], closed, want)
	}
	if got := float64(len(w.ActiveLeaseViews())); got != v[sim.MLeasesActive] {
		return fmt.Sprintf("t=%v: leases_active %v, world holds %v", r.T, v[sim.MLeasesActive], got)
	}
	if v[sim.MOrdersOpen] < 0 {
		return fmt.Sprintf("t=%v: %v orders open", r.T, v[sim.MOrdersOpen])
	}
	if cfg.Sim.Warmup == 0 {
		if v[sim.MOrdersTotal] < v[sim.MOrdersOpen]+v[sim.MLeasesActive]+v[sim.MOrdersUnservedTotal]+v[sim.MOrdersUnfundedTotal] {
			return fmt.Sprintf("t=%v: orders: total %v < open %v + leased %v + unserved %v + unfunded %v", r.T, v[sim.MOrdersTotal], v[sim.MOrdersOpen], v[sim.MLeasesActive], v[sim.MOrdersUnservedTotal], v[sim.MOrdersUnfundedTotal])
		}
		if base.providers != float64(initialProviders) {
			return fmt.Sprintf("%v providers at the start, want %d", base.providers, initialProviders)
		}
	}
	// an unfunded order is never posted
	if v[sim.MOrderAttemptsTotal] < v[sim.MOrdersTotal]-v[sim.MOrdersUnfundedTotal] {
		return fmt.Sprintf("t=%v: %v attempts for %v orders (%v unfunded)", r.T, v[sim.MOrderAttemptsTotal], v[sim.MOrdersTotal], v[sim.MOrdersUnfundedTotal])
	}
	if got := v[sim.MProvidersActive] - v[sim.MProvidersEnteredTotal] + v[sim.MProvidersExitedTotal]; got != base.providers {
		return fmt.Sprintf("t=%v: %v providers active, %v entered and %v exited since the start, with %v at the start",
			r.T, v[sim.MProvidersActive], v[sim.MProvidersEnteredTotal], v[sim.MProvidersExitedTotal], base.providers)
	}
	if v[sim.MGPUsLeased] > v[sim.MGPUsTotal] || v[sim.MCPUsLeased] > v[sim.MCPUsTotal] || v[sim.MSpendUSDDay] < 0 {
		return fmt.Sprintf("t=%v: leased more than listed, or negative spend", r.T)
	}
	var gpuCap, gpuAlloc float64
	for i, x := range r.Resources {
		if x.Allocated > x.Capacity || x.Allocated < 0 {
			return fmt.Sprintf("t=%v: %s allocated %v of %v", r.T, x.Resource, x.Allocated, x.Capacity)
		}
		if x.Capacity > 0 && x.Utilization != x.Allocated/x.Capacity || x.Capacity == 0 && !math.IsNaN(x.Utilization) {
			return fmt.Sprintf("t=%v: %s utilization %v", r.T, x.Resource, x.Utilization)
		}
		if i >= agents.ResGPU0 {
			gpuCap += x.Capacity
			gpuAlloc += x.Allocated
		}
	}
	if gpuCap != v[sim.MGPUsTotal] || gpuAlloc != v[sim.MGPUsLeased] {
		return fmt.Sprintf("t=%v: GPU totals %v/%v vs per-model sums %v/%v", r.T, v[sim.MGPUsLeased], v[sim.MGPUsTotal], gpuAlloc, gpuCap)
	}
	if v[sim.MCPUsTotal] != r.Resources[agents.ResCPU].Capacity || v[sim.MCPUsLeased] != r.Resources[agents.ResCPU].Allocated {
		return fmt.Sprintf("t=%v: CPU totals disagree with the cpu resource", r.T)
	}
	if why := checkCohorts(cfg, r); why != "" {
		return fmt.Sprintf("t=%v: %s", r.T, why)
	}
	if why := checkEscrowEvents(cfg, w); why != "" {
		return fmt.Sprintf("t=%v: %s", r.T, why)
	}
	if prev != nil {
		for _, m := range counters {
			if v[m] < prev.Values[m] {
				return fmt.Sprintf("t=%v: %s went down from %v to %v", r.T, sim.Metrics[m].Name, prev.Values[m], v[m])
			}
		}
	}
	return ""
}

// checkCohorts checks a sample's cohorts against the scenario and the
// market-wide metrics: one per provider cohort in the scenario's order,
// with its name and kind; providers, listed GPUs, leased GPUs and listed
// CPUs add up to the totals, and a cohort leases no more GPUs than it
// lists. (the invariant cohort-totals recounts each cohort from its providers.)
func checkCohorts(cfg *sim.Config, r *record) string {
	if len(r.Cohorts) != len(cfg.Providers) {
		return fmt.Sprintf("%d cohorts in the sample, %d in the scenario", len(r.Cohorts), len(cfg.Providers))
	}
	var providers, gpus, leased, cpus float64
	for ci, c := range r.Cohorts {
		if c.Cohort != cfg.Providers[ci].Name || c.Kind != cfg.Providers[ci].Kind {
			return fmt.Sprintf("cohort %d is %s (%s), want %s (%s)", ci, c.Cohort, c.Kind, cfg.Providers[ci].Name, cfg.Providers[ci].Kind)
		}
		if c.Providers < 0 || c.GPUsLeased < 0 || c.GPUsLeased > c.GPUs || c.CPUs < 0 {
			return fmt.Sprintf("cohort %s: %d providers, %v of %v GPUs leased, %v CPUs", c.Cohort, c.Providers, c.GPUsLeased, c.GPUs, c.CPUs)
		}
		if c.Kind == agents.KindFake && c.GPUsLeased != 0 {
			return fmt.Sprintf("fake cohort %s leases %v GPUs", c.Cohort, c.GPUsLeased)
		}
		providers += float64(c.Providers)
		gpus += c.GPUs
		leased += c.GPUsLeased
		cpus += c.CPUs
	}
	v := r.Values
	if providers != v[sim.MProvidersActive] || gpus != v[sim.MGPUsTotal] || leased != v[sim.MGPUsLeased] || cpus != v[sim.MCPUsTotal] {
		return fmt.Sprintf("cohorts add up to %v providers, %v GPUs, %v leased, %v CPUs; totals %v, %v, %v, %v", providers, gpus, leased, cpus,
			v[sim.MProvidersActive], v[sim.MGPUsTotal], v[sim.MGPUsLeased], v[sim.MCPUsTotal])
	}
	return ""
}

// checkEscrowEvents checks the pending escrow events of every active
// lease against the escrow's arithmetic (akash.md §2: a lease owes rate x
// blocks, settled lazily): the run-dry event is at the first block the
// funds cannot pay (or absent when that is after the lease's end or the
// horizon), and a top-up check is at the first block whose settlement
// leaves less than the minimum runway, so that it always finds a top-up
// due (it is neither early, which would make it reschedule itself, nor
// late).
func checkEscrowEvents(cfg *sim.Config, w *sim.World) string {
	now := w.Now()
	for _, l := range w.ActiveLeaseViews() {
		if l.Rate <= 0 {
			if l.DryAt != sim.Never || l.TopUpAt != sim.Never {
				return fmt.Sprintf("free lease %d has escrow events", l.Lease)
			}
			continue
		}
		// in big integers: funds may pass an int64 of rate units
		rate := big.NewInt(int64(l.Rate))
		funds := new(big.Int).Mul(big.NewInt(l.FundsBase), big.NewInt(market.RateScale))
		funds.Add(funds, big.NewInt(l.FundsFrac))
		owed := func(h int64) *big.Int { return new(big.Int).Mul(rate, big.NewInt(h-l.SettledHeight)) }
		blocks := new(big.Int).Quo(funds, rate)
		dryH := int64(math.MaxInt64) // first height the funds cannot pay
		if blocks.IsInt64() && blocks.Int64() < math.MaxInt64-l.SettledHeight-1 {
			dryH = l.SettledHeight + blocks.Int64() + 1
		}
		if l.DryAt != sim.Never {
			h := w.Height(l.DryAt)
			if h != dryH || owed(h).Cmp(funds) <= 0 || owed(h-1).Cmp(funds) > 0 {
				return fmt.Sprintf("lease %d: run-dry at height %d, funds %v pay up to height %d", l.Lease, h, funds, dryH-1)
			}
		} else if end := min(l.EndAt, w.Horizon()); dryH < w.Height(end) {
			return fmt.Sprintf("lease %d: no run-dry event, but funds run out at height %d before the end (height %d)", l.Lease, dryH, w.Height(end))
		}
		if l.TopUpAt == sim.Never {
			continue
		}
		if l.TopUpAt <= now || l.TopUpAt > l.DryAt {
			return fmt.Sprintf("lease %d: top-up at %v, now %v, dry at %v", l.Lease, l.TopUpAt, now, l.DryAt)
		}
		price := 1.0
		if l.Denom == tokenomics.AKT {
			price = cfg.Tokenomics.TokenPriceUSD
		}
		minUSD := cfg.Tenants[l.Cohort].RunwayMinDays * 24 * l.USDHour
		usdAt := func(h int64) float64 {
			left, _ := new(big.Float).SetInt(new(big.Int).Sub(funds, owed(h))).Float64()
			return left / market.RateScale / tokenomics.BaseUnits * price
		}
		h := w.Height(l.TopUpAt)
		if usdAt(h) >= minUSD {
			return fmt.Sprintf("lease %d: top-up check at height %d is early: runway $%v >= minimum $%v", l.Lease, h, usdAt(h), minUSD)
		}
		if h-1 > max(l.SettledHeight, w.Height(now)) && usdAt(h-1) < minUSD {
			return fmt.Sprintf("lease %d: top-up check at height %d is late: at height %d the runway $%v < minimum $%v", l.Lease, h, h-1, usdAt(h-1), minUSD)
		}
	}
	return ""
}

// ---- property tests over many seeds ----

func seedCount(n int) int {
	if testing.Short() {
		return max(5, n/10)
	}
	return n
}

// total sums metric m's last value over several runs.
type totals map[int]float64

func (tt totals) add(recs []record) {
	last := recs[len(recs)-1].Values
	for m := 0; m < sim.NumMetrics; m++ {
		if !math.IsNaN(last[m]) {
			tt[m] += last[m]
		}
	}
}

func runSeeds(t *testing.T, seeds int, mk func() *sim.Config, each func(seed uint64, recs []record, w *sim.World)) totals {
	t.Helper()
	cfg := mk()
	validate(t, cfg)
	tt := totals{}
	for seed := uint64(1); seed <= uint64(seedCount(seeds)); seed++ {
		_, recs, w := run(t, cfg, seed)
		tt.add(recs)
		if each != nil {
			each(seed, recs, w)
		}
	}
	return tt
}

func TestWorldWindowRegime(t *testing.T) {
	t.Parallel()
	tt := runSeeds(t, 100, func() *sim.Config { return baseConfig(t, 5) }, nil)
	// the regime did something: orders served, ended and abandoned
	assert.Greater(t, tt[sim.MLeasesStartedTotal], 0.0)
	assert.Greater(t, tt[sim.MLeasesClosedTenantTotal], 0.0)
	assert.Greater(t, tt[sim.MOrdersUnservedTotal], 0.0)
	assert.Greater(t, tt[sim.MProviderIncomeUSDTotal], 0.0)
	assert.Greater(t, tt[sim.MTakeFeesUSDTotal], 0.0)
	assert.Greater(t, tt[sim.MCommunityPoolAKT], 0.0)
}

func TestWorldIndexRegime(t *testing.T) {
	t.Parallel()
	h100 := agents.ResGPU0 + 1 // a100, h100 sorted
	tt := runSeeds(t, 100, func() *sim.Config { return indexConfig(t, 5, 0) }, func(seed uint64, recs []record, w *sim.World) {
		require.True(t, w.IndexBuilt(h100), "seed %d: the fast path never ran", seed)
	})
	assert.Greater(t, tt[sim.MLeasesStartedTotal], 0.0)
	assert.Greater(t, tt[sim.MOrdersUnservedTotal], 0.0)
}

func TestWorldTightBudgets(t *testing.T) {
	t.Parallel()
	dry := 0
	tt := runSeeds(t, 100, func() *sim.Config {
		cfg := baseConfig(t, 6)
		for i := range cfg.Tenants {
			cfg.Tenants[i].BudgetRatio = agents.Dist{Kind: "uniform", Min: 0.05, Max: 0.6}
			cfg.Tenants[i].LifetimeHours = agents.Dist{Kind: "lognormal", Median: 72, Sigma: 0.5}
			cfg.Tenants[i].RunwayMinDays = 0.25
			cfg.Tenants[i].RunwayTargetDays = 0.5
		}
		return cfg
	}, func(seed uint64, recs []record, w *sim.World) {
		if recs[len(recs)-1].Values[sim.MLeasesClosedFundsTotal] > 0 {
			dry++
		}
	})
	assert.Greater(t, tt[sim.MLeasesClosedFundsTotal], 0.0)
	assert.Greater(t, dry, seedCount(100)/2, "escrow ran dry in only %d runs", dry)
}

func TestWorldProviderChurn(t *testing.T) {
	t.Parallel()
	tt := runSeeds(t, 100, func() *sim.Config {
		cfg := baseConfig(t, 5)
		for i := range cfg.Providers {
			cfg.Providers[i].LeaseCloseRatePerDay = 3
		}
		cfg.Tenants[0].RestartProb = 0.8
		cfg.Tenants[1].RestartProb = 1
		return cfg
	}, nil)
	assert.Greater(t, tt[sim.MLeasesClosedProviderTotal], 0.0)
	assert.Greater(t, tt[sim.MLeasesStartedTotal], tt[sim.MOrdersTotal]-tt[sim.MOrdersUnservedTotal]-tt[sim.MOrdersOpen],
		"restarts start more leases than orders served")
}

// entryExit makes providers enter often and leave at their first review.
func entryExit(cfg *sim.Config) *sim.Config {
	for i := range cfg.Providers {
		c := &cfg.Providers[i]
		c.EntriesPerDay = 4
		c.EntryThreshold = 0 // every candidate enters
		c.ExitHazard = 1
		c.ExitThreshold = 1e6 // nobody is profitable enough to stay
		c.ReviewEvery = dur(6 * sim.Hour)
		c.ReviewWindow = dur(12 * sim.Hour)
		c.MinTenure = dur(12 * sim.Hour)
		c.MaxProviders = 40
	}
	for i := range cfg.Tenants {
		cfg.Tenants[i].RestartProb = 1 // every lease closed by a leaving provider is re-posted
	}
	return cfg
}

func TestWorldEntryExit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		mk   func() *sim.Config
	}{
		{"window", func() *sim.Config { return entryExit(baseConfig(t, 5)) }},
		{"index", func() *sim.Config { return entryExit(indexConfig(t, 5, 0)) }},
		{"index-slow", func() *sim.Config { return entryExit(indexConfig(t, 5, 1000)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			tt := runSeeds(t, 50, c.mk, nil)
			assert.Greater(t, tt[sim.MProvidersEnteredTotal], 0.0)
			assert.Greater(t, tt[sim.MProvidersExitedTotal], 0.0)
			assert.Greater(t, tt[sim.MLeasesClosedProviderTotal], 0.0)
		})
	}
}

// TestWorldLeavingProviderTakesNoNewLease: a provider that leaves closes
// its leases; their tenants re-post (restart_prob 1) and must not be
// leased again by the provider that is leaving. One cheap provider leaves
// at its first review; a dear one stays.
func TestWorldLeavingProviderTakesNoNewLease(t *testing.T) {
	t.Parallel()
	for _, window := range []sim.Time{0, sim.Minute} {
		cfg := indexConfig(t, 2, 0)
		cheap := gpuProviders("cheap", 1, "h100", 8, 0.5, 0.1)
		cheap.PriceMultiplier = agents.Const(1)
		cheap.ExitHazard = 1
		cheap.ExitThreshold = 1e6
		cheap.ReviewEvery = dur(12 * sim.Hour)
		cheap.ReviewWindow = dur(12 * sim.Hour)
		cheap.MinTenure = 0
		dear := gpuProviders("dear", 1, "h100", 8, 2.0, 0.1)
		dear.PriceMultiplier = agents.Const(1)
		cfg.Providers = []agents.ProviderCohort{cheap, dear}
		g := cfg.Tenants[0]
		g.GPUModels = map[string]float64{"h100": 1}
		g.GPUs = agents.Const(1)
		g.MaxPriceRatio = agents.Const(2)
		g.LifetimeHours = agents.Const(1000)
		g.BudgetRatio = agents.Const(10)
		g.USDCFraction = 0
		g.RestartProb = 1
		g.ArrivalsPerDay = 20
		g.SelectionWindow = dur(window)
		cfg.Tenants = []agents.TenantCohort{g}
		validate(t, cfg)
		for seed := uint64(1); seed <= 20; seed++ {
			type outcome struct {
				recs []record
				err  error
			}
			done := make(chan outcome, 1)
			go func() {
				_, recs, _, err := runE(cfg, seed)
				done <- outcome{recs, err}
			}()
			var recs []record
			select {
			case o := <-done:
				require.NoError(t, o.err, "window %v seed %d", window, seed)
				recs = o.recs
			case <-time.After(60 * time.Second):
				t.Fatalf("window %v seed %d: the run did not finish (a leaving provider re-leasing its own closed leases?)", window, seed)
			}
			last := recs[len(recs)-1].Values
			require.Equal(t, 1.0, last[sim.MProvidersExitedTotal])
			// every lease the cheap provider held was closed once, by its exit
			// (no lease ends before 1000 h; nobody runs dry)
			require.Equal(t, 0.0, last[sim.MLeasesClosedTenantTotal]+last[sim.MLeasesClosedFundsTotal])
			require.LessOrEqual(t, last[sim.MLeasesClosedProviderTotal], 8.0, "window %v seed %d", window, seed)
		}
	}
}

// TestWorldLateCohortEntries: candidates of a cohort that arrives late
// (enter_at) come from its arrival on; they used to enter before it, so
// that the initial providers arriving after them took the cohort beyond
// max_providers (the invariant caps-respected, found by the random
// scenarios).
func TestWorldLateCohortEntries(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 20; seed++ {
		cfg := baseConfig(t, 5)
		late := gpuProviders("late", 3, "h100", 8, 0.5, 0.1)
		late.EnterAt = dur(2 * sim.Day)
		late.EntriesPerDay = 50 // about 100 candidates before its arrival
		late.EntryThreshold = 0
		late.MaxProviders = 1
		cfg.Providers = append(cfg.Providers, late)
		cfg.Check = sim.CheckEvents
		validate(t, cfg)
		_, _, w := run(t, cfg, seed)
		require.NoError(t, w.Err(), "seed %d", seed)
	}
}

// TestWorldBidTimeoutAgainstWindow: bids are withdrawn BidTimeout after
// they were placed, so a tenant whose selection window is longer never
// finds a bid left to select and leases nothing, while one
// whose window ends just before leases (its selection releases the bids,
// and the timeout has nothing left to withdraw).
func TestWorldBidTimeoutAgainstWindow(t *testing.T) {
	t.Parallel()
	for _, window := range []sim.Time{sim.BidTimeout - sim.Second, sim.BidTimeout + sim.Minute} {
		cfg := baseConfig(t, 3)
		for i := range cfg.Tenants {
			cfg.Tenants[i].SelectionWindow = dur(window)
		}
		validate(t, cfg)
		for seed := uint64(1); seed <= 3; seed++ {
			_, recs, w := run(t, cfg, seed)
			require.NoError(t, w.Err())
			last := recs[len(recs)-1].Values
			if window < sim.BidTimeout {
				require.Positive(t, last[sim.MLeasesStartedTotal], "window %v seed %d", window, seed)
			} else {
				require.Zero(t, last[sim.MLeasesStartedTotal], "window %v seed %d", window, seed)
				require.Greater(t, last[sim.MOrderAttemptsTotal], last[sim.MOrdersTotal], "window %v seed %d: orders retry", window, seed)
			}
		}
	}
}
