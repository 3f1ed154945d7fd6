package calibrate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/depinsim/depinsim/analysis"
	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/sim"
)

// Phases of evaluations.
const (
	PhaseStart   = "start"       // the starting point, on the search replications
	PhaseCMA     = "cma-es"      // CMA-ES
	PhaseNM      = "nelder-mead" // the Nelder-Mead polish
	PhaseCheck   = "check"       // the fit on the check replications
	PhaseProfile = "profile"     // the profile of one parameter
	PhaseScreen  = "screen"      // the Morris screening before the search
	PhaseABC     = "abc"         // a draw of the approximate Bayesian computation
)

// ProfileThreshold is the rise of the objective that bounds a profile
// interval: the 95% quantile of chi-square with one degree of freedom.
const ProfileThreshold = 3.841458820694124

// Options configure Run.
type Options struct {
	// Workers is the number of replications run at once (0: 1). The
	// result does not depend on it.
	Workers int
	// Journal, when set, is the path of the evaluation journal: every
	// evaluation is appended to it (and synced) as it finishes.
	Journal string
	// Resume reads the journal first: evaluations it holds are not run
	// again.
	Resume bool
	// Progress, when set, is called after each evaluation with the
	// evaluations done and the best search objective so far.
	Progress func(evals int, best float64)
	// RunDone, when set, is called after each simulated replication (on
	// the goroutine that ran it; calls may be concurrent): a population's
	// evaluations run at once and end together, so this is the finer
	// progress for display.
	RunDone func()
	// Shard and Shards (1 <= Shard <= Shards <= the starts), when Shards
	// > 0, run one shard: the start point, the starts k with k %
	// Shards == Shard-1 and the ABC draws k with k % Shards == Shard-1.
	// Run then returns after those, without the check and the profile
	// (Best is the shard's best, BestStart -1 when the start point is its
	// best; ABC holds the shard's draws, without acceptance).
	Shard, Shards int
	// ShardJournals, when set, are the journals of every shard of this
	// calibration (a merge): they are read first, and every evaluation
	// before the check, and every ABC draw, must be found in them.
	ShardJournals []string
}

// Eval is one evaluation, as the evaluation table lists it.
type Eval struct {
	// N numbers the evaluation; Start is the start it belongs to (-1 for
	// the start point, the screening, the check, the profile and the ABC
	// draws); Phase its phase;
	// Param the profiled parameter's index (-1 otherwise).
	N, Start int
	Phase    string
	Param    int
	// X holds the parameters' values; Objective the objective; Means
	// each target's mean over the replications.
	X         []float64
	Objective float64
	Means     []float64
}

// TargetFit is how the fit meets one target.
type TargetFit struct {
	// Start is the mean at the start (search replications); Fitted the
	// mean at the fit (search replications); Check the mean over the
	// check replications, with its 95% confidence interval Lo..Hi.
	Start, Fitted, Check, Lo, Hi float64
	// Met tells whether |Check - value| <= tolerance.
	Met bool
}

// Result is a finished calibration.
type Result struct {
	// Cal is the calibration.
	Cal *Calibration
	// Evals lists every evaluation in order.
	Evals []Eval
	// Best is the fitted parameters' values: the lowest objective of the
	// start point and every search evaluation (the first evaluated among
	// equals); BestStart the start that found them (-1: the start point
	// itself), Objective their objective on the search replications
	// and CheckObjective on the check replications.
	Best           []float64
	BestStart      int
	Objective      float64
	CheckObjective float64
	// StartObjective is the objective at the start.
	StartObjective float64
	// Resumed counts the evaluations read from Options.Journal.
	Resumed int
	// Screening holds each parameter's Morris measures of the objective
	// (nil without a [screen] table); Fixed tells which parameters the
	// screening fixed at their start.
	Screening []analysis.MorrisIndex
	Fixed     []bool
	// Targets holds each target's fit.
	Targets []TargetFit
	// Lo and Hi bound each parameter's profile interval (NaN without a
	// profile); LoOpen and HiOpen tell that the objective did not rise
	// by ProfileThreshold before the last profile point on that side.
	Lo, Hi         []float64
	LoOpen, HiOpen []bool
	// ABC is the approximate Bayesian computation (nil without an [abc]
	// table).
	ABC *ABCResult
}

