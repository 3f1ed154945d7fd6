package tokenomics_test

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tk "github.com/depinsim/depinsim/tokenomics"
)

// bmeWorld is a ledger with a community pool, a vault, a tenant and a
// provider, and a BME over it.
type bmeWorld struct {
	l                             *tk.Ledger
	pool, vault, tenant, provider tk.Account
	b                             *tk.BME
}

func newBMEWorld(t testing.TB, p tk.BMEParams, seed bool) *bmeWorld {
	t.Helper()
	w := &bmeWorld{l: tk.NewLedger()}
	w.pool = w.l.Open("community-pool")
	w.vault = w.l.Open("bme-vault")
	w.tenant = w.l.Open("tenant")
	w.provider = w.l.Open("provider")
	w.l.Mint(w.pool, tk.AKT, tk.Tokens(1_000_000))
	w.l.Mint(w.tenant, tk.AKT, tk.Tokens(100_000))
	w.b = tk.NewBME(p, w.l, w.vault)
	if seed {
		require.NoError(t, w.b.Seed(w.pool))
	}
	return w
}

// bmeSnapshot is every balance and total of a ledger.
func bmeSnapshot(l *tk.Ledger) []int64 {
	var s []int64
	for d := tk.Denom(0); d < tk.NumDenoms; d++ {
		s = append(s, l.Supply(d), l.Minted(d), l.Burned(d))
		for a := 0; a < l.Accounts(); a++ {
			s = append(s, l.Balance(tk.Account(a), d))
		}
	}
	return s
}

func requireBMEOK(t testing.TB, w *bmeWorld) {
	t.Helper()
	ok, why := w.l.Check()
	require.True(t, ok, why)
	ok, why = w.b.Check()
	require.True(t, ok, why)
}

func TestBMEParamsValidate(t *testing.T) {
	p := tk.DefaultBMEParams()
	require.NoError(t, p.Validate())
	assert.Equal(t, tk.BMEParams{VaultSeedAKT: 300_000, MintSpreadBps: 25, SettleSpreadBps: 0, MinMintACT: 10,
		WarnCR: 0.95, HaltCR: 0.90, EpochBlocks: 10, MaxEpochBlocks: 14_400}, p, "v2.0.0 launch values, akash.md §7")

	for _, c := range []struct {
		name string
		edit func(*tk.BMEParams)
		want string
	}{
		{"negative seed", func(p *tk.BMEParams) { p.VaultSeedAKT = -1 }, "tokenomics.bme.vault_seed_akt: must be in [0, 1e12) AKT, got -1"},
		{"NaN seed", func(p *tk.BMEParams) { p.VaultSeedAKT = math.NaN() }, "tokenomics.bme.vault_seed_akt: must be in [0, 1e12) AKT, got NaN"},
		{"mint spread 100%", func(p *tk.BMEParams) { p.MintSpreadBps = 10_000 }, "tokenomics.bme.mint_spread_bps: must be in [0, 10000), got 10000"},
		{"negative settle spread", func(p *tk.BMEParams) { p.SettleSpreadBps = -1 }, "tokenomics.bme.settle_spread_bps: must be in [0, 10000), got -1"},
		{"negative min mint", func(p *tk.BMEParams) { p.MinMintACT = -10 }, "tokenomics.bme.min_mint_act: must be in [0, 1e12) ACT, got -10"},
		{"zero warn", func(p *tk.BMEParams) { p.WarnCR = 0 }, "tokenomics.bme.warn_cr: must be in (0, 100], got 0"},
		{"halt above warn", func(p *tk.BMEParams) { p.HaltCR = 0.96 }, "tokenomics.bme.halt_cr: must be > 0 and at least 0.0001 below warn_cr (0.95), got 0.96"},
		{"halt equal warn", func(p *tk.BMEParams) { p.HaltCR = 0.95 }, "tokenomics.bme.halt_cr: must be > 0 and at least 0.0001 below warn_cr (0.95), got 0.95"},
		{"infinite halt", func(p *tk.BMEParams) { p.HaltCR = math.Inf(1) }, "tokenomics.bme.halt_cr: must be > 0 and at least 0.0001 below warn_cr (0.95), got +Inf"},
		{"halt within a bp of warn", func(p *tk.BMEParams) { p.HaltCR = 0.94999 }, "tokenomics.bme.halt_cr: must be > 0 and at least 0.0001 below warn_cr (0.95), got 0.94999"},
		{"zero halt", func(p *tk.BMEParams) { p.HaltCR = 0 }, "tokenomics.bme.halt_cr: must be > 0 and at least 0.0001 below warn_cr (0.95), got 0"},
		{"zero epoch", func(p *tk.BMEParams) { p.EpochBlocks = 0 }, "tokenomics.bme.epoch_blocks: must be in [1, 1000000] blocks, got 0"},
		{"max below epoch", func(p *tk.BMEParams) { p.MaxEpochBlocks = 9 }, "tokenomics.bme.max_epoch_blocks: must be in [epoch_blocks (10), 100000000] blocks, got 9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := tk.DefaultBMEParams()
			c.edit(&q)
			assert.EqualError(t, q.Validate(), c.want)
		})
	}

	l := tk.NewLedger()
	v := l.Open("bme-vault")
	bad := tk.DefaultBMEParams()
	bad.HaltCR = 1
	assert.Panics(t, func() { tk.NewBME(bad, l, v) }, "invalid parameters are a caller bug")
	assert.Panics(t, func() { tk.NewBME(tk.DefaultBMEParams(), l, v+1) }, "the vault must be a ledger account")
}

