package sim

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strings"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// Event kinds of the world.
const (
	evSample uint8 = iota
	evArrival
	evCohortEnter
	evProviderCandidate
	evSelect
	evBidTimeout
	evRetry
	evLeaseEnd
	evDry
	evTopUp
	evWithdraw
	evProviderClose
	evReview
	evWarmupEnd
	evEpoch
	evGovernance
	evReprice
	evBatch
	evView
	evQueueTimeout
)

var eventNames = [...]string{
	evSample: "sample", evArrival: "arrival", evCohortEnter: "cohort-enter", evProviderCandidate: "provider-candidate",
	evSelect: "select", evBidTimeout: "bid-timeout", evRetry: "retry", evLeaseEnd: "lease-end", evDry: "escrow-dry",
	evTopUp: "top-up", evWithdraw: "withdraw", evProviderClose: "provider-close", evReview: "review",
	evWarmupEnd: "warmup-end", evEpoch: "tokenomics-epoch", evGovernance: "governance",
	evReprice: "reprice", evBatch: "batch-clearing", evView: "market-view", evQueueTimeout: "queue-timeout",
}

// eventName names an event kind for messages.
func eventName(k uint8) string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return fmt.Sprintf("kind %d", k)
}

// Lease close reasons, as on chain (akash.md §1).
const (
	closeTenant   = 1
	closeProvider = 10000
	closeFunds    = 20000
)

type depState uint8

const (
	depFree depState = iota
	depBidding
	depWaiting
	depLeased
	depQueued // waiting in a tiered queue or a batch market's book
)

type provider struct {
	prof    agents.Profile
	fake    bool // listed capacity that never serves a lease
	strat   agents.Strategy
	active  bool
	free    []int32 // capacity minus leases minus open-bid reservations
	acct    tokenomics.Account
	leases  []int32 // active lease ids
	entered Time
	// income bookkeeping (USD at the token price of each withdrawal)
	incomeUSD       float64
	incomeAtReview  float64
	periodIncome    []float64 // income of the last review periods (ring)
	reviews         int
	withdrawH       Handle
	reviewH         Handle
	activeListIndex int32
	lastWon         int64 // allocation sequence of its last lease (market.Bid.LastWon)
	stake           int64 // device stake locked while listed (uakt)
}

type deployment struct {
	gen      int32
	state    depState
	cohort   int32
	spec     agents.Deployment
	denom    tokenomics.Denom
	maxRate  market.Rate
	deadline Time // abandon after this without a lease
	endAt    Time // lifetime end (set when the first lease starts)
	// escrow (rate units: base units x market.RateScale)
	funds     int64
	settledH  int64
	budgetUSD float64 // budget left to deposit
	lease     int32   // -1 when none
	bids      []market.Bid
	selectH   Handle
	timeoutH  Handle
	retryH    Handle
	endH      Handle
	dryH      Handle
	topUpH    Handle
}

type lease struct {
	gen     int32
	active  bool
	dep     int32
	prov    int32
	rate    market.Rate
	balance int64 // accrued, not withdrawn (rate units)
	closeH  Handle
	posProv int32 // index in provider.leases
	posAct  int32 // index in World.activeLeases
	deposit bool  // the winning bid's deposit is locked until close
	stake   int64 // solver stake locked for verified work (uakt)
	start   Time
}

// cohortTotal is what a provider cohort's CohortSample reports, kept up
// to date as providers enter and leave, leases start and close and
// income is paid.
type cohortTotal struct {
	gpus, gpusLeased, cpus int64   // listed by active providers; GPUs in active leases
	incomeUSD              float64 // since the start (reset at the end of the warmup)
}

// World is the state of one replication: agents, orders, leases, escrow
// and ledger, advanced by the event loop. Only World mutates it.
type World struct {
	cfg                                 *Config
	cat                                 *agents.Catalog
	nres                                int
	rep                                 int
	seed                                uint64
	q                                   Queue
	now                                 Time
	prevNow                             Time // the time of the event before (invariant time-monotone)
	origin                              Time // the scenario start: the end of the warmup
	horizon                             Time // origin + the scenario's horizon
	events                              uint64
	rec                                 Recorder
	mech                                market.Mechanism
	laneWithdraw, laneReview, laneEpoch int
	cheapest                            bool // mechanism clears at the cheapest ask
	maxBids                             int
	err                                 error // what stopped the run early

	// random streams (see doc.go for the list)
	rngMarket    *rand.Rand
	rngVerify    *rand.Rand
	rngLease     *rand.Rand
	rngArrivals  []*rand.Rand // per tenant cohort
	rngDemand    []*rand.Rand
	rngBehaviour []*rand.Rand
	demand       []*agents.Demand // per tenant cohort
	rngProfiles  []*rand.Rand     // per provider cohort
	rngEntry     []*rand.Rand
	rngExit      []*rand.Rand

	providers    []provider
	active       []int32   // active providers
	byResource   [][]int32 // active real providers with capacity in resource r (GPU models, CPU)
	maxUnits     []int32   // the largest capacity of resource r any provider has listed
	indexes      []*market.AskIndex
	indexOK      []bool
	staticAsks   bool
	deps         []deployment
	depFree      []int32
	leases       []lease
	leaseFree    []int32
	activeLeases []int32
	cohortCount  []int         // providers per provider cohort
	cohortTotals []cohortTotal // per provider cohort, for CohortSample

	// money
	ledger        *tokenomics.Ledger
	holders       tokenomics.Account
	pool          tokenomics.Account
	escrow        tokenomics.Account
	bidEscrow     tokenomics.Account
	deviceStakes  tokenomics.Account
	wallets       []tokenomics.Account // per tenant cohort
	blockNanos    int64
	priceUSD      [tokenomics.NumDenoms]float64
	takeBPS       [tokenomics.NumDenoms]int64
	bidDeposit    int64
	minDeposit    int64
	usdHourToRate [tokenomics.NumDenoms]float64

	chain   chain     // the token layer (chain.go)
	ms      mechState // mechanism capabilities and state (mechanisms.go)
	view    agents.MarketView
	sortBuf []int32

	// totals for metrics
	capTotal    []int64
	allocTotal  []int64
	counters    [NumMetrics]float64
	sample      Sample
	priceBuf    [][]float64
	gpuLeases   float64 // GPU leases started, for the mean price
	gpuPriceSum float64
	gpuBuf      []float64
	candBuf     []int32
}

