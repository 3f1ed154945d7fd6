package sensitivity

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/analysis"
	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/scenarios"
)

// Methods lists the methods a sensitivity file may name.
var Methods = []string{"sobol", "morris"}

// Missing-value policies (the file's missing key).
const (
	MissingRefuse = "refuse"
	MissingDrop   = "drop"
	MissingRerun  = "rerun"
)

// maxRuns caps the runs of an analysis (points x replications).
const maxRuns = 10_000_000

// factorSpec is a [[factor]] entry as written.
type factorSpec struct {
	Key     string   `toml:"key"`
	Dist    string   `toml:"dist"`
	Min     *float64 `toml:"min"`
	Max     *float64 `toml:"max"`
	Mean    *float64 `toml:"mean"`
	SD      *float64 `toml:"sd"`
	Values  []any    `toml:"values"`
	Integer bool     `toml:"integer"`
}

// outputSpec is an [[output]] entry as written.
type outputSpec struct {
	Name     string   `toml:"name"`
	Metric   string   `toml:"metric"`
	Resource string   `toml:"resource"`
	Cohort   string   `toml:"cohort"`
	Stat     string   `toml:"stat"`
	Level    *float64 `toml:"level"`
	From     string   `toml:"from"`
	To       string   `toml:"to"`
}

// file is a sensitivity file as written.
type file struct {
	Base          string       `toml:"base"`
	Seed          *int64       `toml:"seed"`
	Replications  *int         `toml:"replications"`
	Set           []string     `toml:"set"`
	Method        string       `toml:"method"`
	Samples       int          `toml:"samples"`
	Sampling      string       `toml:"sampling"`
	Design        string       `toml:"design"`
	Levels        int          `toml:"levels"`
	Bootstrap     *int         `toml:"bootstrap"`
	Confidence    *float64     `toml:"confidence"`
	Missing       string       `toml:"missing"`
	RerunAttempts *int         `toml:"rerun_attempts"`
	Factors       []factorSpec `toml:"factor"`
	Outputs       []outputSpec `toml:"output"`
}

// Factor is one checked factor: its key path, distribution and whether
// its values are whole numbers.
type Factor struct {
	// Key is the scenario key path, as --set writes it.
	Key string
	// Dist is the factor's distribution.
	Dist analysis.Dist
	// Integer makes the values whole numbers (written as TOML
	// integers): a range is cut into its whole numbers, equally likely
	// for uniform, rounded for log-uniform and normal; a discrete list
	// of TOML integers is integer too.
	Integer bool
}

// Value maps u in [0, 1] to the factor's value: Dist's quantile, made
// whole for an integer factor.
func (f Factor) Value(u float64) float64 {
	if f.Integer {
		if d, ok := f.Dist.(analysis.Uniform); ok {
			a, b := math.Ceil(d.Lo), math.Floor(d.Hi)
			u = math.Min(math.Max(u, 0), math.Nextafter(1, 0))
			return math.Min(a+math.Floor(u*(b-a+1)), b)
		}
		return math.Round(f.Dist.Quantile(u))
	}
	return f.Dist.Quantile(u)
}

// Literal returns x as the TOML literal of the factor's override.
func (f Factor) Literal(x float64) string {
	if f.Integer {
		return strconv.FormatInt(int64(x), 10)
	}
	return literalFloat(x)
}

// Analysis is a parsed, checked sensitivity file.
type Analysis struct {
	// File names the file in errors; Name is its name without its
	// extension; Text its text and SHA256 the text's hex SHA-256.
	File, Name string
	Text       []byte
	SHA256     string
	// Base is the base scenario as the file names it, Source the
	// scenario read, Options the options every point is loaded with.
	Base    string
	Source  scenarios.Source
	Options scenarios.Options
	// Seed is the master seed; Replications the replications per point.
	Seed         int64
	Replications int
	// Set lists the overrides applied to every run (the file's set,
	// then --set).
	Set []string
	// Method is "sobol" or "morris". Samples is N (Sobol base rows) or r
	// (Morris trajectories); Sampling the Sobol base sampling ("halton"
	// or "lhs"); Design the Morris design ("trajectories" or "radial")
	// and Levels its grid levels.
	Method   string
	Samples  int
	Sampling string
	Design   string
	Levels   int
	// Bootstrap is the number of bootstrap resamples and Confidence the
	// intervals' level.
	Bootstrap  int
	Confidence float64
	// Missing is the missing-value policy ("refuse", "drop", "rerun")
	// and RerunAttempts the reruns of a failed run under "rerun".
	Missing       string
	RerunAttempts int
	// Factors and Outputs are the file's [[factor]] and [[output]]
	// entries, checked.
	Factors []Factor
	Outputs []*assertion.Assertion
}

