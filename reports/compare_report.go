package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/reports/html"
)

// BehaviourLine says the behaviour a scenario assumes, from its brief:
// its mechanism and its provider cohorts' bid strategies, e.g.
// "akash-2024: akash-reverse; providers bid cost-plus (8 cohort(s))" or,
// when they differ, each strategy with its cohorts.
func BehaviourLine(label string, b *RunBrief) string {
	var order []string
	cohorts := map[string][]string{}
	for _, p := range b.Providers {
		if _, ok := cohorts[p.Strategy]; !ok {
			order = append(order, p.Strategy)
		}
		cohorts[p.Strategy] = append(cohorts[p.Strategy], p.Name)
	}
	parts := make([]string, len(order))
	for i, st := range order {
		if len(order) == 1 {
			parts[i] = fmt.Sprintf("%s (%d cohort(s))", st, len(cohorts[st]))
		} else {
			parts[i] = fmt.Sprintf("%s (%s)", st, strings.Join(cohorts[st], ", "))
		}
	}
	return fmt.Sprintf("%s: %s; providers bid %s", label, b.Mechanism, strings.Join(parts, ", "))
}

// compareReport is what a comparison's HTML report is built from: the
// comparison's manifest, each scenario's figures and series, the brief
// of its scenario (nil: not known) and its run folder's manifest (nil:
// none read).
type compareReport struct {
	man    *CompareManifest
	runs   []CompareRun
	briefs []*RunBrief
	mans   []*Manifest
	svgs   map[string]string // plots/ file name -> its SVG text
	links  []bool            // the scenario's run folder has a report.html
}

// WriteCompareReport writes dir/report.html, the comparison's HTML
// report, from its runs (in the order compared), its manifest and the
// brief of each scenario (nil entries, or a nil slice: not known), with
// what it reads from the folder: each run folder's manifest.json (its
// checks and seeds) and the overlay charts' SVG files (plots/), the
// fallbacks of its charts. RebuildCompareReport writes the same bytes
// from the saved folder.
func WriteCompareReport(dir string, runs []CompareRun, man *CompareManifest, briefs []*RunBrief) error {
	in := &compareReport{man: man, runs: runs, briefs: make([]*RunBrief, len(runs)), mans: make([]*Manifest, len(runs)),
		svgs: readSVGs(dir, ComparePlotFiles), links: make([]bool, len(runs))}
	copy(in.briefs, briefs)
	for i, r := range runs {
		b, err := os.ReadFile(filepath.Join(dir, r.Name, ManifestFile))
		if err == nil {
			var m Manifest
			if json.Unmarshal(b, &m) == nil {
				in.mans[i] = &m
			}
		}
		if _, err := os.Stat(filepath.Join(dir, r.Name, ReportFile)); err == nil {
			in.links[i] = true
		}
	}
	rep, err := in.build()
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, ReportFile), rep.Render)
}

// ReadCompareManifest reads a comparison folder's manifest.json; an
// error when it is missing, does not parse or is not a comparison's.
func ReadCompareManifest(dir string) (*CompareManifest, error) {
	path := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m CompareManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if m.Kind != "compare" {
		return nil, fmt.Errorf("%s: kind %q, not a comparison's", path, m.Kind)
	}
	if len(m.Scenarios) == 0 {
		return nil, fmt.Errorf("%s: no scenarios", path)
	}
	return &m, nil
}

// RebuildCompareReport writes dir/report.html of the comparison saved in
// dir (its manifest man, ReadCompareManifest) from its run folders,
// without running anything: each scenario's replications are read back
// (ReadRun) and summarized as the comparison did (RunStats), so the page
// is the one the comparison wrote, byte for byte, given the same briefs
// (one per scenario of man, nil entries for none).
func RebuildCompareReport(dir string, man *CompareManifest, briefs []*RunBrief) error {
	runs := make([]CompareRun, len(man.Scenarios))
	for i, sc := range man.Scenarios {
		rd := filepath.Join(dir, sc.Name)
		saved, err := ReadRun(rd)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		st := NewRunStats()
		for _, rec := range byRep(saved.Recordings) {
			if err := st.Add(rec); err != nil {
				return fmt.Errorf("scenario %s: %w", sc.Name, err)
			}
		}
		runs[i] = st.CompareRun(sc.Name)
		m := saved.Manifest
		runs[i].Source, runs[i].Start, runs[i].Horizon, runs[i].SampleEvery = sc.ScenarioFile, m.Start, m.Horizon, m.SampleEvery
	}
	return WriteCompareReport(dir, runs, man, briefs)
}

