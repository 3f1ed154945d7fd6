package reports

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/depinsim/depinsim/reports/html"
)

// Thresholds beyond which a sensitivity report warns that an output's
// indices cannot be read.
const (
	// NoiseShareWarn is the share of seed noise in the variance of single
	// runs' values above which an output's indices mostly measure noise.
	NoiseShareWarn = 0.5
	// STWidthWarn is the width of an ST confidence interval above which
	// the index is unreadable (ST lies in [0, 1]).
	STWidthWarn = 0.3
	// MuStarWidthWarn is the width of a mu* confidence interval, relative
	// to the output's largest mu*, above which the index is unreadable.
	MuStarWidthWarn = 0.5
	// maxListed is the most failed runs a report lists.
	maxListed = 20
)

// ciText formats an interval "[lo, hi]", "n/a" when a bound is missing.
func ciText(lo, hi float64) string {
	if !isFinite(lo) || !isFinite(hi) {
		return "n/a"
	}
	return "[" + fmtNum(lo) + ", " + fmtNum(hi) + "]"
}

// profileText writes a parameter's profile interval, each end that the
// profile left open marked "(open)".
func profileText(p CalibrationParam) string {
	if !isFinite(p.Lo) || !isFinite(p.Hi) {
		return "n/a"
	}
	lo, hi := fmtNum(p.Lo), fmtNum(p.Hi)
	if p.LoOpen {
		lo = "(open) " + lo
	}
	if p.HiOpen {
		hi += " (open)"
	}
	return "[" + lo + ", " + hi + "]"
}

// numCell is a right-aligned figure.
func numCell(v float64) html.Cell { return html.Cell{Text: fmtNum(v), Class: "num"} }

// provenanceTable is the provenance of an analysis as a table.
func provenanceTable(p AnalysisProvenance, fileKind string) *html.Table {
	set := strings.Join(p.Set, "; ")
	if set == "" {
		set = "none"
	}
	rows := [][2]string{
		{fileKind + " file", p.File},
		{fileKind + " file SHA-256", p.SHA256},
		{"base scenario", p.Base},
		{"base scenario SHA-256", p.BaseSHA256},
		{"tool version", p.ToolVersion},
		{"set at every run", set},
		{"master seed", strconv.FormatInt(p.MasterSeed, 10)},
		{"seeds", p.SeedDerivation},
		{"replications", strconv.Itoa(p.Replications)},
	}
	t := &html.Table{ID: "provenance-table", Header: []string{"", ""}}
	for _, row := range rows {
		t.Rows = append(t.Rows, []html.Cell{{Text: row[0]}, {Text: row[1]}})
	}
	return t
}

// failedBlock lists the failed runs (at most maxListed) as a warning.
func failedBlock(failed []string) []html.Block {
	if len(failed) == 0 {
		return nil
	}
	shown := failed[:min(len(failed), maxListed)]
	text := fmt.Sprintf("%d run(s) failed and are left out by the missing-value policy: %s", len(failed), strings.Join(shown, "; "))
	if len(failed) > len(shown) {
		text += fmt.Sprintf("; and %d more", len(failed)-len(shown))
	}
	return []html.Block{{Warning: text}}
}

// figureOf draws c as a static figure (the PNG of plots/) with the
// given id.
func figureOf(c analysisChart, id string) (*html.Figure, error) {
	b, err := c.bytes("png")
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", c.File, err)
	}
	return &html.Figure{ID: id, Title: c.Title, Caption: c.Caption, PNG: b, Width: int(plotWidth.Dots(96))}, nil
}

// WriteSensitivityReport writes dir/report.html for a sensitivity
// analysis, atomically, from r alone: a summary of the design, the
// factors, a section per output (its charts as static figures, the PNG images of plots/, a
// table of its indices with their intervals, its noise share, warnings
// when the noise or an interval makes an index unreadable, and its
// convergence as an interactive chart and a table) and the provenance.
func WriteSensitivityReport(dir string, r *SensitivityReport) error {
	rep, err := r.build()
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, ReportFile), rep.Render)
}

