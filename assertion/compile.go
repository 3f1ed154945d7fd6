package assertion

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
)

// Error implements error: "assert[2].metric: MSG".
func (e *Error) Error() string { return e.Key + ": " + e.Msg }

// How the replications' values combine.
const (
	modeAll = iota
	modeAny
	modeShare
	modeAcrossMean
	modeAcrossCI
)

// Assertion is a compiled [[assert]] entry: its Spec and what Compile
// derived from it.
type Assertion struct {
	// Spec is the entry as written.
	Spec Spec

	metric int // index in sim.Metrics, or -1 for a family
	family int // index in families, or -1 for a plain metric
	series string
	stat   int
	pct    float64 // N of pN
	level  float64
	from   sim.Time
	to     sim.Time // sim.Never when unset
	toSet  bool
	min    float64 // -Inf when unset
	max    float64 // +Inf when unset
	mode   int
	share  float64
}

// Compile checks specs against ctx and compiles them, in order. It
// returns the first problem as an *Error whose Key is "assert[i].field".
func Compile(specs []Spec, ctx Context) ([]*Assertion, error) {
	out := make([]*Assertion, 0, len(specs))
	seen := map[string]int{}
	for i := range specs {
		if j, dup := seen[specs[i].Name]; dup {
			return nil, &Error{key(i, "name"), fmt.Sprintf("%q is already the name of assert[%d]; names must be unique", specs[i].Name, j)}
		}
		a, err := compileOne(i, specs[i], ctx)
		if err != nil {
			return nil, err
		}
		seen[a.Spec.Name] = i
		out = append(out, a)
	}
	return out, nil
}

func key(i int, field string) string { return fmt.Sprintf("assert[%d].%s", i, field) }

// Statistic is one statistic of a metric over a window, as an analysis
// file names an output or a target: the metric, its resource or cohort,
// the statistic, its level and the window of an [[assert]] entry, without
// bounds or modes.
type Statistic struct {
	Name     string
	Metric   string
	Resource string
	Cohort   string
	Stat     string
	Level    *float64
	From, To string
}

// CompileStatistics checks and compiles statistics against ctx, in
// order, for a Collector: each is compiled as an assertion with no
// bounds, so its Collector value is the statistic and its verdict
// meaningless. table names the entries in errors: a problem with entry i
// is an *Error whose Key is "table[i].field" (table "output":
// "output[2].stat").
func CompileStatistics(table string, sts []Statistic, ctx Context) ([]*Assertion, error) {
	out := make([]*Assertion, 0, len(sts))
	seen := map[string]int{}
	for i, st := range sts {
		if j, dup := seen[st.Name]; dup {
			return nil, &Error{fmt.Sprintf("%s[%d].name", table, i), fmt.Sprintf("%q is already the name of %s[%d]; names must be unique", st.Name, table, j)}
		}
		unbounded := math.MaxFloat64
		spec := Spec{Name: st.Name, Metric: st.Metric, Resource: st.Resource, Cohort: st.Cohort, Stat: st.Stat,
			Level: st.Level, From: st.From, To: st.To, Max: &unbounded}
		a, err := compileOne(i, spec, ctx)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return nil, &Error{table + strings.TrimPrefix(e.Key, "assert"), e.Msg}
			}
			return nil, err
		}
		a.Spec.Max = nil
		seen[st.Name] = i
		out = append(out, a)
	}
	return out, nil
}

func validName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return s != ""
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "(none)"
	}
	return strings.Join(list, ", ")
}

