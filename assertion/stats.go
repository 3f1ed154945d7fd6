package assertion

import (
	"math"
	"slices"

	"github.com/depinsim/depinsim/sim"
)

// point is one finite sample of a series.
type point struct {
	t sim.Time
	v float64
}

// statistic computes statistic a.stat over pts (finite samples in time
// order inside the window), the last one holding until end. It returns
// NaN when pts is empty (and for slope with fewer than two sample times).
func (a *Assertion) statistic(pts []point, end sim.Time) float64 {
	n := len(pts)
	if n == 0 {
		return math.NaN()
	}
	switch a.stat {
	case stMean:
		xs := make([]float64, n)
		for i, p := range pts {
			xs[i] = p.v
		}
		return meanOf(xs)
	case stTWMean:
		return twMean(pts, end)
	case stMin:
		m := pts[0].v
		for _, p := range pts[1:] {
			m = math.Min(m, p.v)
		}
		return m
	case stMax:
		m := pts[0].v
		for _, p := range pts[1:] {
			m = math.Max(m, p.v)
		}
		return m
	case stFirst:
		return pts[0].v
	case stFinal:
		return pts[n-1].v
	case stChange:
		return pts[n-1].v - pts[0].v
	case stPercentile:
		xs := make([]float64, n)
		for i, p := range pts {
			xs[i] = p.v
		}
		slices.Sort(xs)
		return percentile(xs, a.pct)
	case stSlope:
		return slope(pts)
	case stShareAbove:
		return timeShare(pts, end, func(v float64) bool { return v > a.level })
	case stShareBelow:
		return timeShare(pts, end, func(v float64) bool { return v < a.level })
	}
	panic("assertion: unknown statistic")
}

// weights returns each point's duration: until the next point, the last
// until end (0 when end is before it).
func weight(pts []point, i int, end sim.Time) float64 {
	next := end
	if i+1 < len(pts) {
		next = pts[i+1].t
	}
	if next <= pts[i].t {
		return 0
	}
	return float64(next - pts[i].t)
}

// twMean is the time-weighted mean; with no duration at all (one sample
// at the window's end) the arithmetic mean.
func twMean(pts []point, end sim.Time) float64 {
	// shifted by the first value, so that a constant series gives
	// exactly its value
	v0 := pts[0].v
	var s, w float64
	for i, p := range pts {
		d := weight(pts, i, end)
		s += (p.v - v0) * d
		w += d
	}
	if w == 0 {
		xs := make([]float64, len(pts))
		for i, p := range pts {
			xs[i] = p.v
		}
		return meanOf(xs)
	}
	return v0 + s/w
}

// meanOf is the arithmetic mean of xs (NaN when empty): the first value
// plus the mean of the differences from it, summed with Neumaier's
// compensation, so that equal values give exactly their value.
func meanOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	x0 := xs[0]
	var sum, comp float64
	for _, x := range xs {
		d := x - x0
		t := sum + d
		if math.Abs(sum) >= math.Abs(d) {
			comp += (sum - t) + d
		} else {
			comp += (d - t) + sum
		}
		sum = t
	}
	return x0 + (sum+comp)/float64(len(xs))
}

// timeShare is the time-weighted share of the window where in(v) holds;
// with no duration at all, the share of the samples.
func timeShare(pts []point, end sim.Time, in func(float64) bool) float64 {
	var s, w float64
	for i, p := range pts {
		d := weight(pts, i, end)
		if in(p.v) {
			s += d
		}
		w += d
	}
	if w == 0 {
		s = 0
		for _, p := range pts {
			if in(p.v) {
				s++
			}
		}
		return s / float64(len(pts))
	}
	return s / w
}

// percentile is numpy's default (linear) percentile of sorted xs.
func percentile(xs []float64, pct float64) float64 {
	h := float64(len(xs)-1) * pct / 100
	lo := int(math.Floor(h))
	if lo >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

// slope is the least-squares slope of v against t in days.
func slope(pts []point) float64 {
	n := float64(len(pts))
	var mt, mv float64
	for _, p := range pts {
		mt += p.t.Days()
		mv += p.v
	}
	mt /= n
	mv /= n
	var sxy, sxx float64
	for _, p := range pts {
		dt := p.t.Days() - mt
		sxy += dt * (p.v - mv)
		sxx += dt * dt
	}
	if sxx == 0 {
		return math.NaN()
	}
	return sxy / sxx
}

// pointwise reports whether a's statistic is one sample's value (min,
// max, first, final), so that a sample outside the bounds is a violation
// at a time.
func (a *Assertion) pointwise() bool {
	switch a.stat {
	case stMin, stMax, stFirst, stFinal:
		return true
	}
	return false
}

// within reports whether v lies within a's bounds (NaN never does).
func (a *Assertion) within(v float64) bool { return v >= a.min && v <= a.max }
