package sim_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

// singleLeaseConfig is a market with one provider holding one H100 at a
// list price of exactly 1 USD/h, and tenants who want it for longer than
// the run with an ample budget: the first order to arrive gets the only
// lease, which then runs to the horizon; later orders find no capacity
// and leave after their patience. The provider withdraws every hour, on
// the sampling grid.
func singleLeaseConfig(t testing.TB, usdc bool) *sim.Config {
	t.Helper()
	cat, err := agents.NewCatalog(agents.ResourcesParams{ReferenceUSDHour: map[string]float64{"cpu": 0.04, "memory_gb": 0.005, "h100": 2.0}})
	require.NoError(t, err)
	p := agents.DefaultProviderCohort()
	p.Name = "solo"
	p.Count = 1
	p.GPUs = map[string]int{"h100": 1}
	p.PriceListUSDHour = map[string]float64{"h100": 1.0}
	p.CostUSDHour = map[string]float64{"h100": 0.1}
	p.WithdrawEvery = dur(sim.Hour)
	p.ExitHazard = 0
	g := agents.DefaultTenantCohort()
	g.Name = "gpu"
	g.ArrivalsPerDay = 4
	g.GPUModels = map[string]float64{"h100": 1}
	g.GPUs = agents.Const(1)
	g.CPUCores = agents.Const(0)
	g.MemoryGB = agents.Const(0)
	g.MaxPriceRatio = agents.Const(2) // $4/h
	g.LifetimeHours = agents.Const(10_000)
	g.BudgetRatio = agents.Const(10)
	g.RunwayMinDays = 1 // top-ups about once a day
	g.RunwayTargetDays = 2
	if usdc {
		g.USDCFraction = 1
	}
	sp := sim.DefaultParams()
	sp.Horizon = dur(5 * sim.Day)
	sp.SampleEvery = dur(sim.Hour)
	tp := tokenomics.DefaultParams()
	tp.Inflation.Model = "none" // only lease payments reach the community pool
	cfg := &sim.Config{
		Sim: sp, Catalog: cat,
		Providers:  []agents.ProviderCohort{p},
		Tenants:    []agents.TenantCohort{g},
		Mechanism:  mechanism(t, nil),
		Tokenomics: tp,
		Check:      sim.CheckEvents,
	}
	validate(t, cfg)
	return cfg
}

func account(t testing.TB, l *tokenomics.Ledger, name string) tokenomics.Account {
	t.Helper()
	for a := 0; a < l.Accounts(); a++ {
		if l.Name(tokenomics.Account(a)) == name {
			return tokenomics.Account(a)
		}
	}
	t.Fatalf("no ledger account %q", name)
	return 0
}

// TestEscrowSettlementArithmetic follows the single lease hour by hour and
// checks the escrow's integer arithmetic exactly (akash.md §2-3):
//
//   - the lease rate of 1 USD/h is 338,888,889 rate units per block in AKT
//     at $5 (10^6 uakt / 5 x 6.1 s / 3600 s x RateScale = 338,888,888.9,
//     rounded), 1,694,444,444 in USDC at $1;
//   - the provider and the community pool together have received exactly
//     floor(rate x blocks / RateScale) base units for the blocks settled
//     since the lease started, and the lease keeps the remainder
//     (rate x blocks mod RateScale) as its unwithdrawn balance;
//   - each hourly withdrawal of amount a pays the pool floor(a x bps /
//     10,000) (200 bps in AKT, 2,000 in USDC) and the provider the rest;
//   - the income and fee metrics are those amounts at the token price.
func TestEscrowSettlementArithmetic(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		usdc  bool
		denom tokenomics.Denom
		rate  market.Rate
		bps   int64
		price float64
	}{
		{false, tokenomics.AKT, 338_888_889, 200, 5},
		{true, tokenomics.USDC, 1_694_444_444, 2_000, 1},
	} {
		t.Run(c.denom.String(), func(t *testing.T) {
			for seed := uint64(1); seed <= 10; seed++ {
				checkSingleLease(t, singleLeaseConfig(t, c.usdc), seed, c.denom, c.rate, c.bps, c.price)
			}
		})
	}
}

