package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/sweep"
)

func init() {
	sw := func(e *badEnv, text string) string { return e.file("sw.toml", []byte(text)) }
	const param = "\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5, 20]\n"
	badInputTable = append(badInputTable,
		cmdRow("sweep/no argument", func(e *badEnv) []string {
			return []string{"sweep", "--out", e.out}
		}, "want one sweep file"),
		cmdRow("sweep/missing file", func(e *badEnv) []string {
			return []string{"sweep", filepath.Join(e.dir, "nope.toml"), "--out", e.out}
		}, "DIR/nope.toml: cannot read the sweep file"),
		cmdRow("sweep/bad design", func(e *badEnv) []string {
			return []string{"sweep", sw(e, "base = \"akash-2024\"\ndesign = \"sobol\"\n"+param), "--out", e.out}
		}, `DIR/sw.toml: design: "sobol": want one of grid, zip, lhs, halton, random`),
		cmdRow("sweep/unknown key", func(e *badEnv) []string {
			return []string{"sweep", sw(e, "base = \"akash-2024\"\ndesign = \"grid\"\nreps = 3\n"+param), "--out", e.out}
		}, "DIR/sw.toml: reps: unknown key"),
		cmdRow("sweep/zip unequal", func(e *badEnv) []string {
			return []string{"sweep", sw(e, "base = \"akash-2024\"\ndesign = \"zip\"\n"+param+"\n[[param]]\nkey = \"sim.horizon\"\nvalues = [\"2d\"]\n"), "--out", e.out}
		}, "DIR/sw.toml: param[1]: sim.horizon has 1 values but market.max_bids has 2"),
		cmdRow("sweep/base missing", func(e *badEnv) []string {
			return []string{"sweep", sw(e, "base = \"none.toml\"\ndesign = \"grid\"\n"+param), "--out", e.out}
		}, `DIR/sw.toml: base: "none.toml": no file DIR/none.toml`),
		cmdRow("sweep/invalid point", func(e *badEnv) []string {
			return []string{"sweep", sw(e, "base = \"akash-2024\"\ndesign = \"grid\"\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5, -3]\n"), "--out", e.out}
		}, "DIR/sw.toml: point 1 (market.max_bids=-3): ", "market.max_bids"),
		cmdRow("sweep/unknown swept key", func(e *badEnv) []string {
			return []string{"sweep", e.base(), "--grid", "sim.nope=1,2", "--out", e.out}
		}, "--grid: point 0 (sim.nope=1): ", "sim.nope"),
		cmdRow("sweep/initial state point", func(e *badEnv) []string {
			return []string{"sweep", e.base(), "--grid", "providers[0].count=4,-1", "--out", e.out}
		}, "--grid: point 1 (providers[0].count=-1): ", "providers[0].count"),
		cmdRow("sweep/grid without values", func(e *badEnv) []string {
			return []string{"sweep", e.base(), "--grid", "market.max_bids", "--out", e.out}
		}, `--grid: "market.max_bids": want key=v1,v2`),
		cmdRow("sweep/grid unbalanced", func(e *badEnv) []string {
			return []string{"sweep", e.base(), "--grid", "market.take_rate=[1, 2", "--out", e.out}
		}, "--grid: market.take_rate: ", "unclosed bracket"),
		cmdRow("sweep/bad set", func(e *badEnv) []string {
			return []string{"sweep", e.base(), "--grid", "market.max_bids=5,6", "--set", "sim.nope=1", "--out", e.out}
		}, "--grid: set: the base scenario with the sweep's set", "sim.nope"),
		cmdRow("sweep/negative workers", func(e *badEnv) []string {
			return []string{"sweep", e.base(), "--grid", "market.max_bids=5,6", "--workers", "-1", "--out", e.out}
		}, "--workers: must be >= 0"),
		cmdRow("sweep/bad progress", func(e *badEnv) []string {
			return []string{"sweep", e.base(), "--grid", "market.max_bids=5,6", "--progress", "fancy", "--out", e.out}
		}, `--progress: "fancy": want auto, plain or none`),
	)
}

// sweepArgs is a small sweep: a 2x2 grid over akash-2024, 5 days, 2
// replications.
var sweepArgs = []string{"sweep", "akash-2024", "--grid", "market.max_bids=5,20", "--grid", "providers[0].count=2,6",
	"--set", "sim.horizon=5d", "--set", "sim.warmup=0s", "--set", "sim.replications=2", "--quiet"}

