package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sensitivity"
)

// tinySensitivity is a Morris analysis of akash-2024 small enough for
// the tests: 3 trajectories of 2 factors (9 points) x 2 replications of
// a few days.
const tinySensitivity = `base = "akash-2024"
seed = 7
replications = 2
set = ["sim.warmup=0d", "sim.horizon=HORIZON", "sim.sample_every=1d"]
method = "morris"
samples = 3
[[factor]]
key = "tenants[2].arrivals_per_day"
dist = "uniform"
min = 9
max = 36
[[factor]]
key = "providers[1].count"
dist = "uniform"
min = 4
max = 12
integer = true
[[output]]
name = "gpu-utilization"
metric = "gpu_utilization"
stat = "mean"
[[output]]
name = "supply"
metric = "token_supply"
stat = "final"
`

// writeSensitivity writes the sensitivity file text, with its horizon,
// into a temporary folder and returns its path.
func writeSensitivity(t *testing.T, text, horizon string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sa.toml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(text, "HORIZON", horizon, 1)), 0o644))
	return path
}

// sameSensitivityFolder requires the folders a and b to hold the same
// files, byte for byte, run.log.json aside, and no journal or state.
func sameSensitivityFolder(t *testing.T, a, b string) {
	t.Helper()
	sa, sb := snapshot(t, a), snapshot(t, b)
	for _, s := range []map[string]string{sa, sb} {
		require.NotEmpty(t, s[sensitivity.RunsFile])
		assert.NotContains(t, s, sensitivity.JournalFile)
		assert.NotContains(t, s, sensitivity.StateFile)
		delete(s, sensitivity.LogFile)
	}
	assert.Equal(t, len(sa), len(sb), "%s and %s hold as many files", a, b)
	for name, want := range sa {
		got, ok := sb[name]
		if assert.True(t, ok, "%s has %s", b, name) {
			assert.True(t, want == got, "%s is the same in %s and %s", name, a, b)
		}
	}
}

// TestSensitivityWorkersShardsMerge: the command writes the same folder
// for --workers 1 and 2, and the merge of its shards (given in any
// order) is that folder too; run.log.json records each execution;
// --no-report writes no report. Under -short, the analysis with one
// worker only: its files are there.
func TestSensitivityWorkersShardsMerge(t *testing.T) {
	file := writeSensitivity(t, tinySensitivity, "3d")
	tmp := t.TempDir()
	one, two := filepath.Join(tmp, "one"), filepath.Join(tmp, "two")
	mustRun(t, "sensitivity", file, "--out", one, "--workers", "1", "--quiet")
	for _, f := range []string{sensitivity.IndicesFile, sensitivity.IndicesParquet, sensitivity.ConvergenceFile, sensitivity.PointsFile, sensitivity.DefinitionFile, reports.ReportFile} {
		assert.FileExists(t, filepath.Join(one, f))
	}
	if testing.Short() {
		return // 2 workers, shards merged, --no-report, a resume: make test-long
	}
	mustRun(t, "sensitivity", file, "--out", two, "--workers", "2", "--quiet", "--progress", "plain")
	sameSensitivityFolder(t, one, two)
	assert.Contains(t, string(readFile(t, filepath.Join(two, sensitivity.LogFile))), `"workers": 2`)

	var shards []string
	for _, s := range []string{"3/3", "1/3", "2/3"} {
		dir := filepath.Join(tmp, "shard-"+s[:1])
		out := mustRun(t, "sensitivity", file, "--out", dir, "--shard", s, "--workers", "2")
		assert.Contains(t, out, "shard "+s)
		assert.FileExists(t, filepath.Join(dir, sensitivity.ShardFile))
		assert.NoFileExists(t, filepath.Join(dir, sensitivity.IndicesFile), "a shard estimates nothing")
		shards = append(shards, dir)
	}
	merged := filepath.Join(tmp, "merged")
	mustRun(t, concat(append([]string{"sensitivity", file, "--merge"}, shards...), "--out", merged, "--quiet")...)
	sameSensitivityFolder(t, one, merged)
	assert.Contains(t, string(readFile(t, filepath.Join(merged, sensitivity.LogFile))), `"shards"`)

	// a missing shard is bad input, and nothing is written
	bad := filepath.Join(tmp, "bad")
	code, _, stderr := cli(t, "sensitivity", file, "--merge", shards[0], shards[1], "--out", bad)
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "shard(s) 2/3 missing")
	assert.NoDirExists(t, bad)

	// 'depinsim merge' is for sweeps: it names the command that merges these
	code, _, stderr = cli(t, "merge", shards[0], "--out", bad)
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "depinsim sensitivity SA.toml --merge")
	assert.NoDirExists(t, bad)

	// --no-report
	nr := filepath.Join(tmp, "noreport")
	mustRun(t, "sensitivity", file, "--out", nr, "--no-report", "--quiet")
	assert.NoFileExists(t, filepath.Join(nr, "report.html"))
	assert.FileExists(t, filepath.Join(nr, sensitivity.IndicesFile))

	// a resume of the finished folder runs nothing
	out := mustRun(t, "sensitivity", file, "--out", one, "--resume")
	assert.Contains(t, out, "already holds this analysis, finished")
	code, _, stderr = cli(t, "sensitivity", file, "--out", one, "--resume", "--seed", "8")
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, `master_seed: "8", not "7"`)
}

