package reports

import (
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
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
	recs = byRep(recs)
	times, idx := align(recs)
	x := make([]float64, len(times))
	for j, t := range times {
		x[j] = t.Days()
	}
	var names, labels []string
	seen := map[string]bool{}
	for _, rec := range recs {
		for _, row := range rec.Cohorts {
			for _, c := range row {
				if !seen[c.Cohort] {
					seen[c.Cohort] = true
					names = append(names, c.Cohort)
					labels = append(labels, c.Cohort+" ("+c.Kind+")")
				}
			}
		}
	}
	var d BidData
	hints := make([]int, len(recs))
	for k, name := range names {
		markup, win := make([]float64, len(times)), make([]float64, len(times))
		for r := range hints {
			hints[r] = -1
		}
		for j := range times {
			var sm, sw float64
			var nm, nw int
			for r, rec := range recs {
				i := idx[r][j]
				if i < 0 {
					continue
				}
				row := rec.cohortsAt(i)
				c := findCohort(row, name, hints[r])
				if c < 0 {
					continue
				}
				hints[r] = c
				if v := row[c].BidMarkup; !math.IsNaN(v) {
					sm += v
					nm++
				}
				if v := row[c].WinRate; !math.IsNaN(v) {
					sw += v
					nw++
				}
			}
			markup[j], win[j] = meanOf(sm, nm), meanOf(sw, nw)
		}
		if slices.ContainsFunc(win, isFinite) {
			d.Markup = append(d.Markup, Series{Name: labels[k], X: x, Y: markup})
			d.WinRate = append(d.WinRate, Series{Name: labels[k], X: x, Y: win})
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
// labels, and the win rate below, one line per cohort in both.
func bidsPlots(cd *ChartData, opt Options) (string, []*plot.Plot) {
	d := cd.Bids
	title := "bids by provider cohort: markup over cost, win rate (mean over " + replications(cd.Reps) + ")"
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
			ci := d.Index[q]
			col := plotutil.Color(ci)
			dashes := plotutil.Dashes(ci / len(plotutil.DefaultColors))
			keep := thinIndices(len(s.X), thinStride(len(s.X), MaxPlotPoints))
			for _, l := range lineRuns(s.X, s.Y, keep, col) {
				if l, ok := l.(*plotter.Line); ok {
					l.LineStyle.Dashes = dashes
				}
				lines = append(lines, l)
			}
			legend := styleLine(col)
			legend.LineStyle.Dashes = dashes
			p.Legend.Add(s.Name, legend)
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
