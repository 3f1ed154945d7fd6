package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// nanEq compares float slices treating NaN as equal to NaN.
func nanEq(t *testing.T, want, got []float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		if math.IsNaN(want[i]) {
			assert.True(t, math.IsNaN(got[i]), "%s[%d]: want NaN, got %v", msg, i, got[i])
			continue
		}
		assert.InDelta(t, want[i], got[i], 1e-12, "%s[%d]", msg, i)
	}
}

func TestBandSeries(t *testing.T) {
	x, mean, lo, hi := BandSeries(fixture(), sim.MCPUUtilization)
	// Metric 1 at rep r, sample i is 1 + 0.5i + r, r in {0, 1, 2}.
	nanEq(t, []float64{0, 1.0 / 24, 2.0 / 24}, x, "x")
	nanEq(t, []float64{2, 2.5, 3}, mean, "mean")
	nanEq(t, []float64{1, 1.5, 2}, lo, "lo")
	nanEq(t, []float64{3, 3.5, 4}, hi, "hi")

	// gpu_price_usd_hour is NaN in rep 0: the band covers reps 1 and 2.
	_, mean, lo, hi = BandSeries(fixture(), sim.MGPUPriceUSDHour)
	nanEq(t, []float64{4.5, 5, 5.5}, mean, "price mean")
	nanEq(t, []float64{4, 4.5, 5}, lo, "price lo")
	nanEq(t, []float64{5, 5.5, 6}, hi, "price hi")

	// Only NaN: the series is NaN.
	_, mean, lo, hi = BandSeries(fixture(0), sim.MGPUPriceUSDHour)
	nan := math.NaN()
	nanEq(t, []float64{nan, nan, nan}, mean, "mean")
	nanEq(t, []float64{nan, nan, nan}, lo, "lo")
	nanEq(t, []float64{nan, nan, nan}, hi, "hi")

	x, mean, _, _ = BandSeries(nil, sim.MGPUUtilization)
	assert.Empty(t, x)
	assert.Empty(t, mean)
}

func TestBandSeriesUnalignedTimes(t *testing.T) {
	recs := fixture(0, 1)
	// Drop rep 1's middle sample.
	r1 := recs[1]
	recs[1] = &Recording{Rep: 1,
		Times:     []sim.Time{r1.Times[0], r1.Times[2]},
		Values:    [][]float64{r1.Values[0], r1.Values[2]},
		Resources: [][]sim.ResourceSample{r1.Resources[0], r1.Resources[2]},
	}
	x, mean, lo, hi := BandSeries(recs, sim.MGPUUtilization)
	nanEq(t, []float64{0, 1.0 / 24, 2.0 / 24}, x, "x")
	nanEq(t, []float64{0.5, 0.5, 1.5}, mean, "mean") // t=1h: rep 0 only
	nanEq(t, []float64{0, 0.5, 1}, lo, "lo")
	nanEq(t, []float64{1, 0.5, 2}, hi, "hi")
}

func TestGPUPriceSeries(t *testing.T) {
	ps := GPUPriceSeries(fixture(2, 0, 1))
	require.Len(t, ps, 2)
	nan := math.NaN()
	assert.Equal(t, "a100", ps[0].Model)
	nanEq(t, []float64{0, 1.0 / 24, 2.0 / 24}, ps[0].X, "x")
	// No lease at i=0; rep 1 at 2 from i=1; rep 2 at 3 at i=2.
	nanEq(t, []float64{nan, 2, 2.5}, ps[0].Y, "a100")
	assert.Equal(t, "h100", ps[1].Model)
	nanEq(t, []float64{nan, nan, nan}, ps[1].Y, "h100")

	assert.Empty(t, GPUPriceSeries(nil))
}

