package runner

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// TestCPUTokensBound: however many replications pass the tokens around,
// no more than the tokens run at once, and each gets all its turns.
func TestCPUTokensBound(t *testing.T) {
	const holders, goroutines, turns = 2, 5, 200
	tokens := newCPUTokens(holders)
	var active, most atomic.Int32
	var ran [goroutines]int
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			turn := newTurn()
			tokens.acquire(turn)
			for i := range turns {
				n := active.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				ran[g]++
				active.Add(-1)
				tokens.pass(turn, float64(i+1)/turns, 0)
			}
			tokens.release()
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, most.Load(), int32(holders))
	for g := range goroutines {
		assert.Equal(t, turns, ran[g], "goroutine %d", g)
	}
	assert.Equal(t, holders, tokens.free, "every token back")
	assert.Empty(t, tokens.wait)
}

// TestCPUTokensBehindFirst: a replication keeps its token while no
// waiting one is behind it by more than the lead, else hands it to the
// one furthest behind, and a released token goes to the one furthest
// behind, the first to come among equals.
func TestCPUTokensBehindFirst(t *testing.T) {
	c := newCPUTokens(1)
	a, b, d := newTurn(), newTurn(), newTurn()
	c.acquire(a)
	b.progress, d.progress = 0.5, 0.2
	c.wait = []*turn{b, d} // as acquire and pass leave them
	c.pass(a, 0.3, 0.15)   // d is behind by 0.1: a keeps it
	assert.Equal(t, []*turn{b, d}, c.wait)
	assert.Empty(t, d.wake)
	passed := make(chan struct{})
	go func() {
		c.pass(a, 0.5, 0.15) // d is behind by 0.3: it gets the token
		close(passed)
	}()
	<-d.wake
	c.mu.Lock()
	assert.Equal(t, []*turn{b, a}, c.wait, "a waits after b")
	assert.Equal(t, 0.5, a.progress)
	c.mu.Unlock()
	c.release() // d ends: b and a are level, b came first
	<-b.wake
	select {
	case <-passed:
		t.Fatal("a woke without the token")
	default:
	}
	c.release() // b ends
	<-passed
	assert.Empty(t, c.wait)
	c.release() // a ends
	assert.Equal(t, 1, c.free)
}

// TestLeadAt: the lead is maxLead until the last eighth of the simulated
// time, then shrinks to minLead at the end.
func TestLeadAt(t *testing.T) {
	assert.Equal(t, maxLead, leadAt(0))
	assert.Equal(t, maxLead, leadAt(7.0/8))
	assert.InDelta(t, maxLead/2, leadAt(15.0/16), 1e-12)
	assert.Equal(t, minLead, leadAt(0.9999))
	assert.Equal(t, minLead, leadAt(1))
}

// TestSharedSchedule runs the policy of cpuTokens on a model of three
// replications on two workers whose costs per event differ by up to 5%,
// with events estimated at once or twice their number, each offering
// its token every 1/1000 or 1/100 of its run (every 4,096 events is
// about 1/1000 of an ionet-2024 replication and 1/190 of an akash-2024
// one): they end within 0.5% of the shortest schedule possible (the
// total cost over two workers, or the longest replication) with under a
// hundred hand-overs.
func TestSharedSchedule(t *testing.T) {
	for _, check := range []float64{1.0 / 1000, 1.0 / 100} {
		for _, est := range []float64{1, 2} {
			for seed := range uint64(20) {
				rng := rand.New(rand.NewPCG(seed, 1))
				costs := make([]float64, 3)
				for i := range costs {
					costs[i] = 1 + 0.05*rng.Float64()
				}
				makespan, handovers := modelSchedule(costs, 2, check, est)
				ideal := max(slices.Max(costs), (costs[0]+costs[1]+costs[2])/2)
				assert.Less(t, makespan/ideal, 1.005, "check %g, estimate %g, seed %d: costs %v", check, est, seed, costs)
				assert.Less(t, handovers, 100, "check %g, estimate %g, seed %d", check, est, seed)
			}
		}
	}
}

// modelSchedule returns when the last of replications with the given
// costs (time per run) ends on workers, each holding a token and
// offering it every check of its run (cpuTokens.pass, release) with its
// progress against an estimate of est runs, and how many times a token
// was handed on.
func modelSchedule(costs []float64, workers int, check, est float64) (end float64, handovers int) {
	done := make([]float64, len(costs))     // the fraction of each run done
	progress := make([]float64, len(costs)) // as it waits (turn.progress)
	var wait []int
	holder := make([]int, workers) // -1: idle
	clock := make([]float64, workers)
	for w := range holder {
		holder[w] = w
	}
	for i := workers; i < len(costs); i++ {
		wait = append(wait, i)
	}
	behind := func() int {
		b := 0
		for i, r := range wait {
			if progress[r] < progress[wait[b]] {
				b = i
			}
		}
		return b
	}
	for {
		w := -1 // the busy worker furthest behind in time
		for i, h := range holder {
			if h >= 0 && (w < 0 || clock[i] < clock[w]) {
				w = i
			}
		}
		if w < 0 {
			return slices.Max(clock), handovers
		}
		r := holder[w]
		step := min(check, 1-done[r])
		done[r] += step
		clock[w] += step * costs[r]
		switch {
		case done[r] >= 1-1e-12:
			holder[w] = -1
			if len(wait) > 0 {
				b := behind()
				holder[w] = wait[b]
				wait = slices.Delete(wait, b, b+1)
			}
		case len(wait) > 0:
			p := done[r] / est
			if b := behind(); progress[wait[b]] < p-leadAt(done[r]) {
				progress[r] = p
				holder[w] = wait[b]
				wait = append(slices.Delete(wait, b, b+1), r)
				handovers++
			}
		}
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

// TestBreather: a replication yields at its first look at the clock,
// then once breathEvery has passed since it last yielded.
func TestBreather(t *testing.T) {
	var b breather
	t0 := time.Unix(1000, 0)
	assert.True(t, b.due(t0))
	assert.False(t, b.due(t0.Add(breathEvery/2)))
	assert.False(t, b.due(t0.Add(breathEvery-1)))
	assert.True(t, b.due(t0.Add(breathEvery)))
	assert.False(t, b.due(t0.Add(breathEvery*3/2)), "counted from the last yield")
	assert.True(t, b.due(t0.Add(3*breathEvery)))
}