func checkSingleLease(t *testing.T, cfg *sim.Config, seed uint64, denom tokenomics.Denom, rate market.Rate, bps int64, price float64) {
	t.Helper()
	const initialAKT = 100 * tokenomics.BaseUnits // the provider's wallet (balance_akt)
	deposit := tokenomics.Tokens(cfg.Tokenomics.BidMinDeposit)
	type point struct {
		t              sim.Time
		height         int64
		paid, fees     int64 // cumulative, base units
		balance        int64 // the lease's unwithdrawn rate units
		income, feeUSD float64
	}
	var w *sim.World
	var pts []point
	started := false
	var startH int64
	var fail string
	failf := func(format string, args ...any) {
		if fail == "" {
			fail = fmt.Sprintf("seed %d: ", seed) + fmt.Sprintf(format, args...)
		}
	}
	rec := sim.RecorderFunc(func(s *sim.Sample) {
		l := w.Ledger()
		prov := account(t, l, "provider/0")
		pool := account(t, l, "community-pool")
		leases := w.ActiveLeaseViews()
		if len(leases) == 0 {
			if started {
				failf("t=%v: the only lease ended", s.T)
			}
			return
		}
		if len(leases) != 1 {
			failf("t=%v: %d leases on one GPU", s.T, len(leases))
			return
		}
		lv := leases[0]
		if lv.Rate != rate || lv.Denom != denom {
			failf("t=%v: lease rate %d %s, want %d %s", s.T, lv.Rate, lv.Denom, rate, denom)
		}
		earned := l.Balance(prov, denom)
		if denom == tokenomics.AKT {
			earned -= initialAKT - deposit // the winning bid's deposit stays locked
		}
		fees := l.Balance(pool, denom)
		p := point{t: s.T, height: w.Height(s.T), paid: earned + fees, fees: fees, balance: lv.Balance,
			income: s.Values[sim.MProviderIncomeUSDTotal], feeUSD: s.Values[sim.MTakeFeesUSDTotal]}
		if lv.SettledHeight != p.height {
			failf("t=%v: escrow settled to height %d, want %d (withdrawal at this instant)", s.T, lv.SettledHeight, p.height)
		}
		// accrued = paid x RateScale + balance = rate x (blocks since start)
		accrued := p.paid*market.RateScale + p.balance
		if !started {
			started = true
			if accrued%int64(rate) != 0 {
				failf("t=%v: accrued %d is not a whole number of blocks at rate %d", s.T, accrued, rate)
			}
			startH = p.height - accrued/int64(rate)
			if len(pts) > 0 && startH < pts[len(pts)-1].height || startH > p.height {
				failf("t=%v: lease start height %d outside the last hour", s.T, startH)
			}
		}
		if want := int64(rate) * (p.height - startH); accrued != want {
			failf("t=%v: paid %d x RateScale + balance %d = %d, want rate x %d blocks = %d", s.T, p.paid, p.balance, accrued, p.height-startH, want)
		}
		if p.balance < 0 || p.balance >= market.RateScale {
			failf("t=%v: unwithdrawn balance %d after a withdrawal", s.T, p.balance)
		}
		if n := len(pts); n > 0 && pts[n-1].paid > 0 {
			q := pts[n-1]
			amount := p.paid - q.paid
			if blocks := p.height - q.height; blocks != 590 && blocks != 591 { // 3600 s / 6.1 s = 590.2
				failf("t=%v: %d blocks in an hour", s.T, blocks)
			}
			if fee := p.fees - q.fees; fee != amount*bps/10_000 {
				failf("t=%v: withdrawal of %d paid a fee of %d, want floor(%d x %d / 10000) = %d", s.T, amount, fee, amount, bps, amount*bps/10_000)
			}
		}
		if !near(p.income, tokenomics.Whole(p.paid-p.fees)*price) || !near(p.feeUSD, tokenomics.Whole(p.fees)*price) {
			failf("t=%v: income $%v and fees $%v, ledger says $%v and $%v", s.T, p.income, p.feeUSD,
				tokenomics.Whole(p.paid-p.fees)*price, tokenomics.Whole(p.fees)*price)
		}
		pts = append(pts, p)
	})
	w = sim.NewWorld(cfg, 0, seed, rec)
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("seed %d: %v", seed, r)
			}
		}()
		if _, err := w.Run(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}()
	require.Empty(t, fail)
	require.NotEmpty(t, pts, "seed %d: the lease never started", seed)
	// an hour is worth about $1 less the take
	last := pts[len(pts)-1]
	hours := float64(last.height-startH) * 6.1 / 3600
	assert.InDelta(t, hours, tokenomics.Whole(last.paid)*price, 0.01*hours+0.01, "seed %d: $1/h for %.1f h", seed, hours)
}

func near(a, b float64) bool {
	d := a - b
	return d < 1e-9*(1+b) && -d < 1e-9*(1+b)
}

// TestEscrowRunsDry: with a budget below the lease's cost, the lease
// closes for insufficient funds at the first block the funds cannot pay,
// the escrow's funds all go to the provider (less the take), and nothing
// is refunded beyond the rounding dust.
func TestEscrowRunsDry(t *testing.T) {
	t.Parallel()
	cfg := singleLeaseConfig(t, true)
	g := &cfg.Tenants[0]
	g.BudgetRatio = agents.Const(0.0125) // 1.25% of 10,000 h at $4/h: $500, 500 h at $1/h...
	g.RunwayMinDays, g.RunwayTargetDays = 1, 3
	cfg.Sim.Horizon = dur(30 * sim.Day) // ...runs dry after about 20.8 days
	validate(t, cfg)
	for seed := uint64(1); seed <= 5; seed++ {
		_, recs, w := run(t, cfg, seed)
		last := recs[len(recs)-1].Values
		require.GreaterOrEqual(t, last[sim.MLeasesClosedFundsTotal], 1.0, "seed %d", seed)
		l := w.Ledger()
		prov := l.Balance(account(t, l, "provider/0"), tokenomics.USDC)
		pool := l.Balance(account(t, l, "community-pool"), tokenomics.USDC)
		// the first lease's tenant deposited its $500 budget (in uusdc); the
		// provider and pool got it all but the rounding dust; later leases
		// (after the first one ran dry) add their payments on top
		assert.GreaterOrEqual(t, prov+pool, int64(500*tokenomics.BaseUnits)-2, "seed %d", seed)
		// fees are floored per withdrawal (hourly): their sum is at most the
		// fee on the total, and short of it by less than one unit per withdrawal
		whole := (prov + pool) * 2000 / 10_000
		assert.LessOrEqual(t, pool, whole, "seed %d", seed)
		assert.Greater(t, pool, whole-30*24-10, "seed %d", seed)
	}
}