// NewWorld builds replication rep with the given seed from cfg.
func NewWorld(cfg *Config, rep int, seed uint64, rec Recorder) *World {
	w := &World{cfg: cfg, cat: cfg.Catalog, nres: cfg.Catalog.NumResources(), rep: rep, seed: seed, rec: rec, mech: cfg.Mechanism}
	w.origin = cfg.Sim.Warmup.T()
	w.horizon = w.origin + cfg.Sim.Horizon.T()
	if c, ok := w.mech.(market.CheapestAsk); ok && c.ClearsAtCheapestAsk() {
		w.cheapest = true
	}
	if m, ok := w.mech.(market.Windowed); ok {
		w.maxBids = m.MaxBids()
	}
	st := NewStreams(seed)
	w.rngMarket = st.Stream("market")
	w.rngLease = st.Stream("leases")
	w.rngVerify = st.Stream("verification")
	w.chain.rngPrice = st.Stream("token-price")
	for _, c := range cfg.Tenants {
		w.rngArrivals = append(w.rngArrivals, st.Stream("tenants/"+c.Name+"/arrivals"))
		w.rngDemand = append(w.rngDemand, st.Stream("tenants/"+c.Name+"/demand"))
		w.rngBehaviour = append(w.rngBehaviour, st.Stream("tenants/"+c.Name+"/behaviour"))
	}
	for i := range cfg.Tenants {
		w.demand = append(w.demand, cfg.Tenants[i].Demand(w.cat))
	}
	w.staticAsks = true
	for _, c := range cfg.Providers {
		w.rngProfiles = append(w.rngProfiles, st.Stream("providers/"+c.Name+"/profiles"))
		w.rngEntry = append(w.rngEntry, st.Stream("providers/"+c.Name+"/entry"))
		w.rngExit = append(w.rngExit, st.Stream("providers/"+c.Name+"/exit"))
		s, err := c.NewStrategy()
		if err != nil {
			panic("sim: " + err.Error())
		}
		if !s.StaticAsks() {
			w.staticAsks = false
		}
	}
	w.cohortCount = make([]int, len(cfg.Providers))
	w.cohortTotals = make([]cohortTotal, len(cfg.Providers))
	w.byResource = make([][]int32, w.nres)
	w.maxUnits = make([]int32, w.nres)
	w.indexes = make([]*market.AskIndex, w.nres)
	w.indexOK = make([]bool, w.nres)
	w.capTotal = make([]int64, w.nres)
	w.allocTotal = make([]int64, w.nres)
	w.priceBuf = make([][]float64, w.nres)

	// money
	tp := &cfg.Tokenomics
	w.ledger = tokenomics.NewLedger()
	w.holders = w.ledger.Open("holders")
	w.pool = w.ledger.Open("community-pool")
	w.escrow = w.ledger.Open("escrow")
	w.bidEscrow = w.ledger.Open("bid-escrow")
	w.deviceStakes = w.ledger.Open("device-stakes")
	// the supply at the start: the community pool and the treasury (moved
	// in initChain) are parts of it, the rest is held outside the model
	w.ledger.Mint(w.holders, tokenomics.AKT, tokenomics.Tokens(tp.CirculatingSupplyAKT)-tokenomics.Tokens(tp.CommunityPoolAKT))
	w.ledger.Mint(w.pool, tokenomics.AKT, tokenomics.Tokens(tp.CommunityPoolAKT))
	for _, c := range cfg.Tenants {
		w.wallets = append(w.wallets, w.ledger.Open("tenants/"+c.Name))
	}
	w.blockNanos = int64(tp.BlockSeconds * float64(Second))
	w.priceUSD[tokenomics.AKT] = tp.TokenPriceUSD
	w.priceUSD[tokenomics.USDC] = 1
	w.priceUSD[tokenomics.ACT] = 1 // ACT is pegged to the USD (akash.md §7)
	for d := tokenomics.Denom(0); d < tokenomics.NumDenoms; d++ {
		w.takeBPS[d] = tp.TakeBasisPoints(d)
		// USD/h -> base units/block x RateScale
		w.usdHourToRate[d] = float64(tokenomics.BaseUnits) / w.priceUSD[d] * tp.BlockSeconds / 3600 * market.RateScale
	}
	w.bidDeposit = tokenomics.Tokens(tp.BidMinDeposit)
	w.minDeposit = tokenomics.Tokens(tp.DeploymentMinDeposit)

	w.sample.Rep = rep
	w.sample.Values = make([]float64, NumMetrics)
	w.sample.Resources = make([]ResourceSample, w.nres)
	for r := range w.sample.Resources {
		name := w.cat.Key(r)
		if r >= agents.ResGPU0 {
			name = GPUPrefix + name
		}
		w.sample.Resources[r].Resource = name
	}
	w.sample.Cohorts = make([]CohortSample, len(cfg.Providers))
	for ci := range cfg.Providers {
		w.sample.Cohorts[ci] = CohortSample{Cohort: cfg.Providers[ci].Name, Kind: cfg.Providers[ci].Kind}
	}

	w.laneWithdraw = laneRetry + len(cfg.Tenants)
	w.laneReview = w.laneWithdraw + len(cfg.Providers)
	w.laneEpoch = w.laneReview + len(cfg.Providers)
	w.q.SetLanes(w.laneEpoch + 1)
	w.initChain()
	w.initMechanism()

	// initial events: providers present at the start enter now (phase
	// arrival at their EnterAt), then arrivals, entries and samples.
	for ci, c := range cfg.Providers {
		enter := Time(0) // cohorts present at the start are there during the warmup
		if c.EnterAt.T() > 0 {
			enter = w.origin + c.EnterAt.T()
		}
		w.schedule(enter, PhaseArrival, evCohortEnter, int32(ci), 0)
		if c.EntriesPerDay > 0 {
			w.schedule(w.nextEntry(ci, 0), PhaseArrival, evProviderCandidate, int32(ci), 0)
		}
	}
	for ti := range cfg.Tenants {
		w.schedule(w.nextArrival(ti), PhaseArrival, evArrival, int32(ti), 0)
	}
	if w.origin > 0 {
		w.schedule(w.origin, PhaseArrival, evWarmupEnd, 0, 0)
	}
	w.scheduleIn(laneSample, w.origin, PhaseSample, evSample, 0, 0)
	return w
}

func (w *World) schedule(t Time, ph Phase, kind uint8, a, b int32) Handle {
	return w.scheduleIn(-1, t, ph, kind, a, b)
}

// scheduleIn schedules an event in a queue lane (see Queue.ScheduleIn):
// events a constant delay ahead of now, of one kind and cohort, share a
// lane: laneSample, laneRetry+tenant cohort, w.laneWithdraw+provider
// cohort, w.laneReview+provider cohort.
func (w *World) scheduleIn(ln int, t Time, ph Phase, kind uint8, a, b int32) Handle {
	if t >= w.horizon {
		return Handle{}
	}
	if t < w.now {
		panic(fmt.Sprintf("sim: event kind %d scheduled in the past (%v < %v)", kind, t, w.now))
	}
	return w.q.ScheduleIn(ln, Event{At: t, Phase: ph, Kind: kind, A: a, B: b})
}

const (
	laneSample = 0
	laneRetry  = 1
)

func (w *World) cancel(h *Handle) {
	w.q.Cancel(*h)
	*h = Handle{}
}

// Step processes the next event before the horizon and reports whether
// it did. It returns false once the horizon is reached or the run has
// stopped on an error (Err): with Config.Check, a broken invariant stops
// the run with an *InvariantError.
func (w *World) Step() bool {
	if w.err != nil || w.q.PeekTime() >= w.horizon {
		return false
	}
	e, _ := w.q.Pop()
	if e.At < w.now {
		w.err = &InvariantError{Invariant: "time-monotone", Reason: fmt.Sprintf("event at %v after time %v", e.At, w.now),
			At: e.At - w.origin, Event: eventName(e.Kind), Object: e.A}
		return false
	}
	w.prevNow, w.now = w.now, e.At
	w.events++
	w.handle(e)
	if w.cfg.Check == CheckEvents || (w.cfg.Check == CheckSamples && e.Kind == evSample) {
		w.check(e)
	}
	return w.err == nil
}

