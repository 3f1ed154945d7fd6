package sim_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

// Tests of the token layer wired into the world (chain.go): conservation
// and the metrics' identities over many seeds in every regime, then
// specific behaviours (the x/mint controller, governance timing, the
// warmup, provider kinds, seasons, subsidies, the burn-mint era) and
// determinism.

// ---- small worlds with a token layer ----

// tokenConfig is a small take-era world: 3 H100 providers (4 GPUs each),
// 3 A100 providers (2 GPUs each) and 4 CPU providers; GPU and CPU tenants
// paying in AKT and USDC; Cosmos inflation with staking that reacts
// quickly; a community pool and a treasury of 1M AKT each; a constant
// price. Invariants are checked after every event.
func tokenConfig(t testing.TB, days int) *sim.Config {
	t.Helper()
	cfg := baseConfig(t, days)
	cfg.Providers = []agents.ProviderCohort{
		gpuProviders("gpu-h100", 3, "h100", 4, 1.8, 0.4),
		gpuProviders("gpu-a100", 3, "a100", 2, 1.1, 0.25),
		cpuProviders("cpu", 4),
	}
	cfg.Tenants = []agents.TenantCohort{gpuTenants("gpu", 20), cpuTenants("cpu", 20)}
	tp := &cfg.Tokenomics
	tp.CommunityPoolAKT = 1_000_000
	tp.TreasuryAKT = 1_000_000
	tp.Staking.Speed = 5
	return cfg
}

func gbm(cfg *sim.Config, drift, vol float64) *sim.Config {
	cfg.Tokenomics.Price.Model = tokenomics.PriceGBM
	cfg.Tokenomics.Price.Drift = drift
	cfg.Tokenomics.Price.Volatility = vol
	return cfg
}

func withGeometricEmission(cfg *sim.Config) *sim.Config {
	// 1,000 tokens in the first hour, decaying 1% an hour: about 81,500
	// over a week, capped at 50,000 (reached after about 69 h)
	cfg.Tokenomics.Emission = tokenomics.EmissionParams{Kind: tokenomics.EmissionGeometric, Base: 1_000_000, Rate0: 0.001,
		Decay: 0.01, Epoch: dur(sim.Hour), Cap: 50_000}
	return cfg
}

func withLinearEmission(cfg *sim.Config) *sim.Config {
	// 10,000 tokens over 10 days, capped at 6,000 (reached at day 6)
	cfg.Tokenomics.Emission = tokenomics.EmissionParams{Kind: tokenomics.EmissionLinear, Total: 10_000,
		Duration: dur(10 * sim.Day), Cap: 6_000}
	return cfg
}

// withIncentives adds three programs: a per-gpu-hour program and a small
// one whose $500 budget runs out in about 3.5 days, both from the
// community pool, and a guaranteed-utilization program from a treasury
// of 100 AKT ($500), which runs dry.
func withIncentives(cfg *sim.Config) *sim.Config {
	tp := &cfg.Tokenomics
	tp.TreasuryAKT = 100
	tp.Incentives = []tokenomics.IncentiveProgram{
		{Name: "pool-per-gpu", Cohorts: []string{"gpu-h100"}, Mode: tokenomics.IncentivePerGPUHour, USDPerGPUHour: 0.5,
			Duration: dur(30 * sim.Day), BudgetUSD: 1e6, Funding: tokenomics.FundCommunityPool},
		{Name: "pool-small-budget", Cohorts: []string{"gpu-a100"}, Mode: tokenomics.IncentivePerGPUHour, USDPerGPUHour: 1,
			Duration: dur(30 * sim.Day), BudgetUSD: 500, Funding: tokenomics.FundCommunityPool},
		{Name: "treasury-guaranteed", Cohorts: []string{"gpu-a100", "gpu-h100"}, Mode: tokenomics.IncentiveGuaranteedUtilization,
			TargetUtilization: 0.8, Start: dur(sim.Day), Duration: dur(5 * sim.Day), BudgetUSD: 1e6, Funding: tokenomics.FundTreasury},
	}
	return cfg
}

// withSeason adds an airdrop season over days [0, 4) with claims at day
// 5, a mercenary A100 cohort that leaves from day 4 (hazard 0.5 at each
// 12-hourly review) and a fake H100 cohort (detected with probability 0.2
// at each review).
func withSeason(cfg *sim.Config) *sim.Config {
	merc := gpuProviders("mercenary", 6, "a100", 2, 1.1, 0.25)
	merc.Kind = agents.KindMercenary
	merc.LeaveAfter = dur(4 * sim.Day)
	merc.LeaveHazard = 0.5
	merc.ReviewEvery = dur(12 * sim.Hour)
	merc.ReviewWindow = dur(12 * sim.Hour)
	fake := gpuProviders("fake", 4, "h100", 4, 0.5, 0.1) // cheap asks: it would win every auction if it could
	fake.Kind = agents.KindFake
	fake.DetectionProb = 0.2
	fake.ReviewEvery = dur(12 * sim.Hour)
	fake.ReviewWindow = dur(12 * sim.Hour)
	cfg.Providers = append(cfg.Providers, merc, fake)
	cfg.Tokenomics.Seasons = []tokenomics.Season{{Name: "s1", End: dur(4 * sim.Day), ClaimAt: dur(5 * sim.Day),
		PointsPerGPUHour: 1, PoolTokens: 10_000}}
	return cfg
}

func bme(cfg *sim.Config) *sim.Config {
	cfg.Tokenomics.Settlement = tokenomics.SettlementBME
	return cfg
}

// withGovernance switches to the burn-mint era on day 2, raises the take
// rates on day 3, and narrows the inflation band on day 4 (clamping the
// rising inflation) and speeds up the controller on day 5.
func withGovernance(cfg *sim.Config) *sim.Config {
	cfg.Tokenomics.Governance = []tokenomics.GovernanceChange{
		{At: dur(2 * sim.Day), Key: "tokenomics.settlement", Value: "bme"},
		{At: dur(3 * sim.Day), Key: "tokenomics.take_rate.akt", Value: 0.05},
		{At: dur(3 * sim.Day), Key: "tokenomics.take_rate.act", Value: 0.1},
		{At: dur(3 * sim.Day), Key: "tokenomics.take_rate.usdc", Value: 0.3},
		{At: dur(4 * sim.Day), Key: "tokenomics.inflation.max", Value: 0.1505},
		{At: dur(4 * sim.Day), Key: "tokenomics.inflation.min", Value: 0.14},
		{At: dur(5 * sim.Day), Key: "tokenomics.inflation.rate_change", Value: 2.0},
		{At: dur(5 * sim.Day), Key: "tokenomics.inflation.goal_bonded", Value: 0.5},
	}
	return cfg
}

// ---- running them ----

// chainRun is one run's samples and the token layer's state at each.
type chainRun struct {
	res   sim.Result
	recs  []record
	views []sim.ChainView
	provs [][]sim.ProviderView
	w     *sim.World
}

func (r *chainRun) last() []float64 { return r.recs[len(r.recs)-1].Values }

// runChain runs one world with cfg.Check (the ledger and escrow after
// every event) and, at every sample, the structural checks, the kernel's
// sample checks (when the price is constant: they assume it) and the
// token layer's checks of checkChain. It returns the first violation as
// an error.
func runChain(cfg *sim.Config, seed uint64) (out chainRun, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("seed %d: %v", seed, p)
		}
	}()
	initial := 0
	for _, c := range cfg.Providers {
		if c.EnterAt.T() == 0 {
			initial += c.Count
		}
	}
	var fail string
	var masked []record // samples with the community pool masked (programs and the BME seed draw on it)
	var w *sim.World
	w = sim.NewWorld(cfg, 0, seed, sim.RecorderFunc(func(s *sim.Sample) {
		r := copySample(s)
		v := w.Chain()
		out.recs = append(out.recs, r)
		out.views = append(out.views, v)
		out.provs = append(out.provs, w.ProviderViews())
		m := copySample(s)
		m.Values[sim.MCommunityPoolAKT] = 0
		masked = append(masked, m)
		if fail != "" {
			return
		}
		n := len(out.recs)
		if ok, why := w.CheckInvariants(); !ok {
			fail = fmt.Sprintf("t=%v: %s", r.T, why)
			return
		}
		if ok, why := w.SortedActiveAgrees(); !ok {
			fail = fmt.Sprintf("t=%v: %s", r.T, why)
			return
		}
		if cfg.Tokenomics.Price.Model == tokenomics.PriceConstant {
			var prev *record
			if n > 1 {
				prev = &masked[n-2]
			}
			if why := checkSample(cfg, w, &masked[0], prev, &masked[n-1], initial); why != "" {
				fail = why
				return
			}
		}
		fail = checkChain(cfg, &out)
	}))
	out.w = w
	res, runErr := w.Run()
	out.res = res
	if runErr != nil {
		return out, fmt.Errorf("seed %d: %v", seed, runErr)
	}
	if fail != "" {
		return out, fmt.Errorf("seed %d: %s", seed, fail)
	}
	if ok, why := w.CheckInvariants(); !ok {
		return out, fmt.Errorf("seed %d: at the end: %s", seed, why)
	}
	return out, nil
}

