package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/depinsim/depinsim/calibrate"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sensitivity"
	"github.com/depinsim/depinsim/sweep"
)

// emitFlags are sweep's flags for writing cluster jobs instead of
// running (--emit slurm|k8s); docs/cluster.md describes the files.
type emitFlags struct {
	engine      *string
	shards      *int
	depinsim    *string
	slurmOpts   []string
	image       *string
	pvc         *string
	parallelism *int
}

// addEmitFlags declares the --emit flags of the command (sweep,
// sensitivity, calibrate) on fs.
func addEmitFlags(fs *pflag.FlagSet, command string) *emitFlags {
	most := "from 1 to 100000"
	if command == "calibrate" {
		most = "from 1 to the starts"
	}
	e := &emitFlags{
		engine:      fs.String("emit", "", "write cluster jobs into --out instead of running: slurm ("+command+".sbatch, a job array, and merge.sbatch) or k8s ("+command+"-job.yaml, an Indexed Job, and merge-job.yaml); docs/cluster.md"),
		shards:      fs.Int("shards", 0, "with --emit: the number of shards (array tasks, Job completions), "+most),
		depinsim:    fs.String("depinsim-path", "", "with --emit: the depinsim the jobs run (default: slurm, this binary's absolute path; k8s, depinsim on the image's PATH)"),
		image:       fs.String("image", "", "with --emit k8s: the container image holding depinsim and /bin/sh (required)"),
		pvc:         fs.String("pvc", "depinsim-sweep", "with --emit k8s: the PersistentVolumeClaim the pods write the shards and the merged sweep to (ReadWriteMany when pods share it across nodes)"),
		parallelism: fs.Int("parallelism", 0, "with --emit k8s: the Job's parallelism, pods at once (default: --shards)"),
	}
	fs.StringArrayVar(&e.slurmOpts, "slurm-opt", nil, "with --emit slurm: an sbatch option for both scripts, as one argument (repeatable): --slurm-opt=--partition=short --slurm-opt=--time=2:00:00 --slurm-opt=--cpus-per-task=8")
	return e
}

// emitJob is a sweep (or a sensitivity analysis, or a calibration) as
// the emitted jobs run it.
type emitJob struct {
	// name is the sweep's (analysis's, calibration's) name; runs its
	// runs (a calibration's starts), unit what they are ("run(s)",
	// "start(s)").
	name string
	runs int
	unit string
	// command is the depinsim command each shard runs ("sweep",
	// "sensitivity" or "calibrate"), also the prefix of the job files
	// (sweep.sbatch, sweep-job.yaml) and the k8s names (k8sName); what
	// names it in the files' comments ("sweep", "sensitivity analysis",
	// "calibration").
	command, what string
	// merge are the merge's arguments before the shard folders (["merge"]
	// for a sweep); mergeInInput runs the merge in the inputs' folder
	// (a sensitivity or calibration merge reads the file and its base).
	// mergeWorkers gives the Slurm merge --workers from its CPUs when
	// the jobs have no --workers (a calibration's merge runs the check
	// and the profile).
	merge        []string
	mergeInInput bool
	mergeWorkers bool
	// args are the arguments after "depinsim sweep" (the sweep file or
	// scenario as the job's working folder names it, then --grid, --set,
	// --independent-seeds, --fail-fast, --timeseries, --workers), without
	// the shard's.
	args []string
	// inputs are the files copied for the job (the sweep file, the base
	// scenario file), by their paths relative to the working folder.
	inputs  []emitInput
	shards  int
	workers int    // --workers, 0 for the engine's default
	dir     string // the --out folder
	bin     string // the depinsim the jobs run
}

// emitInput is one input file of an emitted job.
type emitInput struct {
	rel  string // slash-separated path under the working folder
	data []byte
}

