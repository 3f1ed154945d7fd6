package reports

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxPlotPoints bounds the sample times the charts' quantile bands are
// kept at (Quantiles): every k-th sample plus the last.
const MaxPlotPoints = 2000

// drawPoints bounds the points drawn per line or band edge: longer
// series are reduced with Downsample (LTTB, which keeps their shape,
// spikes and gaps), which keeps plotting a year of hourly samples fast
// without visible change at chart resolution (a chart's data area is
// under 600 pixels wide in PNG).
const drawPoints = 500

// reduced returns the indices of the points of (x, ys[k]) to draw: the
// union of Downsample's of each ys[k] to drawPoints, plus the first
// non-finite point after each finite run of each, so that gaps stay gaps
// (runs breaks lines there).
func reduced(x []float64, ys ...[]float64) []int {
	if len(x) <= drawPoints {
		return allIndices(len(x))
	}
	keep := make([]bool, len(x))
	for _, y := range ys {
		for _, i := range Downsample(x, y, drawPoints) {
			keep[i] = true
		}
		for i := range y {
			if !isFinite(y[i]) && (i == 0 || isFinite(y[i-1])) {
				keep[i] = true
			}
		}
	}
	var out []int
	for i, k := range keep {
		if k {
			out = append(out, i)
		}
	}
	return out
}

// Chart sizes: one panel, and the two stacked panels of the supply chart.
const (
	plotWidth   = 8 * vg.Inch
	plotHeight  = 4.5 * vg.Inch
	stackHeight = 7.5 * vg.Inch
	panelHeight = 2.2 * vg.Inch // of each panel of a chart of more than three
	chartMargin = vg.Length(8)  // points around the chart and between panels
)

// PlotFiles lists the files WritePlots writes, relative to its directory:
// each chart (utilization, price, supply, flows, cohorts, bids) as .png
// and .svg.
var PlotFiles = []string{
	"utilization.png", "utilization.svg",
	"price.png", "price.svg",
	"supply.png", "supply.svg",
	"flows.png", "flows.svg",
	"cohorts.png", "cohorts.svg",
	"bids.png", "bids.svg",
}

// WritePlots writes the charts of PlotFiles to dir (which must exist)
// from the recordings of a run: WriteCharts of ChartDataOf(recs).
func WritePlots(dir string, recs []*Recording, opt Options) error {
	return WriteCharts(dir, ChartDataOf(recs), opt)
}

// WriteCharts writes the charts of ChartFiles(d) to dir (which must
// exist) from their data. Every chart has a title saying what it
// aggregates (and, with fewer than 5 replications, that its bands are
// rough; with one, that there is none), units on both axes, calendar
// dates on the time axis (from opt.Start), colours from Palette and,
// beyond the third line of a chart, dash patterns too. Lines and bands
// are drawn from series reduced with Downsample.
//
//   - utilization: GPU and CPU utilization over time, the mean across
//     replications as a line, the p50 dashed, and the p5-p95 and min-max
//     ranges as bands.
//   - price: per GPU model, the mean across replications of the median
//     lease price, with gaps where no replication had a lease of the
//     model.
//   - supply: two panels sharing the time axis (SupplySeries). Top, the
//     token supply in millions of tokens (mean and min-max band); bottom,
//     the mean bonded ratio, inflation rate and staking APR as fractions.
//   - flows: small multiples, one panel per token flow (minted, burned,
//     take fees, subsidies, emissions) with its own y scale, each the
//     flow summed per day, or per week for runs of more than 180 days
//     (FlowSeries, FlowPeriod), mean over the replications; titled "no
//     token flows" when there are none. With the BME on, burned_total is
//     net of the BME vault: the panel is labelled "net burned" and the
//     title says why it can be negative.
//   - cohorts: the GPUs listed by each provider cohort over time, the
//     mean across replications, one line per cohort labelled with its
//     name and kind (CohortSeries). When no cohort ever lists a GPU it
//     shows the CPU cores listed instead, and says so in its title; when
//     the recordings hold no cohorts it is an empty chart titled so.
//   - bids: two panels sharing the time axis (BidSeries), one line per
//     provider cohort that placed a bid: top, the mean markup over cost
//     of the bids placed in each sample interval; bottom, the win rate
//     (bids won / bids placed), both fractions and means across
//     replications. Titled "no bids" when no cohort placed one.
//   - bme, only when the BME is on (BMEData.On): three panels sharing the
//     time axis, the BME vault in million tokens, the ACT supply in
//     million ACT and the collateral ratio, each the mean and min-max
//     band over the replications (BMESeries).
func WriteCharts(dir string, d *ChartData, opt Options) error {
	jobs := []func() error{
		func() error { return savePlot(utilizationPlot(d, opt), filepath.Join(dir, "utilization")) },
		func() error { return savePlot(pricePlot(d, opt), filepath.Join(dir, "price")) },
		func() error { return saveStacked(filepath.Join(dir, "supply"), supplyPlots, d, opt) },
		func() error { return saveStacked(filepath.Join(dir, "flows"), flowsPlots, d, opt) },
		func() error { return savePlot(cohortsPlot(d, opt), filepath.Join(dir, "cohorts")) },
		func() error { return saveStacked(filepath.Join(dir, "bids"), bidsPlots, d, opt) },
	}
	if d.BME.On {
		jobs = append(jobs, func() error { return saveStacked(filepath.Join(dir, "bme"), bmePlots, d, opt) })
	}
	return runJobs(jobs)
}

