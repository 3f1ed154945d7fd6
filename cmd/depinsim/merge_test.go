package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/sweep"
)

// sameSweepFolder checks that the sweep folders a and b hold the same
// files, byte for byte, run.log.json aside.
func sameSweepFolder(t *testing.T, a, b string) {
	t.Helper()
	sa, sb := snapshot(t, a), snapshot(t, b)
	delete(sa, reports.SweepLogFile)
	delete(sb, reports.SweepLogFile)
	require.NotEmpty(t, sa[reports.SweepManifestFile], "%s is complete", a)
	assert.Equal(t, len(sa), len(sb), "%s and %s hold as many files", a, b)
	for name, want := range sa {
		got, ok := sb[name]
		if assert.True(t, ok, "%s has %s", b, name) {
			assert.True(t, want == got, "%s is the same in %s and %s", name, a, b)
		}
	}
}

// interruptedSweep runs the command line in this process and stops it as
// SIGINT would once n runs have started (the recorder of the n-th run
// cancels the context); it returns the exit code and stderr. Not for
// parallel tests: it sets sweepRecorder.
func interruptedSweep(t *testing.T, n int, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var started atomic.Int64
	sweepRecorder = func(point, rep int) sim.Recorder {
		if started.Add(1) == int64(n) {
			cancel(signalled{os.Interrupt})
		}
		return sim.RecorderFunc(func(*sim.Sample) {})
	}
	defer func() { sweepRecorder = nil }()
	code, _, stderr := cliContext(ctx, args...)
	return code, stderr
}

// shardSweeps runs sweepArgs as n shards into dir/s1... and returns
// their folders, from the last to the first.
func shardSweeps(t *testing.T, dir string, n int) []string {
	var out []string
	for i := n; i >= 1; i-- {
		d := filepath.Join(dir, "s"+strconv.Itoa(i))
		mustRun(t, concat(sweepArgs, "--shard", sweep.ShardSpec(i, n), "--out", d, "--workers", strconv.Itoa(1+i%3))...)
		out = append(out, d)
	}
	return out
}

// TestSweepShardMerge: the shards of a sweep merged give the unsharded
// sweep's folder byte for byte, for 1 shard, 3 shards and 10 shards (more
// than the 8 runs: shards 9 and 10 are empty), the shard folders given in
// any order; each shard holds exactly its runs k % N == I-1
// (TestSweepShardMergeTimeseries, in make test too, merges 3 shards of
// several runs into the unsharded folder).
func TestSweepShardMerge(t *testing.T) {
	longOnly(t, "a sweep in 1, 3 and 10 shards, merged")
	t.Parallel()
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	mustRun(t, concat(sweepArgs, "--out", ref)...)
	refRuns := readCSV(t, filepath.Join(ref, reports.SweepRunsFile))
	for _, n := range []int{1, 3, 10} {
		sd := filepath.Join(dir, "n"+strconv.Itoa(n))
		shards := shardSweeps(t, sd, n)
		for j, s := range shards {
			i := n - j
			rows := readCSV(t, filepath.Join(s, reports.SweepRunsFile))
			want := [][]string{}
			for k := i - 1; k < len(refRuns)-1; k += n {
				want = append(want, refRuns[1+k])
			}
			assert.Equal(t, want, rows[1:], "shard %d/%d holds runs k %% %d == %d", i, n, n, i-1)
			assert.FileExists(t, filepath.Join(s, reports.SweepShardFile))
			assert.NoFileExists(t, filepath.Join(s, reports.SweepStateFile))
		}
		merged := filepath.Join(sd, "merged")
		out := mustRun(t, concat([]string{"merge"}, append(shards, "--out", merged)...)...)
		assert.Contains(t, out, "merged "+strconv.Itoa(n)+" shard(s)")
		sameSweepFolder(t, ref, merged)
		var log sweep.Log
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(merged, reports.SweepLogFile)), &log))
		assert.Len(t, log.Shards, n)
		assert.Equal(t, "merge", log.Command[1])
	}
}

