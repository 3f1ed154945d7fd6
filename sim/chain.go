package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// chain is the token layer of a world: the x/mint module, staking, the
// emission schedule, the burn-mint equilibrium, the token price, incentive
// programs, airdrop seasons and the governance schedule. Its epoch runs in
// PhaseTokenomics every Tokenomics.Epoch from the start (not during the
// warmup, so the chain's state at the start is the scenario's).
type chain struct {
	mint      tokenomics.MintParams
	inflation float64
	staking   *tokenomics.Staking
	emission  tokenomics.Emission
	issued    int64 // emitted by the schedule so far
	bme       *tokenomics.BME
	price     tokenomics.PriceProcess
	rngPrice  *rand.Rand
	settle    string // settlement era for new deployments

	programs []programState
	seasons  []seasonState

	bonded, unbonding, validators, treasury, vault tokenomics.Account

	last       Time  // time of the last epoch
	lastStake  Time  // time of the last staking step
	lastHeight int64 // block height of the last epoch
	netBuyUSD  float64

	// baselines and totals since the start, for metrics
	mintedAtStart, burnedAtStart int64
	vaultNetAtStart              int64 // BME AKT in minus paid out, at the start
	subsidies, emissions, fees   int64
	airdrops                     int64
	revenueUSD                   float64

	// token income (emissions, subsidies, airdrops) per listed GPU-hour of
	// each provider cohort over the last epoch, USD: what entrants expect
	tokenIncomePerGPUHour []float64
	weights               []float64 // emission weight by resource
	epochTokenUSD         []float64 // by provider cohort, this epoch
}

type programState struct {
	p       *tokenomics.IncentiveProgram
	cohorts []bool // by provider cohort index
	paidUSD float64
	funding tokenomics.Account
	acct    tokenomics.Account // the program's own account: payments pass through it
}

type seasonState struct {
	s       *tokenomics.Season
	points  []float64 // by provider id
	alloc   []int64
	snapped bool
	claimed bool
}

// initChain opens the token layer's accounts and state. Called by
// NewWorld after the ledger exists.
func (w *World) initChain() {
	tp := &w.cfg.Tokenomics
	c := &w.chain
	c.mint = tp.Inflation
	c.inflation = tp.Inflation.Initial
	c.staking = tokenomics.NewStaking(tp.Staking)
	em, err := tokenomics.NewEmission(tp.Emission)
	if err != nil {
		panic("sim: " + err.Error())
	}
	c.emission = em
	c.tokenIncomePerGPUHour = make([]float64, len(w.cfg.Providers))
	c.epochTokenUSD = make([]float64, len(w.cfg.Providers))
	c.bonded = w.ledger.Open("bonded")
	c.unbonding = w.ledger.Open("unbonding")
	c.validators = w.ledger.Open("validators")
	c.treasury = w.ledger.Open("treasury")
	c.vault = w.ledger.Open("bme-vault")
	c.bme = tokenomics.NewBME(tp.BME, w.ledger, c.vault)
	c.settle = tp.Settlement
	if amt := tokenomics.Tokens(tp.TreasuryAKT); amt > 0 {
		w.ledger.Transfer(w.holders, c.treasury, tokenomics.AKT, amt)
	}
	bonded := int64(math.Round(tp.Staking.BondedRatio * float64(w.ledger.Supply(tokenomics.AKT))))
	w.ledger.Transfer(w.holders, c.bonded, tokenomics.AKT, min(bonded, w.ledger.Balance(w.holders, tokenomics.AKT)))

	var path *tokenomics.PricePath
	if tp.Price.Model == "csv" {
		path = w.cfg.PricePath
		if path == nil {
			panic("sim: csv price model without a loaded price path")
		}
	}
	pp := tp.Price
	pp.InitialUSD = tp.TokenPriceUSD
	price, err := tokenomics.NewPriceProcess(pp, path)
	if err != nil {
		panic("sim: " + err.Error())
	}
	c.price = price
	w.setTokenPrice(price.Price())

	for i := range tp.Incentives {
		p := &tp.Incentives[i]
		ps := programState{p: p, cohorts: make([]bool, len(w.cfg.Providers)), funding: w.pool, acct: w.ledger.Open("incentives/" + p.Name)}
		if p.Funding == "treasury" {
			ps.funding = c.treasury
		}
		for ci, pc := range w.cfg.Providers {
			ps.cohorts[ci] = slices.Contains(p.Cohorts, pc.Name)
		}
		c.programs = append(c.programs, ps)
	}
	for i := range tp.Seasons {
		c.seasons = append(c.seasons, seasonState{s: &tp.Seasons[i]})
	}
	if c.settle == tokenomics.SettlementBME {
		w.startBME()
	}
	for i, g := range tp.Governance {
		w.schedule(w.origin+g.At.T(), PhaseTokenomics, evGovernance, int32(i), 0)
	}
	w.scheduleIn(w.laneEpoch, w.origin, PhaseTokenomics, evEpoch, 0, 0)
}

