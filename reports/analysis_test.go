package reports

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports/html"
)

// TestAnalysisDataRoundTrip: sensitivity.json and calibration.json read
// back to the same reports, float for float (NaN written as null, -0,
// the smallest subnormal and the largest float kept), and a file of the
// other kind or with an unknown field is refused.
func TestAnalysisDataRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := sobolFixture()
	s.Outputs[0].Mean = 0.1 + 0.2
	s.Outputs[0].Variance = math.Copysign(0, -1)
	s.Outputs[1].Mean = math.MaxFloat64
	s.Outputs[1].Variance = 5e-324
	require.NoError(t, WriteSensitivityData(dir, s))
	got, err := ReadSensitivityData(dir)
	require.NoError(t, err)
	assert.Equal(t, describe(s), describe(got))
	assert.True(t, math.Signbit(got.Outputs[0].Variance), "-0 stays -0")
	text, err := os.ReadFile(filepath.Join(dir, SensitivityDataFile))
	require.NoError(t, err)
	assert.Contains(t, string(text), `"s1_lo": null`)
	assert.NotContains(t, string(text), "NaN")
	assert.True(t, strings.HasPrefix(string(text), "{\n  \"kind\": \"sensitivity\""))

	m := morrisFixture()
	mdir := t.TempDir()
	require.NoError(t, WriteSensitivityData(mdir, m))
	gotM, err := ReadSensitivityData(mdir)
	require.NoError(t, err)
	assert.Equal(t, describe(m), describe(gotM))

	c := calibrationFixture()
	require.NoError(t, WriteCalibrationData(dir, c))
	gotC, err := ReadCalibrationData(dir)
	require.NoError(t, err)
	assert.Equal(t, describe(c), describe(gotC))
	assert.True(t, math.IsNaN(gotC.Targets[2].Simulated))
	assert.True(t, math.IsNaN(gotC.History[7].Objective))
	assert.True(t, math.IsNaN(gotC.Params[2].PostMedian) && gotC.Params[0].PostHi == 37.25 && gotC.ABCAccepted == 100)
	// a calibration.json written before the [abc] table reads as no posterior
	ctext, err := os.ReadFile(filepath.Join(dir, CalibrationDataFile))
	require.NoError(t, err)
	old := regexp.MustCompile(`,\s*"(post_median|post_lo|post_hi|abc_samples|abc_accepted|abc_epsilon)": [^,\n]*`).ReplaceAll(ctext, nil)
	require.NotEqual(t, ctext, old)
	odir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(odir, CalibrationDataFile), old, 0o644))
	gotOld, err := ReadCalibrationData(odir)
	require.NoError(t, err)
	assert.True(t, gotOld.ABCSamples == 0 && math.IsNaN(gotOld.Params[0].PostMedian))

	// the other kind, an unknown field
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, SensitivityDataFile), text, 0o644))
	require.NoError(t, os.Rename(filepath.Join(other, SensitivityDataFile), filepath.Join(other, CalibrationDataFile)))
	_, err = ReadCalibrationData(other)
	assert.ErrorContains(t, err, `kind "sensitivity", want "calibration"`)
	require.NoError(t, os.WriteFile(filepath.Join(other, SensitivityDataFile), bytes.Replace(text, []byte(`"name"`), []byte(`"nmae"`), 1), 0o644))
	_, err = ReadSensitivityData(other)
	assert.ErrorContains(t, err, "nmae")
	_, err = ReadSensitivityData(t.TempDir())
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// listPlots returns the files under dir/plots, relative to dir.
func listPlots(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(dir, PlotsDir))
	require.NoError(t, err)
	var out []string
	for _, e := range es {
		out = append(out, PlotsDir+"/"+e.Name())
	}
	return out
}

