package reports

import (
	"math"
	"testing"
)

// TestRepLineFirstAddMatchesWelford checks that the first replication's
// fast path leaves the same bits as Welford's update (-0 becomes +0 in the
// mean, m2 stays +0 and is only made for a second replication), and
// that later replications continue alike.
func TestRepLineFirstAddMatchesWelford(t *testing.T) {
	first := []float64{math.Copysign(0, -1), 0, math.NaN(), math.Inf(1), math.Inf(-1), 5e-324, -3.5, 1e308, -1e-300, 7}
	second := []float64{1, math.Copysign(0, -1), 2, 3, math.NaN(), -5e-324, 4, -1e308, 2e-300, math.Inf(1)}
	n := len(first)
	fast := &repLine{mean: make([]float64, n)} // as reportAcc.line makes it
	slow := &repLine{n: make([]int32, n), mean: make([]float64, n), m2: make([]float64, n), added: true}
	// m2At is l.m2[i], +0 while l has no m2
	m2At := func(l *repLine, i int) float64 {
		if l.m2 == nil {
			return 0
		}
		return l.m2[i]
	}
	for step, v := range [][]float64{first, second} {
		fast.add(v)
		slow.add(v)
		if step == 0 && fast.n != nil {
			t.Errorf("the first replication made the counts")
		}
		for i := range v {
			fn, fm := fast.at(i)
			sn, sm := slow.at(i)
			if fn != sn || int32(sn) != slow.n[i] ||
				math.Float64bits(fm) != math.Float64bits(sm) ||
				math.Float64bits(m2At(fast, i)) != math.Float64bits(slow.m2[i]) {
				t.Errorf("after add %d, value %d (%v): fast n %d mean %x m2 %x, Welford n %d mean %x m2 %x",
					step+1, i, v[i], fn, math.Float64bits(fm), math.Float64bits(m2At(fast, i)),
					sn, math.Float64bits(sm), math.Float64bits(slow.m2[i]))
			}
		}
		if step == 1 {
			for i := range v { // the counts made: the same numbers as Welford's
				if fast.n[i] != slow.n[i] || math.Float64bits(fast.mean[i]) != math.Float64bits(slow.mean[i]) {
					t.Errorf("after add 2, value %d: n %d mean %x, Welford n %d mean %x", i, fast.n[i],
						math.Float64bits(fast.mean[i]), slow.n[i], math.Float64bits(slow.mean[i]))
				}
			}
		}
	}
	if _, m := fast.at(0); math.Signbit(m) {
		t.Errorf("mean of a first -0 = -0, want +0 as Welford's 0 + (-0)")
	}
}
