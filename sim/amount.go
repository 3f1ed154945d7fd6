package sim

import (
	"math"
	"math/bits"

	"github.com/depinsim/depinsim/market"
)

// amount is a quantity of one denomination in rate units (base units x
// market.RateScale, the unit of a lease's rate times blocks), kept as
// whole base units and the rate units below one base unit. It holds every
// amount whose whole base units fit an int64, as the ledger's balances
// do: a plain int64 of rate units would overflow above about 9.2 M
// tokens (9.2e18 / 10^6 base units / 10^6), which a tenant reaches at
// low token prices. Escrow funds and leases' accrued balances are
// amounts; the zero value is nothing.
type amount struct {
	base int64 // whole base units
	frac int64 // rate units below one base unit: 0 <= frac < market.RateScale
}

// amountOfBase returns n whole base units as an amount.
func amountOfBase(n int64) amount { return amount{base: n} }

// isZero reports whether a is nothing.
func (a amount) isZero() bool { return a.base == 0 && a.frac == 0 }

// negative reports whether a is below zero (a corrupt state: amounts are
// never negative).
func (a amount) negative() bool { return a.base < 0 || a.frac < 0 }

// less reports whether a < b.
func (a amount) less(b amount) bool {
	return a.base < b.base || (a.base == b.base && a.frac < b.frac)
}

// add adds b to a and reports false, leaving a unchanged, when the sum's
// whole base units overflow an int64.
func (a *amount) add(b amount) bool {
	base, frac := a.base, a.frac+b.frac
	if frac >= market.RateScale {
		frac -= market.RateScale
		if base == math.MaxInt64 {
			return false
		}
		base++
	}
	s := base + b.base
	if (b.base > 0 && s < base) || (b.base < 0 && s > base) {
		return false
	}
	a.base, a.frac = s, frac
	return true
}

// sub subtracts b from a; the caller makes sure b <= a.
func (a *amount) sub(b amount) {
	a.base -= b.base
	a.frac -= b.frac
	if a.frac < 0 {
		a.frac += market.RateScale
		a.base--
	}
}

// units returns a in rate units as a float64: exactly float64 of the
// int64 of rate units whenever that fits, so that the escrow's decisions
// in USD are those of a plain int64 wherever it did not overflow.
func (a amount) units() float64 {
	if a.base >= 0 && a.base <= (math.MaxInt64-market.RateScale)/market.RateScale {
		return float64(a.base*market.RateScale + a.frac)
	}
	return float64(a.base)*market.RateScale + float64(a.frac)
}

// rateUnits returns a in rate units, saturated at math.MaxInt64 (for
// views and messages only).
func (a amount) rateUnits() int64 {
	if a.base > (math.MaxInt64-market.RateScale)/market.RateScale {
		return math.MaxInt64
	}
	return a.base*market.RateScale + a.frac
}

// owed returns rate x blocks as an amount, computed in 128 bits; ok is
// false when its whole base units do not fit an int64 (more than any
// escrow can hold). rate and blocks are not negative.
func owed(rate market.Rate, blocks int64) (a amount, ok bool) {
	hi, lo := bits.Mul64(uint64(rate), uint64(blocks))
	if hi >= market.RateScale {
		return amount{}, false // the quotient needs more than 64 bits
	}
	q, r := bits.Div64(hi, lo, market.RateScale)
	if q > math.MaxInt64 {
		return amount{}, false
	}
	return amount{base: int64(q), frac: int64(r)}, true
}

// blocksAt returns floor(a / rate), the whole blocks a pays at rate (> 0),
// saturated at math.MaxInt64.
func (a amount) blocksAt(rate market.Rate) int64 {
	if a.negative() {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a.base), market.RateScale)
	var c uint64
	lo, c = bits.Add64(lo, uint64(a.frac), 0)
	hi += c
	if hi >= uint64(rate) {
		return math.MaxInt64 // the quotient needs more than 64 bits
	}
	q, _ := bits.Div64(hi, lo, uint64(rate))
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}
