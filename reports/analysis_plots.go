package reports

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// analysisChart is one chart of a sensitivity analysis or a calibration:
// its file name under plots/ without extension, what the HTML report
// says of it, and how to draw it.
type analysisChart struct {
	// File is the file name without extension (".png", ".svg").
	File string
	// Title heads the chart in the HTML report; Caption describes it.
	Title, Caption string
	// Height is the chart's height (its width is plotWidth).
	Height vg.Length
	// Plot draws the chart.
	Plot func() *plot.Plot
}

// files returns the chart's files relative to the analysis folder.
func (c analysisChart) files() []string {
	return []string{PlotsDir + "/" + c.File + ".png", PlotsDir + "/" + c.File + ".svg"}
}

// renderAnalysis draws c in format ("png", "svg").
func (c analysisChart) render(format string) (io.WriterTo, error) {
	return renderSized(c.Plot(), format, plotWidth, c.Height)
}

// svg returns the chart drawn as SVG.
func (c analysisChart) svg() (string, error) {
	b, err := c.bytes("svg")
	return string(b), err
}

// bytes returns the chart drawn in format ("png", "svg").
func (c analysisChart) bytes(format string) ([]byte, error) {
	wt, err := c.render(format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeAnalysisCharts writes each chart to dir/plots (created when
// missing) as .png and .svg, each atomically.
func writeAnalysisCharts(dir string, charts []analysisChart) error {
	if len(charts) == 0 {
		return nil
	}
	pd := filepath.Join(dir, PlotsDir)
	if err := os.MkdirAll(pd, 0o755); err != nil {
		return err
	}
	for _, c := range charts {
		if err := saveChart(filepath.Join(pd, c.File), c.render); err != nil {
			return err
		}
	}
	return nil
}

// chartFiles lists the files of charts, relative to the folder.
func chartFiles(charts []analysisChart) []string {
	var out []string
	for _, c := range charts {
		out = append(out, c.files()...)
	}
	return out
}

// uniqueFileNames returns names made file names (sweepFileName), with
// "-2", "-3", ... after those that would repeat an earlier one.
func uniqueFileNames(names []string) []string {
	used := map[string]bool{}
	out := make([]string, len(names))
	for i, n := range names {
		base := sweepFileName(n)
		if base == "" {
			base = "output"
		}
		f := base
		for k := 2; used[f]; k++ {
			f = base + "-" + strconv.Itoa(k)
		}
		used[f] = true
		out[i] = f
	}
	return out
}

// rowHeight is the height of a chart with n rows (factors, targets,
// parameters), one under the other: room for each row's label, at least
// a usual chart's height.
func rowHeight(n int) vg.Length {
	return max(plotHeight*3/4, 1.9*vg.Inch+vg.Length(n)*0.42*vg.Inch)
}

// pct formats a confidence level (0.95) as "95%"; "" when it is not in
// (0, 1).
func pct(level float64) string {
	if !(level > 0 && level < 1) {
		return ""
	}
	return strconv.FormatFloat(100*level, 'g', 4, 64) + "%"
}

// ciName names the bootstrap interval at level: "95% bootstrap CI".
func ciName(level float64) string {
	if p := pct(level); p != "" {
		return p + " bootstrap CI"
	}
	return "bootstrap CI"
}

// sobol reports whether r is a Sobol analysis (else Morris).
func (r *SensitivityReport) sobol() bool { return r.Method != "morris" }

// mainIndex returns the index a factor is ranked by: ST (Sobol) or mu*
// (Morris), with its interval.
func (r *SensitivityReport) mainIndex(x SensitivityIndex) (v, lo, hi float64) {
	if r.sobol() {
		return x.ST, x.STLo, x.STHi
	}
	return x.MuStar, x.MuStarLo, x.MuStarHi
}

// mainName names the index a factor is ranked by.
func (r *SensitivityReport) mainName() string {
	if r.sobol() {
		return "ST"
	}
	return "mu*"
}

// ranked returns the positions of o's indices, by decreasing main index
// (ST or mu*); those without a value last, in factor order.
func (r *SensitivityReport) ranked(o SensitivityOutput) []int {
	idx := make([]int, len(o.Indices))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		va, _, _ := r.mainIndex(o.Indices[a])
		vb, _, _ := r.mainIndex(o.Indices[b])
		fa, fb := isFinite(va), isFinite(vb)
		switch {
		case fa && fb:
			return cmp.Compare(vb, va)
		case fa:
			return -1
		case fb:
			return 1
		}
		return 0
	})
	return idx
}

// outputAxis is an output's label with its unit.
func outputAxis(o SensitivityOutput) string {
	l := o.Label
	if l == "" {
		l = o.Name
	}
	if o.Unit == "" {
		return l
	}
	return l + " (" + o.Unit + ")"
}

// sensitivityCharts lists the charts of r, in the order written: per
// output, the bar chart of its indices, for Morris the mu*-sigma
// scatter, and the convergence chart when the output has a convergence
// table of at least two rows.
func (r *SensitivityReport) charts() []analysisChart {
	names := make([]string, len(r.Outputs))
	for i, o := range r.Outputs {
		names[i] = o.Name
	}
	files := uniqueFileNames(names)
	conf := ciName(r.Confidence)
	var out []analysisChart
	for i := range r.Outputs {
		o := r.Outputs[i]
		n := len(o.Indices)
		if r.sobol() {
			out = append(out, analysisChart{File: "sensitivity_" + files[i], Height: rowHeight(n),
				Title:   "Sobol indices of " + outputAxis(o),
				Caption: "Factors sorted by their total-effect index ST (largest on top). Bars: ST (blue) and first-order index S1 (vermillion), the share of the output's variance due to the factor in all its interactions and alone; whiskers: " + conf + "; ST - S1 is the share due to interactions. A factor with ST near 0 can be fixed anywhere in its range.",
				Plot:    func() *plot.Plot { return r.sobolPlot(o) }})
		} else {
			out = append(out, analysisChart{File: "sensitivity_" + files[i], Height: rowHeight(n),
				Title:   "Morris screening of " + outputAxis(o),
				Caption: "Factors sorted by mu*, the mean absolute elementary effect (largest on top): the change of the output when the factor moves across its whole range, one factor at a time. Whiskers: " + conf + ". A factor with mu* near 0 hardly moves the output.",
				Plot:    func() *plot.Plot { return r.morrisPlot(o) }},
				analysisChart{File: "sensitivity_" + files[i] + "_scatter", Height: plotHeight,
					Title:   "Morris mu* against sigma for " + outputAxis(o),
					Caption: "Each factor at its mean absolute elementary effect mu* (across) and the standard deviation sigma of its elementary effects (up). Far right: important; high up: its effect depends on where the other factors are (nonlinear or interacting); above the dashed line sigma = mu*, mostly so.",
					Plot:    func() *plot.Plot { return r.morrisScatter(o) }})
		}
		if len(o.Convergence) >= 2 {
			out = append(out, analysisChart{File: "sensitivity_" + files[i] + "_convergence", Height: plotHeight,
				Title:   "Convergence of " + r.mainName() + " for " + outputAxis(o),
				Caption: "Each factor's " + r.mainName() + " estimated on the first N " + r.unitName() + " (one line per factor); at the last N, the whisker is its " + conf + ". Lines still moving at the right mean that N was not enough.",
				Plot:    func() *plot.Plot { return r.convergencePlot(o) }})
		}
	}
	return out
}

// unitName names what N counts: base rows (Sobol) or trajectories
// (Morris).
func (r *SensitivityReport) unitName() string {
	if r.sobol() {
		return "base rows"
	}
	return "trajectories"
}

// SensitivityPlotFiles returns the files WriteSensitivityCharts writes
// for r, relative to its folder: plots/sensitivity_OUTPUT.png and .svg
// per output, plus plots/sensitivity_OUTPUT_scatter (Morris) and
// plots/sensitivity_OUTPUT_convergence (with a convergence table of two
// rows or more); OUTPUT is the output's name with characters other than
// letters, digits, '.', '_' and '-' replaced by '_'.
func SensitivityPlotFiles(r *SensitivityReport) []string { return chartFiles(r.charts()) }

// WriteSensitivityCharts writes the sensitivity analysis's charts under
// dir/plots (SensitivityPlotFiles), each as PNG and SVG, atomically:
//
//   - sensitivity_OUTPUT: per output, the factors sorted by their total
//     effect (Sobol: ST bars with S1 bars beside them; Morris: mu* bars),
//     with the bootstrap intervals as whiskers;
//   - sensitivity_OUTPUT_scatter (Morris): mu* against sigma, one labelled
//     dot per factor, with the line sigma = mu*;
//   - sensitivity_OUTPUT_convergence: each factor's ST or mu* against the
//     number of base rows or trajectories it was estimated on.
//
// Values that are NaN draw nothing (a factor without a value says so in
// its label); the same report gives the same bytes.
func WriteSensitivityCharts(dir string, r *SensitivityReport) error {
	return writeAnalysisCharts(dir, r.charts())
}

// Styles of the analysis charts.
var (
	whiskerStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
	zeroStyle    = draw.LineStyle{Color: color.Gray{Y: 0x80}, Width: vg.Points(0.8)}
)

// barHalf is half the height of a bar in a chart with two bars per row
// (one bar per row: twice that).
const barHalf = 0.17

// hbar returns the rectangle from x = 0 to v around y, half height h.
func hbar(v, y, h float64, col color.Color) *plotter.Polygon {
	ring := plotter.XYs{{X: 0, Y: y - h}, {X: v, Y: y - h}, {X: v, Y: y + h}, {X: 0, Y: y + h}}
	return &plotter.Polygon{XYs: []plotter.XYs{ring}, Color: col, LineStyle: draw.LineStyle{Width: 0}}
}

// whiskers returns the horizontal error bars [lo, hi] at (v, y), without
// those whose bounds are not finite; nil when none is left.
func whiskers(v, lo, hi, y []float64, style draw.LineStyle) *plotter.XErrorBars {
	var xys plotter.XYs
	var errs plotter.XErrors
	for i := range v {
		if !isFinite(v[i]) || !isFinite(lo[i]) || !isFinite(hi[i]) {
			continue
		}
		xys = append(xys, plotter.XY{X: v[i], Y: y[i]})
		errs = append(errs, struct{ Low, High float64 }{math.Max(v[i]-lo[i], 0), math.Max(hi[i]-v[i], 0)})
	}
	if len(xys) == 0 {
		return nil
	}
	return &plotter.XErrorBars{XYs: xys, XErrors: errs, LineStyle: style, CapWidth: vg.Points(6)}
}

// rowTicks labels rows 0..n-1 (row 0 at the bottom) with labels[k] at
// row k.
func rowTicks(labels []string) plot.ConstantTicks {
	ts := make([]plot.Tick, len(labels))
	for k, l := range labels {
		ts[k] = plot.Tick{Value: float64(k), Label: l}
	}
	return ts
}

// rowsPlot returns a plot whose y axis has the rows labels, the first on
// top, and a vertical grid.
func rowsPlot(title, xLabel string, labels []string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	rev := slices.Clone(labels)
	slices.Reverse(rev)
	p.Y.Tick.Marker = rowTicks(rev)
	p.Y.Min, p.Y.Max = -0.6, float64(len(labels))-0.4
	if len(labels) == 0 {
		p.Y.Min, p.Y.Max = -0.6, 0.6
	}
	g := plotter.NewGrid()
	g.Horizontal.Width = 0
	p.Add(g)
	return p
}

// finiteRange returns the smallest and largest finite values of vs (and
// lo, hi: +Inf, -Inf when there are none).
func finiteRange(vs ...[]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, xs := range vs {
		for _, v := range xs {
			if isFinite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi
}

// setXRange sets p's x range to [lo, hi] widened to the finite values of
// vs, with a margin of 3% on the sides that the data widened.
func setXRange(p *plot.Plot, lo, hi float64, vs ...[]float64) {
	dlo, dhi := finiteRange(vs...)
	span := math.Max(hi-lo, dhi-dlo)
	if dlo < lo {
		lo = dlo - 0.03*span
	}
	if dhi > hi {
		hi = dhi + 0.03*span
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	p.X.Min, p.X.Max = lo, hi
}

// labelOf is a factor's row label: its key, with a note when it has no
// value.
func labelOf(key string, v float64) string {
	if !isFinite(v) {
		return key + " (no value)"
	}
	return key
}

func (r *SensitivityReport) sobolPlot(o SensitivityOutput) *plot.Plot {
	order := r.ranked(o)
	n := len(order)
	labels := make([]string, n)
	var st, stLo, stHi, s1, s1Lo, s1Hi, yST, yS1 []float64
	var bars []plot.Plotter
	for k, i := range order {
		x := o.Indices[i]
		labels[k] = labelOf(x.Factor, x.ST)
		y := float64(n - 1 - k)
		st, stLo, stHi = append(st, x.ST), append(stLo, x.STLo), append(stHi, x.STHi)
		s1, s1Lo, s1Hi = append(s1, x.S1), append(s1Lo, x.S1Lo), append(s1Hi, x.S1Hi)
		yST, yS1 = append(yST, y+barHalf), append(yS1, y-barHalf)
		if isFinite(x.ST) {
			bars = append(bars, hbar(x.ST, y+barHalf, barHalf*0.9, paletteColor(0)))
		}
		if isFinite(x.S1) {
			bars = append(bars, hbar(x.S1, y-barHalf, barHalf*0.9, paletteColor(1)))
		}
	}
	p := rowsPlot(fmt.Sprintf("Sobol indices of %s (%s)\nbars: total effect ST and first order S1; whiskers: %s;\nST - S1 is the share due to interactions",
		o.Label, o.Name, ciName(r.Confidence)), "Sobol index (share of the output's variance, 0 to 1)", labels)
	p.Add(bars...)
	for _, w := range []*plotter.XErrorBars{whiskers(st, stLo, stHi, yST, whiskerStyle), whiskers(s1, s1Lo, s1Hi, yS1, whiskerStyle)} {
		if w != nil {
			p.Add(w)
		}
	}
	p.Legend.Add("ST (total effect)", band(nil, paletteColor(0)))
	p.Legend.Add("S1 (first order)", band(nil, paletteColor(1)))
	p.Legend.Add(ciName(r.Confidence), &plotter.Line{LineStyle: whiskerStyle})
	setXRange(p, 0, 1, st, stLo, stHi, s1, s1Lo, s1Hi)
	addZeroLine(p)
	return p
}

// addZeroLine draws the vertical line x = 0 when 0 is inside p's x
// range.
func addZeroLine(p *plot.Plot) {
	if p.X.Min < 0 && p.X.Max > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: p.Y.Min}, {X: 0, Y: p.Y.Max}})
		if err == nil {
			l.LineStyle = zeroStyle
			p.Add(l)
		}
	}
}

