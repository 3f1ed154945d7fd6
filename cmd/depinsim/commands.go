package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// Version is the program version.
const Version = "0.1.0"

var errHelp = errors.New("help shown")

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

func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return errHelp
		}
		return badInput("%v (see 'depinsim %s --help')", err, fs.Name())
	}
	return nil
}

const runUsage = `Usage: depinsim run [SCENARIO.toml|PRESET] [flags]

Runs a scenario file or a built-in preset (default: akash-2024) for its
replications and writes, in the output folder: timeseries.csv,
resources.csv, cohorts.csv (per provider cohort), summary.json,
manifest.json, scenario.toml (the fully resolved scenario: running it
again reproduces the run) and plots/.

Examples:
  depinsim run
  depinsim run akash-2024 --reps 10 --out out/ten
  depinsim run my.toml --set sim.horizon=30d --set market.mechanism=akash-reverse
  depinsim run akash-2024 --set market.mechanism=vickrey-reverse
  depinsim run ionet-2024 --reps 1 --set market.peak_k=0
`

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", runUsage, stderr, stdout)
	out := fs.String("out", "", "output folder (default out/<scenario name>)")
	seed := fs.Int64("seed", -1, "master seed (overrides sim.seed)")
	reps := fs.Int("reps", 0, "replications (overrides sim.replications)")
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key: path=value (repeatable), e.g. sim.horizon=30d")
	quiet := fs.Bool("quiet", false, "no progress line and no summary table")
	force := fs.Bool("force", false, "write into a non-empty output folder")
	workers := fs.Int("workers", 0, "replications run in parallel (default: number of CPUs); results do not depend on it")
	check := fs.String("check", "off", "check the economic invariants ('depinsim invariants' lists them): after every event (--check, slow) or at every sample (--check=sample, cheap); stop at the first violation")
	fs.Lookup("check").NoOptDefVal = "event"
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return badInput("want at most one scenario, got %d: %v", fs.NArg(), fs.Args())
	}
	arg := scenarios.DefaultPreset
	if fs.NArg() == 1 {
		arg = fs.Arg(0)
	}
	if fs.Changed("seed") {
		if *seed < 0 {
			return badInput("--seed: must be >= 0, got %d", *seed)
		}
		sets = append(sets, "sim.seed="+strconv.FormatInt(*seed, 10))
	}
	if fs.Changed("reps") {
		if *reps < 1 {
			return badInput("--reps: must be >= 1, got %d", *reps)
		}
		sets = append(sets, "sim.replications="+strconv.Itoa(*reps))
	}
	if *workers < 0 {
		return badInput("--workers: must be >= 0, got %d", *workers)
	}
	job, err := loadJob(arg, sets)
	if err != nil {
		return err
	}
	switch *check {
	case "off":
	case "event", "events":
		job.cfg.Check = sim.CheckEvents
	case "sample", "samples":
		job.cfg.Check = sim.CheckSamples
	default:
		return badInput("--check: want event or sample, got %q", *check)
	}
	sc := job.sc
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", sc.Name)
	}
	if err := checkOutDir(dir, *force); err != nil {
		return err
	}
	job.dir = dir
	job.command = append([]string{"depinsim", "run"}, args...)
	res, err := job.run(*workers, newProgress(stderr, sc.Sim.Replications, *quiet || !isTerminal(stderr)), true)
	if err != nil {
		return err
	}
	if !*quiet {
		res.writeHeader(stdout)
		fmt.Fprintln(stdout)
		reports.Summarize(res.recs).WriteTable(stdout)
		fmt.Fprintf(stdout, "\nwrote %s/ (timeseries.csv, resources.csv, cohorts.csv, summary.json, manifest.json, scenario.toml, plots/)\n", dir)
	}
	return nil
}

// runJob is a scenario to run and write as 'depinsim run' does.
type runJob struct {
	src     scenarios.Source
	sc      *scenarios.Scenario
	cfg     *sim.Config
	dir     string   // output folder
	command []string // the command line, for the manifest
}

