package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

const checkUsage = `Usage: depinsim check FILE|PRESET... [flags]

Runs each scenario with every invariant checked ('depinsim invariants';
at every sample by default, after every event with --check=event),
evaluates its [[assert]] entries (docs/assertions.md) and, with
--baseline DIR, compares every metric with a stored baseline
(docs/baselines.md). Prints a pass/fail table, writes JUnit XML with
--junit, GitHub annotations and a step summary with --format github.
Nothing else is written: no output folder.

Exit codes: 0 every check held, 1 any invariant broke, assertion failed,
metric moved from its baseline or run failed, 2 bad input (nothing is
run when any scenario, flag or baseline is bad).

Examples:
  depinsim check akash-2024 ionet-2024              the presets' calibration checks
  depinsim check my.toml --reps 10 --junit junit.xml
  depinsim check my.toml --baseline ci/baseline --update-baseline   store a baseline
  depinsim check my.toml --baseline ci/baseline     fail when a metric moved beyond seed noise
  depinsim check akash-2024 --set sim.horizon=30d   a short check: assertions whose window
                                                    ends after 30d are skipped
`

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", checkUsage, stderr, stdout)
	reps := fs.Int("reps", 0, "replications of every scenario (default: each scenario's sim.replications)")
	seed := fs.Int64("seed", 0, "master seed of every scenario, >= 0 (default: each scenario's sim.seed)")
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a key in every scenario: path=value (repeatable), e.g. sim.horizon=30d")
	check := fs.String("check", "sample", "when the invariants are checked: sample (at every sample) or event (after every event: exhaustive and slow)")
	junit := fs.String("junit", "", "write JUnit XML here: one testsuite per scenario, one testcase per invariant, assertion and baseline metric")
	baseline := fs.String("baseline", "", "compare every metric with the baseline in this folder (one SCENARIO.json per scenario)")
	update := fs.String("update-baseline", "", "store each scenario's per-replication metric values and hash as its baseline: in --baseline's folder, or in this one (--update-baseline=DIR)")
	fs.Lookup("update-baseline").NoOptDefVal = "-"
	alpha := fs.Float64("alpha", assertion.DefaultAlpha, "family-wise false-alarm rate of the baseline comparison of each scenario (Holm-Bonferroni over its metrics), in (0, 0.5]")
	minEffect := fs.Float64("min-effect", 0, "smallest relative change of a metric's mean (0.01: 1%) that counts as moved from the baseline, >= 0")
	format := fs.String("format", "text", "text (a table), or github (the table, then annotations as GitHub workflow commands on stdout and a Markdown step summary appended to $GITHUB_STEP_SUMMARY)")
	workers := fs.Int("workers", 0, "replications run in parallel (default: number of CPUs); results do not depend on it")
	quiet := fs.Bool("quiet", false, "no progress line")
	caps := addLimitFlags(fs)
	in := addInputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return badInput("want at least one scenario (a file or a preset; see 'depinsim check --help')")
	}
	mode, checkWord := sim.CheckSamples, "sample"
	switch *check {
	case "sample":
	case "event":
		mode, checkWord = sim.CheckEvents, "event"
	default:
		return badInput("--check: want sample or event, got %q", *check)
	}
	if *format != "text" && *format != "github" {
		return badInput("--format: want text or github, got %q", *format)
	}
	if !(*alpha > 0 && *alpha <= 0.5) {
		return badInput("--alpha: want a false-alarm rate in (0, 0.5], got %v", *alpha)
	}
	if !(*minEffect >= 0) {
		return badInput("--min-effect: want a relative change >= 0, got %v", *minEffect)
	}
	if *workers < 0 {
		return badInput("--workers: must be >= 0, got %d", *workers)
	}
	updateDir := ""
	if fs.Changed("update-baseline") {
		updateDir = *update
		if updateDir == "-" {
			if *baseline == "" {
				return badInput("--update-baseline: which folder? write --baseline DIR --update-baseline, or --update-baseline=DIR (with '=')")
			}
			updateDir = *baseline
		}
	}
	sets, err := in.sets(sets)
	if err != nil {
		return err
	}
	userSets := sets // what the reproducing commands repeat (with --seed and --reps)
	if sets, err = seedRepsSets(fs, *seed, *reps, slices.Clone(sets)); err != nil {
		return err
	}

	// every scenario, flag and baseline is checked before anything runs
	var scs []*loaded
	names := map[string]string{}
	for _, arg := range fs.Args() {
		l, err := loadScenario(arg, sets, in.options())
		if err != nil {
			return err
		}
		if prev, ok := names[l.sc.Name]; ok {
			return badInput("%s and %s are both scenario %q: check runs each scenario once (baselines and JUnit suites are named after it)", prev, arg, l.sc.Name)
		}
		names[l.sc.Name] = arg
		if err := caps.checkRun(l.sc, *workers); err != nil {
			return err
		}
		scs = append(scs, l)
	}
	bases := make([]*assertion.Baseline, len(scs))
	if *baseline != "" && updateDir == "" {
		for i, l := range scs {
			if bases[i], err = readBaseline(*baseline, l.sc.Name); err != nil {
				return err
			}
		}
	}
	// the folders written to exist before anything runs (a missing folder
	// is made; one that cannot be is bad input)
	if *junit != "" {
		if err := os.MkdirAll(filepath.Dir(*junit), 0o755); err != nil {
			return badInput("--junit: %v", err)
		}
	}
	if updateDir != "" {
		if err := os.MkdirAll(updateDir, 0o755); err != nil {
			return badInput("--update-baseline: %v", err)
		}
	}
	var ghSummary io.Writer
	if *format == "github" {
		if p := os.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return badInput("$GITHUB_STEP_SUMMARY: %v", err)
			}
			defer f.Close()
			ghSummary = f
		}
	}

	var done []checkedScenario
	for i, l := range scs {
		sc := l.sc
		cs := checkedScenario{Arg: fs.Args()[i], Sets: userSets, Name: sc.Name, Hash: sha256Hex(sc.TOML()),
			Reps: sc.Sim.Replications, Seed: uint64(sc.Sim.Seed), Check: checkWord, Baseline: *baseline}
		prog := newProgress(stderr, sc.Sim.Replications, *quiet || !isTerminal(stderr))
		start := time.Now()
		res, err := runner.Run(ctx, sc, runner.Options{Workers: *workers, Check: mode, Progress: func(runner.Progress) { prog.done() }})
		prog.finish()
		cs.Wall = time.Since(start)
		if ctx.Err() != nil {
			return err
		}
		if err != nil {
			cs.Results = failedRunResults(sc, mode, err)
			var ie *sim.InvariantError
			if !errors.As(err, &ie) {
				cs.Err = err
			}
			done = append(done, cs)
			continue
		}
		cs.Results = res.Checks()
		cur := baselineOf(sc, res.Summary())
		switch {
		case updateDir != "":
			if _, fail, _ := tally(cs.Results); fail > 0 {
				cs.Err = fmt.Errorf("the baseline of %s was not updated: %d of its checks failed", sc.Name, fail)
			} else if err := writeBaseline(updateDir, cur); err != nil {
				return err
			}
		case bases[i] != nil:
			if bases[i].ScenarioHash != cur.ScenarioHash && !*quiet {
				fmt.Fprintf(stderr, "depinsim check: %s: the scenario differs from its baseline's (scenario.toml SHA-256 %.12s, baseline %.12s): the comparison measures that change\n",
					sc.Name, cur.ScenarioHash, bases[i].ScenarioHash)
			}
			cs.Drifts, err = assertion.Compare(bases[i], cur, assertion.CompareOptions{Alpha: *alpha, MinEffect: *minEffect})
			if err != nil {
				cs.Err = fmt.Errorf("comparing with the baseline %s: %w", baselinePath(*baseline, sc.Name), err)
			}
		}
		done = append(done, cs)
	}

	writeCheckTable(stdout, done) // the job's log shows the table with either format
	if *format == "github" {
		writeGitHub(stdout, ghSummary, done)
	}
	if *junit != "" {
		err := reports.WriteFileAtomic(*junit, func(w io.Writer) error { return writeJUnit(w, done, runner.BuildVersion()) })
		if err != nil {
			return fmt.Errorf("writing --junit %s: %w", *junit, err)
		}
	}
	if updateDir != "" && !*quiet {
		fmt.Fprintf(stderr, "depinsim check: stored the baselines in %s/\n", updateDir)
	}
	if t := tallyChecks(done); !t.ok() {
		return errors.New(t.line())
	}
	return nil
}