func TestBMEStatusString(t *testing.T) {
	assert.Equal(t, "healthy", tk.BMEHealthy.String())
	assert.Equal(t, "warning", tk.BMEWarning.String())
	assert.Equal(t, "halt_cr", tk.BMEHaltCR.String())
	assert.Equal(t, "halt_oracle", tk.BMEHaltOracle.String())
	assert.Equal(t, "bme_status(7)", tk.BMEStatus(7).String())
	assert.False(t, tk.BMEWarning.Halted())
	assert.True(t, tk.BMEHaltCR.Halted())
	assert.True(t, tk.BMEHaltOracle.Halted())
}

func TestBMESeed(t *testing.T) {
	w := newBMEWorld(t, tk.DefaultBMEParams(), false)
	poor := w.l.Open("poor")
	w.l.Mint(poor, tk.AKT, tk.Tokens(299_999))
	before := bmeSnapshot(w.l)
	assert.ErrorIs(t, w.b.Seed(poor), tk.ErrBMEFunds)
	assert.ErrorIs(t, w.b.Seed(w.vault), tk.ErrBMEAmount)
	assert.Equal(t, before, bmeSnapshot(w.l), "a failed seed moves nothing")

	require.NoError(t, w.b.Seed(w.pool))
	assert.Equal(t, tk.Tokens(300_000), w.b.Vault())
	assert.Equal(t, tk.Tokens(700_000), w.l.Balance(w.pool, tk.AKT))
	assert.Equal(t, int64(0), w.b.RemintCredits(), "the seed is not a remint credit")
	assert.Equal(t, tk.Tokens(300_000), w.b.Totals().SeedAKT)
	assert.Equal(t, int64(0), w.b.NetBurnedAKT(), "the seed is not a burn")
	assert.Error(t, w.b.Seed(w.pool), "seeded once")
	assert.Equal(t, math.Inf(1), w.b.CollateralRatio(1.14), "no ACT yet")
	assert.Equal(t, tk.BMEHealthy, w.b.Status(1.14))
	requireBMEOK(t, w)
}

