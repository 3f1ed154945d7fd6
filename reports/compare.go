package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/depinsim/depinsim/sim"
)

// A comparison runs several scenarios with common random numbers (the
// same master seed, so that replication r of every scenario has the same
// seed) and reports, per metric, each scenario's estimate and its paired
// difference to the first scenario. The statistics are those of
// Summarize: a comparison only pairs its per-replication values.

// Names of the files a comparison writes in its folder, besides one run
// folder per scenario.
const (
	// CompareCSVFile holds every metric of every scenario (WriteCSV).
	CompareCSVFile = "compare.csv"
	// CompareMarkdownFile is the human-readable report (WriteMarkdown).
	CompareMarkdownFile = "compare.md"
)

// CompareRun is one scenario of a comparison: what a comparison needs of
// its recordings, so that the recordings can be dropped once it is made.
type CompareRun struct {
	// Name labels the scenario in tables, compare.csv and legends; it is
	// also the name of its run folder.
	Name string
	// Source says where the scenario came from ("preset akash-2024",
	// "my.toml").
	Source string
	// Start, Horizon and SampleEvery describe the run ("2024-03-20",
	// "365d", "12h").
	Start, Horizon, SampleEvery string
	// Summary is Summarize of the recordings.
	Summary *Summary
	// Series holds the series of the overlay charts.
	Series CompareSeries
}

// NewCompareRun summarizes recs and computes the series of the overlay
// charts (see CompareSeriesOf). The other fields are left to the caller.
func NewCompareRun(name string, recs []*Recording) CompareRun {
	recs = byRep(recs)
	return CompareRun{Name: name, Summary: Summarize(recs), Series: CompareSeriesOf(recs)}
}

// CompareInfo describes a comparison for the header of compare.md.
type CompareInfo struct {
	// Seed is the common master seed.
	Seed uint64
	// Reps is the number of replications of every scenario.
	Reps int
	// Behaviour says, one line per scenario, the behaviour it assumes:
	// its providers' bid strategies and its mechanism.
	Behaviour []string
	// Notes lists overrides made for the comparison, one sentence each
	// (e.g. a scenario's own sim.seed replaced by the common seed).
	Notes []string
	// Briefs holds each scenario's brief, for report.html (nil entries:
	// not known).
	Briefs []*RunBrief
	// NoReport skips report.html (--no-report).
	NoReport bool
}

// CompareRow is one figure of one scenario in a comparison.
type CompareRow struct {
	// Metric names the figure: "<metric>.time_mean" or "<metric>.final"
	// for a metric of sim.Metrics, "<resource>.utilization" or
	// "<resource>.median_price_usd_hour" for a resource, as in
	// summary.json.
	Metric string
	// Scenario is the scenario's CompareRun.Name.
	Scenario string
	// Stat is the scenario's estimate (from its Summary).
	Stat Stat
	// Diff is the paired difference to the first scenario (PairedDiff);
	// nil for the first scenario.
	Diff *Stat
}

// figure is a per-replication value of a Summary: how to find it, its
// name in compare.csv and how compare.md shows it.
type figure struct {
	key      string // compare.csv metric
	metric   int    // sim.M* index, or -1 for a resource figure
	final    bool   // the final value rather than the time mean
	resource string // for a resource figure
	price    bool   // the resource's median price rather than its utilization
}

func (f figure) stat(s *Summary) (Stat, bool) {
	if f.metric >= 0 {
		if f.metric >= len(s.Metrics) {
			return Stat{}, false
		}
		if f.final {
			return s.Metrics[f.metric].Final, true
		}
		return s.Metrics[f.metric].TimeMean, true
	}
	for _, r := range s.Resources {
		if r.Resource == f.resource {
			if f.price {
				return r.MedianPriceUSDHour, true
			}
			return r.Utilization, true
		}
	}
	return Stat{}, false
}

func (f figure) statistic() string {
	switch {
	case f.metric < 0 && f.price:
		return "median price, mean over time"
	case f.metric < 0:
		return "utilization, mean over time"
	case f.final:
		return "final"
	default:
		return "mean over time"
	}
}

func (f figure) name() string {
	if f.metric >= 0 {
		return sim.Metrics[f.metric].Name
	}
	return f.resource
}

func (f figure) unit() string {
	switch {
	case f.metric >= 0:
		return sim.Metrics[f.metric].Unit
	case !f.price:
		return "fraction"
	case strings.HasPrefix(f.resource, sim.GPUPrefix):
		return "USD/GPU-h"
	case f.resource == sim.ResourceCPU:
		return "USD/core-h"
	default:
		return "USD/unit-h"
	}
}

