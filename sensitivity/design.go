package sensitivity

import (
	"fmt"
	"strconv"

	"github.com/depinsim/depinsim/analysis"
	"github.com/depinsim/depinsim/sweep"
)

var sweepLiteral = func(x float64) (string, error) { return sweep.Literal(x) }

// Design is an analysis's design: its points on the unit hypercube,
// their factor values and overrides, and the analysis design they come
// from.
type Design struct {
	// Sobol is the Saltelli design (method sobol), Morris the Morris
	// design (method morris); the other is nil.
	Sobol  *analysis.SobolDesign
	Morris *analysis.MorrisDesign
	// Unit holds each point on the unit hypercube, X its factor values
	// (Factor.Value of each coordinate), Points its overrides.
	Unit, X [][]float64
	Points  []sweep.Point
	// Block is each point's Sobol row or Morris trajectory; Role its
	// place in the block ("A", "B", "AB_i" with i the 1-based factor,
	// or for Morris "base" and "step_i").
	Block []int
	Role  []string
	// Blocks is the number of blocks (N rows or r trajectories).
	Blocks int
	// Label describes the design for the report.
	Label string
}

// NewDesign builds the analysis's design, seeded with its master seed.
func (a *Analysis) NewDesign() (*Design, error) {
	d := &Design{}
	k := len(a.Factors)
	seed := uint64(a.Seed)
	switch a.Method {
	case "sobol":
		fs := make([]analysis.Factor, k)
		for i, f := range a.Factors {
			fs[i] = analysis.Factor{Name: f.Key, Dist: f.Dist}
		}
		sampling := analysis.ScrambledHalton
		desc := "scrambled Halton"
		if a.Sampling == "lhs" {
			sampling, desc = analysis.LatinHypercube, "Latin hypercube"
		}
		sd, err := analysis.NewSobolDesign(fs, a.Samples, sampling, seed)
		if err != nil {
			return nil, errorf(a.File, "samples", "%v", err)
		}
		d.Sobol, d.Blocks = sd, sd.N
		d.Label = fmt.Sprintf("Saltelli A/B/AB_i on %s, N = %d", desc, sd.N)
		for _, p := range sd.Points {
			role := "A"
			switch p.Matrix {
			case analysis.MatrixB:
				role = "B"
			case analysis.MatrixAB:
				role = "AB_" + strconv.Itoa(p.Factor+1)
			}
			d.add(a, p.Unit, p.Row, role)
		}
	default:
		var md *analysis.MorrisDesign
		var err error
		if a.Design == "radial" {
			md, err = analysis.NewMorrisRadial(k, a.Samples, seed)
			d.Label = fmt.Sprintf("Morris radial, r = %d", a.Samples)
		} else {
			md, err = analysis.NewMorrisTrajectories(k, a.Samples, a.Levels, seed)
			d.Label = fmt.Sprintf("Morris trajectories, r = %d, %d levels", a.Samples, a.Levels)
		}
		if err != nil {
			return nil, errorf(a.File, "samples", "%v", err)
		}
		d.Morris, d.Blocks = md, md.Trajectories
		for t := range md.Trajectories {
			for j := 0; j <= k; j++ {
				role := "base"
				if j > 0 {
					role = "step_" + strconv.Itoa(md.Order[t][j-1]+1)
				}
				d.add(a, md.Point(t, j), t, role)
			}
		}
	}
	return d, nil
}

// add appends the point u of block b.
func (d *Design) add(a *Analysis, u []float64, b int, role string) {
	x := make([]float64, len(u))
	pt := make(sweep.Point, len(u))
	for i, f := range a.Factors {
		x[i] = f.Value(u[i])
		pt[i] = sweep.Value{Key: f.Key, Literal: f.Literal(x[i])}
	}
	d.Unit = append(d.Unit, append([]float64(nil), u...))
	d.X = append(d.X, x)
	d.Points = append(d.Points, pt)
	d.Block = append(d.Block, b)
	d.Role = append(d.Role, role)
}