func (in *compareReport) build() (*html.Report, error) {
	man := in.man
	names := make([]string, len(in.runs))
	for i, r := range in.runs {
		names[i] = r.Name
	}
	r := &html.Report{
		Title: "depinsim compare: " + strings.Join(names, " vs "),
		Subtitle: fmt.Sprintf("%d scenarios, %s each with common random numbers (master seed %d); differences are paired over the replications",
			len(in.runs), replications(man.Replications), man.MasterSeed),
	}
	r.Sections = append(r.Sections, in.scenariosSection(), in.provenanceSection())
	charts, err := in.chartsSection()
	if err != nil {
		return nil, err
	}
	r.Sections = append(r.Sections, charts, in.differencesSection(), in.checksSection())
	return r, nil
}

func (in *compareReport) scenariosSection() html.Section {
	s := html.Section{ID: "scenarios", Title: "Scenarios"}
	t := &html.Table{ID: "scenarios-table", Caption: "The scenarios compared: each one's colour and dash pattern are the same in every chart",
		Header: []string{"#", "label", "scenario", "source", "mechanism", "behaviour assumed", "start", "horizon", "sample every"}}
	for i, run := range in.runs {
		sc, mech, beh := "", "", "not known"
		if i < len(in.man.Scenarios) {
			sc = in.man.Scenarios[i].Scenario
		}
		if b := in.briefs[i]; b != nil {
			mech, beh = b.Mechanism, BehaviourLine(run.Name, b)
		}
		t.Rows = append(t.Rows, []html.Cell{{Text: strconv.Itoa(i + 1), Class: "num"}, {Text: run.Name}, {Text: sc}, {Text: run.Source}, {Text: mech},
			{Text: beh}, {Text: run.Start}, {Text: run.Horizon}, {Text: run.SampleEvery}})
	}
	s.Blocks = append(s.Blocks, html.Block{Table: t})
	tok := &html.Table{ID: "tokenomics-table", Caption: "Tokenomics of each scenario", Header: []string{"label", "tokenomics"}}
	for i, run := range in.runs {
		if b := in.briefs[i]; b != nil && len(b.Tokenomics) > 0 {
			tok.Rows = append(tok.Rows, []html.Cell{{Text: run.Name}, {Text: strings.Join(b.Tokenomics, "; ")}})
		}
	}
	if len(tok.Rows) > 0 {
		s.Blocks = append(s.Blocks, html.Block{Table: tok})
	}
	coh := &html.Table{ID: "cohorts-table", Caption: "Provider cohorts of each scenario and their bidders' strategy",
		Header: []string{"label", "cohort", "kind", "bid strategy", "providers at start", "GPUs per provider"}}
	for i, run := range in.runs {
		if b := in.briefs[i]; b != nil {
			for k, p := range b.Providers {
				label := ""
				if k == 0 {
					label = run.Name
				}
				coh.Rows = append(coh.Rows, []html.Cell{{Text: label}, {Text: p.Name}, {Text: p.Kind}, {Text: p.Strategy}, {Text: strconv.Itoa(p.Count), Class: "num"}, {Text: p.GPUs}})
			}
		}
	}
	if len(coh.Rows) > 0 {
		s.Blocks = append(s.Blocks, html.Block{Table: coh})
	}
	if len(in.man.Notes) > 0 {
		notes := make([]string, len(in.man.Notes))
		for i, n := range in.man.Notes {
			notes[i] = strings.ReplaceAll(n, "`", "") // written for compare.md
		}
		s.Blocks = append(s.Blocks, html.Block{Para: "Overrides for the comparison:"}, html.Block{List: notes})
	}
	var links []html.Link
	for i, run := range in.runs {
		if in.links[i] {
			links = append(links, html.Link{Text: run.Name + ": its run report (every chart of one scenario)", Href: run.Name + "/" + ReportFile})
		}
	}
	if len(links) > 0 {
		s.Blocks = append(s.Blocks, html.Block{Para: "Each scenario's run folder holds its own report:"}, html.Block{Links: links})
	}
	return s
}

