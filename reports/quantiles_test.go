package reports

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// bandsOf returns the banded lines of d: the utilizations and the supply.
func bandsOf(d *ChartData) map[string]BandLine {
	return map[string]BandLine{
		"gpu utilization": d.GPUUtilization,
		"cpu utilization": d.CPUUtilization,
		"supply":          {X: d.Supply.X, Mean: d.Supply.SupplyMean, Lo: d.Supply.SupplyLo, Hi: d.Supply.SupplyHi, Q: d.Supply.SupplyQ},
	}
}

// TestQuantileBandsOrdered: at every time the charts draw, min <= p5 <=
// p50 <= p95 <= max; the quantiles are NaN exactly where the band is;
// they sit at the band's drawn times (thinned like it); with one
// replication they all equal its value; and the streamed statistics give
// them bit for bit (TestRunStatsCharts checks that too).
func TestQuantileBandsOrdered(t *testing.T) {
	for name, recs := range runStatsCases() {
		d := ChartDataOf(recs)
		for line, b := range bandsOf(d) {
			msg := name + ", " + line
			grid := thinIndices(len(b.X), thinStride(len(b.X), MaxPlotPoints))
			require.Len(t, b.Q.X, len(grid), msg)
			assert.LessOrEqual(t, len(b.Q.X), MaxPlotPoints+1, msg)
			for k, j := range grid {
				require.Equal(t, b.X[j], b.Q.X[k], msg)
				lo, p5, p50, p95, hi := b.Lo[j], b.Q.P5[k], b.Q.P50[k], b.Q.P95[k], b.Hi[j]
				if math.IsNaN(lo) {
					assert.True(t, math.IsNaN(p5) && math.IsNaN(p50) && math.IsNaN(p95), "%s at %v: NaN band, quantiles %v %v %v", msg, b.X[j], p5, p50, p95)
					continue
				}
				assert.True(t, lo <= p5 && p5 <= p50 && p50 <= p95 && p95 <= hi,
					"%s at %v: want min <= p5 <= p50 <= p95 <= max, got %v %v %v %v %v", msg, b.X[j], lo, p5, p50, p95, hi)
				if d.Reps == 1 {
					for _, v := range []float64{p5, p50, p95, hi, b.Mean[j]} {
						assert.Equal(t, math.Float64bits(lo), math.Float64bits(v), "%s at %v: one replication", msg, b.X[j])
					}
				}
			}
		}
		sameCharts(t, d, streamed(t, recs).Charts(), sameBits)
	}
}

// TestQuantileValues: the quantiles are stat.LinInterp's (R's type 4)
// over the replications' non-NaN values, whatever their order.
func TestQuantileValues(t *testing.T) {
	var recs []*Recording
	for r, v := range []float64{3, 5, math.NaN(), 1, 4, 2} { // 1..5 and a NaN
		row := make([]float64, sim.NumMetrics)
		for m := range row {
			row[m] = math.NaN()
		}
		row[sim.MGPUUtilization] = v
		recs = append(recs, &Recording{Rep: r, Times: []sim.Time{0}, Values: [][]float64{row}})
	}
	for _, q := range []Quantiles{ChartDataOf(recs).GPUUtilization.Q, streamed(t, recs).Charts().GPUUtilization.Q} {
		assert.Equal(t, []float64{1}, q.P5, "p5 of 5 values: the smallest (0.05 * 5 < 1)")
		assert.Equal(t, []float64{2.5}, q.P50, "between the 2nd and 3rd of 5")
		assert.InDelta(t, 4.75, q.P95[0], 1e-12, "3/4 of the way from the 4th to the 5th of 5")
	}
}

// TestQuantileMemory: the streamed statistics keep, per replication,
// one value per banded metric and drawn time, not one per sample.
func TestQuantileMemory(t *testing.T) {
	st := streamed(t, longRun(3, 8760))
	for _, a := range []*quantAcc{&st.gpuQ, &st.cpuQ, &st.supplyQ} {
		require.Len(t, a.rows, 3)
		for _, row := range a.rows {
			assert.LessOrEqual(t, len(row), MaxPlotPoints+1)
			assert.Equal(t, len(a.grid), len(row))
		}
	}
}

// TestPlotsQuantileLegend: the banded charts' legends name both bands,
// "p5-p95" and "min-max", and the p50 line.
func TestPlotsQuantileLegend(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, tokenFixture(), Options{Title: "q"}))
	for file, labels := range map[string][]string{
		"utilization.svg": {"GPU p5-p95", "GPU min-max", "GPU p50", "CPU p5-p95", "CPU min-max", "CPU p50"},
		"supply.svg":      {"supply p5-p95", "supply min-max", "supply p50"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err)
		for _, l := range labels {
			assert.Equal(t, 1, strings.Count(string(b), ">"+l+"<"), "%s: legend entry %q", file, l)
		}
	}
}
