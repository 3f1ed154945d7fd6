package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/depinsim/depinsim/reports/html"
)

// ReportFile is the run folder's self-contained HTML report.
const ReportFile = "report.html"

// reportMaxPoints bounds the points of each chart of the HTML report
// (Downsample keeps the shape of every line).
const reportMaxPoints = 1500

// RunBrief is the scenario in brief that a run's HTML report shows (the
// runner builds it from the scenario: runner.BriefOf).
type RunBrief struct {
	// Description is the scenario's description.
	Description string
	// Mechanism is the market mechanism's name.
	Mechanism string
	// Tokenomics lists the token layer's settings in words.
	Tokenomics []string
	// Providers are the provider cohorts.
	Providers []ProviderBrief
	// Tenants are the tenant cohorts: name and arrivals per day.
	Tenants []TenantBrief
	// Warnings are the scenario's warnings, as 'depinsim validate'
	// prints them.
	Warnings []string
}

// ProviderBrief is one provider cohort in a RunBrief.
type ProviderBrief struct {
	// Name, Kind and Strategy are the cohort's name, kind and bid
	// strategy.
	Name, Kind, Strategy string
	// Count is the number of providers at the start.
	Count int
	// GPUs lists each provider's GPUs ("8 x h100").
	GPUs string
}

// TenantBrief is one tenant cohort in a RunBrief.
type TenantBrief struct {
	// Name is the cohort's name.
	Name string
	// ArrivalsPerDay is its mean arrival rate (deployments per day).
	ArrivalsPerDay float64
}

// reportInputs is what a run report is built from.
type reportInputs struct {
	man   *Manifest
	sum   *Summary
	brief *RunBrief
	acc   *reportAcc
	svgs  map[string]string // plot file name -> its SVG text
	// late: the SVGs are not read yet; build notes the charts that take
	// one in pending, and fillSVGs gives them their fallbacks later.
	late    bool
	pending []pendingSVG
	usedSVG map[string]bool // SVGs already a chart's fallback
}

// pendingSVG is a chart whose fallback is the SVG file svg (when there is
// one and no earlier chart took it).
type pendingSVG struct {
	c   *html.Chart
	svg string
}

// WriteRunReport writes dir/report.html from a saved run folder (ReadRun)
// and the brief of its scenario (nil: none), as 'depinsim run' wrote it:
// byte for byte the same report.
func WriteRunReport(dir string, run *SavedRun, brief *RunBrief) error {
	acc := newReportAcc()
	for _, rec := range byRep(run.Recordings) {
		if err := acc.Add(rec); err != nil {
			return err
		}
	}
	sum := Summarize(run.Recordings)
	sum.Precision = run.Manifest.Precision
	return writeReport(dir, &run.Manifest, sum, brief, acc)
}

// writeReport writes dir/report.html, with the SVG charts of dir/plots
// as fallbacks.
func writeReport(dir string, man *Manifest, sum *Summary, brief *RunBrief, acc *reportAcc) error {
	b := startReport(man, sum, brief, acc)
	return b.finish(dir)
}

// reportBuild is a report built from a run's data before its charts'
// SVG files exist: startReport builds it (on a goroutine of its own when
// the charts are drawn at the same time), finish takes the SVGs as
// fallbacks and writes it.
type reportBuild struct {
	in  reportInputs
	rep *html.Report
	err error
}

// startReport builds the report of a run but for its charts' fallbacks.
// man, sum, brief and acc are only read, and must not change until
// finish returns.
func startReport(man *Manifest, sum *Summary, brief *RunBrief, acc *reportAcc) *reportBuild {
	b := &reportBuild{in: reportInputs{man: man, sum: sum, brief: brief, acc: acc, late: true}}
	b.rep, b.err = b.in.build()
	return b
}

