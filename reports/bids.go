package reports

import (
	"math"
	"slices"

	"gonum.org/v1/plot"

	"github.com/depinsim/depinsim/sim"
)

// BidData is the data behind the bids chart: per provider cohort, its
// bids' mean markup over cost and its win rate over time.
type BidData struct {
	// Markup and WinRate hold one line per provider cohort that placed a
	// bid at some sample of some replication, in the scenario's order
	// (the order of first appearance in the recordings, by Rep), named
	// "<cohort> (<kind>)". X holds the sample times in days since the
	// start (the sorted union of the recordings' times); Y the mean, over
	// the replications with a value at that time, of the cohort's
	// BidMarkup (Markup) or WinRate (WinRate) over the sample interval
	// ending then (fractions), NaN where none has one (no bid placed).
	Markup, WinRate []Series
	// Index holds, for each series, the position of its cohort among all
	// the cohorts: its colour, the same as in the cohorts chart.
	Index []int
}

// BidSeries returns the data behind the bids chart of recs (in any
// order: replications are taken in increasing Rep order).
func BidSeries(recs []*Recording) BidData {
	w := newCohortWalk(recs)
	var d BidData
	for k := range w.names {
		ys := w.means(k,
			func(c *sim.CohortSample) float64 { return c.BidMarkup },
			func(c *sim.CohortSample) float64 { return c.WinRate })
		if slices.ContainsFunc(ys[1], isFinite) {
			d.Markup = append(d.Markup, Series{Name: w.labels[k], X: w.x, Y: ys[0]})
			d.WinRate = append(d.WinRate, Series{Name: w.labels[k], X: w.x, Y: ys[1]})
			d.Index = append(d.Index, k)
		}
	}
	return d
}

// meanOf returns sum / n, NaN when n is 0.
func meanOf(sum float64, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// bids returns the bids chart's data from the accumulators of the
// cohorts, as BidSeries computes it from the recordings.
func (s *RunStats) bids(x []float64) BidData {
	var d BidData
	for _, c := range s.cohorts {
		win := c.winRate.mean()
		if slices.ContainsFunc(win, isFinite) {
			d.Markup = append(d.Markup, Series{Name: c.label, X: x, Y: c.bidMarkup.mean()})
			d.WinRate = append(d.WinRate, Series{Name: c.label, X: x, Y: win})
			d.Index = append(d.Index, c.index)
		}
	}
	return d
}

// bidsPlots returns the title and the two panels of the bids chart: the
// mean markup over cost of the bids placed on top, without x tick
// labels, and the win rate below, one line per cohort in both, each the
// mean per FlowPeriod (a day, or a week beyond 180 days) of the values
// of its sample intervals (periodMeans): hourly values would draw a
// solid block.
func bidsPlots(cd *ChartData, opt Options) (string, []*plot.Plot) {
	d := cd.Bids
	per := "per sample interval"
	if x := cd.GPUUtilization.X; len(x) > 1 && cd.FlowPeriod > x[1]-x[0] {
		per = "mean per " + periodName(cd.FlowPeriod) + " of the sample intervals' values"
	}
	title := "bids by provider cohort: markup over cost, win rate\n" + per + ", mean over " + replications(cd.Reps)
	if len(d.WinRate) == 0 {
		title = "bids by provider cohort: no bids in any of " + replications(cd.Reps)
	}
	if opt.Title != "" {
		title = opt.Title + ": " + title
	}
	top := newPlot(Options{Start: opt.Start}, "", "markup over cost (fraction)")
	bottom := newPlot(Options{Start: opt.Start}, "", "win rate (fraction)")
	for k, p := range []*plot.Plot{top, bottom} {
		series := d.Markup
		if k == 1 {
			series = d.WinRate
		}
		var lines []plot.Plotter
		for q, s := range series {
			x, y := periodMeans(s.X, s.Y, cd.FlowPeriod)
			lines = paletteLines(p, Series{Name: s.Name, X: x, Y: y}, d.Index[q], lines)
		}
		p.Add(lines...)
		p.Y.Min = min(p.Y.Min, 0)
		if len(lines) == 0 || p.Y.Max <= p.Y.Min {
			p.Y.Min, p.Y.Max = 0, 1
		}
	}
	bottom.Y.Min, bottom.Y.Max = 0, 1
	top.X.Label.Text = ""
	top.X.Tick.Marker = unlabelled{top.X.Tick.Marker}
	xmin, xmax := 0.0, 1.0
	if first, last, ok := cd.span(); ok {
		xmin, xmax = first, last
	}
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max = xmin, xmax
	}
	return title, []*plot.Plot{top, bottom}
}

// periodMeans returns the means of the finite values of y over each
// period of p days (t in (kp, (k+1)p]), at the end of each period (the
// last time of x for a partial last period); NaN for a period without a
// finite value. A period p of at most the sampling interval leaves the
// series as it is.
func periodMeans(x, y []float64, p float64) ([]float64, []float64) {
	if len(x) < 2 || !(p > x[1]-x[0]) {
		return x, y
	}
	var xs, ys []float64
	sum, n := 0.0, 0
	k := math.Ceil(x[0]/p) - 1
	flush := func(end float64) {
		xs = append(xs, end)
		ys = append(ys, meanOf(sum, n))
		sum, n = 0, 0
	}
	for i, t := range x {
		if b := math.Ceil(t/p) - 1; b != k {
			flush(math.Min((k+1)*p, x[i-1]))
			k = b
		}
		if isFinite(y[i]) {
			sum += y[i]
			n++
		}
	}
	flush(math.Min((k+1)*p, x[len(x)-1]))
	return xs, ys
}
