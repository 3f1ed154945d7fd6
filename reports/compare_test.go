package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// Student-t quantiles t(0.975, df) from a printed table, to check the
// intervals against hand computation rather than against TQuantile
// (t975df2 is in stats_test.go).
const (
	t975df1 = 12.7062047
	t975df3 = 3.1824463
)

func perRep(xs ...float64) []Float { return toFloats(xs) }

func TestPairedDiffHandComputed(t *testing.T) {
	t.Run("three replications", func(t *testing.T) {
		// differences 1, 2, 0: mean 1, sd 1, half-width t(2)·1/√3
		d := PairedDiff(perRep(1, 2, 3), perRep(2, 4, 3))
		assert.Equal(t, 3, d.N)
		assert.InDelta(t, 1, float64(d.Mean), 1e-12)
		assert.InDelta(t, 1, float64(d.SD), 1e-12)
		half := t975df2 / math.Sqrt(3)
		assert.InDelta(t, 1-half, float64(d.CILow), 1e-6)     // -1.4841377
		assert.InDelta(t, 1+half, float64(d.CIHigh), 1e-6)    // 3.4841377
		assert.InDelta(t, -1.4841377, float64(d.CILow), 1e-6) // the same, written out
		assert.False(t, Significant(d), "the interval contains 0")
		assert.Equal(t, []Float{1, 2, 0}, d.PerRep)
	})
	t.Run("four replications, significant", func(t *testing.T) {
		// differences 1, 2, 3, 4: mean 2.5, sd √(5/3), half-width t(3)·sd/2
		d := PairedDiff(perRep(10, 20, 30, 40), perRep(11, 22, 33, 44))
		sd := math.Sqrt(5.0 / 3)
		half := t975df3 * sd / 2 // 2.0542603
		assert.Equal(t, 4, d.N)
		assert.InDelta(t, 2.5, float64(d.Mean), 1e-12)
		assert.InDelta(t, sd, float64(d.SD), 1e-12)
		assert.InDelta(t, 2.5-half, float64(d.CILow), 1e-6)
		assert.InDelta(t, 2.5+half, float64(d.CIHigh), 1e-6)
		assert.InDelta(t, 0.4457397, float64(d.CILow), 1e-6)
		assert.True(t, Significant(d), "the interval [0.45, 4.55] excludes 0")
		assert.True(t, Significant(PairedDiff(perRep(11, 22, 33, 44), perRep(10, 20, 30, 40))), "and so does its negative")
	})
	t.Run("pairs only replications where both have a value", func(t *testing.T) {
		// pairs: r=0 (3-1=2) and r=3 (10-4=6); r=1 and r=2 have a NaN
		nan := math.NaN()
		d := PairedDiff(perRep(1, nan, 3, 4), perRep(3, 5, nan, 10))
		assert.Equal(t, 2, d.N)
		assert.InDelta(t, 4, float64(d.Mean), 1e-12)
		half := t975df1 * math.Sqrt(8) / math.Sqrt(2) // sd of {2, 6} is √8
		assert.InDelta(t, 4-half, float64(d.CILow), 1e-5)
		assert.InDelta(t, 4+half, float64(d.CIHigh), 1e-5)
		assert.True(t, math.IsNaN(float64(d.PerRep[1])) && math.IsNaN(float64(d.PerRep[2])))
	})
	t.Run("one pair", func(t *testing.T) {
		d := PairedDiff(perRep(1, math.NaN()), perRep(3, 7))
		assert.Equal(t, 1, d.N)
		assert.Equal(t, Float(2), d.Mean)
		assert.Equal(t, d.Mean, d.CILow)
		assert.Equal(t, d.Mean, d.CIHigh)
		assert.Equal(t, "one replication", d.CINote)
		assert.False(t, Significant(d), "one replication says nothing")
	})
	t.Run("a run against itself: exactly 0, zero width", func(t *testing.T) {
		x := perRep(0.1, 0.7, 1e9, -3.3)
		d := PairedDiff(x, x)
		assert.Equal(t, 4, d.N)
		assert.Equal(t, Float(0), d.Mean)
		assert.Equal(t, Float(0), d.CILow)
		assert.Equal(t, Float(0), d.CIHigh)
		assert.False(t, Significant(d))
	})
}

