package analysis

// Morris elementary effects on the unit hypercube [0,1]^k.
//
// Sources:
//   - M. D. Morris (1991), Factorial sampling plans for preliminary
//     computational experiments, Technometrics 33(2):161-174: trajectories on a
//     p-level grid with step Delta = p / (2 (p - 1)), mu and sigma of the
//     elementary effects.
//   - F. Campolongo, J. Cariboni & A. Saltelli (2007), An effective screening
//     design for sensitivity analysis of large models, Environmental Modelling
//     & Software 22:1509-1518: mu*, the mean of the absolute elementary
//     effects.
//   - F. Campolongo, A. Saltelli & J. Cariboni (2011), From screening to
//     quantitative sensitivity analysis. A unified approach, Computer Physics
//     Communications 182:978-988: the radial design, one-at-a-time steps from a
//     base point towards a second point of a quasi-random sequence.
//
// The mapping from [0,1]^k to factor values belongs to the caller.

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/samplemv"
)

// PCG stream constants (the second PCG word) of the Morris designs and of
// the bootstrap, so that the same seed gives independent streams for each.
const (
	morrisTrajectoryStream = 0x6d6f727269737431 // "morrist1"
	morrisRadialStream     = 0x6d6f727269737232 // "morrisr2"
	morrisBootstrapStream  = 0x6d6f727269736233 // "morrisb3"
)

// maxRadialFactors is the largest number of factors of a radial design: its
// base and second points come from a 2k-dimensional Halton sequence, which
// gonum's Owen scrambling supports up to 1000 dimensions.
const maxRadialFactors = 500

// MorrisDesign is a Morris screening design on [0,1]^k: Trajectories groups
// of Factors+1 points each, Trajectories*(Factors+1) points in all.
//
// Points are listed trajectory by trajectory: the points of trajectory t are
// Points[t*(Factors+1)] to Points[t*(Factors+1)+Factors]. Point 0 of a
// trajectory is its base point. Point j+1 (j = 0..Factors-1) differs in the
// single factor Order[t][j] from its reference point: point j for the
// trajectory design (each step starts where the previous one ended), point 0
// for the radial design (every step starts from the base point).
type MorrisDesign struct {
	// Factors is the number of factors k (the dimension of the hypercube).
	Factors int
	// Trajectories is the number of trajectories r (radial: base points).
	Trajectories int
	// Levels is the number of grid levels p of the trajectory design; 0 for
	// the radial design, whose points are not on a grid.
	Levels int
	// Radial is true for the radial design (Campolongo et al. 2011).
	Radial bool
	// Points holds the r (k + 1) points to evaluate, in the order above.
	Points [][]float64
	// Order[t][j] is the factor (0-based) changed at point j+1 of trajectory t.
	Order [][]int
}

// NewMorrisTrajectories returns r Morris trajectories in k factors on a grid
// of p levels {0, 1/(p-1), ..., 1} (p even, at least 2), with step
// Delta = p / (2 (p - 1)) (Morris 1991). Each trajectory starts from a base
// point whose levels are drawn uniformly, then moves each factor once, in a
// random order, by +Delta from the lower half of the levels and by -Delta
// from the upper half, so every level is equally likely at every point.
// The base points and orders come from a PCG seeded with seed.
func NewMorrisTrajectories(k, r, p int, seed uint64) (*MorrisDesign, error) {
	if k < 1 {
		return nil, fmt.Errorf("morris design: factors = %d, want at least 1", k)
	}
	if r < 2 {
		return nil, fmt.Errorf("morris design: trajectories = %d, want at least 2 (sigma needs two elementary effects per factor)", r)
	}
	if p < 2 || p%2 != 0 {
		return nil, fmt.Errorf("morris design: levels = %d, want an even number of at least 2", p)
	}
	rng := rand.New(rand.NewPCG(seed, morrisTrajectoryStream))
	d := &MorrisDesign{Factors: k, Trajectories: r, Levels: p,
		Points: make([][]float64, 0, r*(k+1)), Order: make([][]int, r)}
	half := p / 2
	scale := float64(p - 1)
	level := make([]int, k)
	for t := range r {
		for i := range level {
			level[i] = rng.IntN(p)
		}
		order := rng.Perm(k)
		d.Order[t] = order
		d.Points = append(d.Points, levelsToPoint(level, scale))
		for _, i := range order {
			if level[i] < half {
				level[i] += half
			} else {
				level[i] -= half
			}
			d.Points = append(d.Points, levelsToPoint(level, scale))
		}
	}
	return d, nil
}

