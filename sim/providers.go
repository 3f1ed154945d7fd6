package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// provider is one provider agent in the market (or gone from it).
type provider struct {
	prof    agents.Profile
	fake    bool // listed capacity that never serves a lease
	strat   agents.Strategy
	obs     agents.OutcomeObserver // strat, when it learns from what it is paid; else nil
	active  bool
	free    []int32 // capacity minus leases minus open-bid reservations
	acct    tokenomics.Account
	leases  []int32 // active lease ids
	entered Time
	// income bookkeeping (USD at the token price of each payment)
	incomeUSD       float64
	incomeAtReview  float64
	periodIncome    []float64 // income of the last review periods (ring)
	reviews         int
	withdrawH       Handle
	reviewH         Handle
	activeListIndex int32
	lastWon         int64 // allocation sequence of its last lease (market.Bid.LastWon)
	stake           int64 // device stake locked while listed (base units)
	// CPU-only work on a GPU node (agents.ProviderCohort.CPUOnlyShare):
	// the CPU cores and GB of memory CPU-only leases and open bids hold
	// (cpuOnly[0], cpuOnly[1]), and at most how much of each they may
	// hold. limitCPUOnly is false when the limits are the capacity (no
	// reservation, or no GPU): nothing more than free units to check.
	cpuOnly      [2]int32
	cpuOnlyLimit [2]int32
	limitCPUOnly bool
}

// fits reports whether request q fits on p now: in its free units and,
// for a CPU-only request on a GPU node that reserves cores and memory for
// GPU work, within the share CPU-only work may hold.
func (p *provider) fits(q *agents.Request) bool {
	if !fits(p.free, q) {
		return false
	}
	if q.GPUs > 0 || !p.limitCPUOnly {
		return true
	}
	return p.cpuOnly[0]+q.CPU <= p.cpuOnlyLimit[0] && p.cpuOnly[1]+q.MemoryGB <= p.cpuOnlyLimit[1]
}

// cpuOnlyFree returns the units of resource r (agents.ResCPU or
// agents.ResMemory) a CPU-only request can still take on p: its free
// units, less what is reserved for GPU work on a GPU node.
func (p *provider) cpuOnlyFree(r int) int32 {
	if !p.limitCPUOnly {
		return p.free[r]
	}
	return min(p.free[r], p.cpuOnlyLimit[r-agents.ResCPU]-p.cpuOnly[r-agents.ResCPU])
}

// askFree is what the ask index of resource r books for p: the ask
// indexes of CPU and memory serve only CPU-only requests (an index serves
// requests for one resource), so on a GPU node they book what CPU-only
// work can still take.
func (p *provider) askFree(r int) int32 {
	if r == agents.ResCPU || r == agents.ResMemory {
		return p.cpuOnlyFree(r)
	}
	return p.free[r]
}

// cohortTotal is what a provider cohort's CohortSample reports, kept up
// to date as providers enter and leave, leases start and close and
// income is paid.
type cohortTotal struct {
	gpus, gpusLeased, cpus int64   // listed by active providers; GPUs in active leases
	incomeUSD              float64 // since the start (reset at the end of the warmup)
}

// providerCohort is the run state of one provider cohort.
type providerCohort struct {
	cohortTotal
	count                    int   // providers in the market
	entered, exited          int64 // since the start (reset at the end of the warmup), like providers_entered_total and _exited_total
	rngProfiles              *rand.Rand
	rngEntry, rngExit        *rand.Rand
	tokenIncomePerGPUHourUSD float64                // over the last epoch: what entrants expect of emissions, subsidies and airdrops
	newStrat                 func() agents.Strategy // makes a provider's strategy (agents.ProviderCohort.StrategyMaker)
}

