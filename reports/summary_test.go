package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

func TestSummarize(t *testing.T) {
	s := Summarize(fixture(2, 1, 0))
	assert.Equal(t, []int{0, 1, 2}, s.Reps)
	assert.Equal(t, []int{3, 3, 3}, s.Samples)
	require.Len(t, s.Metrics, sim.NumMetrics)

	// leases_active (m = 5): time means 5.5, 6.5, 7.5 -> mean 6.5, sd 1.
	la := s.Metrics[sim.MLeasesActive]
	assert.Equal(t, "leases_active", la.Name)
	assert.Equal(t, "count", la.Unit)
	assert.Equal(t, sim.Metrics[sim.MLeasesActive].Doc, la.Doc)
	assert.Equal(t, []Float{5.5, 6.5, 7.5}, la.TimeMean.PerRep)
	half := t975df2 / math.Sqrt(3)
	assert.Equal(t, 3, la.TimeMean.N)
	assert.InDelta(t, 6.5, float64(la.TimeMean.Mean), 1e-12)
	assert.InDelta(t, 1, float64(la.TimeMean.SD), 1e-12)
	assert.InDelta(t, 6.5-half, float64(la.TimeMean.CILow), ciTol)
	assert.InDelta(t, 6.5+half, float64(la.TimeMean.CIHigh), ciTol)
	// Finals 6, 7, 8.
	assert.Equal(t, []Float{6, 7, 8}, la.Final.PerRep)
	assert.InDelta(t, 7, float64(la.Final.Mean), 1e-12)

	// gpu_price_usd_hour (m = 3) is NaN in rep 0: n = 2, time means 4.5, 5.5.
	gp := s.Metrics[sim.MGPUPriceUSDHour]
	assert.True(t, math.IsNaN(float64(gp.TimeMean.PerRep[0])))
	assert.Equal(t, 2, gp.TimeMean.N)
	assert.InDelta(t, 5, float64(gp.TimeMean.Mean), 1e-12)
	assert.InDelta(t, math.Sqrt(0.5), float64(gp.TimeMean.SD), 1e-12)
	assert.InDelta(t, 5-TQuantile(1)*0.5, float64(gp.TimeMean.CILow), ciTol)

	// Resources in order cpu, memory_gb, then GPUs by name.
	var names []string
	for _, r := range s.Resources {
		names = append(names, r.Resource)
	}
	assert.Equal(t, []string{"cpu", "memory_gb", "gpu:a100", "gpu:h100"}, names)
	// cpu utilization (r+i)/10: time means 0.1, 0.2, 0.3.
	cpu := s.Resources[0].Utilization
	assert.InDeltaSlice(t, []float64{0.1, 0.2, 0.3}, floats(cpu.PerRep), 1e-15)
	assert.InDelta(t, 0.2, float64(cpu.Mean), 1e-12)
	assert.InDelta(t, t975df2*0.1/math.Sqrt(3), float64(cpu.CIHigh-cpu.Mean), ciTol)
	// a100 price: rep 0 none, rep 1 mean of 2, 2 -> 2, rep 2 -> 3.
	a100 := s.Resources[2].MedianPriceUSDHour
	assert.Equal(t, 2, a100.N)
	assert.InDelta(t, 2.5, float64(a100.Mean), 1e-12)
	// h100 never leased.
	assert.Equal(t, 0, s.Resources[3].MedianPriceUSDHour.N)
	assert.Equal(t, "no data", s.Resources[3].MedianPriceUSDHour.CINote)
}

func floats(fs []Float) []float64 {
	out := make([]float64, len(fs))
	for i, f := range fs {
		out[i] = float64(f)
	}
	return out
}

func TestSummaryJSON(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Summarize(fixture()).WriteJSON(&buf))
	require.True(t, json.Valid(buf.Bytes()), buf.String())
	assert.True(t, strings.HasSuffix(buf.String(), "}\n"))

	var generic map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &generic))
	metrics := generic["metrics"].([]any)
	require.Len(t, metrics, sim.NumMetrics)
	gp := metrics[sim.MGPUPriceUSDHour].(map[string]any)
	assert.Equal(t, "gpu_price_usd_hour", gp["name"])
	assert.Equal(t, "USD/GPU-h", gp["unit"])
	perRep := gp["time_mean"].(map[string]any)["per_rep"].([]any)
	assert.Nil(t, perRep[0], "NaN encodes as null")
	assert.Equal(t, 4.5, perRep[1])

	var back Summary
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, Float(6.5), back.Metrics[sim.MLeasesActive].TimeMean.Mean)

	// Deterministic: the same input gives the same bytes.
	var again bytes.Buffer
	require.NoError(t, Summarize(fixture(1, 2, 0)).WriteJSON(&again))
	assert.Equal(t, buf.String(), again.String())
}

