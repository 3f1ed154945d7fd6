package tokenomics

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// The BME's fixed-point arithmetic: oracle prices in units of 1e-12 USD,
// the collateral ratio in truncated basis points, the mint epoch's
// back-off, and exact quotes of mints and redemptions with their spreads
// (x/bme truncates the exact amounts; akash.md §7, Model spec §D.14–16).

const (
	// bmePriceScale is the fixed-point scale of oracle prices: a price
	// in USD per AKT is rounded to 1e-12 USD before the integer
	// arithmetic, so that decimal inputs such as $1.14 are exact
	// (1,000 AKT at $1.14 is 1,140 ACT, not 1,139.999999).
	bmePriceScale = 1_000_000_000_000
	// bmeBackoffNum/bmeBackoffDen is the per-step growth of the mint
	// epoch in the warning band, 1.1 (x/bme EpochBlocksBackoffPercent
	// = 10; akash.md §7 and §D.16).
	bmeBackoffNum, bmeBackoffDen = 11, 10
	// bmeBackoffStepBps is the width of one back-off step in basis
	// points of CR, 10 bps = 0.001 CR (akash.md §D.16).
	bmeBackoffStepBps = 10
	// bmeBps is the number of basis points in one.
	bmeBps = 10_000
)

// bmeRatioBps converts a ratio to basis points, rounding to nearest.
func bmeRatioBps(r float64) int64 { return int64(math.Round(r * bmeBps)) }

// bmePrice converts a price in USD per AKT to units of 1e-12 USD; ok is
// false for a price the BME treats as a broken oracle.
func bmePrice(priceUSD float64) (p uint64, ok bool) {
	if !(priceUSD > 0 && priceUSD <= BMEMaxPriceUSD) {
		return 0, false
	}
	r := math.Round(priceUSD * bmePriceScale)
	if r < 1 {
		return 0, false
	}
	return uint64(r), true
}

// crBps returns CR in basis points truncated toward zero, exactly, at the
// fixed-point price p (x/bme: cr.Mul(10000).TruncateInt64()). It is
// math.MaxInt64 when no ACT exists or CR is beyond int64.
func (b *BME) crBps(p uint64) int64 {
	a := b.l.Supply(ACT)
	if a == 0 {
		return math.MaxInt64
	}
	num := b.Vault()
	if num <= 0 {
		return 0
	}
	// floor(num·p·1e4 / (a·1e12)) = floor(floor(num·p / 1e8) / a).
	hi, lo := bits.Mul64(uint64(num), p)
	hi, lo = bmeDiv128(hi, lo, bmePriceScale/bmeBps)
	hi, lo = bmeDiv128(hi, lo, uint64(a))
	if hi != 0 || lo > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(lo)
}

// bmeBackoff returns min(maxBlocks, floor(base·1.1^steps)), at least base.
func bmeBackoff(base, maxBlocks, steps int64) int64 {
	if steps <= 0 {
		return base
	}
	// Skip the exact power when the float estimate is far above the cap.
	if float64(base)*math.Pow(float64(bmeBackoffNum)/bmeBackoffDen, float64(steps)) > 2*float64(maxBlocks) {
		return maxBlocks
	}
	num := new(big.Int).Exp(big.NewInt(bmeBackoffNum), big.NewInt(steps), nil)
	num.Mul(num, big.NewInt(base))
	den := new(big.Int).Exp(big.NewInt(bmeBackoffDen), big.NewInt(steps), nil)
	num.Quo(num, den)
	if !num.IsInt64() || num.Int64() > maxBlocks {
		return maxBlocks
	}
	return max(num.Int64(), base)
}

// bmeDiv128 divides the 128-bit number hi:lo by d, returning the 128-bit
// quotient.
func bmeDiv128(hi, lo, d uint64) (qhi, qlo uint64) {
	qhi = hi / d
	qlo, _ = bits.Div64(hi%d, lo, d)
	return qhi, qlo
}

// bmeMulDiv returns q = floor(x·y/d) and r = x·y mod d exactly; ok is
// false when q exceeds math.MaxInt64.
func bmeMulDiv(x, y, d uint64) (q, r uint64, ok bool) {
	hi, lo := bits.Mul64(x, y)
	if hi >= d {
		return 0, 0, false
	}
	q, r = bits.Div64(hi, lo, d)
	return q, r, q <= math.MaxInt64
}

// bmeSpread returns floor((q + r/d)·bps/10000) exactly, the spread of
// the untruncated amount q + r/d (x/bme takes the spread of the exact
// amount, then truncates). It needs r < d and bps < 10000.
func bmeSpread(q, r, d, bps uint64) uint64 {
	if bps == 0 {
		return 0
	}
	// q·bps = a·1e4 + c0; r·bps/d = c1 + f, f < 1; the result is
	// a + floor((c0 + c1 + f)/1e4) = a + (c0 + c1)/1e4.
	hi, lo := bits.Mul64(q, bps)
	a, c0 := bits.Div64(hi, lo, bmeBps)
	c1, _, _ := bmeMulDiv(r, bps, d)
	return a + (c0+c1)/bmeBps
}

