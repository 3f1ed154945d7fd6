package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/optimize"
)

// The bounded minimizer of a calibration: CMA-ES (gonum's CmaEsChol) on
// the whole box, then a Nelder-Mead polish from its best point.
//
// Bounds. Every parameter is searched on its unit interval [0, 1] (the
// caller maps the interval to the parameter's bounds, linearly or on a log
// scale). The optimizers work on the whole real line: a coordinate z is
// mapped to the unit interval by reflection at 0 and 1,
//
//	u = Reflect(z) = t       where t = z mod 2 in [0, 2), when t <= 1,
//	               = 2 - t   otherwise,
//
// a triangle wave of period 2, so that a step past a bound comes back
// inside it and the objective seen by the optimizer stays continuous. A
// start u0 in [0, 1] is the point z = u0; the CMA-ES step is in the same
// units (a step of 0.3 is 30% of every parameter's range).
//
// Determinism. CmaEsChol draws the population's points from its source in
// the order of their indices within a generation, whatever the number of
// evaluations in flight, stores each value by its index and updates its
// state only once the whole generation is back; the generation's points
// and the next mean are thus the same whatever Concurrent. The minimizer
// stops on a number of generations only (never on a count of evaluations,
// which in flight could differ). Observe receives a generation's
// evaluations once all of them are back, in lexicographic order of their
// points (their completion order varies), so the evaluation numbers, the
// best point (the lowest objective, the first evaluated on ties) and the
// history do not depend on the concurrency. The Nelder-Mead polish is
// sequential.

// Reflect maps z in R to [0, 1] by reflection at 0 and 1 (a triangle
// wave of period 2).
func Reflect(z float64) float64 {
	t := math.Mod(z, 2)
	if t < 0 {
		t += 2
	}
	if t > 1 {
		return 2 - t
	}
	return t
}

// MinimizeSettings configure Minimize.
type MinimizeSettings struct {
	// Start is the starting point in the unit cube (one coordinate per
	// parameter, each in [0, 1]).
	Start []float64
	// Population is CMA-ES's population (0: 4 + floor(3 ln d)); at least
	// 2 otherwise.
	Population int
	// Generations is the number of CMA-ES generations (0: no CMA-ES).
	Generations int
	// Step is CMA-ES's initial step size in unit-cube units (0: 0.3).
	Step float64
	// Polish is the number of Nelder-Mead evaluations after CMA-ES (0:
	// none).
	Polish int
	// Simplex is the size of Nelder-Mead's initial simplex in unit-cube
	// units (0: 0.05).
	Simplex float64
	// Seed seeds CMA-ES's PCG source.
	Seed uint64
	// Concurrent is the number of evaluations run at once (0 or 1: one).
	// The result does not depend on it.
	Concurrent int
}

// Eval is one evaluation of the objective.
type Eval struct {
	// N numbers the evaluation (from 0, in the order Observe receives
	// them).
	N int
	// Phase is "cma-es" or "nelder-mead"; Generation the CMA-ES
	// generation (-1 for Nelder-Mead).
	Phase      string
	Generation int
	// U is the point in the unit cube; F the objective.
	U []float64
	F float64
}

// MinimizeResult is what Minimize found.
type MinimizeResult struct {
	// U is the best point in the unit cube and F its objective (the
	// lowest evaluated; the first evaluated among equals).
	U []float64
	F float64
	// Evaluations is the number of objective evaluations.
	Evaluations int
	// History holds every evaluation in order.
	History []Eval
}

// DefaultPopulation returns CMA-ES's default population for d
// parameters: 4 + floor(3 ln d).
func DefaultPopulation(d int) int { return 4 + int(math.Floor(3*math.Log(float64(d)))) }