func levelsToPoint(level []int, scale float64) []float64 {
	x := make([]float64, len(level))
	for i, l := range level {
		x[i] = float64(l) / scale
	}
	return x
}

// NewMorrisRadial returns a radial design of r base points in k factors
// (Campolongo, Saltelli & Cariboni 2011). Base point a and second point b of
// trajectory t are the two halves of row t of a 2k-dimensional Halton
// sequence scrambled by Owen's method (gonum's samplemv.Halton) from a PCG
// seeded with seed. Point j+1 of the trajectory is a with factor j replaced by
// b_j; factors are stepped in their natural order (Order[t][j] = j).
func NewMorrisRadial(k, r int, seed uint64) (*MorrisDesign, error) {
	if k < 1 || k > maxRadialFactors {
		return nil, fmt.Errorf("morris radial design: factors = %d, want 1 to %d", k, maxRadialFactors)
	}
	if r < 2 {
		return nil, fmt.Errorf("morris radial design: trajectories = %d, want at least 2 (sigma needs two elementary effects per factor)", r)
	}
	u := mat.NewDense(r, 2*k, nil)
	src := rand.NewPCG(seed, morrisRadialStream)
	samplemv.Halton{Kind: samplemv.Owen, Q: distmv.NewUnitUniform(2*k, nil), Src: src}.Sample(u)
	d := &MorrisDesign{Factors: k, Trajectories: r,
		Radial: true, Points: make([][]float64, 0, r*(k+1)), Order: make([][]int, r)}
	for t := range r {
		row := u.RawRowView(t)
		a, b := row[:k], row[k:]
		order := make([]int, k)
		d.Points = append(d.Points, slices.Clone(a))
		for j := range k {
			if a[j] == b[j] {
				return nil, fmt.Errorf("morris radial design: trajectory %d factor %d has a zero step (a = b = %g); try another seed", t, j, a[j])
			}
			order[j] = j
			x := slices.Clone(a)
			x[j] = b[j]
			d.Points = append(d.Points, x)
		}
		d.Order[t] = order
	}
	return d, nil
}

// Point returns point j (0..Factors) of trajectory t.
func (d *MorrisDesign) Point(t, j int) []float64 {
	return d.Points[t*(d.Factors+1)+j]
}

// Evaluate returns f at every point of the design, in the order of Points.
func (d *MorrisDesign) Evaluate(f func(x []float64) float64) []float64 {
	y := make([]float64, len(d.Points))
	for i, x := range d.Points {
		y[i] = f(x)
	}
	return y
}

// reference returns the index within its trajectory of the point that point
// j+1 is compared with.
func (d *MorrisDesign) reference(j int) int {
	if d.Radial {
		return 0
	}
	return j
}

// MorrisMissingError is the error of a missing output (NaN or infinite)
// under the policy Refuse.
type MorrisMissingError struct {
	// Trajectory is the trajectory (0-based) of the missing output.
	Trajectory int
	// Point is the point within the trajectory (0..Factors).
	Point int
	// Index is the point's index in MorrisDesign.Points.
	Index int
	// Value is the output found (NaN or ±Inf).
	Value float64
}

func (e *MorrisMissingError) Error() string {
	return fmt.Sprintf("morris: missing output %v at trajectory %d point %d (design point %d); refusing to compute with missing values (the policy DropBlocks drops such trajectories)",
		e.Value, e.Trajectory, e.Point, e.Index)
}

// MorrisOptions sets the estimation of MorrisAnalyze. The zero value
// refuses missing values and uses 1000 bootstrap resamples, 95% intervals
// and seed 0.
type MorrisOptions struct {
	// Missing is the policy for missing outputs.
	Missing MissingPolicy
	// Bootstrap is the number of bootstrap resamples of the trajectories;
	// 0 means 1000.
	Bootstrap int
	// Level is the confidence level of the intervals, in (0, 1); 0 means 0.95.
	Level float64
	// Seed seeds the PCG of the bootstrap.
	Seed uint64
}

