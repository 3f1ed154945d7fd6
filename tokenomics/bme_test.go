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
	assert.Equal(t, "mint", tk.BMEMint.String())
	assert.Equal(t, "burn", tk.BMEBurn.String())
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

	// A queued mint's AKT is pending and does not count toward CR.
	_, err := w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(1_000), 2, 0)
	require.NoError(t, err)
	assert.Equal(t, tk.Tokens(2_000), w.b.Vault())
	assert.Equal(t, tk.Tokens(1_000), w.b.PendingAKT())
	assert.Equal(t, 2.0, w.b.CollateralRatio(2))
	assert.Equal(t, int64(20_000), w.b.CRBps(2))
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
		{"enqueue mint at halt_cr", func() error { _, err := w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(100), 0.9, 0); return err }, tk.ErrBMEHaltCR},
		{"enqueue mint below 10 ACT", func() error { _, err := w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(9), 1, 0); return err }, tk.ErrBMEMinMint},
		{"enqueue burn at price 0", func() error { _, err := w.b.EnqueueBurn(w.provider, w.provider, tk.Tokens(1), 0, 0); return err }, tk.ErrBMEHaltOracle},
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

func TestBMEQueueEpochs(t *testing.T) {
	w := bmeCRWorld(t) // CR = price: 1,000 AKT in the vault, 1,000 ACT
	assert.Equal(t, int64(-1), w.b.NextDue(), "nothing queued")
	assert.Empty(t, w.b.ExecuteDue(0, 1))

	// A mint queued at height 3 runs at the first mint epoch on the grid
	// 0, 10, 20, ...: height 10. Its AKT waits in the vault as pending.
	tenantAKT := w.l.Balance(w.tenant, tk.AKT)
	id, err := w.b.EnqueueMint(w.tenant, w.provider, tk.Tokens(100), 2, 3)
	require.NoError(t, err)
	assert.Equal(t, int64(1), id)
	assert.Equal(t, int64(10), w.b.NextDue())
	assert.Equal(t, tenantAKT-tk.Tokens(100), w.l.Balance(w.tenant, tk.AKT))
	assert.Equal(t, tk.Tokens(100), w.b.PendingAKT())
	assert.Equal(t, tk.Tokens(1_000), w.b.RemintCredits(), "credited when executed")
	mints, burns := w.b.Queued()
	assert.Equal(t, []tk.BMERequest{{ID: 1, Kind: tk.BMEMint, From: w.tenant, To: w.provider, Amount: tk.Tokens(100), Height: 3}}, mints)
	assert.Empty(t, burns)
	requireBMEOK(t, w)
	assert.Empty(t, w.b.ExecuteDue(9, 2), "not due yet")

	res := w.b.ExecuteDue(10, 2)
	require.Len(t, res, 1)
	assert.NoError(t, res[0].Err)
	assert.Equal(t, int64(199_500_000), res[0].Out, "100 AKT at $2 = 200 ACT less 0.5 ACT spread")
	assert.Equal(t, int64(500_000), res[0].Spread)
	assert.Equal(t, int64(199_500_000), w.l.Balance(w.provider, tk.ACT))
	assert.Equal(t, int64(0), w.b.PendingAKT())
	assert.Equal(t, tk.Tokens(1_100), w.b.RemintCredits())
	assert.Equal(t, int64(-1), w.b.NextDue())
	requireBMEOK(t, w)

	// A burn queued at height 12 runs at the burn epoch 20.
	_, err = w.b.EnqueueBurn(w.provider, w.provider, 199_500_000, 2, 12)
	require.NoError(t, err)
	assert.Equal(t, int64(20), w.b.NextDue())
	assert.Equal(t, int64(199_500_000), w.b.PendingACT())
	assert.Equal(t, int64(0), w.l.Balance(w.provider, tk.ACT))
	res = w.b.ExecuteDue(20, 2.5)
	require.Len(t, res, 1)
	assert.Equal(t, tk.BMEResult{Request: tk.BMERequest{ID: 2, Kind: tk.BMEBurn, From: w.provider, To: w.provider, Amount: 199_500_000, Height: 12},
		Out: 79_800_000, FromVault: 79_800_000}, res[0], "199.5 ACT at $2.50 = 79.8 AKT")
	assert.Equal(t, int64(79_800_000), w.l.Balance(w.provider, tk.AKT))
	assert.Equal(t, int64(0), w.b.PendingACT())
	requireBMEOK(t, w)

	// At most 50 records a block, burns first: 60 burns and a mint queued
	// at height 21 take two burn epochs (30, 40); the mint's epoch at 30
	// has no budget left, so it runs at the next one (40).
	for range 60 {
		_, err = w.b.EnqueueBurn(w.tenant, w.tenant, tk.Tokens(1), 1, 21)
		require.NoError(t, err)
	}
	_, err = w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(100), 1, 21)
	require.NoError(t, err)
	assert.Equal(t, int64(30), w.b.NextDue())
	require.Equal(t, tk.BMEHealthy, w.b.Status(1))
	res = w.b.ExecuteDue(30, 1)
	require.Len(t, res, tk.BMEMaxRecordsPerBlock)
	for _, r := range res {
		assert.Equal(t, tk.BMEBurn, r.Request.Kind)
		assert.Equal(t, tk.Tokens(1), r.Out)
	}
	mints, burns = w.b.Queued()
	assert.Len(t, burns, 10)
	assert.Len(t, mints, 1)
	assert.Equal(t, int64(40), w.b.NextDue())
	res = w.b.ExecuteDue(40, 1)
	require.Len(t, res, 11)
	assert.Equal(t, tk.BMEMint, res[10].Request.Kind)
	assert.Equal(t, int64(99_750_000), res[10].Out)
	assert.Equal(t, int64(-1), w.b.NextDue())
	requireBMEOK(t, w)

	// A mint that falls below 10 ACT at the execution price fails; after
	// three attempts it is cancelled and the AKT refunded.
	tenantAKT = w.l.Balance(w.tenant, tk.AKT)
	_, err = w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(10), 1.14, 41) // 11.4 ACT at $1.14
	require.NoError(t, err)
	assert.Equal(t, int64(50), w.b.NextDue())
	for i, h := range []int64{50, 60, 70} {
		require.Equal(t, tk.BMEHealthy, w.b.Status(0.99))
		res = w.b.ExecuteDue(h, 0.99) // 9.9 ACT
		require.Len(t, res, 1)
		assert.ErrorIs(t, res[0].Err, tk.ErrBMEMinMint)
		assert.Equal(t, i+1, res[0].Request.Attempts)
		assert.Equal(t, i == 2, res[0].Cancelled)
		requireBMEOK(t, w)
	}
	assert.Equal(t, tenantAKT, w.l.Balance(w.tenant, tk.AKT), "refunded")
	assert.Equal(t, int64(0), w.b.PendingAKT())
	assert.Equal(t, int64(1), w.b.Totals().Cancelled)
	assert.Equal(t, int64(-1), w.b.NextDue())

	// A burn that truncates to zero AKT at the execution price is
	// cancelled the same way and its ACT refunded.
	tenantACT := w.l.Balance(w.tenant, tk.ACT)
	_, err = w.b.EnqueueBurn(w.tenant, w.tenant, 1, 0.5, 71) // 1 uact at $0.50 = 2 uakt
	require.NoError(t, err)
	assert.Equal(t, tenantACT-1, w.l.Balance(w.tenant, tk.ACT))
	for _, h := range []int64{80, 90, 100} {
		res = w.b.ExecuteDue(h, 2) // 0.5 uakt
		require.Len(t, res, 1)
		assert.ErrorIs(t, res[0].Err, tk.ErrBMEAmount)
	}
	assert.True(t, res[0].Cancelled)
	assert.Equal(t, tenantACT, w.l.Balance(w.tenant, tk.ACT), "refunded")
	assert.Equal(t, int64(2), w.b.Totals().Cancelled)
	requireBMEOK(t, w)
}

