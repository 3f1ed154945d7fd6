package reports

import (
	"math"
	"testing"
)

// TestRepLineFirstAddMatchesWelford checks that the first replication's
// fast path leaves the same bits as Welford's update (-0 becomes +0 in the
// mean, m2 stays +0), and that later replications continue alike.
func TestRepLineFirstAddMatchesWelford(t *testing.T) {
	first := []float64{math.Copysign(0, -1), 0, math.NaN(), math.Inf(1), math.Inf(-1), 5e-324, -3.5, 1e308, -1e-300, 7}
	second := []float64{1, math.Copysign(0, -1), 2, 3, math.NaN(), -5e-324, 4, -1e308, 2e-300, math.Inf(1)}
	mk := func() *repLine {
		n := len(first)
		return &repLine{n: make([]int32, n), mean: make([]float64, n), m2: make([]float64, n)}
	}
	fast, slow := mk(), mk()
	slow.added = true // the general update from zero state
	for step, v := range [][]float64{first, second} {
		fast.add(v)
		slow.add(v)
		for i := range v {
			if fast.n[i] != slow.n[i] ||
				math.Float64bits(fast.mean[i]) != math.Float64bits(slow.mean[i]) ||
				math.Float64bits(fast.m2[i]) != math.Float64bits(slow.m2[i]) {
				t.Errorf("after add %d, value %d (%v): fast n %d mean %x m2 %x, Welford n %d mean %x m2 %x",
					step+1, i, v[i], fast.n[i], math.Float64bits(fast.mean[i]), math.Float64bits(fast.m2[i]),
					slow.n[i], math.Float64bits(slow.mean[i]), math.Float64bits(slow.m2[i]))
			}
		}
	}
	if math.Signbit(fast.mean[0]) {
		t.Errorf("mean of a first -0 = -0, want +0 as Welford's 0 + (-0)")
	}
}