// compareFixture returns two scenarios for the comparison tests:
//
//   - "gpu": 3 replications sampled at 0, 12 and 24 h, with GPUs, GPU
//     prices (NaN at 12 h in rep 0), a token supply and provider income
//     in the tens of thousands of USD;
//   - "cpu": 3 replications sampled at 0 and 24 h, without GPUs (GPU
//     utilization and price NaN), without a token supply, with CPU
//     prices.
//
// The values are explicit, so the golden data does not depend on the
// metric indices.
func compareFixture() (gpu, cpu []*Recording) {
	nan := math.NaN()
	for r := range 3 {
		f := float64(r)
		gpu = append(gpu, synthRec(r, []int{0, 12, 24}, map[int][]float64{
			sim.MGPUsTotal:              {8, 8, 8},
			sim.MGPUUtilization:         {0.5, 0.6 + 0.1*f, 0.7},
			sim.MCPUUtilization:         {0.2, 0.3, 0.4 + 0.05*f},
			sim.MGPUPriceUSDHour:        {1, map[bool]float64{true: nan, false: 1.2 + 0.1*f}[r == 0], 1.5},
			sim.MCPUPriceUSDHour:        {0.01, 0.01, 0.01},
			sim.MTokenSupply:            {200e6, 201e6 + 1e6*f, 202e6 + 2e6*f},
			sim.MProviderIncomeUSDTotal: {0, 5000 * (1 + f), 20000 * (1 + 0.1*f)},
			// no token income: revenue = lease income
			sim.MProviderRevenueUSDTotal: {0, 5000 * (1 + f), 20000 * (1 + 0.1*f)},
		}))
		cpu = append(cpu, synthRec(r, []int{0, 24}, map[int][]float64{
			sim.MGPUsTotal:               {0, 0},
			sim.MGPUUtilization:          {nan, nan},
			sim.MCPUUtilization:          {0.4, 0.5 + 0.1*f},
			sim.MGPUPriceUSDHour:         {nan, nan},
			sim.MCPUPriceUSDHour:         {0.02, 0.03},
			sim.MProviderIncomeUSDTotal:  {0, 100 * (1 + f)},
			sim.MProviderRevenueUSDTotal: {0, 100 * (1 + f)},
		}))
	}
	return gpu, cpu
}

func compareRuns() []CompareRun {
	gpu, cpu := compareFixture()
	a, b := NewCompareRun("gpu", gpu), NewCompareRun("cpu", cpu)
	a.Start, a.Horizon, a.SampleEvery, a.Source = "2024-03-20", "1d", "12h", "preset gpu"
	b.Start, b.Horizon, b.SampleEvery, b.Source = "2024-03-20", "2d", "24h", "cpu.toml"
	return []CompareRun{a, b}
}

func TestCIBand(t *testing.T) {
	// rep 0 sampled at 0, 12, 24 h; rep 1 at 0 and 12 h only
	recs := []*Recording{
		synthRec(0, []int{0, 12, 24}, map[int][]float64{sim.MCPUUtilization: {1, 2, 5}}),
		synthRec(1, []int{0, 12}, map[int][]float64{sim.MCPUUtilization: {3, math.NaN()}}),
	}
	b := CIBand(recs, func(k, i int) float64 { return recs[k].Values[i][sim.MCPUUtilization] })
	nanEq(t, []float64{0, 0.5, 1}, b.X, "x (days)")
	// t=0: values 1 and 3, mean 2, sd √2, half-width t(1)·√2/√2 = t(1)
	nanEq(t, []float64{2, 2, 5}, b.Mean, "mean")
	assert.InDelta(t, 2-t975df1, b.Lo[0], 1e-6)
	assert.InDelta(t, 2+t975df1, b.Hi[0], 1e-6)
	// t=12h: one value (rep 1 is NaN); t=24h: only rep 0 has a sample
	nanEq(t, []float64{2, 5}, b.Lo[1:], "lo with one value")
	nanEq(t, []float64{2, 5}, b.Hi[1:], "hi with one value")

	none := CIBand(recs, func(k, i int) float64 { return math.NaN() })
	nanEq(t, []float64{math.NaN(), math.NaN(), math.NaN()}, none.Mean, "no values")
}

