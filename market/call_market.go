package market

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/depinsim/depinsim/simtime"
)

// CallMarketName is the registry name of the periodic call market.
const CallMarketName = "call-market"

// CallMarket is a periodic uniform-price double auction (a k-double
// auction, Chatterjee and Samuelson 1983; Satterthwaite and Williams
// 1989): orders stay open between clearings and, every Period, all open
// orders of one resource clear against all providers' standing asks at
// one price. None of the networks in docs/model/competitors.md runs
// one; it is the market-clearing benchmark against which the
// reverse-auction (akash-reverse) and posted-price designs are compared,
// and a concrete reading of Gensyn's "prices are determined by market
// dynamics" (§3.1, [U]).
//
// ClearBatch works in two steps.
//
//  1. Allocation. The orders are taken by Limit, highest first (ties:
//     lower ID first); the asks with Free > 0 and UnitAsk at or below the
//     highest limit are kept in supply order, by UnitAsk, lowest first
//     (ties: audited first, then lower Provider). Each order in turn is
//     placed whole (never split) on the first ask in supply order with at
//     least Units free units left (audited if the order requires it), if
//     that ask is within the order's Limit; that ask's free units then
//     drop by Units. An order that fits on no ask within its limit stays
//     unmatched. The allocation stops at the first order whose Limit is
//     below the dearest ask matched so far: it and every later order
//     (lower limits) could not pay a price that the matched sellers
//     accept. A segment tree of free units over the asks makes each
//     placement O(log n).
//  2. Price. With A the dearest matched ask (the marginal seller) and L
//     the lowest matched limit (the marginal buyer), A <= L, and every
//     match trades at the uniform UnitPrice p = A + round(K*(L-A)), in
//     [A, L]: K = 0 gives the marginal ask, K = 1 the marginal limit.
//
// Pricing on the matched set rather than on divisible supply and demand
// curves keeps the price one at which every match can actually be placed:
// orders are indivisible and capacity is fragmented across providers, so
// the curves' crossing can price out the asks that whole orders need.
// Hence: no provider sells more than its Free units; each order is matched
// at most once and whole; p <= Limit for every matched order and
// p >= UnitAsk for every matched ask (individual rationality); what
// tenants pay equals what providers receive (strong budget balance); and
// no order left unmatched with Limit >= p would fit on any ask at or below
// p with its remaining capacity. All are property-tested (call_market_test.go).
type CallMarket struct {
	// PeriodNS is the interval between clearings in nanoseconds.
	PeriodNS int64
	// K in [0, 1] sets the price between the marginal ask (0) and the
	// marginal limit (1).
	K float64
}

// NewCallMarket builds the mechanism from its parameters: period
// (duration in [1m, 1d], default "10m") and k ([0, 1], default 0.5).
func NewCallMarket(p Params) (Mechanism, error) {
	r := newParamReader(p)
	m := &CallMarket{
		PeriodNS: r.duration("period", 10*simtime.Minute, simtime.Minute, simtime.Day),
		K:        r.float("k", 0.5, 0, 1),
	}
	if err := r.done(CallMarketName); err != nil {
		return nil, err
	}
	return m, nil
}

// Name returns "call-market".
func (m *CallMarket) Name() string { return CallMarketName }

// Period returns the interval between clearings in nanoseconds.
func (m *CallMarket) Period() int64 { return m.PeriodNS }

// between returns lo + round(k*(hi-lo)), clamped to [lo, hi] (lo <= hi).
// The span hi-lo is taken in uint64, where it is exact for any two Rates,
// and the rounded step is clamped before it is converted back, so that a
// span near the limits of int64 cannot wrap (converting a float64 at or
// above 2^63 to int64 is undefined in Go).
func between(lo, hi Rate, k float64) Rate {
	span := uint64(hi) - uint64(lo)
	x := math.Round(k * float64(span))
	switch {
	case !(x > 0): // also NaN
		return lo
	case x >= float64(span):
		return hi
	}
	// x < float64(span) makes x <= span, so lo + x <= hi.
	return Rate(uint64(lo) + uint64(x))
}

// Clear prices a single order, as a call with one order would: the
// cheapest eligible bid (at or below o.MaxPrice, audited if required;
// ties: audited first, then lower Provider) wins at
// Price + round(K*(MaxPrice-Price)). It does not draw from rng.
func (m *CallMarket) Clear(o *Order, bids []Bid, rng *rand.Rand) Outcome {
	best := cheapestBid(bids, o.MaxPrice, o.RequireAudited)
	if best < 0 {
		return NoWinner
	}
	return Outcome{Winner: best, Price: between(bids[best].Price, o.MaxPrice, m.K)}
}

