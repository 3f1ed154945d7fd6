package calibrate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/analysis"
	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/scenarios"
)

// Prior is a parameter's prior: dist "normal" with Mean and SD, in the
// parameter's unit (SD > 0). It adds ((x - mean) / sd)^2 (-2 log of the
// density up to a constant) to the objective.
type Prior struct {
	Dist string   `toml:"dist"`
	Mean *float64 `toml:"mean"`
	SD   *float64 `toml:"sd"`
}

// Param is one free parameter, as a calibration file's [[param]] writes it.
type Param struct {
	// Key is the scenario key path, as --set writes it.
	Key string `toml:"key"`
	// Min and Max bound the search (Min < Max; both > 0 on a log scale).
	Min *float64 `toml:"min"`
	Max *float64 `toml:"max"`
	// Scale is "linear" (default) or "log": how the unit interval maps to
	// [Min, Max].
	Scale string `toml:"scale"`
	// Integer rounds the value written to the scenario to a whole number.
	Integer bool `toml:"integer"`
	// Start is the starting value (default: the base scenario's value of
	// the key when it is a number within the bounds, else the middle of
	// the range on its scale).
	Start *float64 `toml:"start"`
	// Prior, when set, is the parameter's prior.
	Prior *Prior `toml:"prior"`
}

// Target is one observed figure, as a calibration file's [[target]]
// writes it.
type Target struct {
	// Name names the target (unique); Metric, Resource, Cohort, Stat,
	// Level, From and To are the statistic, as in an [[assert]] entry.
	Name     string   `toml:"name"`
	Metric   string   `toml:"metric"`
	Resource string   `toml:"resource"`
	Cohort   string   `toml:"cohort"`
	Stat     string   `toml:"stat"`
	Level    *float64 `toml:"level"`
	From     string   `toml:"from"`
	To       string   `toml:"to"`
	// Value is the observed value, Sigma its standard error (> 0) and
	// Tolerance the half-width within which the fit meets it (default 2
	// Sigma). Or Min and Max: Value is then their midpoint, Tolerance
	// the half-width and Sigma Tolerance / 2.
	Value     *float64 `toml:"value"`
	Sigma     *float64 `toml:"sigma"`
	Tolerance *float64 `toml:"tolerance"`
	Min       *float64 `toml:"min"`
	Max       *float64 `toml:"max"`
}

// Search configures the search, the file's [search] table.
type Search struct {
	// Population is CMA-ES's population (0: 4 + floor(3 ln d)).
	Population int `toml:"population"`
	// Generations is the number of CMA-ES generations.
	Generations *int `toml:"generations"`
	// Step is CMA-ES's initial step in the parameters' unit interval.
	Step *float64 `toml:"step"`
	// Polish is the number of Nelder-Mead evaluations after CMA-ES.
	Polish *int `toml:"polish"`
	// Starts is the number of independent CMA-ES starts.
	Starts *int `toml:"starts"`
	// Profile is the number of profile points on each side of the fit per
	// parameter (0: no profile).
	Profile *int `toml:"profile"`
}

// Screen configures the optional screening, the file's [screen] table:
// Morris elementary effects of the objective over the parameters' unit
// box before the search; the parameters whose mu* is below Threshold
// times the largest mu* are fixed at their start.
type Screen struct {
	// Trajectories is the number of Morris trajectories (>= 2), each of
	// d + 1 evaluations.
	Trajectories *int `toml:"trajectories"`
	// Levels is the grid's number of levels (even, >= 2; default 4).
	Levels *int `toml:"levels"`
	// Threshold is the fraction of the largest mu* below which a
	// parameter is fixed, in [0, 1) (default 0.1).
	Threshold *float64 `toml:"threshold"`
}

