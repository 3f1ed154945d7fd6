package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

const runUsage = `Usage: depinsim run [SCENARIO.toml|PRESET] [flags]

Runs a scenario file or a built-in preset (default: akash-2024) for its
replications and writes, in the output folder: timeseries.csv,
resources.csv, cohorts.csv (per provider cohort), summary.json,
manifest.json, scenario.toml (the fully resolved scenario: running it
again reproduces the run), plots/ and report.html (one self-contained
page with interactive charts that opens offline; --no-report skips it,
'depinsim report DIR' rebuilds it). The data files grow as the
replications finish, under temporary names until the end; a run that
fails or is interrupted leaves none of them, and manifest.json is
written last.

The output folder is checked before anything is simulated: it is
created, locked for the run (a second run into it is refused), and must
be empty unless --force, which removes what depinsim wrote there before
(its files, by name, and the temporary files of a killed run) and
nothing else. Ctrl-C (SIGINT) or SIGTERM stops the run, removes its
unfinished files and exits with 130 or 143.
Before simulating, the run's peak memory, events and output are
estimated from the scenario; a run above --max-memory, --max-output or
--max-events is refused with the keys that drive the estimate
(docs/limits.md).

--precision METRIC=REL (repeatable; METRIC=abs:X for a half-width in
the metric's unit) adds replications, in batches from sim.replications
(at least 2) up to --max-reps, until each metric's 95% CI half-width is
below REL times its |mean|; the statistic is the one the summary table
shows. The number reached does not depend on --workers, the folder is
that of --reps N for that N plus "precision" in summary.json and
manifest.json, and stdout says what was reached and whether --max-reps
stopped the run (exit 0 either way). Not with --reps (docs/outputs.md).

Examples:
  depinsim run
  depinsim run akash-2024 --reps 10 --out out/ten
  depinsim run my.toml --set sim.horizon=30d --set market.mechanism=akash-reverse
  depinsim run akash-2024 --mechanism vickrey-reverse
  depinsim run ionet-2024 --reps 1 --set market.peak_k=0
  depinsim run akash-2024 --check=sample
  depinsim run akash-2024 --precision gpu_utilization=0.05 --precision gpu_price_usd_hour=abs:0.01 --max-reps 50
  depinsim run akash-2024 --reps 10 --rep 7   (replication 7 alone, its rows as in the full run)
`

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", runUsage, stderr, stdout)
	out := fs.String("out", "", "output folder (default out/<scenario name>)")
	seed := fs.Int64("seed", 0, "master seed, >= 0 (default: the scenario's sim.seed)")
	reps := fs.Int("reps", 0, "replications (overrides sim.replications)")
	rep := fs.Int("rep", 0, repFlagUsage)
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key: path=value (repeatable), e.g. sim.horizon=30d")
	quiet := fs.Bool("quiet", false, "no progress line and no summary table")
	force := fs.Bool("force", false, "write into a non-empty output folder, first removing what depinsim wrote there (its own files and temporary files only)")
	workers := fs.Int("workers", 0, "replications run in parallel (default: number of CPUs); results do not depend on it")
	check := fs.String("check", "off", "check the economic invariants ('depinsim invariants' lists them): after every event (--check, slow) or at every sample (--check=sample, cheap); stop at the first violation")
	fs.Lookup("check").NoOptDefVal = "event"
	noReport := fs.Bool("no-report", false, "do not write report.html")
	caps := addLimitFlags(fs)
	in := addInputFlags(fs)
	precFlags := addPrecisionFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	prec, err := precFlags.parse()
	if err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return badInput("want at most one scenario, got %d: %v", fs.NArg(), fs.Args())
	}
	arg := scenarios.DefaultPreset
	if fs.NArg() == 1 {
		arg = fs.Arg(0)
	}
	if sets, err = seedRepsSets(fs, *seed, *reps, sets); err != nil {
		return err
	}
	if *workers < 0 {
		return badInput("--workers: must be >= 0, got %d", *workers)
	}
	mode, err := checkMode(*check)
	if err != nil {
		return err
	}
	if sets, err = in.sets(sets); err != nil {
		return err
	}
	l, err := loadScenario(arg, sets, in.options())
	if err != nil {
		return err
	}
	sc := l.sc
	only, err := onlyRep(fs, *rep, sc)
	if err != nil {
		return err
	}
	if only != nil && prec != nil {
		return badInput("--rep and --precision do not go together: --rep re-runs one replication of a run whose count is known (use --reps)")
	}
	writeNotes(stderr, "depinsim run: ", sc)
	capSc, err := precisionScenario(sc, prec)
	if err != nil {
		return err
	}
	if err := caps.checkRun(capSc, *workers); err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", sc.Name)
	}
	// the destination is ready (created, locked, writable, cleared with
	// --force) before anything is simulated
	of, err := openOutFolder(dir, *force, nil)
	if err != nil {
		return err
	}

	prog := newProgress(stderr, repsRun(capSc, only), *quiet || !isTerminal(stderr))
	sink := runner.NewFileSink(dir, sc, runner.FileOptions{Source: l.src.Label(), Command: append([]string{"depinsim", "run"}, args...), NoReport: *noReport})
	res, err := runScenario(ctx, sc, prec, runner.Options{
		Workers:  *workers,
		Sink:     sink,
		Progress: func(runner.Progress) { prog.done() },
		Check:    mode,
		Only:     only,
	})
	prog.finish()
	kept := of.release(err == nil)
	if err != nil {
		if _, ok := signalOf(ctx); ok {
			return fmt.Errorf("%v; removed the unfinished files: %s", err, kept)
		}
		return err
	}
	if sig, ok := signalOf(ctx); ok {
		return fmt.Errorf("%v as the run was ending: %s", sig, kept)
	}
	if res.Precision != nil && !res.Precision.Met {
		fmt.Fprintf(stderr, "depinsim run: %s\n", precisionOutcome(res.Precision))
	}
	if _, fail, _ := tally(res.Assertions()); fail > 0 && *quiet {
		fmt.Fprintf(stderr, "depinsim run: %d of %d assertions failed (manifest.json, checks; 'depinsim check' fails on them)\n", fail, len(res.Assertions()))
	}
	if !*quiet {
		writeRunHeader(stdout, sc.Name, res)
		fmt.Fprintln(stdout)
		res.Summary().WriteTable(stdout)
		writePrecision(stdout, res.Precision)
		writeRunChecks(stdout, res)
		files := "timeseries.csv, resources.csv, cohorts.csv, summary.json, manifest.json, scenario.toml, plots/"
		if !*noReport {
			files += ", report.html"
		}
		fmt.Fprintf(stdout, "\nwrote %s/ (%s)\n", dir, files)
	}
	return nil
}

// checkMode parses --check.
func checkMode(s string) (sim.CheckMode, error) {
	switch s {
	case "off":
		return sim.CheckOff, nil
	case "event", "events":
		return sim.CheckEvents, nil
	case "sample", "samples":
		return sim.CheckSamples, nil
	}
	return sim.CheckOff, badInput("--check: want event or sample, got %q", s)
}

// writeRunHeader writes the line that introduces a run's summary: its
// label, replications, horizon, start, seed, events and wall time.
func writeRunHeader(w io.Writer, label string, res *runner.Result) {
	s := res.Scenario.Sim
	fmt.Fprintf(w, "%s: %d replication(s) of %v from %v, seed %d: %d events in %.2f s\n",
		label, len(res.Replications), s.Horizon.T(), s.Start, s.Seed, res.Events, res.Wall.Seconds())
}
