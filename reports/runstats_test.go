package reports

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// streamed adds recs to a RunStats one at a time, in the order given.
func streamed(t testing.TB, recs []*Recording) *RunStats {
	t.Helper()
	st := NewRunStats()
	for _, r := range recs {
		require.NoError(t, st.Add(r))
	}
	return st
}

// sameBits requires a and b to be equal float for float, bit for bit (any
// NaN equals any NaN).
func sameBits(t *testing.T, want, got []float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		if math.IsNaN(want[i]) && math.IsNaN(got[i]) {
			continue
		}
		require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "%s[%d]: want %v, got %v", msg, i, want[i], got[i])
	}
}

// close requires a and b to be equal within a relative 1e-9 (NaN equals
// NaN).
func closeFloats(t *testing.T, want, got []float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		if math.IsNaN(want[i]) || math.IsNaN(got[i]) {
			require.True(t, math.IsNaN(want[i]) && math.IsNaN(got[i]), "%s[%d]: want %v, got %v", msg, i, want[i], got[i])
			continue
		}
		require.InDelta(t, want[i], got[i], 1e-9*max(1, math.Abs(want[i])), "%s[%d]", msg, i)
	}
}

func sameBand(t *testing.T, want, got BandLine, msg string, same func(*testing.T, []float64, []float64, string)) {
	t.Helper()
	same(t, want.X, got.X, msg+" x")
	same(t, want.Mean, got.Mean, msg+" mean")
	same(t, want.Lo, got.Lo, msg+" lo")
	same(t, want.Hi, got.Hi, msg+" hi")
	sameQuantiles(t, want.Q, got.Q, msg, same)
}

func sameQuantiles(t *testing.T, want, got Quantiles, msg string, same func(*testing.T, []float64, []float64, string)) {
	t.Helper()
	same(t, want.X, got.X, msg+" quantiles x")
	same(t, want.P5, got.P5, msg+" p5")
	same(t, want.P50, got.P50, msg+" p50")
	same(t, want.P95, got.P95, msg+" p95")
}

func sameSeries(t *testing.T, want, got []Series, msg string, same func(*testing.T, []float64, []float64, string)) {
	t.Helper()
	require.Equal(t, seriesNames(want), seriesNames(got), msg)
	for i := range want {
		same(t, want[i].X, got[i].X, msg+" "+want[i].Name+" x")
		same(t, want[i].Y, got[i].Y, msg+" "+want[i].Name+" y")
	}
}

// sameCharts requires the chart data to be the same, bit for bit; flows
// only within flowsSame.
func sameCharts(t *testing.T, want, got *ChartData, flowsSame func(*testing.T, []float64, []float64, string)) {
	t.Helper()
	assert.Equal(t, want.Reps, got.Reps)
	sameBand(t, want.GPUUtilization, got.GPUUtilization, "gpu utilization", sameBits)
	sameBand(t, want.CPUUtilization, got.CPUUtilization, "cpu utilization", sameBits)
	require.Len(t, got.Prices, len(want.Prices))
	for i, p := range want.Prices {
		assert.Equal(t, p.Model, got.Prices[i].Model)
		sameBits(t, p.X, got.Prices[i].X, "price x "+p.Model)
		sameBits(t, p.Y, got.Prices[i].Y, "price "+p.Model)
	}
	sameBits(t, want.Supply.X, got.Supply.X, "supply x")
	sameBits(t, want.Supply.SupplyMean, got.Supply.SupplyMean, "supply mean")
	sameBits(t, want.Supply.SupplyLo, got.Supply.SupplyLo, "supply lo")
	sameBits(t, want.Supply.SupplyHi, got.Supply.SupplyHi, "supply hi")
	sameQuantiles(t, want.Supply.SupplyQ, got.Supply.SupplyQ, "supply", sameBits)
	sameSeries(t, want.Supply.Fractions, got.Supply.Fractions, "fractions", sameBits)
	sameSeries(t, want.Flows, got.Flows, "flows", flowsSame)
	assert.Equal(t, want.Cohorts.CPUs, got.Cohorts.CPUs)
	sameSeries(t, want.Cohorts.Series, got.Cohorts.Series, "cohorts", sameBits)
	assert.Equal(t, want.CohortIndex, got.CohortIndex)
	sameSeries(t, want.Bids.Markup, got.Bids.Markup, "bid markup", sameBits)
	sameSeries(t, want.Bids.WinRate, got.Bids.WinRate, "win rate", sameBits)
	assert.Equal(t, want.Bids.Index, got.Bids.Index)
	assert.Equal(t, want.FlowPeriod, got.FlowPeriod)
	assert.Equal(t, want.BME.On, got.BME.On)
	sameBand(t, want.BME.Vault, got.BME.Vault, "bme vault", sameBits)
	sameBand(t, want.BME.ACT, got.BME.ACT, "act supply", sameBits)
	sameBand(t, want.BME.CollateralRatio, got.BME.CollateralRatio, "collateral ratio", sameBits)
}

// runStatsCases are recordings whose replications share their sample
// times, as every run's do.
func runStatsCases() map[string][]*Recording {
	gpu, cpu := compareFixture()
	return map[string][]*Recording{
		"fixture":        fixture(),
		"one rep":        fixture(2),
		"tokens":         tokenFixture(),
		"compare gpu":    gpu,
		"compare cpu":    cpu,
		"long, thinned":  longRun(3, 8760),
		"without tokens": withoutTokenLayer(fixture(), math.NaN()),
		"without BME":    withoutBME(fixture()),
		"a month hourly": longRun(2, 30*24+1),
	}
}

