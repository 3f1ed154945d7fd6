package runner_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
)

// folder returns every file under dir by its path relative to dir.
func folder(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b, err := os.ReadFile(path)
		files[rel] = b
		return err
	}))
	return files
}

// jsonFields decodes a JSON object into its top-level fields.
func jsonFields(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// runToFolder runs sc with p (or plainly when p is nil) into a new folder
// and returns the result and the folder's files.
func runToFolder(t *testing.T, sc *scenarios.Scenario, p *runner.Precision, workers int) (*runner.Result, map[string][]byte) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	opt := runner.Options{Workers: workers, Sink: runner.NewFileSink(dir, sc, runner.FileOptions{Source: "preset akash-2024", Command: []string{"depinsim", "run"}})}
	var res *runner.Result
	var err error
	if p == nil {
		res, err = runner.Run(context.Background(), sc, opt)
	} else {
		res, err = runner.RunPrecision(context.Background(), sc, *p, opt)
	}
	require.NoError(t, err)
	return res, folder(t, dir)
}

// TestRunPrecisionFolder: a precision run stops at the same number of
// replications with 1 and 2 workers, and its folder is, byte for byte, a
// plain run of that many replications, except summary.json's and
// manifest.json's "precision" (and the manifest's wall time), which the
// plain run does not have.
func TestRunPrecisionFolder(t *testing.T) {
	sc := load(t, "akash-2024", "sim.seed=5", "sim.replications=3")
	p := runner.Precision{Targets: []runner.Target{{Metric: "gpu_utilization", Value: 0.05}}, MaxReps: 40}
	res1, f1 := runToFolder(t, sc, &p, 1)
	res2, f2 := runToFolder(t, sc, &p, 2)
	require.NotNil(t, res1.Precision)
	n := res1.Precision.Reps
	assert.Equal(t, res1.Precision, res2.Precision, "the same decisions with 1 and 2 workers")
	assert.Greater(t, n, 3, "the target needs more than the first batch")
	assert.Less(t, n, 40, "and is met before max reps")
	assert.True(t, res1.Precision.Met)
	assert.Equal(t, "target met", res1.Precision.Stopped)
	assert.Equal(t, 3, res1.Precision.Batches[0], "first batch: sim.replications")
	assert.Equal(t, n, res1.Precision.Batches[len(res1.Precision.Batches)-1])
	assert.Len(t, res1.Replications, n)
	assert.Equal(t, n, res1.Scenario.Sim.Replications)
	assert.Equal(t, 3, sc.Sim.Replications, "the caller's scenario is not modified")

	plainSc := *sc
	plainSc.Sim.Replications = n
	_, plain := runToFolder(t, &plainSc, nil, 2)
	require.Equal(t, len(plain), len(f1))
	for name, want := range plain {
		got, ok := f1[name]
		require.True(t, ok, name)
		if name != reports.ManifestFile {
			assert.Equal(t, string(got), string(f2[name]), "%s: workers 1 and 2", name)
		}
		if name != reports.SummaryFile && name != reports.ManifestFile {
			assert.Equal(t, string(want), string(got), "%s: byte-identical to a plain run of %d replications", name, n)
			continue
		}
		pf, gf := jsonFields(t, want), jsonFields(t, got)
		assert.NotContains(t, pf, "precision", "%s of a plain run", name)
		require.Contains(t, gf, "precision", name)
		var rec reports.Precision
		require.NoError(t, json.Unmarshal(gf["precision"], &rec))
		assert.Equal(t, n, rec.Reps)
		delete(gf, "precision")
		delete(gf, "wall_seconds")
		delete(pf, "wall_seconds")
		if name == reports.ManifestFile {
			g2 := jsonFields(t, f2[name])
			delete(g2, "precision")
			delete(g2, "wall_seconds")
			assert.Equal(t, gf, g2, "manifest.json: workers 1 and 2")
		}
		assert.Equal(t, pf, gf, "%s: the plain run's fields, byte for byte", name)
	}
	// the precision reached is what the summary says of the n replications
	st := res1.Summary().Metrics[0].TimeMean
	tg := res1.Precision.Targets[0]
	assert.Equal(t, "gpu_utilization", tg.Metric)
	assert.Equal(t, "time_mean", tg.Statistic)
	assert.Equal(t, st.Mean, tg.Mean)
	assert.InDelta(t, float64(st.CIHigh-st.CILow)/2, float64(tg.HalfWidth), 1e-12)
	assert.Less(t, float64(tg.Relative), 0.05)
}

