package reports

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/reports/html"
	"github.com/depinsim/depinsim/sim"
)

// domain is the range a quantity can take; bands are clipped to it.
type domain struct{ lo, hi float64 }

var (
	anyValue    = domain{math.Inf(-1), math.Inf(1)}
	nonNegative = domain{0, math.Inf(1)}
	share       = domain{0, 1}
)

// lineSpec is one line of a chart: an accumulated line's key, its name
// in the legend and its domain.
type lineSpec struct {
	key, name string
	dom       domain
}

// chartSpec is one chart of the report.
type chartSpec struct {
	id, title, ylabel, caption string
	svg                        string // the plots/ file that draws the same data, if any
	daily                      bool   // the lines are flows per period
	lines                      []lineSpec
}

// metricLine is the line of metric m.
func metricLine(m int, name string, dom domain) lineSpec {
	return lineSpec{key: "m:" + sim.Metrics[m].Name, name: name, dom: dom}
}

// prefixed returns the lines of the accumulated keys "P:NAME:col", in
// order of first appearance, filtered by keep.
func (a *reportAcc) prefixed(p, col string, dom domain, keep func(name string) bool) []lineSpec {
	var out []lineSpec
	for _, l := range a.lines {
		if !strings.HasPrefix(l.key, p+":") {
			continue
		}
		name, c := splitKey(l.key)
		if c != col || keep != nil && !keep(name) {
			continue
		}
		out = append(out, lineSpec{key: l.key, name: name, dom: dom})
	}
	return out
}

