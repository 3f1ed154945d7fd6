package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/depinsim/depinsim/sim"
)

const invariantsUsage = `Usage: depinsim invariants

Lists the economic invariants of the model, in the order they are
checked, each with what holds. 'depinsim run --check' checks them after
every event (slow), '--check=sample' at every sample (cheap); a run
stops at the first one broken, names it with the time, the event and the
numbers, and exits with code 1.
`

func cmdInvariants(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invariants", invariantsUsage, stderr, stdout)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, inv := range sim.Invariants() {
		fmt.Fprintf(tw, "%s\t%s\n", inv.Name, inv.Doc)
	}
	return tw.Flush()
}
