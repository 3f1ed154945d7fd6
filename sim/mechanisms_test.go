package sim_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

// Tests of the kernel's side of the mechanisms (mechanisms.go): posted
// and peak prices and the allocation rules, the tiered waiting queue,
// periodic batch clearing, verified work with solver stakes, and the
// learning bid strategies and tenant selection policies, each over many
// seeds of short worlds with the invariants checked after every event
// (cfg.Check: ledger conservation, escrow covered, capacity never
// oversold, no lease above its max price). The leases are observed as
// they start (World.RunWatch, export_mech_test.go).

// ---- building worlds ----

// bound builds mechanism name from p and, when it has parameters per
// resource, binds it to cat's resource keys in index order, as the
// scenario loader does.
func bound(t testing.TB, cat *agents.Catalog, name string, p market.Params) market.Mechanism {
	t.Helper()
	m, err := market.New(name, p)
	require.NoError(t, err)
	if b, ok := m.(market.ResourceBinder); ok {
		keys := make([]string, cat.NumResources())
		for r := range keys {
			keys[r] = cat.Key(r)
		}
		m, err = b.Bind(keys)
		require.NoError(t, err)
	}
	return m
}

// h100Tenants is a GPU-only cohort (one or two H100s, no CPU or memory)
// whose max price is ratio x the reference price (2.5 USD per GPU-hour),
// with ample budgets and lifetimes of a few hours; 30% pay in USDC.
func h100Tenants(name string, perDay, ratio float64) agents.TenantCohort {
	c := gpuTenants(name, perDay)
	c.GPUModels = map[string]float64{"h100": 1}
	c.CPUCores = agents.Const(0)
	c.MemoryGB = agents.Const(0)
	c.MaxPriceRatio = agents.Const(ratio)
	c.LifetimeHours = agents.Dist{Kind: "lognormal", Median: 6, Sigma: 0.5}
	c.BudgetRatio = agents.Const(10)
	c.AuditedFraction = 0
	return c
}

// h100Providers is a cohort of identical H100 providers: the same list
// price (no multiplier) and a cost of 0.3 USD per GPU-hour.
func h100Providers(name string, count, gpus int, list float64) agents.ProviderCohort {
	c := gpuProviders(name, count, "h100", gpus, list, 0.3)
	c.PriceMultiplier = agents.Const(1)
	c.CostMultiplier = agents.Const(1)
	return c
}

// h100 is the resource index of the H100 in testCatalog (a100, h100
// sorted after cpu and memory).
const h100 = agents.ResGPU0 + 1

// ---- running them ----

// watched is one run: its samples, the leases in the order they started,
// and the arrivals of each tenant cohort and the time of its last one.
type watched struct {
	res         sim.Result
	recs        []record
	leases      []sim.StartedLease
	arrivals    []int
	lastArrival []sim.Time
	w           *sim.World
}

func (r *watched) last() []float64 { return r.recs[len(r.recs)-1].Values }

// mechCounters are the mechanisms' cumulative metrics.
var mechCounters = []int{sim.MOrdersQueuedTotal, sim.MDisputesTotal, sim.MSlashedTotal, sim.MVerificationUnitHoursTotal}

// runWatch runs one world with the invariants checked after every event
// (cfg.Check), the kernel's sample checks (checkSample) and the
// mechanisms' counters never decreasing at every sample, and collects the
// leases as they start; event, when set, runs after every event with the
// leases the event started and returns "" or what is wrong. A panic or a
// failed check is returned as an error naming the seed.
func runWatch(cfg *sim.Config, seed uint64, event eventCheck) (out watched, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("seed %d: %v", seed, p)
		}
	}()
	initial := 0
	for _, c := range cfg.Providers {
		if c.EnterAt.T() == 0 {
			initial += c.Count
		}
	}
	var fail string
	var w *sim.World
	w = sim.NewWorld(cfg, 0, seed, sim.RecorderFunc(func(s *sim.Sample) {
		r := copySample(s)
		n := len(out.recs)
		if fail == "" {
			var first, prev *record
			if n > 0 {
				first, prev = &out.recs[0], &out.recs[n-1]
			}
			fail = checkSample(cfg, w, first, prev, &r, initial)
			for _, m := range mechCounters {
				if fail == "" && prev != nil && r.Values[m] < prev.Values[m] {
					fail = fmt.Sprintf("t=%v: %s went down from %v to %v", r.T, sim.Metrics[m].Name, prev.Values[m], r.Values[m])
				}
			}
		}
		out.recs = append(out.recs, r)
	}))
	out.w = w
	out.arrivals = make([]int, len(cfg.Tenants))
	out.lastArrival = make([]sim.Time, len(cfg.Tenants))
	mark := 0
	out.res = w.RunWatch(sim.Watch{
		Lease: func(l sim.StartedLease) { out.leases = append(out.leases, l) },
		Event: func(kind string, obj int32) {
			if kind == "arrival" {
				out.arrivals[obj]++
				out.lastArrival[obj] = w.Now()
			}
			if event != nil && fail == "" {
				if why := event(w, kind, out.leases[mark:]); why != "" {
					fail = fmt.Sprintf("t=%v after %s: %s", w.Now(), kind, why)
				}
			}
			mark = len(out.leases)
		},
	})
	if fail != "" {
		return out, fmt.Errorf("seed %d: %s", seed, fail)
	}
	if ok, why := w.CheckInvariants(); !ok {
		return out, fmt.Errorf("seed %d: at the end: %s", seed, why)
	}
	return out, nil
}

