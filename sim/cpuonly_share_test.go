package sim_test

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
)

// The CPU-only share of GPU nodes (agents.ProviderCohort.CPUOnlyShare)
// over many seeds of short worlds, in every clearing path.

// cpuOnlyConfig is a small market where CPU-only demand overflows the
// CPU-only providers onto the GPU nodes (whose cores are cheaper), with
// GPU demand beside it; every cohort has CPU-only share share.
func cpuOnlyConfig(t testing.TB, days int, share float64) *sim.Config {
	cfg := baseConfig(t, days)
	cfg.Providers[2].Count = 6
	cfg.Tenants[1].ArrivalsPerDay = 200
	for i := range cfg.Providers {
		cfg.Providers[i].CPUOnlyShare = share
	}
	return cfg
}

// cpuOnlyMechanisms returns a configuration maker per clearing path: the
// auction with bids, the auction's ask-index fast path (CPU-only orders of
// cores alone, no window, no bid limit), and every other mechanism.
func cpuOnlyMechanisms(t *testing.T) map[string]func(share float64) *sim.Config {
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
	out := map[string]func(float64) *sim.Config{}
	for _, name := range market.Names() {
		m, ok := mechs[name]
		require.True(t, ok, "no configuration for mechanism %s", name)
		out[name] = func(share float64) *sim.Config {
			cfg := cpuOnlyConfig(t, 3, share)
			cfg.Catalog = cat
			cfg.Mechanism = m
			return cfg
		}
	}
	out["akash-index"] = func(share float64) *sim.Config {
		cfg := cpuOnlyConfig(t, 3, share)
		cfg.Catalog = cat
		c := &cfg.Tenants[1]
		c.MemoryGB = agents.Const(0)
		c.SelectionWindow = 0
		c.AuditedFraction = 0
		cfg.Mechanism = mechanism(t, market.Params{"max_bids": int64(0), "tie_break": "provider-id"})
		return cfg
	}
	return out
}

// TestCPUOnlyShareProperty: in every clearing path, over many seeds and
// shares 0, 0.25 and 1, with every invariant checked after every event
// (cpu-only-share among them: the counters equal a recount and CPU-only
// work on a GPU node stays within its share), no CPU-only lease ever
// starts on a GPU node with share 0, while with 0.25 and 1 some do (the
// demand overflows onto them). Under -short over 2 seeds per market
// and share instead of 5 (30 in test-long).
func TestCPUOnlyShareProperty(t *testing.T) {
	t.Parallel()
	onGPU := map[float64]int{}
	mks := cpuOnlyMechanisms(t)
	for _, name := range slices.Sorted(maps.Keys(mks)) {
		mk := mks[name]
		for _, share := range []float64{0, 0.25, 1} {
			cfg := mk(share)
			n := 0
			t.Run(fmt.Sprintf("%s/%v", name, share), func(t *testing.T) {
				check := func(w *sim.World, kind string, started []sim.StartedLease) string {
					for _, l := range started {
						if l.Request.GPUs == 0 && w.GPUNode(l.Provider) {
							n++
							if share == 0 {
								return fmt.Sprintf("CPU-only lease %d (%+v) started on GPU node %d with cpu_only_share 0", l.Lease, l.Request, l.Provider)
							}
						}
					}
					return ""
				}
				var runs []watched
				if testing.Short() {
					// 2 seeds, not seedCount's 5: thousands of CPU-only
					// leases still start on GPU nodes with share 0.25
					// (3,154) and more with 1 (5,229)
					validate(t, cfg)
					for seed := uint64(1); seed <= 2; seed++ {
						runs = append(runs, mustWatch(t, cfg, seed, check))
					}
				} else {
					runs = watchSeeds(t, 30, cfg, check, nil)
				}
				assert.Greater(t, sumWatched(runs, sim.MLeasesStartedTotal), 0.0)
				if name == "akash-index" {
					assert.True(t, runs[0].w.IndexBuilt(agents.ResCPU), "the CPU-only orders cleared from the ask index")
				}
			})
			onGPU[share] += n
		}
	}
	t.Logf("CPU-only leases started on GPU nodes by share: %v", onGPU)
	assert.Zero(t, onGPU[0])
	assert.Positive(t, onGPU[0.25], "no CPU-only lease on a GPU node with share 0.25: the test does not reach the limit")
	assert.Greater(t, onGPU[1], onGPU[0.25], "CPU-only leases on GPU nodes: share 1 against 0.25")
}

// TestCPUOnlyShareRaisesGPUUtilization: in a saturated market (GPU
// demand beyond the GPUs, CPU-only demand beyond the CPU-only providers'
// cores, GPU nodes' cores the cheapest), CPU-only work takes the GPU
// nodes' cores and GPU orders find no room; reserving the GPU nodes for
// GPU work (share 0) raises the mean GPU utilization, over several seeds,
// by a clear margin. Under -short the invariants are checked at every
// sample instead of after every event (TestCPUOnlyShareProperty checks
// them after every event on these markets; the checks change no result).
func TestCPUOnlyShareRaisesGPUUtilization(t *testing.T) {
	t.Parallel()
	mean := func(share float64) float64 {
		cfg := cpuOnlyConfig(t, 6, share)
		if testing.Short() {
			cfg.Check = sim.CheckSamples
		}
		cfg.Providers[2].Count = 2
		cfg.Tenants[0].ArrivalsPerDay = 100
		cfg.Tenants[0].CPUCores = agents.Const(6)
		cfg.Tenants[1].ArrivalsPerDay = 600
		validate(t, cfg)
		sum, n := 0.0, 0
		for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
			_, recs, _ := run(t, cfg, seed)
			for _, r := range recs {
				if u := r.Values[sim.MGPUUtilization]; r.T >= sim.Day && !math.IsNaN(u) {
					sum += u
					n++
				}
			}
		}
		require.Positive(t, n)
		return sum / float64(n)
	}
	u0, u25, u1 := mean(0), mean(0.25), mean(1)
	t.Logf("mean GPU utilization: share 0 %.3f, 0.25 %.3f, 1 %.3f", u0, u25, u1)
	assert.Greater(t, u0, u1+0.1, "share 0 against share 1")
	assert.GreaterOrEqual(t, u25, u1, "share 0.25 against share 1")
}
