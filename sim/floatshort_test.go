package sim_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

// Token prices at the ends of their documented range, and the holders'
// float running short (docs/model/akash.md, "When the float is short"):
// no overflow, no abort, every invariant after every event.

// extremeConfig is baseConfig over days with the invariants checked after
// every event, the staking token at priceUSD (constant), and the given
// share of tenants paying in USDC.
func extremeConfig(t testing.TB, days int, priceUSD, usdc float64) *sim.Config {
	cfg := baseConfig(t, days)
	cfg.Check = sim.CheckEvents
	cfg.Tokenomics.TokenPriceUSD = priceUSD
	for i := range cfg.Tenants {
		cfg.Tenants[i].USDCFraction = usdc
	}
	return cfg
}

// TestLowTokenPricesProperty: over many seeds, short runs at token prices
// drawn down to the 1e-9 USD floor, under a crashing gbm price, an
// endogenous price pushed to its floor, and the burn-mint era, run to the
// end with every invariant holding after every event (escrow and ledger
// conservation among them) and the orders accounted for; at the lowest
// prices the float runs short, and its orders are counted unfunded.
func TestLowTokenPricesProperty(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 24
	}
	var unfunded, leases float64
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		rng := rand.New(rand.NewPCG(seed, 77))
		price := math.Pow(10, -9+6*rng.Float64()) // 1e-9 .. 1e-3 USD
		cfg := extremeConfig(t, 2, price, []float64{0, 0.2, 0.8}[rng.IntN(3)])
		kind := []string{"constant", "gbm", "endogenous", "bme"}[seed%4]
		switch kind {
		case "gbm": // a crash: -10 a year at a volatility of 10
			cfg.Tokenomics.TokenPriceUSD = 5
			cfg.Tokenomics.Price.Model = tokenomics.PriceGBM
			cfg.Tokenomics.Price.Drift, cfg.Tokenomics.Price.Volatility = -10, 10
			cfg.Tokenomics.Epoch = dur(sim.Hour)
		case "endogenous": // a thin market: the tenants' buying moves the price a lot
			cfg.Tokenomics.Price.Model = tokenomics.PriceEndogenous
			cfg.Tokenomics.Price.Drift, cfg.Tokenomics.Price.Volatility = -10, 10
			cfg.Tokenomics.Price.MarketDepthUSD = 1
			cfg.Tokenomics.Epoch = dur(sim.Hour)
		case "bme":
			cfg.Tokenomics.Settlement = tokenomics.SettlementBME
			cfg.Tokenomics.CommunityPoolAKT = 20e6 // seeds the vault
		}
		validate(t, cfg)
		_, recs, w, err := runE(cfg, seed)
		require.NoError(t, err, "seed %d (%s, price %g)", seed, kind, price)
		last := recs[len(recs)-1].Values
		accounted := last[sim.MOrdersOpen] + last[sim.MLeasesActive] + last[sim.MOrdersUnservedTotal] + last[sim.MOrdersUnfundedTotal]
		require.GreaterOrEqual(t, last[sim.MOrdersTotal], accounted, "seed %d: orders total < open + leased + unserved + unfunded", seed)
		ok, why := w.CheckInvariants()
		require.True(t, ok, "seed %d: %s", seed, why)
		unfunded += last[sim.MOrdersUnfundedTotal]
		leases += last[sim.MLeasesStartedTotal]
	}
	assert.Positive(t, unfunded, "no seed ran the float short: the test does not reach what it tests")
	assert.Positive(t, leases)
}

// TestFloorPriceOrdersUnfunded: at the 1e-9 USD floor one USD is 1e15
// base units, ten times the holders' float: nearly every order paying in
// the staking token is unfunded (never posted), while USDC orders lease as
// before; nothing overflows.
func TestFloorPriceOrdersUnfunded(t *testing.T) {
	for _, usdc := range []float64{0, 1} {
		for seed := uint64(1); seed <= 3; seed++ {
			cfg := extremeConfig(t, 2, tokenomics.MinPriceUSD, usdc)
			_, recs, _ := run(t, cfg, seed)
			last := recs[len(recs)-1].Values
			if usdc == 0 {
				require.Positive(t, last[sim.MOrdersTotal])
				// only deposits below the float's worth (about $0.1) are funded
				assert.Greater(t, last[sim.MOrdersUnfundedTotal], 0.9*last[sim.MOrdersTotal], "seed %d: nearly every AKT order is unfunded", seed)
			} else {
				assert.Zero(t, last[sim.MOrdersUnfundedTotal], "seed %d: USDC orders need no tokens", seed)
				assert.Positive(t, last[sim.MLeasesStartedTotal], "seed %d", seed)
			}
		}
	}
}

