package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// short is akash-2024 over 10 days after a 10-day warmup, sampled every
// 12 hours: a fraction of a second per replication.
var short = []string{"sim.warmup=10d", "sim.horizon=10d", "sim.sample_every=12h"}

// pool returns sets with, under -short, a replication shortened to 3
// days after a 2-day warmup: for the tests of the worker pool (dispatch,
// order, cancellation, failure), where the pool, not the model, is under
// test (a replication runs on one goroutine). test-long runs them over
// short's 10 + 10 days, and every test of the package under the race
// detector.
func pool(sets ...string) []string {
	if testing.Short() {
		return append(sets, "sim.warmup=2d", "sim.horizon=3d")
	}
	return sets
}

func load(t testing.TB, name string, sets ...string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load(name, append(slices.Clone(short), sets...))
	require.NoError(t, err)
	return sc
}

func config(t testing.TB, sets ...string) *sim.Config {
	t.Helper()
	cfg, err := load(t, "akash-2024", sets...).Config()
	require.NoError(t, err)
	return cfg
}

// dataFiles returns the bytes of the data files of recs.
func dataFiles(t *testing.T, recs []*reports.Recording) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, write := range map[string]func(io.Writer) error{
		reports.TimeseriesFile: func(w io.Writer) error { return reports.WriteTimeseriesCSV(w, recs) },
		reports.ResourcesFile:  func(w io.Writer) error { return reports.WriteResourcesCSV(w, recs) },
		reports.CohortsFile:    func(w io.Writer) error { return reports.WriteCohortsCSV(w, recs) },
		reports.SummaryFile:    reports.Summarize(recs).WriteJSON,
	} {
		var b bytes.Buffer
		require.NoError(t, write(&b))
		out[name] = b.String()
	}
	return out
}

// TestRunConfigWorkers: the replications, their seeds, records and
// summary do not depend on the number of workers.
func TestRunConfigWorkers(t *testing.T) {
	cfg := config(t, pool("sim.seed=11")...)
	const n = 5
	var first map[string]string
	var firstRes []sim.Result
	for _, workers := range []int{1, 2, 4} {
		sink := &runner.MemorySink{}
		res, err := runner.RunConfig(context.Background(), cfg, n, runner.Options{Workers: workers, Sink: sink})
		require.NoError(t, err)
		require.Len(t, res.Replications, n)
		for rep, r := range res.Replications {
			assert.Equal(t, rep, r.Rep)
			assert.Equal(t, sim.ReplicationSeed(11, rep), r.Seed)
			assert.Equal(t, rep, sink.Recordings[rep].Rep)
		}
		assert.Equal(t, res.Replications, sink.Results)
		files := dataFiles(t, sink.Recordings)
		var summary bytes.Buffer
		require.NoError(t, res.Summary().WriteJSON(&summary))
		assert.Equal(t, files[reports.SummaryFile], summary.String(), "the streamed summary is the summary of the recordings")
		if first == nil {
			first, firstRes = files, res.Replications
			continue
		}
		assert.Equal(t, firstRes, res.Replications, "workers %d", workers)
		for name, b := range files {
			assert.True(t, b == first[name], "%s: workers %d differ from 1", name, workers)
		}
	}
	assert.NotEqual(t, firstRes[0].Events, firstRes[1].Events, "replications differ from each other")
}

// orderSink records the order in which replications arrive.
type orderSink struct {
	mu              sync.Mutex
	reps            []int
	closed, aborted bool
}

func (s *orderSink) Add(r runner.Replication) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reps = append(s.reps, r.Result.Rep)
	return nil
}
func (s *orderSink) Close(*runner.Result) error { s.closed = true; return nil }
func (s *orderSink) Abort()                     { s.aborted = true }

// TestRunReorderWindow: replications are delivered in order, and a slow
// replication holds back the dispatch of replications beyond the window
// (twice the workers) instead of letting finished recordings pile up.
func TestRunReorderWindow(t *testing.T) {
	cfg := config(t, pool()...)
	const n, workers = 8, 2
	var mu sync.Mutex
	var started, early []int
	release := make(chan struct{})
	sink := &orderSink{}
	opt := runner.Options{
		Workers: workers,
		Sink:    sink,
		Recorder: func(rep int) sim.Recorder {
			mu.Lock()
			started = append(started, rep)
			mu.Unlock()
			sink.mu.Lock()
			if rep >= 2*workers && !slices.Contains(sink.reps, rep-2*workers) {
				early = append(early, rep) // dispatched before the window allows
			}
			sink.mu.Unlock()
			first := true
			return sim.RecorderFunc(func(*sim.Sample) {
				if rep == 0 && first {
					<-release // replication 0 waits until three others have finished
				}
				first = false
			})
		},
		Progress: func(p runner.Progress) {
			if p.Done == 2*workers-1 {
				mu.Lock()
				assert.ElementsMatch(t, []int{0, 1, 2, 3}, started, "while replication 0 waits, replications 1 to 3 run")
				mu.Unlock()
				close(release)
			}
		},
	}
	res, err := runner.RunConfig(context.Background(), cfg, n, opt)
	require.NoError(t, err)
	require.Len(t, res.Replications, n)
	assert.Empty(t, early, "replication r starts only once r - 2 x workers is delivered")
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7}, sink.reps, "delivered in replication order")
	assert.True(t, sink.closed)
	assert.False(t, sink.aborted)
}

