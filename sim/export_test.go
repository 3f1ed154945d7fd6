package sim

import (
	"fmt"

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
	// Balance is accrued and not withdrawn (rate units).
	Balance int64
	// SettledHeight is the escrow's last settled block height.
	SettledHeight int64
	// Funds is the escrow's balance (rate units).
	Funds int64
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
	for lid := range w.leases {
		l := &w.leases[lid]
		if !l.active {
			continue
		}
		d := &w.deps[l.dep]
		out = append(out, LeaseView{Lease: int32(lid), Dep: l.dep, Provider: l.prov, Rate: l.rate, MaxRate: d.maxRate,
			Balance: l.balance, SettledHeight: d.settledH, Funds: d.funds, Denom: d.denom, Request: d.spec.Request,
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
func (w *World) Height(t Time) int64 { return w.height(t) }

// IndexBuilt reports whether the ask index of resource r was ever built
// (the fast clearing path ran for it).
func (w *World) IndexBuilt(r int) bool { return w.indexes[r] != nil }

// StructuralCheck checks bookkeeping that CheckInvariants does not: the
// bid escrow holds exactly one deposit per open bid and per active lease;
// every active lease sits on an active provider and is linked from its
// deployment, its provider and the active list; the capacity and
// allocation totals equal the sums they cache, as do the per-cohort
// counts behind Sample.Cohorts (providers, listed GPUs and CPUs, leased
// GPUs); free deployments hold no bids and no funds.
func (w *World) StructuralCheck() (bool, string) {
	deposits := int64(0)
	for i := range w.deps {
		d := &w.deps[i]
		switch d.state {
		case depFree:
			if len(d.bids) != 0 || d.funds != 0 {
				return false, fmt.Sprintf("free deployment %d holds %d bids and %d funds", i, len(d.bids), d.funds)
			}
			continue
		case depLeased:
			if d.lease < 0 || !w.leases[d.lease].active || w.leases[d.lease].dep != int32(i) {
				return false, fmt.Sprintf("leased deployment %d points at lease %d", i, d.lease)
			}
		default:
			if d.lease != -1 {
				return false, fmt.Sprintf("deployment %d in state %d has lease %d", i, d.state, d.lease)
			}
		}
		deposits += int64(len(d.bids))
	}
	alloc := make([]int64, w.nres)
	nActive := 0
	for lid := range w.leases {
		l := &w.leases[lid]
		if !l.active {
			continue
		}
		nActive++
		if l.deposit {
			deposits++
		}
		if !w.providers[l.prov].active {
			return false, fmt.Sprintf("lease %d is on provider %d, which has left", lid, l.prov)
		}
		if w.deps[l.dep].lease != int32(lid) {
			return false, fmt.Sprintf("lease %d: its deployment %d points at lease %d", lid, l.dep, w.deps[l.dep].lease)
		}
		if w.activeLeases[l.posAct] != int32(lid) || w.providers[l.prov].leases[l.posProv] != int32(lid) {
			return false, fmt.Sprintf("lease %d: broken list positions", lid)
		}
		addUse(alloc, &w.deps[l.dep].spec.Request)
	}
	if nActive != len(w.activeLeases) {
		return false, fmt.Sprintf("%d active leases, active list holds %d", nActive, len(w.activeLeases))
	}
	if have, want := w.ledger.Balance(w.bidEscrow, tokenomics.AKT), deposits*w.bidDeposit; have != want {
		return false, fmt.Sprintf("bid escrow holds %d uakt, want %d deposits x %d = %d", have, deposits, w.bidDeposit, want)
	}
	capTotal := make([]int64, w.nres)
	for _, id := range w.active {
		if !w.providers[id].active {
			return false, fmt.Sprintf("provider %d in the active list has left", id)
		}
		for r, k := range w.providers[id].prof.Capacity {
			capTotal[r] += int64(k)
		}
	}
	for r := 0; r < w.nres; r++ {
		if capTotal[r] != w.capTotal[r] || alloc[r] != w.allocTotal[r] {
			return false, fmt.Sprintf("%s: capacity %d (cached %d), allocated %d (cached %d)", w.cat.Key(r), capTotal[r], w.capTotal[r], alloc[r], w.allocTotal[r])
		}
	}
	// the cohorts' counts, recounted from their providers and leases
	counts := make([]int, len(w.cfg.Providers))
	totals := make([]cohortTotal, len(w.cfg.Providers))
	for i := range w.providers {
		p := &w.providers[i]
		if !p.active {
			continue
		}
		ct := &totals[p.prof.Cohort]
		counts[p.prof.Cohort]++
		ct.cpus += int64(p.prof.Capacity[agents.ResCPU])
		for r := agents.ResGPU0; r < w.nres; r++ {
			ct.gpus += int64(p.prof.Capacity[r])
		}
		for _, lid := range p.leases {
			ct.gpusLeased += int64(w.deps[w.leases[lid].dep].spec.Request.GPUs)
		}
	}
	for ci := range totals {
		have, want := w.cohortTotals[ci], totals[ci]
		have.incomeUSD = 0
		if have != want || counts[ci] != w.cohortCount[ci] {
			return false, fmt.Sprintf("cohort %s: cached %d providers %+v, counted %d %+v", w.cfg.Providers[ci].Name, w.cohortCount[ci], have, counts[ci], want)
		}
	}
	return true, ""
}
