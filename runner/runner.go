package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// Options configure a run.
type Options struct {
	// Workers is the number of replications simulated at once (0:
	// GOMAXPROCS). When fewer replications are left to start than
	// workers and their worlds are small (estimated below 32 MiB, about
	// 64 MiB resident), the last ones start together and share the
	// workers' time, the one furthest behind first, so that they end
	// together and no worker idles while they finish: up to 2 x
	// Workers - 1 are then under way, Workers of them simulating at any
	// moment (docs/limits.md).
	// Results do not depend on it.
	Workers int
	// Sink receives each replication as it finishes, in replication
	// order; nil keeps none (the Result still has the summary).
	Sink Sink
	// Recorder, when set, gives replication rep a recorder that also
	// sees its samples as they are produced. It is called, and its
	// recorder used, on the goroutine running the replication.
	Recorder func(rep int) sim.Recorder
	// Progress, when set, is called each time a replication finishes,
	// on the goroutine that called Run.
	Progress func(Progress)
	// Check, when not sim.CheckOff, replaces the configuration's
	// Config.Check: when the invariants are checked (after every event,
	// or at every sample).
	Check sim.CheckMode
	// Only, when not empty, runs these replications alone instead of
	// all of them: distinct indices in increasing order, each in [0,
	// sim.replications) (Run) or [0, n) (RunConfig). Replication rep
	// keeps its seed sim.ReplicationSeed(master, rep) and its index, so
	// it reproduces, byte for byte, its rows of the full run ('depinsim
	// run --rep K'). The sink, the statistics and the Result then hold
	// these replications only.
	Only []int
}

// Progress reports how far a run is.
type Progress struct {
	// Run is the index of the run among a comparison's scenarios (0 for
	// Run and RunConfig).
	Run int
	// Label is the run's label: the scenario's name, or its label in a
	// comparison; empty for RunConfig.
	Label string
	// Done is the number of its replications finished, of Total.
	Done, Total int
}

// Replication is one finished replication, as a Sink receives it.
type Replication struct {
	// Result is the replication's rep, seed, events and samples.
	Result sim.Result
	// Recording holds its samples. A sink may keep it; the runner does
	// not change it.
	Recording *reports.Recording
	// Learners summarises its learning bid strategies at its end
	// (sim.World.Learners; nil when no provider cohort learns).
	Learners []sim.LearnerSummary
}

// Result is a finished run.
type Result struct {
	// Scenario is the scenario run, nil for RunConfig.
	Scenario *scenarios.Scenario
	// Config is the configuration run.
	Config *sim.Config
	// Replications holds each replication's result, in replication order.
	Replications []sim.Result
	// Events is the number of events processed over all replications.
	Events uint64
	// Wall is the elapsed wall-clock time of the run.
	Wall time.Duration
	// Stats holds what the run's summary, charts and comparison figures
	// need (reports.RunStats), accumulated from every replication.
	Stats *reports.RunStats
	// Precision, for RunPrecision, records the precision targets and
	// what was reached; nil otherwise.
	Precision *reports.Precision
	// Only lists the replications run when Options.Only chose some of
	// them (nil: all of them ran).
	Only []int
	// Learners holds, per replication in the order of Replications, the
	// state of its learning bid strategies at its end
	// (sim.World.Learners; nil entries when no provider cohort learns).
	Learners [][]sim.LearnerSummary

	summary *reports.Summary
	// eval gathers the replications' values of the scenario's
	// assertions (nil when it has none).
	eval *assertion.Evaluator
}

// Assertions returns the results of the scenario's [[assert]] entries
// over the run's replications, in the scenario's order (nil when it has
// none, and for RunConfig).
func (r *Result) Assertions() []assertion.Result {
	if r.eval == nil {
		return nil
	}
	return r.eval.Results()
}

// Invariants returns one result per invariant (sim.Invariants): held at
// every check when the run checked them (Config.Check), skipped when it
// did not. A run that broke one returns an error instead of a Result.
func (r *Result) Invariants() []assertion.Result {
	return assertion.InvariantResults(r.Config.Check, -1, nil)
}

// Checks returns Invariants followed by Assertions.
func (r *Result) Checks() []assertion.Result {
	return append(r.Invariants(), r.Assertions()...)
}

// Summary returns the statistics across the run's replications: each
// metric's mean over time and final value, per replication and with 95%
// confidence intervals (what summary.json holds).
func (r *Result) Summary() *reports.Summary {
	if r.summary == nil {
		r.summary = r.Stats.Summary()
		r.summary.Precision = r.Precision
	}
	return r.summary
}

// Run runs the scenario's replications (sim.replications of them, from
// the master seed sim.seed) and streams them to opt.Sink. An error
// building the scenario's configuration (a mechanism's parameters) is
// returned as it is, before anything runs. When ctx is cancelled the
// replications stop between events, the sink is aborted and the error
// says how many replications were done and wraps context.Cause(ctx).
func Run(ctx context.Context, sc *scenarios.Scenario, opt Options) (*Result, error) {
	cfg, err := sc.Config()
	if err != nil {
		return nil, err
	}
	return run(ctx, job{label: sc.Name, sc: sc, cfg: cfg, n: sc.Sim.Replications}, opt)
}

