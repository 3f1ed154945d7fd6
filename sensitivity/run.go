package sensitivity

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/sweep"
)

// modelHook, when set (by tests only), replaces the simulation of a run
// by a function of the point's factor values and the run's seed, which
// returns one value per output.
var modelHook func(x []float64, seed uint64) ([]float64, error)

// rerunSalt is XORed into the master seed for the seeds of reruns.
const rerunSalt = 0x726572756e5f7331 // "rerun_s1"

// RerunSeed returns the sim.seed of attempt (1-based) of the reruns of
// replication rep: floor(splitmix64((master XOR 0x726572756e5f7331) +
// ((attempt-1) x reps + rep) x 0x9E3779B97F4A7C15) / 2); the run's seed is
// then sim.ReplicationSeed(RerunSeed, 0). It is the same at every point
// (common random numbers among the reruns).
func (a *Analysis) RerunSeed(attempt, rep int) int64 {
	return int64(sim.ReplicationSeed(uint64(a.Seed)^rerunSalt, (attempt-1)*a.Replications+rep) >> 1)
}

// SeedDerivation states how each run's seed derives from the master
// seed, for the provenance.
func (a *Analysis) SeedDerivation() string {
	s := "common random numbers: replication r of every design point has the seed sim.ReplicationSeed(master_seed, r) = splitmix64(master_seed + r * 0x9E3779B97F4A7C15)"
	if a.Missing == MissingRerun {
		s += "; rerun attempt a of a failed replication r has the seed sim.ReplicationSeed(s, 0) with s = floor(splitmix64((master_seed XOR 0x726572756e5f7331) + ((a - 1) * replications + r) * 0x9E3779B97F4A7C15) / 2)"
	}
	return s
}

// Run is one run of a design point.
type Run struct {
	// Point and Rep index the run; Attempt is 0 for the first run, a for
	// rerun attempt a; Seed is the run's replication seed.
	Point, Rep, Attempt int
	Seed                uint64
	// Err is the run's error, nil when it ran.
	Err error
	// Values holds one value per output (NaN when the run failed or the
	// output's window had no finite sample).
	Values []float64
}

// missing reports whether the run gives no usable value.
func (r *Run) missing() bool {
	if r.Err != nil {
		return true
	}
	for _, v := range r.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return true
		}
	}
	return false
}

// Options configure Execute.
type Options struct {
	// Workers is the number of runs at once (0: GOMAXPROCS); the results
	// do not depend on it.
	Workers int
	// Progress, when set, is called after each run with the runs done,
	// failed and planned (reruns add to the planned runs).
	Progress func(done, failed, total int)
	// Recorded are runs recorded by an earlier execution (a journal read
	// back by ResumeJournal): a run found there is not run again.
	Recorded []Run
	// Journal, when set, receives every run this execution does, in the
	// order the runs are handed over; an error from it stops the
	// analysis.
	Journal func(Run) error
	// Shard and Shards select the runs of shard Shard of Shards (1 <=
	// Shard <= Shards): the run-order indices k of the design's runs with
	// k % Shards == Shard-1, and the reruns of those runs. Zero Shards
	// means the whole analysis.
	Shard, Shards int
}

// Runs are the runs of an analysis.
type Runs struct {
	// All lists every run, reruns included, by point, replication and
	// attempt.
	All []Run
	// Final is, per (point, rep) at index point x Replications + rep,
	// the run whose values count: the last attempt.
	Final []*Run
	// Rerun is the number of reruns.
	Rerun int
}

// Validate loads every design point's scenario (with the file's set,
// the point's factor values and the seed) and returns the first invalid
// point as a *sweep.PointError naming the file, the point, its values
// and the key; nothing runs.
func (a *Analysis) Validate(d *Design) (*sweep.Scenarios, error) {
	sw := a.sweep(a.Seed, a.Replications)
	if modelHook != nil {
		return sw.Unloaded(d.Points), nil
	}
	return sw.Validate(d.Points)
}

// sweep returns the sweep engine's view of the analysis, with the master
// seed and replications given.
func (a *Analysis) sweep(seed int64, reps int) *sweep.Sweep {
	return &sweep.Sweep{File: a.File, Name: a.Name, Text: a.Text, SHA256: a.SHA256, Base: a.Base, Source: a.Source,
		Options: a.Options, Seed: seed, Replications: reps, Set: a.Set, Design: a.Method}
}