// TestSweepShardMergeTimeseries: with --timeseries, the merge copies
// each shard's time-series files, and the merged folder is the unsharded
// sweep's, dataset included; a shard missing a run's file is refused,
// naming it, and leaves no merged folder.
func TestSweepShardMergeTimeseries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := concat(sweepArgs, "--timeseries")
	ref := filepath.Join(dir, "ref")
	mustRun(t, concat(args, "--out", ref)...)
	var shards []string
	for i := 1; i <= 3; i++ {
		d := filepath.Join(dir, "s"+strconv.Itoa(i))
		mustRun(t, concat(args, "--shard", sweep.ShardSpec(i, 3), "--out", d)...)
		shards = append(shards, d)
	}
	merged := filepath.Join(dir, "merged")
	mustRun(t, concat([]string{"merge"}, append(shards, "--out", merged)...)...)
	sameSweepFolder(t, ref, merged)
	files, err := filepath.Glob(filepath.Join(merged, reports.SweepTimeseriesDir, "point=*", "rep-*.parquet"))
	require.NoError(t, err)
	assert.Len(t, files, 8, "one file per run")

	gone, err := filepath.Glob(filepath.Join(shards[1], reports.SweepTimeseriesDir, "point=*", "rep-*.parquet"))
	require.NoError(t, err)
	require.NotEmpty(t, gone)
	require.NoError(t, os.Remove(gone[0]))
	bad := filepath.Join(dir, "bad")
	code, _, stderr := cli(t, concat([]string{"merge"}, append(shards, "--out", bad)...)...)
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "shard 2/3")
	assert.Contains(t, stderr, filepath.Base(gone[0]))
	assert.NoDirExists(t, bad)
}

// TestSweepResumeInterrupted: a sweep interrupted (as by SIGINT) keeps
// the rows done in runs.csv and runs.parquet, marks the folder with
// incomplete.json, exits with 130 and prints the command that resumes
// it; resuming (with other --workers) gives the uninterrupted sweep's
// folder byte for byte, also when interrupted twice, and for a shard
// that is then merged. (Not parallel: it sets sweepRecorder.)
func TestSweepResumeInterrupted(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	mustRun(t, concat(sweepArgs, "--out", ref)...)
	part := filepath.Join(dir, "part")
	args := concat(sweepArgs, "--out", part, "--workers", "2")
	code, stderr := interruptedSweep(t, 3, args...)
	require.Equal(t, 130, code, stderr)
	assert.Contains(t, stderr, "interrupted by SIGINT")
	assert.Contains(t, stderr, "to finish it, run:\n  depinsim sweep akash-2024 --grid market.max_bids=5,20 --grid 'providers[0].count=2,6' ")
	assert.Contains(t, stderr, "--out "+part+" --workers 2 --resume")
	st, err := sweep.ReadState(part)
	require.NoError(t, err)
	assert.Equal(t, "interrupted", st.Status)
	assert.Equal(t, 8, st.Runs)
	assert.Less(t, st.RunsDone, 8)
	rows := readCSV(t, filepath.Join(part, reports.SweepRunsFile))
	assert.Len(t, rows, 1+st.RunsDone, "runs.csv holds the runs done")
	_, pq, _, err := reports.ReadParquetTable(filepath.Join(part, reports.SweepRunsParquetFile))
	require.NoError(t, err, "runs.parquet is closed")
	assert.Len(t, pq, st.RunsDone)
	assert.NoFileExists(t, filepath.Join(part, reports.SweepManifestFile))

	// interrupted again while resumed, then finished
	code, stderr = interruptedSweep(t, 2, concat(sweepArgs, "--out", part, "--workers", "1", "--resume")...)
	require.Equal(t, 130, code, stderr)
	st2, err := sweep.ReadState(part)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, st2.RunsDone, st.RunsDone)
	mustRun(t, concat(sweepArgs, "--out", part, "--workers", "3", "--resume")...)
	sameSweepFolder(t, ref, part)
	var log sweep.Log
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(part, reports.SweepLogFile)), &log))
	assert.Equal(t, st2.RunsDone, log.Resumed)

	// a shard interrupted, resumed and merged
	shards := shardSweeps(t, filepath.Join(dir, "sh"), 3)
	require.NoError(t, os.RemoveAll(shards[1])) // shard 2/3
	code, stderr = interruptedSweep(t, 2, concat(sweepArgs, "--shard", "2/3", "--out", shards[1])...)
	require.Equal(t, 130, code, stderr)
	assert.Contains(t, stderr, "--shard 2/3 --out "+shards[1]+" --resume")
	code, _, stderr = cli(t, concat([]string{"merge"}, append(shards, "--out", filepath.Join(dir, "m0"))...)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, shards[1]+": unfinished shard (incomplete.json: interrupted")
	mustRun(t, concat(sweepArgs, "--shard", "2/3", "--out", shards[1], "--resume")...)
	merged := filepath.Join(dir, "merged")
	mustRun(t, concat([]string{"merge"}, append(shards, "--out", merged)...)...)
	sameSweepFolder(t, ref, merged)
}

