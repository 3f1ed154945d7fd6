package tokenomics_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tk "github.com/depinsim/depinsim/tokenomics"
)

// Regression tests of the overflows the fuzz targets (fuzz_test.go) found
// at the documented extremes: token prices down to tk.MinPriceUSD (1e-9)
// and amounts up to math.MaxInt64.

// TestTakeFullInt64Range: amount x bps needs 128 bits above about 1.8e15
// base units at 100 %; Take panicked ("take fee overflow") instead of
// computing the exact fee.
func TestTakeFullInt64Range(t *testing.T) {
	fee, earn := tk.Take(math.MaxInt64, 10_000)
	assert.Equal(t, int64(math.MaxInt64), fee)
	assert.Zero(t, earn)
	fee, earn = tk.Take(math.MaxInt64, 2_000)
	assert.Equal(t, int64(1_844_674_407_370_955_161), fee, "floor((2^63-1) x 0.2)")
	assert.Equal(t, int64(math.MaxInt64)-fee, earn)
	fee, _ = tk.Take(1_000_000_000_000_000_000, 9_999)
	assert.Equal(t, int64(999_900_000_000_000_000), fee)
}

// TestLedgerMintedTotalCannotWrap: after minting and burning the whole
// int64 range, one more mint wrapped the minted total to a negative
// number (and Check still passed, by the same wrap); it must panic and
// change nothing, like a supply overflow.
func TestLedgerMintedTotalCannotWrap(t *testing.T) {
	l := tk.NewLedger()
	a := l.Open("a")
	l.Mint(a, tk.AKT, math.MaxInt64)
	l.Burn(a, tk.AKT, math.MaxInt64)
	assert.PanicsWithValue(t, "tokenomics: supply overflow: mint of 1 akt over 9223372036854775807 minted so far exceeds int64",
		func() { l.Mint(a, tk.AKT, 1) })
	assert.Equal(t, int64(math.MaxInt64), l.Minted(tk.AKT))
	assert.Zero(t, l.Supply(tk.AKT))
	ok, why := l.Check()
	assert.True(t, ok, why)
}

// TestSettleAtLowestTokenPrice: at 1e-9 USD per token, 10,000 USDC of
// fee is 1e19 base units of the token, beyond int64; the conversions to
// FeeTokens and the buy-back's tokens wrapped to math.MinInt64 on amd64
// (a negative fee counter, and a burn of a negative amount that panicked).
// They saturate: FeeTokens at math.MaxInt64, the buy-back at the holders'
// tokens.
func TestSettleAtLowestTokenPrice(t *testing.T) {
	for _, era := range []string{tk.SettlementTake, tk.SettlementBurnMint} {
		w := tk.Withdrawal{Amount: 50_000_000_000, Denom: tk.USDC, Settlement: era, TakeBPS: 2_000, FeeBurnShare: 1,
			PriceUSD: 1, TokenPriceUSD: tk.MinPriceUSD, HoldersTokens: 4e18}
		s := tk.Settle(w)
		assert.Equal(t, int64(10_000_000_000), s.Fee, era)
		assert.Equal(t, int64(math.MaxInt64), s.FeeTokens, "%s: 1e19 base units saturate", era)
		holders := w.HoldersTokens
		for _, p := range s.Postings[:s.N] {
			require.GreaterOrEqual(t, p.Amount, int64(0), "%s: %+v", era, p)
			if p.Kind == tk.PostBurn && p.From == tk.RoleHolders {
				require.LessOrEqual(t, p.Amount, holders, "%s: a buy-back buys at most what holders hold", era)
				holders -= p.Amount
			}
		}
		assert.Zero(t, holders, "%s: the holders' tokens are all bought back", era)
	}
}

// TestSettleBurnShareOfHugeFee: with a burn share of 1 the burn was
// int64(float64(fee)), which rounds above the fee when the fee exceeds
// 2^53 base units (9e9 tokens, a few USD at 1e-9 USD per token): the pool
// was asked to burn more than it had received (a panic in the kernel).
func TestSettleBurnShareOfHugeFee(t *testing.T) {
	for _, d := range []tk.Denom{tk.AKT, tk.USDC} {
		w := tk.Withdrawal{Amount: math.MaxInt64, Denom: d, Settlement: tk.SettlementTake, TakeBPS: 9_926, FeeBurnShare: 1,
			PriceUSD: tk.MinPriceUSD, TokenPriceUSD: tk.MinPriceUSD, HoldersTokens: 0}
		s := tk.Settle(w)
		require.Equal(t, int64(9_155_119_083_782_050_466), s.Fee, d)
		for _, p := range s.Postings[:s.N] {
			if p.From == tk.RolePool {
				assert.Equal(t, s.Fee, p.Amount, "%s: the pool burns (or sells) exactly the fee it received", d)
			}
		}
	}
}

// TestBMEAtLowestTokenPrice: at 1e-9 USD per AKT, BuyACT of 10,000 ACT
// needs 1e19 uakt: the float-to-int64 conversion wrapped to a negative
// transfer, which panicked; and when the holders hold less AKT than a
// purchase needs it panicked too. Nothing is bought instead. A
// redemption whose AKT would push the minted total beyond int64 is
// refused with ErrBMEAmount, not left to wrap it.
func TestBMEAtLowestTokenPrice(t *testing.T) {
	w := newBMEWorld(t, tk.DefaultBMEParams(), true)
	holders := w.l.Open("holders")
	w.l.Mint(holders, tk.AKT, tk.Tokens(1e9))
	before := w.l.Balance(holders, tk.AKT)
	act, usd, short := w.b.BuyACT(holders, w.tenant, tk.Tokens(10_000), tk.MinPriceUSD)
	assert.Zero(t, act, "1e19 uakt is beyond int64: nothing bought")
	assert.Zero(t, usd)
	assert.True(t, short)
	act, usd, short = w.b.BuyACT(holders, w.tenant, tk.Tokens(100), tk.MinPriceUSD)
	assert.Zero(t, act, "1e17 uakt is more than the holders' 1e15: nothing bought")
	assert.Zero(t, usd)
	assert.True(t, short)
	assert.Equal(t, before, w.l.Balance(holders, tk.AKT))
	act, usd, short = w.b.BuyACT(holders, w.tenant, -5, 1)
	assert.Equal(t, [2]float64{0, 0}, [2]float64{float64(act), usd}, "a negative request buys nothing and returns 0")
	assert.False(t, short)
	act, usd, short = w.b.BuyACT(holders, w.tenant, tk.Tokens(10), 1e-6)
	assert.Equal(t, tk.Tokens(10), act, "1e13 uakt fits: bought")
	assert.Greater(t, usd, 0.0)
	assert.False(t, short)

	// 10 ACT redeemed at 1e-9 USD/AKT is 1e16 uakt: fine once, refused
	// when the minted total would pass int64
	w.l.Mint(w.provider, tk.AKT, math.MaxInt64-w.l.Minted(tk.AKT)-tk.Tokens(5e9))
	w.l.Burn(w.provider, tk.AKT, w.l.Balance(w.provider, tk.AKT))
	_, _, _, err := w.b.BurnACT(w.tenant, w.tenant, tk.Tokens(10), tk.MinPriceUSD)
	assert.True(t, errors.Is(err, tk.ErrBMEAmount), "%v", err)
	ok, why := w.l.Check()
	assert.True(t, ok, why)
}
