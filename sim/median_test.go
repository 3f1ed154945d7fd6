package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMedianSetMatchesSelection: over random insertions and removals
// (with ties; a set of up to 300 values with a fixed distribution, and one
// of up to 3,000 whose values drift upwards, so that the median leaves
// its window), the set's median is the median() of its values, to the
// bit, and its bags and window stay consistent; so are those of a second
// set sharing its table of lease entries (slot 1), which holds a third of
// the same leases at other values.
func TestMedianSetMatchesSelection(t *testing.T) {
	for _, c := range []struct {
		ids   int
		drift float64
	}{{300, 0}, {3000, 0.002}} {
		rng := rand.New(rand.NewPCG(3, 5))
		var m medianSet
		m.tab = new(medTable)
		m2 := medianSet{tab: m.tab, slot: 1}
		in, in2 := map[int32]float64{}, map[int32]float64{}
		var buf []float64
		for step := 0; step < 20_000; step++ {
			id := int32(rng.IntN(c.ids))
			if _, ok := in[id]; ok && rng.IntN(2) == 0 {
				m.remove(id)
				m2.remove(id)
				delete(in, id)
				delete(in2, id)
			} else if !ok {
				v := float64(rng.IntN(50))/7 + c.drift*float64(step) // ties
				if rng.IntN(3) == 0 {
					v = rng.Float64() * 100
				}
				m.add(id, v)
				in[id] = v
				if id%3 == 0 {
					m2.add(id, 10-v)
					in2[id] = 10 - v
				}
			}
			if m.len() != len(in) || m2.len() != len(in2) {
				t.Fatalf("step %d: %d values, want %d", step, m.len(), len(in))
			}
			if step%7 != 0 {
				continue // a sample reads the median now and then
			}
			buf = buf[:0]
			for _, v := range in {
				buf = append(buf, v)
			}
			want, got := median(buf), m.median()
			if math.Float64bits(want) != math.Float64bits(got) && !(math.IsNaN(want) && math.IsNaN(got)) {
				t.Fatalf("step %d: median %v, want %v (%d values)", step, got, want, len(in))
			}
			buf = buf[:0]
			for _, v := range in2 {
				buf = append(buf, v)
			}
			want, got = median(buf), m2.median()
			if math.Float64bits(want) != math.Float64bits(got) && !(math.IsNaN(want) && math.IsNaN(got)) {
				t.Fatalf("step %d: second set's median %v, want %v (%d values)", step, got, want, len(in2))
			}
			if step%97 == 0 {
				checkMedianBags(t, &m)
				checkMedianBags(t, &m2)
			}
		}
		m.reset()
		if m.len() != 0 || !math.IsNaN(m.median()) {
			t.Fatal("reset left values")
		}
	}
}

func checkMedianBags(t *testing.T, m *medianSet) {
	t.Helper()
	n := 0
	for b := range m.bags {
		for i, l := range m.bags[b] {
			e := *m.at(l)
			if !e.in || int(e.bag) != b || int(e.idx) != i || m.bagOf(e.v) != e.bag {
				t.Fatalf("lease %d at bag %d index %d: %+v (window %v..%v)", l, b, i, e, m.wlo, m.whi)
			}
		}
		n += len(m.bags[b])
	}
	if n != m.n {
		t.Fatalf("bags hold %d values, count %d", n, m.n)
	}
	w := 0
	for i, v := range m.wv {
		if m.wc[i] <= 0 || (i > 0 && m.wv[i-1] >= v) || m.bagOf(v) != bagWindow {
			t.Fatalf("window value %d: %v x %d", i, v, m.wc[i])
		}
		w += int(m.wc[i])
	}
	if w != len(m.bags[bagWindow]) {
		t.Fatalf("window counts %d, bag %d", w, len(m.bags[bagWindow]))
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