// loadJob opens and parses a scenario (file or preset) with overrides
// and builds its config. Every error is bad input.
func loadJob(arg string, sets []string) (*runJob, error) {
	src, err := scenarios.Open(arg)
	if err != nil {
		return nil, usageError{err}
	}
	sc, err := scenarios.Parse(src, sets)
	if err != nil {
		return nil, usageError{err}
	}
	cfg, err := sc.Config()
	if err != nil {
		return nil, usageError{err}
	}
	return &runJob{src: src, sc: sc, cfg: cfg}, nil
}

// runResult is what running a runJob gives.
type runResult struct {
	job  *runJob
	recs []*reports.Recording
	man  reports.Manifest
	wall float64 // seconds
}

// run runs the job's replications on workers goroutines, reporting each
// finished replication to prog (which it finishes when finish is set),
// and writes the run folder job.dir with reports.WriteAll. A failed
// replication is a run error.
func (job *runJob) run(workers int, prog *progress, finish bool) (*runResult, error) {
	sc := job.sc
	resolved := sc.TOML()
	start := time.Now()
	n := sc.Sim.Replications
	mems := make([]*reports.Memory, n)
	for i := range mems {
		mems[i] = reports.NewMemory()
	}
	var results []sim.Result
	runErr := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("run failed: %v", r)
			}
		}()
		results = sim.RunReplicationsWith(job.cfg, n, sim.RunOptions{
			Workers:     workers,
			NewRecorder: func(rep int) sim.Recorder { return mems[rep] },
			Done:        func(sim.Result) { prog.done() },
		})
		return nil
	}()
	if finish {
		prog.finish()
	}
	if runErr != nil {
		return nil, runErr
	}
	wall := time.Since(start).Seconds()

	recs := make([]*reports.Recording, n)
	for i, m := range mems {
		recs[i] = m.Recording()
	}
	sum := sha256.Sum256(resolved)
	man := reports.Manifest{
		Tool:           "depinsim",
		Version:        versionString(),
		Scenario:       sc.Name,
		ScenarioFile:   job.src.Label(),
		ScenarioSHA256: hex.EncodeToString(sum[:]),
		MasterSeed:     uint64(sc.Sim.Seed),
		WallSeconds:    wall,
		Start:          sc.Sim.Start.String(),
		Horizon:        sc.Sim.Horizon.T().String(),
		SampleEvery:    sc.Sim.SampleEvery.T().String(),
		GoVersion:      runtime.Version(),
		Command:        job.command,
	}
	for _, r := range results {
		man.Replications = append(man.Replications, reports.NewRepInfo(r))
		man.EventsTotal += r.Events
	}
	if err := reports.WriteAll(job.dir, recs, man, resolved, reports.Options{Title: sc.Name, Start: sc.Sim.Start.String()}); err != nil {
		return nil, fmt.Errorf("writing %s: %v", job.dir, err)
	}
	return &runResult{job: job, recs: recs, man: man, wall: wall}, nil
}

// writeHeader writes the line that introduces a run's summary table.
func (res *runResult) writeHeader(w io.Writer) {
	sc := res.job.sc
	fmt.Fprintf(w, "%s: %d replication(s) of %v from %v, seed %d: %d events in %.2f s\n",
		sc.Name, sc.Sim.Replications, sc.Sim.Horizon.T(), sc.Sim.Start, sc.Sim.Seed, res.man.EventsTotal, res.wall)
}

