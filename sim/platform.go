package sim

import (
	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
)

// platformClearing runs a platform that posts the price (market.Poster:
// io.net's posted prices): an order is cleared at once among the providers
// whose quote is within the posted price, or retried later. Peak pricing
// multiplies each resource's price by a function of its utilization,
// repriced on the mechanism's schedule.
type platformClearing struct {
	baseHooks
	poster market.Poster
	mult   []float64 // peak-pricing multiplier by resource
	qty    []int32   // scratch: an order's quantities by resource
}

func newPlatformClearing(w *World, p market.Poster) *platformClearing {
	pl := &platformClearing{poster: p, mult: make([]float64, w.nres), qty: make([]int32, w.nres)}
	for r := range pl.mult {
		pl.mult[r] = 1
	}
	w.esc.bidDeposit = 0 // bid deposits are Akash's (akash.md §1)
	if p.RepriceEvery() > 0 {
		w.at(0, evReprice, 0, 0)
	}
	return pl
}

// post clears the order at its posted price, or leaves it to retry.
func (pl *platformClearing) post(w *World, id int32) {
	if leased, _ := pl.clearNow(w, id); !leased {
		w.noBid(id)
	}
}

// clearNow builds deployment id's order at its posted price and clears it
// at once. It reports whether a lease started, and whether the tenant
// can afford the posted price (of some tier).
func (pl *platformClearing) clearNow(w *World, id int32) (leased, affordable bool) {
	o, affordable := pl.order(w, id, nil)
	if !affordable {
		return false, false
	}
	return w.clearNow(id, &o, o.Posted), true
}

// order builds deployment id's market order with the posted price: at the
// highest-priority tier the tenant can afford when the mechanism has
// tiers (market.ChooseTier). ok is false when the tenant cannot afford the
// posted price of any tier.
func (pl *platformClearing) order(w *World, id int32, tiers []market.Tier) (o market.Order, ok bool) {
	o = w.order(id)
	if len(tiers) == 0 {
		o.Posted = pl.postedRate(w, id, 0)
		return o, o.Posted <= o.MaxPrice
	}
	t, found := market.ChooseTier(tiers, func(t int) market.Rate { return pl.postedRate(w, id, t) }, o.MaxPrice)
	if !found {
		return o, false
	}
	o.Tier = t
	o.Posted = pl.postedRate(w, id, t)
	return o, true
}

// postedRate returns the platform's price for deployment id at tier in
// the deployment's denomination.
func (pl *platformClearing) postedRate(w *World, id int32, tier int) market.Rate {
	d := &w.deps.d[id]
	q := &d.spec.Request
	clear(pl.qty)
	pl.qty[agents.ResCPU] = q.CPU
	pl.qty[agents.ResMemory] = q.MemoryGB
	if q.GPUs > 0 {
		pl.qty[q.GPUModel] = q.GPUs
	}
	return w.chain.toRate(pl.poster.PostedUSDHour(pl.qty, pl.mult, tier), d.denom)
}

// handle reprices (evReprice).
func (pl *platformClearing) handle(w *World, e Event) {
	if e.Kind != evReprice {
		pl.baseHooks.handle(w, e)
		return
	}
	pl.reprice(w)
}

// reprice recomputes the peak-pricing multipliers from utilization and
// schedules the next repricing.
func (pl *platformClearing) reprice(w *World) {
	for r := range pl.mult {
		u := 0.0
		if w.prov.capTotal[r] > 0 {
			u = float64(w.leases.alloc[r]) / float64(w.prov.capTotal[r])
		}
		pl.mult[r] = pl.poster.Multiplier(u)
	}
	w.at(w.now+Time(pl.poster.RepriceEvery()), evReprice, 0, 0)
}

