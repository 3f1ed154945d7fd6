package sim_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// TestEpochGPUHoursFromCounts: the GPU-hours an epoch takes from the
// cohorts' GPU counts equal, bit for bit, the sum over the active
// providers in list order, all along runs where providers of several
// GPU models, fake ones and mercenaries are listed and leave, for epochs
// of whole hours (where the counts are used) and of a fraction of one
// (where the sum is).
func TestEpochGPUHoursFromCounts(t *testing.T) {
	seeds := uint64(8)
	if testing.Short() {
		seeds = 2
	}
	counted := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		cfg := withSeason(tokenConfig(t, 7))
		multi := gpuProviders("multi", 3, "h100", 2, 1.6, 0.3) // two models each
		multi.GPUs["a100"] = 3
		multi.PriceListUSDHour["a100"] = 1.0
		multi.CostUSDHour["a100"] = 0.2
		cfg.Providers = append(cfg.Providers, multi)
		w := sim.NewWorld(cfg, 0, seed, nil)
		for step := 0; w.Step(); step++ {
			if step%211 != 0 {
				continue
			}
			for _, h := range []float64{1, 3, 24, 0.5, 1e15} {
				got, fromCounts, summed := w.GPUHoursBothWays(h)
				require.Len(t, got, len(summed))
				for ci := range got {
					require.Equal(t, math.Float64bits(summed[ci]), math.Float64bits(got[ci]),
						"seed %d step %d hours %v cohort %d: %v from the counts, %v summed", seed, step, h, ci, got[ci], summed[ci])
				}
				require.Equal(t, h != 0.5 && h != 1e15, fromCounts, "hours %v", h)
				if fromCounts {
					counted++
				}
			}
		}
		require.NoError(t, w.Err())
	}
	require.Positive(t, counted)
}
