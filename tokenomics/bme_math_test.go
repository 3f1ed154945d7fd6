package tokenomics_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tk "github.com/depinsim/depinsim/tokenomics"
)

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
	// at the lowest price one uact is worth 1e9 uakt (it stepped one
	// uakt at a time there; FuzzBME's seed corpus replays it)
	a, err := w.b.AKTForACT(50_000, tk.MinPriceUSD)
	require.NoError(t, err)
	got, _, _ := w.b.QuoteMint(a, tk.MinPriceUSD)
	less, _, _ := w.b.QuoteMint(a-1, tk.MinPriceUSD)
	assert.True(t, got >= 50_000 && less < 50_000, "%d uakt mints %d uact, one less %d", a, got, less)
	a, err = w.b.AKTForACT(tk.Tokens(1_137.15), 1.14)
	require.NoError(t, err)
	assert.Equal(t, tk.Tokens(1_000), a, "the hand-computed mint, inverted")
}
