package main

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/depinsim/depinsim/scenarios"
)

const validateUsage = `Usage: depinsim validate FILE...

Checks scenario files (or preset names): strict decoding, every value's
range, then plausibility warnings (among them tenant cohorts that ask
for more than any provider holds), then the estimates of a run: peak
memory, events and output, with the keys that drive them (for --workers).
A run above --max-memory, --max-output or --max-events (see 'depinsim run
--help' and docs/limits.md) is an error. Exit code 2 when any file is
invalid. A scenario file that does not write name is named after its file
(my.toml: "my"). Files a scenario names (tokenomics.price.csv) are read
from the scenario file's folder and must stay inside it unless
--allow-outside-paths is given.
`

func cmdValidate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", validateUsage, stderr, stdout)
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key: path=value (repeatable)")
	workers := fs.Int("workers", 0, "replications run in parallel, for the memory estimate (default: number of CPUs)")
	caps := addLimitFlags(fs)
	in := addInputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sets, err := in.sets(sets)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return badInput("want at least one scenario file (see 'depinsim validate --help')")
	}
	bad := 0
	for _, arg := range fs.Args() {
		sc, err := scenarios.LoadWith(arg, sets, in.options())
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad++
			continue
		}
		warns := sc.Warnings()
		for _, n := range sc.Notes() {
			fmt.Fprintf(stdout, "%s: note: %s\n", arg, n)
		}
		// the estimate first: a run above the caps is not "ok"
		var est bytes.Buffer
		capErr := validateLimits(&est, arg, sc, *workers, caps)
		status := "ok"
		if capErr != nil {
			status = "refused (too large to run, see below)"
		}
		fmt.Fprintf(stdout, "%s: %s: scenario %q, %d provider cohort(s), %d tenant cohort(s), %v over %v, %d replication(s), %d assertion(s); %d warning(s)\n",
			arg, status, sc.Name, len(sc.Providers), len(sc.Tenants), sc.Market["mechanism"], sc.Sim.Horizon.T(), sc.Sim.Replications, len(sc.Assert), len(warns))
		for _, w := range warns {
			fmt.Fprintf(stdout, "%s: warning: %s\n", arg, w)
		}
		_, _ = est.WriteTo(stdout)
		if capErr != nil {
			fmt.Fprintf(stderr, "%s: %v\n", arg, capErr)
			bad++
		}
	}
	if bad > 0 {
		return usageError{fmt.Errorf("%d of %d file(s) invalid", bad, fs.NArg())}
	}
	return nil
}