// Run processes events until the horizon and returns the replication's
// result and the error that stopped it early, if any (Err). At each
// instant the phases run in the order of the Phase constants: arrivals,
// decisions, clearing, settlement, tokenomics, sample.
func (w *World) Run() (Result, error) {
	for w.Step() {
	}
	return w.Result(), w.err
}

// RunContext is Run, stopping between events when ctx is done (it then
// returns ctx's error).
func (w *World) RunContext(ctx context.Context) (Result, error) {
	done := ctx.Done()
	for i := uint(0); ; i++ {
		if done != nil && i%ctxEvery == 0 {
			select {
			case <-done:
				return w.Result(), ctx.Err()
			default:
			}
		}
		if !w.Step() {
			return w.Result(), w.err
		}
	}
}

// ctxEvery is how many events RunContext processes between looks at its
// context: often enough to stop within milliseconds, rarely enough to
// cost nothing.
const ctxEvery = 4096

// Err returns the error that stopped the run (an *InvariantError), or nil.
func (w *World) Err() error { return w.err }

// Result returns the replication's result so far.
func (w *World) Result() Result {
	return Result{Rep: w.rep, Seed: w.seed, Events: w.events, Samples: w.samples(), End: w.horizon - w.origin}
}

// check checks the invariants after event e and records the first
// violation as the run's error.
func (w *World) check(e Event) {
	if ok, why := w.CheckInvariants(); !ok {
		name, reason, _ := strings.Cut(why, ": ")
		w.err = &InvariantError{Invariant: name, Reason: reason, At: w.now - w.origin, Event: eventName(e.Kind), Object: e.A}
	}
}

// InvariantError is a broken invariant: the run stopped at the first
// violation. It is a bug in the model, not bad input.
type InvariantError struct {
	// Invariant names the invariant (see Invariants).
	Invariant string
	// Reason says what is wrong, with the numbers.
	Reason string
	// At is the simulated time since the scenario start (negative during
	// the warmup).
	At Time
	// Event is the kind of the event after which the check failed
	// ("arrival", "lease-end", ...), and Object the object it concerned
	// (a deployment, lease, provider or cohort index).
	Event  string
	Object int32
}

// Error names the invariant, the time, the event and the reason.
func (e *InvariantError) Error() string {
	return fmt.Sprintf("sim: invariant %s violated at t=%v (%.3f h after the start) after event %s (object %d): %s",
		e.Invariant, e.At, e.At.Hours(), e.Event, e.Object, e.Reason)
}

func (w *World) samples() int {
	every := w.cfg.Sim.SampleEvery.T()
	return int((w.horizon - w.origin + every - 1) / every)
}

func (w *World) handle(e Event) {
	switch e.Kind {
	case evSample:
		w.doSample()
		w.scheduleIn(laneSample, w.now+w.cfg.Sim.SampleEvery.T(), PhaseSample, evSample, 0, 0)
	case evArrival:
		w.arrive(int(e.A))
	case evCohortEnter:
		c := &w.cfg.Providers[e.A]
		for i := 0; i < c.Count; i++ {
			w.enterProvider(int(e.A))
		}
	case evProviderCandidate:
		w.candidate(int(e.A))
	case evSelect:
		if w.deps[e.A].gen == e.B {
			w.selectWinner(e.A)
		}
	case evBidTimeout:
		if w.deps[e.A].gen == e.B {
			w.releaseBids(e.A, -1)
		}
	case evRetry:
		if w.deps[e.A].gen == e.B {
			w.deps[e.A].retryH = Handle{}
			w.post(e.A)
		}
	case evLeaseEnd:
		if w.deps[e.A].gen == e.B {
			w.deps[e.A].endH = Handle{}
			w.closeLease(w.deps[e.A].lease, closeTenant)
		}
	case evDry:
		if w.deps[e.A].gen == e.B {
			w.deps[e.A].dryH = Handle{}
			w.settle(e.A) // overdraws and closes
			if w.deps[e.A].state == depLeased {
				panic("sim: escrow expected dry but lease survived settlement")
			}
		}
	case evTopUp:
		if w.deps[e.A].gen == e.B {
			w.deps[e.A].topUpH = Handle{}
			w.topUp(e.A)
		}
	case evWithdraw:
		w.withdrawAll(e.A)
		p := &w.providers[e.A]
		p.withdrawH = w.scheduleIn(w.laneWithdraw+p.prof.Cohort, w.now+w.cfg.Providers[p.prof.Cohort].WithdrawEvery.T(), PhaseSettlement, evWithdraw, e.A, 0)
	case evProviderClose:
		if w.leases[e.A].gen == e.B && w.leases[e.A].active {
			w.leases[e.A].closeH = Handle{}
			w.closeLease(e.A, closeProvider)
		}
	case evReview:
		w.review(e.A)
	case evEpoch:
		w.epoch()
	case evGovernance:
		w.governance(int(e.A))
	case evReprice:
		w.reprice()
	case evBatch:
		w.clearBatch()
	case evView:
		w.refreshView()
	case evQueueTimeout:
		if d := &w.deps[e.A]; d.gen == e.B && d.state == depQueued {
			d.retryH = Handle{}
			w.abandon(e.A)
		}
	case evWarmupEnd:
		// cumulative counters count from the start
		w.counters = [NumMetrics]float64{}
		w.gpuLeases, w.gpuPriceSum = 0, 0
		w.chain.fees, w.chain.revenueUSD = 0, 0 // fees_total, provider_revenue_usd_total
		for ci := range w.cohortTotals {
			w.cohortTotals[ci].incomeUSD = 0 // like provider_revenue_usd_total
		}
	default:
		panic(fmt.Sprintf("sim: unknown event kind %d", e.Kind))
	}
}

// ---- providers ----

func (w *World) enterProvider(ci int) {
	c := &w.cfg.Providers[ci]
	prof := c.NewProfile(ci, w.cat, w.rngProfiles[ci])
	w.addProvider(ci, prof)
}

