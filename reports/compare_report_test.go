package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports/html"
)

// compareReportCharts returns the charts of the comparison report of the
// compare fixture: a GPU scenario sampled every 12 hours and a CPU one
// every 24, whose provider incomes differ about 70 times.
func compareReportCharts(t *testing.T) ([]*html.Chart, html.Section) {
	t.Helper()
	runs := compareRuns()
	for i := range runs {
		runs[i].Start = "2024-03-20"
	}
	in := &compareReport{man: &CompareManifest{Replications: 3}, runs: runs, briefs: make([]*RunBrief, 2), mans: make([]*Manifest, 2), svgs: map[string]string{}, links: make([]bool, 2)}
	sec, err := in.chartsSection()
	require.NoError(t, err)
	var out []*html.Chart
	for _, b := range sec.Blocks {
		if b.Chart != nil {
			out = append(out, b.Chart)
		}
	}
	return out, sec
}

// TestCompareReportChartsGolden pins the comparison report's chart data
// as series: each chart's id and inline JSON, one line each
// (testdata/compare_report_charts.golden; go test ./reports -run
// TestCompareReportChartsGolden -update rewrites it).
func TestCompareReportChartsGolden(t *testing.T) {
	charts, _ := compareReportCharts(t)
	checkChartsGolden(t, charts, "compare_report_charts.golden")
}

// TestCompareReportStylesAndMultiples: each scenario keeps its style in
// every chart; income, whose peaks differ more than 20 times, is one
// chart per scenario (and the rule is said); utilization, a fraction,
// stays on one axis; the lines' different sample times are joined; the
// bands stay in the quantity's range.
func TestCompareReportStylesAndMultiples(t *testing.T) {
	charts, sec := compareReportCharts(t)
	ids := map[string]*html.Chart{}
	for _, c := range charts {
		ids[c.ID] = c
		for _, s := range c.Series {
			switch {
			case strings.HasPrefix(s.Name, "gpu"):
				assert.Equal(t, 1, s.Style, "%s %s", c.ID, s.Name)
			case strings.HasPrefix(s.Name, "cpu"):
				assert.Equal(t, 2, s.Style, "%s %s", c.ID, s.Name)
			default:
				t.Errorf("%s: series %q", c.ID, s.Name)
			}
			for i := range s.Lo {
				if s.Lo[i] != s.Lo[i] { // NaN: no value
					continue
				}
				if c.ID == "chart-compare-utilization" {
					assert.LessOrEqual(t, s.Hi[i], 1.0)
				}
				if c.ID != "chart-compare-supply" {
					assert.GreaterOrEqual(t, s.Lo[i], 0.0, "%s %s", c.ID, s.Name)
				}
			}
		}
	}
	require.Contains(t, ids, "chart-compare-utilization")
	assert.Len(t, ids["chart-compare-utilization"].Series, 2, "a fraction: one axis")
	assert.True(t, ids["chart-compare-utilization"].SpanGaps, "12-hourly and daily lines joined")
	assert.NotContains(t, ids, "chart-compare-provider-income")
	require.Contains(t, ids, "chart-compare-provider-income-1")
	require.Contains(t, ids, "chart-compare-provider-income-2")
	assert.Len(t, ids["chart-compare-provider-income-1"].Series, 1)
	said := false
	for _, b := range sec.Blocks {
		said = said || strings.Contains(b.Para, "more than 20 times")
	}
	assert.True(t, said, "the small-multiples rule is stated")
	assert.Equal(t, 1710892800.0, ids["chart-compare-utilization"].X[0], "dates from the scenario's start")
}

// TestBehaviourLine says the strategies, with the cohorts when they
// differ.
func TestBehaviourLine(t *testing.T) {
	b := &RunBrief{Mechanism: "m", Providers: []ProviderBrief{{Name: "a", Strategy: "x"}, {Name: "b", Strategy: "x"}}}
	assert.Equal(t, "L: m; providers bid x (2 cohort(s))", BehaviourLine("L", b))
	b.Providers[1].Strategy = "y"
	assert.Equal(t, "L: m; providers bid x (a), y (b)", BehaviourLine("L", b))
}

// TestViridis: the ends of the scale and a readable text colour.
func TestViridis(t *testing.T) {
	bg, fg := viridisAt(0)
	assert.Equal(t, "#440154", bg)
	assert.Equal(t, "#ffffff", fg)
	bg, fg = viridisAt(1)
	assert.Equal(t, "#fde725", bg)
	assert.Equal(t, "#000000", fg)
	bg, _ = viridisAt(2)
	assert.Equal(t, "#fde725", bg, "clamped")
}

// TestCompareReportDaysAxis: scenarios starting on different dates share
// an axis of days since each one's start.
func TestCompareReportDaysAxis(t *testing.T) {
	runs := compareRuns()
	runs[0].Start, runs[1].Start = "2024-03-20", "2026-03-20"
	in := &compareReport{man: &CompareManifest{Replications: 3}, runs: runs, briefs: make([]*RunBrief, 2), mans: make([]*Manifest, 2), svgs: map[string]string{}, links: make([]bool, 2)}
	sec, err := in.chartsSection()
	require.NoError(t, err)
	n := 0
	for _, b := range sec.Blocks {
		if c := b.Chart; c != nil {
			n++
			assert.NotEmpty(t, c.XLabel, c.ID)
			assert.Equal(t, 0.0, c.X[0], c.ID)
			assert.Equal(t, 1.0, c.X[len(c.X)-1], c.ID)
		}
	}
	assert.Positive(t, n)
}
