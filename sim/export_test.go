package sim

import (
	"math"
	"slices"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// Test-only accessors: this file is compiled into package sim for its
// tests only, so the tests of package sim_test can look inside a World.

// LeaseView is a read-only copy of one active lease and its escrow.
type LeaseView struct {
	Lease, Dep, Provider int32
	// Rate is the lease price; MaxRate the tenant's max price.
	Rate, MaxRate market.Rate
	// Balance is accrued and not withdrawn (rate units, saturated at
	// math.MaxInt64).
	Balance int64
	// SettledHeight is the escrow's last settled block height.
	SettledHeight int64
	// Funds is the escrow's balance (rate units, saturated at
	// math.MaxInt64); FundsBase its whole base units and FundsFrac the
	// rate units below one.
	Funds, FundsBase, FundsFrac int64
	// Denom is the deployment's denomination.
	Denom tokenomics.Denom
	// Request is what the deployment asks for.
	Request agents.Request
	// Cohort is the deployment's tenant cohort.
	Cohort int
	// USDHour is the lease price in USD per hour.
	USDHour float64
	// BudgetUSD is the budget left to deposit.
	BudgetUSD float64
	// EndAt is the end of the deployment's lifetime.
	EndAt Time
	// DryAt and TopUpAt are the times of the pending run-dry and top-up
	// events (Never when none is pending).
	DryAt, TopUpAt Time
}

// ActiveLeaseViews returns the active leases in lease-id order.
func (w *World) ActiveLeaseViews() []LeaseView {
	var out []LeaseView
	for lid := range w.leases.l {
		l := &w.leases.l[lid]
		if !l.active {
			continue
		}
		d := &w.deps.d[l.dep]
		out = append(out, LeaseView{Lease: int32(lid), Dep: l.dep, Provider: l.prov, Rate: l.rate, MaxRate: d.maxRate,
			Balance: l.balance.rateUnits(), SettledHeight: d.settledH, Funds: d.funds.rateUnits(), FundsBase: d.funds.base, FundsFrac: d.funds.frac, Denom: d.denom, Request: d.spec.Request,
			Cohort: int(d.cohort), USDHour: w.leaseUSDHour(l), BudgetUSD: d.budgetUSD, EndAt: d.endAt,
			DryAt: w.eventTime(d.dryH), TopUpAt: w.eventTime(d.topUpH)})
	}
	return out
}

// eventTime returns the time of the event h refers to, or Never when it
// is not pending.
func (w *World) eventTime(h Handle) Time {
	if !w.q.Scheduled(h) {
		return Never
	}
	return w.q.slots[h.slot-1].ev.At
}

// Horizon returns the time at which the run stops (warmup included).
func (w *World) Horizon() Time { return w.horizon }

// Height returns the block height at t.
func (w *World) Height(t Time) int64 { return w.chain.height(t) }

// IndexBuilt reports whether the ask index of resource r was ever built
// (the fast clearing path ran for it).
func (w *World) IndexBuilt(r int) bool { return w.prov.indexes[r] != nil }

// BreakInvariant corrupts w's state so that the named invariant no
// longer holds, for the tests that show every check can fail. It reports
// false when w has nothing to corrupt for it yet (e.g. no active lease)
// or the invariant is checked by package tokenomics (ledger, BME).
func (w *World) BreakInvariant(name string) bool {
	var lid int32 = -1
	if len(w.leases.active) > 0 {
		lid = w.leases.active[0]
	}
	switch name {
	case "no-negative-balance", "escrow-covers-claims", "lease-links", "lease-within-max-price":
		if lid < 0 {
			return false
		}
		l := &w.leases.l[lid]
		d := &w.deps.d[l.dep]
		switch name {
		case "no-negative-balance":
			d.funds = amount{base: -1}
		case "escrow-covers-claims":
			d.funds.add(amountOfBase(w.chain.ledger.Balance(w.chain.escrow, d.denom) + 1))
		case "lease-links":
			d.lease = -1
		default:
			l.rate = d.maxRate + 1
		}
	case "bid-deposits":
		w.esc.bidDeposit++
	case "capacity-not-oversold":
		w.prov.p[w.prov.active[0]].free[agents.ResCPU]--
	case "cpu-only-share":
		w.prov.p[w.prov.active[0]].cpuOnly[0]++
	case "utilization-in-range":
		w.leases.alloc[agents.ResCPU]++
	case "cohort-totals":
		w.prov.cohorts[0].cpus++
	case "prices-finite":
		w.chain.priceUSD[tokenomics.AKT] = math.NaN()
	case "bonded-within-supply":
		w.chain.ledger.Transfer(w.chain.holders, w.chain.unbonding, tokenomics.AKT, 1)
	case "inflation-within-bounds":
		if w.chain.mint.Model == tokenomics.MintModelNone {
			return false
		}
		w.chain.inflation = w.chain.mint.InflationMax + 0.01
	case "caps-respected":
		c := &w.cfg.Providers[0]
		if c.MaxProviders == 0 {
			return false
		}
		w.prov.cohorts[0].count = max(c.MaxProviders, c.Count) + 1
	case "open-order-book":
		// a leased deployment listed as waiting in the book
		a, ok := w.clr.(*auctionClearing)
		if !ok || lid < 0 {
			return false
		}
		if a.book == nil {
			a.book = newOpenBook(w.nres)
		}
		d := &w.deps.d[w.leases.l[lid].dep]
		r, _ := class(&d.spec.Request)
		a.book.q[r].e = append(a.book.q[r].e, bookEntry{id: w.leases.l[lid].dep, gen: d.gen})
		a.book.q[r].live++
	case "time-monotone":
		w.prevNow = w.now + 1
	case "no-event-in-past":
		if w.now == 0 {
			return false
		}
		w.q.Schedule(Event{At: w.now - 1, Phase: PhaseSample, Kind: evView})
	default:
		return false
	}
	return true
}

// GPUNode reports whether provider id lists at least one GPU.
func (w *World) GPUNode(id int32) bool { return w.prov.p[id].prof.HasGPU() }

// SetBidTrace makes w call f for every bid it counts in the per-cohort
// bid statistics (bidstats.go), before it is counted in the sample.
func (w *World) SetBidTrace(f func(pid int32, priceUSD, costUSD float64, won bool)) {
	w.stats.traceBid = f
}

// ProviderCohort returns provider pid's cohort index.
func (w *World) ProviderCohort(pid int32) int { return w.prov.p[pid].prof.Cohort }

// MiscountCohortEntry adds an entry to the first provider cohort's count
// and none to providers_entered_total.
func (w *World) MiscountCohortEntry() { w.prov.cohorts[0].entered++ }

// SeqNearOverflow sets the queue's sequence so that the left+1-th event
// scheduled from now on makes it renumber its entries.
func (q *Queue) SeqNearOverflow(left uint64) { q.seq = 1<<seqBits - 1 - left }

// GPUHoursBothWays returns the GPU-hours per provider cohort of an epoch
// of hours that ends now, as the epoch takes them (counted: from the
// cohorts' GPU counts) and summed over the active providers.
func (w *World) GPUHoursBothWays(hours float64) (got []float64, counted bool, summed []float64) {
	gh, counted := w.chain.gpuHours(w, hours)
	got = slices.Clone(gh)
	w.chain.sumGPUHours = true
	defer func() { w.chain.sumGPUHours = false }()
	gh, _ = w.chain.gpuHours(w, hours)
	return got, counted, slices.Clone(gh)
}