// ClearBatch clears orders against asks at one uniform price (see
// CallMarket) and appends the matches to out, in demand order. It does
// not modify orders or asks, does not draw from rng, and allocates two
// scratch buffers per call. Orders with Units <= 0 and asks with Free <= 0
// take no part. Asks should name distinct providers.
//
// The supply curve is sorted lazily: a binary heap of the asks at or
// below the highest limit yields them in supply order only as far as the
// price walk and the allocation need them (the asks at or below p), so a
// call costs O(n + m log n) for n asks of which m are at or below p, plus
// O(k log k) to sort k orders.
func (m *CallMarket) ClearBatch(orders []BatchOrder, asks []BatchAsk, rng *rand.Rand, out []Match) []Match {
	if len(orders) == 0 || len(asks) == 0 {
		return out
	}
	buf := make([]int32, len(orders)+2*len(asks))
	oi := buf[:0:len(orders)]
	supply := askHeap{
		asks: asks,
		h:    buf[len(orders) : len(orders) : len(orders)+len(asks)],
		out:  buf[len(orders)+len(asks):][:0],
	}

	maxLimit := Rate(math.MinInt64)
	for i := range orders {
		if orders[i].Units > 0 {
			oi = append(oi, int32(i))
			maxLimit = max(maxLimit, orders[i].Limit)
		}
	}
	slices.SortFunc(oi, func(a, b int32) int {
		x, y := &orders[a], &orders[b]
		if c := cmp.Compare(y.Limit, x.Limit); c != 0 {
			return c
		}
		if c := cmp.Compare(x.ID, y.ID); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for i := range asks {
		if asks[i].Free > 0 && asks[i].UnitAsk <= maxLimit { // dearer asks can never trade
			supply.h = append(supply.h, int32(i))
		}
	}
	supply.init()

	// The asks that can trade (at or below the highest limit) are pulled
	// from the heap in supply order only as far as the placements need:
	// position j of the trees is the j-th ask pulled.
	n := len(supply.h)
	size := 1
	for size < n {
		size *= 2
	}
	tbuf := make([]int32, n+4*size)
	free := tbuf[:n]
	all := freeTree{t: tbuf[n : n+2*size], size: size}
	aud := freeTree{t: tbuf[n+2*size:], size: size}
	for j := range 2 * size {
		all.t[j], aud.t[j] = -1, -1
	}
	pulled := 0
	pull := func() bool { // the next ask in supply order into the trees
		ai, ok := supply.at(pulled)
		if !ok {
			return false
		}
		a := &asks[ai]
		free[pulled] = a.Free
		all.set(pulled, a.Free)
		if a.Audited {
			aud.set(pulled, a.Free)
		}
		pulled++
		return true
	}
	eligible := func(j int) *BatchAsk { return &asks[supply.out[j]] }

	start := len(out)
	dearest, lowest := Rate(math.MinInt64), Rate(math.MaxInt64) // the marginal seller's ask and buyer's limit
	for _, i := range oi {
		o := &orders[i]
		if dearest > o.Limit {
			break // demand order: every later order's limit is lower still
		}
		t := &all
		if o.RequireAudited {
			t = &aud
		}
		// the cheapest pulled ask that holds it, else pull until one does
		j := t.first(o.Units)
		for j < 0 && pulled < n && pull() {
			a := eligible(pulled - 1)
			if a.UnitAsk > o.Limit {
				break // every ask not pulled yet is dearer still
			}
			if a.Free >= o.Units && (!o.RequireAudited || a.Audited) {
				j = pulled - 1
			}
		}
		if j < 0 || eligible(j).UnitAsk > o.Limit {
			continue // no ask within its limit can hold it whole
		}
		free[j] -= o.Units
		all.set(j, free[j])
		a := eligible(j)
		if a.Audited {
			aud.set(j, free[j])
		}
		dearest, lowest = max(dearest, a.UnitAsk), o.Limit
		out = append(out, Match{Order: int(i), Provider: a.Provider})
	}
	p := between(dearest, lowest, m.K)
	for k := start; k < len(out); k++ {
		out[k].UnitPrice = p
	}
	return out
}

// askHeap yields ask indices in supply order (UnitAsk ascending, audited
// first, then lower Provider, then lower index) lazily: h is a binary
// min-heap of the asks not yet yielded, out the asks yielded so far.
type askHeap struct {
	asks []BatchAsk
	h    []int32
	out  []int32
}

// less orders asks a and b in supply order.
func (q *askHeap) less(a, b int32) bool {
	x, y := &q.asks[a], &q.asks[b]
	if x.UnitAsk != y.UnitAsk {
		return x.UnitAsk < y.UnitAsk
	}
	if x.Audited != y.Audited {
		return x.Audited
	}
	if x.Provider != y.Provider {
		return x.Provider < y.Provider
	}
	return a < b
}

// init makes h a heap in O(len(h)).
func (q *askHeap) init() {
	for i := len(q.h)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

// down restores the heap below position i.
func (q *askHeap) down(i int) {
	h := q.h
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && q.less(h[c+1], h[c]) {
			c++
		}
		if !q.less(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// at returns the k-th ask (from 0) in supply order, popping the heap as
// far as needed; ok is false when there are k or fewer asks.
func (q *askHeap) at(k int) (int32, bool) {
	for len(q.out) <= k && len(q.h) > 0 {
		last := len(q.h) - 1
		q.out = append(q.out, q.h[0])
		q.h[0] = q.h[last]
		q.h = q.h[:last]
		q.down(0)
	}
	if k < len(q.out) {
		return q.out[k], true
	}
	return -1, false
}

// freeTree is a max segment tree of free units over positions
// 0..size-1 (leaves at size..2*size-1; -1 marks a position that cannot
// take any order).
type freeTree struct {
	t    []int32
	size int
}

// set changes position j's free units.
func (f *freeTree) set(j int, v int32) {
	i := j + f.size
	f.t[i] = v
	for i > 1 {
		i /= 2
		f.t[i] = max(f.t[2*i], f.t[2*i+1])
	}
}

// first returns the lowest position with at least k free units, or -1.
func (f *freeTree) first(k int32) int {
	if f.t[1] < k {
		return -1
	}
	i := 1
	for i < f.size {
		if f.t[2*i] >= k {
			i = 2 * i
		} else {
			i = 2*i + 1
		}
	}
	return i - f.size
}