// TestBMEMintBurnHandComputed runs a sequence of mints and burns whose
// results are computed by hand in the comments.
func TestBMEMintBurnHandComputed(t *testing.T) {
	w := newBMEWorld(t, tk.DefaultBMEParams(), true)
	type want struct {
		out, fromVault, minted int64 // uact for mints, uakt for burns
		vault, remint, actSup  int64
	}
	steps := []struct {
		name  string
		mint  bool
		from  tk.Account
		to    tk.Account
		amt   int64
		price float64
		want  want
	}{
		// 1,000 AKT at $1.14 mint 1,140 ACT; 25 bps = 2.85 ACT stay in
		// the vault, the tenant gets 1,137.15 ACT; R = 1,000 AKT.
		{"mint 1,000 AKT at $1.14", true, w.tenant, w.tenant, tk.Tokens(1_000), 1.14,
			want{out: 1_137_150_000, vault: tk.Tokens(301_000), remint: tk.Tokens(1_000), actSup: 1_140_000_000}},
		// The provider redeems the 1,137.15 ACT at $1.25: 909.72 AKT, all
		// from the remint credits (1,000 AKT); R = 90.28 AKT.
		{"burn 1,137.15 ACT at $1.25", false, w.provider, w.provider, 1_137_150_000, 1.25,
			want{out: 909_720_000, fromVault: 909_720_000, vault: 300_090_280_000, remint: 90_280_000, actSup: 2_850_000}},
		// 1,000 AKT at $1.00 mint 1,000 ACT, 2.5 ACT spread, 997.5 to the
		// tenant; R = 1,090.28 AKT.
		{"mint 1,000 AKT at $1.00", true, w.tenant, w.tenant, tk.Tokens(1_000), 1.00,
			want{out: 997_500_000, vault: 301_090_280_000, remint: 1_090_280_000, actSup: 1_002_850_000}},
		// AKT fell to $0.40: 997.5 ACT redeem 2,493.75 AKT, of which
		// 1,090.28 from the credits and 1,403.47 newly minted. The seed
		// stays in the vault.
		{"burn 997.5 ACT at $0.40 exhausts the credits", false, w.provider, w.provider, 997_500_000, 0.40,
			want{out: 2_493_750_000, fromVault: 1_090_280_000, minted: 1_403_470_000, vault: tk.Tokens(300_000), remint: 0, actSup: 5_350_000}},
		// With no credits left everything is minted: 10 ACT at $2 = 5 AKT.
		{"burn 10 ACT at $2 with no credits", false, w.provider, w.provider, tk.Tokens(10), 2,
			want{out: tk.Tokens(5), minted: tk.Tokens(5), vault: tk.Tokens(300_000), remint: 0, actSup: 5_350_000}},
	}
	aktSupply := w.l.Supply(tk.AKT)
	for _, s := range steps {
		if s.mint {
			got, err := w.b.MintACT(s.from, s.to, s.amt, s.price)
			require.NoError(t, err, s.name)
			assert.Equal(t, s.want.out, got, s.name)
			// The tenant pays the provider (the escrow, in the simulator).
			w.l.Transfer(s.to, w.provider, tk.ACT, got)
		} else {
			if s.amt > w.l.Balance(s.from, tk.ACT) {
				// ACT minted outside the BME for the last step, like the
				// v2.0.0 conversion of axlUSDC escrow to ACT (akash.md §7).
				w.l.Mint(s.from, tk.ACT, s.amt-w.l.Balance(s.from, tk.ACT))
			}
			out, fromVault, minted, err := w.b.BurnACT(s.from, s.to, s.amt, s.price)
			require.NoError(t, err, s.name)
			assert.Equal(t, [3]int64{s.want.out, s.want.fromVault, s.want.minted}, [3]int64{out, fromVault, minted}, s.name)
			aktSupply += minted
		}
		assert.Equal(t, s.want.vault, w.b.Vault(), s.name)
		assert.Equal(t, s.want.remint, w.b.RemintCredits(), s.name)
		assert.Equal(t, s.want.actSup, w.l.Supply(tk.ACT), s.name)
		assert.Equal(t, aktSupply, w.l.Supply(tk.AKT), s.name)
		requireBMEOK(t, w)
	}
	assert.Equal(t, int64(5_350_000), w.l.Balance(w.vault, tk.ACT), "the vault keeps the spreads (2.85 + 2.5 ACT)")
	tot := w.b.Totals()
	assert.Equal(t, tk.BMETotals{SeedAKT: tk.Tokens(300_000), AKTIn: tk.Tokens(2_000), AKTFromVault: tk.Tokens(2_000),
		AKTMinted: 1_403_470_000 + tk.Tokens(5), ACTMinted: 2_140_000_000, ACTSpread: 5_350_000,
		ACTBurned: 2_134_650_000 + tk.Tokens(10), Mints: 2, Burns: 3}, tot)
	assert.Equal(t, -(1_403_470_000 + tk.Tokens(5)), w.b.NetBurnedAKT(), "the price fell: a net mint")
	assert.Equal(t, tot.AKTMinted, w.b.MintedAKT())
}

