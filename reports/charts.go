package reports

import "github.com/depinsim/depinsim/sim"

// ChartData is the data behind the charts of a run (WriteCharts): what the
// drawing code needs and nothing else. ChartDataOf computes it from a
// run's recordings; RunStats.Charts accumulates it one replication at a
// time, without keeping the recordings.
type ChartData struct {
	// Reps is the number of replications the charts aggregate.
	Reps int
	// GPUUtilization and CPUUtilization are the utilization bands: mean,
	// minimum and maximum over the replications at each sample time (as
	// BandSeries), and their quantiles (Quantiles). Their X is the sorted union of the replications'
	// sample times, in days since the start: the time axis of every
	// chart.
	GPUUtilization, CPUUtilization BandLine
	// Prices holds the price line of each GPU model (GPUPriceSeries).
	Prices []PriceSeries
	// Supply is the data of the supply chart (SupplySeries).
	Supply SupplyData
	// Flows holds the token flows summed per FlowPeriod (FlowSeries), in
	// tokens per period.
	Flows []Series
	// FlowPeriod is the period Flows sum over, in days (FlowPeriod): 1, or
	// 7 for runs of more than 180 days.
	FlowPeriod float64
	// Cohorts holds the cohorts chart's lines (CohortSeries).
	Cohorts CohortData
	// CohortIndex holds, for each series of Cohorts, the position of its
	// cohort among all the cohorts: its colour, so that a cohort keeps
	// its colour when others have no line.
	CohortIndex []int
	// Bids holds the bids chart's lines (BidSeries).
	Bids BidData
	// BME holds the BME chart's bands (BMESeries); BME.On tells whether
	// the chart is drawn.
	BME BMEData
}

// span returns the first and last sample times in days and whether there
// are any.
func (d *ChartData) span() (first, last float64, ok bool) {
	x := d.GPUUtilization.X
	if len(x) == 0 {
		return 0, 0, false
	}
	return x[0], x[len(x)-1], true
}

// ChartDataOf computes the data behind the charts of recs (in any order:
// replications are taken in increasing Rep order).
func ChartDataOf(recs []*Recording) *ChartData {
	recs = byRep(recs)
	d := &ChartData{Reps: len(recs)}
	times, idx := align(recs)
	for _, u := range []struct {
		b      *BandLine
		metric int
	}{{&d.GPUUtilization, sim.MGPUUtilization}, {&d.CPUUtilization, sim.MCPUUtilization}} {
		u.b.X, u.b.Mean, u.b.Lo, u.b.Hi = bandAt(recs, times, idx, u.metric)
		u.b.Q = quantilesAt(recs, times, idx, u.metric, u.b.X)
	}
	d.Prices = GPUPriceSeries(recs)
	d.Supply = SupplySeries(recs)
	d.Flows = FlowSeries(recs)
	d.FlowPeriod = FlowPeriod(times)
	d.BME = BMESeries(recs)
	d.Cohorts, d.CohortIndex = cohortSeries(recs)
	d.Bids = BidSeries(recs)
	return d
}
