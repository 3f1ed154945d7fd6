package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

const compareUsage = `Usage: depinsim compare A B [C...] [flags]

Runs two or more scenarios (preset names or scenario files, as for run)
with common random numbers and compares them. Every scenario runs with
the same master seed (--seed, else the first scenario's sim.seed) and the
same number of replications (--reps, else the first scenario's), so
replication r of every scenario uses the same seed, and tenant cohorts
with equal names and parameters see identical demand in replication r.
Each difference to the first scenario is then a paired difference over
the replications, with a 95% Student-t confidence interval: much tighter
than the two scenarios' own intervals when they share their noise.
--set applies to every scenario: a key that a scenario does not have is
an error for that scenario; --set-for K:path=value applies to scenario K
(1-based) only, so one preset can be compared with itself under another
setting; sim.seed and sim.replications are common to every scenario
(--seed, --reps) and --set-for refuses them. --label names the
scenarios in every output (run folders, compare.csv, compare.md, the
charts' legends): --label base --label vickrey, or --label 2=vickrey. --demand X runs every scenario on the demand of scenario X (a
preset or file): X's tenant cohorts replace each scenario's, X's
reference prices are merged into its resources, and it takes X's warmup,
horizon and sampling interval (after --set). Then every scenario sees
exactly the same orders in replication r and the differences are the
markets' own; without it, only cohorts that happen to be equal share
their demand (compare.md lists the scenarios whose tenants differ from
the first's). The demand must fit the providers' units: GPU devices that
list no CPU cores cannot serve orders that ask for cores.

The output folder (default out/compare-A-B..., by the labels) holds:
  A/, B/, ...        one run folder per scenario, named by its label (--label,
                     else its scenario name, -2, -3 for repeats): exactly
                     what 'depinsim run' writes
  compare.csv        every figure of summary.json for every scenario: metric,
                     scenario, mean, ci_low, ci_high, n, and the paired
                     difference to the first scenario diff_mean, diff_ci_low,
                     diff_ci_high (empty for the first). Metrics are
                     <metric>.time_mean, <metric>.final (sim metrics) and
                     <resource>.utilization, <resource>.median_price_usd_hour
  compare.md         the key figures per group with 95% CIs and paired
                     differences (* when the CI excludes 0)
  plots/             compare_utilization, compare_price, compare_supply and
                     compare_provider_income (.png, .svg): one line per
                     scenario (mean over replications) with its 95% CI band,
                     each on its own time axis (days since its start);
                     one panel per scenario, each on its own scale, when
                     their scales differ more than 20-fold
  report.html        one self-contained page (opens offline): the scenarios
                     in brief, provenance, the charts (zoom, hover) with one
                     colour per scenario, the paired-difference table and
                     each scenario's assertion results; --no-report skips it
                     (and the run folders' own report.html), 'depinsim
                     report DIR' rebuilds it
  manifest.json      how the comparison was made (written last)

The output folder is checked, locked and (with --force) cleared before
anything is simulated, as for 'depinsim run'; a comparison that fails or
is interrupted (SIGINT, SIGTERM: exit 130, 143) removes everything it
wrote, its finished run folders included.

Horizons and sampling may differ between scenarios: the figures compared
are per-replication summaries (means over time, end-of-run values).

Examples:
  depinsim compare akash-2024 ionet-2024 render-2024 gensyn --reps 3
  depinsim compare akash-2024 akash-2024 --set-for 2:market.mechanism=vickrey-reverse --label base --label vickrey
  depinsim compare akash-2024 gensyn --demand akash-2024 --set sim.horizon=90d
  depinsim compare base.toml vickrey.toml --set sim.horizon=90d --out out/mech
`

func cmdCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare", compareUsage, stderr, stdout)
	out := fs.String("out", "", "output folder (default out/compare-<A>-<B>...)")
	seed := fs.Int64("seed", 0, "common master seed of every scenario, >= 0 (default: the first scenario's sim.seed)")
	reps := fs.Int("reps", 0, "replications of every scenario (default: the first scenario's sim.replications)")
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "override a key in every scenario: path=value (repeatable), e.g. sim.horizon=30d")
	var setsFor []string
	fs.StringArrayVar(&setsFor, "set-for", nil, "override a key in scenario K only: K:path=value (repeatable), e.g. 2:market.mechanism=vickrey-reverse")
	demand := fs.String("demand", "", "run every scenario on this scenario's tenant cohorts (a preset or file)")
	var labelArgs []string
	fs.StringArrayVar(&labelArgs, "label", nil, "name scenario K in every output (its run folder, compare.csv, compare.md, charts): LABEL for the next scenario in order, or K=LABEL (repeatable); letters, digits, '.', '_', '-'")
	quiet := fs.Bool("quiet", false, "no progress line and no summary table")
	noReport := fs.Bool("no-report", false, "do not write report.html (the comparison's and its run folders')")
	force := fs.Bool("force", false, "write into a non-empty output folder, first removing what depinsim wrote there (its own files, run folders and temporary files only)")
	workers := fs.Int("workers", 0, "replications run in parallel, over all the scenarios (default: number of CPUs); results do not depend on it")
	caps := addLimitFlags(fs)
	in := addInputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sets, err := in.sets(sets)
	if err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return badInput("want at least two scenarios (presets or files) to compare, got %d%s (see 'depinsim compare --help')",
			fs.NArg(), argList(fs.Args()))
	}
	common := append([]string(nil), sets...)
	var notes []string
	for _, s := range sets {
		notes = append(notes, "`--set "+s+"` applies to every scenario.")
	}
	if fs.Changed("seed") {
		if *seed < 0 {
			return badInput("--seed: must be >= 0, got %d", *seed)
		}
		common = append(common, "sim.seed="+strconv.FormatInt(*seed, 10))
		notes = append(notes, fmt.Sprintf("`--seed %d` sets `sim.seed` of every scenario.", *seed))
	}
	if fs.Changed("reps") {
		if *reps < 1 {
			return badInput("--reps: must be >= 1, got %d", *reps)
		}
		common = append(common, "sim.replications="+strconv.Itoa(*reps))
		notes = append(notes, fmt.Sprintf("`--reps %d` sets `sim.replications` of every scenario.", *reps))
	}
	if *workers < 0 {
		return badInput("--workers: must be >= 0, got %d", *workers)
	}

	own := make([][]string, fs.NArg()) // --set-for, by scenario
	for _, s := range setsFor {
		k, set, ok := strings.Cut(s, ":")
		i, err := strconv.Atoi(k)
		if !ok || err != nil || i < 1 || i > fs.NArg() {
			return badInput("--set-for %q: want K:path=value with K a scenario number in [1, %d]", s, fs.NArg())
		}
		if key := commonKey(set); key != "" {
			return badInput("--set-for %q: %s is common to every scenario of a comparison (common random numbers: replication r of every scenario runs with the same seed); set it for all with --%s", s, key, map[string]string{"sim.seed": "seed", "sim.replications": "reps"}[key])
		}
		own[i-1] = append(own[i-1], set)
		notes = append(notes, fmt.Sprintf("`--set-for %s` applies to scenario %d only.", s, i))
	}
	var demandSc *loaded
	if *demand != "" {
		var err error
		if demandSc, err = loadScenario(*demand, common, in.options()); err != nil {
			return badInput("--demand %s: %v", *demand, err)
		}
		notes = append(notes, fmt.Sprintf("`--demand %s`: every scenario runs on the tenant cohorts of %s (its reference prices merged into each scenario's resources; its warmup, horizon and sampling), so replication r of every scenario sees the same orders.", *demand, demandSc.sc.Name))
	}
	// load scenario i with the common overrides, its own, and the demand
	load := func(i int, extra ...string) (*loaded, error) {
		arg := fs.Arg(i)
		sets := append(append(append([]string(nil), common...), own[i]...), extra...)
		l, err := loadScenario(arg, sets, in.options())
		if err == nil && demandSc != nil {
			if err = l.sc.WithDemand(demandSc.sc); err != nil {
				err = usageError{err}
			} else if _, err = l.sc.Config(); err != nil {
				err = usageError{err}
			}
		}
		if err != nil {
			return nil, badInput("scenario %d (%s): %v", i+1, arg, err)
		}
		return l, nil
	}

	// Parse every scenario before running any: bad input is reported
	// before any work, and names the scenario.
	scs := make([]*loaded, fs.NArg())
	for i := range fs.Args() {
		l, err := load(i)
		if err != nil {
			return err
		}
		scs[i] = l
	}
	first := scs[0].sc
	commonSeed, n := first.Sim.Seed, first.Sim.Replications
	given, err := parseLabels(labelArgs, len(scs))
	if err != nil {
		return err
	}
	labels := uniqueLabels(scs, given)
	for i, l := range scs[1:] {
		own := l.sc.Sim
		if own.Seed == commonSeed && own.Replications == n {
			continue
		}
		if own.Seed != commonSeed {
			notes = append(notes, fmt.Sprintf("%s: its `sim.seed` %d is replaced by the common seed %d (the first scenario's).", labels[i+1], own.Seed, commonSeed))
		}
		if own.Replications != n {
			notes = append(notes, fmt.Sprintf("%s: its `sim.replications` %d is replaced by %d (the first scenario's).", labels[i+1], own.Replications, n))
		}
		again, err := load(i+1, "sim.seed="+strconv.FormatInt(commonSeed, 10), "sim.replications="+strconv.Itoa(n))
		if err != nil {
			return err
		}
		scs[i+1] = again
	}
	for i, l := range scs[1:] {
		if demandSc == nil && !sameTenants(scs[0].sc, l.sc) {
			notes = append(notes, fmt.Sprintf("%s has other tenant cohorts, reference prices, warmup or horizon than %s: their demand streams differ, so paired differences include the difference in demand (use --demand to compare on one demand).", labels[i+1], labels[0]))
		}
	}
	for i, l := range scs {
		writeNotes(stderr, "depinsim compare: "+labels[i]+": ", l.sc)
	}

	if err := caps.checkCompare(scs, *workers); err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = defaultCompareDir(labels)
	}
	// the destination is ready (created, locked, writable, cleared with
	// --force) before anything is simulated
	of, err := openOutFolder(dir, *force, labels)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			of.release(false)
		}
	}()
	command := append([]string{"depinsim", "compare"}, args...)
	entries := make([]runner.Entry, len(scs))
	for i, l := range scs {
		entries[i] = runner.Entry{Label: labels[i], Scenario: l.sc, Source: l.src.Label(),
			Sink: runner.NewFileSink(filepath.Join(dir, labels[i]), l.sc, runner.FileOptions{Source: l.src.Label(), Command: command, NoReport: *noReport})}
	}

	start := time.Now()
	// one progress line over every replication of every scenario
	prog := newProgress(stderr, n*len(scs), *quiet || !isTerminal(stderr))
	cmp, err := runner.Compare(ctx, entries, runner.Options{
		Workers: *workers,
		Progress: func(p runner.Progress) {
			prog.setLabel(fmt.Sprintf("running %s (%d/%d)", p.Label, p.Run+1, len(scs)))
			prog.done()
		},
	})
	prog.finish()
	if err != nil {
		if _, ok := signalOf(ctx); ok {
			done = true
			return fmt.Errorf("%v; removed the unfinished files and the finished run folders: %s", err, of.release(false))
		}
		return err
	}

	man := reports.CompareManifest{
		Tool:           "depinsim",
		Version:        runner.BuildVersion(),
		Kind:           "compare",
		MasterSeed:     uint64(commonSeed),
		SeedDerivation: sim.SeedDerivation,
		Replications:   n,
		Notes:          notes,
		GoVersion:      runtime.Version(),
		Command:        command,
	}
	for i, res := range cmp.Results {
		man.Scenarios = append(man.Scenarios, reports.CompareScenarioInfo{
			Name:           labels[i],
			Scenario:       res.Scenario.Name,
			ScenarioFile:   scs[i].src.Label(),
			ScenarioSHA256: sha256Hex(res.Scenario.TOML()),
			EventsTotal:    res.Events,
		})
	}
	man.WallSeconds = time.Since(start).Seconds()
	info := reports.CompareInfo{Seed: uint64(commonSeed), Reps: n, Notes: notes, NoReport: *noReport}
	for i, l := range scs {
		b := runner.BriefOf(l.sc)
		info.Briefs = append(info.Briefs, b)
		info.Behaviour = append(info.Behaviour, reports.BehaviourLine(labels[i], b))
	}
	if err := reports.WriteComparison(dir, cmp.Runs, info, &man); err != nil {
		return fmt.Errorf("writing %s: %v", dir, err)
	}
	done = true
	kept := of.release(true)
	if sig, ok := signalOf(ctx); ok {
		return fmt.Errorf("%v as the comparison was ending: %s", sig, kept)
	}
	if !*quiet {
		for i, res := range cmp.Results {
			writeRunHeader(stdout, labels[i], res)
		}
		fmt.Fprintf(stdout, "\ncommon seed %d, %d replication(s); differences are paired over replications (* : 95%% CI excludes 0)\n\n", commonSeed, n)
		reports.WriteCompareTable(stdout, cmp.Runs)
		fmt.Fprintln(stdout, "\nbehaviour assumed:")
		for _, line := range info.Behaviour {
			fmt.Fprintf(stdout, "  %s\n", line)
		}
		writeCompareChecks(stdout, labels, cmp.Results)
		files := "compare.md, compare.csv, plots/, report.html, manifest.json"
		if *noReport {
			files = "compare.md, compare.csv, plots/, manifest.json"
		}
		fmt.Fprintf(stdout, "\nwrote %s/ (%s; run folders %s)\n", dir, files, strings.Join(labels, "/, ")+"/")
	}
	return nil
}