func TestBMEQueueHalts(t *testing.T) {
	w := bmeCRWorld(t)
	_, err := w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(100), 1, 0)
	require.NoError(t, err)
	_, err = w.b.EnqueueBurn(w.tenant, w.tenant, tk.Tokens(10), 1, 0)
	require.NoError(t, err)
	assert.Equal(t, int64(0), w.b.NextDue(), "height 0 is an epoch")

	// halt_cr: the burn runs, the mint waits and the epoch is retried
	// every epoch_blocks without counting attempts.
	res := w.b.ExecuteDue(0, 0.5)
	require.Len(t, res, 1)
	assert.Equal(t, tk.BMEBurn, res[0].Request.Kind)
	assert.Equal(t, tk.Tokens(20), res[0].Out, "10 ACT at $0.50")
	assert.Equal(t, int64(10), w.b.NextDue())
	assert.Empty(t, w.b.ExecuteDue(10, 0.5))
	assert.Equal(t, int64(20), w.b.NextDue())

	// A stale oracle blocks burns too.
	_, err = w.b.EnqueueBurn(w.tenant, w.tenant, tk.Tokens(10), 1, 15)
	require.NoError(t, err)
	w.b.SetOracleOK(false)
	assert.Empty(t, w.b.ExecuteDue(20, 1))
	assert.Equal(t, int64(30), w.b.NextDue())
	w.b.SetOracleOK(true)

	// Recovery at 30 runs the burn; the mint epoch restarts one interval
	// later (x/bme resets it on recovery): 40.
	res = w.b.ExecuteDue(30, 1)
	require.Len(t, res, 1)
	assert.Equal(t, tk.BMEBurn, res[0].Request.Kind)
	assert.Equal(t, int64(40), w.b.NextDue())
	res = w.b.ExecuteDue(40, 1)
	require.Len(t, res, 1)
	assert.Equal(t, tk.BMEMint, res[0].Request.Kind)
	assert.NoError(t, res[0].Err)
	assert.Zero(t, res[0].Request.Attempts)
	requireBMEOK(t, w)
}