// TestReplicationPanic: a panic in a replication stops the run with an
// error naming the replication, its seed and the panic, with its stack;
// the sink is aborted.
func TestReplicationPanic(t *testing.T) {
	cfg := config(t, pool("sim.seed=5")...)
	sink := &orderSink{}
	_, err := runner.RunConfig(context.Background(), cfg, 4, runner.Options{Workers: 2, Sink: sink,
		Recorder: func(rep int) sim.Recorder {
			return sim.RecorderFunc(func(s *sim.Sample) {
				if rep == 2 && s.T > 0 {
					panic("boom")
				}
			})
		}})
	require.Error(t, err)
	var re *runner.ReplicationError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 2, re.Rep)
	assert.Equal(t, sim.ReplicationSeed(5, 2), re.Seed)
	assert.Equal(t, "panic: boom", re.Err.Error())
	assert.Contains(t, err.Error(), "replication 2 (seed ")
	assert.Contains(t, string(re.Stack), "runner_test.go", "the stack of the panic")
	assert.True(t, sink.aborted)
	assert.False(t, sink.closed)
	assert.NotContains(t, sink.reps, 2)
}

// overpay is a mechanism that lets the first bid win at twice the
// tenant's maximum price: a bug the world refuses with a panic.
type overpay struct{}

func (overpay) Name() string { return "overpay" }
func (overpay) Clear(o *market.Order, bids []market.Bid, _ *rand.Rand) market.Outcome {
	if len(bids) == 0 {
		return market.NoWinner
	}
	return market.Outcome{Winner: 0, Price: 2*o.MaxPrice + 1}
}

// TestModelPanic: a panic inside the model (here the world refusing a
// mechanism's price) comes back as the replication's error with the
// model's stack.
func TestModelPanic(t *testing.T) {
	cfg := config(t, "sim.warmup=0s", "sim.horizon=2d")
	cfg.Mechanism = overpay{}
	_, err := runner.RunConfig(context.Background(), cfg, 3, runner.Options{Workers: 1})
	require.Error(t, err)
	var re *runner.ReplicationError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 0, re.Rep, "with one worker, replication 0 fails first and stops the run")
	assert.Contains(t, re.Err.Error(), "mechanism overpay priced order")
	assert.Contains(t, string(re.Stack), "sim.(*World).clear")
}

// TestInvariantErrorUnwraps: errors.As finds a broken invariant through
// the replication's error and the label a comparison adds.
func TestInvariantErrorUnwraps(t *testing.T) {
	inv := &sim.InvariantError{Invariant: "ledger-conservation", Reason: "AKT: sum of balances 1 != supply 2"}
	var err error = &runner.ReplicationError{Rep: 3, Seed: 9, Err: inv}
	err = fmt.Errorf("%s: %w", "akash-2024", err)
	var ie *sim.InvariantError
	require.ErrorAs(t, err, &ie)
	assert.Same(t, inv, ie)
	assert.Equal(t, "akash-2024: replication 3 (seed 9): "+inv.Error(), err.Error())
}

// TestCheckOption: Options.Check checks the invariants of a run (they
// hold) without changing the caller's config.
func TestCheckOption(t *testing.T) {
	cfg := config(t, "sim.warmup=1d", "sim.horizon=2d")
	res, err := runner.RunConfig(context.Background(), cfg, 2, runner.Options{Check: sim.CheckEvents})
	require.NoError(t, err)
	assert.Equal(t, sim.CheckEvents, res.Config.Check)
	assert.Equal(t, sim.CheckOff, cfg.Check, "the caller's config is unchanged")
}

// TestRunCancel: cancelling stops every replication between events; the
// file sink leaves nothing behind.
func TestRunCancel(t *testing.T) {
	sc := load(t, "akash-2024", "sim.horizon=365d", "sim.replications=6")
	cancelAt := 30 * sim.Day
	if testing.Short() {
		cancelAt = 3 * sim.Day // the cancellation, not the month, is under test
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := runner.NewFileSink(dir, sc, runner.FileOptions{Source: "preset akash-2024"})
	done := 0
	_, err := runner.Run(ctx, sc, runner.Options{Workers: 2, Sink: sink, Recorder: func(rep int) sim.Recorder {
		return sim.RecorderFunc(func(s *sim.Sample) {
			if rep == 0 && s.T >= cancelAt {
				cancel() // a month (-short: 3 days) into replication 0
			}
		})
	}, Progress: func(runner.Progress) { done++ }})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, done, "no replication of a year finished")
	entries, rerr := os.ReadDir(parent)
	require.NoError(t, rerr)
	assert.Empty(t, entries, "nothing half-written")

	// cancelled before the start
	_, err = runner.Run(ctx, sc, runner.Options{})
	assert.ErrorIs(t, err, context.Canceled)
}

