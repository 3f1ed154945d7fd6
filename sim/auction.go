package sim

import (
	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// BidTimeout is the provider daemon's --bid-timeout: an open bid is
// withdrawn this long after it was placed (5 min, akash.md §1).
const BidTimeout = 5 * Minute

// auctionClearing runs a reverse auction the Akash way (akash.md §1):
// providers bid on each order with a deposit and reserve the capacity
// their bid offers; the tenant selects after its selection window; bids
// time out. An order with no winner retries (noBid) or, with
// open_orders = "wait" (market.OpenOrders), waits in the book of open
// orders until capacity frees (openBook). When every bid would be placed at once, at fixed asks, for a
// mechanism that clears at the cheapest ask, the order clears straight
// from the ask index instead (the same winner, without collecting bids).
type auctionClearing struct {
	baseHooks
	cheapest bool      // the mechanism clears at the cheapest ask (market.CheapestAsk)
	book     *openBook // the book of open orders (market.OpenOrders); nil: orders with no winner retry
}

func newAuctionClearing(w *World, m market.Mechanism) *auctionClearing {
	a := &auctionClearing{}
	if c, ok := m.(market.CheapestAsk); ok && c.ClearsAtCheapestAsk() {
		a.cheapest = true
	}
	if o, ok := m.(market.OpenOrders); ok && o.OrdersWait() {
		a.book = newOpenBook(w.nres)
	}
	return a
}

// noWinner handles an order that got no winner: it retries, or waits in
// the book of open orders.
func (a *auctionClearing) noWinner(w *World, id int32) {
	if a.book == nil {
		w.noBid(id)
		return
	}
	a.book.wait(w, id)
}

// post opens an order's bidding: from the ask index when it can decide,
// else by collecting bids, selected now or after the tenant's window.
func (a *auctionClearing) post(w *World, id int32) {
	d := &w.deps.d[id]
	c := &w.cfg.Tenants[d.cohort]
	q := &d.spec.Request
	if c.SelectionWindow.T() == 0 && a.cheapest && w.prov.staticAsks && !d.spec.RequireAudited && w.tenants[d.cohort].selector == nil {
		if r, k, ok := q.SingleResource(); ok {
			if done := a.clearFromIndex(w, id, r, k); done {
				return
			}
		}
	}
	w.collectBids(id, d.maxRate, false)
	d = &w.deps.d[id]
	d.state = depBidding
	if c.SelectionWindow.T() == 0 {
		a.selectWinner(w, id)
		return
	}
	d.selectH = w.at(w.now+c.SelectionWindow.T(), evSelect, id, d.gen)
	if c.SelectionWindow.T() >= BidTimeout {
		// a window shorter than the bid timeout ends first, and its
		// selection releases every bid: no timeout to schedule
		w.mkt.bidding(d).timeoutH = w.at(w.now+BidTimeout, evBidTimeout, id, d.gen)
	}
	if !d.selectH.Valid() { // window ends after the horizon
		w.releaseBids(id, -1)
	}
}

// handle ends a selection window (evSelect), times bids out
// (evBidTimeout) or abandons an order whose patience ended in the book of
// open orders (evQueueTimeout).
func (a *auctionClearing) handle(w *World, e Event) {
	d := &w.deps.d[e.A]
	if d.gen != e.B {
		return
	}
	switch e.Kind {
	case evSelect:
		a.selectWinner(w, e.A)
	case evBidTimeout:
		n, q := len(w.mkt.bids(d)), d.spec.Request
		w.releaseBids(e.A, -1)
		if a.book != nil && n > 0 {
			a.book.freed(w, -1, &q) // the reservations returned
		}
	case evQueueTimeout:
		if a.book != nil && d.state == depQueued {
			a.book.giveUp(w, e.A)
		}
	default:
		a.baseHooks.handle(w, e)
	}
}

// clearFromIndex clears an order needing k units of one resource r from
// the ask index. It reports false when the index cannot decide (the
// cheapest provider cannot pay a bid deposit), leaving the order to the
// bid-collecting path.
func (a *auctionClearing) clearFromIndex(w *World, id int32, r int, k int32) bool {
	ix := w.prov.index(r)
	d := &w.deps.d[id]
	pid, unitAsk, ok := ix.Cheapest(k)
	if !ok {
		a.noWinner(w, id)
		return true
	}
	ch := &w.chain
	// no balance is negative (the ledger refuses overdrafts), so without
	// a bid deposit every provider can bid: the provider's record is read
	// only when its bid wins
	if w.esc.bidDeposit > 0 && ch.ledger.Balance(w.prov.p[pid].acct, tokenomics.AKT) < w.esc.bidDeposit {
		return false
	}
	// the asks are static, so the provider's quote is the request's price
	// at its asks (agents.Strategy.StaticAsks), which for k units of one
	// resource is k times its unit ask: the same float64 (the other
	// resources' terms are zero times a finite ask)
	rate := ch.toRate(float64(k)*unitAsk, d.denom)
	if rate > d.maxRate {
		a.noWinner(w, id) // the cheapest ask is too dear, so are all others
		return true
	}
	p := &w.prov.p[pid]
	w.prov.take(pid, &d.spec.Request)
	ch.ledger.Transfer(p.acct, ch.bidEscrow, tokenomics.AKT, w.esc.bidDeposit)
	w.countBid(pid, &d.spec.Request, ch.rateUSDHour(rate, d.denom), true) // the index knows only the winner: one bid, won
	w.startLease(id, pid, rate)
	return true
}

// selectWinner lets the tenant pick among the bids still open. With a
// book of open orders, the capacity the other bids reserved goes to the
// orders waiting in it.
func (a *auctionClearing) selectWinner(w *World, id int32) {
	d := &w.deps.d[id]
	ch := &w.chain
	d.selectH = Handle{}
	// bids of providers that left meanwhile were withdrawn with them
	n := 0
	bids := w.mkt.bids(d)
	for _, b := range bids {
		if w.prov.p[b.Provider].active {
			bids[n] = b
			n++
		} else if w.esc.bidDeposit > 0 {
			ch.ledger.Transfer(ch.bidEscrow, w.prov.p[b.Provider].acct, tokenomics.AKT, w.esc.bidDeposit)
		}
	}
	if bd := w.mkt.bidding(d); bd != nil {
		bd.bids = bids[:n]
	}
	o := w.order(id)
	if a.book == nil {
		if !w.clear(id, &o) {
			w.noBid(id)
		}
		return
	}
	q := d.spec.Request
	released := n
	if w.clear(id, &o) {
		released--
	} else {
		a.book.wait(w, id)
	}
	if released > 0 {
		a.book.freed(w, -1, &q)
	}
}

// leaseStarted counts a lease as served from the book or at once.
func (a *auctionClearing) leaseStarted(w *World, lid int32) {
	if a.book != nil {
		a.book.leaseStarted(w, lid)
	}
}

// capacityFreed posts the orders waiting in the book for the freed
// request's classes again.
func (a *auctionClearing) capacityFreed(w *World, pid int32, q *agents.Request) {
	if a.book != nil {
		a.book.freed(w, pid, q)
	}
}

// capacityAdded posts the orders waiting in the book for a new
// provider's classes again.
func (a *auctionClearing) capacityAdded(w *World, id int32) {
	if a.book != nil {
		a.book.added(w, id)
	}
}
