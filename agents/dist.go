package agents

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// Dist is a probability distribution as written in a scenario file, e.g.
// { kind = "lognormal", median = 48, sigma = 1.2 }. The unit is the unit
// of the key that holds it (hours for lifetime_hours, and so on).
//
// Kinds and their fields:
//   - "const": value
//   - "uniform": min, max
//   - "exponential": mean
//   - "lognormal": median, sigma (of the underlying normal)
//   - "pareto": min (scale), alpha (shape > 0); heavy-tailed
//   - "choice": values, weights (weights optional: equal)
//
// Optional for every kind: cap (upper truncation: draws above it become
// cap; 0 means none).
type Dist struct {
	Kind    string    `toml:"kind"`
	Value   float64   `toml:"value,omitempty"`
	Min     float64   `toml:"min,omitempty"`
	Max     float64   `toml:"max,omitempty"`
	Mean    float64   `toml:"mean,omitempty"`
	Median  float64   `toml:"median,omitempty"`
	Sigma   float64   `toml:"sigma,omitempty"`
	Alpha   float64   `toml:"alpha,omitempty"`
	Values  []float64 `toml:"values,omitempty"`
	Weights []float64 `toml:"weights,omitempty"`
	Cap     float64   `toml:"cap,omitempty"`
}

// Const returns the distribution that always yields v.
func Const(v float64) Dist { return Dist{Kind: "const", Value: v} }

// Validate checks the fields of the kind; the error names the field.
func (d *Dist) Validate() error {
	fin := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch d.Kind {
	case "const":
		if !fin(d.Value) {
			return fmt.Errorf("value: must be finite, got %v", d.Value)
		}
	case "uniform":
		if !fin(d.Min) || !fin(d.Max) || d.Max < d.Min {
			return fmt.Errorf("min, max: must be finite with min <= max, got min=%v max=%v", d.Min, d.Max)
		}
	case "exponential":
		if !(d.Mean > 0) || !fin(d.Mean) {
			return fmt.Errorf("mean: must be > 0, got %v", d.Mean)
		}
	case "lognormal":
		if !(d.Median > 0) || !fin(d.Median) {
			return fmt.Errorf("median: must be > 0, got %v", d.Median)
		}
		if !(d.Sigma >= 0) || !fin(d.Sigma) {
			return fmt.Errorf("sigma: must be >= 0, got %v", d.Sigma)
		}
	case "pareto":
		if !(d.Min > 0) || !fin(d.Min) {
			return fmt.Errorf("min: must be > 0 (the scale), got %v", d.Min)
		}
		if !(d.Alpha > 0) || !fin(d.Alpha) {
			return fmt.Errorf("alpha: must be > 0, got %v", d.Alpha)
		}
	case "choice":
		if len(d.Values) == 0 {
			return fmt.Errorf("values: must list at least one value")
		}
		if len(d.Weights) != 0 && len(d.Weights) != len(d.Values) {
			return fmt.Errorf("weights: must have as many entries as values (%d), got %d", len(d.Values), len(d.Weights))
		}
		sum := 0.0
		for _, w := range d.Weights {
			if !(w >= 0) || !fin(w) {
				return fmt.Errorf("weights: must be >= 0, got %v", w)
			}
			sum += w
		}
		if len(d.Weights) > 0 && sum <= 0 {
			return fmt.Errorf("weights: must not all be 0")
		}
	default:
		return fmt.Errorf("kind: must be one of const, uniform, exponential, lognormal, pareto, choice; got %q", d.Kind)
	}
	if d.Cap < 0 {
		return fmt.Errorf("cap: must be >= 0, got %v", d.Cap)
	}
	return nil
}

// Sample draws one value using rng. Validate must have passed.
func (d *Dist) Sample(rng *rand.Rand) float64 {
	var v float64
	switch d.Kind {
	case "const":
		v = d.Value
	case "uniform":
		v = d.Min + (d.Max-d.Min)*rng.Float64()
	// exponential and lognormal draw from rng itself what distuv's
	// Exponential and LogNormal would draw through a rand.Rand wrapping
	// it (the same values, TestDistSampleMatchesDistuv)
	case "exponential":
		v = rng.ExpFloat64() / (1 / d.Mean)
	case "lognormal":
		v = math.Exp(rng.NormFloat64()*d.Sigma + math.Log(d.Median))
	case "pareto":
		v = distuv.Pareto{Xm: d.Min, Alpha: d.Alpha, Src: rng}.Rand()
	case "choice":
		if len(d.Weights) == 0 {
			v = d.Values[rng.IntN(len(d.Values))]
		} else {
			v = d.Values[pickWeighted(d.Weights, rng)]
		}
	default:
		panic("agents: Sample on an invalid Dist " + d.Kind)
	}
	if d.Cap > 0 && v > d.Cap {
		v = d.Cap
	}
	return v
}