// TestRunPrecisionStopRule: a metric with no variance (burned_total is 0
// in every replication of akash-2024) meets any target at the first batch,
// which is at least 2 replications; a target no run can meet runs to max
// reps, doubling at most, and says so.
func TestRunPrecisionStopRule(t *testing.T) {
	sc := load(t, "akash-2024", "sim.replications=1")
	zero := runner.Precision{Targets: []runner.Target{{Metric: "burned_total", Value: 1e-12, Absolute: true}}, MaxReps: 10}
	res, err := runner.RunPrecision(context.Background(), sc, zero, runner.Options{Workers: 2})
	require.NoError(t, err)
	p := res.Precision
	assert.Equal(t, []int{2}, p.Batches)
	assert.Equal(t, 2, p.Reps)
	assert.True(t, p.Met)
	assert.Equal(t, "target met", p.Stopped)
	assert.Equal(t, "final", p.Targets[0].Statistic, "a total is estimated by its final value")
	assert.Equal(t, reports.Float(0), p.Targets[0].HalfWidth)
	assert.Len(t, res.Replications, 2)

	tight := runner.Precision{Targets: []runner.Target{
		{Metric: "burned_total", Value: 0.5, Absolute: true},
		{Metric: "gpu_utilization", Value: 1e-9},
	}, MaxReps: 7}
	res, err = runner.RunPrecision(context.Background(), sc, tight, runner.Options{Workers: 2})
	require.NoError(t, err)
	p = res.Precision
	assert.Equal(t, []int{2, 4, 7}, p.Batches, "doubling, capped at max reps")
	assert.Equal(t, 7, p.Reps)
	assert.False(t, p.Met)
	assert.Equal(t, "max_reps reached", p.Stopped)
	assert.True(t, p.Targets[0].Met)
	assert.False(t, p.Targets[1].Met)
	assert.Len(t, res.Replications, 7)
	assert.Equal(t, 7, res.Summary().Metrics[0].TimeMean.N)
	assert.Equal(t, p, res.Summary().Precision)
}

// TestPrecisionCheck: bad requests are refused before anything runs.
func TestPrecisionCheck(t *testing.T) {
	sc := load(t, "akash-2024", "sim.replications=4")
	ok := runner.Target{Metric: "gpu_utilization", Value: 0.1}
	for _, c := range []struct {
		name string
		p    runner.Precision
		want string
	}{
		{"no target", runner.Precision{MaxReps: 10}, "no target"},
		{"unknown metric", runner.Precision{Targets: []runner.Target{{Metric: "gpu_util", Value: 0.1}}, MaxReps: 10},
			`unknown metric "gpu_util"; the metrics are: gpu_utilization, cpu_utilization`},
		{"twice", runner.Precision{Targets: []runner.Target{ok, ok}, MaxReps: 10}, "two targets"},
		{"zero", runner.Precision{Targets: []runner.Target{{Metric: "gpu_utilization"}}, MaxReps: 10}, "must be a number > 0, got 0"},
		{"negative", runner.Precision{Targets: []runner.Target{{Metric: "gpu_utilization", Value: -1, Absolute: true}}, MaxReps: 10}, "gpu_utilization=abs:-1"},
		{"max below first batch", runner.Precision{Targets: []runner.Target{ok}, MaxReps: 3}, "max reps 3 is below the first batch of 4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sink := &runner.MemorySink{}
			_, err := runner.RunPrecision(context.Background(), sc, c.p, runner.Options{Sink: sink})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Empty(t, sink.Results, "nothing ran")
		})
	}
	require.NoError(t, runner.Precision{Targets: []runner.Target{ok}, MaxReps: 4}.Check(sc))
}
