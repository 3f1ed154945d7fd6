package scengen

// Kind is how a key's value is drawn.
type Kind uint8

const (
	// Float is a float drawn uniformly in [Lo, Hi] (or at a bound).
	Float Kind = iota
	// LogFloat is a float drawn log-uniformly in [Lo, Hi] (or at a
	// bound); Lo may be 0.
	LogFloat
	// Int is an integer drawn log-uniformly in [Lo, Hi] (or at a bound).
	Int
	// Duration is a duration in seconds drawn log-uniformly in [Lo, Hi]
	// (or at a bound), times the horizon when Key.Horizon is set.
	Duration
	// Enum is one of Values.
	Enum
	// Dist is a distribution of any kind whose draws mostly lie in
	// [Lo, Hi].
	Dist
	// Table is a table keyed by resource, denomination or GPU model, each
	// value a float (an integer for Key.Integer) in [Lo, Hi].
	Table
	// Bool is true or false.
	Bool
	// Structure is a key whose value the generator builds from the keys
	// beneath it (an array of tables, a list of names, a CSV file).
	Structure
)

// Key is one documented scenario key: its path, how it is drawn and its
// range (docs/scenarios.md).
type Key struct {
	// Path is the key path: elements of arrays of tables are written
	// "providers[]", a mechanism's parameters "market[posted-price].peak_k".
	Path string
	// Kind is how the value is drawn.
	Kind Kind
	// Lo and Hi bound the value: seconds for a Duration, draws for a Dist,
	// values for a Table.
	Lo, Hi float64
	// Values lists an Enum's values.
	Values []string
	// Horizon says a Duration's Lo and Hi are multiples of the horizon.
	Horizon bool
	// Integer says a Table's values or a Dist's draws are integers.
	Integer bool
	// Scaled, when not empty, is the documented range: [Lo, Hi] is a
	// narrower part of it, so that a run stays short (counts, rates of
	// events, the horizon).
	Scaled string
}

const (
	minute = 60.0
	hour   = 3600.0
	day    = 86400.0
	year   = 365 * day
	// tiny stands for the open bound 0 of a range (0, x].
	tiny = 1e-9
)

var (
	mechanisms  = []string{"akash-reverse", "vickrey-reverse", "posted-price", "tiered-queue", "call-market", "single-solver"}
	allocations = []string{"lowest-load", "round-robin", "random-weighted"}
)

