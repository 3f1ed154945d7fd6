package sim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

// bigOf returns a as a big integer of rate units.
func bigOf(a amount) *big.Int {
	v := new(big.Int).Mul(big.NewInt(a.base), big.NewInt(market.RateScale))
	return v.Add(v, big.NewInt(a.frac))
}

// TestAmountOwedExtremes: rate x blocks is exact in 128 bits and reported
// not representable (never wrapped) when its base units pass an int64,
// at the largest rate and the longest run.
func TestAmountOwedExtremes(t *testing.T) {
	maxBlocks := int64(Never) / int64(Second) // one block a second until Never
	for _, c := range []struct {
		rate   market.Rate
		blocks int64
		ok     bool
	}{
		{0, maxBlocks, true},
		{1, 1, true},
		{market.RateScale, 3, true},
		{rateMax, 1, true},                     // 9.2e12 base units: fits
		{rateMax, market.RateScale - 1, true},  // just below 2^63 base units
		{rateMax, market.RateScale + 1, false}, // above
		{rateMax, maxBlocks, false},
		{1 << 40, 1 << 40, true},
		{1 << 62, 1 << 30, false},
	} {
		a, ok := owed(c.rate, c.blocks)
		require.Equal(t, c.ok, ok, "rate %d x %d blocks", c.rate, c.blocks)
		want := new(big.Int).Mul(big.NewInt(int64(c.rate)), big.NewInt(c.blocks))
		if ok {
			assert.Equal(t, 0, bigOf(a).Cmp(want), "rate %d x %d blocks: got %d base + %d", c.rate, c.blocks, a.base, a.frac)
			assert.True(t, a.frac >= 0 && a.frac < market.RateScale)
		} else {
			limit := new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(market.RateScale))
			assert.Positive(t, want.Cmp(limit), "reported too large but fits")
		}
	}
}

// TestAmountArithmeticProperty: on random amounts up to the int64 of base
// units, add, sub, less, blocksAt and units agree with big integers, and
// add refuses (leaving the amount unchanged) exactly when the sum's base
// units overflow.
func TestAmountArithmeticProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 1))
	draw := func() amount {
		var base int64
		switch rng.IntN(4) {
		case 0:
			base = rng.Int64N(1 << 20)
		case 1:
			base = rng.Int64N(math.MaxInt64/market.RateScale + 10) // around the old int64 limit
		default:
			base = rng.Int64()
		}
		return amount{base: base, frac: rng.Int64N(market.RateScale)}
	}
	maxAmount := bigOf(amount{base: math.MaxInt64, frac: market.RateScale - 1})
	for i := range 20_000 {
		a, b := draw(), draw()
		sum := new(big.Int).Add(bigOf(a), bigOf(b))
		c := a
		if ok := c.add(b); ok {
			require.Equal(t, 0, bigOf(c).Cmp(sum), "case %d: %v + %v", i, a, b)
			require.True(t, c.frac >= 0 && c.frac < market.RateScale)
		} else {
			require.Equal(t, a, c, "case %d: a refused add changed the amount", i)
			require.Positive(t, sum.Cmp(maxAmount), "case %d: %v + %v refused but fits", i, a, b)
		}
		require.Equal(t, bigOf(a).Cmp(bigOf(b)) < 0, a.less(b), "case %d", i)
		hi, lo := a, b
		if hi.less(lo) {
			hi, lo = lo, hi
		}
		d := hi
		d.sub(lo)
		require.Equal(t, 0, bigOf(d).Cmp(new(big.Int).Sub(bigOf(hi), bigOf(lo))), "case %d", i)
		require.True(t, d.frac >= 0 && d.frac < market.RateScale && !d.negative())

		rate := market.Rate(1 + rng.Int64N(math.MaxInt64))
		if rng.IntN(2) == 0 {
			rate = market.Rate(1 + rng.Int64N(1<<30))
		}
		q := new(big.Int).Quo(bigOf(a), big.NewInt(int64(rate)))
		want := int64(math.MaxInt64)
		if q.IsInt64() {
			want = q.Int64()
		}
		require.Equal(t, want, a.blocksAt(rate), "case %d: %v / %d", i, a, rate)

		f, _ := new(big.Float).SetInt(bigOf(a)).Float64()
		require.InDelta(t, f, a.units(), math.Abs(f)*1e-15, "case %d", i)
		if bigOf(a).IsInt64() {
			require.Equal(t, float64(bigOf(a).Int64()), a.units(), "case %d: units must equal the int64's float exactly", i)
		}
	}
}
