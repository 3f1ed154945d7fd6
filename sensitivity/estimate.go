package sensitivity

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"strconv"

	"github.com/depinsim/depinsim/analysis"
	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
)

// PointValues returns, for output o, each design point's value: the mean
// of its replications' values, NaN when one of them has none.
func (a *Analysis) PointValues(runs *Runs, o int) []float64 {
	R := a.Replications
	y := make([]float64, len(runs.Final)/R)
	for p := range y {
		for r := range R {
			y[p] += runs.Final[p*R+r].Values[o]
		}
		y[p] /= float64(R)
		if math.IsInf(y[p], 0) {
			y[p] = math.NaN()
		}
	}
	return y
}

// Provenance returns the analysis's provenance for its report.
func (a *Analysis) Provenance() reports.AnalysisProvenance {
	sum := sha256.Sum256(a.Source.Data)
	set := a.Set
	if set == nil {
		set = []string{}
	}
	return reports.AnalysisProvenance{File: filepath.Base(a.File), SHA256: a.SHA256, Base: a.Base, BaseSHA256: hex.EncodeToString(sum[:]),
		ToolVersion: runner.BuildVersion(), Set: set, MasterSeed: a.Seed, SeedDerivation: a.SeedDerivation(), Replications: a.Replications}
}

// Estimate computes every output's indices, noise share and
// convergence table from the runs of design d. Under the policy refuse
// (and rerun, when runs are still missing after the reruns) a missing
// run is a *FailedError naming the points; under drop, the blocks with a
// missing value are dropped (analysis.DropBlocks).
func (a *Analysis) Estimate(d *Design, runs *Runs) (*reports.SensitivityReport, error) {
	names := make([]string, len(a.Outputs))
	for i, o := range a.Outputs {
		names[i] = o.Spec.Name
	}
	miss := runs.Missing()
	if len(miss) > 0 && a.Missing != MissingDrop {
		return nil, &FailedError{File: a.File, Policy: a.Missing, Runs: miss, Points: d.Points, Outputs: names}
	}
	rep := &reports.SensitivityReport{Name: a.Name, Method: a.Method, Design: d.Label, Confidence: a.Confidence,
		Points: len(d.Points), Runs: len(d.Points) * a.Replications, Failed: []string{}, Missing: a.Missing,
		Provenance: a.Provenance()}
	for _, f := range a.Factors {
		rep.Factors = append(rep.Factors, reports.SensitivityFactor{Key: f.Key, Dist: distLabel(f)})
	}
	for _, r := range miss {
		why := "no value"
		if r.Err != nil {
			why = r.Err.Error()
		}
		rep.Failed = append(rep.Failed, "point "+strconv.Itoa(r.Point)+" rep "+strconv.Itoa(r.Rep)+": "+why)
	}
	policy := analysis.Refuse
	if a.Missing == MissingDrop {
		policy = analysis.DropBlocks
	}
	seed := uint64(a.Seed)
	for o, out := range a.Outputs {
		y := a.PointValues(runs, o)
		so := reports.SensitivityOutput{Name: out.Spec.Name, Label: out.Spec.Stat + " of " + out.MetricLabel() + " over " + window(out.Spec.From, out.Spec.To),
			Unit: out.Unit(), NoiseShare: math.NaN(), Rerun: runs.Rerun}
		so.Mean, so.Variance = meanVar(y)
		so.NoiseShare = a.noiseShare(runs, o)
		if d.Sobol != nil {
			res, err := d.Sobol.Estimate(y, analysis.SobolOptions{Missing: policy, Bootstrap: a.Bootstrap, Level: a.Confidence, Seed: seed})
			if err != nil {
				return nil, fmt.Errorf("output %q: %w", out.Spec.Name, err)
			}
			so.Dropped = len(res.Dropped)
			for _, ix := range res.Indices {
				so.Indices = append(so.Indices, sobolIndex(ix.Factor, ix.S1, ix.S1Lo, ix.S1Hi, ix.ST, ix.STLo, ix.STHi))
			}
			for _, c := range res.Convergence {
				row := reports.SensitivityConvergence{N: c.Rows}
				for i, f := range a.Factors {
					row.Indices = append(row.Indices, sobolIndex(f.Key, c.S1[i], math.NaN(), math.NaN(), c.ST[i], math.NaN(), math.NaN()))
				}
				so.Convergence = append(so.Convergence, row)
			}
		} else {
			mo := analysis.MorrisOptions{Missing: policy, Bootstrap: a.Bootstrap, Level: a.Confidence, Seed: seed}
			res, err := analysis.MorrisAnalyze(d.Morris, y, mo)
			if err != nil {
				return nil, fmt.Errorf("output %q: %w", out.Spec.Name, err)
			}
			so.Dropped = len(res.Dropped)
			for _, ix := range res.Indices {
				so.Indices = append(so.Indices, a.morrisIndex(ix, true))
			}
			so.Convergence = a.morrisConvergence(d.Morris, y, mo)
		}
		rep.Outputs = append(rep.Outputs, so)
	}
	return rep, nil
}

