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
