package reports

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	names := dirNames(t, dir)
	want := PlotFiles
	if slices.Contains(names, "bme.png") {
		want = slices.Concat(PlotFiles, BMEPlotFiles)
	}
	for _, name := range want {
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
	assert.ElementsMatch(t, want, names, "no temp files left")
}

func TestWritePlots(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, fixture(), Options{Title: "test", Start: "2024-03-20"}))
	requirePlots(t, dir)
	svg, err := os.ReadFile(filepath.Join(dir, "utilization.svg"))
	require.NoError(t, err)
	// The SVG keeps text as text: check title, labels and legend.
	for _, s := range []string{"test: GPU and CPU utilization", "date (UTC)", "03-20 01:00", "utilization (fraction of capacity leased)", "GPU mean", "CPU min-max",
		"mean, p5-p95, min-max over n=3 replications: rough (few replications)", "GPU p50", "GPU p5-p95", "GPU min-max", "CPU p5-p95",
		"stroke-dasharray"} { // the p50 lines are dashed
		assert.Contains(t, string(svg), s)
	}
	svg, err = os.ReadFile(filepath.Join(dir, "price.svg"))
	require.NoError(t, err)
	for _, s := range []string{"GPU lease price by model", "USD per GPU-hour", "a100"} {
		assert.Contains(t, string(svg), s)
	}
	assert.NotContains(t, string(svg), "h100", "a model without leases gets no legend entry")
	svg, err = os.ReadFile(filepath.Join(dir, "cohorts.svg"))
	require.NoError(t, err)
	for _, s := range []string{"test: listed GPUs by provider cohort (mean over 3 replications)", "GPUs listed (count)",
		"date (UTC)", "organic-a100 (organic)", "airdrop (mercenary)", "spoofed (fake)"} {
		assert.Contains(t, string(svg), s)
	}
	assert.NotContains(t, string(svg), "cpu (organic)", "a cohort without GPUs gets no line")
}

func TestWritePlotsCohortsWithoutGPUs(t *testing.T) {
	recs := fixture()
	for _, rec := range recs {
		for _, row := range rec.Cohorts {
			for k := range row {
				row[k].GPUs = 0
			}
		}
	}
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, recs, Options{}))
	requirePlots(t, dir)
	svg, err := os.ReadFile(filepath.Join(dir, "cohorts.svg"))
	require.NoError(t, err)
	for _, s := range []string{"listed CPU cores (no cohort lists GPUs) by provider cohort", "CPU cores listed (count)", "organic-a100 (organic)", "cpu (organic)"} {
		assert.Contains(t, string(svg), s)
	}
	assert.NotContains(t, string(svg), "spoofed", "a cohort without CPUs gets no line")

	// Recordings without cohorts, and no recordings.
	for _, recs := range [][]*Recording{tokenFixture(), nil} {
		dir := t.TempDir()
		require.NoError(t, WritePlots(dir, recs, Options{}))
		requirePlots(t, dir)
		svg, err := os.ReadFile(filepath.Join(dir, "cohorts.svg"))
		require.NoError(t, err)
		assert.Contains(t, string(svg), "listed capacity by provider cohort: no provider cohorts in any of")
	}
}

func TestWritePlotsTokenCharts(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, tokenFixture(), Options{Title: "tok", Start: "2024-03-20"}))
	requirePlots(t, dir)
	svg, err := os.ReadFile(filepath.Join(dir, "supply.svg"))
	require.NoError(t, err)
	for _, s := range []string{"tok: token supply, bonded ratio, inflation", "mean, p5-p95, min-max over n=2 replications: rough (few replications)",
		"token supply (million tokens)", "fraction (inflation and APR per year)",
		"supply mean", "supply p50", "supply p5-p95", "supply min-max", "bonded ratio", "inflation rate"} {
		assert.Contains(t, string(svg), s)
	}
	assert.NotContains(t, string(svg), "staking APR", "a metric NaN everywhere gets no line")
	assert.Equal(t, 1, strings.Count(string(svg), "date (UTC)"), "the panels share one time axis")
	assert.Equal(t, 1, strings.Count(string(svg), ">2024-03-21<"), "only the bottom panel labels its ticks")

	svg, err = os.ReadFile(filepath.Join(dir, "flows.svg"))
	require.NoError(t, err)
	for _, s := range []string{"tok: token flows per day (sum over each day, mean over 2 replications)", "(tokens per day)",
		"date (UTC)", ">minted<", ">burned<", ">subsidies<"} {
		assert.Contains(t, string(svg), s)
	}
	assert.NotContains(t, string(svg), "take fees", "a flow NaN everywhere gets no line")
	assert.NotContains(t, string(svg), "emissions", "a flow zero everywhere gets no line")
}

func TestWritePlotsWithoutTokenLayer(t *testing.T) {
	for _, v := range []float64{0, math.NaN()} {
		dir := t.TempDir()
		require.NoError(t, WritePlots(dir, withoutTokenLayer(fixture(), v), Options{}))
		requirePlots(t, dir)
		svg, err := os.ReadFile(filepath.Join(dir, "flows.svg"))
		require.NoError(t, err)
		assert.Contains(t, string(svg), "token flows: no token flows in any of 3 replications", v)
		svg, err = os.ReadFile(filepath.Join(dir, "supply.svg"))
		require.NoError(t, err)
		if math.IsNaN(v) {
			assert.Contains(t, string(svg), "token supply, bonded ratio, inflation: no token data in any of 3 replications")
			assert.NotContains(t, string(svg), "inflation rate")
			assert.NotContains(t, string(svg), "supply mean", "no supply, no legend entry")
		} else {
			assert.Contains(t, string(svg), "inflation rate", "zeros are drawn")
		}
	}
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
		SupplySeries(recs)
		FlowSeries(recs)
		CohortSeries(recs)
	}
}
