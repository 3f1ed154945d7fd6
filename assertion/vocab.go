package assertion

import (
	"strings"

	"github.com/depinsim/depinsim/sim"
)

// Family is a metric recorded once per resource or per provider cohort:
// an assertion on it names the resource (Spec.Resource) or the cohort
// (Spec.Cohort).
type Family struct {
	// Name is the family's metric name ("resource_utilization").
	Name string
	// Unit is the unit of its values; "units" stands for the resource's
	// own unit (cores, GB, GPUs).
	Unit string
	// Kind says how its samples are read (see sim.MetricKind).
	Kind sim.MetricKind
	// Key is "resource" or "cohort": the Spec field that names the series.
	Key string
	// Doc says what it measures.
	Doc string
}

// Family indices, in the order Families lists them.
const (
	fResourceUtilization = iota
	fResourceCapacity
	fResourceAllocated
	fResourcePrice
	fCohortProviders
	fCohortGPUs
	fCohortGPUsLeased
	fCohortCPUs
	fCohortIncome
	fCohortBids
	fCohortBidsWon
	fCohortWinRate
	fCohortBidMarkup
	fCohortWonMarkup
	fCohortEntered
	fCohortExited
	numFamilies
)

var families = [numFamilies]Family{
	fResourceUtilization: {Name: "resource_utilization", Unit: "fraction", Kind: sim.KindRatio, Key: "resource",
		Doc: "the resource's units in active leases / the units listed by active providers (NaN when none are listed)"},
	fResourceCapacity: {Name: "resource_capacity", Unit: "units", Kind: sim.KindLevel, Key: "resource",
		Doc: "the amount of the resource listed by active providers (cores, GB, GPUs)"},
	fResourceAllocated: {Name: "resource_allocated", Unit: "units", Kind: sim.KindLevel, Key: "resource",
		Doc: "the amount of the resource in active leases (cores, GB, GPUs)"},
	fResourcePrice: {Name: "resource_price_usd_hour", Unit: "USD/unit-h", Kind: sim.KindLevel, Key: "resource",
		Doc: "lease-weighted median price per unit-hour among active leases priced on the resource: a GPU model's GPU leases per GPU-hour, CPU-only leases per core-hour for cpu; NaN for memory_gb and when there is no such lease"},
	fCohortProviders: {Name: "cohort_providers", Unit: "count", Kind: sim.KindLevel, Key: "cohort",
		Doc: "the number of the cohort's providers in the market"},
	fCohortGPUs: {Name: "cohort_gpus", Unit: "count", Kind: sim.KindLevel, Key: "cohort",
		Doc: "GPUs, all models, listed by the cohort's active providers (the cohorts' add up to gpus_total)"},
	fCohortGPUsLeased: {Name: "cohort_gpus_leased", Unit: "count", Kind: sim.KindLevel, Key: "cohort",
		Doc: "the cohort's GPUs in active leases (the cohorts' add up to gpus_leased)"},
	fCohortCPUs: {Name: "cohort_cpus", Unit: "count", Kind: sim.KindLevel, Key: "cohort",
		Doc: "CPU cores listed by the cohort's active providers (the cohorts' add up to cpus_total)"},
	fCohortIncome: {Name: "cohort_income_usd", Unit: "USD", Kind: sim.KindTotal, Key: "cohort",
		Doc: "income of the cohort's providers since the start, including providers that left: lease payments after take, emissions, subsidies and airdrops, each at the token price when received (the cohorts' add up to provider_revenue_usd_total)"},
	fCohortBids: {Name: "cohort_bids", Unit: "count", Kind: sim.KindLevel, Key: "cohort",
		Doc: "bids of the cohort's providers on the orders cleared in the sample interval (since the previous sample): the bids open when an order clears, and the winning ask of an order cleared from the ask index (which knows only its winner); a call market's asks are not counted"},
	fCohortBidsWon: {Name: "cohort_bids_won", Unit: "count", Kind: sim.KindLevel, Key: "cohort",
		Doc: "those of cohort_bids that won (each starts a lease); never more than cohort_bids"},
	fCohortWinRate: {Name: "cohort_win_rate", Unit: "fraction", Kind: sim.KindRatio, Key: "cohort",
		Doc: "cohort_bids_won / cohort_bids in the sample interval (NaN when no bid was counted; orders cleared from the ask index count only their winner)"},
	fCohortBidMarkup: {Name: "cohort_bid_markup", Unit: "fraction", Kind: sim.KindRatio, Key: "cohort",
		Doc: "mean over the interval's bids of the markup over cost, (bid - cost) / cost: the bid in USD per hour at the token price when the order cleared, the cost of the request at the provider's costs; requests of zero cost left out (NaN when none)"},
	fCohortWonMarkup: {Name: "cohort_won_markup", Unit: "fraction", Kind: sim.KindRatio, Key: "cohort",
		Doc: "cohort_bid_markup over the bids won in the interval (NaN when none)"},
	fCohortEntered: {Name: "cohort_entered", Unit: "count", Kind: sim.KindTotal, Key: "cohort",
		Doc: "the cohort's providers that entered the market since the start (the cohorts' add up to providers_entered_total)"},
	fCohortExited: {Name: "cohort_exited", Unit: "count", Kind: sim.KindTotal, Key: "cohort",
		Doc: "the cohort's providers that left the market since the start (the cohorts' add up to providers_exited_total)"},
}