func metricFigure(m int, final bool) figure {
	suffix := ".time_mean"
	if final {
		suffix = ".final"
	}
	return figure{key: sim.Metrics[m].Name + suffix, metric: m, final: final}
}

func resourceFigure(resource string, price bool) figure {
	suffix := ".utilization"
	if price {
		suffix = ".median_price_usd_hour"
	}
	return figure{key: resource + suffix, metric: -1, resource: resource, price: price}
}

// allFigures lists every figure of compare.csv: the time mean and the
// final value of every metric in sim.Metrics order, then the utilization
// and median price of every resource of any run (cpu, memory_gb, then
// the others sorted by name).
func allFigures(runs []CompareRun) []figure {
	var out []figure
	for m := range sim.NumMetrics {
		out = append(out, metricFigure(m, false), metricFigure(m, true))
	}
	for _, r := range compareResources(runs) {
		out = append(out, resourceFigure(r, false), resourceFigure(r, true))
	}
	return out
}

// compareResources returns the resources of any run: cpu and memory_gb
// first, then the others sorted by name.
func compareResources(runs []CompareRun) []string {
	seen := map[string]bool{}
	var others []string
	for _, run := range runs {
		for _, r := range run.Summary.Resources {
			if !seen[r.Resource] {
				seen[r.Resource] = true
				if r.Resource != sim.ResourceCPU && r.Resource != sim.ResourceMemory {
					others = append(others, r.Resource)
				}
			}
		}
	}
	slices.Sort(others)
	var out []string
	for _, n := range []string{sim.ResourceCPU, sim.ResourceMemory} {
		if seen[n] {
			out = append(out, n)
		}
	}
	return append(out, others...)
}

// figureGroup is a table of compare.md and of the terminal table.
type figureGroup struct {
	title string
	figs  []figure
	// optional rows are left out when zero or NaN in every replication of
	// every scenario (optionalGroup, as in Summary.WriteTable); the other
	// rows only when NaN throughout.
	optional bool
}

// reportGroups lists the tables of compare.md: one per metric group
// (metricGroups: market, providers, token supply and staking, fees,
// provider rewards) and the GPU models of any run.
func reportGroups(runs []CompareRun) []figureGroup {
	groups := metricGroups()
	// cpu and memory_gb repeat cpu_utilization, cpu_price_usd_hour and
	// memory_utilization: only the GPU models
	gpus := figureGroup{title: "GPU models"}
	for _, r := range compareResources(runs) {
		if strings.HasPrefix(r, sim.GPUPrefix) {
			gpus.figs = append(gpus.figs, resourceFigure(r, false), resourceFigure(r, true))
		}
	}
	return append(groups, gpus)
}

// shown reports whether a row of a group is worth showing: some
// scenario has a value (non-zero for an optional group).
func (g figureGroup) shown(f figure, runs []CompareRun) bool {
	for _, run := range runs {
		st, ok := f.stat(run.Summary)
		if !ok {
			continue
		}
		for _, v := range st.PerRep {
			if !math.IsNaN(float64(v)) && (!g.optional || v != 0) {
				return true
			}
		}
	}
	return false
}

// PairedDiff returns the paired differences other[r] − base[r] of two
// per-replication value lists in the same replication order, estimated as
// NewStat does: their mean and a Student-t confidence interval with n−1
// degrees of freedom, n being the number of replications where both have
// a value. With common random numbers the pairing removes the noise the
// two runs share: a scenario compared with itself gives differences of
// exactly 0 and a zero-width interval.
func PairedDiff(base, other []Float) Stat {
	n := max(len(base), len(other))
	d := make([]float64, n)
	for r := range d {
		d[r] = math.NaN()
		if r < len(base) && r < len(other) {
			d[r] = float64(other[r]) - float64(base[r]) // NaN if either is
		}
	}
	return NewStat(d)
}

// pairedDiff pairs the per-replication values of two summaries by
// replication index (their Reps), for PairedDiff.
func pairedDiff(baseSum, otherSum *Summary, base, other Stat) Stat {
	if slices.Equal(baseSum.Reps, otherSum.Reps) {
		return PairedDiff(base.PerRep, other.PerRep)
	}
	// different replication sets: pair the replications both have
	var b, o []Float
	for i, rep := range baseSum.Reps {
		if j := slices.Index(otherSum.Reps, rep); j >= 0 && i < len(base.PerRep) && j < len(other.PerRep) {
			b, o = append(b, base.PerRep[i]), append(o, other.PerRep[j])
		}
	}
	return PairedDiff(b, o)
}