func TestCompareSeriesOf(t *testing.T) {
	gpu, cpu := compareFixture()
	g, c := CompareSeriesOf(gpu), CompareSeriesOf(cpu)
	assert.True(t, g.HasGPUs)
	assert.False(t, c.HasGPUs)
	// supply relative to each replication's first sample, in percent:
	// rep r at 24 h is 100·((202+2r)/200 − 1) = 1 + r, mean 2
	nanEq(t, []float64{0, 1, 2}, g.SupplyPct.Mean, "supply %")
	assert.InDelta(t, 2-t975df2/math.Sqrt(3), g.SupplyPct.Lo[2], 1e-6, "sd of {1, 2, 3} is 1")
	assert.False(t, c.SupplyPct.hasData(), "no token supply: no line")
	nanEq(t, []float64{0, 10000, 20000 * 1.1}, g.ProviderIncome.Mean, "income")
	nanEq(t, []float64{0, 1}, c.CPUUtilization.X, "the cpu run keeps its own time axis (days)")
	// GPU price at 12 h: rep 0 is NaN, reps 1 and 2 give 1.3 and 1.4
	assert.InDelta(t, 1.35, g.GPUPrice.Mean[1], 1e-12)
}

func TestCompareCharts(t *testing.T) {
	runs := compareRuns()
	charts := CompareCharts(runs)
	require.Len(t, charts, 4)
	var files []string
	for _, c := range charts {
		files = append(files, c.File+".png", c.File+".svg")
		require.Len(t, c.Lines, 2, c.File)
		for k, l := range c.Lines {
			assert.Equal(t, k, l.Index, "%s: scenario %d keeps its colour", c.File, k)
		}
		assert.Contains(t, c.Title, "95% CI over n=3 replications: wide")
		assert.Equal(t, "date (UTC)", c.XLabel)
		assert.Equal(t, "2024-03-20", c.Start)
	}
	assert.Equal(t, ComparePlotFiles, files)

	util := charts[0]
	assert.Contains(t, util.Title, "GPU utilization (CPU for scenarios without GPUs)")
	assert.Equal(t, "gpu", util.Lines[0].Name)
	assert.Equal(t, "cpu (CPU: no GPUs)", util.Lines[1].Name)
	assert.Equal(t, runs[1].Series.CPUUtilization, util.Lines[1].Band, "the CPU run shows its CPU utilization")
	assert.Equal(t, runs[0].Series.GPUUtilization, util.Lines[0].Band)

	price := charts[1]
	assert.Equal(t, "price (USD per GPU-hour)", price.YLabel)
	assert.Equal(t, "cpu (no GPU leases)", price.Lines[1].Name)

	supply := charts[2]
	assert.Equal(t, "cpu (no token supply)", supply.Lines[1].Name)
	assert.Contains(t, supply.YLabel, "%")

	income := charts[3]
	assert.Equal(t, "provider income (thousand USD)", income.YLabel, "22,000 USD at most")
	assert.InDelta(t, 22, income.Lines[0].Band.Mean[2], 1e-12)

	t.Run("CPU only", func(t *testing.T) {
		_, cpu := compareFixture()
		a, b := NewCompareRun("a", cpu), NewCompareRun("b", cpu)
		a.Start, b.Start = "2021-12-01", "2022-01-01"
		charts := CompareCharts([]CompareRun{a, b})
		assert.Contains(t, charts[0].Title, "CPU utilization (no scenario has GPUs)")
		assert.Contains(t, charts[1].Title, "median CPU lease price")
		assert.Equal(t, "price (USD per core-hour)", charts[1].YLabel)
		assert.Equal(t, "a", charts[1].Lines[0].Name)
		assert.Equal(t, "provider income (USD)", charts[3].YLabel)
		assert.Equal(t, "time (days since each scenario's start)", charts[0].XLabel)
	})
}

