package calibrate

// Approximate Bayesian computation by rejection (the [abc] table): draws
// from the priors, evaluated like the search's points, the closest
// accepted as the posterior sample.

import (
	"fmt"
	"math"
	"sync"

	"github.com/depinsim/depinsim/analysis"
	"github.com/depinsim/depinsim/sim"
)

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
