package sim

import "fmt"

// Metric describes one column of the time series a run records. Kind,
// Group and Show let reports derive which metrics to show where (the
// summary table, the tables of a comparison, the daily flows chart)
// instead of keeping lists of their own.
type Metric struct {
	// Name is the column name in timeseries.csv.
	Name string
	// Unit is the metric's unit ("fraction", "USD/h", "count", "tokens":
	// whole tokens of the network's token, tokenomics.token).
	Unit string
	// Kind says how the metric's samples are read: its mean over time
	// (levels and ratios) or its final value (stocks and totals).
	Kind MetricKind
	// Group says what part of the model the metric describes.
	Group MetricGroup
	// Show says which reports show the metric besides the data files.
	Show Show
	// Label is a short name for chart legends; empty means the name
	// without a "_total" suffix, with spaces for underscores.
	Label string
	// Doc says what the metric measures.
	Doc string
}

// MetricKind says how a metric's samples are read.
type MetricKind uint8

// The metric kinds.
const (
	// KindLevel is a state at the sample time (leases running, a price,
	// providers in the market): its mean over time is the figure to read.
	KindLevel MetricKind = iota
	// KindRatio is a fraction or a rate per year (utilization, bonded
	// ratio, inflation): its mean over time is the figure to read.
	KindRatio
	// KindStock is an amount held (a supply, a pool, a vault): its final
	// value is the figure to read.
	KindStock
	// KindTotal counts or sums something since the start (orders,
	// tokens minted): its final value is the figure to read, and its rate
	// of change is a flow.
	KindTotal
)

// Final reports whether the final value, rather than the mean over time,
// is the figure to read for a metric of kind k: stocks and totals.
func (k MetricKind) Final() bool { return k == KindStock || k == KindTotal }

// String returns "level", "ratio", "stock" or "total".
func (k MetricKind) String() string {
	switch k {
	case KindLevel:
		return "level"
	case KindRatio:
		return "ratio"
	case KindStock:
		return "stock"
	case KindTotal:
		return "total"
	}
	return fmt.Sprintf("MetricKind(%d)", uint8(k))
}

// MetricGroup says what part of the model a metric describes. The groups
// are listed in the order reports show them.
type MetricGroup uint8

// The metric groups.
const (
	// GroupMarket: orders, leases, utilization and lease prices.
	GroupMarket MetricGroup = iota
	// GroupProviders: the supply side: providers, their capacity and
	// lease income.
	GroupProviders
	// GroupToken: the token's price, supply and staking: inflation,
	// minting, burning, bonding.
	GroupToken
	// GroupFees: the take on lease payments and the pool it goes to.
	GroupFees
	// GroupRewards: token income paid to providers besides leases
	// (incentive subsidies, emission schedules) and the whole income it
	// adds to.
	GroupRewards
	// GroupAirdrops: airdrop points seasons.
	GroupAirdrops
	// GroupBME: the burn-mint equilibrium (compute credits, vault).
	GroupBME
	// GroupMechanism: counters of particular market mechanisms (tiered
	// queues, verified work).
	GroupMechanism
	// NumGroups is the number of groups.
	NumGroups
)

// String returns the group's name: "market", "providers", "token",
// "fees", "rewards", "airdrops", "bme" or "mechanism".
func (g MetricGroup) String() string {
	if g < NumGroups {
		return [...]string{"market", "providers", "token", "fees", "rewards", "airdrops", "bme", "mechanism"}[g]
	}
	return fmt.Sprintf("MetricGroup(%d)", uint8(g))
}

// Show says which reports show a metric besides timeseries.csv and
// summary.json, which hold every metric. Each level includes the one
// before.
type Show uint8

// The levels of Show.
const (
	// ShowFiles: the data files only.
	ShowFiles Show = iota
	// ShowCompare: also the tables of a comparison (compare.md and the
	// table 'depinsim compare' prints).
	ShowCompare
	// ShowSummary: also the summary table 'depinsim run' prints.
	ShowSummary
)