type compareLineJSON struct {
	Name            string
	Index           int
	X, Mean, Lo, Hi []Float
}

type compareChartJSON struct {
	File, Title, XLabel, YLabel string
	Lines                       []compareLineJSON
}

// TestCompareChartsGolden pins the series behind the overlay charts (the
// data, not the image bytes). Run with -update after an intended change
// and review the diff.
func TestCompareChartsGolden(t *testing.T) {
	var out []compareChartJSON
	for _, c := range CompareCharts(compareRuns()) {
		cj := compareChartJSON{File: c.File, Title: c.Title, XLabel: c.XLabel, YLabel: c.YLabel}
		for _, l := range c.Lines {
			b := l.Band
			cj.Lines = append(cj.Lines, compareLineJSON{l.Name, l.Index, toFloats(b.X), toFloats(b.Mean), toFloats(b.Lo), toFloats(b.Hi)})
		}
		out = append(out, cj)
	}
	got, err := json.MarshalIndent(out, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "compare_charts.golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestCompareChartsGolden -update")
	assert.Equal(t, string(want), string(got))
}

func TestWriteComparePlots(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WriteComparePlots(dir, compareRuns()))
	assert.ElementsMatch(t, ComparePlotFiles, dirNames(t, dir), "no temp files left")
	for _, name := range ComparePlotFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		if strings.HasSuffix(name, ".png") {
			assert.True(t, bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")), name)
			continue
		}
		svg := string(b)
		assert.Contains(t, svg, "<svg", name)
		assert.Contains(t, svg, ">gpu<", "%s: legend names the first scenario", name)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "compare_utilization.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "cpu (CPU: no GPUs)")
}

func readCompareCSV(t *testing.T, runs []CompareRun) [][]string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, WriteCompareCSV(&buf, runs))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	return rows
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, "%q", s)
	return v
}