// TestBMEAEP76Walkthrough reproduces the AEP-76 example (akash.md §7):
// $10M/month of top-ups at $1.14 buy 8.77M AKT; payouts at $1.25 need
// 8.00M AKT; the net burn is ~0.77M AKT a month.
func TestBMEAEP76Walkthrough(t *testing.T) {
	for _, c := range []struct {
		name                       string
		spreadBps                  int64
		aktIn, actOut, aktOut, net int64
	}{
		// floor(1e13/1.14) = 8,771,929,824,561 uakt; ·1.14 = 9,999,999,999,999.54
		// → 9,999,999,999,999 uact; /1.25 → 7,999,999,999,999 uakt;
		// net 771,929,824,562 uakt = 0.77M AKT.
		{"AEP-76 (no spread)", 0, 8_771_929_824_561, 9_999_999_999_999, 7_999_999_999_999, 771_929_824_562},
		// With the 25 bps mint spread the tenant gets 9,975,000 ACT,
		// which pay 7.98M AKT: a net burn of 0.79M AKT.
		{"with the 25 bps spread", 25, 8_771_929_824_561, 9_975_000_000_000, 7_980_000_000_000, 791_929_824_561},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := tk.DefaultBMEParams()
			p.MintSpreadBps = c.spreadBps
			w := newBMEWorld(t, p, true)
			console := w.l.Open("console")
			usd := 10e6 // a month of top-ups, USD
			aktIn := int64(usd / 1.14 * tk.BaseUnits)
			require.Equal(t, c.aktIn, aktIn, "8.77M AKT bought at $1.14")
			w.l.Mint(console, tk.AKT, aktIn) // the market buy
			act, err := w.b.MintACT(console, w.tenant, aktIn, 1.14)
			require.NoError(t, err)
			assert.Equal(t, c.actOut, act)
			w.l.Transfer(w.tenant, w.provider, tk.ACT, act) // a month of leases
			out, fromVault, minted, err := w.b.BurnACT(w.provider, w.provider, act, 1.25)
			require.NoError(t, err)
			assert.Equal(t, c.aktOut, out, "payouts at $1.25")
			assert.Equal(t, out, fromVault, "covered by the month's remint credits")
			assert.Zero(t, minted)
			assert.Equal(t, c.net, w.b.NetBurnedAKT())
			assert.InDelta(t, 0.77, tk.Whole(w.b.NetBurnedAKT())/1e6, 0.025, "~0.77M AKT a month")
			assert.Equal(t, tk.Tokens(300_000)+c.net, w.b.Vault())
			requireBMEOK(t, w)
		})
	}

	// Sizing the top-up from the ACT wanted: the least AKT for 10M ACT.
	p := tk.DefaultBMEParams()
	p.MintSpreadBps = 0
	w := newBMEWorld(t, p, false)
	a, err := w.b.AKTForACT(tk.Tokens(10_000_000), 1.14)
	require.NoError(t, err)
	assert.Equal(t, int64(8_771_929_824_562), a, "ceil(1e13/1.14)")
}

// bmeCRWorld has ACT supply 1,000 ACT backed by 1,000 AKT and no seed, so
// CR equals the price.
func bmeCRWorld(t testing.TB) *bmeWorld {
	t.Helper()
	p := tk.DefaultBMEParams()
	p.VaultSeedAKT = 0
	w := newBMEWorld(t, p, true)
	_, err := w.b.MintACT(w.tenant, w.tenant, tk.Tokens(1_000), 1)
	require.NoError(t, err)
	require.Equal(t, tk.Tokens(1_000), w.l.Supply(tk.ACT))
	require.Equal(t, tk.Tokens(1_000), w.b.Vault())
	return w
}

func TestBMECollateralRatioAndStatus(t *testing.T) {
	w := bmeCRWorld(t)
	for _, c := range []struct {
		price  float64
		bps    int64
		status tk.BMEStatus
	}{
		{2, 20_000, tk.BMEHealthy},
		{0.9501, 9501, tk.BMEHealthy},
		{0.95009, 9500, tk.BMEWarning}, // CR truncates to whole bps, as on chain
		{0.95, 9500, tk.BMEWarning},    // exactly at warn_cr: warning
		{0.9001, 9001, tk.BMEWarning},
		{0.90009, 9000, tk.BMEHaltCR},
		{0.90, 9000, tk.BMEHaltCR}, // exactly at halt_cr: halt_cr
		{0.5, 5000, tk.BMEHaltCR},
		{0, -1, tk.BMEHaltOracle},
		{-1, -1, tk.BMEHaltOracle},
		{math.NaN(), -1, tk.BMEHaltOracle},
		{math.Inf(1), -1, tk.BMEHaltOracle},
		{2e6, -1, tk.BMEHaltOracle}, // above BMEMaxPriceUSD
	} {
		assert.Equal(t, c.status, w.b.Status(c.price), "price %v", c.price)
		assert.Equal(t, c.bps, w.b.CRBps(c.price), "price %v", c.price)
		if c.price > 0 && c.price < 1e6 {
			assert.InDelta(t, c.price, w.b.CollateralRatio(c.price), 1e-15, "CR = 1,000 AKT · P / 1,000 ACT")
		}
	}
	w.b.SetOracleOK(false)
	assert.False(t, w.b.OracleOK())
	assert.Equal(t, tk.BMEHaltOracle, w.b.Status(2), "a stale oracle halts")
	w.b.SetOracleOK(true)
	assert.Equal(t, tk.BMEHealthy, w.b.Status(2))
}