// runJobs runs jobs on up to GOMAXPROCS goroutines (the charts are
// independent files, each drawn by one job, so the files do not depend on
// the order) and returns the error of the first job in the list that
// failed.
func runJobs(jobs []func() error) error {
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = jobs[i]()
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// newPlot returns a plot with a title, axis labels and a grid.
func newPlot(opt Options, title, yLabel string) *plot.Plot {
	p := plot.New()
	if opt.Title != "" {
		title = opt.Title + ": " + title
	}
	p.Title.Text = title
	setTimeAxis(p, opt.Start)
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	return p
}

// replications describes how many replications a chart aggregates.
func replications(n int) string {
	if n == 1 {
		return "1 replication"
	}
	return fmt.Sprintf("%d replications", n)
}

func utilizationPlot(d *ChartData, opt Options) *plot.Plot {
	p := newPlot(opt, "GPU and CPU utilization\n"+spreadNote(d.Reps, "mean, p5-p95, min-max"), "utilization (fraction of capacity leased)")
	var lines []plot.Plotter
	for k, m := range []struct {
		label string
		band  BandLine
	}{{"GPU", d.GPUUtilization}, {"CPU", d.CPUUtilization}} {
		col := paletteColor(k)
		lines = append(lines, addBand(p, m.band.X, m.band.Mean, m.band.Lo, m.band.Hi, col)...)
		lines = append(lines, addQuantiles(p, m.band.Q, col)...)
		addBandLegend(p, m.label, col)
	}
	p.Add(lines...)
	p.Y.Min, p.Y.Max = 0, 1
	fixEmptyX(p)
	return p
}

// bandAlpha is the opacity of min-max bands; a p5-p95 band is drawn with
// it over its min-max band, which makes it look as opaque as
// quantileAlpha.
const (
	bandAlpha     = 0x50
	quantileAlpha = 0x87 // 1 - (1 - 0x50/0xff)^2
)

// addQuantiles adds to p the p5-p95 band of q over the min-max band drawn
// before it, and returns the p50 line (thin and dashed), to be added
// after every band.
func addQuantiles(p *plot.Plot, q Quantiles, col color.Color) []plot.Plotter {
	all := reduced(q.X, q.P5, q.P50, q.P95)
	fill := withAlpha(col, bandAlpha)
	for _, r := range runs(all, q.P5, q.P95) {
		idx := all[r[0]:r[1]]
		ring := make(plotter.XYs, 0, 2*len(idx))
		for _, k := range idx {
			ring = append(ring, plotter.XY{X: q.X[k], Y: q.P5[k]})
		}
		for j := len(idx) - 1; j >= 0; j-- {
			ring = append(ring, plotter.XY{X: q.X[idx[j]], Y: q.P95[idx[j]]})
		}
		p.Add(band(ring, fill))
	}
	return lineRunsStyled(q.X, q.P50, all, medianStyle(col))
}

// addBandLegend adds the legend entries of a band drawn by addBand and
// addQuantiles: "<label> mean", "<label> p50", "<label> p5-p95" and
// "<label> min-max".
func addBandLegend(p *plot.Plot, label string, col color.Color) {
	p.Legend.Add(label+" mean", styleLine(col))
	p.Legend.Add(label+" p50", &plotter.Line{LineStyle: medianStyle(col)})
	p.Legend.Add(label+" p5-p95", band(nil, withAlpha(col, quantileAlpha)))
	p.Legend.Add(label+" min-max", band(nil, withAlpha(col, bandAlpha)))
}

// medianStyle is the style of p50 lines: thinner than the mean, dashed.
func medianStyle(col color.Color) draw.LineStyle {
	return draw.LineStyle{Color: col, Width: vg.Points(0.7), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
}

// addBand adds to p the min-max band of a BandSeries (reduced to about
// drawPoints, broken where it is NaN) and returns the mean line, to be
// added after every band so that no band covers a line.
func addBand(p *plot.Plot, x, mean, lo, hi []float64, col color.Color) []plot.Plotter {
	keep := reduced(x, mean, lo, hi)
	fill := withAlpha(col, bandAlpha)
	for _, r := range runs(keep, mean, lo, hi) {
		idx := keep[r[0]:r[1]]
		ring := make(plotter.XYs, 0, 2*len(idx))
		for _, i := range idx {
			ring = append(ring, plotter.XY{X: x[i], Y: lo[i]})
		}
		for q := len(idx) - 1; q >= 0; q-- {
			ring = append(ring, plotter.XY{X: x[idx[q]], Y: hi[idx[q]]})
		}
		p.Add(band(ring, fill))
	}
	return lineRuns(x, mean, keep, col)
}

// supplyPlots returns the title and the two panels of the supply chart:
// the token supply band on top, without x tick labels, and the fraction
// lines below, both over the run's time range.
func supplyPlots(cd *ChartData, opt Options) (string, []*plot.Plot) {
	d := cd.Supply
	hasSupply := slices.ContainsFunc(d.SupplyMean, isFinite)
	title := "token supply, bonded ratio, inflation\n" + spreadNote(cd.Reps, "mean, p5-p95, min-max")
	if !hasSupply && len(d.Fractions) == 0 {
		title = "token supply, bonded ratio, inflation: no token data in any of " + replications(cd.Reps)
	}
	if opt.Title != "" {
		title = opt.Title + ": " + title
	}

	// The panels have no titles of their own: renderStacked draws title.
	top := newPlot(Options{Start: opt.Start}, "", "token supply (million tokens)")
	if hasSupply {
		col := paletteColor(0)
		lines := addBand(top, d.X, d.SupplyMean, d.SupplyLo, d.SupplyHi, col)
		top.Add(append(lines, addQuantiles(top, d.SupplyQ, col)...)...)
		addBandLegend(top, "supply", col)
	}
	if !hasSupply || (top.Y.Min == 0 && top.Y.Max == 0) {
		top.Y.Min, top.Y.Max = 0, 1
	}
	top.X.Label.Text = ""
	top.X.Tick.Marker = unlabelled{top.X.Tick.Marker}

	bottom := newPlot(Options{Start: opt.Start}, "", "fraction (inflation and APR per year)")
	var lines []plot.Plotter
	for _, s := range d.Fractions {
		col := paletteColor(1 + metricIndex(supplyFractions, s.Name)) // 0 is the supply
		keep := reduced(s.X, s.Y)
		lines = append(lines, lineRuns(s.X, s.Y, keep, col)...)
		bottom.Legend.Add(s.Name, styleLine(col))
	}
	bottom.Add(lines...)
	bottom.Y.Min = 0
	if len(lines) == 0 || bottom.Y.Max <= 0 {
		bottom.Y.Max = 1
	}

	xmin, xmax := 0.0, 1.0
	if len(d.X) > 0 {
		xmin, xmax = d.X[0], d.X[len(d.X)-1]
	}
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max = xmin, xmax
	}
	return title, []*plot.Plot{top, bottom}
}

func cohortsPlot(cd *ChartData, opt Options) *plot.Plot {
	d, order := cd.Cohorts, cd.CohortIndex
	unit, yLabel := "GPUs", "GPUs listed (count)"
	if d.CPUs {
		unit, yLabel = "CPU cores (no cohort lists GPUs)", "CPU cores listed (count)"
	}
	title := "listed " + unit + " by provider cohort (mean over " + replications(cd.Reps) + ")"
	if len(d.Series) == 0 {
		title = "listed capacity by provider cohort: no provider cohorts in any of " + replications(cd.Reps)
	}
	p := newPlot(opt, title, yLabel)
	var lines []plot.Plotter
	for q, s := range d.Series {
		lines = paletteLines(p, s, order[q], lines)
	}
	p.Add(lines...)
	finishAxes(p, cd, len(lines) == 0)
	return p
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// unlabelled is a tick marker that keeps the ticks of its Ticker but
// drops their labels, for a panel that shares the time axis of the panel
// below it.
type unlabelled struct{ plot.Ticker }

// Ticks returns the ticks of u.Ticker with blank labels: a major tick
// keeps a label of one space, so that it stays major and the grid draws
// its line (gonum's grid skips ticks without a label).
func (u unlabelled) Ticks(min, max float64) []plot.Tick {
	ts := u.Ticker.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = " "
		}
	}
	return ts
}