// ABCResult is the outcome of the approximate Bayesian computation by
// rejection.
type ABCResult struct {
	// Draws lists the draws run (all of them, or a shard's: Draws[j] is
	// draw Index[j]), each its parameters' values; Distance each draw's
	// distance (the sum over the targets of ((mean - value) / sigma)^2
	// on the search replications).
	Index    []int
	Draws    [][]float64
	Distance []float64
	// Accepted lists the positions in Draws of the accepted draws, in
	// draw order; Epsilon is the threshold (the largest accepted
	// distance when the file gives accept; NaN when none is accepted).
	Accepted []int
	Epsilon  float64
	// Median, Lo and Hi are each parameter's posterior median and 2.5%
	// and 97.5% quantiles over the accepted draws (NaN when none).
	Median, Lo, Hi []float64
}

// modelHook, when set (by tests only), replaces one replication's
// simulation: it returns the targets' values at the parameters x for the
// replication's seed.
var modelHook func(x []float64, seed uint64) ([]float64, error)

type evaluator struct {
	c      *Calibration
	ctx    context.Context
	sem    chan struct{}
	mu     sync.Mutex
	cache  map[string][][]float64
	jf     *os.File
	jw     *bufio.Writer
	search []int // the search replications
	check  []int // the check replications
	// frozen, during a merge's replay of the searches, refuses an
	// evaluation that no shard's journal holds.
	frozen bool
	// runDone is Options.RunDone.
	runDone func()
}