// eventCheck checks the world after an event of kind that started the
// leases started; it returns "" or what is wrong.
type eventCheck func(w *sim.World, kind string, started []sim.StartedLease) string

func mustWatch(t testing.TB, cfg *sim.Config, seed uint64, event eventCheck) watched {
	t.Helper()
	r, err := runWatch(cfg, seed, event)
	require.NoError(t, err)
	return r
}

// watchSeeds validates cfg and runs it over seeds 1..seedCount(seeds).
func watchSeeds(t *testing.T, seeds int, cfg *sim.Config, event eventCheck, each func(seed uint64, r watched)) []watched {
	t.Helper()
	validate(t, cfg)
	var runs []watched
	for seed := uint64(1); seed <= uint64(seedCount(seeds)); seed++ {
		r := mustWatch(t, cfg, seed, event)
		if each != nil {
			each(seed, r)
		}
		runs = append(runs, r)
	}
	return runs
}

// sumWatched sums metric m's last value over runs (NaN counts 0).
func sumWatched(runs []watched, m int) float64 {
	s := 0.0
	for i := range runs {
		if x := runs[i].last()[m]; !math.IsNaN(x) {
			s += x
		}
	}
	return s
}

// mainClass is the main resource of a request and its units: its GPU
// model and GPUs, or CPU and cores.
func mainClass(q agents.Request) (r int, units int32) {
	if q.GPUs > 0 {
		return q.GPUModel, q.GPUs
	}
	return agents.ResCPU, q.CPU
}

// absRate is |x|.
func absRate(x market.Rate) market.Rate {
	if x < 0 {
		return -x
	}
	return x
}

// ---- posted-price ----

// TestPostedPriceKernel: with peak_k = 0 every lease pays exactly the
// posted price of its order, Σ qty x price per resource converted to the
// order's denomination, and is the price the kernel posted; no provider
// is leased below its own quote (individual rationality), no tenant above
// its max; a cohort whose max price is below the posted price never gets
// a lease. The world mixes GPU and CPU tenants, AKT and USDC, audited-only
// orders, and providers whose quotes lie on both sides of the posted
// price.
func TestPostedPriceKernel(t *testing.T) {
	t.Parallel()
	prices := map[string]float64{"cpu": 0.003, "memory_gb": 0.0015, "h100": 2.0, "a100": 1.2}
	cfg := baseConfig(t, 3)
	tbl := map[string]any{}
	for k, v := range prices {
		tbl[k] = v
	}
	cfg.Mechanism = bound(t, cfg.Catalog, market.PostedPriceName, market.Params{"prices_usd_hour": tbl})
	cfg.Tenants = append(cfg.Tenants, h100Tenants("stingy", 20, 0.5)) // $1.25 per GPU-hour < $2
	byCohort := make([]int, len(cfg.Tenants))
	below := 0 // leases on providers whose quote is strictly below the posted price
	runs := watchSeeds(t, 30, cfg, nil, func(seed uint64, r watched) {
		for _, l := range r.leases {
			q := l.Request
			usd := float64(q.CPU)*prices["cpu"] + float64(q.MemoryGB)*prices["memory_gb"]
			if q.GPUs > 0 {
				usd += float64(q.GPUs) * prices[cfg.Catalog.Key(q.GPUModel)]
			}
			want := r.w.ToRate(usd, l.Denom)
			require.Equal(t, l.Posted, l.Rate, "seed %d lease %d: not the posted price", seed, l.Lease)
			require.LessOrEqual(t, absRate(l.Rate-want), market.Rate(1), "seed %d lease %d: rate %d, posted %v USD/h is %d", seed, l.Lease, l.Rate, usd, want)
			require.GreaterOrEqual(t, l.Rate, l.QuoteRate, "seed %d lease %d: provider %d leased below its quote", seed, l.Lease, l.Provider)
			require.LessOrEqual(t, l.Rate, l.MaxRate)
			if l.QuoteRate < l.Rate {
				below++
			}
			byCohort[l.Cohort]++
		}
	})
	assert.Zero(t, byCohort[2], "the stingy cohort cannot afford the posted price")
	assert.Greater(t, byCohort[0], 0)
	assert.Greater(t, byCohort[1], 0)
	assert.Greater(t, below, 0)
	assert.Greater(t, sumWatched(runs, sim.MOrdersUnservedTotal), 0.0)
	for _, m := range mechCounters {
		assert.Zero(t, sumWatched(runs, m), sim.Metrics[m].Name)
	}
}

// peakConfig is a posted-price world of 3 providers with 4 H100s each
// asking 0.5 USD per GPU-hour, a posted price of 1.0 with peak pricing
// (k = 1, target 0.5, clamped to [0.6, 1.5], repriced hourly), and
// GPU-only tenants that can afford 2.5 per GPU-hour.
func peakConfig(t testing.TB, perDay, lifeHours float64) *sim.Config {
	cfg := baseConfig(t, 4)
	cfg.Providers = []agents.ProviderCohort{h100Providers("h100", 3, 4, 0.5)}
	ten := h100Tenants("gpu", perDay, 1)
	ten.LifetimeHours = agents.Const(lifeHours)
	cfg.Tenants = []agents.TenantCohort{ten}
	cfg.Mechanism = bound(t, cfg.Catalog, market.PostedPriceName, market.Params{
		"prices_usd_hour": map[string]any{"h100": 1.0}, "peak_k": 1.0, "peak_target": 0.5,
		"peak_min": 0.6, "peak_max": 1.5, "reprice_every": "1h"})
	return cfg
}