func (in *compareReport) provenanceSection() html.Section {
	man := in.man
	rows := [][2]string{
		{"tool and version", man.Tool + " " + man.Version},
		{"Go", man.GoVersion},
		{"command", shellJoin(man.Command)},
		{"master seed", fmt.Sprintf("%d, common to every scenario (%s)", man.MasterSeed, man.SeedDerivation)},
		{"replications", strconv.Itoa(man.Replications) + " per scenario"},
	}
	t := &html.Table{ID: "provenance-table", Header: []string{"", ""}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []html.Cell{{Text: r[0]}, {Text: r[1]}})
	}
	scs := &html.Table{ID: "scenario-hashes", Caption: "Each scenario's source and resolved scenario.toml", Header: []string{"label", "scenario", "scenario file", "scenario.toml SHA-256", "events"}}
	for _, sc := range man.Scenarios {
		scs.Rows = append(scs.Rows, []html.Cell{{Text: sc.Name}, {Text: sc.Scenario}, {Text: sc.ScenarioFile}, {Text: sc.ScenarioSHA256}, {Text: strconv.FormatUint(sc.EventsTotal, 10), Class: "num"}})
	}
	blocks := []html.Block{{Table: t}, {Table: scs}}
	if len(in.mans) > 0 && in.mans[0] != nil {
		seeds := &html.Table{ID: "replications", Caption: "Replication seeds (the same in every scenario)", Header: []string{"rep", "seed"}}
		for _, ri := range in.mans[0].Replications {
			seeds.Rows = append(seeds.Rows, []html.Cell{{Text: strconv.Itoa(ri.Rep), Class: "num"}, {Text: strconv.FormatUint(ri.Seed, 10), Class: "num"}})
		}
		blocks = append(blocks, html.Block{Table: seeds})
	}
	blocks = append(blocks, html.Block{Para: "The data behind this report are in the same folder: compare.csv (every figure with more digits), compare.md, manifest.json and one run folder per scenario (its scenario.toml reproduces it)."})
	return html.Section{ID: "provenance", Title: "Provenance", Blocks: blocks}
}

// differencesSection is the paired-difference table: the rows of
// compare.md (one table per metric group), each scenario's mean and 95%
// CI and, after the first, its paired difference to the first.
func (in *compareReport) differencesSection() html.Section {
	runs := in.runs
	s := html.Section{ID: "differences", Title: "Paired differences"}
	first := runs[0].Name
	s.Blocks = append(s.Blocks, html.Block{Para: fmt.Sprintf("Every scenario runs with the same master seed, so replication r of every scenario uses the same seed. "+
		"\"diff vs %s\" is, for each replication, the scenario's value minus %s's in the same replication, averaged over the replications, "+
		"with a 95%% Student-t confidence interval on those paired differences (n-1 degrees of freedom). * marks a difference whose interval excludes 0. "+
		"Every figure, with more digits, is in compare.csv.", first, first)})
	if n := in.man.Replications; n > 0 && n < smallN {
		s.Blocks = append(s.Blocks, html.Block{Warning: fmt.Sprintf("%s per scenario: fewer than %d, so the 95%% confidence intervals are wide and unreliable (a t interval from so few values can even cross zero for a quantity that cannot be negative). Run more replications (--reps) for intervals to trust.", replications(n), smallN)})
	}
	if horizonsDiffer(runs) {
		s.Blocks = append(s.Blocks, html.Block{Para: "The scenarios' horizons or sampling differ: final values are at the end of each scenario's own run, and means over time over each scenario's own run."})
	}
	for gi, g := range reportGroups(runs) {
		t := &html.Table{ID: fmt.Sprintf("differences-%d", gi+1), Caption: g.title,
			Header: []string{"metric", "statistic", "unit", "scenario", "mean", "95% CI", "n", "diff vs " + first, "95% CI of diff", "CI excludes 0"}}
		for _, f := range g.figs {
			if !g.shown(f, runs) {
				continue
			}
			for i, row := range compareRows(runs, f) {
				name, stat, unit := f.name(), f.statistic(), f.unit()
				if i > 0 {
					name, stat, unit = "", "", ""
				}
				ci := "n/a"
				if row.Stat.N > 0 {
					ci = "[" + fmtNum(float64(row.Stat.CILow)) + ", " + fmtNum(float64(row.Stat.CIHigh)) + "]"
				}
				diff, dci, mark := "", "", ""
				if row.Diff != nil {
					d := *row.Diff
					diff, dci = "n/a", "n/a"
					if d.N > 0 {
						diff = fmtSigned(float64(d.Mean))
						dci = "[" + fmtSigned(float64(d.CILow)) + ", " + fmtSigned(float64(d.CIHigh)) + "]"
						if Significant(d) {
							mark = "*"
						}
					}
				}
				t.Rows = append(t.Rows, []html.Cell{{Text: name}, {Text: stat}, {Text: unit}, {Text: row.Scenario},
					{Text: fmtNum(float64(row.Stat.Mean)), Class: "num"}, {Text: ci, Class: "num"}, {Text: strconv.Itoa(row.Stat.N), Class: "num"},
					{Text: diff, Class: "num"}, {Text: dci, Class: "num"}, {Text: mark}})
			}
		}
		if len(t.Rows) > 0 {
			s.Blocks = append(s.Blocks, html.Block{Table: t})
		}
	}
	return s
}

