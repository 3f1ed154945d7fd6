package reports

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/depinsim/depinsim/sim"
)

// Quantiles holds quantiles across the replications of a metric at the
// sample times a chart draws: p5, p50 (the median) and p95 of the values
// of the replications that have a non-NaN value there, by
// gonum's stat.Quantile with stat.LinInterp (the empirical distribution
// function interpolated linearly between the sorted values, flat beyond
// them: R's and Hyndman and Fan's type 4). With one replication all
// three are its value; they are NaN where no replication has a value.
//
// The times are those the min-max band is drawn at: every sample time
// when there are at most MaxPlotPoints of them, else every k-th one plus
// the last (as the charts thin their lines), so that keeping every
// replication's values costs at most about MaxPlotPoints numbers per
// replication and banded metric.
type Quantiles struct {
	// X holds the times in days since the start.
	X []float64
	// P5, P50 and P95 hold the 5th, 50th and 95th percentiles at each
	// time of X.
	P5, P50, P95 []float64
}

// QuantileKind is how the charts' quantiles interpolate (Quantiles).
const QuantileKind = stat.LinInterp

// quantileGrid returns the indices, among n sample times, of those the
// quantiles are kept at: those a band is drawn at (addBand).
func quantileGrid(n int) []int {
	return thinIndices(n, thinStride(n, MaxPlotPoints))
}

// quantilesOf sorts vals (the non-NaN values at one time) in place and
// returns their p5, p50 and p95, all NaN when vals is empty.
func quantilesOf(vals []float64) (p5, p50, p95 float64) {
	if len(vals) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	slices.Sort(vals)
	return stat.Quantile(0.05, QuantileKind, vals, nil),
		stat.Quantile(0.5, QuantileKind, vals, nil),
		stat.Quantile(0.95, QuantileKind, vals, nil)
}

// newQuantiles returns Quantiles of n times, on x[grid].
func newQuantiles(x []float64, grid []int) Quantiles {
	q := Quantiles{X: make([]float64, len(grid)), P5: make([]float64, len(grid)), P50: make([]float64, len(grid)), P95: make([]float64, len(grid))}
	for k, j := range grid {
		q.X[k] = x[j]
	}
	return q
}

// divide divides every quantile by f (as the band it goes with).
func (q Quantiles) divide(f float64) {
	for _, ys := range [][]float64{q.P5, q.P50, q.P95} {
		for k := range ys {
			ys[k] /= f
		}
	}
}

// quantilesAt returns the Quantiles of metric across recs, on times and
// idx from align(recs) (x: the times in days).
func quantilesAt(recs []*Recording, times []sim.Time, idx [][]int, metric int, x []float64) Quantiles {
	grid := quantileGrid(len(times))
	q := newQuantiles(x, grid)
	vals := make([]float64, 0, len(recs))
	for k, j := range grid {
		vals = vals[:0]
		for r, rec := range recs {
			if i := idx[r][j]; i >= 0 {
				if v := rec.Values[i][metric]; !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
		}
		q.P5[k], q.P50[k], q.P95[k] = quantilesOf(vals)
	}
	return q
}

// quantAcc keeps, for Quantiles, every replication's values of one
// metric at the sample times of quantileGrid: 8 bytes per replication
// and kept time (at most about MaxPlotPoints of them).
type quantAcc struct {
	grid []int       // indices of the kept sample times
	slot []int       // per sample time, its position in grid or -1
	rows [][]float64 // per replication, its values at grid (NaN: none)
}

// setGrid sets the n sample times and forgets every value.
func (a *quantAcc) setGrid(n int) {
	a.grid = quantileGrid(n)
	a.slot = make([]int, n)
	for j := range a.slot {
		a.slot[j] = -1
	}
	for k, j := range a.grid {
		a.slot[j] = k
	}
	a.rows = nil
}

// startRep starts the next replication's values, all NaN.
func (a *quantAcc) startRep() {
	row := make([]float64, len(a.grid))
	for k := range row {
		row[k] = math.NaN()
	}
	a.rows = append(a.rows, row)
}

// add sets the current replication's value at sample time j (kept only
// at the grid's times).
func (a *quantAcc) add(j int, v float64) {
	if k := a.slot[j]; k >= 0 {
		a.rows[len(a.rows)-1][k] = v
	}
}

// quantiles returns the Quantiles of the values added, on x (the sample
// times in days).
func (a *quantAcc) quantiles(x []float64) Quantiles {
	q := newQuantiles(x, a.grid)
	vals := make([]float64, 0, len(a.rows))
	for k := range a.grid {
		vals = vals[:0]
		for _, row := range a.rows {
			if v := row[k]; !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		q.P5[k], q.P50[k], q.P95[k] = quantilesOf(vals)
	}
	return q
}
