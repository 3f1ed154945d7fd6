package analysis

import (
	"math"
	"slices"
	"testing"
)

func sphere(c []float64) func(u []float64) float64 {
	return func(u []float64) float64 {
		s := 0.0
		for i := range u {
			s += (u[i] - c[i]) * (u[i] - c[i])
		}
		return s
	}
}

// rosenbrock on the unit cube mapped to [-2, 2]^d: minimum 0 at u = 0.75.
func rosenbrock(u []float64) float64 {
	s := 0.0
	for i := 0; i+1 < len(u); i++ {
		x, y := 4*u[i]-2, 4*u[i+1]-2
		s += 100*(y-x*x)*(y-x*x) + (1-x)*(1-x)
	}
	return s
}

func TestReflect(t *testing.T) {
	for _, c := range []struct{ z, u float64 }{{0.3, 0.3}, {1.2, 0.8}, {-0.25, 0.25}, {2.5, 0.5}, {-1.5, 0.5}, {1, 1}, {0, 0}, {3, 1}} {
		if got := Reflect(c.z); math.Abs(got-c.u) > 1e-12 {
			t.Errorf("Reflect(%v) = %v, want %v", c.z, got, c.u)
		}
	}
}

func TestMinimizeShiftedSphere(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		c := []float64{0.2, 0.7, 0.45}
		r, err := Minimize(sphere(c), MinimizeSettings{Start: []float64{0.9, 0.1, 0.9}, Generations: 40, Polish: 60, Seed: seed}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c {
			if math.Abs(r.U[i]-c[i]) > 1e-3 {
				t.Errorf("seed %d: u = %v, want %v (f %g)", seed, r.U, c, r.F)
				break
			}
		}
		if r.Evaluations != len(r.History) || r.Evaluations > 40*DefaultPopulation(3)+60 {
			t.Errorf("seed %d: %d evaluations, %d in history", seed, r.Evaluations, len(r.History))
		}
	}
}

func TestMinimizeRosenbrock(t *testing.T) {
	for d := 2; d <= 4; d++ {
		start := make([]float64, d)
		for i := range start {
			start[i] = 0.3
		}
		r, err := Minimize(rosenbrock, MinimizeSettings{Start: start, Generations: 150 * d, Polish: 200, Seed: uint64(d), Step: 0.2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.F > 1e-3 {
			t.Errorf("d = %d: f = %g at %v, want about 0 at 0.75", d, r.F, r.U)
		}
	}
}

func TestMinimizeOnBound(t *testing.T) {
	// The minimum of the sphere centred outside the cube lies on its
	// bounds: u = (1, 0).
	r, err := Minimize(sphere([]float64{1.3, -0.5}), MinimizeSettings{Start: []float64{0.5, 0.5}, Generations: 40, Polish: 40, Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.U[0]-1) > 1e-3 || math.Abs(r.U[1]) > 1e-3 {
		t.Errorf("u = %v, want (1, 0)", r.U)
	}
	for _, e := range r.History {
		for _, u := range e.U {
			if u < 0 || u > 1 {
				t.Fatalf("evaluation %d outside the cube: %v", e.N, e.U)
			}
		}
	}
}

// TestMinimizeConcurrencyInvariant checks that the result and the history
// do not depend on the number of evaluations at once.
func TestMinimizeConcurrencyInvariant(t *testing.T) {
	run := func(conc int) *MinimizeResult {
		var seen []Eval
		r, err := Minimize(rosenbrock, MinimizeSettings{Start: []float64{0.1, 0.9, 0.5}, Generations: 25, Polish: 30, Seed: 7, Concurrent: conc},
			func(e Eval) { seen = append(seen, e) })
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != r.Evaluations {
			t.Fatalf("observe saw %d of %d evaluations", len(seen), r.Evaluations)
		}
		return r
	}
	ref := run(1)
	for _, conc := range []int{2, 3, 8, 32} {
		r := run(conc)
		if r.F != ref.F || !slices.Equal(r.U, ref.U) || r.Evaluations != ref.Evaluations {
			t.Fatalf("concurrent %d: f %v at %v (%d evaluations), want %v at %v (%d)", conc, r.F, r.U, r.Evaluations, ref.F, ref.U, ref.Evaluations)
		}
		for i := range r.History {
			a, b := r.History[i], ref.History[i]
			if a.F != b.F || !slices.Equal(a.U, b.U) || a.Phase != b.Phase || a.Generation != b.Generation {
				t.Fatalf("concurrent %d: evaluation %d differs: %+v, want %+v", conc, i, a, b)
			}
		}
	}
}

func TestMinimizeNaNIsAnError(t *testing.T) {
	_, err := Minimize(func(u []float64) float64 {
		if u[0] > 0.6 {
			return math.NaN()
		}
		return u[0]
	}, MinimizeSettings{Start: []float64{0.5}, Generations: 5, Seed: 1}, nil)
	if err == nil {
		t.Fatal("want an error for a NaN objective")
	}
}