// emitSweep writes the cluster jobs of sw; arg is the sweep's argument
// (sweep file, or the scenario of a quick sweep), grids and sets its
// --grid and --set flags, switches the sweep's switches the jobs pass on
// (--independent-seeds, --fail-fast, --timeseries).
func emitSweep(e *emitFlags, sw *sweep.Sweep, arg string, grids, sets, switches []string, workers int, dir string, force bool, stdout io.Writer) error {
	if *e.engine != "slurm" && *e.engine != "k8s" {
		return badInput("--emit: %q: want slurm or k8s", *e.engine)
	}
	if *e.shards < 1 || *e.shards > 100000 {
		return badInput("--shards: %d: --emit wants the number of shards, from 1 to 100000", *e.shards)
	}
	j := &emitJob{name: sw.Name, runs: len(sw.Points()) * sw.Replications, unit: "run(s)", command: "sweep", what: "sweep", merge: []string{"merge"}, shards: *e.shards}
	// the job reads copies of its inputs; the sweep file's text and the
	// base as the sweep names it stay as they are (its provenance)
	pos := arg
	if strings.HasPrefix(arg, "-") {
		return badInput("--emit: %q: name a scenario starting with '-' by ./%s", arg, arg)
	}
	if len(grids) == 0 {
		j.inputs = append(j.inputs, emitInput{rel: filepath.Base(arg), data: sw.Text})
		pos = "./" + filepath.Base(arg) // a name may start with '-'

	}
	if !sw.Source.Preset {
		if !filepath.IsLocal(sw.Base) {
			from := "the sweep file's folder"
			if len(grids) > 0 {
				from = "the current folder"
			}
			return badInput("--emit: base scenario %q is not a path under %s: the jobs read copies of the sweep's files from a folder of their own, so name the base by a relative path without '..' (run from its folder, or put it beside the sweep file)", sw.Base, from)
		}
		rel := filepath.ToSlash(filepath.Clean(sw.Base))
		if len(j.inputs) > 0 && rel == j.inputs[0].rel {
			return badInput("--emit: base scenario %q is the sweep file itself", sw.Base)
		}
		j.inputs = append(j.inputs, emitInput{rel: rel, data: sw.Source.Data})
	}
	j.args = append(j.args, pos)
	for _, g := range grids {
		j.args = append(j.args, "--grid="+g)
	}
	for _, s := range sets {
		j.args = append(j.args, "--set="+s)
	}
	j.args = append(j.args, switches...)
	if workers > 0 {
		j.args = append(j.args, "--workers="+strconv.Itoa(workers))
		j.workers = workers
	}
	return j.emit(e, dir, force, stdout)
}

// emit checks the engine's flags and writes the job files of j into dir
// (--out), then prints how to submit them.
func (j *emitJob) emit(e *emitFlags, dir string, force bool, stdout io.Writer) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return badInput("--out %s: %v", dir, err)
	}
	j.dir = abs
	j.bin = *e.depinsim
	var files []emitFile
	if *e.engine == "slurm" {
		if *e.image != "" || *e.parallelism != 0 {
			return badInput("--image and --parallelism are for --emit k8s, not slurm")
		}
		if j.bin == "" {
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("--emit slurm: cannot find this binary's path (give --depinsim-path): %v", err)
			}
			j.bin = exe
		}
		if !filepath.IsAbs(j.bin) {
			return badInput("--depinsim-path %q: --emit slurm wants an absolute path (the job runs in the folder of its inputs)", j.bin)
		}
		files, err = j.slurm(e.slurmOpts)
	} else {
		if len(e.slurmOpts) > 0 {
			return badInput("--slurm-opt is for --emit slurm, not k8s")
		}
		if j.bin == "" {
			j.bin = "depinsim"
		}
		files, err = j.k8s(*e.image, *e.pvc, *e.parallelism)
	}
	if err != nil {
		return err
	}
	if err := writeEmitted(j.dir, files, force); err != nil {
		return err
	}
	if *e.engine == "slurm" {
		fmt.Fprintf(stdout, "%s %s: %d %s in %d shard(s) as a Slurm job array; wrote %s/ (%s.sbatch, merge.sbatch, input/, logs/). Submit with:\n", j.what, j.name, j.runs, j.unit, j.shards, dir, j.command)
		fmt.Fprintf(stdout, "  jid=$(sbatch --parsable %s) && sbatch --dependency=afterok:${jid%%%%;*} %s\n", shellQuote(filepath.Join(j.dir, j.command+".sbatch")), shellQuote(filepath.Join(j.dir, "merge.sbatch")))
		fmt.Fprintf(stdout, "The shards go to %s/shards/I, the merged %s to %s/merged, the logs to %s/logs.\n", j.dir, j.what, j.dir, j.dir)
		return nil
	}
	name := j.k8sName()
	fmt.Fprintf(stdout, "%s %s: %d %s in %d shard(s) as the Indexed Job %s; wrote %s/ (%s-job.yaml, merge-job.yaml). Run with:\n", j.what, j.name, j.runs, j.unit, j.shards, name, dir, j.command)
	fmt.Fprintf(stdout, "  kubectl apply -f %s\n", shellQuote(filepath.Join(j.dir, j.command+"-job.yaml")))
	fmt.Fprintf(stdout, "  kubectl wait --for=condition=complete --timeout=24h job/%s\n", name)
	fmt.Fprintf(stdout, "  kubectl apply -f %s\n", shellQuote(filepath.Join(j.dir, "merge-job.yaml")))
	fmt.Fprintf(stdout, "  kubectl wait --for=condition=complete --timeout=1h job/%s-merge\n", name)
	fmt.Fprintf(stdout, "The shards go to %s/shards/I on the volume of --pvc %s, the merged %s to %s/merged.\n", k8sDataDir+"/"+name, *e.pvc, j.what, k8sDataDir+"/"+name)
	return nil
}