// morrisUnit is the unit of mu* and sigma: the output's unit per factor
// range.
func morrisUnit(o SensitivityOutput) string {
	if o.Unit == "" {
		return "output units per factor range"
	}
	return o.Unit + " per factor range"
}

func (r *SensitivityReport) morrisPlot(o SensitivityOutput) *plot.Plot {
	order := r.ranked(o)
	n := len(order)
	labels := make([]string, n)
	var v, lo, hi, ys []float64
	var bars []plot.Plotter
	for k, i := range order {
		x := o.Indices[i]
		labels[k] = labelOf(x.Factor, x.MuStar)
		y := float64(n - 1 - k)
		v, lo, hi, ys = append(v, x.MuStar), append(lo, x.MuStarLo), append(hi, x.MuStarHi), append(ys, y)
		if isFinite(x.MuStar) {
			bars = append(bars, hbar(x.MuStar, y, 2*barHalf*0.9, paletteColor(0)))
		}
	}
	p := rowsPlot(fmt.Sprintf("Morris screening of %s (%s)\nbars: mu*, the mean absolute elementary effect; whiskers: %s",
		o.Label, o.Name, ciName(r.Confidence)), "mu* ("+morrisUnit(o)+")", labels)
	p.Add(bars...)
	if w := whiskers(v, lo, hi, ys, whiskerStyle); w != nil {
		p.Add(w)
	}
	p.Legend.Add("mu*", band(nil, paletteColor(0)))
	p.Legend.Add(ciName(r.Confidence), &plotter.Line{LineStyle: whiskerStyle})
	setXRange(p, 0, 0, v, lo, hi)
	p.X.Tick.Marker = compactTicks{}
	addZeroLine(p)
	return p
}