func TestBMERejectionsMoveNothing(t *testing.T) {
	w := bmeCRWorld(t)
	w.l.Transfer(w.tenant, w.provider, tk.ACT, tk.Tokens(500))
	for _, c := range []struct {
		name   string
		do     func() error
		target error
	}{
		{"mint at halt_cr", func() error { _, err := w.b.MintACT(w.tenant, w.tenant, tk.Tokens(100), 0.90); return err }, tk.ErrBMEHaltCR},
		{"mint at price 0", func() error { _, err := w.b.MintACT(w.tenant, w.tenant, tk.Tokens(100), 0); return err }, tk.ErrBMEHaltOracle},
		{"mint below 10 ACT", func() error { _, err := w.b.MintACT(w.tenant, w.tenant, tk.Tokens(5), 1.14); return err }, tk.ErrBMEMinMint},
		{"mint more AKT than held", func() error { _, err := w.b.MintACT(w.provider, w.provider, tk.Tokens(100), 1.14); return err }, tk.ErrBMEFunds},
		{"mint zero", func() error { _, err := w.b.MintACT(w.tenant, w.tenant, 0, 1.14); return err }, tk.ErrBMEAmount},
		{"mint to the vault", func() error { _, err := w.b.MintACT(w.tenant, w.vault, tk.Tokens(100), 1.14); return err }, tk.ErrBMEAmount},
		{"mint from the vault", func() error { _, err := w.b.MintACT(w.vault, w.tenant, tk.Tokens(100), 1.14); return err }, tk.ErrBMEAmount},
		{"burn at price 0", func() error { _, _, _, err := w.b.BurnACT(w.provider, w.provider, tk.Tokens(100), 0); return err }, tk.ErrBMEHaltOracle},
		{"burn more ACT than held", func() error { _, _, _, err := w.b.BurnACT(w.provider, w.provider, tk.Tokens(501), 1); return err }, tk.ErrBMEFunds},
		{"burn 1 uact at $2 (0.5 uakt)", func() error { _, _, _, err := w.b.BurnACT(w.provider, w.provider, 1, 2); return err }, tk.ErrBMEAmount},
		{"burn negative", func() error { _, _, _, err := w.b.BurnACT(w.provider, w.provider, -1, 1); return err }, tk.ErrBMEAmount},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := bmeSnapshot(w.l)
			tot, remint := w.b.Totals(), w.b.RemintCredits()
			err := c.do()
			assert.ErrorIs(t, err, c.target)
			assert.Equal(t, before, bmeSnapshot(w.l), "ledger unchanged")
			assert.Equal(t, tot, w.b.Totals())
			assert.Equal(t, remint, w.b.RemintCredits())
		})
	}

	// Redemptions still run at halt_cr (CR 0.90), and stop at halt_oracle.
	require.Equal(t, tk.BMEHaltCR, w.b.Status(0.9))
	out, fromVault, minted, err := w.b.BurnACT(w.provider, w.provider, tk.Tokens(90), 0.9)
	require.NoError(t, err, "burns are allowed at halt_cr")
	assert.Equal(t, [3]int64{tk.Tokens(100), tk.Tokens(100), 0}, [3]int64{out, fromVault, minted})
	w.b.SetOracleOK(false)
	before := bmeSnapshot(w.l)
	_, _, _, err = w.b.BurnACT(w.provider, w.provider, tk.Tokens(90), 0.9)
	assert.ErrorIs(t, err, tk.ErrBMEHaltOracle)
	_, err = w.b.MintACT(w.tenant, w.tenant, tk.Tokens(100), 2)
	assert.ErrorIs(t, err, tk.ErrBMEHaltOracle, "a stale oracle blocks mints at any price")
	assert.Equal(t, before, bmeSnapshot(w.l))
	requireBMEOK(t, w)
}