// errorf returns a *scenarios.Error naming the file and the key.
func errorf(file, key, format string, a ...any) error {
	return &scenarios.Error{File: file, Key: key, Msg: fmt.Sprintf(format, a...)}
}

// ReadFile reads and parses the sensitivity file at path; extra are
// overrides applied to every run after the file's set (--set).
func ReadFile(path string, extra []string, opts scenarios.Options) (*Analysis, error) {
	data, name, err := scenarios.ReadDefinition(path, "sensitivity file")
	if err != nil {
		return nil, err
	}
	return Parse(path, filepath.Dir(path), name, data, extra, opts)
}

const allowedKeys = "base, seed, replications, set, method, samples, sampling, design, levels, bootstrap, confidence, missing, rerun_attempts, " +
	"[[factor]] with key, dist, min, max, mean, sd, values, integer, [[output]] with name, metric, resource, cohort, stat, level, from, to"

// Parse parses the sensitivity file text data; label names it in
// errors, dir is the folder a relative base path is read from, name the
// analysis's name. The base scenario is read and loaded once (with the
// file's set and extra) for the default seed and replications and to
// check the outputs. Every error is a *scenarios.Error naming the file
// and the key.
func Parse(label, dir, name string, data []byte, extra []string, opts scenarios.Options) (*Analysis, error) {
	var f file
	if err := scenarios.DecodeDefinition(label, data, &f, allowedKeys, nil); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	a := &Analysis{File: label, Name: name, Text: data, SHA256: hex.EncodeToString(sum[:]), Base: f.Base, Options: opts,
		Method: f.Method, Samples: f.Samples, Sampling: f.Sampling, Design: f.Design, Levels: f.Levels,
		Bootstrap: 1000, Confidence: 0.95, Missing: f.Missing, RerunAttempts: 3}
	a.Set = append(slices.Clone(f.Set), extra...)
	if f.Base == "" {
		return nil, errorf(label, "base", "missing: want a scenario file (relative to the sensitivity file) or a preset name (%s)", strings.Join(scenarios.Presets(), ", "))
	}
	src, err := scenarios.OpenBase(dir, f.Base)
	if err != nil {
		return nil, errorf(label, "base", "%v", err)
	}
	a.Source = src
	base, err := scenarios.ParseWith(src, a.Set, opts)
	if err != nil {
		return nil, errorf(label, "set", "the base scenario with the file's set: %v", err)
	}
	a.Seed, a.Replications = base.Sim.Seed, base.Sim.Replications
	if f.Seed != nil {
		if *f.Seed < 0 {
			return nil, errorf(label, "seed", "%d: want an integer >= 0", *f.Seed)
		}
		a.Seed = *f.Seed
	}
	if f.Replications != nil {
		if *f.Replications < 1 || *f.Replications > 10_000 {
			return nil, errorf(label, "replications", "%d: want an integer from 1 to 10000", *f.Replications)
		}
		a.Replications = *f.Replications
	}
	if f.Bootstrap != nil {
		if *f.Bootstrap < 1 || *f.Bootstrap > 1_000_000 {
			return nil, errorf(label, "bootstrap", "%d: want a number of resamples from 1 to 1000000", *f.Bootstrap)
		}
		a.Bootstrap = *f.Bootstrap
	}
	if f.Confidence != nil {
		if !(*f.Confidence > 0 && *f.Confidence < 1) {
			return nil, errorf(label, "confidence", "%v: want a level strictly between 0 and 1 (0.95)", *f.Confidence)
		}
		a.Confidence = *f.Confidence
	}
	if err := a.checkMethod(f); err != nil {
		return nil, err
	}
	if err := a.checkFactors(f.Factors); err != nil {
		return nil, err
	}
	ctx, err := base.AssertionContext()
	if err != nil {
		return nil, errorf(label, "base", "%v", err)
	}
	if len(f.Outputs) == 0 {
		return nil, errorf(label, "output", "no [[output]]: want at least one (name, metric, stat and optionally resource, cohort, level, from, to)")
	}
	sts := make([]assertion.Statistic, len(f.Outputs))
	for i, o := range f.Outputs {
		sts[i] = assertion.Statistic{Name: o.Name, Metric: o.Metric, Resource: o.Resource, Cohort: o.Cohort, Stat: o.Stat, Level: o.Level, From: o.From, To: o.To}
	}
	if a.Outputs, err = assertion.CompileStatistics("output", sts, ctx); err != nil {
		var ae *assertion.Error
		if errors.As(err, &ae) {
			return nil, errorf(label, ae.Key, "%s", ae.Msg)
		}
		return nil, errorf(label, "output", "%v", err)
	}
	if a.Points()*a.Replications > maxRuns {
		return nil, errorf(label, "samples", "%d: the design has %d points x %d replications, more than %d runs", a.Samples, a.Points(), a.Replications, maxRuns)
	}
	return a, nil
}

