package sim_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// TestRunYielding: RunYielding calls yield after every every events
// (rounded up to a multiple of 4,096) with the events so far and the
// fraction of the run done, which grows from above 0 to at most 1, and
// the run is the same as RunContext's, sample for sample.
func TestRunYielding(t *testing.T) {
	cfg := baseConfig(t, 50)
	run := func(every uint, yield func(uint64, float64)) (sim.Result, []string) {
		var samples []string
		w := sim.NewWorld(cfg, 0, 7, sim.RecorderFunc(func(s *sim.Sample) {
			samples = append(samples, fmt.Sprint(s.T, s.Values, s.Resources, s.Cohorts))
		}))
		var res sim.Result
		var err error
		if yield == nil {
			res, err = w.RunContext(context.Background())
		} else {
			res, err = w.RunYielding(context.Background(), every, yield)
		}
		require.NoError(t, err)
		return res, samples
	}
	want, wantSamples := run(0, nil)
	require.Greater(t, want.Events, uint64(3*8192), "long enough for a few yields")
	for _, every := range []uint{1, 5000, 8192} {
		yields := 0
		var dones []float64
		step := uint64((every + 4095) / 4096 * 4096)
		got, samples := run(every, func(events uint64, done float64) {
			yields++
			assert.Equal(t, uint64(yields)*step, events, "every %d: the events so far", every)
			dones = append(dones, done)
		})
		assert.Equal(t, want, got, "every %d", every)
		assert.Equal(t, wantSamples, samples, "every %d", every)
		assert.Equal(t, int(want.Events/step), yields, "every %d", every)
		require.NotEmpty(t, dones)
		assert.Greater(t, dones[0], 0.0, "every %d", every)
		assert.LessOrEqual(t, dones[len(dones)-1], 1.0, "every %d", every)
		assert.Greater(t, dones[len(dones)-1], 0.5, "every %d: the last yield comes late in the run", every)
		assert.IsNonDecreasing(t, dones, "every %d", every)
	}
}