// TestDearTokenRuns: at the 1e12 USD ceiling rates round to a few rate
// units and the minimum deposit is worth more than any budget; runs end
// with every invariant holding after every event.
func TestDearTokenRuns(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		cfg := extremeConfig(t, 2, tokenomics.MaxPriceUSD, 0.2)
		_, recs, _ := run(t, cfg, seed)
		assert.Positive(t, recs[len(recs)-1].Values[sim.MLeasesStartedTotal], "seed %d", seed)
	}
}

// TestLargeEscrowNoOverflow: a lease funded with more than 9.2 M tokens
// (beyond an int64 of rate units, where funds used to wrap negative)
// settles exactly: the escrow's rate units are rate x blocks paid, its
// funds stay positive and the lease runs to the end.
func TestLargeEscrowNoOverflow(t *testing.T) {
	cfg := singleLeaseConfig(t, false)
	cfg.Check = sim.CheckEvents
	cfg.Tokenomics.TokenPriceUSD = 1e-4 // $1 is 10,000 tokens
	g := &cfg.Tenants[0]
	g.RunwayTargetDays = 30 // a deposit of a month at $4/h: 28.8 M tokens
	g.BudgetRatio = agents.Const(1e6)
	validate(t, cfg)
	for seed := uint64(1); seed <= 3; seed++ {
		_, recs, w := run(t, cfg, seed)
		last := recs[len(recs)-1].Values
		require.Equal(t, 1.0, last[sim.MLeasesActive], "seed %d", seed)
		leases := w.ActiveLeaseViews()
		require.Len(t, leases, 1)
		lv := leases[0]
		assert.Greater(t, lv.FundsBase, int64(math.MaxInt64/market.RateScale), "seed %d: funds of %d base units do not pass the old limit", seed, lv.FundsBase)
		assert.Equal(t, int64(math.MaxInt64), lv.Funds, "seed %d: the rate-unit view saturates", seed)
	}
}

// TestRangeErrorNamesKeys: a run stopped by a quantity beyond the model's
// integers says which scenario keys drive it.
func TestRangeErrorNamesKeys(t *testing.T) {
	e := &sim.RangeError{Quantity: "deposit", Reason: "a deposit of 1e13 USD", Keys: "tenants.web.budget_ratio", At: sim.Hour}
	assert.Contains(t, e.Error(), "tenants.web.budget_ratio")
	assert.Contains(t, e.Error(), "deposit out of range 1.000 h after the start")
	var re *sim.RangeError
	assert.True(t, errors.As(fmt.Errorf("replication 0: %w", e), &re))
}

// TestDepositBeyondLedgerUnfunded: a USDC deposit beyond what the ledger
// counts (int64 base units: 9.2e12 USD) cannot be bridged in, so the
// order goes unfunded, and the run goes on with every invariant checked
// after every event (it used to stop with a range error).
func TestDepositBeyondLedgerUnfunded(t *testing.T) {
	cfg := singleLeaseConfig(t, true)
	g := &cfg.Tenants[0]
	g.MaxPriceRatio = agents.Const(1e12) // $2e12 an hour: two days' runway is 9.6e13 USD
	validate(t, cfg)
	for seed := uint64(1); seed <= 3; seed++ {
		_, recs, _ := run(t, cfg, seed)
		last := recs[len(recs)-1].Values
		assert.Positive(t, last[sim.MOrdersUnfundedTotal], "seed %d", seed)
		assert.Zero(t, last[sim.MLeasesStartedTotal], "seed %d", seed)
	}
}