func (r *SensitivityReport) morrisScatter(o SensitivityOutput) *plot.Plot {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Morris mu* against sigma for %s (%s)\nfar right: important; high up: nonlinear or interacting", o.Label, o.Name)
	p.X.Label.Text = "mu*, mean absolute elementary effect (" + morrisUnit(o) + ")"
	p.Y.Label.Text = "sigma, spread of the effects (" + morrisUnit(o) + ")"
	p.Add(plotter.NewGrid())
	var xys plotter.XYs
	var names []string
	var all []float64
	for _, x := range o.Indices {
		if isFinite(x.MuStar) && isFinite(x.Sigma) {
			xys = append(xys, plotter.XY{X: x.MuStar, Y: x.Sigma})
			names = append(names, x.Factor)
			all = append(all, x.MuStar, x.Sigma)
		}
	}
	top := 1.0
	if lo, hi := finiteRange(all); lo <= hi && hi > 0 {
		top = hi * 1.1
	}
	diag, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: top, Y: top}})
	diag.LineStyle = zeroStyle
	diag.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	p.Legend.Add("sigma = mu*", diag)
	if len(xys) > 0 {
		sc, _ := plotter.NewScatter(xys)
		sc.GlyphStyle = draw.GlyphStyle{Color: paletteColor(0), Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		lb, _ := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: names})
		for i := range lb.TextStyle {
			lb.TextStyle[i].XAlign = draw.XLeft
			lb.TextStyle[i].YAlign = draw.YCenter
		}
		lb.Offset = vg.Point{X: vg.Points(5)}
		p.Add(lb)
		p.Legend.Add("factor", sc)
	} else {
		p.Title.Text = fmt.Sprintf("Morris mu* against sigma for %s (%s): no factor has both values", o.Label, o.Name)
	}
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max, p.Y.Max = math.Max(p.X.Max, top*1.15), math.Max(p.Y.Max, top)
	p.X.Tick.Marker, p.Y.Tick.Marker = compactTicks{}, compactTicks{}
	return p
}

