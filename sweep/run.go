package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
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

// sets returns the overrides of point i, p: the sweep's set, the
// point's values, then its seed (PointSeed) and the replications.
func (sw *Sweep) sets(i int, p Point) []string {
	s := append([]string(nil), sw.Set...)
	s = append(s, p.Sets()...)
	return append(s, "sim.seed="+strconv.FormatInt(sw.PointSeed(i), 10), "sim.replications="+strconv.Itoa(sw.Replications))
}

// Scenario loads the scenario of point i, p: the base with the sweep's
// set, the point's values, its seed (PointSeed) and the replications.
func (sw *Sweep) Scenario(i int, p Point) (*scenarios.Scenario, error) {
	return sw.load(scenarios.Prepare(sw.Source), i, p)
}

// load is Scenario from the base scenario decoded once (Prepare).
func (sw *Sweep) load(base *scenarios.Prepared, i int, p Point) (*scenarios.Scenario, error) {
	sc, err := base.Parse(sw.sets(i, p), sw.Options)
	if err != nil {
		return nil, err
	}
	if _, err := sc.Config(); err != nil {
		return nil, err
	}
	return sc, nil
}

// Validate loads the scenario of every point, or returns the first
// invalid point (the lowest index) as a *PointError (nothing has run). It
// loads the points on GOMAXPROCS goroutines, and keeps the scenarios
// only of a sweep of at most keepPoints points: a larger sweep's
// Scenarios loads a point's scenario again when a run of it starts, so
// the sweep's memory does not grow with its points. The base scenario's
// text is decoded once for all points (scenarios.Prepare).
func (sw *Sweep) Validate(points []Point) (*Scenarios, error) {
	scs := &Scenarios{sw: sw, points: points, base: scenarios.Prepare(sw.Source)}
	keep := len(points) <= keepPoints
	if keep {
		scs.kept = make([]*scenarios.Scenario, len(points))
	}
	var mu sync.Mutex
	next, bad := 0, len(points) // the next point to load; the lowest invalid one
	var badErr error
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(points))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := i >= bad || i >= len(points) // bad only decreases: a later point cannot be the first
				mu.Unlock()
				if stop {
					return
				}
				sc, err := sw.load(scs.base, i, points[i])
				mu.Lock()
				if err != nil && i < bad {
					bad, badErr = i, err
				} else if err == nil && keep {
					scs.kept[i] = sc
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if badErr != nil {
		p := points[bad]
		pe := &PointError{File: sw.File, Index: bad, Point: p, Err: badErr}
		var se *scenarios.Error
		if errors.As(badErr, &se) {
			for _, v := range p {
				if se.Key == v.Key {
					pe.Key = v.Key
				}
			}
		}
		return nil, pe
	}
	return scs, nil
}

// keepPoints is the most points whose scenarios Validate keeps (some 40
// KB each for akash-2024): above it, a run loads its point's scenario
// again (a few milliseconds, against the tenths of a second of a run),
// since the run order visits every point before any point's next
// replication and a cache smaller than the points would never hit.
const keepPoints = 64

// Scenarios are the scenarios of a sweep's points, every one checked by
// Validate. They may be used by several goroutines at once.
type Scenarios struct {
	sw     *Sweep
	points []Point
	kept   []*scenarios.Scenario // nil: load each one when asked, from base
	base   *scenarios.Prepared
}

// Unloaded returns the Scenarios of points without loading any: for a
// Run whose Options.Simulate replaces the simulation, which reads no
// scenario.
func (sw *Sweep) Unloaded(points []Point) *Scenarios {
	return &Scenarios{sw: sw, points: points, kept: make([]*scenarios.Scenario, len(points))}
}

// Len returns the number of points.
func (s *Scenarios) Len() int { return len(s.points) }

// Scenario returns the scenario of point p, as Validate loaded it.
func (s *Scenarios) Scenario(p int) (*scenarios.Scenario, error) {
	if s.kept != nil {
		return s.kept[p], nil
	}
	sc, err := s.base.Parse(s.sw.sets(p, s.points[p]), s.sw.Options)
	if err != nil {
		return nil, fmt.Errorf("point %d (%s): %w", p, s.points[p], err)
	}
	return sc, nil
}

// PointSeed returns the sim.seed of point i's scenario: the master seed
// (common random numbers: replication r of every point has the seed
// sim.ReplicationSeed(master, r)), or with IndependentSeeds a seed of
// the point's own, floor(splitmix64((master XOR 0x5eed5eed5eed5eed) + i x
// 0x9E3779B97F4A7C15) / 2) (sim.ReplicationSeed with another master,
// halved to fit sim.seed), so that no two points share a run's seed.
func (sw *Sweep) PointSeed(i int) int64 {
	if !sw.IndependentSeeds {
		return sw.Seed
	}
	return int64(sim.ReplicationSeed(uint64(sw.Seed)^pointSeedSalt, i) >> 1)
}