// nanStat is the Stat of a figure a scenario does not have.
func nanStat(n int) Stat {
	d := make([]float64, n)
	for i := range d {
		d[i] = math.NaN()
	}
	return NewStat(d)
}

// compareRows returns the rows of fig for every run: its Stat and, for
// every run after the first, the paired difference to the first.
func compareRows(runs []CompareRun, fig figure) []CompareRow {
	out := make([]CompareRow, len(runs))
	base, baseOK := fig.stat(runs[0].Summary)
	for i, run := range runs {
		st, ok := fig.stat(run.Summary)
		if !ok {
			st = nanStat(len(run.Summary.Reps))
		}
		out[i] = CompareRow{Metric: fig.key, Scenario: run.Name, Stat: st}
		if i == 0 {
			continue
		}
		var d Stat
		if ok && baseOK {
			d = pairedDiff(runs[0].Summary, run.Summary, base, st)
		} else {
			d = nanStat(len(run.Summary.Reps))
		}
		out[i].Diff = &d
	}
	return out
}

// CompareRows returns every row of compare.csv: for each figure (the
// time mean and final value of every metric of sim.Metrics, then the
// utilization and median price of every resource of any run), one row
// per run in order. A figure a run lacks (a GPU model it does not have)
// has n = 0 and NaN values.
func CompareRows(runs []CompareRun) []CompareRow {
	if len(runs) == 0 {
		return nil
	}
	var out []CompareRow
	for _, fig := range allFigures(runs) {
		out = append(out, compareRows(runs, fig)...)
	}
	return out
}

// CompareCSVHeader is the header of compare.csv.
var CompareCSVHeader = []string{"metric", "scenario", "mean", "ci_low", "ci_high", "n", "diff_mean", "diff_ci_low", "diff_ci_high"}