func TestAlign(t *testing.T) {
	a := &Recording{Times: []sim.Time{0, sim.Hour, 2 * sim.Hour}}
	b := &Recording{Times: []sim.Time{sim.Hour, sim.Hour, 3 * sim.Hour}}
	times, idx := align([]*Recording{a, b})
	assert.Equal(t, []sim.Time{0, sim.Hour, 2 * sim.Hour, 3 * sim.Hour}, times)
	assert.Equal(t, []int{0, 1, 2, -1}, idx[0])
	assert.Equal(t, []int{-1, 1, -1, 2}, idx[1], "last sample wins at a repeated time")
}

func TestThinning(t *testing.T) {
	assert.Equal(t, 1, thinStride(2000, 2000))
	assert.Equal(t, 2, thinStride(2001, 2000))
	assert.Equal(t, 5, thinStride(8760, 2000))
	assert.Equal(t, []int{0, 3, 6, 9}, thinIndices(10, 3))
	assert.Equal(t, []int{0, 3, 6, 9, 10}, thinIndices(11, 3))
	assert.Equal(t, []int{0}, thinIndices(1, 5))
	assert.Empty(t, thinIndices(0, 5))
	assert.LessOrEqual(t, len(thinIndices(8761, thinStride(8761, MaxPlotPoints))), MaxPlotPoints+1)
}

func TestRuns(t *testing.T) {
	nan := math.NaN()
	y := []float64{nan, 1, 2, nan, 3, nan, 4, 5}
	keep := []int{0, 1, 2, 3, 4, 5, 6, 7}
	assert.Equal(t, [][2]int{{1, 3}, {4, 5}, {6, 8}}, runs(keep, y))
	// Positions refer to keep, not to y.
	assert.Equal(t, [][2]int{{0, 1}, {2, 4}}, runs([]int{1, 3, 6, 7}, y))
	assert.Empty(t, runs(keep, []float64{nan, nan, nan, nan, nan, nan, nan, nan}))
	// Every series must be finite.
	z := []float64{0, 0, nan, 0, 0, 0, 0, 0}
	assert.Equal(t, [][2]int{{1, 2}, {4, 5}, {6, 8}}, runs(keep, y, z))
}

// chartData is the data behind the charts, as stored in the golden file.
type chartData struct {
	Utilization map[string]band5 `json:"utilization"`
	Price       []priceJSON      `json:"price"`
	Supply      supplyJSON       `json:"supply"`
	Flows       []seriesJSON     `json:"flows"`
	Cohorts     cohortsJSON      `json:"cohorts"`
}

type cohortsJSON struct {
	CPUs   bool
	Series []seriesJSON
}

type supplyJSON struct {
	X, Mean, Lo, Hi []Float
	Fractions       []seriesJSON
}

type seriesJSON struct {
	Name string
	X, Y []Float
}

func toSeriesJSON(ss []Series) []seriesJSON {
	var out []seriesJSON
	for _, s := range ss {
		out = append(out, seriesJSON{s.Name, toFloats(s.X), toFloats(s.Y)})
	}
	return out
}

type band5 struct {
	X, Mean, Lo, Hi []Float
}

type priceJSON struct {
	Model string
	X, Y  []Float
}

func toFloats(xs []float64) []Float {
	out := make([]Float, len(xs))
	for i, v := range xs {
		out[i] = Float(v)
	}
	return out
}