func (r *SensitivityReport) methodName() string {
	if r.sobol() {
		return "Sobol indices"
	}
	return "Morris elementary effects"
}

func (r *SensitivityReport) build() (*html.Report, error) {
	reps := r.Provenance.Replications
	rep := &html.Report{
		Title: "depinsim sensitivity: " + r.Name,
		Subtitle: fmt.Sprintf("%s of %d output(s) to %d factor(s) of %s: %d points × %s = %d runs, master seed %d",
			r.methodName(), len(r.Outputs), len(r.Factors), r.Provenance.Base, r.Points, replications(reps), r.Runs, r.Provenance.MasterSeed),
	}
	rep.Sections = append(rep.Sections, r.summarySection(), r.factorsSection())
	charts := r.charts()
	for k, o := range r.Outputs {
		s, err := r.outputSection(k, o, charts)
		if err != nil {
			return nil, err
		}
		rep.Sections = append(rep.Sections, s)
	}
	rep.Sections = append(rep.Sections, html.Section{ID: "provenance", Title: "Provenance", Blocks: []html.Block{
		{Table: provenanceTable(r.Provenance, "analysis")},
		{Para: "The data behind this page are in the same folder: " + SensitivityDataFile + " (everything on this page; 'depinsim report' rebuilds the page and the charts from it) and plots/ (each chart as PNG and SVG)."},
	}})
	return rep, nil
}

func (r *SensitivityReport) summarySection() html.Section {
	missing := map[string]string{
		"refuse": "refuse (any failed run stops the analysis)",
		"drop":   "drop (a block with a failed run is left out of the estimates)",
		"rerun":  "rerun (a failed run is run again with other seeds)",
	}[r.Missing]
	if missing == "" {
		missing = r.Missing
	}
	conf := pct(r.Confidence)
	if conf == "" {
		conf = "n/a"
	}
	items := []string{
		"Method: " + r.methodName() + " (" + r.Method + ")",
		"Design: " + r.Design,
		fmt.Sprintf("Points: %d; replications per point: %d; runs: %d (%d failed)", r.Points, r.Provenance.Replications, r.Runs, len(r.Failed)),
		"Missing values: " + missing,
		"Confidence level of the bootstrap intervals: " + conf,
	}
	s := html.Section{ID: "summary", Title: "Summary", Blocks: []html.Block{{List: items}}}
	if r.sobol() {
		s.Blocks = append(s.Blocks, html.Block{Para: "How to read: a factor's total-effect index ST is the share of an output's variance that would go away if the factor were fixed; its first-order index S1 the share due to the factor alone. ST near 0: the factor does not matter (over its range here). ST well above S1: the factor acts through interactions with others."})
	} else {
		s.Blocks = append(s.Blocks, html.Block{Para: "How to read: mu* is the mean absolute change of an output when a factor moves across its whole range, one factor at a time, from points spread over the others' ranges; sigma the spread of those changes. mu* near 0: the factor does not matter (over its range here). sigma large against mu*: its effect depends on the other factors (nonlinear or interacting)."})
	}
	s.Blocks = append(s.Blocks, failedBlock(r.Failed)...)
	return s
}

func (r *SensitivityReport) factorsSection() html.Section {
	t := &html.Table{ID: "factors-table", Caption: "The factors: scenario key paths varied, each over its distribution", Header: []string{"factor (key path)", "distribution"}}
	for _, f := range r.Factors {
		t.Rows = append(t.Rows, []html.Cell{{Text: f.Key}, {Text: f.Dist}})
	}
	return html.Section{ID: "factors", Title: "Factors", Blocks: []html.Block{{Table: t}}}
}

