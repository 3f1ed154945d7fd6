package sim_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// TestEstimateWorldMatchesWalkedBytes checks sim.EstimateWorld's bytes
// against what a world's tables and records hold at their peak, counted
// by length (sim.WorldBytes), in worlds of each kind the estimate's
// constants were measured on, at a small scale: many providers whose
// leases hold no bids (R1 at 4k providers), leases cleared after bids
// of up to 20 providers (akash-2024 with providers and demand x10), and
// orders turned away by full capacity waiting their patience (akash-2024
// at 1e6 arrivals a day). A table or record added to the world without
// a count in the estimate, or a count left after its table went, moves
// a row out of its band.
func TestEstimateWorldMatchesWalkedBytes(t *testing.T) {
	x10 := []string{
		"providers[0].count=20", "providers[1].count=80", "providers[2].count=100", "providers[3].count=220",
		"providers[4].count=250", "providers[5].count=200", "providers[6].count=300", "providers[7].count=60",
		"tenants[0].arrivals_per_day=1750", "tenants[1].arrivals_per_day=2300",
		"tenants[2].arrivals_per_day=180", "tenants[3].arrivals_per_day=30",
	}
	for _, c := range []struct {
		name, scenario string
		sets           []string
		low, high      float64 // the band of estimated over walked bytes
	}{
		{"R1 at 4k providers", "../scenarios/bench/r1.toml",
			[]string{"providers[0].count=4000", "tenants[0].arrivals_per_day=9600", "sim.horizon=100h"}, 0.8, 1.25},
		{"akash-2024 x10", "akash-2024",
			append(x10, "sim.horizon=10d", "sim.warmup=20d"), 0.8, 1.25},
		{"akash-2024 orders waiting", "akash-2024",
			[]string{"tenants[0].arrivals_per_day=1e6", "sim.horizon=2h", "sim.warmup=0s", "sim.sample_every=1h"}, 0.8, 1.25},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc, err := scenarios.Load(c.scenario, c.sets)
			require.NoError(t, err)
			cfg, err := sc.Config()
			require.NoError(t, err)
			est := sim.EstimateWorld(cfg)
			w := sim.NewWorld(cfg, 0, 1, sim.RecorderFunc(func(*sim.Sample) {}))
			peak := map[string]int64{} // each field at its largest (the tables do not shrink; the queue does)
			walk := func() {
				for f, b := range sim.WorldBytes(w) {
					peak[f] = max(peak[f], b)
				}
			}
			for n := 0; w.Step(); n++ {
				if n%(1<<15) == 0 {
					walk()
				}
			}
			walk()
			require.NoError(t, w.Err())
			var walked int64
			var by []string
			for _, f := range slices.Sorted(maps.Keys(peak)) {
				walked += peak[f]
				if peak[f] >= 1<<16 {
					by = append(by, fmt.Sprintf("%s %.2f MiB", f, float64(peak[f])/(1<<20)))
				}
			}
			ratio := est.Bytes / float64(walked)
			require.True(t, ratio >= c.low && ratio <= c.high,
				"%s %v: sim.EstimateWorld counts %.2f MiB (%.0f providers, %.0f deployments, %d bids an order), the world held %.2f MiB at its peak: ratio %.2f outside [%.2f, %.2f] (recalibrate sim/estimate.go and docs/limits.md); by field: %s",
				c.scenario, c.sets, est.Bytes/(1<<20), est.Providers, est.Deployments, est.BidsPerOrder, float64(walked)/(1<<20), ratio, c.low, c.high, strings.Join(by, ", "))
			t.Logf("estimate %.2f MiB, walked %.2f MiB, ratio %.2f; %s", est.Bytes/(1<<20), float64(walked)/(1<<20), ratio, strings.Join(by, ", "))
		})
	}
}
