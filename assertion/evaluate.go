package assertion

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/depinsim/depinsim/sim"
)

// Evaluator combines the replications' values of a run's assertions into
// Results.
type Evaluator struct {
	as      []*Assertion
	horizon sim.Time
	reps    []repValues
}

type repValues struct {
	rep  int
	vals []float64
	viol []sim.Time
}

// NewEvaluator returns an Evaluator for the assertions as of a run whose
// horizon (simulated duration) is horizon.
func NewEvaluator(as []*Assertion, horizon sim.Time) *Evaluator {
	return &Evaluator{as: as, horizon: horizon}
}

// Add adds replication rep's values from its Collector; replications may
// arrive in any order. It sets the collector's horizon.
func (e *Evaluator) Add(rep int, c *Collector) {
	c.SetHorizon(e.horizon)
	e.reps = append(e.reps, repValues{rep, c.Values(), c.Violations()})
}

// fewValues is the number of replications up to which a reason lists
// every replication's value.
const fewValues = 10

// Results returns one Result per assertion, in order, over the
// replications added, taken in replication order.
func (e *Evaluator) Results() []Result {
	reps := slices.Clone(e.reps)
	slices.SortStableFunc(reps, func(a, b repValues) int { return a.rep - b.rep })
	out := make([]Result, len(e.as))
	for i, a := range e.as {
		vals := make([]float64, len(reps))
		for k, r := range reps {
			vals[k] = r.vals[i]
		}
		out[i] = e.result(a, i, reps, vals)
	}
	return out
}

func (e *Evaluator) result(a *Assertion, i int, reps []repValues, vals []float64) Result {
	r := Result{Kind: "assertion", Name: a.Spec.Name, Metric: a.MetricLabel(), Stat: a.StatLabel(), Mode: a.ModeLabel(),
		Bounds: a.BoundsLabel(), Values: vals, CI: [2]float64{math.NaN(), math.NaN()}, Rep: -1, At: -1, Message: a.Spec.Message}
	switch {
	case a.from >= e.horizon:
		r.Verdict, r.Values = Skip, nil // values of a part of the window would mislead
		r.Reason = fmt.Sprintf("the window %s starts at or after the run's horizon %s", a.window(), e.horizon)
		return r
	case a.toSet && a.to > e.horizon:
		r.Verdict, r.Values = Skip, nil
		r.Reason = fmt.Sprintf("the window %s ends after the run's horizon %s", a.window(), e.horizon)
		return r
	case len(vals) == 0:
		r.Verdict = Skip
		r.Reason = "no replication was evaluated"
		return r
	}
	// the finite values and their mean and CI
	var fin []float64
	for _, v := range vals {
		if !math.IsNaN(v) {
			fin = append(fin, v)
		}
	}
	mean := meanOf(fin)
	if a.mode == modeAcrossMean || a.mode == modeAcrossCI {
		r.CI = ci95(fin, mean)
	}
	fail := func(k int, why string) {
		r.Verdict = Fail
		if k >= 0 {
			r.Rep, r.At = reps[k].rep, reps[k].viol[i]
		}
		if len(vals) <= fewValues {
			why += "; values by replication: " + listValues(reps, vals)
		}
		if a.Spec.Message != "" {
			why += ". " + a.Spec.Message
		}
		r.Reason = why
	}
	firstOut := -1
	nIn := 0
	for k, v := range vals {
		if a.within(v) {
			nIn++
		} else if firstOut < 0 {
			firstOut = k
		}
	}
	switch a.mode {
	case modeAll:
		r.Value = fmtValue(vals[worst(a, vals)])
		if firstOut >= 0 {
			fail(firstOut, fmt.Sprintf("%d of %d replications broke the bounds; the first, %s", len(vals)-nIn, len(vals), e.repOut(a, reps[firstOut].rep, vals[firstOut])))
		}
	case modeAny:
		r.Value = fmtValue(vals[best(a, vals)])
		if nIn == 0 {
			k := best(a, vals)
			fail(0, fmt.Sprintf("none of the %d replications held; the best, %s", len(vals), e.repOut(a, reps[k].rep, vals[k])))
		}
	case modeShare:
		sh := float64(nIn) / float64(len(vals))
		r.Value = fmt.Sprintf("%s (%d/%d)", fmtValue(sh), nIn, len(vals))
		if sh < a.share {
			fail(firstOut, fmt.Sprintf("%d of %d replications held (%s), below the share %s; the first that broke, %s",
				nIn, len(vals), fmtValue(sh), fmtBound(a.share), e.repOut(a, reps[firstOut].rep, vals[firstOut])))
		}
	case modeAcrossMean, modeAcrossCI:
		if len(fin) == 0 {
			r.Value = fmtValue(math.NaN())
			fail(-1, fmt.Sprintf("no replication has a finite value: %s", e.noSample(a)))
			break
		}
		r.Value = fmtValue(mean)
		nan := ""
		if len(fin) < len(vals) {
			nan = fmt.Sprintf(" (%d of %d replications without a finite value left out)", len(vals)-len(fin), len(vals))
		}
		if a.mode == modeAcrossMean {
			if !a.within(mean) {
				fail(-1, fmt.Sprintf("the mean over %d replications%s, %s, %s", len(fin), nan, fmtValue(mean), broken(a, mean)))
			}
			break
		}
		if len(fin) < 2 {
			fail(-1, fmt.Sprintf("a confidence interval needs at least 2 replications with a finite value; there was %d", len(fin)))
			break
		}
		lo, hi := r.CI[0], r.CI[1]
		switch {
		case lo < a.min:
			fail(-1, fmt.Sprintf("the 95%% confidence interval of the mean over %d replications%s, [%s, %s] (mean %s), reaches below the minimum %s",
				len(fin), nan, fmtValue(lo), fmtValue(hi), fmtValue(mean), fmtBound(a.min)))
		case hi > a.max:
			fail(-1, fmt.Sprintf("the 95%% confidence interval of the mean over %d replications%s, [%s, %s] (mean %s), reaches above the maximum %s",
				len(fin), nan, fmtValue(lo), fmtValue(hi), fmtValue(mean), fmtBound(a.max)))
		}
	}
	return r
}