func compileOne(i int, s Spec, ctx Context) (*Assertion, error) {
	bad := func(field, format string, args ...any) error {
		return &Error{key(i, field), fmt.Sprintf(format, args...)}
	}
	a := &Assertion{Spec: s, metric: -1, family: -1, to: sim.Never, min: math.Inf(-1), max: math.Inf(1)}
	// name
	if s.Name == "" {
		return nil, bad("name", "missing: every assertion needs a name (letters, digits, '.', '_' and '-')")
	}
	if !validName(s.Name) {
		return nil, bad("name", "%q: a name may hold only letters, digits, '.', '_' and '-'", s.Name)
	}
	// metric and its series
	if s.Metric == "" {
		return nil, bad("metric", "missing: want one of %s", metricNames())
	}
	for m := range sim.Metrics {
		if sim.Metrics[m].Name == s.Metric {
			a.metric = m
		}
	}
	for f := range families {
		if families[f].Name == s.Metric {
			a.family = f
		}
	}
	switch {
	case a.metric < 0 && a.family < 0:
		return nil, bad("metric", "unknown metric %q: want one of %s", s.Metric, metricNames())
	case a.metric >= 0:
		if s.Resource != "" {
			return nil, bad("resource", "%q: only a resource_* metric takes a resource; %s is recorded for the whole market", s.Resource, s.Metric)
		}
		if s.Cohort != "" {
			return nil, bad("cohort", "%q: only a cohort_* metric takes a cohort; %s is recorded for the whole market", s.Cohort, s.Metric)
		}
	default:
		f := families[a.family]
		field, val, list, other, otherVal := "resource", s.Resource, ctx.Resources, "cohort", s.Cohort
		if f.Key == "cohort" {
			field, val, list, other, otherVal = "cohort", s.Cohort, ctx.Cohorts, "resource", s.Resource
		}
		if otherVal != "" {
			return nil, bad(other, "%q: %s is recorded per %s, not per %s", otherVal, s.Metric, field, other)
		}
		if val == "" {
			return nil, bad(field, "missing: %s is recorded per %s; want one of %s", s.Metric, field, orNone(list))
		}
		if !slices.Contains(list, val) {
			return nil, bad(field, "unknown %s %q: this run records %s", field, val, orNone(list))
		}
		a.series = val
	}
	// stat
	a.stat = -1
	for k := range stats {
		if k != stPercentile && stats[k].Name == s.Stat {
			a.stat = k
		}
	}
	if a.stat < 0 && len(s.Stat) > 1 && s.Stat[0] == 'p' {
		n, err := strconv.ParseFloat(s.Stat[1:], 64)
		if err != nil || strings.ContainsAny(s.Stat[1:], "+-eEinfINFxXpP_") {
			return nil, bad("stat", "%q: a percentile is p and a number N, 0 <= N <= 100 (p95, p99.9)", s.Stat)
		}
		if !(n >= 0 && n <= 100) {
			return nil, bad("stat", "%q: the percentile %g lies outside [0, 100]", s.Stat, n)
		}
		a.stat, a.pct = stPercentile, n
	}
	if a.stat < 0 {
		if s.Stat == "" {
			return nil, bad("stat", "missing: want one of %s", statNames())
		}
		return nil, bad("stat", "unknown statistic %q: want one of %s", s.Stat, statNames())
	}
	// level
	if a.stat == stShareAbove || a.stat == stShareBelow {
		if s.Level == nil {
			return nil, bad("level", "missing: %s needs a level, in the metric's unit", s.Stat)
		}
		if math.IsNaN(*s.Level) || math.IsInf(*s.Level, 0) {
			return nil, bad("level", "%g: want a finite number", *s.Level)
		}
		a.level = *s.Level
	} else if s.Level != nil {
		return nil, bad("level", "%g: only share_above and share_below take a level, not %s", *s.Level, s.Stat)
	}
	// window
	if s.From != "" {
		t, err := windowTime(s.From, ctx.Start)
		if err != nil {
			return nil, bad("from", "%v", err)
		}
		a.from = t
	}
	if s.To != "" {
		t, err := windowTime(s.To, ctx.Start)
		if err != nil {
			return nil, bad("to", "%v", err)
		}
		a.to, a.toSet = t, true
		if s.From != "" && a.from >= a.to {
			return nil, bad("to", "%q is not after from %q: the window must end after it starts", s.To, s.From)
		}
	}
	// bounds
	if s.Min == nil && s.Max == nil {
		return nil, bad("min", "missing: set min, max or both (inclusive bounds, in the unit of %s)", s.Stat)
	}
	if s.Min != nil {
		if math.IsNaN(*s.Min) || math.IsInf(*s.Min, 0) {
			return nil, bad("min", "%g: want a finite number", *s.Min)
		}
		a.min = *s.Min
	}
	if s.Max != nil {
		if math.IsNaN(*s.Max) || math.IsInf(*s.Max, 0) {
			return nil, bad("max", "%g: want a finite number", *s.Max)
		}
		a.max = *s.Max
	}
	if a.min > a.max {
		return nil, bad("max", "%g is below min %g", a.max, a.min)
	}
	// modes
	switch s.Across {
	case "":
	case "mean":
		a.mode = modeAcrossMean
	case "ci":
		a.mode = modeAcrossCI
	default:
		return nil, bad("across", "%q: want \"mean\" (the replications' mean lies within the bounds) or \"ci\" (its whole 95%% confidence interval does)", s.Across)
	}
	if s.Across != "" && s.PerRep != "" {
		return nil, bad("across", "%q: across and per_rep exclude each other (across evaluates the replications together, per_rep one by one)", s.Across)
	}
	if s.Across != "" && s.Share != nil {
		return nil, bad("across", "%q: across and share exclude each other (across evaluates the replications together, share one by one)", s.Across)
	}
	switch s.PerRep {
	case "", "all":
	case "any":
		a.mode = modeAny
	case "share":
		a.mode = modeShare
	default:
		return nil, bad("per_rep", "%q: want \"all\" (every replication holds), \"any\" (at least one does) or \"share\" (a share of them, set by share)", s.PerRep)
	}
	if s.Share != nil {
		v := *s.Share
		if !(v > 0 && v <= 1) {
			return nil, bad("share", "%g: want a share of the replications in (0, 1]", v)
		}
		if s.PerRep != "" && s.PerRep != "share" {
			return nil, bad("per_rep", "%q: share sets the share mode; leave per_rep empty or set it to \"share\"", s.PerRep)
		}
		a.mode, a.share = modeShare, v
	} else if s.PerRep == "share" {
		return nil, bad("share", "missing: per_rep = \"share\" needs share, the share of the replications that must hold, in (0, 1]")
	}
	return a, nil
}

