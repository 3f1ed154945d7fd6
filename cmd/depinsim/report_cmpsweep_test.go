package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
)

// fmtCell formats a compare.csv or points.csv number as the report's
// tables do (as the terminal tables: 4 significant digits, whole numbers
// from 1000, exponents beyond).
func fmtCell(t *testing.T, field string) string {
	t.Helper()
	v, err := strconv.ParseFloat(field, 64)
	require.NoError(t, err, field)
	a := math.Abs(v)
	switch {
	case a >= 1e9 || (a != 0 && a < 1e-3):
		return fmt.Sprintf("%.3e", v)
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.4g", v)
	}
}

// TestCompareReport: compare writes report.html with its sections, the
// numbers of compare.csv, one style per scenario in every chart, no
// reference to the network; 'report DIR' rebuilds the same bytes, and
// --no-report writes none. The second scenario is ionet-2024 (posted
// prices); under -short it is render-2024 (a tiered queue, another
// mechanism than akash-2024's too, some 30 times cheaper a simulated day:
// ionet-2024 is the largest market).
func TestCompareReport(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "cmp")
	other := "ionet-2024"
	if testing.Short() {
		other = "render-2024"
	}
	mustRun(t, concat([]string{"compare", "akash-2024", other, "--out", dir}, concat(shorter, "--reps", "3", "--quiet")...)...)
	page := string(readFile(t, filepath.Join(dir, reports.ReportFile)))

	t.Run("sections", func(t *testing.T) {
		for _, id := range []string{"scenarios", "provenance", "charts", "differences", "checks"} {
			assert.True(t, strings.Contains(page, `<section id="`+id+`">`), "section %s", id)
		}
		assert.Contains(t, page, `<figure class="chart" id="chart-compare-utilization">`, "the first chart: utilization on one axis")
		first := regexp.MustCompile(`<figure class="chart" id="([^"]*)">`).FindStringSubmatch(page)
		require.NotNil(t, first)
		assert.Equal(t, "chart-compare-utilization", first[1], "the first chart is a line chart")
		assert.Contains(t, page, "akash-reverse; providers bid", "the behaviour assumed")
		assert.Contains(t, page, `<a href="akash-2024/report.html">`, "a link to each run report")
		var man reports.CompareManifest
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, reports.ManifestFile)), &man))
		assert.Contains(t, man.Files, reports.ReportFile)
		for _, sc := range man.Scenarios {
			assert.Contains(t, page, "<td>"+sc.ScenarioSHA256+"</td>", "%s's hash", sc.Name)
		}
		assert.Contains(t, page, "Invariants checked:")
	})
	t.Run("numbers are compare.csv's", func(t *testing.T) {
		recs := readCSV(t, filepath.Join(dir, reports.CompareCSVFile))
		checked := 0
		for _, rec := range recs[1:] {
			metric, sc := rec[0], rec[1]
			if metric != "gpu_utilization.time_mean" && metric != "leases_active.time_mean" && metric != "provider_revenue_usd_total.final" {
				continue
			}
			want := `<td>` + sc + `</td><td class="num">` + fmtCell(t, rec[2]) + `</td><td class="num">[` + fmtCell(t, rec[3]) + ", " + fmtCell(t, rec[4]) + `]</td><td class="num">` + rec[5] + `</td>`
			assert.Contains(t, page, want, "%s %s", metric, sc)
			if rec[6] != "" {
				d := fmtCell(t, rec[6])
				if !strings.HasPrefix(d, "-") && d != "0" {
					d = "&#43;" + d // html/template escapes +
				}
				assert.Contains(t, page, want+`<td class="num">`+d+`</td>`, "%s %s: diff", metric, sc)
			}
			checked++
		}
		assert.Equal(t, 6, checked)
	})
	t.Run("one style per scenario in every chart", func(t *testing.T) {
		n := 0
		for _, m := range regexp.MustCompile(`<script type="application/json" id="[^"]*" data-chart="[^"]*">([^<]*)</script>`).FindAllStringSubmatch(page, -1) {
			var d struct {
				Series []struct {
					Name  string
					Style int
				}
			}
			require.NoError(t, json.Unmarshal([]byte(m[1]), &d))
			for _, s := range d.Series {
				switch {
				case strings.HasPrefix(s.Name, "akash-2024"):
					assert.Equal(t, 1, s.Style, s.Name)
				case strings.HasPrefix(s.Name, other):
					assert.Equal(t, 2, s.Style, s.Name)
				default:
					t.Errorf("series %q names no scenario", s.Name)
				}
				n++
			}
		}
		assert.GreaterOrEqual(t, n, 8)
	})
	t.Run("self-contained", func(t *testing.T) { checkSelfContained(t, page) })
	t.Run("report DIR rebuilds the same bytes", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(dir, reports.ReportFile)))
		mustRun(t, "report", dir)
		assert.True(t, page == string(readFile(t, filepath.Join(dir, reports.ReportFile))), "report DIR: the same bytes as compare wrote")
	})
	t.Run("no-report", func(t *testing.T) {
		d := filepath.Join(tmp, "none")
		mustRun(t, concat([]string{"compare", "akash-2024", "akash-2024", "--out", d, "--no-report"}, concat(shorter, "--reps", "1", "--quiet")...)...)
		assert.NoFileExists(t, filepath.Join(d, reports.ReportFile))
		assert.NoFileExists(t, filepath.Join(d, "akash-2024", reports.ReportFile), "nor the run folders'")
		var man reports.CompareManifest
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(d, reports.ManifestFile)), &man))
		assert.NotContains(t, man.Files, reports.ReportFile)
		mustRun(t, "report", d)
		assert.FileExists(t, filepath.Join(d, reports.ReportFile))
	})
}