// chartSpecs returns the report's chart sections: per section its id,
// title and charts.
func (in *reportInputs) chartSpecs() []struct {
	id, title string
	charts    []chartSpec
} {
	a := in.acc
	gpu := func(n string) bool { return strings.HasPrefix(n, "gpu:") }
	// one small chart per flow, each on its own scale: on one axis minting
	// flattens fees and subsidies to zero
	var flowCharts []chartSpec
	for i, m := range reportFlows {
		name := strings.TrimSuffix(sim.Metrics[m].Name, "_total")
		dom, caption := nonNegative, "Tokens "+strings.ReplaceAll(name, "_", " ")+" per day (per sampling interval when longer): the increase of the running total over the period."
		if m == sim.MBurnedTotal {
			dom = anyValue // net of the BME vault: may be negative
			caption += " Burned is net of the BME vault: tokens released from the vault count as negative burns."
		}
		c := chartSpec{id: "chart-flow-" + strings.ReplaceAll(name, "_", "-"), title: "Token flow: " + strings.ReplaceAll(name, "_", " ") + " per day",
			ylabel: "tokens per day", daily: true, caption: caption,
			lines: []lineSpec{{key: "d:" + sim.Metrics[m].Name, name: name, dom: dom}}}
		if i == 0 {
			c.svg = "flows.svg"
		}
		flowCharts = append(flowCharts, c)
	}
	cohort := func(col string, dom domain) []lineSpec { return a.prefixed("c", col, dom, nil) }
	type section = struct {
		id, title string
		charts    []chartSpec
	}
	secs := []section{
		{"market", "Market", []chartSpec{
			{id: "chart-utilization", title: "Utilization", ylabel: "utilization (fraction)", svg: "utilization.svg",
				caption: "Share of listed GPUs, CPU cores and memory that are leased, over time.",
				lines:   []lineSpec{metricLine(sim.MGPUUtilization, "GPU (all models)", share), metricLine(sim.MCPUUtilization, "CPU", share), metricLine(sim.MMemoryUtilization, "memory", share)}},
			{id: "chart-utilization-resource", title: "Utilization by resource and GPU model", ylabel: "utilization (fraction)",
				caption: "Leased share of each resource (resources.csv): CPU, memory and each GPU model.",
				lines:   a.prefixed("r", "util", share, nil)},
			{id: "chart-price", title: "Clearing price by GPU model", ylabel: "price (USD per GPU-hour)", svg: "price.svg",
				caption: "Lease-weighted median price of active GPU leases, all models and per model (resources.csv).",
				lines:   append([]lineSpec{metricLine(sim.MGPUPriceUSDHour, "all GPU models", nonNegative)}, a.prefixed("r", "price", nonNegative, gpu)...)},
			{id: "chart-price-cpu", title: "CPU price", ylabel: "price (USD per core-hour)",
				caption: "Lease-weighted median price of active CPU-only leases.",
				lines:   []lineSpec{metricLine(sim.MCPUPriceUSDHour, "CPU", nonNegative)}},
			{id: "chart-leases", title: "Leases and open orders", ylabel: "count",
				caption: "Leases running and orders waiting for a lease.",
				lines:   []lineSpec{metricLine(sim.MLeasesActive, "leases active", nonNegative), metricLine(sim.MOrdersOpen, "orders open", nonNegative)}},
			{id: "chart-orders", title: "Orders, leases, unserved and abandoned since the start", ylabel: "count",
				caption: "Running totals: orders arrived, leases started, orders abandoned unserved after the tenant's patience, orders never funded, and leases closed by tenant, for lack of funds and by provider.",
				lines: []lineSpec{metricLine(sim.MOrdersTotal, "orders", nonNegative), metricLine(sim.MLeasesStartedTotal, "leases started", nonNegative),
					metricLine(sim.MOrdersUnservedTotal, "unserved (abandoned)", nonNegative), metricLine(sim.MOrdersUnfundedTotal, "unfunded", nonNegative),
					metricLine(sim.MLeasesClosedTenantTotal, "closed by tenant", nonNegative), metricLine(sim.MLeasesClosedFundsTotal, "closed: funds ran out", nonNegative),
					metricLine(sim.MLeasesClosedProviderTotal, "closed by provider", nonNegative)}},
		}},
		{"providers", "Providers", []chartSpec{
			{id: "chart-providers", title: "Providers: active, entries and exits", ylabel: "count",
				caption: "Providers in the market, and the running totals of providers that entered after the start and that left.",
				lines:   []lineSpec{metricLine(sim.MProvidersActive, "active", nonNegative), metricLine(sim.MProvidersEnteredTotal, "entered", nonNegative), metricLine(sim.MProvidersExitedTotal, "exited", nonNegative)}},
			{id: "chart-providers-cohort", title: "Providers by cohort", ylabel: "providers (count)",
				caption: "Providers of each provider cohort in the market (cohorts.csv).", lines: cohort("providers", nonNegative)},
			{id: "chart-entered-cohort", title: "Providers entered by cohort", ylabel: "providers (count)",
				caption: "Providers of each cohort that entered the market since the start (cohorts.csv entered).", lines: cohort("entered", nonNegative)},
			{id: "chart-exited-cohort", title: "Providers exited by cohort", ylabel: "providers (count)",
				caption: "Providers of each cohort that left the market since the start (cohorts.csv exited).", lines: cohort("exited", nonNegative)},
			{id: "chart-gpus-cohort", title: "GPUs by cohort", ylabel: "GPUs (count)", svg: "cohorts.svg",
				caption: "GPUs listed by each provider cohort (cohorts.csv).", lines: cohort("gpus", nonNegative)},
			{id: "chart-income", title: "Provider income and its sources", ylabel: "USD since the start",
				caption: "Running totals: provider revenue from every source (lease payments after take, emissions, subsidies, airdrops, each at the token price when received), lease payments after take alone, and the take fees sent to the community pool.",
				lines: []lineSpec{metricLine(sim.MProviderRevenueUSDTotal, "revenue, all sources", nonNegative), metricLine(sim.MProviderIncomeUSDTotal, "lease payments after take", nonNegative),
					metricLine(sim.MTakeFeesUSDTotal, "take fees", nonNegative)}},
			{id: "chart-income-cohort", title: "Provider income by cohort", ylabel: "USD since the start",
				caption: "Income of each provider cohort since the start (cohorts.csv income_usd).", lines: cohort("income_usd", nonNegative)},
		}},
		{"tenants", "Tenants", []chartSpec{
			{id: "chart-spend", title: "Tenant spend", ylabel: "USD per day",
				caption: "Gross spend rate of active leases at the current token price.",
				lines:   []lineSpec{metricLine(sim.MSpendUSDDay, "spend", nonNegative)}},
		}},
		{"token", "Token", []chartSpec{
			{id: "chart-token-price", title: "Token price", ylabel: "USD per token",
				caption: "Price of the network token.", lines: []lineSpec{metricLine(sim.MTokenPriceUSD, "token price", nonNegative)}},
			{id: "chart-supply", title: "Token supply", ylabel: "tokens", svg: "supply.svg",
				caption: "Total supply of the network token.", lines: []lineSpec{metricLine(sim.MTokenSupply, "supply", nonNegative), metricLine(sim.MUnbonding, "unbonding", nonNegative)}},
			{id: "chart-staking", title: "Bonded ratio, inflation and staking APR", ylabel: "fraction (per year for inflation and APR)",
				caption: "Bonded tokens over supply, the mint module's annual inflation and the delegators' yield.",
				lines:   []lineSpec{metricLine(sim.MBondedRatio, "bonded ratio", share), metricLine(sim.MInflationRate, "inflation", nonNegative), metricLine(sim.MStakingAPR, "staking APR", nonNegative)}},
			{id: "chart-pool", title: "Community pool", ylabel: "tokens", caption: "Network tokens held by the community pool.",
				lines: []lineSpec{metricLine(sim.MCommunityPoolAKT, "community pool", nonNegative)}},
			{id: "chart-bme", title: "BME vault and ACT supply", ylabel: "vault: tokens; ACT supply: ACT", svg: "bme.svg",
				caption: "Staking tokens held by the burn-mint equilibrium's vault and the compute credits (ACT) outstanding; shown when the BME is on.",
				lines:   []lineSpec{metricLine(sim.MBMEVault, "BME vault", nonNegative), metricLine(sim.MACTSupply, "ACT supply", nonNegative)}},
			{id: "chart-bme-cr", title: "BME collateral ratio", ylabel: "ratio",
				caption: "Vault value over ACT outstanding; shown when the BME is on.", lines: []lineSpec{metricLine(sim.MBMECollateralRatio, "collateral ratio", nonNegative)}},
		}},
		{"bids", "Bids per provider cohort", []chartSpec{
			{id: "chart-bids", title: "Bids by cohort", ylabel: "bids per sample interval (count)", svg: "bids.svg",
				caption: "Each cohort's bids on the orders cleared in each sample interval (cohorts.csv).", lines: cohort("bids", nonNegative)},
			{id: "chart-win-rate", title: "Win rate by cohort", ylabel: "win rate (fraction)",
				caption: "Bids won over bids, per cohort and sample interval; gaps where a cohort made no bid.", lines: cohort("win_rate", share)},
			{id: "chart-bid-markup", title: "Bid markup over cost by cohort", ylabel: "markup over cost (fraction)",
				caption: "Mean markup of the cohort's bids over their cost, (bid - cost) / cost.", lines: cohort("bid_markup", domain{-1, math.Inf(1)})},
		}},
	}
	// the flows go after the staking chart of the token section
	for i := range secs {
		if secs[i].id != "token" {
			continue
		}
		cs := secs[i].charts
		k := slices.IndexFunc(cs, func(c chartSpec) bool { return c.id == "chart-staking" }) + 1
		secs[i].charts = slices.Concat(cs[:k], flowCharts, cs[k:])
	}
	return secs
}