const pointSeedSalt = 0x5eed5eed5eed5eed

// SeedDerivation states, for the manifest and the run table's
// provenance, how each run's seed derives from the master seed.
func (sw *Sweep) SeedDerivation() string {
	if sw.IndependentSeeds {
		return "independent seeds: replication r of point p has the seed sim.ReplicationSeed(point_seed, r) = " +
			"splitmix64(point_seed + r * 0x9E3779B97F4A7C15), point_seed = floor(splitmix64((master_seed XOR 0x5eed5eed5eed5eed) + p * 0x9E3779B97F4A7C15) / 2)"
	}
	return "common random numbers: replication r of every point has the seed sim.ReplicationSeed(master_seed, r) = splitmix64(master_seed + r * 0x9E3779B97F4A7C15)"
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
	// Write, when set, receives every row in run order (Order), on the
	// goroutine that called Run, as soon as the row and every row before
	// it are done; an error from it stops the sweep and Run returns it.
	Write func(Row) error
	// FailFast stops the sweep at the first failed run: no more runs
	// start, the runs in flight finish, and the rows written are those
	// done before the first one missing.
	FailFast bool
	// Timeseries, when set, writes each successful run's time series
	// (see Timeseries); its file takes its name before Write gets the
	// row.
	Timeseries *Timeseries
	// Shard and Shards select the runs of shard Shard of Shards (1 <=
	// Shard <= Shards): the run-order indices k with k % Shards ==
	// Shard-1, in that order (ShardRuns). Zero Shards means the whole
	// sweep (one shard).
	Shard, Shards int
	// Start is the number of the shard's runs already recorded (a
	// resumed sweep): Run starts at the shard's run Start; Progress counts
	// them as done.
	Start int
	// Simulate, when set, replaces the simulation of each run: it is
	// called with the run's point, replication and seed on the goroutine
	// running it, and its error fails the row (whose Values are then
	// NaN; otherwise they are NaN too, the caller keeping its own
	// outputs). It lets a driver test its pipeline on a known function
	// (Scenarios from Unloaded).
	Simulate func(ctx context.Context, point, rep int, seed uint64) error
}

// ShardRuns returns the number of runs of shard i of n (1-based) of a
// sweep of total runs: the run-order indices k < total with k % n == i-1.
func ShardRuns(total, i, n int) int {
	if n <= 1 {
		return total
	}
	if i-1 >= total {
		return 0
	}
	return (total - (i - 1) + n - 1) / n
}

// Result is what Run reports besides the rows it wrote.
type Result struct {
	// Runs is the number of rows written by this Run; Total the runs of
	// the sweep (of the shard, with Options.Shards).
	Runs, Total int
	// Failed lists the failed rows written, in run order (their Values
	// dropped).
	Failed []Row
	// Stopped is the failed run that stopped a --fail-fast sweep (nil
	// otherwise); it may be absent from the rows written when a row
	// before it was not done.
	Stopped *Row
}

// Order returns the sweep's run order over n points: run k (0 <= k <
// n x Replications) is replication k/n of point perm[k%n], perm a
// permutation of the points drawn from a PCG source seeded with the
// master seed. Replication-major, so the rows done after any prefix of the
// order are a balanced sample of the design (every point has the same
// number of replications, give or take one).
func (sw *Sweep) Order(n int) func(k int) (point, rep int) {
	perm := rand.New(rand.NewPCG(uint64(sw.Seed), orderStream)).Perm(n)
	return func(k int) (int, int) { return perm[k%n], k / n }
}

// orderStream is the second word of the PCG seed of the run order.
const orderStream = 0x6f726465725f7377 // "order_sw"

