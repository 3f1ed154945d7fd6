package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMedianSetMatchesSelection: over random insertions and removals
// (with ties), the set's median is the median() of its values, to the
// bit, and its heaps keep their order and positions.
func TestMedianSetMatchesSelection(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	var m medianSet
	in := map[int32]float64{}
	var buf []float64
	for step := 0; step < 20_000; step++ {
		id := int32(rng.IntN(300))
		if _, ok := in[id]; ok && rng.IntN(2) == 0 {
			m.remove(id)
			delete(in, id)
		} else if !ok {
			v := float64(rng.IntN(50)) / 7 // ties
			if rng.IntN(3) == 0 {
				v = rng.Float64() * 100
			}
			m.add(id, v)
			in[id] = v
		}
		buf = buf[:0]
		for _, v := range in {
			buf = append(buf, v)
		}
		want, got := median(buf), m.median()
		if math.Float64bits(want) != math.Float64bits(got) && !(math.IsNaN(want) && math.IsNaN(got)) {
			t.Fatalf("step %d: median %v, want %v (%d values)", step, got, want, len(in))
		}
		if m.len() != len(in) || len(m.hi)-len(m.lo) < 0 || len(m.hi)-len(m.lo) > 1 {
			t.Fatalf("step %d: sizes lo %d hi %d for %d values", step, len(m.lo), len(m.hi), len(in))
		}
		if step%97 == 0 {
			checkMedianHeaps(t, &m)
		}
	}
	m.reset()
	if m.len() != 0 || !math.IsNaN(m.median()) {
		t.Fatal("reset left values")
	}
}

func checkMedianHeaps(t *testing.T, m *medianSet) {
	t.Helper()
	// lo holds its values negated: a min-heap of -v is a max-heap of v
	for i, e := range m.lo {
		if i > 0 && -e.v > -m.lo[(i-1)/2].v {
			t.Fatalf("lo is not a max-heap at %d", i)
		}
		if m.pos[e.lease] != int32(i+1) {
			t.Fatalf("lease %d: position %d, at lo[%d]", e.lease, m.pos[e.lease], i)
		}
		if len(m.hi) > 0 && -e.v > m.hi[0].v {
			t.Fatalf("lo holds %v above hi's minimum %v", -e.v, m.hi[0].v)
		}
	}
	for i, e := range m.hi {
		if i > 0 && e.v < m.hi[(i-1)/2].v {
			t.Fatalf("hi is not a min-heap at %d", i)
		}
		if m.pos[e.lease] != -int32(i+1) {
			t.Fatalf("lease %d: position %d, at hi[%d]", e.lease, m.pos[e.lease], i)
		}
	}
}

// BenchmarkMedianSet measures one lease closing and one starting (a
// remove and an add) in a set of 2,000 leases and, every 80th time, a
// sample reading the median: the mix of workload R1.
func BenchmarkMedianSet(b *testing.B) {
	const n = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	var m medianSet
	for i := range int32(n) {
		m.add(i, 0.6+1.2*rng.Float64())
	}
	b.ReportAllocs()
	i := int32(0)
	for b.Loop() {
		m.remove(i)
		m.add(i, 0.6+1.2*rng.Float64())
		i = (i + 7) % n
		if i%80 == 0 {
			_ = m.median()
		}
	}
}
