package reports

import (
	"math"
	"slices"

	"gonum.org/v1/plot"

	"github.com/depinsim/depinsim/sim"
)

// flowLongRun is the span of sample times, in days, beyond which the
// flows chart sums flows per week rather than per day.
const flowLongRun = 180

// FlowPeriod returns the period, in days, over which the flows chart sums
// the token flows of a run sampled at times: a day, or a week when the
// samples span more than 180 days; longer (a whole number of days) when
// two consecutive samples are further apart than that, so that every
// period holds a sample. A run shorter than two such periods keeps its
// flows per sample interval: the period is then the longest interval
// between two samples.
func FlowPeriod(times []sim.Time) float64 {
	return flowPeriod(times).Days()
}

func flowPeriod(times []sim.Time) sim.Time {
	if len(times) < 2 {
		return sim.Day
	}
	p := sim.Day
	span := times[len(times)-1] - times[0]
	if span > flowLongRun*sim.Day {
		p = 7 * sim.Day
	}
	var gap sim.Time
	for j := 1; j < len(times); j++ {
		gap = max(gap, times[j]-times[j-1])
	}
	if gap > p {
		p = (gap + sim.Day - 1) / sim.Day * sim.Day
	}
	if span < 2*p && gap > 0 {
		p = gap
	}
	return p
}

// flowBounds returns the indices, among the sorted sample times, of the
// last sample at or before each multiple of period from the first
// multiple at or after times[0] to the last at or before the last time:
// the ends of the whole periods the flows chart sums over (a partial
// period at either end is left out). Fewer than two bounds: no period.
func flowBounds(times []sim.Time, period sim.Time) []int {
	if len(times) == 0 {
		return nil
	}
	first := (times[0] + period - 1) / period * period
	if times[0] < 0 {
		first = times[0] / period * period
	}
	var out []int
	j := 0
	for e := first; e <= times[len(times)-1]; e += period {
		for j+1 < len(times) && times[j+1] <= e {
			j++
		}
		if len(out) > 0 && out[len(out)-1] == j {
			continue // no sample in the period (cannot happen with flowPeriod)
		}
		out = append(out, j)
	}
	return out
}

// FlowSeries returns the token flows of recs summed over each period of
// FlowPeriod (a day, or a week for runs of more than 180 days), in
// tokens per period: "minted", "burned", "take fees", "subsidies" and
// "emissions", in that order, derived from minted_total, burned_total,
// fees_total, subsidies_paid_total and emissions_total. For each whole
// period (flowBounds: periods start at multiples of the period since the
// start; a partial period at the end is left out) and each replication
// with a sample at both of its ends, the flow is the difference of the
// cumulative metric between the ends, which is the sum of the flows of
// the sample intervals inside; Y is the mean of that over the
// replications (NaN where none has a non-NaN difference) and X the end
// of the period in days. A flow that is zero or NaN at every time is
// left out, so the result is empty for a run without token flows.
//
// burned_total is net of the BME vault: when the BME is on, tokens
// released from the vault count as negative burns, so "burned" is a net
// burn and can be negative.
func FlowSeries(recs []*Recording) []Series {
	recs = byRep(recs)
	times, idx := align(recs)
	bounds := flowBounds(times, flowPeriod(times))
	if len(bounds) < 2 {
		return nil
	}
	x := make([]float64, len(bounds)-1)
	for q := range x {
		x[q] = times[bounds[q+1]].Days()
	}
	var out []Series
	for _, f := range flowMetrics {
		y := make([]float64, len(x))
		nonzero := false
		for q := range y {
			a, b := bounds[q], bounds[q+1]
			sum, n := 0.0, 0
			for r, rec := range recs {
				ia, ib := idx[r][a], idx[r][b]
				if ia < 0 || ib < 0 {
					continue
				}
				d := rec.Values[ib][f.metric] - rec.Values[ia][f.metric]
				if math.IsNaN(d) || math.IsInf(d, 0) {
					continue
				}
				sum += d
				n++
			}
			y[q] = meanOf(sum, n)
			nonzero = nonzero || (n > 0 && y[q] != 0)
		}
		if nonzero {
			out = append(out, Series{Name: f.name, X: x, Y: y})
		}
	}
	return out
}

// flowAcc accumulates the flows chart (FlowSeries): each replication's
// flow over each whole period, summed over the replications, exactly as
// FlowSeries does.
type flowAcc struct {
	bounds []int // the periods' ends, indices into the sample times
	sum    [][]float64
	n      [][]int
}

