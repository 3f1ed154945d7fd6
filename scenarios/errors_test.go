package scenarios

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

// baseTOML is a valid scenario with two cohorts of each kind; the
// bad-input cases below edit one line of it.
const baseTOML = `# a test scenario
name = "base"
description = "two cohorts of each kind"

[sim]
start = 2024-01-01
horizon = "30d"
seed = 7
sample_every = "1h"
replications = 3

[resources]
reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }

[market]
mechanism = "akash-reverse"
max_bids = 20

[tokenomics]
take_rate = { akt = 0.02, usdc = 0.20 }

[[providers]]
name = "cpu"
count = 10
cpu_cores = 64
memory_gb = 256
price_list_usd_hour = { cpu = 0.002, memory_gb = 0.001 }

[[providers]]
name = "gpu"
count = 2
cpu_cores = 64
memory_gb = 512
gpus = { h100 = 8 }
audited_fraction = 0.5
price_multiplier = { kind = "lognormal", median = 1.0, sigma = 0.25 }

[[tenants]]
name = "web"
arrivals_per_day = 100.0
lifetime_hours = { kind = "lognormal", median = 24.0, sigma = 1.0 }

[[tenants]]
name = "ai"
arrivals_per_day = 5.0
gpu_models = { h100 = 1.0 }
`

// lineOf returns the 1-based line of text's first line containing s.
func lineOf(t *testing.T, text, s string) int {
	t.Helper()
	return nthLineOf(t, text, s, 1)
}

// nthLineOf returns the 1-based line of text's n-th line containing s.
func nthLineOf(t *testing.T, text, s string, n int) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			if n--; n == 0 {
				return i + 1
			}
		}
	}
	t.Fatalf("fewer than %d lines contain %q", n, s)
	return 0
}

// edit replaces the first occurrence of old in baseTOML (which must exist).
func edit(t *testing.T, old, new string) string {
	t.Helper()
	require.Contains(t, baseTOML, old)
	return strings.Replace(baseTOML, old, new, 1)
}