// Indices of Sample.Values; Metrics lists them in this order.
const (
	MGPUUtilization = iota
	MCPUUtilization
	MMemoryUtilization
	MGPUPriceUSDHour
	MCPUPriceUSDHour
	MLeasesActive
	MOrdersOpen
	MOrdersTotal
	MOrdersUnservedTotal
	MLeasesStartedTotal
	MLeasesClosedTenantTotal
	MLeasesClosedFundsTotal
	MLeasesClosedProviderTotal
	MProvidersActive
	MProvidersEnteredTotal
	MProvidersExitedTotal
	MGPUsTotal
	MGPUsLeased
	MCPUsTotal
	MCPUsLeased
	MSpendUSDDay
	MProviderIncomeUSDTotal
	MTakeFeesUSDTotal
	MCommunityPoolAKT
	MTokenPriceUSD
	MOrderAttemptsTotal
	MGPUPriceStartedMeanUSDHour
	MTokenSupply
	MBondedRatio
	MInflationRate
	MStakingAPR
	MMintedTotal
	MBurnedTotal
	MProviderRevenueUSDTotal
	MSubsidiesPaidTotal
	MEmissionsTotal
	MFeesTotal
	MUnbonding
	MACTSupply
	MBMEVault
	MBMECollateralRatio
	MAirdropsClaimedTotal
	MOrdersQueuedTotal
	MDisputesTotal
	MSlashedTotal
	MVerificationUnitHoursTotal
	MOrdersUnfundedTotal
	NumMetrics
)

