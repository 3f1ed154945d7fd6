package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
)

// Rows of the bad-input table for --precision and --max-reps.
func init() {
	badInputTable = append(badInputTable,
		cmdRow("run/precision unknown metric", func(e *badEnv) []string {
			return []string{"run", e.base(), "--precision", "gpu_util=0.1"}
		}, `--precision gpu_util=0.1: unknown metric "gpu_util"; the metrics are: gpu_utilization, cpu_utilization`),
		cmdRow("run/precision zero", func(e *badEnv) []string { return []string{"run", e.base(), "--precision", "gpu_utilization=0"} },
			`--precision "gpu_utilization=0": the target "0" must be a number > 0`),
		cmdRow("run/precision negative abs", func(e *badEnv) []string {
			return []string{"run", e.base(), "--precision", "gpu_utilization=abs:-0.1"}
		}, `the target "-0.1" must be a number > 0`),
		cmdRow("run/precision not a number", func(e *badEnv) []string { return []string{"run", e.base(), "--precision", "gpu_utilization=5%"} },
			`the target "5%" must be a number > 0`),
		cmdRow("run/precision without =", func(e *badEnv) []string { return []string{"run", e.base(), "--precision", "gpu_utilization"} },
			"want METRIC=REL"),
		cmdRow("run/precision twice", func(e *badEnv) []string {
			return []string{"run", e.base(), "--precision", "gpu_utilization=0.1", "--precision", "gpu_utilization=abs:0.01"}
		}, `metric "gpu_utilization" has two targets`),
		cmdRow("run/precision with reps", func(e *badEnv) []string {
			return []string{"run", e.base(), "--precision", "gpu_utilization=0.1", "--reps", "5"}
		}, "--precision and --reps", "--set sim.replications=N"),
		cmdRow("run/max-reps without precision", func(e *badEnv) []string { return []string{"run", e.base(), "--max-reps", "5"} },
			"--max-reps: only with --precision"),
		cmdRow("run/max-reps below sim.replications", func(e *badEnv) []string {
			return []string{"run", e.base(), "--set", "sim.replications=6", "--precision", "gpu_utilization=0.1", "--max-reps", "5"}
		}, "--max-reps 5: below the first batch of 6 replications (sim.replications = 6"),
		cmdRow("run/max-reps below the first batch of 2", func(e *badEnv) []string {
			return []string{"run", e.base(), "--precision", "gpu_utilization=0.1", "--max-reps", "1"}
		}, "--max-reps 1: below the first batch of 2 replications"),
	)
}

// TestRunPrecision: --precision stops at the same number of replications
// with --workers 1 and 2, says what it reached, and writes the folder of
// 'run --reps N' for that N plus "precision" in summary.json and
// manifest.json; a target it cannot meet stops at --max-reps, exits 0 and
// says so.
func TestRunPrecision(t *testing.T) {
	longOnly(t, "runs to a precision target with 1 and 2 workers")
	t.Parallel()
	tmp := t.TempDir()
	prec := concat(shorter, "--seed", "3", "--set", "sim.replications=3", "--precision", "gpu_utilization=0.05", "--precision", "burned_total=abs:1")
	w1 := filepath.Join(tmp, "w1")
	out := mustRun(t, concat([]string{"run", "--out", w1, "--workers", "1"}, prec...)...)
	w2 := filepath.Join(tmp, "w2")
	mustRun(t, concat([]string{"run", "--out", w2, "--workers", "2", "--quiet"}, prec...)...)

	var p reports.Precision
	require.NoError(t, json.Unmarshal(jsonField(t, filepath.Join(w1, "manifest.json"), "precision"), &p))
	n := p.Reps
	assert.True(t, p.Met)
	assert.Greater(t, n, 3)
	assert.Contains(t, out, "precision: gpu_utilization (mean over time): mean ")
	assert.Contains(t, out, "target 5% of |mean|: met")
	assert.Contains(t, out, "precision: burned_total (final): mean 0, 95% CI half-width 0 (0% of |mean|), target 1: met")
	assert.Contains(t, out, "precision: every target met after "+strconv.Itoa(n)+" replications")
	assert.Contains(t, out, "akash-2024: "+strconv.Itoa(n)+" replication(s)")

	plain := filepath.Join(tmp, "plain")
	mustRun(t, concat([]string{"run", "--out", plain, "--quiet", "--reps", strconv.Itoa(n)}, concat(shorter, "--seed", "3")...)...)
	a, b, c := snapshot(t, w1), snapshot(t, w2), snapshot(t, plain)
	require.Equal(t, len(c), len(a))
	for name, want := range c {
		switch name {
		case "summary.json", "manifest.json":
			pf, af, bf := jsonFields(t, []byte(want)), jsonFields(t, []byte(a[name])), jsonFields(t, []byte(b[name]))
			assert.NotContains(t, pf, "precision", "a plain run has no precision")
			assert.Contains(t, af, "precision")
			for _, f := range []map[string]json.RawMessage{pf, af, bf} {
				delete(f, "precision")
				delete(f, "wall_seconds")
				delete(f, "command")
			}
			assert.Equal(t, pf, af, name)
			assert.Equal(t, pf, bf, name)
		case reports.ReportFile: // the same but for the command line, as manifest.json
			cmdRow := regexp.MustCompile(`<tr><td>command</td><td>[^<]*</td></tr>`)
			strip := func(s string) string { return cmdRow.ReplaceAllString(s, "") }
			assert.True(t, strip(want) == strip(a[name]), "%s: but for the command, byte-identical to run --reps %d", name, n)
			assert.True(t, strip(want) == strip(b[name]), "%s: --workers 2", name)
		default:
			assert.Equal(t, want, a[name], "%s: byte-identical to run --reps %d", name, n)
			assert.Equal(t, want, b[name], "%s: --workers 2", name)
		}
	}
	var sp reports.Precision
	require.NoError(t, json.Unmarshal(jsonField(t, filepath.Join(w2, "summary.json"), "precision"), &sp))
	assert.Equal(t, p, sp, "summary.json and manifest.json agree, whatever the workers")

	// a target no run meets: --max-reps stops it, exit 0, said on stdout and stderr
	code, stdout, stderr := cli(t, concat([]string{"run", "--out", filepath.Join(tmp, "max")},
		concat(shorter, "--set", "sim.replications=1", "--precision", "gpu_utilization=1e-9", "--max-reps", "3")...)...)
	assert.Equal(t, exitOK, code, stderr)
	const hit = "precision: --max-reps 3 reached before every target was met: stopped after 3 replications (batches 2, 3)"
	assert.Contains(t, stdout, hit)
	assert.Contains(t, stdout, "NOT met")
	assert.Contains(t, stderr, hit)
}

// jsonField returns the field name of the JSON object in file path.
func jsonField(t *testing.T, path, name string) json.RawMessage {
	t.Helper()
	f := jsonFields(t, readFile(t, path))
	require.Contains(t, f, name, path)
	return f[name]
}

// jsonFields decodes a JSON object into its top-level fields.
func jsonFields(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}