func TestBMEMintInterval(t *testing.T) {
	w := bmeCRWorld(t) // CR = price
	for _, c := range []struct {
		cr   float64
		want int64
	}{
		{2, 10},
		{0.9501, 10},
		{0.95, 10},      // warning, 0 steps
		{0.9491, 10},    // 9491 bps: 0 steps
		{0.949, 11},     // 1 step: 10·1.1
		{0.9405, 23},    // 9 steps: floor(23.579)
		{0.94, 25},      // 10 steps: floor(10·1.1^10 = 25.937)
		{0.90, 1_173},   // 50 steps: floor(1173.9)
		{0.874, 13_990}, // 76 steps: floor(13990.4)
		{0.873, 14_400}, // 77 steps: 15389.4, capped at max_epoch_blocks
		{0.1, 14_400},
	} {
		assert.Equal(t, c.want, w.b.MintInterval(c.cr), "CR %v", c.cr)
	}
	assert.Equal(t, int64(10), w.b.MintInterval(0), "halt_oracle: retry at the base cadence")
	w.b.SetOracleOK(false)
	assert.Equal(t, int64(10), w.b.MintInterval(0.94))
}

// bmeCRBps recomputes CR in truncated basis points with math/big from
// ledger balances: floor(V·round(P·1e12)·1e4 / (A·1e12)).
func bmeCRBps(l *tk.Ledger, vault tk.Account, price float64) int64 {
	a := l.Supply(tk.ACT)
	if a == 0 {
		return math.MaxInt64
	}
	num := new(big.Int).SetInt64(l.Balance(vault, tk.AKT))
	num.Mul(num, big.NewInt(int64(math.Round(price*1e12))))
	num.Mul(num, big.NewInt(10_000))
	den := new(big.Int).Mul(big.NewInt(a), big.NewInt(1e12))
	num.Quo(num, den)
	if !num.IsInt64() {
		return math.MaxInt64
	}
	return num.Int64()
}