// Metrics describes the columns of timeseries.csv after rep and t_hours.
var Metrics = [NumMetrics]Metric{
	MGPUUtilization: {Name: "gpu_utilization", Unit: "fraction", Kind: KindRatio, Group: GroupMarket, Show: ShowSummary,
		Doc: "GPUs leased / GPUs listed by active providers, all models"},
	MCPUUtilization: {Name: "cpu_utilization", Unit: "fraction", Kind: KindRatio, Group: GroupMarket, Show: ShowSummary,
		Doc: "CPU cores leased / CPU cores of active providers"},
	MMemoryUtilization: {Name: "memory_utilization", Unit: "fraction", Kind: KindRatio, Group: GroupMarket, Show: ShowCompare,
		Doc: "memory leased / memory of active providers"},
	MGPUPriceUSDHour: {Name: "gpu_price_usd_hour", Unit: "USD/GPU-h", Kind: KindLevel, Group: GroupMarket, Show: ShowSummary,
		Doc: "lease-weighted median over active GPU leases of lease price per GPU-hour (NaN when none)"},
	MCPUPriceUSDHour: {Name: "cpu_price_usd_hour", Unit: "USD/core-h", Kind: KindLevel, Group: GroupMarket, Show: ShowCompare,
		Doc: "lease-weighted median over active CPU-only leases of lease price per core-hour (NaN when none)"},
	MLeasesActive: {Name: "leases_active", Unit: "count", Kind: KindLevel, Group: GroupMarket, Show: ShowSummary,
		Doc: "leases running"},
	MOrdersOpen: {Name: "orders_open", Unit: "count", Kind: KindLevel, Group: GroupMarket, Show: ShowFiles,
		Doc: "orders waiting for a lease (open, bidding or retrying)"},
	MOrdersTotal: {Name: "orders_total", Unit: "count", Kind: KindTotal, Group: GroupMarket, Show: ShowCompare,
		Doc: "deployments (orders) that have arrived"},
	MOrdersUnservedTotal: {Name: "orders_unserved_total", Unit: "count", Kind: KindTotal, Group: GroupMarket, Show: ShowSummary,
		Doc: "orders abandoned without a lease after the tenant's patience"},
	MLeasesStartedTotal: {Name: "leases_started_total", Unit: "count", Kind: KindTotal, Group: GroupMarket, Show: ShowCompare,
		Doc: "leases created"},
	MLeasesClosedTenantTotal: {Name: "leases_closed_tenant_total", Unit: "count", Kind: KindTotal, Group: GroupMarket, Show: ShowFiles,
		Doc: "leases closed by their tenant at the end of the deployment's lifetime"},
	MLeasesClosedFundsTotal: {Name: "leases_closed_funds_total", Unit: "count", Kind: KindTotal, Group: GroupMarket, Show: ShowFiles,
		Doc: "leases closed because escrow ran dry (insufficient funds)"},
	MLeasesClosedProviderTotal: {Name: "leases_closed_provider_total", Unit: "count", Kind: KindTotal, Group: GroupMarket, Show: ShowFiles,
		Doc: "leases closed by their provider (instability or exit)"},
	MProvidersActive: {Name: "providers_active", Unit: "count", Kind: KindLevel, Group: GroupProviders, Show: ShowSummary,
		Doc: "providers in the market"},
	MProvidersEnteredTotal: {Name: "providers_entered_total", Unit: "count", Kind: KindTotal, Group: GroupProviders, Show: ShowCompare,
		Doc: "providers that entered after the start"},
	MProvidersExitedTotal: {Name: "providers_exited_total", Unit: "count", Kind: KindTotal, Group: GroupProviders, Show: ShowCompare,
		Doc: "providers that left"},
	MGPUsTotal: {Name: "gpus_total", Unit: "count", Kind: KindLevel, Group: GroupProviders, Show: ShowCompare,
		Doc: "GPUs listed by active providers"},
	MGPUsLeased: {Name: "gpus_leased", Unit: "count", Kind: KindLevel, Group: GroupProviders, Show: ShowFiles,
		Doc: "GPUs in active leases"},
	MCPUsTotal: {Name: "cpus_total", Unit: "count", Kind: KindLevel, Group: GroupProviders, Show: ShowCompare,
		Doc: "CPU cores of active providers"},
	MCPUsLeased: {Name: "cpus_leased", Unit: "count", Kind: KindLevel, Group: GroupProviders, Show: ShowFiles,
		Doc: "CPU cores in active leases"},
	MSpendUSDDay: {Name: "spend_usd_day", Unit: "USD/day", Kind: KindLevel, Group: GroupMarket, Show: ShowCompare,
		Doc: "gross spend rate of active leases at the current token price"},
	MProviderIncomeUSDTotal: {Name: "provider_income_usd_total", Unit: "USD", Kind: KindTotal, Group: GroupProviders, Show: ShowCompare,
		Doc: "lease payments withdrawn by providers after take, at the token price of each withdrawal"},
	MTakeFeesUSDTotal: {Name: "take_fees_usd_total", Unit: "USD", Kind: KindTotal, Group: GroupFees, Show: ShowCompare,
		Doc: "take fees sent to the community pool, at the token price of each withdrawal"},
	MCommunityPoolAKT: {Name: "community_pool_akt", Unit: "tokens", Kind: KindStock, Group: GroupFees, Show: ShowSummary,
		Doc: "network tokens held by the community pool (take fees in the token; the operator's fee account in render-2024), whole tokens"},
	MTokenPriceUSD: {Name: "token_price_usd", Unit: "USD", Kind: KindLevel, Group: GroupToken, Show: ShowCompare,
		Doc: "price of the network token (AKT, or tokenomics.token)"},
	MOrderAttemptsTotal: {Name: "order_attempts_total", Unit: "count", Kind: KindTotal, Group: GroupMarket, Show: ShowFiles,
		Doc: "auction attempts: orders posted for bids (arrivals, retries, restarts)"},
	MGPUPriceStartedMeanUSDHour: {Name: "gpu_price_started_mean_usd_hour", Unit: "USD/GPU-h", Kind: KindLevel, Group: GroupMarket, Show: ShowFiles,
		Doc: "mean over GPU leases started since the start of their price per GPU-hour (each lease counts once)"},
	MTokenSupply: {Name: "token_supply", Unit: "tokens", Kind: KindStock, Group: GroupToken, Show: ShowSummary,
		Doc: "total supply of the network token, whole tokens"},
	MBondedRatio: {Name: "bonded_ratio", Unit: "fraction", Kind: KindRatio, Group: GroupToken, Show: ShowSummary,
		Doc: "bonded tokens / supply"},
	MInflationRate: {Name: "inflation_rate", Unit: "fraction/year", Kind: KindRatio, Group: GroupToken, Show: ShowSummary,
		Doc: "the mint module's current annual inflation (0 without one)"},
	MStakingAPR: {Name: "staking_apr", Unit: "fraction/year", Kind: KindRatio, Group: GroupToken, Show: ShowSummary, Label: "staking APR",
		Doc: "delegators' yield: inflation x (1 - community tax) x (1 - commission) / bonded ratio"},
	MMintedTotal: {Name: "minted_total", Unit: "tokens", Kind: KindTotal, Group: GroupToken, Show: ShowSummary,
		Doc: "staking tokens minted since the start (inflation, emissions, BME shortfalls)"},
	MBurnedTotal: {Name: "burned_total", Unit: "tokens", Kind: KindTotal, Group: GroupToken, Show: ShowSummary,
		Doc: "staking tokens burned since the start (net of the BME vault: tokens burned into ACT count when they enter the vault)"},
	MProviderRevenueUSDTotal: {Name: "provider_revenue_usd_total", Unit: "USD", Kind: KindTotal, Group: GroupRewards, Show: ShowSummary,
		Doc: "provider income since the start: lease payments after take, emissions, subsidies and airdrops, each at the token price when received"},
	MSubsidiesPaidTotal: {Name: "subsidies_paid_total", Unit: "tokens", Kind: KindTotal, Group: GroupRewards, Show: ShowSummary, Label: "subsidies",
		Doc: "incentive-program subsidies paid to providers since the start"},
	MEmissionsTotal: {Name: "emissions_total", Unit: "tokens", Kind: KindTotal, Group: GroupRewards, Show: ShowCompare,
		Doc: "emission-schedule rewards paid to providers since the start"},
	MFeesTotal: {Name: "fees_total", Unit: "tokens", Kind: KindTotal, Group: GroupFees, Show: ShowFiles, Label: "take fees",
		Doc: "take fees since the start, in staking tokens (fees in other denominations converted at the price of the day)"},
	MUnbonding: {Name: "unbonding", Unit: "tokens", Kind: KindStock, Group: GroupToken, Show: ShowFiles,
		Doc: "tokens in the unbonding queue"},
	MACTSupply: {Name: "act_supply", Unit: "ACT", Kind: KindStock, Group: GroupBME, Show: ShowFiles,
		Doc: "compute credits outstanding (burn-mint era)"},
	MBMEVault: {Name: "bme_vault", Unit: "tokens", Kind: KindStock, Group: GroupBME, Show: ShowFiles,
		Doc: "staking tokens held by the BME vault"},
	MBMECollateralRatio: {Name: "bme_collateral_ratio", Unit: "ratio", Kind: KindRatio, Group: GroupBME, Show: ShowFiles,
		Doc: "BME collateral ratio: vault x price / ACT supply (NaN without ACT)"},
	MAirdropsClaimedTotal: {Name: "airdrops_claimed_total", Unit: "tokens", Kind: KindTotal, Group: GroupAirdrops, Show: ShowFiles,
		Doc: "airdrop tokens claimed by providers since the start"},
	MOrdersQueuedTotal: {Name: "orders_queued_total", Unit: "count", Kind: KindTotal, Group: GroupMechanism, Show: ShowFiles,
		Doc: "orders that waited for capacity: in a tiered queue (tiered-queue) or in the book of open orders (open_orders = \"wait\")"},
	MDisputesTotal: {Name: "disputes_total", Unit: "count", Kind: KindTotal, Group: GroupMechanism, Show: ShowFiles,
		Doc: "completed tasks whose verification was disputed (single-solver)"},
	MSlashedTotal: {Name: "slashed_total", Unit: "tokens", Kind: KindTotal, Group: GroupMechanism, Show: ShowFiles,
		Doc: "stake slashed since the start: solver stakes after lost disputes (single-solver; paid to whistleblowers) and device stakes of detected fake capacity (burned)"},
	MVerificationUnitHoursTotal: {Name: "verification_unit_hours_total", Unit: "unit-hours", Kind: KindTotal, Group: GroupMechanism, Show: ShowFiles,
		Doc: "capacity (GPU- or core-hours) spent on verification overhead (single-solver)"},
	MOrdersUnfundedTotal: {Name: "orders_unfunded_total", Unit: "count", Kind: KindTotal, Group: GroupMarket, Show: ShowFiles,
		Doc: "orders closed at arrival because the tenant could not buy the tokens for its deposit (the holders' float was short, or its max price in tokens was beyond any rate); counted in orders_total, never posted"},
}