// finish reads the SVG charts of dir/plots, gives them to the charts as
// fallbacks (as the charts would have taken them had the SVGs been read
// first) and writes dir/report.html.
func (b *reportBuild) finish(dir string) error {
	if b.err != nil {
		return b.err
	}
	b.in.svgs = readSVGs(dir, slices.Concat(PlotFiles, BMEPlotFiles))
	b.in.late = false
	for _, p := range b.in.pending {
		b.in.fallback(p.c, p.svg)
	}
	b.in.pending = nil
	return WriteFileAtomic(filepath.Join(dir, ReportFile), b.rep.Render)
}

// fallback gives c its fallback: the SVG file svg when there is one that
// no earlier chart took, else a sentence. Until the SVGs are read (late)
// it only notes c.
func (in *reportInputs) fallback(c *html.Chart, svg string) {
	if in.late {
		in.pending = append(in.pending, pendingSVG{c, svg})
		return
	}
	if in.usedSVG == nil {
		in.usedSVG = map[string]bool{}
	}
	if svg != "" && !in.usedSVG[svg] && in.svgs[svg] != "" {
		c.FallbackSVG = in.svgs[svg]
		in.usedSVG[svg] = true
	} else {
		c.Fallback = "This interactive chart needs JavaScript; its data are in the run folder's CSV files."
	}
}

// build builds the report.
func (in *reportInputs) build() (*html.Report, error) {
	man := in.man
	r := &html.Report{
		Title:    "depinsim run: " + man.Scenario,
		Subtitle: fmt.Sprintf("%d replication(s) of %s from %s, sampled every %s, master seed %d", len(man.Replications), man.Horizon, man.Start, man.SampleEvery, man.MasterSeed),
	}
	r.Sections = append(r.Sections, in.scenarioSection(), in.provenanceSection(), in.keyResults())
	charts, err := in.chartSections()
	if err != nil {
		return nil, err
	}
	r.Sections = append(r.Sections, charts...)
	r.Sections = append(r.Sections, in.checksSection(), in.warningsSection())
	return r, nil
}

func (in *reportInputs) scenarioSection() html.Section {
	s := html.Section{ID: "scenario", Title: "Scenario"}
	man, b := in.man, in.brief
	if b == nil {
		s.Blocks = append(s.Blocks, html.Block{Para: "The scenario's details are in scenario.toml next to this report."})
		b = &RunBrief{}
	}
	if b.Description != "" {
		s.Blocks = append(s.Blocks, html.Block{Para: b.Description})
	}
	var items []string
	items = append(items, "Scenario: "+man.Scenario)
	if b.Mechanism != "" {
		items = append(items, "Mechanism: "+b.Mechanism)
	}
	items = append(items, fmt.Sprintf("Horizon: %s from %s, sampled every %s", man.Horizon, man.Start, man.SampleEvery),
		fmt.Sprintf("Replications: %d; master seed %d (%s)", len(man.Replications), man.MasterSeed, man.SeedDerivation))
	for _, t := range b.Tokenomics {
		items = append(items, "Tokenomics: "+t)
	}
	s.Blocks = append(s.Blocks, html.Block{List: items})
	if len(b.Providers) > 0 {
		t := &html.Table{ID: "provider-cohorts", Caption: "Provider cohorts and their bidders' strategy", Header: []string{"cohort", "kind", "bid strategy", "providers at start", "GPUs per provider"}}
		for _, p := range b.Providers {
			t.Rows = append(t.Rows, []html.Cell{{Text: p.Name}, {Text: p.Kind}, {Text: p.Strategy}, {Text: strconv.Itoa(p.Count), Class: "num"}, {Text: p.GPUs}})
		}
		s.Blocks = append(s.Blocks, html.Block{Table: t})
	}
	if len(b.Tenants) > 0 {
		t := &html.Table{ID: "tenant-cohorts", Caption: "Tenant cohorts", Header: []string{"cohort", "arrivals per day"}}
		for _, c := range b.Tenants {
			t.Rows = append(t.Rows, []html.Cell{{Text: c.Name}, {Text: fmtNum(c.ArrivalsPerDay), Class: "num"}})
		}
		s.Blocks = append(s.Blocks, html.Block{Table: t})
	}
	return s
}