// checkMethod checks method, samples, sampling, design, levels, missing
// and rerun_attempts.
func (a *Analysis) checkMethod(f file) error {
	l := a.File
	switch a.Method {
	case "":
		return errorf(l, "method", "missing: want one of %s", strings.Join(Methods, ", "))
	case "sobol":
		if a.Samples < 8 || a.Samples > 1_000_000 {
			return errorf(l, "samples", "%d: sobol wants N, the base rows, from 8 to 1000000 (the design has N x (factors + 2) points)", a.Samples)
		}
		if a.Sampling == "" {
			a.Sampling = "halton"
		}
		if a.Sampling != "halton" && a.Sampling != "lhs" {
			return errorf(l, "sampling", "%q: want halton (Owen-scrambled Halton points) or lhs (Latin hypercube)", a.Sampling)
		}
		if a.Design != "" {
			return errorf(l, "design", "%q: design is for the method morris (trajectories or radial); sobol uses sampling", a.Design)
		}
		if a.Levels != 0 {
			return errorf(l, "levels", "%d: levels is for the method morris with design trajectories", a.Levels)
		}
	case "morris":
		if a.Samples < 2 || a.Samples > 1_000_000 {
			return errorf(l, "samples", "%d: morris wants r, the trajectories, from 2 to 1000000 (the design has r x (factors + 1) points)", a.Samples)
		}
		if a.Sampling != "" {
			return errorf(l, "sampling", "%q: sampling is for the method sobol; morris uses design", a.Sampling)
		}
		if a.Design == "" {
			a.Design = "trajectories"
		}
		switch a.Design {
		case "trajectories":
			if a.Levels == 0 {
				a.Levels = 4
			}
			if a.Levels < 2 || a.Levels%2 != 0 || a.Levels > 1000 {
				return errorf(l, "levels", "%d: want an even number of grid levels from 2 to 1000 (4 is usual)", a.Levels)
			}
		case "radial":
			if a.Levels != 0 {
				return errorf(l, "levels", "%d: the radial design has no grid levels; levels is for design trajectories", a.Levels)
			}
		default:
			return errorf(l, "design", "%q: want trajectories (Morris 1991) or radial (Campolongo et al. 2011)", a.Design)
		}
	default:
		return errorf(l, "method", "%q: want one of %s", a.Method, strings.Join(Methods, ", "))
	}
	switch a.Missing {
	case "":
		a.Missing = MissingRefuse
	case MissingRefuse, MissingDrop, MissingRerun:
	default:
		return errorf(l, "missing", "%q: want refuse (a failed run stops the analysis), drop (its Sobol row or Morris trajectory is dropped) or rerun (it is run again with other seeds)", a.Missing)
	}
	if f.RerunAttempts != nil {
		if a.Missing != MissingRerun {
			return errorf(l, "rerun_attempts", "%d: only with missing = \"rerun\"", *f.RerunAttempts)
		}
		if *f.RerunAttempts < 1 || *f.RerunAttempts > 100 {
			return errorf(l, "rerun_attempts", "%d: want an integer from 1 to 100", *f.RerunAttempts)
		}
		a.RerunAttempts = *f.RerunAttempts
	}
	return nil
}