// Execute runs every (point, replication) of d through the sweep engine
// (its run order, workers and windowed hand-over), collecting each
// output's statistic with an assertion.Collector; under the policy rerun
// it then runs the missing runs again with the seeds of RerunSeed, up to
// RerunAttempts times. scs are Validate's scenarios. With opt.Shards,
// it runs the shard's runs only (and their reruns): Runs.Final is nil
// for the other shards' runs. A run's values depend on its point,
// replication and attempt only, so the union of the shards' runs is the
// whole analysis's.
func (a *Analysis) Execute(ctx context.Context, d *Design, scs *sweep.Scenarios, opt Options) (*Runs, error) {
	R := a.Replications
	n := len(d.Points)
	total := sweep.ShardRuns(n*R, opt.Shard, max(1, opt.Shards))
	done, failed := 0, 0
	progress := func(extra int) func(int, int, int) {
		base, baseFailed := done, failed
		return func(dn, f, _ int) {
			done, failed = base+dn, baseFailed+f
			if opt.Progress != nil {
				opt.Progress(done, failed, total+extra)
			}
		}
	}
	rec := recordedRuns(opt.Recorded, len(a.Outputs))
	runs := &Runs{Final: make([]*Run, n*R)}
	main, err := a.runSet(ctx, a.sweep(a.Seed, R), scs, d, identity(n), -1, 0, opt, rec, progress(0))
	if err != nil {
		return nil, stopped(ctx, err)
	}
	runs.All = main
	for i := range main {
		runs.Final[main[i].Point*R+main[i].Rep] = &main[i]
	}
	if a.Missing == MissingRerun {
		extra := 0
		for attempt := 1; attempt <= a.RerunAttempts; attempt++ {
			byRep := make([][]int, R) // the points to rerun, per replication
			for i, r := range runs.Final {
				if r != nil && r.missing() {
					byRep[i%R] = append(byRep[i%R], i/R)
				}
			}
			for rep, pts := range byRep {
				if len(pts) == 0 {
					continue
				}
				extra += len(pts)
				sw := a.sweep(a.RerunSeed(attempt, rep), 1)
				sub := make([]sweep.Point, len(pts))
				for i, p := range pts {
					sub[i] = d.Points[p]
				}
				var subScs *sweep.Scenarios
				if modelHook != nil {
					subScs = sw.Unloaded(sub)
				} else if subScs, err = sw.Validate(sub); err != nil {
					return nil, err
				}
				ro := opt
				ro.Shard, ro.Shards = 0, 0 // the shard's own runs
				rr, err := a.runSet(ctx, sw, subScs, d, pts, rep, attempt, ro, rec, progress(extra))
				if err != nil {
					return nil, stopped(ctx, err)
				}
				for i := range rr {
					runs.Final[rr[i].Point*R+rep] = &rr[i]
				}
				runs.All = append(runs.All, rr...)
				runs.Rerun += len(rr)
			}
		}
		// Final points into All, which the appends moved
		sortRuns(runs.All)
		for i := range runs.All {
			r := &runs.All[i]
			runs.Final[r.Point*R+r.Rep] = r // the last attempt wins
		}
	}
	return runs, nil
}

// stopped returns the error of a runSet stopped by ctx as the
// analysis's, else err.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("sensitivity analysis stopped: %w", context.Cause(ctx))
	}
	return err
}