// Families returns the per-resource and per-cohort metric families, in a
// fixed order.
func Families() []Family { return append([]Family(nil), families[:]...) }

// StatInfo describes one statistic an assertion can take over its window.
type StatInfo struct {
	// Name is the statistic as written in stat ("pN" stands for p95,
	// p99.9, ...).
	Name string
	// Doc gives its exact definition and unit.
	Doc string
}

// The statistics.
const (
	stMean = iota
	stTWMean
	stMin
	stMax
	stFirst
	stFinal
	stChange
	stPercentile
	stSlope
	stShareAbove
	stShareBelow
	numStats
)

var stats = [numStats]StatInfo{
	stMean:       {"mean", "arithmetic mean of the samples: sum(v_i) / n; the metric's unit"},
	stTWMean:     {"twmean", "time-weighted mean: each sample's value holds until the next sample, the last one until the window's end (To, or the run's horizon); sum(v_i * d_i) / sum(d_i); the metric's unit"},
	stMin:        {"min", "smallest sample; the metric's unit"},
	stMax:        {"max", "largest sample; the metric's unit"},
	stFirst:      {"first", "the first sample in the window; the metric's unit"},
	stFinal:      {"final", "the last sample in the window; the metric's unit"},
	stChange:     {"change", "final - first; the metric's unit"},
	stPercentile: {"pN", "N-th percentile, 0 <= N <= 100 (p50, p95, p99.9): linear interpolation between order statistics, x[floor(h)] + (h - floor(h)) * (x[floor(h)+1] - x[floor(h)]) with h = (n-1) N / 100 over the sorted samples x (numpy's default); the metric's unit"},
	stSlope:      {"slope", "least-squares slope of the samples against time in days: sum((t_i - mean t)(v_i - mean v)) / sum((t_i - mean t)^2); the metric's unit per day (NaN with fewer than two sample times)"},
	stShareAbove: {"share_above", "time-weighted share of the window with value > level, weights as for twmean (each sample's value holds until the next); a fraction in [0, 1]"},
	stShareBelow: {"share_below", "time-weighted share of the window with value < level, weights as for twmean; a fraction in [0, 1]"},
}

// Stats returns the statistics an assertion can take, in a fixed order.
func Stats() []StatInfo { return append([]StatInfo(nil), stats[:]...) }

// metricNames lists every plain metric and family name, for errors.
func metricNames() string {
	names := make([]string, 0, len(sim.Metrics)+numFamilies)
	for _, m := range sim.Metrics {
		names = append(names, m.Name)
	}
	for _, f := range families {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// statNames lists the statistics for errors.
func statNames() string {
	names := make([]string, len(stats))
	for i, s := range stats {
		names[i] = s.Name
	}
	return strings.Join(names, ", ") + " (pN: 0 <= N <= 100, e.g. p95, p99.9)"
}

// resourceUnit returns the unit of one unit of resource r.
func resourceUnit(r string) string {
	switch {
	case r == sim.ResourceCPU:
		return "core"
	case r == sim.ResourceMemory:
		return "GB"
	case strings.HasPrefix(r, sim.GPUPrefix):
		return "GPU"
	}
	return "unit"
}
