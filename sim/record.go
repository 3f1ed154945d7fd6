package sim

// Metric describes one column of the time series a run records.
type Metric struct {
	// Name is the column name in timeseries.csv.
	Name string
	// Unit is the metric's unit ("fraction", "USD/h", "count", "tokens":
	// whole tokens of the network's token, tokenomics.token).
	Unit string
	// Doc says what the metric measures.
	Doc string
}

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
	NumMetrics
)

// Metrics describes the columns of timeseries.csv after rep and t_hours.
var Metrics = [NumMetrics]Metric{
	MGPUUtilization:             {"gpu_utilization", "fraction", "GPUs leased / GPUs listed by active providers, all models"},
	MCPUUtilization:             {"cpu_utilization", "fraction", "CPU cores leased / CPU cores of active providers"},
	MMemoryUtilization:          {"memory_utilization", "fraction", "memory leased / memory of active providers"},
	MGPUPriceUSDHour:            {"gpu_price_usd_hour", "USD/GPU-h", "lease-weighted median over active GPU leases of lease price per GPU-hour (NaN when none)"},
	MCPUPriceUSDHour:            {"cpu_price_usd_hour", "USD/core-h", "lease-weighted median over active CPU-only leases of lease price per core-hour (NaN when none)"},
	MLeasesActive:               {"leases_active", "count", "leases running"},
	MOrdersOpen:                 {"orders_open", "count", "orders waiting for a lease (open, bidding or retrying)"},
	MOrdersTotal:                {"orders_total", "count", "deployments (orders) that have arrived"},
	MOrdersUnservedTotal:        {"orders_unserved_total", "count", "orders abandoned without a lease after the tenant's patience"},
	MLeasesStartedTotal:         {"leases_started_total", "count", "leases created"},
	MLeasesClosedTenantTotal:    {"leases_closed_tenant_total", "count", "leases closed by their tenant at the end of the deployment's lifetime"},
	MLeasesClosedFundsTotal:     {"leases_closed_funds_total", "count", "leases closed because escrow ran dry (insufficient funds)"},
	MLeasesClosedProviderTotal:  {"leases_closed_provider_total", "count", "leases closed by their provider (instability or exit)"},
	MProvidersActive:            {"providers_active", "count", "providers in the market"},
	MProvidersEnteredTotal:      {"providers_entered_total", "count", "providers that entered after the start"},
	MProvidersExitedTotal:       {"providers_exited_total", "count", "providers that left"},
	MGPUsTotal:                  {"gpus_total", "count", "GPUs listed by active providers"},
	MGPUsLeased:                 {"gpus_leased", "count", "GPUs in active leases"},
	MCPUsTotal:                  {"cpus_total", "count", "CPU cores of active providers"},
	MCPUsLeased:                 {"cpus_leased", "count", "CPU cores in active leases"},
	MSpendUSDDay:                {"spend_usd_day", "USD/day", "gross spend rate of active leases at the current token price"},
	MProviderIncomeUSDTotal:     {"provider_income_usd_total", "USD", "lease payments withdrawn by providers after take, at the token price of each withdrawal"},
	MTakeFeesUSDTotal:           {"take_fees_usd_total", "USD", "take fees sent to the community pool, at the token price of each withdrawal"},
	MCommunityPoolAKT:           {"community_pool_akt", "tokens", "network tokens held by the community pool (take fees in the token; the operator's fee account in render-2024), whole tokens"},
	MTokenPriceUSD:              {"token_price_usd", "USD", "price of the network token (AKT, or tokenomics.token)"},
	MOrderAttemptsTotal:         {"order_attempts_total", "count", "auction attempts: orders posted for bids (arrivals, retries, restarts)"},
	MGPUPriceStartedMeanUSDHour: {"gpu_price_started_mean_usd_hour", "USD/GPU-h", "mean over GPU leases started since the start of their price per GPU-hour (each lease counts once)"},
	MTokenSupply:                {"token_supply", "tokens", "total supply of the network token, whole tokens"},
	MBondedRatio:                {"bonded_ratio", "fraction", "bonded tokens / supply"},
	MInflationRate:              {"inflation_rate", "fraction/year", "the mint module's current annual inflation (0 without one)"},
	MStakingAPR:                 {"staking_apr", "fraction/year", "delegators' yield: inflation x (1 - community tax) x (1 - commission) / bonded ratio"},
	MMintedTotal:                {"minted_total", "tokens", "staking tokens minted since the start (inflation, emissions, BME shortfalls)"},
	MBurnedTotal:                {"burned_total", "tokens", "staking tokens burned since the start (net of the BME vault: tokens burned into ACT count when they enter the vault)"},
	MProviderRevenueUSDTotal:    {"provider_revenue_usd_total", "USD", "provider income since the start: lease payments after take, emissions, subsidies and airdrops, each at the token price when received"},
	MSubsidiesPaidTotal:         {"subsidies_paid_total", "tokens", "incentive-program subsidies paid to providers since the start"},
	MEmissionsTotal:             {"emissions_total", "tokens", "emission-schedule rewards paid to providers since the start"},
	MFeesTotal:                  {"fees_total", "tokens", "take fees since the start, in staking tokens (fees in other denominations converted at the price of the day)"},
	MUnbonding:                  {"unbonding", "tokens", "tokens in the unbonding queue"},
	MACTSupply:                  {"act_supply", "ACT", "compute credits outstanding (burn-mint era)"},
	MBMEVault:                   {"bme_vault", "tokens", "staking tokens held by the BME vault"},
	MBMECollateralRatio:         {"bme_collateral_ratio", "ratio", "BME collateral ratio: vault x price / ACT supply (NaN without ACT)"},
	MAirdropsClaimedTotal:       {"airdrops_claimed_total", "tokens", "airdrop tokens claimed by providers since the start"},
	MOrdersQueuedTotal:          {"orders_queued_total", "count", "orders that waited in a tiered queue for capacity (tiered-queue)"},
	MDisputesTotal:              {"disputes_total", "count", "completed tasks whose verification was disputed (single-solver)"},
	MSlashedTotal:               {"slashed_total", "tokens", "stake slashed since the start: solver stakes after lost disputes (single-solver; paid to whistleblowers) and device stakes of detected fake capacity (burned)"},
	MVerificationUnitHoursTotal: {"verification_unit_hours_total", "unit-hours", "capacity (GPU- or core-hours) spent on verification overhead (single-solver)"},
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
