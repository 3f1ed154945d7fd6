package tokenomics

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRange(t *testing.T) {
	r := Range{Lo: -1, Hi: 10, LoOpen: true}
	assert.Equal(t, "(-1, 10]", r.String())
	assert.False(t, r.Contains(-1))
	assert.True(t, r.Contains(10))
	assert.True(t, r.Contains(0))
	half := Range{Lo: 0, Hi: 1, HiOpen: true}
	assert.False(t, half.Contains(1))
	assert.True(t, half.Contains(0))
	assert.Equal(t, "[0, 1)", half.String())
}

// TestGovernableTable: the keys are sorted and unique, each can be looked
// up, numeric keys have a non-empty range, the one text key lists its
// values.
func TestGovernableTable(t *testing.T) {
	require.True(t, slices.IsSorted(GovernanceKeys))
	require.Len(t, GovernanceKeys, len(governable))
	for _, key := range GovernanceKeys {
		k, ok := Governable(key)
		require.True(t, ok, key)
		assert.Equal(t, key, k.Key)
		assert.NotNil(t, k.set, key)
		if k.Values == nil {
			assert.Less(t, k.Range.Lo, k.Range.Hi, key)
		} else {
			assert.True(t, k.Era, key)
		}
	}
	_, ok := Governable("tokenomics.inflation.nope")
	assert.False(t, ok)
}

// TestGovernableApply: each setter changes exactly its parameter; values
// outside the range or of the wrong type are refused with what is allowed.
func TestGovernableApply(t *testing.T) {
	mint := DefaultMintParams()
	staking := NewStaking(DefaultStakingParams())
	var take [NumDenoms]int64
	settle := SettlementTake
	g := Governed{Mint: &mint, Staking: staking, TakeBPS: &take, Settlement: &settle}
	apply := func(key string, v any) error {
		k, ok := Governable(key)
		require.True(t, ok, key)
		return k.Apply(&g, v)
	}
	require.NoError(t, apply("tokenomics.inflation.min", 0.15))
	require.NoError(t, apply("tokenomics.inflation.max", int64(1)))
	require.NoError(t, apply("tokenomics.inflation.rate_change", 0.5))
	require.NoError(t, apply("tokenomics.inflation.goal_bonded", 0.6))
	require.NoError(t, apply("tokenomics.inflation.community_tax", 0.2))
	require.NoError(t, apply("tokenomics.inflation.commission", 0.05))
	assert.Equal(t, 0.15, mint.InflationMin)
	assert.Equal(t, 1.0, mint.InflationMax)
	assert.Equal(t, 0.5, mint.RateChange)
	assert.Equal(t, 0.6, mint.GoalBonded)
	assert.Equal(t, 0.2, mint.CommunityTax)
	assert.Equal(t, 0.05, mint.Commission)
	require.NoError(t, apply("tokenomics.take_rate.akt", 0.04))
	require.NoError(t, apply("tokenomics.take_rate.usdc", 0.2))
	assert.Equal(t, [NumDenoms]int64{AKT: 400, USDC: 2000}, take)
	require.NoError(t, apply("tokenomics.settlement", "bme"))
	assert.Equal(t, SettlementBME, settle)
	require.NoError(t, apply("tokenomics.staking.speed", 3.0))
	require.NoError(t, apply("tokenomics.staking.outside_yield", 0.1))

	assert.EqualError(t, apply("tokenomics.inflation.min", 1.5), "tokenomics.inflation.min must be in [0, 1], got 1.5")
	assert.EqualError(t, apply("tokenomics.inflation.goal_bonded", 0.0), "tokenomics.inflation.goal_bonded must be in (0, 1], got 0")
	assert.EqualError(t, apply("tokenomics.take_rate.akt", "x"), `tokenomics.take_rate.akt must be a number in [0, 1], got "x"`)
	assert.EqualError(t, apply("tokenomics.settlement", "burn-mint"), `tokenomics.settlement must be "take" or "bme", got "burn-mint"`)
	assert.EqualError(t, apply("tokenomics.staking.outside_yield", -1.0), "tokenomics.staking.outside_yield must be in (-1, 10], got -1")
	assert.Equal(t, 0.15, mint.InflationMin, "a refused value changes nothing")
}

func TestBasisPoints(t *testing.T) {
	assert.Equal(t, int64(400), BasisPoints(0.04))
	assert.Equal(t, int64(2000), BasisPoints(0.2))
	assert.Equal(t, int64(10_000), BasisPoints(1))
	assert.Equal(t, int64(3), BasisPoints(0.00025)) // rounds to nearest
	p := DefaultParams()
	assert.Equal(t, BasisPoints(p.TakeRate["usdc"]), p.TakeBasisPoints(USDC))
}
