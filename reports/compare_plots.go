package reports

import (
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/depinsim/depinsim/sim"
)

// ComparePlotFiles lists the files WriteComparePlots writes, relative to
// its directory: each overlay chart as .png and .svg.
var ComparePlotFiles = []string{
	"compare_utilization.png", "compare_utilization.svg",
	"compare_price.png", "compare_price.svg",
	"compare_supply.png", "compare_supply.svg",
	"compare_provider_income.png", "compare_provider_income.svg",
}

// BandLine is a line with a band: at each time X (days since the run's
// start), Mean and the band [Lo, Hi]; NaN marks a gap.
type BandLine struct {
	X, Mean, Lo, Hi []float64
	// Q holds the quantiles across the replications (Quantiles) of the
	// charts' bands; it is empty in confidence bands (CIBand).
	Q Quantiles
}

// CIBand returns, at each time of the sorted union of the recordings'
// sample times (in days since the start), the mean across replications
// of value and its 95% Student-t confidence interval, as NewStat computes
// them over the recordings that have a sample there with a non-NaN value
// (Lo = Hi = Mean where only one has; all NaN where none has). value(k,
// i) is the value of recs[k] at its sample i.
func CIBand(recs []*Recording, value func(k, i int) float64) BandLine {
	times, idx := align(recs)
	b := BandLine{
		X:    make([]float64, len(times)),
		Mean: make([]float64, len(times)),
		Lo:   make([]float64, len(times)),
		Hi:   make([]float64, len(times)),
	}
	vals := make([]float64, len(recs))
	for j, t := range times {
		b.X[j] = t.Days()
		for k := range recs {
			vals[k] = math.NaN()
			if i := idx[k][j]; i >= 0 {
				vals[k] = value(k, i)
			}
		}
		st := NewStat(vals)
		b.Mean[j], b.Lo[j], b.Hi[j] = float64(st.Mean), float64(st.CILow), float64(st.CIHigh)
	}
	return b
}

// hasData reports whether the line has a finite mean somewhere.
func (b BandLine) hasData() bool { return slices.ContainsFunc(b.Mean, isFinite) }

// CompareSeries holds the series of one scenario behind the overlay
// charts: means across replications with 95% confidence bands (CIBand),
// on the scenario's own sample times.
type CompareSeries struct {
	// HasGPUs tells whether some sample of some replication lists GPUs
	// (gpus_total > 0).
	HasGPUs bool
	// GPUUtilization and CPUUtilization are gpu_utilization and
	// cpu_utilization (fractions).
	GPUUtilization, CPUUtilization BandLine
	// GPUPrice is gpu_price_usd_hour, the lease-weighted median price per
	// GPU-hour of active GPU leases over all models (USD); CPUPrice is
	// cpu_price_usd_hour, per core-hour of CPU-only leases.
	GPUPrice, CPUPrice BandLine
	// SupplyPct is the token supply relative to the replication's first
	// sample with a positive supply, in percent: 100·(supply/first − 1).
	// All NaN without a token supply.
	SupplyPct BandLine
	// ProviderIncome is provider_revenue_usd_total, providers' cumulative
	// income in USD: lease payments after take, emissions, subsidies and
	// airdrops, each at the token price when received (networks pay their
	// providers in different ways: Render's only by emissions).
	ProviderIncome BandLine
}

// CompareSeriesOf computes the CompareSeries of one scenario's
// recordings.
func CompareSeriesOf(recs []*Recording) CompareSeries {
	recs = byRep(recs)
	metric := func(m int) BandLine {
		return CIBand(recs, func(k, i int) float64 { return recs[k].Values[i][m] })
	}
	var s CompareSeries
	for _, r := range recs {
		for _, row := range r.Values {
			if row[sim.MGPUsTotal] > 0 {
				s.HasGPUs = true
			}
		}
	}
	s.GPUUtilization = metric(sim.MGPUUtilization)
	s.CPUUtilization = metric(sim.MCPUUtilization)
	s.GPUPrice = metric(sim.MGPUPriceUSDHour)
	s.CPUPrice = metric(sim.MCPUPriceUSDHour)
	s.ProviderIncome = metric(sim.MProviderRevenueUSDTotal)
	base := make([]float64, len(recs))
	for k, r := range recs {
		base[k] = math.NaN()
		for _, row := range r.Values {
			if v := row[sim.MTokenSupply]; isFinite(v) && v > 0 {
				base[k] = v
				break
			}
		}
	}
	s.SupplyPct = CIBand(recs, func(k, i int) float64 {
		return 100 * (recs[k].Values[i][sim.MTokenSupply]/base[k] - 1) // NaN without a base
	})
	return s
}