func identity(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// runSet runs the points (design indices pts, one sweep point each) of
// sw (its runs of shard opt.Shard of opt.Shards) and returns the runs
// sorted by point and replication. rep < 0 runs sw's replications;
// rep >= 0 is a rerun of replication rep (sw has one replication), of
// attempt attempt. The longest prefix of the run order found in rec is
// not run again.
func (a *Analysis) runSet(ctx context.Context, sw *sweep.Sweep, scs *sweep.Scenarios, d *Design, pts []int, rep, attempt int, opt Options, rec map[runKey]Run, progress func(int, int, int)) ([]Run, error) {
	n := len(pts)
	reps := sw.Replications
	repOf := func(r int) int {
		if rep >= 0 {
			return rep
		}
		return r
	}
	shards, off := max(1, opt.Shards), 0
	if opt.Shards > 1 {
		off = opt.Shard - 1
	}
	total := sweep.ShardRuns(n*reps, off+1, shards)
	order := sw.Order(n)
	var out []Run
	for len(out) < total {
		p, r := order(len(out)*shards + off)
		run, ok := rec[runKey{pts[p], repOf(r), attempt}]
		if !ok {
			break
		}
		out = append(out, run)
	}
	start := len(out)
	cols := make([]*assertion.Collector, n*reps)
	hooked := make([][]float64, n*reps)
	var horizon sim.Time = -1
	if modelHook == nil {
		if base, err := scenarios.ParseWith(a.Source, a.Set, a.Options); err == nil {
			horizon = base.Sim.Horizon.T()
		}
	}
	o := sweep.Options{Workers: opt.Workers, Progress: progress, Shard: opt.Shard, Shards: opt.Shards, Start: start}
	if modelHook != nil {
		o.Simulate = func(_ context.Context, p, rep int, seed uint64) error {
			v, err := modelHook(d.X[pts[p]], seed)
			if err != nil {
				return err
			}
			if len(v) != len(a.Outputs) {
				return fmt.Errorf("model hook: %d values for %d outputs", len(v), len(a.Outputs))
			}
			hooked[p*reps+rep] = v
			return nil
		}
	} else {
		o.Recorder = func(p, rep int) sim.Recorder {
			c := assertion.NewCollector(a.Outputs)
			c.SetHorizon(horizon)
			cols[p*reps+rep] = c
			return c
		}
	}
	o.Write = func(row sweep.Row) error {
		i := row.Point*reps + row.Rep
		r := Run{Point: pts[row.Point], Rep: repOf(row.Rep), Attempt: attempt, Seed: row.Seed, Err: row.Err, Values: make([]float64, len(a.Outputs))}
		switch {
		case row.Err != nil:
			for j := range r.Values {
				r.Values[j] = math.NaN()
			}
		case modelHook != nil:
			copy(r.Values, hooked[i])
		case cols[i] != nil:
			copy(r.Values, cols[i].Values())
		}
		cols[i], hooked[i] = nil, nil
		if opt.Journal != nil {
			if err := opt.Journal(r); err != nil {
				return err
			}
		}
		out = append(out, r)
		return nil
	}
	res, err := sw.Run(ctx, scs, o)
	if err != nil {
		return nil, err
	}
	if start+res.Runs != total {
		return nil, fmt.Errorf("sensitivity: %d of %d runs done (invariant: every run of the design is done)", start+res.Runs, total)
	}
	sortRuns(out)
	return out, nil
}

// FailedError is the error of runs that give no value under the policy
// refuse (or left after the reruns of the policy rerun): it names each
// failing design point, its factor values and each run's error.
type FailedError struct {
	// File names the sensitivity file; Policy is the missing-value
	// policy.
	File, Policy string
	// Runs are the failing runs (the last attempt of each), Points their
	// design points' overrides.
	Runs   []*Run
	Points []sweep.Point
	// Outputs names the outputs (for a run that ran but has no value).
	Outputs []string
}

// Error lists the failing runs (the first 20) and the ways out.
func (e *FailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d run(s) give no value (missing = %q):", e.File, len(e.Runs), e.Policy)
	for i, r := range e.Runs {
		if i == 20 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Runs)-i)
			break
		}
		why := ""
		if r.Err != nil {
			why = r.Err.Error()
		} else {
			var none []string
			for j, v := range r.Values {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					none = append(none, e.Outputs[j])
				}
			}
			why = "no value for output(s) " + strings.Join(none, ", ") + " (no finite sample in the window)"
		}
		fmt.Fprintf(&b, "\n  point %d (%s) rep %d seed %d: %s", r.Point, e.Points[r.Point], r.Rep, r.Seed, why)
	}
	if e.Policy == MissingRerun {
		b.WriteString("\nthey failed at every rerun attempt; raise rerun_attempts or choose missing = \"drop\"")
	} else {
		b.WriteString("\nchoose missing = \"drop\" (drop their Sobol rows or Morris trajectories) or \"rerun\" (run them again with other seeds) in the sensitivity file")
	}
	return b.String()
}

// Missing returns the runs that give no value (the last attempt of
// each (point, rep)), by point and replication.
func (r *Runs) Missing() []*Run {
	var out []*Run
	for _, f := range r.Final {
		if f != nil && f.missing() {
			out = append(out, f)
		}
	}
	return out
}