// setTokenPrice sets the staking token's USD price and the conversions
// that depend on it.
func (w *World) setTokenPrice(p float64) {
	if !(p > 0) || math.IsInf(p, 0) {
		panic(fmt.Sprintf("sim: token price %v", p))
	}
	w.priceUSD[tokenomics.AKT] = p
	w.usdHourToRate[tokenomics.AKT] = float64(tokenomics.BaseUnits) / p * w.cfg.Tokenomics.BlockSeconds / 3600 * market.RateScale
}

// startBME switches new deployments to ACT credits: the vault is seeded
// from the community pool (akash.md §7, v2.0.0 upgrade) when it can be.
func (w *World) startBME() {
	c := &w.chain
	c.settle = tokenomics.SettlementBME
	if c.bme.Vault() == 0 && w.ledger.Balance(w.pool, tokenomics.AKT) >= tokenomics.Tokens(w.cfg.Tokenomics.BME.VaultSeedAKT) {
		if err := c.bme.Seed(w.pool); err != nil {
			panic("sim: " + err.Error())
		}
	}
}

// epoch runs the token layer from the last epoch to now: mint, emissions,
// subsidies, seasons, staking and the price, in that order.
func (w *World) epoch() {
	c := &w.chain
	if w.now == w.origin {
		c.mintedAtStart = w.ledger.Minted(tokenomics.AKT)
		c.burnedAtStart = w.ledger.Burned(tokenomics.AKT)
		bt := c.bme.Totals()
		c.vaultNetAtStart = bt.AKTIn - bt.AKTFromVault
		c.last, c.lastHeight, c.lastStake = w.now, w.height(w.now), w.now
		w.scheduleIn(w.laneEpoch, w.now+w.cfg.Tokenomics.Epoch.T(), PhaseTokenomics, evEpoch, 0, 0)
		return
	}
	from, to := c.last-w.origin, w.now-w.origin
	dt := w.now - c.last
	h := w.height(w.now)

	w.mintTo(h)
	w.payEmissions(from, to)
	w.paySubsidies(from, to)
	w.runSeasons(from, to)

	w.stakeTo(w.now)

	// what a provider of each cohort earned in tokens per listed GPU-hour
	gpuHours := make([]float64, len(w.cfg.Providers))
	for _, id := range w.active {
		p := &w.providers[id]
		for r := agents.ResGPU0; r < w.nres; r++ {
			gpuHours[p.prof.Cohort] += float64(p.prof.Capacity[r]) * dt.Hours()
		}
	}
	for ci := range c.epochTokenUSD {
		c.tokenIncomePerGPUHour[ci] = 0
		if gpuHours[ci] > 0 {
			c.tokenIncomePerGPUHour[ci] = c.epochTokenUSD[ci] / gpuHours[ci]
		}
		c.epochTokenUSD[ci] = 0
	}

	// price
	w.setTokenPrice(c.price.Step(from, dt, c.netBuyUSD, w.chain.rngPrice))
	c.netBuyUSD = 0
	c.last, c.lastHeight = w.now, h
	w.scheduleIn(w.laneEpoch, w.now+w.cfg.Tokenomics.Epoch.T(), PhaseTokenomics, evEpoch, 0, 0)
}