// repOut says how replication rep's value v breaks a's bounds.
func (e *Evaluator) repOut(a *Assertion, rep int, v float64) string {
	if math.IsNaN(v) {
		return fmt.Sprintf("replication %d, has %s", rep, e.noSample(a))
	}
	return fmt.Sprintf("replication %d, has %s %s", rep, fmtValue(v), broken(a, v))
}

// noSample says why a value is NaN.
func (e *Evaluator) noSample(a *Assertion) string {
	if a.stat == stSlope {
		return fmt.Sprintf("no slope: fewer than two finite samples of %s at different times in the window", a.MetricLabel())
	}
	return fmt.Sprintf("no finite sample of %s in the window", a.MetricLabel())
}

// broken says which bound v breaks.
func broken(a *Assertion, v float64) string {
	if v < a.min {
		return "below the minimum " + fmtBound(a.min)
	}
	return "above the maximum " + fmtBound(a.max)
}

// badness is how far v lies outside a's bounds (negative inside: minus
// the distance to the nearer bound); +Inf for NaN.
func badness(a *Assertion, v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return math.Max(a.min-v, v-a.max)
}

// worst returns the index of the value farthest outside the bounds (or
// nearest to one); the first on ties.
func worst(a *Assertion, vals []float64) int {
	k := 0
	for j, v := range vals {
		if badness(a, v) > badness(a, vals[k]) {
			k = j
		}
	}
	return k
}

// best returns the index of the value deepest inside the bounds (or
// nearest to them); the first on ties.
func best(a *Assertion, vals []float64) int {
	k := 0
	for j, v := range vals {
		if badness(a, v) < badness(a, vals[k]) {
			k = j
		}
	}
	return k
}

// listValues formats the replications' values: "0: 0.41, 1: 0.38".
func listValues(reps []repValues, vals []float64) string {
	parts := make([]string, len(vals))
	for k, v := range vals {
		parts[k] = fmt.Sprintf("%d: %s", reps[k].rep, fmtValue(v))
	}
	return strings.Join(parts, ", ")
}

// ci95 returns the 95% Student-t confidence interval of the mean of xs
// (NaNs with fewer than 2 values).
func ci95(xs []float64, mean float64) [2]float64 {
	n := len(xs)
	if n < 2 {
		return [2]float64{math.NaN(), math.NaN()}
	}
	var ss float64
	for _, v := range xs {
		ss += (v - mean) * (v - mean)
	}
	se := math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	return [2]float64{mean - t*se, mean + t*se}
}

// InvariantResults returns one Result per invariant of sim.Invariants, in
// order, for a run checked in mode: ie, when not nil, is the violation
// that stopped replication rep (the others are then not checked to the
// end).
func InvariantResults(mode sim.CheckMode, rep int, ie *sim.InvariantError) []Result {
	invs := sim.Invariants()
	out := make([]Result, len(invs))
	stat := "every sample"
	if mode == sim.CheckEvents {
		stat = "every event"
	}
	for i, inv := range invs {
		r := Result{Kind: "invariant", Name: inv.Name, Stat: stat, CI: [2]float64{math.NaN(), math.NaN()}, Rep: -1, At: -1}
		switch {
		case mode == sim.CheckOff:
			r.Verdict, r.Reason, r.Stat = Skip, "not checked: --check off", "never"
		case ie == nil:
			r.Verdict = Pass
		case ie.Invariant == inv.Name:
			r.Verdict, r.Reason, r.Rep, r.At = Fail, ie.Reason, rep, ie.At
		default:
			r.Verdict = Skip
			r.Reason = fmt.Sprintf("not checked to the end: the run stopped when %s broke", ie.Invariant)
		}
		out[i] = r
	}
	return out
}
