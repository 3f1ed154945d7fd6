package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// Designs lists the designs a sweep file may name.
var Designs = []string{"grid", "zip", "lhs", "halton", "random"}

// MaxPoints caps the number of points of a sweep.
const MaxPoints = 1_000_000

// Param is one swept parameter, as a sweep file's [[param]] entry writes
// it.
type Param struct {
	// Key is the scenario key path, as --set writes it
	// (providers[0].count, tokenomics.staking.bonded_ratio).
	Key string `toml:"key"`
	// Values lists the values (any TOML values); exclusive with the
	// range Min..Max.
	Values []any `toml:"values"`
	// Min and Max bound a range of numbers (both included).
	Min *float64 `toml:"min"`
	Max *float64 `toml:"max"`
	// Steps is the number of values of a range in a grid or zip design
	// (at least 1; 1 gives Min alone).
	Steps int `toml:"steps"`
	// Scale spaces a range: "linear" (default) or "log" (Min and Max >
	// 0, equal ratios).
	Scale string `toml:"scale"`
	// Integer rounds a range's values to whole numbers.
	Integer bool `toml:"integer"`
}

// file is a sweep file as written.
type file struct {
	Base         string   `toml:"base"`
	Seed         *int64   `toml:"seed"`
	Replications *int     `toml:"replications"`
	Set          []string `toml:"set"`
	Design       string   `toml:"design"`
	Samples      int      `toml:"samples"`
	Params       []Param  `toml:"param"`
	Metrics      []string `toml:"metrics"`
}

// Sweep is a parsed, checked sweep file.
type Sweep struct {
	// File names the sweep file in errors ("--grid" for a quick sweep).
	File string
	// Name is the sweep's name: the file's name without its extension,
	// or the base scenario's name for a quick sweep.
	Name string
	// Text is the sweep file's text (for a quick sweep, the equivalent
	// sweep file), and SHA256 its hex SHA-256.
	Text   []byte
	SHA256 string
	// Base is the base scenario as the sweep file names it, and Source
	// the scenario read.
	Base   string
	Source scenarios.Source
	// Options are the scenario options every point is loaded with.
	Options scenarios.Options
	// Seed is the master seed; Replications the replications per point.
	Seed         int64
	Replications int
	// Set lists the overrides applied to every point, before the point's
	// own values.
	Set []string
	// Design is one of Designs; Samples the number of points of lhs,
	// halton and random.
	Design  string
	Samples int
	// Params lists the swept parameters, in the file's order.
	Params []Param
	// Metrics lists the indices (in sim.Metrics) of the metrics plotted
	// against the parameters: the file's metrics, or DefaultMetrics.
	Metrics []int

	// IndependentSeeds derives each run's seed from its point and
	// replication instead of the replication alone (PointSeed).
	IndependentSeeds bool
	// Timeseries writes each run's time series (--timeseries): part of
	// the sweep's identity, so a resume or a merge keeps the dataset
	// whole.
	Timeseries bool

	// baseSHA256 is the base scenario's SHA-256 when Source holds no
	// text (a sweep rebuilt from shard folders by Merge).
	baseSHA256 string
}

// DefaultMetrics lists the metrics a sweep plots when its file has no
// metrics key.
var DefaultMetrics = []string{"gpu_utilization", "cpu_utilization", "gpu_price_usd_hour", "provider_revenue_usd_total"}

// metricIndices returns the sim.Metrics indices of names; an error names
// the first unknown one and lists the metrics.
func metricIndices(label string, names []string) ([]int, error) {
	var out []int
	for i, n := range names {
		k := slices.IndexFunc(sim.Metrics[:], func(m sim.Metric) bool { return m.Name == n })
		if k < 0 {
			all := make([]string, len(sim.Metrics))
			for j, m := range sim.Metrics {
				all[j] = m.Name
			}
			return nil, errorf(label, fmt.Sprintf("metrics[%d]", i), "%q: no such metric (metrics: %s)", n, strings.Join(all, ", "))
		}
		if slices.Contains(out, k) {
			return nil, errorf(label, fmt.Sprintf("metrics[%d]", i), "%q is listed twice", n)
		}
		out = append(out, k)
	}
	return out, nil
}

// errorf returns a *scenarios.Error naming the sweep file and key.
func errorf(file, key, format string, a ...any) error {
	return &scenarios.Error{File: file, Key: key, Msg: fmt.Sprintf(format, a...)}
}

