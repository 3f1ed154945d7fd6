package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/depinsim/depinsim/sensitivity"
	"github.com/depinsim/depinsim/sweep"
)

// isSensitivityShard reports whether dir is the folder of a shard of a
// sensitivity analysis: shard.json beside sensitivity.toml.
func isSensitivityShard(dir string) bool {
	for _, f := range []string{sensitivity.ShardFile, sensitivity.DefinitionFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

const mergeUsage = `Usage:
  depinsim merge SHARD_DIR... --out DIR [--force]

Combines the folders of the shards of one sweep (each written by
'depinsim sweep ... --shard I/N', in any order) into --out, which then
holds exactly the files the unsharded sweep writes: runs.csv, its
.meta.json, runs.parquet, points.csv, plots/, report.html, sweep.toml and
sweep.json are byte for byte the same; run.log.json records the merge (its command
line and the shard folders). Run k of the run order is in shard
k % N + 1; the shards' rows are read a few at a time, so memory does not
grow with the sweep. Neither the base scenario nor the sweep file is
read: each shard folder's shard.json holds the sweep's definition and
identity. Refused (exit code 2), naming them: a folder that is not a
shard's or whose shard is unfinished (interrupted or killed: finish it
with --resume), shards of different sweeps, a shard given twice, missing
shards, and a shard whose rows are not exactly its runs (missing or
duplicate runs). Failed runs stay failed rows; merge then exits with 1
after writing the folder, as the sweep does. The shards of a sensitivity
analysis merge with 'depinsim sensitivity SA.toml --merge SHARD_DIR...'.
`

func cmdMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", mergeUsage, stderr, stdout)
	out := fs.String("out", "", "output folder (required)")
	force := fs.Bool("force", false, "write into a non-empty output folder, first removing what depinsim wrote there (its own files and temporary files only)")
	quiet := fs.Bool("quiet", false, "no summary")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return badInput("want the shard folders to merge (see 'depinsim merge --help')")
	}
	if *out == "" {
		return badInput("--out: required (the folder of the merged sweep)")
	}
	for _, d := range fs.Args() {
		if isSensitivityShard(d) {
			return badInput("%s: a shard of a sensitivity analysis (%s beside %s): merge its shards with 'depinsim sensitivity SA.toml --merge SHARD_DIR... --out DIR', which reads the sensitivity file", d, sensitivity.ShardFile, sensitivity.DefinitionFile)
		}
	}
	of, err := openOutFolder(*out, *force, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := sweep.Merge(fs.Args(), *out, func() sweep.Log {
		return sweep.Log{Command: append([]string{"depinsim", "merge"}, args...), Workers: 1, WallSeconds: time.Since(start).Seconds()}
	})
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	kept := of.release(err == nil)
	if err != nil {
		var me *sweep.MergeError
		if errors.As(err, &me) {
			return usageError{fmt.Errorf("%v; %s", err, kept)}
		}
		return fmt.Errorf("%v; %s", err, kept)
	}
	if !*quiet {
		tsNote := ""
		if res.Sweep.Timeseries {
			tsNote = ", timeseries/"
		}
		fmt.Fprintf(stdout, "merged %d shard(s) of sweep %s: %d runs, %d failed, in %.2f s\nwrote %s/ (runs.csv and its .meta.json, runs.parquet%s, points.csv, plots/, sweep.toml, run.log.json, sweep.json)\n",
			fs.NArg(), res.Sweep.Name, res.Runs, len(res.Failed), time.Since(start).Seconds(), *out, tsNote)
	}
	if len(res.Failed) > 0 {
		const show = 10
		msg := fmt.Sprintf("%d of %d runs failed (status failed in runs.csv):\n  %s", len(res.Failed), res.Runs, strings.Join(res.Failed[:min(show, len(res.Failed))], "\n  "))
		if len(res.Failed) > show {
			msg += fmt.Sprintf("\n  ... and %d more", len(res.Failed)-show)
		}
		return errors.New(msg)
	}
	return nil
}