// sha256Hex returns the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// sameTenants reports whether a and b have identical tenant cohorts,
// reference prices (which set the tenants' maximum prices), warmups and
// horizons (the arrival streams are drawn over them), so that they see the
// same demand in every replication of a common seed.
func sameTenants(a, b *scenarios.Scenario) bool {
	return reflect.DeepEqual(a.Tenants, b.Tenants) && reflect.DeepEqual(a.Resources, b.Resources) &&
		a.Sim.Warmup == b.Sim.Warmup && a.Sim.Horizon == b.Sim.Horizon
}

// uniqueLabels names each scenario by its label given with --label
// (given[i], when not empty), else by its name, adding -2, -3, ... to a
// name already taken by an earlier scenario or by a given label (names
// equal but for case are taken: folders on macOS and Windows would be
// one). A name is never "plots", the comparison's charts folder.
func uniqueLabels(scs []*loaded, given []string) []string {
	taken := map[string]bool{strings.ToLower(reports.PlotsDir): true}
	for _, g := range given {
		if g != "" {
			taken[strings.ToLower(g)] = true
		}
	}
	labels := make([]string, len(scs))
	for i, l := range scs {
		if given[i] != "" {
			labels[i] = given[i]
			continue
		}
		name := l.sc.Name
		label := name
		for k := 2; taken[strings.ToLower(label)]; k++ {
			label = name + "-" + strconv.Itoa(k)
		}
		taken[strings.ToLower(label)] = true
		labels[i] = label
	}
	return labels
}