// ReadFile reads and parses the sweep file at path; extra are overrides
// applied to every point after the file's own set (the --set flags).
func ReadFile(path string, extra []string, opts scenarios.Options) (*Sweep, error) {
	data, name, err := scenarios.ReadDefinition(path, "sweep file")
	if err != nil {
		return nil, err
	}
	return Parse(path, filepath.Dir(path), name, data, extra, opts)
}

// Parse parses the sweep file text data; label names it in errors, dir
// is the folder a relative base path is read from, name the sweep's name.
// The base scenario is read and loaded once (with the file's set and
// extra) for the default seed and replications. Every error is a
// *scenarios.Error naming the file and the key.
func Parse(label, dir, name string, data []byte, extra []string, opts scenarios.Options) (*Sweep, error) {
	var f file
	free := func(k toml.Key) bool { return len(k) >= 2 && k[0] == "param" && k[1] == "values" } // inside a value: any TOML value is allowed
	if err := scenarios.DecodeDefinition(label, data, &f, "base, seed, replications, set, design, samples, metrics, [[param]] with key, values, min, max, steps, scale, integer", free); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	sw := &Sweep{File: label, Name: name, Text: data, SHA256: hex.EncodeToString(sum[:]), Base: f.Base,
		Options: opts, Design: f.Design, Samples: f.Samples, Params: f.Params}
	sw.Set = append(slices.Clone(f.Set), extra...)
	if f.Metrics == nil {
		f.Metrics = DefaultMetrics
	}
	var err error
	if sw.Metrics, err = metricIndices(label, f.Metrics); err != nil {
		return nil, err
	}
	if f.Base == "" {
		return nil, errorf(label, "base", "missing: want a scenario file (relative to the sweep file) or a preset name (%s)", strings.Join(scenarios.Presets(), ", "))
	}
	src, err := scenarios.OpenBase(dir, f.Base)
	if err != nil {
		return nil, errorf(label, "base", "%v", err)
	}
	sw.Source = src
	base, err := scenarios.ParseWith(src, sw.Set, opts)
	if err != nil {
		return nil, errorf(label, "set", "the base scenario with the sweep's set: %v", err)
	}
	sw.Seed, sw.Replications = base.Sim.Seed, base.Sim.Replications
	if sw.Name == "" {
		sw.Name = base.Name
	}
	if f.Seed != nil {
		if *f.Seed < 0 {
			return nil, errorf(label, "seed", "%d: want an integer >= 0", *f.Seed)
		}
		sw.Seed = *f.Seed
	}
	if f.Replications != nil {
		if *f.Replications < 1 || *f.Replications > 1_000_000 {
			return nil, errorf(label, "replications", "%d: want an integer from 1 to 1000000", *f.Replications)
		}
		sw.Replications = *f.Replications
	}
	if err := sw.check(); err != nil {
		return nil, err
	}
	return sw, nil
}