// CheckOnly checks a list of replications to run alone (Options.Only)
// against a run of n replications: each index in [0, n), distinct, in
// increasing order. Its error names the first index that is not.
func CheckOnly(only []int, n int) error {
	for i, rep := range only {
		if rep < 0 || rep >= n {
			return fmt.Errorf("replication %d: the run has %d replication(s), numbered 0 to %d", rep, n, n-1)
		}
		if i > 0 && rep <= only[i-1] {
			return fmt.Errorf("replication %d after replication %d: want distinct replications in increasing order", rep, only[i-1])
		}
	}
	return nil
}

// RunConfig runs replications 0..n-1 of cfg (replication rep with the
// seed sim.ReplicationSeed(cfg.Sim.Seed, rep)) and streams them to
// opt.Sink. cfg is not modified.
func RunConfig(ctx context.Context, cfg *sim.Config, n int, opt Options) (*Result, error) {
	if n < 1 {
		return nil, fmt.Errorf("runner: %d replications: want at least 1", n)
	}
	return run(ctx, job{cfg: cfg, n: n}, opt)
}

// job is one run: a configuration and its replications.
type job struct {
	index int    // position in a comparison
	label string // for Progress
	sc    *scenarios.Scenario
	cfg   *sim.Config
	n     int
	// grow, when set, is called each time replications 0..n-1 are all
	// delivered, with their statistics; it returns the new n (n or less:
	// stop). max bounds the n it may return (0: n).
	grow func(*reports.RunStats) (int, error)
	max  int
	prec *reports.Precision // the Result's Precision
	only []int              // when set, the replications run (n of them); else 0..n-1
	// asserts are the scenario's compiled assertions, evaluated on each
	// replication as it runs (nil: none)
	asserts []*assertion.Assertion
}

// seed returns the seed of replication rep: it derives from the master
// seed and the replication's index, never from the order of execution.
func (j job) seed(rep int) uint64 { return sim.ReplicationSeed(uint64(j.cfg.Sim.Seed), rep) }

// rep returns the index of the i-th replication the job runs.
func (j job) rep(i int) int {
	if j.only != nil {
		return j.only[i]
	}
	return i
}

// outcome is what a worker returns for one replication.
type outcome struct {
	job int // index of the job among those of the pool
	pos int // position among the job's replications (job.rep)
	rep int
	res sim.Result
	rec *reports.Recording
	lrn []sim.LearnerSummary // the learners' state at the end
	col *assertion.Collector // the replication's assertion values (nil: none)
	err error
}

// run runs j's replications on the pool and streams them, in order, to
// the run's statistics and opt.Sink; it closes the sink on success and
// aborts it on failure.
func run(ctx context.Context, j job, opt Options) (*Result, error) {
	rs, _, err := runPool(ctx, []job{j}, []Sink{opt.Sink}, opt)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// deliver adds a finished replication to the result (and to its
// statistics when stats is set) and hands it to sink.
func (r *Result) deliver(o outcome, sink Sink, stats bool) error {
	if stats {
		if err := r.Stats.Add(o.rec); err != nil {
			return fmt.Errorf("replication %d: %w", o.rep, err)
		}
	}
	if r.eval != nil && o.col != nil {
		r.eval.Add(o.rep, o.col)
	}
	r.Replications = append(r.Replications, o.res)
	r.Learners = append(r.Learners, o.lrn)
	r.Events += o.res.Events
	if sink != nil {
		if err := sink.Add(Replication{Result: o.res, Recording: o.rec, Learners: o.lrn}); err != nil {
			return err
		}
	}
	return nil
}

// replicate runs replication rep of j, recording it in memory (and to the
// extra recorder of newRecorder), calling yield (when not nil) every
// offerEvents events with its events so far and the fraction of its
// simulated time done. A panic becomes a *ReplicationError with the stack; so
// does an error of the world (a broken invariant).
func replicate(ctx context.Context, j job, rep int, newRecorder func(int) sim.Recorder, yield func(events uint64, done float64)) (o outcome) {
	seed := j.seed(rep)
	o.rep = rep
	defer func() {
		if v := recover(); v != nil {
			o.err = &ReplicationError{Rep: rep, Seed: seed, Err: panicError(v), Stack: debug.Stack()}
		}
	}()
	mem := reports.NewMemory()
	mem.Reserve(int(shape(j.cfg, 1).Samples)) // the recording is not copied as it grows
	var rec sim.Recorder = mem
	if len(j.asserts) > 0 {
		o.col = assertion.NewCollector(j.asserts)
		col := o.col
		rec = sim.RecorderFunc(func(s *sim.Sample) {
			mem.Record(s)
			col.Record(s)
		})
	}
	if newRecorder != nil {
		if extra := newRecorder(rep); extra != nil {
			inner := rec
			rec = sim.RecorderFunc(func(s *sim.Sample) {
				inner.Record(s)
				extra.Record(s)
			})
		}
	}
	w := sim.NewWorld(j.cfg, rep, seed, rec)
	res, err := w.RunYielding(ctx, offerEvents, yield)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			o.err = err
			return o
		}
		o.err = &ReplicationError{Rep: rep, Seed: seed, Err: err}
		return o
	}
	o.res = res
	o.lrn = w.Learners()
	o.rec = mem.Recording()
	o.rec.Rep = rep // also without samples
	return o
}