func TestBaseIsValid(t *testing.T) {
	sc := mustParse(t, baseTOML)
	assert.Len(t, sc.Providers, 2)
	assert.Len(t, sc.Tenants, 2)
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name string
		old  string // replaced in baseTOML...
		new  string // ...by this
		key  string // the Error's key path ("" for none)
		line string // text of the line the Error names ("" for none: Line 0)
		nth  int    // which line holding that text (0: the first)
		msg  []string
	}{
		// syntax
		{"syntax error", `seed = 7`, `seed = 7 7`, "sim", `seed = 7 7`, 0, []string{"expected a top-level item to end with a newline"}},
		{"unterminated string", `description = "two cohorts of each kind"`, `description = "two`, "description", `description = "two`, 0, []string{"strings cannot contain newlines"}},

		// unknown keys, with the keys allowed there
		{"unknown top-level key", `description = "two cohorts of each kind"`, "description = \"x\"\ncolour = \"red\"", "colour", `colour = "red"`, 0,
			[]string{"unknown key", "allowed here: assert, description, market, name, providers, resources, sim, tenants, tokenomics"}},
		{"unknown key in [sim]", `seed = 7`, "seed = 7\nhoirzon = \"1d\"", "sim.hoirzon", `hoirzon`, 0,
			[]string{"unknown key", "allowed here:", "horizon, replications, sample_every, seed, start"}},
		{"unknown key in a provider", `audited_fraction = 0.5`, "audited_fraction = 0.5\nwhat = 3", "providers[1].what", `what = 3`, 0,
			[]string{"unknown key", "allowed here: audited_fraction, balance_akt,", "gpus", "price_list_usd_hour", "withdraw_every"}},
		{"unknown key in a tenant", `gpu_models = { h100 = 1.0 }`, "gpu_models = { h100 = 1.0 }\npatient = \"1h\"", "tenants[1].patient", `patient =`, 0,
			[]string{"unknown key", "gpu_models", "patience"}},
		{"unknown key in a nested inline table", `median = 1.0, sigma = 0.25 }`, `median = 1.0, sigma = 0.25, mu = 0 }`, "providers[1].price_multiplier.mu", `mu = 0`, 0,
			[]string{"unknown key", "allowed here: alpha, cap, kind, max, mean, median, min, sigma, value, values, weights)"}},
		{"unknown key in a sub-table", `price_multiplier = { kind = "lognormal", median = 1.0, sigma = 0.25 }`,
			"[providers.price_multiplier]\nkind = \"lognormal\"\nmedian = 1.0\nmu = 0", "providers[1].price_multiplier.mu", `mu = 0`, 0,
			[]string{"unknown key", "allowed here: alpha, cap, kind"}},
		{"unknown key in [tokenomics]", `take_rate = {`, "burn = 1\ntake_rate = {", "tokenomics.burn", `burn = 1`, 0,
			[]string{"unknown key", "allowed here: bid_min_deposit, block_seconds"}},

		// wrong types
		{"horizon a number", `horizon = "30d"`, `horizon = 5`, "sim.horizon", `horizon = 5`, 0, []string{`duration "5": want a number and a unit`}},
		{"seed a string", `seed = 7`, `seed = "x"`, "sim.seed", `seed = "x"`, 0, []string{"incompatible types", "string", "integer"}},
		{"count a string", `count = 2`, `count = "two"`, "providers[1].count", `count = "two"`, 0, []string{"incompatible types"}},
		// the decoder names the last element's line; the error names the element that is wrong
		{"count of the first cohort a string", `count = 10`, `count = "ten"`, "providers[0].count", `count = "ten"`, 0, []string{"incompatible types"}},
		{"arrivals of the first tenant a string", `arrivals_per_day = 100.0`, `arrivals_per_day = "many"`, "tenants[0].arrivals_per_day", `"many"`, 0, []string{"incompatible types"}},
		{"arrivals a string", `arrivals_per_day = 5.0`, `arrivals_per_day = "many"`, "tenants[1].arrivals_per_day", `"many"`, 0, []string{"incompatible types"}},
		{"float for an int", `count = 2`, `count = 2.0`, "providers[1].count", `count = 2.0`, 0, []string{"incompatible types", "float64", "integer"}},
		{"array of mixed types", `median = 1.0, sigma = 0.25 }`, `median = 1.0, sigma = 0.25, values = [1, "a"] }`, "providers[1].price_multiplier.values", `values = [1, "a"]`, 0,
			[]string{"incompatible types"}},
		// a Go map left empty by the decoder: checkTables
		{"take rate a string", `take_rate = { akt = 0.02, usdc = 0.20 }`, `take_rate = "2%"`, "tokenomics.take_rate", `take_rate = "2%"`, 0,
			[]string{`must be a table such as { key = value, ... }, got "2%"`}},
		{"gpus a number", `gpus = { h100 = 8 }`, `gpus = 8`, "providers[1].gpus", `gpus = 8`, 0, []string{"must be a table", "got 8"}},
		{"gpu_models a string", `gpu_models = { h100 = 1.0 }`, `gpu_models = "h100"`, "tenants[1].gpu_models", `gpu_models = "h100"`, 0, []string{"must be a table", `got "h100"`}},
		{"price list an array", `price_list_usd_hour = { cpu = 0.002, memory_gb = 0.001 }`, `price_list_usd_hour = [0.002, 0.001]`, "providers[0].price_list_usd_hour", `price_list_usd_hour = [`, 0,
			[]string{"must be a table", "got [0.002 0.001]"}},
		{"gpu count a float", `gpus = { h100 = 8 }`, `gpus = { h100 = 8.5 }`, "providers[1].gpus.h100", `h100 = 8.5`, 0, []string{"incompatible types"}},

		// ranges (found by Validate; the line by findLine)
		{"zero replications", `replications = 3`, `replications = 0`, "sim.replications", `replications = 0`, 0, []string{"must be in [1, 100000], got 0"}},
		{"negative seed", `seed = 7`, `seed = -1`, "sim.seed", `seed = -1`, 0, []string{"must be >= 0, got -1"}},
		{"zero horizon", `horizon = "30d"`, `horizon = "0d"`, "sim.horizon", `horizon = "0d"`, 0, []string{"must be in (0, 100y], got 0s"}},
		{"sample_every beyond horizon", `sample_every = "1h"`, `sample_every = "31d"`, "sim.sample_every", `sample_every = "31d"`, 0,
			[]string{"must be in [1s, horizon (30d)], got 31d"}},
		{"too many samples", `sample_every = "1h"`, `sample_every = "100ns"`, "sim.sample_every", `sample_every = "100ns"`, 0, []string{"must be in [1s, horizon"}},
		{"bad duration text", `horizon = "30d"`, `horizon = "5 parsecs"`, "sim.horizon", `parsecs`, 0,
			[]string{`duration "5 parsecs": want a number and a unit (ns, us, ms, s, m, h, d, w, y)`}},
		{"negative duration", `horizon = "30d"`, `horizon = "-3d"`, "sim.horizon", `-3d`, 0, []string{`duration "-3d" is negative`}},
		{"bad start date string", `start = 2024-01-01`, `start = "2024-02-30"`, "sim.start", `2024-02-30`, 0, []string{`want a date such as 2024-03-20, got "2024-02-30"`}},
		{"bad start date value", `start = 2024-01-01`, `start = 2024-13-01`, "sim.start", `2024-13-01`, 0, []string{"invalid datetime"}},
		{"start year out of range", `start = 2024-01-01`, `start = 1969-12-31`, "sim.start", `1969-12-31`, 0, []string{"must be a date between 1970 and 9999"}},
		{"audited fraction above 1", `audited_fraction = 0.5`, `audited_fraction = 1.5`, "providers[1].audited_fraction", `audited_fraction = 1.5`, 0,
			[]string{"must be in [0, 1], got 1.5"}},
		{"cpu_only_share above 1", `audited_fraction = 0.5`, "audited_fraction = 0.5\ncpu_only_share = 1.5", "providers[1].cpu_only_share", `cpu_only_share = 1.5`, 0,
			[]string{"must be in [0, 1], got 1.5"}},
		{"cpu_only_share negative", `audited_fraction = 0.5`, "audited_fraction = 0.5\ncpu_only_share = -0.25", "providers[1].cpu_only_share", `cpu_only_share = -0.25`, 0,
			[]string{"must be in [0, 1], got -0.25"}},
		{"cpu_only_share NaN", `audited_fraction = 0.5`, "audited_fraction = 0.5\ncpu_only_share = nan", "providers[1].cpu_only_share", `cpu_only_share = nan`, 0,
			[]string{"must be in [0, 1], got NaN"}},
		{"negative count", `count = 10`, `count = -1`, "providers[0].count", `count = -1`, 0, []string{"must be in [0, 16777216], got -1"}},
		{"expected bidders below 2", `audited_fraction = 0.5`, "audited_fraction = 0.5\nstrategy = \"equilibrium\"\nexpected_bidders = 1", "providers[1].expected_bidders", `expected_bidders = 1`, 0,
			[]string{"must be 0 (auto) or an integer in [2, 1048576], got 1"}},
		{"expected bidders without equilibrium", `audited_fraction = 0.5`, "audited_fraction = 0.5\nexpected_bidders = 5", "providers[1].expected_bidders", `expected_bidders = 5`, 0,
			[]string{`only strategy "equilibrium" uses it, but the cohort's strategy is "cost-plus"`}},
		{"equilibrium with an infinite bid", `audited_fraction = 0.5`, "audited_fraction = 0.5\nstrategy = \"equilibrium\"\ncost_multiplier = { kind = \"pareto\", min = 1.0, alpha = 0.5 }", "providers[1].cost_multiplier.alpha", `alpha = 0.5`, 0,
			[]string{"needs alpha x (expected_bidders - 1) > 1 for an uncapped pareto", "got alpha 0.5 with 2 bidders"}},
		{"no-regret learning rate 0", `audited_fraction = 0.5`, "audited_fraction = 0.5\nstrategy = \"no-regret\"\nlearning_rate = 0.0", "providers[1].learning_rate", `learning_rate = 0.0`, 0,
			[]string{"must be in (0, 1], got 0"}},
		{"no-regret exploration above 1", `audited_fraction = 0.5`, "audited_fraction = 0.5\nstrategy = \"no-regret\"\nexploration = 1.5", "providers[1].exploration", `exploration = 1.5`, 0,
			[]string{"must be in (0, 1], got 1.5"}},
		{"no-regret without arms", `audited_fraction = 0.5`, "audited_fraction = 0.5\nstrategy = \"no-regret\"\nmarkup_arms = 0", "providers[1].markup_arms", `markup_arms = 0`, 0,
			[]string{"must be in [1, 1000], got 0"}},
		{"no-regret markup_max below the floor", `audited_fraction = 0.5`, "audited_fraction = 0.5\nstrategy = \"no-regret\"\nmin_markup = 0.5\nmarkup_max = 1.2", "providers[1].markup_max", `markup_max = 1.2`, 0,
			[]string{`strategy "no-regret" needs markup_max >= 1 + min_markup (1.5), got 1.2`}},
		{"learning rate on cost-plus", `audited_fraction = 0.5`, "audited_fraction = 0.5\nlearning_rate = 0.5", "providers[1].learning_rate", `learning_rate = 0.5`, 0,
			[]string{`only strategy "no-regret" uses it, but the cohort's strategy is "cost-plus"`}},
		{"unknown distribution kind", `lifetime_hours = { kind = "lognormal"`, `lifetime_hours = { kind = "weird"`, "tenants[0].lifetime_hours.kind", `"weird"`, 0,
			[]string{`must be one of const, uniform, exponential, lognormal, pareto, choice; got "weird"`}},
		{"bad distribution field", `median = 1.0, sigma = 0.25`, `median = -1.0, sigma = 0.25`, "providers[1].price_multiplier.median", `median = -1.0`, 0,
			[]string{"must be > 0, got -1"}},
		{"unknown GPU model in gpus", `gpus = { h100 = 8 }`, `gpus = { b200 = 8 }`, "providers[1].gpus.b200", `b200`, 0, []string{"unknown GPU model (known: [h100])"}},
		{"unknown GPU model in gpu_models", `gpu_models = { h100 = 1.0 }`, `gpu_models = { mi300 = 1.0 }`, "tenants[1].gpu_models.mi300", `mi300`, 0,
			[]string{"unknown GPU model (known: [h100])"}},
		{"unknown resource in a price list", `price_list_usd_hour = { cpu = 0.002, memory_gb = 0.001 }`, `price_list_usd_hour = { cpu = 0.002, disk = 0.001 }`,
			"providers[0].price_list_usd_hour.disk", `disk = 0.001`, 0, []string{"unknown resource (known: cpu, memory_gb, [h100])"}},
		{"CPU tenant of zero cores", `arrivals_per_day = 100.0`, "arrivals_per_day = 100.0\ncpu_cores = { kind = \"uniform\", min = 0, max = 0.4 }", "tenants[0].cpu_cores", `cpu_cores = { kind = "uniform"`, 0,
			[]string{"a CPU-only deployment (no gpu_models) needs at least one core, but every draw rounds to 0 (the largest draw is 0.4"}},
		{"CPU tenant of zero cores by its cap", `arrivals_per_day = 100.0`, "arrivals_per_day = 100.0\ncpu_cores = { kind = \"exponential\", mean = 4, cap = 0.3 }", "tenants[0].cpu_cores", `cpu_cores = { kind = "exponential"`, 0,
			[]string{"every draw rounds to 0 (the largest draw is 0.3"}},
		{"negative arrivals", `arrivals_per_day = 100.0`, `arrivals_per_day = -100.0`, "tenants[0].arrivals_per_day", `-100.0`, 0, []string{"must be in [0, 1e8], got -100"}},
		// demand that reacts to price
		{"negative price elasticity", `arrivals_per_day = 100.0`, "arrivals_per_day = 100.0\nprice_elasticity = -1.0", "tenants[0].price_elasticity", `price_elasticity = -1.0`, 0,
			[]string{"must be in [0, 20] (0: demand does not react to price), got -1"}},
		{"NaN price elasticity", `arrivals_per_day = 5.0`, "arrivals_per_day = 5.0\nprice_elasticity = nan", "tenants[1].price_elasticity", `price_elasticity = nan`, 0,
			[]string{"must be in [0, 20]", "got NaN"}},
		{"price elasticity too large", `arrivals_per_day = 100.0`, "arrivals_per_day = 100.0\nprice_elasticity = 25.0", "tenants[0].price_elasticity", `price_elasticity = 25.0`, 0,
			[]string{"must be in [0, 20]", "got 25"}},
		{"demand multiplier min 0", `arrivals_per_day = 100.0`, "arrivals_per_day = 100.0\ndemand_multiplier_min = 0.0", "tenants[0].demand_multiplier_min", `demand_multiplier_min = 0.0`, 0,
			[]string{"must be in (0, 1], got 0"}},
		{"demand multiplier min above 1", `arrivals_per_day = 100.0`, "arrivals_per_day = 100.0\ndemand_multiplier_min = 1.5", "tenants[0].demand_multiplier_min", `demand_multiplier_min = 1.5`, 0,
			[]string{"must be in (0, 1], got 1.5"}},
		{"demand multiplier max below 1", `arrivals_per_day = 5.0`, "arrivals_per_day = 5.0\ndemand_multiplier_max = 0.5", "tenants[1].demand_multiplier_max", `demand_multiplier_max = 0.5`, 0,
			[]string{"must be in [1, 1e4], got 0.5"}},
		{"reference step 0", `reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }`, "reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }\nreference_steps = { \"180d\" = 0.0 }", "resources.reference_steps.180d", `reference_steps =`, 0,
			[]string{"the multiplier must be in (0, 1e4], got 0"}},
		{"reference step NaN", `reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }`, "reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }\nreference_steps = { \"90d\" = 0.9, \"180d\" = nan }", "resources.reference_steps.180d", `reference_steps =`, 0,
			[]string{"the multiplier must be in (0, 1e4], got NaN"}},
		{"reference step before the start", `reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }`, "reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }\nreference_steps = { \"2023-09-01\" = 0.8 }", "resources.reference_steps.2023-09-01", `reference_steps =`, 0,
			[]string{`"2023-09-01" is before the scenario's start 2024-01-01`}},
		{"reference step not a time", `reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }`, "reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }\nreference_steps = { \"soon\" = 0.8 }", "resources.reference_steps.soon", `reference_steps =`, 0,
			[]string{`duration "soon"`, "or a date YYYY-MM-DD on or after the start"}},
		{"reference steps at one time", `reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }`, "reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }\nreference_steps = { \"2024-01-31\" = 0.8, \"30d\" = 0.9 }", "resources.reference_steps", `reference_steps =`, 0,
			[]string{"two entries at 30d after the start; give one"}},
		{"duplicate provider name", `name = "gpu"`, `name = "cpu"`, "providers[1].name", `name = "cpu"`, 2, []string{`duplicate cohort name "cpu"`}},
		{"duplicate tenant name", `name = "ai"`, `name = "web"`, "tenants[1].name", `name = "web"`, 2, []string{`duplicate cohort name "web"`}},
		{"empty name", `name = "base"`, `name = " "`, "name", `name = " "`, 0, []string{"must be usable as a folder name, but it is empty", `got " "`, "allowed: 1 to 100 bytes"}},
		{"name with a slash", `name = "base"`, `name = "a/b"`, "name", `name = "a/b"`, 0, []string{"must be usable as a folder name, but it holds one of /", `got "a/b"`}},
		{"name ..", `name = "base"`, `name = ".."`, "name", `name = ".."`, 0, []string{"must be usable as a folder name, but it is .."}},
		{"name too long", `name = "base"`, `name = "` + strings.Repeat("n", 101) + `"`, "name", `name = "nnn`, 0, []string{"but it is 101 bytes long", "(101 characters)"}},
		{"name with a NUL", `name = "base"`, `name = "a\u0000b"`, "name", `name = "a`, 0, []string{"control or non-printing character", `got "a\x00b"`}},
		{"name with an escape", `name = "base"`, `name = "a\u001b[31mb"`, "name", `name = "a`, 0, []string{"control or non-printing character", `got "a\x1b[31mb"`}},
		{"name a Windows device", `name = "base"`, `name = "NUL"`, "name", `name = "NUL"`, 0, []string{"a device name on Windows"}},
		{"name a Windows device with extension", `name = "base"`, `name = "com1.txt"`, "name", `name = "com1.txt"`, 0, []string{"a device name on Windows"}},
		{"name ending with a dot", `name = "base"`, `name = "run."`, "name", `name = "run."`, 0, []string{"ends with a dot"}},
		{"name with a colon", `name = "base"`, `name = "c:x"`, "name", `name = "c:x"`, 0, []string{"holds one of"}},
		{"name with a trailing space", `name = "base"`, `name = "run "`, "name", `name = "run "`, 0, []string{"starts or ends with a space"}},
		{"missing reference price", `reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }`, `reference_usd_hour = { cpu = 0.04, h100 = 2.49 }`,
			"resources.reference_usd_hour.memory_gb", `reference_usd_hour =`, 0, []string{"missing (cpu and memory_gb are required)"}},
		{"take rate above 1", `take_rate = { akt = 0.02, usdc = 0.20 }`, `take_rate = { akt = 2, usdc = 0.20 }`, "tokenomics.take_rate.akt", `take_rate =`, 0,
			[]string{"must be a fraction in [0, 1], got 2"}},
		{"unknown denomination", `take_rate = { akt = 0.02, usdc = 0.20 }`, `take_rate = { akt = 0.02, eth = 0.20 }`, "tokenomics.take_rate.eth", `take_rate =`, 0,
			[]string{`unknown denomination "eth" (known: akt, usdc, act)`}},
		// review_window is not written: the line is its element's header
		{"review window shorter than review_every", `count = 2`, "count = 2\nreview_every = \"60d\"", "providers[1].review_window", `[[providers]]`, 2,
			[]string{"must be in [review_every (60d), 1000 x review_every], got 28d"}},

		// market
		{"unknown mechanism", `mechanism = "akash-reverse"`, `mechanism = "vickrey"`, "market.mechanism", `"vickrey"`, 0,
			[]string{`unknown mechanism "vickrey" (known: ` + strings.Join(market.Names(), ", ") + ")"}},
		{"mechanism not a string", `mechanism = "akash-reverse"`, `mechanism = 3`, "market.mechanism", `mechanism = 3`, 0, []string{"must be a string, got 3"}},
		{"unknown market param", `max_bids = 20`, "max_bids = 20\nreserve_price = 1.0", "market.reserve_price", `reserve_price`, 0,
			[]string{`unknown parameter for mechanism "akash-reverse" (it knows: max_bids, open_orders, tie_break)`}},
		{"market param out of range", `max_bids = 20`, `max_bids = -1`, "market.max_bids", `max_bids = -1`, 0, []string{"must be in [0, 1048576], got -1"}},
		{"market param bad choice", `max_bids = 20`, `tie_break = "oldest"`, "market.tie_break", `"oldest"`, 0, []string{`must be one of ["random" "provider-id"], got oldest`}},
		{"open_orders bad choice", `max_bids = 20`, "max_bids = 20\nopen_orders = \"forever\"", "market.open_orders", `"forever"`, 0, []string{`must be one of ["retry" "wait"], got forever`}},
		{"open_orders not a string", `max_bids = 20`, "max_bids = 20\nopen_orders = true", "market.open_orders", `open_orders = true`, 0, []string{`must be one of ["retry" "wait"], got true`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := edit(t, c.old, c.new)
			_, err := parseText(t, text)
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e), "%T %v", err, err)
			assert.Equal(t, "test.toml", e.File)
			for _, m := range c.msg {
				assert.Contains(t, e.Msg, m)
				assert.Contains(t, err.Error(), m)
			}
			assert.Equal(t, c.key, e.Key, "key path (error: %v)", err)
			want := 0
			if c.line != "" {
				want = nthLineOf(t, text, c.line, max(c.nth, 1))
			}
			assert.Equal(t, want, e.Line, "line (error: %v)", err)
			prefix := "test.toml"
			if e.Line > 0 {
				prefix += ":" + strconv.Itoa(e.Line)
			}
			if e.Key != "" {
				prefix += ": " + e.Key
			}
			assert.True(t, strings.HasPrefix(err.Error(), prefix+": "), "%q does not start with %q", err.Error(), prefix)
		})
	}
}

