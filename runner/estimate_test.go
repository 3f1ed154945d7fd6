package runner_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
)

// reference is the machine the estimate tests assume: 8 CPUs (workers)
// and 16 GiB, so the default --max-memory is 12 GiB, with the default
// --max-output and --max-events.
var reference = runner.Limits{MaxMemory: 12 << 30, MaxOutput: 10 << 30, MaxEvents: 1e11}

const referenceWorkers = 8

// estimateOf loads preset (or file) arg with sets and estimates its run.
func estimateOf(t *testing.T, arg string, workers int, sets ...string) *runner.Estimate {
	t.Helper()
	sc, err := scenarios.Load(arg, sets)
	require.NoError(t, err)
	e, err := runner.EstimateRun(sc, runner.EstimateOptions{Workers: workers})
	require.NoError(t, err)
	return e
}

// Every preset and the R1 benchmark fit under the reference caps.
func TestEstimatePresetsFit(t *testing.T) {
	for _, p := range append(scenarios.Presets(), "../scenarios/bench/r1.toml") {
		e := estimateOf(t, p, referenceWorkers)
		assert.NoError(t, e.Check(reference), p)
		assert.Greater(t, e.MemoryBytes, float64(30<<20), p) // the base alone
		assert.Less(t, e.MemoryBytes, float64(1<<30), p)
		assert.Greater(t, e.Events, 1e5, p)
		assert.Greater(t, e.OutputBytes, float64(1<<20), p)
	}
}

// The four runs that used to grow until the system killed them are
// refused, each naming the key that drives its estimate. 10^8 arrivals a
// day hold about 4 million orders waiting, some 11 GiB with 5 workers:
// under the reference's memory cap, but 1.9e12 events are beyond its
// events cap.
func TestEstimateRefusesRunaways(t *testing.T) {
	for _, c := range []struct {
		sets []string
		what string
		key  string
	}{
		{[]string{"providers[0].count=10000000"}, "memory", "providers[0].count = 10000000"},
		{[]string{"sim.replications=100000"}, "output", "sim.replications = 100000"},
		{[]string{"sim.sample_every=1s", "sim.horizon=100d"}, "memory", "sim.sample_every = 1s"},
		{[]string{"tenants[0].arrivals_per_day=1e8"}, "events", "tenants[0].arrivals_per_day = 1e+08"},
	} {
		e := estimateOf(t, "akash-2024", referenceWorkers, c.sets...)
		err := e.Check(reference)
		var le *runner.LimitError
		require.ErrorAs(t, err, &le, "%v", c.sets)
		assert.Equal(t, c.what, le.What, "%v", c.sets)
		assert.Contains(t, err.Error(), c.key)
		assert.Contains(t, err.Error(), "--max-"+c.what)
		if c.what != "events" {
			assert.Contains(t, err.Error(), runner.FormatBytes(float64(le.Cap)))
		}
	}
}

// With one worker, 10^8 arrivals a day fit in memory (orders turned away
// wait for their patience, not longer) but would take days to simulate:
// the events cap refuses them, naming the arrival rate.
func TestEstimateRefusesEndlessRuns(t *testing.T) {
	e := estimateOf(t, "akash-2024", 1, "tenants[0].arrivals_per_day=1e8")
	caps := reference
	caps.MaxEvents = 1e11
	err := e.Check(caps)
	var le *runner.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "events", le.What)
	assert.Contains(t, err.Error(), "tenants[0].arrivals_per_day = 1e+08")
	assert.Contains(t, err.Error(), "--max-events 1e+11")
	// the preset itself is far below the cap
	require.NoError(t, estimateOf(t, "akash-2024", 1).Check(caps))
}

