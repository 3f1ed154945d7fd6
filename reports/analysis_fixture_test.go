package reports

import (
	"fmt"
	"math"
)

// The synthetic analysis reports of the tests: a Sobol analysis of 3
// factors and 2 outputs, a Morris analysis of 4 factors, a calibration of
// 3 parameters, 4 targets and 60 history steps; each with NaN where a
// real one can have it (an interval not computed, a target without a
// value).

var nan = math.NaN()

func testProvenance(file string) AnalysisProvenance {
	return AnalysisProvenance{File: file, SHA256: "3f5a", Base: "akash-2024", BaseSHA256: "9c0e", ToolVersion: "v0.0.0-test",
		Set: []string{"sim.horizon=90d"}, MasterSeed: 42, SeedDerivation: "seed = hash(master seed, point, replication)", Replications: 4}
}

// sobolIndex returns a factor's Sobol indices with intervals of
// half-width h (NaN for none); Morris fields NaN.
func sobolIndex(f string, s1, st, h float64) SensitivityIndex {
	return SensitivityIndex{Factor: f, S1: s1, S1Lo: s1 - h, S1Hi: s1 + h, ST: st, STLo: st - h, STHi: st + h,
		Mu: nan, MuLo: nan, MuHi: nan, MuStar: nan, MuStarLo: nan, MuStarHi: nan, Sigma: nan, SigmaLo: nan, SigmaHi: nan}
}

func morrisIndex(f string, mu, muStar, sigma, h float64) SensitivityIndex {
	return SensitivityIndex{Factor: f, S1: nan, S1Lo: nan, S1Hi: nan, ST: nan, STLo: nan, STHi: nan,
		Mu: mu, MuLo: mu - h, MuHi: mu + h, MuStar: muStar, MuStarLo: muStar - h, MuStarHi: muStar + h, Sigma: sigma, SigmaLo: sigma - h/2, SigmaHi: sigma + h/2}
}

func sobolFixture() *SensitivityReport {
	keys := []string{"providers[0].gpus.a100.count", "demand.arrival_rate", "token.emission.per_day"}
	r := &SensitivityReport{Name: "akash-util", Method: "sobol", Design: "Saltelli A/B/AB_i on scrambled Halton, N = 256",
		Confidence: 0.95, Points: 256 * 5, Runs: 256 * 5 * 4, Failed: []string{"point 17 rep 2: market: no provider"}, Missing: "drop",
		Factors:    []SensitivityFactor{{keys[0], "uniform(4, 64)"}, {keys[1], "log-uniform(1, 100)"}, {keys[2], "normal(5, 1)"}},
		Provenance: testProvenance("examples/sensitivity/akash-util.toml")}
	util := SensitivityOutput{Name: "gpu_util", Label: "mean of gpu_utilization over 180d..365d", Unit: "fraction",
		Mean: 0.62, Variance: 0.013, NoiseShare: 0.08, Dropped: 1,
		Indices: []SensitivityIndex{sobolIndex(keys[0], 0.31, 0.56, 0.05), sobolIndex(keys[1], 0.44, 0.45, 0.04), sobolIndex(keys[2], 0.0, 0.24, 0.03)}}
	util.Indices[2].S1Lo, util.Indices[2].S1Hi = nan, nan // a missing interval
	for _, n := range []int{64, 128, 256} {
		w := 64 / float64(n) // intervals narrow as N grows
		util.Convergence = append(util.Convergence, SensitivityConvergence{N: n, Indices: []SensitivityIndex{
			sobolIndex(keys[0], 0.31+0.1*w, 0.56-0.1*w, 0.05+0.2*w), sobolIndex(keys[1], 0.44, 0.45+0.05*w, 0.04+0.2*w), sobolIndex(keys[2], 0, 0.24, 0.03+0.2*w)}})
	}
	supply := SensitivityOutput{Name: "supply 1y", Label: "final token_supply", Unit: "tokens",
		Mean: 1.2e9, Variance: 4e14, NoiseShare: 0.7, // mostly noise: a warning
		Indices: []SensitivityIndex{sobolIndex(keys[0], 0.05, 0.2, 0.25), sobolIndex(keys[1], nan, nan, nan), sobolIndex(keys[2], 0.6, 0.7, 0.1)}}
	r.Outputs = []SensitivityOutput{util, supply}
	return r
}

