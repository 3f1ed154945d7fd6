package analysis

import (
	"math"
	"strings"
	"testing"
)

// TestDistQuantiles checks the inverse CDFs at known points.
func TestDistQuantiles(t *testing.T) {
	cases := []struct {
		d    Dist
		u    float64
		want float64
	}{
		{Uniform{Lo: 2, Hi: 6}, 0.25, 3},
		{Uniform{Lo: 2, Hi: 6}, 1, 6},
		{LogUniform{Lo: 1, Hi: 100}, 0.5, 10},
		{LogUniform{Lo: 1, Hi: 100}, 0, 1},
		{Normal{Mu: 10, Sigma: 2}, 0.5, 10},
		{Normal{Mu: 10, Sigma: 2}, 0.8413447460685429, 12},
		{Discrete{Values: []float64{1, 5, 9}}, 0, 1},
		{Discrete{Values: []float64{1, 5, 9}}, 0.34, 5},
		{Discrete{Values: []float64{1, 5, 9}}, 0.999, 9},
		{Discrete{Values: []float64{1, 5, 9}}, 1, 9},
	}
	for _, c := range cases {
		if got := c.d.Quantile(c.u); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%v.Quantile(%v) = %v; want %v", c.d, c.u, got, c.want)
		}
	}
	for _, u := range []float64{0, 1} {
		if q := (Normal{Mu: 0, Sigma: 1}).Quantile(u); math.IsInf(q, 0) || math.IsNaN(q) {
			t.Errorf("normal quantile at %v = %v; want finite", u, q)
		}
	}
}

// TestFactorValidate checks that invalid factors are refused with the
// factor's name and what is allowed.
func TestFactorValidate(t *testing.T) {
	cases := []struct {
		f    Factor
		want []string
	}{
		{Factor{Name: "a.b", Dist: Uniform{Lo: 3, Hi: 1}}, []string{`factor "a.b"`, "uniform(3, 1)", "lo < hi"}},
		{Factor{Name: "p", Dist: LogUniform{Lo: 0, Hi: 1}}, []string{`factor "p"`, "log-uniform(0, 1)", "0 < lo < hi"}},
		{Factor{Name: "n", Dist: Normal{Mu: 1, Sigma: 0}}, []string{`factor "n"`, "normal(1, 0)", "sigma finite and > 0"}},
		{Factor{Name: "d", Dist: Discrete{}}, []string{`factor "d"`, "at least one value"}},
		{Factor{Name: "d", Dist: Discrete{Values: []float64{1, math.NaN()}}}, []string{`factor "d"`, "value 2 is NaN"}},
		{Factor{Name: "x"}, []string{`factor "x"`, "uniform, log-uniform, normal, discrete"}},
		{Factor{Dist: Uniform{Lo: 0, Hi: 1}}, []string{"empty name"}},
	}
	for _, c := range cases {
		err := c.f.Validate()
		if err == nil {
			t.Errorf("%+v: no error", c.f)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not contain %q", c.f, err, w)
			}
		}
	}
	if err := (Factor{Name: "ok", Dist: Normal{Mu: 0, Sigma: 1}}).Validate(); err != nil {
		t.Errorf("valid factor refused: %v", err)
	}
	_, err := NewSobolDesign([]Factor{{Name: "x", Dist: Uniform{Lo: 0, Hi: 1}}, {Name: "x", Dist: Uniform{Lo: 0, Hi: 1}}}, 16, LatinHypercube, 1)
	if err == nil || !strings.Contains(err.Error(), `factor "x": listed twice`) {
		t.Errorf("duplicate names: error %v; want one naming the factor", err)
	}
	if _, err := NewSobolDesign([]Factor{{Name: "x", Dist: Uniform{Lo: 0, Hi: 1}}}, 4, LatinHypercube, 1); err == nil || !strings.Contains(err.Error(), "at least 8") {
		t.Errorf("N = 4: error %v; want one naming the minimum", err)
	}
}
