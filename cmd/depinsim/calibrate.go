package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/depinsim/depinsim/calibrate"
	"github.com/depinsim/depinsim/scenarios"
)

const calibrateUsage = `Usage:
  depinsim calibrate CAL.toml [flags]

Fits the free parameters of a base scenario ([[param]] entries: a key
path with bounds, a scale, an optional start and prior) to observed
figures ([[target]] entries: a statistic of a metric over a window, as
in [[assert]], with value and sigma, or min and max). The objective is
the sum over the targets of ((mean over the search replications -
value) / sigma)^2, plus the priors; every evaluation runs the same
replications (common random numbers). CMA-ES searches the parameters'
box from each start, Nelder-Mead polishes its best point; the best
point of all starts is checked on fresh seeds (each target's mean and
95% CI, met when within its tolerance) and profiled (each parameter's
interval where the objective rises by at most 3.84, the others fixed).
An optional [screen] table first screens the parameters with Morris
elementary effects of the objective and fixes the unimportant ones at
their start. An optional [abc] table (samples, accept or epsilon,
sampling) then runs approximate Bayesian computation by rejection:
parameter draws from the priors (uniform over the bounds without one),
each on the search replications; the draws closest to the targets (the
objective without the priors' terms) sample the approximate posterior.

Writes into --out (default out/calibrate-<name>): calibration.toml (the
file), evaluations.csv and evaluations.parquet (every evaluation: phase,
parameters, objective, each target's mean), targets.csv, params.csv
(each CSV with a .meta.json provenance sidecar), fitted.set (the fitted
parameters as --set lines for 'depinsim run'), with [abc]
posterior.csv (the accepted draws; params.csv's posterior columns then
hold each parameter's median and 95% interval), calibration.json,
run.log.json (command line, workers, wall time), plots/ and report.html
(--no-report skips those two). The files are the same for any
--workers (run.log.json aside).

SIGINT or SIGTERM stops the calibration and keeps journal.tsv, the
evaluations done; --resume (same arguments and --out) replays the search
from it and ends with the same files as an uninterrupted calibration.

--shard I/N (N <= the starts) runs the start point, the screening, the
starts k with k % N == I-1 and the [abc] draws k with k % N == I-1 into
--out (journal.tsv, then shard.json when finished; --resume finishes a
stopped shard).
  depinsim calibrate CAL.toml --merge SHARD_DIR... --out DIR
checks that the folders are the N finished shards of this calibration
with these arguments and build (naming any difference), replays the
search and the [abc] draws from their journals, runs the check and the
profile of the best start and writes DIR byte for byte as the
unsharded calibration (run.log.json aside). --resume with nothing recorded in --out starts
the calibration (or the shard).

--emit slurm|k8s --shards N (N <= the starts) runs nothing: it checks
the file and writes into --out a Slurm job array (calibrate.sbatch,
merge.sbatch) or a Kubernetes Indexed Job (calibrate-job.yaml,
merge-job.yaml) that runs the calibration in N shards and merges them,
with the flags of 'depinsim sweep --emit' (docs/cluster.md).
docs/analysis.md describes the file, the search and the files.
`

func cmdCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calibrate", calibrateUsage, stderr, stdout)
	out := fs.String("out", "", "output folder (default out/calibrate-<calibration file name>)")
	workers := fs.Int("workers", 0, "replications run at once (default: number of CPUs); results do not depend on it")
	seed := fs.Int64("seed", -1, "master seed (default: the file's seed, else the base scenario's)")
	resume := fs.Bool("resume", false, "finish the calibration in --out from its journal (same arguments): evaluations recorded are not run again, and the files end as an uninterrupted calibration's; with nothing recorded in --out it starts the calibration")
	noReport := fs.Bool("no-report", false, "do not write plots/ and report.html")
	force := fs.Bool("force", false, "write into a non-empty output folder, first removing what depinsim wrote there")
	quiet := fs.Bool("quiet", false, "no progress line and no summary")
	shardFlag := fs.String("shard", "", "run only shard I of N (I/N, 1 <= I <= N <= starts): the start point and the starts k with k % N == I-1, into --out; --merge combines the N shard folders")
	merge := fs.Bool("merge", false, "the arguments after the calibration file are the folders of its N shards: check them, then run the check and the profile of the best start and write --out as an unsharded calibration's")
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key for every run: path=value (repeatable), applied after the file's set")
	emit := addEmitFlags(fs, "calibrate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *emit.engine == "" && fs.Changed("shards") {
		return badInput("--shards is for --emit slurm|k8s (see 'depinsim calibrate --help')")
	}
	if *emit.engine != "" && (*shardFlag != "" || *resume || *merge) {
		return badInput("--shard, --resume and --merge are for the emitted jobs, which pass them on; --emit takes the whole calibration")
	}
	if *merge {
		if fs.NArg() < 2 {
			return badInput("--merge: want the calibration file, then its shard folders (see 'depinsim calibrate --help')")
		}
		if *shardFlag != "" {
			return badInput("--merge and --shard: a merge takes every shard; give one")
		}
	} else if fs.NArg() != 1 {
		return badInput("want one calibration file, got %d: %v (see 'depinsim calibrate --help')", fs.NArg(), fs.Args())
	}
	shard, shards, err := parseShard(*shardFlag)
	if err != nil {
		return err
	}
	if *workers < 0 {
		return badInput("--workers: must be >= 0, got %d", *workers)
	}
	if *resume && *force {
		return badInput("--resume and --force: --force would clear the journal --resume replays; give one")
	}
	c, err := calibrate.ReadFile(fs.Arg(0), sets)
	if err != nil {
		return usageError{err}
	}
	if fs.Changed("seed") {
		if *seed < 0 {
			return badInput("--seed: %d: want an integer >= 0", *seed)
		}
		c.Seed = *seed
	}
	if shards > c.Starts {
		return badInput("--shard %s: %d shards of %d start(s) (%s, search.starts): want at most one shard per start", *shardFlag, shards, c.Starts, c.File)
	}
	var shardJournals []string
	if *merge {
		if *out == "" {
			return badInput("--out: required with --merge (the folder of the merged calibration)")
		}
		if shardJournals, err = calibrate.ShardJournals(c, fs.Args()[1:]); err != nil {
			return usageError{err}
		}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "calibrate-"+c.Name)
	}
	if *emit.engine != "" {
		var switches []string
		if fs.Changed("seed") {
			switches = append(switches, "--seed="+strconv.FormatInt(*seed, 10))
		}
		return emitCalibration(emit, c, fs.Arg(0), sets, switches, *workers, *noReport, dir, *force, stdout)
	}
	var of *outFolder
	if *resume && nothingRecorded(dir) {
		// a shard's first try (the emitted jobs always give --resume)
		if !*quiet {
			fmt.Fprintf(stderr, "depinsim calibrate: --resume: nothing recorded in %s yet: starting the calibration\n", dir)
		}
		*resume = false
		of, err = openOutFolder(dir, true, nil)
	} else if *resume {
		of, err = openResumeFolder(dir)
	} else {
		if _, err := os.Stat(filepath.Join(dir, calibrate.JournalFile)); err == nil && !*force {
			return badInput("--out %s: holds an unfinished calibration (%s); add --resume to finish it, or --force to start afresh", dir, calibrate.JournalFile)
		}
		of, err = openOutFolder(dir, *force, nil)
		if err == nil && *force {
			os.Remove(filepath.Join(dir, calibrate.JournalFile))
			os.Remove(filepath.Join(dir, calibrate.ShardFile))
		}
	}
	if err != nil {
		return err
	}
	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	opt := calibrate.Options{Workers: nw, Journal: filepath.Join(dir, calibrate.JournalFile), Resume: *resume,
		Shard: shard, Shards: shards, ShardJournals: shardJournals}
	if !*quiet {
		var mu sync.Mutex
		evals, runs, best := 0, 0, math.Inf(1)
		show := func() {
			fmt.Fprintf(stderr, "\rcalibrate %s: %d evaluations (%d runs), best objective %.4g   ", c.Name, evals, runs, best)
		}
		opt.Progress = func(n int, b float64) {
			mu.Lock()
			defer mu.Unlock()
			evals, best = n, b
			show()
		}
		opt.RunDone = func() {
			mu.Lock()
			defer mu.Unlock()
			runs++
			show()
		}
	}
	start := time.Now()
	res, err := calibrate.Run(ctx, c, opt)
	if !*quiet {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		of.keep()
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "depinsim calibrate: stopped; %s keeps the evaluations done: finish with\n  depinsim %s --resume\n", filepath.Join(dir, calibrate.JournalFile), strings.Join(withoutResume(args), " "))
			return err
		}
		var se *scenarios.Error
		if errors.As(err, &se) {
			return usageError{err}
		}
		return err
	}
	if shards > 0 {
		err := calibrate.WriteShard(dir, res, shard, shards)
		of.keep()
		if err != nil || *quiet {
			return err
		}
		fmt.Fprintf(stdout, "%s shard %d/%d: %d evaluations, best objective %.4g\nwrote %s/ (%s, %s, %s; merge with 'depinsim calibrate %s --merge SHARD_DIR... --out DIR')\n",
			c.Name, shard, shards, len(res.Evals), res.Objective, dir, calibrate.JournalFile, calibrate.CalFile, calibrate.ShardFile, fs.Arg(0))
		return nil
	}
	var shardDirs []string
	if *merge {
		shardDirs = fs.Args()[1:]
	}
	if err := calibrate.Write(dir, res, *noReport, func() calibrate.Log {
		return calibrate.Log{Command: append([]string{"depinsim", "calibrate"}, args...), Workers: nw, WallSeconds: time.Since(start).Seconds(),
			Resumed: res.Resumed, Shards: shardDirs}
	}); err != nil {
		of.keep()
		return err
	}
	of.keep()
	if *quiet {
		return nil
	}
	printFit(stdout, res)
	fmt.Fprintf(stdout, "wrote %s/ (fitted overrides in %s)\n", dir, calibrate.FittedSet)
	return nil
}