// TestChartSeriesGolden pins the series behind the charts for the fixture
// (house rule 9: test the data behind a chart, not the image bytes). Run
// with -update after an intended change and review the diff.
func TestChartSeriesGolden(t *testing.T) {
	recs := fixture()
	d := chartData{Utilization: map[string]band5{}}
	for name, m := range map[string]int{"gpu": sim.MGPUUtilization, "cpu": sim.MCPUUtilization} {
		x, mean, lo, hi := BandSeries(recs, m)
		d.Utilization[name] = band5{toFloats(x), toFloats(mean), toFloats(lo), toFloats(hi)}
	}
	for _, p := range GPUPriceSeries(recs) {
		d.Price = append(d.Price, priceJSON{p.Model, toFloats(p.X), toFloats(p.Y)})
	}
	// The token charts use their own fixture: fixture's values depend on
	// the metric indices.
	sd := SupplySeries(tokenFixture())
	d.Supply = supplyJSON{toFloats(sd.X), toFloats(sd.SupplyMean), toFloats(sd.SupplyLo), toFloats(sd.SupplyHi), toSeriesJSON(sd.Fractions)}
	d.Flows = toSeriesJSON(FlowSeries(tokenFixture()))
	cd := CohortSeries(recs)
	d.Cohorts = cohortsJSON{cd.CPUs, toSeriesJSON(cd.Series)}
	got, err := json.MarshalIndent(d, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "chart_series.golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestChartSeriesGolden -update")
	assert.Equal(t, string(want), string(got))
	assert.True(t, bytes.Contains(want, []byte("null")), "NaN points are in the golden data")
}

func TestSupplySeries(t *testing.T) {
	nan := math.NaN()
	recs := []*Recording{
		synthRec(0, []int{0, 12, 24}, map[int][]float64{
			sim.MTokenSupply:   {100e6, 110e6, 120e6},
			sim.MBondedRatio:   {nan, nan, nan},
			sim.MInflationRate: {0.1, 0.1, 0.09},
			sim.MStakingAPR:    {0.2, nan, 0.18},
		}),
		synthRec(1, []int{0, 12, 24}, map[int][]float64{
			sim.MTokenSupply:   {102e6, 108e6, nan},
			sim.MBondedRatio:   {nan, nan, nan},
			sim.MInflationRate: {0.1, 0.12, 0.11},
			sim.MStakingAPR:    {0.22, 0.24, nan},
		}),
	}
	d := SupplySeries(recs)
	nanEq(t, []float64{0, 0.5, 1}, d.X, "x")
	// Millions of tokens; rep 1 has no supply at 24h.
	nanEq(t, []float64{101, 109, 120}, d.SupplyMean, "supply mean")
	nanEq(t, []float64{100, 108, 120}, d.SupplyLo, "supply lo")
	nanEq(t, []float64{102, 110, 120}, d.SupplyHi, "supply hi")
	// bonded_ratio is NaN everywhere: left out.
	require.Len(t, d.Fractions, 2)
	assert.Equal(t, "inflation rate", d.Fractions[0].Name)
	nanEq(t, d.X, d.Fractions[0].X, "inflation x")
	nanEq(t, []float64{0.1, 0.11, 0.1}, d.Fractions[0].Y, "inflation")
	assert.Equal(t, "staking APR", d.Fractions[1].Name)
	nanEq(t, []float64{0.21, 0.24, 0.18}, d.Fractions[1].Y, "apr")

	// Zeros are data: a run without a token layer that records 0 keeps
	// its (flat) lines; one that records NaN has none.
	d = SupplySeries(withoutTokenLayer(fixture(), 0))
	require.Len(t, d.Fractions, 3)
	assert.Equal(t, "bonded ratio", d.Fractions[0].Name)
	nanEq(t, []float64{0, 0, 0}, d.Fractions[0].Y, "bonded")
	nanEq(t, []float64{0, 0, 0}, d.SupplyMean, "supply")
	d = SupplySeries(withoutTokenLayer(fixture(), nan))
	assert.Empty(t, d.Fractions)
	nanEq(t, []float64{nan, nan, nan}, d.SupplyMean, "supply")

	d = SupplySeries(nil)
	assert.Empty(t, d.X)
	assert.Empty(t, d.SupplyMean)
	assert.Empty(t, d.Fractions)
}

