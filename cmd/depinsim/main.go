package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK    = 0
	exitRun   = 1 // a run failed
	exitUsage = 2 // bad usage or bad input
)

// usageError marks bad usage or bad input (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func badInput(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

const mainUsage = `depinsim: a discrete-event simulator of decentralized compute markets.

Usage:
  depinsim run [SCENARIO.toml|PRESET] [flags]   run a scenario (default preset akash-2024)
  depinsim compare A B [C...] [flags]           run scenarios with common random numbers and compare them
  depinsim validate FILE...                     check scenario files, print warnings
  depinsim presets                              list the built-in presets
  depinsim show PRESET                          print a preset's TOML (start a new scenario from it)
  depinsim version                              print the version

Run 'depinsim COMMAND --help' for a command's flags.
Exit codes: 0 success, 1 a run failed, 2 bad usage or bad input.
`

// run is the whole CLI: it parses args, writes to stdout and stderr and
// returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "run":
		err = cmdRun(args[1:], stdout, stderr)
	case "compare":
		err = cmdCompare(args[1:], stdout, stderr)
	case "validate":
		err = cmdValidate(args[1:], stdout, stderr)
	case "presets":
		err = cmdPresets(args[1:], stdout, stderr)
	case "show":
		err = cmdShow(args[1:], stdout, stderr)
	case "version":
		err = cmdVersion(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "depinsim: unknown command %q\n\n%s", args[0], mainUsage)
		return exitUsage
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "depinsim "+args[0]+": "+err.Error())
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitRun
}
