package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/depinsim/depinsim/runner"
)

func main() {
	// SIGINT (Ctrl-C) and SIGTERM cancel the run: the replications stop
	// between events, the unfinished files are removed, and the exit code
	// is 128 + the signal's number (130, 143)
	ctx, stop := notifySignals(context.Background())
	if err := setUpHeap(os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "depinsim: "+err.Error())
		os.Exit(exitUsage)
	}
	endProfiles := startProfiles(os.Getenv, os.Stderr)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	endProfiles()
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitRun   = 1 // a run failed or an invariant broke
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
  depinsim sweep SWEEP.toml [flags]             run a design of experiments (or: sweep SCENARIO --grid key=v1,v2)
  depinsim merge SHARD_DIR... --out DIR         combine the shard folders of a sweep (sweep --shard I/N)
  depinsim sensitivity SA.toml [flags]          global sensitivity analysis: Sobol indices or Morris screening
  depinsim calibrate CAL.toml [flags]           fit a scenario's parameters to observed figures
  depinsim report DIR                           rebuild report.html of a run, compare or sweep folder from its files
  depinsim validate FILE...                     check scenario files, print warnings
  depinsim presets                              list the built-in presets
  depinsim show PRESET                          print a preset's TOML (start a new scenario from it)
  depinsim check FILE|PRESET... [flags]         run scenarios with every invariant on, evaluate their [[assert]]
                                                entries (and a baseline); exit 1 on any failure: for CI
  depinsim invariants                           list the invariants run --check checks
  depinsim metrics                              list every metric (the vocabulary of [[assert]], sweeps, targets)
  depinsim version                              print the version

Run 'depinsim COMMAND --help' for a command's flags.
Exit codes: 0 success, 1 a run failed or an invariant broke (check: or an assertion failed
or a metric moved from its baseline), 2 bad usage or bad input,
130 stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM.
Profiling: DEPINSIM_CPUPROFILE=FILE and DEPINSIM_MEMPROFILE=FILE write a CPU or
allocation profile of any command (go tool pprof; docs/performance.md).
Memory: on Linux, the commands that simulate ask for huge pages for their first 256MiB
of heap; DEPINSIM_HUGEPAGES=off turns that off, DEPINSIM_HUGEPAGES=SIZE sets the size.
`

// commands maps each command to its function.
var commands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"run":         cmdRun,
	"compare":     cmdCompare,
	"sweep":       cmdSweep,
	"merge":       cmdMerge,
	"sensitivity": cmdSensitivity,
	"report":      cmdReport,
	"validate":    cmdValidate,
	"presets":     cmdPresets,
	"show":        cmdShow,
	"invariants":  cmdInvariants,
	"metrics":     cmdMetrics,
	"check":       cmdCheck,
	"calibrate":   cmdCalibrate,
	"version":     cmdVersion,
}

// run is the whole CLI: it parses args, writes to stdout and stderr and
// returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run under ctx: cancelling it stops a running scenario.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "depinsim: unknown command %q\n\n%s", args[0], mainUsage)
		return exitUsage
	}
	err := cmd(ctx, args[1:], stdout, stderr)
	if sig, ok := signalOf(ctx); ok {
		// stopped by a signal, or a signal came as the command finished:
		// the command's error says what was kept
		if err == nil || errors.Is(err, errHelp) {
			err = errors.New(sig.Error())
		}
		fmt.Fprintln(stderr, "depinsim "+args[0]+": "+err.Error())
		return sig.exitCode()
	}
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "depinsim "+args[0]+": "+err.Error())
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	var re *runner.ReplicationError
	if errors.As(err, &re) && re.Stack != nil {
		// a panic is a bug in the model: its stack is for the bug report
		fmt.Fprintf(stderr, "\nstack of the panic:\n%s", re.Stack)
	}
	return exitRun
}
