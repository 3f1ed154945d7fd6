package reports

import (
	"math"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/sim"
)

// BandSeries returns the data of a mean-and-range band for metric (a sim.M*
// index) across recs: x holds the sample times in days since the start
// (the sorted union of the recordings' times), and at each time mean, lo
// and hi are the mean, minimum and maximum over the replications that
// have a non-NaN value there; all three are NaN where none has.
func BandSeries(recs []*Recording, metric int) (x, mean, lo, hi []float64) {
	times, idx := align(recs)
	return bandAt(recs, times, idx, metric)
}

// bandAt is BandSeries on times and idx from align(recs).
func bandAt(recs []*Recording, times []sim.Time, idx [][]int, metric int) (x, mean, lo, hi []float64) {
	x = make([]float64, len(times))
	mean = make([]float64, len(times))
	lo = make([]float64, len(times))
	hi = make([]float64, len(times))
	for j, t := range times {
		x[j] = t.Days()
		sum, n := 0.0, 0
		l, h := math.Inf(1), math.Inf(-1)
		for r, rec := range recs {
			i := idx[r][j]
			if i < 0 {
				continue
			}
			v := rec.Values[i][metric]
			if math.IsNaN(v) {
				continue
			}
			sum += v
			n++
			l, h = math.Min(l, v), math.Max(h, v)
		}
		if n == 0 {
			mean[j], lo[j], hi[j] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		mean[j], lo[j], hi[j] = sum/float64(n), l, h
	}
	return x, mean, lo, hi
}

// Series is one named line of a chart.
type Series struct {
	// Name is the line's legend label.
	Name string
	// X holds times in days since the start. Series returned together
	// may share their X slice: do not modify it.
	X []float64
	// Y holds the line's values (units depend on the chart); NaN marks a
	// gap.
	Y []float64
}

// SupplyData is the data behind the supply chart.
type SupplyData struct {
	// X holds the sample times in days since the start (the sorted union
	// of the recordings' times).
	X []float64
	// SupplyMean, SupplyLo and SupplyHi are the mean, minimum and maximum
	// of token_supply over the replications, in millions of tokens, as in
	// BandSeries (NaN where no replication has a value).
	SupplyMean, SupplyLo, SupplyHi []float64
	// SupplyQ holds the quantiles of token_supply across the
	// replications (Quantiles), in millions of tokens.
	SupplyQ Quantiles
	// Fractions holds the mean over the replications (as in BandSeries) of
	// bonded_ratio, inflation_rate and staking_apr as fractions, named
	// "bonded ratio", "inflation rate" and "staking APR", in that order. A
	// metric that is NaN at every time is left out.
	Fractions []Series
}

// namedMetric is a line of a chart: its legend label and sim.M* metric.
type namedMetric struct {
	name   string
	metric int
}

// metricIndex returns the position of the line called name in list, so
// that a line keeps its colour when others are left out.
func metricIndex(list []namedMetric, name string) int {
	for i, m := range list {
		if m.name == name {
			return i
		}
	}
	panic("reports: unknown series " + name)
}

// SupplySeries returns the data behind the supply chart of recs.
func SupplySeries(recs []*Recording) SupplyData {
	times, idx := align(recs)
	var d SupplyData
	d.X, d.SupplyMean, d.SupplyLo, d.SupplyHi = bandAt(recs, times, idx, sim.MTokenSupply)
	for _, ys := range [][]float64{d.SupplyMean, d.SupplyLo, d.SupplyHi} {
		for j := range ys {
			ys[j] /= 1e6
		}
	}
	d.SupplyQ = quantilesAt(recs, times, idx, sim.MTokenSupply, d.X)
	d.SupplyQ.divide(1e6)
	for _, f := range supplyFractions {
		_, mean, _, _ := bandAt(recs, times, idx, f.metric)
		if slices.ContainsFunc(mean, func(v float64) bool { return !math.IsNaN(v) }) {
			d.Fractions = append(d.Fractions, Series{Name: f.name, X: d.X, Y: mean})
		}
	}
	return d
}

// PriceSeries is the price line of one GPU model.
type PriceSeries struct {
	// Model is the GPU model (the resource name without "gpu:").
	Model string
	// X holds the sample times in days since the start.
	X []float64
	// Y holds, at each time, the mean over the replications that have
	// active leases of the model of median_price_usd_hour (USD per
	// GPU-hour); NaN where no replication has one.
	Y []float64
}

// GPUPriceSeries returns one PriceSeries per GPU model seen in recs (every
// resource named "gpu:<model>"), sorted by model. X is the sorted union of
// the recordings' sample times. A model that never had a lease has Y all
// NaN.
func GPUPriceSeries(recs []*Recording) []PriceSeries {
	times, idx := align(recs)
	x := make([]float64, len(times))
	for j, t := range times {
		x[j] = t.Days()
	}
	var out []PriceSeries
	for _, name := range resourceNames(recs) {
		if !strings.HasPrefix(name, sim.GPUPrefix) {
			continue
		}
		y := make([]float64, len(times))
		hints := make([]int, len(recs))
		for r := range hints {
			hints[r] = -1
		}
		for j := range times {
			sum, n := 0.0, 0
			for r, rec := range recs {
				i := idx[r][j]
				if i < 0 {
					continue
				}
				k := findResource(rec.Resources[i], name, hints[r])
				if k < 0 {
					continue
				}
				hints[r] = k
				if v := rec.Resources[i][k].MedianPriceUSDHour; !math.IsNaN(v) {
					sum += v
					n++
				}
			}
			y[j] = math.NaN()
			if n > 0 {
				y[j] = sum / float64(n)
			}
		}
		out = append(out, PriceSeries{Model: strings.TrimPrefix(name, sim.GPUPrefix), X: x, Y: y})
	}
	return out
}

// align returns the sorted union of the sample times of recs and, for each
// recording r and union time j, the index of r's sample at that time in
// idx[r][j] (-1 if r has none; the last one if r has several).
func align(recs []*Recording) (times []sim.Time, idx [][]int) {
	for _, r := range recs {
		times = append(times, r.Times...)
	}
	slices.Sort(times)
	times = slices.Compact(times)
	idx = make([][]int, len(recs))
	for r, rec := range recs {
		idx[r] = make([]int, len(times))
		cur := 0
		for j, t := range times {
			idx[r][j] = -1
			for cur < len(rec.Times) && rec.Times[cur] <= t {
				if rec.Times[cur] == t {
					idx[r][j] = cur
				}
				cur++
			}
		}
	}
	return times, idx
}

// thinStride returns the stride k that keeps at most about maxPoints of n
// points when taking every k-th one.
func thinStride(n, maxPoints int) int {
	if maxPoints < 1 || n <= maxPoints {
		return 1
	}
	return (n + maxPoints - 1) / maxPoints
}

// thinIndices returns the indices 0, k, 2k, ... of n points, plus the last
// index so that a line reaches the end of the run.
func thinIndices(n, k int) []int {
	if n == 0 {
		return nil
	}
	out := make([]int, 0, n/k+2)
	for i := 0; i < n; i += k {
		out = append(out, i)
	}
	if out[len(out)-1] != n-1 {
		out = append(out, n-1)
	}
	return out
}

// runs returns the maximal runs [start, end) of consecutive positions of
// keep (indices into the series) at which every ys is finite.
func runs(keep []int, ys ...[]float64) [][2]int {
	finite := func(i int) bool {
		for _, y := range ys {
			if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
				return false
			}
		}
		return true
	}
	var out [][2]int
	start := -1
	for p, i := range keep {
		switch ok := finite(i); {
		case ok && start < 0:
			start = p
		case !ok && start >= 0:
			out = append(out, [2]int{start, p})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(keep)})
	}
	return out
}

