package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sensitivity"
	"github.com/depinsim/depinsim/sweep"
)

const sensitivityUsage = `Usage:
  depinsim sensitivity SA.toml [flags]
  depinsim sensitivity SA.toml --merge SHARD_DIR... --out DIR [flags]

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
run.log.json, and the report's data, charts and report.html (--no-report
skips the charts and report.html).

A run that fails, or whose output has no value, is handled by the file's
missing policy: refuse (default; exit 1 naming the points, their factor
values and each run's error, runs.csv and points.csv kept), drop (its
Sobol row or Morris trajectory is dropped, counted in the report) or
rerun (run again with other seeds, up to rerun_attempts).

While it runs, incomplete.json and runs.journal (every finished run,
synced to disk in run order) mark the folder unfinished. SIGINT or
SIGTERM stops it (exit code 130 or 143) and prints the command that
finishes it: --resume (same arguments and --out, any --workers) runs
only the runs not recorded and ends with the folder of an uninterrupted
analysis, byte for byte (run.log.json, the command line, workers and
wall time, aside); it refuses another analysis's folder, naming the
differences.

--shard I/N runs only the runs k of the run order with k % N == I-1
(and their reruns) into its own --out, with shard.json; then
  depinsim sensitivity SA.toml --merge SHARD_DIR... --out DIR
estimates from the N shard folders and writes the unsharded analysis's
folder, byte for byte.

--emit slurm|k8s --shards N runs nothing: it checks every point and
writes into --out a Slurm job array (sensitivity.sbatch, merge.sbatch)
or a Kubernetes Indexed Job (sensitivity-job.yaml, merge-job.yaml) that
runs the analysis in N shards and merges them, with the flags of
'depinsim sweep --emit' (docs/cluster.md). docs/analysis.md describes
the file, the methods and the files.
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
	resume := fs.Bool("resume", false, "finish the unfinished analysis in --out (interrupted or killed): the same arguments, the runs recorded are not run again, and the folder ends as an uninterrupted analysis's; with nothing recorded in --out it starts the analysis, and on this analysis finished it runs nothing")
	shardFlag := fs.String("shard", "", "run only shard I of N (I/N, 1 <= I <= N): the runs k of the run order with k % N == I-1 and their reruns; --merge combines the N shard folders")
	merge := fs.Bool("merge", false, "the arguments after the sensitivity file are the folders of its N shards (--shard I/N): estimate from their runs and write the unsharded analysis's folder into --out")
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key for every run: path=value (repeatable), applied after the file's set")
	emit := addEmitFlags(fs, "sensitivity")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *emit.engine == "" && fs.Changed("shards") {
		return badInput("--shards is for --emit slurm|k8s (see 'depinsim sensitivity --help')")
	}
	if *emit.engine != "" && (*shardFlag != "" || *resume || *merge) {
		return badInput("--shard, --resume and --merge are for the emitted jobs, which pass them on; --emit takes the whole analysis")
	}
	if *merge {
		if fs.NArg() < 2 {
			return badInput("--merge: want the sensitivity file and its shard folders, got %d argument(s): %v (see 'depinsim sensitivity --help')", fs.NArg(), fs.Args())
		}
		if *shardFlag != "" || *resume {
			return badInput("--merge: not with --shard or --resume (a merge runs nothing)")
		}
	} else if fs.NArg() != 1 {
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
	if *resume && *force {
		return badInput("--resume and --force: --force would clear the runs --resume keeps; give one")
	}
	shard, shards, err := parseShard(*shardFlag)
	if err != nil {
		return err
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
	var scs *sweep.Scenarios
	if !*merge {
		if scs, err = a.Validate(d); err != nil {
			return usageError{err}
		}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "sensitivity-"+a.Name)
	}
	if *emit.engine != "" {
		var switches []string
		if fs.Changed("reps") {
			switches = append(switches, "--reps="+strconv.Itoa(*reps))
		}
		if fs.Changed("seed") {
			switches = append(switches, "--seed="+strconv.FormatInt(*seed, 10))
		}
		return emitSensitivity(emit, a, len(d.Points)*a.Replications, fs.Arg(0), sets, switches, *workers, *noReport, dir, *force, stdout)
	}
	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	command := append([]string{"depinsim", "sensitivity"}, args...)
	if *merge {
		of, err := openOutFolder(dir, *force, nil)
		if err != nil {
			return err
		}
		runs, order, err := a.Merge(d, fs.Args()[1:])
		if err != nil {
			kept := of.release(false)
			var me *sensitivity.MergeError
			if errors.As(err, &me) {
				return usageError{fmt.Errorf("%v; %s", err, kept)}
			}
			return fmt.Errorf("%v; %s", err, kept)
		}
		return finishSensitivity(a, d, runs, dir, of, nil, sensitivity.Log{Command: command, Workers: 1, Shards: order}, start, *noReport, *quiet, stdout)
	}
	id := a.Identity(d, shard, shards)
	resumeCmd := commandWithResume("sensitivity", args)
	var of *outFolder
	var j *sensitivity.Journal
	var recorded []sensitivity.Run
	if *resume && nothingRecorded(dir) {
		if !*quiet {
			fmt.Fprintf(stderr, "depinsim sensitivity: --resume: nothing recorded in %s yet: starting the analysis\n", dir)
		}
		*resume = false
		of, err = openOutFolder(dir, true, nil)
	} else if *resume {
		of, err = openResumeFolder(dir)
	} else {
		if _, serr := os.Stat(filepath.Join(dir, sensitivity.StateFile)); serr == nil && !*force {
			return badInput("--out %s: holds an unfinished analysis (%s); add --resume to finish it, or --force to start afresh", dir, sensitivity.StateFile)
		}
		of, err = openOutFolder(dir, *force, nil)
	}
	if err != nil {
		return err
	}
	total := sweep.ShardRuns(len(d.Points)*a.Replications, shard, max(1, shards))
	if *resume {
		j, recorded, err = a.ResumeJournal(dir, id)
		var re *sensitivity.ResumeError
		if errors.As(err, &re) {
			of.keep()
			if re.Complete {
				if !*quiet {
					fmt.Fprintf(stdout, "%s/ already holds this analysis, finished: nothing to run\n", dir)
				}
				return nil
			}
			return usageError{err}
		}
	} else {
		j, err = sensitivity.CreateJournal(dir, id, total, resumeCmd)
	}
	if err != nil {
		if *resume {
			of.keep()
			return err
		}
		return fmt.Errorf("%v; %s", err, of.release(false))
	}
	plain := *progMode == "plain"
	prog := startProgress(stderr, total, "runs", *quiet || *progMode == "none" || (!plain && !isTerminal(stderr)), plain)
	runs, err := a.Execute(ctx, d, scs, sensitivity.Options{Workers: nw, Progress: func(dn, f, _ int) { prog.set(dn, f) },
		Recorded: recorded, Journal: j.Append, Shard: shard, Shards: shards})
	prog.finish()
	if err != nil {
		if _, sig := signalOf(ctx); sig || *resume {
			// keep the runs done: the folder can be resumed
			j.Close()
			of.keep()
			return fmt.Errorf("%v; kept %s/ unfinished: %s records the runs done, %s marks it; to finish it, run:\n  %s",
				err, dir, sensitivity.JournalFile, sensitivity.StateFile, resumeCmd)
		}
		j.Finish()
		return fmt.Errorf("%v; %s", err, of.release(false))
	}
	log := sensitivity.Log{Command: command, Workers: nw, Resumed: len(recorded)}
	if shards > 0 {
		err := a.WriteShard(dir, d, runs, shard, shards)
		if err == nil {
			err = sensitivity.WriteLog(dir, log)
		}
		if err == nil {
			err = j.Finish()
		}
		if err != nil {
			return fmt.Errorf("%v; %s", err, of.release(false))
		}
		of.release(true)
		if !*quiet {
			fmt.Fprintf(stdout, "%s, shard %s: %d runs (%d rerun) in %.2f s\nwrote %s/ (%s, %s and its .meta.json, %s, %s); merge the %d shard folders with 'depinsim sensitivity %s --merge DIR...'\n",
				a.Describe(d), sweep.ShardSpec(shard, shards), len(runs.All), runs.Rerun, time.Since(start).Seconds(), dir,
				sensitivity.DefinitionFile, sensitivity.RunsFile, sensitivity.LogFile, sensitivity.ShardFile, shards, fs.Arg(0))
		}
		return nil
	}
	return finishSensitivity(a, d, runs, dir, of, j, log, start, *noReport, *quiet, stdout)
}

// finishSensitivity writes the folder of an analysis whose runs are all
// done (run, resumed or merged): runs.csv and points.csv, then (unless
// the missing-value policy refuses the runs) the indices and the
// report, run.log.json, and last removes the journal j (nil for a
// merge), then prints the summary.
func finishSensitivity(a *sensitivity.Analysis, d *sensitivity.Design, runs *sensitivity.Runs, dir string, of *outFolder, j *sensitivity.Journal,
	log sensitivity.Log, start time.Time, noReport, quiet bool, stdout io.Writer) error {
	done := func() error {
		log.WallSeconds = time.Since(start).Seconds()
		if err := sensitivity.WriteLog(dir, log); err != nil {
			return err
		}
		if j != nil {
			return j.Finish()
		}
		return nil
	}
	err := a.WriteRuns(dir, d, runs)
	if err != nil {
		return fmt.Errorf("%v; %s", err, of.release(false))
	}
	rep, err := a.Estimate(d, runs)
	var fe *sensitivity.FailedError
	if errors.As(err, &fe) {
		if derr := done(); derr != nil {
			return fmt.Errorf("%v; %s", derr, of.release(false))
		}
		of.keep()
		return fmt.Errorf("%v\nkept %s/ with %s, %s, %s and %s (no indices)", err, dir, sensitivity.DefinitionFile, sensitivity.RunsFile, sensitivity.PointsFile, sensitivity.LogFile)
	}
	if err == nil {
		err = a.WriteResults(dir, rep, noReport)
	}
	if err == nil {
		err = done()
	}
	if err != nil {
		return fmt.Errorf("%v; %s", err, of.release(false))
	}
	of.release(true)
	if !quiet {
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
		charts := ", " + reports.SensitivityDataFile
		if !noReport {
			charts += ", " + reports.ReportFile + ", " + reports.PlotsDir + "/"
		}
		fmt.Fprintf(stdout, "wrote %s/ (%s, %s, %s, %s, %s, %s, %s%s and the CSV files' .meta.json)\n", dir, sensitivity.DefinitionFile,
			sensitivity.RunsFile, sensitivity.PointsFile, sensitivity.IndicesFile, sensitivity.IndicesParquet, sensitivity.ConvergenceFile, sensitivity.LogFile, charts)
	}
	return nil
}