// providerSet holds the providers and their capacity: who is in the
// market, what each has free, the capacity listed per resource, the ask
// indexes of the auction's fast path and the cohorts' totals.
type providerSet struct {
	cat        *agents.Catalog
	p          []provider // by id, every provider that ever entered
	active     []int32    // active providers (swap-removed: World.sortedActive gives them in id order)
	byResource [][]int32  // active real providers with capacity in resource r (GPU models, CPU)
	maxUnits   []int32    // the largest capacity of resource r any provider has listed
	capTotal   []int64    // capacity listed by active providers, by resource
	indexes    []*market.AskIndex
	indexOK    []bool
	indexed    bool // some ask index was built: capacity changes update it
	cohorts    []providerCohort
	staticAsks bool // every provider's strategy quotes fixed asks
	sortBuf    []int32
	hot        []provHot  // by id: what collectBids tests of every provider it visits
	gfree      []uint8    // by id: gpuFree, what a scan of a long list tests first (collectBids, scanTracked)
	costs      []provCost // by id: what a bid's statistics read (countBid)
}

// provCost is a provider's cohort and costs, copied from its profile
// (fixed for its life) into a dense array: counting a bid reads them for
// every bid of an order, and the provider's record and its cost slice
// are two memory accesses, often far apart, where this is one.
type provCost struct {
	cpu, mem, gpu float64 // Cost[agents.ResCPU], Cost[agents.ResMemory], Cost[model]
	cohort        int32
	model         int16 // as in provHot: its only GPU model, hotNoGPU or hotGPUs
}

// cost returns q.Price(p.prof.Cost) of provider id (the same expression,
// so the same rounding) and its cohort.
func (ps *providerSet) cost(id int32, q *agents.Request) (float64, int32) {
	c := &ps.costs[id]
	u := float64(q.CPU)*c.cpu + float64(q.MemoryGB)*c.mem
	if q.GPUs > 0 {
		if int(c.model) != q.GPUModel { // several models (or none: a zero price there too)
			return q.Price(ps.p[id].prof.Cost), c.cohort
		}
		u += float64(q.GPUs) * c.gpu
	}
	return u, c.cohort
}

// provHot is the part of a provider that bid collection reads for every
// provider it visits, kept in step with the provider by syncHot: one
// small record in a dense array instead of the provider, its free-units
// slice, its asks and its strategy, so that testing a provider costs one
// memory access instead of several.
type provHot struct {
	cpu, mem   int32              // free CPU cores and GB of memory (free)
	ocpu, omem int32              // what a CPU-only request may take of them (cpuOnlyFree)
	gpu        int32              // free units of GPU model model
	acct       tokenomics.Account // the provider's wallet (bid deposits)
	model      int16              // its only GPU model; hotNoGPU, or hotGPUs for several
	flags      uint8              // hotFake, hotAudited, hotStatic
	askCPU     float64            // Ask[agents.ResCPU], Ask[agents.ResMemory], Ask[model]
	askMem     float64
	askGPU     float64
}

// provHot.model for a provider with no GPU, or with several models.
const (
	hotNoGPU = -1
	hotGPUs  = -2
)

// provHot.flags.
const (
	hotFake    = 1 << iota // p.fake
	hotAudited             // p.prof.Audited
	hotStatic              // p.strat.StaticAsks(): the quote is req.Price(p.prof.Ask)
)

// initHot records provider id's fixed figures in its hot record and
// syncs the rest.
func (ps *providerSet) initHot(id int32) {
	for int(id) >= len(ps.hot) {
		ps.hot = append(ps.hot, provHot{})
	}
	for int(id) >= len(ps.gfree) {
		ps.gfree = append(ps.gfree, 0)
	}
	p := &ps.p[id]
	h := &ps.hot[id]
	*h = provHot{acct: p.acct, model: hotNoGPU}
	for r := agents.ResGPU0; r < len(p.prof.Capacity); r++ {
		if p.prof.Capacity[r] > 0 {
			if h.model != hotNoGPU {
				h.model = hotGPUs
				break
			}
			h.model = int16(r)
		}
	}
	if p.fake {
		h.flags |= hotFake
	}
	if p.prof.Audited {
		h.flags |= hotAudited
	}
	for int(id) >= len(ps.costs) {
		ps.costs = append(ps.costs, provCost{})
	}
	c := &ps.costs[id]
	*c = provCost{cpu: p.prof.Cost[agents.ResCPU], mem: p.prof.Cost[agents.ResMemory], cohort: int32(p.prof.Cohort), model: h.model}
	if h.model >= 0 {
		c.gpu = p.prof.Cost[h.model]
	}
	if p.strat != nil && p.strat.StaticAsks() {
		h.flags |= hotStatic
		h.askCPU, h.askMem = p.prof.Ask[agents.ResCPU], p.prof.Ask[agents.ResMemory]
		if h.model >= 0 {
			h.askGPU = p.prof.Ask[h.model]
		}
	}
	ps.syncHot(id)
}

