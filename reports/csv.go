package reports

import (
	"cmp"
	"io"
	"math"
	"slices"

	"github.com/depinsim/depinsim/sim"
)

// TimeseriesHeader returns the header of timeseries.csv: rep, t_hours,
// then the name of every metric in sim.Metrics in index order.
func TimeseriesHeader() []string {
	h := make([]string, 0, 2+sim.NumMetrics)
	h = append(h, "rep", "t_hours")
	for _, m := range sim.Metrics {
		h = append(h, m.Name)
	}
	return h
}

// ResourcesHeader is the header of resources.csv.
var ResourcesHeader = []string{"rep", "t_hours", "resource", "capacity", "allocated", "utilization", "median_price_usd_hour"}

// CohortsHeader is the header of cohorts.csv.
var CohortsHeader = []string{"rep", "t_hours", "cohort", "kind", "providers", "gpus", "gpus_leased", "cpus", "income_usd",
	"bids", "bids_won", "win_rate", "bid_markup", "won_markup", "entered", "exited"}

// WriteTimeseriesCSV writes timeseries.csv to w: a header (see
// TimeseriesHeader) and one row per replication and sample, replications
// in increasing Rep order and samples in time order. NaN values are
// written as empty fields.
func WriteTimeseriesCSV(w io.Writer, recs []*Recording) error {
	return writeCSV(w, TimeseriesHeader(), recs, timeseriesRows)
}

// WriteResourcesCSV writes resources.csv to w in long format: a header
// (ResourcesHeader) and one row per replication, sample and resource, in
// increasing Rep order, time order, then the sample's resource order. NaN
// values are written as empty fields.
func WriteResourcesCSV(w io.Writer, recs []*Recording) error {
	return writeCSV(w, ResourcesHeader, recs, resourcesRows)
}

// WriteCohortsCSV writes cohorts.csv to w in long format: a header
// (CohortsHeader) and one row per replication, sample and provider
// cohort, in increasing Rep order, time order, then the scenario's cohort
// order. The columns are those of sim.CohortSample: the cohort's name and
// kind, its providers in the market, the GPUs and CPU cores they list,
// the GPUs in active leases, the cohort's income since the start in
// USD, and its bids of the sample interval: bids placed and won, the win
// rate and the mean markups over cost of the bids placed and won.
func WriteCohortsCSV(w io.Writer, recs []*Recording) error {
	return writeCSV(w, CohortsHeader, recs, cohortsRows)
}

// rowsFunc writes the rows of one recording to rw.
type rowsFunc func(rw *rowWriter, r *Recording)

// writeCSV writes header, then the rows of each of recs in increasing Rep
// order.
func writeCSV(w io.Writer, header []string, recs []*Recording, rows rowsFunc) error {
	rw := newRowWriter(w)
	rw.strs(header)
	rw.end()
	for _, r := range byRep(recs) {
		rows(rw, r)
	}
	rw.Flush()
	return rw.Error()
}

// timeseriesRows writes r's rows of timeseries.csv.
func timeseriesRows(rw *rowWriter, r *Recording) {
	for i, t := range r.Times {
		rw.int(r.Rep)
		rw.float(t.Hours())
		for _, v := range r.Values[i] {
			rw.float(v)
		}
		rw.end()
	}
}

// resourcesRows writes r's rows of resources.csv.
func resourcesRows(rw *rowWriter, r *Recording) {
	for i, t := range r.Times {
		if i >= len(r.Resources) {
			continue
		}
		h := t.Hours()
		for _, rs := range r.Resources[i] {
			rw.int(r.Rep)
			rw.float(h)
			rw.str(rs.Resource)
			rw.float(rs.Capacity)
			rw.float(rs.Allocated)
			rw.float(rs.Utilization)
			rw.float(rs.MedianPriceUSDHour)
			rw.end()
		}
	}
}

// cohortsRows writes r's rows of cohorts.csv.
func cohortsRows(rw *rowWriter, r *Recording) {
	for i, t := range r.Times {
		h := t.Hours()
		for _, c := range r.cohortsAt(i) {
			rw.int(r.Rep)
			rw.float(h)
			rw.str(c.Cohort)
			rw.str(c.Kind)
			rw.int(c.Providers)
			rw.float(c.GPUs)
			rw.float(c.GPUsLeased)
			rw.float(c.CPUs)
			rw.float(c.IncomeUSD)
			rw.float(c.Bids)
			rw.float(c.BidsWon)
			rw.float(c.WinRate)
			rw.float(c.BidMarkup)
			rw.float(c.WonMarkup)
			rw.float(c.Entered)
			rw.float(c.Exited)
			rw.end()
		}
	}
}

// formatFloat formats v in the shortest form that reads back exactly, and
// NaN as the empty string.
func formatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return string(appendFloat(nil, v))
}

// byRep returns recs sorted by Rep (stable), leaving recs untouched.
func byRep(recs []*Recording) []*Recording {
	out := slices.Clone(recs)
	slices.SortStableFunc(out, func(a, b *Recording) int { return cmp.Compare(a.Rep, b.Rep) })
	return out
}
