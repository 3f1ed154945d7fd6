package reports

import (
	"math"

	"github.com/depinsim/depinsim/sim"
)

// Precision records a run that added replications until the 95%
// confidence intervals of chosen metrics were narrow enough ('depinsim
// run --precision'): the targets, what each reached and why the run
// stopped. summary.json and manifest.json hold it under "precision"; a
// run of a fixed number of replications has none.
type Precision struct {
	// Rule says how the run chose its number of replications.
	Rule string `json:"rule"`
	// MaxReps is the most replications the run was allowed.
	MaxReps int `json:"max_reps"`
	// Batches lists the number of replications done at each decision, in
	// order; the last is the run's number of replications.
	Batches []int `json:"batches"`
	// Reps is the number of replications run.
	Reps int `json:"reps"`
	// Met is true when every target was met; false when MaxReps was
	// reached first.
	Met bool `json:"met"`
	// Stopped says why the run stopped: "target met" or "max_reps
	// reached".
	Stopped string `json:"stopped"`
	// Targets holds each metric's target and what it reached, in the
	// order given.
	Targets []PrecisionTarget `json:"targets"`
}

// PrecisionTarget is one metric's precision target and the precision
// reached.
type PrecisionTarget struct {
	// Metric is the metric's name (from sim.Metrics).
	Metric string `json:"metric"`
	// Statistic is the per-replication statistic whose mean is estimated:
	// "time_mean" or "final", as the summary table shows the metric.
	Statistic string `json:"statistic"`
	// Absolute is true when Target is a half-width in the metric's unit,
	// false when it is relative to |mean| (0.05: 5%).
	Absolute bool `json:"absolute"`
	// Target is the largest half-width allowed: absolute, in the metric's
	// unit, or relative to |mean|.
	Target float64 `json:"target"`
	// Mean is the estimate across replications, in the metric's unit.
	Mean Float `json:"mean"`
	// HalfWidth is the 95% confidence interval's half-width, in the
	// metric's unit (null with fewer than two values).
	HalfWidth Float `json:"half_width"`
	// Relative is HalfWidth / |Mean| (0 when HalfWidth is 0; null when
	// undefined).
	Relative Float `json:"relative"`
	// N is the number of replications with a value.
	N int `json:"n"`
	// Met is true when the half-width is below the target.
	Met bool `json:"met"`
}

// MetricStat returns the statistic of metric m that the summary table
// shows, and its name: the final value for stocks and totals, the mean
// over time otherwise.
func MetricStat(ms MetricSummary, m int) (Stat, string) {
	if sim.Metrics[m].Kind.Final() {
		return ms.Final, "final"
	}
	return ms.TimeMean, "time_mean"
}

// Assess fills t's Statistic, Mean, HalfWidth, Relative, N and Met from
// the summary s, for the metric with index m. A half-width of 0 meets any
// target; fewer than two values meet none.
func (t *PrecisionTarget) Assess(s *Summary, m int) {
	st, name := MetricStat(s.Metrics[m], m)
	t.Statistic = name
	t.Mean, t.N = st.Mean, st.N
	nan := Float(math.NaN())
	t.HalfWidth, t.Relative, t.Met = nan, nan, false
	if st.N < 2 {
		return
	}
	half := TQuantile(st.N-1) * float64(st.SD) / math.Sqrt(float64(st.N))
	t.HalfWidth = Float(half)
	rel := math.NaN()
	switch mean := math.Abs(float64(st.Mean)); {
	case half == 0:
		rel = 0
	case mean > 0:
		rel = half / mean
	}
	t.Relative = Float(rel)
	if t.Absolute {
		t.Met = half < t.Target || half == 0
	} else {
		t.Met = rel < t.Target || half == 0
	}
}
