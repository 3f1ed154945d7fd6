package reports

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/reports/html"
	"github.com/depinsim/depinsim/sim"
)

// SweepReportMaxRows is the most rows of runs.csv and of points.csv that
// a sweep's report.html shows; the report says how many it leaves out.
const SweepReportMaxRows = 200

// SweepReport is what a sweep's report.html is built from: its design
// and provenance (sweep.json) and the data of its plots (SweepPlotData,
// from points.csv). Like sweep.json it holds nothing of how the sweep was
// executed (command line, workers, resumes, shards: run.log.json), so
// that the page is the same whatever the workers and however the sweep
// was resumed or merged.
type SweepReport struct {
	// Base is the base scenario as the sweep file names it; BaseSHA256
	// the SHA-256 of its text, SweepSHA256 that of the sweep file.
	Base, BaseSHA256, SweepSHA256 string
	// ToolVersion is depinsim's version.
	ToolVersion string
	// Set lists the overrides applied to every point.
	Set []string
	// MasterSeed is the master seed; SeedDerivation how each run's seed
	// derives from it.
	MasterSeed     int64
	SeedDerivation string
	// Design is the design's name; Samples its number of points (lhs,
	// halton, random).
	Design  string
	Samples int
	// Points, Runs count the design; Failed lists the failed runs.
	Points, Runs int
	Failed       []string
	// PlotNotes says which plots are left out and why.
	PlotNotes []string
	// Statistics says, per metric name, which per-replication statistic
	// runs.csv holds.
	Statistics map[string]string
	// Plot holds the parameters' values per point and the chosen
	// metrics' means and 95% CI half-widths (points.csv).
	Plot *SweepPlotData
}

// WriteSweepReport writes dir/report.html, the sweep's HTML report, from
// r and, for its table of runs, the folder's runs.csv (at most
// SweepReportMaxRows rows).
func WriteSweepReport(dir string, r *SweepReport) error {
	rows, total, header, err := readHead(filepath.Join(dir, SweepRunsFile), SweepReportMaxRows)
	if err != nil {
		return err
	}
	rep := r.build(header, rows, total)
	return WriteFileAtomic(filepath.Join(dir, ReportFile), rep.Render)
}

// readHead reads the header and the first max records of a CSV file,
// and counts its records.
func readHead(path string, max int) (rows [][]string, total int, header []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err != nil {
		return nil, 0, nil, fmt.Errorf("read %s: %w", path, err)
	}
	header = slices.Clone(h)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, total, header, nil
		}
		if err != nil {
			return nil, 0, nil, fmt.Errorf("read %s: %w", path, err)
		}
		total++
		if len(rows) < max {
			rows = append(rows, slices.Clone(rec))
		}
	}
}

func (r *SweepReport) build(runsHeader []string, runs [][]string, totalRuns int) *html.Report {
	d := r.Plot
	keys := make([]string, len(d.Params))
	for i, p := range d.Params {
		keys[i] = p.Key
	}
	rep := &html.Report{
		Title:    "depinsim sweep: " + r.Base + " over " + strings.Join(keys, " × "),
		Subtitle: fmt.Sprintf("%s design, %d points × %s = %d runs, master seed %d", r.Design, r.Points, replications(d.Replications), r.Runs, r.MasterSeed),
	}
	rep.Sections = append(rep.Sections, r.designSection(), r.provenanceSection())
	rep.Sections = append(rep.Sections, r.responseSection())
	if d.heatmap() {
		rep.Sections = append(rep.Sections, r.heatmapSection())
	}
	// the runs' columns: point, parameters, rep, seed, status, error and
	// the plotted metrics
	var keep []int
	for i, h := range runsHeader {
		if i < 5+len(d.Params) || slices.ContainsFunc(d.Metrics, func(m SweepPlotMetric) bool { return m.Name == h }) {
			keep = append(keep, i)
		}
	}
	rep.Sections = append(rep.Sections, r.pointsSection(), runsSection(runsHeader, runs, totalRuns, keep))
	return rep
}

