package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"

	"github.com/depinsim/depinsim/sim"
)

// Summary holds the statistics of a run across its replications; it is
// what summary.json contains.
type Summary struct {
	// Method says how the statistics are computed.
	Method string `json:"method"`
	// ConfidenceLevel is the level of every confidence interval (0.95).
	ConfidenceLevel float64 `json:"confidence_level"`
	// Reps lists the replication indices, in increasing order; every
	// Stat.PerRep follows this order.
	Reps []int `json:"reps"`
	// Samples is the number of samples of each replication.
	Samples []int `json:"samples"`
	// Metrics has one entry per metric, in sim.Metrics order, so that
	// Metrics[sim.MGPUUtilization] is GPU utilization.
	Metrics []MetricSummary `json:"metrics"`
	// Resources has one entry per resource seen in any replication: cpu,
	// memory_gb, then the others (GPU models) sorted by name.
	Resources []ResourceSummary `json:"resources"`
	// Precision, for a run that added replications until a precision
	// target, records the targets and what was reached; absent otherwise.
	Precision *Precision `json:"precision,omitempty"`
}

// MetricSummary holds the statistics of one metric.
type MetricSummary struct {
	// Name is the metric's column name (from sim.Metrics).
	Name string `json:"name"`
	// Unit is the metric's unit (from sim.Metrics).
	Unit string `json:"unit"`
	// Doc says what the metric measures (from sim.Metrics).
	Doc string `json:"doc"`
	// TimeMean is, per replication, the mean over samples (NaN samples
	// ignored), and its estimate across replications.
	TimeMean Stat `json:"time_mean"`
	// Final is, per replication, the value of the last sample (NaN if it
	// is NaN), and its estimate across replications. It is the figure to
	// read for the *_total counters and stocks such as community_pool_akt.
	Final Stat `json:"final"`
}

// ResourceSummary holds the statistics of one resource.
type ResourceSummary struct {
	// Resource is "cpu", "memory_gb" or "gpu:<model>".
	Resource string `json:"resource"`
	// Utilization is, per replication, the mean over samples of the
	// resource's utilization (NaN samples ignored).
	Utilization Stat `json:"utilization"`
	// MedianPriceUSDHour is, per replication, the mean over samples of the
	// resource's median lease price (samples without leases ignored).
	MedianPriceUSDHour Stat `json:"median_price_usd_hour"`
}

const summaryMethod = "per replication: time_mean is the mean over samples ignoring NaN (null) samples, final is the last sample; " +
	"across replications: mean, sample standard deviation (n-1) and a 95% Student-t confidence interval with n-1 degrees of freedom " +
	"over the replications with a value"

// Summarize computes the statistics of recs. The order of recs does not
// matter: replications are taken in increasing Rep order.
func Summarize(recs []*Recording) *Summary {
	recs = byRep(recs)
	s := &Summary{
		Method:          summaryMethod,
		ConfidenceLevel: ConfidenceLevel,
		Reps:            make([]int, len(recs)),
		Samples:         make([]int, len(recs)),
		Metrics:         make([]MetricSummary, sim.NumMetrics),
	}
	for i, r := range recs {
		s.Reps[i] = r.Rep
		s.Samples[i] = r.Len()
	}
	col := make([]float64, 0)
	means := make([]float64, len(recs))
	finals := make([]float64, len(recs))
	for m := range sim.NumMetrics {
		for i, r := range recs {
			col = col[:0]
			for _, row := range r.Values {
				col = append(col, row[m])
			}
			means[i] = nanMean(col)
			finals[i] = math.NaN()
			if n := len(r.Values); n > 0 {
				finals[i] = r.Values[n-1][m]
			}
		}
		s.Metrics[m] = MetricSummary{
			Name:     sim.Metrics[m].Name,
			Unit:     sim.Metrics[m].Unit,
			Doc:      sim.Metrics[m].Doc,
			TimeMean: NewStat(means),
			Final:    NewStat(finals),
		}
	}
	util := make([]float64, len(recs))
	price := make([]float64, len(recs))
	for _, name := range resourceNames(recs) {
		for i, r := range recs {
			u, p := resourceColumns(r, name)
			util[i] = nanMean(u)
			price[i] = nanMean(p)
		}
		s.Resources = append(s.Resources, ResourceSummary{
			Resource:           name,
			Utilization:        NewStat(util),
			MedianPriceUSDHour: NewStat(price),
		})
	}
	return s
}