// Minimize minimizes f over the unit cube [0, 1]^d from s.Start: CMA-ES
// for s.Generations generations, then s.Polish Nelder-Mead evaluations
// from CMA-ES's best point. f may be called from several goroutines at
// once (s.Concurrent); it must be a function of its point alone. A NaN
// objective is an error. observe, when set, receives every evaluation in
// order (see the determinism note above), never concurrently.
func Minimize(f func(u []float64) float64, s MinimizeSettings, observe func(Eval)) (*MinimizeResult, error) {
	d := len(s.Start)
	if d == 0 {
		return nil, errors.New("minimize: no parameter")
	}
	for i, u := range s.Start {
		if !(u >= 0 && u <= 1) {
			return nil, fmt.Errorf("minimize: start[%d] = %v: want a value in [0, 1]", i, u)
		}
	}
	pop := s.Population
	if pop == 0 {
		pop = DefaultPopulation(d)
	}
	if pop < 2 {
		return nil, fmt.Errorf("minimize: population %d: want at least 2", pop)
	}
	if s.Generations < 0 || s.Polish < 0 {
		return nil, fmt.Errorf("minimize: generations %d, polish %d: want >= 0", s.Generations, s.Polish)
	}
	step := s.Step
	if step == 0 {
		step = 0.3
	}
	if !(step > 0) {
		return nil, fmt.Errorf("minimize: step %v: want > 0", step)
	}
	simplex := s.Simplex
	if simplex == 0 {
		simplex = 0.05
	}
	res := &MinimizeResult{F: math.Inf(1)}
	var mu sync.Mutex
	var nanAt []float64
	var gen []Eval // the current generation's evaluations
	phase, generation := "cma-es", 0
	emit := func(e Eval) {
		e.N = res.Evaluations
		res.Evaluations++
		if e.F < res.F || res.U == nil {
			res.F, res.U = e.F, slices.Clone(e.U)
		}
		res.History = append(res.History, e)
		if observe != nil {
			observe(e)
		}
	}
	obj := func(z []float64) float64 {
		u := make([]float64, len(z))
		for i, v := range z {
			u[i] = Reflect(v)
		}
		v := f(u)
		mu.Lock()
		defer mu.Unlock()
		if math.IsNaN(v) {
			if nanAt == nil {
				nanAt = u
			}
			v = math.Inf(1)
		}
		e := Eval{Phase: phase, Generation: -1, U: u, F: v}
		if phase != "cma-es" {
			emit(e)
			return v
		}
		e.Generation = generation
		gen = append(gen, e)
		if len(gen) == pop {
			slices.SortFunc(gen, func(a, b Eval) int { return slices.Compare(a.U, b.U) })
			for _, e := range gen {
				emit(e)
			}
			gen = gen[:0]
			generation++
		}
		return v
	}
	z0 := slices.Clone(s.Start)
	if s.Generations > 0 {
		conc := max(1, s.Concurrent)
		cma := &optimize.CmaEsChol{InitStepSize: step, Population: pop,
			Src: rand.NewPCG(s.Seed, 0x636d615f65735f31)} // "cma_es_1"
		// CmaEsChol may stop early (its covariance degenerate, or its
		// step below StopLogDet) with an error or a status: what it
		// evaluated stands either way.
		_, _ = optimize.Minimize(optimize.Problem{Func: obj}, z0, &optimize.Settings{
			MajorIterations: s.Generations, Concurrent: conc, Converger: &optimize.NeverTerminate{},
		}, cma)
		if nanAt != nil {
			return nil, fmt.Errorf("minimize: the objective is NaN at %v", nanAt)
		}
		if len(gen) != 0 {
			return nil, fmt.Errorf("minimize: internal: a CMA-ES generation ended with %d of %d evaluations", len(gen), pop)
		}
	}
	if s.Polish > 0 {
		phase = "nelder-mead"
		zb := slices.Clone(res.U)
		if zb == nil {
			zb = z0
		}
		nm := &optimize.NelderMead{SimplexSize: simplex}
		_, _ = optimize.Minimize(optimize.Problem{Func: obj}, zb, &optimize.Settings{
			FuncEvaluations: s.Polish, Converger: &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 4 * s.Polish},
		}, nm)
		if nanAt != nil {
			return nil, fmt.Errorf("minimize: the objective is NaN at %v", nanAt)
		}
	}
	if res.U == nil {
		return nil, errors.New("minimize: nothing evaluated (generations and polish are 0)")
	}
	return res, nil
}

// compareEval orders evaluations by objective, then by number.
func compareEval(a, b Eval) int {
	if c := cmp.Compare(a.F, b.F); c != 0 {
		return c
	}
	return cmp.Compare(a.N, b.N)
}

// Best returns the evaluation with the lowest objective in h (the first
// among equals); ok is false when h is empty.
func Best(h []Eval) (e Eval, ok bool) {
	if len(h) == 0 {
		return Eval{}, false
	}
	return slices.MinFunc(h, compareEval), true
}
