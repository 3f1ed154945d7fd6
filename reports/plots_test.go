package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// requirePlots checks that every plot file exists, is non-empty and looks
// like its format.
func requirePlots(t *testing.T, dir string) {
	t.Helper()
	for _, name := range PlotFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, name)
		require.NotEmpty(t, b, name)
		switch filepath.Ext(name) {
		case ".png":
			assert.True(t, bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")), name)
		case ".svg":
			assert.Contains(t, string(b[:min(len(b), 512)]), "<svg", name)
		}
	}
	assert.ElementsMatch(t, PlotFiles, dirNames(t, dir), "no temp files left")
}

func TestWritePlots(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, fixture(), Options{Title: "test", Start: "2024-03-20"}))
	requirePlots(t, dir)
	svg, err := os.ReadFile(filepath.Join(dir, "utilization.svg"))
	require.NoError(t, err)
	// The SVG keeps text as text: check title, labels and legend.
	for _, s := range []string{"test: GPU and CPU utilization", "days since 2024-03-20", "utilization (fraction)", "GPU mean", "CPU min-max"} {
		assert.Contains(t, string(svg), s)
	}
	svg, err = os.ReadFile(filepath.Join(dir, "price.svg"))
	require.NoError(t, err)
	for _, s := range []string{"GPU lease price by model", "USD per GPU-hour", "a100"} {
		assert.Contains(t, string(svg), s)
	}
	assert.NotContains(t, string(svg), "h100", "a model without leases gets no legend entry")
}

func TestWritePlotsWithoutGPULeases(t *testing.T) {
	recs := fixture(0) // rep 0 never leases a GPU
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, recs, Options{}))
	requirePlots(t, dir)
	svg, err := os.ReadFile(filepath.Join(dir, "price.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "GPU lease price: no GPU leases in any of 1 replication")
	assert.Contains(t, string(svg), "days since start")

	// No GPU resources at all, and no samples at all.
	m := NewMemory()
	m.Record(&sim.Sample{Values: make([]float64, sim.NumMetrics), Resources: []sim.ResourceSample{{Resource: "cpu"}}})
	for _, recs := range [][]*Recording{{m.Recording()}, nil} {
		dir := t.TempDir()
		require.NoError(t, WritePlots(dir, recs, Options{}))
		requirePlots(t, dir)
		svg, err := os.ReadFile(filepath.Join(dir, "price.svg"))
		require.NoError(t, err)
		assert.Contains(t, string(svg), "GPU lease price: no GPU models in the market")
	}
}

func TestWritePlotsLongRunIsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("long run")
	}
	recs := longRun(3, 8760)
	dir := t.TempDir()
	start := time.Now() // test timing only; does not reach any file
	require.NoError(t, WritePlots(dir, recs, Options{Title: "year"}))
	t.Logf("WritePlots, 3 reps x 8760 samples: %v", time.Since(start))
	requirePlots(t, dir)
}

func BenchmarkWritePlots(b *testing.B) {
	recs := longRun(3, 8760)
	dir := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		if err := WritePlots(dir, recs, Options{Title: "bench", Start: "2024-03-20"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChartSeries(b *testing.B) {
	recs := longRun(3, 8760)
	b.ResetTimer()
	for b.Loop() {
		BandSeries(recs, sim.MGPUUtilization)
		BandSeries(recs, sim.MCPUUtilization)
		GPUPriceSeries(recs)
	}
}