func mustRunChain(t testing.TB, cfg *sim.Config, seed uint64) chainRun {
	t.Helper()
	r, err := runChain(cfg, seed)
	require.NoError(t, err)
	return r
}

// whole converts base units to whole tokens as the metrics do.
func whole(x int64) float64 { return tokenomics.Whole(x) }

// closeTo reports whether a and b agree within tol plus a relative 1e-12
// (metrics are whole tokens in float64: about 2e8 tokens hold 8 decimals).
func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol+1e-12*math.Max(math.Abs(a), math.Abs(b))
}

// checkChain checks the last sample of r against the token layer's state
// and the previous sample; it returns "" or what is wrong.
func checkChain(cfg *sim.Config, r *chainRun) string {
	n := len(r.recs)
	rec, cv := &r.recs[n-1], &r.views[n-1]
	v := rec.Values
	first, fv := r.recs[0].Values, &r.views[0]
	tp := &cfg.Tokenomics
	bad := func(format string, args ...any) string {
		return fmt.Sprintf("t=%v: ", rec.T) + fmt.Sprintf(format, args...)
	}

	// supply, staking
	if v[sim.MTokenSupply] != whole(cv.Supply) {
		return bad("token_supply %v, ledger %d", v[sim.MTokenSupply], cv.Supply)
	}
	if cv.Bonded > cv.Supply || cv.Bonded < 0 || !(v[sim.MBondedRatio] >= 0 && v[sim.MBondedRatio] <= 1) {
		return bad("bonded %d of supply %d (ratio %v)", cv.Bonded, cv.Supply, v[sim.MBondedRatio])
	}
	if cv.Unbonding != cv.StakingUnbonding || v[sim.MUnbonding] != whole(cv.Unbonding) {
		return bad("unbonding account %d, staking queue %d, metric %v", cv.Unbonding, cv.StakingUnbonding, v[sim.MUnbonding])
	}
	if cv.Treasury < 0 || cv.Pool < 0 || cv.Vault < 0 || cv.Holders < 0 {
		return bad("negative chain balance: %+v", *cv)
	}
	if !(v[sim.MStakingAPR] >= 0) {
		return bad("staking_apr %v", v[sim.MStakingAPR])
	}

	// inflation within its current bounds
	if tp.Inflation.Model == tokenomics.MintModelNone {
		if v[sim.MInflationRate] != 0 {
			return bad("inflation_rate %v without a mint model", v[sim.MInflationRate])
		}
	} else if v[sim.MInflationRate] != cv.Inflation || cv.Inflation < cv.InflationMin || cv.Inflation > cv.InflationMax {
		return bad("inflation %v (metric %v) outside [%v, %v]", cv.Inflation, v[sim.MInflationRate], cv.InflationMin, cv.InflationMax)
	}

	// minted and burned since the start: the AKT outside the BME vault
	// (seed excluded) changed by minted - burned
	if v[sim.MMintedTotal] != whole(cv.Minted-cv.MintedAtStart) {
		return bad("minted_total %v, ledger minted %d since the start", v[sim.MMintedTotal], cv.Minted-cv.MintedAtStart)
	}
	outside := func(c *sim.ChainView) int64 { return c.Supply - c.Vault + c.BME.SeedAKT }
	if got, want := whole(outside(cv)-outside(fv)), v[sim.MMintedTotal]-v[sim.MBurnedTotal]; !closeTo(got, want, 1e-6) {
		return bad("AKT outside the vault changed by %v since the start, minted_total - burned_total = %v - %v = %v",
			got, v[sim.MMintedTotal], v[sim.MBurnedTotal], want)
	}
	if first[sim.MMintedTotal] != 0 || first[sim.MBurnedTotal] != 0 {
		return bad("minted_total %v and burned_total %v at the start, want 0", first[sim.MMintedTotal], first[sim.MBurnedTotal])
	}

	// ACT: minted minus burned, and the collateral ratio from the ledger
	if cv.ACTSupply != cv.BME.ACTMinted-cv.BME.ACTBurned || v[sim.MACTSupply] != whole(cv.ACTSupply) {
		return bad("act supply %d (metric %v), BME minted %d - burned %d", cv.ACTSupply, v[sim.MACTSupply], cv.BME.ACTMinted, cv.BME.ACTBurned)
	}
	if v[sim.MBMEVault] != whole(cv.Vault) {
		return bad("bme_vault %v, ledger %d", v[sim.MBMEVault], cv.Vault)
	}
	if cv.ACTSupply == 0 {
		if !math.IsNaN(v[sim.MBMECollateralRatio]) {
			return bad("bme_collateral_ratio %v without ACT", v[sim.MBMECollateralRatio])
		}
	} else if cr := float64(cv.Vault) * cv.PriceUSD / float64(cv.ACTSupply); !closeTo(v[sim.MBMECollateralRatio], cr, 0) ||
		!closeTo(v[sim.MBMEVault]*v[sim.MTokenPriceUSD]/v[sim.MACTSupply], cr, 1e-9*cr) {
		return bad("bme_collateral_ratio %v, from the ledger %v", v[sim.MBMECollateralRatio], cr)
	}
	if v[sim.MTokenPriceUSD] != cv.PriceUSD || !(cv.PriceUSD > 0) {
		return bad("token_price_usd %v, world %v", v[sim.MTokenPriceUSD], cv.PriceUSD)
	}

	// programs: within their budgets, paid from their funding
	if len(cv.ProgramPaidUSD) != len(tp.Incentives) {
		return bad("%d program states for %d programs", len(cv.ProgramPaidUSD), len(tp.Incentives))
	}
	for i, paid := range cv.ProgramPaidUSD {
		if paid > tp.Incentives[i].BudgetUSD+0.01 || paid < 0 {
			return bad("program %s paid $%v of a $%v budget", tp.Incentives[i].Name, paid, tp.Incentives[i].BudgetUSD)
		}
	}
	if v[sim.MSubsidiesPaidTotal] != whole(cv.Subsidies) {
		return bad("subsidies_paid_total %v, chain %d", v[sim.MSubsidiesPaidTotal], cv.Subsidies)
	}

	// emissions: what the schedule issued, never above its cap
	if cv.Emissions != cv.Issued || v[sim.MEmissionsTotal] != whole(cv.Emissions) {
		return bad("emissions_total %v, chain %d, issued %d", v[sim.MEmissionsTotal], cv.Emissions, cv.Issued)
	}
	if c := tp.Emission.Cap; c > 0 && cv.Issued > tokenomics.Tokens(c) {
		return bad("emitted %d above the cap %v", cv.Issued, c)
	}
	if tp.Emission.Kind == tokenomics.EmissionNone && cv.Issued != 0 {
		return bad("emitted %d without a schedule", cv.Issued)
	}

	// airdrops: at most the pools, paid once
	pools := int64(0)
	for _, s := range tp.Seasons {
		pools += s.PoolBaseUnits()
	}
	if cv.Airdrops > pools || v[sim.MAirdropsClaimedTotal] != whole(cv.Airdrops) {
		return bad("airdrops %d (metric %v) of pools %d", cv.Airdrops, v[sim.MAirdropsClaimedTotal], pools)
	}

	// provider revenue: lease income (after take) plus the token layer's
	// payments, both since the start; at a constant price the latter are
	// the token totals times the price
	tokenUSD := v[sim.MProviderRevenueUSDTotal] - v[sim.MProviderIncomeUSDTotal]
	if tokenUSD < -1e-6*v[sim.MProviderRevenueUSDTotal]-1e-9 {
		return bad("provider_revenue_usd_total %v below provider_income_usd_total %v", v[sim.MProviderRevenueUSDTotal], v[sim.MProviderIncomeUSDTotal])
	}
	if tp.Price.Model == tokenomics.PriceConstant && tp.Settlement == tokenomics.SettlementTake && len(tp.Governance) == 0 {
		paid := (v[sim.MEmissionsTotal] + v[sim.MSubsidiesPaidTotal] + v[sim.MAirdropsClaimedTotal]) * tp.TokenPriceUSD
		if !closeTo(tokenUSD, paid, 1e-6*(1+v[sim.MProviderRevenueUSDTotal])) {
			return bad("provider revenue beyond leases $%v, token payments $%v", tokenUSD, paid)
		}
	}

	if n == 1 {
		return ""
	}
	prev, pv := r.recs[n-2].Values, &r.views[n-2]
	for _, m := range []int{sim.MMintedTotal, sim.MSubsidiesPaidTotal, sim.MEmissionsTotal, sim.MFeesTotal,
		sim.MAirdropsClaimedTotal, sim.MProviderRevenueUSDTotal} {
		if v[m] < prev[m] {
			return bad("%s went down from %v to %v", sim.Metrics[m].Name, prev[m], v[m])
		}
	}
	// burned_total is net of what the vault pays out: it falls by exactly
	// the AKT redemptions take from the vault, and otherwise never
	if got, want := v[sim.MBurnedTotal]-prev[sim.MBurnedTotal], whole(cv.BME.AKTIn-pv.BME.AKTIn)-whole(cv.BME.AKTFromVault-pv.BME.AKTFromVault)+whole(cv.Burned-pv.Burned); !closeTo(got, want, 1e-6) {
		return bad("burned_total moved by %v, vault inflow - outflow + ledger burns = %v", got, want)
	}
	if cv.BME.AKTFromVault == pv.BME.AKTFromVault && v[sim.MBurnedTotal] < prev[sim.MBurnedTotal] {
		return bad("burned_total went down from %v to %v without a vault payout", prev[sim.MBurnedTotal], v[sim.MBurnedTotal])
	}
	for i := range cv.ProgramPaidUSD {
		if cv.ProgramPaidUSD[i] < pv.ProgramPaidUSD[i] {
			return bad("program %d's paid USD went down", i)
		}
	}
	return ""
}