// MorrisIndex holds the Morris measures of one factor, in output units per
// unit of the hypercube (divide by the factor's range to get units per
// factor unit), with percentile bootstrap intervals over trajectories.
type MorrisIndex struct {
	// Factor is the factor's index (0-based).
	Factor int
	// Mu is the mean of the elementary effects (Morris 1991).
	Mu float64
	// MuStar is the mean of their absolute values (Campolongo et al. 2007).
	MuStar float64
	// Sigma is their standard deviation (divisor r - 1; Morris 1991).
	Sigma float64
	// MuCI, MuStarCI and SigmaCI are the bootstrap intervals [low, high].
	MuCI, MuStarCI, SigmaCI [2]float64
}

// MorrisResult is the outcome of MorrisAnalyze.
type MorrisResult struct {
	// Indices holds one entry per factor, in factor order.
	Indices []MorrisIndex
	// Used is the number of trajectories the estimates rest on.
	Used int
	// Dropped lists the trajectories dropped for missing outputs (0-based,
	// ascending); empty under Refuse.
	Dropped []int
	// Effects[u][i] is the elementary effect of factor i in the u-th used
	// trajectory.
	Effects [][]float64
}

// MorrisAnalyze computes mu, mu* and sigma of every factor's elementary
// effects from the outputs y of design d (y[i] is the output at
// d.Points[i]), with percentile bootstrap intervals obtained by resampling
// whole trajectories with replacement. The elementary effect of the factor
// changed at point j+1 is (y(point j+1) - y(reference)) / (x_i(point j+1) -
// x_i(reference)), the reference being point j (trajectories) or the base
// point (radial).
func MorrisAnalyze(d *MorrisDesign, y []float64, opt MorrisOptions) (*MorrisResult, error) {
	k := d.Factors
	if n := d.Trajectories * (k + 1); len(y) != n || len(d.Points) != n {
		return nil, fmt.Errorf("morris: %d outputs for a design of %d points (%d trajectories of %d points), want one output per point",
			len(y), len(d.Points), d.Trajectories, k+1)
	}
	B := opt.Bootstrap
	if B == 0 {
		B = 1000
	}
	if B < 0 {
		return nil, fmt.Errorf("morris: bootstrap = %d resamples, want at least 1 (0 means 1000)", opt.Bootstrap)
	}
	level := opt.Level
	if level == 0 {
		level = 0.95
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("morris: level = %g, want a confidence level in (0, 1)", opt.Level)
	}
	res := &MorrisResult{}
	for t := range d.Trajectories {
		missing := false
		for j := 0; j <= k; j++ {
			idx := t*(k+1) + j
			if v := y[idx]; math.IsNaN(v) || math.IsInf(v, 0) {
				switch opt.Missing {
				case Refuse:
					return nil, &MorrisMissingError{Trajectory: t, Point: j, Index: idx, Value: v}
				case DropBlocks:
					missing = true
				default:
					return nil, fmt.Errorf("morris: unknown missing-value policy %d", opt.Missing)
				}
			}
		}
		if missing {
			res.Dropped = append(res.Dropped, t)
			continue
		}
		ee := make([]float64, k)
		for j, i := range d.Order[t] {
			ref := d.reference(j)
			x1, x0 := d.Point(t, j+1), d.Point(t, ref)
			step := x1[i] - x0[i]
			if step == 0 {
				return nil, fmt.Errorf("morris: broken design: trajectory %d point %d does not move factor %d from point %d", t, j+1, i, ref)
			}
			ee[i] = (y[t*(k+1)+j+1] - y[t*(k+1)+ref]) / step
		}
		res.Effects = append(res.Effects, ee)
	}
	res.Used = len(res.Effects)
	if res.Used < 2 {
		return nil, fmt.Errorf("morris: %d of %d trajectories left after dropping %d with missing outputs (%v), want at least 2",
			res.Used, d.Trajectories, len(res.Dropped), res.Dropped)
	}

	res.Indices = make([]MorrisIndex, k)
	col := make([]float64, res.Used)
	for i := range k {
		for u, ee := range res.Effects {
			col[u] = ee[i]
		}
		mu, muStar, sigma := morrisMeasures(col)
		res.Indices[i] = MorrisIndex{Factor: i, Mu: mu, MuStar: muStar, Sigma: sigma}
	}

	// Percentile bootstrap over trajectories: every resample draws Used
	// trajectories with replacement, the same draw for all factors.
	rng := rand.New(rand.NewPCG(opt.Seed, morrisBootstrapStream))
	boot := make([][3][]float64, k)
	for i := range boot {
		for m := range boot[i] {
			boot[i][m] = make([]float64, B)
		}
	}
	draw := make([]int, res.Used)
	for b := range B {
		for u := range draw {
			draw[u] = rng.IntN(res.Used)
		}
		for i := range k {
			for u, s := range draw {
				col[u] = res.Effects[s][i]
			}
			boot[i][0][b], boot[i][1][b], boot[i][2][b] = morrisMeasures(col)
		}
	}
	lo, hi := (1-level)/2, 1-(1-level)/2
	for i := range k {
		ci := [3]*[2]float64{&res.Indices[i].MuCI, &res.Indices[i].MuStarCI, &res.Indices[i].SigmaCI}
		for m := range 3 {
			s := boot[i][m]
			slices.Sort(s)
			*ci[m] = [2]float64{stat.Quantile(lo, stat.Empirical, s, nil), stat.Quantile(hi, stat.Empirical, s, nil)}
		}
	}
	return res, nil
}