// defaultCompareDir is the output folder of a comparison without --out:
// out/compare-<label>-<label>...
func defaultCompareDir(labels []string) string {
	return filepath.Join("out", "compare-"+strings.Join(labels, "-"))
}

// maxLabelLen bounds a --label: it names a folder and a chart's legend.
const maxLabelLen = 64

// parseLabels reads the --label flags of a comparison of n scenarios:
// each is LABEL (the next scenario in order) or K=LABEL (scenario K,
// 1-based); the two forms do not mix. It returns one entry per scenario,
// empty where none was given.
func parseLabels(args []string, n int) ([]string, error) {
	given := make([]string, n)
	next, byNumber := 0, false
	for _, a := range args {
		label := a
		i := next
		if k, rest, ok := strings.Cut(a, "="); ok {
			num, err := strconv.Atoi(k)
			if err != nil || num < 1 || num > n {
				return nil, badInput("--label %q: want LABEL or K=LABEL with K a scenario number in [1, %d]", a, n)
			}
			label, i, byNumber = rest, num-1, true
		} else {
			if next >= n {
				return nil, badInput("--label %q: more labels than the %d scenarios", a, n)
			}
			next++
		}
		if byNumber && next > 0 {
			return nil, badInput("--label %q: give every label as LABEL (in the scenarios' order) or every label as K=LABEL, not both", a)
		}
		if err := checkLabel(label); err != nil {
			return nil, badInput("--label %q: %v", a, err)
		}
		if given[i] != "" {
			return nil, badInput("--label %q: scenario %d already has the label %q", a, i+1, given[i])
		}
		for j, g := range given {
			if strings.EqualFold(g, label) {
				return nil, badInput("--label %q: scenario %d already has the label %q (labels name folders: they must differ, and not only by case)", a, j+1, g)
			}
		}
		given[i] = label
	}
	return given, nil
}

// checkLabel says why label cannot name a scenario of a comparison: it
// names the scenario's run folder, so it is 1 to maxLabelLen letters,
// digits, '.', '_' or '-', starting with a letter or digit, and not the
// charts folder "plots".
func checkLabel(label string) error {
	if label == "" {
		return fmt.Errorf("empty label")
	}
	if len(label) > maxLabelLen {
		return fmt.Errorf("%d characters, at most %d", len(label), maxLabelLen)
	}
	for i, r := range label {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if i == 0 && !alnum {
			return fmt.Errorf("must start with a letter or a digit")
		}
		if !alnum && r != '.' && r != '_' && r != '-' {
			return fmt.Errorf("%q is not allowed: use letters, digits, '.', '_' and '-' (the label names a folder)", r)
		}
	}
	if strings.EqualFold(label, reports.PlotsDir) {
		return fmt.Errorf("%q is the folder of the comparison's charts", label)
	}
	return nil
}

// commonKey returns "sim.seed" or "sim.replications" when the override
// set ("path=value") sets it, alone or in a sim table: keys that a
// comparison shares between its scenarios, which --set-for cannot set
// for one. It returns "" otherwise.
func commonKey(set string) string {
	path, value, _ := strings.Cut(set, "=")
	switch path = strings.TrimSpace(path); path {
	case "sim.seed", "sim.replications":
		return path
	case "sim":
		for _, k := range []string{"seed", "replications"} {
			if strings.Contains(value, k) {
				return "sim." + k
			}
		}
	}
	return ""
}

// argList formats the arguments given, for an error message.
func argList(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s)", strings.Join(args, " "))
}
