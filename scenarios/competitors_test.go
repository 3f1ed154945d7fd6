package scenarios

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
)

// series runs every replication of sc and returns each replication's
// samples' values, in time order.
func series(t *testing.T, sc *Scenario) [][][]float64 {
	t.Helper()
	cfg, err := sc.Config()
	require.NoError(t, err)
	n := sc.Sim.Replications
	out := make([][][]float64, n)
	runReplications(t, cfg, n, 0, func(rep int) sim.Recorder {
		return sim.RecorderFunc(func(s *sim.Sample) {
			out[rep] = append(out[rep], append([]float64(nil), s.Values...))
		})
	})
	return out
}

// windowMean is the mean of metric m over the samples with index in
// [from, to) and over replications (NaN samples skipped).
func windowMean(reps [][][]float64, m, from, to int) float64 {
	sum, n := 0.0, 0
	for _, r := range reps {
		for i := from; i < to && i < len(r); i++ {
			if v := r[i][m]; !math.IsNaN(v) {
				sum += v
				n++
			}
		}
	}
	return sum / float64(n)
}

// TestIONet2024Snapshot checks ionet-2024 over its year against the
// figures it is built on (docs/model/calibration-akash-2024q1.md and
// docs/model/competitors.md §1.8): after the airdrop seasons, about 12,000
// real GPUs by the summer and about 7,600 on average in Q4 2024: some 85%
// of the March-2024 snapshot's 51,738 GPUs gone. The snapshot itself (the
// GPUs and CPUs listed at the start, 30% to 40% in use in its weeks) is
// checked by testdata/scripts/ionet-2024.txt.
func TestIONet2024Snapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full preset")
	}
	sc, err := Load("ionet-2024", nil)
	require.NoError(t, err)
	require.Equal(t, market.PostedPriceName, sc.Market["mechanism"])
	reps := series(t, sc) // daily samples from the start
	// the mercenary and fake capacity leaves after the seasons
	summer := windowMean(reps, sim.MGPUsTotal, 85, 96) // late June
	assert.InDelta(t, 12000, summer, 3000, "about 12,000 real GPUs after the purge and S1")
	q4 := windowMean(reps, sim.MGPUsTotal, 195, 287) // 2024-10-01 to 12-31
	assert.InDelta(t, 7600, q4, 1500, "Q4 2024 average listed GPUs")
	assert.Less(t, q4/51738, 0.2, "more than 80%% of the March supply gone by Q4")
	// the token layer ran: airdrops claimed, block rewards emitted from
	// 2024-06-25 on, fees partly burned
	last := reps[0][len(reps[0])-1]
	assert.InDelta(t, 35_000_000, last[sim.MAirdropsClaimedTotal], 1, "the three seasons' pools")
	assert.Zero(t, reps[0][96][sim.MEmissionsTotal], "no block rewards before 2024-06-25")
	assert.Positive(t, reps[0][98][sim.MEmissionsTotal])
	assert.Positive(t, last[sim.MBurnedTotal])
	assert.Less(t, last[sim.MBurnedTotal], last[sim.MFeesTotal], "half of the fees are burned")
}

// TestRender2024Snapshot checks render-2024 over its year: node operators
// are paid the post-RNP-013 emission budget, and the capacity stays almost
// unused. The snapshot at the start (4,458 GPUs and 197 CPUs,
// docs/model/calibration-akash-2024q1.md), the burned payments and the
// queue are checked by testdata/scripts/render-2024.txt.
func TestRender2024Snapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full preset")
	}
	sc, err := Load("render-2024", []string{"sim.replications=2"})
	require.NoError(t, err)
	reps := series(t, sc)
	for _, r := range reps {
		last := r[len(r)-1]
		// 1,080,000 RENDER a year, the job share only for GPUs in leases
		assert.InDelta(t, 1_080_000, last[sim.MEmissionsTotal], 1_080_000*0.01)
	}
	u := windowMean(reps, sim.MGPUUtilization, 0, len(reps[0]))
	assert.Less(t, u, 0.10, "almost unused")
	assert.Positive(t, u)
}
