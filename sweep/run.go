package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"

	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// PointError is an invalid point: its scenario does not load.
type PointError struct {
	// File names the sweep file.
	File string
	// Index is the point's index; Point its values.
	Index int
	Point Point
	// Key is the swept key the error names, when it names one.
	Key string
	// Err is the scenario's error.
	Err error
}

// Error names the sweep file, the point, its values and the error.
func (e *PointError) Error() string {
	return fmt.Sprintf("%s: point %d (%s): %v", e.File, e.Index, e.Point, e.Err)
}

// Unwrap returns the scenario's error.
func (e *PointError) Unwrap() error { return e.Err }

// sets returns the overrides of point p: the sweep's set, the point's
// values, then the master seed and the replications.
func (sw *Sweep) sets(p Point) []string {
	s := append([]string(nil), sw.Set...)
	s = append(s, p.Sets()...)
	return append(s, "sim.seed="+strconv.FormatInt(sw.Seed, 10), "sim.replications="+strconv.Itoa(sw.Replications))
}

// Scenario loads the scenario of point p: the base with the sweep's set,
// the point's values, the master seed and the replications.
func (sw *Sweep) Scenario(p Point) (*scenarios.Scenario, error) {
	sc, err := scenarios.ParseWith(sw.Source, sw.sets(p), sw.Options)
	if err != nil {
		return nil, err
	}
	if _, err := sc.Config(); err != nil {
		return nil, err
	}
	return sc, nil
}

// Validate loads the scenario of every point and returns them, or the
// first invalid point as a *PointError (nothing has run).
func (sw *Sweep) Validate(points []Point) ([]*scenarios.Scenario, error) {
	scs := make([]*scenarios.Scenario, len(points))
	for i, p := range points {
		sc, err := sw.Scenario(p)
		if err != nil {
			pe := &PointError{File: sw.File, Index: i, Point: p, Err: err}
			var se *scenarios.Error
			if errors.As(err, &se) {
				for _, v := range p {
					if se.Key == v.Key {
						pe.Key = v.Key
					}
				}
			}
			return nil, pe
		}
		scs[i] = sc
	}
	return scs, nil
}

// Row is the outcome of one (point, replication) run.
type Row struct {
	// Point and Rep index the run; Seed is its replication seed.
	Point, Rep int
	Seed       uint64
	// Err is the run's error (a model error, a broken invariant, a
	// panic); nil when it ran.
	Err error
	// Values holds, per metric in sim.Metrics order, the replication's
	// statistic (Statistic); NaN for a failed run.
	Values []float64
}

// Statistic returns which per-replication statistic of metric m a sweep
// records: "final" (the last sample) for stocks and totals, "time_mean"
// (the mean over samples) for the others, as the run summary does.
func Statistic(m int) string {
	if sim.Metrics[m].Kind.Final() {
		return "final"
	}
	return "time_mean"
}

// Options configure Run.
type Options struct {
	// Workers is the number of runs at once (0: GOMAXPROCS). The rows
	// do not depend on it.
	Workers int
	// Progress, when set, is called after each run with the runs done,
	// failed and in all, on the goroutine that called Run.
	Progress func(done, failed, total int)
	// Recorder, when set, gives the run of point and rep a recorder that
	// also sees its samples (runner.Options.Recorder); called on the
	// goroutine running it.
	Recorder func(point, rep int) sim.Recorder
}

// Run runs every (point, replication) pair of scs (Validate's
// scenarios), replication r of every point with the seed
// sim.ReplicationSeed(master, r), and returns one row per pair in
// (point, replication) order. One pool of workers takes the pairs in
// that order, each pair a runner.Run of that replication alone (Only),
// so a failed replication fails its row only. The error is non-nil only
// when ctx is cancelled.
func (sw *Sweep) Run(ctx context.Context, scs []*scenarios.Scenario, opt Options) ([]Row, error) {
	reps := sw.Replications
	total := len(scs) * reps
	rows := make([]Row, total)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, total))
	jobs := make(chan int)
	finished := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rows[i] = runOne(ctx, scs[i/reps], i/reps, i%reps, opt.Recorder)
				finished <- i
			}
		}()
	}
	go func() { wg.Wait(); close(finished) }()
	done, failed, next := 0, 0, 0
	for {
		var send chan<- int
		if next < total && ctx.Err() == nil {
			send = jobs
		}
		select {
		case send <- next:
			next++
			if next == total {
				close(jobs)
			}
			continue
		case i, ok := <-finished:
			if !ok {
				if err := context.Cause(ctx); err != nil && done < total {
					return nil, fmt.Errorf("sweep stopped after %d of %d runs: %w", done, total, err)
				}
				return rows, nil
			}
			if rows[i].Err != nil && ctx.Err() != nil && errors.Is(rows[i].Err, ctx.Err()) {
				continue // stopped, not failed
			}
			done++
			if rows[i].Err != nil {
				failed++
			}
			if opt.Progress != nil {
				opt.Progress(done, failed, total)
			}
		case <-ctx.Done():
			if next < total {
				close(jobs)
				next = total
			}
			// keep draining finished until the workers stop
			for range finished {
			}
			return nil, fmt.Errorf("sweep stopped after %d of %d runs: %w", done, total, context.Cause(ctx))
		}
	}
}

// runOne runs replication rep of point p alone.
func runOne(ctx context.Context, sc *scenarios.Scenario, p, rep int, rec func(point, rep int) sim.Recorder) Row {
	row := Row{Point: p, Rep: rep, Seed: sim.ReplicationSeed(uint64(sc.Sim.Seed), rep), Values: make([]float64, sim.NumMetrics)}
	ro := runner.Options{Workers: 1, Only: []int{rep}}
	if rec != nil {
		ro.Recorder = func(rep int) sim.Recorder { return rec(p, rep) }
	}
	res, err := runner.Run(ctx, sc, ro)
	if err != nil {
		row.Err = err
		for m := range row.Values {
			row.Values[m] = math.NaN()
		}
		return row
	}
	s := res.Summary()
	for m := range row.Values {
		st := s.Metrics[m].TimeMean
		if Statistic(m) == "final" {
			st = s.Metrics[m].Final
		}
		row.Values[m] = float64(st.PerRep[0])
	}
	return row
}

// runnerVersion is the tool's version (runner.BuildVersion).
var runnerVersion = runner.BuildVersion
