package analysis

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// ishigami is the Ishigami function (Ishigami & Homma 1990) with a = 7,
// b = 0.1 on x_i uniform on [-pi, pi]. Its analytic indices are
// S1 = (0.3139, 0.4424, 0) and ST = (0.5576, 0.4424, 0.2437).
func ishigami(x []float64) float64 {
	const a, b = 7, 0.1
	return math.Sin(x[0]) + a*math.Pow(math.Sin(x[1]), 2) + b*math.Pow(x[2], 4)*math.Sin(x[0])
}

// ishigamiTruth computes the analytic indices of ishigami (a = 7, b = 0.1).
func ishigamiTruth() (s1, st []float64) {
	const a, b = 7.0, 0.1
	pi4 := math.Pow(math.Pi, 4)
	v1 := 0.5 * math.Pow(1+b*pi4/5, 2)
	v2 := a * a / 8
	v13 := b * b * math.Pow(math.Pi, 8) * (1.0/18 - 1.0/50)
	v := v1 + v2 + v13
	return []float64{v1 / v, v2 / v, 0}, []float64{(v1 + v13) / v, v2 / v, v13 / v}
}

// gFunc is Sobol's G function (Sobol' 1993; Saltelli & Sobol' 1995) on x_i
// uniform on [0, 1].
func gFunc(a []float64) func([]float64) float64 {
	return func(x []float64) float64 {
		p := 1.0
		for i, ai := range a {
			p *= (math.Abs(4*x[i]-2) + ai) / (1 + ai)
		}
		return p
	}
}

// gTruth: V_i = (1/3)/(1+a_i)^2, V = prod(1+V_i) - 1, S_i = V_i/V,
// ST_i = V_i prod_{j != i}(1+V_j) / V.
func gTruth(a []float64) (s1, st []float64) {
	vi := make([]float64, len(a))
	prod := 1.0
	for i, ai := range a {
		vi[i] = (1.0 / 3) / ((1 + ai) * (1 + ai))
		prod *= 1 + vi[i]
	}
	v := prod - 1
	for i := range a {
		s1 = append(s1, vi[i]/v)
		st = append(st, vi[i]*prod/(1+vi[i])/v)
	}
	return s1, st
}

func uniformFactors(k int, lo, hi float64) []Factor {
	f := make([]Factor, k)
	for i := range f {
		f[i] = Factor{Name: "x" + string(rune('1'+i)), Dist: Uniform{Lo: lo, Hi: hi}}
	}
	return f
}

func evaluate(d *SobolDesign, f func([]float64) float64) []float64 {
	y := make([]float64, len(d.Points))
	for p, pt := range d.Points {
		y[p] = f(pt.X)
	}
	return y
}

// checkAgainstTruth asserts every estimate is within tol of the truth and
// counts how many intervals cover the truth.
func checkAgainstTruth(t *testing.T, res *SobolResult, s1, st []float64, tol float64) (covered, total int) {
	t.Helper()
	for i, ix := range res.Indices {
		if math.Abs(ix.S1-s1[i]) > tol {
			t.Errorf("%s: S1 = %.4f, analytic %.4f (tolerance %.2f)", ix.Factor, ix.S1, s1[i], tol)
		}
		if math.Abs(ix.ST-st[i]) > tol {
			t.Errorf("%s: ST = %.4f, analytic %.4f (tolerance %.2f)", ix.Factor, ix.ST, st[i], tol)
		}
		if !(ix.S1Lo <= ix.S1 && ix.S1 <= ix.S1Hi && ix.STLo <= ix.ST && ix.ST <= ix.STHi) {
			t.Errorf("%s: estimates outside their own intervals: S1 %.4f [%.4f, %.4f], ST %.4f [%.4f, %.4f]",
				ix.Factor, ix.S1, ix.S1Lo, ix.S1Hi, ix.ST, ix.STLo, ix.STHi)
		}
		if ix.S1Lo <= s1[i] && s1[i] <= ix.S1Hi {
			covered++
		}
		if ix.STLo <= st[i] && st[i] <= ix.STHi {
			covered++
		}
		total += 2
		t.Logf("%s: S1 %.4f [%.4f, %.4f] (truth %.4f)  ST %.4f [%.4f, %.4f] (truth %.4f)",
			ix.Factor, ix.S1, ix.S1Lo, ix.S1Hi, s1[i], ix.ST, ix.STLo, ix.STHi, st[i])
	}
	return covered, total
}