// reuseBands lets chartSections reuse a reduced chart's full-length
// bands for the next chart's (tests turn it off to compare).
var reuseBands = true

// chartSections builds the chart sections: a chart whose lines are all
// zero or without values is left out (and named in a note), and so is a
// section with no chart left.
func (in *reportInputs) chartSections() ([]html.Section, error) {
	start := startUnix(in.man.Start)
	a := in.acc
	x := make([]float64, len(a.times))
	for i, t := range a.times {
		x[i] = start + math.Round(t.Hours()*3600)
	}
	var xd []float64
	if len(a.times) > 0 {
		for p := range a.nper {
			xd = append(xd, start+math.Round((a.times[0]+sim.Time(p)*a.period).Hours()*3600))
		}
	}
	var out []html.Section
	// the full-length bands, reused once a chart is reduced (nil when
	// reuseBands is off: each band new)
	var bufs *floatBufs
	if reuseBands {
		bufs = &floatBufs{}
	}
	for _, sec := range in.chartSpecs() {
		s := html.Section{ID: sec.id, Title: sec.title}
		var empty []string
		for _, cs := range sec.charts {
			c := &html.Chart{ID: cs.id, Title: cs.title, YLabel: cs.ylabel, Caption: cs.caption, X: x}
			if cs.daily {
				c.X = xd
			}
			var zero []string
			minN := math.MaxInt
			var lent [][]float64 // the bands' slices of this chart
			for _, ls := range cs.lines {
				b := a.bandInto(ls.key, ls.dom.lo, ls.dom.hi, bufs)
				lent = append(lent, b.mean, b.lo, b.hi)
				if !b.ok || !b.nonzero {
					zero = append(zero, ls.name)
					continue
				}
				minN = min(minN, b.minN)
				se := html.Series{Name: ls.name, Values: b.mean}
				if b.minN >= 2 || anyAtLeast2(a.byKey[ls.key].n) {
					se.Lo, se.Hi = b.lo, b.hi
				}
				c.Series = append(c.Series, se)
			}
			if len(c.Series) == 0 {
				empty = append(empty, cs.title)
				bufs.put(lent...)
				continue
			}
			if len(zero) > 0 {
				c.Caption += " Not shown, zero or without values throughout: " + strings.Join(zero, ", ") + "."
			}
			if minN < 2 {
				c.Caption += " One replication: no confidence band."
			} else {
				c.Caption += fmt.Sprintf(" Lines: mean over the replications; bands: its 95%% confidence interval (at least %d replications per point), clipped to the quantity's range.", minN)
			}
			if reduceChart(c) {
				bufs.put(lent...) // the series hold copies now
			}
			in.fallback(c, cs.svg)
			s.Blocks = append(s.Blocks, html.Block{Chart: c})
		}
		if len(empty) > 0 {
			s.Blocks = append(s.Blocks, html.Block{Para: "Not shown, zero or without values throughout: " + strings.Join(empty, "; ") + "."})
		}
		if hasChart(s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func hasChart(s html.Section) bool {
	for _, b := range s.Blocks {
		if b.Chart != nil {
			return true
		}
	}
	return false
}

func anyAtLeast2(n []int32) bool {
	for _, c := range n {
		if c >= 2 {
			return true
		}
	}
	return false
}

// reduceChart reduces a chart's series to about reportMaxPoints points:
// the union of the points Downsample keeps of each line (each with an
// equal share), every series and band at those indices; it reports
// whether it did (the series then hold new slices).
func reduceChart(c *html.Chart) bool {
	if len(c.X) <= reportMaxPoints || len(c.Series) == 0 {
		return false
	}
	per := max(reportMaxPoints/len(c.Series), 300)
	keep := make([]bool, len(c.X))
	kept := 0 // the points kept, the union of every line's
	for _, s := range c.Series {
		for _, i := range Downsample(c.X, s.Values, per) {
			if !keep[i] {
				keep[i] = true
				kept++
			}
		}
	}
	pick := func(v []float64) []float64 {
		if v == nil {
			return nil
		}
		out := make([]float64, 0, kept)
		for i, k := range keep {
			if k {
				out = append(out, v[i])
			}
		}
		return out
	}
	c.X = pick(c.X)
	for i := range c.Series {
		s := &c.Series[i]
		s.Values, s.Lo, s.Hi = pick(s.Values), pick(s.Lo), pick(s.Hi)
	}
	return true
}
