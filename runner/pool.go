package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sim"
)

// task is one job of the pool with its delivery state.
type task struct {
	j       job
	sink    Sink
	res     *Result
	keeper  statsKeeper // a sink that keeps the statistics itself lends them
	lent    bool
	pending map[int]outcome // by position: finished, waiting for the replications before them
	next    int             // replications dispatched
	deliver int             // replications delivered
	done    int             // replications finished
	start   time.Time       // the first dispatch
	closed  bool            // sink closed: the job is complete
	collect bool            // its worlds are large: a collection follows each replication (collectAfter)
	events  float64         // the events estimated for a replication (sim.WorldEstimate.Events)
}

// collectAfter is the estimated size of a world (sim.WorldEstimate.Bytes)
// from which a garbage collection follows each of its replications: a
// world of about 64 MiB resident (worldFactor). A finished world is
// garbage, but the collector lets the heap grow to about twice what
// survived its last cycle before it runs again, so without one the dead
// world's tables stay in memory while the output or the next world
// allocates, and the peak holds both (akash-2024 with providers and
// demand x100: 175 MiB peak RSS without, 155 MiB with). Below it a world
// is small and the cycle not worth its CPU.
const collectAfter = 32 << 20

// collects reports whether a collection follows each replication of cfg
// (collectAfter).
func collects(cfg *sim.Config) bool { return collectsAt(sim.EstimateWorld(cfg)) }

// collectsAt is collects for a world estimated at est.
func collectsAt(est sim.WorldEstimate) bool { return est.Bytes >= collectAfter }

// shareTail reports whether the pool starts the last replications
// together when fewer are left to start than it has workers, so that
// they share the workers' time instead of leaving some workers idle at
// the end (three replications on two workers take 1.5 replications'
// time, not 2): when no job's worlds are large (collectAfter), since
// up to 2 x workers - 1 worlds are then in memory at once.
func shareTail(tasks []*task) bool {
	for _, t := range tasks {
		if t.collect {
			return false
		}
	}
	return true
}

// task is finished when every replication it will run is delivered.
func (t *task) complete() bool { return t.deliver == t.j.n && t.j.grow == nil }

