package calibrate

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/depinsim/depinsim/analysis"
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
