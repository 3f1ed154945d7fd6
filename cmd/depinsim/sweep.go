package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/depinsim/depinsim/reports"
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
time), report.html (one self-contained page that opens offline: the
parameters and design, provenance, response curves per parameter with
95% CIs, heatmaps for a two-parameter grid, the points and the first
runs; --no-report skips it, 'depinsim report DIR' rebuilds it; a shard
folder has none, the merged folder has) and, last, sweep.json
(provenance). With --timeseries, also
timeseries/point=P/rep-R.parquet: each run's time series, with the
columns of the timeseries.csv of 'depinsim run', as a Parquet dataset
partitioned by point. Replication r of every point has the same seed
(common random numbers) unless --independent-seeds. Every point's
scenario is checked before anything runs. Runs start in a seeded
permutation of the points, replication after replication (all
points' replication 0, then 1, ...), so a partial sweep is a balanced
sample, and rows are written in that order as they finish (the same
files for any --workers). A failed run is a row with status failed; the
sweep goes on and exits with 1 (with --fail-fast it stops at the first
failed run). docs/experiments.md describes the sweep file and the files.

SIGINT or SIGTERM stops the sweep: runs.csv and runs.parquet keep the
rows done (a prefix of the run order), incomplete.json marks the folder
unfinished, the command that finishes it is printed (the same with
--resume) and the exit code is 130 or 143. --resume finishes an
interrupted or killed sweep (same arguments and --out, any --workers):
the folder ends byte for byte as an uninterrupted sweep's (run.log.json
aside); with nothing recorded in --out (missing, or only temporary
files) it starts the sweep, on a folder holding this sweep finished it
runs nothing and exits 0, and it refuses another sweep's folder and one
with other files but no incomplete.json (nothing to resume).