// emitFile is a file to write under the --out folder.
type emitFile struct {
	rel  string // slash-separated; a name ending in "/" is a folder
	data []byte
	mode os.FileMode
}

// writeEmitted writes files under dir. dir must not hold an earlier
// emit's scripts or manifests unless force; a failure removes what this
// call wrote.
func writeEmitted(dir string, files []emitFile, force bool) (err error) {
	if !force {
		for _, f := range files {
			if strings.HasSuffix(f.rel, "/") || strings.Contains(f.rel, "/") {
				continue
			}
			if _, err := os.Lstat(filepath.Join(dir, f.rel)); err == nil {
				return badInput("--out %s: already holds %s; use --force to write the jobs again (shards and merged output are kept)", dir, f.rel)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return badInput("--out %s: cannot create the folder: %v", dir, unwrapPathErr(err))
	}
	var written []string
	defer func() {
		if err != nil {
			for i := len(written) - 1; i >= 0; i-- {
				os.Remove(written[i])
			}
		}
	}()
	if force {
		// the inputs of an earlier emit may name other files
		if err := os.RemoveAll(filepath.Join(dir, "input")); err != nil {
			return fmt.Errorf("--out %s: cannot remove the earlier input/: %v", dir, err)
		}
	}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.rel))
		if strings.HasSuffix(f.rel, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return fmt.Errorf("--out %s: %v", dir, err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("--out %s: %v", dir, err)
		}
		if err := os.WriteFile(path, f.data, f.mode); err != nil {
			return fmt.Errorf("--out %s: %v", dir, err)
		}
		written = append(written, path)
	}
	return nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// shellQuote quotes s for a POSIX shell: one argument, nothing expanded.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// slurmSafe reports the first character of s that an #SBATCH line
// cannot hold unquoted (#SBATCH lines are not read by a shell), or "".
func slurmSafe(s string) string {
	for _, r := range s {
		if r > 127 || !(r == '/' || r == '.' || r == '_' || r == '-' || r == '+' || r == ',' || r == '=' || r == ':' || r == '@' ||
			('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')) {
			return strconv.QuoteRune(r)
		}
	}
	return ""
}

// slurm returns the files of --emit slurm.
func (j *emitJob) slurm(opts []string) ([]emitFile, error) {
	if c := slurmSafe(j.dir); c != "" {
		return nil, badInput("--out %s: --emit slurm names the folder in #SBATCH lines, which cannot hold the character %s; choose a folder without it", j.dir, c)
	}
	for _, o := range opts {
		if !strings.HasPrefix(o, "-") || strings.ContainsAny(o, "\n\r") {
			return nil, badInput("--slurm-opt %q: want one sbatch option on one line, e.g. --slurm-opt=--partition=short", o)
		}
		for _, own := range []string{"--array", "-a", "--dependency", "-d", "--output", "-o", "--chdir", "-D"} {
			if o == own || strings.HasPrefix(o, own+"=") || (len(own) == 2 && strings.HasPrefix(o, own)) {
				return nil, badInput("--slurm-opt %q: the emitted scripts set %s themselves", o, own)
			}
		}
	}
	name := "depinsim-" + j.k8sName()
	n := strconv.Itoa(j.shards)
	var extra strings.Builder
	for _, o := range opts {
		extra.WriteString("#SBATCH " + o + "\n")
	}
	var cmd strings.Builder
	cmd.WriteString("exec " + shellQuote(j.bin) + " " + j.command)
	for _, a := range j.args {
		cmd.WriteString(" " + shellQuote(a))
	}
	workers := ` --workers "${SLURM_CPUS_PER_TASK:-1}"`
	if j.workers > 0 {
		workers = "" // --workers is among the args
	}
	fmt.Fprintf(&cmd, ` --shard "$SLURM_ARRAY_TASK_ID/%s" --out %s"$SLURM_ARRAY_TASK_ID"%s%s --resume`, n, shellQuote(j.dir+"/shards/"), j.progressArg(), workers)
	sweepScript := fmt.Sprintf(`#!/bin/bash
# %s %s as a Slurm job array of %s shards (written by depinsim %s
# --emit slurm). Array task I runs shard I of %s into shards/I; --resume
# lets a requeued or resubmitted task continue where it stopped. Submit
# it, then merge.sbatch when every task has succeeded:
#   jid=$(sbatch --parsable %s/%s.sbatch) && sbatch --dependency=afterok:${jid%%%%;*} %s/merge.sbatch
# Resubmit failed tasks alone with sbatch --array=2,5 %s/%s.sbatch.
#SBATCH --job-name=%s
#SBATCH --array=1-%s
#SBATCH --output=%s/logs/%s-%%A_%%a.out
#SBATCH --open-mode=append
%sset -eu
cd %s
%s
`, capitalize(j.what), j.name, n, j.command, n, j.dir, j.command, j.dir, j.dir, j.command, name, n, j.dir, j.command, extra.String(), shellQuote(j.dir+"/input"), cmd.String())
	var merge strings.Builder
	if j.mergeInInput {
		merge.WriteString("cd " + shellQuote(j.dir+"/input") + "\n")
	}
	merge.WriteString("exec " + shellQuote(j.bin))
	for _, a := range j.merge {
		merge.WriteString(" " + shellQuote(a))
	}
	for i := 1; i <= j.shards; i++ {
		merge.WriteString(" \\\n  " + shellQuote(j.dir+"/shards/"+strconv.Itoa(i)))
	}
	merge.WriteString(" \\\n  --out " + shellQuote(j.dir+"/merged"))
	if j.mergeWorkers && j.workers == 0 {
		merge.WriteString(workers)
	}
	mergeScript := fmt.Sprintf(`#!/bin/bash
# Merge the %s shards of %s %s into merged/ (written by depinsim %s
# --emit slurm); submit it with --dependency=afterok:<the array's job id>.
#SBATCH --job-name=%s-merge
#SBATCH --output=%s/logs/merge-%%j.out
%sset -eu
%s
`, n, j.what, j.name, j.command, name, j.dir, extra.String(), merge.String())
	files := []emitFile{{rel: j.command + ".sbatch", data: []byte(sweepScript), mode: 0o755}, {rel: "merge.sbatch", data: []byte(mergeScript), mode: 0o755}}
	for _, in := range j.inputs {
		files = append(files, emitFile{rel: "input/" + in.rel, data: in.data, mode: 0o644})
	}
	return append(files, emitFile{rel: "input/"}, emitFile{rel: "logs/"}, emitFile{rel: "shards/"}), nil
}

// k8sName returns the job's Kubernetes name: k8sName of its name, with
// "sens-" for "sweep-" for a sensitivity analysis and "cal-" for a
// calibration.
func (j *emitJob) k8sName() string {
	s := k8sName(j.name)
	switch j.command {
	case "sensitivity":
		s = "sens-" + strings.TrimPrefix(s, "sweep-")
	case "calibrate":
		s = "cal-" + strings.TrimPrefix(s, "sweep-")
	}
	return s
}

// progressArg returns the shards' progress flag, with a leading space:
// whole lines for the logs, or for a calibration, which has no
// --progress, --quiet (its progress line is rewritten after every run).
func (j *emitJob) progressArg() string {
	if j.command == "calibrate" {
		return " --quiet"
	}
	return " --progress=plain"
}

// capitalize returns s with its first letter in upper case.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// k8sName returns a DNS-1123 label made of name (lower case letters,
// digits and '-', at most 40 characters, so that the Job's "-merge",
// "-input" and the pods' index suffixes fit in 63).
func k8sName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 31 {
		s = strings.TrimRight(s[:31], "-")
	}
	if s == "" {
		s = "sweep"
	}
	return "sweep-" + s
}

