package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
)

// reportSections are the ids of the run report's sections that every run
// of akash-2024 has.
var reportSections = []string{"scenario", "provenance", "key-results", "market", "providers", "tenants", "token", "bids", "checks", "warnings"}

// checkSelfContained checks that page makes no reference to the network:
// no src or href to a URL (or a protocol-relative one), no <link>, every
// <script> inline.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?i)\b(src|href)\s*=\s*["']?([^"'\s>]*)`).FindAllStringSubmatch(page, -1) {
		v := strings.ToLower(m[2])
		assert.False(t, strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//"), "%s=%s points to the network", m[1], m[2])
		if strings.EqualFold(m[1], "href") {
			// within the page, or a file next to it (a comparison's run reports)
			assert.True(t, strings.HasPrefix(v, "#") || v != "" && !strings.ContainsAny(v, ":\\") && !strings.HasPrefix(v, "/"),
				"href=%s: only links within the page or to files next to it", m[2])
		}
	}
	assert.False(t, regexp.MustCompile(`(?i)<link\b`).MatchString(page), "no <link>")
	assert.False(t, regexp.MustCompile(`(?i)<script[^>]*\bsrc\s*=`).MatchString(page), "every script inline")
	assert.False(t, regexp.MustCompile(`(?i)@import|url\(\s*["']?(https?:)?//`).MatchString(page), "no style from the network")
}

func TestRunReport(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "run")
	mustRun(t, concat([]string{"run", "akash-2024", "--out", dir}, concat(short, "--reps", "2", "--quiet")...)...)
	page := string(readFile(t, filepath.Join(dir, reports.ReportFile)))

	t.Run("sections", func(t *testing.T) {
		for _, id := range reportSections {
			assert.True(t, strings.Contains(page, `<section id="`+id+`">`), "section %s", id)
		}
		for _, id := range []string{"chart-utilization", "chart-price", "chart-orders", "chart-providers", "chart-income", "chart-spend", "chart-supply", "chart-flow-minted", "chart-bids"} {
			assert.True(t, strings.Contains(page, `<figure class="chart" id="`+id+`">`), "chart %s", id)
			assert.True(t, strings.Contains(page, `<script type="application/json" id="`+id+`-data" data-chart="`+id+`">`))
		}
		assert.True(t, strings.Contains(page, "window.depinsimCharts"))
		assert.True(t, strings.Contains(page, `dataset.reportReady = "1"`))
		assert.True(t, strings.Contains(page, "Fewer than 5 replications"), "n = 2 is warned about")
	})
	t.Run("key numbers are the summary's", func(t *testing.T) {
		var sum reports.Summary
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, reports.SummaryFile)), &sum))
		var table bytes.Buffer
		sum.WriteTable(&table)
		lines := strings.Split(strings.TrimSpace(table.String()), "\n")[1:]
		require.NotEmpty(t, lines)
		for _, line := range lines {
			f := strings.Fields(line) // metric, statistic words, mean, [lo, hi], n, unit
			name := f[0]
			row := regexp.MustCompile(`<tr><td>` + regexp.QuoteMeta(name) + `</td><td>[^<]*</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td>`).FindStringSubmatch(page)
			require.NotNil(t, row, "row of %s", name)
			assert.Contains(t, line, " "+row[1]+" ", "%s: mean", name)
			assert.Contains(t, line, row[2], "%s: CI", name)
			assert.Equal(t, "2", row[3], "%s: n", name)
		}
	})
	t.Run("self-contained", func(t *testing.T) { checkSelfContained(t, page) })
	t.Run("report DIR rebuilds the same bytes", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(dir, reports.ReportFile)))
		mustRun(t, "report", dir)
		assert.True(t, page == string(readFile(t, filepath.Join(dir, reports.ReportFile))), "report DIR: the same bytes as run wrote")
	})
	t.Run("no-report", func(t *testing.T) {
		d := filepath.Join(tmp, "none")
		mustRun(t, concat([]string{"run", "akash-2024", "--out", d, "--no-report"}, concat(shorter, "--reps", "1", "--quiet")...)...)
		assert.NoFileExists(t, filepath.Join(d, reports.ReportFile))
		var man reports.Manifest
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(d, reports.ManifestFile)), &man))
		assert.NotContains(t, man.Files, reports.ReportFile)
		mustRun(t, "report", d)
		assert.FileExists(t, filepath.Join(d, reports.ReportFile))
	})
}