// WriteCompareCSV writes compare.csv: CompareCSVHeader, then CompareRows.
// mean, ci_low, ci_high and n are the scenario's estimate across
// replications (as in summary.json); diff_* the paired difference to the
// first scenario, empty for the first. NaN is written as an empty field,
// other numbers in the shortest form that reads back exactly.
func WriteCompareCSV(w io.Writer, runs []CompareRun) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CompareCSVHeader); err != nil {
		return err
	}
	for _, r := range CompareRows(runs) {
		row := []string{r.Metric, r.Scenario,
			formatFloat(float64(r.Stat.Mean)), formatFloat(float64(r.Stat.CILow)), formatFloat(float64(r.Stat.CIHigh)),
			strconv.Itoa(r.Stat.N), "", "", ""}
		if r.Diff != nil {
			row[6] = formatFloat(float64(r.Diff.Mean))
			row[7] = formatFloat(float64(r.Diff.CILow))
			row[8] = formatFloat(float64(r.Diff.CIHigh))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Significant reports whether the confidence interval of a paired
// difference excludes 0. An interval from fewer than two replications
// says nothing and is never significant.
func Significant(d Stat) bool {
	if d.N < 2 {
		return false
	}
	return float64(d.CILow) > 0 || float64(d.CIHigh) < 0
}

// fmtCI formats a mean and its confidence interval: "0.5123 [0.5, 0.52]".
func fmtCI(st Stat) string {
	if st.N == 0 {
		return "n/a"
	}
	s := fmtNum(float64(st.Mean))
	if st.N == 1 {
		return s + " (1 rep.)"
	}
	return s + " [" + fmtNum(float64(st.CILow)) + ", " + fmtNum(float64(st.CIHigh)) + "]"
}

// fmtSigned is fmtNum with a sign on positive values.
func fmtSigned(v float64) string {
	s := fmtNum(v)
	if v > 0 {
		s = "+" + s
	}
	return s
}

// fmtDiff formats a paired difference and its interval; mark is appended
// when the interval excludes 0.
func fmtDiff(d Stat, mark string) string {
	if d.N == 0 {
		return "n/a"
	}
	s := fmtSigned(float64(d.Mean))
	if d.N == 1 {
		return s + " (1 rep.)"
	}
	s += " [" + fmtSigned(float64(d.CILow)) + ", " + fmtSigned(float64(d.CIHigh)) + "]"
	if Significant(d) {
		s += mark
	}
	return s
}

// mdEscape escapes the characters that would break a markdown table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`).Replace(s)
}

// WriteCompareMarkdown writes compare.md: a header naming the scenarios,
// the seed and the replications, a paragraph on common random numbers
// and paired differences, then one table per metric group (market,
// providers, token supply and staking, fees, provider rewards: the
// metrics sim.Metrics shows in comparisons) and one of the GPU models,
// with each scenario's mean and 95% confidence interval and, for every
// scenario after the first, the paired difference to the first with its
// interval, marked with * when the interval excludes 0. Rows with no
// value in any scenario (and rows of the token layer's groups that are
// zero throughout) are left out.
func WriteCompareMarkdown(w io.Writer, runs []CompareRun, info CompareInfo) error {
	if len(runs) == 0 {
		return fmt.Errorf("reports: no scenarios to compare")
	}
	var b strings.Builder
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Name
	}
	first := runs[0].Name
	fmt.Fprintf(&b, "# Comparison: %s\n\n", strings.Join(names, " vs "))
	fmt.Fprintf(&b, "%d scenarios, %s each, common master seed %d.\n\n", len(runs), replications(info.Reps), info.Seed)
	b.WriteString("| # | scenario | source | start | horizon | sample every |\n|---|---|---|---|---|---|\n")
	for i, r := range runs {
		fmt.Fprintf(&b, "| %d | %s | `%s` | %s | %s | %s |\n", i+1, mdEscape(r.Name), strings.ReplaceAll(r.Source, "|", `\|`), r.Start, r.Horizon, r.SampleEvery)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "**Common random numbers.** Every scenario runs with the same master seed (%d), so replication r "+
		"of every scenario uses the same replication seed, and its random streams are named after what they drive "+
		"(tenant cohort streams are `tenants/<name>/arrivals|demand|behaviour`): tenant cohorts with equal names "+
		"and parameters see identical demand in replication r of every scenario. "+
		"**Paired differences.** The column \"X − %s\" is, for each replication r = 1..%d, scenario X's value minus "+
		"the value of %s in the same replication, averaged over the replications, with a 95%% Student-t confidence "+
		"interval on those paired differences (n−1 degrees of freedom). Pairing cancels the noise the scenarios share, "+
		"so a difference is usually estimated more precisely than either scenario alone. "+
		"A difference marked * has a 95%% interval that excludes 0. Each scenario's own column gives its mean over the "+
		"replications and its 95%% confidence interval.\n\n",
		info.Seed, mdEscape(first), info.Reps, mdEscape(first))
	if horizonsDiffer(runs) {
		b.WriteString("The scenarios' horizons or sampling differ: \"final\" values are at the end of each scenario's own run, " +
			"and means over time are over each scenario's own run.\n\n")
	}
	if len(info.Behaviour) > 0 {
		b.WriteString("The behaviour each scenario assumes (its providers' bid strategies and its clearing rule):\n\n")
		for _, n := range info.Behaviour {
			fmt.Fprintf(&b, "- %s\n", mdEscape(n))
		}
		b.WriteString("\n")
	}
	if len(info.Notes) > 0 {
		b.WriteString("Overrides for the comparison:\n\n")
		for _, n := range info.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Every figure of every scenario, with more digits, is in %s; each scenario's run is in its own folder.\n",
		CompareCSVFile)

	for _, g := range reportGroups(runs) {
		var figs []figure
		for _, f := range g.figs {
			if g.shown(f, runs) {
				figs = append(figs, f)
			}
		}
		if len(figs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n", g.title)
		b.WriteString("| metric | statistic | unit |")
		sep := "|---|---|---|"
		for i, r := range runs {
			fmt.Fprintf(&b, " %s |", mdEscape(r.Name))
			sep += "---:|"
			if i > 0 {
				fmt.Fprintf(&b, " %s − %s |", mdEscape(r.Name), mdEscape(first))
				sep += "---:|"
			}
		}
		b.WriteString("\n" + sep + "\n")
		for _, f := range figs {
			fmt.Fprintf(&b, "| `%s` | %s | %s |", f.name(), f.statistic(), mdEscape(f.unit()))
			for i, row := range compareRows(runs, f) {
				fmt.Fprintf(&b, " %s |", fmtCI(row.Stat))
				if i > 0 {
					fmt.Fprintf(&b, " %s |", fmtDiff(*row.Diff, " \\*"))
				}
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func horizonsDiffer(runs []CompareRun) bool {
	for _, r := range runs[1:] {
		if r.Horizon != runs[0].Horizon || r.SampleEvery != runs[0].SampleEvery {
			return true
		}
	}
	return false
}

// WriteCompareTable writes the rows of compare.md but the GPU models as
// a plain table for a terminal: metric, statistic, scenario, mean, 95% CI, the paired
// difference to the first scenario and its 95% CI (* when it excludes
// 0). Write errors are ignored: the table is informational.
func WriteCompareTable(w io.Writer, runs []CompareRun) {
	if len(runs) == 0 {
		return
	}
	// Every line has every cell, so that the columns align; the padding
	// this leaves at the end of lines is trimmed below.
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "metric\tstatistic\tscenario\tmean\t95%% CI\tdiff vs %s\t95%% CI of diff\t\n", runs[0].Name)
	for _, g := range reportGroups(runs) {
		if g.title == "GPU models" {
			continue // in compare.md only
		}
		for _, f := range g.figs {
			if !g.shown(f, runs) {
				continue
			}
			for i, row := range compareRows(runs, f) {
				name, stat := f.name(), f.statistic()
				if i > 0 {
					name, stat = "", ""
				}
				ci := "n/a"
				if row.Stat.N > 0 {
					ci = "[" + fmtNum(float64(row.Stat.CILow)) + ", " + fmtNum(float64(row.Stat.CIHigh)) + "]"
				}
				diff, dci := "", ""
				if row.Diff != nil {
					d := *row.Diff
					diff, dci = "n/a", "n/a"
					if d.N > 0 {
						diff = fmtSigned(float64(d.Mean))
						dci = "[" + fmtSigned(float64(d.CILow)) + ", " + fmtSigned(float64(d.CIHigh)) + "]"
						if Significant(d) {
							dci += " *"
						}
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, stat, row.Scenario, fmtNum(float64(row.Stat.Mean)), ci, diff, dci)
			}
		}
	}
	_ = tw.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line != "" {
			_, _ = io.WriteString(w, strings.TrimRight(line, " \n")+"\n")
		}
	}
}

// CompareManifest describes how a comparison folder was produced; it is
// written to manifest.json in the comparison folder, last. WallSeconds
// is the only field that differs between two runs of the same command.
type CompareManifest struct {
	// Tool is the program name ("depinsim").
	Tool string `json:"tool"`
	// Version is the program version.
	Version string `json:"version"`
	// Kind is "compare".
	Kind string `json:"kind"`
	// MasterSeed is the common master seed of every scenario.
	MasterSeed uint64 `json:"master_seed"`
	// SeedDerivation says how replication rep's seed derives from the
	// master seed (sim.SeedDerivation): replication rep of every
	// scenario has the same seed (common random numbers).
	SeedDerivation string `json:"seed_derivation"`
	// Replications is the number of replications of every scenario.
	Replications int `json:"replications"`
	// Scenarios describes each scenario, in the order compared.
	Scenarios []CompareScenarioInfo `json:"scenarios"`
	// Notes lists the overrides made for the comparison.
	Notes []string `json:"notes,omitempty"`
	// Files lists the comparison's own files, relative to its folder.
	Files []string `json:"files"`
	// WallSeconds is the elapsed wall-clock time, in seconds.
	WallSeconds float64 `json:"wall_seconds"`
	// GoVersion is runtime.Version() of the binary.
	GoVersion string `json:"go_version"`
	// Command is the command line.
	Command []string `json:"command"`
}

// CompareScenarioInfo describes one scenario of a CompareManifest.
type CompareScenarioInfo struct {
	// Name is the scenario's label and run folder.
	Name string `json:"name"`
	// Scenario is the scenario's own name.
	Scenario string `json:"scenario"`
	// ScenarioFile is the path or preset the scenario was read from.
	ScenarioFile string `json:"scenario_file"`
	// ScenarioSHA256 is the hex SHA-256 of its resolved scenario.toml.
	ScenarioSHA256 string `json:"scenario_sha256"`
	// EventsTotal is the number of events over its replications.
	EventsTotal uint64 `json:"events_total"`
}

// WriteJSON writes m as indented JSON followed by a newline.
func (m *CompareManifest) WriteJSON(w io.Writer) error {
	return writeJSON(w, m)
}

// WriteComparison writes the comparison's own files to dir (created as
// needed): compare.csv, compare.md (with info), the overlay charts of
// ComparePlotFiles in plots/, report.html (WriteCompareReport, unless
// info.NoReport) and, last, manifest.json: man, whose Files it sets.
// Each file is written atomically.
func WriteComparison(dir string, runs []CompareRun, info CompareInfo, man *CompareManifest) error {
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, CompareCSVFile), func(w io.Writer) error {
		return WriteCompareCSV(w, runs)
	}); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, CompareMarkdownFile), func(w io.Writer) error {
		return WriteCompareMarkdown(w, runs, info)
	}); err != nil {
		return err
	}
	if err := WriteComparePlots(filepath.Join(dir, PlotsDir), runs); err != nil {
		return err
	}
	man.Files = CompareFiles()
	if info.NoReport {
		man.Files = withoutReport(man.Files)
	} else if err := WriteCompareReport(dir, runs, man, info.Briefs); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, ManifestFile), man.WriteJSON)
}