// mintTo runs x/mint and x/distribution block by block from the last
// minted block to height h. The epoch calls it, and so does a governance
// change of the inflation parameters, so that the blocks before the
// change mint under the old parameters.
func (w *World) mintTo(h int64) {
	c := &w.chain
	if blocks := h - c.lastHeight; blocks > 0 && c.mint.Model != "none" {
		supply := w.ledger.Supply(tokenomics.AKT)
		r := c.mint.Advance(c.inflation, w.ledger.Balance(c.bonded, tokenomics.AKT), supply, blocks)
		c.inflation = r.Inflation
		w.ledger.Mint(w.pool, tokenomics.AKT, r.CommunityPool)
		w.ledger.Mint(c.validators, tokenomics.AKT, r.Validators)
		w.ledger.Mint(w.holders, tokenomics.AKT, r.Delegators)
	}
	c.lastHeight = max(c.lastHeight, h)
}

// stakeTo runs the staking rule from the last staking step to now:
// holders bond or unbond toward the outside yield. The epoch calls it, and
// so does a governance change of the staking parameters, so that the time
// before the change follows the old ones.
func (w *World) stakeTo(now Time) {
	c := &w.chain
	dt := now - c.lastStake
	if dt <= 0 {
		return
	}
	supply := w.ledger.Supply(tokenomics.AKT)
	bonded := w.ledger.Balance(c.bonded, tokenomics.AKT)
	bond, unbond, release := c.staking.Step(now, dt, w.stakingAPR(), supply, bonded, w.ledger.Balance(w.holders, tokenomics.AKT))
	w.ledger.Transfer(c.unbonding, w.holders, tokenomics.AKT, release)
	w.ledger.Transfer(w.holders, c.bonded, tokenomics.AKT, bond)
	w.ledger.Transfer(c.bonded, c.unbonding, tokenomics.AKT, unbond)
	c.lastStake = now
}

// stakingAPR is the delegators' yield at the current state.
func (w *World) stakingAPR() float64 {
	c := &w.chain
	if c.mint.Model == "none" {
		return 0
	}
	s := w.ledger.Supply(tokenomics.AKT)
	if s == 0 {
		return 0
	}
	return c.mint.StakingAPR(c.inflation, float64(w.ledger.Balance(c.bonded, tokenomics.AKT))/float64(s))
}

// payEmissions mints the emission schedule's amount over (from, to]
// (times from the scenario start; the schedule's own clock starts at its
// Start) to active providers: the job share pro rata to the GPUs they
// have in leases now (CPU cores when no GPU is listed), the rest pro rata
// to their listed GPUs (CPU cores) times each resource's weight. Each share is rounded down; only what is paid
// is minted (a job share with no work in leases is not emitted).
func (w *World) payEmissions(from, to Time) {
	c := &w.chain
	ep := &w.cfg.Tokenomics.Emission
	start := ep.Start.T()
	if to <= start {
		return
	}
	amt := c.emission.Emit(max(from, start)-start, to-start, c.issued)
	if amt <= 0 {
		return
	}
	lo, hi := agents.ResGPU0, w.nres
	if w.gpuCapacity() == 0 {
		lo, hi = agents.ResCPU, agents.ResCPU+1
	}
	if c.weights == nil {
		c.weights = make([]float64, w.nres)
		for r := range c.weights {
			c.weights[r] = 1
			if v, ok := ep.Weights[w.cat.Key(r)]; ok {
				c.weights[r] = v
			}
		}
	}
	listed := func(p *provider) float64 {
		g := 0.0
		for r := lo; r < hi; r++ {
			g += float64(p.prof.Capacity[r]) * c.weights[r]
		}
		return g
	}
	leased := func(p *provider) float64 { // units in active leases (not open bids)
		g := 0.0
		for _, lid := range p.leases {
			q := &w.deps[w.leases[lid].dep].spec.Request
			switch {
			case lo == agents.ResCPU:
				g += float64(q.CPU)
			case q.GPUs > 0:
				g += float64(q.GPUs)
			}
		}
		return g
	}
	job := int64(float64(amt) * w.cfg.Tokenomics.Emission.JobShare)
	paid := w.payPool(amt-job, listed) + w.payPool(job, leased)
	c.issued += paid
	c.emissions += paid
}

// payPool mints amt to active providers pro rata to weight, each share
// rounded down, and returns what it minted.
func (w *World) payPool(amt int64, weight func(p *provider) float64) int64 {
	if amt <= 0 {
		return 0
	}
	total := 0.0
	for _, id := range w.active {
		total += weight(&w.providers[id])
	}
	if total == 0 {
		return 0
	}
	paid := int64(0)
	for _, id := range w.sortedActive() {
		p := &w.providers[id]
		share := int64(float64(amt) * weight(p) / total)
		if share <= 0 {
			continue
		}
		w.ledger.Mint(p.acct, tokenomics.AKT, share)
		paid += share
		w.creditIncome(p, share)
	}
	return paid
}