// checkFactors checks the [[factor]] entries and builds a.Factors.
func (a *Analysis) checkFactors(specs []factorSpec) error {
	l := a.File
	if len(specs) == 0 {
		return errorf(l, "factor", "no [[factor]]: want at least one (key, dist and its parameters)")
	}
	if a.Method == "sobol" && len(specs) > 500 {
		return errorf(l, "factor", "%d factors: sobol allows at most 500", len(specs))
	}
	seen := map[string]int{}
	for i, s := range specs {
		key := fmt.Sprintf("factor[%d]", i)
		if s.Key == "" {
			return errorf(l, key+".key", "missing: want a scenario key path, as --set writes it (e.g. providers[0].count)")
		}
		if strings.ContainsAny(s.Key, "= \t\n") {
			return errorf(l, key+".key", "%q: a key path has no '=' or spaces", s.Key)
		}
		if j, ok := seen[s.Key]; ok {
			return errorf(l, key+".key", "%q is already the key of factor[%d]", s.Key, j)
		}
		if s.Key == "sim.seed" || s.Key == "sim.replications" {
			return errorf(l, key+".key", "%q: the analysis sets it (seed and replications keys); it cannot be a factor", s.Key)
		}
		seen[s.Key] = i
		has := map[string]bool{"min": s.Min != nil, "max": s.Max != nil, "mean": s.Mean != nil, "sd": s.SD != nil, "values": s.Values != nil}
		want := map[string][]string{"uniform": {"min", "max"}, "log-uniform": {"min", "max"}, "normal": {"mean", "sd"}, "discrete": {"values"}}
		params, ok := want[s.Dist]
		if !ok {
			if s.Dist == "" {
				return errorf(l, key+".dist", "missing: want uniform (min, max), log-uniform (min, max), normal (mean, sd) or discrete (values)")
			}
			return errorf(l, key+".dist", "%q: want uniform (min, max), log-uniform (min, max), normal (mean, sd) or discrete (values)", s.Dist)
		}
		for _, p := range []string{"min", "max", "mean", "sd", "values"} {
			if has[p] && !slices.Contains(params, p) {
				return errorf(l, key+"."+p, "%s: dist %s takes %s, not %s", s.Key, s.Dist, strings.Join(params, " and "), p)
			}
			if !has[p] && slices.Contains(params, p) {
				return errorf(l, key+"."+p, "%s: missing: dist %s takes %s", s.Key, s.Dist, strings.Join(params, " and "))
			}
		}
		f := Factor{Key: s.Key, Integer: s.Integer}
		switch s.Dist {
		case "uniform":
			f.Dist = analysis.Uniform{Lo: *s.Min, Hi: *s.Max}
			if s.Integer && math.Ceil(*s.Min) >= math.Floor(*s.Max) {
				return errorf(l, key, "%s: integer with min %v, max %v: want at least two whole numbers in the range", s.Key, *s.Min, *s.Max)
			}
		case "log-uniform":
			f.Dist = analysis.LogUniform{Lo: *s.Min, Hi: *s.Max}
		case "normal":
			f.Dist = analysis.Normal{Mu: *s.Mean, Sigma: *s.SD}
		case "discrete":
			vals := make([]float64, len(s.Values))
			allInt := true
			for j, v := range s.Values {
				switch x := v.(type) {
				case int64:
					vals[j] = float64(x)
				case float64:
					vals[j] = x
					allInt = false
				default:
					return errorf(l, fmt.Sprintf("%s.values[%d]", key, j), "%s: %v (%T): want a number", s.Key, v, v)
				}
			}
			if len(vals) < 2 {
				return errorf(l, key+".values", "%s: %d value(s): want at least two", s.Key, len(vals))
			}
			if s.Integer {
				for j, v := range vals {
					if v != math.Trunc(v) {
						return errorf(l, fmt.Sprintf("%s.values[%d]", key, j), "%s: %v: integer wants whole numbers", s.Key, v)
					}
				}
			}
			f.Integer = s.Integer || allInt
			f.Dist = analysis.Discrete{Values: vals}
		}
		if err := (analysis.Factor{Name: s.Key, Dist: f.Dist}).Validate(); err != nil {
			return errorf(l, key, "%v", err)
		}
		a.Factors = append(a.Factors, f)
	}
	return nil
}

// Points returns the number of design points: N (k + 2) for Sobol, r (k
// + 1) for Morris.
func (a *Analysis) Points() int {
	k := len(a.Factors)
	if a.Method == "sobol" {
		return a.Samples * (k + 2)
	}
	return a.Samples * (k + 1)
}

// literalFloat writes x as a TOML float (sweep.Literal).
func literalFloat(x float64) string {
	s, err := sweepLiteral(x)
	if err != nil {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return s
}
