package tokenomics

import (
	"fmt"
	"math"
	"math/bits"
)

// FeeSplitResolution is the number of parts one whole fraction of a
// FeeSplit is resolved to: fractions are rounded to 12 decimal places
// (parts per trillion) before the integer arithmetic, so a decimal such
// as 0.95 splits exactly (floor(100 × 0.95) = 95, not the 94 the binary
// float 0.9499999... would give).
const FeeSplitResolution = 1_000_000_000_000

// FeeSplit is a generic split of a payment (TOML inline table, fractions
// summing to at most 1; the supplier gets the rest). Examples: Render burns
// 95% and pays 5% to OTOY (competitors.md §2.3: Burn 0.95, Operator 0.05);
// Nosana pays 10% of the job price to stakers (§6: Stakers 0.10); Gensyn
// sends a very small share to its treasury (§3.1, treasury_fee 0.01 [U]).
type FeeSplit struct {
	// Treasury is the fraction of the payment to the treasury or
	// community pool, in [0, 1].
	Treasury float64 `toml:"treasury"`
	// Stakers is the fraction of the payment to stakers, in [0, 1].
	Stakers float64 `toml:"stakers"`
	// Burn is the fraction of the payment burned, in [0, 1].
	Burn float64 `toml:"burn"`
	// Operator is the fraction of the payment to a network operator, in
	// [0, 1] (e.g. Render's 5% to OTOY).
	Operator float64 `toml:"operator"`
}

// feeParts returns the four fractions in parts per FeeSplitResolution, or
// an error naming the first bad key.
func (f *FeeSplit) feeParts() ([4]int64, error) {
	var p [4]int64
	var sum int64
	for i, c := range []struct {
		key string
		v   float64
	}{{"treasury", f.Treasury}, {"stakers", f.Stakers}, {"burn", f.Burn}, {"operator", f.Operator}} {
		if !(c.v >= 0 && c.v <= 1) {
			return p, fmt.Errorf("%s: must be a fraction in [0, 1], got %v", c.key, c.v)
		}
		p[i] = int64(math.Round(c.v * FeeSplitResolution))
		sum += p[i]
	}
	if sum > FeeSplitResolution {
		return p, fmt.Errorf("treasury + stakers + burn + operator: must sum to at most 1, got %v",
			float64(sum)/FeeSplitResolution)
	}
	return p, nil
}

// Validate checks that each fraction is in [0, 1] and that they sum to at
// most 1 (after rounding to 12 decimals). Errors name the field key
// ("burn: ..."); the caller prefixes the table's path.
func (f *FeeSplit) Validate() error {
	_, err := f.feeParts()
	return err
}

// Split divides amount base units: each share floor(amount*fraction)
// (exact integer arithmetic on the fraction rounded to 12 decimals), the
// supplier the remainder, so the parts sum exactly to amount and none is
// negative. It panics on amount < 0 or an invalid split (call Validate
// first).
func (f *FeeSplit) Split(amount int64) (supplier, treasury, stakers, burn, operator int64) {
	p, err := f.feeParts()
	if err != nil {
		panic("tokenomics: FeeSplit.Split: " + err.Error())
	}
	if amount < 0 {
		panic(fmt.Sprintf("tokenomics: FeeSplit.Split of negative amount %d", amount))
	}
	share := func(parts int64) int64 {
		hi, lo := bits.Mul64(uint64(amount), uint64(parts))
		q, _ := bits.Div64(hi, lo, FeeSplitResolution) // hi < resolution: amount < 2^63, parts <= 1e12
		return int64(q)
	}
	treasury, stakers, burn, operator = share(p[0]), share(p[1]), share(p[2]), share(p[3])
	// The parts sum to at most FeeSplitResolution, so the floors sum to at
	// most amount.
	supplier = amount - treasury - stakers - burn - operator
	return supplier, treasury, stakers, burn, operator
}