func TestWriteCompareCSV(t *testing.T) {
	base := fixture()
	// the second scenario adds 1 + 2r to every metric of replication r
	shifted := withValues(base, func(_, r, _ int, v float64) float64 { return v + 1 + 2*float64(r) })
	runs := []CompareRun{NewCompareRun("base", base), NewCompareRun("shifted", shifted)}
	rows := readCompareCSV(t, runs)
	assert.Equal(t, CompareCSVHeader, rows[0])
	assert.Equal(t, []string{"metric", "scenario", "mean", "ci_low", "ci_high", "n", "diff_mean", "diff_ci_low", "diff_ci_high"}, rows[0])
	// every metric twice (time mean, final) and 4 resources twice, per scenario
	require.Len(t, rows, 1+2*(2*sim.NumMetrics+2*4))
	byKey := map[string][]string{}
	for _, row := range rows[1:] {
		require.Len(t, row, 9)
		byKey[row[0]+"/"+row[1]] = row
	}

	// cpu_utilization: rep r's time mean in the fixture is 1.5 + r, so
	// {1.5, 2.5, 3.5}: mean 2.5, sd 1; the shift adds {1, 3, 5}: mean 3, sd 2
	b := byKey["cpu_utilization.time_mean/base"]
	assert.Equal(t, "2.5", b[2])
	assert.InDelta(t, 2.5-t975df2/math.Sqrt(3), num(t, b[3]), 1e-6)
	assert.InDelta(t, 2.5+t975df2/math.Sqrt(3), num(t, b[4]), 1e-6)
	assert.Equal(t, "3", b[5])
	assert.Equal(t, []string{"", "", ""}, b[6:], "no difference for the first scenario")
	s := byKey["cpu_utilization.time_mean/shifted"]
	assert.Equal(t, "5.5", s[2])
	assert.Equal(t, "3", s[6])
	assert.InDelta(t, 3-t975df2*2/math.Sqrt(3), num(t, s[7]), 1e-6)
	assert.InDelta(t, 3+t975df2*2/math.Sqrt(3), num(t, s[8]), 1e-6)

	// gpu_price_usd_hour is NaN in rep 0: two pairs
	s = byKey["gpu_price_usd_hour.final/shifted"]
	assert.Equal(t, "2", s[5])
	assert.Equal(t, "4", s[6], "differences 3 and 5")

	// resources: gpu:a100 utilization is i/4 in every rep; gpu:h100 has
	// no price at all
	s = byKey["gpu:a100.utilization/shifted"]
	assert.Equal(t, "0.25", s[2])
	assert.Equal(t, []string{"0", "0", "0"}, s[6:], "resources are not shifted")
	s = byKey["gpu:h100.median_price_usd_hour/shifted"]
	assert.Equal(t, []string{"", "", "", "0", "", "", ""}, s[2:], "no data: empty fields, n = 0")
	assert.Contains(t, byKey, "memory_gb.utilization/base")

	t.Run("a resource one scenario lacks", func(t *testing.T) {
		gpu, cpu := compareFixture()
		gpu[0].Resources[0] = []sim.ResourceSample{{Resource: "gpu:h100", Capacity: 1, Allocated: 1, Utilization: 1, MedianPriceUSDHour: 2}}
		rows := readCompareCSV(t, []CompareRun{NewCompareRun("cpu", cpu), NewCompareRun("gpu", gpu)})
		var found bool
		for _, row := range rows {
			if row[0] == "gpu:h100.utilization" && row[1] == "cpu" {
				found = true
				assert.Equal(t, []string{"", "", "", "0", "", "", ""}, row[2:])
			}
			if row[0] == "gpu:h100.utilization" && row[1] == "gpu" {
				assert.Equal(t, "1", row[2])
				assert.Equal(t, []string{"", "", ""}, row[6:], "nothing to pair with")
			}
		}
		assert.True(t, found, "the first scenario has a row for the resource it lacks")
	})
}

func TestCompareAgainstItself(t *testing.T) {
	recs := fixture()
	runs := []CompareRun{NewCompareRun("a", recs), NewCompareRun("a-2", fixture())}
	rows := CompareRows(runs)
	require.NotEmpty(t, rows)
	checked := 0
	for _, r := range rows {
		if r.Scenario != "a-2" || r.Stat.N == 0 {
			continue
		}
		require.NotNil(t, r.Diff, r.Metric)
		assert.Equal(t, Float(0), r.Diff.Mean, r.Metric)
		assert.Equal(t, Float(0), r.Diff.CILow, r.Metric)
		assert.Equal(t, Float(0), r.Diff.CIHigh, r.Metric)
		checked++
	}
	assert.Greater(t, checked, 2*sim.NumMetrics)
}