func pricePlot(d *ChartData, opt Options) *plot.Plot {
	series := d.Prices
	title := "GPU lease price by model (mean of median over " + replications(d.Reps) + ")"
	nModels := 0
	for _, s := range series {
		if slices.ContainsFunc(s.Y, isFinite) {
			nModels++
		}
	}
	switch {
	case len(series) == 0:
		title = "GPU lease price: no GPU models in the market"
	case nModels == 0:
		title = "GPU lease price: no GPU leases in any of " + replications(d.Reps)
	}
	p := newPlot(opt, title, "price (USD per GPU-hour)")
	var lines []plot.Plotter
	for k, s := range series {
		if slices.ContainsFunc(s.Y, isFinite) {
			lines = paletteLines(p, Series{Name: s.Model, X: s.X, Y: s.Y}, k, lines)
		}
	}
	p.Add(lines...)
	finishAxes(p, d, nModels == 0)
	return p
}

// finishAxes starts the y axis at 0 and, for a chart with no line, spans
// the run's time range on x and [0, 1] on y.
func finishAxes(p *plot.Plot, d *ChartData, empty bool) {
	if empty {
		p.Y.Max = 1
		if first, last, ok := d.span(); ok {
			p.X.Min, p.X.Max = first, last
		}
	}
	p.Y.Min = 0
	fixEmptyX(p)
}