func (in *reportInputs) provenanceSection() html.Section {
	man := in.man
	rows := [][2]string{
		{"tool and version", man.Tool + " " + man.Version},
		{"Go", man.GoVersion},
		{"scenario file", man.ScenarioFile},
		{"scenario.toml SHA-256", man.ScenarioSHA256},
		{"command", shellJoin(man.Command)},
		{"events", strconv.FormatUint(man.EventsTotal, 10)},
	}
	if len(man.Only) > 0 {
		rows = append(rows, [2]string{"replications re-run alone", fmt.Sprint(man.Only)})
	}
	t := &html.Table{ID: "provenance-table", Header: []string{"", ""}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []html.Cell{{Text: r[0]}, {Text: r[1]}})
	}
	seeds := &html.Table{ID: "replications", Caption: "Replications", Header: []string{"rep", "seed", "events", "samples"}}
	for _, ri := range man.Replications {
		seeds.Rows = append(seeds.Rows, []html.Cell{{Text: strconv.Itoa(ri.Rep), Class: "num"}, {Text: strconv.FormatUint(ri.Seed, 10), Class: "num"},
			{Text: strconv.FormatUint(ri.Events, 10), Class: "num"}, {Text: strconv.Itoa(ri.Samples), Class: "num"}})
	}
	return html.Section{ID: "provenance", Title: "Provenance", Blocks: []html.Block{{Table: t}, {Table: seeds},
		{Para: "The data behind this report are in the same folder: timeseries.csv, resources.csv, cohorts.csv, summary.json, manifest.json, scenario.toml (running it again reproduces the run)."}}}
}

// shellJoin joins a command line, quoting the arguments that need it.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;!#~") {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

func (in *reportInputs) keyResults() html.Section {
	s := html.Section{ID: "key-results", Title: "Key results"}
	t := &html.Table{ID: "key-results-table", Caption: "Mean across replications with its 95% confidence interval (Student t, n-1 degrees of freedom)",
		Header: []string{"metric", "statistic", "mean", "95% CI", "n", "unit", "note"}}
	small := false
	addRow := func(name, what string, st Stat, unit string) {
		ci := "[" + fmtNum(float64(st.CILow)) + ", " + fmtNum(float64(st.CIHigh)) + "]"
		note := st.CINote
		class := ""
		if st.N > 0 && st.N < smallN {
			small = true
			class = "warn"
			if note == "" {
				note = "wide: few replications" // the warning above says why
			}
		}
		t.Rows = append(t.Rows, []html.Cell{{Text: name}, {Text: what}, {Text: fmtNum(float64(st.Mean)), Class: "num"},
			{Text: ci, Class: "num"}, {Text: strconv.Itoa(st.N), Class: "num"}, {Text: unit}, {Text: note, Class: class}})
	}
	for _, row := range summaryTableRows() {
		if row.metric >= len(in.sum.Metrics) {
			continue
		}
		ms := in.sum.Metrics[row.metric]
		if row.optional && zeroOrNaN(ms) {
			continue
		}
		st, what := ms.TimeMean, "mean over time"
		if row.final {
			st, what = ms.Final, "final"
		}
		addRow(ms.Name, what, st, ms.Unit)
	}
	res := &html.Table{ID: "resource-results-table", Caption: "Per resource: mean over time of utilization and of the median lease price, 95% CI across replications",
		Header: []string{"metric", "statistic", "mean", "95% CI", "n", "unit", "note"}}
	main := t
	t = res
	for _, rs := range in.sum.Resources {
		addRow(rs.Resource+" utilization", "mean over time", rs.Utilization, "fraction")
		if !math.IsNaN(float64(rs.MedianPriceUSDHour.Mean)) {
			addRow(rs.Resource+" median price", "mean over time", rs.MedianPriceUSDHour, "USD/unit-h")
		}
	}
	if small {
		s.Blocks = append(s.Blocks, html.Block{Warning: fmt.Sprintf("Fewer than %d replications: the 95%% confidence intervals below are wide and unreliable (a t interval from so few values can even cross zero for a quantity that cannot be negative). Run more replications (--reps) for intervals to trust.", smallN)})
	}
	s.Blocks = append(s.Blocks, html.Block{Table: main}, html.Block{Table: res})
	return s
}