// WriteJSON writes s as indented JSON followed by a newline.
func (s *Summary) WriteJSON(w io.Writer) error {
	return writeJSON(w, s)
}

// zeroOrNaN reports whether ms is zero or NaN in every replication: both
// its time mean and its final value. (A time mean of a series that is
// not zero throughout is zero only if its values cancel exactly.)
func zeroOrNaN(ms MetricSummary) bool {
	for _, st := range []Stat{ms.TimeMean, ms.Final} {
		for _, v := range st.PerRep {
			if v != 0 && !math.IsNaN(float64(v)) {
				return false
			}
		}
	}
	return true
}

// WriteTable writes a compact table of the key metrics to w (typically
// stdout): for each, the statistic (mean over time, or final value), the
// mean across replications, its 95% confidence interval, n and the unit.
// The rows are the metrics sim.Metrics shows in the summary
// (sim.ShowSummary), in their order, each by its final value when its
// kind says so (stocks and totals). The market, provider and fee rows are
// always written; the token layer's rows (token_supply, bonded_ratio,
// inflation_rate, staking_apr, minted_total, burned_total,
// provider_revenue_usd_total, subsidies_paid_total) only when the metric
// is non-zero in some replication. Write errors are ignored: the table is
// informational.
func (s *Summary) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "metric\tstatistic\tmean\t95%% CI\tn\tunit\n")
	for _, row := range summaryTableRows() {
		if row.metric >= len(s.Metrics) {
			continue
		}
		ms := s.Metrics[row.metric]
		if row.optional && zeroOrNaN(ms) {
			continue
		}
		st, what := ms.TimeMean, "mean over time"
		if row.final {
			st, what = ms.Final, "final"
		}
		ci := "[" + fmtNum(float64(st.CILow)) + ", " + fmtNum(float64(st.CIHigh)) + "]"
		if st.CINote != "" {
			ci += " (" + st.CINote + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", ms.Name, what, fmtNum(float64(st.Mean)), ci, st.N, ms.Unit)
	}
	_ = tw.Flush()
}

// fmtNum formats v for the table: about four significant digits, whole
// numbers for large values, "n/a" for NaN.
func fmtNum(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "n/a"
	case a >= 1e9 || (a != 0 && a < 1e-3):
		return fmt.Sprintf("%.3e", v)
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.4g", v)
	}
}

// resourceNames returns the resources present in any sample of recs: cpu
// and memory_gb first (when present), then the others sorted by name.
func resourceNames(recs []*Recording) []string {
	seen := map[string]bool{}
	var others []string
	for _, r := range recs {
		for _, row := range r.Resources {
			for _, rs := range row {
				if !seen[rs.Resource] {
					seen[rs.Resource] = true
					if rs.Resource != sim.ResourceCPU && rs.Resource != sim.ResourceMemory {
						others = append(others, rs.Resource)
					}
				}
			}
		}
	}
	slices.Sort(others)
	var names []string
	for _, n := range []string{sim.ResourceCPU, sim.ResourceMemory} {
		if seen[n] {
			names = append(names, n)
		}
	}
	return append(names, others...)
}

// findResource returns the index of the resource called name in row, or
// -1. hint is tried first (rows usually keep a fixed order).
func findResource(row []sim.ResourceSample, name string, hint int) int {
	if hint >= 0 && hint < len(row) && row[hint].Resource == name {
		return hint
	}
	for i := range row {
		if row[i].Resource == name {
			return i
		}
	}
	return -1
}

// resourceColumns returns the utilization and median price of resource
// name at each sample of r (NaN where the sample lacks the resource).
func resourceColumns(r *Recording, name string) (util, price []float64) {
	util = make([]float64, len(r.Resources))
	price = make([]float64, len(r.Resources))
	hint := -1
	for i, row := range r.Resources {
		j := findResource(row, name, hint)
		if j < 0 {
			util[i], price[i] = math.NaN(), math.NaN()
			continue
		}
		hint = j
		util[i], price[i] = row[j].Utilization, row[j].MedianPriceUSDHour
	}
	return util, price
}