// TestRunStatsSummary: the summary of recordings added one at a time is
// byte for byte the summary of the list.
func TestRunStatsSummary(t *testing.T) {
	for name, recs := range runStatsCases() {
		t.Run(name, func(t *testing.T) {
			var want, got bytes.Buffer
			require.NoError(t, Summarize(recs).WriteJSON(&want))
			require.NoError(t, streamed(t, recs).Summary().WriteJSON(&got))
			assert.Equal(t, want.String(), got.String())
		})
	}
	t.Run("no recordings", func(t *testing.T) {
		var want, got bytes.Buffer
		require.NoError(t, Summarize(nil).WriteJSON(&want))
		require.NoError(t, NewRunStats().Summary().WriteJSON(&got))
		assert.Equal(t, want.String(), got.String())
	})
	t.Run("a resource some replications lack", func(t *testing.T) {
		recs := fixture()
		c := *recs[1]
		c.Resources = nil // rep 1 has no resources
		recs[1] = &c
		var want, got bytes.Buffer
		require.NoError(t, Summarize(recs).WriteJSON(&want))
		require.NoError(t, streamed(t, recs).Summary().WriteJSON(&got))
		assert.Equal(t, want.String(), got.String())
	})
}

// TestRunStatsCharts: the chart data of recordings added one at a time is
// bit for bit ChartDataOf the list when the replications share their
// sample times.
func TestRunStatsCharts(t *testing.T) {
	for name, recs := range runStatsCases() {
		t.Run(name, func(t *testing.T) {
			sameCharts(t, ChartDataOf(recs), streamed(t, recs).Charts(), sameBits)
		})
	}
}

// TestRunStatsTimes: replications must sample at the first's times; a
// repeated time counts its last sample, as in the charts of a list.
func TestRunStatsTimes(t *testing.T) {
	a := synthRec(0, []int{0, 12, 24, 48}, map[int][]float64{
		sim.MGPUUtilization: {0.5, 0.6, 0.7, 0.4},
		sim.MMintedTotal:    {0, 10, 30, 70},
	})
	b := synthRec(1, []int{0, 12, 12, 24, 48}, map[int][]float64{
		sim.MGPUUtilization: {0.1, 0.9, 0.2, 0.3, 0.5},
		sim.MMintedTotal:    {0, 50, 5, 20, 40},
	})
	recs := []*Recording{a, b}
	st := streamed(t, recs)
	sameCharts(t, ChartDataOf(recs), st.Charts(), sameBits)
	nanEq(t, []float64{0.3, 0.4, 0.5, 0.45}, st.Charts().GPUUtilization.Mean, "the last sample at 12h counts")

	other := synthRec(2, []int{0, 6, 24, 48}, nil)
	err := st.Add(other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "replication 2 samples at other times than replication 0")
	assert.Equal(t, 2, st.Reps(), "nothing added")
	assert.Error(t, st.Add(synthRec(3, []int{0, 12, 24}, nil)), "fewer samples")
}

// TestRunStatsCompareSeries: the series of a comparison from recordings
// added one at a time equal CompareSeriesOf up to rounding; and a compare
// run built from them gives the same compare.csv.
func TestRunStatsCompareSeries(t *testing.T) {
	for name, recs := range runStatsCases() {
		t.Run(name, func(t *testing.T) {
			want, got := CompareSeriesOf(recs), streamed(t, recs).CompareSeries()
			assert.Equal(t, want.HasGPUs, got.HasGPUs)
			for _, b := range []struct {
				name      string
				want, got BandLine
			}{
				{"gpu utilization", want.GPUUtilization, got.GPUUtilization},
				{"cpu utilization", want.CPUUtilization, got.CPUUtilization},
				{"gpu price", want.GPUPrice, got.GPUPrice},
				{"cpu price", want.CPUPrice, got.CPUPrice},
				{"supply %", want.SupplyPct, got.SupplyPct},
				{"provider income", want.ProviderIncome, got.ProviderIncome},
			} {
				sameBand(t, b.want, b.got, b.name, closeFloats)
			}
		})
	}
	gpu, cpu := compareFixture()
	batch := []CompareRun{NewCompareRun("gpu", gpu), NewCompareRun("cpu", cpu)}
	stream := []CompareRun{streamed(t, gpu).CompareRun("gpu"), streamed(t, cpu).CompareRun("cpu")}
	var want, got bytes.Buffer
	require.NoError(t, WriteCompareCSV(&want, batch))
	require.NoError(t, WriteCompareCSV(&got, stream))
	assert.Equal(t, want.String(), got.String())
}

func TestRunStatsOrder(t *testing.T) {
	recs := fixture()
	st := NewRunStats()
	require.NoError(t, st.Add(recs[1]))
	err := st.Add(recs[0])
	require.Error(t, err)
	assert.Contains(t, err.Error(), "replication 0 after replication 1")
	require.Error(t, st.Add(recs[1]), "a replication twice")
	require.NoError(t, st.Add(recs[2]))
	assert.Equal(t, 2, st.Reps())
	assert.Equal(t, []int{1, 2}, st.Summary().Reps)

	bad := *recs[0]
	bad.Rep = 5
	bad.Values = bad.Values[:1]
	assert.Error(t, st.Add(&bad), "fewer value rows than times")
	assert.Error(t, st.Add(nil))
}

// BenchmarkRunStats measures adding a year of hourly samples.
func BenchmarkRunStats(b *testing.B) {
	recs := longRun(5, 8760)
	for b.Loop() {
		st := NewRunStats()
		for _, r := range recs {
			if err := st.Add(r); err != nil {
				b.Fatal(err)
			}
		}
		st.Summary()
		st.Charts()
		st.CompareSeries()
	}
}
