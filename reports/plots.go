package reports

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/depinsim/depinsim/sim"
)

// MaxPlotPoints bounds the points drawn per line: longer series are
// thinned to every k-th sample (plus the last), which keeps plotting a
// year of hourly samples fast without visible change at chart resolution.
const MaxPlotPoints = 2000

// Chart size.
const (
	plotWidth  = 8 * vg.Inch
	plotHeight = 4.5 * vg.Inch
)

// PlotFiles lists the files WritePlots writes, relative to its directory.
var PlotFiles = []string{"utilization.png", "utilization.svg", "price.png", "price.svg"}

// WritePlots writes utilization.{png,svg} and price.{png,svg} to dir (which
// must exist). utilization shows GPU and CPU utilization over time: the
// mean across replications as a line and the min-max range as a band.
// price shows, per GPU model, the mean across replications of the median
// lease price, with gaps where no replication had a lease of the model.
func WritePlots(dir string, recs []*Recording, opt Options) error {
	recs = byRep(recs)
	if err := savePlot(utilizationPlot(recs, opt), filepath.Join(dir, "utilization")); err != nil {
		return err
	}
	return savePlot(pricePlot(recs, opt), filepath.Join(dir, "price"))
}

// savePlot writes p to base+".png" and base+".svg".
func savePlot(p *plot.Plot, base string) error {
	for _, format := range []string{"png", "svg"} {
		wt, err := render(p, format)
		if err != nil {
			return fmt.Errorf("render %s.%s: %w", base, format, err)
		}
		err = WriteFileAtomic(base+"."+format, func(w io.Writer) error {
			_, err := wt.WriteTo(w)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// render draws p in the given format ("png", "svg") with a margin and
// its legend to the right of the data area, where it cannot hide data.
func render(p *plot.Plot, format string) (io.WriterTo, error) {
	vc, err := draw.NewFormattedCanvas(plotWidth, plotHeight, format)
	if err != nil {
		return nil, err
	}
	const margin = vg.Length(8) // points
	c := draw.Crop(draw.New(vc), margin, -margin, margin, -margin)

	legend := p.Legend
	p.Legend = plot.NewLegend() // no entries: Draw draws no legend
	defer func() { p.Legend = legend }()
	p.Draw(draw.Crop(c, 0, -(legend.Rectangle(c).Size().X + 2*margin), 0, 0))

	if p.Title.Text != "" {
		c = draw.Crop(c, 0, 0, 0, -(p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding + margin))
	}
	legend.Top, legend.Left = true, false
	legend.Draw(c)
	return vc, nil
}

// newPlot returns a plot with a title, axis labels and a grid.
func newPlot(opt Options, title, yLabel string) *plot.Plot {
	p := plot.New()
	if opt.Title != "" {
		title = opt.Title + ": " + title
	}
	p.Title.Text = title
	start := "start"
	if opt.Start != "" {
		start = opt.Start
	}
	p.X.Label.Text = "time (days since " + start + ")"
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

func utilizationPlot(recs []*Recording, opt Options) *plot.Plot {
	p := newPlot(opt, "GPU and CPU utilization (mean, min-max over "+replications(len(recs))+")", "utilization (fraction)")
	var lines []plot.Plotter
	for k, m := range []struct {
		label  string
		metric int
	}{{"GPU", sim.MGPUUtilization}, {"CPU", sim.MCPUUtilization}} {
		x, mean, lo, hi := BandSeries(recs, m.metric)
		keep := thinIndices(len(x), thinStride(len(x), MaxPlotPoints))
		col := plotutil.Color(k)
		fill := withAlpha(col, 0x50)
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
		lines = append(lines, lineRuns(x, mean, keep, col)...)
		p.Legend.Add(m.label+" mean", styleLine(col))
		p.Legend.Add(m.label+" min-max", band(nil, fill))
	}
	p.Add(lines...)
	p.Y.Min, p.Y.Max = 0, 1
	fixEmptyX(p)
	return p
}

func pricePlot(recs []*Recording, opt Options) *plot.Plot {
	series := GPUPriceSeries(recs)
	title := "GPU lease price by model (mean of median over " + replications(len(recs)) + ")"
	var lines []plot.Plotter
	var models []string
	var colors []color.Color
	for k, s := range series {
		keep := thinIndices(len(s.X), thinStride(len(s.X), MaxPlotPoints))
		ls := lineRuns(s.X, s.Y, keep, plotutil.Color(k))
		if len(ls) > 0 {
			lines = append(lines, ls...)
			models = append(models, s.Model)
			colors = append(colors, plotutil.Color(k))
		}
	}
	switch {
	case len(series) == 0:
		title = "GPU lease price: no GPU models in the market"
	case len(models) == 0:
		title = "GPU lease price: no GPU leases in any of " + replications(len(recs))
	}
	p := newPlot(opt, title, "price (USD per GPU-hour)")
	p.Add(lines...)
	for i, m := range models {
		p.Legend.Add(m, styleLine(colors[i]))
	}
	if len(models) == 0 {
		p.Y.Max = 1
		if times, _ := align(recs); len(times) > 0 {
			p.X.Min, p.X.Max = times[0].Days(), times[len(times)-1].Days()
		}
	}
	p.Y.Min = 0
	fixEmptyX(p)
	return p
}

// lineRuns returns the line segments of (x[i], y[i]) for i in keep, broken
// where y is NaN; an isolated point becomes a dot.
func lineRuns(x, y []float64, keep []int, col color.Color) []plot.Plotter {
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
		l.LineStyle = lineStyle(col)
		out = append(out, l)
	}
	return out
}

func lineStyle(col color.Color) draw.LineStyle {
	return draw.LineStyle{Color: col, Width: vg.Points(1.2)}
}

// styleLine returns an empty line with the style used for col, for legends.
func styleLine(col color.Color) *plotter.Line {
	return &plotter.Line{LineStyle: lineStyle(col)}
}

// band returns a filled polygon without outline.
func band(ring plotter.XYs, fill color.Color) *plotter.Polygon {
	return &plotter.Polygon{XYs: []plotter.XYs{ring}, Color: fill, LineStyle: draw.LineStyle{Width: 0}}
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
