package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// MissingPolicy says what EstimateSobol and MorrisAnalyze do with outputs
// that are NaN or infinite (a failed run, a metric with no value).
type MissingPolicy int

const (
	// Refuse returns a *MissingError naming every failing point; no index
	// is computed. It is the default.
	Refuse MissingPolicy = iota
	// DropBlocks drops each block of the design with a failing point: for
	// Sobol indices its row (its A, B and every AB_i point;
	// SobolResult.Dropped lists the rows dropped), for Morris its trajectory
	// (MorrisResult.Dropped).
	DropBlocks
)

// SobolOptions tunes EstimateSobol. The zero value refuses missing values
// and draws 1000 bootstrap resamples for 95% intervals from seed 0.
type SobolOptions struct {
	// Missing is the policy for NaN or infinite outputs.
	Missing MissingPolicy
	// Bootstrap is the number of bootstrap resamples (rows drawn with
	// replacement); 0 means 1000, a negative number none (no intervals).
	Bootstrap int
	// Level is the confidence level of the intervals, in (0, 1); 0 means
	// 0.95.
	Level float64
	// Seed seeds the PCG stream of the bootstrap.
	Seed uint64
}

// SobolIndex holds one factor's indices and their bootstrap percentile
// intervals (NaN when no bootstrap was asked for).
type SobolIndex struct {
	// Factor is the factor's name.
	Factor string
	// S1 is the first-order index (Saltelli et al. 2010), with its interval
	// [S1Lo, S1Hi].
	S1, S1Lo, S1Hi float64
	// ST is the total-effect index (Jansen 1999), with its interval
	// [STLo, STHi].
	ST, STLo, STHi float64
}

// ConvergenceRow holds the point estimates on the first Rows rows.
type ConvergenceRow struct {
	// Rows is the number of rows used (after any dropped rows are removed).
	Rows int
	// S1 and ST are the indices, one per factor in factor order.
	S1, ST []float64
}

// SobolResult is the outcome of EstimateSobol.
type SobolResult struct {
	// Indices holds one entry per factor, in factor order.
	Indices []SobolIndex
	// Rows is the number of rows used; Dropped the rows dropped by
	// DropBlocks (0-based, ascending).
	Rows    int
	Dropped []int
	// Mean and Variance are the mean and (unbiased) variance of the output
	// over the A and B points of the rows used.
	Mean, Variance float64
	// Bootstrap is the number of resamples and Level the intervals'
	// confidence level.
	Bootstrap int
	Level     float64
	// Convergence holds the estimates on the first N/4, N/2 and N rows
	// used (sizes below 2 are left out).
	Convergence []ConvergenceRow
}

// MissingPoint is one design point whose output is NaN or infinite.
type MissingPoint struct {
	// Row is the point's row (0-based); Matrix and Factor say which matrix
	// (Factor is the 0-based i of AB_i, -1 for A and B).
	Row    int
	Matrix Matrix
	Factor int
	// Value is the output found there.
	Value float64
}

// MissingError is returned under the Refuse policy when outputs are NaN or
// infinite. It names the failing points.
type MissingError struct {
	// Points are the failing points, by row and then A, B, AB_1, ...
	Points []MissingPoint
	// Rows is the number of rows of the design.
	Rows  int
	names []string
}

// Error lists the failing points (the first 20) and the way out.
func (e *MissingError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sobol estimate: %d of %d design points have no value (NaN or infinite output):", len(e.Points), e.Rows*(len(e.names)+2))
	for n, p := range e.Points {
		if n == 20 {
			fmt.Fprintf(&b, " and %d more", len(e.Points)-n)
			break
		}
		sep := ","
		if n == 0 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s row %d %s = %v", sep, p.Row, matrixLabel(p.Matrix, p.Factor, e.names), p.Value)
	}
	b.WriteString("; rerun those points or choose the policy DropBlocks to drop their rows")
	return b.String()
}

