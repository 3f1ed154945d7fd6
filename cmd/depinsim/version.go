package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/depinsim/depinsim/runner"
)

const versionUsage = `Usage: depinsim version

Prints the version of depinsim (with the source revision it was built
from, when known) and of Go.
`

func cmdVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", versionUsage, stderr, stdout)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "depinsim %s (%s)\n", runner.BuildVersion(), runtime.Version())
	return nil
}
