package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

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

// inputFlags are the flags of the commands that load scenarios (run,
// validate, compare): --mechanism and --allow-outside-paths.
type inputFlags struct {
	mechanism    *string
	allowOutside *bool
}

// addInputFlags declares the input flags on fs.
func addInputFlags(fs *pflag.FlagSet) inputFlags {
	return inputFlags{
		mechanism: fs.String("mechanism", "", "switch the market mechanism (one of "+strings.Join(scenarios.Mechanisms(), ", ")+
			"): the same as --set market.mechanism=NAME, applied before every --set; parameters of [market] the new mechanism does not know are dropped, with a note"),
		allowOutside: fs.Bool("allow-outside-paths", false, "let files a scenario names (tokenomics.price.csv) lie outside the scenario file's folder (the current folder for a preset): absolute paths, .., symbolic links out"),
	}
}

// sets returns the overrides with --mechanism first; an unknown
// mechanism is bad input naming the flag.
func (in inputFlags) sets(sets []string) ([]string, error) {
	if *in.mechanism == "" {
		return sets, nil
	}
	if !slices.Contains(scenarios.Mechanisms(), *in.mechanism) {
		return nil, badInput("--mechanism: unknown mechanism %q (known: %s)", *in.mechanism, strings.Join(scenarios.Mechanisms(), ", "))
	}
	return append([]string{"market.mechanism=" + *in.mechanism}, sets...), nil
}

// options returns the scenario load options.
func (in inputFlags) options() scenarios.Options {
	return scenarios.Options{AllowOutsidePaths: *in.allowOutside}
}

// loadScenario opens and parses a scenario (file or preset) with
// overrides and checks that its configuration builds. Every error is bad
// input.
func loadScenario(arg string, sets []string, opts scenarios.Options) (*loaded, error) {
	src, err := scenarios.Open(arg)
	if err != nil {
		return nil, usageError{err}
	}
	sc, err := scenarios.ParseWith(src, sets, opts)
	if err != nil {
		return nil, usageError{err}
	}
	if _, err := sc.Config(); err != nil {
		return nil, usageError{err}
	}
	return &loaded{src: src, sc: sc}, nil
}

// writeNotes writes what loading a scenario dropped (Notes) and the
// demand no provider can serve (UnservableWarnings), one line each,
// prefixed by prefix.
func writeNotes(w io.Writer, prefix string, sc *scenarios.Scenario) {
	for _, n := range sc.Notes() {
		fmt.Fprintf(w, "%snote: %s\n", prefix, n)
	}
	for _, u := range sc.UnservableWarnings() {
		fmt.Fprintf(w, "%swarning: %s\n", prefix, u)
	}
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

// seedRepsSets appends to sets the overrides of --seed (sim.seed) and
// --reps (sim.replications) when fs has them; a seed below 0 or fewer
// than one replication is bad input.
func seedRepsSets(fs *pflag.FlagSet, seed int64, reps int, sets []string) ([]string, error) {
	if fs.Changed("seed") {
		if seed < 0 {
			return nil, badInput("--seed: must be >= 0, got %d", seed)
		}
		sets = append(sets, "sim.seed="+strconv.FormatInt(seed, 10))
	}
	if fs.Changed("reps") {
		if reps < 1 {
			return nil, badInput("--reps: must be >= 1, got %d", reps)
		}
		sets = append(sets, "sim.replications="+strconv.Itoa(reps))
	}
	return sets, nil
}