func (in *compareReport) checksSection() html.Section {
	s := html.Section{ID: "checks", Title: "Invariants and assertions"}
	for i, run := range in.runs {
		m := in.mans[i]
		if m == nil {
			s.Blocks = append(s.Blocks, html.Block{Para: run.Name + ": its run folder has no readable manifest.json."})
			continue
		}
		s.Blocks = append(s.Blocks, checksBlocks(m.Checks, fmt.Sprintf("checks-%d", i+1), run.Name+": ")...)
	}
	return s
}

// compareChartIDs names the HTML ids of CompareCharts' charts.
func compareChartID(file string) string {
	return "chart-" + strings.ReplaceAll(file, "_", "-")
}

// chartsSection draws CompareCharts: one line per scenario in its own
// colour and dash pattern (Style: its position), each with its 95% CI
// band clipped to the quantity's range; a chart where one scenario's
// peak exceeds another's more than smallMultiplesRatio times (not
// fractions: their common 0..1 scale is the point) becomes one chart per
// scenario with its own y scale.
func (in *compareReport) chartsSection() (html.Section, error) {
	s := html.Section{ID: "charts", Title: "Charts"}
	// scenarios starting on different dates share an axis of days since
	// each one's start, as the PNG charts do
	days := slices.ContainsFunc(in.runs, func(r CompareRun) bool { return r.Start != in.runs[0].Start })
	if days {
		s.Blocks = append(s.Blocks, html.Block{Para: "The scenarios start on different dates: the charts' x axis is the number of days since each scenario's own start."})
	}
	for _, cc := range CompareCharts(in.runs) {
		title, sub, _ := strings.Cut(cc.Title, "\n")
		caption := sub + "; lines: means, bands: 95% confidence intervals clipped to the quantity's range."
		if in.man.Replications < 2 {
			caption = sub + "; one replication: no confidence band."
		}
		lines := make([]chartLine, 0, len(cc.Lines))
		for _, l := range cc.Lines {
			lines = append(lines, in.chartLine(l, cc, days))
		}
		id := compareChartID(cc.File)
		multi, why := smallMultiples(cc, lines)
		if !multi {
			c := mergedChart(id, title, cc.YLabel, caption, lines)
			if days {
				c.XLabel = cc.XLabel
			}
			if svg := in.svgs[cc.File+".svg"]; svg != "" {
				c.FallbackSVG = svg
			} else {
				c.Fallback = "This interactive chart needs JavaScript; the same chart is in plots/" + cc.File + ".svg."
			}
			reduceChart(c)
			s.Blocks = append(s.Blocks, html.Block{Chart: c})
			continue
		}
		s.Blocks = append(s.Blocks, html.Block{Para: title + ": " + why})
		for k, l := range lines {
			c := mergedChart(fmt.Sprintf("%s-%d", id, k+1), title+": "+l.name, cc.YLabel, caption+" Its own y scale (small multiples).", []chartLine{l})
			if days {
				c.XLabel = cc.XLabel
			}
			c.Fallback = "This interactive chart needs JavaScript; all scenarios on one axis are in plots/" + cc.File + ".svg."
			reduceChart(c)
			s.Blocks = append(s.Blocks, html.Block{Chart: c})
		}
	}
	return s, nil
}