// TestPostedPricePeak: with peak pricing each lease pays the base price x
// its resource's current multiplier, which stays in [peak_min, peak_max];
// demand far above capacity drives the median GPU price above the base
// price (to the cap), and a trickle of demand drives it below (to about
// the floor).
func TestPostedPricePeak(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		perDay, lifeH float64
		lo, hi        float64 // bounds of the median GPU price over the samples after day 1
	}{
		{"demand above capacity", 100, 12, 1.2, 1.5},
		{"very low demand", 3, 2, 0.6 - 1e-8, 0.8},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := peakConfig(t, c.perDay, c.lifeH)
			var medians []float64
			watchSeeds(t, 20, cfg, nil, func(seed uint64, r watched) {
				for _, l := range r.leases {
					require.GreaterOrEqual(t, l.Mult, 0.6, "seed %d", seed)
					require.LessOrEqual(t, l.Mult, 1.5, "seed %d", seed)
					require.Equal(t, l.Posted, l.Rate, "seed %d", seed)
					want := r.w.ToRate(float64(l.Request.GPUs)*1.0*l.Mult, l.Denom)
					require.LessOrEqual(t, absRate(l.Rate-want), market.Rate(1), "seed %d: rate %d, base x multiplier %d", seed, l.Rate, want)
					require.GreaterOrEqual(t, l.Rate, l.QuoteRate)
				}
				for _, rec := range r.recs {
					if p := rec.Values[sim.MGPUPriceUSDHour]; rec.T >= sim.Day && !math.IsNaN(p) {
						medians = append(medians, p)
					}
				}
			})
			require.NotEmpty(t, medians)
			slices.Sort(medians)
			med := medians[len(medians)/2]
			assert.GreaterOrEqual(t, med, c.lo)
			assert.LessOrEqual(t, med, c.hi)
			assert.GreaterOrEqual(t, medians[0], 0.6-1e-8, "below peak_min")
			assert.LessOrEqual(t, medians[len(medians)-1], 1.5+1e-8, "above peak_max")
		})
	}
}

// allocConfig is a posted-price world of 6 identical providers with 16
// H100s each asking 0.5 USD per GPU-hour (or the asks given, one per
// provider cohort of 3), a posted price of 1.0 and GPU-only tenants who
// afford it; capacity never binds.
func allocConfig(t testing.TB, alloc string, candidates int, asks ...float64) *sim.Config {
	cfg := baseConfig(t, 3)
	if len(asks) == 0 {
		cfg.Providers = []agents.ProviderCohort{h100Providers("h100", 6, 16, 0.5)}
	} else {
		cfg.Providers = nil
		for i, a := range asks {
			cfg.Providers = append(cfg.Providers, h100Providers(fmt.Sprintf("h100-%d", i), 3, 16, a))
		}
	}
	cfg.Tenants = []agents.TenantCohort{h100Tenants("gpu", 40, 1)}
	cfg.Mechanism = bound(t, cfg.Catalog, market.PostedPriceName, market.Params{
		"prices_usd_hour": map[string]any{"h100": 1.0}, "allocation": alloc, "max_candidates": int64(candidates)})
	return cfg
}

// leaseCounts returns the number of leases each provider started.
func leaseCounts(r watched, providers int) []int {
	n := make([]int, providers)
	for _, l := range r.leases {
		n[l.Provider]++
	}
	return n
}

// spread is the difference between the largest and smallest count.
func spread(xs []int) int { return slices.Max(xs) - slices.Min(xs) }