func withoutResume(args []string) []string {
	out := []string{"calibrate"}
	for _, a := range args {
		if a != "--resume" {
			out = append(out, a)
		}
	}
	return out
}

// printFit prints each target observed vs simulated and each parameter
// start -> fitted [profile].
func printFit(w io.Writer, res *calibrate.Result) {
	c := res.Cal
	fmt.Fprintf(w, "%s: %d evaluations, objective %.4g (start %.4g, check on fresh seeds %.4g)\n", c.Name, len(res.Evals), res.Objective, res.StartObjective, res.CheckObjective)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tobserved\tsimulated (95% CI)\tmet")
	for t, tg := range c.Targets {
		f := res.Targets[t]
		met := "no"
		if f.Met {
			met = "yes"
		}
		fmt.Fprintf(tw, "%s\t%.4g ± %.3g\t%.4g (%.4g..%.4g)\t%s\n", tg.Name, *tg.Value, *tg.Tolerance, f.Check, f.Lo, f.Hi, met)
	}
	fmt.Fprintln(tw, "parameter\tstart\tfitted [profile, conditional; open: still within 3.84 there]\t")
	for i, p := range c.Params {
		lo, hi := fmt.Sprintf("%.4g", res.Lo[i]), fmt.Sprintf("%.4g", res.Hi[i])
		if res.LoOpen[i] {
			lo += " (open)"
		}
		if res.HiOpen[i] {
			hi += " (open)"
		}
		note := ""
		if res.Fixed[i] {
			note = " (fixed by screening)"
		}
		profile := "[" + lo + ", " + hi + "]"
		if math.IsNaN(res.Lo[i]) || math.IsNaN(res.Hi[i]) {
			profile = "(not profiled)"
		}
		fmt.Fprintf(tw, "%s\t%.4g\t%.4g %s%s\t\n", p.Key, *p.Start, res.Best[i], profile, note)
	}
	if a := res.ABC; a != nil {
		fmt.Fprintf(tw, "approximate posterior: %d of %d draws accepted, epsilon %.4g\tmedian\t95%% interval\t\n", len(a.Accepted), len(a.Draws), a.Epsilon)
		for i, p := range c.Params {
			fmt.Fprintf(tw, "%s\t%.4g\t[%.4g, %.4g]\t\n", p.Key, a.Median[i], a.Lo[i], a.Hi[i])
		}
	}
	tw.Flush()
}