// TestSensitivityPlotFiles: the files listed are the files written: per
// output the bars, for Morris the scatter, and the convergence chart;
// output names made file names.
func TestSensitivityPlotFiles(t *testing.T) {
	s := sobolFixture()
	assert.Equal(t, []string{
		"plots/sensitivity_gpu_util.png", "plots/sensitivity_gpu_util.svg",
		"plots/sensitivity_gpu_util_convergence.png", "plots/sensitivity_gpu_util_convergence.svg",
		"plots/sensitivity_supply_1y.png", "plots/sensitivity_supply_1y.svg", // no convergence table
	}, SensitivityPlotFiles(s))
	m := morrisFixture()
	assert.Equal(t, []string{
		"plots/sensitivity_gpu_util.png", "plots/sensitivity_gpu_util.svg",
		"plots/sensitivity_gpu_util_scatter.png", "plots/sensitivity_gpu_util_scatter.svg",
		"plots/sensitivity_gpu_util_convergence.png", "plots/sensitivity_gpu_util_convergence.svg",
	}, SensitivityPlotFiles(m))
	c := calibrationFixture()
	assert.Equal(t, []string{
		"plots/calibration_targets.png", "plots/calibration_targets.svg",
		"plots/calibration_objective.png", "plots/calibration_objective.svg",
		"plots/calibration_params.png", "plots/calibration_params.svg",
	}, CalibrationPlotFiles(c))
	assert.Equal(t, []string{"a", "a-2", "x_y", "output"}, uniqueFileNames([]string{"a", "a", "x/y", ""}))

	for _, r := range []*SensitivityReport{s, m} {
		dir := t.TempDir()
		require.NoError(t, WriteSensitivityCharts(dir, r))
		want := SensitivityPlotFiles(r)
		slices.Sort(want)
		assert.Equal(t, want, listPlots(t, dir))
	}
	dir := t.TempDir()
	require.NoError(t, WriteCalibrationCharts(dir, c))
	want := CalibrationPlotFiles(c)
	slices.Sort(want)
	assert.Equal(t, want, listPlots(t, dir))
}

// svgOf returns the SVG of chart file (without extension) of charts.
func svgOf(t *testing.T, charts []analysisChart, file string) string {
	t.Helper()
	for _, c := range charts {
		if c.File == file {
			svg, err := c.svg()
			require.NoError(t, err)
			return svg
		}
	}
	t.Fatalf("no chart %s", file)
	return ""
}

