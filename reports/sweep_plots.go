package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/depinsim/depinsim/sim"
)

// MaxSweepSeries is the largest number of combinations of the other
// parameters' values that a grid's response plot draws as separate
// series; with more, each point is a dot with its confidence interval.
const MaxSweepSeries = 5

// SweepPlotParam is one swept parameter of a SweepPlotData.
type SweepPlotParam struct {
	// Key is the parameter's key path.
	Key string
	// Log tells that its values are spaced on a log scale (a range with
	// scale = "log"): response plots use a log x axis.
	Log bool
	// Numeric tells whether every point's value is a number; Values holds
	// them (per point, in point order) when it is.
	Numeric bool
	Values  []float64
	// Texts holds each point's value as points.csv writes it.
	Texts []string
}

// SweepPlotMetric is one metric of a SweepPlotData.
type SweepPlotMetric struct {
	// Name is the metric's name (sim.Metric.Name), Label its name in
	// charts and Unit its unit.
	Name, Label, Unit string
	// Mean and CI95 hold, per point in point order, the mean over the
	// point's successful replications and the half-width of its 95%
	// confidence interval (NaN: none), as points.csv holds them.
	Mean, CI95 []float64
}

// SweepPlotData is the data behind a sweep's plots (WriteSweepPlots).
type SweepPlotData struct {
	// Params lists the swept parameters, in column order.
	Params []SweepPlotParam
	// Grid tells that the design is a grid (the Cartesian product of the
	// params' values).
	Grid bool
	// Replications is the number of replications per point.
	Replications int
	// Metrics lists the chosen metrics.
	Metrics []SweepPlotMetric
}

// SweepMetric returns the SweepPlotMetric of metric m (a sim.Metrics
// index) with the given per-point means and half-widths.
func SweepMetric(m int, mean, ci95 []float64) SweepPlotMetric {
	mt := sim.Metrics[m]
	return SweepPlotMetric{Name: mt.Name, Label: legendLabel(mt), Unit: mt.Unit, Mean: mean, CI95: ci95}
}

// sweepFileName returns s with every run of characters other than
// letters, digits, '.', '_' and '-' replaced by '_' (a file name
// without surprises: providers[0].count gives providers_0_.count).
func sweepFileName(s string) string {
	var b strings.Builder
	bad := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			if !bad {
				b.WriteByte('_')
			}
			bad = true
			continue
		}
		bad = false
		b.WriteRune(r)
	}
	return b.String()
}

// sweepPlotKind is one plot of a sweep: metric Metric against param
// Param, or its heatmap (Param -1).
type sweepPlotKind struct {
	File   string
	Metric int
	Param  int
}

// sweepPlots lists the plots of d, in the order written: per metric, one
// response plot per numeric parameter, then the heatmap of a
// two-parameter grid; and a note per parameter that has none.
func sweepPlots(d *SweepPlotData) ([]sweepPlotKind, []string) {
	var notes []string
	names := make([]string, len(d.Params))
	used := map[string]bool{}
	for j, p := range d.Params {
		if !p.Numeric {
			notes = append(notes, fmt.Sprintf("%s: no response plots: its values are not all numbers", p.Key))
			continue
		}
		n := sweepFileName(p.Key)
		for k := 2; used[n]; k++ {
			n = sweepFileName(p.Key) + "-" + strconv.Itoa(k)
		}
		used[n] = true
		names[j] = n
	}
	var out []sweepPlotKind
	for i, m := range d.Metrics {
		for j, p := range d.Params {
			if p.Numeric {
				out = append(out, sweepPlotKind{File: m.Name + "-vs-" + names[j] + ".png", Metric: i, Param: j})
			}
		}
		if d.heatmap() {
			out = append(out, sweepPlotKind{File: m.Name + "-heatmap.png", Metric: i, Param: -1})
		}
	}
	return out, notes
}

// heatmap reports whether d has heatmaps: a grid over two parameters.
func (d *SweepPlotData) heatmap() bool { return d.Grid && len(d.Params) == 2 }

