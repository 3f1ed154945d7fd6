package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// BenchmarkPresets runs one replication of each preset over 30 days (after
// its warmup) per op and reports the kernel's time per event.
func BenchmarkPresets(b *testing.B) {
	for _, name := range Presets() {
		b.Run(name, func(b *testing.B) {
			sc, err := Load(name, []string{"sim.horizon=30d"})
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
		})
	}
}