// ---- 1. conservation over many seeds, regime by regime ----

type regime struct {
	name  string
	mk    func(t testing.TB) *sim.Config
	seeds int
	// after checks what the regime did, given all its runs
	after func(t *testing.T, runs []chainRun)
}

func sumLast(runs []chainRun, m int) float64 {
	s := 0.0
	for i := range runs {
		if x := runs[i].last()[m]; !math.IsNaN(x) {
			s += x
		}
	}
	return s
}

func regimes() []regime {
	return []regime{
		{name: "take-cosmos-staking", mk: func(t testing.TB) *sim.Config { return tokenConfig(t, 7) },
			after: func(t *testing.T, runs []chainRun) {
				for _, r := range runs {
					f, l := r.recs[0].Values, r.last()
					// bonded 0.578 < goal 0.67: inflation rises from 0.15
					assert.Greater(t, l[sim.MInflationRate], f[sim.MInflationRate])
					assert.Greater(t, l[sim.MMintedTotal], 0.0)
					assert.NotEqual(t, f[sim.MBondedRatio], l[sim.MBondedRatio], "staking never moved")
					assert.Equal(t, 0.0, l[sim.MBurnedTotal])
					assert.True(t, math.IsNaN(l[sim.MBMECollateralRatio]))
				}
				assert.Greater(t, sumLast(runs, sim.MFeesTotal), 0.0)
			}},
		{name: "gbm-vol-1", mk: func(t testing.TB) *sim.Config { return gbm(tokenConfig(t, 7), 0, 1.0) },
			after: func(t *testing.T, runs []chainRun) {
				moved := 0
				for _, r := range runs {
					if r.last()[sim.MTokenPriceUSD] != 5 {
						moved++
					}
				}
				assert.Equal(t, len(runs), moved, "the GBM price never moved")
			}},
		{name: "endogenous", mk: func(t testing.TB) *sim.Config {
			cfg := tokenConfig(t, 7)
			cfg.Tokenomics.Price = tokenomics.PriceParams{Model: tokenomics.PriceEndogenous, InitialUSD: 5, Volatility: 0.3,
				Elasticity: 1, MarketDepthUSD: 20_000}
			return cfg
		}, after: func(t *testing.T, runs []chainRun) {
			for _, r := range runs {
				assert.NotEqual(t, 5.0, r.last()[sim.MTokenPriceUSD])
			}
		}},
		{name: "emission-geometric", mk: func(t testing.TB) *sim.Config { return withGeometricEmission(tokenConfig(t, 7)) },
			after: func(t *testing.T, runs []chainRun) {
				for _, r := range runs {
					// the cap binds: all of it is paid but what share rounding lost
					assert.InDelta(t, 50_000, r.last()[sim.MEmissionsTotal], 0.01)
				}
			}},
		{name: "emission-linear", mk: func(t testing.TB) *sim.Config { return withLinearEmission(tokenConfig(t, 7)) },
			after: func(t *testing.T, runs []chainRun) {
				for _, r := range runs {
					assert.InDelta(t, 6_000, r.last()[sim.MEmissionsTotal], 0.01)
					// 1,000 a day until the cap at day 6
					assert.InDelta(t, 3_000, r.recs[72].Values[sim.MEmissionsTotal], 0.01)
				}
			}},
		{name: "incentives", mk: func(t testing.TB) *sim.Config { return withIncentives(tokenConfig(t, 7)) },
			after: func(t *testing.T, runs []chainRun) {
				for _, r := range runs {
					cv := r.views[len(r.views)-1]
					assert.Greater(t, cv.ProgramPaidUSD[0], 0.0)
					assert.InDelta(t, 500, cv.ProgramPaidUSD[1], 0.01, "the small budget is spent")
					assert.Greater(t, cv.ProgramPaidUSD[2], 0.0)
					assert.Less(t, cv.Treasury, tokenomics.Tokens(1), "the treasury ran dry")
				}
			}},
		{name: "airdrop-mercenary-fake", mk: func(t testing.TB) *sim.Config { return withSeason(tokenConfig(t, 7)) },
			after: func(t *testing.T, runs []chainRun) {
				for _, r := range runs {
					assert.Equal(t, 10_000.0, r.last()[sim.MAirdropsClaimedTotal])
					assert.Greater(t, r.last()[sim.MProvidersExitedTotal], 0.0)
				}
			}},
		{name: "bme", mk: func(t testing.TB) *sim.Config { return bme(tokenConfig(t, 7)) },
			after: func(t *testing.T, runs []chainRun) {
				for _, r := range runs {
					assert.Greater(t, r.last()[sim.MACTSupply], 0.0)
				}
			}},
		{name: "bme-warmup", mk: func(t testing.TB) *sim.Config {
			cfg := bme(tokenConfig(t, 5))
			cfg.Sim.Warmup = dur(2 * sim.Day)
			return cfg
		}, seeds: 20, after: func(t *testing.T, runs []chainRun) {
			for _, r := range runs {
				assert.Greater(t, r.recs[0].Values[sim.MACTSupply], 0.0, "credits bought during the warmup")
			}
		}},
		{name: "governance", mk: func(t testing.TB) *sim.Config { return withGovernance(tokenConfig(t, 7)) },
			after: func(t *testing.T, runs []chainRun) {
				for _, r := range runs {
					cv := r.views[len(r.views)-1]
					assert.Equal(t, tokenomics.SettlementBME, cv.Settlement)
					assert.Equal(t, int64(500), cv.TakeBPS[tokenomics.AKT])
					assert.Equal(t, int64(1000), cv.TakeBPS[tokenomics.ACT])
					assert.Equal(t, int64(3000), cv.TakeBPS[tokenomics.USDC])
					assert.Greater(t, r.last()[sim.MACTSupply], 0.0)
					assert.Equal(t, 0.0, r.recs[47].Values[sim.MACTSupply], "no credits before the switch")
					assert.LessOrEqual(t, r.last()[sim.MInflationRate], 0.1505)
				}
			}},
	}
}

func TestChainConservation(t *testing.T) {
	t.Parallel()
	for _, rg := range regimes() {
		t.Run(rg.name, func(t *testing.T) {
			t.Parallel()
			cfg := rg.mk(t)
			validate(t, cfg)
			seeds := rg.seeds
			if seeds == 0 {
				seeds = 40
			}
			var runs []chainRun
			for seed := uint64(1); seed <= uint64(seedCount(seeds)); seed++ {
				runs = append(runs, mustRunChain(t, cfg, seed))
			}
			assert.Greater(t, sumLast(runs, sim.MLeasesStartedTotal), 0.0)
			rg.after(t, runs)
		})
	}
}

// ---- 2. specific behaviours ----

// quietConfig is a world with one provider and almost no tenants, for
// tests of the token layer alone over long horizons.
func quietConfig(t testing.TB, days int) *sim.Config {
	t.Helper()
	cfg := tokenConfig(t, days)
	cfg.Providers = cfg.Providers[:1]
	cfg.Providers[0].Count = 1
	cfg.Providers[0].ExitHazard = 0
	cfg.Tenants = []agents.TenantCohort{gpuTenants("gpu", 0.1)}
	cfg.Sim.SampleEvery = dur(sim.Day)
	cfg.Tokenomics.Epoch = dur(sim.Day)
	cfg.Tokenomics.Staking.Speed = 0 // the bonded amount stays put
	return cfg
}