// TestSweepEndToEnd: the data files do not depend on the workers, a row
// of runs.csv holds the statistics a plain run of the point reports, and
// the folder is refused when not empty unless --force.
func TestSweepEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	one, two := filepath.Join(dir, "w1"), filepath.Join(dir, "w2")
	mustRun(t, concat(sweepArgs, "--out", one, "--workers", "1")...)
	mustRun(t, concat(sweepArgs, "--out", two, "--workers", "2")...)
	var man sweep.Manifest
	b, err := os.ReadFile(filepath.Join(one, reports.SweepManifestFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &man))
	var plots []string
	for _, f := range man.Files {
		if strings.HasPrefix(f, reports.PlotsDir+"/") {
			plots = append(plots, f)
		}
	}
	// 4 default metrics, 2 params: a response plot per (metric, param) and a heatmap per metric
	require.Len(t, plots, 4*3)
	assert.Contains(t, plots, "plots/gpu_utilization-vs-providers_0_.count.png")
	assert.Contains(t, plots, "plots/gpu_utilization-heatmap.png")
	for _, f := range append([]string{reports.SweepRunsFile, reports.SweepRunsFile + ".meta.json", reports.SweepRunsParquetFile,
		reports.SweepPointsFile, reports.SweepDefinitionFile, reports.SweepManifestFile}, plots...) {
		a, err := os.ReadFile(filepath.Join(one, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(two, f))
		require.NoError(t, err)
		assert.Equal(t, string(a), string(b), "%s is the same for 1 and 2 workers", f)
	}
	var log sweep.Log
	b, err = os.ReadFile(filepath.Join(two, reports.SweepLogFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &log))
	assert.Equal(t, 2, log.Workers)

	assert.Equal(t, 4, man.Points)
	assert.Equal(t, 2, man.Replications)
	assert.Equal(t, "grid", man.Design)
	assert.Len(t, man.BaseSHA256, 64)
	assert.Len(t, man.SweepSHA256, 64)

	runs := readCSV(t, filepath.Join(one, reports.SweepRunsFile))
	require.Len(t, runs, 1+8)
	head := runs[0]
	assert.Equal(t, []string{"point", "market.max_bids", "providers[0].count", "rep", "seed", "status", "error"}, head[:7])
	assert.Len(t, head, 7+sim.NumMetrics)
	points := readCSV(t, filepath.Join(one, reports.SweepPointsFile))
	require.Len(t, points, 1+4)

	// runs.parquet holds the rows of runs.csv, in its column order, typed,
	// with the provenance of sweep.json as key-value metadata
	cols, pq, meta, err := reports.ReadParquetTable(filepath.Join(one, reports.SweepRunsParquetFile))
	require.NoError(t, err)
	require.Len(t, cols, len(head))
	for i, c := range cols {
		assert.Equal(t, head[i], c.Name)
	}
	assert.Equal(t, reports.ColFloat64, cols[1].Kind, "a numeric swept key is a float column")
	assert.Equal(t, reports.ColUint64, cols[4].Kind, "seed")
	require.Len(t, pq, len(runs)-1)
	for i, row := range pq {
		for j, v := range row {
			var got string
			switch v.Kind() {
			case reports.ColString:
				got = v.Str()
			case reports.ColInt64:
				got = strconv.FormatInt(v.Int64(), 10)
			case reports.ColUint64:
				got = strconv.FormatUint(v.Uint64(), 10)
			default:
				if f := v.Float64(); !math.IsNaN(f) {
					got = strconv.FormatFloat(f, 'g', -1, 64)
				}
			}
			assert.Equal(t, runs[1+i][j], got, "row %d column %s", i, head[j])
		}
	}
	assert.Equal(t, man.BaseSHA256, meta["base_sha256"])
	assert.Equal(t, man.SweepSHA256, meta["sweep_sha256"])
	assert.Equal(t, "1", meta["master_seed"])
	assert.Equal(t, "grid", meta["design"])

	// point 3 is max_bids 20, providers[0].count 6: a plain run of it
	runDir := filepath.Join(dir, "run")
	mustRun(t, "run", "akash-2024", "--out", runDir, "--quiet", "--set", "sim.horizon=5d", "--set", "sim.warmup=0s",
		"--set", "sim.replications=2", "--set", "market.max_bids=20", "--set", "providers[0].count=6")
	var sum reports.Summary
	b, err = os.ReadFile(filepath.Join(runDir, reports.SummaryFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sum))
	at := map[[2]string][]string{}
	for _, row := range runs[1:] {
		at[[2]string{row[0], row[3]}] = row
	}
	for rep := range 2 {
		row := at[[2]string{"3", strconv.Itoa(rep)}]
		require.Equal(t, []string{"3", "20", "6", strconv.Itoa(rep)}, row[:4])
		assert.Equal(t, strconv.FormatUint(sim.ReplicationSeed(1, rep), 10), row[4])
		assert.Equal(t, "ok", row[5])
		for m := range sim.NumMetrics {
			st := sum.Metrics[m].TimeMean
			if sweep.Statistic(m) == "final" {
				st = sum.Metrics[m].Final
			}
			want := ""
			if v := float64(st.PerRep[rep]); !math.IsNaN(v) {
				want = strconv.FormatFloat(v, 'g', -1, 64)
			}
			assert.Equal(t, want, row[7+m], "%s rep %d", head[7+m], rep)
		}
	}

	code, _, stderr := cli(t, concat(sweepArgs, "--out", one)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "folder is not empty")
	// --force removes the old plots (a plot of a metric no longer chosen
	// included) but not a file of another name in plots/
	stale := filepath.Join(one, reports.PlotsDir, "token_supply-vs-market.max_bids.png")
	keep := filepath.Join(one, reports.PlotsDir, "mine.png")
	require.NoError(t, os.WriteFile(stale, []byte("old"), 0o644))
	require.NoError(t, os.WriteFile(keep, []byte("mine"), 0o644))
	mustRun(t, concat(sweepArgs, "--out", one, "--force")...)
	assert.NoFileExists(t, stale)
	assert.FileExists(t, keep)
	require.NoError(t, os.Remove(keep))
	entries, err := os.ReadDir(one)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{reports.PlotsDir}
	for _, f := range reports.SweepFiles() {
		if f != reports.SweepStateFile && f != reports.SweepShardFile {
			want = append(want, f)
		}
	}
	slices.Sort(want)
	assert.Equal(t, want, names, "--force cleared and rewrote the sweep's files only")
	pe, err := os.ReadDir(filepath.Join(one, reports.PlotsDir))
	require.NoError(t, err)
	assert.Len(t, pe, len(plots))
}