// SweepPlotFiles returns the files WriteSweepPlots writes for d, relative
// to its folder (plots/NAME.png), and notes saying which plots are left
// out and why (a parameter whose values are not numbers has no response
// plot).
func SweepPlotFiles(d *SweepPlotData) (files, notes []string) {
	ps, notes := sweepPlots(d)
	for _, p := range ps {
		files = append(files, PlotsDir+"/"+p.File)
	}
	return files, notes
}

// WriteSweepPlots writes the plots of a sweep into dir/plots (created
// when missing), each atomically, as PNG:
//
//   - METRIC-vs-PARAM.png for each metric and each parameter whose values
//     are numbers (PARAM is the key with characters other than letters,
//     digits, '.', '_' and '-' replaced by '_'): the mean of the metric at
//     each point against the parameter's value, with the 95% confidence
//     interval as an error bar; a log x axis for a log-scale range. With
//     one parameter the means are joined by a line. In a grid over more
//     parameters whose other parameters take at most MaxSweepSeries
//     combinations of values, each combination is a series of its own
//     (its own colour, joined by a line, named in the legend); otherwise
//     each point is a dot.
//   - METRIC-heatmap.png for a grid over two parameters: the mean per
//     cell, the first parameter across, the second up, one row or column
//     per value (numbers in increasing order, others as listed), with a
//     colour legend.
//
// A point whose runs all failed has no dot (and a blank cell).
func WriteSweepPlots(dir string, d *SweepPlotData) error {
	ps, _ := sweepPlots(d)
	if len(ps) == 0 {
		return nil
	}
	pd := filepath.Join(dir, PlotsDir)
	if err := os.MkdirAll(pd, 0o755); err != nil {
		return err
	}
	for _, k := range ps {
		var p *plot.Plot
		if k.Param < 0 {
			p = sweepHeatmap(d, k.Metric)
		} else {
			p = sweepResponse(d, k.Metric, k.Param)
		}
		wt, err := render(p, "png")
		if err != nil {
			return fmt.Errorf("render %s: %w", k.File, err)
		}
		err = WriteFileAtomic(filepath.Join(pd, k.File), func(w io.Writer) error {
			_, err := wt.WriteTo(w)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// metricAxis is the y axis label or colour legend title of m.
func metricAxis(m SweepPlotMetric) string {
	if m.Unit == "" {
		return m.Label
	}
	return m.Label + " (" + m.Unit + ")"
}

func sweepResponse(d *SweepPlotData, mi, pj int) *plot.Plot {
	m, par := d.Metrics[mi], d.Params[pj]
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s against %s\n%s per point", m.Label, par.Key, ciNote(d.Replications))
	p.X.Label.Text = par.Key
	p.Y.Label.Text = metricAxis(m)
	p.Add(plotter.NewGrid())
	if par.Log {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}

	// group the points into series
	type series struct {
		name string
		idx  []int
	}
	var ss []series
	others := len(d.Params) > 1
	names, groups, grouped := responseGroups(d, pj, nil)
	if grouped {
		for k := range names {
			ss = append(ss, series{name: names[k], idx: groups[k]})
		}
	} else {
		all := make([]int, len(par.Texts))
		for i := range all {
			all[i] = i
		}
		ss = []series{{name: "one point each", idx: all}}
	}

	var top []plot.Plotter
	drawn := false
	for k, s := range ss {
		col := paletteColor(k)
		idx := slices.Clone(s.idx)
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(par.Values[a], par.Values[b]) })
		var xys plotter.XYs
		var errs plotter.YErrors
		for _, i := range idx {
			x, y := par.Values[i], m.Mean[i]
			if !isFinite(x) || !isFinite(y) || (par.Log && x <= 0) {
				continue
			}
			xys = append(xys, plotter.XY{X: x, Y: y})
			h := m.CI95[i]
			if !isFinite(h) {
				h = 0
			}
			errs = append(errs, struct{ Low, High float64 }{h, h})
		}
		if len(xys) == 0 {
			continue
		}
		drawn = true
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			panic("reports: " + err.Error()) // finite by construction
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: plotutil.Shape(k)} // a marker of its own
		eb := &plotter.YErrorBars{XYs: xys, YErrors: errs, LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1)}, CapWidth: vg.Points(5)}
		if grouped && len(xys) > 1 {
			l, err := plotter.NewLine(xys)
			if err != nil {
				panic("reports: " + err.Error())
			}
			l.LineStyle = lineStyle(col)
			l.LineStyle.Dashes = paletteDashes(k)
			top = append(top, l)
		}
		top = append(top, eb, sc)
		if others {
			p.Legend.Add(s.name, sc)
		}
	}
	p.Add(top...)
	if !drawn {
		p.Title.Text = fmt.Sprintf("%s against %s: no point has a value", m.Label, par.Key)
		p.Y.Min, p.Y.Max = 0, 1
		p.X.Min, p.X.Max = 0, 1
		if par.Log {
			p.X.Min, p.X.Max = 1, 10
		}
	}
	if p.Y.Min == p.Y.Max {
		p.Y.Min, p.Y.Max = p.Y.Min-1, p.Y.Max+1
	}
	if p.X.Min == p.X.Max {
		if par.Log {
			p.X.Min, p.X.Max = p.X.Min/2, p.X.Max*2
		} else {
			p.X.Min, p.X.Max = p.X.Min-1, p.X.Max+1
		}
	}
	return p
}