// TestChainInflationClosedForm: over a year the x/mint controller moves
// the inflation by (1 - b/g)·k per N_yr blocks (akash.md "Model spec"
// §D.12), block by block, at 6.1 s blocks: after N days it is i0 +
// (1 - b̄/g)·k·blocks/N_yr before clamping, where b̄ is the bonded ratio
// averaged over the period (it drifts down as the supply grows). The
// supply grows by the inflation over N_yr blocks per year.
func TestChainInflationClosedForm(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name            string
		bonded, k, goal float64
		i0, lo, hi      float64
	}{
		{"below goal, rising", 0.5, 0.2, 0.67, 0.10, 0.05, 0.20},
		{"above goal, falling", 0.8, 0.3, 0.67, 0.15, 0.02, 0.20},
		{"below goal, reaches max", 0.5, 1.0, 0.67, 0.10, 0.05, 0.20},
		{"above goal, reaches min", 0.9, 1.0, 0.5, 0.15, 0.07, 0.20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := quietConfig(t, 365)
			tp := &cfg.Tokenomics
			tp.Staking.BondedRatio = c.bonded
			tp.Inflation.Initial, tp.Inflation.InflationMin, tp.Inflation.InflationMax = c.i0, c.lo, c.hi
			tp.Inflation.RateChange, tp.Inflation.GoalBonded = c.k, c.goal
			validate(t, cfg)
			r := mustRunChain(t, cfg, 1)
			require.Len(t, r.recs, 365)
			nyr := float64(tp.Inflation.BlocksPerYear)
			sumB, sumI := 0.0, 0.0 // trapezoid sums over days
			s0 := r.recs[0].Values[sim.MTokenSupply]
			for d := 1; d < 365; d++ {
				prev, cur := r.recs[d-1].Values, r.recs[d].Values
				sumB += (prev[sim.MBondedRatio] + cur[sim.MBondedRatio]) / 2
				sumI += (prev[sim.MInflationRate] + cur[sim.MInflationRate]) / 2
				blocks := float64(r.w.Height(sim.Time(d) * sim.Day))
				step := func(b float64) float64 { return (1 - b/c.goal) * c.k * blocks / nyr }
				bbar := sumB / float64(d)
				want := math.Min(math.Max(c.i0+step(bbar), c.lo), c.hi)
				got := cur[sim.MInflationRate]
				require.InDelta(t, want, got, 2e-6, "day %d", d)
				// the bounds of the drift: b between its start and now
				lo, hi := c.i0+step(r.recs[0].Values[sim.MBondedRatio]), c.i0+step(cur[sim.MBondedRatio])
				lo, hi = math.Min(lo, hi), math.Max(lo, hi)
				require.True(t, got >= math.Min(math.Max(lo, c.lo), c.hi)-1e-12 && got <= math.Min(math.Max(hi, c.lo), c.hi)+1e-12,
					"day %d: inflation %v outside [%v, %v]", d, got, lo, hi)
				// the supply compounds the mean inflation over N_yr blocks a year
				growth := math.Log(cur[sim.MTokenSupply] / s0)
				require.InDelta(t, sumI/float64(d)*blocks/nyr, growth, 2e-6, "day %d: supply growth", d)
			}
			last := r.last()[sim.MInflationRate]
			switch c.name {
			case "below goal, reaches max":
				assert.Equal(t, c.hi, last)
			case "above goal, reaches min":
				assert.Equal(t, c.lo, last)
			}
		})
	}
}

// TestChainStaking: holders unbond while the staking APR is below the
// outside yield and bond while it is above, by speed x (APR - yield) x dt
// of the supply at each epoch (akash.md "Model spec" §D.13); unbonded
// tokens are released after the unbonding period, so the unbonding
// balance is what left the bonded account during the last period.
func TestChainStaking(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		outside float64
	}{{"unbonding", 1.0}, {"bonding", 0}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := quietConfig(t, 6)
			cfg.Sim.SampleEvery = dur(sim.Hour)
			tp := &cfg.Tokenomics
			tp.Epoch = dur(sim.Hour)
			tp.Staking.OutsideYield = c.outside
			tp.Staking.Speed = 2
			tp.Staking.Unbonding = dur(2 * sim.Day)
			validate(t, cfg)
			r := mustRunChain(t, cfg, 1)
			period := int(2 * sim.Day / sim.Hour)
			for i := 1; i < len(r.views); i++ {
				prev, cur := &r.views[i-1], &r.views[i]
				// the epoch's rule, from the state after its mint
				apr := tp.Inflation.StakingAPR(cur.Inflation, float64(prev.Bonded)/float64(cur.Supply))
				delta := tp.Staking.Speed * (apr - c.outside) * (float64(sim.Hour) / float64(sim.Year))
				moved := int64(math.Round(math.Abs(delta) * float64(cur.Supply)))
				if c.outside > 0 {
					require.Less(t, delta, 0.0)
					require.Equal(t, prev.Bonded-moved, cur.Bonded, "hour %d", i)
					// unbonding holds the last two days' unbonds
					from := &r.views[max(i-period, 0)]
					require.Equal(t, from.Bonded-cur.Bonded, cur.Unbonding, "hour %d", i)
				} else {
					require.Greater(t, delta, 0.0)
					require.Equal(t, prev.Bonded+moved, cur.Bonded, "hour %d", i)
					require.Zero(t, cur.Unbonding)
				}
			}
			f, l := r.recs[0].Values, r.last()
			if c.outside > 0 {
				assert.Less(t, l[sim.MBondedRatio], f[sim.MBondedRatio])
				assert.Greater(t, l[sim.MStakingAPR], f[sim.MStakingAPR], "fewer bonded tokens share the rewards")
			} else {
				assert.Greater(t, l[sim.MBondedRatio], f[sim.MBondedRatio])
			}
		})
	}
}

// TestChainEmissionsProRata: the emission schedule pays active providers
// pro rata to their listed GPUs, each share rounded down; with no GPU
// listed anywhere it pays by CPU cores.
func TestChainEmissionsProRata(t *testing.T) {
	t.Parallel()
	for _, gpus := range []bool{true, false} {
		t.Run(fmt.Sprintf("gpus=%v", gpus), func(t *testing.T) {
			t.Parallel()
			cfg := withLinearEmission(tokenConfig(t, 3))
			cfg.Tenants = []agents.TenantCohort{gpuTenants("gpu", 0)} // income is the emission alone
			for i := range cfg.Providers {
				cfg.Providers[i].ExitHazard = 0
			}
			if !gpus {
				big := cpuProviders("cpu-big", 2)
				big.CPUCores = 48
				cfg.Providers = []agents.ProviderCohort{cfg.Providers[2], big}
			}
			validate(t, cfg)
			r := mustRunChain(t, cfg, 1)
			final := r.provs[len(r.provs)-1]
			weight, total := make([]float64, len(final)), 0.0
			for i, p := range final {
				weight[i] = float64(p.GPUs)
				if !gpus {
					weight[i] = float64(cfg.Providers[p.Cohort].CPUCores)
				}
				total += weight[i]
			}
			paid := int64(0)
			epochs := len(r.recs) - 1 // epochs after the start up to the last sample
			for i, p := range final {
				gain := p.AKT - tokenomics.Tokens(cfg.Providers[p.Cohort].BalanceAKT)
				paid += gain
				// 1,000 tokens a day split by weight, < 1 uakt lost per epoch
				want := 1000 * float64(epochs) / 24 * weight[i] / total * tokenomics.BaseUnits
				assert.InDelta(t, want, float64(gain), float64(epochs)+1, "provider %d", p.ID)
			}
			assert.Equal(t, r.views[len(r.views)-1].Emissions, paid, "providers got what was emitted")
		})
	}
}

// TestChainGovernanceTakeRate: a take-rate change at T applies to every
// withdrawal after T and to none before (withdrawals at T itself run in
// the settlement phase, before the tokenomics phase: they pay for leases
// before T at the old rate).
func TestChainGovernanceTakeRate(t *testing.T) {
	t.Parallel()
	cfg := tokenConfig(t, 6)
	for i := range cfg.Tenants {
		cfg.Tenants[i].USDCFraction = 0
	}
	T := 3 * sim.Day
	cfg.Tokenomics.Governance = []tokenomics.GovernanceChange{{At: dur(T), Key: "tokenomics.take_rate.akt", Value: 0.05}}
	validate(t, cfg)
	windows := [2]int{}
	for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
		r := mustRunChain(t, cfg, seed)
		for i := 1; i < len(r.recs); i++ {
			prev, cur := r.recs[i-1].Values, r.recs[i].Values
			fee := cur[sim.MTakeFeesUSDTotal] - prev[sim.MTakeFeesUSDTotal]
			gross := fee + cur[sim.MProviderIncomeUSDTotal] - prev[sim.MProviderIncomeUSDTotal]
			if gross < 1 {
				continue
			}
			want, k := 0.02, 0
			if r.recs[i-1].T >= T {
				want, k = 0.05, 1
			}
			windows[k]++
			require.InDelta(t, want, fee/gross, 2e-4, "seed %d, window ending at %v", seed, r.recs[i].T)
		}
		for i, rec := range r.recs {
			// the sample at T follows the change (phase tokenomics, then sample)
			want := int64(200)
			if rec.T >= T {
				want = 500
			}
			require.Equal(t, want, r.views[i].TakeBPS[tokenomics.AKT], "seed %d at %v", seed, rec.T)
		}
	}
	assert.Greater(t, windows[0], 20)
	assert.Greater(t, windows[1], 20)
}