// TestBMEProperties runs random mints and burns along random price paths
// with oracle outages, and checks the ledger and the BME after every
// operation.
func TestBMEProperties(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 20
	}
	// What the random runs reached, so that a change that makes them
	// trivial fails.
	var statuses [4]int
	var shortfalls, rejected int
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 0xb3e))
		p := tk.DefaultBMEParams()
		p.MintSpreadBps = []int64{0, 25, 30, 333}[r.IntN(4)]
		p.SettleSpreadBps = []int64{0, 0, 7, 50}[r.IntN(4)]
		p.VaultSeedAKT = []float64{0, 300, 300_000}[r.IntN(3)]
		p.MinMintACT = []float64{0, 10}[r.IntN(2)]
		w := newBMEWorld(t, p, true)
		users := []tk.Account{w.tenant, w.provider, w.l.Open("u2"), w.l.Open("u3")}
		for _, u := range users {
			w.l.Mint(u, tk.AKT, tk.Tokens(float64(r.IntN(50_000))))
		}
		aktSupply0 := w.l.Supply(tk.AKT)
		price := 0.2 + 3*r.Float64()
		var aktIn, aktOut, actMinted, actBurned int64

		for step := range 300 {
			// Random price path: a log-normal step, rare jumps and outages.
			price *= math.Exp(0.1 * r.NormFloat64())
			price = min(max(price, 1e-3), 1e4)
			oracle := price
			switch r.IntN(40) {
			case 0:
				oracle = 0
			case 1:
				oracle = -oracle
			case 2:
				w.b.SetOracleOK(false) // an outage of a few steps
			}
			if !w.b.OracleOK() && r.IntN(3) == 0 {
				w.b.SetOracleOK(true)
			}
			from, to := users[r.IntN(len(users))], users[r.IntN(len(users))]
			before := bmeSnapshot(w.l)
			totBefore := w.b.Totals()
			var err error
			op := r.IntN(2)
			switch op {
			case 0: // mint
				amt := r.Int64N(w.l.Balance(from, tk.AKT)/4 + 2)
				var out int64
				out, err = w.b.MintACT(from, to, amt, oracle)
				if err == nil {
					aktIn += amt
					actMinted += w.b.Totals().ACTMinted - totBefore.ACTMinted
					assert.Equal(t, w.l.Balance(to, tk.ACT)-before[len(before)-w.l.Accounts()+int(to)], out)
				}
			case 1: // burn
				amt := r.Int64N(w.l.Balance(from, tk.ACT)/2 + 2)
				var out, fromVault, minted int64
				out, fromVault, minted, err = w.b.BurnACT(from, to, amt, oracle)
				if err == nil {
					require.Equal(t, out, fromVault+minted)
					require.LessOrEqual(t, fromVault, totBefore.AKTIn-totBefore.AKTFromVault, "paid from credits only")
					if minted > 0 {
						shortfalls++
						require.Zero(t, w.b.RemintCredits(), "mints only once the credits are exhausted")
					}
					aktOut += out
					actBurned += amt
				}
			}
			if err != nil {
				rejected++
				require.Equal(t, before, bmeSnapshot(w.l), "seed %d step %d op %d: a rejected request moves nothing (%v)", seed, step, op, err)
				require.Equal(t, totBefore, w.b.Totals())
			}

			// Invariants.
			requireBMEOK(t, w)
			tot := w.b.Totals()
			require.GreaterOrEqual(t, w.b.Vault(), int64(0))
			require.Equal(t, tot.SeedAKT+w.b.RemintCredits(), w.b.Vault(), "vault = seed + credits")
			require.GreaterOrEqual(t, w.b.RemintCredits(), int64(0))
			require.LessOrEqual(t, w.b.RemintCredits(), aktIn, "credits never exceed the AKT that entered the vault")
			require.Equal(t, aktIn, tot.AKTIn)
			require.Equal(t, aktOut, tot.AKTFromVault+tot.AKTMinted)
			require.Equal(t, aktIn-aktOut, w.b.NetBurnedAKT())
			require.Equal(t, actMinted, tot.ACTMinted)
			require.Equal(t, actBurned, tot.ACTBurned)
			require.Equal(t, actMinted-actBurned, w.l.Supply(tk.ACT), "ACT supply = minted - burned")
			require.Equal(t, w.l.Minted(tk.ACT)-w.l.Burned(tk.ACT), w.l.Supply(tk.ACT))
			require.Equal(t, aktSupply0+tot.AKTMinted, w.l.Supply(tk.AKT), "AKT supply grows by shortfall mints only")

			// CR recomputed from ledger balances.
			if a := w.l.Supply(tk.ACT); a > 0 {
				want := float64(w.l.Balance(w.vault, tk.AKT)) * price / float64(a)
				require.Equal(t, want, w.b.CollateralRatio(price))
			}
			bps := bmeCRBps(w.l, w.vault, price)
			require.Equal(t, bps, w.b.CRBps(price))
			if w.b.OracleOK() {
				wantStatus := tk.BMEHaltCR
				if bps > 9500 {
					wantStatus = tk.BMEHealthy
				} else if bps > 9000 {
					wantStatus = tk.BMEWarning
				}
				require.Equal(t, wantStatus, w.b.Status(price))
				if wantStatus == tk.BMEHealthy {
					require.Equal(t, int64(10), w.b.MintInterval(price))
				} else {
					steps := (9500 - bps) / 10
					want := int64(math.Min(14_400, math.Floor(10*math.Pow(1.1, float64(steps))+1e-9)))
					require.Equal(t, want, w.b.MintInterval(price), "CR %d bps", bps)
				}
			} else {
				require.Equal(t, tk.BMEHaltOracle, w.b.Status(price))
			}
			statuses[w.b.Status(oracle)]++
		}
	}
	t.Logf("statuses %v, shortfall mints %d, rejected %d", statuses, shortfalls, rejected)
	for s, n := range statuses {
		assert.Positive(t, n, "status %v never reached", tk.BMEStatus(s))
	}
	assert.Positive(t, shortfalls)
	assert.Positive(t, rejected)
}

func TestBMEErrorsWrap(t *testing.T) {
	w := bmeCRWorld(t)
	_, err := w.b.MintACT(w.tenant, w.tenant, tk.Tokens(5), 1.14)
	assert.True(t, errors.Is(err, tk.ErrBMEMinMint))
	assert.EqualError(t, err, "tokenomics: bme: mint below min_mint_act: 5000000 uakt at 1.14 USD/AKT mints 5700000 uact < 10000000")
}

