package sim_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/sim"
)

// TestDeterminism: the same seed gives the same samples, value for value
// (NaNs included); another seed gives different ones.
func TestDeterminism(t *testing.T) {
	t.Parallel()
	for name, mk := range map[string]func() *sim.Config{
		"window": func() *sim.Config { return baseConfig(t, 4) },
		"index":  func() *sim.Config { return indexConfig(t, 4, 0) },
		"churn":  func() *sim.Config { return entryExit(baseConfig(t, 4)) },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := mk()
			res1, a, _ := run(t, cfg, 7)
			res2, b, _ := run(t, mk(), 7) // a freshly built, equal config
			sameRecords(t, a, b, "same seed")
			assert.Equal(t, res1, res2)
			_, c, _ := run(t, cfg, 8)
			require.Equal(t, len(a), len(c))
			differ := false
			for i := range a {
				if !equalBits(a[i].bits(), c[i].bits()) {
					differ = true
					break
				}
			}
			assert.True(t, differ, "seeds 7 and 8 gave identical runs")
		})
	}
}

func equalBits(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReplicationsIndependentOfWorkers: the module's worker pool
// (runner.RunConfig) gives the same records and results per replication
// with 1 and 4 workers, and each replication is NewWorld with
// ReplicationSeed(master, rep).
func TestReplicationsIndependentOfWorkers(t *testing.T) {
	cfg := baseConfig(t, 3)
	cfg.Sim.Seed = 11
	cfg.Sim.Warmup = dur(sim.Day)
	validate(t, cfg)
	const n = 6
	collect := func(workers int) ([]sim.Result, [][]record) {
		recs := make([][]record, n)
		res := runReplications(t, cfg, n, workers, func(rep int) sim.Recorder {
			return sim.RecorderFunc(func(s *sim.Sample) {
				require.Equal(t, rep, s.Rep)
				recs[rep] = append(recs[rep], copySample(s))
			})
		})
		return res, recs
	}
	res1, recs1 := collect(1)
	res4, recs4 := collect(4)
	require.Equal(t, res1, res4)
	for rep := 0; rep < n; rep++ {
		assert.Equal(t, rep, res1[rep].Rep)
		assert.Equal(t, sim.ReplicationSeed(11, rep), res1[rep].Seed)
		assert.Equal(t, cfg.Sim.Horizon.T(), res1[rep].End)
		assert.Equal(t, 72, res1[rep].Samples)
		sameRecords(t, recs1[rep], recs4[rep], "workers 1 vs 4")
		_, direct, _ := run(t, cfg, sim.ReplicationSeed(11, rep))
		sameRecords(t, recs1[rep], direct, "runner vs NewWorld")
	}
	for rep := 1; rep < n; rep++ {
		assert.False(t, equalBits(recs1[0][len(recs1[0])-1].bits(), recs1[rep][len(recs1[rep])-1].bits()), "replications 0 and %d ended alike", rep)
	}
}

// runReplications runs replications 0..n-1 of cfg on the module's worker
// pool (runner.RunConfig) with the given recorders and returns their
// results; a failed replication fails the test. (A panicking replication
// is runner's to report: runner.TestReplicationPanic.)
func runReplications(t testing.TB, cfg *sim.Config, n, workers int, newRecorder func(rep int) sim.Recorder) []sim.Result {
	t.Helper()
	res, err := runner.RunConfig(context.Background(), cfg, n, runner.Options{Workers: workers, Recorder: newRecorder})
	require.NoError(t, err)
	return res.Replications
}

// TestWarmup: a warmed-up run starts from a populated market with its
// counters at zero, and samples from t = 0.
func TestWarmup(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(t, 3)
	cfg.Sim.Warmup = dur(2 * sim.Day)
	validate(t, cfg)
	for seed := uint64(1); seed <= uint64(seedCount(20)); seed++ {
		res, recs, _ := run(t, cfg, seed)
		require.Equal(t, 3*sim.Day, res.End)
		require.Len(t, recs, 72)
		first := recs[0].Values
		assert.Equal(t, sim.Time(0), recs[0].T)
		assert.Greater(t, first[sim.MLeasesActive], 0.0, "seed %d: the warmup leaves leases running", seed)
		// (withdrawals at the start instant itself do count: they run after the reset)
		for _, m := range []int{sim.MOrdersTotal, sim.MLeasesStartedTotal, sim.MLeasesClosedTenantTotal} {
			assert.Equal(t, 0.0, first[m], "seed %d: %s counts from the start", seed, sim.Metrics[m].Name)
		}
	}
}

// TestIndexPathMatchesBidPath runs GPU-only scenarios once through the
// ask-index fast path (tie_break provider-id, max_bids 0, window 0) and
// once through the bid-collecting path (max_bids above the provider count
// disables ClearsAtCheapestAsk): the samples must be identical, also when
// providers run short of bid deposits (the fast path then falls back) and
// when providers enter and leave. Only the bids counted differ: the index
// path knows only each order's winner, so the bids won and their markups
// are the same, the bids placed (and the win rates and markups of all
// bids) are not.
// withoutBidsPlaced returns recs with each cohort's bids placed, win
// rate and mean markup of all bids set to 0.
func withoutBidsPlaced(recs []record) []record {
	out := make([]record, len(recs))
	for i, r := range recs {
		r.Cohorts = append([]sim.CohortSample(nil), r.Cohorts...)
		for k := range r.Cohorts {
			r.Cohorts[k].Bids, r.Cohorts[k].WinRate, r.Cohorts[k].BidMarkup = 0, 0, 0
		}
		out[i] = r
	}
	return out
}

func TestIndexPathMatchesBidPath(t *testing.T) {
	t.Parallel()
	h100 := agents.ResGPU0 + 1
	variants := map[string]func(cfg *sim.Config) *sim.Config{
		"plain": func(cfg *sim.Config) *sim.Config { return cfg },
		"short of deposits": func(cfg *sim.Config) *sim.Config {
			for i := range cfg.Providers {
				cfg.Providers[i].BalanceAKT = 1.2 // two bid deposits of 0.5 AKT
			}
			return cfg
		},
		"entry and exit": entryExit,
	}
	for name, mod := range variants {
		t.Run(name, func(t *testing.T) {
			fast := mod(indexConfig(t, 4, 0))
			slow := mod(indexConfig(t, 4, 1000))
			validate(t, fast)
			for seed := uint64(1); seed <= uint64(seedCount(30)); seed++ {
				rf, a, wf := run(t, fast, seed)
				rs, b, ws := run(t, slow, seed)
				require.True(t, wf.IndexBuilt(h100), "seed %d: fast path not taken", seed)
				require.False(t, ws.IndexBuilt(h100), "seed %d: slow path used the index", seed)
				for _, r := range a {
					for _, c := range r.Cohorts {
						require.LessOrEqual(t, c.BidsWon, c.Bids, "seed %d: index path", seed)
					}
				}
				sameRecords(t, withoutBidsPlaced(a), withoutBidsPlaced(b), "index vs bids")
				require.Equal(t, rf.Events, rs.Events)
			}
		})
	}
}
