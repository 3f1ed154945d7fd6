package runner

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
)

// TestEstimateCountsPercentileAssertions: the values a pN assertion keeps
// per sample (assertion.BytesPerSample) raise the memory estimate by that
// much per sample of each replication held; streaming statistics add
// nothing.
func TestEstimateCountsPercentileAssertions(t *testing.T) {
	data, ok := scenarios.PresetData("akash-2024")
	require.True(t, ok)
	sets := []string{"sim.sample_every=1s", "sim.horizon=10d", "sim.replications=2"}
	estimateWith := func(extra string) *Estimate {
		sc, err := scenarios.Parse(scenarios.Source{Name: "x.toml", Data: []byte(string(data) + extra)}, sets)
		require.NoError(t, err)
		e, err := EstimateRun(sc, EstimateOptions{Workers: 1})
		require.NoError(t, err)
		return e
	}
	entry := func(stat string) string {
		return fmt.Sprintf("\n[[assert]]\nname = \"extra\"\nmetric = \"gpu_utilization\"\nstat = %q\nmin = 0\n", stat)
	}
	base, mean, p95 := estimateWith(""), estimateWith(entry("mean")), estimateWith(entry("p95"))
	assert.Equal(t, base.MemoryBytes, mean.MemoryBytes, "a streaming statistic keeps nothing per sample")
	samples := float64(10*86400 + 1)
	held := 2.0 // one worker: the reorder window holds up to 2 replications
	assert.InDelta(t, sampleFactor*held*16*samples, p95.MemoryBytes-base.MemoryBytes, 1)
}
