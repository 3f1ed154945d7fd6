package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// chain is the token layer of a world: the ledger every token moves
// through and its accounts, the token price and the conversions that
// depend on it, the x/mint module, staking, the emission schedule, the
// burn-mint equilibrium, incentive programs, airdrop seasons, the
// governable parameters (take rates, settlement era) and the totals the
// metrics report. Its epoch runs in PhaseTokenomics every Tokenomics.Epoch
// from the start (not during the warmup, so the chain's state at the
// start is the scenario's).
type chain struct {
	ledger                                         *tokenomics.Ledger
	holders, pool, escrow, bidEscrow, deviceStakes tokenomics.Account
	bonded, unbonding, validators, treasury, vault tokenomics.Account

	blockNanos    int64   // block time, ns
	blockSeconds  float64 // the same, in seconds (rate conversions)
	priceUSD      [tokenomics.NumDenoms]float64
	usdHourToRate [tokenomics.NumDenoms]float64 // USD/h -> base units/block x market.RateScale
	takeBPS       [tokenomics.NumDenoms]int64
	settle        string                // settlement era for new deployments
	settlement    tokenomics.Settlement // a withdrawal's settlement (withdraw's scratch)

	mint      tokenomics.MintParams
	inflation float64
	staking   *tokenomics.Staking
	emission  tokenomics.Emission
	issued    int64 // emitted by the schedule so far
	bme       *tokenomics.BME
	price     tokenomics.PriceProcess
	rngPrice  *rand.Rand

	programs []programState
	seasons  []seasonState

	last       Time  // time of the last epoch
	lastStake  Time  // time of the last staking step
	lastHeight int64 // block height of the last minted block
	netBuyUSD  float64

	// baselines and totals since the start, for metrics
	mintedAtStart, burnedAtStart int64
	vaultNetAtStart              int64 // BME AKT in minus paid out, at the start
	subsidies, emissions         int64
	// fees are the take fees in base units of the staking token, summed
	// in float64: exact while below 2^53 base units, and beyond it (fees
	// in USDC at a token price near 1e-9) rounded, never wrapped
	fees       float64
	airdrops   int64
	revenueUSD float64

	weights       []float64 // emission weight by resource
	epochTokenUSD []float64 // token income by provider cohort, this epoch
	gpuHoursBuf   []float64 // gpuHours' result, reused
	sumGPUHours   bool      // tests: gpuHours always sums over the providers

	// the epoch's per-provider work, kept between epochs (see provFacts
	// and sortedActive in incentives.go)
	facts      []provFacts // by provider id: what its fixed profile gives
	sorted     []int32     // the active providers in id order
	sortedUpTo int         // providers (ids below it) sorted considers
	poolW      []float64   // payPool's weights by provider id, this call
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

// openBank opens the ledger with the accounts of the market and mints the
// supply at the start: the community pool and the treasury (moved in
// initChain) are parts of it, the rest is held outside the model.
func (c *chain) openBank(tp *tokenomics.Params) {
	c.ledger = tokenomics.NewLedger()
	c.holders = c.ledger.Open("holders")
	c.pool = c.ledger.Open("community-pool")
	c.escrow = c.ledger.Open("escrow")
	c.bidEscrow = c.ledger.Open("bid-escrow")
	c.deviceStakes = c.ledger.Open("device-stakes")
	c.ledger.Mint(c.holders, tokenomics.AKT, tokenomics.Tokens(tp.CirculatingSupplyAKT)-tokenomics.Tokens(tp.CommunityPoolAKT))
	c.ledger.Mint(c.pool, tokenomics.AKT, tokenomics.Tokens(tp.CommunityPoolAKT))
	c.blockSeconds = tp.BlockSeconds
	c.blockNanos = int64(tp.BlockSeconds * float64(Second))
	c.priceUSD[tokenomics.AKT] = tp.TokenPriceUSD
	c.priceUSD[tokenomics.USDC] = 1
	c.priceUSD[tokenomics.ACT] = 1 // ACT is pegged to the USD (akash.md §7)
	for d := tokenomics.Denom(0); d < tokenomics.NumDenoms; d++ {
		c.takeBPS[d] = tp.TakeBasisPoints(d)
		c.usdHourToRate[d] = float64(tokenomics.BaseUnits) / c.priceUSD[d] * tp.BlockSeconds / 3600 * market.RateScale
	}
}

// initChain opens the token layer's accounts and state and schedules its
// epoch and governance changes. Called by NewWorld after the ledger
// exists.
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
	c.epochTokenUSD = make([]float64, len(w.cfg.Providers))
	c.bonded = c.ledger.Open("bonded")
	c.unbonding = c.ledger.Open("unbonding")
	c.validators = c.ledger.Open("validators")
	c.treasury = c.ledger.Open("treasury")
	c.vault = c.ledger.Open("bme-vault")
	c.bme = tokenomics.NewBME(tp.BME, c.ledger, c.vault)
	c.settle = tp.Settlement
	if amt := tokenomics.Tokens(tp.TreasuryAKT); amt > 0 {
		c.ledger.Transfer(c.holders, c.treasury, tokenomics.AKT, amt)
	}
	bonded := int64(math.Round(tp.Staking.BondedRatio * float64(c.ledger.Supply(tokenomics.AKT))))
	c.ledger.Transfer(c.holders, c.bonded, tokenomics.AKT, min(bonded, c.ledger.Balance(c.holders, tokenomics.AKT)))

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
	c.rngPrice = w.streams.Stream("token-price")
	c.setTokenPrice(price.Price())

	for i := range tp.Incentives {
		p := &tp.Incentives[i]
		ps := programState{p: p, cohorts: make([]bool, len(w.cfg.Providers)), funding: c.pool, acct: c.ledger.Open("incentives/" + p.Name)}
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
		c.startBME(tp.BME.VaultSeedAKT)
	}
	for i, g := range tp.Governance {
		w.at(w.origin+g.At.T(), evGovernance, int32(i), 0)
	}
	w.atLane(w.lanes.epoch, w.origin, evEpoch, 0, 0)
}