func seriesNames(ss []Series) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func TestFlowSeries(t *testing.T) {
	// Samples at 0, 12, 24 and 48 h: two whole days. Per replication, the
	// tokens of each day (cumulative at its end minus at its start):
	//   minted     rep 0: 30, 0         rep 1: 20, 40
	//   burned     rep 0: 0, -2         rep 1: 0, 0
	//   take fees  NaN throughout
	//   subsidies  rep 0: NaN, NaN      rep 1: 15, 5
	//   emissions  0 (constant total)
	recs := tokenFixture()
	assert.Equal(t, 1.0, FlowPeriod(recs[0].Times))
	fs := FlowSeries(recs)
	// burned is kept (negative flows are flows); take fees (NaN) and
	// emissions (constant total) are left out.
	require.Equal(t, []string{"minted", "burned", "subsidies"}, seriesNames(fs))
	for _, f := range fs {
		nanEq(t, []float64{1, 2}, f.X, f.Name+" x")
	}
	nanEq(t, []float64{25, 20}, fs[0].Y, "minted")
	nanEq(t, []float64{0, -1}, fs[1].Y, "burned")
	nanEq(t, []float64{15, 5}, fs[2].Y, "subsidies")

	// The order of the recordings does not matter.
	assert.Equal(t, fs, FlowSeries([]*Recording{recs[1], recs[0]}))

	// Unaligned: rep 1 has no sample at 24h, so it counts in neither day.
	recs[1] = synthRec(1, []int{0, 12, 48}, map[int][]float64{sim.MMintedTotal: {0, 20, 60}})
	fs = FlowSeries(recs)
	require.Equal(t, "minted", fs[0].Name)
	nanEq(t, []float64{30, 0}, fs[0].Y, "minted, unaligned")
}

func TestFlowSeriesFixture(t *testing.T) {
	// Every total grows by 0.5 per hourly sample; a run of two hours keeps
	// its flows per sample interval (an hour).
	recs := fixture()
	assert.Equal(t, 1.0/24, FlowPeriod(recs[0].Times))
	fs := FlowSeries(recs)
	require.Equal(t, []string{"minted", "burned", "take fees", "subsidies", "emissions"}, seriesNames(fs))
	for _, f := range fs {
		nanEq(t, []float64{1.0 / 24, 2.0 / 24}, f.X, f.Name+" x")
		nanEq(t, []float64{0.5, 0.5}, f.Y, f.Name)
	}
}

// TestFlowSeriesDailySums: over 30 days of hourly samples each flow is
// summed per day, and a day's value is the sum of its 24 hourly flows
// (mean over the replications); over a year, per week, 52 whole weeks
// (the partial 53rd is left out), each the sum of its 168 hourly flows.
func TestFlowSeriesDailySums(t *testing.T) {
	for _, c := range []struct {
		samples, perDays, periods int
	}{{30*24 + 1, 1, 30}, {8760, 7, 52}, {10*24 + 5, 1, 10}} {
		recs := longRun(3, c.samples)
		assert.Equal(t, float64(c.perDays), FlowPeriod(recs[0].Times))
		fs := FlowSeries(recs)
		require.Len(t, fs, len(flowMetrics))
		per := c.perDays * 24
		for k, f := range fs {
			m := flowMetrics[k].metric
			require.Len(t, f.X, c.periods, f.Name)
			for q := range f.X {
				assert.Equal(t, float64((q+1)*c.perDays), f.X[q], "a period's x is its end")
				want := 0.0
				for _, rec := range recs {
					sum := 0.0
					for h := q*per + 1; h <= (q+1)*per; h++ {
						sum += rec.Values[h][m] - rec.Values[h-1][m] // the hourly flow
					}
					want += sum / float64(len(recs))
				}
				assert.InDelta(t, want, f.Y[q], 1e-9*math.Max(1, math.Abs(want)), "%s, period %d", f.Name, q)
			}
		}
	}
}