func (r *SweepReport) designSection() html.Section {
	d := r.Plot
	s := html.Section{ID: "design", Title: "Parameters and design"}
	items := []string{"Base scenario: " + r.Base, "Design: " + r.Design}
	if r.Samples > 0 {
		items = append(items, fmt.Sprintf("Samples: %d", r.Samples))
	}
	items = append(items, fmt.Sprintf("Points: %d; replications per point: %d; runs: %d (%d failed)", r.Points, d.Replications, r.Runs, len(r.Failed)))
	for _, set := range r.Set {
		items = append(items, "Set at every point: "+set)
	}
	s.Blocks = append(s.Blocks, html.Block{List: items})
	t := &html.Table{ID: "params-table", Caption: "The swept parameters", Header: []string{"parameter", "values", "distinct values", "scale"}}
	for _, p := range d.Params {
		lv, _ := levels(p)
		shown := lv
		more := ""
		if len(shown) > 12 {
			shown, more = shown[:12], fmt.Sprintf(", … (%d more)", len(lv)-12)
		}
		scale := "linear"
		switch {
		case p.Log:
			scale = "log"
		case !p.Numeric:
			scale = "not numbers: no response curve"
		}
		t.Rows = append(t.Rows, []html.Cell{{Text: p.Key}, {Text: strings.Join(shown, ", ") + more}, {Text: strconv.Itoa(len(lv)), Class: "num"}, {Text: scale}})
	}
	s.Blocks = append(s.Blocks, html.Block{Table: t})
	mt := &html.Table{ID: "metrics-table", Caption: "The metrics plotted against the parameters (each run's value in runs.csv is this statistic)", Header: []string{"metric", "unit", "per-run statistic"}}
	for _, m := range d.Metrics {
		mt.Rows = append(mt.Rows, []html.Cell{{Text: m.Name}, {Text: m.Unit}, {Text: r.Statistics[m.Name]}})
	}
	s.Blocks = append(s.Blocks, html.Block{Table: mt})
	if len(r.Failed) > 0 {
		s.Blocks = append(s.Blocks, html.Block{Warning: fmt.Sprintf("%d run(s) failed (runs.csv says why): %s", len(r.Failed), strings.Join(r.Failed, "; "))})
	}
	return s
}

func (r *SweepReport) provenanceSection() html.Section {
	rows := [][2]string{
		{"tool version", r.ToolVersion},
		{"base scenario SHA-256", r.BaseSHA256},
		{"sweep file SHA-256", r.SweepSHA256},
		{"master seed", strconv.FormatInt(r.MasterSeed, 10)},
		{"seeds", r.SeedDerivation},
	}
	t := &html.Table{ID: "provenance-table", Header: []string{"", ""}}
	for _, row := range rows {
		t.Rows = append(t.Rows, []html.Cell{{Text: row[0]}, {Text: row[1]}})
	}
	return html.Section{ID: "provenance", Title: "Provenance", Blocks: []html.Block{{Table: t},
		{Para: "The data behind this report are in the same folder: runs.csv and runs.parquet (one row per run, with its seed), points.csv (per point, each metric's mean and 95% CI half-width), sweep.toml (the sweep file), sweep.json and run.log.json (the command line, workers and wall time of each execution: what may differ between two runs of the same sweep, and so left out of this page)."}}}
}

// domainByName is the range metric name's values can take
// (metricDomain); the whole line for a name that is no metric.
func domainByName(name string) domain {
	for m := range sim.Metrics {
		if sim.Metrics[m].Name == name {
			lo, hi := metricDomain(m)
			return domain{lo, hi}
		}
	}
	return anyValue
}

// responseSection draws each metric against each numeric parameter, as
// WriteSweepPlots' METRIC-vs-PARAM charts: one line with its 95% CI band
// for one parameter; in a grid whose other parameters take at most
// MaxSweepSeries combinations, one line per combination; otherwise one
// dot per point.
func (r *SweepReport) responseSection() html.Section {
	d := r.Plot
	s := html.Section{ID: "responses", Title: "Response curves"}
	s.Blocks = append(s.Blocks, html.Block{Para: fmt.Sprintf("Each metric's mean over the %s of each point against a parameter's value, with its 95%% confidence interval (Student t) as a band clipped to the metric's range. Drag to zoom on the parameter's values.", replications(d.Replications))})
	if d.Replications > 0 && d.Replications < smallN {
		s.Blocks = append(s.Blocks, html.Block{Warning: fmt.Sprintf("%s per point: fewer than %d, so the 95%% confidence intervals are wide and unreliable.", replications(d.Replications), smallN)})
	}
	for _, n := range r.PlotNotes {
		s.Blocks = append(s.Blocks, html.Block{Para: n + "."})
	}
	drawn := false
	for mi, m := range d.Metrics {
		for pj, p := range d.Params {
			if !p.Numeric {
				continue
			}
			s.Blocks = append(s.Blocks, html.Block{Chart: r.responseChart(mi, m, pj, p)})
			drawn = true
		}
	}
	if !drawn {
		s.Blocks = append(s.Blocks, html.Block{Para: "No parameter takes numbers only: no response curve (the tables below hold every point)."})
	}
	return s
}

