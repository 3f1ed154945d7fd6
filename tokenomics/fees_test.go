package tokenomics_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/tokenomics"
)

func TestFeeSplitSplit(t *testing.T) {
	render := tokenomics.FeeSplit{Burn: 0.95, Operator: 0.05}
	nosana := tokenomics.FeeSplit{Stakers: 0.10}
	all := tokenomics.FeeSplit{Treasury: 0.01, Stakers: 0.10, Burn: 0.25, Operator: 0.05}
	cases := []struct {
		name   string
		f      tokenomics.FeeSplit
		amount int64
		want   [5]int64 // supplier, treasury, stakers, burn, operator
	}{
		{"zero split", tokenomics.FeeSplit{}, 1_234_567, [5]int64{1_234_567, 0, 0, 0, 0}},
		{"zero amount", all, 0, [5]int64{}},
		// Render: 95 % burned, 5 % to OTOY; decimals split exactly.
		{"render 100", render, 100, [5]int64{0, 0, 0, 95, 5}},
		{"render odd", render, 1_234_567, [5]int64{1, 0, 0, 1_172_838, 61_728}},
		// Nosana: 10 % of the job price to stakers.
		{"nosana", nosana, 2_500_000, [5]int64{2_250_000, 0, 250_000, 0, 0}},
		{"nosana floor", nosana, 19, [5]int64{18, 0, 1, 0, 0}},
		// 1 % + 10 % + 25 % + 5 % of 999: 9, 99, 249, 49; the supplier 593.
		{"four ways", all, 999, [5]int64{593, 9, 99, 249, 49}},
		{"all burned", tokenomics.FeeSplit{Burn: 1}, 777, [5]int64{0, 0, 0, 777, 0}},
		// 0.1 + 0.2 + 0.7 sums to 1 in decimals (not in binary floats).
		{"sums to one", tokenomics.FeeSplit{Treasury: 0.1, Stakers: 0.2, Burn: 0.7}, 10, [5]int64{0, 1, 2, 7, 0}},
		{"max amount", tokenomics.FeeSplit{Burn: 0.5}, math.MaxInt64, [5]int64{math.MaxInt64 - math.MaxInt64/2, 0, 0, math.MaxInt64 / 2, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.f.Validate())
			s, tr, st, b, o := c.f.Split(c.amount)
			assert.Equal(t, c.want, [5]int64{s, tr, st, b, o})
		})
	}
}

func TestFeeSplitValidate(t *testing.T) {
	cases := []struct {
		f    tokenomics.FeeSplit
		want string
	}{
		{tokenomics.FeeSplit{Treasury: -0.1}, "treasury: must be a fraction in [0, 1], got -0.1"},
		{tokenomics.FeeSplit{Stakers: 1.5}, "stakers: must be a fraction in [0, 1], got 1.5"},
		{tokenomics.FeeSplit{Burn: math.NaN()}, "burn: must be a fraction in [0, 1], got NaN"},
		{tokenomics.FeeSplit{Operator: math.Inf(1)}, "operator: must be a fraction in [0, 1], got +Inf"},
		{tokenomics.FeeSplit{Burn: 0.95, Operator: 0.06}, "treasury + stakers + burn + operator: must sum to at most 1, got 1.01"},
	}
	for _, c := range cases {
		err := c.f.Validate()
		require.Error(t, err)
		assert.Equal(t, c.want, err.Error())
		assert.Panics(t, func() { c.f.Split(100) })
	}
	assert.NoError(t, (&tokenomics.FeeSplit{Treasury: 0.25, Stakers: 0.25, Burn: 0.25, Operator: 0.25}).Validate())
	assert.Panics(t, func() { (&tokenomics.FeeSplit{Burn: 0.5}).Split(-1) })
}

func TestFeeSplitProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 0xfee))
	for i := range 20_000 {
		// Random fractions, rescaled so that they sum to at most 1.
		var f [4]float64
		var sum float64
		for j := range f {
			f[j] = r.Float64()
			if r.IntN(4) == 0 {
				f[j] = 0
			}
			sum += f[j]
		}
		scale := r.Float64()
		if sum > 0 {
			scale /= sum
		}
		fs := tokenomics.FeeSplit{Treasury: f[0] * scale, Stakers: f[1] * scale, Burn: f[2] * scale, Operator: f[3] * scale}
		if fs.Validate() != nil {
			continue // rounding pushed the sum a hair above 1
		}
		var amount int64
		switch i % 3 {
		case 0:
			amount = r.Int64N(1_000)
		case 1:
			amount = r.Int64N(1_000_000_000_000)
		default:
			amount = r.Int64()
		}
		s, tr, st, b, o := fs.Split(amount)
		for _, part := range []int64{s, tr, st, b, o} {
			require.GreaterOrEqual(t, part, int64(0))
		}
		require.Equal(t, amount, s+tr+st+b+o, "%+v of %d", fs, amount)
		// Each share is within one base unit of amount × fraction, up to
		// the fraction's rounding to 12 decimals.
		for j, part := range []int64{tr, st, b, o} {
			exact := float64(amount) * f[j] * scale
			require.InDelta(t, exact, float64(part), 1+float64(amount)*6e-13, "share %d", j)
		}
	}
}
