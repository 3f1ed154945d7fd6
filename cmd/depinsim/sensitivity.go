package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"time"

	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sensitivity"
)

const sensitivityUsage = `Usage:
  depinsim sensitivity SA.toml [flags]

Runs a global sensitivity analysis of a base scenario: the sensitivity
file names the factors (scenario key paths, as --set writes them, each
with a distribution), the outputs (a statistic of a metric over a window,
as [[assert]] entries name them) and the method: Sobol first-order and
total-effect indices on a Saltelli design, or Morris elementary effects
(mu, mu*, sigma) on trajectories or a radial design. Every design point's
scenario is checked before anything runs; each point runs the file's
replications with common random numbers (replication r has the same seed
at every point) and its value is the mean over them. The runs go through
the sweep engine: the files are the same for any --workers.

Writes into --out (default out/sensitivity-<name>): sensitivity.toml (the
file), runs.csv (point, rep, seed, attempt, error, one column per output),
points.csv (per point: its Sobol row or Morris trajectory, its role, the
factor values, per output the mean and 95% CI half-width), indices.csv and
indices.parquet (long format: output, factor, index, estimate, lo, hi,
confidence, n), convergence.csv (the indices on the first N/4, N/2 and N
rows or trajectories), each CSV with its provenance in NAME.csv.meta.json,
and the report's data, charts and report.html (--no-report skips the
charts and report.html).

A run that fails, or whose output has no value, is handled by the file's
missing policy: refuse (default; exit 1 naming the points, their factor
values and each run's error, runs.csv and points.csv kept), drop (its
Sobol row or Morris trajectory is dropped, counted in the report) or
rerun (run again with other seeds, up to rerun_attempts). docs/analysis.md
describes the file, the methods and the files.
`

func cmdSensitivity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sensitivity", sensitivityUsage, stderr, stdout)
	out := fs.String("out", "", "output folder (default out/sensitivity-<file name>)")
	workers := fs.Int("workers", 0, "runs at once (default: number of CPUs); results do not depend on it")
	reps := fs.Int("reps", 0, "replications per design point (default: the file's replications, else the base scenario's)")
	seed := fs.Int64("seed", -1, "master seed (default: the file's seed, else the base scenario's)")
	force := fs.Bool("force", false, "write into a non-empty output folder, first removing what depinsim wrote there")
	quiet := fs.Bool("quiet", false, "no progress line and no summary")
	noReport := fs.Bool("no-report", false, "do not write the charts and report.html")
	progMode := fs.String("progress", "auto", "progress on stderr: auto, plain or none (as for 'depinsim sweep')")
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key for every run: path=value (repeatable), applied after the file's set")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badInput("want one sensitivity file, got %d: %v (see 'depinsim sensitivity --help')", fs.NArg(), fs.Args())
	}
	if *workers < 0 {
		return badInput("--workers: must be >= 0, got %d", *workers)
	}
	if fs.Changed("reps") && (*reps < 1 || *reps > 10_000) {
		return badInput("--reps: %d: want an integer from 1 to 10000", *reps)
	}
	if fs.Changed("seed") && *seed < 0 {
		return badInput("--seed: %d: want an integer >= 0", *seed)
	}
	if *progMode != "auto" && *progMode != "plain" && *progMode != "none" {
		return badInput("--progress: %q: want auto, plain or none", *progMode)
	}
	a, err := sensitivity.ReadFile(fs.Arg(0), sets, scenarios.Options{})
	if err != nil {
		return usageError{err}
	}
	if fs.Changed("reps") {
		a.Replications = *reps
	}
	if fs.Changed("seed") {
		a.Seed = *seed
	}
	d, err := a.NewDesign()
	if err != nil {
		return usageError{err}
	}
	scs, err := a.Validate(d)
	if err != nil {
		return usageError{err}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "sensitivity-"+a.Name)
	}
	of, err := openOutFolder(dir, *force, nil)
	if err != nil {
		return err
	}
	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	total := len(d.Points) * a.Replications
	plain := *progMode == "plain"
	prog := startProgress(stderr, total, "runs", *quiet || *progMode == "none" || (!plain && !isTerminal(stderr)), plain)
	runs, err := a.Execute(ctx, d, scs, sensitivity.Options{Workers: nw, Progress: func(dn, f, _ int) { prog.set(dn, f) }})
	prog.finish()
	if err == nil {
		err = a.WriteRuns(dir, d, runs)
	}
	if err != nil {
		return fmt.Errorf("%v; %s", err, of.release(false))
	}
	rep, err := a.Estimate(d, runs)
	var fe *sensitivity.FailedError
	if errors.As(err, &fe) {
		of.keep()
		return fmt.Errorf("%v\nkept %s/ with %s, %s and %s (no indices)", err, dir, sensitivity.DefinitionFile, sensitivity.RunsFile, sensitivity.PointsFile)
	}
	if err == nil {
		err = a.WriteResults(dir, rep, *noReport)
	}
	if err != nil {
		return fmt.Errorf("%v; %s", err, of.release(false))
	}
	of.release(true)
	if !*quiet {
		fmt.Fprintf(stdout, "%s: %d runs (%d rerun), %d failed, in %.2f s\n", a.Describe(d), len(runs.All), runs.Rerun, len(rep.Failed), time.Since(start).Seconds())
		for _, o := range rep.Outputs {
			fmt.Fprintf(stdout, "  %s (%s): mean %.4g, seed noise %.0f%% of a run's variance", o.Name, o.Label, o.Mean, 100*o.NoiseShare)
			if o.Dropped > 0 {
				fmt.Fprintf(stdout, ", %d block(s) dropped", o.Dropped)
			}
			fmt.Fprintln(stdout)
			for _, ix := range o.Indices {
				if a.Method == "sobol" {
					fmt.Fprintf(stdout, "    %-40s S1 %6.3f [%6.3f, %6.3f]  ST %6.3f [%6.3f, %6.3f]\n", ix.Factor, ix.S1, ix.S1Lo, ix.S1Hi, ix.ST, ix.STLo, ix.STHi)
				} else {
					fmt.Fprintf(stdout, "    %-40s mu* %10.4g [%10.4g, %10.4g]  mu %10.4g  sigma %10.4g\n", ix.Factor, ix.MuStar, ix.MuStarLo, ix.MuStarHi, ix.Mu, ix.Sigma)
				}
			}
		}
		fmt.Fprintf(stdout, "wrote %s/ (%s, %s, %s, %s, %s, %s and the CSV files' .meta.json)\n", dir, sensitivity.DefinitionFile,
			sensitivity.RunsFile, sensitivity.PointsFile, sensitivity.IndicesFile, sensitivity.IndicesParquet, sensitivity.ConvergenceFile)
	}
	return nil
}