// TestSobolIshigami checks the estimates against the analytic indices of the
// Ishigami function, on both base samplings and several seeds: each estimate
// within 0.03 of the truth, and the 95% intervals covering the truth in at
// least 80% of the cases (their nominal coverage is 95%; with 36 intervals
// an exact count would be a coin toss on the seeds chosen).
func TestSobolIshigami(t *testing.T) {
	s1, st := ishigamiTruth()
	covered, total := 0, 0
	for _, sampling := range []BaseSampling{LatinHypercube, ScrambledHalton} {
		for _, seed := range []uint64{1, 2, 3} {
			d, err := NewSobolDesign(uniformFactors(3, -math.Pi, math.Pi), 1<<13, sampling, seed)
			if err != nil {
				t.Fatal(err)
			}
			res, err := d.Estimate(evaluate(d, ishigami), SobolOptions{Seed: seed, Bootstrap: 300})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v seed %d:", sampling, seed)
			c, n := checkAgainstTruth(t, res, s1, st, 0.03)
			covered += c
			total += n
		}
	}
	t.Logf("intervals covering the truth: %d of %d", covered, total)
	if float64(covered) < 0.8*float64(total) {
		t.Errorf("intervals cover the truth %d times of %d; want at least 80%%", covered, total)
	}
}

// TestSobolGFunction checks the estimates against the analytic indices of
// Sobol's G function with a = (0, 1, 4.5, 9, 99, 99).
func TestSobolGFunction(t *testing.T) {
	a := []float64{0, 1, 4.5, 9, 99, 99}
	s1, st := gTruth(a)
	covered, total := 0, 0
	for _, seed := range []uint64{7, 8} {
		d, err := NewSobolDesign(uniformFactors(len(a), 0, 1), 1<<13, ScrambledHalton, seed)
		if err != nil {
			t.Fatal(err)
		}
		res, err := d.Estimate(evaluate(d, gFunc(a)), SobolOptions{Seed: seed, Bootstrap: 300})
		if err != nil {
			t.Fatal(err)
		}
		c, n := checkAgainstTruth(t, res, s1, st, 0.03)
		covered += c
		total += n
	}
	t.Logf("intervals covering the truth: %d of %d", covered, total)
	if float64(covered) < 0.8*float64(total) {
		t.Errorf("intervals cover the truth %d times of %d; want at least 80%%", covered, total)
	}
}

