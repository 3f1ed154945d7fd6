package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/depinsim/depinsim/scenarios"
)

var errHelp = errors.New("help shown")

// newFlags returns a command's flag set; --help prints usage and the
// flags to stdout.
func newFlags(name, usage string, stderr, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stdout, usage)
		if fs.HasFlags() {
			fmt.Fprintln(stdout, "\nFlags:")
			fmt.Fprint(stdout, fs.FlagUsages())
		}
	}
	return fs
}

// parseFlags parses args; a bad flag is bad input, --help is errHelp.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return errHelp
		}
		return badInput("%v (see 'depinsim %s --help')", err, fs.Name())
	}
	return nil
}

// loaded is a scenario read for a command, and where it came from.
type loaded struct {
	src scenarios.Source
	sc  *scenarios.Scenario
}

// loadScenario opens and parses a scenario (file or preset) with
// overrides and checks that its configuration builds. Every error is bad
// input.
func loadScenario(arg string, sets []string) (*loaded, error) {
	src, err := scenarios.Open(arg)
	if err != nil {
		return nil, usageError{err}
	}
	sc, err := scenarios.Parse(src, sets)
	if err != nil {
		return nil, usageError{err}
	}
	if _, err := sc.Config(); err != nil {
		return nil, usageError{err}
	}
	return &loaded{src: src, sc: sc}, nil
}

// isTerminal reports whether w is a terminal (for the progress line).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// parseNoArgs parses the flags of a command that takes no arguments.
func parseNoArgs(fs *pflag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("takes no arguments")
	}
	return nil
}