// morrisMeasures returns the mean, the mean absolute value and the standard
// deviation (divisor n - 1) of ee.
func morrisMeasures(ee []float64) (mu, muStar, sigma float64) {
	n := float64(len(ee))
	for _, e := range ee {
		mu += e
		muStar += math.Abs(e)
	}
	mu /= n
	muStar /= n
	var ss float64
	for _, e := range ee {
		ss += (e - mu) * (e - mu)
	}
	return mu, muStar, math.Sqrt(ss / (n - 1))
}

// NoiseShare is the one-way variance decomposition of an output replicated
// at several design points under common random numbers (SeedNoise).
type NoiseShare struct {
	// Within is the within-point variance: the seed noise (ANOVA mean
	// square within points).
	Within float64
	// Between is the between-point variance component: the variance of the
	// points' true means, estimated as (MS between - MS within) / R0 and
	// clamped at 0.
	Between float64
	// Share is Within / (Within + Between), the fraction of the output's
	// variance that is seed noise; 0 when Within is 0.
	Share float64
}

// ErrNoiseInput is wrapped by the errors of SeedNoise on malformed input.
var ErrNoiseInput = errors.New("seed noise: bad input")

// SeedNoise splits the variance of an output into seed noise and the
// variance between design points: y[p] holds the R_p >= 2 replication outputs
// of point p (at least 2 points). It is the ANOVA estimate of the variance
// components of the one-way random-effects model y = m_p + e (Within is the
// variance of e, Between that of m_p; R0 = (N - sum R_p^2 / N) / (n - 1) for n
// points and N outputs, which is R when every point has R replications), so
// a caller can say "Share of this output's variance is seed noise".
func SeedNoise(y [][]float64) (NoiseShare, error) {
	n := len(y)
	if n < 2 {
		return NoiseShare{}, fmt.Errorf("%w: %d design points, want at least 2", ErrNoiseInput, n)
	}
	var N, sumSq float64
	var grand float64
	means := make([]float64, n)
	for p, reps := range y {
		if len(reps) < 2 {
			return NoiseShare{}, fmt.Errorf("%w: point %d has %d replications, want at least 2", ErrNoiseInput, p, len(reps))
		}
		for r, v := range reps {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return NoiseShare{}, fmt.Errorf("%w: point %d replication %d is %v", ErrNoiseInput, p, r, v)
			}
			means[p] += v
		}
		grand += means[p]
		means[p] /= float64(len(reps))
		N += float64(len(reps))
		sumSq += float64(len(reps)) * float64(len(reps))
	}
	grand /= N
	var ssWithin, ssBetween float64
	for p, reps := range y {
		for _, v := range reps {
			ssWithin += (v - means[p]) * (v - means[p])
		}
		ssBetween += float64(len(reps)) * (means[p] - grand) * (means[p] - grand)
	}
	msWithin := ssWithin / (N - float64(n))
	msBetween := ssBetween / float64(n-1)
	r0 := (N - sumSq/N) / float64(n-1)
	ns := NoiseShare{Within: msWithin, Between: math.Max(0, (msBetween-msWithin)/r0)}
	if ns.Within > 0 {
		ns.Share = ns.Within / (ns.Within + ns.Between)
	}
	return ns, nil
}