func TestAllowedKeys(t *testing.T) {
	cases := []struct {
		path []string
		want []string
	}{
		{nil, []string{"assert", "description", "market", "name", "providers", "resources", "sim", "tenants", "tokenomics"}},
		{[]string{"sim"}, []string{"horizon", "replications", "sample_every", "seed", "start", "warmup"}},
		{[]string{"resources"}, []string{"reference_steps", "reference_usd_hour"}},
		{[]string{"tokenomics"}, []string{"bid_min_deposit", "block_seconds", "bme", "circulating_supply_akt", "community_pool_akt", "deployment_min_deposit",
			"emission", "epoch", "fee_burn_share", "governance", "incentives", "inflation", "price", "seasons", "settlement", "staking", "take_rate", "token", "token_price_usd", "treasury_akt"}},
		{[]string{"tokenomics", "inflation"}, []string{"blocks_per_year", "commission", "community_tax", "goal_bonded", "initial", "max", "min", "model", "rate_change"}},
		{[]string{"tokenomics", "staking"}, []string{"bonded_ratio", "outside_yield", "speed", "unbonding"}},
		{[]string{"tokenomics", "emission"}, []string{"base", "block_seconds", "budgets", "cap", "decay", "duration", "epoch", "epochs", "job_share", "kind", "per_block", "rate0", "start", "tail_decay", "total", "weights"}},
		{[]string{"tokenomics", "bme"}, []string{"epoch_blocks", "halt_cr", "max_epoch_blocks", "min_mint_act", "mint_spread_bps", "settle_spread_bps", "vault_seed_akt", "warn_cr"}},
		{[]string{"tokenomics", "price"}, []string{"csv", "drift", "elasticity", "initial_usd", "market_depth_usd", "model", "volatility"}},
		{[]string{"tokenomics", "incentives"}, []string{"budget_usd", "cohorts", "duration", "funding", "mode", "name", "start", "target_utilization", "usd_per_gpu_hour"}},
		{[]string{"tokenomics", "seasons"}, []string{"claim_at", "end", "name", "points_per_gpu_hour", "pool_tokens", "start"}},
		{[]string{"tokenomics", "governance"}, []string{"at", "key", "note", "value"}},
		{[]string{"tokenomics", "take_rate"}, nil}, // a map: free keys (checked by Validate)
		{[]string{"tenants", "lifetime_hours"}, []string{"alpha", "cap", "kind", "max", "mean", "median", "min", "sigma", "value", "values", "weights"}},
		{[]string{"providers", "gpus"}, nil}, // a map: free keys
		{[]string{"market"}, nil},
		{[]string{"sim", "horizon"}, nil},
		{[]string{"nope"}, nil},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, allowedKeys(c.path), "%v", c.path)
	}
	providers := allowedKeys([]string{"providers"})
	for _, k := range []string{"name", "count", "gpus", "price_list_usd_hour", "cost_usd_hour", "price_multiplier", "max_providers"} {
		assert.Contains(t, providers, k)
	}
	tenants := allowedKeys([]string{"tenants"})
	for _, k := range []string{"name", "gpu_models", "gpus", "lifetime_hours", "patience", "runway_min_days"} {
		assert.Contains(t, tenants, k)
	}
}