// TestCompareReportWorkers: the comparison's report does not depend on
// the number of workers (but for the command line).
func TestCompareReportWorkers(t *testing.T) {
	longOnly(t, "a comparison's report with 1 and 3 workers")
	t.Parallel()
	tmp := t.TempDir()
	page := func(workers string) string {
		d := filepath.Join(tmp, "w"+workers)
		mustRun(t, concat([]string{"compare", "akash-2024", "akash-2024", "--set-for", "2:market.mechanism=vickrey-reverse", "--out", d, "--workers", workers}, concat(shorter, "--reps", "3", "--quiet")...)...)
		p := string(readFile(t, filepath.Join(d, reports.ReportFile)))
		return strings.NewReplacer(d, "DIR", "--workers "+workers, "").Replace(p)
	}
	assert.True(t, page("1") == page("3"), "--workers 1 and 3: the same report")
}

// TestCompareReportEscapes: a provider cohort named with a script,
// quotes, & and a newline appears only escaped. Labels (letters, digits,
// '.', '_' and '-': checkLabel) and scenario names (folder names) are
// checked to safe characters, so a cohort's name carries the test.
func TestCompareReportEscapes(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	toml := mustRun(t, "show", "akash-2024")
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	toml = strings.ReplaceAll(toml, `"gpu-h100"`, q("coh"+evil))
	src := writeFile(t, filepath.Join(tmp, "evil.toml"), toml)
	dir := filepath.Join(tmp, "cmp")
	code, stdout, stderr := cli(t, concat([]string{"compare", "akash-2024", src, "--label", "base", "--label", "evil", "--out", dir}, concat(shorter, "--reps", "2", "--quiet")...)...)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	page := string(readFile(t, filepath.Join(dir, reports.ReportFile)))
	assert.Equal(t, 2+strings.Count(page, `<script type="application/json" id="chart-`), strings.Count(page, "<script"))
	assert.Equal(t, strings.Count(page, "<script"), strings.Count(page, "</script>"))
	assert.False(t, strings.Contains(page, "<script>alert(1)"))
	assert.False(t, strings.Contains(page, `"'&`+"\nx"))
	assert.Contains(t, page, "<td>coh&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;\nx</td>", "the cohort's name, escaped")
	checkSelfContained(t, page)
	require.NoError(t, os.Remove(filepath.Join(dir, reports.ReportFile)))
	mustRun(t, "report", dir)
	assert.True(t, page == string(readFile(t, filepath.Join(dir, reports.ReportFile))), "report DIR: the same bytes")
}

