package market

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/depinsim/depinsim/simtime"
)

// PostedPriceName is the registry name of the posted-price market.
const PostedPriceName = "posted-price"

// Defaults of the posted-price peak pricing. The rule
// peak_adj = 1 + k*(util - util_target) with k = 0.5 and util_target = 0.7
// is the io.net scenario spec's ([scenario.ionet.market] in
// docs/model/competitors.md, [U]: io.net says only that its hourly
// price "is adjusted at peak times and when availability is low", §1.1).
// The default k is 0 (no peak pricing) so that prices stay as posted
// unless a scenario asks for it.
const (
	// DefaultPeakTarget is the utilization at which the multiplier is 1.
	DefaultPeakTarget = 0.7
	// DefaultPeakMin is the lowest peak multiplier.
	DefaultPeakMin = 0.5
	// DefaultPeakMax is the highest peak multiplier.
	DefaultPeakMax = 2.0
)

// PostedPrice is a platform-posted price market, as io.net
// (docs/model/competitors.md §1.1: a USD rate per GPU-hour set by the
// platform, "not an auction") and Render's compute subnet (§2.1-2.2: USD
// per GPU-hour set against the industry, jobs assigned in rotation to the
// least-loaded nodes) run. The platform posts a USD price per unit-hour of
// each resource, optionally scaled by a peak multiplier that follows each
// resource's utilization; a tenant whose max price covers the posted
// price takes it, and the platform allocates the order among the
// providers whose asks are at or below the posted price by its
// Allocation rule. The tenant pays exactly the posted price and the
// provider receives it (budget balance); no provider is paid below its
// ask and no tenant above its max price (individual rationality).
type PostedPrice struct {
	// PricesUSDHour is the posted price in USD per unit-hour, keyed by
	// resource ("cpu", "memory_gb", GPU models). Resources without an
	// entry cost 0.
	PricesUSDHour map[string]float64
	// Allocation picks the provider among the eligible ones.
	Allocation Allocation
	// Candidates is how many eligible providers the kernel samples per
	// order (0: all).
	Candidates int
	// PeakK is the multiplier's slope per unit of utilization (0: no peak
	// pricing).
	PeakK float64
	// PeakTarget is the utilization in [0, 1] at which the multiplier is 1.
	PeakTarget float64
	// PeakMin and PeakMax clamp the multiplier.
	PeakMin, PeakMax float64
	// Reprice is the interval between recomputations of the multipliers,
	// in nanoseconds.
	Reprice int64

	price []float64 // USD per unit-hour by resource index; nil until Bind
}

// NewPostedPrice builds the mechanism from its parameters:
// prices_usd_hour (required table resource -> USD per unit-hour, each
// >= 0), allocation ("lowest-load" (default), "round-robin" or
// "random-weighted"), max_candidates (integer >= 0, default 0: all),
// peak_k (>= 0, default 0), peak_target ([0, 1], default 0.7), peak_min
// (> 0, default 0.5), peak_max (>= peak_min, default 2) and reprice_every
// (duration in [1m, 30d], default "1h").
func NewPostedPrice(p Params) (Mechanism, error) {
	r := newParamReader(p)
	m := &PostedPrice{
		PricesUSDHour: r.floatTable("prices_usd_hour", true, 0, math.Inf(1)),
		Allocation:    r.allocation(),
		Candidates:    r.int("max_candidates", 0, 0, 1<<20),
		PeakK:         r.float("peak_k", 0, 0, 100),
		PeakTarget:    r.float("peak_target", DefaultPeakTarget, 0, 1),
		PeakMin:       r.positive("peak_min", DefaultPeakMin, 1000),
		PeakMax:       r.positive("peak_max", DefaultPeakMax, 1000),
		Reprice:       r.duration("reprice_every", simtime.Hour, simtime.Minute, 30*simtime.Day),
	}
	if m.PeakMax < m.PeakMin {
		r.fail("peak_max", "must be >= peak_min (%g), got %g", m.PeakMin, m.PeakMax)
	}
	if err := r.done(PostedPriceName); err != nil {
		return nil, err
	}
	return m, nil
}

// Name returns "posted-price".
func (m *PostedPrice) Name() string { return PostedPriceName }

// MaxBids returns max_candidates: the number of eligible providers the
// kernel samples at random per order (0: all).
func (m *PostedPrice) MaxBids() int { return m.Candidates }

// Bind returns a copy of the mechanism with its prices indexed by the
// run's resource keys (resource-index order). A priced resource that is
// not among keys is an error "market.prices_usd_hour.<key>: unknown
// resource (known: ...)"; resources without a price cost 0.
func (m *PostedPrice) Bind(keys []string) (Mechanism, error) {
	price, err := bindTable("prices_usd_hour", m.PricesUSDHour, keys)
	if err != nil {
		return nil, err
	}
	c := *m
	c.price = price
	return &c, nil
}

// PostedUSDHour returns sum over r of qty[r] * price[r] * mult[r] in USD
// per hour (tier is ignored; mult may be nil for all 1). It panics on an
// unbound mechanism or when len(qty) is not the number of bound
// resources: both are bugs of the caller.
func (m *PostedPrice) PostedUSDHour(qty []int32, mult []float64, tier int) float64 {
	return weightedSum(PostedPriceName, m.price, qty, mult)
}

// weightedSum returns sum over r of qty[r] * w[r] * mult[r] (mult nil: 1).
func weightedSum(name string, w []float64, qty []int32, mult []float64) float64 {
	if w == nil {
		panic(fmt.Sprintf("market: %s: posted price of an unbound mechanism (call Bind first)", name))
	}
	if len(qty) != len(w) || (mult != nil && len(mult) != len(w)) {
		panic(fmt.Sprintf("market: %s: %d quantities and %d multipliers for %d resources", name, len(qty), len(mult), len(w)))
	}
	sum := 0.0
	for r, q := range qty {
		if q == 0 || w[r] == 0 {
			continue
		}
		x := float64(q) * w[r]
		if mult != nil {
			x *= mult[r]
		}
		sum += x
	}
	return sum
}

// Multiplier returns clamp(1 + PeakK*(util - PeakTarget), PeakMin,
// PeakMax) with util first clamped to [0, 1]; it is non-decreasing in
// util, and exactly 1 when PeakK is 0 (no peak pricing).
func (m *PostedPrice) Multiplier(util float64) float64 {
	if m.PeakK == 0 {
		return 1
	}
	if !(util > 0) { // also NaN
		util = 0
	}
	util = min(util, 1)
	return min(max(1+m.PeakK*(util-m.PeakTarget), m.PeakMin), m.PeakMax)
}

// RepriceEvery returns reprice_every in nanoseconds, or 0 without peak
// pricing (PeakK == 0).
func (m *PostedPrice) RepriceEvery() int64 {
	if m.PeakK == 0 {
		return 0
	}
	return m.Reprice
}

// Clear allocates the order at its posted price o.Posted: there is no
// winner when o.Posted <= 0 or o.Posted > o.MaxPrice (the tenant walks
// away); otherwise the eligible bids are those at or below o.Posted (and
// audited if o.RequireAudited), the Allocation rule picks one, and the
// price is o.Posted.
func (m *PostedPrice) Clear(o *Order, bids []Bid, rng *rand.Rand) Outcome {
	if o.Posted <= 0 || o.Posted > o.MaxPrice {
		return NoWinner
	}
	i := m.Allocation.pick(bids, o.Posted, o.RequireAudited, rng)
	if i < 0 {
		return NoWinner
	}
	return Outcome{Winner: i, Price: o.Posted}
}