// TestPostedPriceAllocation: among identical providers that can all take
// every order, "round-robin" allocates them in turn (lease k goes to
// provider k mod 6, so lease counts differ by at most one) and
// "lowest-load" always picks a provider of least load at the time, which
// spreads lease counts more unevenly (it favours providers whose leases
// ended early); max_candidates = 1 samples one provider at random, which
// breaks the rotation; and with max_candidates = 2, only providers whose
// quote is at or below the posted price are sampled, so every order is
// served at its first attempt even though half the providers ask too
// much.
func TestPostedPriceAllocation(t *testing.T) {
	t.Parallel()
	const n = 6
	seeds := 20
	t.Run("round-robin vs lowest-load", func(t *testing.T) {
		t.Parallel()
		rr, ll := 0, 0
		watchSeeds(t, seeds, allocConfig(t, "round-robin", 0), nil, func(seed uint64, r watched) {
			require.NotEmpty(t, r.leases)
			for k, l := range r.leases {
				require.Equal(t, int32(k%n), l.Provider, "seed %d: lease %d", seed, k)
			}
			require.Equal(t, r.last()[sim.MOrdersTotal], r.last()[sim.MOrderAttemptsTotal], "seed %d: every order served at once", seed)
			rr += spread(leaseCounts(r, n))
		})
		var loads []int // GPUs leased per provider before the current event
		cfg := allocConfig(t, "lowest-load", 0)
		validate(t, cfg)
		for seed := uint64(1); seed <= uint64(seedCount(seeds)); seed++ {
			loads = make([]int, n)
			r := mustWatch(t, cfg, seed, func(w *sim.World, kind string, started []sim.StartedLease) string {
				for _, l := range started {
					if loads[l.Provider] != slices.Min(loads) {
						return fmt.Sprintf("lease %d went to provider %d with %d GPUs leased; loads %v", l.Lease, l.Provider, loads[l.Provider], loads)
					}
				}
				for _, p := range w.ProviderViews() {
					loads[p.ID] = p.LeasedGPUs
				}
				return ""
			})
			require.NotEmpty(t, r.leases)
			ll += spread(leaseCounts(r, n))
		}
		assert.LessOrEqual(t, rr, seedCount(seeds), "round-robin: counts differ by at most 1")
		assert.Greater(t, ll, 2*rr, "lowest-load balances load, not counts")
	})
	t.Run("max_candidates=1", func(t *testing.T) {
		t.Parallel()
		cyclic := 0
		watchSeeds(t, seeds, allocConfig(t, "round-robin", 1), nil, func(seed uint64, r watched) {
			require.NotEmpty(t, r.leases)
			ok := true
			for k, l := range r.leases {
				ok = ok && l.Provider == int32(k%n)
			}
			if ok {
				cyclic++
			}
			require.Equal(t, r.last()[sim.MOrdersTotal], r.last()[sim.MOrderAttemptsTotal], "seed %d: every order served at once", seed)
		})
		assert.Zero(t, cyclic, "one random candidate per order cannot keep the rotation")
	})
	t.Run("max_candidates=2 with dear providers", func(t *testing.T) {
		t.Parallel()
		var dear int
		runs := watchSeeds(t, seeds, allocConfig(t, "lowest-load", 2, 0.5, 1.5), nil, func(seed uint64, r watched) {
			for _, l := range r.leases {
				if l.Provider >= 3 {
					dear++
				}
			}
			v := r.last()
			require.Greater(t, v[sim.MOrdersTotal], 0.0)
			require.Equal(t, v[sim.MOrdersTotal], v[sim.MOrderAttemptsTotal], "seed %d: an order was not served at its first attempt", seed)
			require.Zero(t, v[sim.MOrdersUnservedTotal], "seed %d", seed)
		})
		assert.Zero(t, dear, "providers asking above the posted price are never allocated")
		assert.Greater(t, sumWatched(runs, sim.MLeasesStartedTotal), 0.0)
	})
}

// ---- tiered-queue ----

// tieredParams has three tiers: T1 (priority 2, audited providers only),
// T2 (priority 1) and T3 (priority 0) at 0.003, 0.002 and 0.001 USD per
// unit of work.
func tieredParams(work map[string]any) market.Params {
	return market.Params{
		"work_per_unit_hour": work,
		"tiers": []any{
			map[string]any{"name": "T1", "priority": int64(2), "usd_per_work": 0.003, "audited_only": true},
			map[string]any{"name": "T2", "priority": int64(1), "usd_per_work": 0.002},
			map[string]any{"name": "T3", "priority": int64(0), "usd_per_work": 0.001},
		},
	}
}

var tierUSDPerWork = []float64{0.003, 0.002, 0.001} // by index in Tiers() order

// TestTieredQueuePriority: capacity is short (10 H100s, 4 of them
// audited, for about 17 GPUs of demand). Three cohorts of one-GPU orders
// afford T1 ($3.25 per GPU-hour; T1's posted price is $3), T2 ($2.5) and
// T3 ($1.5); each takes its tier, pays its tier's posted price, and T1
// orders only lease audited providers. Orders wait in the queue
// (orders_queued_total > 0), T2 orders are served before T3 orders (more
// leases from the same arrival rate, shorter waits), no order is leased
// after its patience and none stays queued past it, and the orders that
// waited in vain are abandoned.
func TestTieredQueuePriority(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(t, 4)
	aud := h100Providers("audited", 2, 2, 0.8)
	aud.AuditedFraction = 1
	plain := h100Providers("plain", 3, 2, 0.8)
	plain.AuditedFraction = 0
	cfg.Providers = []agents.ProviderCohort{aud, plain}
	var tens []agents.TenantCohort
	for _, c := range []struct {
		name          string
		perDay, ratio float64
	}{{"t1", 10, 1.3}, {"t2", 30, 1.0}, {"t3", 30, 0.6}} {
		ten := h100Tenants(c.name, c.perDay, c.ratio)
		ten.GPUs = agents.Const(1)
		ten.Patience = dur(4 * sim.Hour)
		tens = append(tens, ten)
	}
	cfg.Tenants = tens
	cfg.Mechanism = bound(t, cfg.Catalog, market.TieredQueueName, tieredParams(map[string]any{"h100": 1000.0}))
	leases, arrivals := make([]int, 3), make([]int, 3)
	runs := watchSeeds(t, 20, cfg, func(w *sim.World, kind string, _ []sim.StartedLease) string {
		if n := w.QueuedPastDeadline(); n > 0 {
			return fmt.Sprintf("%d orders queued past their patience", n)
		}
		return ""
	}, func(seed uint64, r watched) {
		for _, l := range r.leases {
			require.Equal(t, l.Cohort, l.Tier, "seed %d: cohort %d took tier %d", seed, l.Cohort, l.Tier)
			require.Equal(t, l.Posted, l.Rate, "seed %d", seed)
			want := r.w.ToRate(1000*tierUSDPerWork[l.Tier], l.Denom)
			require.LessOrEqual(t, absRate(l.Rate-want), market.Rate(1), "seed %d", seed)
			require.GreaterOrEqual(t, l.Rate, l.QuoteRate, "seed %d", seed)
			if l.Tier == 0 {
				require.True(t, l.Audited, "seed %d: a T1 order leased unaudited provider %d", seed, l.Provider)
			}
			require.LessOrEqual(t, l.Start, l.Deadline, "seed %d: leased after its patience", seed)
			leases[l.Cohort]++
		}
		for i, n := range r.arrivals {
			arrivals[i] += n
		}
	})
	assert.Greater(t, sumWatched(runs, sim.MOrdersQueuedTotal), 0.0)
	assert.Greater(t, sumWatched(runs, sim.MOrdersUnservedTotal), 0.0)
	assert.LessOrEqual(t, sumWatched(runs, sim.MOrdersQueuedTotal), sumWatched(runs, sim.MOrdersTotal))
	// every order leases at most once (no provider closes a lease)
	served := make([]float64, 3)
	for i := range served {
		require.Positive(t, arrivals[i])
		served[i] = float64(leases[i]) / float64(arrivals[i])
	}
	assert.Greater(t, served[0], 0.8, "T1 is served: %v", served)
	assert.Greater(t, served[1], served[2]+0.2, "T2 is served before T3: %v", served)
	assert.Positive(t, leases[2], "T3 takes what is left")
}