func TestFlowSeriesNoFlows(t *testing.T) {
	assert.Empty(t, FlowSeries(withoutTokenLayer(fixture(), 0)))
	assert.Empty(t, FlowSeries(withoutTokenLayer(fixture(), math.NaN())))
	assert.Empty(t, FlowSeries([]*Recording{}))
	one := fixture(1)
	one[0] = &Recording{Rep: 1, Times: one[0].Times[:1], Values: one[0].Values[:1], Resources: one[0].Resources[:1]}
	assert.Empty(t, FlowSeries(one), "one sample has no interval")
	assert.Empty(t, FlowSeries(nil))
}

func TestCohortSeries(t *testing.T) {
	nan := math.NaN()
	// Given out of order: the same series.
	d := CohortSeries(fixture(2, 0, 1))
	assert.False(t, d.CPUs)
	// The cpu cohort lists no GPU: no line. The others keep the scenario's
	// order and are labelled with their kinds.
	require.Equal(t, []string{"organic-a100 (organic)", "airdrop (mercenary)", "spoofed (fake)"}, seriesNames(d.Series))
	for _, s := range d.Series {
		nanEq(t, []float64{0, 1.0 / 24, 2.0 / 24}, s.X, s.Name+" x")
	}
	nanEq(t, []float64{4, 4, 4}, d.Series[0].Y, "organic-a100")
	nanEq(t, []float64{4, 2, 0}, d.Series[1].Y, "airdrop: mercenaries leave")
	nanEq(t, []float64{8, 16.0 / 3, 8.0 / 3}, d.Series[2].Y, "spoofed: the mean over the replications")
	assert.Equal(t, d, CohortSeries(fixture()))

	// Unaligned, and a recording without cohorts at some samples: rep 1
	// has cohorts only at t = 0 and no sample at t = 1h.
	recs := fixture(0, 1)
	r1 := recs[1]
	recs[1] = &Recording{Rep: 1,
		Times:     []sim.Time{r1.Times[0], r1.Times[2]},
		Values:    [][]float64{r1.Values[0], r1.Values[2]},
		Resources: [][]sim.ResourceSample{r1.Resources[0], r1.Resources[2]},
		Cohorts:   r1.Cohorts[:1],
	}
	d = CohortSeries(recs)
	require.Len(t, d.Series, 3)
	nanEq(t, []float64{8, 8, 8}, d.Series[2].Y, "spoofed: rep 1 counts at t = 0 only")
	recs[0].Cohorts = nil
	d = CohortSeries(recs)
	require.Len(t, d.Series, 3)
	nanEq(t, []float64{8, nan, nan}, d.Series[2].Y, "spoofed: no cohorts after t = 0")

	// No cohort lists a GPU: CPU cores, leaving out the cohorts with none.
	noGPUs := fixture()
	for _, rec := range noGPUs {
		for _, row := range rec.Cohorts {
			for k := range row {
				row[k].GPUs = 0
			}
		}
	}
	d = CohortSeries(noGPUs)
	assert.True(t, d.CPUs)
	require.Equal(t, []string{"organic-a100 (organic)", "cpu (organic)"}, seriesNames(d.Series))
	nanEq(t, []float64{10, 10, 10}, d.Series[0].Y, "organic-a100 cpus")
	nanEq(t, []float64{16, 16, 16}, d.Series[1].Y, "cpu cpus")

	// No cohorts at all.
	assert.Empty(t, CohortSeries(tokenFixture()).Series)
	assert.Empty(t, CohortSeries(nil).Series)
}

func TestCohortSeriesColours(t *testing.T) {
	// A line keeps its cohort's position (its colour) when a cohort before
	// it is left out.
	_, order := cohortSeries(fixture())
	assert.Equal(t, []int{0, 1, 2}, order)
	recs := fixture()
	for _, rec := range recs {
		for _, row := range rec.Cohorts {
			row[1].GPUs = 0 // airdrop lists nothing
		}
	}
	d, order := cohortSeries(recs)
	assert.Equal(t, []string{"organic-a100 (organic)", "spoofed (fake)"}, seriesNames(d.Series))
	assert.Equal(t, []int{0, 2}, order)
}
