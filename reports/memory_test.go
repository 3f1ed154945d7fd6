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

// TestMemoryRowsAreSeparate records more samples than one allocation
// batch holds, with rows of changing length, and checks every row's
// values, that no row has room to grow into the next and that an empty
// row stays nil.
func TestMemoryRowsAreSeparate(t *testing.T) {
	m := NewMemory()
	s := &sim.Sample{Values: make([]float64, sim.NumMetrics)}
	const n = 3*memoryBatch + 7
	for i := range n {
		s.T = sim.Time(i) * sim.Hour
		s.Values[sim.MLeasesActive] = float64(i)
		s.Resources = s.Resources[:0]
		for k := range i % 3 {
			s.Resources = append(s.Resources, sim.ResourceSample{Resource: "cpu", Capacity: float64(i*10 + k)})
		}
		m.Record(s)
	}
	r := m.Recording()
	require.Equal(t, n, r.Len())
	for i := range n {
		require.Len(t, r.Values[i], sim.NumMetrics)
		assert.Equal(t, sim.NumMetrics, cap(r.Values[i]), "row %d's capacity", i)
		assert.Equal(t, float64(i), r.Values[i][sim.MLeasesActive], "row %d", i)
		if i%3 == 0 {
			assert.Nil(t, r.Resources[i], "row %d has no resources", i)
			continue
		}
		require.Len(t, r.Resources[i], i%3, "row %d", i)
		assert.Equal(t, i%3, cap(r.Resources[i]), "row %d's capacity", i)
		for k := range i % 3 {
			assert.Equal(t, float64(i*10+k), r.Resources[i][k].Capacity, "row %d resource %d", i, k)
		}
	}
	_ = append(r.Values[0], -1) // must not reach row 1
	assert.Equal(t, 1.0, r.Values[1][sim.MLeasesActive])
}

// BenchmarkMemoryRecord records an hourly year (8760 samples, 5
// resources, 4 cohorts) per op.
func BenchmarkMemoryRecord(b *testing.B) {
	s := &sim.Sample{Values: make([]float64, sim.NumMetrics),
		Resources: make([]sim.ResourceSample, 5), Cohorts: make([]sim.CohortSample, 4)}
	b.ReportAllocs()
	for b.Loop() {
		m := NewMemory()
		for i := range 8760 {
			s.T = sim.Time(i) * sim.Hour
			m.Record(s)
		}
	}
}

// TestMemoryReserve: a Memory given room for its samples, too little or
// too much, records what one without does, and a Recording taken before
// more samples still does not see them (the room is not shared).
func TestMemoryReserve(t *testing.T) {
	record := func(m *Memory, from, to int) {
		s := &sim.Sample{Values: make([]float64, sim.NumMetrics),
			Resources: []sim.ResourceSample{{Resource: "cpu", Capacity: 8}},
			Cohorts:   []sim.CohortSample{{Cohort: "c", Kind: "organic"}}}
		for i := from; i < to; i++ {
			s.T = sim.Time(i) * sim.Hour
			s.Values[sim.MLeasesActive] = float64(i)
			s.Resources[0].Allocated = float64(i % 8)
			s.Cohorts[0].Providers = i
			m.Record(s)
		}
	}
	want := NewMemory()
	record(want, 0, 100)
	for _, hint := range []int{0, 1, 50, 100, 1000} {
		m := NewMemory()
		m.Reserve(hint)
		record(m, 0, 40)
		early := m.Recording()
		m.Reserve(hint) // again, with samples in: kept
		record(m, 40, 100)
		assert.Equal(t, want.Recording(), m.Recording(), "hint %d", hint)
		assert.Equal(t, 40, early.Len())
		assert.Equal(t, 39.0, early.Values[39][sim.MLeasesActive])
	}
}