func morrisFixture() *SensitivityReport {
	keys := []string{"providers[0].gpus.a100.count", "demand.arrival_rate", "token.emission.per_day", "market.take_rate"}
	r := &SensitivityReport{Name: "akash-screen", Method: "morris", Design: "Morris trajectories, r = 20, 4 levels",
		Confidence: 0.95, Points: 100, Runs: 400, Missing: "refuse",
		Factors:    []SensitivityFactor{{keys[0], "uniform(4, 64)"}, {keys[1], "log-uniform(1, 100)"}, {keys[2], "normal(5, 1)"}, {keys[3], "discrete(0.1, 0.2, 0.3)"}},
		Provenance: testProvenance("examples/sensitivity/akash-screen.toml")}
	o := SensitivityOutput{Name: "gpu_util", Label: "mean of gpu_utilization over 180d..365d", Unit: "fraction",
		Mean: 0.6, Variance: 0.02, NoiseShare: nan,
		Indices: []SensitivityIndex{morrisIndex(keys[0], 0.2, 0.25, 0.1, 0.04), morrisIndex(keys[1], -0.1, 0.3, 0.35, 0.05),
			morrisIndex(keys[2], 0.01, 0.02, 0.01, 0.01), morrisIndex(keys[3], nan, nan, nan, nan)}}
	for _, n := range []int{5, 10, 20} {
		c := SensitivityConvergence{N: n}
		for _, x := range o.Indices {
			y := x
			y.MuStar *= 1 + 1/float64(n)
			c.Indices = append(c.Indices, y)
		}
		o.Convergence = append(o.Convergence, c)
	}
	r.Outputs = []SensitivityOutput{o}
	return r
}

func calibrationFixture() *CalibrationReport {
	r := &CalibrationReport{Name: "akash-2024", Search: "CMA-ES, population 8, 5 generations, then Nelder-Mead, 15 evaluations",
		Evaluations: 55, Objective: 1.8, CheckObjective: 2.4, StartObjective: 41,
		Params: []CalibrationParam{
			{Key: "demand.arrival_rate", Min: 1, Max: 100, Log: true, Start: 10, Fitted: 23.5, Lo: 18, Hi: 31, HiOpen: true, MuStar: 12.5,
				PostMedian: 22, PostLo: 14.5, PostHi: 37.25},
			{Key: "providers[0].gpus.a100.count", Min: 4, Max: 64, Start: 16, Fitted: 40, Lo: nan, Hi: nan, MuStar: 3,
				PostMedian: 41, PostLo: 21, PostHi: 60},
			{Key: "market.take_rate", Min: 0.05, Max: 0.4, Start: 0.2, Fitted: 0.2, Lo: nan, Hi: nan, Fixed: true, MuStar: 0.01,
				PostMedian: nan, PostLo: nan, PostHi: nan},
		},
		ABCSamples: 2000, ABCAccepted: 100, ABCEpsilon: 5.5,
		Targets: []CalibrationTarget{
			{Name: "gpu_util_mar", Label: "mean of gpu_utilization over 2024-03-01..2024-04-01", Unit: "fraction", Observed: 0.62, Sigma: 0.02, Tolerance: 0.05, Simulated: 0.6, SimLo: 0.58, SimHi: 0.62, Start: 0.45, Met: true},
			{Name: "price_a100", Label: "median gpu_price_usd_hour over 2024-03", Unit: "USD per GPU-hour", Observed: 1.1, Sigma: 0.1, Tolerance: 0.2, Simulated: 1.45, SimLo: 1.38, SimHi: 1.52, Start: 0.8},
			{Name: "leases", Label: "final leases_active", Unit: "leases", Observed: 900, Sigma: 50, Tolerance: 100, Simulated: nan, SimLo: nan, SimHi: nan, Start: 700},
			{Name: "supply", Label: "final token_supply", Unit: "tokens", Observed: 2.4e8, Sigma: 1e6, Tolerance: 2e6, Simulated: 2.405e8, SimLo: nan, SimHi: nan, Start: 2.3e8, Met: true},
		},
		Provenance: testProvenance("scenarios/calibration/akash-2024.toml")}
	best := math.Inf(1)
	for i := range 60 {
		phase := "cma-es"
		switch {
		case i >= 55:
			phase = "check"
		case i >= 40:
			phase = "nelder-mead"
		}
		obj := 2 + 80*math.Exp(-float64(i)/8) + float64((i*37)%11)
		if i == 7 {
			obj = nan // a failed evaluation
		}
		if obj < best {
			best = obj
		}
		r.History = append(r.History, CalibrationStep{Evaluation: i + 1, Phase: phase, Objective: obj, Best: best})
	}
	return r
}

// hostile is text a key or a name could hold that must reach a page only
// escaped.
const hostile = "</script><script>alert(1)</script>\"'&<b>"

// withHostileNames returns the fixtures with hostile factor keys,
// output, target and parameter names.
func withHostileNames() (*SensitivityReport, *CalibrationReport) {
	s := sobolFixture()
	s.Factors[0].Key = hostile
	for i := range s.Outputs {
		s.Outputs[i].Indices[0].Factor = hostile
		for j := range s.Outputs[i].Convergence {
			s.Outputs[i].Convergence[j].Indices[0].Factor = hostile
		}
	}
	s.Outputs[0].Label = hostile
	s.Name = hostile
	c := calibrationFixture()
	c.Targets[0].Name = hostile
	c.Targets[1].Label = hostile
	c.Params[0].Key = hostile
	c.History[0].Phase = hostile
	return s, c
}

// describe prints a value with every float as its shortest exact decimal
// (NaN as NaN): two values print the same when their floats have the
// same bits (but NaN payloads).
func describe(v any) string { return fmt.Sprintf("%#v", v) }