// outputWarnings are the warnings of output o: noise, wide intervals,
// missing intervals.
func (r *SensitivityReport) outputWarnings(o SensitivityOutput) []html.Block {
	var out []html.Block
	if isFinite(o.NoiseShare) && o.NoiseShare > NoiseShareWarn {
		out = append(out, html.Block{Warning: fmt.Sprintf("Seed noise is %.0f%% of the variance of single runs' values of %s, more than %.0f%%: its indices mostly measure noise and cannot be read. Run more replications per point, or choose a statistic over a longer window.",
			100*o.NoiseShare, o.Name, 100*NoiseShareWarn)})
	}
	var wide, none []string
	top := 0.0
	for _, x := range o.Indices {
		if isFinite(x.MuStar) {
			top = math.Max(top, x.MuStar)
		}
	}
	for _, x := range o.Indices {
		v, lo, hi := r.mainIndex(x)
		switch {
		case !isFinite(v):
			none = append(none, x.Factor)
		case !isFinite(lo) || !isFinite(hi):
			none = append(none, x.Factor)
		case r.sobol() && hi-lo > STWidthWarn:
			wide = append(wide, fmt.Sprintf("%s (ST in %s)", x.Factor, ciText(lo, hi)))
		case !r.sobol() && top > 0 && hi-lo > MuStarWidthWarn*top:
			wide = append(wide, fmt.Sprintf("%s (mu* in %s)", x.Factor, ciText(lo, hi)))
		}
	}
	if len(wide) > 0 {
		limit := fmt.Sprintf("wider than %g", STWidthWarn)
		if !r.sobol() {
			limit = fmt.Sprintf("wider than %g times the largest mu*", MuStarWidthWarn)
		}
		out = append(out, html.Block{Warning: fmt.Sprintf("The %s of %d factor(s) cannot be read: its confidence interval is %s: %s. Increase N (base rows or trajectories) or the replications.",
			r.mainName(), len(wide), limit, strings.Join(wide, "; "))})
	}
	if len(none) > 0 {
		out = append(out, html.Block{Warning: fmt.Sprintf("No %s or no confidence interval for: %s.", r.mainName(), strings.Join(none, "; "))})
	}
	return out
}

func (r *SensitivityReport) outputSection(k int, o SensitivityOutput, charts []analysisChart) (html.Section, error) {
	s := html.Section{ID: fmt.Sprintf("output-%d", k+1), Title: "Output: " + o.Name}
	label := o.Label
	if label == "" {
		label = o.Name
	}
	unit := o.Unit
	if unit == "" {
		unit = "no unit"
	}
	s.Blocks = append(s.Blocks, html.Block{Para: fmt.Sprintf("%s (%s): mean %s, variance %s over the design points (of each point's mean over its replications).",
		label, unit, fmtNum(o.Mean), fmtNum(o.Variance))})
	noise := "Seed noise: n/a (one replication per point: the share of noise cannot be told)."
	if isFinite(o.NoiseShare) {
		noise = fmt.Sprintf("Seed noise: %.1f%% of the variance of single runs' values comes from the seed (within a point), the rest from the factors.", 100*o.NoiseShare)
	}
	s.Blocks = append(s.Blocks, html.Block{Para: noise})
	if o.Dropped > 0 || o.Rerun > 0 {
		s.Blocks = append(s.Blocks, html.Block{Para: fmt.Sprintf("Missing values: %d %s dropped, %d run(s) rerun with other seeds.", o.Dropped, r.unitName(), o.Rerun)})
	}
	s.Blocks = append(s.Blocks, r.outputWarnings(o)...)

	mine := r.outputCharts(k, charts)
	for j, c := range mine {
		if strings.HasSuffix(c.File, "_convergence") {
			continue
		}
		f, err := figureOf(c, fmt.Sprintf("figure-%d-%d", k+1, j+1))
		if err != nil {
			return s, err
		}
		s.Blocks = append(s.Blocks, html.Block{Figure: f})
	}
	s.Blocks = append(s.Blocks, html.Block{Table: r.indicesTable(k, o)})
	for _, c := range mine {
		if !strings.HasSuffix(c.File, "_convergence") {
			continue
		}
		ch, err := r.convergenceChart(k, o, c)
		if err != nil {
			return s, err
		}
		s.Blocks = append(s.Blocks, html.Block{Chart: ch})
	}
	if len(o.Convergence) > 0 {
		s.Blocks = append(s.Blocks, html.Block{Table: r.convergenceTable(k, o)})
	}
	return s, nil
}