// distinct returns the number of distinct texts, counting up to limit.
func distinct(texts []string, limit int) int {
	seen := map[string]bool{}
	for _, t := range texts {
		seen[t] = true
		if len(seen) >= limit {
			break
		}
	}
	return len(seen)
}

// otherKey names the values of the parameters other than pj at point i:
// "key=value, key=value".
func otherKey(d *SweepPlotData, pj, i int) string {
	var parts []string
	for j, p := range d.Params {
		if j != pj {
			parts = append(parts, p.Key+"="+p.Texts[i])
		}
	}
	return strings.Join(parts, ", ")
}

// levels returns the distinct values of p (numbers in increasing order,
// others in order of first appearance) and each point's level.
func levels(p SweepPlotParam) (labels []string, at []int) {
	var order []int // first point of each level
	seen := map[string]int{}
	at = make([]int, len(p.Texts))
	for i, t := range p.Texts {
		if _, ok := seen[t]; !ok {
			seen[t] = len(order)
			order = append(order, i)
		}
	}
	if p.Numeric {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.Values[a], p.Values[b]) })
	}
	for l, i := range order {
		labels = append(labels, p.Texts[i])
		seen[p.Texts[i]] = l
	}
	for i, t := range p.Texts {
		at[i] = seen[t]
	}
	return labels, at
}

// cellGrid is the grid of a heatmap: cell (c, r) at (c, r).
type cellGrid struct {
	z    [][]float64 // z[c][r]
	c, r int
}

func (g cellGrid) Dims() (c, r int)   { return g.c, g.r }
func (g cellGrid) Z(c, r int) float64 { return g.z[c][r] }
func (g cellGrid) X(c int) float64    { return float64(c) }
func (g cellGrid) Y(r int) float64    { return float64(r) }
func levelTicks(labels []string) []plot.Tick {
	ts := make([]plot.Tick, len(labels))
	for i, l := range labels {
		ts[i] = plot.Tick{Value: float64(i), Label: l}
	}
	return ts
}

// heatColors is the number of colours of a heatmap's palette; heatLegend
// the number of entries of its colour legend.
const (
	heatColors = 64
	heatLegend = 6
)