func TestIntegerForFloat(t *testing.T) {
	sc := mustParse(t, edit(t, `arrivals_per_day = 5.0`, `arrivals_per_day = 5`))
	assert.Equal(t, 5.0, sc.Tenants[1].ArrivalsPerDay, "an integer is accepted where a float is expected")
}

func TestMarketNotATable(t *testing.T) {
	text := strings.Replace(minimalTOML, "name = \"minimal\"\n", "name = \"minimal\"\nmarket = \"akash-reverse\"\n", 1)
	_, err := parseText(t, text)
	require.Error(t, err)
	assert.Equal(t, `test.toml:2: market: must be a table such as { key = value, ... }, got "akash-reverse"`, err.Error())
}

func TestMissingCohorts(t *testing.T) {
	noProviders := baseTOML[:strings.Index(baseTOML, "[[providers]]")] + baseTOML[strings.Index(baseTOML, "[[tenants]]"):]
	_, err := parseText(t, noProviders)
	require.Error(t, err)
	assert.Equal(t, "test.toml: providers: at least one [[providers]] cohort is required", err.Error())

	noTenants := baseTOML[:strings.Index(baseTOML, "[[tenants]]")]
	_, err = parseText(t, noTenants)
	require.Error(t, err)
	assert.Equal(t, "test.toml: tenants: at least one [[tenants]] cohort is required", err.Error())
}