// syncHot copies provider id's free units into its hot record.
func (ps *providerSet) syncHot(id int32) {
	p := &ps.p[id]
	h := &ps.hot[id]
	h.cpu, h.mem = p.free[agents.ResCPU], p.free[agents.ResMemory]
	h.ocpu, h.omem = p.cpuOnlyFree(agents.ResCPU), p.cpuOnlyFree(agents.ResMemory)
	if h.model >= 0 {
		h.gpu = p.free[h.model]
	}
	ps.gfree[id] = h.gpuFree()
}

// gpuFree is a byte below 255 that bounds what the provider can hold:
// a GPU request of more units does not fit it (hotFits is false) or it
// never responds. It is the free units of the provider's only model (up
// to 254), 0 when it has no GPU or is fake, and 255 (no bound) when it
// has several models or 255 free units or more. A scan of a long list
// reads it, 1 byte a provider, before the 56-byte hot record.
func (h *provHot) gpuFree() uint8 {
	switch {
	case h.flags&hotFake != 0 || h.model == hotNoGPU:
		return 0
	case h.model == hotGPUs || h.gpu >= 255:
		return 255
	}
	return uint8(max(h.gpu, 0))
}

// hotFits is p.fits(q) for provider id read from its hot record.
func (ps *providerSet) hotFits(id int32, h *provHot, q *agents.Request) bool {
	if q.GPUs == 0 {
		return h.ocpu >= q.CPU && h.omem >= q.MemoryGB
	}
	if h.cpu < q.CPU || h.mem < q.MemoryGB {
		return false
	}
	switch int(h.model) {
	case q.GPUModel:
		return h.gpu >= q.GPUs
	case hotGPUs:
		return ps.p[id].free[q.GPUModel] >= q.GPUs
	}
	return false // no GPU of the model
}

// hotQuote returns provider id's quote for q in USD per hour: req.Price
// of its asks, computed from its hot record, when its strategy quotes
// its asks (hotStatic); else its strategy's quote given view v.
func (ps *providerSet) hotQuote(id int32, h *provHot, q *agents.Request, v *agents.MarketView) float64 {
	if h.flags&hotStatic != 0 && (q.GPUs == 0 || int(h.model) == q.GPUModel) {
		// the expression of agents.Request.Price, so the same rounding
		u := float64(q.CPU)*h.askCPU + float64(q.MemoryGB)*h.askMem
		if q.GPUs > 0 {
			u += float64(q.GPUs) * h.askGPU
		}
		return u
	}
	p := &ps.p[id]
	return p.strat.Quote(&p.prof, q, v)
}

func newProviderSet(cfg *Config, st Streams) providerSet {
	nres := cfg.Catalog.NumResources()
	ps := providerSet{
		cat:        cfg.Catalog,
		byResource: make([][]int32, nres),
		maxUnits:   make([]int32, nres),
		capTotal:   make([]int64, nres),
		indexes:    make([]*market.AskIndex, nres),
		indexOK:    make([]bool, nres),
		cohorts:    make([]providerCohort, len(cfg.Providers)),
		staticAsks: true,
	}
	env := strategyEnv(cfg)
	for ci, c := range cfg.Providers {
		pc := &ps.cohorts[ci]
		pc.rngProfiles = st.Stream("providers/" + c.Name + "/profiles")
		pc.rngEntry = st.Stream("providers/" + c.Name + "/entry")
		pc.rngExit = st.Stream("providers/" + c.Name + "/exit")
		mk, err := cfg.Providers[ci].StrategyMaker(cfg.Catalog, env)
		if err != nil {
			panic("sim: " + err.Error())
		}
		pc.newStrat = mk
		if s := mk(); !s.StaticAsks() {
			ps.staticAsks = false
		}
	}
	return ps
}

