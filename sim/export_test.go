package sim

import (
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