// TestChainGovernanceInflationExact: lowering inflation.max at T clamps
// the inflation from T on, and nothing before T changes: the blocks
// before T mint under the old parameters, also when T falls between two
// epochs.
func TestChainGovernanceInflationExact(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		epoch sim.Time
		at    sim.Time
	}{
		{"on the epoch grid", sim.Hour, 2 * sim.Day},
		{"between epochs", sim.Day, 2*sim.Day + 12*sim.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mk := func(gov bool) *sim.Config {
				cfg := tokenConfig(t, 5)
				cfg.Tokenomics.Epoch = dur(c.epoch)
				cfg.Tokenomics.Staking.Speed = 0 // the bonded amount stays put
				cfg.Sim.SampleEvery = dur(12 * sim.Hour)
				if gov {
					cfg.Tokenomics.Governance = []tokenomics.GovernanceChange{{At: dur(c.at), Key: "tokenomics.inflation.max", Value: 0.1505}}
				}
				validate(t, cfg)
				return cfg
			}
			base, gov := mk(false), mk(true)
			for seed := uint64(1); seed <= 3; seed++ {
				a, b := mustRunChain(t, base, seed), mustRunChain(t, gov, seed)
				require.Equal(t, len(a.recs), len(b.recs))
				for i := range a.recs {
					ts := a.recs[i].T
					av, bv := a.recs[i].Values, b.recs[i].Values
					switch {
					case ts < c.at:
						require.Equal(t, a.recs[i].bits(), b.recs[i].bits(), "seed %d: sample at %v before the change differs", seed, ts)
					default:
						assert.Equal(t, 0.1505, bv[sim.MInflationRate], "seed %d at %v", seed, ts)
						assert.Greater(t, av[sim.MInflationRate], 0.1505, "seed %d at %v: the baseline's inflation is not above the new max", seed, ts)
					}
				}
				// the epoch that covers T: the blocks before T mint at the
				// old inflation; reproduce its mint with the x/mint model
				i := int(c.at / (12 * sim.Hour))
				if c.at%c.epoch == 0 {
					// the epoch at T: it mints before the change
					assert.Equal(t, a.recs[i].Values[sim.MMintedTotal], b.recs[i].Values[sim.MMintedTotal], "seed %d: minted before T", seed)
					assert.Equal(t, a.recs[i].Values[sim.MTokenSupply], b.recs[i].Values[sim.MTokenSupply], "seed %d: supply at T", seed)
					continue
				}
				// between epochs: the next epoch, at e > T, mints the blocks
				// of (last epoch, T] at the old band and the rest at the new
				e := (c.at/c.epoch + 1) * c.epoch
				j := int(e / (12 * sim.Hour))
				prevV := b.views[int((e-c.epoch)/(12*sim.Hour))]
				mp := gov.Tokenomics.Inflation
				h0, hT, he := b.w.Height(e-c.epoch), b.w.Height(c.at), b.w.Height(e)
				r1 := mp.Advance(prevV.Inflation, prevV.Bonded, prevV.Supply, hT-h0)
				mp.InflationMax = 0.1505
				r2 := mp.Advance(math.Min(r1.Inflation, 0.1505), prevV.Bonded, prevV.Supply+r1.Minted, he-hT)
				assert.Equal(t, prevV.Minted+r1.Minted+r2.Minted, b.views[j].Minted, "seed %d: the epoch after T", seed)
				assert.Equal(t, r2.Inflation, b.views[j].Inflation, "seed %d", seed)
			}
		})
	}
}

// TestChainWarmup: the token layer does not run during the warmup: at
// the first sample the supply, the inflation and the bonded ratio are the
// scenario's and nothing was minted, emitted, paid or claimed.
func TestChainWarmup(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"take", "bme"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := withSeason(withIncentives(withLinearEmission(gbm(tokenConfig(t, 3), 0, 1))))
			cfg.Tokenomics.TreasuryAKT = 1e6
			cfg.Sim.Warmup = dur(10 * sim.Day)
			if name == "bme" {
				bme(cfg)
			}
			validate(t, cfg)
			tp := &cfg.Tokenomics
			for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
				r := mustRunChain(t, cfg, seed)
				f := r.recs[0].Values
				require.Equal(t, sim.Time(0), r.recs[0].T)
				assert.Equal(t, tp.CirculatingSupplyAKT, f[sim.MTokenSupply], "seed %d", seed)
				assert.Equal(t, tp.Inflation.Initial, f[sim.MInflationRate], "seed %d", seed)
				assert.Equal(t, tp.TokenPriceUSD, f[sim.MTokenPriceUSD], "seed %d", seed)
				assert.InDelta(t, tp.Staking.BondedRatio, f[sim.MBondedRatio], 1e-12, "seed %d", seed)
				for _, m := range []int{sim.MMintedTotal, sim.MBurnedTotal, sim.MSubsidiesPaidTotal, sim.MEmissionsTotal,
					sim.MAirdropsClaimedTotal, sim.MUnbonding} {
					assert.Equal(t, 0.0, f[m], "seed %d: %s", seed, sim.Metrics[m].Name)
				}
				// revenue and fees count from the start like the kernel's
				// counters (the withdrawals at the start instant count)
				assert.InDelta(t, f[sim.MProviderIncomeUSDTotal], f[sim.MProviderRevenueUSDTotal], 1e-9, "seed %d", seed)
				assert.InDelta(t, f[sim.MTakeFeesUSDTotal], f[sim.MFeesTotal]*tp.TokenPriceUSD, 1e-3, "seed %d", seed) // USDC fees convert to whole uakt
				assert.Greater(t, f[sim.MLeasesActive], 0.0, "seed %d: the warmup ran", seed)
				if name == "bme" {
					assert.Greater(t, f[sim.MACTSupply], 0.0, "seed %d: credits bought during the warmup", seed)
				}
				// and it runs from the start
				l := r.last()
				assert.Greater(t, l[sim.MMintedTotal], 0.0)
				assert.Greater(t, l[sim.MSubsidiesPaidTotal], 0.0)
				assert.InDelta(t, 10_000.0*71/240, l[sim.MEmissionsTotal], 0.01) // 71 h of 240
			}
		})
	}
}

// TestChainMercenaries: mercenary providers do not leave by the churn
// rule before leave_after and leave from then on at each review with
// probability leave_hazard; organic providers with no exit hazard stay.
func TestChainMercenaries(t *testing.T) {
	t.Parallel()
	cfg := tokenConfig(t, 8)
	for i := range cfg.Providers {
		cfg.Providers[i].ExitHazard = 0 // only the churn rule makes providers leave
	}
	merc := gpuProviders("mercenary", 8, "a100", 2, 1.1, 0.25)
	merc.Kind = agents.KindMercenary
	merc.LeaveAfter = dur(4 * sim.Day)
	merc.LeaveHazard = 0.5
	merc.ReviewEvery = dur(12 * sim.Hour)
	merc.ReviewWindow = dur(12 * sim.Hour)
	merc.ExitHazard = 0
	cfg.Providers = append(cfg.Providers, merc)
	validate(t, cfg)
	for seed := uint64(1); seed <= uint64(seedCount(20)); seed++ {
		r := mustRunChain(t, cfg, seed)
		total := r.recs[0].Values[sim.MProvidersActive]
		require.Equal(t, 18.0, total)
		for i, rec := range r.recs {
			v := rec.Values
			if rec.T < 4*sim.Day {
				require.Equal(t, 0.0, v[sim.MProvidersExitedTotal], "seed %d: a provider left at %v, before leave_after", seed, rec.T)
				require.Equal(t, total, v[sim.MProvidersActive])
			}
			for _, p := range r.provs[i] {
				if cfg.Providers[p.Cohort].Kind == agents.KindOrganic {
					require.True(t, p.Active, "seed %d: organic provider %d left", seed, p.ID)
				}
			}
		}
		// 8 reviews from day 4 at hazard 0.5: nearly all leave
		l := r.last()
		assert.GreaterOrEqual(t, l[sim.MProvidersExitedTotal], 6.0, "seed %d", seed)
		assert.Equal(t, total-l[sim.MProvidersExitedTotal], l[sim.MProvidersActive])
		assert.Less(t, l[sim.MGPUsTotal], r.recs[0].Values[sim.MGPUsTotal])
	}
}