// Largest returns the largest value a draw can take, cap included
// (+Inf for the unbounded kinds without a cap). Validate must have
// passed.
func (d *Dist) Largest() float64 {
	v := math.Inf(1)
	switch d.Kind {
	case "const":
		v = d.Value
	case "uniform":
		v = d.Max
	case "lognormal":
		if d.Sigma == 0 {
			v = d.Median
		}
	case "choice":
		v = math.Inf(-1)
		for i, x := range d.Values {
			if len(d.Weights) == 0 || d.Weights[i] > 0 {
				v = max(v, x)
			}
		}
	}
	if d.Cap > 0 && v > d.Cap {
		v = d.Cap
	}
	return v
}

// MeanValue returns the distribution's mean (ignoring cap), for plausibility
// warnings. Pareto with alpha <= 1 has an infinite mean.
func (d *Dist) MeanValue() float64 {
	switch d.Kind {
	case "const":
		return d.Value
	case "uniform":
		return (d.Min + d.Max) / 2
	case "exponential":
		return d.Mean
	case "lognormal":
		return d.Median * math.Exp(d.Sigma*d.Sigma/2)
	case "pareto":
		if d.Alpha <= 1 {
			return math.Inf(1)
		}
		return d.Alpha * d.Min / (d.Alpha - 1)
	case "choice":
		if len(d.Weights) == 0 {
			s := 0.0
			for _, v := range d.Values {
				s += v
			}
			return s / float64(len(d.Values))
		}
		s, w := 0.0, 0.0
		for i, v := range d.Values {
			s += v * d.Weights[i]
			w += d.Weights[i]
		}
		return s / w
	}
	return math.NaN()
}

// MeanCapped returns E[min(X, c)] for X drawn from d with d's own cap
// applied (draws above it become it), c > 0; c = +Inf for no cap beyond
// d's: the mean of a lifetime cut at the end of a run, or of the draws a
// cohort really makes. Validate must have passed.
func (d *Dist) MeanCapped(c float64) float64 {
	if d.Cap > 0 {
		c = min(c, d.Cap)
	}
	if math.IsInf(c, 1) {
		return d.MeanValue()
	}
	switch d.Kind {
	case "const":
		return min(d.Value, c)
	case "uniform":
		lo, hi := d.Min, d.Max
		switch {
		case c <= lo:
			return c
		case c >= hi || hi <= lo:
			return (lo + min(hi, c)) / 2
		}
		// E[min(X,c)] = (area below c) + c P(X > c)
		p := (c - lo) / (hi - lo)
		return p*(lo+c)/2 + (1-p)*c
	case "exponential":
		return d.Mean * -math.Expm1(-c/d.Mean)
	case "lognormal":
		mu, s := math.Log(d.Median), d.Sigma
		if s == 0 {
			return min(d.Median, c)
		}
		z := (math.Log(c) - mu) / s
		return math.Exp(mu+s*s/2)*normalCDF(z-s) + c*(1-normalCDF(z))
	case "pareto":
		xm, a := d.Min, d.Alpha
		if c <= xm {
			return c
		}
		if a == 1 {
			return xm + xm*math.Log(c/xm)
		}
		return xm + math.Pow(xm, a)*(math.Pow(c, 1-a)-math.Pow(xm, 1-a))/(1-a)
	case "choice":
		s, w := 0.0, 0.0
		for i, v := range d.Values {
			wi := 1.0
			if len(d.Weights) > 0 {
				wi = d.Weights[i]
			}
			s += wi * min(v, c)
			w += wi
		}
		if w > 0 {
			return s / w
		}
	}
	return c
}

// ShareAtLeast returns P(X >= x) for draws of d with its cap applied
// (the share of a cohort's deployments asking for at least x). Validate
// must have passed.
func (d *Dist) ShareAtLeast(x float64) float64 {
	if d.Cap > 0 && d.Cap < x {
		return 0
	}
	switch d.Kind {
	case "const":
		if d.Value >= x {
			return 1
		}
		return 0
	case "uniform":
		switch {
		case d.Min >= x:
			return 1
		case d.Max < x:
			return 0
		}
		return (d.Max - x) / (d.Max - d.Min)
	case "exponential":
		if x <= 0 {
			return 1
		}
		return math.Exp(-x / d.Mean)
	case "lognormal":
		if x <= 0 {
			return 1
		}
		if d.Sigma == 0 {
			if d.Median >= x {
				return 1
			}
			return 0
		}
		return 1 - normalCDF((math.Log(x)-math.Log(d.Median))/d.Sigma)
	case "pareto":
		if x <= d.Min {
			return 1
		}
		return math.Pow(d.Min/x, d.Alpha)
	case "choice":
		s, w := 0.0, 0.0
		for i, v := range d.Values {
			wi := 1.0
			if len(d.Weights) > 0 {
				wi = d.Weights[i]
			}
			if v >= x {
				s += wi
			}
			w += wi
		}
		if w <= 0 {
			return 0
		}
		return s / w
	}
	return 0
}

// normalCDF is the standard normal distribution function.
func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// pickWeighted returns an index with probability proportional to its weight.
func pickWeighted(w []float64, rng *rand.Rand) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	u := rng.Float64() * total
	for i, x := range w {
		u -= x
		if u < 0 {
			return i
		}
	}
	for i := len(w) - 1; i >= 0; i-- {
		if w[i] > 0 {
			return i
		}
	}
	return len(w) - 1
}
