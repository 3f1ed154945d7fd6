package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// benchScenario runs replication 0 of source (a preset or file) with sets
// per op and reports the kernel's time per event.
func benchScenario(b *testing.B, source string, sets ...string) {
	sc, err := Load(source, sets)
	require.NoError(b, err)
	cfg, err := sc.Config()
	require.NoError(b, err)
	b.ReportAllocs()
	events := uint64(0)
	for b.Loop() {
		w := sim.NewWorld(cfg, 0, sim.ReplicationSeed(uint64(sc.Sim.Seed), 0), sim.RecorderFunc(func(*sim.Sample) {}))
		res, err := w.Run()
		require.NoError(b, err)
		events += res.Events
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}

// BenchmarkR1 runs workload R1 (30 days, seed 1) per op; the whole-year
// run is `make r1`.
func BenchmarkR1(b *testing.B) { benchScenario(b, "bench/r1.toml", "sim.horizon=30d") }

// BenchmarkPresets runs one replication of each preset over 30 days (after
// its warmup) per op.
func BenchmarkPresets(b *testing.B) {
	for _, name := range Presets() {
		b.Run(name, func(b *testing.B) { benchScenario(b, name, "sim.horizon=30d") })
	}
}