// chartLine is one scenario's line of a comparison chart, on the time
// axis of the report (seconds since 1970).
type chartLine struct {
	name          string
	style         int
	x             []float64
	mean, lo, hi  []float64
	peak          float64 // largest absolute value of the mean; 0: none
	hasData, band bool
}

// chartLine returns the line l of cc on the report's time axis (days:
// in days since the scenario's start, else in seconds since 1970).
func (in *compareReport) chartLine(l CompareLine, cc CompareChart, days bool) chartLine {
	run := in.runs[l.Index]
	start, unit := startUnix(run.Start), 86400.0
	if days {
		start, unit = 0, 1
	}
	b := l.Band
	dlo, dhi := math.Inf(-1), math.Inf(1)
	if cc.YMin0 {
		dlo = 0
	}
	if cc.YMax1 {
		dhi = 1
	}
	out := chartLine{name: l.Name, style: l.Index%len(html.Palette) + 1, x: make([]float64, len(b.X)),
		mean: b.Mean, lo: make([]float64, len(b.X)), hi: make([]float64, len(b.X))}
	for i, d := range b.X {
		out.x[i] = start + d*unit
		if !days {
			out.x[i] = start + math.Round(d*unit)
		}
		lo, hi := b.Lo[i], b.Hi[i]
		out.lo[i] = math.Min(math.Max(lo, dlo), dhi)
		out.hi[i] = math.Max(math.Min(hi, dhi), dlo)
		if v := b.Mean[i]; isFinite(v) {
			out.hasData = true
			out.peak = math.Max(out.peak, math.Abs(v))
		}
		if isFinite(lo) && isFinite(hi) && hi > lo {
			out.band = true
		}
	}
	return out
}

// smallMultiples says whether chart cc is drawn as small multiples (the
// rule of NeedsMultiples, which set cc.Multiples) and returns the
// sentence that says why, naming the largest and smallest peaks.
func smallMultiples(cc CompareChart, lines []chartLine) (bool, string) {
	if !cc.Multiples {
		return false, ""
	}
	lo, hi := math.Inf(1), 0.0
	var loName, hiName string
	for _, l := range lines {
		if !l.hasData || l.peak == 0 {
			continue
		}
		if l.peak < lo {
			lo, loName = l.peak, l.name
		}
		if l.peak > hi {
			hi, hiName = l.peak, l.name
		}
	}
	return true, fmt.Sprintf("one chart per scenario, each with its own y scale (small multiples): the largest value of %s's line (%s) is %s times that of %s (%s), more than %d times, so on one axis the smaller lines would be flat. The rule: small multiples when the largest scenario peak (largest absolute value of its mean line) exceeds the smallest non-zero one more than %d times; never for fractions.",
		hiName, fmtNum(hi), fmtNum(hi/lo), loName, fmtNum(lo), MultiplesRatio, MultiplesRatio)
}

// mergedChart puts lines on one time axis: the sorted union of their
// times, each line NaN at the times it does not have (joined across
// them when the lines' times differ).
func mergedChart(id, title, ylabel, caption string, lines []chartLine) *html.Chart {
	var xs []float64
	for _, l := range lines {
		xs = append(xs, l.x...)
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	c := &html.Chart{ID: id, Title: title, YLabel: ylabel, Caption: caption, X: xs}
	at := make(map[float64]int, len(xs))
	for i, x := range xs {
		at[x] = i
	}
	for _, l := range lines {
		if len(l.x) != len(xs) {
			c.SpanGaps = true
		}
		put := func(v []float64) []float64 {
			out := make([]float64, len(xs))
			for i := range out {
				out[i] = math.NaN()
			}
			for i, x := range l.x {
				out[at[x]] = v[i]
			}
			return out
		}
		se := html.Series{Name: l.name, Values: put(l.mean), Style: l.style}
		if l.band {
			se.Lo, se.Hi = put(l.lo), put(l.hi)
		}
		c.Series = append(c.Series, se)
	}
	return c
}