// strategyEnv is what the providers' strategies know of the run's market:
// whether the mechanism pays the winner its bid, and the default number of
// bidders per order.
func strategyEnv(cfg *Config) agents.StrategyEnv {
	env := agents.StrategyEnv{}
	if pb, ok := cfg.Mechanism.(market.PaysBid); ok {
		env.PaysBid = pb.PaysOwnBid()
	}
	maxBids := 0
	if wd, ok := cfg.Mechanism.(market.Windowed); ok {
		maxBids = wd.MaxBids()
	}
	env.Bidders = agents.DefaultBidders(cfg.Providers, maxBids)
	return env
}

// list adds provider id, just appended to p, to the active lists and the
// capacity totals.
func (ps *providerSet) list(id int32) {
	ps.initHot(id)
	p := &ps.p[id]
	p.activeListIndex = int32(len(ps.active))
	ps.active = append(ps.active, id)
	ct := &ps.cohorts[p.prof.Cohort]
	ct.cpus += int64(p.prof.Capacity[agents.ResCPU])
	for r, k := range p.prof.Capacity {
		ps.capTotal[r] += int64(k)
		if r >= agents.ResGPU0 {
			ct.gpus += int64(k)
		}
		if k > 0 && (r >= agents.ResGPU0 || r == agents.ResCPU) && !p.fake {
			ps.byResource[r] = append(ps.byResource[r], id)
			ps.maxUnits[r] = max(ps.maxUnits[r], k)
		}
		ps.indexOK[r] = false
	}
	ct.count++
}

// unlist takes provider id out of the active lists, the capacity totals
// and the ask indexes.
func (ps *providerSet) unlist(id int32) {
	p := &ps.p[id]
	p.active = false
	// swap-remove; order is restored by the sorted scans that need it
	i := p.activeListIndex
	last := ps.active[len(ps.active)-1]
	ps.active[i] = last
	ps.p[last].activeListIndex = i
	ps.active = ps.active[:len(ps.active)-1]
	ct := &ps.cohorts[p.prof.Cohort]
	ct.cpus -= int64(p.prof.Capacity[agents.ResCPU])
	for r, k := range p.prof.Capacity {
		ps.capTotal[r] -= int64(k)
		if r >= agents.ResGPU0 {
			ct.gpus -= int64(k)
		}
		if k > 0 && (r >= agents.ResGPU0 || r == agents.ResCPU) {
			lst := ps.byResource[r]
			for j, x := range lst {
				if x == id {
					ps.byResource[r] = append(lst[:j], lst[j+1:]...)
					break
				}
			}
		}
		if ps.indexes[r] != nil && ps.indexes[r].Contains(id) {
			ps.indexes[r].SetFree(id, -1)
		}
	}
	ct.count--
}

// setFree changes provider id's free amount of resource r by delta and
// keeps the ask index in step.
func (ps *providerSet) setFree(id int32, r int, delta int32) {
	p := &ps.p[id]
	p.free[r] += delta
	if p.free[r] < 0 {
		panic(fmt.Sprintf("sim: provider %d oversold resource %s", id, ps.cat.Key(r)))
	}
	if ix := ps.indexes[r]; ix != nil && p.active && ix.Contains(id) {
		ix.SetFree(id, p.askFree(r))
	}
}

// take reserves request q's units on provider id.
func (ps *providerSet) take(id int32, q *agents.Request) { ps.takeOrGive(id, q, -1) }

// give frees request q's units on provider id.
func (ps *providerSet) give(id int32, q *agents.Request) { ps.takeOrGive(id, q, 1) }