// TestTieredQueueInvariants: tiers in the mixed world of baseConfig (GPU
// and CPU orders, AKT and USDC, audited-only orders, capacity short):
// invariants hold over many seeds, every lease pays its tier's posted
// price, never below the provider's quote, and T1 leases are on audited
// providers.
func TestTieredQueueInvariants(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(t, 3)
	cfg.Mechanism = bound(t, cfg.Catalog, market.TieredQueueName, tieredParams(map[string]any{"h100": 1000.0, "a100": 600.0, "cpu": 10.0}))
	tiers := make([]int, 3)
	runs := watchSeeds(t, 30, cfg, func(w *sim.World, kind string, _ []sim.StartedLease) string {
		if n := w.QueuedPastDeadline(); n > 0 {
			return fmt.Sprintf("%d orders queued past their patience", n)
		}
		return ""
	}, func(seed uint64, r watched) {
		for _, l := range r.leases {
			require.Equal(t, l.Posted, l.Rate, "seed %d", seed)
			require.GreaterOrEqual(t, l.Rate, l.QuoteRate, "seed %d", seed)
			require.True(t, l.Tier != 0 || l.Audited, "seed %d", seed)
			require.True(t, !l.RequireAudited || l.Audited, "seed %d", seed)
			tiers[l.Tier]++
		}
	})
	assert.Greater(t, sumWatched(runs, sim.MOrdersQueuedTotal), 0.0)
	for i, n := range tiers {
		assert.Greater(t, n, 0, "no lease in tier %d", i)
	}
}

// ---- call-market ----

// TestCallMarketKernel: leases start only at clearing instants (multiples
// of the period from time 0, also for a period that does not divide an
// hour); all leases that start at one clearing for one resource pay the
// same price per unit (the uniform price, converted between
// denominations: within rounding); no lease is above the tenant's max
// (invariant) and no provider is paid below its standing unit ask nor
// below its quote for the whole request (it declines such a match); orders
// past their patience are abandoned at the clearing.
func TestCallMarketKernel(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		period string
		every  sim.Time
		k      float64
	}{{"10m", 10 * sim.Minute, 0.5}, {"25m", 25 * sim.Minute, 0}, {"1h", sim.Hour, 1}} {
		t.Run(c.period, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig(t, 3)
			cfg.Mechanism = bound(t, cfg.Catalog, market.CallMarketName, market.Params{"period": c.period, "k": c.k})
			clearings := 0
			runs := watchSeeds(t, 20, cfg, func(w *sim.World, kind string, _ []sim.StartedLease) string {
				if kind == "batch-clearing" {
					if n := w.QueuedPastDeadline(); n > 0 {
						return fmt.Sprintf("%d orders past their patience left in the book", n)
					}
				}
				return ""
			}, func(seed uint64, r watched) {
				type key struct {
					at sim.Time
					r  int
				}
				price := map[key]float64{}
				for _, l := range r.leases {
					require.Zero(t, l.Start%c.every, "seed %d: lease at %v, not a clearing", seed, l.Start)
					cr, units := mainClass(l.Request)
					unit := l.USDHour / float64(units)
					k := key{l.Start, cr}
					if p, ok := price[k]; ok {
						// one rate unit is under 1e-8 USD/h in AKT and USDC
						require.InDelta(t, p, unit, 2e-8, "seed %d: two prices per unit at the clearing at %v", seed, l.Start)
					} else {
						price[k] = unit
					}
					require.GreaterOrEqual(t, unit, l.UnitAskUSD-2e-8, "seed %d: provider %d paid below its unit ask", seed, l.Provider)
					require.GreaterOrEqual(t, l.Rate, l.QuoteRate, "seed %d: provider %d paid below its quote for the whole request", seed, l.Provider)
					require.LessOrEqual(t, l.Rate, l.MaxRate)
				}
				clearings += len(price)
			})
			assert.Greater(t, clearings, 0)
			assert.Greater(t, sumWatched(runs, sim.MLeasesStartedTotal), float64(clearings), "clearings with several leases")
			assert.Greater(t, sumWatched(runs, sim.MOrdersUnservedTotal), 0.0)
		})
	}
}

