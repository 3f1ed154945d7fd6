package runner

import (
	"bytes"
	"context"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// TestCPUTokensBound: however many replications pass the tokens around,
// no more than the tokens run at once, and each gets its turns.
func TestCPUTokensBound(t *testing.T) {
	const holders, goroutines, turns = 2, 5, 200
	tokens := make(cpuTokens, holders)
	var active, most atomic.Int32
	var ran [goroutines]int
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			tokens.acquire()
			for range turns {
				n := active.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				ran[g]++
				active.Add(-1)
				tokens.pass()
			}
			tokens.release()
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, most.Load(), int32(holders))
	for g := range goroutines {
		assert.Equal(t, turns, ran[g], "goroutine %d", g)
	}
}

// sampleLog records, in the order they happen, which replication starts
// (asks for its recorder) or records a sample.
type sampleLog struct {
	mu   sync.Mutex
	reps []int
}

func (l *sampleLog) recorder(rep int) sim.Recorder {
	l.mu.Lock()
	l.reps = append(l.reps, rep)
	l.mu.Unlock()
	return sim.RecorderFunc(func(*sim.Sample) {
		l.mu.Lock()
		l.reps = append(l.reps, rep)
		l.mu.Unlock()
	})
}

// TestSharedTail: with fewer replications left than workers can take in
// a round, the last ones start at once and share the workers' time (the
// last replication records samples before the one before it finishes),
// and the replications, records and summary are the
// same as one worker's, which runs them one after the other.
func TestSharedTail(t *testing.T) {
	defer func(old uint) { testSlice = old }(testSlice)
	testSlice = 4096 // a few hand-overs in a replication of some 25,000 events
	sets := []string{"sim.seed=5", "sim.warmup=2d", "sim.horizon=10d", "sim.sample_every=1h"}
	sc, err := scenarios.Load("akash-2024", sets)
	require.NoError(t, err)
	cfg, err := sc.Config()
	require.NoError(t, err)
	require.False(t, collects(cfg), "a small world: the tail is shared")
	for _, n := range []int{3, 5} {
		var want *Result
		var wantRecs []*reports.Recording
		for _, workers := range []int{1, 2} {
			var log sampleLog
			sink := &MemorySink{}
			res, err := RunConfig(context.Background(), cfg, n, Options{Workers: workers, Sink: sink, Recorder: log.recorder})
			require.NoError(t, err)
			// the most replications under way at once: from their start
			// to their last sample
			first, last := make([]int, n), make([]int, n)
			for rep := range n {
				first[rep] = slices.Index(log.reps, rep)
			}
			for i, rep := range log.reps {
				last[rep] = i
			}
			most := 0
			for i := range log.reps {
				under := 0
				for rep := range n {
					if first[rep] <= i && i <= last[rep] {
						under++
					}
				}
				most = max(most, under)
			}
			switch {
			case workers == 1:
				assert.Equal(t, 1, most, "n %d: one worker runs one replication at a time", n)
			case n == 3:
				// the third starts at the first hand-over of the first two,
				// a few slices before their end
				assert.Equal(t, 3, most, "n %d: the three share the two workers", n)
			}
			if want == nil {
				want, wantRecs = res, sink.Recordings
				continue
			}
			assert.Equal(t, want.Replications, res.Replications, "n %d, workers %d", n, workers)
			assert.Equal(t, csvOf(t, wantRecs), csvOf(t, sink.Recordings), "n %d, workers %d", n, workers)
		}
	}
}

// csvOf returns recs as timeseries.csv, resources.csv and cohorts.csv.
func csvOf(t *testing.T, recs []*reports.Recording) []string {
	t.Helper()
	var out []string
	for _, write := range []func(io.Writer, []*reports.Recording) error{
		reports.WriteTimeseriesCSV, reports.WriteResourcesCSV, reports.WriteCohortsCSV} {
		var b bytes.Buffer
		require.NoError(t, write(&b, recs))
		out = append(out, b.String())
	}
	return out
}

// TestSliceEvents: a slice is an eighth of the estimated events of a
// replication, and never fewer than minSlice.
func TestSliceEvents(t *testing.T) {
	sc, err := scenarios.Load("akash-2024", nil)
	require.NoError(t, err)
	cfg, err := sc.Config()
	require.NoError(t, err)
	est := sim.EstimateWorld(cfg)
	assert.Equal(t, uint(est.Events/8), sliceEvents(est))
	sc, err = scenarios.Load("akash-2024", []string{"sim.horizon=1h", "sim.warmup=0s", "sim.sample_every=1h"})
	require.NoError(t, err)
	cfg, err = sc.Config()
	require.NoError(t, err)
	assert.Equal(t, uint(minSlice), sliceEvents(sim.EstimateWorld(cfg)))
}