// CohortData is the data behind the cohorts chart.
type CohortData struct {
	// CPUs is false when Series count GPUs listed (some cohort lists a GPU
	// at some time), true when no cohort ever lists a GPU and Series count
	// CPU cores listed instead.
	CPUs bool
	// Series holds one line per provider cohort, in the scenario's order
	// (the order of first appearance in the recordings, by Rep), named
	// "<cohort> (<kind>)", e.g. "fake (fake)". X holds the sample times in
	// days since the start (the sorted union of the recordings' times);
	// Y the mean, over the replications that have the cohort at that
	// time, of its GPUs (or CPU cores) listed, NaN where none has. A
	// cohort that lists none at any time is left out, so a CPU cohort
	// has no line in a chart of GPUs.
	Series []Series
}

// CohortSeries returns the data behind the cohorts chart of recs: the
// GPUs listed by each provider cohort over time, or, when no cohort ever
// lists a GPU, the CPU cores listed.
func CohortSeries(recs []*Recording) CohortData {
	d, _ := cohortSeries(recs)
	return d
}

// cohortSeries is CohortSeries, also returning the position of each
// series' cohort among all the cohorts (its colour in the chart).
func cohortSeries(recs []*Recording) (CohortData, []int) {
	w := newCohortWalk(recs)
	d := CohortData{CPUs: !w.gpus}
	var order []int
	for k := range w.names {
		y := w.means(k, func(c *sim.CohortSample) float64 {
			if d.CPUs {
				return c.CPUs
			}
			return c.GPUs
		})[0]
		if slices.ContainsFunc(y, func(v float64) bool { return v != 0 && !math.IsNaN(v) }) {
			d.Series = append(d.Series, Series{Name: w.labels[k], X: w.x, Y: y})
			order = append(order, k)
		}
	}
	return d, order
}