// Resource names used in ResourceSample: "cpu", "memory_gb" and one
// "gpu:<model>" per GPU model.
const (
	ResourceCPU    = "cpu"
	ResourceMemory = "memory_gb"
	GPUPrefix      = "gpu:"
)

// ResourceSample is one resource's state at a sample time.
type ResourceSample struct {
	// Resource is "cpu", "memory_gb" or "gpu:<model>".
	Resource string
	// Capacity is the amount listed by active providers (cores, GB, GPUs).
	Capacity float64
	// Allocated is the amount in active leases.
	Allocated float64
	// Utilization is Allocated/Capacity (NaN when Capacity is 0).
	Utilization float64
	// MedianPriceUSDHour is the lease-weighted median (each lease counts
	// once) of the price per unit-hour among active leases priced on the
	// resource: for a GPU model, its GPU leases' price per GPU-hour; for
	// cpu, CPU-only leases' price per core-hour; NaN for memory_gb (memory
	// is priced inside those leases) and when there is no such lease.
	MedianPriceUSDHour float64
}

// CohortSample is one provider cohort's state at a sample time.
type CohortSample struct {
	// Cohort is the cohort's name (agents.ProviderCohort.Name).
	Cohort string
	// Kind is the cohort's kind: "organic", "mercenary" or "fake".
	Kind string
	// Providers is the number of the cohort's providers in the market
	// (count).
	Providers int
	// GPUs is the number of GPUs, all models, listed by the cohort's
	// active providers (count); a fake cohort's capacity counts while it
	// is listed. The cohorts' GPUs add up to gpus_total.
	GPUs float64
	// GPUsLeased is the number of the cohort's GPUs in active leases
	// (count; GPUs reserved by open bids do not count). The cohorts'
	// GPUsLeased add up to gpus_leased.
	GPUsLeased float64
	// CPUs is the number of CPU cores listed by the cohort's active
	// providers (count). The cohorts' CPUs add up to cpus_total.
	CPUs float64
	// IncomeUSD is the income of the cohort's providers since the start
	// (after any warmup), including providers that have left, in USD:
	// lease payments after take, emissions, subsidies and airdrops, each
	// at the token price when received. The cohorts' IncomeUSD add up to
	// provider_revenue_usd_total.
	IncomeUSD float64
	// Entered and Exited are the numbers of the cohort's providers that
	// entered and left the market since the start (after any warmup;
	// count). The cohorts' add up to providers_entered_total and
	// providers_exited_total.
	Entered, Exited float64
	// Bids is the number of bids of the cohort's providers on the orders
	// cleared in the sample interval (since the previous sample; count):
	// the bids open when an order is cleared (a bid withdrawn before, as
	// its provider left or it timed out, is not counted), and the
	// winning ask of an order cleared from the ask index, which knows
	// only its winner. A call market's asks are not bids on an order and
	// are not counted.
	Bids float64
	// BidsWon is the number of those bids that won (count): each starts
	// a lease. A bid and its win are counted together, so BidsWon <=
	// Bids in every interval.
	BidsWon float64
	// WinRate is BidsWon / Bids (fraction; NaN when no bid was counted).
	WinRate float64
	// BidMarkup is the mean over the interval's bids of the markup over
	// cost, (price - cost) / cost, with price the bid converted to USD
	// per hour at the token price when the order cleared and cost the
	// request's cost at the provider's costs (fraction; requests of zero
	// cost are left out; NaN when none is left).
	BidMarkup float64
	// WonMarkup is the same mean over the bids won in the interval
	// (fraction; NaN when none).
	WonMarkup float64
}