func sweepHeatmap(d *SweepPlotData, mi int) *plot.Plot {
	m := d.Metrics[mi]
	px, py := d.Params[0], d.Params[1]
	xl, xat := levels(px)
	yl, yat := levels(py)
	g := cellGrid{z: make([][]float64, len(xl)), c: len(xl), r: len(yl)}
	for c := range g.z {
		g.z[c] = make([]float64, len(yl))
		for r := range g.z[c] {
			g.z[c][r] = math.NaN()
		}
	}
	for i := range xat {
		g.z[xat[i]][yat[i]] = m.Mean[i]
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s by %s and %s\nmean over %s per cell", m.Label, px.Key, py.Key, replications(d.Replications))
	p.X.Label.Text = px.Key
	p.Y.Label.Text = py.Key
	p.X.Tick.Marker = plot.ConstantTicks(levelTicks(xl))
	p.Y.Tick.Marker = plot.ConstantTicks(levelTicks(yl))
	cm := moreland.SmoothBlueRed() // blue low, red high: no colour near white
	cm.SetMin(0)
	cm.SetMax(1)
	pal := cm.Palette(heatColors)
	h := plotter.NewHeatMap(g, pal)
	h.NaN = color.NRGBA{R: 0x40, G: 0x40, B: 0x40, A: 0xff} // darker than any colour of the palette
	none := h.Min > h.Max
	if none { // no value anywhere
		h.Min, h.Max = 0, 1
		p.Title.Text = fmt.Sprintf("%s by %s and %s: no cell has a value", m.Label, px.Key, py.Key)
	}
	lo, hi := h.Min, h.Max
	if lo == hi {
		h.Min, h.Max = lo-0.5, lo+0.5
	}
	p.Add(h)
	p.X.Min, p.X.Max = -0.5, float64(len(xl))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(yl))-0.5

	// colour legend: evenly spaced values from the highest to the lowest
	cols := pal.Colors()
	p.Legend.Add(metricAxis(m))
	n := heatLegend
	switch {
	case none:
		n = 0
	case lo == hi:
		n = 1
	}
	for k := range n {
		v := hi
		if n > 1 {
			v = hi - (hi-lo)*float64(k)/float64(n-1)
		}
		ci := int(math.Round((v - h.Min) / (h.Max - h.Min) * float64(len(cols)-1)))
		ci = min(max(ci, 0), len(cols)-1)
		p.Legend.Add(strconv.FormatFloat(v, 'g', 4, 64), band(nil, cols[ci]))
	}
	if slices.ContainsFunc(m.Mean, math.IsNaN) {
		p.Legend.Add("no value", band(nil, h.NaN))
	}
	return p
}

// isSweepPlotName reports whether name is the name of a plot that
// WriteSweepPlots writes: METRIC-vs-PARAM.png or METRIC-heatmap.png with
// METRIC one of sim.Metrics and PARAM of the characters sweepFileName
// keeps.
func isSweepPlotName(name string) bool {
	if base, ok := TempBase(name); ok {
		name = base
	}
	rest, ok := strings.CutSuffix(name, ".png")
	if !ok {
		return false
	}
	for _, mt := range sim.Metrics {
		after, ok := strings.CutPrefix(rest, mt.Name+"-")
		if !ok {
			continue
		}
		if after == "heatmap" {
			return true
		}
		if param, ok := strings.CutPrefix(after, "vs-"); ok && param != "" && sweepFileName(param) == param {
			return true
		}
	}
	return false
}

// responseGroups groups the points of d kept by keep (nil: all) for a
// response curve against parameter pj: grouped is true when pj is the
// only parameter or, in a grid, when the other parameters' values make at
// most MaxSweepSeries combinations; then names[k] is a combination (its
// otherKey) and groups[k] its points, in order of first appearance.
func responseGroups(d *SweepPlotData, pj int, keep func(int) bool) (names []string, groups [][]int, grouped bool) {
	others := len(d.Params) > 1
	grouped = !others
	if others && d.Grid {
		// a grid has every combination of the other parameters' values
		combos := 1
		for j, q := range d.Params {
			if j != pj {
				combos *= distinct(q.Texts, MaxSweepSeries+1)
			}
			if combos > MaxSweepSeries {
				break
			}
		}
		grouped = combos <= MaxSweepSeries
	}
	if !grouped {
		return nil, nil, false
	}
	at := map[string]int{}
	for i := range d.Params[pj].Texts {
		if keep != nil && !keep(i) {
			continue
		}
		k := otherKey(d, pj, i)
		g, seen := at[k]
		if !seen {
			g = len(names)
			at[k] = g
			names = append(names, k)
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return names, groups, true
}