// CompareChart is the data behind one overlay chart.
type CompareChart struct {
	// File is the chart's file name without extension.
	File string
	// Title, XLabel and YLabel label the chart.
	Title, XLabel, YLabel string
	// Lines holds one line per scenario, in the order compared.
	Lines []CompareLine
	// YMin0 asks for a y axis from 0 (quantities that are not negative),
	// YMax1 for one up to 1 (fractions), ZeroLine for a y range that
	// includes 0 (changes).
	YMin0, YMax1, ZeroLine bool
	// Lo and Hi are the domain of the chart's metric (metricDomain; -Inf
	// and +Inf when unbounded): confidence bands are drawn clipped to it,
	// so that a band of a price never dips below 0.
	Lo, Hi float64
	// Multiples asks for one panel per scenario, each with its own y
	// scale (small multiples): set when one scenario's scale would flatten
	// another's (NeedsMultiples).
	Multiples bool
	// Start is the calendar date (YYYY-MM-DD) of the scenarios' common
	// start, which labels the time axis with dates; empty when they
	// start on different dates (the axis then shows days since each
	// start).
	Start string
}

// CompareLine is one scenario's line of a CompareChart.
type CompareLine struct {
	// Name is the legend label: the scenario's name, with a note when the
	// line shows another metric than the chart's main one or has no data.
	Name string
	// Index is the scenario's position: its colour in every chart.
	Index int
	// Band is the line and its 95% confidence band, in the chart's units,
	// the band clipped to the chart's domain (CompareChart.Lo, Hi).
	Band BandLine
}

