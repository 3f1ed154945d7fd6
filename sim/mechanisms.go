package sim

import (
	"fmt"
	"math"
	"slices"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// This file holds the kernel's side of the market mechanisms other than
// the per-order auctions: posted prices with peak pricing (market.Poster),
// tiers and their waiting queue (market.Tiered), periodic batch clearing
// (market.Batcher), verified work with solver stakes (market.Verifier),
// and the market view that adaptive bid strategies read.

// mechState is what the world knows of its mechanism's capabilities and
// the mechanism-related state it owns (mechanisms are stateless and
// shared by replications).
type mechState struct {
	bidding  bool // per-order bids with deposits and a selection window
	poster   market.Poster
	tiers    []market.Tier
	backfill int
	batcher  market.Batcher
	verifier market.Verifier
	verif    market.Verification

	mult     []float64 // peak-pricing multiplier by resource
	qty      []int32   // scratch: an order's quantities by resource
	allocSeq int64     // allocation sequence (market.Bid.LastWon)

	waiting [][]waitEntry // tiered: orders waiting for capacity, by class
	book    [][]bookEntry // batch: open orders, by class
	orders  []market.BatchOrder
	asks    []market.BatchAsk
	matches []market.Match
	matched []bool

	selectors []market.Selector // by tenant cohort (nil: the mechanism's rule)

	// recent lease prices per unit-hour (USD) by resource, for the market
	// view of adaptive strategies
	recent   [][]float64
	recentAt []int
	viewOn   bool

	stakes, whistleblowers tokenomics.Account
}

type waitEntry struct {
	id, gen int32
	prio    int
	seq     int64
}

type bookEntry struct{ id, gen int32 }

// recentPrices is how many recent lease prices per resource the market
// view's medians are taken over.
const recentPrices = 64

// bundleUnits is how many units a call market's bundle ask is quoted on
// (then divided), so that the book's fractional CPU and memory per unit
// count in it.
const bundleUnits = 1000

// viewEvery is how often the market view is refreshed.
const viewEvery = Hour

// initMechanism reads the mechanism's capabilities and schedules its
// periodic events. Called by NewWorld.
func (w *World) initMechanism() {
	m := &w.ms
	m.bidding = true
	if p, ok := w.mech.(market.Poster); ok {
		m.poster = p
		m.bidding = false
	}
	if t, ok := w.mech.(market.Tiered); ok {
		m.tiers = t.Tiers()
		m.backfill = t.Backfill()
		m.waiting = make([][]waitEntry, w.nres)
	}
	if b, ok := w.mech.(market.Batcher); ok {
		m.batcher = b
		m.bidding = false
		m.book = make([][]bookEntry, w.nres)
	}
	if v, ok := w.mech.(market.Verifier); ok {
		m.verifier = v
		m.verif = v.Verification()
		m.bidding = false
		m.stakes = w.ledger.Open("solver-stakes")
		m.whistleblowers = w.ledger.Open("whistleblowers")
	}
	if !m.bidding {
		w.bidDeposit = 0 // bid deposits are Akash's (akash.md §1)
	}
	m.mult = make([]float64, w.nres)
	for r := range m.mult {
		m.mult[r] = 1
	}
	m.qty = make([]int32, w.nres)
	for i := range w.cfg.Tenants {
		s, err := w.cfg.Tenants[i].NewSelector()
		if err != nil {
			panic("sim: " + err.Error())
		}
		m.selectors = append(m.selectors, s)
	}
	m.recent = make([][]float64, w.nres)
	m.recentAt = make([]int, w.nres)
	w.view.MedianUnitUSD = make([]float64, w.nres)
	for r := range w.view.MedianUnitUSD {
		w.view.MedianUnitUSD[r] = math.NaN()
	}
	m.viewOn = !w.staticAsks
	if m.viewOn {
		w.schedule(viewEvery, PhaseDecision, evView, 0, 0)
	}
	if m.poster != nil && m.poster.RepriceEvery() > 0 {
		w.schedule(0, PhaseDecision, evReprice, 0, 0)
	}
	if m.batcher != nil {
		w.schedule(Time(m.batcher.Period()), PhaseClearing, evBatch, 0, 0)
	}
}

// class is the main resource of a request: its GPU model, or CPU.
func class(q *agents.Request) (r int, units int32) {
	if q.GPUs > 0 {
		return q.GPUModel, q.GPUs
	}
	return agents.ResCPU, q.CPU
}

// reprice recomputes the peak-pricing multipliers from utilization.
func (w *World) reprice() {
	m := &w.ms
	for r := range m.mult {
		u := 0.0
		if w.capTotal[r] > 0 {
			u = float64(w.allocTotal[r]) / float64(w.capTotal[r])
		}
		m.mult[r] = m.poster.Multiplier(u)
	}
	w.schedule(w.now+Time(m.poster.RepriceEvery()), PhaseDecision, evReprice, 0, 0)
}

// postedRate returns the platform's price for deployment id at tier in
// the deployment's denomination.
func (w *World) postedRate(id int32, tier int) market.Rate {
	d := &w.deps[id]
	q := &d.spec.Request
	m := &w.ms
	clear(m.qty)
	m.qty[agents.ResCPU] = q.CPU
	m.qty[agents.ResMemory] = q.MemoryGB
	if q.GPUs > 0 {
		m.qty[q.GPUModel] = q.GPUs
	}
	return w.toRate(m.poster.PostedUSDHour(m.qty, m.mult, tier), d.denom)
}

// order builds deployment id's market order. For posted-price mechanisms
// it fills the posted price (and the tier: the highest-priority tier the
// tenant can afford, market.ChooseTier); ok is false when the tenant
// cannot afford the posted price of any tier.
func (w *World) order(id int32) (o market.Order, ok bool) {
	d := &w.deps[id]
	o = market.Order{ID: id, MaxPrice: d.maxRate, RequireAudited: d.spec.RequireAudited, Selector: w.ms.selectors[d.cohort]}
	m := &w.ms
	if m.poster == nil {
		return o, true
	}
	if len(m.tiers) == 0 {
		o.Posted = w.postedRate(id, 0)
		return o, o.Posted <= o.MaxPrice
	}
	t, found := market.ChooseTier(m.tiers, func(t int) market.Rate { return w.postedRate(id, t) }, o.MaxPrice)
	if !found {
		return o, false
	}
	o.Tier = t
	o.Posted = w.postedRate(id, t)
	return o, true
}

// bidLimit is the highest bid price worth placing on order o: the posted
// price, the max price net of verification overhead, or the max price.
func (w *World) bidLimit(o *market.Order) market.Rate {
	switch {
	case w.ms.poster != nil:
		return o.Posted
	case w.ms.verifier != nil:
		return market.Rate(float64(o.MaxPrice) / (1 + w.ms.verif.Overhead))
	}
	return o.MaxPrice
}

// clearNow collects bids on deployment id's order and clears it at once
// (posted-price, tiered-queue, single-solver). It reports whether a lease
// started, and whether the tenant can afford the order's posted price
// (always, without posted prices) with the order it built; on failure
// the deployment is left waiting with no bids.
func (w *World) clearNow(id int32) (leased, affordable bool, o market.Order) {
	o, affordable = w.order(id)
	if !affordable {
		return false, false, o
	}
	w.collectBids(id, w.bidLimit(&o))
	return w.clear(id, &o), true, o
}

// clear runs the mechanism on deployment id's bids and starts the lease
// (or releases the bids). It reports whether a lease started.
func (w *World) clear(id int32, o *market.Order) bool {
	d := &w.deps[id]
	out := w.mech.Clear(o, d.bids, w.rngMarket)
	if out.Winner >= 0 && (out.Price > d.maxRate || out.Price <= 0 && d.bids[out.Winner].Price > 0) {
		panic(fmt.Sprintf("sim: mechanism %s priced order %d at %d above its max %d", w.mech.Name(), id, out.Price, d.maxRate))
	}
	if !w.staticAsks {
		for i := range d.bids {
			w.providers[d.bids[i].Provider].strat.Observe(i == out.Winner)
		}
	}
	if out.Winner < 0 {
		w.releaseBids(id, -1)
		return false
	}
	b := d.bids[out.Winner]
	w.releaseBids(id, out.Winner)
	if !w.ms.bidding {
		w.take(b.Provider, &d.spec.Request) // cleared at once: no reservations before
	}
	w.startLease(id, b.Provider, out.Price)
	return true
}

// ---- tiered queue ----

// enqueue puts deployment id, whose order o found no provider, in its
// class's waiting queue, by tier priority then arrival, until capacity
// frees or its patience ends.
func (w *World) enqueue(id int32, o *market.Order) {
	d := &w.deps[id]
	m := &w.ms
	d.state = depQueued
	r, _ := class(&d.spec.Request)
	m.allocSeq++
	e := waitEntry{id: id, gen: d.gen, prio: m.tiers[o.Tier].Priority, seq: m.allocSeq}
	q := append(m.waiting[r], e)
	i := len(q) - 1
	for i > 0 && (q[i-1].prio < e.prio) {
		q[i] = q[i-1]
		i--
	}
	q[i] = e
	m.waiting[r] = q
	w.counters[MOrdersQueuedTotal]++
	d.retryH = w.schedule(max(d.deadline, w.now), PhaseDecision, evQueueTimeout, id, d.gen)
}

// serveQueue tries the waiting orders of class r in priority order after
// capacity freed, up to the mechanism's backfill depth of failures.
func (w *World) serveQueue(r int) {
	m := &w.ms
	if m.waiting == nil || len(m.waiting[r]) == 0 {
		return
	}
	q := m.waiting[r]
	m.waiting[r] = nil // serving may not re-enter this queue
	n, fails := 0, 0
	for i, e := range q {
		d := &w.deps[e.id]
		if d.gen != e.gen || d.state != depQueued {
			continue // served or abandoned meanwhile
		}
		if fails >= m.backfill {
			n += copy(q[n:], q[i:])
			break
		}
		if leased, _, _ := w.clearNow(e.id); leased {
			continue
		}
		w.deps[e.id].state = depQueued
		fails++
		q[n] = e
		n++
	}
	m.waiting[r] = append(q[:n], m.waiting[r]...)
}

// ---- batch clearing ----

// book adds deployment id to its class's open orders for the next batch.
func (w *World) book(id int32) {
	d := &w.deps[id]
	d.state = depQueued
	r, _ := class(&d.spec.Request)
	w.ms.book[r] = append(w.ms.book[r], bookEntry{id: id, gen: d.gen})
}

// clearBatch runs the periodic uniform-price clearing of every class's
// open orders (market.Batcher), then schedules the next one. Orders past
// their patience are abandoned; unmatched ones stay open.
func (w *World) clearBatch() {
	m := &w.ms
	for r := range m.book {
		w.clearClass(r)
	}
	w.schedule(w.now+Time(m.batcher.Period()), PhaseClearing, evBatch, 0, 0)
}

func (w *World) clearClass(r int) {
	m := &w.ms
	book := m.book[r]
	m.orders = m.orders[:0]
	n := 0
	for _, e := range book {
		d := &w.deps[e.id]
		if d.gen != e.gen || d.state != depQueued {
			continue
		}
		if d.deadline < w.now {
			w.abandon(e.id)
			continue
		}
		_, units := class(&d.spec.Request)
		// the tenant's max per unit, in USD-denominated rate units (all
		// denominations meet at one price)
		limit := w.toRate(w.rateUSDHour(d.maxRate, d.denom)/float64(units), tokenomics.USDC)
		book[n] = e
		n++
		m.orders = append(m.orders, market.BatchOrder{ID: e.id, Units: units, Limit: limit, RequireAudited: d.spec.RequireAudited})
	}
	book = book[:n]
	if len(book) == 0 {
		m.book[r] = book
		return
	}
	list := w.byResource[r]
	// A unit is one GPU (or core) with the book's mean CPU and memory per
	// unit bundled: providers ask for the bundle, priced by their
	// strategy on bundleUnits units so that fractional shares count.
	// A provider offers as many units as it can hold with the most CPU
	// and memory per unit any open order asks for, so that every order
	// ClearBatch places on it fits whole.
	var cpu, mem, units, maxCPU, maxMem float64
	for _, o := range m.orders {
		q := &w.deps[o.ID].spec.Request
		units += float64(o.Units)
		mem += float64(q.MemoryGB)
		maxMem = max(maxMem, float64(q.MemoryGB)/float64(o.Units))
		if r >= agents.ResGPU0 {
			cpu += float64(q.CPU)
			maxCPU = max(maxCPU, float64(q.CPU)/float64(o.Units))
		}
	}
	bundle := agents.Request{CPU: int32(math.Round(cpu / units * bundleUnits)), MemoryGB: int32(math.Round(mem / units * bundleUnits))}
	if r >= agents.ResGPU0 {
		bundle.GPUs, bundle.GPUModel = bundleUnits, r
	} else {
		bundle.CPU = bundleUnits
	}
	m.asks = m.asks[:0]
	for _, pid := range w.sortedIDs(list) {
		p := &w.providers[pid]
		if p.fake || p.free[r] <= 0 {
			continue
		}
		free := p.free[r]
		if maxCPU > 0 {
			free = min(free, int32(float64(p.free[agents.ResCPU])/maxCPU))
		}
		if maxMem > 0 {
			free = min(free, int32(float64(p.free[agents.ResMemory])/maxMem))
		}
		if free <= 0 {
			continue
		}
		ask := w.toRate(p.strat.Quote(&p.prof, &bundle, &w.view)/bundleUnits, tokenomics.USDC)
		m.asks = append(m.asks, market.BatchAsk{Provider: pid, UnitAsk: ask, Free: free, Audited: p.prof.Audited})
	}
	m.matches = m.batcher.ClearBatch(m.orders, m.asks, w.rngMarket, m.matches[:0])
	m.matched = append(m.matched[:0], make([]bool, len(m.orders))...)
	price := market.Rate(-1)
	for _, mt := range m.matches {
		price = mt.UnitPrice
		id := m.orders[mt.Order].ID
		d := &w.deps[id]
		q := &d.spec.Request
		p := &w.providers[mt.Provider]
		if !p.active || !fits(p.free, q) {
			continue // the order needs more CPU or memory than the provider has free
		}
		_, units := class(q)
		rate := min(w.toRate(w.rateUSDHour(mt.UnitPrice, tokenomics.USDC)*float64(units), d.denom), d.maxRate)
		if rate < w.toRate(p.strat.Quote(&p.prof, q, &w.view), d.denom) {
			continue // the order bundles more than the mean: below the provider's quote for it, declined
		}
		m.matched[mt.Order] = true
		w.take(mt.Provider, q)
		w.startLease(id, mt.Provider, rate)
		if !w.staticAsks {
			p.strat.Observe(true)
		}
	}
	if !w.staticAsks && price >= 0 {
		for _, a := range m.asks {
			if a.UnitAsk > price {
				w.providers[a.Provider].strat.Observe(false)
			}
		}
	}
	n = 0
	for i, e := range book {
		if !m.matched[i] {
			book[n] = e
			n++
		}
	}
	m.book[r] = book[:n]
}

// sortedIDs returns ids sorted (active lists are swap-removed, so their
// order depends on history).
func (w *World) sortedIDs(ids []int32) []int32 {
	w.sortBuf = append(w.sortBuf[:0], ids...)
	slices.Sort(w.sortBuf)
	return w.sortBuf
}

// ---- verified work ----

// lockStake moves the solver's stake for lease lid (StakeRatio x the
// task's fee at the lease rate over its lifetime, at most what the solver
// holds) into the stakes account.
func (w *World) lockStake(lid int32) {
	l := &w.leases[lid]
	d := &w.deps[l.dep]
	p := &w.providers[l.prov]
	hours := float64(d.endAt-w.now) / float64(Hour)
	feeUSD := w.leaseUSDHour(l) * hours
	amt := int64(w.ms.verif.StakeRatio * feeUSD / w.priceUSD[tokenomics.AKT] * tokenomics.BaseUnits)
	amt = min(amt, w.ledger.Balance(p.acct, tokenomics.AKT))
	if amt > 0 {
		w.ledger.Transfer(p.acct, w.ms.stakes, tokenomics.AKT, amt)
		l.stake = amt
	}
}

// settleStake checks lease lid's completed work when completed is set
// (market.Verifier.Verify): a lost dispute slashes the stake to the
// whistleblowers (paid from the solver's deposit, competitors.md §3.2);
// the rest returns to the solver.
func (w *World) settleStake(lid int32, completed bool) {
	l := &w.leases[lid]
	p := &w.providers[l.prov]
	back := l.stake
	if completed {
		out := w.ms.verifier.Verify(w.rngVerify)
		if out.Disputed {
			w.counters[MDisputesTotal]++
		}
		if out.Slashed {
			slash := int64(float64(l.stake) * w.ms.verif.SlashFraction)
			if slash > 0 {
				w.ledger.Transfer(w.ms.stakes, w.ms.whistleblowers, tokenomics.AKT, slash)
				w.counters[MSlashedTotal] += tokenomics.Whole(slash)
			}
			back -= slash
		}
	}
	if back > 0 {
		w.ledger.Transfer(w.ms.stakes, p.acct, tokenomics.AKT, back)
	}
	l.stake = 0
}

// ---- market view ----

// notePrice records a started lease's price per unit-hour of its main
// resource for the market view.
func (w *World) notePrice(q *agents.Request, usdHour float64) {
	m := &w.ms
	if !m.viewOn {
		return
	}
	r, units := class(q)
	if units <= 0 {
		return
	}
	v := usdHour / float64(units)
	if len(m.recent[r]) < recentPrices {
		m.recent[r] = append(m.recent[r], v)
		return
	}
	m.recent[r][m.recentAt[r]] = v
	m.recentAt[r] = (m.recentAt[r] + 1) % recentPrices
}

// refreshView recomputes the market view's medians.
func (w *World) refreshView() {
	m := &w.ms
	for r := range m.recent {
		w.view.MedianUnitUSD[r] = math.NaN()
		if len(m.recent[r]) > 0 {
			w.gpuBuf = append(w.gpuBuf[:0], m.recent[r]...)
			w.view.MedianUnitUSD[r] = median(w.gpuBuf)
		}
	}
	w.schedule(w.now+viewEvery, PhaseDecision, evView, 0, 0)
}