// checkOutDir refuses a non-empty output folder unless force is set.
func checkOutDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return badInput("--out %s: %v", dir, err)
	}
	if len(entries) > 0 && !force {
		return badInput("--out %s: folder is not empty; use --force to overwrite or choose another --out", dir)
	}
	// the manifest is written last: without it the folder is incomplete
	if err := os.Remove(filepath.Join(dir, reports.ManifestFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("--out %s: %v", dir, err)
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress prints "running: k/n replications, t s" on one line of stderr
// once a run has taken more than a second.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	label  string // "running"
	width  int    // of the longest line drawn
	n, k   int
	off    bool
	start  time.Time
	shown  bool
	ticker *time.Ticker
	stop   chan struct{}
}

func newProgress(w io.Writer, n int, off bool) *progress {
	return newLabelledProgress(w, "running", n, off)
}

// newLabelledProgress is newProgress with the line starting "label: ".
func newLabelledProgress(w io.Writer, label string, n int, off bool) *progress {
	p := &progress{w: w, label: label, n: n, off: off, start: time.Now(), stop: make(chan struct{})}
	if off {
		return p
	}
	p.ticker = time.NewTicker(250 * time.Millisecond)
	go func() {
		for {
			select {
			case <-p.ticker.C:
				p.draw()
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

// setLabel changes the start of the line.
func (p *progress) setLabel(label string) {
	p.mu.Lock()
	p.label = label
	p.mu.Unlock()
}

func (p *progress) done() {
	p.mu.Lock()
	p.k++
	p.mu.Unlock()
	p.draw()
}

func (p *progress) draw() {
	if p.off {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.start)
	if el < time.Second {
		return
	}
	p.shown = true
	line := fmt.Sprintf("%s: %d/%d replications done, %.1f s", p.label, p.k, p.n, el.Seconds())
	p.width = max(p.width, len(line))
	fmt.Fprintf(p.w, "\r%-*s", p.width, line) // padded over a longer earlier line
}

func (p *progress) finish() {
	if p.off {
		return
	}
	p.ticker.Stop()
	close(p.stop)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintf(p.w, "\r%s\r", bytes.Repeat([]byte(" "), max(60, p.width)))
	}
}

const validateUsage = `Usage: depinsim validate FILE...

Checks scenario files (or preset names): strict decoding, every value's
range, then plausibility warnings. Exit code 2 when any file is invalid.
`

func cmdValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", validateUsage, stderr, stdout)
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a scenario key: path=value (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return badInput("want at least one scenario file (see 'depinsim validate --help')")
	}
	bad := 0
	for _, arg := range fs.Args() {
		sc, err := scenarios.Load(arg, sets)
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad++
			continue
		}
		warns := sc.Warnings()
		fmt.Fprintf(stdout, "%s: ok: scenario %q, %d provider cohort(s), %d tenant cohort(s), %v over %v, %d replication(s); %d warning(s)\n",
			arg, sc.Name, len(sc.Providers), len(sc.Tenants), sc.Market["mechanism"], sc.Sim.Horizon.T(), sc.Sim.Replications, len(warns))
		for _, w := range warns {
			fmt.Fprintf(stdout, "%s: warning: %s\n", arg, w)
		}
	}
	if bad > 0 {
		return usageError{fmt.Errorf("%d of %d file(s) invalid", bad, fs.NArg())}
	}
	return nil
}

func cmdPresets(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("presets", "Usage: depinsim presets\n\nLists the built-in presets (run one with 'depinsim run NAME').\n", stderr, stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("takes no arguments")
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, name := range scenarios.Presets() {
		sc, err := scenarios.Load(name, nil)
		desc := ""
		if err == nil {
			desc = sc.Description
		} else {
			desc = "INVALID: " + err.Error()
		}
		mark := ""
		if name == scenarios.DefaultPreset {
			mark = " (default)"
		}
		fmt.Fprintf(tw, "%s%s\t%s\n", name, mark, desc)
	}
	return tw.Flush()
}

func cmdShow(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("show", "Usage: depinsim show PRESET\n\nPrints a preset's TOML, comments included, to start a new scenario from:\n  depinsim show akash-2024 > my.toml\n", stderr, stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badInput("want one preset name (presets: %v)", scenarios.Presets())
	}
	data, ok := scenarios.PresetData(fs.Arg(0))
	if !ok {
		return badInput("no preset %q (presets: %v)", fs.Arg(0), scenarios.Presets())
	}
	_, err := stdout.Write(data)
	return err
}

func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "Usage: depinsim version\n", stderr, stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "depinsim %s (%s)\n", versionString(), runtime.Version())
	return nil
}

// versionString is Version plus the VCS revision when the build has one.
func versionString() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}