// Run runs every (point, replication) pair of scs (Validate's scenarios)
// in run order (Order), with the seeds of Seed, and hands each row to
// opt.Write in that order. One pool of workers takes the runs, each a
// runner.Run of that replication alone (Only), so a failed replication
// fails its row only. A run starts only when fewer than 2 x workers runs
// are started and not yet handed over, so the rows held wait in a window
// of that size whatever the sweep's size. The error is non-nil when ctx
// is cancelled or opt.Write fails; the Result then counts the rows
// written.
func (sw *Sweep) Run(ctx context.Context, scs *Scenarios, opt Options) (*Result, error) {
	reps := sw.Replications
	n := scs.Len()
	shards, off := max(1, opt.Shards), 0
	if opt.Shards > 1 {
		off = opt.Shard - 1
	}
	total := ShardRuns(n*reps, off+1, shards)
	res := &Result{Total: total}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	start := min(max(opt.Start, 0), total)
	workers = max(1, min(workers, total-start))
	window := 2 * workers
	runOrder := sw.Order(n)
	order := func(j int) (int, int) { return runOrder(j*shards + off) } // the shard's run j
	if opt.Timeseries != nil {
		defer opt.Timeseries.finish()
	}
	type done struct {
		k   int
		row Row
	}
	jobs := make(chan int)
	finished := make(chan done)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				p, r := order(k)
				if opt.Simulate != nil {
					finished <- done{k, simulateOne(ctx, scs, p, r, opt.Simulate)}
					continue
				}
				finished <- done{k, runOne(ctx, scs, p, r, opt.Recorder, opt.Timeseries)}
			}
		}()
	}
	go func() { wg.Wait(); close(finished) }()
	pending := make(map[int]Row, window) // done, not yet written
	ndone, nfailed, next, deliver := start, 0, start, start
	var stop error // why no more runs start
	closed := false
	ctxDone := ctx.Done()
	closeJobs := func() {
		if !closed {
			close(jobs)
			closed = true
		}
	}
	for {
		var send chan<- int
		if stop == nil && ctx.Err() == nil && next < total && next < deliver+window {
			send = jobs
		} else if stop != nil || ctx.Err() != nil || next == total {
			closeJobs()
		}
		select {
		case send <- next:
			next++
		case d, ok := <-finished:
			if !ok {
				if stop != nil && !errors.Is(stop, errFailFast) {
					return res, stop
				}
				if err := context.Cause(ctx); err != nil && start+res.Runs < total && stop == nil {
					return res, fmt.Errorf("sweep stopped after %d of %d runs: %w", start+res.Runs, total, err)
				}
				return res, nil
			}
			if d.row.Err != nil && ctx.Err() != nil && errors.Is(d.row.Err, ctx.Err()) {
				continue // stopped, not failed
			}
			ndone++
			if d.row.Err != nil {
				nfailed++
				if opt.FailFast && stop == nil {
					r := d.row
					r.Values = nil
					res.Stopped = &r
					stop = errFailFast
				}
			}
			if opt.Progress != nil {
				opt.Progress(ndone, nfailed, total)
			}
			pending[d.k] = d.row
			for {
				row, ok := pending[deliver]
				if !ok || (stop != nil && !errors.Is(stop, errFailFast)) {
					break
				}
				delete(pending, deliver)
				deliver++
				if opt.Timeseries != nil {
					if err := opt.Timeseries.commit(row); err != nil {
						stop = err
						break
					}
				}
				if opt.Write != nil {
					if err := opt.Write(row); err != nil {
						stop = err
						break
					}
				}
				res.Runs++
				if row.Err != nil {
					row.Values = nil
					res.Failed = append(res.Failed, row)
				}
			}
		case <-ctxDone:
			ctxDone = nil
			closeJobs()
			// keep taking finished runs until the workers stop
		}
	}
}

// errFailFast marks a sweep stopped by Options.FailFast.
var errFailFast = errors.New("stopped at the first failed run")

// simulateOne runs replication rep of point p through Options.Simulate.
func simulateOne(ctx context.Context, scs *Scenarios, p, rep int, f func(ctx context.Context, point, rep int, seed uint64) error) Row {
	row := Row{Point: p, Rep: rep, Seed: sim.ReplicationSeed(uint64(scs.sw.PointSeed(p)), rep), Values: make([]float64, sim.NumMetrics)}
	for m := range row.Values {
		row.Values[m] = math.NaN()
	}
	row.Err = f(ctx, p, rep, row.Seed)
	return row
}

// runOne runs replication rep of point p alone.
func runOne(ctx context.Context, scs *Scenarios, p, rep int, rec func(point, rep int) sim.Recorder, ts *Timeseries) Row {
	row := Row{Point: p, Rep: rep, Seed: sim.ReplicationSeed(uint64(scs.sw.PointSeed(p)), rep), Values: make([]float64, sim.NumMetrics)}
	ro := runner.Options{Workers: 1, Only: []int{rep}}
	if rec != nil {
		ro.Recorder = func(rep int) sim.Recorder { return rec(p, rep) }
	}
	if ts != nil {
		ro.Sink = ts.sink(p, rep, row.Seed)
	}
	sc, err := scs.Scenario(p)
	var res *runner.Result
	if err == nil {
		res, err = runner.Run(ctx, sc, ro)
	}
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