// ABC configures the optional approximate Bayesian computation, the
// file's [abc] table: Samples parameter draws from the priors (a param
// without a prior: uniform over its range on its scale), each evaluated on
// the search replications; the draws whose distance (the objective's
// targets part) is smallest are accepted: the share Accept of them, or
// those within Epsilon (exactly one of the two).
type ABC struct {
	// Samples is the number of draws (>= 10).
	Samples *int `toml:"samples"`
	// Accept is the accepted share of the draws, in (0, 1].
	Accept *float64 `toml:"accept"`
	// Epsilon is the absolute threshold on the distance (> 0).
	Epsilon *float64 `toml:"epsilon"`
	// Sampling is "lhs" (default) or "halton".
	Sampling string `toml:"sampling"`
}

type file struct {
	Base              string   `toml:"base"`
	Seed              *int64   `toml:"seed"`
	Replications      *int     `toml:"replications"`
	CheckReplications *int     `toml:"check_replications"`
	Set               []string `toml:"set"`
	Search            Search   `toml:"search"`
	Screen            *Screen  `toml:"screen"`
	ABC               *ABC     `toml:"abc"`
	Params            []Param  `toml:"param"`
	Targets           []Target `toml:"target"`
}

// Calibration is a parsed, checked calibration file.
type Calibration struct {
	// File names the file in errors; Name is its name without extension;
	// Text its text and SHA256 the text's hex SHA-256.
	File, Name string
	Text       []byte
	SHA256     string
	// Base is the base scenario as the file names it, Source the text
	// read, BaseSHA256 its SHA-256.
	Base       string
	Source     scenarios.Source
	BaseSHA256 string
	// Seed is the master seed; Replications the search replications per
	// evaluation; CheckReplications the fresh replications of the check.
	Seed                            int64
	Replications, CheckReplications int
	// Set lists the overrides applied to every run, before the
	// parameters.
	Set []string
	// Population (resolved), Generations, Step, Polish, Starts, Profile:
	// the search.
	Population, Generations, Polish, Starts, Profile int
	Step                                             float64
	// ScreenTrajectories (0: no screening), ScreenLevels and
	// ScreenThreshold: the screening.
	ScreenTrajectories, ScreenLevels int
	ScreenThreshold                  float64
	// ABCSamples (0: no approximate Bayesian computation), ABCAccept
	// (the accepted share, 0 when ABCEpsilon is given), ABCEpsilon (the
	// absolute threshold, 0 when ABCAccept is given) and ABCSampling:
	// the [abc] table.
	ABCSamples            int
	ABCAccept, ABCEpsilon float64
	ABCSampling           analysis.BaseSampling
	// Params and Targets as written, with their defaults filled in
	// (Start, Scale; Value, Sigma, Tolerance).
	Params  []Param
	Targets []Target

	// populationDefault tells that Population is the default (the search
	// then uses the default for the parameters the screening leaves free).
	populationDefault bool
	// start holds each parameter's start in the unit interval.
	start []float64
	// compiled are the targets compiled against the base scenario.
	compiled []*assertion.Assertion
	// horizon is the base scenario's horizon (ns), for the collectors.
	horizon int64
}

func errorf(file, key, format string, a ...any) error {
	return &scenarios.Error{File: file, Key: key, Msg: fmt.Sprintf(format, a...)}
}

// ReadFile reads and parses the calibration file at path; extra are
// overrides applied after the file's set (the --set flags).
func ReadFile(path string, extra []string) (*Calibration, error) {
	data, name, err := scenarios.ReadDefinition(path, "calibration file")
	if err != nil {
		return nil, err
	}
	return Parse(path, filepath.Dir(path), name, data, extra)
}

const allowedKeys = "base, seed, replications, check_replications, set, [search] (population, generations, step, polish, starts, profile), " +
	"[screen] (trajectories, levels, threshold), [abc] (samples, accept or epsilon, sampling), " +
	"[[param]] (key, min, max, scale, integer, start, prior = { dist, mean, sd }), " +
	"[[target]] (name, metric, resource, cohort, stat, level, from, to, value, sigma, tolerance, min, max)"

