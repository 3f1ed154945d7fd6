package sim_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
)

// TestCutOffScansKeepTheRun: a bid scan that has visited an eighth of
// its list without a responder checks the whole list in one pass and,
// when none responds, stops visiting and makes only the shuffle's draws.
// Over many seeds of markets where many scans find no provider (few
// providers, demand far above them, a bid limit well below the lists,
// in an auction with bid deposits and on a platform sampling quotes),
// every run is the same as with every position visited, and scans are
// cut short in every market.
func TestCutOffScansKeepTheRun(t *testing.T) {
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
	seeds := uint64(12)
	if testing.Short() {
		seeds = 2
	}
	for name, mk := range markets {
		cutOff := 0
		crowded := func() *sim.Config {
			cfg := mk()
			cfg.Providers[2].Count = 60 // long CPU lists
			cfg.Tenants[0].ArrivalsPerDay *= 8
			cfg.Tenants[1].ArrivalsPerDay *= 8
			return cfg
		}
		for seed := uint64(1); seed <= seeds; seed++ {
			var got, want []record
			w := sim.NewWorld(crowded(), 0, seed, sim.RecorderFunc(func(s *sim.Sample) { got = append(got, copySample(s)) }))
			res, err := w.Run()
			require.NoError(t, err)
			full := sim.NewWorld(crowded(), 0, seed, sim.RecorderFunc(func(s *sim.Sample) { want = append(want, copySample(s)) }))
			full.ScanAll()
			fullRes, err := full.Run()
			require.NoError(t, err)
			require.Equal(t, fullRes, res, "%s seed %d", name, seed)
			sameRecords(t, want, got, name+": a cut-off scan changed the run")
			require.Zero(t, full.ScansCutOff())
			cutOff += w.ScansCutOff()
		}
		require.Positive(t, cutOff, "%s: no scan was cut short, so the test tests nothing", name)
	}
}