--shard I/N runs only the runs k of the run order with k % N == I-1
(1-based I: 3/4 is the third of four) into its own --out, with
shard.json for 'depinsim merge', which combines the N shard folders into
the unsharded sweep's files (see 'depinsim merge --help'). N may exceed
the runs (those shards are empty).

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
	noReport := fs.Bool("no-report", false, "do not write report.html")
	failFast := fs.Bool("fail-fast", false, "stop at the first failed run (exit code 1, naming it); by default the sweep goes on")
	timeseries := fs.Bool("timeseries", false, "also write each run's time series (the columns of the timeseries.csv of 'depinsim run') as a Parquet dataset partitioned by point: timeseries/point=P/rep-R.parquet")
	indep := fs.Bool("independent-seeds", false, "seed each run from its point and replication, not the replication alone (default: common random numbers)")
	progMode := fs.String("progress", "auto", "progress on stderr: auto (a line redrawn in place on a terminal, nothing otherwise), plain (whole lines for batch logs: every 10% of the runs or 10 s, no carriage returns), none")
	resume := fs.Bool("resume", false, "finish the unfinished sweep in --out (interrupted or killed): the same arguments, the runs recorded are not run again, and the folder ends as an uninterrupted sweep's; with nothing recorded in --out it starts the sweep, and on this sweep finished it runs nothing")
	shardFlag := fs.String("shard", "", "run only shard I of N (I/N, 1 <= I <= N): the runs k of the run order with k % N == I-1; 'depinsim merge' combines the N shard folders")
	var sets, grids []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key at every point: path=value (repeatable), applied after the sweep file's set")
	metrics := fs.StringSlice("metrics", nil, "with --grid: the metrics to plot against the parameters, comma-separated (default: GPU and CPU utilization, GPU price, provider revenue; 'depinsim sweep' files use their metrics key)")
	fs.StringArrayVar(&grids, "grid", nil, "quick sweep: key=v1,v2,... (repeatable, one key per flag); the argument is then a scenario file or preset")
	emit := addEmitFlags(fs, "sweep")
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
	if *emit.engine != "" && (*shardFlag != "" || *resume) {
		return badInput("--shard and --resume are for the emitted jobs, which pass them to each shard; --emit takes the whole sweep")
	}
	if *resume && *force {
		return badInput("--resume and --force: --force would clear the runs --resume keeps; give one")
	}
	shard, shards, err := parseShard(*shardFlag)
	if err != nil {
		return err
	}
	arg := fs.Arg(0)
	var sw *sweep.Sweep
	if len(grids) > 0 {
		sw, err = sweep.FromGridMetrics(arg, grids, sets, *metrics, scenarios.Options{})
	} else if len(*metrics) > 0 {
		return badInput("--metrics: only with --grid; a sweep file names its metrics in its metrics key (%s)", arg)
	} else {
		sw, err = sweep.ReadFile(arg, sets, scenarios.Options{})
	}
	if err != nil {
		return usageError{err}
	}
	sw.IndependentSeeds = *indep
	sw.Timeseries = *timeseries
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
		var switches []string
		for _, s := range []struct {
			on   bool
			flag string
		}{{*indep, "--independent-seeds"}, {*failFast, "--fail-fast"}, {*timeseries, "--timeseries"}} {
			if s.on {
				switches = append(switches, s.flag)
			}
		}
		if len(*metrics) > 0 {
			switches = append(switches, "--metrics="+strings.Join(*metrics, ","))
		}
		return emitSweep(emit, sw, arg, grids, sets, switches, *workers, dir, *force, stdout)
	}
	var of *outFolder
	if *resume && nothingRecorded(dir) {
		// a job that resumes its shard whatever its state: a first start
		// (or one killed before it recorded anything) starts afresh
		if !*quiet {
			fmt.Fprintf(stderr, "depinsim sweep: --resume: nothing recorded in %s yet: starting the sweep\n", dir)
		}
		*resume = false
		of, err = openOutFolder(dir, true, nil)
	} else if *resume {
		of, err = openResumeFolder(dir)
	} else {
		if st, err := sweep.ReadState(dir); err == nil && !*force {
			return badInput("--out %s: holds an unfinished sweep (%s: %s, %d of %d runs recorded); add --resume to finish it, or --force to start afresh",
				dir, sweep.IncompleteFile, st.Status, st.RunsDone, st.Runs)
		}
		of, err = openOutFolder(dir, *force, nil)
	}
	if err != nil {
		return err
	}
	total := sweep.ShardRuns(len(points)*sw.Replications, shard, shards)
	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	plain := *progMode == "plain"
	start := time.Now()
	fopt := sweep.FolderOptions{Shard: shard, Shards: shards, Resume: resumeCommand(args), NoReport: *noReport}
	var wr *sweep.Writer
	recorded := 0
	if *resume {
		wr, recorded, err = sw.ResumeFolder(dir, points, fopt)
		var re *sweep.ResumeError
		if errors.As(err, &re) {
			of.keep()
			if re.Complete {
				if !*quiet {
					fmt.Fprintf(stdout, "%s/ already holds this sweep, finished: nothing to run\n", dir)
				}
				return nil
			}
			return usageError{err}
		}
	} else {
		wr, err = sw.CreateFolderWith(dir, points, fopt)
	}
	prog := startProgress(stderr, total, "runs", *quiet || *progMode == "none" || (!plain && !isTerminal(stderr)), plain)
	var res *sweep.Result
	interrupted := false
	if err == nil {
		var ts *sweep.Timeseries
		if *timeseries {
			ts = wr.Timeseries()
		}
		res, err = sw.Run(ctx, scs, sweep.Options{Workers: nw, Progress: func(d, f, _ int) { prog.set(d, f) }, Recorder: sweepRecorder,
			Write: wr.Write, FailFast: *failFast, Timeseries: ts, Shard: shard, Shards: shards, Start: recorded})
		_, sig := signalOf(ctx)
		switch {
		case err == nil:
			err = wr.Finish(sweep.Log{Command: append([]string{"depinsim", "sweep"}, args...), Workers: nw, WallSeconds: time.Since(start).Seconds(), Resumed: recorded})
		case sig && errors.Is(err, context.Canceled), *resume:
			// keep the rows done: the folder can be resumed
			if serr := wr.Suspend(); serr == nil {
				interrupted = true
			} else {
				err = fmt.Errorf("%v; and the rows done could not be kept: %v", err, serr)
			}
		default:
			wr.Abort()
		}
	}
	prog.finish()
	if interrupted || (*resume && err != nil) {
		of.keep()
		if !interrupted {
			return err
		}
		return fmt.Errorf("%v; kept %s/ unfinished: runs.csv and runs.parquet hold the first %d of %d runs (in run order), %s marks it; to finish it, run:\n  %s",
			err, dir, wr.Runs(), total, sweep.IncompleteFile, resumeCommand(args))
	}
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
	// the failed runs a resumed sweep found recorded, then this execution's
	failed := slices.Clone(wr.Failed()[:len(wr.Failed())-len(res.Failed)])
	for i := range failed {
		failed[i] += " (recorded before --resume; its error is in runs.csv)"
	}
	for _, r := range res.Failed {
		failed = append(failed, describe(r))
	}
	if !*quiet {
		notRun := ""
		if wr.Runs() < total {
			notRun = fmt.Sprintf(", %d not run", total-wr.Runs())
		}
		of := ""
		if shards > 0 {
			of = fmt.Sprintf(", shard %s: %d of them", sweep.ShardSpec(shard, shards), total)
		}
		if recorded > 0 {
			notRun += fmt.Sprintf(" (%d recorded before --resume)", recorded)
		}
		fmt.Fprintf(stdout, "sweep %s: %s design, %d point(s) x %d replication(s) = %d runs%s, master seed %d: %d ok, %d failed%s in %.2f s\n",
			sw.Name, sw.Design, len(points), sw.Replications, len(points)*sw.Replications, of, sw.Seed, wr.Runs()-len(failed), len(failed), notRun, time.Since(start).Seconds())
		shardFile := ""
		if shards > 0 {
			shardFile = "shard.json, "
		}
		tsNote := ""
		if *timeseries {
			tsNote = ", timeseries/"
		}
		reportNote := ", report.html"
		if *noReport || shards > 0 {
			reportNote = ""
		}
		fmt.Fprintf(stdout, "wrote %s/ (%sruns.csv and its .meta.json, runs.parquet%s, points.csv, plots/, sweep.toml, run.log.json%s, sweep.json)\n", dir, shardFile, tsNote, reportNote)
	}
	if res.Stopped != nil {
		return fmt.Errorf("stopped at the first failed run (--fail-fast): %s; %d of %d runs written", describe(*res.Stopped), wr.Runs(), total)
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

// parseShard reads --shard I/N; 0, 0 when empty.
func parseShard(s string) (i, n int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, badInput("--shard %q: want I/N with 1 <= I <= N (\"3/4\" is the third of four shards)", s)
	}
	return i, n, nil
}

// resumeCommand returns the command line that resumes the sweep of args
// (the sweep command's arguments): the same, without --force, with
// --resume, quoted for a POSIX shell.
func resumeCommand(args []string) string { return commandWithResume("sweep", args) }

// commandWithResume returns the command line of depinsim's command cmd
// with args, without --force, with --resume, quoted for a POSIX shell.
func commandWithResume(cmd string, args []string) string {
	out := []string{"depinsim", cmd}
	has := false
	for _, a := range args {
		switch {
		case a == "--force" || strings.HasPrefix(a, "--force="):
			continue
		case a == "--resume" || a == "--resume=true":
			has = true
		}
		out = append(out, shellQuote(a))
	}
	if !has {
		out = append(out, "--resume")
	}
	return strings.Join(out, " ")
}

// nothingRecorded reports whether the folder dir holds nothing a sweep
// recorded: it does not exist, or holds only depinsim's temporary files
// (a sweep killed before it wrote incomplete.json).
func nothingRecorded(dir string) bool {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true
	}
	if err != nil {
		return false
	}
	for _, e := range entries {
		if _, ok := reports.TempBase(e.Name()); !ok || !e.Type().IsRegular() {
			return false
		}
	}
	return true
}