// morrisConvergence estimates mu, mu* and sigma on the first r/4, r/2
// and r trajectories (sizes below 2, or with fewer than 2 usable
// trajectories, left out).
func (a *Analysis) morrisConvergence(d *analysis.MorrisDesign, y []float64, mo analysis.MorrisOptions) []reports.SensitivityConvergence {
	var out []reports.SensitivityConvergence
	k := d.Factors
	mo.Bootstrap = 1
	for _, m := range []int{d.Trajectories / 4, d.Trajectories / 2, d.Trajectories} {
		if m < 2 {
			continue
		}
		sub := *d
		sub.Trajectories, sub.Points, sub.Order = m, d.Points[:m*(k+1)], d.Order[:m]
		res, err := analysis.MorrisAnalyze(&sub, y[:m*(k+1)], mo)
		if err != nil {
			continue
		}
		row := reports.SensitivityConvergence{N: m}
		for _, ix := range res.Indices {
			row.Indices = append(row.Indices, a.morrisIndex(ix, false))
		}
		out = append(out, row)
	}
	return out
}

func (a *Analysis) morrisIndex(ix analysis.MorrisIndex, ci bool) reports.SensitivityIndex {
	nan := math.NaN()
	s := reports.SensitivityIndex{Factor: a.Factors[ix.Factor].Key, S1: nan, S1Lo: nan, S1Hi: nan, ST: nan, STLo: nan, STHi: nan,
		Mu: ix.Mu, MuStar: ix.MuStar, Sigma: ix.Sigma, MuLo: nan, MuHi: nan, MuStarLo: nan, MuStarHi: nan, SigmaLo: nan, SigmaHi: nan}
	if ci {
		s.MuLo, s.MuHi = ix.MuCI[0], ix.MuCI[1]
		s.MuStarLo, s.MuStarHi = ix.MuStarCI[0], ix.MuStarCI[1]
		s.SigmaLo, s.SigmaHi = ix.SigmaCI[0], ix.SigmaCI[1]
	}
	return s
}

func sobolIndex(f string, s1, s1lo, s1hi, st, stlo, sthi float64) reports.SensitivityIndex {
	nan := math.NaN()
	return reports.SensitivityIndex{Factor: f, S1: s1, S1Lo: s1lo, S1Hi: s1hi, ST: st, STLo: stlo, STHi: sthi,
		Mu: nan, MuLo: nan, MuHi: nan, MuStar: nan, MuStarLo: nan, MuStarHi: nan, Sigma: nan, SigmaLo: nan, SigmaHi: nan}
}

// noiseShare returns the share of the variance of single runs' values
// of output o that is seed noise (analysis.SeedNoise over the points
// whose replications all have a value); NaN with one replication or
// fewer than two such points.
func (a *Analysis) noiseShare(runs *Runs, o int) float64 {
	R := a.Replications
	if R < 2 {
		return math.NaN()
	}
	var y [][]float64
	for p := range len(runs.Final) / R {
		reps := make([]float64, R)
		ok := true
		for r := range R {
			reps[r] = runs.Final[p*R+r].Values[o]
			ok = ok && !math.IsNaN(reps[r]) && !math.IsInf(reps[r], 0)
		}
		if ok {
			y = append(y, reps)
		}
	}
	ns, err := analysis.SeedNoise(y)
	if err != nil {
		return math.NaN() // fewer than 2 points with every replication's value
	}
	if ns.Within == 0 && ns.Between == 0 {
		return math.NaN()
	}
	return ns.Share
}

// meanVar returns the mean and unbiased variance of the finite values
// of y.
func meanVar(y []float64) (mean, v float64) {
	n := 0
	for _, x := range y {
		if !math.IsNaN(x) {
			mean += x
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean /= float64(n)
	if n < 2 {
		return mean, math.NaN()
	}
	for _, x := range y {
		if !math.IsNaN(x) {
			v += (x - mean) * (x - mean)
		}
	}
	return mean, v / float64(n-1)
}

func window(from, to string) string {
	if from == "" && to == "" {
		return "the run"
	}
	if from == "" {
		from = "start"
	}
	if to == "" {
		to = "end"
	}
	return from + ".." + to
}

func distLabel(f Factor) string {
	s := f.Dist.String()
	if f.Integer {
		s += ", integer"
	}
	return s
}