func TestErrorStringExample(t *testing.T) {
	text := edit(t, `audited_fraction = 0.5`, `audited_fraction = 1.5`)
	_, err := parseText(t, text)
	require.Error(t, err)
	assert.Equal(t, "test.toml:"+strconv.Itoa(lineOf(t, text, "audited_fraction = 1.5"))+": providers[1].audited_fraction: must be in [0, 1], got 1.5", err.Error())
}

const findLineTOML = `# header comment
name = "x"

[sim]
horizon = "30d"

[[providers]]
name = "a"
count = 1
price_multiplier = { kind = "lognormal", median = 1.0 }

[providers.price_list_usd_hour]
cpu = 0.1

[[providers]]
name = "b"
count = 2
cost_multiplier.kind = "const"
values = [
  [1],
  [2, 3],
]
after = 1

[providers.price_list_usd_hour]
cpu = 0.2

[[tenants]]
name = "t"
`

func TestFindLine(t *testing.T) {
	at := func(s string) int { return lineOf(t, findLineTOML, s) }
	second := func(s string) int {
		i := strings.LastIndex(findLineTOML, s)
		return strings.Count(findLineTOML[:i], "\n") + 1
	}
	cases := []struct {
		path string
		want int
	}{
		{"", 0},
		{"name", at(`name = "x"`)},
		{"sim.horizon", at(`horizon`)},
		{"sim", at(`[sim]`)},
		{"sim.seed", at(`[sim]`)},                                        // not written: its table's header
		{"providers[0].count", at(`count = 1`)},                          // arrays of tables by index
		{"providers[1].count", at(`count = 2`)},                          //
		{"providers[1].name", at(`name = "b"`)},                          //
		{"providers[1]", second(`[[providers]]`)},                        // the element's header
		{"providers[1].exit_hazard", second(`[[providers]]`)},            // not written: the element's header
		{"providers[0].price_multiplier.kind", at(`price_multiplier =`)}, // inside an inline table
		{"providers[0].price_list_usd_hour", at(`[providers.price_list_usd_hour]`)},
		{"providers[0].price_list_usd_hour.cpu", at(`cpu = 0.1`)}, // sub-table of an element
		{"providers[1].price_list_usd_hour.cpu", at(`cpu = 0.2`)},
		{"providers[1].price_list_usd_hour.gpu", second(`[providers.price_list_usd_hour]`)},
		{"providers[1].cost_multiplier.kind", at(`cost_multiplier.kind`)}, // dotted key
		{"providers[1].after", at(`after = 1`)},                           // multi-line arrays are not headers
		{"providers.count", at(`count = 1`)},                              // no index: the first element
		{"providers[2].count", 0},                                         // no such element
		{"tenants[0].name", at(`name = "t"`)},
		{"tenants[0].patience", at(`[[tenants]]`)},
		{"market.mechanism", 0},
		{"tokenomics", 0},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, findLine([]byte(findLineTOML), c.path), c.path)
	}
}

