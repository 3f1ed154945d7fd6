package sim_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
)

// TestTrackedScansKeepTheRun: a shuffled bid scan that continues
// tracked (marks the positions whose provider responds in one pass, then
// only draws and tests bits) makes the same draws and finds the same
// bidders in the same order as one that visits every position. Over many
// seeds of markets where many scans find few providers or none (few
// providers, demand far above them, a bid limit well below the lists, in
// an auction with bid deposits and on a platform sampling quotes), every
// run is the same as with every position visited, whether the scans
// switch when it costs less or always at a given visit (before any
// bidder is found, or after some), and scans do continue tracked. The
// runs shuffle every list in the sparse permutation of long lists, the
// only one that continues tracked; the reference shuffles the short
// lists in a copy, as runs do (the two make the same draws).
func TestTrackedScansKeepTheRun(t *testing.T) {
	cat := testCatalog(t)
	markets := map[string]func() *sim.Config{
		"auction": func() *sim.Config {
			cfg := baseConfig(t, 4)
			cfg.Mechanism = mechanism(t, market.Params{"max_bids": int64(3), "tie_break": "random"})
			return cfg
		},
		"posted-price": func() *sim.Config {
			cfg := baseConfig(t, 4)
			cfg.Catalog = cat
			cfg.Mechanism = bound(t, cat, market.PostedPriceName, market.Params{
				"prices_usd_hour": map[string]any{"cpu": 0.003, "memory_gb": 0.0015, "h100": 2.0, "a100": 1.2}, "peak_k": 0.5, "max_candidates": int64(2)})
			return cfg
		},
	}
	type variant struct {
		name    string
		trackAt int // 0: when it costs less
	}
	var variants []variant
	for _, k := range []int{0, 1, 2, 5} {
		variants = append(variants, variant{fmt.Sprintf("trackAt %d", k), k})
	}
	seeds := uint64(12)
	if testing.Short() {
		seeds = 2
	}
	for name, mk := range markets {
		crowded := func() *sim.Config {
			cfg := mk()
			cfg.Providers[2].Count = 60 // long CPU lists
			cfg.Tenants[0].ArrivalsPerDay *= 8
			cfg.Tenants[1].ArrivalsPerDay *= 8
			return cfg
		}
		tracked := make([]int, len(variants))
		for seed := uint64(1); seed <= seeds; seed++ {
			var want []record
			full := sim.NewWorld(crowded(), 0, seed, sim.RecorderFunc(func(s *sim.Sample) { want = append(want, copySample(s)) }))
			full.VisitAll()
			fullRes, err := full.Run()
			require.NoError(t, err)
			require.Zero(t, full.ScansTracked())
			for vi, v := range variants {
				var got []record
				w := sim.NewWorld(crowded(), 0, seed, sim.RecorderFunc(func(s *sim.Sample) { got = append(got, copySample(s)) }))
				if v.trackAt > 0 {
					w.TrackAt(v.trackAt)
				}
				w.SparseShuffles()
				res, err := w.Run()
				require.NoError(t, err)
				require.Equal(t, fullRes, res, "%s seed %d %s", name, seed, v.name)
				sameRecords(t, want, got, fmt.Sprintf("%s seed %d %s: a tracked scan changed the run", name, seed, v.name))
				tracked[vi] += w.ScansTracked()
			}
		}
		for vi, v := range variants {
			require.Positive(t, tracked[vi], "%s %s: no scan continued tracked, so the test tests nothing", name, v.name)
		}
	}
}
