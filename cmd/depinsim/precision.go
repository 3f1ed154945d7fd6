package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
)

// defaultMaxReps is --max-reps when --precision is given without it.
const defaultMaxReps = 100

// precisionFlags are run's --precision and --max-reps.
type precisionFlags struct {
	fs      *pflag.FlagSet
	targets []string
	maxReps *int
}

// addPrecisionFlags registers --precision and --max-reps on fs.
func addPrecisionFlags(fs *pflag.FlagSet) *precisionFlags {
	p := &precisionFlags{fs: fs}
	fs.StringArrayVar(&p.targets, "precision", nil, "add replications until METRIC's 95% CI half-width is below a target: "+
		"METRIC=REL (relative to |mean|, 0.05 = 5%) or METRIC=abs:X (in the metric's unit); repeatable; first batch sim.replications (at least 2)")
	p.maxReps = fs.Int("max-reps", defaultMaxReps, "with --precision: the most replications to run")
	return p
}

// parse returns the precision request, or nil when --precision is not
// given. Bad input (a malformed target, --max-reps without --precision,
// --precision with --reps) is a usage error.
func (p *precisionFlags) parse() (*runner.Precision, error) {
	if len(p.targets) == 0 {
		if p.fs.Changed("max-reps") {
			return nil, badInput("--max-reps: only with --precision")
		}
		return nil, nil
	}
	if p.fs.Changed("reps") {
		return nil, badInput("--precision and --reps: --reps fixes the number of replications, --precision chooses it; " +
			"the first batch is sim.replications (--set sim.replications=N)")
	}
	pr := &runner.Precision{MaxReps: *p.maxReps}
	for _, s := range p.targets {
		t, err := parseTarget(s)
		if err != nil {
			return nil, err
		}
		pr.Targets = append(pr.Targets, t)
	}
	return pr, nil
}

// parseTarget parses one --precision value: METRIC=REL or METRIC=abs:X.
func parseTarget(s string) (runner.Target, error) {
	name, val, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return runner.Target{}, badInput("--precision %q: want METRIC=REL (e.g. gpu_utilization=0.05) or METRIC=abs:X (e.g. gpu_price_usd_hour=abs:0.01)", s)
	}
	t := runner.Target{Metric: name}
	val = strings.TrimSpace(val)
	if rest, abs := strings.CutPrefix(val, "abs:"); abs {
		t.Absolute, val = true, rest
	}
	v, err := strconv.ParseFloat(val, 64)
	if err != nil || !(v > 0) || v > 1e300 {
		return runner.Target{}, badInput("--precision %q: the target %q must be a number > 0 (REL: 0.05 for 5%%; abs:X in the metric's unit)", s, val)
	}
	t.Value = v
	return t, nil
}

// precisionScenario checks pr against sc (unknown metric, --max-reps
// below the first batch: usage errors) and returns the scenario to
// estimate the run's resources with: sc with pr.MaxReps replications.
// Without pr it returns sc.
func precisionScenario(sc *scenarios.Scenario, pr *runner.Precision) (*scenarios.Scenario, error) {
	if pr == nil {
		return sc, nil
	}
	if first := runner.FirstBatch(sc); pr.MaxReps < first {
		return nil, badInput("--max-reps %d: below the first batch of %d replications (sim.replications = %d, at least 2); raise --max-reps or lower sim.replications",
			pr.MaxReps, first, sc.Sim.Replications)
	}
	if err := pr.Check(sc); err != nil {
		return nil, badInput("--%v", err) // "--precision gpu_util=0.1: unknown metric ..."
	}
	c := *sc
	c.Sim.Replications = pr.MaxReps
	return &c, nil
}

// runScenario runs sc: with runner.RunPrecision when pr is set, else
// with runner.Run.
func runScenario(ctx context.Context, sc *scenarios.Scenario, pr *runner.Precision, opt runner.Options) (*runner.Result, error) {
	if pr == nil {
		return runner.Run(ctx, sc, opt)
	}
	return runner.RunPrecision(ctx, sc, *pr, opt)
}

// writePrecision writes what a precision run reached, one line per
// target and a last line that says whether the targets were met or
// --max-reps stopped the run. It writes nothing for p == nil.
func writePrecision(w io.Writer, p *reports.Precision) {
	if p == nil {
		return
	}
	for _, t := range p.Targets {
		state := "met"
		if !t.Met {
			state = "NOT met"
		}
		target := fmt.Sprintf("%g%% of |mean|", 100*t.Target)
		if t.Absolute {
			target = fmt.Sprintf("%g", t.Target)
		}
		what := "mean over time"
		if t.Statistic == "final" {
			what = "final"
		}
		fmt.Fprintf(w, "precision: %s (%s): mean %s, 95%% CI half-width %s (%s%% of |mean|), target %s: %s\n",
			t.Metric, what, fmtFloat(t.Mean), fmtFloat(t.HalfWidth), fmtFloat(100*t.Relative), target, state)
	}
	fmt.Fprintln(w, precisionOutcome(p))
}

// precisionOutcome is the line that says why a precision run stopped.
func precisionOutcome(p *reports.Precision) string {
	if p.Met {
		return fmt.Sprintf("precision: every target met after %d replications (batches %s; --max-reps %d)", p.Reps, batches(p.Batches), p.MaxReps)
	}
	return fmt.Sprintf("precision: --max-reps %d reached before every target was met: stopped after %d replications (batches %s)", p.MaxReps, p.Reps, batches(p.Batches))
}

// batches writes ns as "2, 4, 8".
func batches(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// fmtFloat formats v with four significant digits, "n/a" for NaN.
func fmtFloat(v reports.Float) string {
	f := float64(v)
	if f != f {
		return "n/a"
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}
