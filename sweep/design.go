package sweep

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/samplemv"
)

// Value is one swept key's value at a point.
type Value struct {
	// Key is the key path.
	Key string
	// Literal is the value as TOML (what --set reads): key=Literal is
	// the point's override.
	Literal string
}

// Set returns the override "key=literal".
func (v Value) Set() string { return v.Key + "=" + v.Literal }

// Text returns the value for a table cell: a string without its quotes,
// anything else as its TOML literal.
func (v Value) Text() string {
	if s, err := strconv.Unquote(v.Literal); err == nil && strings.HasPrefix(v.Literal, `"`) {
		return s
	}
	return v.Literal
}

// Point is one point of the design: a value per swept key, in the order
// of the sweep's params.
type Point []Value

// Sets returns the point's overrides.
func (p Point) Sets() []string {
	s := make([]string, len(p))
	for i, v := range p {
		s[i] = v.Set()
	}
	return s
}

// String writes the point as "key=value, key=value".
func (p Point) String() string { return strings.Join(p.Sets(), ", ") }

// samplerStream is the PCG stream of the designs that draw (lhs, halton,
// random), seeded with the master seed: distinct from the simulation's
// streams, which derive from the replication seeds.
const samplerStream = 0x73776565702d7631 // "sweep-v1"

// Points lists the design's points, the same for the same sweep file and
// seed:
//
//   - grid: the Cartesian product of the params' values, the last param
//     varying fastest (point 0 takes every param's first value, point 1
//     the last param's second value);
//   - zip: point i takes every param's i-th value;
//   - lhs: Samples points of a Latin hypercube over the unit cube
//     (gonum samplemv.LatinHypercube): each param's range or list is cut
//     into Samples strata of equal probability and each stratum is hit
//     once;
//   - halton: the first Samples points of a Halton sequence scrambled by
//     Owen's method (samplemv.Halton, samplemv.Owen);
//   - random: Samples independent uniform points.
//
// A unit coordinate u maps to a range min + u·(max-min) (log scale:
// min·(max/min)^u; integer: the whole numbers from ceil(min) to
// floor(max), equally likely), and to a list's element floor(u·len).
// The drawing designs use a PCG source seeded with the master seed.
func (sw *Sweep) Points() []Point {
	switch sw.Design {
	case "grid":
		return sw.grid()
	case "zip":
		n := sw.Params[0].count()
		pts := make([]Point, n)
		for i := range pts {
			pts[i] = make(Point, len(sw.Params))
			for j, p := range sw.Params {
				pts[i][j] = p.at(i)
			}
		}
		return pts
	default:
		return sw.sampled()
	}
}

func (sw *Sweep) grid() []Point {
	n := 1
	for _, p := range sw.Params {
		n *= p.count()
	}
	pts := make([]Point, n)
	for i := range pts {
		pt := make(Point, len(sw.Params))
		rest := i
		for j := len(sw.Params) - 1; j >= 0; j-- {
			c := sw.Params[j].count()
			pt[j] = sw.Params[j].at(rest % c)
			rest /= c
		}
		pts[i] = pt
	}
	return pts
}

// Unit returns the design's points in the unit cube (Samples rows, one
// column per param) for the drawing designs lhs, halton and random.
func (sw *Sweep) Unit() *mat.Dense {
	n, d := sw.Samples, len(sw.Params)
	u := mat.NewDense(n, d, nil)
	src := rand.NewPCG(uint64(sw.Seed), samplerStream)
	q := distmv.NewUnitUniform(d, nil)
	switch sw.Design {
	case "lhs":
		samplemv.LatinHypercube{Q: q, Src: src}.Sample(u)
	case "halton":
		samplemv.Halton{Kind: samplemv.Owen, Q: q, Src: src}.Sample(u)
	case "random":
		r := rand.New(src)
		for i := range n {
			for j := range d {
				u.Set(i, j, r.Float64())
			}
		}
	default:
		panic(fmt.Sprintf("sweep: design %q does not draw", sw.Design))
	}
	return u
}

func (sw *Sweep) sampled() []Point {
	u := sw.Unit()
	pts := make([]Point, sw.Samples)
	for i := range pts {
		pt := make(Point, len(sw.Params))
		for j, p := range sw.Params {
			pt[j] = p.unit(u.At(i, j))
		}
		pts[i] = pt
	}
	return pts
}

// at returns the i-th of the param's values (a list's element, or a
// range's step).
func (p Param) at(i int) Value {
	if len(p.Values) > 0 {
		lit, _ := literal(p.Values[i]) // checked by Parse
		return Value{Key: p.Key, Literal: lit}
	}
	lo, hi := *p.Min, *p.Max
	t := 0.0
	if p.Steps > 1 {
		t = float64(i) / float64(p.Steps-1)
	}
	var x float64
	if p.Scale == "log" {
		x = lo * math.Pow(hi/lo, t)
	} else {
		x = lo + t*(hi-lo)
	}
	if i == p.Steps-1 && p.Steps > 1 {
		x = hi // exact end point
	}
	if p.Integer {
		x = math.Min(math.Max(math.Round(x), math.Ceil(lo)), math.Floor(hi))
	}
	return p.number(x)
}

// unit maps the unit coordinate u in [0, 1) to a value.
func (p Param) unit(u float64) Value {
	u = math.Min(math.Max(u, 0), math.Nextafter(1, 0))
	if len(p.Values) > 0 {
		i := min(int(u*float64(len(p.Values))), len(p.Values)-1)
		return p.at(i)
	}
	lo, hi := *p.Min, *p.Max
	if p.Integer {
		a, b := math.Ceil(lo), math.Floor(hi)
		var x float64
		if p.Scale == "log" {
			// equal probability per whole number would ignore the
			// scale: draw on the log scale, then round
			x = math.Round(lo * math.Pow(hi/lo, u))
		} else {
			x = a + math.Floor(u*(b-a+1))
		}
		return p.number(math.Min(math.Max(x, a), b))
	}
	if p.Scale == "log" {
		return p.number(lo * math.Pow(hi/lo, u))
	}
	return p.number(lo + u*(hi-lo))
}

// number returns x as the param's value.
func (p Param) number(x float64) Value {
	if p.Integer {
		return Value{Key: p.Key, Literal: strconv.FormatInt(int64(x), 10)}
	}
	lit, _ := literal(x)
	return Value{Key: p.Key, Literal: lit}
}
