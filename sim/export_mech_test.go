package sim

import (
	"math"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// Test-only accessors of the mechanisms' kernel paths (mechanisms.go),
// for mechanisms_test.go and tokens_test.go.

// StartedLease is a lease as it stands right after the event that started
// it, with what the market looked like then.
type StartedLease struct {
	LeaseView
	// Start is when the lease started.
	Start Time
	// Deadline is the order's patience deadline (arrival + patience for an
	// order's first post).
	Deadline Time
	// Lifetime is the lifetime the tenant asked for.
	Lifetime Time
	// Posted is the platform's posted rate for the order at its tier, in
	// the deployment's denomination (posted-price mechanisms; 0
	// otherwise); Tier is the order's tier (tiered mechanisms).
	Posted market.Rate
	Tier   int
	// Mult is the peak multiplier of the order's main resource.
	Mult float64
	// Audited tells whether the provider is audited; RequireAudited
	// whether the order accepts audited providers only.
	Audited, RequireAudited bool
	// QuoteUSD is the provider's quote for the request (USD per hour) and
	// QuoteRate the same in the deployment's denomination; UnitAskUSD its
	// quote for one unit of the order's main resource (one GPU of its
	// model, or one core): the call market's standing ask.
	QuoteUSD   float64
	QuoteRate  market.Rate
	UnitAskUSD float64
	// CostFloorUSD is the provider's cost of the request x (1 + its
	// cohort's min_markup): no strategy quotes below it.
	CostFloorUSD float64
	// Stake is the solver stake the lease locked (single-solver).
	Stake int64
}

// Watch holds the callbacks of RunWatch (each may be nil).
type Watch struct {
	// Lease is called for each lease an event started, in lease-id order.
	Lease func(l StartedLease)
	// Event is called after every event (after Lease), with its kind's
	// name ("arrival", "lease-end", "tokenomics-epoch", ...) and the object
	// it concerns (for an arrival, the tenant cohort).
	Event func(kind string, obj int32)
}

// RunWatch is Run, calling cb after every event.
func (w *World) RunWatch(cb Watch) Result {
	seen := map[[2]int32]bool{}
	for w.q.PeekTime() < w.horizon {
		e, _ := w.q.Pop()
		w.prevNow, w.now = w.now, e.At
		w.events++
		eventTable[e.Kind].handle(w, e)
		if w.cfg.Check != CheckOff {
			if w.check(e); w.err != nil {
				panic(w.err)
			}
		}
		if cb.Lease != nil {
			for lid := range w.leases.l {
				l := &w.leases.l[lid]
				key := [2]int32{int32(lid), l.gen}
				if !l.active || l.start != w.now || seen[key] {
					continue
				}
				seen[key] = true
				cb.Lease(w.startedLease(int32(lid)))
			}
		}
		if cb.Event != nil {
			cb.Event(eventName(e.Kind), e.A)
		}
	}
	return w.Result()
}

func (w *World) startedLease(lid int32) StartedLease {
	l := &w.leases.l[lid]
	d := &w.deps.d[l.dep]
	p := &w.prov.p[l.prov]
	q := &d.spec.Request
	s := StartedLease{Start: l.start, Deadline: d.deadline, Lifetime: d.spec.Lifetime, Audited: p.prof.Audited, RequireAudited: d.spec.RequireAudited, Stake: l.stake}
	for _, v := range w.ActiveLeaseViews() {
		if v.Lease == lid {
			s.LeaseView = v
		}
	}
	r, _ := class(q)
	s.Mult = 1
	var pl *platformClearing
	var tiers []market.Tier
	switch c := w.clr.(type) {
	case *platformClearing:
		pl = c
	case *tieredClearing:
		pl, tiers = c.platformClearing, c.tiers
	}
	if pl != nil {
		o, _ := pl.order(w, l.dep, tiers)
		s.Posted, s.Tier = o.Posted, o.Tier
		s.Mult = pl.mult[r]
	}
	s.QuoteUSD = p.strat.Quote(&p.prof, q, &w.view.MarketView)
	s.QuoteRate = w.chain.toRate(s.QuoteUSD, d.denom)
	unit := agents.Request{CPU: 1}
	if r >= agents.ResGPU0 {
		unit = agents.Request{GPUs: 1, GPUModel: r}
	}
	s.UnitAskUSD = p.strat.Quote(&p.prof, &unit, &w.view.MarketView)
	s.CostFloorUSD = q.Price(p.prof.Cost) * (1 + w.cfg.Providers[p.prof.Cohort].MinMarkup)
	return s
}

// ToRate converts USD per hour to a rate in denomination d at the current
// token price, as the kernel does.
func (w *World) ToRate(usdHour float64, d tokenomics.Denom) market.Rate {
	return w.chain.toRate(usdHour, d)
}

// QueuedPastDeadline returns the number of orders waiting in a tiered
// queue or a batch book whose patience ended before now.
func (w *World) QueuedPastDeadline() int {
	n := 0
	for i := range w.deps.d {
		if d := &w.deps.d[i]; d.state == depQueued && d.deadline < w.now {
			n++
		}
	}
	return n
}

// LeaseStakes returns the solver stakes locked by the active leases.
func (w *World) LeaseStakes() int64 {
	s := int64(0)
	for _, lid := range w.leases.active {
		s += w.leases.l[lid].stake
	}
	return s
}

// DeviceStakes returns the device stakes of the active providers.
func (w *World) DeviceStakes() int64 {
	s := int64(0)
	for _, id := range w.prov.active {
		s += w.prov.p[id].stake
	}
	return s
}

// Markup returns provider id's adaptive markup (ok false for another
// strategy).
func (w *World) Markup(id int) (m float64, ok bool) {
	a, ok := w.prov.p[id].strat.(*agents.AdaptiveMarkup)
	if !ok {
		return math.NaN(), false
	}
	return a.Markup(), true
}

// MarketMedian returns the market view's median price per unit-hour of
// resource r (NaN when none).
func (w *World) MarketMedian(r int) float64 { return w.view.MedianUnitUSD[r] }

// Counter returns the current value of cumulative metric m (the value the
// next sample will show).
func (w *World) Counter(m int) float64 { return w.stats.counters[m] }

// VisitAll makes every bid scan visit its shuffle's positions one by
// one, never continuing tracked (scanTracked).
func (w *World) VisitAll() { w.mkt.trackAt = -1 }

// TrackAt makes every sparse shuffled bid scan still under way at visit k > 0
// continue tracked, whether or not that costs less.
func (w *World) TrackAt(k int) { w.mkt.trackAt = k }

// SparseShuffles makes every shuffled bid scan use the sparse
// permutation of long lists, however short its list.
func (w *World) SparseShuffles() { w.mkt.denseMax = 0 }

// ScansTracked is the number of bid scans that continued tracked.
func (w *World) ScansTracked() int { return w.mkt.tracked }
