package analysis

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Dist is a factor's distribution. Quantile maps a point u of the unit
// interval to the factor's value by the inverse cumulative distribution
// function; designs are built on the unit hypercube and mapped through it.
// The set of distributions is closed: Uniform, LogUniform, Normal and
// Discrete.
type Dist interface {
	// Quantile returns the value whose cumulative probability is u, for u
	// in [0, 1].
	Quantile(u float64) float64
	// String describes the distribution and its parameters.
	String() string
	// check reports why the parameters are invalid, or nil.
	check() error
}

// Uniform is the uniform distribution on [Lo, Hi], in the factor's units.
type Uniform struct {
	Lo, Hi float64
}

// Quantile returns Lo + u (Hi - Lo).
func (d Uniform) Quantile(u float64) float64 { return d.Lo + u*(d.Hi-d.Lo) }

// String returns "uniform(lo, hi)".
func (d Uniform) String() string { return "uniform(" + num(d.Lo) + ", " + num(d.Hi) + ")" }

func (d Uniform) check() error {
	if !finite(d.Lo) || !finite(d.Hi) || d.Lo >= d.Hi {
		return fmt.Errorf("%v: lo and hi must be finite with lo < hi", d)
	}
	return nil
}

// LogUniform is the distribution whose logarithm is uniform on
// [log Lo, log Hi], in the factor's units; Lo must be positive.
type LogUniform struct {
	Lo, Hi float64
}

// Quantile returns Lo (Hi/Lo)^u.
func (d LogUniform) Quantile(u float64) float64 {
	return math.Exp(math.Log(d.Lo) + u*(math.Log(d.Hi)-math.Log(d.Lo)))
}

// String returns "log-uniform(lo, hi)".
func (d LogUniform) String() string {
	return "log-uniform(" + num(d.Lo) + ", " + num(d.Hi) + ")"
}

func (d LogUniform) check() error {
	if !finite(d.Lo) || !finite(d.Hi) || d.Lo <= 0 || d.Lo >= d.Hi {
		return fmt.Errorf("%v: lo and hi must be finite with 0 < lo < hi", d)
	}
	return nil
}

// Normal is the normal distribution with mean Mu and standard deviation
// Sigma, in the factor's units.
type Normal struct {
	Mu, Sigma float64
}

// Quantile returns the normal quantile at u; u is kept strictly inside
// (0, 1) so that the value stays finite.
func (d Normal) Quantile(u float64) float64 {
	const eps = 1e-300
	u = math.Min(math.Max(u, eps), math.Nextafter(1, 0))
	return distuv.Normal{Mu: d.Mu, Sigma: d.Sigma}.Quantile(u)
}

// String returns "normal(mu, sigma)".
func (d Normal) String() string { return "normal(" + num(d.Mu) + ", " + num(d.Sigma) + ")" }

func (d Normal) check() error {
	if !finite(d.Mu) || !finite(d.Sigma) || d.Sigma <= 0 {
		return fmt.Errorf("%v: mu must be finite and sigma finite and > 0", d)
	}
	return nil
}

// Discrete is the uniform distribution over a list of values, in the
// factor's units: u in [j/n, (j+1)/n) maps to Values[j].
type Discrete struct {
	Values []float64
}

// Quantile returns Values[floor(u n)], the last value for u = 1.
func (d Discrete) Quantile(u float64) float64 {
	n := len(d.Values)
	j := int(u * float64(n))
	j = min(max(j, 0), n-1)
	return d.Values[j]
}

// String returns "discrete(v1, v2, ...)".
func (d Discrete) String() string {
	s := make([]string, len(d.Values))
	for i, v := range d.Values {
		s[i] = num(v)
	}
	return "discrete(" + strings.Join(s, ", ") + ")"
}

func (d Discrete) check() error {
	if len(d.Values) == 0 {
		return fmt.Errorf("discrete(): needs at least one value")
	}
	for i, v := range d.Values {
		if !finite(v) {
			return fmt.Errorf("%v: value %d is %v; values must be finite", d, i+1, v)
		}
	}
	return nil
}

// Factor is one input of a sensitivity analysis: a name (in depinsim, a
// --set path) and the distribution its values are drawn from.
type Factor struct {
	Name string
	Dist Dist
}

// Validate reports, naming the factor, why it cannot be used: an empty name,
// a missing distribution or parameters outside what the distribution allows.
func (f Factor) Validate() error {
	if f.Name == "" {
		return fmt.Errorf("factor with an empty name: every factor needs a name")
	}
	if f.Dist == nil {
		return fmt.Errorf("factor %q: no distribution (allowed: uniform, log-uniform, normal, discrete)", f.Name)
	}
	if err := f.Dist.check(); err != nil {
		return fmt.Errorf("factor %q: %w", f.Name, err)
	}
	return nil
}

// validateFactors checks each factor and that names are unique.
func validateFactors(factors []Factor) error {
	if len(factors) == 0 {
		return fmt.Errorf("no factors: a design needs at least one")
	}
	seen := make(map[string]int, len(factors))
	for i, f := range factors {
		if err := f.Validate(); err != nil {
			return err
		}
		if j, dup := seen[f.Name]; dup {
			return fmt.Errorf("factor %q: listed twice (factors %d and %d); names must be unique", f.Name, j+1, i+1)
		}
		seen[f.Name] = i
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