func (w *World) addProvider(ci int, prof agents.Profile) {
	c := &w.cfg.Providers[ci]
	strat, _ := c.NewStrategy()
	id := int32(len(w.providers))
	w.providers = append(w.providers, provider{prof: prof, strat: strat, active: true, entered: w.now})
	p := &w.providers[id]
	p.free = append([]int32(nil), prof.Capacity...)
	p.acct = w.ledger.Open(fmt.Sprintf("provider/%d", id))
	if amt := tokenomics.Tokens(c.BalanceAKT); amt > 0 {
		w.ledger.Transfer(w.holders, p.acct, tokenomics.AKT, amt)
	}
	if c.StakePerGPU > 0 {
		gpus := 0
		for r := agents.ResGPU0; r < w.nres; r++ {
			gpus += int(prof.Capacity[r])
		}
		// bought from holders at entry (competitors.md §1.7)
		amt := min(tokenomics.Tokens(c.StakePerGPU*float64(gpus)), w.ledger.Balance(w.holders, tokenomics.AKT))
		if amt > 0 {
			w.ledger.Transfer(w.holders, w.deviceStakes, tokenomics.AKT, amt)
			p.stake = amt
		}
	}
	p.activeListIndex = int32(len(w.active))
	w.active = append(w.active, id)
	p.fake = c.Kind == agents.KindFake
	ct := &w.cohortTotals[ci]
	ct.cpus += int64(prof.Capacity[agents.ResCPU])
	for r, k := range prof.Capacity {
		w.capTotal[r] += int64(k)
		if r >= agents.ResGPU0 {
			ct.gpus += int64(k)
		}
		if k > 0 && (r >= agents.ResGPU0 || r == agents.ResCPU) && !p.fake {
			w.byResource[r] = append(w.byResource[r], id)
			w.maxUnits[r] = max(w.maxUnits[r], k)
		}
		w.indexOK[r] = false
	}
	w.cohortCount[ci]++
	if w.now > 0 {
		w.counters[MProvidersEnteredTotal]++
	}
	p.withdrawH = w.scheduleIn(w.laneWithdraw+ci, w.now+c.WithdrawEvery.T(), PhaseSettlement, evWithdraw, id, 0)
	p.reviewH = w.scheduleIn(w.laneReview+ci, w.now+c.ReviewEvery.T(), PhaseDecision, evReview, id, 0)
	p.periodIncome = make([]float64, c.ReviewPeriods())
	if w.ms.waiting != nil && !p.fake {
		for r, k := range prof.Capacity {
			if k > 0 && r != agents.ResMemory {
				w.serveQueue(r)
			}
		}
	}
}