// TestSweepReport: sweep writes report.html with its sections, response
// charts (the first chart a line chart), a heatmap for a two-parameter
// grid, points.csv's and runs.csv's numbers; 'report DIR' rebuilds the
// same bytes; the report is the same for any number of workers;
// --no-report writes none.
func TestSweepReport(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	def := writeFile(t, filepath.Join(tmp, "s.toml"), `base = "akash-2024"
replications = 2
set = ["sim.warmup=10d", "sim.horizon=10d", "sim.sample_every=12h"]
design = "grid"
metrics = ["gpu_utilization", "provider_revenue_usd_total"]

[[param]]
key = "providers[1].count"
values = [2, 8]

[[param]]
key = "market.mechanism"
values = ["akash-reverse", "vickrey-reverse"]
`)
	run := func(name string, extra ...string) (string, string) {
		d := filepath.Join(tmp, name)
		mustRun(t, concat([]string{"sweep", def, "--out", d, "--quiet"}, extra...)...)
		return d, string(readFile(t, filepath.Join(d, reports.ReportFile)))
	}
	dir, page := run("w1", "--workers", "1")

	t.Run("sections", func(t *testing.T) {
		for _, id := range []string{"design", "provenance", "responses", "heatmaps", "points", "runs"} {
			assert.True(t, strings.Contains(page, `<section id="`+id+`">`), "section %s", id)
		}
		first := regexp.MustCompile(`<figure class="chart" id="([^"]*)">`).FindStringSubmatch(page)
		require.NotNil(t, first)
		assert.Equal(t, "chart-response-1-1", first[1], "the first chart: a response curve")
		assert.Contains(t, page, `id="heatmap-1"`)
		assert.Regexp(t, `<td class="heat" style="background-color: #[0-9a-f]{6}; color: #[0-9a-f]{6};">[0-9.]+</td>`, page, "a heatmap cell: its number on its colour")
		assert.Contains(t, page, "market.mechanism: no response plots: its values are not all numbers.")
	})
	t.Run("numbers are points.csv's and runs.csv's", func(t *testing.T) {
		pts := readCSV(t, filepath.Join(dir, reports.SweepPointsFile))
		col := map[string]int{}
		for i, h := range pts[0] {
			col[h] = i
		}
		for _, rec := range pts[1:] {
			want := "<td>" + rec[col["market.mechanism"]] + `</td><td class="num">` + fmtCell(t, rec[col["gpu_utilization_mean"]]) + "</td>"
			assert.Contains(t, page, want, "point %s", rec[0])
		}
		runs := readCSV(t, filepath.Join(dir, reports.SweepRunsFile))
		require.Len(t, runs, 9)
		var rcol int
		for i, h := range runs[0] {
			if h == "provider_revenue_usd_total" {
				rcol = i
			}
		}
		for _, rec := range runs[1:] {
			assert.Contains(t, page, `<td class="num">`+rec[rcol]+"</td>", "run point %s rep %s: as runs.csv writes it", rec[0], rec[3])
		}
	})
	t.Run("self-contained", func(t *testing.T) { checkSelfContained(t, page) })
	t.Run("report DIR rebuilds the same bytes", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(dir, reports.ReportFile)))
		mustRun(t, "report", dir)
		assert.True(t, page == string(readFile(t, filepath.Join(dir, reports.ReportFile))), "report DIR: the same bytes as sweep wrote")
	})
	t.Run("workers", func(t *testing.T) {
		_, other := run("w2", "--workers", "2")
		assert.True(t, page == other, "--workers 1 and 2: the same report, byte for byte (it shows no command line)")
	})
	t.Run("no-report", func(t *testing.T) {
		d := filepath.Join(tmp, "none")
		mustRun(t, "sweep", def, "--out", d, "--quiet", "--no-report")
		assert.NoFileExists(t, filepath.Join(d, reports.ReportFile))
		var man struct{ Files []string }
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(d, reports.SweepManifestFile)), &man))
		assert.NotContains(t, man.Files, reports.ReportFile)
		mustRun(t, "report", d)
		assert.FileExists(t, filepath.Join(d, reports.ReportFile))
	})
}

// TestSweepReportEscapes: a swept value holding a script, quotes, & and
// a newline (a tenant cohort's name) appears only escaped.
func TestSweepReportEscapes(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	def := writeFile(t, filepath.Join(tmp, "s.toml"), `base = "akash-2024"
replications = 1
set = ["sim.warmup=10d", "sim.horizon=10d", "sim.sample_every=12h"]
design = "grid"

[[param]]
key = "tenants[0].name"
values = [`+q("a"+evil)+`, "plain"]

[[param]]
key = "providers[1].count"
values = [2, 4]
`)
	dir := filepath.Join(tmp, "sw")
	code, stdout, stderr := cli(t, "sweep", def, "--out", dir, "--quiet")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	page := string(readFile(t, filepath.Join(dir, reports.ReportFile)))
	assert.Equal(t, 2+strings.Count(page, `<script type="application/json" id="chart-`), strings.Count(page, "<script"))
	assert.False(t, strings.Contains(page, "<script>alert(1)"))
	assert.Contains(t, page, "a&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;\nx")
	checkSelfContained(t, page)
	// the value is a legend entry of the response chart's JSON, exactly
	found := false
	for _, m := range regexp.MustCompile(`<script type="application/json" id="[^"]*" data-chart="[^"]*">([^<]*)</script>`).FindAllStringSubmatch(page, -1) {
		var d struct{ Series []struct{ Name string } }
		require.NoError(t, json.Unmarshal([]byte(m[1]), &d))
		for _, s := range d.Series {
			found = found || s.Name == "tenants[0].name=a"+evil
		}
	}
	assert.True(t, found, "the swept value in the chart data")
}