func TestBMEQueueWarningBackoff(t *testing.T) {
	w := bmeCRWorld(t)
	_, err := w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(20), 1, 0)
	require.NoError(t, err)
	_, err = w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(20), 1, 0)
	require.NoError(t, err)
	// At CR 0.94 the next mint epoch is 25 blocks after this one (the
	// interval is computed before the mints run).
	res := w.b.ExecuteDue(0, 0.94)
	require.Len(t, res, 2)
	assert.Equal(t, int64(18_800_000-47_000), res[0].Out, "20 AKT at $0.94 less 25 bps")
	_, err = w.b.EnqueueMint(w.tenant, w.tenant, tk.Tokens(20), 0.94, 1)
	require.NoError(t, err)
	assert.Equal(t, int64(25), w.b.NextDue())
}

// bmeCRBps recomputes CR in truncated basis points with math/big from
// ledger balances: floor((V − pending)·round(P·1e12)·1e4 / (A·1e12)).
func bmeCRBps(l *tk.Ledger, vault tk.Account, pending int64, price float64) int64 {
	a := l.Supply(tk.ACT)
	if a == 0 {
		return math.MaxInt64
	}
	num := new(big.Int).SetInt64(l.Balance(vault, tk.AKT) - pending)
	num.Mul(num, big.NewInt(int64(math.Round(price*1e12))))
	num.Mul(num, big.NewInt(10_000))
	den := new(big.Int).Mul(big.NewInt(a), big.NewInt(1e12))
	num.Quo(num, den)
	if !num.IsInt64() {
		return math.MaxInt64
	}
	return num.Int64()
}