func TestReportWorkersByteIdentical(t *testing.T) {
	longOnly(t, "a run's report with 1 and 3 workers")
	t.Parallel()
	tmp := t.TempDir()
	page := func(workers string) string {
		d := filepath.Join(tmp, "w"+workers)
		mustRun(t, concat([]string{"run", "akash-2024", "--out", d, "--workers", workers}, concat(shorter, "--reps", "3", "--quiet")...)...)
		p := string(readFile(t, filepath.Join(d, reports.ReportFile)))
		// the command line (and so the folder) is the one difference
		return strings.NewReplacer(d, "DIR", "--workers "+workers, "").Replace(p)
	}
	assert.True(t, page("1") == page("3"), "--workers 1 and 3: the same report")
}

func TestReportBadFolder(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	code, _, stderr := cli(t, "report", tmp)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "not a run, comparison, sweep, sensitivity or calibration folder")
	require.NoError(t, os.MkdirAll(filepath.Join(tmp, "cmp"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(tmp, "sw"), 0o755))
	writeFile(t, filepath.Join(tmp, "cmp", reports.ManifestFile), `{"kind":"compare","scenarios":[]}`)
	code, _, stderr = cli(t, "report", filepath.Join(tmp, "cmp"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "not a comparison folder")
	assert.Contains(t, stderr, "no scenarios")
	writeFile(t, filepath.Join(tmp, "cmp", reports.ManifestFile), `{"kind":"compare","scenarios":[{"name":"a"}]}`)
	code, _, stderr = cli(t, "report", filepath.Join(tmp, "cmp"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "scenario a")
	writeFile(t, filepath.Join(tmp, "cmp", reports.ManifestFile), `{"kind":"other"}`)
	code, _, stderr = cli(t, "report", filepath.Join(tmp, "cmp"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "not a run, comparison, sweep, sensitivity or calibration folder")
	writeFile(t, filepath.Join(tmp, "sw", reports.SweepManifestFile), `{}`)
	code, _, stderr = cli(t, "report", filepath.Join(tmp, "sw"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "sweep folder")
	for _, d := range []string{"cmp", "sw"} {
		assert.NoFileExists(t, filepath.Join(tmp, d, reports.ReportFile), "nothing half-written")
	}
	code, _, _ = cli(t, "report")
	assert.Equal(t, exitUsage, code)
}

// evil is a name that would break a page that did not escape it.
const evil = "</script><script>alert(1)</script>\"'&\nx"

func TestReportEscapesNames(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	toml := mustRun(t, "show", "akash-2024")
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) } // a TOML basic string
	toml = strings.Replace(toml, `name = "akash-2024"`, `name = `+q("scen"+evil), 1)
	toml = strings.ReplaceAll(toml, `"gpu-h100"`, q("coh"+evil))
	toml = strings.ReplaceAll(toml, "h100 = ", q("gpu"+evil)+" = ")
	src := writeFile(t, filepath.Join(tmp, "evil.toml"), toml)
	dir := filepath.Join(tmp, "run")
	code, stdout, stderr := cli(t, concat([]string{"run", src, "--out", dir}, concat(shorter, "--reps", "1", "--quiet")...)...)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s\nscenario:\n%s", stdout, stderr, toml)
	page := string(readFile(t, filepath.Join(dir, reports.ReportFile)))
	assert.Equal(t, 2+strings.Count(page, `<script type="application/json" id="chart-`), strings.Count(page, "<script"),
		"only the page's two scripts and its charts' JSON blocks open a script element")
	assert.Equal(t, strings.Count(page, "<script"), strings.Count(page, "</script>"), "every script element closes once")
	assert.False(t, strings.Contains(page, "<script>alert(1)"))
	assert.False(t, strings.Contains(page, `"'&`+"\nx"))
	checkSelfContained(t, page)
	// the inline JSON reads back to the names exactly
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`<script type="application/json" id="[^"]*" data-chart="[^"]*">([^<]*)</script>`).FindAllStringSubmatch(page, -1) {
		var d struct {
			Series []struct{ Name string } `json:"series"`
		}
		require.NoError(t, json.Unmarshal([]byte(m[1]), &d))
		for _, s := range d.Series {
			names[s.Name] = true
		}
	}
	assert.True(t, names["coh"+evil], "the cohort's name in the chart data: %v", names)
	assert.True(t, names["gpu:gpu"+evil], "the GPU model's name in the chart data: %v", names)
}
