package scenarios

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// benchScenario runs replication 0 of source (a preset or file) with sets
// per op and reports the kernel's time and heap allocations per event
// (runtime.MemStats.Mallocs over the timed loop, divided by its events).
func benchScenario(b *testing.B, source string, sets ...string) {
	sc, err := Load(source, sets)
	require.NoError(b, err)
	cfg, err := sc.Config()
	require.NoError(b, err)
	b.ReportAllocs()
	events := uint64(0)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		w := sim.NewWorld(cfg, 0, sim.ReplicationSeed(uint64(sc.Sim.Seed), 0), sim.RecorderFunc(func(*sim.Sample) {}))
		res, err := w.Run()
		require.NoError(b, err)
		events += res.Events
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(events), "allocs/event")
}

// BenchmarkR1 runs workload R1 (30 days, seed 1) per op; the whole-year
// run is `make r1`.
func BenchmarkR1(b *testing.B) { benchScenario(b, "bench/r1.toml", "sim.horizon=30d") }

// BenchmarkR1Steady times R1's kernel in steady state: one op is one
// event, after 400,000 events of warm-up (about 18 days, when the
// tables have reached their size) that are not timed, so ns/op is
// nanoseconds per event and allocs/op allocations per event on the hot
// path alone (issue 15's target: 0). A world that reaches its horizon is
// replaced, warmed up again, outside the timer.
func BenchmarkR1Steady(b *testing.B) {
	sc, err := Load("bench/r1.toml", []string{"sim.horizon=30d"})
	require.NoError(b, err)
	cfg, err := sc.Config()
	require.NoError(b, err)
	warm := func() *sim.World {
		w := sim.NewWorld(cfg, 0, sim.ReplicationSeed(uint64(sc.Sim.Seed), 0), sim.RecorderFunc(func(*sim.Sample) {}))
		for range 400_000 {
			require.True(b, w.Step())
		}
		return w
	}
	w := warm()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if !w.Step() {
			b.StopTimer()
			w = warm()
			b.StartTimer()
		}
	}
}

// r1Scales are the sizes of BenchmarkR1Scale: R1 with its providers and
// arrivals times k, over a horizon that shrinks with k so that every op
// has a similar number of events (about 0.7 to 1 M; at least a day, so
// that the market fills and orders retry).
var r1Scales = []struct {
	k       int
	horizon string
}{{1, "720h"}, {4, "180h"}, {16, "48h"}, {64, "24h"}}

// BenchmarkR1Scale is the scaling curve of docs/performance.md: R1 with
// 1k, 4k, 16k and 64k providers and demand scaled alike (the kernel's
// ns/event and allocs/event should stay flat as the market grows).
func BenchmarkR1Scale(b *testing.B) {
	for _, s := range r1Scales {
		b.Run(strconv.Itoa(s.k)+"k", func(b *testing.B) {
			benchScenario(b, "bench/r1.toml", "sim.horizon="+s.horizon,
				fmt.Sprintf("providers[0].count=%d", 1000*s.k),
				fmt.Sprintf("tenants[0].arrivals_per_day=%d", 2400*s.k))
		})
	}
}

// BenchmarkPresets runs one replication of each preset over 30 days (after
// its warmup) per op.
func BenchmarkPresets(b *testing.B) {
	for _, name := range Presets() {
		b.Run(name, func(b *testing.B) { benchScenario(b, name, "sim.horizon=30d") })
	}
}

// TestX100SetsScaleThePreset checks bench/akash-2024-x100.sets (make
// bench-presets): every provider count and arrival rate of akash-2024
// times 100, and the file loads as --set overrides.
func TestX100SetsScaleThePreset(t *testing.T) {
	sets, err := ReadSets("bench/akash-2024-x100.sets")
	require.NoError(t, err)
	base, err := Load("akash-2024", nil)
	require.NoError(t, err)
	x100, err := Load("akash-2024", sets)
	require.NoError(t, err)
	require.Len(t, x100.Providers, len(base.Providers))
	require.Len(t, x100.Tenants, len(base.Tenants))
	for i := range base.Providers {
		require.Equal(t, 100*base.Providers[i].Count, x100.Providers[i].Count, "providers[%d].count", i)
	}
	for i := range base.Tenants {
		require.Equal(t, 100*base.Tenants[i].ArrivalsPerDay, x100.Tenants[i].ArrivalsPerDay, "tenants[%d].arrivals_per_day", i)
	}
	require.Equal(t, []string{"sim.horizon=30d", "sim.replications=1"}, sets[:2], "the first two lines are the x1 run's only overrides")
}

// BenchmarkParse loads akash-2024 under one override per op: from its
// text (ParseWith, what a run does once) and from a Prepared (what a
// sweep does for each point).
func BenchmarkParse(b *testing.B) {
	src, err := Open("akash-2024")
	require.NoError(b, err)
	sets := []string{"sim.replications=3"}
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseWith(src, sets, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("prepared", func(b *testing.B) {
		p := Prepare(src)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Parse(sets, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