// ---- single-solver ----

// solverConfig is a single-solver world: 4 providers with 4 H100s each
// (lognormal asks around 1 USD per GPU-hour) and GPU-only tasks of about
// 2 hours whose budgets always cover them.
func solverConfig(t testing.TB, p market.Params) *sim.Config {
	cfg := baseConfig(t, 3)
	cfg.Providers = []agents.ProviderCohort{gpuProviders("h100", 4, "h100", 4, 1.0, 0.3)}
	ten := h100Tenants("gpu", 60, 1.0)
	ten.LifetimeHours = agents.Dist{Kind: "lognormal", Median: 2, Sigma: 0.5}
	cfg.Tenants = []agents.TenantCohort{ten}
	cfg.Mechanism = bound(t, cfg.Catalog, market.SingleSolverName, p)
	return cfg
}

// TestSingleSolverKernel: a lease occupies its capacity for the task's
// lifetime x (1 + overhead) and verification_unit_hours_total is exactly
// the overhead's share of the occupied unit-hours of the closed leases;
// the solver is paid its own bid, and its price per useful hour is within
// the tenant's max; it locks stake_ratio x the task's fee, which returns
// or is slashed at the close (the stakes account always holds the active
// leases' stakes); disputes per completed task match cheat_rate x
// detect_prob + (1 - cheat_rate) x false_fail_rate within 5 binomial
// standard deviations; slashed_total is 0 when no dispute can be lost and
// positive when one can, and the whistleblowers hold exactly the slashed
// tokens.
func TestSingleSolverKernel(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		p      market.Params
		ov     float64
		pDisp  float64
		slash  bool
		stakeR float64
	}{
		{"honest", market.Params{"overhead": 0.5, "false_fail_rate": 0.2}, 0.5, 0.2, false, 1},
		{"lost disputes", market.Params{"overhead": 0.5, "false_fail_rate": 0.2, "dispute_win_prob": 0.5, "slash_fraction": 0.5}, 0.5, 0.2, true, 1},
		{"cheats", market.Params{"overhead": 0.46, "false_fail_rate": 0.2, "cheat_rate": 0.1, "detect_prob": 0.5, "stake_ratio": 2.0}, 0.46, 0.1*0.5 + 0.9*0.2, true, 2},
		{"no overhead", market.Params{"overhead": 0.0, "false_fail_rate": 0.0, "solver": "random"}, 0, 0, false, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := solverConfig(t, c.p)
			runs := watchSeeds(t, 20, cfg, func(w *sim.World, kind string, _ []sim.StartedLease) string {
				l := w.Ledger()
				if have, want := l.Balance(account(t, l, "solver-stakes"), tokenomics.AKT), w.LeaseStakes(); have != want {
					return fmt.Sprintf("solver stakes hold %d, active leases locked %d", have, want)
				}
				if have, want := tokenomics.Whole(l.Balance(account(t, l, "whistleblowers"), tokenomics.AKT)), w.Counter(sim.MSlashedTotal); math.Abs(have-want) > 1e-6 {
					return fmt.Sprintf("whistleblowers hold %v, slashed_total %v", have, want)
				}
				return ""
			}, func(seed uint64, r watched) {
				last := r.recs[len(r.recs)-1]
				verif := 0.0
				for _, l := range r.leases {
					occ := l.EndAt - l.Start
					require.InDelta(t, float64(l.Lifetime)*(1+c.ov), float64(occ), 1e3, "seed %d: occupancy", seed)
					require.Equal(t, l.QuoteRate, l.Rate, "seed %d: the solver is paid its own bid", seed)
					require.LessOrEqual(t, float64(l.Rate)*(1+c.ov), float64(l.MaxRate), "seed %d: price per useful hour above the max", seed)
					fee := l.USDHour * occ.Hours()
					require.InDelta(t, c.stakeR*fee/5*tokenomics.BaseUnits, float64(l.Stake), 1, "seed %d: stake", seed)
					if l.EndAt <= last.T {
						verif += float64(l.Request.GPUs) * occ.Hours() * c.ov / (1 + c.ov)
					}
				}
				v := last.Values
				require.Zero(t, v[sim.MLeasesClosedFundsTotal]+v[sim.MLeasesClosedProviderTotal], "seed %d: every lease ends with its task", seed)
				require.InDelta(t, verif, v[sim.MVerificationUnitHoursTotal], 1e-9*verif+1e-9, "seed %d", seed)
				for _, rec := range r.recs {
					if !c.slash {
						require.Zero(t, rec.Values[sim.MSlashedTotal], "seed %d", seed)
					}
				}
			})
			done := sumWatched(runs, sim.MLeasesClosedTenantTotal)
			disputes := sumWatched(runs, sim.MDisputesTotal)
			require.Greater(t, done, 500.0)
			sd := math.Sqrt(c.pDisp * (1 - c.pDisp) / done)
			assert.InDelta(t, c.pDisp, disputes/done, 5*sd+1e-12, "disputes per completed task")
			if c.slash {
				assert.Greater(t, sumWatched(runs, sim.MSlashedTotal), 0.0)
			} else {
				assert.Zero(t, sumWatched(runs, sim.MSlashedTotal))
			}
			if c.ov > 0 {
				assert.Greater(t, sumWatched(runs, sim.MVerificationUnitHoursTotal), 0.0)
			} else {
				assert.Zero(t, sumWatched(runs, sim.MVerificationUnitHoursTotal))
			}
		})
	}
}