func BenchmarkBMEMintBurn(b *testing.B) {
	w := newBMEWorld(b, tk.DefaultBMEParams(), true)
	w.l.Mint(w.tenant, tk.AKT, tk.Tokens(1e9))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		price := 1 + float64(i%100)/100
		act, err := w.b.MintACT(w.tenant, w.provider, tk.Tokens(100), price)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, _, err := w.b.BurnACT(w.provider, w.tenant, act, price*1.01); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBMECheckDetectsTampering moves AKT out of the vault behind the BME's
// back: Check reports it, and a redemption that would need it panics (a
// broken invariant is a bug).
func TestBMECheckDetectsTampering(t *testing.T) {
	p := tk.DefaultBMEParams()
	p.VaultSeedAKT = 0
	w := newBMEWorld(t, p, true)
	assert.Equal(t, p, w.b.Params())
	assert.Equal(t, w.vault, w.b.VaultAccount())
	act, err := w.b.MintACT(w.tenant, w.provider, tk.Tokens(100), 1)
	require.NoError(t, err)
	requireBMEOK(t, w)

	w.l.Transfer(w.vault, w.pool, tk.AKT, tk.Tokens(1))
	ok, why := w.b.Check()
	assert.False(t, ok)
	assert.Equal(t, "bme: vault 99000000 uakt < remint credits 100000000", why)
	assert.PanicsWithValue(t, "tokenomics: bme: remint credits 100000000 exceed the vault's 99000000 uakt", func() {
		_, _, _, _ = w.b.BurnACT(w.provider, w.provider, act, 1)
	})
}

// TestBMEBuyACT: a tenant short of credits buys AKT from holders for at
// least the minimum mint (the spread included, rounded up) and mints ACT;
// credits left over stay in its wallet; when the BME refuses to mint,
// nothing is bought and nothing moves.
func TestBMEBuyACT(t *testing.T) {
	w := newBMEWorld(t, tk.DefaultBMEParams(), true)
	wallet := w.l.Open("wallet")
	holders := w.pool
	before := w.l.Balance(holders, tk.AKT)
	act, usd, short := w.b.BuyACT(holders, wallet, tk.Tokens(5), 2)
	assert.False(t, short)
	assert.Equal(t, tk.Tokens(5), act)
	// 10 ACT (the minimum mint) after a 25 bps spread at $2: ceil(10e6 / 2 / 0.9975) uakt
	akt := int64(math.Ceil(10e6 / 2 / 0.9975))
	assert.Equal(t, before-akt, w.l.Balance(holders, tk.AKT))
	assert.InDelta(t, float64(akt)/1e6*2, usd, 1e-12)
	assert.GreaterOrEqual(t, w.l.Balance(wallet, tk.ACT), tk.Tokens(9.9), "the rest of the minimum mint stays in the wallet")
	requireBMEOK(t, w)

	// enough credits: nothing is bought
	held := w.l.Balance(holders, tk.AKT)
	act, usd, short = w.b.BuyACT(holders, wallet, tk.Tokens(3), 2)
	assert.False(t, short)
	assert.Equal(t, tk.Tokens(3), act)
	assert.Zero(t, usd)
	assert.Equal(t, held, w.l.Balance(holders, tk.AKT))

	// a stale oracle halts mints: nothing moves, the credits held are all there is
	w.b.SetOracleOK(false)
	snap := bmeSnapshot(w.l)
	act, usd, short = w.b.BuyACT(holders, wallet, tk.Tokens(50), 2)
	assert.False(t, short)
	assert.Equal(t, w.l.Balance(wallet, tk.ACT), act)
	assert.Less(t, act, tk.Tokens(50))
	assert.Zero(t, usd)
	assert.Equal(t, snap, bmeSnapshot(w.l))
	requireBMEOK(t, w)

	// at a price so low that the AKT needed is beyond int64 uakt, nothing
	// is bought and nothing moves (it used to wrap to a transfer of
	// -9223372036854775808 uakt and panic)
	w.b.SetOracleOK(true)
	snap = bmeSnapshot(w.l)
	held = w.l.Balance(wallet, tk.ACT)
	act, usd, short = w.b.BuyACT(holders, wallet, tk.Tokens(1e9), 1e-9)
	assert.Equal(t, held, act)
	assert.Zero(t, usd)
	assert.True(t, short)
	assert.Equal(t, snap, bmeSnapshot(w.l))
	requireBMEOK(t, w)
}

// TestBMEBuyACTShortFloat: when the holders hold fewer AKT than a
// purchase needs (here at a price of 1e-9 USD, where 50 ACT cost more
// uakt than an int64 holds), nothing is bought, nothing moves and short
// is reported; the credits already held are what is available.
func TestBMEBuyACTShortFloat(t *testing.T) {
	w := newBMEWorld(t, tk.DefaultBMEParams(), true)
	wallet := w.l.Open("wallet")
	holders := w.pool
	for _, price := range []float64{1e-9, 1e-6} {
		snap := bmeSnapshot(w.l)
		act, usd, short := w.b.BuyACT(holders, wallet, tk.Tokens(50_000), price)
		assert.True(t, short, "price %v", price)
		assert.Zero(t, usd)
		assert.Equal(t, w.l.Balance(wallet, tk.ACT), act)
		assert.Equal(t, snap, bmeSnapshot(w.l), "nothing moves")
		requireBMEOK(t, w)
	}
}