func (e *evaluator) key(kind string, x []float64) string {
	var b strings.Builder
	b.WriteString(kind)
	for i, v := range x {
		if i == 0 {
			b.WriteByte('\t')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return b.String()
}

// reps returns the per-replication target values at x on the search
// ("s") or check ("c") replications, from the journal when it holds
// them.
func (e *evaluator) reps(kind string, x []float64) ([][]float64, error) {
	k := e.key(kind, x)
	e.mu.Lock()
	v, ok := e.cache[k]
	e.mu.Unlock()
	if ok {
		return v, nil
	}
	if e.frozen {
		return nil, fmt.Errorf("%s: the evaluation is in no shard's journal (the shards are not all of this calibration, or one is incomplete)", strings.Join(e.c.Sets(x), " "))
	}
	idx := e.search
	if kind == "c" {
		idx = e.check
	}
	out := make([][]float64, len(idx))
	errs := make([]error, len(idx))
	var wg sync.WaitGroup
	for j, r := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.sem <- struct{}{}
			defer func() { <-e.sem }()
			out[j], errs[j] = e.one(x, r)
			if e.runDone != nil {
				e.runDone()
			}
		}()
	}
	wg.Wait()
	for j, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: replication %d (seed %d): %w", strings.Join(e.c.Sets(x), " "), idx[j], sim.ReplicationSeed(uint64(e.c.Seed), idx[j]), err)
		}
		for t, v := range out[j] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: replication %d (seed %d): target %q is %v (its window holds no finite sample)",
					strings.Join(e.c.Sets(x), " "), idx[j], sim.ReplicationSeed(uint64(e.c.Seed), idx[j]), e.c.Targets[t].Name, v)
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.cache[k]; !ok {
		e.cache[k] = out
		if e.jw != nil {
			if err := e.journal(k, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// journal appends one evaluation: kind TAB x TAB the replications'
// values (replications separated by ';', targets by ','), and syncs.
func (e *evaluator) journal(k string, v [][]float64) error {
	var b strings.Builder
	b.WriteString(k)
	b.WriteByte('\t')
	for j, r := range v {
		if j > 0 {
			b.WriteByte(';')
		}
		for t, x := range r {
			if t > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	b.WriteByte('\n')
	if _, err := e.jw.WriteString(b.String()); err != nil {
		return err
	}
	if err := e.jw.Flush(); err != nil {
		return err
	}
	return e.jf.Sync()
}

// readJournal loads the journal at path into the cache; a last line cut
// short by a kill is ignored and, when repair, removed from the file.
func (e *evaluator) readJournal(path string, repair bool) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	for _, l := range lines[:len(lines)-1] { // the part after the last newline is incomplete
		f := strings.Split(l, "\t")
		if len(f) != 3 {
			return fmt.Errorf("journal %s: malformed line %q", path, l)
		}
		var v [][]float64
		for _, r := range strings.Split(f[2], ";") {
			var row []float64
			for _, s := range strings.Split(r, ",") {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return fmt.Errorf("journal %s: malformed value %q", path, s)
				}
				row = append(row, x)
			}
			if len(row) != len(e.c.Targets) {
				return fmt.Errorf("journal %s: %d values in a replication, want %d (one per target): another calibration's journal", path, len(row), len(e.c.Targets))
			}
			v = append(v, row)
		}
		e.cache[f[0]+"\t"+f[1]] = v
	}
	if rest := lines[len(lines)-1]; rest != "" && repair {
		// cut short: rewrite the journal without it
		if err := os.WriteFile(path, data[:len(data)-len(rest)], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// one runs replication r at x and returns the targets' values.
func (e *evaluator) one(x []float64, r int) ([]float64, error) {
	if modelHook != nil {
		return modelHook(x, sim.ReplicationSeed(uint64(e.c.Seed), r))
	}
	sc, err := e.c.scenario(x, 0)
	if err != nil {
		return nil, err
	}
	var col *assertion.Collector
	_, err = runner.Run(e.ctx, sc, runner.Options{Workers: 1, Only: []int{r}, Recorder: func(int) sim.Recorder {
		col = assertion.NewCollector(e.c.compiled)
		col.SetHorizon(sim.Time(e.c.horizon))
		return col
	}})
	if err != nil {
		return nil, err
	}
	return col.Values(), nil
}

// objective returns the objective of x from its replications' values and
// the targets' means.
func (c *Calibration) objective(x []float64, reps [][]float64) (float64, []float64) {
	means := make([]float64, len(c.Targets))
	for t := range means {
		s := 0.0
		for _, r := range reps {
			s += r[t]
		}
		means[t] = s / float64(len(reps))
	}
	f := 0.0
	for t, tg := range c.Targets {
		z := (means[t] - *tg.Value) / *tg.Sigma
		f += z * z
	}
	for i, p := range c.Params {
		if p.Prior != nil {
			z := (x[i] - *p.Prior.Mean) / *p.Prior.SD
			f += z * z
		}
	}
	return f, means
}

// StartSeed returns the seed of start k's CMA-ES source.
func (c *Calibration) StartSeed(k int) uint64 {
	return sim.ReplicationSeed(uint64(c.Seed)^0xca11b8a7e0000000, k)
}

// Run runs the calibration: the start, every start's search, the check
// of the best point and its profile.
func Run(ctx context.Context, c *Calibration, opt Options) (*Result, error) {
	if opt.Shards > 0 && (opt.Shard < 1 || opt.Shard > opt.Shards || opt.Shards > c.Starts) {
		return nil, fmt.Errorf("shard %d/%d of %d start(s): want 1 <= shard <= shards <= starts", opt.Shard, opt.Shards, c.Starts)
	}
	w := max(1, opt.Workers)
	resumed := 0
	e := &evaluator{c: c, ctx: ctx, sem: make(chan struct{}, w), cache: map[string][][]float64{}, runDone: opt.RunDone}
	for r := range c.Replications {
		e.search = append(e.search, r)
	}
	for r := range c.CheckReplications {
		e.check = append(e.check, c.Replications+r)
	}
	for _, j := range opt.ShardJournals {
		if err := e.readJournal(j, false); err != nil {
			return nil, err
		}
	}
	e.frozen = len(opt.ShardJournals) > 0
	if opt.Journal != "" {
		if opt.Resume {
			n := len(e.cache)
			if err := e.readJournal(opt.Journal, true); err != nil {
				return nil, err
			}
			resumed = len(e.cache) - n
		}
		f, err := os.OpenFile(opt.Journal, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		e.jf, e.jw = f, bufio.NewWriter(f)
	}
	res := &Result{Cal: c, BestStart: -1, Objective: math.Inf(1), Resumed: resumed}
	add := func(start int, phase string, param int, x []float64, reps [][]float64) Eval {
		f, means := c.objective(x, reps)
		ev := Eval{N: len(res.Evals), Start: start, Phase: phase, Param: param, X: x, Objective: f, Means: means}
		res.Evals = append(res.Evals, ev)
		if (phase == PhaseStart || phase == PhaseCMA || phase == PhaseNM) && f < res.Objective {
			res.Objective, res.Best, res.BestStart = f, slices.Clone(x), start
		}
		if opt.Progress != nil {
			opt.Progress(len(res.Evals), res.Objective)
		}
		return ev
	}
	x0 := c.natural(c.start)
	reps, err := e.reps("s", x0)
	if err != nil {
		return nil, fmt.Errorf("the start: %w", err)
	}
	res.StartObjective = add(-1, PhaseStart, -1, x0, reps).Objective
	startMeans := res.Evals[0].Means
	res.Fixed = make([]bool, len(c.Params))
	if c.ScreenTrajectories > 0 {
		if err := res.screen(e, add); err != nil {
			return nil, err
		}
	}
	// the search runs on the free parameters' unit interval; the fixed
	// ones stay at their start
	var free []int
	for i, f := range res.Fixed {
		if !f {
			free = append(free, i)
		}
	}
	full := func(v []float64) []float64 {
		u := slices.Clone(c.start)
		for j, i := range free {
			u[i] = v[j]
		}
		return u
	}
	start := make([]float64, len(free))
	for j, i := range free {
		start[j] = c.start[i]
	}
	pop := c.Population
	if c.populationDefault {
		pop = defaultPopulation(len(free))
	}
	for k := range c.Starts {
		if opt.Shards > 0 && k%opt.Shards != opt.Shard-1 {
			continue
		}
		var mu sync.Mutex
		var firstErr error
		f := func(uf []float64) float64 {
			x := c.natural(full(uf))
			reps, err := e.reps("s", x)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return math.NaN()
			}
			v, _ := c.objective(x, reps)
			return v
		}
		var obsErr error
		_, err := analysis.Minimize(f, analysis.MinimizeSettings{Start: start, Population: pop, Generations: c.Generations,
			Step: c.Step, Polish: c.Polish, Seed: c.StartSeed(k), Concurrent: w}, func(ev analysis.Eval) {
			x := c.natural(full(ev.U))
			e.mu.Lock()
			reps, ok := e.cache[e.key("s", x)]
			e.mu.Unlock()
			if !ok {
				obsErr = fmt.Errorf("internal: evaluation at %v missing from the cache", x)
				return
			}
			add(k, ev.Phase, -1, x, reps)
		})
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if firstErr != nil {
			return nil, fmt.Errorf("start %d: a run failed: %w", k, firstErr)
		}
		if err != nil {
			return nil, fmt.Errorf("start %d: %w", k, err)
		}
		if obsErr != nil {
			return nil, obsErr
		}
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
	}
	if opt.Shards > 0 {
		if c.ABCSamples > 0 {
			if err := res.abc(e, add, opt.Shard, opt.Shards); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	e.frozen = false
	// the check on fresh seeds
	creps, err := e.reps("c", res.Best)
	if err != nil {
		return nil, fmt.Errorf("the check: %w", err)
	}
	ce := add(-1, PhaseCheck, -1, res.Best, creps)
	res.CheckObjective = ce.Objective
	fitted := slices.IndexFunc(res.Evals, func(ev Eval) bool {
		return (ev.Phase == PhaseStart || ev.Phase == PhaseCMA || ev.Phase == PhaseNM) && ev.Objective == res.Objective && slices.Equal(ev.X, res.Best)
	})
	for t, tg := range c.Targets {
		vals := make([]float64, len(creps))
		for j := range creps {
			vals[j] = creps[j][t]
		}
		m, lo, hi := meanCI(vals)
		res.Targets = append(res.Targets, TargetFit{Start: startMeans[t], Fitted: res.Evals[fitted].Means[t], Check: m, Lo: lo, Hi: hi,
			Met: math.Abs(m-*tg.Value) <= *tg.Tolerance})
	}
	if err := res.profile(e, add); err != nil {
		return nil, err
	}
	if c.ABCSamples > 0 {
		e.frozen = len(opt.ShardJournals) > 0
		if err := res.abc(e, add, 0, 0); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// meanCI returns the mean of v and the bounds of its 95% confidence
// interval (Student's t).
func meanCI(v []float64) (m, lo, hi float64) {
	n := float64(len(v))
	for _, x := range v {
		m += x
	}
	m /= n
	if len(v) < 2 {
		return m, math.NaN(), math.NaN()
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	sd := math.Sqrt(ss / (n - 1))
	h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975) * sd / math.Sqrt(n)
	return m, m - h, m + h
}

// profile evaluates each parameter on c.Profile points each side of the
// fit (the others fixed), at unit-interval offsets 0.5 (j / P)^2, and
// bounds the values whose objective is within ProfileThreshold of the
// fit's.
func (res *Result) profile(e *evaluator, add func(int, string, int, []float64, [][]float64) Eval) error {
	c := res.Cal
	d := len(c.Params)
	res.Lo, res.Hi = make([]float64, d), make([]float64, d)
	res.LoOpen, res.HiOpen = make([]bool, d), make([]bool, d)
	for i := range d {
		res.Lo[i], res.Hi[i] = math.NaN(), math.NaN()
	}
	if c.Profile == 0 {
		return nil
	}
	type job struct {
		i, side int
		x       []float64
		reps    [][]float64
		err     error
	}
	var jobs []*job
	for i := range d {
		if res.Fixed[i] {
			continue
		}
		ufit := c.unit(i, res.Best[i])
		for _, side := range []int{-1, 1} {
			last := res.Best[i]
			for j := 1; j <= c.Profile; j++ {
				u := min(max(ufit+float64(side)*0.5*math.Pow(float64(j)/float64(c.Profile), 2), 0), 1)
				x := slices.Clone(res.Best)
				x[i] = c.value(i, u)
				if x[i] == last {
					continue
				}
				last = x[i]
				jobs = append(jobs, &job{i: i, side: side, x: x})
			}
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.reps, j.err = e.reps("s", j.x)
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		if j.err != nil {
			return fmt.Errorf("the profile of %s: %w", c.Params[j.i].Key, j.err)
		}
	}
	for i := range d {
		if res.Fixed[i] {
			continue
		}
		for _, side := range []int{-1, 1} {
			prevX, prevF := res.Best[i], res.Objective
			bound, open := res.Best[i], true
			for _, j := range jobs {
				if j.i != i || j.side != side {
					continue
				}
				ev := add(-1, PhaseProfile, i, j.x, j.reps)
				if !open {
					continue
				}
				if ev.Objective-res.Objective > ProfileThreshold {
					t := (res.Objective + ProfileThreshold - prevF) / (ev.Objective - prevF)
					bound, open = prevX+min(max(t, 0), 1)*(j.x[i]-prevX), false
					continue
				}
				prevX, prevF, bound = j.x[i], ev.Objective, j.x[i]
			}
			if side < 0 {
				res.Lo[i], res.LoOpen[i] = bound, open
			} else {
				res.Hi[i], res.HiOpen[i] = bound, open
			}
		}
	}
	return nil
}

// ScreenSeed returns the seed of the screening's Morris design.
func (c *Calibration) ScreenSeed() uint64 {
	return sim.ReplicationSeed(uint64(c.Seed)^0x5c7ee9000000000, 0)
}

// screen runs the Morris screening of the objective over the
// parameters' unit box (evaluations in design order, phase "screen") and
// fixes the parameters whose mu* is below the threshold times the
// largest.
func (res *Result) screen(e *evaluator, add func(int, string, int, []float64, [][]float64) Eval) error {
	c := res.Cal
	d, err := analysis.NewMorrisTrajectories(len(c.Params), c.ScreenTrajectories, c.ScreenLevels, c.ScreenSeed())
	if err != nil {
		return fmt.Errorf("the screening: %w", err)
	}
	xs := make([][]float64, len(d.Points))
	out := make([][][]float64, len(d.Points))
	errs := make([]error, len(d.Points))
	var wg sync.WaitGroup
	for i, u := range d.Points {
		xs[i] = c.natural(u)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = e.reps("s", xs[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("the screening: %w", err)
		}
	}
	y := make([]float64, len(d.Points))
	for i := range d.Points {
		y[i] = add(-1, PhaseScreen, -1, xs[i], out[i]).Objective
	}
	mr, err := analysis.MorrisAnalyze(d, y, analysis.MorrisOptions{Bootstrap: 200, Seed: c.ScreenSeed()})
	if err != nil {
		return fmt.Errorf("the screening: %w", err)
	}
	res.Screening = mr.Indices
	top := 0.0
	for _, ix := range mr.Indices {
		top = math.Max(top, ix.MuStar)
	}
	for i, ix := range mr.Indices {
		res.Fixed[i] = ix.MuStar < c.ScreenThreshold*top
	}
	return nil
}

// ABCSeed returns the seed of the ABC draws' unit sample.
func (c *Calibration) ABCSeed() uint64 {
	return sim.ReplicationSeed(uint64(c.Seed)^0xabc0000000000000, 0)
}

// abcValue maps draw coordinate u of parameter i to its value: the
// quantile of its prior truncated to [min, max] when it has one, else
// uniform over [min, max] on its scale (log-uniform on a log scale);
// rounded for an integer parameter.
func (c *Calibration) abcValue(i int, u float64) float64 {
	p := c.Params[i]
	var x float64
	switch {
	case p.Prior != nil:
		x = analysis.TruncatedNormal{Mu: *p.Prior.Mean, Sigma: *p.Prior.SD, Lo: *p.Min, Hi: *p.Max}.Quantile(u)
	case p.Scale == "log":
		x = *p.Min * math.Pow(*p.Max / *p.Min, u)
	default:
		x = *p.Min + u*(*p.Max-*p.Min)
	}
	x = min(max(x, *p.Min), *p.Max)
	if p.Integer {
		x = math.Round(x)
	}
	return x
}

// distance returns the ABC distance of a point from its targets' means:
// the objective without the priors' terms (the draws come from the
// priors).
func (c *Calibration) distance(means []float64) float64 {
	f := 0.0
	for t, tg := range c.Targets {
		z := (means[t] - *tg.Value) / *tg.Sigma
		f += z * z
	}
	return f
}

// ABCDraws returns the values of every ABC draw, in draw order.
func (c *Calibration) ABCDraws() ([][]float64, error) {
	us, err := analysis.UnitSample(c.ABCSamples, len(c.Params), c.ABCSampling, c.ABCSeed())
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(us))
	for k, u := range us {
		x := make([]float64, len(u))
		for i := range u {
			x[i] = c.abcValue(i, u[i])
		}
		out[k] = x
	}
	return out, nil
}

// abc runs the ABC draws (those k with k % shards == shard-1 when shards
// > 0) on the search replications (evaluations in draw order, phase
// "abc") and, for the whole set, accepts the closest and summarizes the
// posterior.
func (res *Result) abc(e *evaluator, add func(int, string, int, []float64, [][]float64) Eval, shard, shards int) error {
	c := res.Cal
	all, err := c.ABCDraws()
	if err != nil {
		return fmt.Errorf("the ABC draws: %w", err)
	}
	a := &ABCResult{Epsilon: math.NaN()}
	for k, x := range all {
		if shards > 0 && k%shards != shard-1 {
			continue
		}
		a.Index, a.Draws = append(a.Index, k), append(a.Draws, x)
	}
	out := make([][][]float64, len(a.Draws))
	errs := make([]error, len(a.Draws))
	var wg sync.WaitGroup
	inflight := make(chan struct{}, 4*cap(e.sem)+16) // bounds the goroutines of many draws
	for j, x := range a.Draws {
		wg.Add(1)
		inflight <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-inflight }()
			out[j], errs[j] = e.reps("s", x)
		}()
	}
	wg.Wait()
	for j, err := range errs {
		if err != nil {
			return fmt.Errorf("the ABC draw %d: %w", a.Index[j], err)
		}
	}
	for j, x := range a.Draws {
		a.Distance = append(a.Distance, c.distance(add(-1, PhaseABC, -1, x, out[j]).Means))
	}
	res.ABC = a
	d := len(c.Params)
	a.Median, a.Lo, a.Hi = make([]float64, d), make([]float64, d), make([]float64, d)
	for i := range d {
		a.Median[i], a.Lo[i], a.Hi[i] = math.NaN(), math.NaN(), math.NaN()
	}
	if shards > 0 {
		return nil
	}
	n := 0
	if c.ABCAccept > 0 {
		n = int(math.Round(c.ABCAccept * float64(c.ABCSamples)))
	}
	a.Accepted, a.Epsilon = analysis.ABCAccept(a.Distance, n, c.ABCEpsilon)
	if len(a.Accepted) == 0 {
		return nil
	}
	v := make([]float64, len(a.Accepted))
	for i := range d {
		for j, k := range a.Accepted {
			v[j] = a.Draws[k][i]
		}
		a.Median[i], a.Lo[i], a.Hi[i] = analysis.Quantile(v, 0.5), analysis.Quantile(v, 0.025), analysis.Quantile(v, 0.975)
	}
	return nil
}