// svgTexts returns the texts an SVG draws.
func svgTexts(svg string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<text[^>]*>([^<]*)</text>`).FindAllStringSubmatch(svg, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestAnalysisChartsContent: the charts say what they show (title, axis
// labels with units, the note on intervals), label every factor, target
// and parameter, mark the ones without a value, order factors by ST or
// mu*, and draw no NaN or infinite coordinate.
func TestAnalysisChartsContent(t *testing.T) {
	s := sobolFixture()
	charts := s.charts()
	util := svgOf(t, charts, "sensitivity_gpu_util")
	texts := strings.Join(svgTexts(util), "\n")
	for _, want := range []string{"Sobol indices of mean of gpu_utilization over 180d..365d (gpu_util)", "whiskers: 95% bootstrap CI",
		"ST - S1 is the share due to interactions", "Sobol index (share of the output&#39;s variance, 0 to 1)",
		"ST (total effect)", "S1 (first order)", "providers[0].gpus.a100.count", "demand.arrival_rate", "token.emission.per_day"} {
		assert.Contains(t, texts, want)
	}
	// largest ST on top: the first label drawn is the bottom row
	ts := svgTexts(util)
	ia, ib, ic := slices.Index(ts, "providers[0].gpus.a100.count"), slices.Index(ts, "demand.arrival_rate"), slices.Index(ts, "token.emission.per_day")
	assert.True(t, ic < ib && ib < ia, "rows bottom to top: %d %d %d", ic, ib, ia)
	supply := svgOf(t, charts, "sensitivity_supply_1y")
	assert.Contains(t, svgTexts(supply), "demand.arrival_rate (no value)")

	m := morrisFixture()
	mc := m.charts()
	bars := strings.Join(svgTexts(svgOf(t, mc, "sensitivity_gpu_util")), "\n")
	assert.Contains(t, bars, "mu* (fraction per factor range)")
	assert.Contains(t, bars, "market.take_rate (no value)")
	scatter := svgTexts(svgOf(t, mc, "sensitivity_gpu_util_scatter"))
	assert.Contains(t, scatter, "sigma = mu*")
	assert.Contains(t, scatter, "demand.arrival_rate", "dots are labelled with their factor")
	assert.NotContains(t, scatter, "market.take_rate", "a factor without values has no dot")

	c := calibrationFixture()
	cc := c.charts()
	targets := svgTexts(svgOf(t, cc, "calibration_targets"))
	assert.Contains(t, targets, "gpu_util_mar (met)")
	assert.Contains(t, targets, "price_a100 (not met)")
	assert.Contains(t, targets, "leases (no value)")
	assert.Contains(t, targets, "met: within the tolerance")
	params := svgTexts(svgOf(t, cc, "calibration_params"))
	assert.Contains(t, params, "market.take_rate [0.05, 0.4] (fixed)")
	assert.Contains(t, params, "demand.arrival_rate [1, 100] log")
	assert.Contains(t, params, "posterior, 95% (ABC)")
	objective := strings.Join(svgTexts(svgOf(t, cc, "calibration_objective")), "\n")
	for _, want := range []string{"log scale", "best so far", "cma-es", "nelder-mead", "check", "objective evaluations"} {
		assert.Contains(t, objective, want)
	}

	all := slices.Concat(charts, mc, cc)
	for _, ch := range all {
		svg := svgOf(t, all, ch.File)
		assert.NotRegexp(t, `NaN|Inf`, svg, ch.File)
	}
}

// TestAnalysisChartsEmpty: reports with nothing in them (no factor, no
// output values, no history, every value NaN) draw without failing.
func TestAnalysisChartsEmpty(t *testing.T) {
	s := sobolFixture()
	for i := range s.Outputs {
		for j := range s.Outputs[i].Indices {
			s.Outputs[i].Indices[j] = sobolIndex(s.Outputs[i].Indices[j].Factor, nan, nan, nan)
		}
	}
	m := morrisFixture()
	m.Outputs[0].Indices = nil
	m.Outputs[0].Convergence = []SensitivityConvergence{{N: 5}, {N: 5}}
	c := calibrationFixture()
	for i := range c.History {
		c.History[i].Objective, c.History[i].Best = nan, nan
	}
	c.Targets = nil
	c.Params[0].Log, c.Params[0].Min = true, -1 // no log position
	empty := &CalibrationReport{Name: "none"}
	for _, ch := range slices.Concat(s.charts(), m.charts(), c.charts(), empty.charts()) {
		svg, err := ch.svg()
		require.NoError(t, err, ch.File)
		assert.NotRegexp(t, `NaN|Inf`, svg, ch.File)
	}
	for _, r := range []*SensitivityReport{s, m} {
		_, err := r.build()
		require.NoError(t, err)
	}
	for _, r := range []*CalibrationReport{c, empty} {
		_, err := r.build()
		require.NoError(t, err)
	}
}

// analysisHTMLCharts returns the interactive charts of the sensitivity
// and calibration reports of the fixtures.
func analysisHTMLCharts(t *testing.T) []*html.Chart {
	t.Helper()
	var out []*html.Chart
	add := func(rep *html.Report, err error) {
		require.NoError(t, err)
		for _, s := range rep.Sections {
			for _, b := range s.Blocks {
				if b.Chart != nil {
					out = append(out, b.Chart)
				}
			}
		}
	}
	add(sobolFixture().build())
	add(morrisFixture().build())
	add(calibrationFixture().build())
	return out
}

// TestAnalysisReportChartsGolden pins the interactive charts of the
// analysis reports (convergence, objective history) as series
// (testdata/analysis_report_charts.golden; go test ./reports -run
// TestAnalysisReportChartsGolden -update rewrites it).
func TestAnalysisReportChartsGolden(t *testing.T) {
	checkChartsGolden(t, analysisHTMLCharts(t), "analysis_report_charts.golden")
}

// renderPage renders a report.
func renderPage(t *testing.T, build func() (*html.Report, error)) string {
	t.Helper()
	rep, err := build()
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rep.Render(&b))
	return b.String()
}

// TestSensitivityReportPage: the page has its sections (summary, factors,
// one per output with its figures and tables, provenance), warns of a
// noisy output and of an unreadable interval, and holds no URL.
func TestSensitivityReportPage(t *testing.T) {
	page := renderPage(t, sobolFixture().build)
	for _, want := range []string{`id="summary"`, `id="factors"`, `id="factors-table"`, `id="output-1"`, `id="output-2"`, `id="provenance"`,
		`id="figure-1-1"`, `id="indices-1"`, `id="convergence-1"`, `id="chart-convergence-1"`, `id="indices-2"`,
		"Missing values: drop", "uniform(4, 64)", "Confidence level of the bootstrap intervals: 95%",
		"Seed noise: 8.0%", "1 run(s) failed", "point 17 rep 2: market: no provider", "<svg"} {
		assert.Contains(t, page, want)
	}
	assert.Contains(t, page, "Seed noise is 70% of the variance of single runs&#39; values of supply 1y")
	assert.Regexp(t, `The ST of 1 factor\(s\) cannot be read: its confidence interval is wider than 0.3: providers\[0\].gpus.a100.count \(ST in \[-0.05, 0.45\]\)`, page)
	assert.Contains(t, page, "No ST or no confidence interval for: demand.arrival_rate.")
	assert.NotContains(t, page, "http://")
	assert.NotContains(t, page, "https://")
	assert.Equal(t, strings.Count(page, `src="`), strings.Count(page, `src="data:image/png;base64,iVBORw0KGgo`), "images only as data: URLs of PNGs")
	assert.Equal(t, 2, strings.Count(page, `<img class="drawing"`), "one figure per output")

	mp := renderPage(t, morrisFixture().build)
	for _, want := range []string{"Morris elementary effects", `id="figure-1-2"`, "CI of mu*", "sigma", "one replication per point"} {
		assert.Contains(t, mp, want)
	}
	assert.NotContains(t, mp, "https://")
}

// TestCalibrationReportPage: the page has its sections, says met and not
// met in words, and states both objectives.
func TestCalibrationReportPage(t *testing.T) {
	page := renderPage(t, calibrationFixture().build)
	for _, want := range []string{`id="summary"`, `id="targets"`, `id="targets-table"`, `id="parameters"`, `id="params-table"`,
		`id="objective"`, `id="chart-objective"`, `id="figure-targets"`, `id="figure-params"`, `id="provenance"`,
		"✓ met", "✗ not met", "Targets met: 2 of 4", "1.8 on the search seeds, 2.4 on the check seeds",
		"2 target(s) not met: price_a100, leases.", "yes (at its start)", "[18, 31 (open)]",
		"posterior 95% interval", "[14.5, 37.25]", "100 of 2000 draws accepted, epsilon 5.5", "Approximate Bayesian computation by rejection"} {
		assert.Contains(t, page, want)
	}
	assert.NotContains(t, page, "http://")
	assert.NotContains(t, page, "https://")
}

// TestAnalysisReportsEscape: hostile factor keys, output labels, target
// and parameter names and phases reach the pages (figures included) only
// escaped.
func TestAnalysisReportsEscape(t *testing.T) {
	s, c := withHostileNames()
	for _, page := range []string{renderPage(t, s.build), renderPage(t, c.build)} {
		assert.NotContains(t, page, "<script>alert")
		assert.NotContains(t, page, "<b>")
		assert.Equal(t, 3, strings.Count(page, "<script"), "the chart's JSON and the page's two scripts")
		assert.Contains(t, page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;")
	}
}

// TestAnalysisFolders writes a folder of each kind (data file, charts,
// report.html), rebuilds another from its data file alone and finds the
// same bytes; the PNGs decode. With DEPINSIM_ANALYSIS_EXAMPLES set to a
// folder, the folders are written there (sensitivity-sobol,
// sensitivity-morris, calibration) for scripts/e2e-browser.sh to open.
func TestAnalysisFolders(t *testing.T) {
	root := os.Getenv("DEPINSIM_ANALYSIS_EXAMPLES")
	if root == "" {
		root = t.TempDir()
	}
	write := func(dir string, s *SensitivityReport, c *CalibrationReport) {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		if s != nil {
			require.NoError(t, WriteSensitivityData(dir, s))
			require.NoError(t, WriteSensitivityCharts(dir, s))
			require.NoError(t, WriteSensitivityReport(dir, s))
			return
		}
		require.NoError(t, WriteCalibrationData(dir, c))
		require.NoError(t, WriteCalibrationCharts(dir, c))
		require.NoError(t, WriteCalibrationReport(dir, c))
	}
	for name, r := range map[string]*SensitivityReport{"sensitivity-sobol": sobolFixture(), "sensitivity-morris": morrisFixture()} {
		dir := filepath.Join(root, name)
		write(dir, r, nil)
		back, err := ReadSensitivityData(dir)
		require.NoError(t, err)
		again := t.TempDir()
		write(again, back, nil)
		sameFiles(t, dir, again)
	}
	dir := filepath.Join(root, "calibration")
	write(dir, nil, calibrationFixture())
	back, err := ReadCalibrationData(dir)
	require.NoError(t, err)
	again := t.TempDir()
	write(again, nil, back)
	sameFiles(t, dir, again)
}

// sameFiles checks that a and b hold the same files with the same bytes
// (report.html, the data file, plots/*), and that the PNGs decode.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	var files []string
	require.NoError(t, filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(a, p)
			files = append(files, rel)
		}
		return err
	}))
	assert.Contains(t, files, ReportFile)
	for _, f := range files {
		x, err := os.ReadFile(filepath.Join(a, f))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b, f))
		require.NoError(t, err, f)
		assert.True(t, bytes.Equal(x, y), "%s differs after a rebuild", f)
		if strings.HasSuffix(f, ".png") {
			img, err := png.Decode(bytes.NewReader(x))
			require.NoError(t, err, f)
			assert.Greater(t, img.Bounds().Dx(), 500, f)
		}
	}
}

func TestCompactNumber(t *testing.T) {
	for v, want := range map[float64]string{2.5e6: "2.5 M", 7.5e6: "7.5 M", 40000: "40 k", 0.003: "0.003", 0: "0", -1.25e9: "-1.25 G", 999: "999", 0.5: "0.5"} {
		if got := compactNumber(v); got != want {
			t.Errorf("compactNumber(%g) = %q, want %q", v, got, want)
		}
	}
}