// ---- strategies and selection in the kernel ----

// learnConfig is an akash-reverse world with supply far above demand: 10
// providers with 4 H100s each listing 1 USD per GPU-hour (cost 0.3), all
// bidding on every one-GPU order of 20 a day.
func learnConfig(t testing.TB, strategy string) *sim.Config {
	cfg := baseConfig(t, 4)
	p := h100Providers("h100", 10, 4, 1.0)
	p.Strategy = strategy
	if strategy == agents.UndercutMedianName {
		p.Undercut = 0.1
		p.MinMarkup = 0.2
	}
	cfg.Providers = []agents.ProviderCohort{p}
	ten := h100Tenants("gpu", 20, 1.0)
	ten.GPUs = agents.Const(1)
	cfg.Tenants = []agents.TenantCohort{ten}
	return cfg
}

// meanPrice returns the mean price per GPU-hour of the leases started in
// [from, to).
func meanPrice(leases []sim.StartedLease, from, to sim.Time) (float64, int) {
	s, n := 0.0, 0
	for _, l := range leases {
		if l.Start >= from && l.Start < to {
			s += l.USDHour / float64(l.Request.GPUs)
			n++
		}
	}
	return s / float64(n), n
}

// TestLearningStrategies: with supply far above demand, adaptive-markup
// providers lose most bids and lower their markups, so the mean lease
// price falls over time and ends far below cost-plus's, and
// undercut-median providers undercut the market view's median until the
// cost floor; no lease is ever below its provider's cost floor; with a
// learning strategy the ask-index fast path is off.
func TestLearningStrategies(t *testing.T) {
	t.Parallel()
	late := 3 * sim.Day
	end := 4 * sim.Day
	means := map[string][2]float64{}
	for _, s := range []string{agents.CostPlusName, agents.AdaptiveMarkupName, agents.UndercutMedianName} {
		cfg := learnConfig(t, s)
		early, lateSum := 0.0, 0.0
		watchSeeds(t, 10, cfg, nil, func(seed uint64, r watched) {
			for _, l := range r.leases {
				require.GreaterOrEqual(t, l.Rate, r.w.ToRate(l.CostFloorUSD, l.Denom), "%s seed %d: a lease below its provider's cost floor", s, seed)
			}
			e, n1 := meanPrice(r.leases, 0, 6*sim.Hour)
			l, n2 := meanPrice(r.leases, late, end)
			require.Positive(t, n1, "%s seed %d", s, seed)
			require.Positive(t, n2, "%s seed %d", s, seed)
			early += e
			lateSum += l
			switch s {
			case agents.AdaptiveMarkupName:
				for _, p := range r.w.ProviderViews() {
					m, ok := r.w.Markup(p.ID)
					require.True(t, ok)
					assert.Less(t, m, 1.0, "seed %d: provider %d rarely wins but kept markup %v", seed, p.ID, m)
				}
			case agents.UndercutMedianName:
				med := r.w.MarketMedian(h100)
				require.False(t, math.IsNaN(med), "seed %d: no market view", seed)
				assert.GreaterOrEqual(t, med, 0.36-1e-9)
				assert.LessOrEqual(t, med, 1.0)
			}
		})
		means[s] = [2]float64{early / float64(seedCount(10)), lateSum / float64(seedCount(10))}
	}
	cp, am, um := means[agents.CostPlusName], means[agents.AdaptiveMarkupName], means[agents.UndercutMedianName]
	assert.InDelta(t, 1.0, cp[1], 1e-6, "cost-plus keeps its list price")
	assert.Less(t, am[1], 0.7*cp[1], "adaptive-markup: late mean %v vs cost-plus %v", am[1], cp[1])
	assert.Less(t, am[1], am[0], "adaptive-markup: the mean price falls")
	assert.Less(t, um[1], 0.7*um[0], "undercut-median: the mean price falls (%v -> %v)", um[0], um[1])
	assert.GreaterOrEqual(t, um[1], 0.36-1e-9)

	// the fast path (window 0, provider-id ties, no bid limit) only with
	// static asks
	for _, s := range []string{agents.CostPlusName, agents.AdaptiveMarkupName, agents.UndercutMedianName} {
		cfg := learnConfig(t, s)
		cfg.Sim.Horizon = dur(sim.Day)
		cfg.Tenants[0].SelectionWindow = 0
		cfg.Mechanism = mechanism(t, market.Params{"max_bids": int64(0), "tie_break": "provider-id"})
		validate(t, cfg)
		_, _, w := run(t, cfg, 1)
		assert.Equal(t, s == agents.CostPlusName, w.IndexBuilt(h100), s)
	}
}