// TestChainFakeCapacity: fake capacity is listed (it counts in gpus_total)
// but never holds a lease, and it is detected and removed over time. A
// world with only fake providers leases nothing.
func TestChainFakeCapacity(t *testing.T) {
	t.Parallel()
	fake := func(name, model string, gpus int) agents.ProviderCohort {
		c := gpuProviders(name, 5, model, gpus, 0.3, 0.1) // the cheapest asks
		c.Kind = agents.KindFake
		c.DetectionProb = 0.2
		c.ReviewEvery = dur(12 * sim.Hour)
		c.ReviewWindow = dur(12 * sim.Hour)
		return c
	}
	t.Run("only fake", func(t *testing.T) {
		t.Parallel()
		cfg := tokenConfig(t, 7)
		cfg.Providers = []agents.ProviderCohort{fake("fake-h100", "h100", 4), fake("fake-a100", "a100", 2)}
		validate(t, cfg)
		for _, index := range []bool{false, true} {
			if index {
				// the fast path: GPU-only orders, no window, cheapest ask
				cfg = indexConfig(t, 7, 0)
				cfg.Providers = []agents.ProviderCohort{fake("fake-h100", "h100", 4), fake("fake-a100", "a100", 2)}
				validate(t, cfg)
			}
			for seed := uint64(1); seed <= uint64(seedCount(20)); seed++ {
				r := mustRunChain(t, cfg, seed)
				for _, rec := range r.recs {
					require.Equal(t, 0.0, rec.Values[sim.MLeasesActive], "seed %d at %v", seed, rec.T)
					require.Equal(t, 0.0, rec.Values[sim.MGPUsLeased], "seed %d at %v", seed, rec.T)
				}
				f, l := r.recs[0].Values, r.last()
				assert.Equal(t, 30.0, f[sim.MGPUsTotal], "fake GPUs are listed")
				assert.Equal(t, 0.0, l[sim.MLeasesStartedTotal], "seed %d", seed)
				assert.Greater(t, l[sim.MOrdersTotal], 0.0)
				assert.Equal(t, l[sim.MOrdersTotal]-l[sim.MOrdersOpen], l[sim.MOrdersUnservedTotal], "seed %d: every order closed went unserved", seed)
				assert.Less(t, l[sim.MGPUsTotal], f[sim.MGPUsTotal], "seed %d: no fake provider was detected", seed)
				assert.Equal(t, 0.0, l[sim.MProviderIncomeUSDTotal])
			}
		}
	})
	t.Run("mixed", func(t *testing.T) {
		t.Parallel()
		cfg := withLinearEmission(tokenConfig(t, 7))
		cfg.Providers = append(cfg.Providers, fake("fake-h100", "h100", 4))
		validate(t, cfg)
		for seed := uint64(1); seed <= uint64(seedCount(20)); seed++ {
			r := mustRunChain(t, cfg, seed)
			for i, rec := range r.recs {
				fakeGPUs, listed := 0, 0
				for _, p := range r.provs[i] {
					if !p.Active {
						continue
					}
					listed += p.GPUs
					if p.Fake {
						require.Zero(t, p.Leases, "seed %d: fake provider %d holds a lease at %v", seed, p.ID, rec.T)
						fakeGPUs += p.GPUs
					}
				}
				v := rec.Values
				require.Equal(t, float64(listed), v[sim.MGPUsTotal], "seed %d at %v", seed, rec.T)
				require.LessOrEqual(t, v[sim.MGPUsLeased], float64(listed-fakeGPUs), "seed %d at %v", seed, rec.T)
			}
			assert.Greater(t, r.last()[sim.MLeasesStartedTotal], 0.0)
			// fake capacity earns capacity rewards while listed
			earned := false
			for _, p := range r.provs[len(r.provs)-1] {
				if p.Fake && p.IncomeUSD > 0 {
					earned = true
				}
			}
			assert.True(t, earned, "seed %d: fake providers earned no emissions", seed)
		}
	})
}

// TestChainCohorts: the per-cohort series (Sample.Cohorts) of a world
// with organic, mercenary and fake cohorts, an airdrop season and
// emissions. At every sample the cohorts add up to providers_active,
// gpus_total, gpus_leased, cpus_total and provider_revenue_usd_total; the
// fake cohort lists GPUs but leases none; the mercenaries list all their
// GPUs until leave_after and fewer afterwards. A cohort's income counts
// its providers that left, from the scenario start (after the warmup).
func TestChainCohorts(t *testing.T) {
	t.Parallel()
	for _, warmup := range []sim.Time{0, 2 * sim.Day} {
		t.Run(fmt.Sprintf("warmup %v", warmup.Hours()), func(t *testing.T) {
			t.Parallel()
			cfg := withSeason(withLinearEmission(tokenConfig(t, 8)))
			for i := range cfg.Providers {
				cfg.Providers[i].ExitHazard = 0 // only the churn rule makes providers leave
			}
			cfg.Sim.Warmup = dur(warmup)
			validate(t, cfg)
			names := []string{"gpu-h100", "gpu-a100", "cpu", "mercenary", "fake"}
			kinds := []string{agents.KindOrganic, agents.KindOrganic, agents.KindOrganic, agents.KindMercenary, agents.KindFake}
			const merc, fake = 3, 4
			for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
				r := mustRunChain(t, cfg, seed)
				for i, rec := range r.recs {
					require.Len(t, rec.Cohorts, len(names))
					v := rec.Values
					var providers, gpus, leased, cpus, income float64
					for ci, c := range rec.Cohorts {
						require.Equal(t, names[ci], c.Cohort)
						require.Equal(t, kinds[ci], c.Kind)
						providers += float64(c.Providers)
						gpus += c.GPUs
						leased += c.GPUsLeased
						cpus += c.CPUs
						income += c.IncomeUSD
						// the providers that ever entered, active or not
						want := struct{ providers, gpus, leased int }{}
						wantIncome := 0.0
						for _, p := range r.provs[i] {
							if p.Cohort != ci {
								continue
							}
							wantIncome += p.IncomeUSD
							if p.Active {
								want.providers++
								want.gpus += p.GPUs
								want.leased += p.LeasedGPUs
							}
						}
						require.Equal(t, want.providers, c.Providers, "seed %d at %v: %s", seed, rec.T, c.Cohort)
						require.Equal(t, float64(want.gpus), c.GPUs, "seed %d at %v: %s", seed, rec.T, c.Cohort)
						require.Equal(t, float64(want.leased), c.GPUsLeased, "seed %d at %v: %s", seed, rec.T, c.Cohort)
						if warmup == 0 {
							require.InDelta(t, wantIncome, c.IncomeUSD, 1e-9*(1+wantIncome), "seed %d at %v: %s", seed, rec.T, c.Cohort)
						} else {
							require.LessOrEqual(t, c.IncomeUSD, wantIncome+1e-9*(1+wantIncome), "seed %d at %v: %s: income counts from the start", seed, rec.T, c.Cohort)
						}
						if i > 0 {
							require.GreaterOrEqual(t, c.IncomeUSD, r.recs[i-1].Cohorts[ci].IncomeUSD, "seed %d at %v: %s: income is cumulative", seed, rec.T, c.Cohort)
						}
					}
					require.Equal(t, v[sim.MProvidersActive], providers, "seed %d at %v", seed, rec.T)
					require.Equal(t, v[sim.MGPUsTotal], gpus, "seed %d at %v", seed, rec.T)
					require.Equal(t, v[sim.MGPUsLeased], leased, "seed %d at %v", seed, rec.T)
					require.Equal(t, v[sim.MCPUsTotal], cpus, "seed %d at %v", seed, rec.T)
					require.InDelta(t, v[sim.MProviderRevenueUSDTotal], income, 1e-9*(1+income), "seed %d at %v", seed, rec.T)

					require.Zero(t, rec.Cohorts[fake].GPUsLeased, "seed %d at %v: fake capacity never serves", seed, rec.T)
					if rec.T < 4*sim.Day {
						require.Equal(t, 12.0, rec.Cohorts[merc].GPUs, "seed %d at %v: mercenaries stay until leave_after", seed, rec.T)
					}
					for _, ci := range []int{merc, fake} {
						require.Equal(t, 32*float64(rec.Cohorts[ci].Providers), rec.Cohorts[ci].CPUs, "seed %d at %v: 32 cores per provider", seed, rec.T)
					}
				}
				f, l := r.recs[0].Cohorts, r.recs[len(r.recs)-1].Cohorts
				assert.Less(t, l[merc].GPUs, f[merc].GPUs, "seed %d: mercenaries leave after the season", seed)
				assert.Equal(t, f[0].GPUs, l[0].GPUs, "seed %d: organic providers stay", seed)
				assert.Positive(t, l[merc].IncomeUSD, "seed %d: mercenaries earned (emissions, airdrop)", seed)
				if warmup == 0 {
					// (during a warmup, fake capacity is already being detected)
					assert.Equal(t, 16.0, f[fake].GPUs, "seed %d: fake GPUs are listed", seed)
					assert.Less(t, l[fake].GPUs, f[fake].GPUs, "seed %d: fake capacity is detected", seed)
					assert.Positive(t, l[fake].IncomeUSD, "seed %d: fake capacity earned emissions", seed)
					assert.Zero(t, f[0].IncomeUSD+f[1].IncomeUSD+f[2].IncomeUSD+f[merc].IncomeUSD+f[fake].IncomeUSD, "seed %d: no income at the start", seed)
				}
			}
		})
	}
}

