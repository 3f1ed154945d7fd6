package sim

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
)

// WorldEstimate is what one replication of a configuration is expected to
// hold and do, estimated from the configuration alone before it runs
// (EstimateWorld): how many providers and deployments its world holds at
// its peak, the bytes they take, and the events it processes. The figures
// are expectations, not bounds; docs/limits.md says how they were
// calibrated against measured runs.
type WorldEstimate struct {
	// Providers is the number of providers the world holds by the end:
	// the cohorts' counts plus the expected entries (a provider that
	// leaves keeps its slot).
	Providers float64
	// Deployments is the peak number of deployments held at once:
	// leases running (demand times lifetime, scaled down where the
	// providers' capacity cannot hold them) plus orders waiting (the
	// selection window, and the patience of orders capacity turns away).
	Deployments float64
	// BidsPerOrder is the number of bids an order keeps while it
	// collects them (the mechanism's bid or candidate limit; 0 on the
	// ask-index fast path). Its bids are released when it clears: a
	// lease holds none.
	BidsPerOrder int
	// Bytes is what the world's tables and records hold at its peak,
	// counted by their lengths (what a run touches), in bytes; the
	// process's resident memory for it is a multiple of that
	// (runner's worldFactor, docs/limits.md).
	Bytes float64
	// Samples is the number of samples the replication records.
	Samples int64
	// Events is the expected number of events processed.
	Events float64
	// Drivers lists what the bytes and events come from, largest first
	// by bytes.
	Drivers []Driver
}

// Driver is one scenario key's share of an estimate.
type Driver struct {
	// Key is the scenario key path and its value, e.g.
	// "providers[0].count = 10000000".
	Key string
	// Bytes is the part of a replication's peak live heap the key drives.
	Bytes float64
}

// Calibration constants of EstimateWorld, in bytes: what a world's
// tables and records hold at their peak, counted by their lengths (what
// a run touches), not by their capacities. docs/limits.md says how they
// were measured: every table and record of a world, walked at intervals
// through runs of R1 scaled to 64k providers (leases without bids),
// akash-2024 with providers and demand x100 (leases after bids of up to
// 20 providers, 7 resources) and at 1e7 arrivals a day (orders waiting).
const (
	// providerOverhead is what a provider holds besides its struct: its
	// profile and strategy, its hot and cost records, its income periods,
	// its leases list, its ledger accounts and its ask-index entries.
	providerOverhead = 190
	// providerPerResource is a provider's cost per resource of the
	// catalog: free capacity, asks and costs.
	providerPerResource = 26
	// deploymentOverhead is what a deployment holds besides its struct
	// and its lease's: its scheduled events (queue slots, heap and lane
	// entries), its place in the active lists, its price beside them and
	// the median price sets' entries.
	deploymentOverhead = 110
	// waitingOverhead is what an order turned away by full capacity
	// holds besides its deployment's struct while it waits its patience
	// (its retry and abandonment events; no bids, no lease). It is set
	// below the 66 bytes counted by length at 1e7 arrivals a day, to fit
	// that run's measured peak RSS (1.11x the estimate with 30, 1.27x
	// with 70): the queue's lane buffers counted there are reused.
	waitingOverhead = 30
	// bidBytes is the size of a bid an order keeps while it collects
	// bids (market.Bid).
	bidBytes = int(unsafe.Sizeof(market.Bid{}))
)