func TestWriteCompareMarkdown(t *testing.T) {
	runs := compareRuns()
	info := CompareInfo{Seed: 7, Reps: 3, Notes: []string{"`--set sim.horizon=1d` applies to every scenario."}}
	var buf bytes.Buffer
	require.NoError(t, WriteCompareMarkdown(&buf, runs, info))
	md := buf.String()
	for _, s := range []string{
		"# Comparison: gpu vs cpu",
		"3 replications each, common master seed 7",
		"| 1 | gpu | `preset gpu` | 2024-03-20 | 1d | 12h |",
		"| 2 | cpu | `cpu.toml` | 2024-03-20 | 2d | 24h |",
		"**Common random numbers.**", "**Paired differences.**", "r = 1..3",
		"horizons or sampling differ",
		"- `--set sim.horizon=1d` applies to every scenario.",
		"## Market", "## Providers",
		"| metric | statistic | unit | gpu | cpu | cpu − gpu |",
	} {
		assert.Contains(t, md, s)
	}
	assert.Contains(t, md, "## Token supply and staking")
	assert.Contains(t, md, "`token_supply`")
	assert.NotContains(t, md, "`bonded_ratio`", "token rows that are 0 or NaN everywhere are left out")
	assert.NotContains(t, md, "## GPU models", "no resources in the fixture")
	assert.NotContains(t, md, "`gpu_price_usd_hour.", "csv keys are not shown")

	// cpu_utilization time means: gpu {0.3, 0.3167, 0.3333}, cpu {0.45, 0.5, 0.55};
	// differences {0.15, 0.1833, 0.2167} exclude 0
	line := mdLine(t, md, "`cpu_utilization`")
	assert.Contains(t, line, "| mean over time | fraction |")
	assert.True(t, strings.HasSuffix(line, `\* |`), "a difference whose CI excludes 0 is marked: %s", line)
	assert.Contains(t, line, "+0.1833 [")
	// GPU utilization: the cpu scenario has none
	line = mdLine(t, md, "`gpu_utilization`")
	assert.True(t, strings.HasSuffix(line, "| n/a | n/a |"), line)
	// provider income at the end: gpu {20000, 22000, 24000} (24h), cpu {100, 200, 300} (48h)
	line = mdLine(t, md, "`provider_income_usd_total`")
	assert.Contains(t, line, "| final | USD | 22000 [17032, 26968] | 200 [-48.41, 448.4] | -21800 [")

	t.Run("one replication", func(t *testing.T) {
		gpu, cpu := compareFixture()
		runs := []CompareRun{NewCompareRun("gpu", gpu[:1]), NewCompareRun("cpu", cpu[:1])}
		var buf bytes.Buffer
		require.NoError(t, WriteCompareMarkdown(&buf, runs, CompareInfo{Seed: 1, Reps: 1}))
		line := mdLine(t, buf.String(), "`cpu_utilization`")
		assert.Contains(t, line, "(1 rep.)")
		assert.NotContains(t, line, `\*`, "no significance from one replication")
	})
}

// mdLine returns the table line of compare.md that starts with the cell
// name.
func mdLine(t *testing.T, md, name string) string {
	t.Helper()
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| "+name+" |") {
			return l
		}
	}
	require.Failf(t, "no line", "%s not in\n%s", name, md)
	return ""
}

func TestWriteCompareTable(t *testing.T) {
	var buf bytes.Buffer
	WriteCompareTable(&buf, compareRuns())
	out := buf.String()
	assert.Contains(t, out, "diff vs gpu")
	assert.Regexp(t, `(?m)^cpu_utilization\s+mean over time\s+gpu\s+0\.3167\s+\[`, out)
	assert.Regexp(t, `(?m)^\s+cpu\s+0\.5\s+\[[^]]+\]\s+\+0\.1833\s+\[\+0\.\d+, \+0\.\d+\] \*$`, out)
	for _, l := range strings.Split(out, "\n") {
		assert.False(t, strings.HasSuffix(l, " "), "no trailing spaces: %q", l)
	}
}

func TestWriteComparison(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cmp")
	man := CompareManifest{Tool: "depinsim", Kind: "compare", MasterSeed: 7, Replications: 3}
	require.NoError(t, WriteComparison(dir, compareRuns(), CompareInfo{Seed: 7, Reps: 3}, &man))
	assert.ElementsMatch(t, []string{CompareCSVFile, CompareMarkdownFile, PlotsDir, ReportFile, ManifestFile}, dirNames(t, dir))
	assert.ElementsMatch(t, ComparePlotFiles, dirNames(t, filepath.Join(dir, PlotsDir)))
	var got CompareManifest
	require.NoError(t, json.Unmarshal(readBytes(t, filepath.Join(dir, ManifestFile)), &got))
	assert.Equal(t, man.Files, got.Files)
	assert.Contains(t, got.Files, "plots/compare_utilization.png")
	var want bytes.Buffer
	require.NoError(t, WriteCompareCSV(&want, compareRuns()))
	assert.Equal(t, want.String(), string(readBytes(t, filepath.Join(dir, CompareCSVFile))))
}