// The estimates grow with each of their drivers.
func TestEstimateMonotone(t *testing.T) {
	base := []string{"sim.horizon=30d", "sim.warmup=0s"}
	type fig func(*runner.Estimate) float64
	mem := func(e *runner.Estimate) float64 { return e.MemoryBytes }
	out := func(e *runner.Estimate) float64 { return e.OutputBytes }
	events := func(e *runner.Estimate) float64 { return e.Events }
	for _, c := range []struct {
		key    string
		values []string
		figs   []fig
	}{
		{"providers[0].count", []string{"2", "200", "20000", "2000000"}, []fig{mem}},
		{"providers[3].entries_per_day", []string{"0", "10", "1000"}, []fig{mem, events}},
		{"tenants[0].arrivals_per_day", []string{"1", "175", "10000", "1e6", "1e8"}, []fig{mem, events}},
		// below the providers' capacity (above it, longer leases turn other
		// cohorts' orders away, and a waiting order costs less than a lease)
		{"tenants[1].lifetime_hours.median", []string{"1", "10", "100"}, []fig{mem}},
		{"tenants[0].patience", []string{"1h", "10h", "100h"}, []fig{mem}}, // with the demand below above capacity
		{"sim.sample_every", []string{"1d", "1h", "1m", "10s"}, []fig{mem, out}},
		{"sim.replications", []string{"1", "10", "1000", "100000"}, []fig{mem, out, events}},
		{"sim.horizon", []string{"10d", "100d", "1000d"}, []fig{out, events}},
		{"market.max_bids", []string{"1", "20", "1000"}, []fig{mem}},
	} {
		for _, f := range c.figs {
			prev := -1.0
			for _, v := range c.values {
				sets := append(append([]string{}, base...), c.key+"="+v)
				if c.key == "tenants[0].patience" {
					sets = append(sets, "tenants[0].arrivals_per_day=1e5")
				}
				e := estimateOf(t, "akash-2024", 2, sets...)
				got := f(e)
				assert.Greater(t, got, prev, "%s = %s", c.key, v)
				prev = got
			}
		}
	}
	// events: fewer providers turn orders away and so do not lower them
	// much, but more arrivals over a longer run raise them
	_ = events
	// more workers hold more worlds and recordings at once
	prev := 0.0
	for _, w := range []int{1, 2, 4, 8} {
		e := estimateOf(t, "akash-2024", w, "sim.replications=8")
		assert.Greater(t, e.MemoryBytes, prev, "workers %d", w)
		assert.Equal(t, w, e.Workers)
		prev = e.MemoryBytes
	}
	// but never more than the replications
	assert.Equal(t, 3, estimateOf(t, "ionet-2024", 8).Workers)
}

// Capacity bounds the leases: demand far above the providers' units
// costs the orders turned away while they wait, not leases.
func TestEstimateCapacityBound(t *testing.T) {
	e := estimateOf(t, "akash-2024", 1, "tenants[0].arrivals_per_day=1e6", "sim.horizon=30d")
	w := e.World
	// about rate x patience orders wait: 1e6/24 per hour x 1 h
	assert.InDelta(t, 1e6/24, w.Deployments, 0.2*1e6/24)
}

// A comparison is estimated from its largest run; its output adds up.
func TestEstimateCompare(t *testing.T) {
	a, err := scenarios.Load("akash-2024", nil)
	require.NoError(t, err)
	b, err := scenarios.Load("ionet-2024", []string{"sim.replications=5"})
	require.NoError(t, err)
	ea, _ := runner.EstimateRun(a, runner.EstimateOptions{Workers: 2})
	eb, _ := runner.EstimateRun(b, runner.EstimateOptions{Workers: 2})
	c, err := runner.EstimateCompare([]*scenarios.Scenario{a, b}, runner.EstimateOptions{Workers: 2})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, c.MemoryBytes, max(ea.MemoryBytes, eb.MemoryBytes))
	assert.Less(t, c.MemoryBytes, ea.MemoryBytes+eb.MemoryBytes)
	assert.InDelta(t, ea.OutputBytes+eb.OutputBytes, c.OutputBytes, 1)
	assert.InDelta(t, ea.Events+eb.Events, c.Events, 1)
}

func TestFormatBytes(t *testing.T) {
	for b, want := range map[float64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 127 << 20: "127 MiB",
		3.5 * (1 << 30): "3.5 GiB", 1e30: "more than 8 EiB",
	} {
		assert.Equal(t, want, runner.FormatBytes(b), fmt.Sprint(b))
	}
	assert.True(t, strings.HasSuffix(runner.FormatBytes(12<<30), "GiB"))
}

// A price response counts at its bounding rate: the arrivals of a cohort
// can reach demand_multiplier_max times its rate, and the estimate of
// deployments and events grows with it; price_elasticity = 0 leaves the
// estimate as it was, whatever demand_multiplier_max.
func TestEstimatePriceResponseBound(t *testing.T) {
	base := []string{"sim.horizon=30d", "sim.warmup=0s", "tenants[0].arrivals_per_day=1000"}
	off := estimateOf(t, "akash-2024", 1, base...)
	offMax := estimateOf(t, "akash-2024", 1, append(base, "tenants[0].demand_multiplier_max=50")...)
	assert.Equal(t, off.World.Deployments, offMax.World.Deployments)
	assert.Equal(t, off.Events, offMax.Events)
	on := estimateOf(t, "akash-2024", 1, append(base, "tenants[0].price_elasticity=1", "tenants[0].demand_multiplier_max=5")...)
	assert.Greater(t, on.World.Deployments, off.World.Deployments) // capacity caps the leases; the orders waiting grow
	assert.Greater(t, on.Events, 3*off.Events)
	steps := estimateOf(t, "akash-2024", 1, append(base, `tenants[0].demand_steps={"10d"=4.0}`)...)
	assert.Greater(t, steps.Events, 2*off.Events, "demand steps count at their largest multiplier")
}