func (w *World) nextEntry(ci int, now Time) Time {
	rate := w.cfg.Providers[ci].EntriesPerDay
	return afterDays(now, w.rngEntry[ci].ExpFloat64()/rate)
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

func (w *World) candidate(ci int) {
	c := &w.cfg.Providers[ci]
	prof := c.NewProfile(ci, w.cat, w.rngEntry[ci])
	if (c.MaxProviders == 0 || w.cohortCount[ci] < c.MaxProviders) && c.ShouldEnter(&prof, w.utilization(), w.chain.tokenIncomePerGPUHour[ci]) {
		w.addProvider(ci, prof)
	}
	w.schedule(w.nextEntry(ci, w.now), PhaseArrival, evProviderCandidate, int32(ci), 0)
}

func (w *World) utilization() []float64 {
	u := make([]float64, w.nres)
	for r := range u {
		if w.capTotal[r] > 0 {
			u[r] = float64(w.allocTotal[r]) / float64(w.capTotal[r])
		}
	}
	return u
}

func (w *World) review(id int32) {
	p := &w.providers[id]
	c := &w.cfg.Providers[p.prof.Cohort]
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
	if c.ShouldLeave(w.now-w.origin, w.rngExit[p.prof.Cohort]) {
		w.exitProvider(id, c.Kind == agents.KindFake) // fake capacity is detected: slashed
		return
	}
	if c.Kind != agents.KindFake && w.now-p.entered >= c.MinTenure.T() && c.ShouldExit(income, cost, w.rngExit[p.prof.Cohort]) {
		w.exitProvider(id, false)
		return
	}
	p.reviewH = w.scheduleIn(w.laneReview+p.prof.Cohort, w.now+period, PhaseDecision, evReview, id, 0)
}

// exitProvider takes provider id out of the market. Its device stake is
// sold back to holders, or burned when slashed (io.net burns slashed
// stake, competitors.md §1.7).
func (w *World) exitProvider(id int32, slashed bool) {
	p := &w.providers[id]
	p.active = false
	if p.stake > 0 {
		if slashed {
			w.ledger.Burn(w.deviceStakes, tokenomics.AKT, p.stake)
			w.counters[MSlashedTotal] += tokenomics.Whole(p.stake)
		} else {
			w.ledger.Transfer(w.deviceStakes, w.holders, tokenomics.AKT, p.stake)
		}
		p.stake = 0
	}
	w.cancel(&p.withdrawH)
	w.cancel(&p.reviewH)
	// remove from the active list (swap-remove; order is restored by the
	// sorted scans that need it)
	i := p.activeListIndex
	last := w.active[len(w.active)-1]
	w.active[i] = last
	w.providers[last].activeListIndex = i
	w.active = w.active[:len(w.active)-1]
	ct := &w.cohortTotals[p.prof.Cohort]
	ct.cpus -= int64(p.prof.Capacity[agents.ResCPU])
	for r, k := range p.prof.Capacity {
		w.capTotal[r] -= int64(k)
		if r >= agents.ResGPU0 {
			ct.gpus -= int64(k)
		}
		if k > 0 && (r >= agents.ResGPU0 || r == agents.ResCPU) {
			lst := w.byResource[r]
			for j, x := range lst {
				if x == id {
					w.byResource[r] = append(lst[:j], lst[j+1:]...)
					break
				}
			}
		}
		if w.indexes[r] != nil && w.indexes[r].Contains(id) {
			w.indexes[r].SetFree(id, -1)
		}
	}
	w.cohortCount[p.prof.Cohort]--
	w.counters[MProvidersExitedTotal]++
	// close the leases only now that the provider is out of the market: a
	// tenant that re-posts must not be leased by the provider leaving
	for len(p.leases) > 0 {
		w.closeLease(p.leases[len(p.leases)-1], closeProvider)
	}
}

// setFree changes provider id's free amount of resource r by delta and
// keeps the ask index in step.
func (w *World) setFree(id int32, r int, delta int32) {
	p := &w.providers[id]
	p.free[r] += delta
	if p.free[r] < 0 {
		panic(fmt.Sprintf("sim: provider %d oversold resource %s", id, w.cat.Key(r)))
	}
	if ix := w.indexes[r]; ix != nil && p.active && ix.Contains(id) {
		ix.SetFree(id, p.free[r])
	}
}

func (w *World) take(id int32, q *agents.Request) {
	w.takeOrGive(id, q, -1)
}

func (w *World) give(id int32, q *agents.Request) {
	w.takeOrGive(id, q, 1)
}

func (w *World) takeOrGive(id int32, q *agents.Request, sign int32) {
	if q.CPU > 0 {
		w.setFree(id, agents.ResCPU, sign*q.CPU)
	}
	if q.MemoryGB > 0 {
		w.setFree(id, agents.ResMemory, sign*q.MemoryGB)
	}
	if q.GPUs > 0 {
		w.setFree(id, q.GPUModel, sign*q.GPUs)
	}
}

func fits(free []int32, q *agents.Request) bool {
	return free[agents.ResCPU] >= q.CPU && free[agents.ResMemory] >= q.MemoryGB && (q.GPUs == 0 || free[q.GPUModel] >= q.GPUs)
}

// ---- tenants and orders ----

func (w *World) arrive(ti int) {
	c := &w.cfg.Tenants[ti]
	spec := w.demand[ti].Draw(w.rngDemand[ti])
	w.schedule(w.nextArrival(ti), PhaseArrival, evArrival, int32(ti), 0)
	w.counters[MOrdersTotal]++
	id := w.newDeployment()
	d := &w.deps[id]
	d.cohort = int32(ti)
	d.spec = spec
	d.denom = tokenomics.AKT
	switch {
	case w.chain.settle == tokenomics.SettlementBME:
		d.denom = tokenomics.ACT // ACT credits only (akash.md §1: uact since v2.0.0)
	case spec.USDC:
		d.denom = tokenomics.USDC
	}
	d.maxRate = w.toRate(spec.MaxPriceUSDHour, d.denom)
	d.deadline = w.now + c.Patience.T()
	d.budgetUSD = spec.BudgetUSD
	d.lease = -1
	d.state = depWaiting
	// initial escrow deposit: the runway target at the max price, at least
	// the minimum deposit, within the budget
	want := c.RunwayTargetDays * 24 * spec.MaxPriceUSDHour
	w.deposit(id, want, true)
	w.post(id)
}

// nextArrival draws tenant cohort ti's next arrival after now. Cohorts
// see time relative to the scenario start (negative during the warmup).
func (w *World) nextArrival(ti int) Time {
	t := w.cfg.Tenants[ti].NextArrival(w.now-w.origin, w.horizon-w.origin, w.rngArrivals[ti])
	if t == Never {
		return Never
	}
	return t + w.origin
}

func (w *World) newDeployment() int32 {
	var id int32
	if n := len(w.depFree); n > 0 {
		id = w.depFree[n-1]
		w.depFree = w.depFree[:n-1]
	} else {
		w.deps = append(w.deps, deployment{})
		id = int32(len(w.deps) - 1)
	}
	d := &w.deps[id]
	gen := d.gen + 1
	bids := d.bids[:0]
	*d = deployment{gen: gen, bids: bids}
	return id
}

func (w *World) toRate(usdHour float64, d tokenomics.Denom) market.Rate {
	v := usdHour * w.usdHourToRate[d]
	if v >= 9e18 {
		panic("sim: rate overflow")
	}
	return market.Rate(math.Round(v))
}

func (w *World) rateUSDHour(r market.Rate, d tokenomics.Denom) float64 {
	return float64(r) / w.usdHourToRate[d]
}

// leaseUSDHour is lease l's price in USD per hour at the current token
// price (the rate is fixed in its denomination, as on chain).
func (w *World) leaseUSDHour(l *lease) float64 {
	return w.rateUSDHour(l.rate, w.deps[l.dep].denom)
}

// height returns the block height at time t.
func (w *World) height(t Time) int64 { return int64(t) / w.blockNanos }

// deposit moves usd worth of tokens (at least the minimum deposit when
// first is set) from the tenant's budget into its escrow.
func (w *World) deposit(id int32, usd float64, first bool) {
	d := &w.deps[id]
	usd = math.Min(usd, d.budgetUSD)
	amt := int64(math.Ceil(usd / w.priceUSD[d.denom] * tokenomics.BaseUnits))
	if first && amt < w.minDeposit {
		amt = w.minDeposit
	}
	if amt <= 0 {
		return
	}
	wallet := w.wallets[d.cohort]
	switch d.denom {
	case tokenomics.AKT:
		w.ledger.Transfer(w.holders, wallet, tokenomics.AKT, amt) // the tenant buys AKT
		w.chain.netBuyUSD += float64(amt) / tokenomics.BaseUnits * w.priceUSD[tokenomics.AKT]
	case tokenomics.USDC:
		w.ledger.Mint(wallet, tokenomics.USDC, amt) // USDC bridged in
	case tokenomics.ACT:
		amt = w.buyCredits(wallet, amt)
		if amt <= 0 {
			return
		}
	}
	d.budgetUSD -= float64(amt) / tokenomics.BaseUnits * w.priceUSD[d.denom]
	w.ledger.Transfer(wallet, w.escrow, d.denom, amt)
	d.funds += amt * market.RateScale
}

// buyCredits makes sure a tenant cohort's wallet holds amt uact: it buys
// AKT and burns it into the BME vault for ACT (at least the BME's minimum
// mint; credits left over stay in the cohort's wallet for its next
// deposits). It returns the uact available for the deposit, less than
// amt when the BME refuses to mint (its collateral ratio is at or below
// the halt threshold, or the oracle is down).
func (w *World) buyCredits(wallet tokenomics.Account, amt int64) int64 {
	have := w.ledger.Balance(wallet, tokenomics.ACT)
	if have >= amt {
		return amt
	}
	bp := &w.cfg.Tokenomics.BME
	price := w.priceUSD[tokenomics.AKT]
	act := max(amt-have, tokenomics.Tokens(bp.MinMintACT))
	// AKT for act uact after the mint spread, rounded up
	akt := int64(math.Ceil(float64(act) / price / (1 - float64(bp.MintSpreadBps)/10_000)))
	w.ledger.Transfer(w.holders, wallet, tokenomics.AKT, akt)
	if _, err := w.chain.bme.MintACT(wallet, wallet, akt, price); err != nil {
		w.ledger.Transfer(wallet, w.holders, tokenomics.AKT, akt) // not bought after all
	} else {
		w.chain.netBuyUSD += float64(akt) / tokenomics.BaseUnits * price
	}
	return min(amt, w.ledger.Balance(wallet, tokenomics.ACT))
}

// post opens (or re-opens) deployment id's order: providers bid now; the
// tenant selects after its window.
func (w *World) post(id int32) {
	d := &w.deps[id]
	c := &w.cfg.Tenants[d.cohort]
	q := &d.spec.Request
	w.counters[MOrderAttemptsTotal]++
	switch {
	case w.ms.batcher != nil:
		w.book(id)
		return
	case !w.ms.bidding:
		leased, affordable, o := w.clearNow(id)
		switch {
		case leased:
		case affordable && w.ms.waiting != nil:
			w.enqueue(id, &o) // a tiered market queues an order it cannot place yet
		default:
			w.noBid(id)
		}
		return
	}
	if c.SelectionWindow.T() == 0 && w.cheapest && w.staticAsks && !d.spec.RequireAudited && w.ms.selectors[d.cohort] == nil {
		if r, k, ok := q.SingleResource(); ok {
			if done := w.clearFromIndex(id, r, k); done {
				return
			}
		}
	}
	w.collectBids(id, d.maxRate)
	d = &w.deps[id]
	d.state = depBidding
	if c.SelectionWindow.T() == 0 {
		w.selectWinner(id)
		return
	}
	d.selectH = w.schedule(w.now+c.SelectionWindow.T(), PhaseClearing, evSelect, id, d.gen)
	d.timeoutH = w.schedule(w.now+BidTimeout, PhaseSettlement, evBidTimeout, id, d.gen)
	if !d.selectH.Valid() { // window ends after the horizon
		w.releaseBids(id, -1)
	}
}

// BidTimeout is the provider daemon's --bid-timeout: an open bid is
// withdrawn this long after it was placed (5 min, akash.md §1).
const BidTimeout = 5 * Minute

// clearFromIndex clears an order needing k units of one resource r from
// the ask index. It reports false when the index cannot decide (the
// cheapest provider cannot pay a bid deposit), leaving the order to the
// bid-collecting path.
func (w *World) clearFromIndex(id int32, r int, k int32) bool {
	ix := w.index(r)
	d := &w.deps[id]
	pid, _, ok := ix.Cheapest(k)
	if !ok {
		w.noBid(id)
		return true
	}
	p := &w.providers[pid]
	if w.ledger.Balance(p.acct, tokenomics.AKT) < w.bidDeposit {
		return false
	}
	rate := w.toRate(p.strat.Quote(&p.prof, &d.spec.Request, &w.view), d.denom)
	if rate > d.maxRate {
		w.noBid(id) // the cheapest ask is too dear, so are all others
		return true
	}
	w.take(pid, &d.spec.Request)
	w.ledger.Transfer(p.acct, w.bidEscrow, tokenomics.AKT, w.bidDeposit)
	w.startLease(id, pid, rate)
	return true
}

func (w *World) index(r int) *market.AskIndex {
	if w.indexOK[r] {
		return w.indexes[r]
	}
	asks := make([]market.Ask, 0, len(w.active))
	for _, id := range w.active {
		p := &w.providers[id]
		if p.prof.Capacity[r] > 0 && !p.fake {
			asks = append(asks, market.Ask{Provider: id, UnitAsk: p.prof.Ask[r], Audited: p.prof.Audited, Free: p.free[r]})
		}
	}
	w.indexes[r] = market.NewAskIndex(len(w.providers), asks)
	w.indexOK[r] = true
	return w.indexes[r]
}

// collectBids asks eligible providers for bids at or below maxPrice; in
// an auction each bid reserves its capacity (platform-run mechanisms clear
// at once and take only the winner's). Providers respond in random order
// and an order accepts at most the mechanism's MaxBids bids, so the
// bidders are a uniformly random subset of the eligible providers: a
// partial Fisher-Yates shuffle of the candidates that stops once MaxBids
// eligible ones are found, which is the same distribution as shuffling all
// eligible providers and keeping the first MaxBids, without testing every
// provider. A platform samples among the providers whose quote is within
// maxPrice; an auction's window counts every provider that responds.
func (w *World) collectBids(id int32, maxPrice market.Rate) {
	d := &w.deps[id]
	q := &d.spec.Request
	cr, units := class(q)
	list := w.active
	switch {
	case q.GPUs > 0:
		list = w.byResource[q.GPUModel]
	case !w.ms.bidding:
		// platform-run markets look only at providers with CPU; the auctions
		// keep announcing orders to all active providers in list order, the
		// order their published figures were made with
		list = w.byResource[agents.ResCPU]
	}
	if !w.ms.bidding && units > w.maxUnits[cr] {
		d.bids = d.bids[:0] // no provider could ever hold it
		return
	}
	cands := append(w.candBuf[:0], list...)
	limit := len(cands)
	if w.maxBids > 0 && w.maxBids < limit {
		limit = w.maxBids
	}
	found := 0
	for i := 0; i < len(cands) && found < limit; i++ {
		if limit < len(cands) {
			j := i + w.rngMarket.IntN(len(cands)-i)
			cands[i], cands[j] = cands[j], cands[i]
		}
		p := &w.providers[cands[i]]
		if p.fake || (d.spec.RequireAudited && !p.prof.Audited) || !fits(p.free, q) || (w.bidDeposit > 0 && w.ledger.Balance(p.acct, tokenomics.AKT) < w.bidDeposit) {
			continue
		}
		// a platform samples its candidates among the providers whose quote
		// is within the limit (docs/mechanisms.md); an auction's limit counts
		// the providers that respond, whether or not their bid script fails
		if !w.ms.bidding && limit < len(cands) && w.toRate(p.strat.Quote(&p.prof, q, &w.view), d.denom) > maxPrice {
			continue
		}
		cands[found] = cands[i]
		found++
	}
	d.bids = d.bids[:0]
	for _, pid := range cands[:found] {
		p := &w.providers[pid]
		rate := w.toRate(p.strat.Quote(&p.prof, q, &w.view), d.denom)
		if rate > maxPrice {
			continue // the bid script fails above the max price
		}
		load := float32(0)
		if k := p.prof.Capacity[cr]; k > 0 {
			load = 1 - float32(p.free[cr])/float32(k)
		}
		if w.ms.bidding {
			w.take(pid, q) // a bid reserves its capacity until it is released
		}
		if w.bidDeposit > 0 {
			w.ledger.Transfer(p.acct, w.bidEscrow, tokenomics.AKT, w.bidDeposit)
		}
		d.bids = append(d.bids, market.Bid{Provider: pid, Price: rate, Audited: p.prof.Audited, Load: load, Score: float32(p.prof.Capacity[cr]), LastWon: p.lastWon})
	}
	w.candBuf = cands[:0]
}

// releaseBids closes the open bids of deployment id except the bid at
// index keep: deposits are refunded and reservations released.
func (w *World) releaseBids(id int32, keep int) {
	d := &w.deps[id]
	for i := range d.bids {
		if i == keep {
			continue
		}
		b := &d.bids[i]
		p := &w.providers[b.Provider]
		if w.bidDeposit > 0 {
			w.ledger.Transfer(w.bidEscrow, p.acct, tokenomics.AKT, w.bidDeposit)
		}
		if p.active && w.ms.bidding {
			w.give(b.Provider, &d.spec.Request)
		}
	}
	d.bids = d.bids[:0]
	w.cancel(&d.timeoutH)
}

func (w *World) selectWinner(id int32) {
	d := &w.deps[id]
	d.selectH = Handle{}
	// bids of providers that left meanwhile were withdrawn with them
	n := 0
	for _, b := range d.bids {
		if w.providers[b.Provider].active {
			d.bids[n] = b
			n++
		} else if w.bidDeposit > 0 {
			w.ledger.Transfer(w.bidEscrow, w.providers[b.Provider].acct, tokenomics.AKT, w.bidDeposit)
		}
	}
	d.bids = d.bids[:n]
	o, _ := w.order(id)
	if !w.clear(id, &o) {
		w.noBid(id)
	}
}

// noBid handles an order that got no eligible bid: retry or abandon.
func (w *World) noBid(id int32) {
	d := &w.deps[id]
	c := &w.cfg.Tenants[d.cohort]
	d.state = depWaiting
	next := w.now + c.RetryEvery.T()
	if next > d.deadline {
		w.abandon(id)
		return
	}
	d.retryH = w.scheduleIn(laneRetry+int(d.cohort), next, PhaseDecision, evRetry, id, d.gen)
}

func (w *World) abandon(id int32) {
	w.counters[MOrdersUnservedTotal]++
	w.closeDeployment(id)
}

func (w *World) startLease(id int32, pid int32, rate market.Rate) {
	d := &w.deps[id]
	p := &w.providers[pid]
	var lid int32
	if n := len(w.leaseFree); n > 0 {
		lid = w.leaseFree[n-1]
		w.leaseFree = w.leaseFree[:n-1]
	} else {
		w.leases = append(w.leases, lease{})
		lid = int32(len(w.leases) - 1)
	}
	l := &w.leases[lid]
	*l = lease{gen: l.gen + 1, active: true, dep: id, prov: pid, rate: rate, deposit: w.bidDeposit > 0, start: w.now}
	w.ms.allocSeq++
	p.lastWon = w.ms.allocSeq
	l.posProv = int32(len(p.leases))
	p.leases = append(p.leases, lid)
	l.posAct = int32(len(w.activeLeases))
	w.activeLeases = append(w.activeLeases, lid)
	q := &d.spec.Request
	w.allocTotal[agents.ResCPU] += int64(q.CPU)
	w.allocTotal[agents.ResMemory] += int64(q.MemoryGB)
	if q.GPUs > 0 {
		w.allocTotal[q.GPUModel] += int64(q.GPUs)
		w.cohortTotals[p.prof.Cohort].gpusLeased += int64(q.GPUs)
	}
	w.counters[MLeasesStartedTotal]++
	if q.GPUs > 0 {
		w.gpuLeases++
		w.gpuPriceSum += w.leaseUSDHour(l) / float64(q.GPUs)
	}
	w.notePrice(q, w.leaseUSDHour(l))

	d.state = depLeased
	d.lease = lid
	w.cancel(&d.retryH)
	d.settledH = w.height(w.now) // PaymentCreate settles the account
	if d.endAt == 0 {
		d.endAt = Never // a lifetime past any run (FromHours saturates at Never)
		life := d.spec.Lifetime
		if w.ms.verifier != nil {
			// verification stretches the work's occupancy (market.Verification.Overhead)
			life = Time(min(float64(life)*(1+w.ms.verif.Overhead), float64(Never)))
		}
		if life < Never-w.now {
			d.endAt = w.now + life
		}
	}
	if d.endAt <= w.now {
		d.endAt = w.now + Second
	}
	d.endH = w.schedule(d.endAt, PhaseSettlement, evLeaseEnd, id, d.gen)
	if w.ms.verifier != nil {
		w.lockStake(lid)
	}
	if rate := w.cfg.Providers[p.prof.Cohort].LeaseCloseRatePerDay; rate > 0 {
		t := afterDays(w.now, w.rngLease.ExpFloat64()/rate)
		if t < d.endAt {
			l.closeH = w.schedule(t, PhaseSettlement, evProviderClose, lid, l.gen)
		}
	}
	w.scheduleFunding(id)
}

// scheduleFunding (re)schedules the escrow's top-up and run-dry events
// from its funds and the lease rate.
func (w *World) scheduleFunding(id int32) { w.scheduleFundingAfter(id, 0) }

// scheduleFundingAfter is scheduleFunding with the top-up check no
// earlier than notBefore.
func (w *World) scheduleFundingAfter(id int32, notBefore Time) {
	d := &w.deps[id]
	w.cancel(&d.dryH)
	w.cancel(&d.topUpH)
	l := &w.leases[d.lease]
	if l.rate <= 0 {
		return
	}
	// first height at which the funds cannot pay: settledH + floor(funds/rate)
	// + 1 (Never when that is past any run, for a lease far cheaper than
	// its funds)
	dryAt := Never
	if blocks := d.funds / int64(l.rate); blocks < int64(Never)/w.blockNanos-d.settledH-1 {
		dryAt = Time((d.settledH + blocks + 1) * w.blockNanos)
	}
	if dryAt < w.now {
		dryAt = w.now
	}
	// events at or after the lease's end are not needed: the tenant closes
	// it first (the common case, which keeps them out of the queue)
	if dryAt < d.endAt {
		d.dryH = w.schedule(dryAt, PhaseSettlement, evDry, id, d.gen)
	}
	if d.budgetUSD > 0 {
		c := &w.cfg.Tenants[d.cohort]
		usdHour := w.leaseUSDHour(l)
		minFunds := c.RunwayMinDays * 24 * usdHour // USD
		fundsUSD := float64(d.funds) / market.RateScale / tokenomics.BaseUnits * w.priceUSD[d.denom]
		t := w.now
		if fundsUSD >= minFunds { // else top up now (TopUp tests the same)
			// the start of the first block whose settlement leaves less than
			// minFunds, and a later block than now's: the escrow pays whole
			// blocks, so a check within a block would find the runway
			// unchanged and reschedule itself again and again
			minUnits := minFunds / w.priceUSD[d.denom] * tokenomics.BaseUnits * market.RateScale
			h := float64(d.settledH) + math.Floor((float64(d.funds)-minUnits)/float64(l.rate)) + 1
			h = math.Max(h, float64(w.height(w.now)+1))
			t = Never
			if h*float64(w.blockNanos) < float64(dryAt) {
				t = Time(int64(h) * w.blockNanos)
			}
		}
		t = max(t, notBefore)
		if t < dryAt && t < d.endAt {
			d.topUpH = w.schedule(t, PhaseSettlement, evTopUp, id, d.gen)
		}
	}
}

func (w *World) topUp(id int32) {
	d := &w.deps[id]
	if d.state != depLeased {
		return
	}
	w.settle(id)
	d = &w.deps[id]
	if d.state != depLeased {
		return
	}
	l := &w.leases[d.lease]
	c := &w.cfg.Tenants[d.cohort]
	fundsUSD := float64(d.funds) / market.RateScale / tokenomics.BaseUnits * w.priceUSD[d.denom]
	before := d.funds
	if usd := c.TopUp(fundsUSD, w.leaseUSDHour(l), d.budgetUSD); usd > 0 {
		w.deposit(id, usd, false)
		if d.funds == before {
			// no credits could be bought (the BME refuses to mint): try
			// again after topUpRetry rather than at every block
			w.scheduleFundingAfter(id, w.now+topUpRetry)
			return
		}
	}
	w.scheduleFunding(id)
}

// topUpRetry is how long a tenant whose top-up failed waits before trying
// again (its escrow may run dry meanwhile).
const topUpRetry = Hour

// settle runs the escrow's lazy settlement to the current height (akash.md
// §2): the lease owes rate x blocks; what the funds cannot cover closes it
// for insufficient funds.
func (w *World) settle(id int32) {
	d := &w.deps[id]
	if d.state != depLeased {
		return
	}
	l := &w.leases[d.lease]
	h := w.height(w.now)
	dh := h - d.settledH
	if dh <= 0 {
		return
	}
	hi, lo := bits.Mul64(uint64(l.rate), uint64(dh))
	if hi != 0 || lo > math.MaxInt64 {
		panic("sim: escrow settlement overflow")
	}
	owed := int64(lo)
	if owed <= d.funds {
		d.funds -= owed
		l.balance += owed
		d.settledH = h
		return
	}
	// overdrawn: pay what is there, the rest is unsettled debt; the lease
	// closes for insufficient funds
	l.balance += d.funds
	d.funds = 0
	d.settledH = h
	w.closeLease(d.lease, closeFunds)
}

// withdraw pays lease lid's accrued balance (whole base units) to its
// provider, less the take fee to the community pool.
func (w *World) withdraw(lid int32) {
	l := &w.leases[lid]
	d := &w.deps[l.dep]
	amt := l.balance / market.RateScale
	if amt <= 0 {
		return
	}
	l.balance -= amt * market.RateScale
	fee, earn := tokenomics.Take(amt, w.takeBPS[d.denom])
	p := &w.providers[l.prov]
	price := w.priceUSD[d.denom]
	if fee > 0 {
		w.ledger.Transfer(w.escrow, w.pool, d.denom, fee)
		w.burnFees(d.denom, fee)
	}
	if w.chain.settle == tokenomics.SettlementBurnMint && d.denom != tokenomics.ACT {
		// Render's BME: the payment less the fee is burned, in tokens bought
		// at market when it was paid in USDC; providers are paid by the
		// emission schedule (competitors.md §2.3)
		if d.denom == tokenomics.AKT {
			w.ledger.Burn(w.escrow, tokenomics.AKT, earn)
		} else {
			usd := float64(earn) / tokenomics.BaseUnits * price
			akt := min(int64(usd/w.priceUSD[tokenomics.AKT]*tokenomics.BaseUnits), w.ledger.Balance(w.holders, tokenomics.AKT))
			w.ledger.Transfer(w.escrow, w.holders, d.denom, earn)
			w.ledger.Burn(w.holders, tokenomics.AKT, akt)
			w.chain.netBuyUSD += usd
		}
		w.counters[MTakeFeesUSDTotal] += float64(fee) / tokenomics.BaseUnits * price
		if d.denom == tokenomics.AKT {
			w.chain.fees += fee
		} else {
			w.chain.fees += int64(float64(fee) * price / w.priceUSD[tokenomics.AKT])
		}
		return
	}
	w.ledger.Transfer(w.escrow, p.acct, d.denom, earn)
	usd := float64(earn) / tokenomics.BaseUnits * price
	p.incomeUSD += usd
	w.chain.revenueUSD += usd
	w.cohortTotals[p.prof.Cohort].incomeUSD += usd
	w.counters[MProviderIncomeUSDTotal] += usd
	w.counters[MTakeFeesUSDTotal] += float64(fee) / tokenomics.BaseUnits * price
	if d.denom == tokenomics.AKT {
		w.chain.fees += fee
		w.chain.netBuyUSD -= usd // providers sell their AKT income
	} else {
		w.chain.fees += int64(float64(fee) * price / w.priceUSD[tokenomics.AKT])
	}
	if d.denom == tokenomics.ACT {
		// providers redeem their credits for AKT (akash.md §7) and sell it
		if out, _, _, err := w.chain.bme.BurnACT(p.acct, p.acct, earn, w.priceUSD[tokenomics.AKT]); err == nil {
			w.chain.netBuyUSD -= float64(out) / tokenomics.BaseUnits * w.priceUSD[tokenomics.AKT]
		}
	}
}

// burnFees buys back and burns the FeeBurnShare of a take fee of amt
// base units of d just paid into the community pool: AKT fees are burned
// from the pool; fees in other denominations buy AKT from holders at the
// current price, and that AKT is burned.
func (w *World) burnFees(d tokenomics.Denom, amt int64) {
	share := w.cfg.Tokenomics.FeeBurnShare
	b := int64(float64(amt) * share)
	if b <= 0 || d == tokenomics.ACT {
		return
	}
	if d == tokenomics.AKT {
		w.ledger.Burn(w.pool, tokenomics.AKT, b)
		return
	}
	usd := float64(b) / tokenomics.BaseUnits * w.priceUSD[d]
	akt := min(int64(usd/w.priceUSD[tokenomics.AKT]*tokenomics.BaseUnits), w.ledger.Balance(w.holders, tokenomics.AKT))
	w.ledger.Transfer(w.pool, w.holders, d, b)
	w.ledger.Burn(w.holders, tokenomics.AKT, akt)
	w.chain.netBuyUSD += usd
}

func (w *World) withdrawAll(pid int32) {
	p := &w.providers[pid]
	// settling may close leases (and shrink p.leases): iterate backwards
	for i := len(p.leases) - 1; i >= 0; i-- {
		if i >= len(p.leases) {
			continue
		}
		lid := p.leases[i]
		dep := w.leases[lid].dep
		w.settle(dep)
		if w.leases[lid].active {
			w.withdraw(lid)
		}
	}
}

// closeLease settles and pays out lease lid and frees its capacity. A
// tenant close or insufficient funds closes the deployment too; after a
// provider close the tenant re-posts its order with RestartProb.
func (w *World) closeLease(lid int32, reason int) {
	l := &w.leases[lid]
	if !l.active {
		panic("sim: closing an inactive lease")
	}
	id := l.dep
	if reason != closeFunds {
		w.settle(id)
		if !l.active { // settlement found the escrow dry and closed it
			return
		}
	}
	l.active = false
	w.withdraw(lid)
	d := &w.deps[id]
	p := &w.providers[l.prov]
	if l.deposit {
		w.ledger.Transfer(w.bidEscrow, p.acct, tokenomics.AKT, w.bidDeposit)
	}
	if w.ms.verifier != nil {
		w.settleStake(lid, reason == closeTenant)
		if ov := w.ms.verif.Overhead; ov > 0 {
			_, units := class(&w.deps[id].spec.Request)
			w.counters[MVerificationUnitHoursTotal] += float64(units) * (w.now - l.start).Hours() * ov / (1 + ov)
		}
	}
	// free capacity
	if p.active {
		w.give(l.prov, &d.spec.Request)
	}
	q := &d.spec.Request
	w.allocTotal[agents.ResCPU] -= int64(q.CPU)
	w.allocTotal[agents.ResMemory] -= int64(q.MemoryGB)
	if q.GPUs > 0 {
		w.allocTotal[q.GPUModel] -= int64(q.GPUs)
		w.cohortTotals[p.prof.Cohort].gpusLeased -= int64(q.GPUs)
	}
	// unlink from the provider and the active list
	last := p.leases[len(p.leases)-1]
	p.leases[l.posProv] = last
	w.leases[last].posProv = l.posProv
	p.leases = p.leases[:len(p.leases)-1]
	lastA := w.activeLeases[len(w.activeLeases)-1]
	w.activeLeases[l.posAct] = lastA
	w.leases[lastA].posAct = l.posAct
	w.activeLeases = w.activeLeases[:len(w.activeLeases)-1]
	w.q.Cancel(l.closeH)
	l.closeH = Handle{}
	w.leaseFree = append(w.leaseFree, lid)
	if l.balance < 0 {
		panic("sim: negative lease balance")
	}
	d.lease = -1
	w.cancel(&d.dryH)
	w.cancel(&d.topUpH)
	switch reason {
	case closeTenant:
		w.counters[MLeasesClosedTenantTotal]++
		w.closeDeployment(id)
	case closeFunds:
		w.counters[MLeasesClosedFundsTotal]++
		w.closeDeployment(id)
	case closeProvider:
		w.counters[MLeasesClosedProviderTotal]++
		c := &w.cfg.Tenants[d.cohort]
		if w.rngBehaviour[d.cohort].Float64() < c.RestartProb && d.endAt > w.now {
			d.state = depWaiting
			d.deadline = w.now + c.Patience.T()
			w.cancel(&d.endH)
			w.post(id)
		} else {
			w.closeDeployment(id)
		}
	default:
		panic("sim: unknown close reason")
	}
	if w.ms.waiting != nil && p.active {
		r, _ := class(q)
		w.serveQueue(r)
		if r != agents.ResCPU && q.CPU > 0 {
			w.serveQueue(agents.ResCPU)
		}
	}
}

// closeDeployment refunds the escrow's remaining funds to the tenant and
// frees the deployment.
func (w *World) closeDeployment(id int32) {
	d := &w.deps[id]
	if len(d.bids) > 0 {
		w.releaseBids(id, -1)
	}
	refund := d.funds / market.RateScale
	if refund > 0 {
		w.ledger.Transfer(w.escrow, w.wallets[d.cohort], d.denom, refund)
	}
	d.funds = 0
	for _, h := range []*Handle{&d.selectH, &d.timeoutH, &d.retryH, &d.endH, &d.dryH, &d.topUpH} {
		w.cancel(h)
	}
	d.state = depFree
	d.gen++
	w.depFree = append(w.depFree, id)
}