// EstimateWorld estimates one replication of cfg: its world's peak
// memory, its events and its samples. It is a pure function of cfg.
//
// The demand of tenant cohort i is rate_i x E[min(lifetime_i, run)]
// deployments at once (Little's law, the rate at its highest: after the
// growth over the run), where run is the warmup plus the horizon; where
// the providers' units of a resource cannot hold the demand for it, the
// leases are scaled down to fit and the orders turned away wait their
// patience. The orders in their selection window (rate_i x the window)
// keep up to BidsPerOrder bids each, and the one order cleared at a time
// keeps them without a window; a lease keeps none. Demand steps
// and a price response count at the bounding rate of the arrivals'
// thinning (the largest step's multiplier, at least 1, times
// demand_multiplier_max when the demand reacts to price), the most the
// arrivals can be.
func EstimateWorld(cfg *Config) WorldEstimate {
	var e WorldEstimate
	runDays := float64(cfg.Sim.Warmup.T()+cfg.Sim.Horizon.T()) / float64(Day)
	runHours := runDays * 24
	if se := cfg.Sim.SampleEvery.T(); se > 0 {
		e.Samples = int64(cfg.Sim.Horizon.T()/se) + 1
	}
	nres := cfg.Catalog.NumResources()

	// providers, and the units of each resource they list
	units := make([]float64, nres)
	provBytes := float64(unsafe.Sizeof(provider{})) + providerOverhead + float64(providerPerResource*nres)
	var withdrawals, reviews float64 // provider events per run
	for i := range cfg.Providers {
		c := &cfg.Providers[i]
		n := float64(c.Count) + c.EntriesPerDay*runDays
		e.Providers += n
		units[agents.ResCPU] += n * float64(c.CPUCores)
		units[agents.ResMemory] += n * float64(c.MemoryGB)
		for m, k := range c.GPUs {
			if r, ok := cfg.Catalog.Index(m); ok {
				units[r] += n * float64(k)
			}
		}
		if d := float64(c.WithdrawEvery.T()) / float64(Day); d > 0 {
			withdrawals += n * runDays / d
		}
		if d := float64(c.ReviewEvery.T()) / float64(Day); d > 0 {
			reviews += n * runDays / d
		}
		e.Drivers = append(e.Drivers, Driver{
			Key:   fmt.Sprintf("providers[%d].count = %d", i, c.Count),
			Bytes: float64(c.Count) * provBytes,
		})
		if c.EntriesPerDay > 0 {
			e.Drivers = append(e.Drivers, Driver{
				Key:   fmt.Sprintf("providers[%d].entries_per_day = %g", i, c.EntriesPerDay),
				Bytes: c.EntriesPerDay * runDays * provBytes,
			})
		}
	}

	e.BidsPerOrder = bidsPerOrder(cfg.Mechanism, e.Providers)
	depBytes := float64(unsafe.Sizeof(deployment{})+unsafe.Sizeof(lease{})) + deploymentOverhead
	orderBids := float64(bidBytes * e.BidsPerOrder) // an order's bids while it collects them
	waitBytes := float64(unsafe.Sizeof(deployment{})) + waitingOverhead

	// each cohort's demand: leases wanted at once, and units wanted
	type demand struct {
		rate    float64 // arrivals per hour at the highest
		leases  float64 // deployments wanted at once
		life    float64 // E[min(lifetime, run)], hours
		arrived float64 // arrivals over the run
	}
	dem := make([]demand, len(cfg.Tenants))
	want := make([]float64, nres)
	for i := range cfg.Tenants {
		t := &cfg.Tenants[i]
		d := &dem[i]
		years := runDays / 365
		if t.ArrivalsUntil > 0 {
			years = min(years, float64(cfg.Sim.Warmup.T()+Time(t.ArrivalsUntil))/float64(Year))
		}
		g := math.Log1p(t.GrowthPerYear)
		peak := math.Exp(max(g, 0) * years) // the rate's highest multiple
		// demand steps and a price response multiply the rate by at most
		// their largest multiplier and demand_multiplier_max: the bounding
		// rate of the arrivals' thinning
		bound := t.ElasticBound()
		for _, m := range t.DemandSteps {
			bound = max(bound, m*t.ElasticBound())
		}
		d.rate = t.ArrivalsPerDay / 24 * peak * bound
		if g != 0 {
			d.arrived = t.ArrivalsPerDay * 365 * math.Expm1(g*years) / g * bound
		} else {
			d.arrived = t.ArrivalsPerDay * 365 * years * bound
		}
		d.life = t.LifetimeHours.MeanCapped(runHours)
		d.leases = d.rate * d.life
		for r, u := range requestUnits(t, cfg.Catalog) {
			want[r] += d.leases * u
		}
	}
	var deps, depEvents, bytes float64
	bidding := 1.0 // orders holding bids at once: the one being cleared, or those in their window
	for i := range cfg.Tenants {
		t := &cfg.Tenants[i]
		d := &dem[i]
		served := 1.0 // the share of the demand capacity can hold
		for r, u := range requestUnits(t, cfg.Catalog) {
			if u > 0 && want[r] > units[r] {
				served = min(served, units[r]/want[r])
			}
		}
		window := d.rate * float64(t.SelectionWindow.T()) / float64(Hour)
		n := served*d.leases + window
		waiting := d.rate * (1 - served) * float64(t.Patience.T()) / float64(Hour)
		deps += n + waiting
		bytes += n*depBytes + waiting*waitBytes
		bidding += window
		retries := 0.0
		if t.RetryEvery > 0 {
			retries = (1 - served) * float64(t.Patience.T()) / float64(t.RetryEvery.T())
		}
		// arrival, posting, selection, lease start and end, top-ups
		depEvents += d.arrived * (3 + retries + served*d.life/24)
		e.Drivers = append(e.Drivers, Driver{
			Key:   fmt.Sprintf("tenants[%d].arrivals_per_day = %g", i, t.ArrivalsPerDay),
			Bytes: n*depBytes + waiting*waitBytes + window*orderBids,
		})
	}
	e.Deployments = deps
	e.Bytes = e.Providers*provBytes + bytes + bidding*orderBids
	epochs := 0.0
	if ep := cfg.Tokenomics.Epoch.T(); ep > 0 {
		epochs = float64(cfg.Sim.Warmup.T()+cfg.Sim.Horizon.T()) / float64(ep)
	}
	e.Events = depEvents + withdrawals + reviews + epochs + float64(e.Samples)
	sortDrivers(e.Drivers)
	return e
}

// bidsPerOrder returns the bids a deployment's order keeps under mech
// among n providers: the mechanism's limit (market.Windowed), every
// provider when it has none, and none when it clears at the cheapest ask
// without collecting bids.
func bidsPerOrder(mech market.Mechanism, n float64) int {
	if c, ok := mech.(market.CheapestAsk); ok && c.ClearsAtCheapestAsk() {
		return 0
	}
	limit := n
	if wm, ok := mech.(market.Windowed); ok && wm.MaxBids() > 0 {
		limit = min(limit, float64(wm.MaxBids()))
	}
	return int(min(limit, 1<<30))
}

// requestUnits returns a tenant cohort's mean units per deployment of
// each resource of cat.
func requestUnits(t *agents.TenantCohort, cat *agents.Catalog) []float64 {
	u := make([]float64, cat.NumResources())
	u[agents.ResCPU] = max(t.CPUCores.MeanValue(), 0)
	u[agents.ResMemory] = max(t.MemoryGB.MeanValue(), 0)
	total := 0.0
	for _, w := range t.GPUModels {
		total += w
	}
	if total > 0 {
		gpus := max(t.GPUs.MeanValue(), 1)
		for m, w := range t.GPUModels {
			if r, ok := cat.Index(m); ok {
				u[r] += gpus * w / total
			}
		}
	}
	return u
}

// sortDrivers sorts ds by bytes, largest first (stable: equal shares
// keep the scenario's order).
func sortDrivers(ds []Driver) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].Bytes > ds[j-1].Bytes; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}
