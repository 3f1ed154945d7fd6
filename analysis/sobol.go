package analysis

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/samplemv"
)

// BaseSampling names how the base samples on [0,1]^(2k) are drawn.
type BaseSampling int

const (
	// LatinHypercube draws a Latin hypercube sample (gonum
	// samplemv.LatinHypercube).
	LatinHypercube BaseSampling = iota
	// ScrambledHalton draws Owen-scrambled Halton points (gonum
	// samplemv.Halton with kind Owen); at most 500 factors.
	ScrambledHalton
)

// String returns "lhs" or "halton".
func (s BaseSampling) String() string {
	switch s {
	case LatinHypercube:
		return "lhs"
	case ScrambledHalton:
		return "halton"
	}
	return "BaseSampling(" + strconv.Itoa(int(s)) + ")"
}

// Matrix names the matrix of the Saltelli construction a point belongs to.
type Matrix int

const (
	// MatrixA is the first base sample.
	MatrixA Matrix = iota
	// MatrixB is the second base sample.
	MatrixB
	// MatrixAB is A with one column (SobolPoint.Factor) taken from B.
	MatrixAB
)

// SobolPoint is one point of a Sobol design.
type SobolPoint struct {
	// Row is the row of the base samples the point comes from, 0 to N-1.
	Row int
	// Matrix is A, B or AB_i.
	Matrix Matrix
	// Factor is i for a point of AB_i (0-based), -1 for A and B.
	Factor int
	// Unit is the point on the unit hypercube, one coordinate per factor.
	Unit []float64
	// X is the point in factor space: Unit mapped through each factor's
	// distribution.
	X []float64
}

// matrixLabel names a matrix for messages: "A", "B" or "AB_i" with i the
// 1-based factor number and its name, e.g. `AB_2 ("x2")`.
func matrixLabel(m Matrix, i int, names []string) string {
	switch m {
	case MatrixA:
		return "A"
	case MatrixB:
		return "B"
	}
	return fmt.Sprintf("AB_%d (%q)", i+1, names[i])
}

// SobolDesign lists the N (k + 2) points to evaluate for Sobol indices of k
// factors. Points are in row order: for each row j = 0, ..., N-1 the block
// A_j, B_j, AB_1j, ..., AB_kj, so point j (k+2) + 0 is A_j, + 1 is B_j and
// + 2 + i is AB_(i+1)j. The first n rows of the design are therefore a
// prefix of the point list, which the convergence table uses.
type SobolDesign struct {
	// Factors are the design's factors, in column order.
	Factors []Factor
	// N is the number of rows of each base sample.
	N int
	// Sampling is how the base samples were drawn.
	Sampling BaseSampling
	// Seed is the seed of the PCG stream the base samples came from.
	Seed uint64
	// Points are the N (k + 2) points, in the order above.
	Points []SobolPoint
}

// designStream and bootstrapStream tell the design's PCG stream from the
// bootstrap's for one seed.
const (
	designStream    = 0x736f626f6c2d6473 // "sobol-ds"
	bootstrapStream = 0x736f626f6c2d6273 // "sobol-bs"
)

// NewSobolDesign builds the Saltelli design of n rows for factors: base
// samples of n points on [0,1]^(2k) drawn by sampling from a PCG stream
// seeded by seed, A their first k columns and B their last k, and AB_i for
// each factor i. n must be at least 8 (so that the convergence table's first
// N/4 rows hold at least 2).
func NewSobolDesign(factors []Factor, n int, sampling BaseSampling, seed uint64) (*SobolDesign, error) {
	if err := validateFactors(factors); err != nil {
		return nil, err
	}
	k := len(factors)
	if n < 8 {
		return nil, fmt.Errorf("sobol design: N = %d rows; N must be at least 8", n)
	}
	src := rand.NewPCG(seed, designStream)
	base := mat.NewDense(n, 2*k, nil)
	unit := distmv.NewUnitUniform(2*k, nil)
	switch sampling {
	case LatinHypercube:
		samplemv.LatinHypercube{Q: unit, Src: src}.Sample(base)
	case ScrambledHalton:
		if 2*k > 1000 {
			return nil, fmt.Errorf("sobol design: %d factors; scrambled Halton allows at most 500 (1000 dimensions for A and B)", k)
		}
		samplemv.Halton{Kind: samplemv.Owen, Q: unit, Src: src}.Sample(base)
	default:
		return nil, fmt.Errorf("sobol design: base sampling %v; allowed: lhs, halton", sampling)
	}
	d := &SobolDesign{Factors: factors, N: n, Sampling: sampling, Seed: seed,
		Points: make([]SobolPoint, 0, n*(k+2))}
	for j := range n {
		a := base.RawRowView(j)[:k]
		b := base.RawRowView(j)[k:]
		d.Points = append(d.Points, d.point(j, MatrixA, -1, a), d.point(j, MatrixB, -1, b))
		for i := range k {
			ab := append([]float64(nil), a...)
			ab[i] = b[i]
			d.Points = append(d.Points, d.point(j, MatrixAB, i, ab))
		}
	}
	return d, nil
}

func (d *SobolDesign) point(row int, m Matrix, i int, u []float64) SobolPoint {
	unit := append([]float64(nil), u...)
	x := make([]float64, len(unit))
	for c, f := range d.Factors {
		x[c] = f.Dist.Quantile(unit[c])
	}
	return SobolPoint{Row: row, Matrix: m, Factor: i, Unit: unit, X: x}
}

// Estimate computes the Sobol indices from y, the model's output at each of
// d.Points in order (len(y) must be len(d.Points)); see EstimateSobol.
func (d *SobolDesign) Estimate(y []float64, opt SobolOptions) (*SobolResult, error) {
	k := len(d.Factors)
	if len(y) != len(d.Points) {
		return nil, fmt.Errorf("sobol estimate: %d outputs for a design of %d points (N = %d rows of %d)", len(y), len(d.Points), d.N, k+2)
	}
	fA := make([]float64, d.N)
	fB := make([]float64, d.N)
	fAB := make([][]float64, k)
	for i := range fAB {
		fAB[i] = make([]float64, d.N)
	}
	for j := range d.N {
		blk := y[j*(k+2) : (j+1)*(k+2)]
		fA[j], fB[j] = blk[0], blk[1]
		for i := range k {
			fAB[i][j] = blk[2+i]
		}
	}
	names := make([]string, k)
	for i, f := range d.Factors {
		names[i] = f.Name
	}
	return EstimateSobol(names, fA, fB, fAB, opt)
}