// quoteMint computes a mint of aktIn uakt at the fixed-point price p:
// the ACT minted floor(aktIn·P) and the part of it kept as spread.
func (b *BME) quoteMint(aktIn int64, p uint64) (gross, spread int64, err error) {
	if aktIn <= 0 {
		return 0, 0, fmt.Errorf("%w: mint of %d uakt", ErrBMEAmount, aktIn)
	}
	q, r, ok := bmeMulDiv(uint64(aktIn), p, bmePriceScale)
	// the ledger's minted total (at least the supply) must stay in int64
	if !ok || int64(q) > math.MaxInt64-b.l.Minted(ACT) {
		return 0, 0, fmt.Errorf("%w: mint of %d uakt overflows the ACT supply", ErrBMEAmount, aktIn)
	}
	if q == 0 {
		return 0, 0, fmt.Errorf("%w: mint of %d uakt truncates to 0 uact", ErrBMEAmount, aktIn)
	}
	return int64(q), int64(bmeSpread(q, r, bmePriceScale, uint64(b.p.MintSpreadBps))), nil
}

// quoteBurn computes a redemption of actIn uact at the fixed-point price
// p: the AKT paid floor(actIn/P) net of the settle spread, and the spread.
func (b *BME) quoteBurn(actIn int64, p uint64) (out, spread int64, err error) {
	if actIn <= 0 {
		return 0, 0, fmt.Errorf("%w: burn of %d uact", ErrBMEAmount, actIn)
	}
	q, r, ok := bmeMulDiv(uint64(actIn), bmePriceScale, p)
	if !ok {
		return 0, 0, fmt.Errorf("%w: burn of %d uact overflows", ErrBMEAmount, actIn)
	}
	s := bmeSpread(q, r, p, uint64(b.p.SettleSpreadBps))
	out = int64(q - s)
	if out == 0 {
		return 0, 0, fmt.Errorf("%w: burn of %d uact truncates to 0 uakt", ErrBMEAmount, actIn)
	}
	// Newly minted AKT is at most out; refuse what could overflow the
	// ledger's minted total (at least the supply).
	if out > math.MaxInt64-b.l.Minted(AKT) {
		return 0, 0, fmt.Errorf("%w: burn of %d uact overflows the AKT supply", ErrBMEAmount, actIn)
	}
	return out, int64(s), nil
}

// QuoteMint returns what MintACT would do with aktIn uakt at priceUSD (USD
// per AKT), ignoring the status and minimum: actOut uact to the user and
// spread uact to the vault. It moves nothing.
func (b *BME) QuoteMint(aktIn int64, priceUSD float64) (actOut, spread int64, err error) {
	p, ok := bmePrice(priceUSD)
	if !ok {
		return 0, 0, fmt.Errorf("%w: price %v USD/AKT", ErrBMEHaltOracle, priceUSD)
	}
	gross, spread, err := b.quoteMint(aktIn, p)
	return gross - spread, spread, err
}

// QuoteBurn returns the uakt BurnACT would pay for actIn uact at priceUSD
// (USD per AKT), ignoring the status. It moves nothing.
func (b *BME) QuoteBurn(actIn int64, priceUSD float64) (aktOut int64, err error) {
	p, ok := bmePrice(priceUSD)
	if !ok {
		return 0, fmt.Errorf("%w: price %v USD/AKT", ErrBMEHaltOracle, priceUSD)
	}
	out, _, err := b.quoteBurn(actIn, p)
	return out, err
}

// AKTForACT returns the least uakt whose mint at priceUSD (USD per AKT)
// gives the user at least actOut uact after the spread: what a tenant
// (or the Console, which market-buys the AKT) must mint to deposit actOut
// (akash.md §D.8). It does not apply the min_mint_act minimum.
func (b *BME) AKTForACT(actOut int64, priceUSD float64) (int64, error) {
	p, ok := bmePrice(priceUSD)
	if !ok {
		return 0, fmt.Errorf("%w: price %v USD/AKT", ErrBMEHaltOracle, priceUSD)
	}
	if actOut <= 0 {
		return 0, fmt.Errorf("%w: %d uact wanted", ErrBMEAmount, actOut)
	}
	bps := uint64(b.p.MintSpreadBps)
	user := func(a int64) (int64, bool) {
		q, r, ok := bmeMulDiv(uint64(a), p, bmePriceScale)
		if !ok {
			return 0, false
		}
		return int64(q - bmeSpread(q, r, bmePriceScale, bps)), true
	}
	est := float64(actOut) * bmePriceScale / float64(p) / (1 - float64(bps)/bmeBps)
	if !(est < math.MaxInt64/2) {
		return 0, fmt.Errorf("%w: %d uact needs more than int64 uakt", ErrBMEAmount, actOut)
	}
	// The float estimate is close, but at a price near 1e-9 USD one uact
	// is worth 1e9 uakt: find the least a by doubling from the estimate
	// and bisecting (user is non-decreasing in a), not by steps of 1.
	hi := max(int64(est), 1)
	for {
		got, ok := user(hi)
		if !ok {
			return 0, fmt.Errorf("%w: %d uact needs more than int64 uakt", ErrBMEAmount, actOut)
		}
		if got >= actOut {
			break
		}
		if hi > math.MaxInt64/2 {
			return 0, fmt.Errorf("%w: %d uact needs more than int64 uakt", ErrBMEAmount, actOut)
		}
		hi *= 2
	}
	lo := int64(0) // user(lo) < actOut <= user(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if got, _ := user(mid); got >= actOut {
			hi = mid
		} else {
			lo = mid
		}
	}
	a := hi
	return a, nil
}
