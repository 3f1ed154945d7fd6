package sim

import (
	"math"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// bundleUnits is how many units a call market's bundle ask is quoted on
// (then divided), so that the book's fractional CPU and memory per unit
// count in it.
const bundleUnits = 1000

// batchClearing runs a periodic call market (market.Batcher): orders wait
// in their resource's book, and every period each book clears at one
// uniform price against the providers' standing asks. Orders past their
// patience are abandoned; unmatched ones stay open.
type batchClearing struct {
	baseHooks
	batcher market.Batcher
	book    [][]bookEntry // open orders, by class
	orders  []market.BatchOrder
	asks    []market.BatchAsk
	matches []market.Match
	matched []bool
}

type bookEntry struct{ id, gen int32 }

func newBatchClearing(w *World, b market.Batcher) *batchClearing {
	bc := &batchClearing{batcher: b, book: make([][]bookEntry, w.nres)}
	w.esc.bidDeposit = 0 // bid deposits are Akash's (akash.md §1)
	w.at(Time(b.Period()), evBatch, 0, 0)
	return bc
}

// post adds deployment id to its class's open orders for the next batch.
func (bc *batchClearing) post(w *World, id int32) {
	d := &w.deps.d[id]
	d.state = depQueued
	r, _ := class(&d.spec.Request)
	bc.book[r] = append(bc.book[r], bookEntry{id: id, gen: d.gen})
}

// handle clears every class's book (evBatch) and schedules the next
// clearing.
func (bc *batchClearing) handle(w *World, e Event) {
	if e.Kind != evBatch {
		bc.baseHooks.handle(w, e)
		return
	}
	for r := range bc.book {
		bc.clearClass(w, r)
	}
	w.at(w.now+Time(bc.batcher.Period()), evBatch, 0, 0)
}

// clearClass clears the book of resource class r.
func (bc *batchClearing) clearClass(w *World, r int) {
	ch := &w.chain
	book := bc.book[r]
	bc.orders = bc.orders[:0]
	n := 0
	for _, e := range book {
		d := &w.deps.d[e.id]
		if d.gen != e.gen || d.state != depQueued {
			continue
		}
		if d.deadline < w.now {
			w.abandon(e.id)
			continue
		}
		units := batchUnits(&d.spec.Request)
		// the tenant's max per unit, in USD-denominated rate units (all
		// denominations meet at one price)
		limit := ch.toRate(ch.rateUSDHour(d.maxRate, d.denom)/float64(units), tokenomics.USDC)
		book[n] = e
		n++
		bc.orders = append(bc.orders, market.BatchOrder{ID: e.id, Units: units, Limit: limit, RequireAudited: d.spec.RequireAudited})
	}
	book = book[:n]
	if len(book) == 0 {
		bc.book[r] = book
		return
	}
	list := w.prov.byResource[r]
	// A unit is one GPU (or core) with the book's mean CPU and memory per
	// unit bundled: providers ask for the bundle, priced by their
	// strategy on bundleUnits units so that fractional shares count.
	// A provider offers as many units as it can hold with the most CPU
	// and memory per unit any open order asks for, so that every order
	// ClearBatch places on it fits whole.
	var cpu, mem, units, maxCPU, maxMem float64
	for _, o := range bc.orders {
		q := &w.deps.d[o.ID].spec.Request
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
	view := &w.view.MarketView
	bc.asks = bc.asks[:0]
	for _, pid := range w.prov.sortedIDs(list) {
		p := &w.prov.p[pid]
		// a CPU-only book (r is the CPU) gets what CPU-only work can still
		// take on a GPU node (agents.ProviderCohort.CPUOnlyShare)
		free, freeCPU, freeMem := p.free[r], p.free[agents.ResCPU], p.free[agents.ResMemory]
		if r == agents.ResCPU {
			free, freeCPU, freeMem = p.cpuOnlyFree(r), p.cpuOnlyFree(agents.ResCPU), p.cpuOnlyFree(agents.ResMemory)
		}
		if p.fake || free <= 0 {
			continue
		}
		if maxCPU > 0 {
			free = min(free, int32(float64(freeCPU)/maxCPU))
		}
		if maxMem > 0 {
			free = min(free, int32(float64(freeMem)/maxMem))
		}
		if free <= 0 {
			continue
		}
		ask := ch.toRate(p.strat.Quote(&p.prof, &bundle, view)/bundleUnits, tokenomics.USDC)
		bc.asks = append(bc.asks, market.BatchAsk{Provider: pid, UnitAsk: ask, Free: free, Audited: p.prof.Audited})
	}
	bc.matches = bc.batcher.ClearBatch(bc.orders, bc.asks, w.mkt.rng, bc.matches[:0])
	bc.matched = append(bc.matched[:0], make([]bool, len(bc.orders))...)
	price := market.Rate(-1)
	for _, mt := range bc.matches {
		price = mt.UnitPrice
		id := bc.orders[mt.Order].ID
		d := &w.deps.d[id]
		q := &d.spec.Request
		p := &w.prov.p[mt.Provider]
		if !p.active || !p.fits(q) {
			continue // the order needs more CPU or memory than the provider has free
		}
		units := batchUnits(q)
		rate := min(ch.toRate(ch.rateUSDHour(mt.UnitPrice, tokenomics.USDC)*float64(units), d.denom), d.maxRate)
		if rate < ch.toRate(p.strat.Quote(&p.prof, q, view), d.denom) {
			continue // the order bundles more than the mean: below the provider's quote for it, declined
		}
		bc.matched[mt.Order] = true
		w.prov.take(mt.Provider, q)
		w.startLease(id, mt.Provider, rate)
		if !w.prov.staticAsks {
			w.observe(mt.Provider, true, rate, d.denom, q)
		}
	}
	if !w.prov.staticAsks && price >= 0 {
		for _, a := range bc.asks {
			if a.UnitAsk > price {
				w.observe(a.Provider, false, 0, tokenomics.USDC, nil)
			}
		}
	}
	n = 0
	for i, e := range book {
		if !bc.matched[i] {
			book[n] = e
			n++
		}
	}
	bc.book[r] = book[:n]
}

// batchUnits is the number of units request q trades in a call market:
// its GPUs, or its CPU cores, and at least one. A CPU-only deployment
// drawn with 0 cores (a distribution whose draw rounds down to 0; one that
// can only give 0 is refused by validation) trades as one core, the
// market's smallest unit: its limit and its price are per unit, and a
// zero-size order has none.
func batchUnits(q *agents.Request) int32 {
	_, units := class(q)
	return max(units, 1)
}
