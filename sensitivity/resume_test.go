package sensitivity

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// resumeFile is a small analysis under the policy rerun whose runs fail
// at some points for replication 1's seed, so that reruns happen.
const resumeFile = `base = "akash-2024"
seed = 5
replications = 3
method = "sobol"
samples = 8
bootstrap = 50
missing = "rerun"
[[factor]]
key = "x1"
dist = "uniform"
min = 0
max = 1
[[factor]]
key = "x2"
dist = "uniform"
min = 0
max = 1
[[output]]
name = "y"
metric = "gpu_utilization"
stat = "mean"
[[output]]
name = "z"
metric = "token_supply"
stat = "final"
`

// resumeHook is resumeFile's model: it counts its calls, fails with a
// message holding a comma, a quote and a newline where x1 > 0.8 under
// replication 1's seed, and gives no value for z where x2 < 0.1.
func resumeHook(t *testing.T, calls *atomic.Int64) {
	bad := sim.ReplicationSeed(5, 1)
	withHook(t, func(x []float64, seed uint64) ([]float64, error) {
		calls.Add(1)
		if x[0] > 0.8 && seed == bad {
			return nil, errors.New("diverged, \"badly\"\nat step 3")
		}
		z := x[0] * x[1] * noise(seed)
		if x[1] < 0.1 {
			z = nanValue()
		}
		return []float64{x[0] + 2*x[1] + 0.1*noise(seed), z}, nil
	})
}

func nanValue() float64 { var z float64; return z / z }

// prepare parses text and builds its design and scenarios.
func prepare(t *testing.T, text string) (*Analysis, *Design) {
	t.Helper()
	a, err := Parse("sa.toml", t.TempDir(), "sa", []byte(text), nil, scenarios.Options{})
	require.NoError(t, err)
	d, err := a.NewDesign()
	require.NoError(t, err)
	return a, d
}

// writeFolder estimates from runs and writes the folder (refused runs
// leave runs.csv and points.csv only).
func writeFolder(t *testing.T, a *Analysis, d *Design, runs *Runs, dir string) {
	t.Helper()
	require.NoError(t, a.WriteRuns(dir, d, runs))
	rep, err := a.Estimate(d, runs)
	var fe *FailedError
	if errors.As(err, &fe) {
		return
	}
	require.NoError(t, err)
	require.NoError(t, a.WriteResults(dir, rep, false))
}

// TestResumeJournal: an analysis stopped at any point of its journal
// (after a whole line, or inside one as a kill leaves it), resumed from
// the journal, runs only the runs not recorded and writes the folder of
// the uninterrupted analysis, byte for byte.
func TestResumeJournal(t *testing.T) {
	var calls atomic.Int64
	resumeHook(t, &calls)
	a, d := prepare(t, resumeFile)
	id := a.Identity(d, 0, 0)
	scs, err := a.Validate(d)
	require.NoError(t, err)

	ref := t.TempDir()
	j, err := CreateJournal(ref, id, len(d.Points)*a.Replications, "resume me")
	require.NoError(t, err)
	runs, err := a.Execute(context.Background(), d, scs, Options{Workers: 2, Journal: j.Append})
	require.NoError(t, err)
	require.Positive(t, runs.Rerun, "the test needs reruns")
	journal, err := os.ReadFile(filepath.Join(ref, JournalFile))
	require.NoError(t, err)
	writeFolder(t, a, d, runs, ref)
	require.NoError(t, j.Finish())
	want := readDir(t, ref)
	assert.NotContains(t, want, JournalFile)
	assert.NotContains(t, want, StateFile)
	total := int64(len(runs.All))
	lines := bytes.Count(journal, []byte("\n"))
	require.Greater(t, lines, int(total), "the error message's newline is inside a quoted field")

	ends := []int{0}
	for i, c := range journal {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	inMsg := bytes.Index(journal, []byte("\nat step 3")) + 4 // a torn record holding a newline
	require.Greater(t, inMsg, 4)
	for _, cut := range []int{0, ends[1], ends[len(ends)/3] - 5, inMsg, inMsg + 9, ends[len(ends)/2], ends[len(ends)-3] + 2, len(journal)} {
		dir := t.TempDir()
		_, err := CreateJournal(dir, id, 0, "resume me")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, JournalFile), journal[:cut], 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "."+RunsFile+".tmp-7"), []byte("half"), 0o644))
		j, rec, err := a.ResumeJournal(dir, id)
		require.NoError(t, err)
		recN, _ := parseJournal(journal[:cut], len(d.Points), a.Replications)
		assert.Len(t, rec, len(recN))
		calls.Store(0)
		runs, err := a.Execute(context.Background(), d, scs, Options{Workers: 3, Recorded: rec, Journal: j.Append})
		require.NoError(t, err)
		assert.Equal(t, total-int64(len(rec)), calls.Load(), "cut %d: only the runs not recorded run", cut)
		writeFolder(t, a, d, runs, dir)
		require.NoError(t, j.Finish())
		assert.Equal(t, want, readDir(t, dir), "cut %d of %d bytes", cut, len(journal))
	}
}

