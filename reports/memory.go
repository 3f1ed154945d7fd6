package reports

import (
	"fmt"

	"github.com/depinsim/depinsim/sim"
)

// Recording is the sampled time series of one replication.
type Recording struct {
	// Rep is the replication index (0-based), taken from the samples.
	Rep int
	// Times holds the sample times in increasing order.
	Times []sim.Time
	// Values holds one row per sample; each row has sim.NumMetrics values
	// indexed by the sim.M* constants.
	Values [][]float64
	// Resources holds one row per sample with that sample's resources
	// (cpu, memory_gb, then GPU models sorted by name).
	Resources [][]sim.ResourceSample
	// Cohorts holds one row per sample with that sample's provider
	// cohorts, in the scenario's order. It may be shorter than Times (a
	// Recording built by hand): a missing row has no cohorts.
	Cohorts [][]sim.CohortSample
}

// Len returns the number of samples in r.
func (r *Recording) Len() int { return len(r.Times) }

// cohortsAt returns the cohorts of sample i (nil when r has none there).
func (r *Recording) cohortsAt(i int) []sim.CohortSample {
	if i < len(r.Cohorts) {
		return r.Cohorts[i]
	}
	return nil
}

// Memory is a sim.Recorder that keeps the samples of one replication in
// memory. It copies each sample's slices, since the simulator reuses them.
// A Memory is not safe for concurrent use; give each replication its own.
type Memory struct {
	rec     Recording
	started bool
	// the rows are carved out of these blocks, which are allocated a
	// batch of samples at a time rather than one row per sample
	values    []float64
	resources []sim.ResourceSample
	cohorts   []sim.CohortSample
}

// memoryBatch is how many samples' rows a Memory allocates at once.
const memoryBatch = 256

// carve returns a copy of src taken from the front of *block (refilled
// with room for memoryBatch rows of len(src) when short), with its
// capacity capped at its length so that no row can grow into the next;
// nil when src is empty, as append([]T(nil), src...) gives.
func carve[T any](block *[]T, src []T) []T {
	n := len(src)
	if n == 0 {
		return nil
	}
	if len(*block) < n {
		*block = make([]T, memoryBatch*n)
	}
	row := (*block)[:n:n]
	*block = (*block)[n:]
	copy(row, src)
	return row
}

// NewMemory returns an empty Memory recorder.
func NewMemory() *Memory { return &Memory{} }

// Reserve makes room for n samples in m's lists of rows, so that a
// recording whose length is known (the horizon over the sampling
// interval) is not copied as it grows; n is a hint (more samples are
// still recorded, fewer leave room unused). A hint above the samples a
// Memory can hold at all (maxReserve) is taken as maxReserve.
func (m *Memory) Reserve(n int) {
	n = min(n, maxReserve)
	if n <= cap(m.rec.Times) {
		return
	}
	m.rec.Times = append(make([]sim.Time, 0, n), m.rec.Times...)
	m.rec.Values = append(make([][]float64, 0, n), m.rec.Values...)
	m.rec.Resources = append(make([][]sim.ResourceSample, 0, n), m.rec.Resources...)
	m.rec.Cohorts = append(make([][]sim.CohortSample, 0, n), m.rec.Cohorts...)
}

// maxReserve bounds Reserve's hint: 2^22 samples (8 years sampled each
// minute), whose lists of rows take 320 MiB before any row.
const maxReserve = 1 << 22

// Record appends a copy of s. It panics if s belongs to a different
// replication than earlier samples, if time goes backwards or if s does
// not have sim.NumMetrics values: these are bugs in the caller.
func (m *Memory) Record(s *sim.Sample) {
	if len(s.Values) != sim.NumMetrics {
		panic(fmt.Sprintf("reports: sample has %d values, want %d", len(s.Values), sim.NumMetrics))
	}
	if !m.started {
		m.started = true
		m.rec.Rep = s.Rep
	} else {
		if s.Rep != m.rec.Rep {
			panic(fmt.Sprintf("reports: Memory for rep %d got a sample of rep %d", m.rec.Rep, s.Rep))
		}
		if last := m.rec.Times[len(m.rec.Times)-1]; s.T < last {
			panic(fmt.Sprintf("reports: sample time %v before previous sample time %v", s.T, last))
		}
	}
	m.rec.Times = append(m.rec.Times, s.T)
	m.rec.Values = append(m.rec.Values, carve(&m.values, s.Values))
	m.rec.Resources = append(m.rec.Resources, carve(&m.resources, s.Resources))
	m.rec.Cohorts = append(m.rec.Cohorts, carve(&m.cohorts, s.Cohorts))
}

// Recording returns the samples recorded so far. The rows are shared with
// m but never modified; samples recorded later do not appear in the
// returned Recording.
func (m *Memory) Recording() *Recording {
	n := len(m.rec.Times)
	return &Recording{
		Rep:       m.rec.Rep,
		Times:     m.rec.Times[:n:n],
		Values:    m.rec.Values[:n:n],
		Resources: m.rec.Resources[:n:n],
		Cohorts:   m.rec.Cohorts[:n:n],
	}
}