// lineRuns returns the line segments of (x[i], y[i]) for i in keep, broken
// where y is NaN; an isolated point becomes a dot.
func lineRuns(x, y []float64, keep []int, col color.Color) []plot.Plotter {
	return lineRunsStyled(x, y, keep, lineStyle(col))
}

// lineRunsStyled is lineRuns with the lines' style.
func lineRunsStyled(x, y []float64, keep []int, style draw.LineStyle) []plot.Plotter {
	col := style.Color
	var out []plot.Plotter
	for _, r := range runs(keep, y) {
		idx := keep[r[0]:r[1]]
		xys := make(plotter.XYs, len(idx))
		for q, i := range idx {
			xys[q] = plotter.XY{X: x[i], Y: y[i]}
		}
		if len(xys) == 1 {
			s, err := plotter.NewScatter(xys)
			if err != nil {
				panic("reports: " + err.Error()) // finite by construction
			}
			s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(1.5), Shape: draw.CircleGlyph{}}
			out = append(out, s)
			continue
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			panic("reports: " + err.Error()) // finite by construction
		}
		l.LineStyle = style
		out = append(out, runLine{Line: l, memo: new(boxesMemo)})
	}
	return out
}

// runLine is a line of lineRunsStyled: a plotter.Line whose GlyphBoxes
// are only those of its extreme points. A plot uses glyph boxes only to
// pad its data area so that the outermost ones fit (padX, padY: the
// leftmost, rightmost, lowest and highest box), and a line's boxes all
// have the same size (its width), so the boxes of its leftmost,
// rightmost, lowest and highest point inside the axes' range pad the plot
// exactly as one box per point does, without a box per point for every
// plot drawn.
//
// A chart asks its lines for their boxes several times per drawing (once
// per padding, per format) with the same axes: memo keeps the last answer.
type runLine struct {
	*plotter.Line
	memo *boxesMemo
}