// TestResumeRefusals: a resume of another analysis's folder names the
// differences; a finished folder is complete; a folder without state is
// nothing to resume.
func TestResumeRefusals(t *testing.T) {
	var calls atomic.Int64
	resumeHook(t, &calls)
	a, d := prepare(t, resumeFile)
	dir := t.TempDir()
	_, err := CreateJournal(dir, a.Identity(d, 0, 0), 0, "")
	require.NoError(t, err)
	b, d2 := prepare(t, strings.Replace(resumeFile, "seed = 5", "seed = 6", 1))
	_, _, err = b.ResumeJournal(dir, b.Identity(d2, 0, 0))
	var re *ResumeError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, err.Error(), "master_seed: 6, not 5")
	assert.Contains(t, err.Error(), "sensitivity_sha256")
	_, _, err = a.ResumeJournal(dir, a.Identity(d, 2, 3))
	assert.ErrorContains(t, err, "shard: 2, not 0")

	empty := t.TempDir()
	_, _, err = a.ResumeJournal(empty, a.Identity(d, 0, 0))
	require.ErrorAs(t, err, &re)
	assert.False(t, re.Complete)
	assert.Contains(t, err.Error(), "nothing to resume")

	scs, err := a.Validate(d)
	require.NoError(t, err)
	runs, err := a.Execute(context.Background(), d, scs, Options{})
	require.NoError(t, err)
	done := t.TempDir()
	writeFolder(t, a, d, runs, done)
	_, _, err = a.ResumeJournal(done, a.Identity(d, 0, 0))
	require.ErrorAs(t, err, &re)
	assert.True(t, re.Complete, "%v", err)
	_, _, err = b.ResumeJournal(done, b.Identity(d2, 0, 0))
	require.ErrorAs(t, err, &re)
	assert.False(t, re.Complete)
	assert.Contains(t, err.Error(), `master_seed: "6", not "5"`)
}

// TestShardsMerge: the shards of an analysis (with reruns), merged,
// write the unsharded folder byte for byte; every run ran once over the
// shards; a missing shard, a shard given twice and another analysis's
// shard are refused.
func TestShardsMerge(t *testing.T) {
	var calls atomic.Int64
	resumeHook(t, &calls)
	a, d := prepare(t, resumeFile)
	scs, err := a.Validate(d)
	require.NoError(t, err)
	runs, err := a.Execute(context.Background(), d, scs, Options{Workers: 2})
	require.NoError(t, err)
	ref := t.TempDir()
	writeFolder(t, a, d, runs, ref)
	want := readDir(t, ref)

	for _, n := range []int{1, 3} {
		calls.Store(0)
		dirs := make([]string, n)
		for i := n; i >= 1; i-- {
			dirs[i-1] = t.TempDir()
			sr, err := a.Execute(context.Background(), d, scs, Options{Workers: 2, Shard: i, Shards: n})
			require.NoError(t, err)
			require.NoError(t, a.WriteShard(dirs[i-1], d, sr, i, n))
		}
		assert.Equal(t, int64(len(runs.All)), calls.Load(), "%d shards: each run once", n)
		merged, order, err := a.Merge(d, append(dirs[1:], dirs[0]))
		require.NoError(t, err)
		assert.Equal(t, dirs, order)
		assert.Equal(t, runs.Rerun, merged.Rerun)
		dir := t.TempDir()
		writeFolder(t, a, d, merged, dir)
		assert.Equal(t, want, readDir(t, dir), "%d shards", n)
		if n == 3 {
			_, _, err = a.Merge(d, dirs[:2])
			var me *MergeError
			require.ErrorAs(t, err, &me)
			assert.Contains(t, err.Error(), "shard(s) 3/3 missing")
			_, _, err = a.Merge(d, []string{dirs[0], dirs[1], dirs[1]})
			assert.ErrorContains(t, err, "shard 2/3 given twice")
			b, d2 := prepare(t, strings.Replace(resumeFile, "replications = 3", "replications = 2", 1))
			_, _, err = b.Merge(d2, dirs)
			assert.ErrorContains(t, err, "replications: 2, not 3")
			_, _, err = a.Merge(d, []string{ref})
			assert.ErrorContains(t, err, "not a sensitivity shard folder")
		}
	}
}