// isUTF8Text reports whether data can be a ConfigMap's data value.
func isUTF8Text(data []byte) bool {
	return utf8.Valid(data)
}

// emitSensitivity writes the cluster jobs of the sensitivity analysis a
// (the file arg, --set sets, the switches --reps and --seed the jobs
// pass on, --workers): an array of its shards and a merge
// ('depinsim sensitivity FILE --merge'), which runs in the inputs' folder
// since it reads the file and its base.
func emitSensitivity(e *emitFlags, a *sensitivity.Analysis, runs int, arg string, sets, switches []string, workers int, noReport bool, dir string, force bool, stdout io.Writer) error {
	if *e.engine != "slurm" && *e.engine != "k8s" {
		return badInput("--emit: %q: want slurm or k8s", *e.engine)
	}
	if *e.shards < 1 || *e.shards > 100000 {
		return badInput("--shards: %d: --emit wants the number of shards, from 1 to 100000", *e.shards)
	}
	j := &emitJob{name: a.Name, runs: runs, unit: "run(s)", command: "sensitivity", what: "sensitivity analysis", mergeInInput: true, shards: *e.shards}
	pos, err := j.fileInputs("sensitivity file", arg, a.Text, a.Base, a.Source)
	if err != nil {
		return err
	}
	common := []string{pos}
	for _, s := range sets {
		common = append(common, "--set="+s)
	}
	common = append(common, switches...)
	j.args = append(j.args, common...)
	if workers > 0 {
		j.args = append(j.args, "--workers="+strconv.Itoa(workers))
		j.workers = workers
	}
	j.merge = append([]string{"sensitivity", "--merge"}, common...)
	if noReport {
		j.merge = append(j.merge, "--no-report")
	}
	return j.emit(e, dir, force, stdout)
}

