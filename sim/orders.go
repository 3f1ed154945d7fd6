package sim

import (
	"math/rand/v2"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// depState is where a deployment's order stands.
type depState uint8

const (
	depFree    depState = iota // the slot is unused
	depBidding                 // bids are open until the selection window ends
	depWaiting                 // waiting for a retry (or between clearing steps)
	depLeased                  // a lease runs
	depQueued                  // waiting in a tiered queue, a batch market's book or an auction's book of open orders
)

// deployment is a tenant's deployment: its order, its escrow account and
// the lease serving it (Akash's deployment, order and escrow account in
// one; akash.md §1-§2).
type deployment struct {
	// the fields an auction attempt reads come first, within one cache
	// line: a retry touches only them
	gen      int32
	state    depState
	reserved bool // its open bids reserve capacity (auctions)
	booked   bool // its order entered the auction's book of open orders since it arrived or last got a lease (openBook)
	denom    tokenomics.Denom
	cohort   int32
	bidSlot  int32 // its bidding's entry in marketSide.biddings + 1; 0 when it holds none
	retryH   Handle
	lease    int32 // -1 when none
	deadline Time  // abandon after this without a lease
	spec     agents.Deployment
	maxRate  market.Rate
	endAt    Time // lifetime end (set when the first lease starts)
	// escrow
	funds     amount
	settledH  int64
	budgetUSD float64 // budget left to deposit
	selectH   Handle
	endH      Handle
	dryH      Handle
	topUpH    Handle
}

// deploymentTable holds the deployments; the slots of closed ones are
// reused (their generation tells stale events apart).
type deploymentTable struct {
	d    []deployment
	free []int32
}

// open returns the id of a fresh deployment.
func (t *deploymentTable) open() int32 {
	id := alloc(&t.d, &t.free)
	d := &t.d[id]
	gen := d.gen + 1
	*d = deployment{} // cleared in place: a literal would be built on the stack and copied
	d.gen = gen
	return id
}

// release frees deployment id's slot.
func (t *deploymentTable) release(id int32) {
	d := &t.d[id]
	d.state = depFree
	d.gen++
	t.free = append(t.free, id)
}

// inUse returns the number of deployments not yet closed.
func (t *deploymentTable) inUse() int { return len(t.d) - len(t.free) }

// tenantCohort is the run state of one tenant cohort.
type tenantCohort struct {
	demand                            *agents.Demand
	selector                          market.Selector // nil: the mechanism's rule
	wallet                            tokenomics.Account
	rngArrivals, rngDemand, rngBehave *rand.Rand
	steps                             []agents.DemandStep // the resolved demand_steps (nil: none)
	// the price response (demandprice.go), when the cohort's
	// price_elasticity is > 0: its stream, and the resources it watches
	// with their weights (GPU models and shares; none: CPU)
	rngPrice  *rand.Rand
	respRes   []int32
	respShare []float64
}

// ---- arrivals ----

// arrive makes a deployment of tenant cohort ti: draws it, schedules the
// cohort's next arrival, funds its escrow and posts its order. The
// deployment is drawn in place, after the next arrival's time (the
// demand's stream is its own, so no draw changes): a spec returned by
// value is built on the stack in narrow stores and copied in 16 bytes at
// a time, which cannot be forwarded from them and stalls.
func (w *World) arrive(ti int) {
	c := &w.cfg.Tenants[ti]
	tc := &w.tenants[ti]
	if tc.rngPrice != nil && !w.acceptArrival(ti) { // a candidate the price response turns away
		w.at(w.nextArrival(ti), evArrival, int32(ti), 0)
		return
	}
	ref := w.referenceAt(w.now)
	w.at(w.nextArrival(ti), evArrival, int32(ti), 0)
	w.stats.counters[MOrdersTotal]++
	id := w.deps.open()
	d := &w.deps.d[id]
	d.cohort = int32(ti)
	spec := tc.demand.DrawInto(&d.spec, tc.rngDemand, ref)
	d.denom = tokenomics.AKT
	switch {
	case w.chain.settle == tokenomics.SettlementBME:
		d.denom = tokenomics.ACT // ACT credits only (akash.md §1: uact since v2.0.0)
	case spec.USDC:
		d.denom = tokenomics.USDC
	}
	d.maxRate = w.chain.toRate(spec.MaxPriceUSDHour, d.denom)
	d.deadline = w.now + c.Patience.T()
	d.budgetUSD = spec.BudgetUSD
	d.lease = -1
	d.state = depWaiting
	// initial escrow deposit: the runway target at the max price, at least
	// the minimum deposit, within the budget. A tenant who cannot buy the
	// tokens (the holders' float is short), or whose max price in tokens is
	// beyond any rate (rateMax), cannot fund the order: it is counted
	// unfunded and closed without being posted.
	want := c.RunwayTargetDays * 24 * spec.MaxPriceUSDHour
	if d.maxRate == rateMax || !w.deposit(id, want, true) {
		w.unfunded(id)
		return
	}
	w.post(id)
}

// unfunded closes an order whose tenant could not fund its escrow
// (orders_unfunded_total).
func (w *World) unfunded(id int32) {
	w.stats.counters[MOrdersUnfundedTotal]++
	w.closeDeployment(id)
}

// nextArrival draws tenant cohort ti's next arrival after now (its next
// candidate when its demand reacts to price: acceptArrival decides).
// Cohorts see time relative to the scenario start (negative during the
// warmup).
func (w *World) nextArrival(ti int) Time {
	tc := &w.tenants[ti]
	c := &w.cfg.Tenants[ti]
	t := c.NextArrivalScaled(w.now-w.origin, w.horizon-w.origin, tc.steps, c.ElasticBound(), tc.rngArrivals)
	if t == Never {
		return Never
	}
	return t + w.origin
}

// order builds deployment id's market order (no posted price).
func (w *World) order(id int32) market.Order {
	d := &w.deps.d[id]
	return market.Order{ID: id, MaxPrice: d.maxRate, RequireAudited: d.spec.RequireAudited, Selector: w.tenants[d.cohort].selector}
}

// noBid handles an order that got no eligible bid: retry or abandon.
func (w *World) noBid(id int32) {
	d := &w.deps.d[id]
	c := &w.cfg.Tenants[d.cohort]
	d.state = depWaiting
	next := w.now + c.RetryEvery.T()
	if next > d.deadline {
		w.abandon(id)
		return
	}
	d.retryH = w.atLane(laneRetry+int(d.cohort), next, evRetry, id, d.gen)
}

// abandon closes an order that found no lease within its tenant's
// patience (unserved).
func (w *World) abandon(id int32) {
	w.stats.counters[MOrdersUnservedTotal]++
	w.closeDeployment(id)
}

// closeDeployment refunds the escrow's remaining funds to the tenant and
// frees the deployment.
func (w *World) closeDeployment(id int32) {
	d := &w.deps.d[id]
	if d.bidSlot != 0 {
		w.releaseBids(id, -1)
	}
	if refund := d.funds.base; refund > 0 {
		w.chain.ledger.Transfer(w.chain.escrow, w.tenants[d.cohort].wallet, d.denom, refund)
	}
	d.funds = amount{}
	for _, h := range []*Handle{&d.selectH, &d.retryH, &d.endH, &d.dryH, &d.topUpH} {
		w.cancel(h)
	}
	w.deps.release(id)
}