func TestSummaryOneReplication(t *testing.T) {
	s := Summarize(fixture(1))
	st := s.Metrics[sim.MGPUUtilization].TimeMean
	assert.Equal(t, 1, st.N)
	assert.Equal(t, Float(1.5), st.Mean)
	assert.Equal(t, st.Mean, st.CILow)
	assert.Equal(t, st.Mean, st.CIHigh)
	assert.Equal(t, "one replication", st.CINote)
	var buf bytes.Buffer
	require.NoError(t, s.WriteJSON(&buf))
	assert.Contains(t, buf.String(), `"ci_note": "one replication"`)
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	Summarize(fixture()).WriteTable(&buf)
	out := buf.String()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, lines, 1+7+8, out)
	assert.Regexp(t, `^metric\s+statistic\s+mean\s+95% CI\s+n\s+unit$`, lines[0])
	half := t975df2 / math.Sqrt(3)
	// gpu_utilization (m = 0): time means 0.5, 1.5, 2.5.
	assert.Regexp(t, `^gpu_utilization\s+mean over time\s+1\.5\s+\[`+fmtNum(1.5-half)+`, `+fmtNum(1.5+half)+`\]\s+3\s+fraction$`, lines[1])
	assert.Regexp(t, `^gpu_price_usd_hour\s+mean over time\s+5\s+.*\s+2\s+USD/GPU-h$`, lines[3])
	// orders_unserved_total (m = 8) final: 9, 10, 11.
	assert.Regexp(t, `^orders_unserved_total\s+final\s+10\s+`, lines[5])
	assert.Regexp(t, `^community_pool_akt\s+final\s+25\s+.*tokens$`, lines[7])

	// The token rows: metric m has time mean m + 1.5 and final m + 2 on
	// average over the replications.
	for k, row := range []struct {
		name  string
		final bool
	}{
		{"token_supply", true}, {"bonded_ratio", false}, {"inflation_rate", false}, {"staking_apr", false},
		{"minted_total", true}, {"burned_total", true}, {"provider_revenue_usd_total", true}, {"subsidies_paid_total", true},
	} {
		m := slices.IndexFunc(sim.Metrics[:], func(x sim.Metric) bool { return x.Name == row.name })
		require.GreaterOrEqual(t, m, 0, row.name)
		what, want := "mean over time", float64(m)+1.5
		if row.final {
			what, want = "final", float64(m)+2
		}
		assert.Regexp(t, `^`+row.name+`\s+`+what+`\s+`+regexp.QuoteMeta(fmtNum(want))+`\s+\[.*\]\s+3\s+`+regexp.QuoteMeta(sim.Metrics[m].Unit)+`$`, lines[8+k])
	}

	buf.Reset()
	Summarize(fixture(0)).WriteTable(&buf)
	assert.Contains(t, buf.String(), "[0.5, 0.5] (one replication)")
	assert.Contains(t, buf.String(), "n/a")
}

func TestWriteTableWithoutTokenLayer(t *testing.T) {
	// Token metrics zero or NaN everywhere: the short table.
	for _, v := range []float64{0, math.NaN()} {
		var buf bytes.Buffer
		Summarize(withoutTokenLayer(fixture(), v)).WriteTable(&buf)
		lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
		require.Len(t, lines, 1+7, buf.String())
		assert.NotContains(t, buf.String(), "token_supply")
	}

	// A metric non-zero in one replication only, at one sample only, gets
	// its row; mixed zeros and NaNs do not.
	recs := withoutTokenLayer(fixture(), 0)
	recs = withValues(recs, func(m, r, i int, v float64) float64 {
		switch {
		case m == sim.MSubsidiesPaidTotal && r == 2 && i == 1:
			return 7
		case m == sim.MBurnedTotal && r == 1:
			return math.NaN()
		}
		return v
	})
	var buf bytes.Buffer
	Summarize(recs).WriteTable(&buf)
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	require.Len(t, lines, 1+7+1, buf.String())
	// Finals 0, 0, 0: the row says so.
	assert.Regexp(t, `^subsidies_paid_total\s+final\s+0\s+\[0, 0\]\s+3\s+tokens$`, lines[8])
}

func TestFmtNum(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 0.123456: "0.1235", 12.3456: "12.35", 999.94: "999.9", 12345.6: "12346",
		2.5e9: "2.500e+09", 1e-4: "1.000e-04", -3.25: "-3.25", math.NaN(): "n/a",
	} {
		if !math.IsNaN(v) {
			assert.Equal(t, want, fmtNum(v), "%v", v)
		}
	}
	assert.Equal(t, "n/a", fmtNum(math.NaN()))
}