func (r *SweepReport) responseChart(mi int, m SweepPlotMetric, pj int, par SweepPlotParam) *html.Chart {
	d := r.Plot
	dom := domainByName(m.Name)
	c := &html.Chart{ID: fmt.Sprintf("chart-response-%d-%d", mi+1, pj+1), Title: m.Label + " against " + par.Key,
		YLabel: metricAxis(m), XLabel: par.Key, XLog: par.Log}
	ok := func(i int) bool { x := par.Values[i]; return isFinite(x) && (!par.Log || x > 0) }
	// group the points as sweepResponse does
	type group struct {
		name string
		idx  []int
	}
	var gs []group
	others := len(d.Params) > 1
	names, groups, grouped := responseGroups(d, pj, ok)
	for k := range names {
		gs = append(gs, group{name: names[k], idx: groups[k]})
	}
	if grouped {
		var xs []float64
		for _, g := range gs {
			for _, i := range g.idx {
				xs = append(xs, par.Values[i])
			}
		}
		slices.Sort(xs)
		xs = slices.Compact(xs)
		c.X = xs
		for k, g := range gs {
			name := g.name
			if !others {
				name = m.Label
			}
			se := html.Series{Name: name, Style: k%len(html.Palette) + 1, Values: nanSlice(len(xs)), Lo: nanSlice(len(xs)), Hi: nanSlice(len(xs))}
			for _, i := range g.idx {
				x, _ := slices.BinarySearch(xs, par.Values[i])
				mean, h := m.Mean[i], m.CI95[i]
				se.Values[x] = mean
				if isFinite(h) {
					se.Lo[x] = math.Min(math.Max(mean-h, dom.lo), dom.hi)
					se.Hi[x] = math.Max(math.Min(mean+h, dom.hi), dom.lo)
				}
			}
			c.Series = append(c.Series, se)
		}
		c.Caption = fmt.Sprintf("Mean of %s at each value of %s", m.Name, par.Key)
		if others {
			c.Caption += ", one line per combination of the other parameters' values (named in the legend)"
		}
		c.Caption += "; bands: 95% confidence intervals, clipped to the metric's range."
	} else {
		var idx []int
		for i := range par.Texts {
			if ok(i) {
				idx = append(idx, i)
			}
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(par.Values[a], par.Values[b]) })
		se := html.Series{Name: m.Label + " (one dot per point)", Style: 1, Dots: true}
		for _, i := range idx {
			c.X = append(c.X, par.Values[i])
			se.Values = append(se.Values, m.Mean[i])
		}
		c.Series = []html.Series{se}
		c.Caption = fmt.Sprintf("Mean of %s at each point against its value of %s, one dot per point (the other parameters vary too: no line joins them); each point's 95%% confidence interval is in the points table.", m.Name, par.Key)
	}
	if par.Log {
		c.Caption += " Log x axis (the values are spaced on a log scale)."
	}
	c.Fallback = "This interactive chart needs JavaScript; the same chart is in plots/ (PNG) and its data in points.csv."
	return c
}

// viridis is the viridis colour map (dark purple to yellow, colour-blind
// safe and increasing in lightness), at 11 evenly spaced stops.
var viridis = [][3]float64{{68, 1, 84}, {72, 36, 117}, {65, 68, 135}, {53, 95, 141}, {42, 120, 142}, {33, 145, 140},
	{34, 168, 132}, {68, 191, 112}, {122, 209, 81}, {189, 223, 38}, {253, 231, 37}}

// viridisAt returns the colour of t in [0, 1] as "#rrggbb" and a text
// colour that reads on it.
func viridisAt(t float64) (bg, fg string) {
	t = math.Min(math.Max(t, 0), 1)
	f := t * float64(len(viridis)-1)
	i := min(int(f), len(viridis)-2)
	u := f - float64(i)
	var c [3]int
	for k := range c {
		c[k] = int(math.Round(viridis[i][k]*(1-u) + viridis[i+1][k]*u))
	}
	fg = "#ffffff"
	if t > 0.55 {
		fg = "#000000"
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]), fg
}

