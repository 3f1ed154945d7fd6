package scenarios_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// priceDemandTOML is a one-resource market for the price response: two
// providers with room for every order ask ASK $/core-hour (times a
// lognormal multiplier of sigma SIGMA), tenants order one core and no
// memory, so a lease's price over the reference price of its request is
// its ask over 0.04. EXTRA adds keys to the tenant cohort, RESOURCES to
// [resources].
const priceDemandTOML = `name = "price-demand"

[sim]
start = 2024-01-01
horizon = "60d"
seed = 3
sample_every = "1d"
replications = REPS

[resources]
reference_usd_hour = { cpu = 0.04, memory_gb = 0.0 }
RESOURCES

[market]
mechanism = "akash-reverse"
max_bids = 0
tie_break = "provider-id"

[tokenomics]
token_price_usd = 1.0
take_rate = { akt = 0.0, usdc = 0.0 }
deployment_min_deposit = 0.0
bid_min_deposit = 0.0
epoch = "1d"

[tokenomics.inflation]
model = "none"

[tokenomics.staking]
bonded_ratio = 0.0
speed = 0.0

[[providers]]
name = "sellers"
count = 2
cpu_cores = 100000
memory_gb = 0
price_list_usd_hour = { cpu = ASK, memory_gb = 0.0 }
price_multiplier = { kind = "lognormal", median = 1.0, sigma = SIGMA }
exit_hazard = 0.0
entries_per_day = 0.0
lease_close_rate_per_day = 0.0

[[tenants]]
name = "buyers"
arrivals_per_day = 50.0
cpu_cores = { kind = "const", value = 1 }
memory_gb = { kind = "const", value = 0 }
max_price_ratio = { kind = "const", value = MAXRATIO }
lifetime_hours = { kind = "exponential", mean = 2.0 }
budget_ratio = { kind = "const", value = 1000.0 }
usdc_fraction = 1.0
selection_window = "0s"
retry_every = "1h"
patience = "3h"
restart_prob = 0.0
EXTRA
`

// priceDemand builds the scenario of priceDemandTOML.
func priceDemand(t *testing.T, reps int, ask, sigma, maxRatio float64, extra, resources string) *scenarios.Scenario {
	t.Helper()
	text := strings.NewReplacer("REPS", fmt.Sprint(reps), "ASK", fmt.Sprint(ask), "SIGMA", fmt.Sprint(sigma),
		"MAXRATIO", fmt.Sprint(maxRatio), "EXTRA", extra, "RESOURCES", resources).Replace(priceDemandTOML)
	sc, err := scenarios.Parse(scenarios.Source{Name: "price-demand.toml", Data: []byte(text)}, nil)
	require.NoError(t, err)
	return sc
}

// series runs sc and returns, per replication, the values of metric m at
// each sample.
func series(t *testing.T, sc *scenarios.Scenario, workers int, m int) [][]float64 {
	t.Helper()
	out := make([][]float64, sc.Sim.Replications)
	_, err := runner.Run(context.Background(), sc, runner.Options{Workers: workers, Recorder: func(rep int) sim.Recorder {
		return sim.RecorderFunc(func(s *sim.Sample) { out[rep] = append(out[rep], s.Values[m]) })
	}})
	require.NoError(t, err)
	return out
}

// last returns each replication's last value.
func last(s [][]float64) []float64 {
	out := make([]float64, len(s))
	for r := range s {
		out[r] = s[r][len(s[r])-1]
	}
	return out
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// With the network's price a fixed multiple of the reference (every
// provider asks 0.5 or 2 x the reference, no spread), the thinning gives
// arrivals at rate x ratio^-e: over 20 replications of 59 days the count
// of orders is within 4 standard deviations of its Poisson mean.
func TestPriceResponseMeanRate(t *testing.T) {
	// the last sample is at day 59: events at the horizon do not run
	const reps, days, perDay = 20, 59.0, 50.0
	for _, c := range []struct {
		ask, e, mult float64
	}{
		{0.02, 1, 2},   // half the reference, elasticity 1: twice the arrivals
		{0.08, 1, 0.5}, // twice the reference: half
		{0.08, 0.5, 0.7071067811865476},
		{0.02, 3, 5},   // 2^3 = 8, clamped to demand_multiplier_max 5
		{0.08, 3, 0.2}, // 1/8, clamped to demand_multiplier_min 0.2
		{0.02, 0, 1},   // no response
	} {
		t.Run(fmt.Sprintf("ask %v e %v", c.ask, c.e), func(t *testing.T) {
			sc := priceDemand(t, reps, c.ask, 0.000001, 3, fmt.Sprintf("price_elasticity = %v\ndemand_multiplier_min = 0.2\ndemand_multiplier_max = 5.0", c.e), "")
			got := sum(last(series(t, sc, 2, sim.MOrdersTotal)))
			// the first order of a replication comes before any lease, at multiplier 1
			mean := reps * perDay * days * c.mult
			tol := 4*math.Sqrt(mean) + reps
			t.Logf("orders %v, Poisson mean %v, tolerance %.0f", got, mean, tol)
			assert.InDelta(t, mean, got, tol, "orders over %d replications", reps)
		})
	}
}

// The network dearer than the cloud loses arrivals to the price
// response; cheaper, it gains them: per replication (common random
// numbers make the streams of candidates the same) and over all.
func TestPriceResponseDirection(t *testing.T) {
	const reps = 6
	for _, c := range []struct {
		name string
		ask  float64
		more bool
	}{
		{"network above the reference", 0.06, false},
		{"network below the reference", 0.025, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			off := last(series(t, priceDemand(t, reps, c.ask, 0.2, 3, "", ""), 2, sim.MOrdersTotal))
			on := last(series(t, priceDemand(t, reps, c.ask, 0.2, 3, "price_elasticity = 1.0", ""), 2, sim.MOrdersTotal))
			for r := range off {
				if c.more {
					assert.Greater(t, on[r], off[r], "replication %d", r)
				} else {
					assert.Less(t, on[r], off[r], "replication %d", r)
				}
			}
			ratio := sum(on) / sum(off)
			if c.more {
				assert.Greater(t, ratio, 1.3) // about (0.025/0.04)^-1 = 1.6
			} else {
				assert.Less(t, ratio, 0.8) // about (0.06/0.04)^-1 = 0.67
			}
		})
	}
}