// Plot draws the line as plotter.Line.Plot does, with each stroked path
// made at its length at once (draw.Canvas.StrokeLines) where Line.Plot
// grows it point by point; a line with steps or a fill is Line.Plot's.
func (l runLine) Plot(c draw.Canvas, p *plot.Plot) {
	if l.StepStyle != plotter.NoStep || l.FillColor != nil {
		l.Line.Plot(c, p)
		return
	}
	trX, trY := p.Transforms(&c)
	ps := make([]vg.Point, len(l.XYs))
	for i, xy := range l.XYs {
		ps[i].X = trX(xy.X)
		ps[i].Y = trY(xy.Y)
	}
	lines := c.ClipLinesXY(ps)
	if l.LineStyle.Width != 0 && len(lines) != 0 {
		c.StrokeLines(l.LineStyle, lines...)
	}
}

// boxesMemo is the last answer of a runLine's GlyphBoxes and what it
// depends on: the plot, its axes' ranges and scales, and the line's width.
type boxesMemo struct {
	p                      *plot.Plot
	xmin, xmax, ymin, ymax float64
	xscale, yscale         plot.Normalizer
	width                  vg.Length
	boxes                  []plot.GlyphBox
}

// GlyphBoxes returns the glyph boxes of the line's extreme points among
// those plot.GlyphBoxes keeps (inside the axes' range).
func (l runLine) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	m := l.memo
	if m != nil && m.p == p && m.xmin == p.X.Min && m.xmax == p.X.Max && m.ymin == p.Y.Min && m.ymax == p.Y.Max &&
		m.xscale == p.X.Scale && m.yscale == p.Y.Scale && m.width == l.LineStyle.Width {
		return slices.Clip(slices.Clone(m.boxes))
	}
	boxes := l.glyphBoxes(p)
	if m != nil && comparableScale(p.X.Scale) && comparableScale(p.Y.Scale) {
		*m = boxesMemo{p: p, xmin: p.X.Min, xmax: p.X.Max, ymin: p.Y.Min, ymax: p.Y.Max,
			xscale: p.X.Scale, yscale: p.Y.Scale, width: l.LineStyle.Width, boxes: slices.Clone(boxes)}
	}
	return boxes
}

// comparableScale reports whether s can be compared with == without panicking
// (its dynamic type is comparable), and is not nil.
func comparableScale(s plot.Normalizer) bool {
	return s != nil && reflect.TypeOf(s).Comparable()
}

