package analysis

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestUnitSampleStratified: a Latin hypercube puts exactly one point in
// each of the n strata of every dimension; Halton points stay in the unit
// cube; the same seed gives the same points and another seed others.
func TestUnitSampleStratified(t *testing.T) {
	const n, d = 50, 3
	for _, s := range []BaseSampling{LatinHypercube, ScrambledHalton} {
		pts, err := UnitSample(n, d, s, 7)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := UnitSample(n, d, s, 7)
		other, _ := UnitSample(n, d, s, 8)
		same, diff := true, false
		for i := range pts {
			for j := range d {
				if pts[i][j] != again[i][j] {
					same = false
				}
				if pts[i][j] != other[i][j] {
					diff = true
				}
				if !(pts[i][j] >= 0 && pts[i][j] <= 1) {
					t.Fatalf("%v: point %d dim %d: %v outside [0, 1]", s, i, j, pts[i][j])
				}
			}
		}
		if !same || !diff {
			t.Errorf("%v: same seed same points %v, other seed other points %v", s, same, diff)
		}
		if s != LatinHypercube {
			continue
		}
		for j := range d {
			seen := make([]bool, n)
			for i := range pts {
				seen[int(pts[i][j]*n)] = true
			}
			for k, ok := range seen {
				if !ok {
					t.Errorf("lhs: dimension %d has no point in stratum %d", j, k)
				}
			}
		}
	}
	if _, err := UnitSample(0, 2, LatinHypercube, 1); err == nil {
		t.Error("0 points: want an error")
	}
}

// TestTruncatedNormalQuantile: the quantiles match the truncated CDF,
// stay within the bounds, and stay precise on an interval far in a tail.
func TestTruncatedNormalQuantile(t *testing.T) {
	for _, d := range []TruncatedNormal{{0, 1, -1, 2}, {5, 2, 0, 4}, {0, 1, 9, 12}, {0, 1, -12, -9}, {3, 0.5, 0, 100}} {
		n := distuv.Normal{Mu: d.Mu, Sigma: d.Sigma}
		prev := math.Inf(-1)
		for _, u := range []float64{0, 0.01, 0.25, 0.5, 0.75, 0.99, 1} {
			x := d.Quantile(u)
			if !(x >= d.Lo && x <= d.Hi) || x < prev {
				t.Fatalf("%+v: quantile(%v) = %v: outside the bounds or not increasing", d, u, x)
			}
			prev = x
			if math.Abs(d.Lo) < 8 && math.Abs(d.Hi) < 8 {
				got := (n.CDF(x) - n.CDF(d.Lo)) / (n.CDF(d.Hi) - n.CDF(d.Lo))
				if math.Abs(got-u) > 1e-9 {
					t.Errorf("%+v: CDF(quantile(%v)) = %v", d, u, got)
				}
			}
		}
		if m := d.Quantile(0.5); d.Lo == 9 && !(m > 9 && m < 9.2) {
			t.Errorf("%+v: median %v, want just above 9 (mass piles at the near bound)", d, m)
		}
	}
}

// TestABCAccept: the n closest draws in index order, ties to the lower
// index, NaN never; or every draw within eps.
func TestABCAccept(t *testing.T) {
	dist := []float64{5, 1, math.NaN(), 3, 1, 0.5, 9}
	idx, e := ABCAccept(dist, 3, 0)
	if want := []int{1, 4, 5}; !equalInts(idx, want) || e != 1 {
		t.Errorf("n 3: %v epsilon %v, want %v epsilon 1", idx, e, want)
	}
	idx, e = ABCAccept(dist, 2, 0)
	if want := []int{1, 5}; !equalInts(idx, want) || e != 1 {
		t.Errorf("n 2 (a tie at 1): %v epsilon %v, want %v", idx, e, want)
	}
	idx, e = ABCAccept(dist, 0, 3)
	if want := []int{1, 3, 4, 5}; !equalInts(idx, want) || e != 3 {
		t.Errorf("eps 3: %v epsilon %v, want %v", idx, e, want)
	}
	if idx, _ := ABCAccept(dist, 0, 0.1); len(idx) != 0 {
		t.Errorf("eps 0.1: %v, want none", idx)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestQuantileType7 checks the interpolation against hand values.
func TestQuantileType7(t *testing.T) {
	v := []float64{4, 1, 3, 2}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {1, 4}, {0.5, 2.5}, {0.25, 1.75}, {0.975, 3.925}} {
		if got := Quantile(v, c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if v[0] != 4 || !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("the input changed, or no values gave a number")
	}
}
