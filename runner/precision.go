package runner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// Target is a precision target for one metric: the largest 95%
// confidence-interval half-width allowed for the mean of the statistic
// the summary table shows for it (its final value for stocks and totals,
// its mean over time otherwise; reports.MetricStat).
type Target struct {
	// Metric is a metric's name, from sim.Metrics.
	Metric string
	// Value is the largest half-width allowed: relative to |mean| (0.05
	// for 5%) or, when Absolute, in the metric's unit. It must be > 0.
	Value float64
	// Absolute makes Value a half-width in the metric's unit.
	Absolute bool
}

// String writes t as the command line takes it: "METRIC=REL" or
// "METRIC=abs:X".
func (t Target) String() string {
	if t.Absolute {
		return fmt.Sprintf("%s=abs:%g", t.Metric, t.Value)
	}
	return fmt.Sprintf("%s=%g", t.Metric, t.Value)
}

// Precision asks RunPrecision for targets on some metrics, with at most
// MaxReps replications.
type Precision struct {
	// Targets holds one target per metric (a metric at most once).
	Targets []Target
	// MaxReps is the most replications to run; at least the first batch
	// (FirstBatch).
	MaxReps int
}

// PrecisionRule says how RunPrecision chooses its number of replications
// (reports.Precision.Rule).
const PrecisionRule = "first batch: sim.replications (at least 2); after each batch, from replications 0..n-1 only: " +
	"stop when every target's 95% CI half-width is below it (or is 0), else run up to " +
	"n*(half-width/target)^2 replications for the farthest target, at least n+1 and at most 2n, and at most max_reps"

// FirstBatch returns the number of replications RunPrecision runs before
// its first decision: sim.replications, at least 2.
func FirstBatch(sc *scenarios.Scenario) int { return max(sc.Sim.Replications, 2) }

// MetricNames returns the names of the metrics, in sim.Metrics order: the
// names a Target may use.
func MetricNames() []string {
	names := make([]string, len(sim.Metrics))
	for i, m := range sim.Metrics {
		names[i] = m.Name
	}
	return names
}

// metricIndex returns the index in sim.Metrics of the metric called name.
func metricIndex(name string) (int, bool) {
	for i, m := range sim.Metrics {
		if m.Name == name {
			return i, true
		}
	}
	return 0, false
}

// Check returns an error when p cannot run for sc: no target, an unknown
// metric (the error lists the metrics), a metric named twice, a value not
// > 0, or MaxReps below the first batch.
func (p Precision) Check(sc *scenarios.Scenario) error {
	if len(p.Targets) == 0 {
		return fmt.Errorf("precision: no target")
	}
	seen := map[string]bool{}
	for _, t := range p.Targets {
		if _, ok := metricIndex(t.Metric); !ok {
			return fmt.Errorf("precision %s: unknown metric %q; the metrics are: %s", t, t.Metric, strings.Join(MetricNames(), ", "))
		}
		if seen[t.Metric] {
			return fmt.Errorf("precision %s: metric %q has two targets; give one", t, t.Metric)
		}
		seen[t.Metric] = true
		if !(t.Value > 0) || math.IsInf(t.Value, 0) {
			return fmt.Errorf("precision %s: the target must be a number > 0, got %g", t, t.Value)
		}
	}
	if first := FirstBatch(sc); p.MaxReps < first {
		return fmt.Errorf("precision: max reps %d is below the first batch of %d replications (sim.replications = %d, at least 2)",
			p.MaxReps, first, sc.Sim.Replications)
	}
	return nil
}

// RunPrecision runs sc like Run, but adds replications until the 95%
// confidence interval of every target's metric is narrow enough, or
// MaxReps replications have run (PrecisionRule). Every decision is made
// from replications 0..n-1 alone, in order, when all of them are done, so
// the number reached depends only on the scenario, its seed and p, not on
// the number of workers; replication k has the seed it has in a run of any
// length. The sink sees exactly what a Run of sc with sim.replications
// set to that number would give it: Result.Scenario is sc with that
// number, and Result.Precision records the targets, what they reached
// and why the run stopped (FileSink writes it into summary.json and
// manifest.json). sc is not modified. Between batches the workers wait
// for the decision.
func RunPrecision(ctx context.Context, sc *scenarios.Scenario, p Precision, opt Options) (*Result, error) {
	if err := p.Check(sc); err != nil {
		return nil, err
	}
	if opt.Only != nil {
		return nil, errors.New("runner: a precision run runs replications 0..n-1 and takes no Options.Only")
	}
	cfg, err := sc.Config()
	if err != nil {
		return nil, err
	}
	run1 := *sc
	first := FirstBatch(sc)
	run1.Sim.Replications = first
	prec := &reports.Precision{Rule: PrecisionRule, MaxReps: p.MaxReps}
	for _, t := range p.Targets {
		prec.Targets = append(prec.Targets, reports.PrecisionTarget{Metric: t.Metric, Absolute: t.Absolute, Target: t.Value})
	}
	grow := func(stats *reports.RunStats) (int, error) {
		n := stats.Reps()
		next := decide(prec, stats.Summary(), n, p.MaxReps)
		prec.Batches = append(prec.Batches, n)
		if next <= n {
			prec.Reps = n
			if prec.Met {
				prec.Stopped = "target met"
			} else {
				prec.Stopped = "max_reps reached"
			}
		}
		run1.Sim.Replications = max(next, n)
		return next, nil
	}
	return run(ctx, job{label: sc.Name, sc: &run1, cfg: cfg, n: first, grow: grow, max: p.MaxReps, prec: prec}, opt)
}

// decide assesses prec's targets on the summary of the first n
// replications and returns the number of replications to run: n to stop
// (every target met, or n = maxReps), more to go on.
func decide(prec *reports.Precision, s *reports.Summary, n, maxReps int) int {
	prec.Met = true
	want := n + 1
	for i := range prec.Targets {
		t := &prec.Targets[i]
		m, _ := metricIndex(t.Metric)
		t.Assess(s, m)
		if t.Met {
			continue
		}
		prec.Met = false
		reached := float64(t.Relative)
		if t.Absolute {
			reached = float64(t.HalfWidth)
		}
		need := 2 * n // undefined precision: double
		if r := reached / t.Target; r > 0 && !math.IsInf(r, 0) && !math.IsNaN(r) {
			need = int(math.Min(math.Ceil(float64(n)*r*r), float64(2*n)))
		}
		want = max(want, need)
	}
	if prec.Met || n >= maxReps {
		return n
	}
	return min(want, 2*n, maxReps)
}