// TestBMEProperties runs random mints and burns, immediate and queued,
// along random price paths with oracle outages, and checks the ledger and
// the BME after every operation.
func TestBMEProperties(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 20
	}
	// What the random runs reached, so that a change that makes them
	// trivial fails.
	var statuses [4]int
	var shortfalls, queuedOK, cancelled, rejected int
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
		height := int64(0)

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
			height += int64(r.IntN(15))
			from, to := users[r.IntN(len(users))], users[r.IntN(len(users))]
			before := bmeSnapshot(w.l)
			totBefore := w.b.Totals()
			var err error
			op := r.IntN(5)
			switch op {
			case 0: // immediate mint
				amt := r.Int64N(w.l.Balance(from, tk.AKT)/4 + 2)
				var out int64
				out, err = w.b.MintACT(from, to, amt, oracle)
				if err == nil {
					aktIn += amt
					actMinted += w.b.Totals().ACTMinted - totBefore.ACTMinted
					assert.Equal(t, w.l.Balance(to, tk.ACT)-before[len(before)-w.l.Accounts()+int(to)], out)
				}
			case 1: // immediate burn
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
			case 2:
				amt := r.Int64N(w.l.Balance(from, tk.AKT)/4 + 2)
				if r.IntN(4) == 0 { // just above the minimum: fails if the price falls
					amt = int64(10.1e6 / price)
				}
				_, err = w.b.EnqueueMint(from, to, amt, oracle, height)
			case 3:
				amt := r.Int64N(w.l.Balance(from, tk.ACT)/2 + 2)
				if r.IntN(4) == 0 { // a few uact: truncates to 0 uakt if the price rises
					amt = 1 + r.Int64N(3)
				}
				_, err = w.b.EnqueueBurn(from, to, amt, oracle, height)
			case 4:
				for _, res := range w.b.ExecuteDue(height, oracle) {
					if res.Cancelled {
						cancelled++
					}
					if res.Err != nil {
						continue
					}
					queuedOK++
					if res.Request.Kind == tk.BMEMint {
						aktIn += res.Request.Amount
						actMinted += res.Out + res.Spread
					} else {
						aktOut += res.Out
						actBurned += res.Request.Amount
						require.Equal(t, res.Out, res.FromVault+res.Minted)
					}
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
			mints, _ := w.b.Queued()
			var pending int64
			for _, m := range mints {
				pending += m.Amount
			}
			require.Equal(t, pending, w.b.PendingAKT())
			require.GreaterOrEqual(t, w.b.Vault(), int64(0))
			require.Equal(t, tot.SeedAKT+w.b.RemintCredits()+pending, w.b.Vault(), "vault = seed + credits + pending")
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
				want := float64(w.l.Balance(w.vault, tk.AKT)-pending) * price / float64(a)
				require.Equal(t, want, w.b.CollateralRatio(price))
			}
			bps := bmeCRBps(w.l, w.vault, pending, price)
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
	t.Logf("statuses %v, shortfall mints %d, queued executions %d, cancelled %d, rejected %d",
		statuses, shortfalls, queuedOK, cancelled, rejected)
	for s, n := range statuses {
		assert.Positive(t, n, "status %v never reached", tk.BMEStatus(s))
	}
	assert.Positive(t, shortfalls)
	assert.Positive(t, queuedOK)
	assert.Positive(t, cancelled)
	assert.Positive(t, rejected)
}