// TestFileSink: the folder written while the replications stream in holds
// the files WriteAll writes for the same recordings.
func TestFileSink(t *testing.T) {
	sc := load(t, "akash-2024", "sim.replications=3")
	dir := filepath.Join(t.TempDir(), "run")
	cmd := []string{"depinsim", "run", "akash-2024"}
	res, err := runner.Run(context.Background(), sc, runner.Options{Workers: 2, Sink: runner.NewFileSink(dir, sc,
		runner.FileOptions{Source: "preset akash-2024", Command: cmd})})
	require.NoError(t, err)
	assert.Same(t, sc, res.Scenario)

	mem := &runner.MemorySink{}
	_, err = runner.Run(context.Background(), sc, runner.Options{Workers: 3, Sink: mem})
	require.NoError(t, err)
	all := filepath.Join(t.TempDir(), "all")
	require.NoError(t, reports.WriteAll(all, mem.Recordings, reports.Manifest{}, sc.TOML(), reports.Options{}))
	for _, f := range []string{reports.TimeseriesFile, reports.ResourcesFile, reports.CohortsFile, reports.SummaryFile, reports.ScenarioFile} {
		a, err := os.ReadFile(filepath.Join(all, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), f)
	}
	saved, err := reports.ReadRun(dir)
	require.NoError(t, err)
	assert.Equal(t, "akash-2024", saved.Manifest.Scenario)
	assert.Equal(t, "preset akash-2024", saved.Manifest.ScenarioFile)
	assert.Equal(t, cmd, saved.Manifest.Command)
	assert.Equal(t, res.Events, saved.Manifest.EventsTotal)
	assert.Equal(t, runner.BuildVersion(), saved.Manifest.Version)
	require.Len(t, saved.Manifest.Replications, 3)
	assert.Equal(t, res.Replications[2].Seed, saved.Manifest.Replications[2].Seed)
}

// TestCompare: a comparison's figures from the streamed replications are
// those of their recordings; scenarios must share seed and replications.
func TestCompare(t *testing.T) {
	a := load(t, "akash-2024", pool("sim.replications=2")...)
	b := load(t, "akash-2024", pool("sim.replications=2", "market.mechanism=vickrey-reverse")...)
	ma, mb := &runner.MemorySink{}, &runner.MemorySink{}
	var labels []string
	cmp, err := runner.Compare(context.Background(), []runner.Entry{
		{Label: "auction", Scenario: a, Source: "preset akash-2024", Sink: ma},
		{Label: "vickrey", Scenario: b, Sink: mb},
	}, runner.Options{Progress: func(p runner.Progress) {
		if p.Done == p.Total {
			labels = append(labels, fmt.Sprintf("%d %s", p.Run, p.Label))
		}
	}})
	require.NoError(t, err)
	// Progress comes in the order replications finish, which the pool's
	// timing decides (a worker freed by the first scenario may start the
	// second's before the first's last one ends): each scenario finishes
	// once, with its index and label, in either order.
	assert.ElementsMatch(t, []string{"0 auction", "1 vickrey"}, labels)
	require.Len(t, cmp.Runs, 2)
	assert.Equal(t, "auction", cmp.Runs[0].Name)
	assert.Equal(t, "preset akash-2024", cmp.Runs[0].Source)
	horizon := "10d"
	if testing.Short() {
		horizon = "3d" // pool's
	}
	assert.Equal(t, horizon, cmp.Runs[0].Horizon)
	batch := []reports.CompareRun{reports.NewCompareRun("auction", ma.Recordings), reports.NewCompareRun("vickrey", mb.Recordings)}
	var want, got bytes.Buffer
	require.NoError(t, reports.WriteCompareCSV(&want, batch))
	require.NoError(t, reports.WriteCompareCSV(&got, cmp.Runs))
	assert.Equal(t, want.String(), got.String())
	assert.Equal(t, ma.Results[0].Seed, mb.Results[0].Seed, "common random numbers")

	c := load(t, "akash-2024", pool("sim.replications=3")...)
	_, err = runner.Compare(context.Background(), []runner.Entry{{Label: "a", Scenario: a}, {Label: "c", Scenario: c}}, runner.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "scenario c has seed 1 and 3 replications")
	_, err = runner.Compare(context.Background(), []runner.Entry{{Label: "a", Scenario: a}}, runner.Options{Sink: ma})
	assert.Error(t, err)
}

func TestRunConfigErrors(t *testing.T) {
	_, err := runner.RunConfig(context.Background(), config(t), 0, runner.Options{})
	assert.Error(t, err)
	sc := load(t, "akash-2024")
	sc.Market = map[string]any{"mechanism": "nope"}
	_, err = runner.Run(context.Background(), sc, runner.Options{})
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "unknown mechanism"), err.Error())
	var re *runner.ReplicationError
	assert.False(t, errors.As(err, &re), "a bad scenario is not a failed replication")
}
