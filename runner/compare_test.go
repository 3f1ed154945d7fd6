package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/sim"
)

// compareEntries returns three scenarios of unequal cost (horizons of 5,
// 30 and 10 days, the longest in the middle; under -short 1, 6 and 2
// days after a 2-day warmup: see pool) with 3 replications each, each
// with a sink that keeps its replications.
func compareEntries(t *testing.T) ([]runner.Entry, []*runner.MemorySink) {
	t.Helper()
	var entries []runner.Entry
	var sinks []*runner.MemorySink
	horizons, warmup := []string{"5d", "30d", "10d"}, []string{}
	if testing.Short() {
		horizons, warmup = []string{"1d", "6d", "2d"}, []string{"sim.warmup=2d"}
	}
	for i, h := range horizons {
		s := &runner.MemorySink{}
		sc := load(t, "akash-2024", append(warmup, "sim.replications=3", "sim.horizon="+h)...)
		entries = append(entries, runner.Entry{Label: fmt.Sprintf("s%d-%s", i, h), Scenario: sc, Sink: s})
		sinks = append(sinks, s)
	}
	return entries, sinks
}

// TestCompareWorkers: a comparison on one pool gives every sink its
// scenario's replications in order, and the same data files and
// comparison figures whatever the number of workers, with scenarios of
// unequal cost (whose replications the pool interleaves).
func TestCompareWorkers(t *testing.T) {
	var want map[string]string
	for _, workers := range []int{1, 2, 3} {
		entries, sinks := compareEntries(t)
		done := map[string]int{}
		cmp, err := runner.Compare(context.Background(), entries, runner.Options{Workers: workers, Progress: func(p runner.Progress) {
			assert.Equal(t, entries[p.Run].Label, p.Label, "progress names the scenario by its index")
			assert.Equal(t, done[p.Label]+1, p.Done, "each scenario's replications count up")
			assert.Equal(t, 3, p.Total)
			done[p.Label] = p.Done
		}})
		require.NoError(t, err, "workers %d", workers)
		got := map[string]string{}
		for i, s := range sinks {
			var reps []int
			for _, r := range s.Results {
				reps = append(reps, r.Rep)
			}
			assert.Equal(t, []int{0, 1, 2}, reps, "workers %d: %s delivered in replication order", workers, entries[i].Label)
			for name, data := range dataFiles(t, s.Recordings) {
				got[entries[i].Label+"/"+name] = data
			}
			assert.Equal(t, entries[i].Scenario, cmp.Results[i].Scenario, "results in the entries' order")
		}
		var csv bytes.Buffer
		require.NoError(t, reports.WriteCompareCSV(&csv, cmp.Runs))
		got["compare.csv"] = csv.String()
		if want == nil {
			want = got
			continue
		}
		for name := range want {
			assert.Equal(t, want[name], got[name], "workers %d: %s differs from 1 worker's", workers, name)
		}
	}
}

// closeSink records whether it was closed or aborted.
type closeSink struct {
	runner.MemorySink
	closed, aborted bool
}

func (s *closeSink) Close(*runner.Result) error { s.closed = true; return nil }
func (s *closeSink) Abort()                     { s.aborted = true }

// TestCompareFailure: a failed replication fails the comparison with a
// *ReplicationError naming a scenario; every sink is then closed (its
// scenario done) or aborted, never both, never neither.
func TestCompareFailure(t *testing.T) {
	entries, _ := compareEntries(t)
	var sinks []*closeSink
	for i := range entries {
		s := &closeSink{}
		entries[i].Sink = s
		sinks = append(sinks, s)
	}
	_, err := runner.Compare(context.Background(), entries, runner.Options{Workers: 2, Recorder: func(rep int) sim.Recorder {
		if rep == 2 {
			panic("replication 2 fails")
		}
		return nil
	}})
	require.Error(t, err)
	var re *runner.ReplicationError
	require.True(t, errors.As(err, &re), err.Error())
	assert.Equal(t, 2, re.Rep)
	assert.Regexp(t, `^s[0-2]-[0-9]+d: `, err.Error(), "the error names the scenario")
	for i, s := range sinks {
		assert.NotEqual(t, s.closed, s.aborted, "%s: closed %v, aborted %v", entries[i].Label, s.closed, s.aborted)
	}
}