// setGrid sets the periods of times.
func (f *flowAcc) setGrid(times []sim.Time) {
	f.bounds, f.sum, f.n = flowBounds(times, flowPeriod(times)), nil, nil
	if len(f.bounds) < 2 {
		f.bounds = nil
		return
	}
	for range flowMetrics {
		f.sum = append(f.sum, make([]float64, len(f.bounds)-1))
		f.n = append(f.n, make([]int, len(f.bounds)-1))
	}
}

// add adds the flows of replication rec, whose samples use are at the
// grid's times.
func (f *flowAcc) add(rec *Recording, use []int) {
	for k, fm := range flowMetrics {
		for q := 0; q+1 < len(f.bounds); q++ {
			d := rec.Values[use[f.bounds[q+1]]][fm.metric] - rec.Values[use[f.bounds[q]]][fm.metric]
			if math.IsNaN(d) || math.IsInf(d, 0) {
				continue
			}
			f.sum[k][q] += d
			f.n[k][q]++
		}
	}
}

// series returns the flows at times (the grid's), as FlowSeries.
func (f *flowAcc) series(times []sim.Time) []Series {
	if len(f.bounds) < 2 {
		return nil
	}
	x := make([]float64, len(f.bounds)-1)
	for q := range x {
		x[q] = times[f.bounds[q+1]].Days()
	}
	var out []Series
	for k, fm := range flowMetrics {
		y := make([]float64, len(x))
		nonzero := false
		for q := range y {
			y[q] = meanOf(f.sum[k][q], f.n[k][q])
			nonzero = nonzero || (f.n[k][q] > 0 && y[q] != 0)
		}
		if nonzero {
			out = append(out, Series{Name: fm.name, X: x, Y: y})
		}
	}
	return out
}

// periodName names a flow period of p days: "day", "week", "N days",
// "hour" or "N hours".
func periodName(p float64) string {
	switch {
	case p == 1:
		return "day"
	case p == 7:
		return "week"
	case p == 1.0/24:
		return "hour"
	case p < 1:
		return formatFloat(p*24) + " hours"
	}
	return formatFloat(p) + " days"
}

// flowsPlots returns the title and the panels of the flows chart: small
// multiples, one panel per flow with its own y scale, sharing the time
// axis (only the bottom one labels it).
func flowsPlots(d *ChartData, opt Options) (string, []*plot.Plot) {
	per := periodName(d.FlowPeriod)
	title := "token flows per " + per + " (sum over each " + per + ", mean over " + replications(d.Reps) + ")"
	if len(d.Flows) == 0 {
		title = "token flows: no token flows in any of " + replications(d.Reps)
	}
	if d.BME.On && slices.ContainsFunc(d.Flows, func(s Series) bool { return s.Name == burnedLabel() }) {
		title += "\nburned is net of the BME vault: below 0 when the vault releases more than it takes in"
	}
	if opt.Title != "" {
		title = opt.Title + ": " + title
	}
	xmin, xmax := 0.0, 1.0
	if first, last, ok := d.span(); ok {
		xmin, xmax = first, last
	}
	var panels []*plot.Plot
	for _, s := range d.Flows {
		name := s.Name
		if d.BME.On && name == burnedLabel() {
			name = "net burned"
		}
		p := newPlot(Options{Start: opt.Start}, "", name+"\n(tokens per "+per+")")
		k := metricIndex(flowMetrics, s.Name)
		col := paletteColor(k)
		lines := lineRuns(s.X, s.Y, reduced(s.X, s.Y), col)
		p.Add(lines...)
		p.Y.Min, p.Y.Max = min(p.Y.Min, 0), max(p.Y.Max, 0) // show the zero line
		if p.Y.Min >= p.Y.Max {
			p.Y.Max = p.Y.Min + 1
		}
		panels = append(panels, p)
	}
	if len(panels) == 0 {
		p := newPlot(Options{Start: opt.Start}, "", "flow (tokens per "+per+")")
		p.Y.Min, p.Y.Max = 0, 1
		panels = append(panels, p)
	}
	for i, p := range panels {
		p.X.Min, p.X.Max = xmin, xmax
		if i < len(panels)-1 {
			p.X.Label.Text = ""
			p.X.Tick.Marker = unlabelled{p.X.Tick.Marker}
		}
	}
	return title, panels
}

// burnedLabel is the legend label of burned_total among the flows.
func burnedLabel() string { return legendLabel(sim.Metrics[sim.MBurnedTotal]) }