// outputCharts returns the charts of output k among charts (in the
// order of r.charts()).
func (r *SensitivityReport) outputCharts(k int, charts []analysisChart) []analysisChart {
	i := 0
	for j, o := range r.Outputs {
		n := 1
		if !r.sobol() {
			n++
		}
		if len(o.Convergence) >= 2 {
			n++
		}
		if j == k {
			return charts[i : i+n]
		}
		i += n
	}
	return nil
}

func (r *SensitivityReport) indicesTable(k int, o SensitivityOutput) *html.Table {
	conf := pct(r.Confidence)
	if conf == "" {
		conf = "bootstrap"
	}
	t := &html.Table{ID: fmt.Sprintf("indices-%d", k+1)}
	if r.sobol() {
		t.Caption = "Sobol indices of " + o.Name + ", factors by decreasing ST, with " + ciName(r.Confidence) + "s; ST - S1 is the share of the variance due to the factor's interactions"
		t.Header = []string{"rank", "factor", "ST", conf + " CI of ST", "S1", conf + " CI of S1", "ST - S1"}
	} else {
		t.Caption = "Morris indices of " + o.Name + " (" + morrisUnit(o) + "), factors by decreasing mu*, with " + ciName(r.Confidence) + "s"
		t.Header = []string{"rank", "factor", "mu*", conf + " CI of mu*", "mu", conf + " CI of mu", "sigma", conf + " CI of sigma"}
	}
	for rank, i := range r.ranked(o) {
		x := o.Indices[i]
		row := []html.Cell{{Text: strconv.Itoa(rank + 1), Class: "num"}, {Text: x.Factor}}
		if r.sobol() {
			row = append(row, numCell(x.ST), html.Cell{Text: ciText(x.STLo, x.STHi), Class: "num"},
				numCell(x.S1), html.Cell{Text: ciText(x.S1Lo, x.S1Hi), Class: "num"}, numCell(x.ST-x.S1))
		} else {
			row = append(row, numCell(x.MuStar), html.Cell{Text: ciText(x.MuStarLo, x.MuStarHi), Class: "num"},
				numCell(x.Mu), html.Cell{Text: ciText(x.MuLo, x.MuHi), Class: "num"},
				numCell(x.Sigma), html.Cell{Text: ciText(x.SigmaLo, x.SigmaHi), Class: "num"})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// convergenceChart is the interactive convergence chart of output k:
// each factor's main index against N.
func (r *SensitivityReport) convergenceChart(k int, o SensitivityOutput, c analysisChart) (*html.Chart, error) {
	ch := &html.Chart{ID: fmt.Sprintf("chart-convergence-%d", k+1), Title: c.Title, Caption: c.Caption,
		XLabel: "N (" + r.unitName() + ")"}
	if r.sobol() {
		ch.YLabel = "ST (share of variance)"
	} else {
		ch.YLabel = "mu* (" + morrisUnit(o) + ")"
	}
	// the rows' N, increasing, each once
	var ns []float64
	for _, cv := range o.Convergence {
		ns = append(ns, float64(cv.N))
	}
	slices.Sort(ns)
	ns = slices.Compact(ns)
	ch.X = ns
	for f, x := range o.Indices {
		se := html.Series{Name: x.Factor, Style: f%len(html.Palette) + 1, Values: nanSlice(len(ns))}
		for _, cv := range o.Convergence {
			if f < len(cv.Indices) {
				i, _ := slices.BinarySearch(ns, float64(cv.N))
				se.Values[i], _, _ = r.mainIndex(cv.Indices[f])
			}
		}
		ch.Series = append(ch.Series, se)
	}
	svg, err := c.svg()
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", c.File, err)
	}
	ch.FallbackSVG = svg
	ch.Caption += " Drag across the chart to zoom in on a range of N; the table below holds the figures."
	return ch, nil
}

func (r *SensitivityReport) convergenceTable(k int, o SensitivityOutput) *html.Table {
	name := r.mainName()
	t := &html.Table{ID: fmt.Sprintf("convergence-%d", k+1),
		Caption: fmt.Sprintf("Convergence of %s for %s: each factor's %s (and %s) estimated on the first N %s", name, o.Name, name, ciName(r.Confidence), r.unitName()),
		Header:  []string{"N"}}
	for _, x := range o.Indices {
		t.Header = append(t.Header, x.Factor)
	}
	for _, cv := range o.Convergence {
		row := []html.Cell{{Text: strconv.Itoa(cv.N), Class: "num"}}
		for f := range o.Indices {
			text := "n/a"
			if f < len(cv.Indices) {
				v, lo, hi := r.mainIndex(cv.Indices[f])
				text = fmtNum(v)
				if isFinite(lo) && isFinite(hi) {
					text += " " + ciText(lo, hi)
				}
			}
			row = append(row, html.Cell{Text: text, Class: "num"})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// WriteCalibrationReport writes dir/report.html for a calibration,
// atomically, from r alone: a summary (search, evaluations, objective on
// the search and on the check seeds), the targets (table and chart), the
// parameters (table and chart), the objective's history (an interactive
// chart) and the provenance.
func WriteCalibrationReport(dir string, r *CalibrationReport) error {
	rep, err := r.build()
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, ReportFile), rep.Render)
}

// abcReference returns the 95% quantile of chi-square with n degrees of
// freedom: the distance within which the simulated means of n targets
// would fall 95% of the time were the targets' standard errors the only
// noise.
func abcReference(n int) float64 {
	if n < 1 {
		return math.NaN()
	}
	return distuv.ChiSquared{K: float64(n)}.Quantile(0.95)
}

// metCount returns how many targets are met.
func (r *CalibrationReport) metCount() int {
	n := 0
	for _, t := range r.Targets {
		if t.Met {
			n++
		}
	}
	return n
}

func (r *CalibrationReport) build() (*html.Report, error) {
	charts := r.charts()
	rep := &html.Report{
		Title: "depinsim calibrate: " + r.Name,
		Subtitle: fmt.Sprintf("%d parameter(s) of %s fitted to %d target(s): %d of %d met, %d evaluations, master seed %d",
			len(r.Params), r.Provenance.Base, len(r.Targets), r.metCount(), len(r.Targets), r.Evaluations, r.Provenance.MasterSeed),
	}
	rep.Sections = append(rep.Sections, r.summarySection())
	targets, err := r.targetsSection(charts[0])
	if err != nil {
		return nil, err
	}
	params, err := r.paramsSection(charts[2])
	if err != nil {
		return nil, err
	}
	objective, err := r.objectiveSection(charts[1])
	if err != nil {
		return nil, err
	}
	rep.Sections = append(rep.Sections, targets, params, objective, html.Section{ID: "provenance", Title: "Provenance", Blocks: []html.Block{
		{Table: provenanceTable(r.Provenance, "calibration")},
		{Para: "The data behind this page are in the same folder: " + CalibrationDataFile + " (everything on this page; 'depinsim report' rebuilds the page and the charts from it) and plots/ (each chart as PNG and SVG)."},
	}})
	return rep, nil
}

func (r *CalibrationReport) summarySection() html.Section {
	items := []string{
		"Search: " + r.Search,
		fmt.Sprintf("Objective evaluations: %d", r.Evaluations),
		fmt.Sprintf("Objective at the start: %s; at the fitted parameters: %s on the search seeds, %s on the check seeds (fresh seeds, %s)", fmtNum(r.StartObjective), fmtNum(r.Objective), fmtNum(r.CheckObjective), replications(r.Provenance.Replications)),
		fmt.Sprintf("Targets met: %d of %d", r.metCount(), len(r.Targets)),
	}
	s := html.Section{ID: "summary", Title: "Summary", Blocks: []html.Block{{List: items},
		{Para: "The objective sums each target's squared error (simulated - observed) in units of its standard error or tolerance; lower is better. The fitted parameters are checked on fresh seeds, so that a point favoured by the noise of the search seeds does not pass for a fit."}}}
	if isFinite(r.Objective) && isFinite(r.CheckObjective) && r.CheckObjective > 2*r.Objective && r.CheckObjective-r.Objective > 1 {
		s.Blocks = append(s.Blocks, html.Block{Warning: fmt.Sprintf("The objective on the check seeds (%s) is more than twice that on the search seeds (%s): the fit owes much to the search seeds' noise. Use more replications.", fmtNum(r.CheckObjective), fmtNum(r.Objective))})
	}
	var missed []string
	for _, t := range r.Targets {
		if !t.Met {
			missed = append(missed, t.Name)
		}
	}
	if len(missed) > 0 {
		s.Blocks = append(s.Blocks, html.Block{Warning: fmt.Sprintf("%d target(s) not met: %s.", len(missed), strings.Join(missed, ", "))})
	}
	if r.ABCSamples > 0 {
		s.Blocks[0].List = append(s.Blocks[0].List, fmt.Sprintf("Approximate posterior: %d of %d draws accepted, epsilon %s (the distance's 95%% quantile if the targets' errors were the only noise: %s)",
			r.ABCAccepted, r.ABCSamples, fmtNum(r.ABCEpsilon), fmtNum(abcReference(len(r.Targets)))))
		switch {
		case r.ABCAccepted == 0:
			s.Blocks = append(s.Blocks, html.Block{Warning: fmt.Sprintf("No draw of the approximate Bayesian computation is within epsilon = %s: no posterior. Raise epsilon or the draws.", fmtNum(r.ABCEpsilon))})
		case r.ABCEpsilon > 10*abcReference(len(r.Targets)):
			s.Blocks = append(s.Blocks, html.Block{Warning: fmt.Sprintf("The approximate posterior's epsilon (%s) is more than ten times the 95%% quantile of chi-square with %d degree(s) of freedom (%s): its intervals are set by epsilon more than by the data, wider than the posterior. Use more draws or accept a smaller share.",
				fmtNum(r.ABCEpsilon), len(r.Targets), fmtNum(abcReference(len(r.Targets))))})
		}
	}
	return s
}

func (r *CalibrationReport) targetsSection(c analysisChart) (html.Section, error) {
	t := &html.Table{ID: "targets-table", Caption: "Each target: observed value and tolerance, simulated mean at the fitted parameters on the check seeds with its 95% CI, at the start, and whether it is met (|simulated - observed| <= tolerance)",
		Header: []string{"target", "statistic", "unit", "observed", "tolerance", "standard error", "simulated", "95% CI", "start", "error in tolerances", "met"}}
	for _, tg := range r.Targets {
		met := html.Cell{Text: "✓ met", Class: "pass"}
		if !tg.Met {
			met = html.Cell{Text: "✗ not met", Class: "fail"}
		}
		t.Rows = append(t.Rows, []html.Cell{{Text: tg.Name}, {Text: tg.Label}, {Text: tg.Unit},
			numCell(tg.Observed), numCell(tg.Tolerance), numCell(tg.Sigma), numCell(tg.Simulated),
			{Text: ciText(tg.SimLo, tg.SimHi), Class: "num"}, numCell(tg.Start), numCell(norm(tg, tg.Simulated)), met})
	}
	f, err := figureOf(c, "figure-targets")
	if err != nil {
		return html.Section{}, err
	}
	return html.Section{ID: "targets", Title: "Targets", Blocks: []html.Block{{Table: t}, {Figure: f}}}, nil
}

func (r *CalibrationReport) paramsSection(c analysisChart) (html.Section, error) {
	t := &html.Table{ID: "params-table", Caption: "The free parameters: bounds, scale of the search, starting and fitted value, profile interval (the values for which the objective rises by at most the report's threshold, the others fixed; an end marked 'open' is the last value profiled, where the objective had not yet risen that much), the screening's mu* of the objective (n/a without screening) and whether screening fixed it",
		Header: []string{"parameter (key path)", "lower bound", "upper bound", "scale", "start", "fitted", "profile interval", "screening mu*", "fixed"}}
	if r.ABCSamples > 0 {
		t.Caption += "; the approximate posterior's median and 95% interval (2.5% and 97.5% quantiles of the accepted draws)"
		t.Header = append(t.Header, "posterior median", "posterior 95% interval")
	}
	for _, p := range r.Params {
		scale, fixed := "linear", "no"
		if p.Log {
			scale = "log"
		}
		if p.Fixed {
			fixed = "yes (at its start)"
		}
		row := []html.Cell{{Text: p.Key}, numCell(p.Min), numCell(p.Max), {Text: scale},
			numCell(p.Start), numCell(p.Fitted), {Text: profileText(p), Class: "num"}, numCell(p.MuStar), {Text: fixed}}
		if r.ABCSamples > 0 {
			row = append(row, numCell(p.PostMedian), html.Cell{Text: ciText(p.PostLo, p.PostHi), Class: "num"})
		}
		t.Rows = append(t.Rows, row)
	}
	f, err := figureOf(c, "figure-params")
	if err != nil {
		return html.Section{}, err
	}
	sec := html.Section{ID: "parameters", Title: "Parameters", Blocks: []html.Block{{Table: t}, {Figure: f}}}
	if r.ABCSamples > 0 {
		sec.Blocks = append(sec.Blocks, html.Block{Para: fmt.Sprintf("Approximate Bayesian computation by rejection: %d parameter draws from the priors (uniform over a parameter's range on its scale when it has none), each run on the search seeds; the %d draws whose distance (the objective without the priors' terms) is at most epsilon = %s are accepted (posterior.csv). They sample the posterior given that the simulated means lie within that distance of the observed values: the smaller epsilon, the closer to the posterior of the data, the wider, the closer to the prior.",
			r.ABCSamples, r.ABCAccepted, fmtNum(r.ABCEpsilon))})
	}
	return sec, nil
}

func (r *CalibrationReport) objectiveSection(c analysisChart) (html.Section, error) {
	s := html.Section{ID: "objective", Title: "Objective history"}
	if len(r.History) == 0 {
		s.Blocks = append(s.Blocks, html.Block{Para: "No history was recorded."})
		return s, nil
	}
	var xs []float64
	for _, st := range r.History {
		xs = append(xs, float64(st.Evaluation))
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	var vals []float64
	for _, st := range r.History {
		vals = append(vals, st.Objective, st.Best)
	}
	lo, hi := finiteRange(vals)
	ch := &html.Chart{ID: "chart-objective", Title: c.Title, YLabel: "objective (lower is better)", XLabel: "objective evaluations", X: xs,
		YLog: lo <= hi && lo > 0}
	at := func(e int) int { i, _ := slices.BinarySearch(xs, float64(e)); return i }
	for k, ph := range phases(r.History) {
		se := html.Series{Name: phaseLabel(ph), Style: (k+1)%len(html.Palette) + 1, Values: nanSlice(len(xs)), Dots: true}
		for _, st := range r.History {
			if st.Phase == ph {
				se.Values[at(st.Evaluation)] = st.Objective
			}
		}
		ch.Series = append(ch.Series, se)
	}
	best := html.Series{Name: "best so far", Style: 1, Values: nanSlice(len(xs))}
	for _, st := range r.History {
		best.Values[at(st.Evaluation)] = st.Best
	}
	ch.Series = append(ch.Series, best)
	ch.Caption = c.Caption + " Drag across the chart to zoom in on a range of evaluations."
	svg, err := c.svg()
	if err != nil {
		return s, fmt.Errorf("render %s: %w", c.File, err)
	}
	ch.FallbackSVG = svg
	s.Blocks = append(s.Blocks, html.Block{Chart: ch})
	return s, nil
}