// height returns the block height at time t.
func (c *chain) height(t Time) int64 { return int64(t) / c.blockNanos }

// setTokenPrice sets the staking token's USD price and the conversions
// that depend on it.
func (c *chain) setTokenPrice(p float64) {
	if !(p > 0) || math.IsInf(p, 0) {
		panic(fmt.Sprintf("sim: token price %v", p))
	}
	c.priceUSD[tokenomics.AKT] = p
	c.usdHourToRate[tokenomics.AKT] = float64(tokenomics.BaseUnits) / p * c.blockSeconds / 3600 * market.RateScale
}

// toRate converts a price in USD per hour to a rate in denomination d at
// the current token price. A price beyond what a Rate represents (more
// than about 9.2 M tokens a block, at a token price near its 1e-9 USD
// floor) is rateMax: as an order's max price, one its tenant cannot fund
// (arrive counts it unfunded); as an ask, one above every funded order's
// max price, which never wins.
func (c *chain) toRate(usdHour float64, d tokenomics.Denom) market.Rate {
	v := usdHour * c.usdHourToRate[d]
	if !(v < rateLimit) {
		return rateMax
	}
	return market.Rate(math.Round(v))
}

// rateUSDHour converts a rate in denomination d to USD per hour at the
// current token price.
func (c *chain) rateUSDHour(r market.Rate, d tokenomics.Denom) float64 {
	return float64(r) / c.usdHourToRate[d]
}

// startBME switches new deployments to ACT credits: the vault is seeded
// with seedAKT from the community pool (akash.md §7, v2.0.0 upgrade) when
// it can be: once per run (the upgrade handler runs once), while the vault
// is empty and the pool holds the seed. A later switch back into the BME
// era (governance) does not seed again, even when the vault has been
// emptied or the seed was 0.
func (c *chain) startBME(seedAKT float64) {
	c.settle = tokenomics.SettlementBME
	if !c.bme.Seeded() && c.bme.Vault() == 0 && c.ledger.Balance(c.pool, tokenomics.AKT) >= tokenomics.Tokens(seedAKT) {
		if err := c.bme.Seed(c.pool); err != nil {
			panic("sim: " + err.Error())
		}
	}
}

