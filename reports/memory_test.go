package reports

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

func TestMemoryCopiesSlices(t *testing.T) {
	m := NewMemory()
	s := &sim.Sample{
		Rep:       4,
		T:         sim.Hour,
		Values:    make([]float64, sim.NumMetrics),
		Resources: []sim.ResourceSample{{Resource: "cpu", Capacity: 8, Allocated: 2, Utilization: 0.25, MedianPriceUSDHour: 0.1}},
		Cohorts:   []sim.CohortSample{{Cohort: "fake", Kind: "fake", Providers: 3, GPUs: 24}},
	}
	s.Values[sim.MLeasesActive] = 7
	m.Record(s)

	// The simulator reuses the slices for the next sample.
	s.T = 2 * sim.Hour
	s.Values[sim.MLeasesActive] = 9
	s.Resources[0].Allocated = 5
	s.Resources[0].Utilization = 5.0 / 8
	s.Cohorts[0].Providers, s.Cohorts[0].GPUs = 1, 8
	m.Record(s)
	s.Values[sim.MLeasesActive] = -1
	s.Resources[0].Allocated = -1
	s.Cohorts[0].GPUs = -1

	r := m.Recording()
	require.Equal(t, 2, r.Len())
	assert.Equal(t, 4, r.Rep)
	assert.Equal(t, []sim.Time{sim.Hour, 2 * sim.Hour}, r.Times)
	assert.Equal(t, 7.0, r.Values[0][sim.MLeasesActive])
	assert.Equal(t, 9.0, r.Values[1][sim.MLeasesActive])
	assert.Equal(t, 2.0, r.Resources[0][0].Allocated)
	assert.Equal(t, 5.0, r.Resources[1][0].Allocated)
	assert.Equal(t, []sim.CohortSample{{Cohort: "fake", Kind: "fake", Providers: 3, GPUs: 24}}, r.Cohorts[0])
	assert.Equal(t, []sim.CohortSample{{Cohort: "fake", Kind: "fake", Providers: 1, GPUs: 8}}, r.Cohorts[1])
	assert.Len(t, r.Values[0], sim.NumMetrics)
}

func TestMemoryRecordingIsASnapshot(t *testing.T) {
	m := NewMemory()
	s := &sim.Sample{Values: make([]float64, sim.NumMetrics)}
	m.Record(s)
	r := m.Recording()
	s.T = sim.Hour
	m.Record(s)
	assert.Equal(t, 1, r.Len())
	assert.Equal(t, 2, m.Recording().Len())
}

func TestMemoryPanicsOnBugs(t *testing.T) {
	m := NewMemory()
	m.Record(&sim.Sample{Rep: 1, T: sim.Hour, Values: make([]float64, sim.NumMetrics)})
	assert.PanicsWithValue(t, "reports: Memory for rep 1 got a sample of rep 2", func() {
		m.Record(&sim.Sample{Rep: 2, T: 2 * sim.Hour, Values: make([]float64, sim.NumMetrics)})
	})
	assert.Panics(t, func() { m.Record(&sim.Sample{Rep: 1, T: 0, Values: make([]float64, sim.NumMetrics)}) })
	assert.Panics(t, func() { m.Record(&sim.Sample{Rep: 1, T: 3 * sim.Hour, Values: make([]float64, 2)}) })
}

func TestMemoryKeepsNaN(t *testing.T) {
	r := fixture(0)[0]
	assert.True(t, math.IsNaN(r.Values[1][sim.MGPUPriceUSDHour]))
	assert.True(t, math.IsNaN(r.Resources[0][2].MedianPriceUSDHour))
}
