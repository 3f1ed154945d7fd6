package reports

import (
	"cmp"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"

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

// rowsFunc writes the rows of one recording to cw, reusing row (as long
// as the header).
type rowsFunc func(cw *csv.Writer, r *Recording, row []string) error

// writeCSV writes header, then the rows of each of recs in increasing Rep
// order.
func writeCSV(w io.Writer, header []string, recs []*Recording, rows rowsFunc) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for _, r := range byRep(recs) {
		if err := rows(cw, r, row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// timeseriesRows writes r's rows of timeseries.csv.
func timeseriesRows(cw *csv.Writer, r *Recording, row []string) error {
	row[0] = strconv.Itoa(r.Rep)
	for i, t := range r.Times {
		row[1] = formatFloat(t.Hours())
		for j, v := range r.Values[i] {
			row[2+j] = formatFloat(v)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// resourcesRows writes r's rows of resources.csv.
func resourcesRows(cw *csv.Writer, r *Recording, row []string) error {
	row[0] = strconv.Itoa(r.Rep)
	for i, t := range r.Times {
		row[1] = formatFloat(t.Hours())
		if i >= len(r.Resources) {
			continue
		}
		for _, rs := range r.Resources[i] {
			row[2] = rs.Resource
			row[3] = formatFloat(rs.Capacity)
			row[4] = formatFloat(rs.Allocated)
			row[5] = formatFloat(rs.Utilization)
			row[6] = formatFloat(rs.MedianPriceUSDHour)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// cohortsRows writes r's rows of cohorts.csv.
func cohortsRows(cw *csv.Writer, r *Recording, row []string) error {
	row[0] = strconv.Itoa(r.Rep)
	for i, t := range r.Times {
		row[1] = formatFloat(t.Hours())
		for _, c := range r.cohortsAt(i) {
			row[2] = c.Cohort
			row[3] = c.Kind
			row[4] = strconv.Itoa(c.Providers)
			row[5] = formatFloat(c.GPUs)
			row[6] = formatFloat(c.GPUsLeased)
			row[7] = formatFloat(c.CPUs)
			row[8] = formatFloat(c.IncomeUSD)
			row[9] = formatFloat(c.Bids)
			row[10] = formatFloat(c.BidsWon)
			row[11] = formatFloat(c.WinRate)
			row[12] = formatFloat(c.BidMarkup)
			row[13] = formatFloat(c.WonMarkup)
			row[14] = formatFloat(c.Entered)
			row[15] = formatFloat(c.Exited)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// formatFloat formats v in the shortest form that reads back exactly, and
// NaN as the empty string.
func formatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// byRep returns recs sorted by Rep (stable), leaving recs untouched.
func byRep(recs []*Recording) []*Recording {
	out := slices.Clone(recs)
	slices.SortStableFunc(out, func(a, b *Recording) int { return cmp.Compare(a.Rep, b.Rep) })
	return out
}