// fileInputs adds to j's inputs the file (a sensitivity or calibration
// file, what names it) read from arg, whose text is text, and its base
// scenario base read as src when it is a file, not a preset; it returns
// the file's argument in the jobs' working folder.
func (j *emitJob) fileInputs(what, arg string, text []byte, base string, src scenarios.Source) (string, error) {
	if strings.HasPrefix(arg, "-") {
		return "", badInput("--emit: %q: name a file starting with '-' by ./%s", arg, arg)
	}
	j.inputs = append(j.inputs, emitInput{rel: filepath.Base(arg), data: text})
	if !src.Preset {
		if !filepath.IsLocal(base) {
			return "", badInput("--emit: base scenario %q is not a path under the %s's folder: the jobs read copies of its files from a folder of their own, so name the base by a relative path without '..' (put it beside the %s)", base, what, what)
		}
		rel := filepath.ToSlash(filepath.Clean(base))
		if rel == j.inputs[0].rel {
			return "", badInput("--emit: base scenario %q is the %s itself", base, what)
		}
		j.inputs = append(j.inputs, emitInput{rel: rel, data: src.Data})
	}
	return "./" + filepath.Base(arg), nil
}

// emitCalibration writes the cluster jobs of the calibration c (the
// file arg, --set sets, the switch --seed the jobs pass on, --workers):
// an array of its shards, each a slice of its starts, and a merge
// ('depinsim calibrate FILE --merge'), which runs in the inputs' folder
// since it reads the file and its base, and runs the check and the
// profile.
func emitCalibration(e *emitFlags, c *calibrate.Calibration, arg string, sets, switches []string, workers int, noReport bool, dir string, force bool, stdout io.Writer) error {
	if *e.engine != "slurm" && *e.engine != "k8s" {
		return badInput("--emit: %q: want slurm or k8s", *e.engine)
	}
	if *e.shards < 1 || *e.shards > c.Starts {
		return badInput("--shards: %d: a calibration's shards split its %d start(s) (%s, search.starts): want 1 to %d", *e.shards, c.Starts, c.File, c.Starts)
	}
	j := &emitJob{name: c.Name, runs: c.Starts, unit: "start(s)", command: "calibrate", what: "calibration", mergeInInput: true, mergeWorkers: true, shards: *e.shards}
	pos, err := j.fileInputs("calibration file", arg, c.Text, c.Base, c.Source)
	if err != nil {
		return err
	}
	common := []string{pos}
	for _, s := range sets {
		common = append(common, "--set="+s)
	}
	common = append(common, switches...)
	if workers > 0 {
		common = append(common, "--workers="+strconv.Itoa(workers))
		j.workers = workers
	}
	j.args = common
	j.merge = append([]string{"calibrate"}, common...)
	if noReport {
		j.merge = append(j.merge, "--no-report")
	}
	j.merge = append(j.merge, "--merge")
	return j.emit(e, dir, force, stdout)
}
