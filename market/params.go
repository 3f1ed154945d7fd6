package market

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/depinsim/depinsim/simtime"
)

// This file adds readers for the value types of the newer mechanisms'
// parameters to paramReader (market.go): floats, booleans, strings,
// durations, tables of floats keyed by resource, and arrays of tables.
// Every reader marks its key as known and, on a bad value, records an
// error that names the key ("market.<key>: ..."), the value and what is
// allowed, and returns the default.

// fail records an error about key.
func (r *paramReader) fail(key, format string, args ...any) {
	r.errs = append(r.errs, "market."+key+": "+fmt.Sprintf(format, args...))
}

// has marks key as known and reports whether it is set.
func (r *paramReader) has(key string) bool {
	r.used[key] = true
	_, ok := r.p[key]
	return ok
}

// toFloat converts a decoded TOML number (float64, int64 or int) to
// float64; ok is false for any other type.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// rangeText describes the interval [min, max] (or ">= min" when max is
// +Inf).
func rangeText(min, max float64) string {
	if math.IsInf(max, 1) {
		return fmt.Sprintf(">= %g", min)
	}
	return fmt.Sprintf("in [%g, %g]", min, max)
}

// float reads a finite number in [min, max] (max may be +Inf); integers
// are accepted.
func (r *paramReader) float(key string, def, min, max float64) float64 {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		return def
	}
	return r.checkFloat(key, v, def, min, max)
}

func (r *paramReader) checkFloat(key string, v any, def, min, max float64) float64 {
	x, isNum := toFloat(v)
	switch {
	case !isNum:
		r.fail(key, "must be a number, got %v (%T)", v, v)
		return def
	case math.IsNaN(x) || math.IsInf(x, 0):
		r.fail(key, "must be a finite number, got %g", x)
		return def
	case x < min || x > max:
		r.fail(key, "must be %s, got %g", rangeText(min, max), x)
		return def
	}
	return x
}

// positive reads a finite number in (0, max] (max may be +Inf).
func (r *paramReader) positive(key string, def, max float64) float64 {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		return def
	}
	x := r.checkFloat(key, v, math.NaN(), math.Inf(-1), max)
	if math.IsNaN(x) {
		return def
	}
	if x <= 0 {
		r.fail(key, "must be > 0, got %g", x)
		return def
	}
	return x
}

// bool reads true or false.
func (r *paramReader) bool(key string, def bool) bool {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		return def
	}
	b, isBool := v.(bool)
	if !isBool {
		r.fail(key, "must be true or false, got %v (%T)", v, v)
		return def
	}
	return b
}

// str reads a non-empty string.
func (r *paramReader) str(key, def string) string {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		return def
	}
	s, isStr := v.(string)
	if !isStr || s == "" {
		r.fail(key, "must be a non-empty string, got %v (%T)", v, v)
		return def
	}
	return s
}

// duration reads a duration written as text ("10m", "1h", "1d": see
// simtime.ParseDuration) in [min, max] and returns it in nanoseconds.
func (r *paramReader) duration(key string, def, min, max simtime.Time) int64 {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		return int64(def)
	}
	var d simtime.Time
	switch x := v.(type) {
	case string:
		t, err := simtime.ParseDuration(x)
		if err != nil {
			r.fail(key, "%v", err)
			return int64(def)
		}
		d = t
	case simtime.Duration:
		d = x.T()
	default:
		r.fail(key, "must be a duration such as \"10m\" or \"1h\", got %v (%T)", v, v)
		return int64(def)
	}
	if d < min || d > max {
		r.fail(key, "must be in [%s, %s], got %s", min, max, d)
		return int64(def)
	}
	return int64(d)
}

// floatTable reads a table of numbers keyed by name (a resource key) with
// every value in [min, max]. A missing table is an error when required,
// else nil. An empty table is an error.
func (r *paramReader) floatTable(key string, required bool, min, max float64) map[string]float64 {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		if required {
			r.fail(key, "required: a table of numbers keyed by resource (e.g. { gpu = 1.0 })")
		}
		return nil
	}
	tbl, isTbl := v.(map[string]any)
	if !isTbl {
		r.fail(key, "must be a table of numbers keyed by resource (e.g. { gpu = 1.0 }), got %v (%T)", v, v)
		return nil
	}
	if len(tbl) == 0 {
		r.fail(key, "must have at least one entry")
		return nil
	}
	out := make(map[string]float64, len(tbl))
	for _, k := range sortedKeys(tbl) {
		x := r.checkFloat(key+"."+k, tbl[k], math.NaN(), min, max)
		if !math.IsNaN(x) {
			out[k] = x
		}
	}
	return out
}

// tables reads an array of tables: []map[string]any (as the TOML decoder
// returns [[key]] arrays) or []any whose elements are map[string]any (an
// inline array of tables). A missing key gives nil.
func (r *paramReader) tables(key string) []map[string]any {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case []map[string]any:
		return x
	case []any:
		out := make([]map[string]any, len(x))
		for i, e := range x {
			t, isTbl := e.(map[string]any)
			if !isTbl {
				r.fail(fmt.Sprintf("%s[%d]", key, i), "must be a table, got %v (%T)", e, e)
				return nil
			}
			out[i] = t
		}
		return out
	}
	r.fail(key, "must be an array of tables, got %v (%T)", v, v)
	return nil
}

// sub returns a reader for one nested table; finish it with endSub.
func (r *paramReader) sub(tbl map[string]any) *paramReader { return newParamReader(Params(tbl)) }

// endSub moves a nested reader's errors into r, with keys prefixed by
// path ("tiers[0]"), and reports the nested table's unknown keys (sorted)
// with the keys it knows.
func (r *paramReader) endSub(s *paramReader, path string) {
	for _, e := range s.errs {
		r.errs = append(r.errs, "market."+path+"."+strings.TrimPrefix(e, "market."))
	}
	known := make([]string, 0, len(s.used))
	for k := range s.used {
		known = append(known, k)
	}
	sort.Strings(known)
	for _, k := range sortedKeys(s.p) {
		if !s.used[k] {
			r.fail(path+"."+k, "unknown key (known: %s)", strings.Join(known, ", "))
		}
	}
}

// sortedKeys returns a map's keys in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// bindTable resolves a table keyed by resource against the run's resource
// keys (resource-index order): the result holds each resource's value at
// its index (0 for resources the table omits). A key of the table that is
// not among keys is an error naming it and the known keys.
func bindTable(param string, tbl map[string]float64, keys []string) ([]float64, error) {
	out := make([]float64, len(keys))
	index := make(map[string]int, len(keys))
	for i, k := range keys {
		if _, dup := index[k]; !dup {
			index[k] = i
		}
	}
	var errs []string
	for _, k := range sortedKeys(tbl) {
		i, ok := index[k]
		if !ok {
			errs = append(errs, fmt.Sprintf("market.%s.%s: unknown resource (known: %s)", param, k, strings.Join(keys, ", ")))
			continue
		}
		out[i] = tbl[k]
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return out, nil
}
