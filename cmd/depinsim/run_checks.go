package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/sim"
)

// tally counts results by verdict.
func tally(rs []assertion.Result) (pass, fail, skip int) {
	for _, r := range rs {
		switch r.Verdict {
		case assertion.Pass:
			pass++
		case assertion.Fail:
			fail++
		default:
			skip++
		}
	}
	return pass, fail, skip
}

// writeRunChecks writes what 'depinsim run' says under its summary table
// about the checks: how many invariants held (or that they were not
// checked) and how many assertions held, with one line per failed or
// skipped assertion. A run exits 0 when only assertions fail; 'depinsim
// check' is the command that fails on them.
func writeRunChecks(w io.Writer, res *runner.Result) {
	inv := res.Invariants()
	if res.Config.Check == sim.CheckOff {
		fmt.Fprintf(w, "\ninvariants: %d, not checked (--check=sample checks them at every sample, --check after every event)\n", len(inv))
	} else {
		pass, _, _ := tally(inv)
		fmt.Fprintf(w, "\ninvariants: %d of %d held, checked at every %s\n", pass, len(inv), map[sim.CheckMode]string{sim.CheckSamples: "sample", sim.CheckEvents: "event"}[res.Config.Check])
	}
	as := res.Assertions()
	if len(as) == 0 {
		fmt.Fprintln(w, "assertions: none in the scenario ([[assert]], docs/assertions.md)")
		return
	}
	pass, fail, skip := tally(as)
	fmt.Fprintf(w, "assertions: %d of %d held", pass, len(as))
	if fail > 0 {
		fmt.Fprintf(w, ", %d failed", fail)
	}
	if skip > 0 {
		fmt.Fprintf(w, ", %d skipped", skip)
	}
	fmt.Fprintln(w)
	for _, r := range as {
		if r.Verdict == assertion.Pass {
			continue
		}
		fmt.Fprintf(w, "  %s %s (%s, %s, %s): %s\n", strings.ToUpper(r.Verdict.String()), r.Name, r.Metric, r.Stat, r.Mode, r.Reason)
	}
	if fail > 0 {
		fmt.Fprintln(w, "  (a run exits 0 when only assertions fail; 'depinsim check' fails on them)")
	}
}

// writeCompareChecks writes, under a comparison's table, one line per
// scenario with [[assert]] entries: how many held, failed and were
// skipped, and the names of those that failed (each run folder's
// manifest.json has the details).
func writeCompareChecks(w io.Writer, labels []string, results []*runner.Result) {
	first := true
	for i, res := range results {
		as := res.Assertions()
		if len(as) == 0 {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nassertions (each run folder's manifest.json has the details; 'depinsim check' fails on them):")
			first = false
		}
		pass, fail, skip := tally(as)
		fmt.Fprintf(w, "  %s: %d of %d held", labels[i], pass, len(as))
		if fail > 0 {
			var names []string
			for _, r := range as {
				if r.Verdict == assertion.Fail {
					names = append(names, r.Name)
				}
			}
			fmt.Fprintf(w, ", %d failed (%s)", fail, strings.Join(names, ", "))
		}
		if skip > 0 {
			fmt.Fprintf(w, ", %d skipped", skip)
		}
		fmt.Fprintln(w)
	}
}