// TestSensitivityBadFiles: a bad file (an unknown key, a bad factor
// range, an unknown output metric) is bad input: exit code 2, the file
// and the key named, and nothing created.
func TestSensitivityBadFiles(t *testing.T) {
	for _, c := range []struct{ name, from, to, want string }{
		{"unknown key", "method = \"morris\"", "method = \"morris\"\nsamplez = 3", "samplez"},
		{"bad range", "min = 9\nmax = 36", "min = 36\nmax = 9", "factor"},
		{"unknown metric", "metric = \"gpu_utilization\"", "metric = \"gpu_utilisation\"", "gpu_utilisation"},
		{"unknown factor key", "tenants[2].arrivals_per_day", "tenants[2].arrivals_a_day", "arrivals_a_day"},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Contains(t, tinySensitivity, c.from)
			file := writeSensitivity(t, strings.Replace(tinySensitivity, c.from, c.to, 1), "3d")
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := cli(t, "sensitivity", file, "--out", out)
			assert.Equal(t, exitUsage, code, "stdout %s stderr %s", stdout, stderr)
			assert.Contains(t, stderr, "sa.toml")
			assert.Contains(t, stderr, c.want)
			assert.NoDirExists(t, out)
		})
	}
}

// TestSensitivityRefused: runs without a value under the policy refuse
// exit with 1 (as a sweep's failed runs do), naming the points, and keep
// runs.csv and points.csv but write no index; --resume then finds the
// analysis finished.
func TestSensitivityRefused(t *testing.T) {
	file := writeSensitivity(t, strings.Replace(tinySensitivity, `stat = "final"`, "stat = \"final\"\nfrom = \"20d\"", 1), "3d")
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "sensitivity", file, "--out", out, "--quiet")
	assert.Equal(t, exitRun, code, stderr)
	assert.Contains(t, stderr, "18 run(s) give no value")
	assert.Contains(t, stderr, "point 0 (tenants[2].arrivals_per_day=")
	assert.FileExists(t, filepath.Join(out, sensitivity.RunsFile))
	assert.FileExists(t, filepath.Join(out, sensitivity.PointsFile))
	assert.NoFileExists(t, filepath.Join(out, sensitivity.IndicesFile))
	assert.NoFileExists(t, filepath.Join(out, sensitivity.JournalFile))
	assert.NoFileExists(t, filepath.Join(out, sensitivity.StateFile))
	code, stdout, stderr := cli(t, "sensitivity", file, "--out", out, "--resume")
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "nothing to run")
}
