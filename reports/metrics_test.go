package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/depinsim/depinsim/sim"
)

// TestSummaryTableRows pins the rows the summary table derives from
// sim.Metrics: the rows 'depinsim run' prints, with their statistic and
// whether a row without a token layer is left out.
func TestSummaryTableRows(t *testing.T) {
	want := []tableRow{
		{sim.MGPUUtilization, false, false},
		{sim.MCPUUtilization, false, false},
		{sim.MGPUPriceUSDHour, false, false},
		{sim.MLeasesActive, false, false},
		{sim.MOrdersUnservedTotal, true, false},
		{sim.MProvidersActive, false, false},
		{sim.MCommunityPoolAKT, true, false},
		{sim.MTokenSupply, true, true},
		{sim.MBondedRatio, false, true},
		{sim.MInflationRate, false, true},
		{sim.MStakingAPR, false, true},
		{sim.MMintedTotal, true, true},
		{sim.MBurnedTotal, true, true},
		{sim.MProviderRevenueUSDTotal, true, true},
		{sim.MSubsidiesPaidTotal, true, true},
	}
	assert.Equal(t, want, summaryTableRows())
}

// TestChartMetrics pins the lines the supply and flows charts derive from
// sim.Metrics, in the order drawn (their colours).
func TestChartMetrics(t *testing.T) {
	assert.Equal(t, []namedMetric{
		{"minted", sim.MMintedTotal},
		{"burned", sim.MBurnedTotal},
		{"take fees", sim.MFeesTotal},
		{"subsidies", sim.MSubsidiesPaidTotal},
		{"emissions", sim.MEmissionsTotal},
	}, flowMetrics)
	assert.Equal(t, []namedMetric{
		{"bonded ratio", sim.MBondedRatio},
		{"inflation rate", sim.MInflationRate},
		{"staking APR", sim.MStakingAPR},
	}, supplyFractions)
}

// TestMetricGroups pins the tables of a comparison: each group's title,
// whether its zero rows are left out, and its figures.
func TestMetricGroups(t *testing.T) {
	type group struct {
		title    string
		optional bool
		keys     []string
	}
	var got []group
	for _, g := range metricGroups() {
		var keys []string
		for _, f := range g.figs {
			keys = append(keys, f.key)
		}
		got = append(got, group{g.title, g.optional, keys})
	}
	assert.Equal(t, []group{
		{"Market", false, []string{"gpu_utilization.time_mean", "cpu_utilization.time_mean", "memory_utilization.time_mean",
			"gpu_price_usd_hour.time_mean", "cpu_price_usd_hour.time_mean", "leases_active.time_mean",
			"orders_total.final", "orders_unserved_total.final", "leases_started_total.final", "spend_usd_day.time_mean"}},
		{"Providers", false, []string{"providers_active.time_mean", "providers_entered_total.final", "providers_exited_total.final",
			"gpus_total.time_mean", "cpus_total.time_mean", "provider_income_usd_total.final"}},
		{"Token supply and staking", true, []string{"token_price_usd.time_mean", "token_supply.final", "bonded_ratio.time_mean",
			"inflation_rate.time_mean", "staking_apr.time_mean", "minted_total.final", "burned_total.final"}},
		{"Fees", false, []string{"take_fees_usd_total.final", "community_pool_akt.final"}},
		{"Provider rewards", true, []string{"provider_revenue_usd_total.final", "subsidies_paid_total.final", "emissions_total.final"}},
	}, got)
}

// TestMetricKinds checks the metadata the lists derive from: totals are
// named *_total (gpus_total and cpus_total are levels: GPUs listed now),
// ratios are fractions or rates, and every metric has a known group.
func TestMetricKinds(t *testing.T) {
	for _, m := range sim.Metrics {
		if m.Kind == sim.KindTotal {
			assert.True(t, strings.HasSuffix(m.Name, "_total"), "%s: kind %v", m.Name, m.Kind)
		}
		if m.Kind == sim.KindRatio {
			assert.Contains(t, []string{"fraction", "fraction/year", "ratio"}, m.Unit, m.Name)
		}
		assert.Less(t, m.Group, sim.NumGroups, m.Name)
		assert.NotEmpty(t, groupTitles[m.Group], m.Name)
		assert.LessOrEqual(t, m.Show, sim.ShowSummary, m.Name)
	}
	assert.Equal(t, "take fees", legendLabel(sim.Metrics[sim.MFeesTotal]), "a label")
	assert.Equal(t, "orders unserved", legendLabel(sim.Metrics[sim.MOrdersUnservedTotal]), "derived from the name")
}