// TestChainSeasonClaims: a season pays exactly its pool at its claim
// time when the treasury holds it, what the treasury holds when it does
// not, and nothing when the claim is after the horizon.
func TestChainSeasonClaims(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		treasury float64
		claimAt  sim.Time
		want     float64
	}{
		{"funded", 1e6, 5 * sim.Day, 10_000},
		{"claim at the end of the season", 1e6, 4 * sim.Day, 10_000},
		{"underfunded treasury", 1234.5, 5 * sim.Day, 1234.5},
		{"claim after the horizon", 1e6, 8 * sim.Day, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := withSeason(tokenConfig(t, 7))
			cfg.Tokenomics.TreasuryAKT = c.treasury
			cfg.Tokenomics.Seasons[0].ClaimAt = dur(c.claimAt)
			validate(t, cfg)
			for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
				r := mustRunChain(t, cfg, seed)
				for i, rec := range r.recs {
					got := rec.Values[sim.MAirdropsClaimedTotal]
					if rec.T < c.claimAt {
						require.Equal(t, 0.0, got, "seed %d at %v", seed, rec.T)
					} else {
						require.Equal(t, c.want, got, "seed %d at %v", seed, rec.T)
						require.Equal(t, tokenomics.Tokens(c.want), r.views[i].Airdrops)
						require.Equal(t, tokenomics.Tokens(c.treasury)-tokenomics.Tokens(c.want), r.views[i].Treasury, "seed %d: paid from the treasury", seed)
					}
				}
			}
		})
	}
}

// TestChainSubsidyPerGPUHour: a per-gpu-hour program pays each provider
// usd_per_gpu_hour x GPUs x hours / price in tokens, rounded down at each
// epoch, only inside its window. No tenant arrives, so the providers'
// income is the subsidy alone.
func TestChainSubsidyPerGPUHour(t *testing.T) {
	t.Parallel()
	cfg := tokenConfig(t, 5)
	cfg.Providers = cfg.Providers[:1] // 3 providers with 4 H100 each
	cfg.Providers[0].ExitHazard = 0
	cfg.Tenants = []agents.TenantCohort{gpuTenants("gpu", 0)}
	cfg.Tokenomics.TokenPriceUSD = 3
	const rate, start, days = 0.5, 1, 2
	cfg.Tokenomics.Incentives = []tokenomics.IncentiveProgram{{Name: "p", Cohorts: []string{"gpu-h100"},
		Mode: tokenomics.IncentivePerGPUHour, USDPerGPUHour: rate, Start: dur(start * sim.Day), Duration: dur(days * sim.Day),
		BudgetUSD: 1e6, Funding: tokenomics.FundCommunityPool}}
	validate(t, cfg)
	perEpoch := math.Floor(4 * rate / 3 * tokenomics.BaseUnits) // uakt per provider-hour: 666,666
	for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
		r := mustRunChain(t, cfg, seed)
		for i, rec := range r.recs {
			hours := math.Min(math.Max(rec.T.Hours()-start*24, 0), days*24)
			require.Equal(t, 3*hours*perEpoch/tokenomics.BaseUnits, rec.Values[sim.MSubsidiesPaidTotal], "seed %d at %v", seed, rec.T)
			// within rounding (< 1 uakt a payment) of the USD rate
			require.InDelta(t, 3*4*rate*hours/3, rec.Values[sim.MSubsidiesPaidTotal], 3*hours*1e-6)
			require.InDelta(t, 3*4*rate*hours, r.views[i].ProgramPaidUSD[0], 3*hours*3e-6)
		}
		// every provider got its share
		for _, p := range r.provs[len(r.provs)-1] {
			assert.InDelta(t, 4*rate*days*24, p.IncomeUSD, days*24*3e-6)
			assert.Equal(t, tokenomics.Tokens(cfg.Providers[0].BalanceAKT)+int64(days*24*perEpoch), p.AKT)
		}
	}
}

// TestChainBMEEra: in the burn-mint era tenants pay in ACT credits bought
// by burning AKT into the vault; providers redeem their credits for AKT.
func TestChainBMEEra(t *testing.T) {
	t.Parallel()
	cfg := bme(tokenConfig(t, 6))
	validate(t, cfg)
	for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
		r := mustRunChain(t, cfg, seed)
		l := r.w.Ledger()
		escrow := account(t, l, "escrow")
		require.Zero(t, l.Balance(escrow, tokenomics.AKT), "seed %d: AKT in escrow in the BME era", seed)
		require.Zero(t, l.Balance(escrow, tokenomics.USDC), "seed %d: USDC in escrow in the BME era", seed)
		require.Positive(t, l.Balance(escrow, tokenomics.ACT), "seed %d", seed)
		views := r.w.ActiveLeaseViews()
		require.NotEmpty(t, views)
		for _, lv := range views {
			require.Equal(t, tokenomics.ACT, lv.Denom, "seed %d: lease %d", seed, lv.Lease)
		}
		f, last := r.recs[0].Values, r.last()
		cv := r.views[len(r.views)-1]
		assert.Greater(t, last[sim.MACTSupply], 0.0)
		assert.Equal(t, 300_000.0, f[sim.MBMEVault], "seed %d: the vault is seeded", seed)
		assert.Greater(t, last[sim.MBMEVault], f[sim.MBMEVault], "seed %d: the vault grows with usage", seed)
		assert.Greater(t, cv.BME.Mints, int64(0))
		assert.Greater(t, cv.BME.Burns, int64(0), "seed %d: providers redeemed", seed)
		assert.Greater(t, last[sim.MBurnedTotal], 0.0)
		assert.Greater(t, last[sim.MBMECollateralRatio], 1.0, "seed %d: healthy", seed)
		// providers hold AKT, not credits: what they earned was redeemed
		var akt, act int64
		for _, p := range r.provs[len(r.provs)-1] {
			akt += p.AKT
			act += p.ACT
		}
		initial := int64(len(r.provs[len(r.provs)-1])) * tokenomics.Tokens(cfg.Providers[0].BalanceAKT)
		assert.Greater(t, akt+cv.BidEscrow, initial, "seed %d: providers earned AKT", seed)
		assert.Less(t, act, tokenomics.Tokens(1), "seed %d: providers kept %d uact", seed, act)
		// the vault's growth is the AKT bought for credits less redemptions
		assert.Equal(t, cv.BME.SeedAKT+cv.BME.AKTIn-cv.BME.AKTFromVault, cv.Vault)
	}
}

// TestChainBMEReentry: the vault is seeded at most once per run. A switch
// back into the BME era by governance, with a seed of 0 (the vault stays
// empty after seeding) or after a spell in the take era, runs on without
// seeding again (it used to panic: "vault already seeded").
func TestChainBMEReentry(t *testing.T) {
	t.Parallel()
	for _, seed := range []float64{0, 300_000} {
		cfg := bme(tokenConfig(t, 4))
		cfg.Tokenomics.BME.VaultSeedAKT = seed
		cfg.Tokenomics.Governance = []tokenomics.GovernanceChange{
			{At: dur(0), Key: "tokenomics.settlement", Value: "bme"},
			{At: dur(sim.Day), Key: "tokenomics.settlement", Value: "take"},
			{At: dur(2 * sim.Day), Key: "tokenomics.settlement", Value: "bme"},
		}
		validate(t, cfg)
		r := mustRunChain(t, cfg, 1)
		cv := r.views[len(r.views)-1]
		assert.Equal(t, tokenomics.Tokens(seed), cv.BME.SeedAKT, "vault seed %v: seeded once", seed)
	}
}

// writePricePath writes a CSV price path and parses it.
func writePricePath(t testing.TB, rows string) (string, *tokenomics.PricePath) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "price.csv")
	require.NoError(t, os.WriteFile(name, []byte(rows), 0o644))
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	pp, err := tokenomics.ParsePricePath(f, name)
	require.NoError(t, err)
	return name, pp
}