// check checks the design and the parameters.
func (sw *Sweep) check() error {
	l := sw.File
	if sw.Design == "" {
		return errorf(l, "design", "missing: the sweep file must name its design, one of %s (design = \"grid\" for every combination of the values)", strings.Join(Designs, ", "))
	}
	if !slices.Contains(Designs, sw.Design) {
		return errorf(l, "design", "%q: want one of %s", sw.Design, strings.Join(Designs, ", "))
	}
	sampled := sw.Design == "lhs" || sw.Design == "halton" || sw.Design == "random"
	if sampled {
		if sw.Samples < 1 || sw.Samples > MaxPoints {
			return errorf(l, "samples", "%d: design %s wants samples from 1 to %d", sw.Samples, sw.Design, MaxPoints)
		}
	} else if sw.Samples != 0 {
		return errorf(l, "samples", "only for the designs lhs, halton and random, not %s", sw.Design)
	}
	if len(sw.Params) == 0 {
		return errorf(l, "param", "no [[param]]: want at least one swept key")
	}
	seen := map[string]int{}
	for i, p := range sw.Params {
		key := fmt.Sprintf("param[%d]", i)
		if p.Key == "" {
			return errorf(l, key+".key", "missing: want a scenario key path, as --set writes it (e.g. providers[0].count)")
		}
		if strings.ContainsAny(p.Key, "= \t\n") {
			return errorf(l, key+".key", "%q: a key path has no '=' or spaces", p.Key)
		}
		if j, ok := seen[p.Key]; ok {
			return errorf(l, key+".key", "%q is already swept by param[%d]", p.Key, j)
		}
		seen[p.Key] = i
		isRange := p.Min != nil || p.Max != nil
		switch {
		case len(p.Values) > 0 && isRange:
			return errorf(l, key, "%s: give either values or min and max, not both", p.Key)
		case len(p.Values) > 0:
			if p.Steps != 0 || p.Scale != "" || p.Integer {
				return errorf(l, key, "%s: steps, scale and integer are for a range (min, max), not values", p.Key)
			}
			for j, v := range p.Values {
				if _, err := literal(v); err != nil {
					return errorf(l, fmt.Sprintf("%s.values[%d]", key, j), "%s: %v", p.Key, err)
				}
			}
		case isRange:
			if p.Min == nil || p.Max == nil {
				return errorf(l, key, "%s: a range wants both min and max", p.Key)
			}
			lo, hi := *p.Min, *p.Max
			if math.IsNaN(lo) || math.IsInf(lo, 0) || math.IsNaN(hi) || math.IsInf(hi, 0) || lo > hi {
				return errorf(l, key, "%s: min %v, max %v: want finite numbers with min <= max", p.Key, lo, hi)
			}
			switch p.Scale {
			case "", "linear":
			case "log":
				if lo <= 0 {
					return errorf(l, key+".min", "%s: %v: a log scale wants min > 0", p.Key, lo)
				}
			default:
				return errorf(l, key+".scale", "%s: %q: want linear or log", p.Key, p.Scale)
			}
			if p.Integer && math.Ceil(lo) > math.Floor(hi) {
				return errorf(l, key, "%s: no whole number between min %v and max %v", p.Key, lo, hi)
			}
			if sampled {
				if p.Steps != 0 {
					return errorf(l, key+".steps", "%s: steps is for the designs grid and zip; %s samples the range", p.Key, sw.Design)
				}
			} else if p.Steps < 1 || p.Steps > MaxPoints {
				return errorf(l, key+".steps", "%s: %d: design %s wants steps from 1 to %d for a range", p.Key, p.Steps, sw.Design, MaxPoints)
			}
		default:
			return errorf(l, key, "%s: want values = [...] or a range (min, max)", p.Key)
		}
	}
	switch sw.Design {
	case "zip":
		n := sw.Params[0].count()
		for i, p := range sw.Params[1:] {
			if p.count() != n {
				return errorf(l, fmt.Sprintf("param[%d]", i+1), "%s has %d values but %s has %d: zip pairs the i-th values, so all lengths must be equal", p.Key, p.count(), sw.Params[0].Key, n)
			}
		}
	case "grid":
		n := 1
		for _, p := range sw.Params {
			n *= p.count()
			if n > MaxPoints {
				return errorf(l, "param", "the grid has more than %d points", MaxPoints)
			}
		}
	}
	return nil
}

// count returns the number of values of a list or a stepped range.
func (p Param) count() int {
	if len(p.Values) > 0 {
		return len(p.Values)
	}
	return p.Steps
}

// literal writes v as a TOML value (what --set reads back): strings
// quoted, numbers in their shortest exact form, arrays and inline
// tables with sorted keys.
func literal(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("%v: want a finite number", x)
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s, nil
	case []any:
		return listLiteral(x)
	case []map[string]any:
		return listLiteral(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			s, err := literal(x[k])
			if err != nil {
				return "", err
			}
			parts[i] = strconv.Quote(k) + " = " + s
		}
		return "{ " + strings.Join(parts, ", ") + " }", nil
	default:
		return "", fmt.Errorf("%v (%T): want a number, string, boolean, array or table", v, v)
	}
}

// listLiteral returns the TOML literal of a list (of values or of tables).
func listLiteral[T any](xs []T) (string, error) {
	parts := make([]string, len(xs))
	for i, e := range xs {
		s, err := literal(e)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return "[" + strings.Join(parts, ", ") + "]", nil
}

// Literal writes v (a string, boolean, integer, finite float, array or
// table) as the TOML literal --set reads back: strings quoted, floats in
// their shortest exact form with a decimal point, tables with sorted
// keys. It is how a sweep writes its points' values.
func Literal(v any) (string, error) { return literal(v) }