// epoch runs the token layer from the last epoch to now: mint, emissions,
// subsidies, seasons, staking and the price, in that order.
func (w *World) epoch() {
	c := &w.chain
	if w.now == w.origin {
		c.mintedAtStart = c.ledger.Minted(tokenomics.AKT)
		c.burnedAtStart = c.ledger.Burned(tokenomics.AKT)
		bt := c.bme.Totals()
		c.vaultNetAtStart = bt.AKTIn - bt.AKTFromVault
		c.last, c.lastHeight, c.lastStake = w.now, c.height(w.now), w.now
		w.atLane(w.lanes.epoch, w.now+w.cfg.Tokenomics.Epoch.T(), evEpoch, 0, 0)
		return
	}
	from, to := c.last-w.origin, w.now-w.origin
	dt := w.now - c.last
	h := c.height(w.now)

	c.mintTo(h)
	w.payEmissions(from, to)
	w.paySubsidies(from, to)
	w.runSeasons(from, to)

	c.stakeTo(w.now)

	// what a provider of each cohort earned in tokens per listed GPU-hour
	gpuHours, _ := c.gpuHours(w, dt.Hours())
	for ci := range c.epochTokenUSD {
		pc := &w.prov.cohorts[ci]
		pc.tokenIncomePerGPUHourUSD = 0
		if gpuHours[ci] > 0 {
			pc.tokenIncomePerGPUHourUSD = c.epochTokenUSD[ci] / gpuHours[ci]
		}
		c.epochTokenUSD[ci] = 0
	}

	// price
	c.setTokenPrice(c.price.Step(from, dt, c.netBuyUSD, c.rngPrice))
	c.netBuyUSD = 0
	c.last, c.lastHeight = w.now, h
	w.atLane(w.lanes.epoch, w.now+w.cfg.Tokenomics.Epoch.T(), evEpoch, 0, 0)
}

// gpuHours returns the GPU-hours each provider cohort listed over the
// epoch that ends now (hours long): the sum over the active providers,
// in list order, of each one's GPUs of every model times the hours. When
// the hours are a whole number and the largest cohort's total times them
// is at most 2^53, every product and partial sum of that sum is an
// integer that float64 holds exactly, so it equals the cohort's GPU count
// (providerCohort.gpus, kept as providers enter and leave) times the
// hours, in any order: gpuHours then reads the counts instead of every
// provider (on ionet-2024, thousands each hour) and reports counted. The
// slice is reused by the next call.
func (c *chain) gpuHours(w *World, hours float64) (gh []float64, counted bool) {
	if n := len(w.prov.cohorts); cap(c.gpuHoursBuf) < n {
		c.gpuHoursBuf = make([]float64, n)
	}
	gh = c.gpuHoursBuf[:len(w.prov.cohorts)]
	clear(gh)
	exact := hours >= 0 && hours == math.Trunc(hours) && !c.sumGPUHours
	for ci := range w.prov.cohorts {
		exact = exact && float64(w.prov.cohorts[ci].gpus)*hours <= 1<<53
	}
	if exact {
		for ci := range w.prov.cohorts {
			gh[ci] = float64(w.prov.cohorts[ci].gpus) * hours
		}
		return gh, true
	}
	facts := w.provFacts()
	for _, id := range w.prov.active {
		f := &facts[id]
		if f.gpuModels <= 1 {
			// the one nonzero term of the sum over GPU models (adding
			// the zero terms changes nothing)
			gh[f.cohort] += float64(f.gpus) * hours
			continue
		}
		p := &w.prov.p[id]
		for r := agents.ResGPU0; r < w.nres; r++ {
			gh[f.cohort] += float64(p.prof.Capacity[r]) * hours
		}
	}
	return gh, false
}

// mintTo runs x/mint and x/distribution block by block from the last
// minted block to height h. The epoch calls it, and so does a governance
// change of the inflation parameters, so that the blocks before the
// change mint under the old parameters.
func (c *chain) mintTo(h int64) {
	if blocks := h - c.lastHeight; blocks > 0 && c.mint.Model != "none" {
		supply := c.ledger.Supply(tokenomics.AKT)
		r := c.mint.Advance(c.inflation, c.ledger.Balance(c.bonded, tokenomics.AKT), supply, blocks)
		c.inflation = r.Inflation
		c.ledger.Mint(c.pool, tokenomics.AKT, r.CommunityPool)
		c.ledger.Mint(c.validators, tokenomics.AKT, r.Validators)
		c.ledger.Mint(c.holders, tokenomics.AKT, r.Delegators)
	}
	c.lastHeight = max(c.lastHeight, h)
}

