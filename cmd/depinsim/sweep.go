package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/sweep"
)

const sweepUsage = `Usage:
  depinsim sweep SWEEP.toml [flags]
  depinsim sweep SCENARIO.toml|PRESET --grid key=v1,v2 [--grid key=...] [flags]

Runs every point of a design over a base scenario, each with the sweep's
replications, and writes into --out (default out/sweep-<name>):
runs.csv (one row per point and replication: the swept values, the seed,
ok or failed with its error, each metric's per-replication statistic)
with its provenance in runs.csv.meta.json, the same rows typed in
runs.parquet, points.csv (per point: each metric's mean and 95% CI
half-width), plots/ (each metric of the sweep file's metrics against
each swept parameter, and a heatmap for a two-parameter grid),
sweep.toml (the sweep file), run.log.json (command line, workers, wall
time) and, last, sweep.json (provenance). Replication r of every point
has the same seed (common random numbers) unless --independent-seeds.
Every point's scenario is checked before anything runs. Runs start in
a seeded permutation of the points, replication after replication (all
points' replication 0, then 1, ...), so a partial sweep is a balanced
sample, and rows are written in that order as they finish (the same
files for any --workers). A failed run is a row with status failed; the
sweep goes on and exits with 1 (with --fail-fast it stops at the first
failed run). docs/experiments.md describes the sweep file and the files.

--grid key=v1,v2 sweeps key over the values (a grid over every --grid);
values are read as --set reads them and split at the commas outside
brackets and braces: --grid 'market.take_rate=[0.1, 0.2],[0.3, 0.4]'.

--emit slurm|k8s --shards N runs nothing: it checks every point and
writes into --out a Slurm job array (sweep.sbatch, merge.sbatch) or a
Kubernetes Indexed Job (sweep-job.yaml, merge-job.yaml) that runs the
sweep in N shards and merges them, and prints the commands that submit
them (docs/cluster.md).
`

// sweepRecorder, when set (by tests only), gives each run of a sweep an
// extra recorder: a test makes chosen runs fail with it.
var sweepRecorder func(point, rep int) sim.Recorder

func cmdSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", sweepUsage, stderr, stdout)
	out := fs.String("out", "", "output folder (default out/sweep-<sweep file name>, or out/sweep-<scenario name> with --grid)")
	workers := fs.Int("workers", 0, "runs at once over all points and replications (default: number of CPUs); results do not depend on it")
	force := fs.Bool("force", false, "write into a non-empty output folder, first removing what depinsim wrote there (its own files and temporary files only)")
	quiet := fs.Bool("quiet", false, "no progress line and no summary")
	failFast := fs.Bool("fail-fast", false, "stop at the first failed run (exit code 1, naming it); by default the sweep goes on")
	indep := fs.Bool("independent-seeds", false, "seed each run from its point and replication, not the replication alone (default: common random numbers)")
	progMode := fs.String("progress", "auto", "progress on stderr: auto (a line redrawn in place on a terminal, nothing otherwise), plain (whole lines for batch logs: every 10% of the runs or 10 s, no carriage returns), none")
	var sets, grids []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key at every point: path=value (repeatable), applied after the sweep file's set")
	fs.StringArrayVar(&grids, "grid", nil, "quick sweep: key=v1,v2,... (repeatable, one key per flag); the argument is then a scenario file or preset")
	emit := addEmitFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *emit.engine == "" && fs.Changed("shards") {
		return badInput("--shards is for --emit slurm|k8s (see 'depinsim sweep --help')")
	}
	if fs.NArg() != 1 {
		return badInput("want one sweep file (or, with --grid, one scenario or preset), got %d: %v (see 'depinsim sweep --help')", fs.NArg(), fs.Args())
	}
	if *workers < 0 {
		return badInput("--workers: must be >= 0, got %d", *workers)
	}
	if *progMode != "auto" && *progMode != "plain" && *progMode != "none" {
		return badInput("--progress: %q: want auto, plain or none", *progMode)
	}
	arg := fs.Arg(0)
	var sw *sweep.Sweep
	var err error
	if len(grids) > 0 {
		sw, err = sweep.FromGrid(arg, grids, sets, scenarios.Options{})
	} else {
		sw, err = sweep.ReadFile(arg, sets, scenarios.Options{})
	}
	if err != nil {
		return usageError{err}
	}
	sw.IndependentSeeds = *indep
	points := sw.Points()
	scs, err := sw.Validate(points)
	if err != nil {
		return usageError{err}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "sweep-"+sw.Name)
	}
	if *emit.engine != "" {
		return emitSweep(emit, sw, arg, grids, sets, *indep, *failFast, *workers, dir, *force, stdout)
	}
	of, err := openOutFolder(dir, *force, nil)
	if err != nil {
		return err
	}
	total := len(points) * sw.Replications
	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	plain := *progMode == "plain"
	prog := startProgress(stderr, total, "runs", *quiet || *progMode == "none" || (!plain && !isTerminal(stderr)), plain)
	start := time.Now()
	wr, err := sw.CreateFolder(dir, points)
	var res *sweep.Result
	if err == nil {
		res, err = sw.Run(ctx, scs, sweep.Options{Workers: nw, Progress: func(d, f, _ int) { prog.set(d, f) }, Recorder: sweepRecorder,
			Write: wr.Write, FailFast: *failFast})
		if err == nil {
			err = wr.Finish(sweep.Log{Command: append([]string{"depinsim", "sweep"}, args...), Workers: nw, WallSeconds: time.Since(start).Seconds()})
		} else {
			wr.Abort()
		}
	}
	prog.finish()
	kept := of.release(err == nil)
	if err != nil {
		return fmt.Errorf("%v; %s", err, kept)
	}
	if sig, ok := signalOf(ctx); ok {
		return fmt.Errorf("%v as the sweep was ending: %s", sig, kept)
	}
	describe := func(r sweep.Row) string {
		return fmt.Sprintf("point %d (%s) rep %d seed %d: %v", r.Point, points[r.Point], r.Rep, r.Seed, r.Err)
	}
	var failed []string
	for _, r := range res.Failed {
		failed = append(failed, describe(r))
	}
	if !*quiet {
		notRun := ""
		if res.Runs < total {
			notRun = fmt.Sprintf(", %d not run", total-res.Runs)
		}
		fmt.Fprintf(stdout, "sweep %s: %s design, %d point(s) x %d replication(s) = %d runs, master seed %d: %d ok, %d failed%s in %.2f s\n",
			sw.Name, sw.Design, len(points), sw.Replications, total, sw.Seed, res.Runs-len(failed), len(failed), notRun, time.Since(start).Seconds())
		fmt.Fprintf(stdout, "wrote %s/ (runs.csv and its .meta.json, runs.parquet, points.csv, plots/, sweep.toml, run.log.json, sweep.json)\n", dir)
	}
	if res.Stopped != nil {
		return fmt.Errorf("stopped at the first failed run (--fail-fast): %s; %d of %d runs written", describe(*res.Stopped), res.Runs, total)
	}
	if len(failed) > 0 {
		const show = 10
		msg := fmt.Sprintf("%d of %d runs failed (status failed in runs.csv):\n  %s", len(failed), total, strings.Join(failed[:min(show, len(failed))], "\n  "))
		if len(failed) > show {
			msg += fmt.Sprintf("\n  ... and %d more", len(failed)-show)
		}
		return errors.New(msg)
	}
	return nil
}