// TestSweepResumeRefusals: --resume refuses (exit code 2, saying why) a
// folder of another sweep or shard, unfinished or finished, and --force
// with it; a sweep without --resume refuses an unfinished folder,
// pointing to --resume; --shard refuses I/N out of range. --resume on a
// folder that already holds this sweep, finished, exits 0 running
// nothing; on a missing or empty folder it starts the sweep (a cluster
// task resumes its shard whatever its state). (Not parallel: it sets
// sweepRecorder.)
func TestSweepResumeRefusals(t *testing.T) {
	dir := t.TempDir()
	part := filepath.Join(dir, "part")
	code, stderr := interruptedSweep(t, 2, concat(sweepArgs, "--out", part)...)
	require.Equal(t, 130, code, stderr)
	before := snapshot(t, part)
	done := filepath.Join(dir, "done")
	mustRun(t, concat(sweepArgs, "--out", done)...)
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	for _, c := range []struct {
		args []string
		want string
	}{
		{concat(sweepArgs, "--out", part, "--resume", "--set", "sim.seed=7"), "holds another sweep's runs (incomplete.json): this sweep has set: "},
		{concat(sweepArgs, "--out", part, "--resume", "--independent-seeds"), "independent_seeds: true, not false in the folder"},
		{concat(sweepArgs, "--out", part, "--resume", "--shard", "1/2"), "shard: 1, not 0"},
		{concat(sweepArgs, "--out", part), "holds an unfinished sweep (incomplete.json: interrupted, "},
		{concat(sweepArgs, "--out", part, "--resume", "--force"), "--resume and --force"},
		{concat(sweepArgs, "--out", done, "--resume", "--set", "sim.seed=7"), "holds another sweep, finished (sweep.json): this sweep has set: "},
		{concat(sweepArgs, "--out", done, "--resume", "--shard", "1/2"), "shard: 1/2, not none (a whole sweep)"},
		{concat(sweepArgs, "--out", empty, "--shard", "4/3"), `--shard "4/3": want I/N with 1 <= I <= N`},
		{concat(sweepArgs, "--out", empty, "--shard", "0/3"), `--shard "0/3"`},
		{concat(sweepArgs, "--out", empty, "--shard", "2"), `--shard "2"`},
	} {
		code, _, stderr := cli(t, c.args...)
		assert.Equal(t, exitUsage, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.want, "%v", c.args)
	}
	assert.Equal(t, before, snapshot(t, part), "a refused --resume leaves the folder as it was")

	finished := snapshot(t, done)
	loud := slices.DeleteFunc(concat(sweepArgs), func(a string) bool { return a == "--quiet" })
	out := mustRun(t, concat(loud, "--out", done, "--resume")...)
	assert.Contains(t, out, "already holds this sweep, finished: nothing to run")
	assert.Equal(t, finished, snapshot(t, done), "a finished folder is left as it was")
	for _, fresh := range []string{filepath.Join(dir, "none"), empty} {
		mustRun(t, concat(sweepArgs, "--out", fresh, "--resume")...)
		sameSweepFolder(t, done, fresh)
	}
}

