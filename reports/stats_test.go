package reports

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t975df2 is the 0.975 quantile of Student's t with 2 degrees of freedom,
// 0.95*sqrt(2/(4*0.975*0.025)) in closed form. gonum's StudentsT.Quantile
// (an inverse incomplete beta) matches it to about 4e-11 relative, so the
// CI checks allow ciTol.
const t975df2 = 4.302652729911275

// ciTol is the absolute tolerance for confidence bounds computed with
// TQuantile.
const ciTol = 1e-9

func TestTQuantile(t *testing.T) {
	assert.InEpsilon(t, t975df2, TQuantile(2), 1e-10)
	assert.InDelta(t, 12.706204736174698, TQuantile(1), 1e-9)
	assert.InDelta(t, 1.959963984540054, TQuantile(1e6), 1e-5)
}

func TestNewStatThreeReps(t *testing.T) {
	s := NewStat([]float64{1, 2, 3})
	half := t975df2 / math.Sqrt(3)
	assert.Equal(t, 3, s.N)
	assert.InDelta(t, 2, float64(s.Mean), 1e-15)
	assert.InDelta(t, 1, float64(s.SD), 1e-15)
	assert.InDelta(t, 2-half, float64(s.CILow), ciTol)
	assert.InDelta(t, 2+half, float64(s.CIHigh), ciTol)
	assert.Empty(t, s.CINote)
	assert.Equal(t, []Float{1, 2, 3}, s.PerRep)
}

func TestNewStatIgnoresNaN(t *testing.T) {
	s := NewStat([]float64{math.NaN(), 4, 6})
	assert.Equal(t, 2, s.N)
	assert.Equal(t, Float(5), s.Mean)
	assert.InDelta(t, math.Sqrt2, float64(s.SD), 1e-15)
	half := TQuantile(1) * math.Sqrt2 / math.Sqrt2
	assert.InDelta(t, 5-half, float64(s.CILow), ciTol)
	assert.InDelta(t, 5+half, float64(s.CIHigh), ciTol)
	assert.True(t, math.IsNaN(float64(s.PerRep[0])))
}

func TestNewStatOneRep(t *testing.T) {
	s := NewStat([]float64{4})
	assert.Equal(t, 1, s.N)
	assert.Equal(t, Float(4), s.Mean)
	assert.Equal(t, Float(4), s.CILow)
	assert.Equal(t, Float(4), s.CIHigh)
	assert.True(t, math.IsNaN(float64(s.SD)))
	assert.Equal(t, "one replication", s.CINote)
}

func TestNewStatNoData(t *testing.T) {
	for _, in := range [][]float64{nil, {math.NaN(), math.NaN()}} {
		s := NewStat(in)
		assert.Equal(t, 0, s.N)
		assert.True(t, math.IsNaN(float64(s.Mean)))
		assert.Equal(t, "no data", s.CINote)
		b, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"mean":null`)
		assert.Contains(t, string(b), `"ci_note":"no data"`)
	}
}

func TestFloatJSON(t *testing.T) {
	b, err := json.Marshal([]Float{1, 0.1, Float(math.NaN()), Float(math.Inf(1)), 1e21, -2.5e-8})
	require.NoError(t, err)
	assert.Equal(t, `[1,0.1,null,null,1e+21,-2.5e-08]`, string(b))
	var back []Float
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, Float(0.1), back[1])
	assert.True(t, math.IsNaN(float64(back[2])))
	assert.Equal(t, Float(1e21), back[4])
}
