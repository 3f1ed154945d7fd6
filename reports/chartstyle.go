package reports

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/depinsim/depinsim/sim"
)

// Palette is the colour-blind-safe palette of every chart (Okabe and Ito,
// "Color Universal Design", 2008): blue, vermillion, bluish green,
// reddish purple, orange, sky blue, black and yellow, in the order lines
// take them. Yellow, hard to see on white, comes last.
var Palette = []color.Color{
	color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xff}, // blue
	color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xff}, // vermillion
	color.NRGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xff}, // bluish green
	color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xff}, // reddish purple
	color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xff}, // orange
	color.NRGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xff}, // sky blue
	color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff}, // black
	color.NRGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xff}, // yellow
}

// paletteColor returns the colour of the k-th line (k >= 0), cycling
// through Palette.
func paletteColor(k int) color.Color { return Palette[k%len(Palette)] }

// solidLines is how many lines of a chart are told apart by colour alone;
// later ones are dashed too (paletteDashes).
const solidLines = 3

// dashPatterns are the dash patterns of lines after the first
// solidLines, in points.
var dashPatterns = [][]vg.Length{
	{vg.Points(6), vg.Points(2)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(6), vg.Points(2), vg.Points(2), vg.Points(2)},
	{vg.Points(10), vg.Points(3)},
	{vg.Points(1), vg.Points(3)},
	{vg.Points(10), vg.Points(2), vg.Points(2), vg.Points(2), vg.Points(2), vg.Points(2)},
}

// paletteDashes returns the dash pattern of the k-th line: solid for the
// first solidLines, then a pattern of its own, so that no line is told
// apart by its colour alone once colours get many (or repeat).
func paletteDashes(k int) []vg.Length {
	if k < solidLines {
		return nil
	}
	return dashPatterns[(k-solidLines)%len(dashPatterns)]
}

// dateTicks labels a time axis in days since start with calendar dates:
// months ("2024-04") over spans of more than about two months, days
// ("2024-04-15") over shorter ones, years over spans of more than four
// years.
type dateTicks struct{ start time.Time }

// parseStart returns the date of opt.Start (YYYY-MM-DD) and whether it
// is one.
func parseStart(start string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, start)
	return t, err == nil
}

// Ticks returns the date ticks between min and max (days since start).
func (d dateTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return nil
	}
	day := func(t time.Time) float64 { return t.Sub(d.start).Hours() / 24 }
	at := func(x float64) time.Time { return d.start.Add(time.Duration(x * 24 * float64(time.Hour))) }
	span := max - min
	var ticks []plot.Tick
	add := func(t time.Time, layout string) {
		if x := day(t); x >= min-1e-9 && x <= max+1e-9 {
			ticks = append(ticks, plot.Tick{Value: x, Label: t.Format(layout)})
		}
	}
	first, last := at(min), at(max)
	switch {
	case span > 4*365:
		step := int(math.Ceil(span / 365 / 8))
		for y := first.Year(); y <= last.Year()+1; y += step {
			add(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), "2006")
		}
	case span > 60:
		step := int(math.Ceil(span / 30.4 / 10)) // at most about 10 labels
		for _, s := range []int{1, 2, 3, 6, 12} {
			if s >= step {
				step = s
				break
			}
		}
		m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
		for ; !m.After(last); m = m.AddDate(0, 1, 0) {
			if (int(m.Month())-1)%step == 0 {
				add(m, "2006-01")
			}
		}
	default:
		step := 1
		for _, s := range []int{1, 2, 5, 7, 14} {
			step = s
			if span/float64(s) <= 8 {
				break
			}
		}
		t := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
		for k := 0; !t.After(last); k++ {
			if k%step == 0 {
				add(t, "2006-01-02")
			}
			t = t.AddDate(0, 0, 1)
		}
	}
	if len(ticks) < 2 { // a span of less than a day or so: hours
		ticks = ticks[:0]
		step := math.Max(1, math.Ceil(span*24/8))
		for h := math.Ceil(min*24/step) * step; h <= max*24+1e-9; h += step {
			ticks = append(ticks, plot.Tick{Value: h / 24, Label: at(h / 24).Format("01-02 15:04")})
		}
	}
	return ticks
}

// setTimeAxis labels p's x axis (days since start) with calendar dates
// when start is a date, with days since it otherwise.
func setTimeAxis(p *plot.Plot, start string) {
	if t, ok := parseStart(start); ok {
		p.X.Tick.Marker = dateTicks{start: t}
		p.X.Label.Text = "date (UTC)"
		return
	}
	if start == "" {
		start = "start"
	}
	p.X.Label.Text = "time (days since " + start + ")"
}

// metricDomain returns the range a metric's values can take, from its
// unit in sim.Metrics: [0, 1] for fractions, [0, +Inf) for counts,
// amounts, prices and other rates, and the whole line for burned_total
// (net of the BME vault, it falls when the vault pays out).
func metricDomain(m int) (lo, hi float64) {
	if m == sim.MBurnedTotal {
		return math.Inf(-1), math.Inf(1)
	}
	if sim.Metrics[m].Unit == "fraction" {
		return 0, 1
	}
	return 0, math.Inf(1)
}

// clipBand returns lo and hi clipped to [min, max] (NaN stays NaN),
// as new slices.
func clipBand(lo, hi []float64, min, max float64) ([]float64, []float64) {
	clip := func(ys []float64) []float64 {
		out := make([]float64, len(ys))
		for i, v := range ys {
			out[i] = v
			if !math.IsNaN(v) {
				out[i] = math.Min(math.Max(v, min), max)
			}
		}
		return out
	}
	return clip(lo), clip(hi)
}

// smallN is the number of replications below which an interval across
// them is flagged as wide.
const smallN = 5

// ciNote says what a 95% confidence band over n replications shows:
// nothing with one replication, a wide interval with fewer than smallN.
func ciNote(n int) string {
	switch {
	case n <= 1:
		return fmt.Sprintf("mean of n=%d replication: no confidence band (one replication has no interval)", n)
	case n < smallN:
		return fmt.Sprintf("mean and 95%% CI over n=%d replications: wide (few replications)", n)
	}
	return fmt.Sprintf("mean and 95%% CI over n=%d replications", n)
}

// spreadNote says what a run chart's lines and bands across n
// replications show (what: e.g. "mean, p5-p95, min-max"): no band with
// one replication, rough bands with fewer than smallN.
func spreadNote(n int, what string) string {
	switch {
	case n <= 1:
		return fmt.Sprintf("n=%d replication: no band", n)
	case n < smallN:
		return fmt.Sprintf("%s over n=%d replications: rough (few replications)", what, n)
	}
	return fmt.Sprintf("%s over n=%d replications", what, n)
}
