package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// bareAkash returns akash-2024's TOML without its [[assert]] entries, so
// that a test chooses the scenario's assertions.
func bareAkash(t *testing.T) string {
	t.Helper()
	text := mustRun(t, "show", "akash-2024")
	if i := strings.Index(text, "\n[[assert]]"); i >= 0 {
		text = text[:i+1]
	}
	return text
}

const (
	assertHolds = `
[[assert]]
name = "util-in-range"
metric = "gpu_utilization"
stat = "mean"
min = 0.0
max = 1.0
`
	assertFails = `
[[assert]]
name = "impossible-leases"
metric = "leases_active"
stat = "mean"
min = 1e9
message = "no market has a billion leases"
`
	assertLater = `
[[assert]]
name = "next-year"
metric = "cpu_utilization"
stat = "mean"
from = "370d"
to = "400d"
max = 1.0
`
)

// junitCounts sums a JUnit file's testsuites' counts.
func junitCounts(t *testing.T, path string) (tests, failures, skipped int) {
	t.Helper()
	var root struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Skipped  int `xml:"skipped,attr"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(readFile(t, path), &root))
	for _, s := range root.Suites {
		tests, failures, skipped = tests+s.Tests, failures+s.Failures, skipped+s.Skipped
	}
	return tests, failures, skipped
}

// TestCheckAssertions: check exits 1 when an assertion fails and names it,
// 0 when every check holds or is skipped; the JUnit file counts one
// testcase per invariant and assertion; run evaluates the same
// assertions, records them in its manifest and exits 0.
func TestCheckAssertions(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, filepath.Join(dir, "bad.toml"), bareAkash(t)+assertHolds+assertFails+assertLater)
	junit := filepath.Join(dir, "reports", "junit.xml") // a folder check makes
	code, stdout, stderr := cli(t, concat(concat([]string{"check", bad, "--reps", "2", "--junit", junit}, shorter...))...)
	require.Equal(t, exitRun, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "impossible-leases")
	assert.Contains(t, stdout, "no market has a billion leases")
	assert.Contains(t, stderr, "1 failed, 1 skipped")
	tests, failures, skipped := junitCounts(t, junit)
	assert.Equal(t, len(sim.Invariants())+3, tests)
	assert.Equal(t, 1, failures)
	assert.Equal(t, 1, skipped, "next-year's window ends after the 10-day horizon")

	good := writeFile(t, filepath.Join(dir, "good.toml"), bareAkash(t)+assertHolds+assertLater)
	out := mustRun(t, concat(concat([]string{"check", good, "--reps", "2"}, shorter...))...)
	assert.Contains(t, out, "util-in-range")

	// run reports the failure but exits 0; the manifest records it
	runDir := filepath.Join(dir, "run")
	out = mustRun(t, concat(concat([]string{"run", bad, "--reps", "2", "--out", runDir, "--check=sample"}, shorter...))...)
	assert.Contains(t, out, "assertions: 1 of 3 held, 1 failed, 1 skipped")
	assert.Contains(t, out, fmt.Sprintf("invariants: %d of %d held", len(sim.Invariants()), len(sim.Invariants())))
	var man struct {
		Checks struct {
			Invariants string `json:"invariants"`
			Passed     int    `json:"passed"`
			Failed     int    `json:"failed"`
			Skipped    int    `json:"skipped"`
			Results    []struct {
				Kind    string `json:"kind"`
				Name    string `json:"name"`
				Verdict string `json:"verdict"`
			} `json:"results"`
		} `json:"checks"`
	}
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(runDir, "manifest.json")), &man))
	assert.Equal(t, "samples", man.Checks.Invariants)
	assert.Equal(t, 1, man.Checks.Failed)
	assert.Equal(t, 1, man.Checks.Skipped)
	assert.Equal(t, len(sim.Invariants())+1, man.Checks.Passed)
	last := man.Checks.Results[len(man.Checks.Results)-2]
	assert.Equal(t, "impossible-leases", last.Name)
	assert.Equal(t, "fail", last.Verdict)
}

// TestCheckBadInput: every bad scenario, flag or baseline exits 2 before
// anything runs, names what is wrong and writes no JUnit file.
func TestCheckBadInput(t *testing.T) {
	dir := t.TempDir()
	unknownMetric := writeFile(t, filepath.Join(dir, "m.toml"), bareAkash(t)+strings.Replace(assertHolds, `"gpu_utilization"`, `"gpu_utilisation"`, 1))
	unknownStat := writeFile(t, filepath.Join(dir, "s.toml"), bareAkash(t)+strings.Replace(assertHolds, `"mean"`, `"average"`, 1))
	junit := filepath.Join(dir, "junit.xml")
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown metric", []string{unknownMetric}, []string{"assert[0].metric", "gpu_utilisation", "gpu_utilization", "resource_utilization"}},
		{"unknown stat", []string{unknownStat}, []string{"assert[0].stat", "average", "twmean", "share_above"}},
		{"no scenario", nil, []string{"at least one scenario"}},
		{"bad check", []string{"akash-2024", "--check", "always"}, []string{"--check", "always"}},
		{"bad format", []string{"akash-2024", "--format", "xml"}, []string{"--format", "github"}},
		{"bad alpha", []string{"akash-2024", "--alpha", "0.9"}, []string{"--alpha"}},
		{"twice", []string{"akash-2024", "akash-2024"}, []string{"both scenario", "akash-2024"}},
		{"no baseline", []string{"akash-2024", "--baseline", filepath.Join(dir, "none")}, []string{"no baseline", "--update-baseline"}},
		{"update without folder", []string{"akash-2024", "--update-baseline"}, []string{"--update-baseline", "--baseline DIR"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := cli(t, concat(append([]string{"check", "--junit", junit}, c.args...), shorter...)...)
			assert.Equal(t, exitUsage, code, stderr)
			for _, w := range c.want {
				assert.Contains(t, stderr, w)
			}
			assert.NoFileExists(t, junit)
		})
	}
}

// TestCheckBrokenInvariant: a run stopped by a broken invariant fails
// that invariant with the replication and time, skips the invariants not
// checked to the end and every assertion, and the JUnit failure carries
// the command that reproduces it.
func TestCheckBrokenInvariant(t *testing.T) {
	sc, err := scenarios.Parse(scenarios.Source{Name: "x.toml", Data: []byte(bareAkash(t) + assertHolds)}, nil)
	require.NoError(t, err)
	ie := &sim.InvariantError{Invariant: "capacity-not-oversold", Reason: "provider 3 leases 9 of 8 GPUs", At: 36 * sim.Hour, Event: "lease-start", Object: 3}
	err = &runner.ReplicationError{Rep: 2, Seed: 99, Err: ie}
	rs := failedRunResults(sc, sim.CheckSamples, err)
	require.Len(t, rs, len(sim.Invariants())+1)
	var failed []assertion.Result
	for _, r := range rs {
		if r.Verdict == assertion.Fail {
			failed = append(failed, r)
		} else {
			assert.Equal(t, assertion.Skip, r.Verdict, r.Name)
		}
	}
	require.Len(t, failed, 1)
	assert.Equal(t, "capacity-not-oversold", failed[0].Name)
	assert.Equal(t, 2, failed[0].Rep)
	assert.Equal(t, 36*sim.Hour, failed[0].At)
	cs := checkedScenario{Arg: "x.toml", Sets: []string{"sim.horizon=30d"}, Name: sc.Name, Reps: 5, Seed: 1, Check: "sample", Results: rs}
	cmd := reproduceCommand(cs, failed[0])
	assert.Contains(t, cmd, "depinsim run x.toml")
	assert.Contains(t, cmd, "--rep 2")
	assert.Contains(t, cmd, "--check=event")
	assert.Contains(t, cmd, "sim.horizon=30d")

	// a failure that is not an invariant skips every check and is the run's error
	rs = failedRunResults(sc, sim.CheckSamples, &runner.ReplicationError{Rep: 0, Err: errors.New("panic: boom")})
	for _, r := range rs {
		assert.Equal(t, assertion.Skip, r.Verdict, r.Name)
	}
}

// TestCheckBaseline: a baseline stored with --update-baseline passes
// against the same run and catches a deliberate change (the AKT take rate
// up one point) with the default replications, naming the metric. Under
// -short the runs are shorter's 10 days after a 10-day warmup instead of
// short's 20 after the preset's 60.
func TestCheckBaseline(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline")
	file := writeFile(t, filepath.Join(dir, "akash.toml"), bareAkash(t))
	span := short
	if testing.Short() {
		span = shorter
	}
	args := concat([]string{"check", file, "--baseline", base}, span...)
	mustRun(t, concat(args, "--update-baseline")...)
	var stored assertion.Baseline
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(base, "akash.json")), &stored))
	assert.Equal(t, "akash", stored.Scenario)
	assert.Len(t, stored.Seeds, 5, "akash-2024's default replications")
	assert.Len(t, stored.ScenarioHash, 64)

	mustRun(t, args...) // the same run: nothing moved

	junit := filepath.Join(dir, "junit.xml")
	code, stdout, stderr := cli(t, concat(args, "--set", "tokenomics.take_rate.akt=0.03", "--junit", junit)...)
	require.Equal(t, exitRun, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "fees_total")
	assert.Contains(t, stderr, "differs from its baseline")
	_, failures, _ := junitCounts(t, junit)
	assert.GreaterOrEqual(t, failures, 1)
}

// TestCheckBaselineFalseAlarms reruns a scenario under 40 other master
// seeds against one baseline: the number of reruns that report a moved
// metric is consistent with the documented family-wise false-alarm rate
// (assertion.DefaultAlpha), by a one-sided binomial test at 1%.
func TestCheckBaselineFalseAlarms(t *testing.T) {
	if testing.Short() {
		t.Skip("40 checks of akash-2024 over 20 days")
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline")
	file := writeFile(t, filepath.Join(dir, "akash.toml"), bareAkash(t))
	args := concat([]string{"check", file, "--baseline", base, "--quiet"}, short...)
	mustRun(t, concat(args, "--update-baseline")...)
	const reruns = 40
	alarms := 0
	for seed := 2; seed < 2+reruns; seed++ {
		code, stdout, stderr := cli(t, concat(args, "--set", fmt.Sprintf("sim.seed=%d", seed))...)
		switch code {
		case exitOK:
		case exitRun:
			alarms++
			t.Logf("seed %d: false alarm:\n%s", seed, stdout)
		default:
			t.Fatalf("seed %d: exit %d: %s", seed, code, stderr)
		}
	}
	p := binomialTail(alarms, reruns, assertion.DefaultAlpha)
	t.Logf("%d false alarms in %d reruns at a documented rate of %g: P(X >= %d) = %.4f", alarms, reruns, assertion.DefaultAlpha, alarms, p)
	assert.Greater(t, p, 0.01, "more false alarms than the documented rate explains")
}

// binomialTail returns P(X >= k) for X ~ Binomial(n, p).
func binomialTail(k, n int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	return 1 - distuv.Binomial{N: float64(n), P: p}.CDF(float64(k-1))
}

// TestMetricsCommand: 'depinsim metrics' lists every metric and family
// with its unit and kind, in text, CSV and JSON, and every statistic.
func TestMetricsCommand(t *testing.T) {
	text := mustRun(t, "metrics")
	for _, m := range sim.Metrics {
		assert.Contains(t, text, m.Name)
	}
	for _, f := range assertion.Families() {
		assert.Contains(t, text, f.Name+"["+f.Key+"]")
	}
	for _, s := range assertion.Stats() {
		assert.Contains(t, text, s.Name)
	}
	csvText := mustRun(t, "metrics", "--format", "csv")
	lines := strings.Split(strings.TrimSpace(csvText), "\n")
	assert.Equal(t, "metric,unit,kind,group,key,description", lines[0])
	assert.Len(t, lines, 1+len(sim.Metrics)+len(assertion.Families()))
	var js struct {
		Metrics []metricRow          `json:"metrics"`
		Stats   []assertion.StatInfo `json:"stats"`
	}
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, "metrics", "--format", "json")), &js))
	assert.Len(t, js.Metrics, len(sim.Metrics)+len(assertion.Families()))
	assert.NotEmpty(t, js.Stats)
	code, _, stderr := cli(t, "metrics", "--format", "yaml")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--format")
}

// TestCheckGitHubFormat: --format github writes ::error lines for the
// failures and appends a Markdown summary to $GITHUB_STEP_SUMMARY.
func TestCheckGitHubFormat(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	bad := writeFile(t, filepath.Join(dir, "bad.toml"), bareAkash(t)+assertHolds+assertFails)
	code, stdout, _ := cli(t, concat([]string{"check", bad, "--reps", "2", "--format", "github"}, shorter...)...)
	require.Equal(t, exitRun, code)
	assert.Contains(t, stdout, "::error")
	assert.Contains(t, stdout, "impossible-leases")
	md := string(readFile(t, summary))
	assert.Contains(t, md, "impossible-leases")
	assert.Contains(t, md, "|")
	_ = os.Remove(summary)
}

// TestExampleCI runs what examples/ci/demo.sh shows: the example scenario
// passes against its committed baseline (so the baseline is up to date
// with the model) and the AKT take rate one point higher fails it.
func TestExampleCI(t *testing.T) {
	file := filepath.Join("..", "..", "examples", "ci", "market.toml")
	base := filepath.Join("..", "..", "examples", "ci", "baseline")
	out := mustRun(t, "check", file, "--baseline", base, "--quiet")
	assert.Contains(t, out, "0 failed")
	code, stdout, stderr := cli(t, "check", file, "--baseline", base, "--quiet", "--set", "tokenomics.take_rate.akt=0.03")
	require.Equal(t, exitRun, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Regexp(t, `take_fees_usd_total .*MOVED`, stdout)
}

// TestCompareReportsAssertions: compare says, per scenario with [[assert]]
// entries, how many held and names the failed ones (each run folder's
// manifest records them), and the behaviour each scenario assumes.
func TestCompareReportsAssertions(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, filepath.Join(dir, "bad.toml"), bareAkash(t)+assertHolds+assertFails)
	out := mustRun(t, concat([]string{"compare", bad, "akash-2024", "--reps", "2", "--out", filepath.Join(dir, "cmp")}, shorter...)...)
	assert.Contains(t, out, "bad: 1 of 2 held, 1 failed (impossible-leases)")
	assert.Regexp(t, `akash-2024: \d+ of \d+ held`, out)
	// the behaviour each scenario assumes, on stdout and in compare.md
	assert.Contains(t, out, "bad: akash-reverse; providers bid cost-plus (8 cohort(s))")
	assert.Contains(t, string(readFile(t, filepath.Join(dir, "cmp", "compare.md"))), "providers bid cost-plus")
	var man struct {
		Checks struct {
			Failed int `json:"failed"`
		} `json:"checks"`
	}
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, "cmp", "bad", "manifest.json")), &man))
	assert.Equal(t, 1, man.Checks.Failed)
}

// TestCheckUpdateBaselineRefusesFailing: a scenario whose checks fail
// keeps its old baseline (none here) and the command exits 1 saying so.
func TestCheckUpdateBaselineRefusesFailing(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, filepath.Join(dir, "bad.toml"), bareAkash(t)+assertFails)
	code, stdout, _ := cli(t, concat([]string{"check", bad, "--reps", "2", "--update-baseline=" + filepath.Join(dir, "base")}, shorter...)...)
	assert.Equal(t, exitRun, code)
	assert.Contains(t, stdout, "was not updated")
	assert.NoFileExists(t, filepath.Join(dir, "base", "bad.json"))
}