// EstimateSobol computes first-order and total-effect Sobol indices of the
// factors named by names from the outputs at the rows of A (fA), B (fB) and
// each AB_i (fAB[i]), all of the same length N.
//
// With V the variance of the outputs of A and B together, the first-order
// index of factor i is the estimator of Saltelli et al. 2010 (Computer
// Physics Communications 181:259-270, Table 2 (b)),
//
//	S_i = (1/N) sum_j fB_j (fAB_ij - fA_j) / V,
//
// applied to the output centred on its mean over A and B (fB_j is replaced
// by fB_j - mean, as SALib does by standardizing the output first). The
// centring leaves the estimator's expectation unchanged, since fAB_ij and
// fA_j have the same distribution, and removes the variance a mean large
// against the output's spread adds (Ishigami's mean is 3.5).
//
// and the total-effect index the estimator of Jansen 1999 (Computer Physics
// Communications 117:35-43; Table 2 (f) of Saltelli et al. 2010),
//
//	ST_i = (1/2N) sum_j (fA_j - fAB_ij)^2 / V.
//
// Intervals are percentile intervals of opt.Bootstrap resamples of rows,
// each recomputing V. NaN or infinite outputs are handled by opt.Missing.
func EstimateSobol(names []string, fA, fB []float64, fAB [][]float64, opt SobolOptions) (*SobolResult, error) {
	k := len(names)
	n := len(fA)
	if k == 0 {
		return nil, fmt.Errorf("sobol estimate: no factors")
	}
	if len(fAB) != k {
		return nil, fmt.Errorf("sobol estimate: %d AB matrices for %d factors", len(fAB), k)
	}
	if len(fB) != n {
		return nil, fmt.Errorf("sobol estimate: %d rows of A but %d of B", n, len(fB))
	}
	for i := range fAB {
		if len(fAB[i]) != n {
			return nil, fmt.Errorf("sobol estimate: %d rows of A but %d of AB_%d (%q)", n, len(fAB[i]), i+1, names[i])
		}
	}
	boot := opt.Bootstrap
	if boot == 0 {
		boot = 1000
	}
	boot = max(boot, 0)
	level := opt.Level
	if level == 0 {
		level = 0.95
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("sobol estimate: confidence level %v; allowed: 0 < level < 1", opt.Level)
	}

	// Missing values.
	var missing []MissingPoint
	for j := range n {
		if !finite(fA[j]) {
			missing = append(missing, MissingPoint{Row: j, Matrix: MatrixA, Factor: -1, Value: fA[j]})
		}
		if !finite(fB[j]) {
			missing = append(missing, MissingPoint{Row: j, Matrix: MatrixB, Factor: -1, Value: fB[j]})
		}
		for i := range k {
			if !finite(fAB[i][j]) {
				missing = append(missing, MissingPoint{Row: j, Matrix: MatrixAB, Factor: i, Value: fAB[i][j]})
			}
		}
	}
	rows := make([]int, 0, n) // rows used, ascending
	var dropped []int
	if len(missing) > 0 {
		switch opt.Missing {
		case Refuse:
			return nil, &MissingError{Points: missing, Rows: n, names: names}
		case DropBlocks:
			for _, p := range missing {
				if len(dropped) == 0 || dropped[len(dropped)-1] != p.Row {
					dropped = append(dropped, p.Row)
				}
			}
		default:
			return nil, fmt.Errorf("sobol estimate: missing-value policy %d; allowed: Refuse, DropBlocks", opt.Missing)
		}
	}
	for j := range n {
		if _, gone := slices.BinarySearch(dropped, j); !gone {
			rows = append(rows, j)
		}
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("sobol estimate: %d rows usable (%d of %d dropped for missing values); at least 2 are needed", len(rows), len(dropped), n)
	}

	e := sobolEstimator{fA: fA, fB: fB, fAB: fAB}
	s1, st, mean, v := e.indices(rows)
	if !(v > 0) {
		return nil, fmt.Errorf("sobol estimate: the output's variance over A and B is %v on %d rows; indices need a varying output", v, len(rows))
	}
	res := &SobolResult{Indices: make([]SobolIndex, k), Rows: len(rows), Dropped: dropped,
		Mean: mean, Variance: v, Bootstrap: boot, Level: level}
	for i := range k {
		res.Indices[i] = SobolIndex{Factor: names[i], S1: s1[i], ST: st[i],
			S1Lo: math.NaN(), S1Hi: math.NaN(), STLo: math.NaN(), STHi: math.NaN()}
	}

	// Bootstrap: resample rows with replacement, recompute everything.
	if boot > 0 {
		rng := rand.New(rand.NewPCG(opt.Seed, bootstrapStream))
		bs1 := make([][]float64, k)
		bst := make([][]float64, k)
		for i := range k {
			bs1[i] = make([]float64, 0, boot)
			bst[i] = make([]float64, 0, boot)
		}
		re := make([]int, len(rows))
		for range boot {
			for r := range re {
				re[r] = rows[rng.IntN(len(rows))]
			}
			s1, st, _, v := e.indices(re)
			if !(v > 0) {
				continue // a resample of constant outputs has no indices
			}
			for i := range k {
				bs1[i] = append(bs1[i], s1[i])
				bst[i] = append(bst[i], st[i])
			}
		}
		lo, hi := (1-level)/2, 1-(1-level)/2
		for i := range k {
			if len(bs1[i]) == 0 {
				continue
			}
			slices.Sort(bs1[i])
			slices.Sort(bst[i])
			ix := &res.Indices[i]
			ix.S1Lo = stat.Quantile(lo, stat.Empirical, bs1[i], nil)
			ix.S1Hi = stat.Quantile(hi, stat.Empirical, bs1[i], nil)
			ix.STLo = stat.Quantile(lo, stat.Empirical, bst[i], nil)
			ix.STHi = stat.Quantile(hi, stat.Empirical, bst[i], nil)
		}
	}

	// Convergence: the first N/4, N/2 and N rows used.
	for _, m := range []int{len(rows) / 4, len(rows) / 2, len(rows)} {
		if m < 2 {
			continue
		}
		s1, st, _, _ := e.indices(rows[:m])
		res.Convergence = append(res.Convergence, ConvergenceRow{Rows: m, S1: s1, ST: st})
	}
	return res, nil
}

// sobolEstimator holds the outputs; indices computes the estimators on a
// list of rows (possibly with repeats, for the bootstrap).
type sobolEstimator struct {
	fA, fB []float64
	fAB    [][]float64
}

// indices returns S1 and ST per factor, and the mean and unbiased variance
// of the A and B outputs of rows. With a zero variance the indices are NaN.
func (e sobolEstimator) indices(rows []int) (s1, st []float64, mean, v float64) {
	n := float64(len(rows))
	for _, j := range rows {
		mean += e.fA[j] + e.fB[j]
	}
	mean /= 2 * n
	for _, j := range rows {
		da, db := e.fA[j]-mean, e.fB[j]-mean
		v += da*da + db*db
	}
	v /= 2*n - 1
	k := len(e.fAB)
	s1 = make([]float64, k)
	st = make([]float64, k)
	for i := range k {
		ab := e.fAB[i]
		var sf, sj float64
		for _, j := range rows {
			d := ab[j] - e.fA[j]
			sf += (e.fB[j] - mean) * d
			sj += d * d
		}
		s1[i] = sf / n / v
		st[i] = sj / (2 * n) / v
	}
	return s1, st, mean, v
}