// takeOrGive changes provider id's free units by sign x request q's, and
// its ask indexes when any is built (the auction's fast path).
func (ps *providerSet) takeOrGive(id int32, q *agents.Request, sign int32) {
	if q.GPUs == 0 {
		// CPU-only work: counted before the ask indexes read it
		p := &ps.p[id]
		p.cpuOnly[0] -= sign * q.CPU
		p.cpuOnly[1] -= sign * q.MemoryGB
	}
	if ps.indexed {
		if q.CPU > 0 {
			ps.setFree(id, agents.ResCPU, sign*q.CPU)
		}
		if q.MemoryGB > 0 {
			ps.setFree(id, agents.ResMemory, sign*q.MemoryGB)
		}
		if q.GPUs > 0 {
			ps.setFree(id, q.GPUModel, sign*q.GPUs)
		}
		ps.syncHot(id)
		return
	}
	// the free units and the hot record written from the values at hand
	// (what syncHot would copy back)
	p := &ps.p[id]
	free := p.free
	h := &ps.hot[id]
	cpu := free[agents.ResCPU] + sign*q.CPU
	mem := free[agents.ResMemory] + sign*q.MemoryGB
	free[agents.ResCPU], free[agents.ResMemory] = cpu, mem
	h.cpu, h.mem = cpu, mem
	gpu := int32(0)
	if q.GPUs > 0 {
		gpu = free[q.GPUModel] + sign*q.GPUs
		free[q.GPUModel] = gpu
		if int(h.model) == q.GPUModel {
			h.gpu = gpu
			ps.gfree[id] = h.gpuFree()
		}
	}
	if p.limitCPUOnly {
		h.ocpu = min(cpu, p.cpuOnlyLimit[0]-p.cpuOnly[0])
		h.omem = min(mem, p.cpuOnlyLimit[1]-p.cpuOnly[1])
	} else {
		h.ocpu, h.omem = cpu, mem
	}
	if cpu < 0 || mem < 0 || gpu < 0 {
		for _, r := range [...]int{agents.ResCPU, agents.ResMemory, q.GPUModel} {
			if free[r] < 0 {
				panic(fmt.Sprintf("sim: provider %d oversold resource %s", id, ps.cat.Key(r)))
			}
		}
	}
}

// fits reports whether request q fits in the free units free.
func fits(free []int32, q *agents.Request) bool {
	return free[agents.ResCPU] >= q.CPU && free[agents.ResMemory] >= q.MemoryGB && (q.GPUs == 0 || free[q.GPUModel] >= q.GPUs)
}

// index returns the ask index of resource r over the active real
// providers, rebuilding it when providers entered since.
func (ps *providerSet) index(r int) *market.AskIndex {
	if ps.indexOK[r] {
		return ps.indexes[r]
	}
	asks := make([]market.Ask, 0, len(ps.active))
	for _, id := range ps.active {
		p := &ps.p[id]
		if p.prof.Capacity[r] > 0 && !p.fake {
			asks = append(asks, market.Ask{Provider: id, UnitAsk: p.prof.Ask[r], Audited: p.prof.Audited, Free: p.askFree(r)})
		}
	}
	ps.indexes[r] = market.NewAskIndex(len(ps.p), asks)
	ps.indexOK[r] = true
	ps.indexed = true
	return ps.indexes[r]
}

// sortedIDs returns ids sorted, in a buffer reused by the next call.
func (ps *providerSet) sortedIDs(ids []int32) []int32 {
	ps.sortBuf = append(ps.sortBuf[:0], ids...)
	slices.Sort(ps.sortBuf)
	return ps.sortBuf
}

// gpuCapacity returns the GPUs listed by active providers, all models.
func (ps *providerSet) gpuCapacity() int64 {
	var g int64
	for r := agents.ResGPU0; r < len(ps.capTotal); r++ {
		g += ps.capTotal[r]
	}
	return g
}

// credit adds usd of income to provider p and its cohort.
func (ps *providerSet) credit(p *provider, usd float64) {
	p.incomeUSD += usd
	ps.cohorts[p.prof.Cohort].incomeUSD += usd
}

// observe tells provider pid's strategy the outcome of its bid on request
// q: whether it won and, when it won, the rate it was paid in
// denomination d. A strategy that learns from the price (an
// agents.OutcomeObserver) gets it in USD per hour with q's cost at the
// provider's costs; the others get only whether they won.
func (w *World) observe(pid int32, won bool, paid market.Rate, d tokenomics.Denom, q *agents.Request) {
	p := &w.prov.p[pid]
	if p.obs == nil {
		p.strat.Observe(won)
		return
	}
	if !won {
		p.obs.ObserveOutcome(false, 0, 0)
		return
	}
	p.obs.ObserveOutcome(true, w.chain.rateUSDHour(paid, d), q.Price(p.prof.Cost))
}