// Keys is the generator's table: every key docs/scenarios.md documents,
// with its kind and range. TestKeysCoverScenario checks that it names
// every key of the scenario format.
var Keys = []Key{
	// [sim]
	{Path: "sim.start", Kind: Enum, Values: []string{"1970-01-01", "2024-03-20", "2000-02-29", "9999-12-31"}},
	{Path: "sim.horizon", Kind: Duration, Lo: day, Hi: 10 * day, Scaled: "(0, 100y]"},
	{Path: "sim.warmup", Kind: Duration, Lo: 0, Hi: 2 * day, Scaled: "[0, 10y]"},
	{Path: "sim.seed", Kind: Int, Lo: 0, Hi: 1 << 62},
	{Path: "sim.sample_every", Kind: Duration, Lo: 1.0 / 1000, Hi: 1, Horizon: true, Scaled: "[1s, horizon], at most 1e7 samples"},
	{Path: "sim.replications", Kind: Int, Lo: 1, Hi: 2, Scaled: "[1, 100000]"},
	// [resources]
	{Path: "resources.reference_usd_hour", Kind: Table, Lo: 0, Hi: 1e4, Scaled: ">= 0"},
	{Path: "resources.reference_steps", Kind: Structure}, // 0 to 3 steps at times within 1.2 horizons, multipliers log-uniform in [0.1, 10] (range (0, 1e4])
	// [market]
	{Path: "market.mechanism", Kind: Enum, Values: mechanisms},
	{Path: "market[akash-reverse].max_bids", Kind: Int, Lo: 0, Hi: 1048576},
	{Path: "market[akash-reverse].tie_break", Kind: Enum, Values: []string{"random", "provider-id"}},
	{Path: "market[akash-reverse].open_orders", Kind: Enum, Values: []string{"retry", "wait"}},
	{Path: "market[vickrey-reverse].max_bids", Kind: Int, Lo: 0, Hi: 1048576},
	{Path: "market[vickrey-reverse].tie_break", Kind: Enum, Values: []string{"random", "provider-id"}},
	{Path: "market[vickrey-reverse].open_orders", Kind: Enum, Values: []string{"retry", "wait"}},
	{Path: "market[posted-price].prices_usd_hour", Kind: Table, Lo: 0, Hi: 1e3, Scaled: ">= 0"},
	{Path: "market[posted-price].allocation", Kind: Enum, Values: allocations},
	{Path: "market[posted-price].max_candidates", Kind: Int, Lo: 0, Hi: 1048576},
	{Path: "market[posted-price].peak_k", Kind: Float, Lo: 0, Hi: 100},
	{Path: "market[posted-price].peak_target", Kind: Float, Lo: 0, Hi: 1},
	{Path: "market[posted-price].peak_min", Kind: LogFloat, Lo: tiny, Hi: 1000},
	{Path: "market[posted-price].peak_max", Kind: LogFloat, Lo: tiny, Hi: 1000}, // and >= peak_min
	{Path: "market[posted-price].reprice_every", Kind: Duration, Lo: minute, Hi: 30 * day},
	{Path: "market[tiered-queue].tiers", Kind: Structure},
	{Path: "market[tiered-queue].tiers[].name", Kind: Structure},
	{Path: "market[tiered-queue].tiers[].priority", Kind: Int, Lo: -1048576, Hi: 1048576},
	{Path: "market[tiered-queue].tiers[].usd_per_work", Kind: LogFloat, Lo: tiny, Hi: 1e3, Scaled: "> 0"},
	{Path: "market[tiered-queue].tiers[].audited_only", Kind: Bool},
	{Path: "market[tiered-queue].work_per_unit_hour", Kind: Table, Lo: 0, Hi: 1e4, Scaled: ">= 0, one > 0"},
	{Path: "market[tiered-queue].allocation", Kind: Enum, Values: allocations},
	{Path: "market[tiered-queue].max_candidates", Kind: Int, Lo: 0, Hi: 1048576},
	{Path: "market[tiered-queue].backfill", Kind: Int, Lo: 1, Hi: 1048576},
	{Path: "market[call-market].period", Kind: Duration, Lo: minute, Hi: day},
	{Path: "market[call-market].k", Kind: Float, Lo: 0, Hi: 1},
	{Path: "market[single-solver].overhead", Kind: Float, Lo: 0, Hi: 100},
	{Path: "market[single-solver].false_fail_rate", Kind: Float, Lo: 0, Hi: 1},
	{Path: "market[single-solver].cheat_rate", Kind: Float, Lo: 0, Hi: 1},
	{Path: "market[single-solver].detect_prob", Kind: Float, Lo: 0, Hi: 1},
	{Path: "market[single-solver].dispute_win_prob", Kind: Float, Lo: 0, Hi: 1},
	{Path: "market[single-solver].stake_ratio", Kind: Float, Lo: 0, Hi: 1000},
	{Path: "market[single-solver].slash_fraction", Kind: Float, Lo: 0, Hi: 1},
	{Path: "market[single-solver].solver", Kind: Enum, Values: []string{"lowest-ask", "random"}},
	{Path: "market[single-solver].max_candidates", Kind: Int, Lo: 0, Hi: 1048576},
	// [tokenomics]
	{Path: "tokenomics.token", Kind: Enum, Values: []string{"AKT", "IO", "RENDER", "X"}},
	{Path: "tokenomics.token_price_usd", Kind: LogFloat, Lo: 1e-9, Hi: 1e12},
	{Path: "tokenomics.block_seconds", Kind: LogFloat, Lo: 0.1, Hi: 600},
	{Path: "tokenomics.take_rate", Kind: Table, Lo: 0, Hi: 1},
	{Path: "tokenomics.deployment_min_deposit", Kind: LogFloat, Lo: 0, Hi: 1e6},
	{Path: "tokenomics.bid_min_deposit", Kind: LogFloat, Lo: 0, Hi: 1e6},
	{Path: "tokenomics.circulating_supply_akt", Kind: LogFloat, Lo: 0, Hi: 9.99e11},
	{Path: "tokenomics.community_pool_akt", Kind: Float, Lo: 0, Hi: 1}, // a share of the supply
	{Path: "tokenomics.treasury_akt", Kind: Float, Lo: 0, Hi: 1},       // a share of what the pool leaves
	{Path: "tokenomics.settlement", Kind: Enum, Values: []string{"take", "bme", "burn-mint"}},
	{Path: "tokenomics.fee_burn_share", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tokenomics.epoch", Kind: Duration, Lo: minute, Hi: 30 * day},
	{Path: "tokenomics.inflation.model", Kind: Enum, Values: []string{"cosmos", "none"}},
	{Path: "tokenomics.inflation.initial", Kind: Float, Lo: 0, Hi: 1}, // in [min, max]
	{Path: "tokenomics.inflation.min", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tokenomics.inflation.max", Kind: Float, Lo: 0, Hi: 1}, // >= min
	{Path: "tokenomics.inflation.rate_change", Kind: Float, Lo: 0, Hi: 100},
	{Path: "tokenomics.inflation.goal_bonded", Kind: Float, Lo: tiny, Hi: 1},
	{Path: "tokenomics.inflation.blocks_per_year", Kind: Int, Lo: 1e4, Hi: 1e9, Scaled: "> 0, and the supply's growth fits the ledger"},
	{Path: "tokenomics.inflation.community_tax", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tokenomics.inflation.commission", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tokenomics.staking.bonded_ratio", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tokenomics.staking.outside_yield", Kind: Float, Lo: -1, Hi: 10},
	{Path: "tokenomics.staking.speed", Kind: Float, Lo: 0, Hi: 100},
	{Path: "tokenomics.staking.unbonding", Kind: Duration, Lo: 0, Hi: 10 * year},
	{Path: "tokenomics.emission.kind", Kind: Enum, Values: []string{"none", "geometric", "table", "halving", "linear"}},
	{Path: "tokenomics.emission.base", Kind: LogFloat, Lo: 0, Hi: 1e12},
	{Path: "tokenomics.emission.rate0", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tokenomics.emission.decay", Kind: Float, Lo: 0, Hi: 1 - 1e-9},
	{Path: "tokenomics.emission.epoch", Kind: Duration, Lo: 0.001, Hi: 2, Horizon: true, Scaled: "> 0 (geometric), >= 0 (table)"},
	{Path: "tokenomics.emission.epochs", Kind: Int, Lo: 0, Hi: 1e9},
	{Path: "tokenomics.emission.budgets", Kind: LogFloat, Lo: 0, Hi: 1e12},
	{Path: "tokenomics.emission.tail_decay", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tokenomics.emission.per_block", Kind: LogFloat, Lo: tiny, Hi: 1e12},
	{Path: "tokenomics.emission.block_seconds", Kind: LogFloat, Lo: 0.001, Hi: 1e6},
	{Path: "tokenomics.emission.total", Kind: LogFloat, Lo: 0, Hi: 1e12},
	{Path: "tokenomics.emission.duration", Kind: Duration, Lo: 0.01, Hi: 100, Horizon: true, Scaled: "> 0"},
	{Path: "tokenomics.emission.cap", Kind: LogFloat, Lo: 0, Hi: 1e12},
	{Path: "tokenomics.emission.start", Kind: Duration, Lo: 0, Hi: 1.2, Horizon: true, Scaled: ">= 0"},
	{Path: "tokenomics.emission.job_share", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tokenomics.emission.weights", Kind: Table, Lo: 0, Hi: 1e6},
	{Path: "tokenomics.bme.vault_seed_akt", Kind: LogFloat, Lo: 0, Hi: 9.99e11},
	{Path: "tokenomics.bme.mint_spread_bps", Kind: Int, Lo: 0, Hi: 9999},
	{Path: "tokenomics.bme.settle_spread_bps", Kind: Int, Lo: 0, Hi: 9999},
	{Path: "tokenomics.bme.min_mint_act", Kind: LogFloat, Lo: 0, Hi: 9.99e11},
	{Path: "tokenomics.bme.warn_cr", Kind: LogFloat, Lo: 2e-4, Hi: 100},
	{Path: "tokenomics.bme.halt_cr", Kind: LogFloat, Lo: tiny, Hi: 100}, // and <= warn_cr - 0.0001
	{Path: "tokenomics.bme.epoch_blocks", Kind: Int, Lo: 1, Hi: 1e6},
	{Path: "tokenomics.bme.max_epoch_blocks", Kind: Int, Lo: 1, Hi: 1e8}, // and >= epoch_blocks
	{Path: "tokenomics.price.model", Kind: Enum, Values: []string{"constant", "gbm", "csv", "endogenous"}},
	{Path: "tokenomics.price.initial_usd", Kind: Structure}, // not used: written equal to token_price_usd
	{Path: "tokenomics.price.drift", Kind: Float, Lo: -10, Hi: 10},
	{Path: "tokenomics.price.volatility", Kind: Float, Lo: 0, Hi: 10},
	{Path: "tokenomics.price.csv", Kind: Structure}, // a generated file of 1 to 40 rows, prices in [1e-9, 1e12]
	{Path: "tokenomics.price.elasticity", Kind: Float, Lo: 0, Hi: 100},
	{Path: "tokenomics.price.market_depth_usd", Kind: LogFloat, Lo: tiny, Hi: 9.99e14},
	{Path: "tokenomics.incentives", Kind: Structure},
	{Path: "tokenomics.incentives[].name", Kind: Structure},
	{Path: "tokenomics.incentives[].cohorts", Kind: Structure},
	{Path: "tokenomics.incentives[].mode", Kind: Enum, Values: []string{"per-gpu-hour", "guaranteed-utilization"}},
	{Path: "tokenomics.incentives[].usd_per_gpu_hour", Kind: LogFloat, Lo: tiny, Hi: 1000},
	{Path: "tokenomics.incentives[].target_utilization", Kind: Float, Lo: tiny, Hi: 1},
	{Path: "tokenomics.incentives[].start", Kind: Duration, Lo: 0, Hi: 1.2, Horizon: true, Scaled: "[0, 100y]"},
	{Path: "tokenomics.incentives[].duration", Kind: Duration, Lo: 1, Hi: 100 * year},
	{Path: "tokenomics.incentives[].budget_usd", Kind: LogFloat, Lo: tiny, Hi: 9.99e14},
	{Path: "tokenomics.incentives[].funding", Kind: Enum, Values: []string{"community-pool", "treasury"}},
	{Path: "tokenomics.seasons", Kind: Structure},
	{Path: "tokenomics.seasons[].name", Kind: Structure},
	{Path: "tokenomics.seasons[].start", Kind: Duration, Lo: 0, Hi: 1, Horizon: true, Scaled: "[0, 100y]"},
	{Path: "tokenomics.seasons[].end", Kind: Duration, Lo: 0.01, Hi: 1, Horizon: true, Scaled: "after start, at most 100y"}, // after start
	{Path: "tokenomics.seasons[].claim_at", Kind: Duration, Lo: 0, Hi: 1, Horizon: true, Scaled: "[end, 100y]"},             // after end
	{Path: "tokenomics.seasons[].points_per_gpu_hour", Kind: LogFloat, Lo: tiny, Hi: 1e9},
	{Path: "tokenomics.seasons[].pool_tokens", Kind: LogFloat, Lo: 0, Hi: 1e12},
	{Path: "tokenomics.governance", Kind: Structure},
	{Path: "tokenomics.governance[].at", Kind: Duration, Lo: 0, Hi: 1.2, Horizon: true, Scaled: ">= 0, in time order"},
	{Path: "tokenomics.governance[].key", Kind: Structure},   // tokenomics.GovernanceKeys
	{Path: "tokenomics.governance[].value", Kind: Structure}, // the key's range (tokenomics.Governable)
	{Path: "tokenomics.governance[].note", Kind: Enum, Values: []string{"", "a generated change"}},
	// [[providers]]
	{Path: "providers", Kind: Structure}, // cohorts dropped and duplicated
	{Path: "providers[].name", Kind: Structure},
	{Path: "providers[].kind", Kind: Enum, Values: []string{"organic", "mercenary", "fake"}},
	{Path: "providers[].count", Kind: Int, Lo: 0, Hi: 40, Scaled: "[0, 16777216]"},
	{Path: "providers[].enter_at", Kind: Duration, Lo: 0, Hi: 1.2, Horizon: true, Scaled: ">= 0"},
	{Path: "providers[].cpu_cores", Kind: Int, Lo: 0, Hi: 16777216},
	{Path: "providers[].memory_gb", Kind: Int, Lo: 0, Hi: 16777216},
	{Path: "providers[].gpus", Kind: Table, Lo: 0, Hi: 65536, Integer: true},
	{Path: "providers[].cpu_only_share", Kind: Float, Lo: 0, Hi: 1},
	{Path: "providers[].region", Kind: Enum, Values: []string{"", "us-east", "eu"}},
	{Path: "providers[].audited_fraction", Kind: Float, Lo: 0, Hi: 1},
	{Path: "providers[].strategy", Kind: Enum, Values: []string{"cost-plus", "adaptive-markup", "undercut-median", "equilibrium", "no-regret"}},
	{Path: "providers[].markup_step", Kind: LogFloat, Lo: tiny, Hi: 1e9},
	{Path: "providers[].target_win_rate", Kind: Float, Lo: tiny, Hi: 1 - 1e-9},
	{Path: "providers[].markup_max", Kind: LogFloat, Lo: 1, Hi: 1e9},
	{Path: "providers[].undercut", Kind: Float, Lo: 0, Hi: 0.9},
	{Path: "providers[].expected_bidders", Kind: Int, Lo: 2, Hi: 1048576, Scaled: "0 (auto) or [2, 1048576]"},
	{Path: "providers[].markup_arms", Kind: Int, Lo: 1, Hi: 1000},
	{Path: "providers[].learning_rate", Kind: LogFloat, Lo: tiny, Hi: 1},
	{Path: "providers[].exploration", Kind: Float, Lo: tiny, Hi: 1},
	{Path: "providers[].price_list_usd_hour", Kind: Table, Lo: 0, Hi: 1e6, Scaled: ">= 0"},
	{Path: "providers[].price_multiplier", Kind: Dist, Lo: 0, Hi: 5},
	{Path: "providers[].cost_usd_hour", Kind: Table, Lo: 0, Hi: 1e6, Scaled: ">= 0"},
	{Path: "providers[].cost_multiplier", Kind: Dist, Lo: 0, Hi: 5},
	{Path: "providers[].min_markup", Kind: LogFloat, Lo: 0, Hi: 1e9},
	{Path: "providers[].withdraw_every", Kind: Duration, Lo: minute, Hi: 30 * day, Scaled: ">= 1m"},
	{Path: "providers[].lease_close_rate_per_day", Kind: LogFloat, Lo: 0, Hi: 100, Scaled: "[0, 1e9]"},
	{Path: "providers[].balance_akt", Kind: LogFloat, Lo: 0, Hi: 1e9},
	{Path: "providers[].stake_per_gpu", Kind: LogFloat, Lo: 0, Hi: 1e9},
	{Path: "providers[].entries_per_day", Kind: LogFloat, Lo: 0, Hi: 20, Scaled: "[0, 1e9]"},
	{Path: "providers[].entry_threshold", Kind: LogFloat, Lo: 0, Hi: 1e9},
	{Path: "providers[].review_every", Kind: Duration, Lo: hour, Hi: 30 * day, Scaled: ">= 1h"},
	{Path: "providers[].review_window", Kind: Float, Lo: 1, Hi: 1000}, // a multiple of review_every
	{Path: "providers[].min_tenure", Kind: Duration, Lo: 0, Hi: 2, Horizon: true, Scaled: ">= 0"},
	{Path: "providers[].exit_threshold", Kind: LogFloat, Lo: 0, Hi: 1e9},
	{Path: "providers[].exit_hazard", Kind: Float, Lo: 0, Hi: 1},
	{Path: "providers[].leave_after", Kind: Duration, Lo: 0, Hi: 1.2, Horizon: true, Scaled: ">= 0"},
	{Path: "providers[].leave_hazard", Kind: Float, Lo: 0, Hi: 1},
	{Path: "providers[].detection_prob", Kind: Float, Lo: 0, Hi: 1},
	{Path: "providers[].max_providers", Kind: Int, Lo: 0, Hi: 100, Scaled: "[0, 16777216]"},
	// [[tenants]]
	{Path: "tenants", Kind: Structure}, // cohorts dropped and duplicated
	{Path: "tenants[].name", Kind: Structure},
	{Path: "tenants[].arrivals_per_day", Kind: LogFloat, Lo: 0, Hi: 300, Scaled: "[0, 1e8]"},
	{Path: "tenants[].growth_per_year", Kind: Float, Lo: -1 + 1e-9, Hi: 100},
	{Path: "tenants[].daily_amplitude", Kind: Float, Lo: 0, Hi: 1 - 1e-9},
	{Path: "tenants[].demand_steps", Kind: Structure}, // 0 to 3 steps at times within 1.2 horizons, multipliers log-uniform in [1e-3, 10] or 0 (range [0, 1e4]: scaled down to keep runs short)
	{Path: "tenants[].price_elasticity", Kind: Float, Lo: 0, Hi: 20},
	{Path: "tenants[].demand_multiplier_min", Kind: Float, Lo: tiny, Hi: 1},
	{Path: "tenants[].demand_multiplier_max", Kind: LogFloat, Lo: 1, Hi: 10, Scaled: "[1, 1e4]"},
	{Path: "tenants[].arrivals_until", Kind: Duration, Lo: 0, Hi: 1.2, Horizon: true, Scaled: ">= 0"},
	{Path: "tenants[].gpu_models", Kind: Table, Lo: 0, Hi: 10},
	{Path: "tenants[].gpus", Kind: Dist, Lo: 0, Hi: 16, Integer: true},
	{Path: "tenants[].cpu_cores", Kind: Dist, Lo: 0, Hi: 256, Integer: true},
	{Path: "tenants[].memory_gb", Kind: Dist, Lo: 0, Hi: 2048, Integer: true},
	{Path: "tenants[].max_price_ratio", Kind: Dist, Lo: 0, Hi: 10},
	{Path: "tenants[].lifetime_hours", Kind: Dist, Lo: 0.01, Hi: 8760},
	{Path: "tenants[].budget_ratio", Kind: Dist, Lo: 0, Hi: 100},
	{Path: "tenants[].usdc_fraction", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tenants[].audited_fraction", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tenants[].selection_window", Kind: Duration, Lo: 0, Hi: day, Scaled: ">= 0"},
	{Path: "tenants[].selection", Kind: Enum, Values: []string{"", "cheapest", "prefer-audited", "random"}},
	{Path: "tenants[].retry_every", Kind: Duration, Lo: minute, Hi: day, Scaled: "> 0"},
	{Path: "tenants[].patience", Kind: Duration, Lo: 0, Hi: 30 * day, Scaled: ">= 0"},
	{Path: "tenants[].restart_prob", Kind: Float, Lo: 0, Hi: 1},
	{Path: "tenants[].runway_target_days", Kind: LogFloat, Lo: tiny, Hi: 3650}, // and >= runway_min_days
	{Path: "tenants[].runway_min_days", Kind: LogFloat, Lo: tiny, Hi: 3650},
	// [[assert]]: 0 to 3 random entries over the whole vocabulary (the
	// preset's own are dropped: a redrawn start or catalog may not have
	// their dates, models or cohorts)
	{Path: "assert", Kind: Structure},
	{Path: "assert[].name", Kind: Structure},
	{Path: "assert[].metric", Kind: Structure},   // a plain metric, or a family with a resource or cohort of the scenario
	{Path: "assert[].resource", Kind: Structure}, // cpu, memory_gb or gpu:<model> of the catalog
	{Path: "assert[].cohort", Kind: Structure},   // a provider cohort's name
	{Path: "assert[].stat", Kind: Enum, Values: []string{"mean", "twmean", "min", "max", "first", "final", "change", "p0", "p50", "p95", "p99.9", "p100", "slope", "share_above", "share_below"}},
	{Path: "assert[].level", Kind: Float, Lo: -1e3, Hi: 1e6},
	{Path: "assert[].from", Kind: Duration, Lo: 0, Hi: 1.2, Horizon: true, Scaled: ">= 0, or a date"},
	{Path: "assert[].to", Kind: Duration, Lo: 0, Hi: 1.2, Horizon: true, Scaled: "after from, or a date"},
	{Path: "assert[].min", Kind: Float, Lo: -1e6, Hi: 1e6},
	{Path: "assert[].max", Kind: LogFloat, Lo: 0, Hi: 1e9}, // added to min
	{Path: "assert[].across", Kind: Enum, Values: []string{"", "mean", "ci"}},
	{Path: "assert[].per_rep", Kind: Enum, Values: []string{"", "all", "any", "share"}},
	{Path: "assert[].share", Kind: Float, Lo: tiny, Hi: 1},
	{Path: "assert[].message", Kind: Structure},
}

// keyIndex finds a key of Keys by path.
var keyIndex = func() map[string]Key {
	m := make(map[string]Key, len(Keys))
	for _, k := range Keys {
		if _, dup := m[k.Path]; dup {
			panic("scengen: duplicate key " + k.Path)
		}
		m[k.Path] = k
	}
	return m
}()

// key returns the entry of path; a path not in Keys is a bug of the
// generator.
func key(path string) Key {
	k, ok := keyIndex[path]
	if !ok {
		panic("scengen: no key " + path)
	}
	return k
}