// TestSweepFailedRun: a failed run is a row with status failed and its
// error, the others run, the files are written and the exit code is 1
// with a summary naming the run. (Not parallel: it sets sweepRecorder.)
func TestSweepFailedRun(t *testing.T) {
	failRuns(t, func(point, rep int) bool { return point == 2 && rep == 1 })
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, concat(sweepArgs, "--out", dir, "--workers", "2")...)
	assert.Equal(t, exitRun, code)
	assert.Contains(t, stderr, "1 of 8 runs failed")
	assert.Contains(t, stderr, "point 2 (market.max_bids=20, providers[0].count=2) rep 1 seed ")
	assert.Contains(t, stderr, "panic: boom")
	runs := readCSV(t, filepath.Join(dir, reports.SweepRunsFile))
	for _, row := range runs[1:] {
		if row[0] == "2" && row[3] == "1" {
			assert.Equal(t, "failed", row[5])
			assert.Contains(t, row[6], "panic: boom")
			assert.Equal(t, "", row[7])
		} else {
			assert.Equal(t, "ok", row[5], "row %v", row[:4])
		}
	}
	var man sweep.Manifest
	b, err := os.ReadFile(filepath.Join(dir, reports.SweepManifestFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &man))
	assert.Equal(t, []string{"point 2 rep 1"}, man.Failed)
}

// TestSweepFailFastPlainProgress: with --fail-fast the sweep stops at
// the failed run (exit code 1, naming it) and writes fewer rows; plain
// progress prints whole lines with the runs done, failed, rate and ETA,
// and no carriage return. (Not parallel: it sets sweepRecorder.)
func TestSweepFailFastPlainProgress(t *testing.T) {
	failRuns(t, func(point, rep int) bool { return rep == 0 })
	dir := filepath.Join(t.TempDir(), "out")
	args := slices.DeleteFunc(slices.Clone(sweepArgs), func(a string) bool { return a == "--quiet" })
	code, _, stderr := cli(t, concat(args, "--out", dir, "--workers", "1", "--fail-fast", "--progress=plain")...)
	assert.Equal(t, exitRun, code)
	assert.Contains(t, stderr, "stopped at the first failed run (--fail-fast): point ")
	assert.Contains(t, stderr, "rep 0 seed ")
	assert.Contains(t, stderr, "; 1 of 8 runs written")
	assert.NotContains(t, stderr, "\r")
	assert.Regexp(t, `(?m)^running: 1/8 runs done, 1 failed, [0-9.e+]+/s, ETA [0-9hms.]+, [0-9.]+ s elapsed$`, stderr)
	runs := readCSV(t, filepath.Join(dir, reports.SweepRunsFile))
	assert.Len(t, runs, 2, "the header and the failed run")
	assert.Equal(t, "failed", runs[1][5])

	// without --fail-fast: every run, plain lines up to 8/8
	sweepRecorder = nil
	dir2 := filepath.Join(t.TempDir(), "out")
	code, _, stderr = cli(t, concat(args, "--out", dir2, "--workers", "2", "--progress=plain")...)
	assert.Equal(t, 0, code, stderr)
	assert.NotContains(t, stderr, "\r")
	assert.Contains(t, stderr, "running: 8/8 runs done, 0 failed, ")
	assert.GreaterOrEqual(t, strings.Count(stderr, "\nrunning: ")+1, 5, "a line per tenth at least every other run: %s", stderr)
}

