package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// nanEq compares float slices treating NaN as equal to NaN.
func nanEq(t *testing.T, want, got []float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		if math.IsNaN(want[i]) {
			assert.True(t, math.IsNaN(got[i]), "%s[%d]: want NaN, got %v", msg, i, got[i])
			continue
		}
		assert.InDelta(t, want[i], got[i], 1e-12, "%s[%d]", msg, i)
	}
}

func TestBandSeries(t *testing.T) {
	x, mean, lo, hi := BandSeries(fixture(), sim.MCPUUtilization)
	// Metric 1 at rep r, sample i is 1 + 0.5i + r, r in {0, 1, 2}.
	nanEq(t, []float64{0, 1.0 / 24, 2.0 / 24}, x, "x")
	nanEq(t, []float64{2, 2.5, 3}, mean, "mean")
	nanEq(t, []float64{1, 1.5, 2}, lo, "lo")
	nanEq(t, []float64{3, 3.5, 4}, hi, "hi")

	// gpu_price_usd_hour is NaN in rep 0: the band covers reps 1 and 2.
	_, mean, lo, hi = BandSeries(fixture(), sim.MGPUPriceUSDHour)
	nanEq(t, []float64{4.5, 5, 5.5}, mean, "price mean")
	nanEq(t, []float64{4, 4.5, 5}, lo, "price lo")
	nanEq(t, []float64{5, 5.5, 6}, hi, "price hi")

	// Only NaN: the series is NaN.
	_, mean, lo, hi = BandSeries(fixture(0), sim.MGPUPriceUSDHour)
	nan := math.NaN()
	nanEq(t, []float64{nan, nan, nan}, mean, "mean")
	nanEq(t, []float64{nan, nan, nan}, lo, "lo")
	nanEq(t, []float64{nan, nan, nan}, hi, "hi")

	x, mean, _, _ = BandSeries(nil, sim.MGPUUtilization)
	assert.Empty(t, x)
	assert.Empty(t, mean)
}

func TestBandSeriesUnalignedTimes(t *testing.T) {
	recs := fixture(0, 1)
	// Drop rep 1's middle sample.
	r1 := recs[1]
	recs[1] = &Recording{Rep: 1,
		Times:     []sim.Time{r1.Times[0], r1.Times[2]},
		Values:    [][]float64{r1.Values[0], r1.Values[2]},
		Resources: [][]sim.ResourceSample{r1.Resources[0], r1.Resources[2]},
	}
	x, mean, lo, hi := BandSeries(recs, sim.MGPUUtilization)
	nanEq(t, []float64{0, 1.0 / 24, 2.0 / 24}, x, "x")
	nanEq(t, []float64{0.5, 0.5, 1.5}, mean, "mean") // t=1h: rep 0 only
	nanEq(t, []float64{0, 0.5, 1}, lo, "lo")
	nanEq(t, []float64{1, 0.5, 2}, hi, "hi")
}

func TestGPUPriceSeries(t *testing.T) {
	ps := GPUPriceSeries(fixture(2, 0, 1))
	require.Len(t, ps, 2)
	nan := math.NaN()
	assert.Equal(t, "a100", ps[0].Model)
	nanEq(t, []float64{0, 1.0 / 24, 2.0 / 24}, ps[0].X, "x")
	// No lease at i=0; rep 1 at 2 from i=1; rep 2 at 3 at i=2.
	nanEq(t, []float64{nan, 2, 2.5}, ps[0].Y, "a100")
	assert.Equal(t, "h100", ps[1].Model)
	nanEq(t, []float64{nan, nan, nan}, ps[1].Y, "h100")

	assert.Empty(t, GPUPriceSeries(nil))
}

func TestAlign(t *testing.T) {
	a := &Recording{Times: []sim.Time{0, sim.Hour, 2 * sim.Hour}}
	b := &Recording{Times: []sim.Time{sim.Hour, sim.Hour, 3 * sim.Hour}}
	times, idx := align([]*Recording{a, b})
	assert.Equal(t, []sim.Time{0, sim.Hour, 2 * sim.Hour, 3 * sim.Hour}, times)
	assert.Equal(t, []int{0, 1, 2, -1}, idx[0])
	assert.Equal(t, []int{-1, 1, -1, 2}, idx[1], "last sample wins at a repeated time")
}

func TestThinning(t *testing.T) {
	assert.Equal(t, 1, thinStride(2000, 2000))
	assert.Equal(t, 2, thinStride(2001, 2000))
	assert.Equal(t, 5, thinStride(8760, 2000))
	assert.Equal(t, []int{0, 3, 6, 9}, thinIndices(10, 3))
	assert.Equal(t, []int{0, 3, 6, 9, 10}, thinIndices(11, 3))
	assert.Equal(t, []int{0}, thinIndices(1, 5))
	assert.Empty(t, thinIndices(0, 5))
	assert.LessOrEqual(t, len(thinIndices(8761, thinStride(8761, MaxPlotPoints))), MaxPlotPoints+1)
}

func TestRuns(t *testing.T) {
	nan := math.NaN()
	y := []float64{nan, 1, 2, nan, 3, nan, 4, 5}
	keep := []int{0, 1, 2, 3, 4, 5, 6, 7}
	assert.Equal(t, [][2]int{{1, 3}, {4, 5}, {6, 8}}, runs(keep, y))
	// Positions refer to keep, not to y.
	assert.Equal(t, [][2]int{{0, 1}, {2, 4}}, runs([]int{1, 3, 6, 7}, y))
	assert.Empty(t, runs(keep, []float64{nan, nan, nan, nan, nan, nan, nan, nan}))
	// Every series must be finite.
	z := []float64{0, 0, nan, 0, 0, 0, 0, 0}
	assert.Equal(t, [][2]int{{1, 2}, {4, 5}, {6, 8}}, runs(keep, y, z))
}

// chartData is the data behind both charts, as stored in the golden file.
type chartData struct {
	Utilization map[string]band5 `json:"utilization"`
	Price       []priceJSON      `json:"price"`
}

type band5 struct {
	X, Mean, Lo, Hi []Float
}

type priceJSON struct {
	Model string
	X, Y  []Float
}

func toFloats(xs []float64) []Float {
	out := make([]Float, len(xs))
	for i, v := range xs {
		out[i] = Float(v)
	}
	return out
}

// TestChartSeriesGolden pins the series behind the charts for the fixture
// (house rule 9: test the data behind a chart, not the image bytes). Run
// with -update after an intended change and review the diff.
func TestChartSeriesGolden(t *testing.T) {
	recs := fixture()
	d := chartData{Utilization: map[string]band5{}}
	for name, m := range map[string]int{"gpu": sim.MGPUUtilization, "cpu": sim.MCPUUtilization} {
		x, mean, lo, hi := BandSeries(recs, m)
		d.Utilization[name] = band5{toFloats(x), toFloats(mean), toFloats(lo), toFloats(hi)}
	}
	for _, p := range GPUPriceSeries(recs) {
		d.Price = append(d.Price, priceJSON{p.Model, toFloats(p.X), toFloats(p.Y)})
	}
	got, err := json.MarshalIndent(d, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "chart_series.golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestChartSeriesGolden -update")
	assert.Equal(t, string(want), string(got))
	assert.True(t, bytes.Contains(want, []byte("null")), "NaN points are in the golden data")
}