// paySubsidies pays every incentive program's providers for (from, to].
func (w *World) paySubsidies(from, to Time) {
	c := &w.chain
	price := w.priceUSD[tokenomics.AKT]
	var active []int32 // sorted once, for every running program
	for i := range c.programs {
		ps := &c.programs[i]
		if ps.p.End() <= from || ps.p.Start.T() >= to {
			continue
		}
		if active == nil {
			active = w.sortedActive()
		}
		for _, id := range active {
			p := &w.providers[id]
			if !ps.cohorts[p.prof.Cohort] {
				continue
			}
			gpus, leased, ask := 0, 0, 0.0
			for r := agents.ResGPU0; r < w.nres; r++ {
				k := int(p.prof.Capacity[r])
				gpus += k
				leased += k - int(p.free[r])
				ask += float64(k) * p.prof.Ask[r]
			}
			if gpus == 0 {
				continue
			}
			util := float64(leased) / float64(gpus)
			usd := ps.p.Cap(ps.p.Payout(from, to, gpus, util, ask/float64(gpus)), ps.paidUSD)
			tokens := min(int64(usd/price*tokenomics.BaseUnits), w.ledger.Balance(ps.funding, tokenomics.AKT))
			if tokens <= 0 {
				continue
			}
			w.ledger.Transfer(ps.funding, ps.acct, tokenomics.AKT, tokens)
			w.ledger.Transfer(ps.acct, p.acct, tokenomics.AKT, tokens)
			ps.paidUSD += float64(tokens) / tokenomics.BaseUnits * price
			c.subsidies += tokens
			w.creditIncome(p, tokens)
		}
	}
}

// runSeasons accrues points for listed GPUs, takes each season's snapshot
// at its end and pays its claims, from the treasury, at its claim time.
func (w *World) runSeasons(from, to Time) {
	c := &w.chain
	for i := range c.seasons {
		ss := &c.seasons[i]
		if len(ss.points) < len(w.providers) {
			ss.points = append(ss.points, make([]float64, len(w.providers)-len(ss.points))...)
		}
		for _, id := range w.active {
			if from >= ss.s.End.T() || to <= ss.s.Start.T() {
				break // the epoch is outside the season: no points for anyone
			}
			p := &w.providers[id]
			gpus := 0
			for r := agents.ResGPU0; r < w.nres; r++ {
				gpus += int(p.prof.Capacity[r])
			}
			ss.points[id] += ss.s.Points(from, to, gpus)
		}
		if !ss.snapped && to >= ss.s.End.T() {
			ss.alloc = ss.s.Allocate(ss.points)
			ss.snapped = true
		}
		if ss.snapped && !ss.claimed && to >= ss.s.ClaimAt.T() {
			ss.claimed = true
			for id, amt := range ss.alloc {
				amt = min(amt, w.ledger.Balance(c.treasury, tokenomics.AKT))
				if amt <= 0 {
					continue
				}
				p := &w.providers[id]
				w.ledger.Transfer(c.treasury, p.acct, tokenomics.AKT, amt)
				c.airdrops += amt
				w.creditIncome(p, amt)
			}
		}
	}
}

// creditIncome adds a token income of amt base units to provider p's
// income at the current price; the provider sells it (sell flow).
func (w *World) creditIncome(p *provider, amt int64) {
	usd := float64(amt) / tokenomics.BaseUnits * w.priceUSD[tokenomics.AKT]
	p.incomeUSD += usd
	w.chain.epochTokenUSD[p.prof.Cohort] += usd
	w.chain.revenueUSD += usd
	w.cohortTotals[p.prof.Cohort].incomeUSD += usd
	w.chain.netBuyUSD -= usd
}

// sortedActive returns the active providers in id order (the active list
// is swap-removed, so its order depends on history).
func (w *World) sortedActive() []int32 {
	w.sortBuf = append(w.sortBuf[:0], w.active...)
	slices.Sort(w.sortBuf)
	return w.sortBuf
}

func (w *World) gpuCapacity() int64 {
	var g int64
	for r := agents.ResGPU0; r < w.nres; r++ {
		g += w.capTotal[r]
	}
	return g
}