// cohortWalk is the per-cohort view of recordings shared by the cohorts
// and bids charts: the replications in Rep order aligned on the union of
// their sample times, and the cohorts in order of first appearance.
type cohortWalk struct {
	recs          []*Recording
	idx           [][]int   // idx[r][j]: replication r's sample at time j, or -1
	x             []float64 // the sample times in days since the start
	names, labels []string  // cohort names and "<cohort> (<kind>)"
	gpus          bool      // some cohort lists GPUs at some sample
	hints         []int
}

func newCohortWalk(recs []*Recording) *cohortWalk {
	recs = byRep(recs)
	times, idx := align(recs)
	w := &cohortWalk{recs: recs, idx: idx, x: make([]float64, len(times)), hints: make([]int, len(recs))}
	for j, t := range times {
		w.x[j] = t.Days()
	}
	seen := map[string]bool{}
	for _, rec := range recs {
		for _, row := range rec.Cohorts {
			for _, c := range row {
				w.gpus = w.gpus || c.GPUs > 0
				if !seen[c.Cohort] {
					seen[c.Cohort] = true
					w.names = append(w.names, c.Cohort)
					w.labels = append(w.labels, c.Cohort+" ("+c.Kind+")")
				}
			}
		}
	}
	return w
}

// means returns, for each field f, the mean over the replications of
// cohort k's f at each sample time, leaving out NaN values; NaN where no
// replication has one.
func (w *cohortWalk) means(k int, fs ...func(*sim.CohortSample) float64) [][]float64 {
	name := w.names[k]
	out := make([][]float64, len(fs))
	sum, n := make([]float64, len(fs)), make([]int, len(fs))
	for q := range fs {
		out[q] = make([]float64, len(w.x))
	}
	for r := range w.hints {
		w.hints[r] = -1
	}
	for j := range w.x {
		clear(sum)
		clear(n)
		for r, rec := range w.recs {
			i := w.idx[r][j]
			if i < 0 {
				continue
			}
			row := rec.cohortsAt(i)
			c := findCohort(row, name, w.hints[r])
			if c < 0 {
				continue
			}
			w.hints[r] = c
			for q, f := range fs {
				if v := f(&row[c]); !math.IsNaN(v) {
					sum[q] += v
					n[q]++
				}
			}
		}
		for q := range fs {
			out[q][j] = meanOf(sum[q], n[q])
		}
	}
	return out
}

// findCohort returns the index of the cohort called name in row, or -1;
// hint is where to look first.
func findCohort(row []sim.CohortSample, name string, hint int) int {
	if hint >= 0 && hint < len(row) && row[hint].Cohort == name {
		return hint
	}
	for i := range row {
		if row[i].Cohort == name {
			return i
		}
	}
	return -1
}