// ---- entry and exit ----

// enterCohort brings a cohort's providers present at its start into the
// market.
func (w *World) enterCohort(ci int) {
	c := &w.cfg.Providers[ci]
	for i := 0; i < c.Count; i++ {
		prof := c.NewProfile(ci, w.cat, w.prov.cohorts[ci].rngProfiles)
		w.addProvider(ci, prof)
	}
}

// addProvider brings a provider of cohort ci with profile prof into the
// market: its wallet, its device stake, its capacity, its withdrawal and
// review timers.
func (w *World) addProvider(ci int, prof agents.Profile) {
	c := &w.cfg.Providers[ci]
	ch := &w.chain
	strat := w.prov.cohorts[ci].newStrat()
	id := int32(len(w.prov.p))
	if r, ok := strat.(agents.Randomized); ok {
		// its own stream, named after the provider: creating it draws
		// nothing from the other streams
		r.SetRand(w.streams.Stream(fmt.Sprintf("providers/%s/strategy/%d", c.Name, id)))
	}
	obs, _ := strat.(agents.OutcomeObserver)
	w.prov.p = append(w.prov.p, provider{prof: prof, strat: strat, obs: obs, active: true, entered: w.now})
	p := &w.prov.p[id]
	p.free = append([]int32(nil), prof.Capacity...)
	p.leases = make([]int32, 0, leaseRoom(&prof, w.nres))
	for i, r := range [...]int{agents.ResCPU, agents.ResMemory} {
		p.cpuOnlyLimit[i] = c.CPUOnlyLimit(&prof, prof.Capacity[r])
		p.limitCPUOnly = p.limitCPUOnly || p.cpuOnlyLimit[i] < prof.Capacity[r]
	}
	p.acct = ch.ledger.Open(fmt.Sprintf("provider/%d", id))
	// its wallet, bought from holders at entry: what the holders' float
	// holds when it is short (docs/model/akash.md, "When the float is
	// short"), like the device stake below
	if amt := min(tokenomics.Tokens(c.BalanceAKT), ch.ledger.Balance(ch.holders, tokenomics.AKT)); amt > 0 {
		ch.ledger.Transfer(ch.holders, p.acct, tokenomics.AKT, amt)
	}
	if c.StakePerGPU > 0 {
		gpus := 0
		for r := agents.ResGPU0; r < w.nres; r++ {
			gpus += int(prof.Capacity[r])
		}
		// bought from holders at entry (competitors.md §1.7)
		amt := min(tokenomics.Tokens(c.StakePerGPU*float64(gpus)), ch.ledger.Balance(ch.holders, tokenomics.AKT))
		if amt > 0 {
			ch.ledger.Transfer(ch.holders, ch.deviceStakes, tokenomics.AKT, amt)
			p.stake = amt
		}
	}
	p.fake = c.Kind == agents.KindFake
	w.prov.list(id)
	if w.now > 0 {
		w.stats.counters[MProvidersEnteredTotal]++
		w.prov.cohorts[ci].entered++
	}
	p.withdrawH = w.atLane(w.lanes.withdraw+ci, w.now+c.WithdrawEvery.T(), evWithdraw, id, 0)
	p.reviewH = w.atLane(w.lanes.review+ci, w.now+c.ReviewEvery.T(), evReview, id, 0)
	p.periodIncome = make([]float64, c.ReviewPeriods())
	if !p.fake {
		w.clr.capacityAdded(w, id)
	}
}

// maxLeaseRoom caps the lease list a provider is given at entry.
const maxLeaseRoom = 64

// leaseRoom is the room a provider of profile prof gets for its lease
// list at entry, so that starting a lease does not grow it: the most
// leases it can hold at once (each takes a GPU, or a core when CPU-only),
// capped at maxLeaseRoom.
func leaseRoom(prof *agents.Profile, nres int) int {
	n := int64(prof.Capacity[agents.ResCPU])
	for r := agents.ResGPU0; r < nres; r++ {
		n += int64(prof.Capacity[r])
	}
	return int(min(max(n, 0), maxLeaseRoom))
}