// failedRunResults returns the results of a run that stopped with err:
// the broken invariant fails (the others were not checked to the end),
// and every assertion is skipped, as the run did not finish.
func failedRunResults(sc *scenarios.Scenario, mode sim.CheckMode, err error) []assertion.Result {
	var ie *sim.InvariantError
	var re *runner.ReplicationError
	rep := -1
	if errors.As(err, &re) {
		rep = re.Rep
	}
	if !errors.As(err, &ie) {
		ie = nil
	}
	rs := assertion.InvariantResults(mode, rep, ie)
	if ie == nil {
		for i := range rs {
			rs[i].Verdict, rs[i].Reason = assertion.Skip, "not checked to the end: the run failed: "+err.Error()
		}
	}
	as, _ := sc.Assertions()
	for _, a := range as {
		rs = append(rs, assertion.Result{Kind: "assertion", Name: a.Spec.Name, Metric: a.MetricLabel(), Stat: a.StatLabel(),
			Mode: a.ModeLabel(), Bounds: a.BoundsLabel(), Verdict: assertion.Skip, Rep: -1, At: -1, Message: a.Spec.Message,
			Reason: "not evaluated: the run stopped before its end"})
	}
	return rs
}

// baselinePath is the file of scenario name's baseline in dir.
func baselinePath(dir, name string) string { return filepath.Join(dir, name+".json") }

// readBaseline reads scenario name's baseline from dir; every problem
// is bad input.
func readBaseline(dir, name string) (*assertion.Baseline, error) {
	path := baselinePath(dir, name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, badInput("--baseline %s: no baseline for scenario %q (%s); store one with --update-baseline", dir, name, path)
	}
	if err != nil {
		return nil, badInput("--baseline: %v", err)
	}
	defer f.Close()
	b, err := assertion.ReadBaseline(f)
	if err != nil {
		return nil, badInput("--baseline: %s: %v", path, err)
	}
	if b.Scenario != name {
		return nil, badInput("--baseline: %s holds the baseline of scenario %q, not %q", path, b.Scenario, name)
	}
	return b, nil
}

// writeBaseline stores b in dir (created when missing) as b.Scenario.json.
func writeBaseline(dir string, b *assertion.Baseline) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--update-baseline: %w", err)
	}
	return reports.WriteFileAtomic(baselinePath(dir, b.Scenario), b.Write)
}
