package sim

import (
	"math/rand/v2"

	"github.com/depinsim/depinsim/agents"
)

// World is the state of one replication, advanced by the event loop
// (events.go). It holds one value per concern, each with its own file and
// methods: the providers and their capacity, the deployments and their
// orders, the leases, the escrow module, the token chain, the clearing
// driver of the mechanism, the market view of adaptive strategies and the
// statistics the samples report. Only World's methods change it.
type World struct {
	cfg     *Config
	cat     *agents.Catalog
	nres    int
	rep     int
	seed    uint64
	rec     Recorder
	streams Streams

	// the event loop (events.go)
	q               Queue
	now, prevNow    Time // the current time; the time of the event before (invariant time-monotone)
	origin, horizon Time // the scenario start (the end of the warmup) and end
	events          uint64
	err             error // what stopped the run early
	lanes           lanes

	prov     providerSet     // providers and capacity (providers.go)
	tenants  []tenantCohort  // tenant cohorts' run state (orders.go)
	deps     deploymentTable // deployments and their orders (orders.go)
	leases   leaseTable      // leases (leases.go)
	esc      escrowModule    // deposits (escrow.go)
	chain    chain           // the token layer (chain.go, incentives.go, governance.go)
	mkt      marketSide      // the mechanism and the market's random stream (clearing.go)
	clr      clearing        // the clearing driver (auction.go, platform.go, batch.go, verified.go)
	view     marketView      // what adaptive strategies see (view.go)
	price    priceIndex      // what tenants' price response sees (demandprice.go)
	stats    stats           // counters and sample buffers (sample.go)
	rngLease *rand.Rand      // the "leases" stream: providers closing leases
}

// NewWorld builds replication rep with the given seed from cfg.
func NewWorld(cfg *Config, rep int, seed uint64, rec Recorder) *World {
	w := &World{cfg: cfg, cat: cfg.Catalog, nres: cfg.Catalog.NumResources(), rep: rep, seed: seed, rec: rec}
	w.origin = cfg.Sim.Warmup.T()
	w.horizon = w.origin + cfg.Sim.Horizon.T()
	w.streams = NewStreams(seed)
	w.rngLease = w.streams.Stream("leases")
	w.lanes = newLanes(&w.q, len(cfg.Tenants), len(cfg.Providers))
	w.prov = newProviderSet(cfg, w.streams)
	w.leases.alloc = make([]int64, w.nres)
	w.stats = newStats(cfg, rep)
	w.esc = newEscrowModule(&cfg.Tokenomics)
	w.presize(EstimateWorld(cfg))
	w.mkt = newMarketSide(cfg.Mechanism, w.streams)

	w.chain.openBank(&cfg.Tokenomics)
	w.tenants = make([]tenantCohort, len(cfg.Tenants))
	elastic := false // some cohort's demand reacts to price
	for i := range cfg.Tenants {
		c := &cfg.Tenants[i]
		tc := &w.tenants[i]
		tc.rngArrivals = w.streams.Stream("tenants/" + c.Name + "/arrivals")
		tc.rngDemand = w.streams.Stream("tenants/" + c.Name + "/demand")
		tc.rngBehave = w.streams.Stream("tenants/" + c.Name + "/behaviour")
		tc.demand = c.Demand(w.cat)
		tc.wallet = w.chain.ledger.Open("tenants/" + c.Name)
		s, err := c.NewSelector()
		if err != nil {
			panic("sim: " + err.Error())
		}
		tc.selector = s
		if tc.steps, err = c.Steps(cfg.Sim.Start); err != nil {
			panic("sim: tenants " + c.Name + ": " + err.Error()) // scenarios validates them
		}
		if c.PriceElasticity > 0 {
			tc.rngPrice = w.streams.Stream("tenants/" + c.Name + "/price-response")
			tc.respRes, tc.respShare = tc.demand.Models()
			elastic = true
		}
	}
	w.price = newPriceIndex(w.nres, elastic)
	w.initChain()
	w.view = newMarketView(w.nres, !w.prov.staticAsks)
	if w.view.on {
		w.at(viewEvery, evView, 0, 0)
	}
	w.clr = newClearing(w, cfg.Mechanism)

	// initial events: providers present at the start enter now (phase
	// arrival at their EnterAt), then arrivals, entries and samples.
	for ci, c := range cfg.Providers {
		enter := Time(0) // cohorts present at the start are there during the warmup
		if c.EnterAt.T() > 0 {
			enter = w.origin + c.EnterAt.T()
		}
		w.at(enter, evCohortEnter, int32(ci), 0)
		if c.EntriesPerDay > 0 {
			// candidates come from the cohort's arrival on: before it the
			// cohort does not exist (an entry then, and the initial
			// providers after it, would pass max_providers)
			w.at(w.nextEntry(ci, enter), evProviderCandidate, int32(ci), 0)
		}
	}
	for ti := range cfg.Tenants {
		w.at(w.nextArrival(ti), evArrival, int32(ti), 0)
	}
	if w.origin > 0 {
		w.at(w.origin, evWarmupEnd, 0, 0)
	}
	w.atLane(laneSample, w.origin, evSample, 0, 0)
	return w
}

// presize gives the world's growing tables the capacity its expected peak
// calls for (WorldEstimate): the providers (their records, hot records
// and cost records); and, per deployment, its record, its lease's, the
// lease's median entries and an event's queue storage (tableCap). A table sized once does not grow by copying, which
// leaves each old array behind as garbage and, after append's last
// growth, up to a quarter of the new one unused: at large scales that
// garbage made the peak resident memory about twice the live heap. The
// part of a table a run never uses is never touched: it costs address
// space, not resident memory. A run that outgrows a table grows it as
// append does.
func (w *World) presize(e WorldEstimate) {
	n := tableCap(e.Deployments)
	w.deps.d = make([]deployment, 0, n)
	w.leases.l = make([]lease, 0, n)
	w.stats.med[0].tab.v = make([]medVal, 0, n*medSlots) // the sets share one table
	w.q.reserve(n)
	np := tableCap(e.Providers)
	w.prov.p = make([]provider, 0, np)
	w.prov.hot = make([]provHot, 0, np)
	w.prov.gfree = make([]uint8, 0, np)
	w.prov.costs = make([]provCost, 0, np)
}

// tableCap returns the capacity of a table expected to hold peak entries
// at most at once: a quarter more than the estimate (an expectation, not
// a bound), at most maxTableCap.
func tableCap(peak float64) int {
	if !(peak > 0) {
		return 0
	}
	return int(min(peak*1.25+64, maxTableCap))
}

// maxTableCap bounds tableCap: larger worlds' tables start at this size
// and grow from it.
const maxTableCap = 1 << 22

// Presized reports whether a world of this estimate sizes its tables once
// for its expected peak (presize): false when the providers or the
// deployments expected at once are more than a table presize makes
// holds, so that those tables start at maxTableCap and grow by copying
// (the memory estimate counts such a world at twice its factor,
// docs/limits.md).
func (e WorldEstimate) Presized() bool {
	return max(e.Providers, e.Deployments)*1.25+64 <= maxTableCap
}
