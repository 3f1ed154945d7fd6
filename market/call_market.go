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
// one price. None of the networks in ../shared/model/competitors.md runs
// one; it is the market-clearing benchmark against which the
// reverse-auction (akash-reverse) and posted-price designs are compared,
// and a concrete reading of Gensyn's "prices are determined by market
// dynamics" (§3.1, [U]).
//
// ClearBatch works in three steps.
//
//  1. Price. The demand curve lists the orders by Limit, highest first
//     (ties: lower ID first), each for its Units; the supply curve lists
//     the asks with Free > 0 by UnitAsk, lowest first (ties: audited
//     first, then lower Provider), each for its Free units. Walking both
//     curves unit by unit, the efficient quantity q is the number of units
//     for which the buyer's limit is at or above the seller's ask (both
//     curves are monotone, so these units are a prefix). The marginal
//     buyer's limit L and the marginal seller's ask A are those of the
//     q-th unit, so A <= L, and the uniform price is
//     p = A + round(K*(L-A)), which is in [A, L]: K = 0 gives the marginal
//     ask, K = 1 the marginal limit. The curves are divisible and ignore
//     RequireAudited; they only form the price. With q = 0 (no orders, no
//     free capacity, or the highest limit below the lowest ask) nothing
//     trades.
//  2. Allocation. The orders with Limit >= p, in demand order, are each
//     placed whole (never split) on the first ask in supply order with
//     UnitAsk <= p and at least Units free units left (audited if the
//     order requires it), whose free units then drop by Units; an order
//     that fits nowhere stays unmatched. A segment tree of free units over
//     the asks makes each placement O(log n).
//  3. Payment. Every match trades at UnitPrice p: tenants pay p per unit
//     and providers receive it.
//
// Hence: no provider sells more than its Free units; each order is matched
// at most once and whole; p <= Limit for every matched order and
// p >= UnitAsk for every matched ask (individual rationality); what
// tenants pay equals what providers receive (strong budget balance); and
// no order left unmatched with Limit >= p would fit on any eligible ask's
// remaining capacity. All are property-tested (call_market_test.go).
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
func between(lo, hi Rate, k float64) Rate {
	p := lo + Rate(math.Round(k*float64(hi-lo)))
	return min(max(p, lo), hi)
}

// Clear prices a single order, as a call with one order would: the
// cheapest eligible bid (at or below o.MaxPrice, audited if required;
// ties: audited first, then lower Provider) wins at
// Price + round(K*(MaxPrice-Price)). It does not draw from rng.
func (m *CallMarket) Clear(o *Order, bids []Bid, rng *rand.Rand) Outcome {
	best := -1
	for i := range bids {
		b := &bids[i]
		if b.Price > o.MaxPrice || (o.RequireAudited && !b.Audited) {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		if c := compareBids(b, &bids[best]); c < 0 || (c == 0 && b.Provider < bids[best].Provider) {
			best = i
		}
	}
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

	p, ok := m.uniformPrice(orders, oi, &supply)
	if !ok {
		return out
	}
	// The asks at or below p are a prefix of the supply order.
	n := 0
	for {
		j, ok := supply.at(n)
		if !ok || asks[j].UnitAsk > p {
			break
		}
		n++
	}
	eligible := supply.out[:n]
	size := 1
	for size < n {
		size *= 2
	}
	tbuf := make([]int32, n+4*size)
	free := tbuf[:n]
	all := freeTree{t: tbuf[n : n+2*size], size: size}
	aud := freeTree{t: tbuf[n+2*size:], size: size}
	for j, ai := range eligible {
		a := &asks[ai]
		free[j] = a.Free
		all.t[size+j] = a.Free
		aud.t[size+j] = -1
		if a.Audited {
			aud.t[size+j] = a.Free
		}
	}
	for j := n; j < size; j++ {
		all.t[size+j], aud.t[size+j] = -1, -1
	}
	all.build()
	aud.build()

	for _, i := range oi {
		o := &orders[i]
		if o.Limit < p {
			break // demand order: every later order's limit is lower
		}
		t := &all
		if o.RequireAudited {
			t = &aud
		}
		j := t.first(o.Units)
		if j < 0 {
			continue
		}
		free[j] -= o.Units
		all.set(j, free[j])
		a := &asks[eligible[j]]
		if a.Audited {
			aud.set(j, free[j])
		}
		out = append(out, Match{Order: int(i), Provider: a.Provider, UnitPrice: p})
	}
	return out
}

// uniformPrice walks the demand curve (orders in oi's order) against the
// supply curve (asks in supply order) while the buyer's limit is at or
// above the seller's ask, and prices the last unit traded; ok is false
// when no unit trades.
func (m *CallMarket) uniformPrice(orders []BatchOrder, oi []int32, supply *askHeap) (p Rate, ok bool) {
	first, has := supply.at(0)
	if len(oi) == 0 || !has {
		return 0, false
	}
	var lastL, lastA Rate
	i, j := 0, 0
	remO, remA := orders[oi[0]].Units, supply.asks[first].Free
	for {
		a, more := supply.at(j)
		if i >= len(oi) || !more {
			break
		}
		l, ask := orders[oi[i]].Limit, supply.asks[a].UnitAsk
		if l < ask {
			break
		}
		q := min(remO, remA)
		remO -= q
		remA -= q
		lastL, lastA, ok = l, ask, true
		if remO == 0 {
			if i++; i < len(oi) {
				remO = orders[oi[i]].Units
			}
		}
		if remA == 0 {
			j++
			if next, more := supply.at(j); more {
				remA = supply.asks[next].Free
			}
		}
	}
	if !ok {
		return 0, false
	}
	return between(lastA, lastL, m.K), true
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

// build fills the inner nodes from the leaves.
func (f *freeTree) build() {
	for i := f.size - 1; i >= 1; i-- {
		f.t[i] = max(f.t[2*i], f.t[2*i+1])
	}
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
