package sim

import (
	"math"

	"github.com/depinsim/depinsim/agents"
)

// priceIndex is what tenants' price response reads (agents.TenantCohort
// PriceResponse): for each resource, the recent leases whose main resource
// it is (their GPU model, or CPU for CPU-only leases), each as its price
// over the price of its request at the base reference prices (the
// catalog's, without the reference path). The median of these ratios,
// divided by the reference path's multiplier now, is the network's price
// relative to the cloud's for the same requests: a lease's CPU and memory
// are priced on both sides, so a bundle does not count as dearer than the
// cloud because it holds more than its main resource. It is kept only
// when some cohort's demand reacts to price.
type priceIndex struct {
	on     bool
	recent [][]float64 // recent ratios by resource (ring of recentPrices)
	at     []int       // the ring's next slot
	med    []float64   // the median of recent, by resource (NaN: none)
	stale  []bool      // recent changed since med was computed
	buf    []float64
}

// newPriceIndex returns the index of a world with nres resources.
func newPriceIndex(nres int, on bool) priceIndex {
	x := priceIndex{on: on}
	if !on {
		return x
	}
	x.recent = make([][]float64, nres)
	x.at = make([]int, nres)
	x.med = make([]float64, nres)
	x.stale = make([]bool, nres)
	for r := range x.med {
		x.med[r] = math.NaN()
	}
	return x
}

// note records a started lease of request q at usdHour, whose price at
// the base reference prices is refUSDHour.
func (x *priceIndex) note(q *agents.Request, usdHour, refUSDHour float64) {
	if !x.on || !(refUSDHour > 0) {
		return
	}
	r, units := class(q)
	if units <= 0 {
		return
	}
	v := usdHour / refUSDHour
	if len(x.recent[r]) < recentPrices {
		x.recent[r] = append(x.recent[r], v)
	} else {
		x.recent[r][x.at[r]] = v
		x.at[r] = (x.at[r] + 1) % recentPrices
	}
	x.stale[r] = true
}

// ratio returns the median ratio of resource r's recent leases (NaN when
// none yet).
func (x *priceIndex) ratio(r int) float64 {
	if x.stale[r] {
		x.buf = append(x.buf[:0], x.recent[r]...)
		x.med[r] = median(x.buf)
		x.stale[r] = false
	}
	return x.med[r]
}

// referenceAt returns the reference path's multiplier at time t of the
// world (ResourcesParams.ReferenceSteps; 1 without a path).
func (w *World) referenceAt(t Time) float64 {
	return agents.StepAt(w.cfg.ReferenceSteps, t-w.origin)
}

// priceResponse returns the multiplier of tenant cohort ti's arrival rate
// now: PriceResponse of the network's price over the reference price of
// its main resource, or for a cohort of several GPU models the mean of
// each model's multiplier weighted by the model's share (the models'
// mix of the arrivals stays the cohort's gpu_models shares).
func (w *World) priceResponse(ti int) float64 {
	c := &w.cfg.Tenants[ti]
	tc := &w.tenants[ti]
	ref := w.referenceAt(w.now)
	if len(tc.respRes) == 0 {
		return c.PriceResponse(w.price.ratio(agents.ResCPU) / ref)
	}
	m := 0.0
	for i, r := range tc.respRes {
		m += tc.respShare[i] * c.PriceResponse(w.price.ratio(int(r))/ref)
	}
	return m
}

// acceptArrival decides whether a candidate arrival of tenant cohort ti,
// whose demand reacts to price, is an arrival: with probability
// priceResponse / ElasticBound (Lewis-Shedler thinning of candidates that
// come at the bounding rate), drawn from the cohort's price-response
// stream.
func (w *World) acceptArrival(ti int) bool {
	c := &w.cfg.Tenants[ti]
	u := w.tenants[ti].rngPrice.Float64()
	return u*c.ElasticBound() < w.priceResponse(ti)
}
