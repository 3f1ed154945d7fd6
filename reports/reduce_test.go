package reports

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDownsampleKeepsShape(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range []int{0, 1, 5, 100, 2000, 8761, 50000} {
		x, y := make([]float64, m), make([]float64, m)
		for i := range x {
			x[i] = float64(i)
			y[i] = math.Sin(float64(i)/50) + 0.1*rng.NormFloat64()
		}
		spike := m / 3
		if m > 10 {
			y[spike] = 100 // one spike in the noise: LTTB keeps it
		}
		keep := Downsample(x, y, 500)
		if m <= 500 {
			assert.Len(t, keep, m)
			continue
		}
		assert.LessOrEqual(t, len(keep), 502, "m=%d", m)
		assert.GreaterOrEqual(t, len(keep), 480, "m=%d", m)
		assert.True(t, slices.IsSorted(keep), "m=%d: increasing", m)
		assert.Equal(t, 0, keep[0])
		assert.Equal(t, m-1, keep[len(keep)-1])
		assert.Contains(t, keep, spike, "m=%d: the spike is kept", m)
		for i := 1; i < len(keep); i++ {
			require.Greater(t, keep[i], keep[i-1], "m=%d: no index twice", m)
		}
	}
}

func TestDownsampleKeepsGaps(t *testing.T) {
	const m = 10000
	x, y := make([]float64, m), make([]float64, m)
	for i := range x {
		x[i] = float64(i)
		y[i] = float64(i % 7)
		if i >= 3000 && i < 3500 || i >= 9990 {
			y[i] = math.NaN()
		}
	}
	keep := Downsample(x, y, 300)
	assert.LessOrEqual(t, len(keep), 304)
	for _, i := range keep {
		assert.False(t, math.IsNaN(y[i]), "index %d is in a gap", i)
	}
	for _, end := range []int{0, 2999, 3500, 9989} {
		assert.Contains(t, keep, end, "run end %d", end)
	}
	// the two runs share the points by their lengths
	before := 0
	for _, i := range keep {
		if i < 3000 {
			before++
		}
	}
	assert.InDelta(t, 300*3000.0/9490, before, 3)
}
