package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/sim"
)

// checkMaxCell is the widest a cell of the pass/fail and drift tables grows, in
// characters; longer names are cut in the middle (the failure blocks below
// the table show them in full).
const checkMaxCell = 40

// checkTally counts the checks of 'depinsim check': every invariant,
// assertion and baseline metric is one check; a drift that moved is a
// failure.
type checkTally struct {
	Checks, Passed, Failed, Skipped int
	// Moved counts the failures that are drifts from the baseline, and
	// Errors the scenarios whose Err is set.
	Moved, Errors int
	Scenarios     int
}

// tallyChecks counts the checks of scs.
func tallyChecks(scs []checkedScenario) checkTally {
	t := checkTally{Scenarios: len(scs)}
	for _, sc := range scs {
		for _, r := range sc.Results {
			t.Checks++
			switch r.Verdict {
			case assertion.Pass:
				t.Passed++
			case assertion.Skip:
				t.Skipped++
			default:
				t.Failed++
			}
		}
		for _, d := range sc.Drifts {
			t.Checks++
			if d.Moved {
				t.Failed++
				t.Moved++
			} else {
				t.Passed++
			}
		}
		if sc.Err != nil {
			t.Errors++
		}
	}
	return t
}

// line is the last line of the table: "N checks in K scenarios: X passed,
// Y failed (M of them metrics that moved from the baseline), Z skipped",
// then "; E scenarios failed to run" when some did.
func (t checkTally) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s in %d %s: %d passed, %d failed", t.Checks, checkPlural(t.Checks, "check", "checks"),
		t.Scenarios, checkPlural(t.Scenarios, "scenario", "scenarios"), t.Passed, t.Failed)
	if t.Moved > 0 {
		fmt.Fprintf(&b, " (%d of them %s that moved from the baseline)", t.Moved, checkPlural(t.Moved, "a metric", "metrics"))
	}
	fmt.Fprintf(&b, ", %d skipped", t.Skipped)
	if t.Errors > 0 {
		fmt.Fprintf(&b, "; %d %s failed to run", t.Errors, checkPlural(t.Errors, "scenario", "scenarios"))
	}
	return b.String()
}

// ok reports whether nothing failed: 'depinsim check' exits 0.
func (t checkTally) ok() bool { return t.Failed == 0 && t.Errors == 0 }

func checkPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkOneLine makes s fit a table cell: tabs, carriage returns and newlines
// become spaces.
func checkOneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' {
			return ' '
		}
		return r
	}, s)
}

