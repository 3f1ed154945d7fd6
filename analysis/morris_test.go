package analysis

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func trajectoryAndRadial(t *testing.T, k, r int, seed uint64) map[string]*MorrisDesign {
	t.Helper()
	traj, err := NewMorrisTrajectories(k, r, 4, seed)
	if err != nil {
		t.Fatal(err)
	}
	rad, err := NewMorrisRadial(k, r, seed)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*MorrisDesign{"trajectories": traj, "radial": rad}
}

// TestMorrisDesignShape: r (k + 1) points in [0,1]^k; each point j+1 differs
// from its reference in exactly the factor Order[t][j], every factor once per
// trajectory; trajectory steps are +-Delta on the p-level grid.
func TestMorrisDesignShape(t *testing.T) {
	const k, r = 5, 7
	for name, d := range trajectoryAndRadial(t, k, r, 3) {
		if len(d.Points) != r*(k+1) {
			t.Fatalf("%s: %d points, want %d", name, len(d.Points), r*(k+1))
		}
		for tr := range r {
			if got := slices.Sorted(slices.Values(d.Order[tr])); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
				t.Fatalf("%s: trajectory %d order %v is not a permutation", name, tr, d.Order[tr])
			}
			for j, i := range d.Order[tr] {
				x1, x0 := d.Point(tr, j+1), d.Point(tr, d.reference(j))
				for m := range k {
					if x1[m] < 0 || x1[m] > 1 {
						t.Fatalf("%s: point outside the unit cube: %v", name, x1)
					}
					if m != i && x1[m] != x0[m] {
						t.Fatalf("%s: trajectory %d point %d moves factor %d besides %d", name, tr, j+1, m, i)
					}
				}
				if !d.Radial {
					if step := math.Abs(x1[i] - x0[i]); math.Abs(step-4.0/6) > 1e-12 {
						t.Fatalf("trajectory %d point %d: step %g, want Delta = 2/3", tr, j+1, step)
					}
				}
			}
		}
	}
}