// TestChainBMEPriceCrash: with an unseeded vault the collateral ratio is
// about 1 while the price holds; when it halves the ratio falls below
// halt_cr, the BME stops minting, and the credits outstanding only fall
// from then on (providers still redeem).
func TestChainBMEPriceCrash(t *testing.T) {
	t.Parallel()
	crash := 3 * sim.Day
	name, pp := writePricePath(t, strings.Join([]string{
		"# a crash from $5 to $2.5 at hour 72",
		"t_hours,price_usd",
		"0,5",
		"71.5,5",
		"72,2.5",
	}, "\n")+"\n")
	mk := func(model string) *sim.Config {
		days := 6
		if model == "gbm" {
			days = 12
		}
		cfg := bme(tokenConfig(t, days))
		cfg.Tokenomics.BME.VaultSeedAKT = 0
		switch model {
		case "csv":
			cfg.Tokenomics.Price.Model = tokenomics.PriceCSV
			cfg.Tokenomics.Price.CSV = name
			cfg.PricePath = pp
		case "gbm":
			// a steady fall of 2.7% a day (drift -10 a year), no noise
			gbm(cfg, -10, 0)
		}
		validate(t, cfg)
		return cfg
	}
	t.Run("csv", func(t *testing.T) {
		t.Parallel()
		cfg := mk("csv")
		for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
			r := mustRunChain(t, cfg, seed)
			mintsAtCrash := int64(-1)
			for i, rec := range r.recs {
				v, cv := rec.Values, &r.views[i]
				switch {
				case rec.T < crash:
					require.Equal(t, 5.0, v[sim.MTokenPriceUSD])
					if v[sim.MACTSupply] > 0 {
						require.GreaterOrEqual(t, v[sim.MBMECollateralRatio], 0.999, "seed %d at %v", seed, rec.T)
						require.Less(t, cv.BMEStatus, tokenomics.BMEHaltCR)
					}
				default:
					// from the epoch at the crash on: halted, no mint
					require.Equal(t, 2.5, v[sim.MTokenPriceUSD])
					require.LessOrEqual(t, v[sim.MBMECollateralRatio], 0.9, "seed %d at %v", seed, rec.T)
					require.Equal(t, tokenomics.BMEHaltCR, cv.BMEStatus)
					if mintsAtCrash < 0 {
						mintsAtCrash = cv.BME.Mints
						break
					}
					require.Equal(t, mintsAtCrash, cv.BME.Mints, "seed %d at %v: minted while halted", seed, rec.T)
					require.LessOrEqual(t, v[sim.MACTSupply], r.recs[i-1].Values[sim.MACTSupply], "seed %d at %v: act_supply grew while halted", seed, rec.T)
				}
			}
			require.Greater(t, r.recs[int(crash/sim.Hour)-1].Values[sim.MACTSupply], 0.0)
			assert.Less(t, r.last()[sim.MACTSupply], r.recs[int(crash/sim.Hour)].Values[sim.MACTSupply], "seed %d: redemptions continue", seed)
		}
	})
	t.Run("gbm falling", func(t *testing.T) {
		t.Parallel()
		cfg := mk("gbm")
		for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
			r := mustRunChain(t, cfg, seed)
			halted := -1
			for i, cv := range r.views {
				if cv.BMEStatus == tokenomics.BMEHaltCR {
					halted = i
					break
				}
			}
			require.GreaterOrEqual(t, halted, 0, "seed %d: never halted", seed)
			for i := halted + 1; i < len(r.recs); i++ {
				require.Equal(t, tokenomics.BMEHaltCR, r.views[i].BMEStatus, "seed %d: recovered at %v", seed, r.recs[i].T)
				require.Equal(t, r.views[halted].BME.Mints, r.views[i].BME.Mints, "seed %d at %v", seed, r.recs[i].T)
				require.LessOrEqual(t, r.recs[i].Values[sim.MACTSupply], r.recs[i-1].Values[sim.MACTSupply])
			}
		}
	})
}

// ---- 3. determinism ----

// fullConfig turns on every part of the token layer at once.
func fullConfig(t testing.TB, days int) *sim.Config {
	cfg := withGovernance(withSeason(withIncentives(withGeometricEmission(gbm(tokenConfig(t, days), 0.2, 1.0)))))
	cfg.Tokenomics.TreasuryAKT = 5_000
	cfg.Sim.Warmup = dur(sim.Day)
	return cfg
}

func TestChainDeterminism(t *testing.T) {
	t.Parallel()
	cfg := fullConfig(t, 6)
	validate(t, cfg)
	a, b := mustRunChain(t, cfg, 7), mustRunChain(t, fullConfig(t, 6), 7)
	sameRecords(t, a.recs, b.recs, "same seed")
	assert.Equal(t, a.res, b.res)
	nan := 0
	for _, r := range a.recs {
		for _, x := range r.Values {
			if math.IsNaN(x) {
				nan++
			}
		}
	}
	assert.Greater(t, nan, 0, "the comparison covers NaN positions")

	c := mustRunChain(t, cfg, 8)
	differ := false
	for i := range a.recs {
		if a.recs[i].Values[sim.MTokenPriceUSD] != c.recs[i].Values[sim.MTokenPriceUSD] {
			differ = true
			break
		}
	}
	assert.True(t, differ, "seeds 7 and 8 gave the same price path")

	// workers
	cfg.Check = sim.CheckOff
	cfg.Sim.Seed = 3
	const n = 5
	collect := func(workers int) ([]sim.Result, [][]record) {
		recs := make([][]record, n)
		res := runReplications(t, cfg, n, workers, func(rep int) sim.Recorder {
			return sim.RecorderFunc(func(s *sim.Sample) { recs[rep] = append(recs[rep], copySample(s)) })
		})
		return res, recs
	}
	res1, recs1 := collect(1)
	res3, recs3 := collect(3)
	require.Equal(t, res1, res3)
	for rep := 0; rep < n; rep++ {
		sameRecords(t, recs1[rep], recs3[rep], fmt.Sprintf("replication %d, workers 1 vs 3", rep))
	}
	assert.NotEqual(t, recs1[0][len(recs1[0])-1].Values[sim.MTokenPriceUSD], recs1[1][len(recs1[1])-1].Values[sim.MTokenPriceUSD])
}

// ---- 4. cost of the token layer ----

// benchWorld is a small world over a year without invariant checks:
// "without-tokens" has no inflation, a constant price and no programs
// (the hourly epoch still runs, doing nothing); "inflation-only" adds the
// Cosmos x/mint module (block by block); "with-tokens" runs Cosmos
// inflation with staking, a GBM price, an emission schedule, two
// incentive programs and a season.
func benchWorld(b *testing.B, tokens bool) *sim.Config {
	cfg := tokenConfig(b, 365)
	cfg.Check = sim.CheckOff
	cfg.Sim.SampleEvery = dur(sim.Day)
	if !tokens {
		cfg.Tokenomics.Inflation.Model = tokenomics.MintModelNone
		cfg.Tokenomics.Staking.Speed = 0
		return cfg
	}
	gbm(cfg, 0, 1)
	withGeometricEmission(cfg)
	cfg.Tokenomics.Emission.Cap = 0
	cfg.Tokenomics.Incentives = withIncentives(tokenConfig(b, 1)).Tokenomics.Incentives[:2]
	cfg.Tokenomics.Seasons = []tokenomics.Season{{Name: "s", End: dur(90 * sim.Day), ClaimAt: dur(120 * sim.Day), PointsPerGPUHour: 1, PoolTokens: 10_000}}
	validate(b, cfg)
	return cfg
}

// BenchmarkWorldYear measures a year of a small world with and without
// the token layer, per event.
func BenchmarkWorldYear(b *testing.B) {
	for _, c := range []struct {
		name   string
		tokens bool
	}{{"without-tokens", false}, {"inflation-only", false}, {"with-tokens", true}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := benchWorld(b, c.tokens)
			if c.name == "inflation-only" {
				cfg.Tokenomics.Inflation.Model = tokenomics.MintModelCosmos
			}
			b.ReportAllocs()
			events := uint64(0)
			for i := 0; b.Loop(); i++ {
				w := sim.NewWorld(cfg, 0, uint64(i+1), nil)
				res, err := w.Run()
				if err != nil {
					b.Fatal(err)
				}
				events += res.Events
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}

// TestChainGovernanceStaking: a governance change of the outside yield
// between epochs leaves everything before it unchanged, and the staking
// rule follows the new value from then on (a higher outside yield makes
// holders unbond, so the bonded ratio ends below the baseline's).
func TestChainGovernanceStaking(t *testing.T) {
	t.Parallel()
	const at = 2*sim.Day + 12*sim.Hour
	mk := func(gov bool) *sim.Config {
		cfg := tokenConfig(t, 6)
		cfg.Tokenomics.Epoch = dur(sim.Day)
		cfg.Sim.SampleEvery = dur(12 * sim.Hour)
		if gov {
			cfg.Tokenomics.Governance = []tokenomics.GovernanceChange{{At: dur(at), Key: "tokenomics.staking.outside_yield", Value: 1.0}}
		}
		validate(t, cfg)
		return cfg
	}
	base, gov := mk(false), mk(true)
	for seed := uint64(1); seed <= 3; seed++ {
		a, b := mustRunChain(t, base, seed), mustRunChain(t, gov, seed)
		require.Equal(t, len(a.recs), len(b.recs))
		for i := range a.recs {
			if a.recs[i].T < at {
				require.Equal(t, a.recs[i].bits(), b.recs[i].bits(), "seed %d: sample at %v before the change differs", seed, a.recs[i].T)
			}
		}
		assert.Less(t, b.last()[sim.MBondedRatio], a.last()[sim.MBondedRatio], "seed %d: a 100%% outside yield makes holders unbond", seed)
		assert.Positive(t, b.last()[sim.MUnbonding], "seed %d", seed)
	}
}