// TestSobolConvergence checks the convergence table: three rows of N/4, N/2
// and N rows, the last equal to the reported indices, and the error at N no
// larger than at N/4 by more than noise on the Ishigami function.
func TestSobolConvergence(t *testing.T) {
	d, err := NewSobolDesign(uniformFactors(3, -math.Pi, math.Pi), 4096, ScrambledHalton, 5)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Estimate(evaluate(d, ishigami), SobolOptions{Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Convergence) != 3 || res.Convergence[0].Rows != 1024 || res.Convergence[1].Rows != 2048 || res.Convergence[2].Rows != 4096 {
		t.Fatalf("convergence table %+v; want rows 1024, 2048, 4096", res.Convergence)
	}
	for i, ix := range res.Indices {
		if res.Convergence[2].S1[i] != ix.S1 || res.Convergence[2].ST[i] != ix.ST {
			t.Errorf("%s: last convergence row (%v, %v) differs from the indices (%v, %v)", ix.Factor, res.Convergence[2].S1[i], res.Convergence[2].ST[i], ix.S1, ix.ST)
		}
		if !math.IsNaN(ix.S1Lo) {
			t.Errorf("%s: interval %v without bootstrap; want NaN", ix.Factor, ix.S1Lo)
		}
	}
	// The first quarter on its own equals a design of N/4 rows estimated
	// directly.
	fA, fB, fAB := split(d, evaluate(d, ishigami), 1024, -1)
	q, err := EstimateSobol([]string{"x1", "x2", "x3"}, fA, fB, fAB, SobolOptions{Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range q.Indices {
		if q.Indices[i].S1 != res.Convergence[0].S1[i] || q.Indices[i].ST != res.Convergence[0].ST[i] {
			t.Errorf("factor %d: first quarter (%v, %v) differs from the estimate on 1024 rows (%v, %v)", i, res.Convergence[0].S1[i], res.Convergence[0].ST[i], q.Indices[i].S1, q.Indices[i].ST)
		}
	}
}

// split returns the A, B and AB_i outputs of the first n rows of y, leaving
// out row skip (-1 for none).
func split(d *SobolDesign, y []float64, n, skip int) (fA, fB []float64, fAB [][]float64) {
	k := len(d.Factors)
	fAB = make([][]float64, k)
	for j := range n {
		if j == skip {
			continue
		}
		blk := y[j*(k+2) : (j+1)*(k+2)]
		fA = append(fA, blk[0])
		fB = append(fB, blk[1])
		for i := range k {
			fAB[i] = append(fAB[i], blk[2+i])
		}
	}
	return fA, fB, fAB
}

// TestSobolMissingRefused checks that a NaN output stops the estimate with
// an error naming the point's row and matrix.
func TestSobolMissingRefused(t *testing.T) {
	d, err := NewSobolDesign(uniformFactors(3, -math.Pi, math.Pi), 64, LatinHypercube, 1)
	if err != nil {
		t.Fatal(err)
	}
	y := evaluate(d, ishigami)
	y[5*5+3] = math.NaN()  // row 5, AB_2
	y[9*5+0] = math.Inf(1) // row 9, A
	_, err = d.Estimate(y, SobolOptions{})
	var me *MissingError
	if !errors.As(err, &me) {
		t.Fatalf("error %v; want a *MissingError", err)
	}
	if len(me.Points) != 2 || me.Points[0].Row != 5 || me.Points[0].Matrix != MatrixAB || me.Points[0].Factor != 1 ||
		me.Points[1].Row != 9 || me.Points[1].Matrix != MatrixA {
		t.Errorf("failing points %+v; want row 5 AB_2 and row 9 A", me.Points)
	}
	for _, want := range []string{"2 of 320 design points", `row 5 AB_2 ("x2") = NaN`, "row 9 A = +Inf", "DropBlocks"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// TestSobolDropBlocks checks that DropBlocks gives exactly the result of a
// clean estimate on the design without the failing row, and says which rows
// it dropped.
func TestSobolDropBlocks(t *testing.T) {
	d, err := NewSobolDesign(uniformFactors(3, -math.Pi, math.Pi), 256, ScrambledHalton, 3)
	if err != nil {
		t.Fatal(err)
	}
	y := evaluate(d, ishigami)
	clean := append([]float64(nil), y...)
	y[17*5+1] = math.NaN() // row 17, B
	y[17*5+4] = math.NaN() // row 17, AB_3
	opt := SobolOptions{Missing: DropBlocks, Seed: 4, Bootstrap: 200}
	got, err := d.Estimate(y, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Dropped, []int{17}) || got.Rows != 255 {
		t.Errorf("dropped %v, rows %d; want [17], 255", got.Dropped, got.Rows)
	}
	fA, fB, fAB := split(d, clean, 256, 17)
	want, err := EstimateSobol([]string{"x1", "x2", "x3"}, fA, fB, fAB, opt)
	if err != nil {
		t.Fatal(err)
	}
	want.Dropped = []int{17}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DropBlocks result\n%+v\nwant the clean result without row 17\n%+v", got, want)
	}
	full, err := d.Estimate(clean, opt)
	if err != nil {
		t.Fatal(err)
	}
	if full.Indices[0].S1 == got.Indices[0].S1 {
		t.Errorf("dropping row 17 left S1 unchanged (%v): the row was not dropped", full.Indices[0].S1)
	}
}

// TestSobolDeterministic checks that the same seeds give identical designs
// and indices, and another seed other ones.
func TestSobolDeterministic(t *testing.T) {
	run := func(seed uint64, s BaseSampling) *SobolResult {
		d, err := NewSobolDesign(uniformFactors(3, -math.Pi, math.Pi), 512, s, seed)
		if err != nil {
			t.Fatal(err)
		}
		res, err := d.Estimate(evaluate(d, ishigami), SobolOptions{Seed: seed, Bootstrap: 100})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, s := range []BaseSampling{LatinHypercube, ScrambledHalton} {
		a, b := run(11, s), run(11, s)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%v: two runs with seed 11 differ:\n%+v\n%+v", s, a, b)
		}
		if c := run(12, s); reflect.DeepEqual(a.Indices, c.Indices) {
			t.Errorf("%v: seeds 11 and 12 give identical indices", s)
		}
	}
}

// TestSobolDesignLayout checks the documented order of points and the AB_i
// construction: A_j, B_j, then AB_i equal to A with column i from B.
func TestSobolDesignLayout(t *testing.T) {
	f := []Factor{
		{Name: "u", Dist: Uniform{Lo: 2, Hi: 4}},
		{Name: "l", Dist: LogUniform{Lo: 1, Hi: 100}},
		{Name: "n", Dist: Normal{Mu: 10, Sigma: 2}},
		{Name: "d", Dist: Discrete{Values: []float64{1, 5, 9}}},
	}
	d, err := NewSobolDesign(f, 16, LatinHypercube, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Points) != 16*6 {
		t.Fatalf("%d points; want 96", len(d.Points))
	}
	for j := range 16 {
		a, b := d.Points[j*6], d.Points[j*6+1]
		if a.Row != j || a.Matrix != MatrixA || b.Row != j || b.Matrix != MatrixB {
			t.Fatalf("row %d: points %+v, %+v; want A then B", j, a, b)
		}
		for i := range 4 {
			ab := d.Points[j*6+2+i]
			if ab.Row != j || ab.Matrix != MatrixAB || ab.Factor != i {
				t.Fatalf("row %d point %d: %+v; want AB_%d", j, 2+i, ab, i+1)
			}
			for c := range 4 {
				want := a.Unit[c]
				if c == i {
					want = b.Unit[c]
				}
				if ab.Unit[c] != want {
					t.Errorf("row %d AB_%d column %d = %v; want %v", j, i+1, c, ab.Unit[c], want)
				}
			}
		}
		for _, p := range d.Points[j*6 : j*6+6] {
			for c, fc := range f {
				if got := fc.Dist.Quantile(p.Unit[c]); got != p.X[c] {
					t.Errorf("point %+v: X[%d] = %v; want %v", p, c, p.X[c], got)
				}
			}
		}
	}
}
