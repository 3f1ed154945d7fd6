package reports

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

func TestNeedsMultiples(t *testing.T) {
	line := func(vs ...float64) CompareLine { return CompareLine{Band: BandLine{Mean: vs}} }
	chart := func(ls ...CompareLine) CompareChart { return CompareChart{Lines: ls} }
	nan := math.NaN()
	assert.False(t, NeedsMultiples(chart(line(1, 2), line(3, 30))), "15-fold: one axis")
	assert.True(t, NeedsMultiples(chart(line(1, 2), line(3, 41))), "20.5-fold: one panel each")
	assert.False(t, NeedsMultiples(chart(line(0, 0), line(3, 5))), "a line at 0 reads on any axis")
	assert.True(t, NeedsMultiples(chart(line(0, 0), line(0.1, 0.2), line(3, 5))), "the smallest non-zero peak counts")
	assert.False(t, NeedsMultiples(chart(line(nan, nan), line(3, 500))), "one line with data")
	assert.False(t, NeedsMultiples(chart(line(-100, 2), line(3, 50))), "absolute values")
	fractions := chart(line(0.001, 0.002), line(0.5, 0.9))
	fractions.YMax1 = true
	assert.False(t, NeedsMultiples(fractions), "fractions stay on one axis")
}

func TestComparePlotsSmallMultiples(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, scale float64) CompareRun {
		recs := fixture()
		for _, rec := range recs {
			for i := range rec.Values {
				rec.Values[i][sim.MProviderRevenueUSDTotal] *= scale
			}
		}
		return NewCompareRun(name, recs)
	}
	require.NoError(t, WriteComparePlots(dir, []CompareRun{mk("small", 1), mk("large", 1000)}))
	svg, err := os.ReadFile(filepath.Join(dir, "compare_provider_income.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "one panel per scenario")
	require.NoError(t, WriteComparePlots(dir, []CompareRun{mk("a", 1), mk("b", 2)}))
	svg, err = os.ReadFile(filepath.Join(dir, "compare_provider_income.svg"))
	require.NoError(t, err)
	assert.NotContains(t, string(svg), "one panel per scenario")
}
