package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/depinsim/depinsim/assertion"
)

// The --format github output of 'depinsim check': workflow commands that
// GitHub Actions turns into annotations, and a Markdown step summary.

// ghData escapes the message of a workflow command: %, \r and \n.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value of a workflow command (title=...):
// as ghData, and also : and , .
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeGitHub writes the --format github output: one ::error line per
// failed check, drift that moved and scenario error, a ::notice line with
// the totals, and, when summary is not nil, a Markdown step summary (the
// command appends it to $GITHUB_STEP_SUMMARY).
func writeGitHub(w io.Writer, summary io.Writer, scs []checkedScenario) {
	for _, sc := range scs {
		for _, r := range sc.Results {
			if r.Verdict != assertion.Fail {
				continue
			}
			title := fmt.Sprintf("depinsim check: %s %s %s failed", scenarioLabel(sc), r.Kind, r.Name)
			fmt.Fprintf(w, "::error title=%s::%s\n", ghProperty(title), ghData(strings.Join(checkFailureLines(sc, r), "\n")))
		}
		for _, d := range sc.Drifts {
			if !d.Moved {
				continue
			}
			title := fmt.Sprintf("depinsim check: %s %s moved from the baseline", scenarioLabel(sc), checkDriftName(d))
			fmt.Fprintf(w, "::error title=%s::%s\n", ghProperty(title), ghData(strings.TrimRight(checkDriftBody(sc, d), "\n")))
		}
		if sc.Err != nil {
			title := fmt.Sprintf("depinsim check: %s did not run", scenarioLabel(sc))
			fmt.Fprintf(w, "::error title=%s::%s\n", ghProperty(title), ghData(sc.Err.Error()))
		}
	}
	fmt.Fprintf(w, "::notice title=%s::%s\n", ghProperty("depinsim check"), ghData(tallyChecks(scs).line()))
	if summary != nil {
		writeStepSummary(summary, scs)
	}
}

// checkMDCell makes s safe in a Markdown table cell: one line, | escaped, and
// <, > and & as HTML entities (no markup from scenario names).
func checkMDCell(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`, "`", "&#96;").Replace(checkOneLine(s))
	if s == "" {
		return "-"
	}
	return s
}

// checkMDFence returns a code fence longer than any run of backticks in s.
func checkMDFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func checkMDVerdict(v assertion.Verdict) string {
	switch v {
	case assertion.Pass:
		return "✅ pass"
	case assertion.Fail:
		return "❌ **fail**"
	}
	return "⏭️ " + v.String()
}

// writeStepSummary writes the Markdown step summary: the totals, then per
// scenario its checks, its drifts from the baseline, its error and the
// commands that reproduce its failures.
func writeStepSummary(w io.Writer, scs []checkedScenario) {
	t := tallyChecks(scs)
	mark := "✅"
	if !t.ok() {
		mark = "❌"
	}
	fmt.Fprintf(w, "## depinsim check\n\n%s %s\n", mark, checkMDCell(t.line()))
	for _, sc := range scs {
		fmt.Fprintf(w, "\n### %s\n\n", checkMDCell(scenarioLabel(sc)))
		fmt.Fprintf(w, "%s: %d replications, master seed %d, invariants checked with --check=%s.\n", checkMDCell(sc.Arg), sc.Reps, sc.Seed, checkMDCell(sc.Check))
		if len(sc.Results) > 0 {
			fmt.Fprintf(w, "\n| kind | check | metric | statistic | value | bounds | mode | verdict |\n|---|---|---|---|---|---|---|---|\n")
			for _, r := range sc.Results {
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", checkMDCell(r.Kind), checkMDCell(r.Name), checkMDCell(r.Metric), checkMDCell(r.Stat),
					checkMDCell(r.Value), checkMDCell(r.Bounds), checkMDCell(r.Mode), checkMDVerdict(r.Verdict))
			}
		}
		if len(sc.Drifts) > 0 {
			fmt.Fprintf(w, "\nCompared with the baseline `%s`:\n\n", checkMDCell(sc.Baseline))
			fmt.Fprintf(w, "| metric | stat | baseline mean | current mean | change | 95%% CI of the difference | test | p | Holm p | verdict |\n|---|---|---|---|---|---|---|---|---|---|\n")
			for _, d := range sc.Drifts {
				v := "✅ held"
				if d.Moved {
					v = "❌ **moved**"
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", checkMDCell(d.Metric), checkMDCell(d.Stat), checkNum(d.Base), checkNum(d.Cur),
					checkPct(d.Rel), checkCI(d.CI), checkMDCell(d.Test), checkP(d.P), checkP(d.Adjusted), v)
			}
		}
		if sc.Err != nil {
			fmt.Fprintf(w, "\n**Error:** %s\n", checkMDCell(sc.Err.Error()))
		}
		var cmds []string
		for _, r := range sc.Results {
			if r.Verdict == assertion.Fail {
				cmds = append(cmds, "# "+checkOneLine(r.Kind+" "+r.Name)+"\n"+reproduceCommand(sc, r))
			}
		}
		if checkMovedCount(sc.Drifts) > 0 {
			cmds = append(cmds, "# baseline\n"+reproduceDrift(sc))
		}
		if len(cmds) > 0 {
			body := strings.Join(cmds, "\n")
			f := checkMDFence(body)
			fmt.Fprintf(w, "\nTo reproduce:\n\n%ssh\n%s\n%s\n", f, body, f)
		}
	}
}