// checkCell returns s on one line, cut in the middle to at most checkMaxCell
// characters, or "-" when empty.
func checkCell(s string) string {
	s = checkOneLine(s)
	if s == "" {
		return "-"
	}
	if utf8.RuneCountInString(s) <= checkMaxCell {
		return s
	}
	r := []rune(s)
	head := (checkMaxCell - 1) / 2
	tail := checkMaxCell - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// scenarioLabel names a scenario in the outputs: its name, else its
// argument.
func scenarioLabel(sc checkedScenario) string {
	if sc.Name != "" {
		return sc.Name
	}
	return sc.Arg
}

// writeCheckTable writes the readable report of 'depinsim check': the
// pass/fail table of every check, a block per failure (reason, message,
// first violation, the command that reproduces it), each scenario's drift
// table and error, and the totals on the last line.
func writeCheckTable(w io.Writer, scs []checkedScenario) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tkind\tcheck\tmetric\tstatistic\tvalue\tbounds\tmode\tverdict")
	for _, sc := range scs {
		for _, r := range sc.Results {
			v := r.Verdict.String()
			if r.Verdict == assertion.Fail {
				v = "FAIL"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", checkCell(scenarioLabel(sc)), checkCell(r.Kind), checkCell(r.Name),
				checkCell(r.Metric), checkCell(r.Stat), checkCell(r.Value), checkCell(r.Bounds), checkCell(r.Mode), v)
		}
	}
	tw.Flush()

	for _, sc := range scs {
		for _, r := range sc.Results {
			if r.Verdict != assertion.Fail {
				continue
			}
			fmt.Fprintf(w, "\nFAIL %s: %s %s\n", checkOneLine(scenarioLabel(sc)), checkOneLine(r.Kind), checkOneLine(r.Name))
			for _, l := range checkFailureLines(sc, r) {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
	}

	for _, sc := range scs {
		if len(sc.Drifts) > 0 {
			fmt.Fprintf(w, "\nbaseline %s, scenario %s:\n", checkOneLine(sc.Baseline), checkOneLine(scenarioLabel(sc)))
			writeDriftTable(w, sc.Drifts)
			if checkMovedCount(sc.Drifts) > 0 {
				fmt.Fprintf(w, "  moved: %s\n", strings.Join(checkMovedNames(sc.Drifts), ", "))
				fmt.Fprintf(w, "  reproduce: %s\n", reproduceDrift(sc))
			}
		}
		if sc.Err != nil {
			fmt.Fprintf(w, "\nERROR %s: %s\n", checkOneLine(scenarioLabel(sc)), checkIndent(sc.Err.Error(), "  "))
		}
	}
	fmt.Fprintf(w, "\n%s\n", tallyChecks(scs).line())
}

// checkIndent indents every line of s after the first with prefix.
func checkIndent(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// checkFailureLines are the lines that explain a failed check: the figure and
// bounds, the reason, the message, the replications' values, the first
// violation and the command that reproduces it.
func checkFailureLines(sc checkedScenario, r assertion.Result) []string {
	var ls []string
	if r.Metric != "" || r.Stat != "" {
		s := strings.TrimSpace(checkOneLine(r.Metric + " " + r.Stat))
		if r.Mode != "" {
			s += ", " + checkOneLine(r.Mode)
		}
		ls = append(ls, s)
	}
	if r.Value != "" || r.Bounds != "" {
		ls = append(ls, fmt.Sprintf("value %s, bounds %s", checkOrDash(r.Value), checkOrDash(r.Bounds)))
	}
	if r.Reason != "" {
		ls = append(ls, "reason: "+checkIndent(r.Reason, "    "))
	}
	if r.Message != "" {
		ls = append(ls, "message: "+checkIndent(r.Message, "    "))
	}
	if len(r.Values) > 1 {
		ls = append(ls, "per replication: "+checkValues(r.Values))
	}
	if !math.IsNaN(r.CI[0]) && !math.IsNaN(r.CI[1]) && (r.CI[0] != 0 || r.CI[1] != 0) {
		ls = append(ls, fmt.Sprintf("95%% CI of the mean: [%s, %s]", checkNum(r.CI[0]), checkNum(r.CI[1])))
	}
	if at := checkFirstViolation(r); at != "" {
		ls = append(ls, "first violation: "+at)
	}
	ls = append(ls, "reproduce: "+reproduceCommand(sc, r))
	return ls
}

func checkOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return checkOneLine(s)
}

// checkFirstViolation says where a check first failed: "replication 2 at
// 1234.5 h (day 51.4) of simulated time", "replication 2", or "".
func checkFirstViolation(r assertion.Result) string {
	if r.Rep < 0 {
		return ""
	}
	s := "replication " + strconv.Itoa(r.Rep)
	if at := checkAt(r.At); at != "" {
		s += " at " + at + " of simulated time"
	}
	return s
}

func checkRound(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// checkNum formats a figure with 4 significant digits.
func checkNum(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// checkValues lists values, at most 20 of them.
func checkValues(v []float64) string {
	const most = 20
	var b strings.Builder
	for i, x := range v {
		if i == most {
			fmt.Fprintf(&b, ", … (%d more)", len(v)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(checkNum(x))
	}
	return b.String()
}

// checkPct formats a relative change as a signed percentage.
func checkPct(rel float64) string {
	if math.IsNaN(rel) || math.IsInf(rel, 0) {
		return "n/a"
	}
	s := strconv.FormatFloat(100*rel, 'f', 2, 64) + "%"
	if rel > 0 {
		s = "+" + s
	}
	return s
}

// checkP formats a p-value.
func checkP(p float64) string {
	if math.IsNaN(p) {
		return "n/a"
	}
	if p != 0 && p < 1e-4 {
		return strconv.FormatFloat(p, 'e', 1, 64)
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}

// checkDriftWord is "MOVED" or "held".
func checkDriftWord(d assertion.Drift) string {
	if d.Moved {
		return "MOVED"
	}
	return "held"
}

// checkDriftName names a drift check: "gpu_utilization mean".
func checkDriftName(d assertion.Drift) string {
	if d.Stat == "" {
		return d.Metric
	}
	return d.Metric + " " + d.Stat
}

func checkCI(ci [2]float64) string {
	if math.IsNaN(ci[0]) && math.IsNaN(ci[1]) {
		return "n/a"
	}
	return "[" + checkNum(ci[0]) + ", " + checkNum(ci[1]) + "]"
}

// writeDriftTable writes one scenario's comparison with its baseline.
func writeDriftTable(w io.Writer, ds []assertion.Drift) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  metric\tstat\tbaseline mean\tcurrent mean\trelative change\t95% CI of the difference\ttest\tp\tHolm p\tverdict")
	for _, d := range ds {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", checkCell(d.Metric), checkCell(d.Stat), checkNum(d.Base), checkNum(d.Cur),
			checkPct(d.Rel), checkCI(d.CI), checkCell(d.Test), checkP(d.P), checkP(d.Adjusted), checkDriftWord(d))
	}
	tw.Flush()
}

func checkMovedCount(ds []assertion.Drift) int {
	n := 0
	for _, d := range ds {
		if d.Moved {
			n++
		}
	}
	return n
}

// checkMovedNames lists the drifts that moved: "gpu_utilization mean (+3.10%,
// Holm p 0.0012)".
func checkMovedNames(ds []assertion.Drift) []string {
	var out []string
	for _, d := range ds {
		if d.Moved {
			out = append(out, fmt.Sprintf("%s (%s, Holm p %s)", checkOneLine(checkDriftName(d)), checkPct(d.Rel), checkP(d.Adjusted)))
		}
	}
	return out
}

// checkSeedArgs are the arguments that fix the master seed: "--seed S" (the
// flag takes a non-negative int64), else "--set sim.seed=S".
func checkSeedArgs(seed uint64) []string {
	if seed <= math.MaxInt64 {
		return []string{"--seed", strconv.FormatUint(seed, 10)}
	}
	return []string{"--set", "sim.seed=" + strconv.FormatUint(seed, 10)}
}

// checkSetArgs are the --set arguments of sc.
func checkSetArgs(sc checkedScenario) []string {
	var out []string
	for _, s := range sc.Sets {
		out = append(out, "--set", s)
	}
	return out
}

// checkShellJoin quotes every argument for a POSIX shell and joins them.
func checkShellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// reproduceCommand returns the shell command that reproduces a failed
// check: for a broken invariant, 'depinsim run' of the failing
// replication alone with every event checked (it stops at the exact
// event); for an assertion, 'depinsim check' of the scenario with the same
// replications, seed and invariant mode. Every argument is quoted for a
// POSIX shell.
func reproduceCommand(sc checkedScenario, r assertion.Result) string {
	var args []string
	if r.Kind == "invariant" {
		args = []string{"depinsim", "run", sc.Arg}
		args = append(args, checkSetArgs(sc)...)
		args = append(args, checkSeedArgs(sc.Seed)...)
		if sc.Reps > 0 {
			args = append(args, "--reps", strconv.Itoa(sc.Reps))
		}
		if r.Rep >= 0 {
			args = append(args, "--rep", strconv.Itoa(r.Rep))
		}
		args = append(args, "--check=event")
		return checkShellJoin(args)
	}
	return checkShellJoin(checkArgs(sc))
}

// checkArgs are the arguments of 'depinsim check' that run sc again: its
// --set overrides, seed, replications and invariant mode.
func checkArgs(sc checkedScenario) []string {
	args := []string{"depinsim", "check", sc.Arg}
	args = append(args, checkSetArgs(sc)...)
	args = append(args, checkSeedArgs(sc.Seed)...)
	if sc.Reps > 0 {
		args = append(args, "--reps", strconv.Itoa(sc.Reps))
	}
	if sc.Check != "" {
		args = append(args, "--check="+sc.Check)
	}
	return args
}

// reproduceDrift returns the command that compares sc with its baseline
// again.
func reproduceDrift(sc checkedScenario) string {
	return checkShellJoin(append(checkArgs(sc), "--baseline", sc.Baseline))
}

// checkAt is the simulated time t in hours and days, "" when t < 0.
func checkAt(t sim.Time) string {
	if t < 0 {
		return ""
	}
	return fmt.Sprintf("%s h (day %s)", strconv.FormatFloat(t.Hours(), 'f', -1, 64), strconv.FormatFloat(checkRound(t.Days(), 2), 'f', -1, 64))
}