// CompareCharts returns the data behind the overlay charts of runs, in
// the order of ComparePlotFiles:
//
//   - compare_utilization: GPU utilization of each scenario, or its CPU
//     utilization when it has no GPUs (its legend says so);
//   - compare_price: the median GPU lease price per GPU-hour (the
//     gpu_price_usd_hour metric); when no scenario has a GPU lease, the
//     median CPU price per core-hour instead;
//   - compare_supply: the token supply relative to its first sample, in
//     percent (token supplies differ across networks);
//   - compare_provider_income: the cumulative provider income (lease
//     payments after take plus token income: emissions, subsidies,
//     airdrops), in USD, thousand USD or million USD depending on its
//     largest value.
//
// Each line is the mean across replications with a 95% confidence band
// clipped to the metric's domain (Lo, Hi), on the scenario's own time
// axis (days since its start, labelled with dates when every scenario
// starts on the same date). The title says how many replications the
// band is over, that it is wide with fewer than 5 and that there is none
// with one.
func CompareCharts(runs []CompareRun) []CompareChart {
	reps := 0
	if len(runs) > 0 && runs[0].Summary != nil {
		reps = len(runs[0].Summary.Reps)
	}
	over := "\n" + ciNote(reps)
	xLabel, start := "time (days since each scenario's start)", ""
	if len(runs) > 0 && !slices.ContainsFunc(runs, func(r CompareRun) bool { return r.Start != runs[0].Start }) && runs[0].Start != "" {
		xLabel, start = "time (days since "+runs[0].Start+")", runs[0].Start
		if _, ok := parseStart(start); ok {
			xLabel = "date (UTC)"
		}
	}
	chart := func(file, title, yLabel string) CompareChart {
		return CompareChart{File: file, Title: title + over, XLabel: xLabel, YLabel: yLabel,
			Lo: math.Inf(-1), Hi: math.Inf(1), Start: start}
	}

	// utilization
	util := chart("compare_utilization", "GPU utilization", "utilization (fraction)")
	nGPU := 0
	for k, r := range runs {
		if r.Series.HasGPUs {
			nGPU++
			util.Lines = append(util.Lines, CompareLine{Name: r.Name, Index: k, Band: r.Series.GPUUtilization})
		} else {
			util.Lines = append(util.Lines, CompareLine{Name: r.Name + " (CPU: no GPUs)", Index: k, Band: r.Series.CPUUtilization})
		}
	}
	switch {
	case nGPU == 0:
		util.Title = "CPU utilization (no scenario has GPUs)" + over
	case nGPU < len(runs):
		util.Title = "GPU utilization (CPU for scenarios without GPUs)" + over
	}
	util.YMin0, util.YMax1 = true, true
	util.Lo, util.Hi = metricDomain(sim.MGPUUtilization)

	// price
	price := chart("compare_price", "median GPU lease price", "price (USD per GPU-hour)")
	anyGPU := slices.ContainsFunc(runs, func(r CompareRun) bool { return r.Series.GPUPrice.hasData() })
	anyCPU := slices.ContainsFunc(runs, func(r CompareRun) bool { return r.Series.CPUPrice.hasData() })
	if !anyGPU && anyCPU {
		price = chart("compare_price", "median CPU lease price (no scenario has GPU leases)", "price (USD per core-hour)")
	}
	for k, r := range runs {
		b, none := r.Series.GPUPrice, " (no GPU leases)"
		if !anyGPU && anyCPU {
			b, none = r.Series.CPUPrice, " (no CPU leases)"
		}
		name := r.Name
		if !b.hasData() {
			name += none
		}
		price.Lines = append(price.Lines, CompareLine{Name: name, Index: k, Band: b})
	}
	price.YMin0 = true
	price.Lo, price.Hi = metricDomain(sim.MGPUPriceUSDHour)

	// supply
	supply := chart("compare_supply", "token supply relative to the start", "change since the start (%)")
	for k, r := range runs {
		name := r.Name
		if !r.Series.SupplyPct.hasData() {
			name += " (no token supply)"
		}
		supply.Lines = append(supply.Lines, CompareLine{Name: name, Index: k, Band: r.Series.SupplyPct})
	}
	supply.ZeroLine = true
	supply.Lo = -100 // a supply cannot fall below 0

	// provider income
	top := 0.0
	for _, r := range runs {
		for _, v := range slices.Concat(r.Series.ProviderIncome.Mean, r.Series.ProviderIncome.Hi) {
			if isFinite(v) {
				top = max(top, math.Abs(v))
			}
		}
	}
	scale, unit := 1.0, "USD"
	switch {
	case top >= 1e6:
		scale, unit = 1e6, "million USD"
	case top >= 1e4:
		scale, unit = 1e3, "thousand USD"
	}
	income := chart("compare_provider_income", "cumulative provider income (leases after take, emissions, subsidies, airdrops)",
		"provider income ("+unit+")")
	for k, r := range runs {
		b := r.Series.ProviderIncome
		scaled := BandLine{X: b.X, Mean: scaleAll(b.Mean, scale), Lo: scaleAll(b.Lo, scale), Hi: scaleAll(b.Hi, scale)}
		income.Lines = append(income.Lines, CompareLine{Name: r.Name, Index: k, Band: scaled})
	}
	income.YMin0 = true
	income.Lo, income.Hi = metricDomain(sim.MProviderRevenueUSDTotal)

	charts := []CompareChart{util, price, supply, income}
	for i := range charts {
		c := &charts[i]
		for k := range c.Lines {
			b := &c.Lines[k].Band
			b.Lo, b.Hi = clipBand(b.Lo, b.Hi, c.Lo, c.Hi)
		}
		c.Multiples = NeedsMultiples(*c)
	}
	return charts
}

// MultiplesRatio is the ratio of the largest scenario's peak (the
// largest absolute value of its mean line) to the smallest non-zero one
// above which a compare chart is drawn as small multiples: on one axis the
// smaller lines would sit within 5% of the axis' height, flat.
const MultiplesRatio = 20

// NeedsMultiples reports whether chart c needs one panel per scenario:
// never for fractions (YMax1: one axis from 0 to 1 reads well);
// otherwise when at least two lines have a non-zero peak and the largest
// is more than MultiplesRatio times the smallest.
func NeedsMultiples(c CompareChart) bool {
	if c.YMax1 {
		return false
	}
	lo, hi, n := math.Inf(1), 0.0, 0
	for _, l := range c.Lines {
		m := 0.0
		for _, v := range l.Band.Mean {
			if isFinite(v) {
				m = max(m, math.Abs(v))
			}
		}
		if m == 0 {
			continue
		}
		n++
		lo, hi = min(lo, m), max(hi, m)
	}
	return n >= 2 && hi > MultiplesRatio*lo
}

