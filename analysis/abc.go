package analysis

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/gonum/stat/samplemv"
)

const abcStream = 0x6162632d64726177 // "abc-draw"

// UnitSample returns n points of the unit hypercube [0,1]^d drawn by
// sampling (a Latin hypercube or Owen-scrambled Halton points) from a PCG
// stream seeded by seed; the same arguments give the same points.
func UnitSample(n, d int, sampling BaseSampling, seed uint64) ([][]float64, error) {
	if n < 1 || d < 1 {
		return nil, fmt.Errorf("unit sample: %d points of %d dimensions; want n >= 1 and d >= 1", n, d)
	}
	src := rand.NewPCG(seed, abcStream)
	m := mat.NewDense(n, d, nil)
	unit := distmv.NewUnitUniform(d, nil)
	switch sampling {
	case LatinHypercube:
		samplemv.LatinHypercube{Q: unit, Src: src}.Sample(m)
	case ScrambledHalton:
		if d > 1000 {
			return nil, fmt.Errorf("unit sample: %d dimensions; scrambled Halton allows at most 1000", d)
		}
		samplemv.Halton{Kind: samplemv.Owen, Q: unit, Src: src}.Sample(m)
	default:
		return nil, fmt.Errorf("unit sample: sampling %v; allowed: lhs, halton", sampling)
	}
	out := make([][]float64, n)
	for i := range out {
		out[i] = slices.Clone(m.RawRowView(i))
	}
	return out, nil
}

// TruncatedNormal is the normal distribution of mean Mu and standard
// deviation Sigma truncated to [Lo, Hi] (Lo < Hi, Sigma > 0).
type TruncatedNormal struct {
	Mu, Sigma, Lo, Hi float64
}

// Quantile returns the value whose probability under the truncated
// distribution is u in [0, 1]: the normal quantile of
// Phi(a) + u (Phi(b) - Phi(a)), a and b the standardized bounds, computed
// on the lower tail (the distribution mirrored when the interval lies
// above the mean) so that a far interval keeps its precision; clamped to
// [Lo, Hi].
func (d TruncatedNormal) Quantile(u float64) float64 {
	a, b := (d.Lo-d.Mu)/d.Sigma, (d.Hi-d.Mu)/d.Sigma
	sign := 1.0
	if a > 0 {
		// mirror: the interval [-b, -a] lies below the mean
		a, b, u, sign = -b, -a, 1-u, -1
	}
	std := distuv.UnitNormal
	pa, pb := std.CDF(a), std.CDF(b)
	p := pa + u*(pb-pa)
	z := a
	if p > 0 && p < 1 {
		z = std.Quantile(p)
	} else if p >= 1 {
		z = b
	}
	z = min(max(z, a), b)
	return min(max(d.Mu+sign*z*d.Sigma, d.Lo), d.Hi)
}

// ABCAccept returns the indices, in increasing order, of the draws that
// approximate Bayesian computation by rejection accepts given each draw's
// distance, and the threshold epsilon used: with n > 0, the n draws of
// smallest distance (ties broken by the lower index; epsilon is the
// largest accepted distance); else the draws whose distance is at most
// eps (epsilon is eps). A NaN distance is never accepted.
func ABCAccept(dist []float64, n int, eps float64) ([]int, float64) {
	if n > 0 {
		idx := make([]int, 0, len(dist))
		for i, d := range dist {
			if !math.IsNaN(d) {
				idx = append(idx, i)
			}
		}
		slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(dist[i], dist[j]) })
		idx = idx[:min(n, len(idx))]
		e := math.NaN()
		if len(idx) > 0 {
			e = dist[idx[len(idx)-1]]
		}
		slices.Sort(idx)
		return idx, e
	}
	var idx []int
	for i, d := range dist {
		if d <= eps {
			idx = append(idx, i)
		}
	}
	return idx, eps
}

// Quantile returns the p-quantile (0 <= p <= 1) of the values v by linear
// interpolation between order statistics (the sample quantile of type 7:
// position p (n - 1) in the sorted values); NaN for no values. v is not
// changed.
func Quantile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	h := p * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}