// governance applies change i of the schedule.
func (w *World) governance(i int) {
	g := &w.cfg.Tokenomics.Governance[i]
	c := &w.chain
	f, isNum := toFloat(g.Value)
	if strings.HasPrefix(g.Key, "tokenomics.inflation.") && w.now > w.origin {
		// the blocks since the last epoch were made under the old parameters
		w.mintTo(w.height(w.now))
	}
	if g.Key == "tokenomics.settlement" {
		s, _ := g.Value.(string)
		switch s {
		case tokenomics.SettlementBME:
			w.startBME()
		case tokenomics.SettlementTake:
			c.settle = tokenomics.SettlementTake
		default:
			panic(fmt.Sprintf("sim: governance %s = %v", g.Key, g.Value))
		}
		return
	}
	if !isNum {
		panic(fmt.Sprintf("sim: governance %s needs a number, got %v", g.Key, g.Value))
	}
	switch g.Key {
	case "tokenomics.take_rate.akt", "tokenomics.take_rate.usdc", "tokenomics.take_rate.act":
		d, err := tokenomics.ParseDenom(g.Key[len("tokenomics.take_rate."):])
		if err != nil {
			panic("sim: governance: " + err.Error())
		}
		w.takeBPS[d] = int64(math.Round(f * 10_000))
	case "tokenomics.inflation.min":
		c.mint.InflationMin = f
	case "tokenomics.inflation.max":
		c.mint.InflationMax = f
	case "tokenomics.inflation.rate_change":
		c.mint.RateChange = f
	case "tokenomics.inflation.goal_bonded":
		c.mint.GoalBonded = f
	case "tokenomics.inflation.community_tax":
		c.mint.CommunityTax = f
	case "tokenomics.inflation.commission":
		c.mint.Commission = f
	case "tokenomics.staking.outside_yield", "tokenomics.staking.speed":
		if w.now > w.origin {
			w.mintTo(w.height(w.now)) // the staking step reads the APR at now
			w.stakeTo(w.now)
		}
		if err := c.staking.Set(g.Key[len("tokenomics.staking."):], f); err != nil {
			panic("sim: governance: " + err.Error())
		}
	default:
		panic("sim: unknown governance key " + g.Key)
	}
	c.inflation = math.Min(math.Max(c.inflation, c.mint.InflationMin), c.mint.InflationMax)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// sampleChain fills the token layer's metrics of a sample.
func (w *World) sampleChain(v []float64) {
	c := &w.chain
	whole := tokenomics.Whole
	supply := w.ledger.Supply(tokenomics.AKT)
	v[MTokenSupply] = whole(supply)
	v[MBondedRatio] = ratio(float64(w.ledger.Balance(c.bonded, tokenomics.AKT)), float64(supply))
	v[MInflationRate] = 0
	if c.mint.Model != "none" {
		v[MInflationRate] = c.inflation
	}
	v[MStakingAPR] = w.stakingAPR()
	v[MMintedTotal] = whole(w.ledger.Minted(tokenomics.AKT) - c.mintedAtStart)
	// AKT locked in the BME vault by mints and not paid back out counts as
	// burned (it left circulation); AKT minted by redemptions counts in
	// minted_total
	bt := c.bme.Totals()
	v[MBurnedTotal] = whole(w.ledger.Burned(tokenomics.AKT) - c.burnedAtStart + bt.AKTIn - bt.AKTFromVault - c.vaultNetAtStart)
	v[MProviderRevenueUSDTotal] = c.revenueUSD
	v[MSubsidiesPaidTotal] = whole(c.subsidies)
	v[MEmissionsTotal] = whole(c.emissions)
	v[MFeesTotal] = whole(c.fees)
	v[MUnbonding] = whole(w.ledger.Balance(c.unbonding, tokenomics.AKT))
	v[MACTSupply] = whole(w.ledger.Supply(tokenomics.ACT))
	v[MBMEVault] = whole(c.bme.Vault())
	v[MBMECollateralRatio] = math.NaN()
	if w.ledger.Supply(tokenomics.ACT) > 0 {
		v[MBMECollateralRatio] = c.bme.CollateralRatio(w.priceUSD[tokenomics.AKT])
	}
	v[MAirdropsClaimedTotal] = whole(c.airdrops)
}