func scaleAll(xs []float64, s float64) []float64 {
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = v / s
	}
	return out
}

// WriteComparePlots writes the overlay charts of CompareCharts to dir
// (which must exist), each as .png and .svg (ComparePlotFiles): one line
// per scenario, in a colour and dash pattern of its own, with its 95%
// confidence band, and a legend naming the scenarios. A chart whose
// scenarios' scales differ by more than MultiplesRatio is drawn as small
// multiples: one panel per scenario with its own y scale, under one
// title that says so.
func WriteComparePlots(dir string, runs []CompareRun) error {
	for _, c := range CompareCharts(runs) {
		base := filepath.Join(dir, c.File)
		if !c.Multiples {
			if err := savePlot(comparePlot(c), base); err != nil {
				return err
			}
			continue
		}
		title := c.Title + "\none panel per scenario, each on its own scale (their scales differ more than " + strconv.Itoa(MultiplesRatio) + "-fold)"
		var panels []*plot.Plot
		for k, l := range c.Lines {
			one := c
			one.Title = ""
			one.Lines = []CompareLine{l}
			p := comparePlot(one)
			p.Y.Label.Text = shortUnit(c.YLabel) // the title names the quantity; a panel is too short for both
			if k < len(c.Lines)-1 {
				p.X.Label.Text = "" // the bottom panel labels the shared axis
			}
			panels = append(panels, p)
		}
		xmin, xmax := math.Inf(1), math.Inf(-1)
		for _, p := range panels {
			xmin, xmax = min(xmin, p.X.Min), max(xmax, p.X.Max)
		}
		for _, p := range panels {
			p.X.Min, p.X.Max = xmin, xmax // one time axis for every panel
		}
		err := saveChart(base, func(format string) (io.WriterTo, error) { return renderStacked(title, panels, format) })
		if err != nil {
			return err
		}
	}
	return nil
}

func comparePlot(c CompareChart) *plot.Plot {
	p := plot.New()
	p.Title.Text = c.Title
	setTimeAxis(p, c.Start)
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Add(plotter.NewGrid())
	var lines []plot.Plotter
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, l := range c.Lines {
		col := paletteColor(l.Index)
		dashes := paletteDashes(l.Index) // tells apart lines that coincide
		b := l.Band
		lo, hi := clipBand(b.Lo, b.Hi, c.Lo, c.Hi) // CompareCharts clipped them already
		for _, pl := range addBand(p, b.X, b.Mean, lo, hi, col) {
			if line, ok := pl.(runLine); ok {
				line.LineStyle.Dashes = dashes
			}
			lines = append(lines, pl)
		}
		legend := styleLine(col)
		legend.LineStyle.Dashes = dashes
		p.Legend.Add(l.Name, legend)
		if len(b.X) > 0 {
			xmin, xmax = min(xmin, b.X[0]), max(xmax, b.X[len(b.X)-1])
		}
	}
	p.Add(lines...)
	if len(lines) == 0 {
		p.Y.Min, p.Y.Max = 0, 1
	}
	// The axis includes 0 (and 1 for fractions); bands are clipped to the
	// metric's domain.
	if c.YMin0 || c.ZeroLine {
		p.Y.Min, p.Y.Max = min(p.Y.Min, 0), max(p.Y.Max, 0)
	}
	if c.YMax1 {
		p.Y.Max = max(p.Y.Max, 1)
	}
	if p.Y.Min >= p.Y.Max {
		p.Y.Max = p.Y.Min + 1
	}
	if xmin < xmax {
		// every scenario's whole run, even where its line has gaps
		p.X.Min, p.X.Max = xmin, xmax
	}
	fixEmptyX(p)
	return p
}

// shortUnit returns the unit in the last parentheses of an axis label
// ("provider income (million USD)" gives "million USD"), or the label.
func shortUnit(label string) string {
	i, j := strings.LastIndex(label, "("), strings.LastIndex(label, ")")
	if i < 0 || j <= i+1 {
		return label
	}
	return label[i+1 : j]
}
