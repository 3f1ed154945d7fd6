package reports

import "math"

// Downsample returns the indices of at most about n points of the series
// (x, y) that keep its visual shape, in increasing order: the
// Largest-Triangle-Three-Buckets algorithm (LTTB; S. Steinarsson, "Downsampling
// Time Series for Visual Representation", University of Iceland, 2013),
// run separately on each maximal run of finite y so that gaps (NaN) stay
// gaps. Every run keeps its first and last point; a run gets a share of n
// proportional to its length, at least its two ends. A series of at most
// n points is kept whole. x must be increasing.
func Downsample(x, y []float64, n int) []int {
	m := len(y)
	if n < 3 || m <= n {
		return allIndices(m)
	}
	var runs [][2]int
	finite := 0
	for i := 0; i < m; {
		if !isFinite(y[i]) {
			i++
			continue
		}
		j := i
		for j < m && isFinite(y[j]) {
			j++
		}
		runs = append(runs, [2]int{i, j})
		finite += j - i
		i = j
	}
	out := make([]int, 0, n+2*len(runs))
	for _, r := range runs {
		k := r[1] - r[0]
		share := max(2, int(math.Round(float64(n)*float64(k)/float64(finite))))
		out = lttb(x, y, r[0], r[1], share, out)
	}
	return out
}

// allIndices returns 0, 1, ..., m-1.
func allIndices(m int) []int {
	out := make([]int, m)
	for i := range out {
		out[i] = i
	}
	return out
}

// lttb appends to out the indices LTTB keeps of the points [lo, hi),
// at most n of them (all when there are no more than n).
func lttb(x, y []float64, lo, hi, n int, out []int) []int {
	k := hi - lo
	if k <= n || n < 3 {
		if k <= n {
			for i := lo; i < hi; i++ {
				out = append(out, i)
			}
			return out
		}
		return append(out, lo, hi-1)
	}
	out = append(out, lo)
	// n - 2 buckets between the two ends
	every := float64(k-2) / float64(n-2)
	a := lo
	for b := 0; b < n-2; b++ {
		start := lo + 1 + int(float64(b)*every)
		end := lo + 1 + int(float64(b+1)*every)
		end = min(end, hi-1)
		// the mean of the next bucket (the last point for the last bucket)
		nStart, nEnd := end, lo+1+int(float64(b+2)*every)
		nEnd = min(nEnd, hi-1)
		var mx, my float64
		if nStart >= nEnd {
			mx, my = x[hi-1], y[hi-1]
		} else {
			for i := nStart; i < nEnd; i++ {
				mx += x[i]
				my += y[i]
			}
			c := float64(nEnd - nStart)
			mx, my = mx/c, my/c
		}
		best, bestArea := start, -1.0
		for i := start; i < end; i++ {
			area := math.Abs((x[a]-mx)*(y[i]-y[a]) - (x[a]-x[i])*(my-y[a]))
			if area > bestArea {
				best, bestArea = i, area
			}
		}
		out = append(out, best)
		a = best
	}
	return append(out, hi-1)
}