// TestStrategiesEveryMechanism: the learning strategies run in every
// kernel path (auctions, platform allocation, tiers, batches, verified
// work) with the invariants checked after every event.
func TestStrategiesEveryMechanism(t *testing.T) {
	t.Parallel()
	cat := testCatalog(t)
	mechs := map[string]market.Mechanism{
		market.AkashReverseName:   mechanism(t, market.Params{"max_bids": int64(20)}),
		market.VickreyReverseName: bound(t, cat, market.VickreyReverseName, market.Params{}),
		market.PostedPriceName: bound(t, cat, market.PostedPriceName, market.Params{
			"prices_usd_hour": map[string]any{"cpu": 0.003, "memory_gb": 0.0015, "h100": 2.0, "a100": 1.2}, "peak_k": 0.5}),
		market.TieredQueueName:  bound(t, cat, market.TieredQueueName, tieredParams(map[string]any{"h100": 1000.0, "a100": 600.0, "cpu": 10.0})),
		market.CallMarketName:   bound(t, cat, market.CallMarketName, market.Params{}),
		market.SingleSolverName: bound(t, cat, market.SingleSolverName, market.Params{"cheat_rate": 0.05}),
	}
	for _, name := range market.Names() {
		for _, s := range []string{agents.AdaptiveMarkupName, agents.UndercutMedianName} {
			t.Run(name+"/"+s, func(t *testing.T) {
				t.Parallel()
				cfg := baseConfig(t, 3)
				cfg.Catalog = cat
				cfg.Mechanism = mechs[name]
				for i := range cfg.Providers {
					cfg.Providers[i].Strategy = s
				}
				runs := watchSeeds(t, 5, cfg, nil, func(seed uint64, r watched) {
					for _, l := range r.leases {
						require.GreaterOrEqual(t, l.Rate, r.w.ToRate(l.CostFloorUSD, l.Denom)-1, "seed %d", seed)
					}
				})
				assert.Greater(t, sumWatched(runs, sim.MLeasesStartedTotal), 0.0)
			})
		}
	}
}

// TestSelectionPreferAudited: in akash-reverse, tenants that select
// "prefer-audited" (without requiring it) lease a larger share from
// audited providers than tenants with the mechanism's own rule (the
// cheapest bid), in the same world.
func TestSelectionPreferAudited(t *testing.T) {
	t.Parallel()
	share := map[string]float64{}
	for _, sel := range []string{"", "prefer-audited"} {
		cfg := baseConfig(t, 3)
		cfg.Providers = []agents.ProviderCohort{gpuProviders("h100", 8, "h100", 4, 1.8, 0.4)} // half audited
		ten := h100Tenants("gpu", 30, 1.5)
		ten.Selection = sel
		cfg.Tenants = []agents.TenantCohort{ten}
		audited, total := 0, 0
		watchSeeds(t, 20, cfg, nil, func(seed uint64, r watched) {
			for _, l := range r.leases {
				total++
				if l.Audited {
					audited++
				}
			}
		})
		require.Positive(t, total)
		share[sel] = float64(audited) / float64(total)
	}
	assert.Greater(t, share["prefer-audited"], share[""]+0.15, "audited shares %v", share)
	assert.Greater(t, share["prefer-audited"], 0.8, "audited shares %v", share)
}

// ---- determinism ----

// TestMechanismDeterminism: for every platform-run mechanism, the same
// seed gives the same samples (two freshly built worlds), another seed
// different ones, and the worker pool gives the same records with 1 and
// 3 workers.
func TestMechanismDeterminism(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		p    market.Params
	}{
		{market.PostedPriceName, market.Params{"prices_usd_hour": map[string]any{"cpu": 0.003, "memory_gb": 0.0015, "h100": 2.0, "a100": 1.2},
			"peak_k": 0.5, "allocation": "random-weighted", "max_candidates": int64(3)}},
		{market.TieredQueueName, tieredParams(map[string]any{"h100": 1000.0, "a100": 600.0, "cpu": 10.0})},
		{market.CallMarketName, market.Params{"period": "15m"}},
		{market.SingleSolverName, market.Params{"cheat_rate": 0.05, "solver": "random"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mk := func() *sim.Config {
				cfg := baseConfig(t, 3)
				cfg.Mechanism = bound(t, cfg.Catalog, c.name, c.p)
				for i := range cfg.Providers {
					cfg.Providers[i].Strategy = agents.AdaptiveMarkupName
				}
				return cfg
			}
			cfg := mk()
			validate(t, cfg)
			res1, a, _ := run(t, cfg, 7)
			res2, b, _ := run(t, mk(), 7)
			sameRecords(t, a, b, "same seed")
			assert.Equal(t, res1, res2)
			_, d, _ := run(t, cfg, 8)
			assert.False(t, equalBits(a[len(a)-1].bits(), d[len(d)-1].bits()), "seeds 7 and 8 ended alike")

			cfg.Check = sim.CheckOff
			collect := func(workers int) [][]record {
				recs := make([][]record, 3)
				runReplications(t, cfg, 3, workers, func(rep int) sim.Recorder {
					return sim.RecorderFunc(func(s *sim.Sample) { recs[rep] = append(recs[rep], copySample(s)) })
				})
				return recs
			}
			one, three := collect(1), collect(3)
			for rep := range one {
				sameRecords(t, one[rep], three[rep], fmt.Sprintf("rep %d: workers 1 vs 3", rep))
			}
		})
	}
}