// tieredClearing runs Render's tiers (market.Tiered): an order takes the
// highest-priority tier it can afford at the tier's posted price; an
// order that finds no capacity waits in its resource's queue, ordered by
// tier priority then arrival, served as capacity frees (up to the
// mechanism's backfill depth of failures each time) until the tenant's
// patience ends.
type tieredClearing struct {
	*platformClearing
	tiers    []market.Tier
	backfill int
	waiting  [][]waitEntry // by resource class
}

type waitEntry struct {
	id, gen int32
	prio    int
	seq     int64
}

func newTieredClearing(w *World, pl *platformClearing, t market.Tiered) *tieredClearing {
	return &tieredClearing{platformClearing: pl, tiers: t.Tiers(), backfill: t.Backfill(), waiting: make([][]waitEntry, w.nres)}
}

// post clears the order at once, queues it when the tenant can afford a
// tier but no provider can take it now, or leaves it to retry.
func (tc *tieredClearing) post(w *World, id int32) {
	o, affordable := tc.order(w, id, tc.tiers)
	leased := affordable && w.clearNow(id, &o, o.Posted)
	switch {
	case leased:
	case affordable:
		tc.enqueue(w, id, &o)
	default:
		w.noBid(id)
	}
}

// handle abandons a queued order whose patience ended (evQueueTimeout).
func (tc *tieredClearing) handle(w *World, e Event) {
	if e.Kind != evQueueTimeout {
		tc.platformClearing.handle(w, e)
		return
	}
	if d := &w.deps.d[e.A]; d.gen == e.B && d.state == depQueued {
		d.retryH = Handle{}
		w.abandon(e.A)
	}
}

// enqueue puts deployment id, whose order o found no provider, in its
// class's waiting queue, by tier priority then arrival, until capacity
// frees or its patience ends.
func (tc *tieredClearing) enqueue(w *World, id int32, o *market.Order) {
	d := &w.deps.d[id]
	d.state = depQueued
	r, _ := class(&d.spec.Request)
	e := waitEntry{id: id, gen: d.gen, prio: tc.tiers[o.Tier].Priority, seq: w.leases.next()}
	q := append(tc.waiting[r], e)
	i := len(q) - 1
	for i > 0 && (q[i-1].prio < e.prio) {
		q[i] = q[i-1]
		i--
	}
	q[i] = e
	tc.waiting[r] = q
	w.stats.counters[MOrdersQueuedTotal]++
	d.retryH = w.at(max(d.deadline, w.now), evQueueTimeout, id, d.gen)
}

// serve tries the waiting orders of class r in priority order after
// capacity freed, up to the mechanism's backfill depth of failures.
func (tc *tieredClearing) serve(w *World, r int) {
	if len(tc.waiting[r]) == 0 {
		return
	}
	q := tc.waiting[r]
	tc.waiting[r] = nil // serving may not re-enter this queue
	n, fails := 0, 0
	for i, e := range q {
		d := &w.deps.d[e.id]
		if d.gen != e.gen || d.state != depQueued {
			continue // served or abandoned meanwhile
		}
		if fails >= tc.backfill {
			n += copy(q[n:], q[i:])
			break
		}
		o, affordable := tc.order(w, e.id, tc.tiers)
		if affordable && w.clearNow(e.id, &o, o.Posted) {
			continue
		}
		w.deps.d[e.id].state = depQueued
		fails++
		q[n] = e
		n++
	}
	tc.waiting[r] = append(q[:n], tc.waiting[r]...)
}

// capacityFreed serves the queues of the closed lease's resources.
func (tc *tieredClearing) capacityFreed(w *World, _ int32, q *agents.Request) {
	r, _ := class(q)
	tc.serve(w, r)
	if r != agents.ResCPU && q.CPU > 0 {
		tc.serve(w, agents.ResCPU)
	}
}

// capacityAdded serves the queues of a new provider's resources.
func (tc *tieredClearing) capacityAdded(w *World, id int32) {
	for r, k := range w.prov.p[id].prof.Capacity {
		if k > 0 && r != agents.ResMemory {
			tc.serve(w, r)
		}
	}
}