// Parse parses the calibration file text data; label names it in errors,
// dir is the folder a relative base path is read from, name the
// calibration's name. Every error is a *scenarios.Error naming the file
// and the key path.
func Parse(label, dir, name string, data []byte, extra []string) (*Calibration, error) {
	var f file
	if err := scenarios.DecodeDefinition(label, data, &f, allowedKeys, nil); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	c := &Calibration{File: label, Name: name, Text: data, SHA256: hex.EncodeToString(sum[:]), Base: f.Base,
		Replications: 3, CheckReplications: 10, Generations: 30, Step: 0.3, Polish: 40, Starts: 1, Profile: 6}
	c.Set = append(slices.Clone(f.Set), extra...)
	if f.Base == "" {
		return nil, errorf(label, "base", "missing: want a scenario file (relative to the calibration file) or a preset name (%s)", strings.Join(scenarios.Presets(), ", "))
	}
	var err error
	if c.Source, err = scenarios.OpenBase(dir, f.Base); err != nil {
		return nil, errorf(label, "base", "%v", err)
	}
	bs := sha256.Sum256(c.Source.Data)
	c.BaseSHA256 = hex.EncodeToString(bs[:])
	base, err := scenarios.Parse(c.Source, c.Set)
	if err != nil {
		return nil, errorf(label, "set", "the base scenario with the calibration's set: %v", err)
	}
	c.Seed = base.Sim.Seed
	if f.Seed != nil {
		if *f.Seed < 0 {
			return nil, errorf(label, "seed", "%d: want an integer >= 0", *f.Seed)
		}
		c.Seed = *f.Seed
	}
	intIn := func(key string, v *int, lo, hi int, dst *int) error {
		if v == nil {
			return nil
		}
		if *v < lo || *v > hi {
			return errorf(label, key, "%d: want an integer from %d to %d", *v, lo, hi)
		}
		*dst = *v
		return nil
	}
	s := f.Search
	for _, e := range []error{
		intIn("replications", f.Replications, 1, 10000, &c.Replications),
		intIn("check_replications", f.CheckReplications, 2, 10000, &c.CheckReplications),
		intIn("search.generations", s.Generations, 0, 100000, &c.Generations),
		intIn("search.polish", s.Polish, 0, 100000, &c.Polish),
		intIn("search.starts", s.Starts, 1, 1000, &c.Starts),
		intIn("search.profile", s.Profile, 0, 1000, &c.Profile),
	} {
		if e != nil {
			return nil, e
		}
	}
	if sc := f.Screen; sc != nil {
		if sc.Trajectories == nil {
			return nil, errorf(label, "screen.trajectories", "missing: want the number of Morris trajectories, an integer from 2 to 10000 (each costs one evaluation per parameter plus one)")
		}
		c.ScreenLevels, c.ScreenThreshold = 4, 0.1
		for _, e := range []error{
			intIn("screen.trajectories", sc.Trajectories, 2, 10000, &c.ScreenTrajectories),
			intIn("screen.levels", sc.Levels, 2, 1000, &c.ScreenLevels),
		} {
			if e != nil {
				return nil, e
			}
		}
		if c.ScreenLevels%2 != 0 {
			return nil, errorf(label, "screen.levels", "%d: want an even number of levels (2, 4, 6 ...)", c.ScreenLevels)
		}
		if sc.Threshold != nil {
			if !(*sc.Threshold >= 0 && *sc.Threshold < 1) {
				return nil, errorf(label, "screen.threshold", "%v: want a number in [0, 1) (the fraction of the largest mu* below which a parameter is fixed)", *sc.Threshold)
			}
			c.ScreenThreshold = *sc.Threshold
		}
	}
	if a := f.ABC; a != nil {
		if err := c.checkABC(label, a); err != nil {
			return nil, err
		}
	}
	if c.Generations == 0 && c.Polish == 0 {
		return nil, errorf(label, "search.generations", "0 with search.polish 0: nothing would be searched; want generations or polish >= 1")
	}
	if s.Step != nil {
		if !(*s.Step > 0 && *s.Step <= 10) {
			return nil, errorf(label, "search.step", "%v: want a number in (0, 10] (in units of each parameter's unit interval)", *s.Step)
		}
		c.Step = *s.Step
	}
	if len(f.Params) == 0 {
		return nil, errorf(label, "param", "missing: want at least one [[param]] (key, min, max)")
	}
	if len(f.Targets) == 0 {
		return nil, errorf(label, "target", "missing: want at least one [[target]] (name, metric, stat, value and sigma, or min and max)")
	}
	c.Population = s.Population
	if c.Population == 0 {
		c.Population = defaultPopulation(len(f.Params))
		c.populationDefault = true
	} else if c.Population < 2 || c.Population > 10000 {
		return nil, errorf(label, "search.population", "%d: want 0 (4 + floor(3 ln d)) or an integer from 2 to 10000", c.Population)
	}
	if err := c.checkParams(label, f.Params, base); err != nil {
		return nil, err
	}
	if err := c.checkTargets(label, f.Targets, base); err != nil {
		return nil, err
	}
	// every parameter at its bounds must give a valid scenario
	for i := range c.Params {
		for _, u := range []float64{0, 1} {
			x := slices.Clone(c.start)
			x[i] = u
			if _, err := c.scenario(c.natural(x), 0); err != nil {
				return nil, errorf(label, fmt.Sprintf("param[%d]", i), "%s = %s (a bound) does not give a valid scenario: %v", c.Params[i].Key, c.literal(i, c.value(i, u)), err)
			}
		}
	}
	return c, nil
}