// stakeTo runs the staking rule from the last staking step to now:
// holders bond or unbond toward the outside yield. The epoch calls it, and
// so does a governance change of the staking parameters, so that the time
// before the change follows the old ones.
func (c *chain) stakeTo(now Time) {
	dt := now - c.lastStake
	if dt <= 0 {
		return
	}
	supply := c.ledger.Supply(tokenomics.AKT)
	bonded := c.ledger.Balance(c.bonded, tokenomics.AKT)
	bond, unbond, release := c.staking.Step(now, dt, c.stakingAPR(), supply, bonded, c.ledger.Balance(c.holders, tokenomics.AKT))
	c.ledger.Transfer(c.unbonding, c.holders, tokenomics.AKT, release)
	c.ledger.Transfer(c.holders, c.bonded, tokenomics.AKT, bond)
	c.ledger.Transfer(c.bonded, c.unbonding, tokenomics.AKT, unbond)
	c.lastStake = now
}

// stakingAPR is the delegators' yield at the current state.
func (c *chain) stakingAPR() float64 {
	if c.mint.Model == "none" {
		return 0
	}
	s := c.ledger.Supply(tokenomics.AKT)
	if s == 0 {
		return 0
	}
	return c.mint.StakingAPR(c.inflation, float64(c.ledger.Balance(c.bonded, tokenomics.AKT))/float64(s))
}

// sample fills the token layer's metrics of a sample.
func (c *chain) sample(v []float64) {
	whole := tokenomics.Whole
	supply := c.ledger.Supply(tokenomics.AKT)
	v[MCommunityPoolAKT] = whole(c.ledger.Balance(c.pool, tokenomics.AKT))
	v[MTokenPriceUSD] = c.priceUSD[tokenomics.AKT]
	v[MTokenSupply] = whole(supply)
	v[MBondedRatio] = ratio(float64(c.ledger.Balance(c.bonded, tokenomics.AKT)), float64(supply))
	v[MInflationRate] = 0
	if c.mint.Model != "none" {
		v[MInflationRate] = c.inflation
	}
	v[MStakingAPR] = c.stakingAPR()
	v[MMintedTotal] = whole(c.ledger.Minted(tokenomics.AKT) - c.mintedAtStart)
	// AKT locked in the BME vault by mints and not paid back out counts as
	// burned (it left circulation); AKT minted by redemptions counts in
	// minted_total
	bt := c.bme.Totals()
	v[MBurnedTotal] = whole(c.ledger.Burned(tokenomics.AKT) - c.burnedAtStart + bt.AKTIn - bt.AKTFromVault - c.vaultNetAtStart)
	v[MProviderRevenueUSDTotal] = c.revenueUSD
	v[MSubsidiesPaidTotal] = whole(c.subsidies)
	v[MEmissionsTotal] = whole(c.emissions)
	v[MFeesTotal] = c.fees / tokenomics.BaseUnits
	v[MUnbonding] = whole(c.ledger.Balance(c.unbonding, tokenomics.AKT))
	v[MACTSupply] = whole(c.ledger.Supply(tokenomics.ACT))
	v[MBMEVault] = whole(c.bme.Vault())
	v[MBMECollateralRatio] = math.NaN()
	if c.ledger.Supply(tokenomics.ACT) > 0 {
		v[MBMECollateralRatio] = c.bme.CollateralRatio(c.priceUSD[tokenomics.AKT])
	}
	v[MAirdropsClaimedTotal] = whole(c.airdrops)
}

// post applies a settlement's postings in order, provider being the
// lease's provider, and adds their buy flow to the epoch's.
func (c *chain) post(s *tokenomics.Settlement, provider tokenomics.Account) {
	// the ledger account of each role (tokenomics.RoleEscrow, RolePool,
	// RoleHolders, RoleProvider)
	accts := [...]tokenomics.Account{c.escrow, c.pool, c.holders, provider}
	for i := range s.N {
		p := &s.Postings[i]
		if p.Kind == tokenomics.PostBurn {
			c.ledger.Burn(accts[p.From], p.Denom, p.Amount)
		} else {
			c.ledger.Transfer(accts[p.From], accts[p.To], p.Denom, p.Amount)
		}
		c.netBuyUSD += p.BuyUSD
	}
}

// Ledger returns the world's ledger (read it, do not change it).
func (w *World) Ledger() *tokenomics.Ledger { return w.chain.ledger }