// TestSweepIndependentSeeds: --independent-seeds gives every run a seed
// of its own, recorded in runs.csv and sweep.json's seed_derivation; by
// default replication r has the same seed at every point.
func TestSweepIndependentSeeds(t *testing.T) {
	t.Parallel()
	seeds := func(extra ...string) (map[string]bool, string) {
		dir := filepath.Join(t.TempDir(), "out")
		mustRun(t, concat(concat(sweepArgs, "--out", dir, "--workers", "2"), extra...)...)
		got := map[string]bool{}
		for _, row := range readCSV(t, filepath.Join(dir, reports.SweepRunsFile))[1:] {
			got[row[4]] = true
		}
		var man sweep.Manifest
		b, err := os.ReadFile(filepath.Join(dir, reports.SweepManifestFile))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &man))
		return got, man.SeedDerivation
	}
	crn, crnDeriv := seeds()
	assert.Len(t, crn, 2, "2 replications, the same seeds at every point")
	assert.Contains(t, crnDeriv, "common random numbers")
	ind, indDeriv := seeds("--independent-seeds")
	assert.Len(t, ind, 8, "every run its own seed")
	assert.Contains(t, indDeriv, "independent seeds")
}

// TestQuickSweepMetrics: --metrics chooses the metrics a quick sweep
// plots (its sweep.toml records them, sweep.json lists them); an unknown
// metric, or --metrics with a sweep file, is bad input naming the flag.
func TestQuickSweepMetrics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "q")
	quick := []string{"sweep", "akash-2024", "--grid", "market.max_bids=5,20", "--set", "sim.horizon=2d", "--set", "sim.warmup=0s", "--quiet"}
	mustRun(t, concat(quick, "--metrics", "token_supply,gpu_utilization", "--out", out)...)
	plots, err := filepath.Glob(filepath.Join(out, reports.PlotsDir, "*.png"))
	require.NoError(t, err)
	var names []string
	for _, p := range plots {
		names = append(names, filepath.Base(p))
	}
	assert.ElementsMatch(t, []string{"token_supply-vs-market.max_bids.png", "gpu_utilization-vs-market.max_bids.png"}, names)
	assert.Contains(t, string(readFile(t, filepath.Join(out, reports.SweepDefinitionFile))), `metrics = ["token_supply", "gpu_utilization"]`)
	var m struct {
		Metrics []string `json:"metrics"`
	}
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(out, reports.SweepManifestFile)), &m))
	assert.Equal(t, []string{"token_supply", "gpu_utilization"}, m.Metrics)

	file := writeFile(t, filepath.Join(dir, "s.toml"), "base = \"akash-2024\"\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5, 20]\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{concat(quick, "--metrics", "gpu_utilization,nope", "--out", filepath.Join(dir, "bad")), `--metrics: metrics[1]: "nope": no such metric`},
		{[]string{"sweep", file, "--metrics", "gpu_utilization", "--out", filepath.Join(dir, "bad")}, "--metrics: only with --grid"},
	} {
		code, _, stderr := cli(t, c.args...)
		assert.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, c.want)
		assert.NoDirExists(t, filepath.Join(dir, "bad"))
	}
}

// failRuns makes the sweeps this test runs in this process fail the runs
// for which fail holds (their recorder panics), until the test ends. Not
// for parallel tests: it sets sweepRecorder.
func failRuns(t *testing.T, fail func(point, rep int) bool) {
	t.Helper()
	sweepRecorder = func(point, rep int) sim.Recorder {
		return sim.RecorderFunc(func(*sim.Sample) {
			if fail(point, rep) {
				panic("boom")
			}
		})
	}
	t.Cleanup(func() { sweepRecorder = nil })
}
