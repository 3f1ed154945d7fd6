package assertion

import (
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
)

// Spec is one [[assert]] entry of a scenario file, as written. Only Name,
// Metric, Stat and one bound are required; see docs/assertions.md.
type Spec struct {
	// Name names the assertion (unique within a scenario; letters,
	// digits, '-', '_' and '.').
	Name string `toml:"name"`
	// Metric is a metric's name: one of sim.Metrics, or a per-resource
	// (resource_*) or per-cohort (cohort_*) family (Families).
	Metric string `toml:"metric"`
	// Resource names the resource of a resource_* metric: "cpu",
	// "memory_gb" or "gpu:<model>".
	Resource string `toml:"resource,omitempty"`
	// Cohort names the provider cohort of a cohort_* metric.
	Cohort string `toml:"cohort,omitempty"`
	// Stat is the statistic over the window: mean, twmean, min, max,
	// first, final, change, pN (0 <= N <= 100, e.g. p95 or p99.9), slope
	// (per day), share_above or share_below (of time, with Level).
	Stat string `toml:"stat"`
	// Level is the level of share_above and share_below, in the
	// metric's unit.
	Level *float64 `toml:"level"`
	// From and To bound the window: a duration after the start ("30d",
	// "0h") or a date ("2024-06-01", at 00:00). Empty From is the start,
	// empty To the end of the run. Samples with From <= t <= To count.
	From string `toml:"from,omitempty"`
	To   string `toml:"to,omitempty"`
	// Min and Max are the bounds (inclusive) the figure must lie within;
	// at least one is set.
	Min *float64 `toml:"min"`
	Max *float64 `toml:"max"`
	// Across, when set, evaluates across replications: "mean" (the mean
	// of the replications' values lies within the bounds) or "ci" (the
	// whole 95% confidence interval of that mean does).
	Across string `toml:"across,omitempty"`
	// PerRep says how the replications' verdicts combine when Across is
	// empty: "all" (default: every replication holds) or "any" (at least
	// one does). Share sets the share mode instead.
	PerRep string `toml:"per_rep,omitempty"`
	// Share, when set (in (0, 1]), requires at least this share of the
	// replications to hold; PerRep is then empty or "share".
	Share *float64 `toml:"share"`
	// Message is shown with a failure.
	Message string `toml:"message,omitempty"`
}

// Context is what Compile checks specs against: the run they apply to.
type Context struct {
	// Start is the calendar date of simulated time 0 (date windows).
	Start simtime.Date
	// Horizon is the run's simulated duration.
	Horizon sim.Time
	// Resources lists the resources the run records: "cpu",
	// "memory_gb" and "gpu:<model>" for each GPU model.
	Resources []string
	// Cohorts lists the provider cohorts' names.
	Cohorts []string
}

// Error is a bad [[assert]] entry: Key is its key path
// ("assert[2].metric") and Msg says what is wrong and what is allowed
// (for an unknown metric or statistic, the list of what exists).
type Error struct {
	Key string
	Msg string
}

// Verdict is the outcome of one check.
type Verdict uint8

// The verdicts.
const (
	// Pass: the check held.
	Pass Verdict = iota
	// Fail: the check did not hold (Result.Reason says why).
	Fail
	// Skip: the check could not apply to this run (its window lies
	// beyond the horizon); Result.Reason says why.
	Skip
)

// Result is the outcome of one check in one scenario's run: an invariant
// (Kind "invariant") or an assertion (Kind "assertion").
type Result struct {
	// Kind is "invariant" or "assertion".
	Kind string `json:"kind"`
	// Name is the check's name.
	Name string `json:"name"`
	// Metric is the metric as shown: "gpu_utilization",
	// "resource_utilization[gpu:h100]", "cohort_gpus[mercenary]"; empty
	// for an invariant.
	Metric string `json:"metric,omitempty"`
	// Stat is the statistic and window as shown ("mean over 30d..365d");
	// for an invariant, when it was checked ("every sample", "every
	// event").
	Stat string `json:"stat"`
	// Mode is how replications combine: "all", "any", "share>=0.8",
	// "across mean", "across ci"; empty for an invariant.
	Mode string `json:"mode,omitempty"`
	// Value is the figure compared with the bounds, formatted: the mean
	// (across), the share of replications holding (share), the worst
	// replication's value (all) or the best (any); "" for an invariant.
	Value string `json:"value,omitempty"`
	// Bounds are the bounds as shown ("[0.4, 0.6]", ">= 0.4").
	Bounds string `json:"bounds,omitempty"`
	// Values holds each replication's value, in replication order
	// (assertions; NaN where the window held no finite sample, written
	// as null in JSON).
	Values []float64 `json:"values,omitempty"`
	// CI is the 95% confidence interval of the mean (across modes, else
	// NaNs); JSON writes it as [lo, hi], and not at all when NaN.
	CI [2]float64 `json:"ci,omitempty"`
	// Verdict is pass, fail or skip.
	Verdict Verdict `json:"verdict"`
	// Reason says, for a failure or a skip, why, with the numbers.
	Reason string `json:"reason,omitempty"`
	// Rep is the first failing replication (-1 when the check held, or
	// across replications).
	Rep int `json:"rep"`
	// At is the simulated time of the first violation in Rep: for an
	// invariant, when it broke; for an assertion with a pointwise
	// statistic (min, max, first, final), the first sample outside the
	// bounds; else -1. JSON writes it in hours as at_hours, left out when
	// negative.
	At sim.Time `json:"at_hours,omitempty"`
	// Message is the assertion's message.
	Message string `json:"message,omitempty"`
}

// Drift is one metric's comparison with its baseline ('depinsim check
// --baseline').
type Drift struct {
	// Metric is the metric as shown (see Result.Metric) and Stat the
	// per-replication summary compared ("mean" over time or "final").
	Metric string `json:"metric"`
	Stat   string `json:"stat"`
	// Base and Cur are the means over the baseline's and the current
	// run's replications; N and M their numbers of finite values.
	Base float64 `json:"base"`
	Cur  float64 `json:"cur"`
	N    int     `json:"n_base"`
	M    int     `json:"n_cur"`
	// Diff is Cur - Base, Rel is Diff / |Base| (NaN when Base is 0), and
	// CI the 95% confidence interval of Diff from the same test.
	Diff float64    `json:"diff"`
	Rel  float64    `json:"rel"`
	CI   [2]float64 `json:"-"`
	// Test names the test used ("paired t" when both runs used the same
	// replication seeds, "welch t" otherwise, "exact" when both samples
	// have no spread).
	Test string `json:"test"`
	// P is the test's two-sided p-value and Adjusted the Holm-adjusted
	// one across the scenario's metrics.
	P        float64 `json:"p"`
	Adjusted float64 `json:"p_holm"`
	// Moved is true when Adjusted is below the family-wise false-alarm
	// rate and |Rel| is at least the minimum effect.
	Moved bool `json:"moved"`
}
