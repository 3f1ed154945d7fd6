package reports

import (
	"strings"

	"github.com/depinsim/depinsim/sim"
)

// The lists of metrics the reports show (the summary table's rows, the
// tables of a comparison, the lines of the supply and flows charts) are
// derived from each metric's Kind, Group and Show in sim.Metrics, so that
// a new metric appears where it belongs by describing it once.

// groupTitles names the tables of a comparison, one per sim.MetricGroup.
var groupTitles = [sim.NumGroups]string{
	sim.GroupMarket:    "Market",
	sim.GroupProviders: "Providers",
	sim.GroupToken:     "Token supply and staking",
	sim.GroupFees:      "Fees",
	sim.GroupRewards:   "Provider rewards",
	sim.GroupAirdrops:  "Airdrops",
	sim.GroupBME:       "Burn-mint equilibrium",
	sim.GroupMechanism: "Mechanisms",
}

// optionalGroup reports whether the metrics of group g are zero in runs
// without the feature they describe (the token layer beyond the take,
// airdrops, the burn-mint equilibrium, a mechanism's counters): tables
// leave such a row out when it is zero or NaN throughout, so that a run
// without the feature keeps a short table. Market, provider and fee rows
// are always shown (Akash's take and its pool exist without a token
// layer).
func optionalGroup(g sim.MetricGroup) bool {
	switch g {
	case sim.GroupMarket, sim.GroupProviders, sim.GroupFees:
		return false
	}
	return true
}

// legendLabel is the metric's name in chart legends: its Label, else its
// name without "_total" and with spaces for underscores.
func legendLabel(m sim.Metric) string {
	if m.Label != "" {
		return m.Label
	}
	return strings.ReplaceAll(strings.TrimSuffix(m.Name, "_total"), "_", " ")
}

// tableRow is a row of Summary.WriteTable: a metric, whether its final
// value (rather than its time mean) is the figure to read, and whether
// the row is left out when the metric is zero or NaN throughout.
type tableRow struct {
	metric   int
	final    bool
	optional bool
}

// summaryTableRows lists the rows of Summary.WriteTable: the metrics
// shown in the summary (sim.ShowSummary), in sim.Metrics order.
func summaryTableRows() []tableRow {
	var rows []tableRow
	for m, mt := range sim.Metrics {
		if mt.Show >= sim.ShowSummary {
			rows = append(rows, tableRow{metric: m, final: mt.Kind.Final(), optional: optionalGroup(mt.Group)})
		}
	}
	return rows
}

// metricGroups lists the metric tables of a comparison: per group, in
// group order, the metrics shown in comparisons (sim.ShowCompare and
// above), each by its time mean or its final value as its kind says.
func metricGroups() []figureGroup {
	var groups []figureGroup
	for g := range sim.NumGroups {
		fg := figureGroup{title: groupTitles[g], optional: optionalGroup(g)}
		for m, mt := range sim.Metrics {
			if mt.Group == g && mt.Show >= sim.ShowCompare {
				fg.figs = append(fg.figs, metricFigure(m, mt.Kind.Final()))
			}
		}
		if len(fg.figs) > 0 {
			groups = append(groups, fg)
		}
	}
	return groups
}

// flowMetrics lists the flows of the flows chart, in the order drawn (each
// line's colour is its position): the token layer's totals in tokens
// whose daily rate is a recurring flow: the supply's minting and burning,
// fees, and rewards to providers, group by group. (Airdrops are claimed
// once, at the end of a season; mechanism counters are not the token
// layer's.)
var flowMetrics = func() []namedMetric {
	var out []namedMetric
	for _, g := range []sim.MetricGroup{sim.GroupToken, sim.GroupFees, sim.GroupRewards} {
		for m, mt := range sim.Metrics {
			if mt.Group == g && mt.Kind == sim.KindTotal && mt.Unit == "tokens" {
				out = append(out, namedMetric{legendLabel(mt), m})
			}
		}
	}
	return out
}()

// supplyFractions lists the lower panel of the supply chart: the token
// group's ratios (bonded ratio, inflation, staking APR), in sim.Metrics
// order.
var supplyFractions = func() []namedMetric {
	var out []namedMetric
	for m, mt := range sim.Metrics {
		if mt.Group == sim.GroupToken && mt.Kind == sim.KindRatio {
			out = append(out, namedMetric{legendLabel(mt), m})
		}
	}
	return out
}()
