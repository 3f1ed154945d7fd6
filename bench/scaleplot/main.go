package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scaleplot:", err)
		os.Exit(2)
	}
}

// point is one row of the CSV.
type point struct {
	providers, depinsim, r1limit, ratio float64
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("scaleplot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	metric := fs.String("metric", "cpu", "cpu or wall: which time per event to draw (CPU time, user + sys, is the steadier on a busy machine)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("want IN.csv OUT.png, got %d arguments", fs.NArg())
	}
	if *metric != "wall" && *metric != "cpu" {
		return fmt.Errorf("-metric %q: allowed are wall and cpu", *metric)
	}
	pts, err := readCSV(fs.Arg(0), *metric)
	if err != nil {
		return err
	}
	return draw2(pts, *metric, fs.Arg(1))
}

// readCSV reads the providers column and the metric's ns/event and ratio.
func readCSV(path, metric string) ([]point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	names := []string{"providers", "depinsim_" + metric + "_ns_per_event", "r1limit_" + metric + "_ns_per_event", metric + "_ratio"}
	for _, n := range names {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("%s: no column %q", path, n)
		}
	}
	var pts []point
	for li, r := range rows[1:] {
		var v [4]float64
		for j, n := range names {
			x, err := strconv.ParseFloat(r[col[n]], 64)
			if err != nil || !(x > 0) {
				return nil, fmt.Errorf("%s:%d: %s = %q, want a positive number", path, li+2, n, r[col[n]])
			}
			v[j] = x
		}
		pts = append(pts, point{v[0], v[1], v[2], v[3]})
	}
	return pts, nil
}

// log2Ticks labels the providers axis 1k, 2k, 4k, ...
type log2Ticks struct{}

func (log2Ticks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for x := 1000.0; x <= max*1.01; x *= 2 {
		if x >= min*0.99 {
			ts = append(ts, plot.Tick{Value: x, Label: strconv.Itoa(int(x/1000)) + "k"})
		}
	}
	return ts
}

func draw2(pts []point, metric, out string) error {
	xy := func(f func(point) float64) plotter.XYs {
		v := make(plotter.XYs, len(pts))
		for i, p := range pts {
			v[i] = plotter.XY{X: p.providers, Y: f(p)}
		}
		return v
	}
	what := "wall time"
	if metric == "cpu" {
		what = "CPU time (user + sys)"
	}
	top := plot.New()
	top.Title.Text = "R1 scaled by k (providers and demand x k, horizon 8760/k h): whole process per R1 event"
	top.Y.Label.Text = "ns per R1 event (" + what + ")"
	top.X.Label.Text = "providers (log2 scale; arrivals 100 an hour per 1,000 providers)"
	top.X.Scale = plot.LogScale{}
	top.X.Tick.Marker = log2Ticks{}
	top.Y.Min = 0
	top.Y.Max = 1.3 * maxOf(pts, func(p point) float64 { return max(p.depinsim, p.r1limit) })
	top.Legend.Top = true
	top.Legend.Left = true
	top.Add(plotter.NewGrid())
	for _, s := range []struct {
		name string
		f    func(point) float64
		c    color.RGBA
		m    draw.GlyphDrawer
	}{
		{"depinsim (run, outputs included)", func(p point) float64 { return p.depinsim }, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, draw.CircleGlyph{}},
		{"r1limit (plain Go, index auction)", func(p point) float64 { return p.r1limit }, color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, draw.SquareGlyph{}},
	} {
		l, sc, err := plotter.NewLinePoints(xy(s.f))
		if err != nil {
			return err
		}
		l.Color, sc.Color, sc.Shape, l.Width = s.c, s.c, s.m, vg.Points(1.5)
		top.Add(l, sc)
		top.Legend.Add(s.name, l, sc)
	}
	bot := plot.New()
	bot.Title.Text = "depinsim / r1limit, " + what + ": the median of the per-pair ratios"
	bot.Y.Label.Text = "ratio"
	bot.X.Label.Text = "providers (log2 scale)"
	bot.X.Scale = plot.LogScale{}
	bot.X.Tick.Marker = log2Ticks{}
	bot.Y.Min = 0
	bot.Y.Max = 1.3 * max(1.4, maxOf(pts, func(p point) float64 { return p.ratio }))
	bot.Add(plotter.NewGrid())
	l, sc, err := plotter.NewLinePoints(xy(func(p point) float64 { return p.ratio }))
	if err != nil {
		return err
	}
	l.Width = vg.Points(1.5)
	bot.Add(l, sc)
	for _, ref := range []float64{1, 1.4} {
		line, err := plotter.NewLine(plotter.XYs{{X: pts[0].providers, Y: ref}, {X: pts[len(pts)-1].providers, Y: ref}})
		if err != nil {
			return err
		}
		line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		line.Color = color.Gray{Y: 0x80}
		bot.Add(line)
		if ref == 1.4 {
			bot.Legend.Add("1.4x: the target at every size", line)
		}
	}
	bot.Legend.Top = true
	bot.Legend.Left = true
	for _, p := range []*plot.Plot{top, bot} {
		p.X.Min, p.X.Max = pts[0].providers/1.3, pts[len(pts)-1].providers*1.3
	}
	const w, h = 8 * vg.Inch, 7 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(12), PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12)}
	canvases := plot.Align([][]*plot.Plot{{top}, {bot}}, tiles, dc)
	top.Draw(canvases[0][0])
	bot.Draw(canvases[1][0])
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func maxOf(pts []point, f func(point) float64) float64 {
	m := 0.0
	for _, p := range pts {
		m = max(m, f(p))
	}
	return m
}