// runPool runs the replications of every job on one pool of workers and
// streams each job's replications, in replication order, to its
// statistics and its sink (sinks[i], nil: none). Replications are
// dispatched job by job in the jobs' order, so a worker that finishes one
// job's last replication takes the next job's first while the other
// workers finish theirs; when fewer are left to start than workers (and
// the worlds are small), they start at once and share the workers' time
// (shareTail). At most 2 x workers
// replications are dispatched and not yet delivered, whatever their job,
// so the recordings held wait in a window of that size. A job's sink is
// closed as soon as its last replication is delivered. On failure or
// cancellation every sink not closed is aborted; the error is that of
// the job whose index is returned (the earliest job, then replication,
// among the failures seen), or the context's, naming the first job not
// complete.
func runPool(ctx context.Context, jobs []job, sinks []Sink, opt Options) (_ []*Result, failed int, err error) {
	tasks := make([]*task, len(jobs))
	total := 0
	for i, j := range jobs {
		if len(opt.Only) > 0 {
			if err := CheckOnly(opt.Only, j.n); err != nil {
				return nil, i, fmt.Errorf("runner: %w", err)
			}
			j.only, j.n = opt.Only, len(opt.Only)
		}
		if opt.Check != sim.CheckOff {
			c := *j.cfg
			c.Check = opt.Check
			j.cfg = &c
		}
		var eval *assertion.Evaluator
		if j.sc != nil && len(j.sc.Assert) > 0 {
			as, err := j.sc.Assertions()
			if err != nil {
				return nil, i, fmt.Errorf("runner: %s: %w", j.label, err)
			}
			j.asserts = as
			eval = assertion.NewEvaluator(as, j.cfg.Sim.Horizon.T())
		}
		est := sim.EstimateWorld(j.cfg)
		t := &task{j: j, sink: sinks[i], pending: map[int]outcome{}, collect: collectsAt(est), events: max(1, est.Events)}
		t.keeper, t.lent = t.sink.(statsKeeper)
		t.res = &Result{Scenario: j.sc, Config: j.cfg, Replications: make([]sim.Result, 0, j.n), Stats: reports.NewRunStats(), Precision: j.prec, Only: j.only, eval: eval}
		tasks[i] = t
		total += max(j.n, j.max)
	}
	defer func() {
		if err != nil {
			for _, t := range tasks {
				if !t.closed && t.sink != nil {
					t.sink.Abort()
				}
			}
		}
	}()

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, total))
	window := 2 * workers // replications dispatched but not yet delivered
	// replications under way: workers, and with a shared tail up to
	// workers - 1 more, all simulating on workers tokens
	share := shareTail(tasks)
	slots := workers
	if share {
		slots = min(2*workers-1, total)
	}
	tokens := newCPUTokens(workers)

	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	type slot struct{ job, pos int }
	work := make(chan slot)
	results := make(chan outcome)
	for range slots {
		go func() {
			for s := range work {
				t := tasks[s.job]
				turn, breath := newTurn(), breather{}
				tokens.acquire(turn)
				o := replicate(inner, t.j, t.j.rep(s.pos), opt.Recorder, func(events uint64, done float64) {
					tokens.pass(turn, float64(events)/t.events, leadAt(done))
					if breath.due(time.Now()) {
						runtime.Gosched()
					}
				})
				if t.collect {
					runtime.GC() // the world just run is garbage (collectAfter)
				}
				tokens.release()
				o.job, o.pos = s.job, s.pos
				results <- o
			}
		}()
	}
	defer close(work)

	var failure error // the earliest job's, then replication's, error
	failJob, failRep := len(jobs), 0
	fail := func(job, pos int, err error) {
		if failure == nil || job < failJob || (job == failJob && pos < failRep) {
			failure, failJob, failRep = err, job, pos
		}
		cancel()
	}
	inflight, outstanding := 0, 0 // running; dispatched and not delivered
	for {
		var send chan<- slot
		var s slot
		if failure == nil && ctx.Err() == nil && outstanding < window && (inflight < workers || share && left(tasks) < workers) {
			for i, t := range tasks {
				if t.next < t.j.n {
					send, s = work, slot{i, t.next}
					break
				}
			}
		}
		if send == nil && inflight == 0 {
			break
		}
		select {
		case send <- s:
			t := tasks[s.job]
			if t.next == 0 {
				t.start = time.Now()
			}
			t.next++
			inflight++
			outstanding++
		case o := <-results:
			inflight--
			t := tasks[o.job]
			if o.err != nil {
				var re *ReplicationError
				if errors.As(o.err, &re) {
					fail(o.job, o.pos, o.err)
				} // else stopped by the context: the run's error is the context's
				continue
			}
			t.done++
			if opt.Progress != nil {
				opt.Progress(Progress{Run: t.j.index, Label: t.j.label, Done: t.done, Total: t.j.n})
			}
			t.pending[o.pos] = o
			if err := t.drain(&outstanding); err != nil {
				fail(o.job, o.pos, err)
				continue
			}
			if t.complete() && failure == nil && ctx.Err() == nil {
				if err := t.close(); err != nil {
					fail(o.job, t.j.n, err) // the sink is aborted
				} else {
					t.closed = true
				}
			}
		}
	}
	if failure != nil {
		return nil, failJob, failure
	}
	for i, t := range tasks {
		if !t.closed {
			// the cause says why: context.Canceled, or what the canceller gave
			return nil, i, fmt.Errorf("run stopped after %d of %d replications: %w", t.deliver, t.j.n, context.Cause(ctx))
		}
	}
	rs := make([]*Result, len(tasks))
	for i, t := range tasks {
		rs[i] = t.res
	}
	return rs, 0, nil
}

// left returns the replications of tasks not yet dispatched.
func left(tasks []*task) int {
	n := 0
	for _, t := range tasks {
		n += max(0, t.j.n-t.next)
	}
	return n
}

// drain delivers t's pending replications that come next in order,
// deciding at the end of each batch whether to grow the job (job.grow).
func (t *task) drain(outstanding *int) error {
	for {
		o, ok := t.pending[t.deliver]
		if !ok {
			return nil
		}
		delete(t.pending, t.deliver)
		if err := t.res.deliver(o, t.sink, !t.lent); err != nil {
			return err
		}
		t.deliver++
		*outstanding--
		if t.deliver == t.j.n && t.j.grow != nil {
			stats := t.res.Stats
			if t.lent {
				stats = t.keeper.runStats()
			}
			n, err := t.j.grow(stats)
			if err != nil {
				return err
			}
			if n > t.j.n {
				t.j.n = n
			} else {
				t.j.grow = nil
			}
		}
	}
}

// close completes t's result and closes its sink.
func (t *task) close() error {
	t.res.Wall = time.Since(t.start)
	if t.lent {
		t.res.Stats = t.keeper.runStats()
	}
	if t.sink != nil {
		return t.sink.Close(t.res)
	}
	return nil
}
