package reports

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// sweepData returns plot data of n points over the given params, one
// metric (gpu_utilization) with made-up means.
func sweepData(grid bool, params ...SweepPlotParam) *SweepPlotData {
	n := len(params[0].Texts)
	mean, ci := make([]float64, n), make([]float64, n)
	for i := range mean {
		mean[i], ci[i] = 0.1+0.05*float64(i), 0.02
	}
	mean[n-1], ci[0] = math.NaN(), math.NaN()
	return &SweepPlotData{Params: params, Grid: grid, Replications: 3,
		Metrics: []SweepPlotMetric{SweepMetric(sim.MGPUUtilization, mean, ci)}}
}

func numParam(key string, log bool, vals ...float64) SweepPlotParam {
	p := SweepPlotParam{Key: key, Log: log, Numeric: true, Values: vals}
	for _, v := range vals {
		p.Texts = append(p.Texts, strconv.FormatFloat(v, 'g', -1, 64))
	}
	return p
}

// TestSweepPlotFiles: a response plot per metric and numeric parameter
// (file names sanitized), a heatmap only for a grid over two parameters,
// a note for a parameter whose values are not numbers; WriteSweepPlots
// writes exactly those files, and --force recognizes them.
func TestSweepPlotFiles(t *testing.T) {
	a := numParam("providers[0].count", false, 2, 2, 6, 6)
	b := numParam("market.take_rate", true, 0.1, 0.2, 0.1, 0.2)
	c := SweepPlotParam{Key: "market.mechanism", Texts: []string{"x", "y", "x", "y"}}

	files, notes := SweepPlotFiles(sweepData(true, a, b))
	assert.Equal(t, []string{"plots/gpu_utilization-vs-providers_0_.count.png",
		"plots/gpu_utilization-vs-market.take_rate.png", "plots/gpu_utilization-heatmap.png"}, files)
	assert.Empty(t, notes)

	files, _ = SweepPlotFiles(sweepData(false, a, b)) // zip: no heatmap
	assert.Equal(t, []string{"plots/gpu_utilization-vs-providers_0_.count.png", "plots/gpu_utilization-vs-market.take_rate.png"}, files)
	files, _ = SweepPlotFiles(sweepData(true, a)) // one param: no heatmap
	assert.Equal(t, []string{"plots/gpu_utilization-vs-providers_0_.count.png"}, files)
	a3 := numParam("x", false, 1, 2, 3, 4)
	files, _ = SweepPlotFiles(sweepData(true, a, b, a3)) // three params: no heatmap
	assert.Len(t, files, 3)
	assert.NotContains(t, files, "plots/gpu_utilization-heatmap.png")

	files, notes = SweepPlotFiles(sweepData(true, a, c))
	assert.Equal(t, []string{"plots/gpu_utilization-vs-providers_0_.count.png", "plots/gpu_utilization-heatmap.png"}, files)
	assert.Equal(t, []string{"market.mechanism: no response plots: its values are not all numbers"}, notes)

	for _, d := range []*SweepPlotData{sweepData(true, a, b), sweepData(true, a, c), sweepData(false, a, b, a3), sweepData(true, b)} {
		dir := t.TempDir()
		require.NoError(t, WriteSweepPlots(dir, d))
		files, _ := SweepPlotFiles(d)
		entries, err := os.ReadDir(filepath.Join(dir, PlotsDir))
		require.NoError(t, err)
		require.Len(t, entries, len(files))
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, f))
			require.NoError(t, err)
			assert.Equal(t, "\x89PNG", string(data[:4]), f)
			assert.True(t, isSweepPlotName(filepath.Base(f)), f)
		}
		removed, err := ClearOutput(dir, nil)
		require.NoError(t, err)
		assert.Len(t, removed, len(files)+1, "the plots and plots/")
	}
}

// TestSweepPlotNoValues: a metric without any value (every run failed)
// still gives its plots, titled so.
func TestSweepPlotNoValues(t *testing.T) {
	d := sweepData(true, numParam("a", true, 1, 1, 10, 10), numParam("b", false, 1, 2, 1, 2))
	for i := range d.Metrics[0].Mean {
		d.Metrics[0].Mean[i] = math.NaN()
	}
	require.NoError(t, WriteSweepPlots(t.TempDir(), d))
	assert.Contains(t, sweepHeatmap(d, 0).Title.Text, "no cell has a value")
	assert.Contains(t, sweepResponse(d, 0, 0).Title.Text, "no point has a value")
}

// TestIsSweepPlotName: only names WriteSweepPlots could write.
func TestIsSweepPlotName(t *testing.T) {
	for name, want := range map[string]bool{
		"gpu_utilization-vs-market.max_bids.png": true,
		"token_supply-heatmap.png":               true,
		".token_supply-heatmap.png.tmp-12":       true,
		"gpu_utilization-vs-.png":                false,
		"gpu_utilization-vs-a[0].png":            false,
		"nonsense-heatmap.png":                   false,
		"gpu_utilization-heatmap.svg":            false,
		"mine.png":                               false,
	} {
		assert.Equal(t, want, isSweepPlotName(name), name)
	}
	assert.Equal(t, "providers_0_.count", sweepFileName("providers[0].count"))
	assert.Equal(t, "providers.gpu-h100.count", sweepFileName("providers.gpu-h100.count"))
}