// TestMergeRefusals: merge refuses (exit code 2, naming them) folders
// that are not shards, shards of different sweeps, a shard given twice,
// missing shards, and a shard with a missing or a duplicate run; the
// output folder is then left as it was (removed when merge created it).
func TestMergeRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	shards := shardSweeps(t, filepath.Join(dir, "a"), 3) // s3, s2, s1
	other := filepath.Join(dir, "other")
	mustRun(t, concat(sweepArgs, "--set", "sim.seed=9", "--shard", "2/3", "--out", other)...)
	whole := filepath.Join(dir, "whole")
	mustRun(t, concat(sweepArgs, "--out", whole)...)
	// a shard with a run missing, one with a run twice
	edit := func(name string, f func(lines []string) []string) string {
		d := filepath.Join(dir, name)
		require.NoError(t, os.CopyFS(d, os.DirFS(shards[2])))
		p := filepath.Join(d, reports.SweepRunsFile)
		lines := strings.SplitAfter(string(readFile(t, p)), "\n")
		require.NoError(t, os.WriteFile(p, []byte(strings.Join(f(lines), "")), 0o644))
		return d
	}
	missing := edit("missing", func(l []string) []string { return append(l[:2:2], l[3:]...) })
	dup := edit("dup", func(l []string) []string { return append(l[:3:3], l[2:]...) })
	extra := edit("extra", func(l []string) []string { return append(l[:len(l)-1:len(l)-1], l[1], "") })
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{shards[0], shards[1], whole}, whole + ": not a shard folder (no shard.json"},
		{[]string{shards[0], other, shards[2]}, other + " and " + shards[0] + " are shards of different sweeps: " + other + " has set: "},
		{[]string{shards[0], shards[1], shards[2], shards[1]}, "shard 2/3 given twice: " + shards[1] + " and " + shards[1]},
		{[]string{shards[1]}, "missing shard(s) 1, 3 of 3"},
		{[]string{shards[0], shards[1], missing}, "shard 1/3 (" + missing + "): runs.csv row 2 is point"},
		{[]string{shards[0], shards[1], dup}, "runs.csv row 3 is point 0 rep 0 (a duplicate run), want run 6"},
		{[]string{shards[0], shards[1], extra}, "shard 1/3 (" + extra + "): runs.csv has more rows than its runs"},
		{[]string{filepath.Join(dir, "nope"), shards[1]}, filepath.Join(dir, "nope") + ": no such folder"},
	} {
		out := filepath.Join(dir, "out")
		code, _, stderr := cli(t, concat([]string{"merge", "--out", out}, c.dirs...)...)
		assert.Equal(t, exitUsage, code, "%v: %s", c.dirs, stderr)
		assert.Contains(t, stderr, c.want, "%v", c.dirs)
		assert.NoDirExists(t, out, "a refused merge leaves no folder")
	}
	code, _, stderr := cli(t, "merge", shards[0])
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--out: required")
}

// TestMergeFailedRun: a failed run in a shard stays a failed row; merge
// writes the folder (the same as the unsharded sweep's, whose run failed
// too) and exits with 1 naming the run. (Not parallel: it sets
// sweepRecorder.)
func TestMergeFailedRun(t *testing.T) {
	longOnly(t, "a sweep with a failed run in its shards, merged")
	failRuns(t, func(point, rep int) bool { return point == 2 && rep == 1 })
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	code, _, _ := cli(t, concat(sweepArgs, "--out", ref)...)
	require.Equal(t, exitRun, code)
	var shards []string
	for i := 1; i <= 2; i++ {
		d := filepath.Join(dir, "s"+strconv.Itoa(i))
		code, _, _ := cli(t, concat(sweepArgs, "--shard", sweep.ShardSpec(i, 2), "--out", d)...)
		shards = append(shards, d)
		_ = code
	}
	merged := filepath.Join(dir, "merged")
	code, _, stderr := cli(t, "merge", shards[0], shards[1], "--out", merged)
	assert.Equal(t, exitRun, code, stderr)
	assert.Contains(t, stderr, "1 of 8 runs failed")
	assert.Contains(t, stderr, "point 2 rep 1")
	sameSweepFolder(t, ref, merged)
}