// A falling reference path lowers the maximum prices of later orders:
// with providers' asks fixed near the reference, halving the reference
// at day 30 leaves most orders after it unserved, and the count of
// unserved orders over days 30 to 59 far above that of days 0 to 30 and
// of the same run without the path.
func TestReferencePathRaisesUnserved(t *testing.T) {
	const reps = 4
	base := series(t, priceDemand(t, reps, 0.04, 0.1, 1.5, "", ""), 2, sim.MOrdersUnservedTotal)
	falling := series(t, priceDemand(t, reps, 0.04, 0.1, 1.5, "", `reference_steps = { "30d" = 0.5 }`), 2, sim.MOrdersUnservedTotal)
	for r := range base {
		t.Logf("replication %d: unserved %v before day 30, %v after (%v without the path)", r, falling[r][29], falling[r][59]-falling[r][29], base[r][59]-base[r][29])
		// samples at days 0 to 59; the step at day 30 comes after the sample of day 29
		firstHalf, secondHalf := falling[r][29], falling[r][59]-falling[r][29]
		assert.Equal(t, base[r][29], firstHalf, "replication %d: before the step the runs are the same", r)
		assert.Greater(t, secondHalf, 10*max(firstHalf, 10), "replication %d", r)
		assert.Greater(t, secondHalf, 10*max(base[r][59]-base[r][29], 10), "replication %d", r)
	}
}

// The same seed gives the same samples, value for value, whatever the
// number of workers, with the price response and a reference path on;
// another seed gives others.
func TestPriceResponseDeterministic(t *testing.T) {
	sc := func(seed int) *scenarios.Scenario {
		s := priceDemand(t, 3, 0.05, 0.3, 2, "price_elasticity = 1.5\ngrowth_per_year = 1.0\ndemand_steps = { \"20d\" = 2.0 }",
			"reference_steps = { \"10d\" = 0.9, \"2024-02-01\" = 0.8 }")
		s.Sim.Seed = int64(seed)
		return s
	}
	bits := func(s [][]float64) []uint64 {
		var out []uint64
		for _, r := range s {
			for _, v := range r {
				out = append(out, math.Float64bits(v))
			}
		}
		return out
	}
	for _, m := range []int{sim.MOrdersTotal, sim.MCPUPriceUSDHour, sim.MOrdersUnservedTotal, sim.MCPUUtilization} {
		a := bits(series(t, sc(3), 1, m))
		b := bits(series(t, sc(3), 3, m))
		assert.Equal(t, a, b, "metric %d: 1 and 3 workers", m)
		c := bits(series(t, sc(4), 2, m))
		assert.NotEqual(t, a, c, "metric %d: seeds 3 and 4", m)
	}
}

// Every scenario file under examples/ (sweep, sensitivity and
// calibration files aside, checked by packages sweep, sensitivity and
// calibrate) reads, and
// runs a few days; the demand example's utilization falls over its year
// (a long run, skipped under -short).
func TestExampleScenarios(t *testing.T) {
	files, err := filepath.Glob("../examples/*/*.toml")
	require.NoError(t, err)
	files = slices.DeleteFunc(files, func(f string) bool {
		return strings.Contains(f, "/sweeps/") || strings.Contains(f, "/sensitivity/") || strings.Contains(f, "/calibration/")
	})
	require.Contains(t, files, "../examples/demand/falling-cloud-prices.toml")
	for _, f := range files {
		sc, err := scenarios.Load(f, []string{"sim.horizon=3d", "sim.warmup=1d", "sim.replications=1", "sim.sample_every=1d"})
		require.NoError(t, err, f)
		_, err = runner.Run(context.Background(), sc, runner.Options{Workers: 1})
		require.NoError(t, err, f)
	}
	if testing.Short() {
		t.Skip("the year of the demand example is long")
	}
	sc, err := scenarios.Load("../examples/demand/falling-cloud-prices.toml", nil)
	require.NoError(t, err)
	for _, m := range []int{sim.MCPUUtilization, sim.MGPUUtilization} {
		var starts, ends []float64
		for r, s := range series(t, sc, 2, m) {
			start, end := mean(s[:30]), mean(s[len(s)-30:])
			t.Logf("%s replication %d: utilization %.3f over the first 30 days, %.3f over the last 30", sim.Metrics[m].Name, r, start, end)
			assert.Less(t, end, start, "%s replication %d", sim.Metrics[m].Name, r)
			starts, ends = append(starts, start), append(ends, end)
		}
		// 48 GPUs make a noisy utilization: the fall is asked of the mean
		assert.Less(t, mean(ends), 0.85*mean(starts), sim.Metrics[m].Name)
	}
}

func mean(xs []float64) float64 { return sum(xs) / float64(len(xs)) }