// Sample is the state of one replication at one time. The slices are
// owned by the world and reused: a Recorder must copy what it keeps.
type Sample struct {
	// Rep is the replication index (0-based).
	Rep int
	// T is the sample time.
	T Time
	// Values holds one value per metric, indexed by the M* constants.
	Values []float64
	// Resources holds one entry per resource, in a fixed order
	// (cpu, memory_gb, then GPU models sorted by name).
	Resources []ResourceSample
	// Cohorts holds one entry per provider cohort, in the scenario's
	// order (Config.Providers).
	Cohorts []CohortSample
}

// Recorder receives samples as a run produces them. The model knows
// nothing about output formats; reports implement Recorders that keep or
// stream what they need.
type Recorder interface {
	Record(s *Sample)
}

// RecorderFunc adapts a function to a Recorder.
type RecorderFunc func(s *Sample)

// Record calls f(s).
func (f RecorderFunc) Record(s *Sample) { f(s) }

// Result summarises one replication.
type Result struct {
	// Rep is the replication index (0-based).
	Rep int
	// Seed is the replication's seed (all its streams derive from it).
	Seed uint64
	// Events is the number of events processed.
	Events uint64
	// Samples is the number of samples recorded.
	Samples int
	// End is the simulated time the run stopped at (the horizon).
	End Time
}