// glyphBoxes computes GlyphBoxes.
func (l runLine) glyphBoxes(p *plot.Plot) []plot.GlyphBox {
	r := 0.5 * l.LineStyle.Width
	rect := vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: +r, Y: +r}}
	size := rect.Size()
	var ext [4]plot.GlyphBox // leftmost, rightmost, lowest, highest
	n := 0
	for _, xy := range l.XYs {
		x, y := p.X.Norm(xy.X), p.Y.Norm(xy.Y)
		if size.X > 0 && (x < 0 || x > 1) || size.Y > 0 && (y < 0 || y > 1) || math.IsNaN(x) || math.IsNaN(y) {
			continue // dropped by plot.GlyphBoxes, or never outermost
		}
		b := plot.GlyphBox{X: x, Y: y, Rectangle: rect}
		if n == 0 {
			ext = [4]plot.GlyphBox{b, b, b, b}
			n = 4
			continue
		}
		if x < ext[0].X {
			ext[0] = b
		}
		if x > ext[1].X {
			ext[1] = b
		}
		if y < ext[2].Y {
			ext[2] = b
		}
		if y > ext[3].Y {
			ext[3] = b
		}
	}
	return ext[:n:n]
}

func lineStyle(col color.Color) draw.LineStyle {
	return draw.LineStyle{Color: col, Width: vg.Points(1.2)}
}

// styleLine returns an empty line with the style used for col, for legends.
func styleLine(col color.Color) *plotter.Line {
	return &plotter.Line{LineStyle: lineStyle(col)}
}

// band returns a filled polygon without outline.
func band(ring plotter.XYs, fill color.Color) bandPolygon {
	return bandPolygon{&plotter.Polygon{XYs: []plotter.XYs{ring}, Color: fill, LineStyle: draw.LineStyle{Width: 0}}}
}

// bandPolygon is a plotter.Polygon drawn as plotter.Polygon.Plot draws
// it, with its filled path made at its length at once: Polygon.Plot
// makes room for four components a ring and grows the path by copying as
// a band of thousands of points is added to it.
type bandPolygon struct {
	*plotter.Polygon
}

// Plot draws the polygon on c: plotter.Polygon.Plot's steps, in its
// order, but for the filled path's capacity.
func (pts bandPolygon) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	ps := make([][]vg.Point, len(pts.XYs))
	comps := 0
	for i, ring := range pts.XYs {
		ps[i] = make([]vg.Point, len(ring))
		for j, p := range ring {
			ps[i][j].X = trX(p.X)
			ps[i][j].Y = trY(p.Y)
		}
		ps[i] = c.ClipPolygonXY(ps[i])
		comps += len(ps[i]) + 1 // a move, the lines, the close
	}
	if pts.Color != nil && len(ps) > 0 {
		c.SetColor(pts.Color)
		pa := make(vg.Path, 0, comps)
		for _, ring := range ps {
			if len(ring) == 0 {
				continue
			}
			pa.Move(ring[0])
			for _, p := range ring[1:] {
				pa.Line(p)
			}
			pa.Close()
		}
		c.Fill(pa)
	}
	for _, ring := range ps {
		if len(ring) > 0 && ring[len(ring)-1] != ring[0] {
			ring = append(ring, ring[0])
		}
		c.StrokeLines(pts.LineStyle, c.ClipLinesXY(ring)...)
	}
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// fixEmptyX gives a plot without data a sensible x range.
func fixEmptyX(p *plot.Plot) {
	if math.IsInf(p.X.Min, 0) || math.IsInf(p.X.Max, 0) || p.X.Min > p.X.Max {
		p.X.Min, p.X.Max = 0, 1
	}
}

// paletteLines appends to lines the plotters of series s, reduced to
// drawPoints, in the palette's colour k and dash pattern k (Palette,
// paletteDashes), and adds its legend entry to p.
func paletteLines(p *plot.Plot, s Series, k int, lines []plot.Plotter) []plot.Plotter {
	col := paletteColor(k)
	dashes := paletteDashes(k)
	keep := reduced(s.X, s.Y)
	for _, l := range lineRuns(s.X, s.Y, keep, col) {
		if l, ok := l.(runLine); ok {
			l.LineStyle.Dashes = dashes
		}
		lines = append(lines, l)
	}
	legend := styleLine(col)
	legend.LineStyle.Dashes = dashes
	p.Legend.Add(s.Name, legend)
	return lines
}
