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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("takes no arguments")
	}
	fmt.Fprintf(stdout, "depinsim %s (%s)\n", runner.BuildVersion(), runtime.Version())
	return nil
}