// BMEData is the data behind the BME chart: the burn-mint equilibrium's
// vault, compute-credit supply and collateral ratio, each as the mean
// and min-max band over the replications (as BandSeries; no quantiles).
type BMEData struct {
	// On tells whether the BME is on: some replication has a finite,
	// non-zero bme_vault or act_supply at some time. The BME chart is
	// written only then.
	On bool
	// Vault is bme_vault in million tokens, ACT act_supply in million
	// ACT, CollateralRatio bme_collateral_ratio (vault x price / ACT
	// supply, a ratio).
	Vault, ACT, CollateralRatio BandLine
}

// bmeMetrics are the BME chart's metrics, in panel order, with the
// divisor of their values.
var bmeMetrics = []struct {
	metric int
	scale  float64
}{{sim.MBMEVault, 1e6}, {sim.MACTSupply, 1e6}, {sim.MBMECollateralRatio, 1}}

// bmeOf returns the BMEData of the bands of bmeMetrics (in their
// order, unscaled), scaling them.
func bmeOf(bands []BandLine) BMEData {
	for k, b := range bands {
		for _, ys := range [][]float64{b.Mean, b.Lo, b.Hi} {
			for j := range ys {
				ys[j] /= bmeMetrics[k].scale
			}
		}
	}
	d := BMEData{Vault: bands[0], ACT: bands[1], CollateralRatio: bands[2]}
	nonzero := func(v float64) bool { return isFinite(v) && v != 0 }
	d.On = slices.ContainsFunc(d.Vault.Hi, nonzero) || slices.ContainsFunc(d.Vault.Lo, nonzero) ||
		slices.ContainsFunc(d.ACT.Hi, nonzero) || slices.ContainsFunc(d.ACT.Lo, nonzero)
	return d
}

// BMESeries returns the data behind the BME chart of recs.
func BMESeries(recs []*Recording) BMEData {
	recs = byRep(recs)
	times, idx := align(recs)
	bands := make([]BandLine, len(bmeMetrics))
	for k, m := range bmeMetrics {
		b := &bands[k]
		b.X, b.Mean, b.Lo, b.Hi = bandAt(recs, times, idx, m.metric)
	}
	return bmeOf(bands)
}

// BMEPlotFiles lists the files of the BME chart, which WriteCharts
// writes after those of PlotFiles only when the BME is on.
var BMEPlotFiles = []string{"bme.png", "bme.svg"}

// ChartFiles returns the files WriteCharts writes for d, relative to its
// directory: PlotFiles, then BMEPlotFiles when the BME is on.
func ChartFiles(d *ChartData) []string {
	files := slices.Clone(PlotFiles)
	if d.BME.On {
		files = append(files, BMEPlotFiles...)
	}
	return files
}

// bmePlots returns the title and the three panels of the BME chart:
// the vault in million tokens, the ACT supply in million ACT and the
// collateral ratio, each the mean with its min-max band.
func bmePlots(d *ChartData, opt Options) (string, []*plot.Plot) {
	title := "burn-mint equilibrium: vault, compute credits (ACT), collateral ratio\n" + spreadNote(d.Reps, "mean, min-max")
	if opt.Title != "" {
		title = opt.Title + ": " + title
	}
	xmin, xmax := 0.0, 1.0
	if first, last, ok := d.span(); ok {
		xmin, xmax = first, last
	}
	var panels []*plot.Plot
	for k, l := range []struct {
		label, legend string
		band          BandLine
	}{
		{"BME vault\n(million tokens)", "vault", d.BME.Vault},
		{"ACT supply\n(million ACT)", "ACT supply", d.BME.ACT},
		{"collateral ratio\n(vault value / ACT)", "collateral ratio", d.BME.CollateralRatio},
	} {
		p := newPlot(Options{Start: opt.Start}, "", l.label)
		col := paletteColor(k)
		lo, hi := clipBand(l.band.Lo, l.band.Hi, 0, math.Inf(1))
		p.Add(addBand(p, l.band.X, l.band.Mean, lo, hi, col)...)
		p.Legend.Add(l.legend+" mean", styleLine(col))
		if d.Reps > 1 {
			p.Legend.Add(l.legend+" min-max", band(nil, withAlpha(col, bandAlpha)))
		}
		p.Y.Min = min(p.Y.Min, 0)
		if p.Y.Min >= p.Y.Max || math.IsInf(p.Y.Max, 0) {
			p.Y.Min, p.Y.Max = 0, 1
		}
		p.X.Min, p.X.Max = xmin, xmax
		if k < 2 {
			p.X.Label.Text = ""
			p.X.Tick.Marker = unlabelled{p.X.Tick.Marker}
		}
		panels = append(panels, p)
	}
	return title, panels
}
