package assertion

import (
	"math"

	"github.com/depinsim/depinsim/sim"
)

// Collector is a sim.Recorder that computes, for one replication, each
// assertion's statistic over the finite samples inside its window. It
// streams: each statistic keeps a fixed state updated at every sample,
// whatever the number of samples, except a percentile (pN), which keeps
// the window's finite values (BytesPerSample).
type Collector struct {
	as      []*Assertion
	accs    []acc
	idx     []int      // cached index of a family's series in the sample's slice
	viol    []sim.Time // first sample outside the bounds (pointwise statistics), -1
	last    sim.Time   // the last sample's time
	horizon sim.Time   // the run's horizon when known, else -1
}

// NewCollector returns a Collector for the assertions as.
func NewCollector(as []*Assertion) *Collector {
	c := &Collector{as: as, accs: make([]acc, len(as)), idx: make([]int, len(as)),
		viol: make([]sim.Time, len(as)), last: -1, horizon: -1}
	for i := range c.viol {
		c.viol[i] = -1
	}
	return c
}

// SetHorizon sets the run's horizon: the last sample of a window that
// ends with the run holds until it (see twmean). Without it, until the
// last sample recorded.
func (c *Collector) SetHorizon(h sim.Time) { c.horizon = h }

// Record implements sim.Recorder: it adds the sample's finite values
// that lie in an assertion's window to its statistic. Samples come in
// time order.
func (c *Collector) Record(s *sim.Sample) {
	c.last = s.T
	for i, a := range c.as {
		if s.T < a.from || s.T > a.to {
			continue
		}
		v := c.value(i, a, s)
		if math.IsNaN(v) {
			continue
		}
		c.accs[i].add(a, s.T, v)
		if c.viol[i] < 0 && a.pointwise() && !a.within(v) {
			c.viol[i] = s.T
		}
	}
}

// value returns assertion i's metric in s (NaN when s does not hold the
// resource or cohort).
func (c *Collector) value(i int, a *Assertion, s *sim.Sample) float64 {
	if a.metric >= 0 {
		if a.metric < len(s.Values) {
			return s.Values[a.metric]
		}
		return math.NaN()
	}
	if families[a.family].Key == "resource" {
		j := c.find(i, a.series, len(s.Resources), func(k int) string { return s.Resources[k].Resource })
		if j < 0 {
			return math.NaN()
		}
		r := &s.Resources[j]
		switch a.family {
		case fResourceUtilization:
			return r.Utilization
		case fResourceCapacity:
			return r.Capacity
		case fResourceAllocated:
			return r.Allocated
		}
		return r.MedianPriceUSDHour
	}
	j := c.find(i, a.series, len(s.Cohorts), func(k int) string { return s.Cohorts[k].Cohort })
	if j < 0 {
		return math.NaN()
	}
	co := &s.Cohorts[j]
	switch a.family {
	case fCohortProviders:
		return float64(co.Providers)
	case fCohortGPUs:
		return co.GPUs
	case fCohortGPUsLeased:
		return co.GPUsLeased
	case fCohortCPUs:
		return co.CPUs
	case fCohortBids:
		return co.Bids
	case fCohortBidsWon:
		return co.BidsWon
	case fCohortWinRate:
		return co.WinRate
	case fCohortBidMarkup:
		return co.BidMarkup
	case fCohortWonMarkup:
		return co.WonMarkup
	case fCohortEntered:
		return co.Entered
	case fCohortExited:
		return co.Exited
	}
	return co.IncomeUSD
}

// find returns the index among n entries (resources or cohorts of a
// sample, named by name) of the one called series, for assertion i: the
// index found last time when it still holds it, else the last match
// (-1: none), which it remembers.
func (c *Collector) find(i int, series string, n int, name func(k int) string) int {
	if j := c.idx[i]; j < n && name(j) == series {
		return j
	}
	j := -1
	for k := range n {
		if name(k) == series {
			j = k
		}
	}
	if j >= 0 {
		c.idx[i] = j
	}
	return j
}

// end returns the time assertion a's last sample holds until: min(To,
// horizon), the horizon being the last sample's time when not set.
func (c *Collector) end(a *Assertion) sim.Time {
	h := c.horizon
	if h < 0 {
		h = c.last
	}
	return min(a.to, h)
}

// Values returns each assertion's value over its window, in the order of
// the assertions: NaN when the window held no finite sample. It does not
// end the collection: it may be called again, also after more samples,
// and returns the same values for the same samples and horizon.
func (c *Collector) Values() []float64 {
	out := make([]float64, len(c.as))
	for i, a := range c.as {
		out[i] = c.accs[i].value(a, c.end(a))
	}
	return out
}

// Violations returns, per assertion, the time of the first sample in its
// window outside its bounds for the pointwise statistics (min, max,
// first, final), else -1.
func (c *Collector) Violations() []sim.Time { return append([]sim.Time(nil), c.viol...) }