// checkResult is the part of a manifest's check result the report shows.
type checkResult struct {
	Kind    string          `json:"kind"`
	Name    string          `json:"name"`
	Metric  string          `json:"metric"`
	Stat    string          `json:"stat"`
	Value   json.RawMessage `json:"value"`
	Verdict string          `json:"verdict"`
	Reason  string          `json:"reason"`
}

func (in *reportInputs) checksSection() html.Section {
	s := html.Section{ID: "checks", Title: "Invariants and assertions"}
	s.Blocks = checksBlocks(in.man.Checks, "checks-table", "")
	return s
}

// checksBlocks says what a run's manifest records of its checks: a
// paragraph with the counts, a warning when some failed, and the table of
// results (HTML id tableID). prefix starts the paragraph ("" or a
// scenario's label and ": ").
func checksBlocks(c *Checks, tableID, prefix string) []html.Block {
	if c == nil {
		return []html.Block{{Para: prefix + "The manifest records no checks."}}
	}
	out := []html.Block{{Para: fmt.Sprintf("%sInvariants checked: %s. %d passed, %d failed, %d skipped.", prefix, c.Invariants, c.Passed, c.Failed, c.Skipped)}}
	if c.Failed > 0 {
		out = append(out, html.Block{Warning: fmt.Sprintf("%s%d check(s) failed: see the table.", prefix, c.Failed)})
	}
	var results []checkResult
	if len(c.Results) > 0 {
		if err := json.Unmarshal(c.Results, &results); err != nil {
			return append(out, html.Block{Warning: prefix + "manifest.json: checks.results: " + err.Error()})
		}
	}
	t := &html.Table{ID: tableID, Header: []string{"kind", "name", "metric", "statistic", "value", "verdict", "reason"}}
	for _, r := range results {
		v := strings.Trim(string(r.Value), `"`)
		t.Rows = append(t.Rows, []html.Cell{{Text: r.Kind}, {Text: r.Name}, {Text: r.Metric}, {Text: r.Stat}, {Text: v, Class: "num"},
			{Text: r.Verdict, Class: r.Verdict}, {Text: r.Reason}})
	}
	if len(t.Rows) > 0 {
		out = append(out, html.Block{Table: t})
	}
	return out
}

func (in *reportInputs) warningsSection() html.Section {
	s := html.Section{ID: "warnings", Title: "Scenario warnings"}
	switch {
	case in.brief == nil:
		s.Blocks = append(s.Blocks, html.Block{Para: "Not known: run 'depinsim validate scenario.toml' in this folder."})
	case len(in.brief.Warnings) == 0:
		s.Blocks = append(s.Blocks, html.Block{Para: "'depinsim validate' has no warning for this scenario."})
	default:
		s.Blocks = append(s.Blocks, html.Block{Para: "What 'depinsim validate' warns about this scenario:"}, html.Block{List: in.brief.Warnings})
	}
	return s
}

// startUnix returns the manifest's start date in seconds since
// 1970-01-01 UTC (0 when it does not parse).
func startUnix(start string) float64 {
	t, err := time.Parse("2006-01-02", start)
	if err != nil {
		return 0
	}
	return float64(t.Unix())
}

// writeTo lets a *html.Report be written by WriteFileAtomic.
var _ func(io.Writer) error = (&html.Report{}).Render

// readSVGs returns the text of the SVG charts among files that dir/plots
// holds, by file name (the reports' fallbacks where JavaScript is off); a
// chart that is missing has no entry.
func readSVGs(dir string, files []string) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		if !strings.HasSuffix(f, ".svg") {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(dir, PlotsDir, f)); err == nil {
			out[f] = string(b)
		}
	}
	return out
}
