package scenarios_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// cpuPricePerRep runs the scenario file with sets and returns, per
// replication, the mean over its samples of the CPU lease price per
// core-hour (cpu_price_usd_hour; samples without a lease left out).
func cpuPricePerRep(t *testing.T, path string, sets ...string) []float64 {
	t.Helper()
	sc, err := scenarios.Load(path, sets)
	require.NoError(t, err)
	n := sc.Sim.Replications
	sum, cnt := make([]float64, n), make([]int, n)
	_, err = runner.Run(context.Background(), sc, runner.Options{Workers: 2, Recorder: func(rep int) sim.Recorder {
		return sim.RecorderFunc(func(s *sim.Sample) {
			if v := s.Values[sim.MCPUPriceUSDHour]; !math.IsNaN(v) {
				sum[rep] += v
				cnt[rep]++
			}
		})
	}})
	require.NoError(t, err)
	for r := range sum {
		require.Positive(t, cnt[r], "replication %d leased nothing", r)
		sum[r] /= float64(cnt[r])
	}
	return sum
}

// pairedCI returns the mean of a[r] - b[r] and its 95% half-width
// (normal quantile; hundreds of replications).
func pairedCI(a, b []float64) (mean, half float64) {
	n := float64(len(a))
	s, s2 := 0.0, 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d
		s2 += d * d
	}
	mean = s / n
	return mean, 1.96 * math.Sqrt((s2/n-mean*mean)/(n-1))
}

// TestTheoryRevenueEquivalence runs scenarios/theory/revenue-equivalence.toml
// under akash-reverse (first price, equilibrium bids) and vickrey-reverse
// (second price, truthful bids) with common random numbers: the mean
// lease price per core-hour is the same within the 95% CI of the paired
// difference, and both are near the theoretical 0.01 x (0.8 + 0.4 x 2/6).
// Under vickrey-reverse, equilibrium gives exactly the prices of cost-plus
// bidding at cost.
func TestTheoryRevenueEquivalence(t *testing.T) {
	if testing.Short() {
		t.Skip("long: three runs of 200 replications")
	}
	const file = "theory/revenue-equivalence.toml"
	first := cpuPricePerRep(t, file)
	second := cpuPricePerRep(t, file, "market.mechanism=vickrey-reverse")
	costPlus := cpuPricePerRep(t, file, "market.mechanism=vickrey-reverse", "providers.sellers.strategy=cost-plus",
		"providers.sellers.expected_bidders=0", "providers.sellers.price_list_usd_hour.cpu=0")
	d, half := pairedCI(first, second)
	mf, _ := pairedCI(first, make([]float64, len(first)))
	ms, _ := pairedCI(second, make([]float64, len(second)))
	t.Logf("first price %.6f, second price %.6f, paired difference %+.3g +- %.3g (theory %.6f)", mf, ms, d, half, 0.01*(0.8+0.4*2.0/6))
	assert.LessOrEqual(t, math.Abs(d), half, "the paired difference's 95%% CI excludes 0")
	theory := 0.01 * (0.8 + 0.4*2.0/6)
	assert.InDelta(t, theory, mf, 0.03*theory)
	assert.InDelta(t, theory, ms, 0.03*theory)
	// the first-price prices really are shaded bids, not the costs
	assert.NotEqual(t, first, second)
	assert.Equal(t, second, costPlus, "equilibrium under second price must bid as cost-plus at cost")
}