// heatmapSection draws each metric of a two-parameter grid as a table:
// the first parameter across, the second down (largest on top, as in
// the PNG heatmaps), each cell's mean as a number on a viridis colour.
func (r *SweepReport) heatmapSection() html.Section {
	d := r.Plot
	s := html.Section{ID: "heatmaps", Title: "Heatmaps"}
	px, py := d.Params[0], d.Params[1]
	xl, xat := levels(px)
	yl, yat := levels(py)
	s.Blocks = append(s.Blocks, html.Block{Para: fmt.Sprintf("Each metric's mean per cell of the grid: %s across, %s down (largest value on top). The number in each cell is the mean; its colour only repeats it, on the viridis scale from dark purple (the metric's lowest mean) to yellow (its highest); a cell marked – has no value.", px.Key, py.Key)})
	for mi, m := range d.Metrics {
		z := make([][]float64, len(yl))
		for y := range z {
			z[y] = nanSlice(len(xl))
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range xat {
			v := m.Mean[i]
			z[yat[i]][xat[i]] = v
			if isFinite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		t := &html.Table{ID: fmt.Sprintf("heatmap-%d", mi+1), Header: append([]string{py.Key + " \\ " + px.Key}, xl...)}
		t.Caption = fmt.Sprintf("%s: mean per cell", metricAxis(m))
		if lo <= hi {
			t.Caption += fmt.Sprintf(" (from %s, darkest, to %s, lightest)", fmtNum(lo), fmtNum(hi))
		}
		for y := len(yl) - 1; y >= 0; y-- {
			row := []html.Cell{{Text: yl[y]}}
			for x := range xl {
				v := z[y][x]
				if !isFinite(v) {
					row = append(row, html.Cell{Text: "–", Class: "heat"})
					continue
				}
				frac := 0.5
				if hi > lo {
					frac = (v - lo) / (hi - lo)
				}
				bg, fg := viridisAt(frac)
				row = append(row, html.Cell{Text: fmtNum(v), Class: "heat", Background: bg, Foreground: fg})
			}
			t.Rows = append(t.Rows, row)
		}
		s.Blocks = append(s.Blocks, html.Block{Table: t})
	}
	return s
}

// pointsSection is the table of points: each point's parameter values
// and each metric's mean with its 95% CI.
func (r *SweepReport) pointsSection() html.Section {
	d := r.Plot
	s := html.Section{ID: "points", Title: "Points"}
	header := []string{"point"}
	for _, p := range d.Params {
		header = append(header, p.Key)
	}
	for _, m := range d.Metrics {
		header = append(header, m.Name+" mean", "95% CI")
	}
	t := &html.Table{ID: "points-table", Caption: "Each point's mean over its replications and 95% confidence interval (points.csv holds every metric)", Header: header}
	n := 0
	if len(d.Params) > 0 {
		n = len(d.Params[0].Texts)
	}
	for i := range min(n, SweepReportMaxRows) {
		row := []html.Cell{{Text: strconv.Itoa(i), Class: "num"}}
		for _, p := range d.Params {
			row = append(row, html.Cell{Text: p.Texts[i]})
		}
		for _, m := range d.Metrics {
			ci := "n/a"
			if h := m.CI95[i]; isFinite(h) {
				ci = "[" + fmtNum(m.Mean[i]-h) + ", " + fmtNum(m.Mean[i]+h) + "]"
			}
			row = append(row, html.Cell{Text: fmtNum(m.Mean[i]), Class: "num"}, html.Cell{Text: ci, Class: "num"})
		}
		t.Rows = append(t.Rows, row)
	}
	s.Blocks = append(s.Blocks, html.Block{Table: t})
	if n > SweepReportMaxRows {
		s.Blocks = append(s.Blocks, html.Block{Para: fmt.Sprintf("The first %d of %d points; the other %d are in points.csv.", SweepReportMaxRows, n, n-SweepReportMaxRows)})
	}
	return s
}

// runsSection is the table of runs.csv's first rows, its columns keep.
func runsSection(header []string, rows [][]string, total int, keep []int) html.Section {
	s := html.Section{ID: "runs", Title: "Runs"}
	t := &html.Table{ID: "runs-table", Caption: "runs.csv: one row per run (point, replication) with the plotted metrics' per-run statistic, as runs.csv writes them (it holds every metric)"}
	for _, i := range keep {
		t.Header = append(t.Header, header[i])
	}
	for _, rec := range rows {
		row := make([]html.Cell, 0, len(keep))
		for _, i := range keep {
			f := ""
			if i < len(rec) {
				f = rec[i]
			}
			c := html.Cell{Text: f}
			if _, err := strconv.ParseFloat(f, 64); err == nil {
				c.Class = "num"
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	s.Blocks = append(s.Blocks, html.Block{Table: t})
	if total > len(rows) {
		s.Blocks = append(s.Blocks, html.Block{Para: fmt.Sprintf("The first %d of %d runs; the other %d are in runs.csv.", len(rows), total, total-len(rows))})
	}
	return s
}