// TestMorrisLinear: f = sum c_i x_i has every elementary effect equal to c_i,
// so mu = mu* (for c_i >= 0) = c_i, sigma = 0, and degenerate intervals.
func TestMorrisLinear(t *testing.T) {
	c := []float64{3, -2, 0.5, 0, 10}
	f := func(x []float64) float64 {
		var s float64
		for i, v := range x {
			s += c[i] * v
		}
		return s
	}
	const tol = 1e-12
	for name, d := range trajectoryAndRadial(t, len(c), 20, 11) {
		res, err := MorrisAnalyze(d, d.Evaluate(f), MorrisOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for i, ix := range res.Indices {
			if math.Abs(ix.Mu-c[i]) > tol || math.Abs(ix.MuStar-math.Abs(c[i])) > tol || ix.Sigma > tol {
				t.Errorf("%s factor %d: mu %g mu* %g sigma %g, want %g, %g, 0", name, i, ix.Mu, ix.MuStar, ix.Sigma, c[i], math.Abs(c[i]))
			}
			if math.Abs(ix.MuCI[0]-c[i]) > tol || math.Abs(ix.MuCI[1]-c[i]) > tol {
				t.Errorf("%s factor %d: mu interval %v, want [%g, %g]", name, i, ix.MuCI, c[i], c[i])
			}
		}
		if res.Used != 20 || len(res.Dropped) != 0 {
			t.Errorf("%s: used %d dropped %v, want 20 and none", name, res.Used, res.Dropped)
		}
	}
}

// sobolG is Sobol's G function: prod (|4 x_i - 2| + a_i) / (1 + a_i).
func sobolG(a []float64) func(x []float64) float64 {
	return func(x []float64) float64 {
		g := 1.0
		for i, v := range x {
			g *= (math.Abs(4*v-2) + a[i]) / (1 + a[i])
		}
		return g
	}
}

// TestMorrisSobolG: with a = (0, 1, 4.5, 9, 99, 99) mu* ranks the factors
// 1 > 2 > 3 > 4 > {5, 6}, and factors 5 and 6 have mu* near 0, for both
// designs over several seeds; each estimate lies in its bootstrap interval.
func TestMorrisSobolG(t *testing.T) {
	f := sobolG([]float64{0, 1, 4.5, 9, 99, 99})
	for seed := uint64(1); seed <= 5; seed++ {
		for name, d := range trajectoryAndRadial(t, 6, 50, seed) {
			res, err := MorrisAnalyze(d, d.Evaluate(f), MorrisOptions{Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			ms := make([]float64, 6)
			for i, ix := range res.Indices {
				ms[i] = ix.MuStar
				if ix.MuStar < ix.MuStarCI[0] || ix.MuStar > ix.MuStarCI[1] || ix.Sigma < ix.SigmaCI[0] || ix.Sigma > ix.SigmaCI[1] {
					t.Errorf("%s seed %d factor %d: mu* %g sigma %g outside their intervals %v %v", name, seed, i+1, ix.MuStar, ix.Sigma, ix.MuStarCI, ix.SigmaCI)
				}
			}
			if !(ms[0] > ms[1] && ms[1] > ms[2] && ms[2] > ms[3] && ms[3] > ms[4] && ms[3] > ms[5]) {
				t.Errorf("%s seed %d: mu* %v, want 1 > 2 > 3 > 4 > {5, 6}", name, seed, ms)
			}
			if ms[4] > 0.05*ms[0] || ms[5] > 0.05*ms[0] {
				t.Errorf("%s seed %d: mu* of factors 5 and 6 = %g, %g, want near 0 (below 5%% of factor 1's %g)", name, seed, ms[4], ms[5], ms[0])
			}
		}
	}
}

// TestMorrisInteraction: f = x1 x2 (x3 unused) gives sigma > 0 for factors 1
// and 2, and mu* = sigma = 0 for factor 3.
func TestMorrisInteraction(t *testing.T) {
	f := func(x []float64) float64 { return x[0] * x[1] }
	for name, d := range trajectoryAndRadial(t, 3, 30, 5) {
		res, err := MorrisAnalyze(d, d.Evaluate(f), MorrisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if res.Indices[i].Sigma < 0.1 {
				t.Errorf("%s factor %d: sigma %g, want clearly > 0 (interaction)", name, i+1, res.Indices[i].Sigma)
			}
		}
		if ix := res.Indices[2]; ix.MuStar != 0 || ix.Sigma != 0 {
			t.Errorf("%s factor 3: mu* %g sigma %g, want 0 and 0", name, ix.MuStar, ix.Sigma)
		}
	}
}

// TestMorrisMissing: a NaN output is refused by default with an error naming
// the trajectory and point; the drop policy drops whole trajectories, says
// which, and still gives the exact answer on a linear function.
func TestMorrisMissing(t *testing.T) {
	d, err := NewMorrisTrajectories(3, 10, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	y := d.Evaluate(func(x []float64) float64 { return 2*x[0] + x[1] - x[2] })
	y[2*4+3] = math.NaN()  // trajectory 2, point 3
	y[7*4+0] = math.Inf(1) // trajectory 7, point 0
	y[7*4+1] = math.NaN()  // same trajectory again
	_, err = MorrisAnalyze(d, y, MorrisOptions{})
	var me *MorrisMissingError
	if !errors.As(err, &me) || me.Trajectory != 2 || me.Point != 3 || me.Index != 11 {
		t.Fatalf("err = %v, want a MorrisMissingError at trajectory 2 point 3 (design point 11)", err)
	}
	if !strings.Contains(err.Error(), "trajectory 2 point 3") {
		t.Errorf("error %q does not name trajectory 2 point 3", err)
	}
	res, err := MorrisAnalyze(d, y, MorrisOptions{Missing: DropBlocks})
	if err != nil {
		t.Fatal(err)
	}
	if res.Used != 8 || !slices.Equal(res.Dropped, []int{2, 7}) {
		t.Fatalf("used %d dropped %v, want 8 and [2 7]", res.Used, res.Dropped)
	}
	for i, want := range []float64{2, 1, -1} {
		if math.Abs(res.Indices[i].Mu-want) > 1e-9 || res.Indices[i].Sigma > 1e-9 {
			t.Errorf("factor %d: mu %g sigma %g, want %g and 0", i, res.Indices[i].Mu, res.Indices[i].Sigma, want)
		}
	}
	// Dropping all but one trajectory leaves too few.
	for tr := 1; tr < 10; tr++ {
		y[tr*4] = math.NaN()
	}
	if _, err := MorrisAnalyze(d, y, MorrisOptions{Missing: DropBlocks}); err == nil || !strings.Contains(err.Error(), "1 of 10 trajectories left") {
		t.Errorf("err = %v, want too few trajectories left", err)
	}
}

// TestMorrisBadInput: bad sizes, levels and options are refused with the
// value in the message.
func TestMorrisBadInput(t *testing.T) {
	for _, c := range []struct {
		k, r, p int
		want    string
	}{{0, 5, 4, "factors = 0"}, {3, 1, 4, "trajectories = 1"}, {3, 5, 3, "levels = 3"}, {3, 5, 0, "levels = 0"}} {
		if _, err := NewMorrisTrajectories(c.k, c.r, c.p, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewMorrisTrajectories(%d, %d, %d): err = %v, want %q", c.k, c.r, c.p, err, c.want)
		}
	}
	if _, err := NewMorrisRadial(501, 5, 1); err == nil || !strings.Contains(err.Error(), "factors = 501") {
		t.Errorf("NewMorrisRadial(501): err = %v", err)
	}
	d, _ := NewMorrisTrajectories(2, 3, 4, 1)
	if _, err := MorrisAnalyze(d, make([]float64, 8), MorrisOptions{}); err == nil || !strings.Contains(err.Error(), "8 outputs for a design of 9 points") {
		t.Errorf("short y: err = %v", err)
	}
	if _, err := MorrisAnalyze(d, make([]float64, 9), MorrisOptions{Level: 1.5}); err == nil || !strings.Contains(err.Error(), "level = 1.5") {
		t.Errorf("level 1.5: err = %v", err)
	}
}

// TestMorrisDeterministic: the same seeds give the same design and
// estimates; another seed gives another design.
func TestMorrisDeterministic(t *testing.T) {
	f := sobolG([]float64{0, 1, 4.5, 9})
	run := func(seed uint64) (map[string]*MorrisDesign, map[string]*MorrisResult) {
		ds := trajectoryAndRadial(t, 4, 12, seed)
		rs := map[string]*MorrisResult{}
		for name, d := range ds {
			r, err := MorrisAnalyze(d, d.Evaluate(f), MorrisOptions{Seed: seed, Bootstrap: 200})
			if err != nil {
				t.Fatal(err)
			}
			rs[name] = r
		}
		return ds, rs
	}
	d1, r1 := run(9)
	d2, r2 := run(9)
	if !reflect.DeepEqual(d1, d2) || !reflect.DeepEqual(r1, r2) {
		t.Fatal("same seed, different design or estimates")
	}
	d3, _ := run(10)
	for name := range d1 {
		if reflect.DeepEqual(d1[name].Points, d3[name].Points) {
			t.Errorf("%s: seeds 9 and 10 give the same design", name)
		}
	}
}

// TestSeedNoise: noise-free outputs have no seed noise; outputs f(point) +
// N(0, s^2) have a noise share near s^2 / (s^2 + Var f) over many seeds.
func TestSeedNoise(t *testing.T) {
	const n, R = 200, 5
	means := make([]float64, n)
	for p := range means {
		means[p] = float64(p%10) - 4.5 // Var = 8.25 over the points
	}
	clean := make([][]float64, n)
	for p := range clean {
		clean[p] = slices.Repeat([]float64{means[p]}, R)
	}
	ns, err := SeedNoise(clean)
	if err != nil {
		t.Fatal(err)
	}
	if ns.Share != 0 || ns.Within != 0 || math.Abs(ns.Between-8.25*float64(n)/float64(n-1)) > 1e-9 {
		t.Errorf("noise-free: %+v, want share 0, within 0, between %g", ns, 8.25*float64(n)/float64(n-1))
	}

	for _, s := range []float64{0.5, 2, 5} {
		want := s * s / (s*s + 8.25)
		var sum float64
		const seeds = 10
		for seed := range uint64(seeds) {
			rng := rand.New(rand.NewPCG(seed, 1))
			y := make([][]float64, n)
			for p := range y {
				y[p] = make([]float64, R)
				for r := range y[p] {
					y[p][r] = means[p] + s*rng.NormFloat64()
				}
			}
			ns, err := SeedNoise(y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(ns.Share-want) > 0.08 {
				t.Errorf("s = %g seed %d: share %.3f, want %.3f +- 0.08", s, seed, ns.Share, want)
			}
			sum += ns.Share
		}
		if mean := sum / seeds; math.Abs(mean-want) > 0.03 {
			t.Errorf("s = %g: mean share %.3f over %d seeds, want %.3f +- 0.03", s, mean, seeds, want)
		}
	}
}

// TestSeedNoiseBadInput: too few points or replications and non-finite
// outputs are refused, naming the point.
func TestSeedNoiseBadInput(t *testing.T) {
	for _, c := range []struct {
		y    [][]float64
		want string
	}{
		{[][]float64{{1, 2}}, "1 design points"},
		{[][]float64{{1, 2}, {3}}, "point 1 has 1 replications"},
		{[][]float64{{1, 2}, {3, math.NaN()}}, "point 1 replication 1 is NaN"},
	} {
		_, err := SeedNoise(c.y)
		if !errors.Is(err, ErrNoiseInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SeedNoise(%v): err = %v, want %q", c.y, err, c.want)
		}
	}
}