// TestBMEQuotesExact checks the fixed-point arithmetic against math/big
// over random amounts and prices, including amounts near the int64 limit.
func TestBMEQuotesExact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 0xb3e))
	for range 20_000 {
		p := tk.DefaultBMEParams()
		p.MintSpreadBps = r.Int64N(10_000)
		p.SettleSpreadBps = r.Int64N(10_000)
		w := newBMEWorld(t, p, false)
		price := math.Exp(r.Float64()*20 - 10) // $4.5e-5 .. $22,000
		pf := big.NewInt(int64(math.Round(price * 1e12)))
		amt := r.Int64N(1 << uint(1+r.IntN(60)))

		// Mint: gross = floor(amt·P), spread = floor(amt·P·bps/1e4).
		out, spread, err := w.b.QuoteMint(amt, price)
		exact := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(amt), pf), big.NewInt(1e12))
		gross := new(big.Int).Quo(exact.Num(), exact.Denom())
		if gross.Sign() == 0 {
			assert.ErrorIs(t, err, tk.ErrBMEAmount)
		} else if gross.IsInt64() {
			require.NoError(t, err)
			s := new(big.Rat).Mul(exact, big.NewRat(p.MintSpreadBps, 10_000))
			wantSpread := new(big.Int).Quo(s.Num(), s.Denom()).Int64()
			assert.Equal(t, wantSpread, spread, "amt %d price %v bps %d", amt, price, p.MintSpreadBps)
			assert.Equal(t, gross.Int64()-wantSpread, out)
		} else {
			assert.ErrorIs(t, err, tk.ErrBMEAmount)
		}

		// Burn: floor(amt/P) less floor(amt/P·bps/1e4).
		aktOut, err := w.b.QuoteBurn(amt, price)
		exact = new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(amt), big.NewInt(1e12)), pf)
		q := new(big.Int).Quo(exact.Num(), exact.Denom())
		s := new(big.Rat).Mul(exact, big.NewRat(p.SettleSpreadBps, 10_000))
		want := new(big.Int).Sub(q, new(big.Int).Quo(s.Num(), s.Denom()))
		if want.Sign() == 0 || !q.IsInt64() {
			assert.ErrorIs(t, err, tk.ErrBMEAmount)
		} else {
			require.NoError(t, err)
			assert.Equal(t, want.Int64(), aktOut, "amt %d price %v bps %d", amt, price, p.SettleSpreadBps)
		}
	}
}

func TestBMEAKTForACT(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 0xb3e))
	for range 5_000 {
		p := tk.DefaultBMEParams()
		p.MintSpreadBps = []int64{0, 25, 30, 333, 9_999}[r.IntN(5)]
		w := newBMEWorld(t, p, false)
		price := math.Exp(r.Float64()*10 - 5)
		want := 1 + r.Int64N(1<<uint(1+r.IntN(45)))
		a, err := w.b.AKTForACT(want, price)
		if err != nil {
			k := float64(p.MintSpreadBps) / 10_000
			require.ErrorIs(t, err, tk.ErrBMEAmount)
			require.Greater(t, float64(want)/price/(1-k), 1e18, "only when it needs about int64 uakt")
			continue
		}
		require.NoError(t, err)
		got, _, err := w.b.QuoteMint(a, price)
		require.NoError(t, err)
		require.GreaterOrEqual(t, got, want, "enough")
		if a > 1 {
			less, _, err := w.b.QuoteMint(a-1, price)
			if err == nil {
				require.Less(t, less, want, "and one uakt less is not")
			}
		}
	}
	w := newBMEWorld(t, tk.DefaultBMEParams(), false)
	_, err := w.b.AKTForACT(0, 1)
	assert.ErrorIs(t, err, tk.ErrBMEAmount)
	_, err = w.b.AKTForACT(1, 0)
	assert.ErrorIs(t, err, tk.ErrBMEHaltOracle)
	_, err = w.b.AKTForACT(math.MaxInt64, 1e-6)
	assert.ErrorIs(t, err, tk.ErrBMEAmount)
	a, err := w.b.AKTForACT(tk.Tokens(1_137.15), 1.14)
	require.NoError(t, err)
	assert.Equal(t, tk.Tokens(1_000), a, "the hand-computed mint, inverted")
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
	assert.Equal(t, "bme: vault 99000000 uakt < remint credits 100000000 + pending 0", why)
	assert.PanicsWithValue(t, "tokenomics: bme: remint credits 100000000 exceed the vault's 99000000 uakt", func() {
		_, _, _, _ = w.b.BurnACT(w.provider, w.provider, act, 1)
	})
}