// nextEntry draws the time of cohort ci's next entry candidate after now.
func (w *World) nextEntry(ci int, now Time) Time {
	rate := w.cfg.Providers[ci].EntriesPerDay
	return afterDays(now, w.prov.cohorts[ci].rngEntry.ExpFloat64()/rate)
}

// afterDays returns now plus x >= 0 days rounded to the nanosecond, or
// Never when that is later than any run (a tiny rate's waiting time
// would overflow Time).
func afterDays(now Time, x float64) Time {
	v := x*float64(Day) + 0.5
	if v >= float64(Never-now) {
		return Never
	}
	return now + Time(v)
}

// candidate lets a would-be provider of cohort ci decide whether to enter
// (from utilization and the token income per GPU-hour) and schedules the
// next candidate.
func (w *World) candidate(ci int) {
	c := &w.cfg.Providers[ci]
	pc := &w.prov.cohorts[ci]
	prof := c.NewProfile(ci, w.cat, pc.rngEntry)
	if (c.MaxProviders == 0 || pc.count < c.MaxProviders) && c.ShouldEnter(&prof, w.utilization(), pc.tokenIncomePerGPUHourUSD) {
		w.addProvider(ci, prof)
	}
	w.at(w.nextEntry(ci, w.now), evProviderCandidate, int32(ci), 0)
}

// utilization returns each resource's utilization (0 without capacity).
func (w *World) utilization() []float64 {
	u := make([]float64, w.nres)
	for r := range u {
		if w.prov.capTotal[r] > 0 {
			u[r] = float64(w.leases.alloc[r]) / float64(w.prov.capTotal[r])
		}
	}
	return u
}

// review lets provider id weigh its recent income against its costs: it
// leaves (churn, or unprofitable after its minimum tenure) or stays until
// its next review.
func (w *World) review(id int32) {
	p := &w.prov.p[id]
	c := &w.cfg.Providers[p.prof.Cohort]
	rng := w.prov.cohorts[p.prof.Cohort].rngExit
	period := c.ReviewEvery.T()
	p.periodIncome[p.reviews%len(p.periodIncome)] = p.incomeUSD - p.incomeAtReview
	p.incomeAtReview = p.incomeUSD
	p.reviews++
	n := min(p.reviews, len(p.periodIncome))
	income := 0.0
	for _, x := range p.periodIncome[:n] {
		income += x
	}
	cost := p.prof.CostPerHour() * period.Hours() * float64(n)
	if c.ShouldLeave(w.now-w.origin, rng) {
		w.exitProvider(id, c.Kind == agents.KindFake) // fake capacity is detected: slashed
		return
	}
	if c.Kind != agents.KindFake && w.now-p.entered >= c.MinTenure.T() && c.ShouldExit(income, cost, rng) {
		w.exitProvider(id, false)
		return
	}
	p.reviewH = w.atLane(w.lanes.review+p.prof.Cohort, w.now+period, evReview, id, 0)
}

// exitProvider takes provider id out of the market. Its device stake is
// sold back to holders, or burned when slashed (io.net burns slashed
// stake, competitors.md §1.7).
func (w *World) exitProvider(id int32, slashed bool) {
	p := &w.prov.p[id]
	ch := &w.chain
	if p.stake > 0 {
		if slashed {
			ch.ledger.Burn(ch.deviceStakes, tokenomics.AKT, p.stake)
			w.stats.counters[MSlashedTotal] += tokenomics.Whole(p.stake)
		} else {
			ch.ledger.Transfer(ch.deviceStakes, ch.holders, tokenomics.AKT, p.stake)
		}
		p.stake = 0
	}
	w.cancel(&p.withdrawH)
	w.cancel(&p.reviewH)
	w.prov.unlist(id)
	w.stats.counters[MProvidersExitedTotal]++
	w.prov.cohorts[p.prof.Cohort].exited++
	// close the leases only now that the provider is out of the market: a
	// tenant that re-posts must not be leased by the provider leaving
	for len(p.leases) > 0 {
		w.closeLease(p.leases[len(p.leases)-1], closeProvider)
	}
}
