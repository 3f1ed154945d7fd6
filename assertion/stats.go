package assertion

import (
	"math"
	"slices"

	"github.com/depinsim/depinsim/sim"
)

// acc is one assertion's running state over the finite samples of its
// window, updated sample by sample (add) in O(1) time and memory; only a
// percentile keeps the values themselves (vals). The last sample's
// duration depends on where the window ends, known only at the end: it
// stays pending, and value adds it without changing the state.
type acc struct {
	n      int      // finite samples so far
	t0, tl sim.Time // the first and the last sample's time
	v0, vl float64  // the first and the last value
	lo, hi float64  // the smallest and the largest value
	equal  bool     // every value so far equals v0

	// mean: Neumaier sum of v - v0 (also twmean's fallback)
	sum, comp float64
	// twmean: Neumaier sum of (v - v0) d over the samples before the
	// last, d being the time until the next sample
	wsum, wcomp float64
	// twmean, shares: the sum of those d (exact: integer nanoseconds)
	w sim.Time
	// shares: the part of w where the value is in the set, and the
	// count of the samples in it (the fallback when all d are 0)
	win sim.Time
	nin int
	// slope: running means of x (days since t0) and v, and the sums of
	// (x - mx)(v - mv) and (x - mx)^2, updated as Welford's
	mx, mv, sxv, sxx float64
	// pN: the values, in sample order until value sorts them
	vals []float64
}

// add records the finite sample (t, v), t not before the previous one.
func (c *acc) add(a *Assertion, t sim.Time, v float64) {
	c.n++
	if c.n == 1 {
		c.t0, c.v0, c.lo, c.hi, c.equal = t, v, v, v, true
	} else {
		c.lo, c.hi = math.Min(c.lo, v), math.Max(c.hi, v)
		c.equal = c.equal && v == c.v0
	}
	switch a.stat {
	case stMean, stTWMean:
		neumaier(&c.sum, &c.comp, v-c.v0)
		if a.stat == stTWMean && c.n > 1 && t > c.tl {
			d := t - c.tl
			neumaier(&c.wsum, &c.wcomp, (c.vl-c.v0)*float64(d))
			c.w += d
		}
	case stShareAbove, stShareBelow:
		if c.n > 1 && t > c.tl {
			d := t - c.tl
			if a.in(c.vl) {
				c.win += d
			}
			c.w += d
		}
		if a.in(v) {
			c.nin++
		}
	case stSlope:
		x := (t - c.t0).Days()
		n := float64(c.n)
		dx, dv := x-c.mx, v-c.mv
		c.mx += dx / n
		c.mv += dv / n
		c.sxv += dx * (v - c.mv)
		c.sxx += dx * (x - c.mx)
	case stPercentile:
		c.vals = append(c.vals, v)
	}
	c.tl, c.vl = t, v
}

// value returns statistic a.stat over the samples added, the last one
// holding until end: NaN when there are none (and for slope with fewer
// than two sample times). It may be called any number of times, also
// between calls of add; the order of vals is its only change.
func (c *acc) value(a *Assertion, end sim.Time) float64 {
	if c.n == 0 {
		return math.NaN()
	}
	// the last sample's duration
	var d sim.Time
	if end > c.tl {
		d = end - c.tl
	}
	switch a.stat {
	case stMean:
		return c.mean()
	case stTWMean:
		w := c.w + d
		if w == 0 {
			return c.mean()
		}
		if c.equal {
			return c.v0
		}
		s, comp := c.wsum, c.wcomp
		neumaier(&s, &comp, (c.vl-c.v0)*float64(d))
		return c.v0 + (s+comp)/float64(w)
	case stMin:
		return c.lo
	case stMax:
		return c.hi
	case stFirst:
		return c.v0
	case stFinal:
		return c.vl
	case stChange:
		return c.vl - c.v0
	case stPercentile:
		slices.Sort(c.vals)
		return percentile(c.vals, a.pct)
	case stSlope:
		if c.tl == c.t0 || c.sxx == 0 {
			return math.NaN()
		}
		return c.sxv / c.sxx
	case stShareAbove, stShareBelow:
		w, win := c.w+d, c.win
		if w == 0 {
			return float64(c.nin) / float64(c.n)
		}
		if a.in(c.vl) {
			win += d
		}
		return float64(win) / float64(w)
	}
	panic("assertion: unknown statistic")
}

// mean is the arithmetic mean: exactly v0 when all values equal it, else
// v0 plus the compensated mean of the differences from it.
func (c *acc) mean() float64 {
	if c.equal {
		return c.v0
	}
	return c.v0 + (c.sum+c.comp)/float64(c.n)
}

// meanOf is the arithmetic mean of xs (NaN when empty): the first value
// plus the mean of the differences from it, summed with Neumaier's
// compensation, so that equal values give exactly their value.
func meanOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var sum, comp float64
	for _, x := range xs {
		neumaier(&sum, &comp, x-xs[0])
	}
	return xs[0] + (sum+comp)/float64(len(xs))
}

// neumaier adds x to the sum *sum with Neumaier's compensation, the
// lost low-order parts accumulating in *comp (the sum is *sum + *comp).
func neumaier(sum, comp *float64, x float64) {
	t := *sum + x
	if math.Abs(*sum) >= math.Abs(x) {
		*comp += (*sum - t) + x
	} else {
		*comp += (x - t) + *sum
	}
	*sum = t
}

// in reports whether v is in the set a share statistic measures: above
// the level (share_above) or below it (share_below).
func (a *Assertion) in(v float64) bool {
	if a.stat == stShareAbove {
		return v > a.level
	}
	return v < a.level
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

// BytesPerSample returns the most memory, in bytes, that a Collector for
// the assertions as keeps per sample of a replication, for a run's memory
// estimate: a percentile (pN) keeps each finite value of its window, 8
// bytes, counted twice for the growth of its slice (16 per pN
// assertion); the other statistics keep a fixed state whatever the
// number of samples (0).
func BytesPerSample(as []*Assertion) float64 {
	b := 0.0
	for _, a := range as {
		if a.stat == stPercentile {
			b += 2 * 8
		}
	}
	return b
}
