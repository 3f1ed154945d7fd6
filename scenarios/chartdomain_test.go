package scenarios_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
)

// TestChartBandsRespectDomains: over every preset and several master
// seeds (short runs of three replications, whose 95% confidence bands
// are wide), every band of the comparison charts stays in its metric's
// domain (a price, an income or a utilization never below 0, a
// utilization never above 1), the run charts' min-max bands too, and the
// BME chart is drawn exactly for the preset with the BME on. Under -short
// one seed, and ionet-2024 (the largest market: nine tenths of the test's
// time) over 3 days instead of 10.
func TestChartBandsRespectDomains(t *testing.T) {
	seeds := []int{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	below := 0 // raw confidence bounds below 0: the clipping is exercised
	for _, preset := range scenarios.Presets() {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("%s/seed %d", preset, seed), func(t *testing.T) {
				horizon := "10d"
				if testing.Short() && preset == "ionet-2024" {
					horizon = "3d"
				}
				sc, err := scenarios.Load(preset, []string{"sim.horizon=" + horizon, "sim.warmup=0s", "sim.sample_every=6h",
					"sim.replications=3", fmt.Sprintf("sim.seed=%d", seed)})
				require.NoError(t, err)
				var sink runner.MemorySink
				_, err = runner.Run(context.Background(), sc, runner.Options{Workers: 2, Sink: &sink})
				require.NoError(t, err)
				raw := reports.CompareSeriesOf(sink.Recordings)
				for _, b := range []reports.BandLine{raw.GPUPrice, raw.CPUPrice, raw.ProviderIncome, raw.GPUUtilization} {
					for _, v := range b.Lo {
						if v < 0 {
							below++
						}
					}
				}
				run := reports.CompareRun{Name: preset, Summary: reports.Summarize(sink.Recordings), Series: reports.CompareSeriesOf(sink.Recordings)}
				for _, c := range reports.CompareCharts([]reports.CompareRun{run}) {
					for _, l := range c.Lines {
						for j := range l.Band.X {
							for _, v := range []float64{l.Band.Lo[j], l.Band.Hi[j]} {
								if math.IsNaN(v) {
									continue
								}
								require.GreaterOrEqual(t, v, c.Lo, "%s: band below the domain at day %g", c.File, l.Band.X[j])
								require.LessOrEqual(t, v, c.Hi, "%s: band above the domain at day %g", c.File, l.Band.X[j])
							}
						}
					}
				}
				d := reports.ChartDataOf(sink.Recordings)
				for _, b := range []reports.BandLine{d.GPUUtilization, d.CPUUtilization} {
					for j := range b.X {
						if !math.IsNaN(b.Lo[j]) {
							require.True(t, b.Lo[j] >= 0 && b.Hi[j] <= 1, "utilization band [%g, %g]", b.Lo[j], b.Hi[j])
						}
					}
				}
				for _, b := range []reports.BandLine{d.BME.Vault, d.BME.ACT, d.BME.CollateralRatio} {
					for j := range b.X {
						if !math.IsNaN(b.Lo[j]) {
							require.GreaterOrEqual(t, b.Lo[j], 0.0, "BME band")
						}
					}
				}
				assert.Equal(t, preset == "akash-2026-bme", d.BME.On, "the BME chart exactly when the BME is on")
			})
		}
	}
	assert.Positive(t, below, "some unclipped confidence bound falls below 0 (else the test shows nothing)")
}