// compactTicks are gonum/plot's default ticks labelled compactly: 2.5 M,
// 40 k, 0.003 (Morris effects are in the output's unit, which may be
// tokens by the million).
type compactTicks struct{}

// Ticks implements plot.Ticker.
func (compactTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = compactNumber(ts[i].Value)
		}
	}
	return ts
}

// compactNumber writes v with at most three significant digits, in
// thousands (k), millions (M) or billions (G) from 1000 up.
func compactNumber(v float64) string {
	a := math.Abs(v)
	for _, u := range []struct {
		scale  float64
		suffix string
	}{{1e9, " G"}, {1e6, " M"}, {1e3, " k"}} {
		if a >= u.scale {
			return strconv.FormatFloat(v/u.scale, 'g', 3, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func (r *SensitivityReport) convergencePlot(o SensitivityOutput) *plot.Plot {
	p := plot.New()
	name := r.mainName()
	p.Title.Text = fmt.Sprintf("Convergence of %s for %s (%s)\none line per factor; whisker at the last N: %s", name, o.Label, o.Name, ciName(r.Confidence))
	p.X.Label.Text = "N, " + r.unitName() + " used"
	if r.sobol() {
		p.Y.Label.Text = "ST (share of the output's variance)"
	} else {
		p.Y.Label.Text = "mu* (" + morrisUnit(o) + ")"
	}
	p.Add(plotter.NewGrid())
	var all []float64
	last := o.Convergence[len(o.Convergence)-1]
	var top []plot.Plotter
	for f := range o.Indices {
		col := paletteColor(f)
		var xys plotter.XYs
		for _, c := range o.Convergence {
			if f >= len(c.Indices) {
				continue
			}
			v, _, _ := r.mainIndex(c.Indices[f])
			if isFinite(v) {
				xys = append(xys, plotter.XY{X: float64(c.N), Y: v})
				all = append(all, v)
			}
		}
		legend := styleLine(col)
		legend.LineStyle.Dashes = paletteDashes(f)
		p.Legend.Add(o.Indices[f].Factor, legend)
		if len(xys) == 0 {
			continue
		}
		l, _ := plotter.NewLine(xys)
		l.LineStyle = lineStyle(col)
		l.LineStyle.Dashes = paletteDashes(f)
		sc, _ := plotter.NewScatter(xys)
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		top = append(top, l, sc)
		if f < len(last.Indices) {
			v, lo, hi := r.mainIndex(last.Indices[f])
			if isFinite(v) && isFinite(lo) && isFinite(hi) {
				all = append(all, lo, hi)
				eb := &plotter.YErrorBars{XYs: plotter.XYs{{X: float64(last.N), Y: v}},
					YErrors:   plotter.YErrors{{Low: math.Max(v-lo, 0), High: math.Max(hi-v, 0)}},
					LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1)}, CapWidth: vg.Points(5)}
				top = append(top, eb)
			}
		}
	}
	p.Add(top...)
	lo, hi := finiteRange(all)
	if lo > hi {
		lo, hi = 0, 1
	}
	p.Y.Min, p.Y.Max = math.Min(lo, 0), hi
	if r.sobol() {
		p.Y.Max = math.Max(hi, 1)
	}
	if p.Y.Max <= p.Y.Min {
		p.Y.Max = p.Y.Min + 1
	}
	first, lastN := float64(o.Convergence[0].N), float64(last.N)
	p.X.Min, p.X.Max = first, lastN
	if !(lastN > first) {
		p.X.Min, p.X.Max = first-1, first+1
	}
	return p
}