func TestElementKey(t *testing.T) {
	data := []byte(findLineTOML)
	at := func(s string) int { return lineOf(t, findLineTOML, s) }
	cases := []struct {
		line      int
		key, want string
	}{
		{at(`count = 1`), "providers.count", "providers[0].count"},
		{at(`count = 2`), "providers.count", "providers[1].count"},
		{at(`price_multiplier =`), "providers.price_multiplier.kind", "providers[0].price_multiplier.kind"},
		{at(`cpu = 0.2`), "providers.price_list_usd_hour.cpu", "providers[1].price_list_usd_hour.cpu"},
		{at(`horizon`), "sim.horizon", "sim.horizon"},
		{at(`name = "t"`), "tenants.name", "tenants[0].name"},
		{0, "providers.count", "providers.count"}, // no line: unchanged
		{at(`count = 1`), "", ""},
		{at(`horizon`), "other.key", "other.key"}, // the line is elsewhere: unchanged
	}
	for _, c := range cases {
		assert.Equal(t, c.want, elementKey(data, c.line, c.key), "%d %s", c.line, c.key)
	}
}

// TestFindLineOnShippedScenarios checks findLine against every key the
// shipped scenarios write for their cohorts: it finds the line that sets it.
func TestFindLineOnShippedScenarios(t *testing.T) {
	for _, src := range shippedScenarios(t) {
		text := string(src.Data)
		lines := strings.Split(text, "\n")
		sc, err := Parse(src, nil)
		require.NoError(t, err)
		for i, p := range sc.Providers {
			l := findLine(src.Data, "providers["+strconv.Itoa(i)+"].name")
			require.Positive(t, l, src.Name)
			assert.Contains(t, lines[l-1], `"`+p.Name+`"`, src.Name)
		}
		for i, c := range sc.Tenants {
			l := findLine(src.Data, "tenants["+strconv.Itoa(i)+"].name")
			require.Positive(t, l, src.Name)
			assert.Contains(t, lines[l-1], `"`+c.Name+`"`, src.Name)
		}
		l := findLine(src.Data, "sim.horizon")
		require.Positive(t, l)
		assert.Contains(t, lines[l-1], "horizon =")
	}
}