// windowTime reads a window bound: a duration after the start or a date
// (YYYY-MM-DD, at 00:00 UTC) on or after start (simtime.ParseOffset).
func windowTime(s string, start simtime.Date) (sim.Time, error) { return simtime.ParseOffset(s, start) }

// MetricLabel returns the metric as shown: "gpu_utilization",
// "resource_utilization[gpu:h100]", "cohort_gpus[mercenary]".
func (a *Assertion) MetricLabel() string {
	if a.family >= 0 {
		return a.Spec.Metric + "[" + a.series + "]"
	}
	return a.Spec.Metric
}

// window returns the window as shown: "30d..365d", "start..90d",
// "30d..end" or "the run".
func (a *Assertion) window() string {
	if a.Spec.From == "" && a.Spec.To == "" {
		return "the run"
	}
	from, to := a.Spec.From, a.Spec.To
	if from == "" {
		from = "start"
	}
	if to == "" {
		to = "end"
	}
	return from + ".." + to
}

// StatLabel returns the statistic and window as shown: "mean over
// 30d..365d", "final over the run", "share_above 0.9 over start..90d".
func (a *Assertion) StatLabel() string {
	st := a.Spec.Stat
	if a.stat == stShareAbove || a.stat == stShareBelow {
		st += " " + fmtBound(a.level)
	}
	return st + " over " + a.window()
}

// ModeLabel returns how the replications combine: "all", "any",
// "share>=0.8", "across mean" or "across ci".
func (a *Assertion) ModeLabel() string {
	switch a.mode {
	case modeAny:
		return "any"
	case modeShare:
		return "share>=" + fmtBound(a.share)
	case modeAcrossMean:
		return "across mean"
	case modeAcrossCI:
		return "across ci"
	}
	return "all"
}

// BoundsLabel returns the bounds as shown: "[0.4, 0.6]", ">= 0.4" or
// "<= 0.6".
func (a *Assertion) BoundsLabel() string {
	switch {
	case a.Spec.Min != nil && a.Spec.Max != nil:
		return "[" + fmtBound(a.min) + ", " + fmtBound(a.max) + "]"
	case a.Spec.Min != nil:
		return ">= " + fmtBound(a.min)
	}
	return "<= " + fmtBound(a.max)
}

// Unit returns the unit of the figure compared with the bounds: the
// metric's unit (a resource family's in the resource's own unit: cores,
// GB, GPUs), per day for slope, "fraction of time" for share_above and
// share_below.
func (a *Assertion) Unit() string {
	var u string
	switch {
	case a.metric >= 0:
		u = sim.Metrics[a.metric].Unit
	case a.family == fResourceCapacity || a.family == fResourceAllocated:
		u = resourceUnit(a.series) + "s"
		if u == "GBs" {
			u = "GB"
		}
	case a.family == fResourcePrice:
		u = "USD/" + resourceUnit(a.series) + "-h"
	default:
		u = families[a.family].Unit
	}
	switch a.stat {
	case stSlope:
		return u + "/day"
	case stShareAbove, stShareBelow:
		return "fraction of time"
	}
	return u
}

// fmtBound formats a number the user wrote: the shortest form that reads
// back as the same float.
func fmtBound(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// fmtValue formats a computed figure with 6 significant digits.
func fmtValue(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
