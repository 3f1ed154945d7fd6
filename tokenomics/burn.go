package tokenomics

import (
	"fmt"
	"math"
	"math/bits"
)

// burnSnap is the relative tolerance, about 4 ulps, under which BurnForUSD
// treats a quotient just below an integer as that integer: the division and
// the scaling by BaseUnits each round, so 0.3 USD at 0.1 USD/token computes
// 2999999.9999999995 base units where 3,000,000 is meant.
const burnSnap = 0x1p-50

// BurnForUSD returns the base units of a token worth usd at priceUSD per
// whole token, rounded down (Render-style burn of a job's USD value at the
// current price, competitors.md §2.3): floor(usd / price * 1e6), where a
// quotient within about 4 ulps below an integer counts as that integer
// (float rounding, not value). Panics on price <= 0, usd < 0, a non-finite
// argument or a result beyond int64.
func BurnForUSD(usd, priceUSD float64) int64 {
	if !(priceUSD > 0) || math.IsInf(priceUSD, 0) || !(usd >= 0) || math.IsInf(usd, 0) {
		panic(fmt.Sprintf("tokenomics: BurnForUSD(%v, %v): want usd >= 0 and price > 0, both finite", usd, priceUSD))
	}
	v := usd / priceUSD * BaseUnits
	if !(v < 0x1p63) {
		panic(fmt.Sprintf("tokenomics: BurnForUSD(%v, %v) overflows int64 base units", usd, priceUSD))
	}
	return int64(snapFloor(v, burnSnap))
}

// snapFloor returns floor(v) for v >= 0, or floor(v)+1 when v lies within
// the relative tolerance tol below that integer, i.e. floor(v × (1+tol)):
// a rounded-down amount that float rounding cannot knock one unit short.
// It is non-decreasing in v. The caller keeps v below 2^63.
func snapFloor(v, tol float64) float64 {
	f := math.Floor(v)
	if v > f && f+1-v <= v*tol && f+1 < 0x1p63 {
		f++
	}
	return f
}

// BuybackParams is a buy-back-and-burn policy (io.net §1.3, Gensyn §3.3):
// a share of revenue buys tokens, split between an executor reward, a burn
// and the treasury.
type BuybackParams struct {
	// RevenueShare is the share of revenue (USD) used for buy-backs, in
	// [0, 1] (io.net: unpublished, competitors.md §1.3 [U]; Gensyn's vault
	// swaps all deposits, §3.3).
	RevenueShare float64 `toml:"revenue_share"`
	// ExecutorBps is the executor's reward in basis points of the tokens
	// bought, in [0, 10000] (Gensyn example 100, competitors.md §3.3).
	ExecutorBps int64 `toml:"executor_bps"`
	// BurnBps is the burn in basis points of the remainder after the
	// executor, in [0, 10000]; the treasury gets the rest (Gensyn example
	// 7000, competitors.md §3.3).
	BurnBps int64 `toml:"burn_bps"`
}

// DefaultBuybackParams returns no buy-back (RevenueShare 0) with Gensyn's
// example executor and burn shares (competitors.md §3.3).
func DefaultBuybackParams() BuybackParams {
	return BuybackParams{RevenueShare: 0, ExecutorBps: 100, BurnBps: 7000}
}

// Validate checks the ranges; errors name the key under
// [tokenomics.buyback] and the allowed range.
func (b *BuybackParams) Validate() error {
	if !(b.RevenueShare >= 0 && b.RevenueShare <= 1) {
		return fmt.Errorf("tokenomics.buyback.revenue_share: must be a fraction in [0, 1], got %v", b.RevenueShare)
	}
	if b.ExecutorBps < 0 || b.ExecutorBps > 10_000 {
		return fmt.Errorf("tokenomics.buyback.executor_bps: must be in [0, 10000], got %d", b.ExecutorBps)
	}
	if b.BurnBps < 0 || b.BurnBps > 10_000 {
		return fmt.Errorf("tokenomics.buyback.burn_bps: must be in [0, 10000], got %d", b.BurnBps)
	}
	return nil
}

// Buyback converts revenueUSD × RevenueShare at priceUSD per whole token to
// tokens bought (BurnForUSD) and splits them (parts sum exactly to bought):
// executor = floor(bought × ExecutorBps / 10000), burn = floor((bought -
// executor) × BurnBps / 10000), treasury the rest. Amounts are base units.
// Panics on invalid params (call Validate first) or on arguments
// BurnForUSD rejects.
func (b *BuybackParams) Buyback(revenueUSD, priceUSD float64) (bought, executor, burn, treasury int64) {
	if err := b.Validate(); err != nil {
		panic("tokenomics: Buyback: " + err.Error())
	}
	if !(revenueUSD >= 0) || math.IsInf(revenueUSD, 0) {
		panic(fmt.Sprintf("tokenomics: Buyback(%v, %v): want revenue >= 0 and finite", revenueUSD, priceUSD))
	}
	bought = BurnForUSD(revenueUSD*b.RevenueShare, priceUSD)
	executor = buybackBps(bought, b.ExecutorBps)
	burn = buybackBps(bought-executor, b.BurnBps)
	treasury = bought - executor - burn
	return bought, executor, burn, treasury
}

// buybackBps returns floor(amount × bps / 10000) for amount >= 0 and bps
// in [0, 10000], in 128-bit arithmetic (Take's 64-bit product overflows
// above about 1.8e9 whole tokens).
func buybackBps(amount, bps int64) int64 {
	hi, lo := bits.Mul64(uint64(amount), uint64(bps))
	q, _ := bits.Div64(hi, lo, 10_000) // hi < 10000: amount < 2^63, bps <= 10000
	return int64(q)
}