// checkABC checks the [abc] table a and fills in the ABC fields.
func (c *Calibration) checkABC(label string, a *ABC) error {
	if a.Samples == nil {
		return errorf(label, "abc.samples", "missing: want the number of parameter draws, an integer from 10 to 1000000 (each costs one evaluation)")
	}
	if *a.Samples < 10 || *a.Samples > 1000000 {
		return errorf(label, "abc.samples", "%d: want an integer from 10 to 1000000", *a.Samples)
	}
	c.ABCSamples = *a.Samples
	switch {
	case a.Accept != nil && a.Epsilon != nil:
		return errorf(label, "abc.epsilon", "accept and epsilon both given: want one (accept: the accepted share of the draws; epsilon: an absolute threshold on the distance)")
	case a.Accept != nil:
		if !(*a.Accept > 0 && *a.Accept <= 1) {
			return errorf(label, "abc.accept", "%v: want a share in (0, 1] of the draws", *a.Accept)
		}
		if math.Round(*a.Accept*float64(c.ABCSamples)) < 1 {
			return errorf(label, "abc.accept", "%v of %d draws accepts none: want accept * samples >= 0.5", *a.Accept, c.ABCSamples)
		}
		c.ABCAccept = *a.Accept
	case a.Epsilon != nil:
		if !(*a.Epsilon > 0) || math.IsInf(*a.Epsilon, 0) {
			return errorf(label, "abc.epsilon", "%v: want a finite threshold > 0 on the distance (the sum of squared standardized errors)", *a.Epsilon)
		}
		c.ABCEpsilon = *a.Epsilon
	default:
		return errorf(label, "abc.accept", "missing: want accept (the accepted share of the draws, e.g. 0.05) or epsilon (an absolute threshold on the distance)")
	}
	switch a.Sampling {
	case "", "lhs":
		c.ABCSampling = analysis.LatinHypercube
	case "halton":
		c.ABCSampling = analysis.ScrambledHalton
	default:
		return errorf(label, "abc.sampling", "%q: want lhs or halton", a.Sampling)
	}
	return nil
}

func defaultPopulation(d int) int { return 4 + int(math.Floor(3*math.Log(float64(d)))) }

var keyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])?(\.[A-Za-z_][A-Za-z0-9_:\-]*(\[[0-9]+\])?)*$`)

func (c *Calibration) checkParams(label string, ps []Param, base *scenarios.Scenario) error {
	tree := map[string]any{}
	_ = toml.Unmarshal(base.TOML(), &tree)
	seen := map[string]int{}
	for i, p := range ps {
		k := func(f string) string { return fmt.Sprintf("param[%d].%s", i, f) }
		if p.Key == "" || !keyRE.MatchString(p.Key) {
			return errorf(label, k("key"), "%q: want a scenario key path as --set writes it (providers[0].count)", p.Key)
		}
		if j, dup := seen[p.Key]; dup {
			return errorf(label, k("key"), "%q is already the key of param[%d]", p.Key, j)
		}
		seen[p.Key] = i
		if p.Min == nil || p.Max == nil {
			return errorf(label, k("min"), "min and max are required (the search's bounds)")
		}
		if !(*p.Min < *p.Max) || math.IsInf(*p.Min, 0) || math.IsInf(*p.Max, 0) {
			return errorf(label, k("max"), "%v: want finite bounds with min < max (min %v)", *p.Max, *p.Min)
		}
		switch p.Scale {
		case "":
			p.Scale = "linear"
		case "linear":
		case "log":
			if *p.Min <= 0 {
				return errorf(label, k("min"), "%v: a log scale wants min > 0", *p.Min)
			}
		default:
			return errorf(label, k("scale"), "%q: want linear or log", p.Scale)
		}
		if p.Prior != nil {
			if p.Prior.Dist != "normal" {
				return errorf(label, k("prior.dist"), "%q: want normal", p.Prior.Dist)
			}
			if p.Prior.Mean == nil || p.Prior.SD == nil || !(*p.Prior.SD > 0) || math.IsInf(*p.Prior.SD, 0) || math.IsNaN(*p.Prior.Mean) || math.IsInf(*p.Prior.Mean, 0) {
				return errorf(label, k("prior"), "a normal prior wants a finite mean and sd > 0")
			}
		}
		c.Params = append(c.Params, p)
		var u float64
		switch {
		case p.Start != nil:
			if !(*p.Start >= *p.Min && *p.Start <= *p.Max) {
				return errorf(label, k("start"), "%v: want a value within [min, max] = [%v, %v]", *p.Start, *p.Min, *p.Max)
			}
			u = c.unit(i, *p.Start)
		default:
			u = 0.5
			st := c.value(i, u)
			if v, ok := lookup(tree, p.Key); ok && v >= *p.Min && v <= *p.Max {
				u, st = c.unit(i, v), v
				if p.Integer {
					st = math.Round(v)
				}
			}
			c.Params[i].Start = &st
		}
		c.start = append(c.start, u)
	}
	return nil
}

func (c *Calibration) checkTargets(label string, ts []Target, base *scenarios.Scenario) error {
	ctx, err := base.AssertionContext()
	if err != nil {
		return errorf(label, "base", "%v", err)
	}
	sts := make([]assertion.Statistic, len(ts))
	for i, t := range ts {
		k := func(f string) string { return fmt.Sprintf("target[%d].%s", i, f) }
		sts[i] = assertion.Statistic{Name: t.Name, Metric: t.Metric, Resource: t.Resource, Cohort: t.Cohort, Stat: t.Stat, Level: t.Level, From: t.From, To: t.To}
		fin := func(p *float64) bool { return p != nil && !math.IsNaN(*p) && !math.IsInf(*p, 0) }
		switch {
		case t.Min != nil || t.Max != nil:
			if t.Value != nil || t.Sigma != nil || t.Tolerance != nil {
				return errorf(label, k("min"), "min and max replace value, sigma and tolerance: give one form")
			}
			if !fin(t.Min) || !fin(t.Max) || !(*t.Min < *t.Max) {
				return errorf(label, k("max"), "want finite min and max with min < max")
			}
			v, tol := (*t.Min+*t.Max)/2, (*t.Max-*t.Min)/2
			sg := tol / 2
			t.Value, t.Tolerance, t.Sigma = &v, &tol, &sg
		default:
			if !fin(t.Value) {
				return errorf(label, k("value"), "missing: want value and sigma (or min and max)")
			}
			if !fin(t.Sigma) || !(*t.Sigma > 0) {
				return errorf(label, k("sigma"), "want a finite standard error > 0 (in the metric's unit)")
			}
			if t.Tolerance == nil {
				tol := 2 * *t.Sigma
				t.Tolerance = &tol
			} else if !fin(t.Tolerance) || *t.Tolerance < 0 {
				return errorf(label, k("tolerance"), "%v: want a finite number >= 0", *t.Tolerance)
			}
		}
		c.Targets = append(c.Targets, t)
	}
	as, err := assertion.CompileStatistics("target", sts, ctx)
	if err != nil {
		var ae *assertion.Error
		if errors.As(err, &ae) {
			return errorf(label, ae.Key, "%s", ae.Msg)
		}
		return errorf(label, "target", "%v", err)
	}
	c.compiled = as
	c.horizon = int64(base.Sim.Horizon.T())
	return nil
}

// lookup returns the number at key path in a TOML tree.
func lookup(tree map[string]any, key string) (float64, bool) {
	var cur any = tree
	for _, part := range strings.Split(key, ".") {
		name, idx := part, -1
		if j := strings.IndexByte(part, '['); j >= 0 {
			name = part[:j]
			n, err := strconv.Atoi(strings.TrimSuffix(part[j+1:], "]"))
			if err != nil {
				return 0, false
			}
			idx = n
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return 0, false
		}
		cur = m[name]
		if idx >= 0 {
			switch l := cur.(type) {
			case []map[string]any:
				if idx >= len(l) {
					return 0, false
				}
				cur = l[idx]
			case []any:
				if idx >= len(l) {
					return 0, false
				}
				cur = l[idx]
			default:
				return 0, false
			}
		}
	}
	switch v := cur.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// unit maps parameter i's value x to its unit interval.
func (c *Calibration) unit(i int, x float64) float64 {
	p := c.Params[i]
	if p.Scale == "log" {
		return math.Log(x / *p.Min) / math.Log(*p.Max / *p.Min)
	}
	return (x - *p.Min) / (*p.Max - *p.Min)
}

// value maps parameter i's unit-interval coordinate u to its value:
// min + u (max - min), or min (max/min)^u on a log scale; rounded for an
// integer parameter. The start's coordinate maps to the start exactly.
func (c *Calibration) value(i int, u float64) float64 {
	p := c.Params[i]
	if i < len(c.start) && u == c.start[i] && p.Start != nil {
		// the start's coordinate: the start itself, not its round trip
		// through the scale (4800, not 4800.000000000001)
		x := *p.Start
		if p.Integer {
			x = math.Round(x)
		}
		return x
	}
	var x float64
	if p.Scale == "log" {
		x = *p.Min * math.Pow(*p.Max / *p.Min, u)
	} else {
		x = *p.Min + u*(*p.Max-*p.Min)
	}
	x = min(max(x, *p.Min), *p.Max)
	if p.Integer {
		x = math.Round(x)
	}
	return x
}

// natural maps a unit-cube point to the parameters' values.
func (c *Calibration) natural(u []float64) []float64 {
	x := make([]float64, len(u))
	for i := range u {
		x[i] = c.value(i, u[i])
	}
	return x
}

// literal writes parameter i's value x as --set writes it: an integer
// parameter as a whole number, else the shortest exact form.
func (c *Calibration) literal(i int, x float64) string {
	if c.Params[i].Integer {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0" // a float key refuses an integer literal
	}
	return s
}

// Sets returns the overrides of a parameter vector x (values): key=literal.
func (c *Calibration) Sets(x []float64) []string {
	out := make([]string, len(x))
	for i := range x {
		out[i] = c.Params[i].Key + "=" + c.literal(i, x[i])
	}
	return out
}

// scenario loads the scenario of the values x with the given number of
// replications (0: the search's and the check's).
func (c *Calibration) scenario(x []float64, reps int) (*scenarios.Scenario, error) {
	if reps == 0 {
		reps = c.Replications + c.CheckReplications
	}
	sets := append(slices.Clone(c.Set), c.Sets(x)...)
	sets = append(sets, "sim.seed="+strconv.FormatInt(c.Seed, 10), "sim.replications="+strconv.Itoa(reps))
	sc, err := scenarios.Parse(c.Source, sets)
	if err != nil {
		return nil, err
	}
	if _, err := sc.Config(); err != nil {
		return nil, err
	}
	return sc, nil
}
