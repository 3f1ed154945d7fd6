package scenarios

import (
	"encoding"
	"reflect"
	"time"

	"github.com/BurntSushi/toml"
)

// A completed scenario tree (decoded TOML, overridden and completed with
// the defaults) becomes a Scenario through the TOML decoder: decodeTree
// encodes the tree as TOML text and decodes that text strictly, which
// reports wrong types and unknown keys as the decoder words them. For a
// tree that has neither, decodeDirect fills the Scenario from the tree
// itself, as the decoder's own tree-to-value step (BurntSushi/toml's
// unify, v1.6) would from the text's decode, without the text in
// between: a sweep loads a scenario per point, and the text's round
// trip was most of that (TestDirectDecodeMatchesText holds the two equal
// over the shipped scenarios, their overrides and generated ones).

// decodeDirect decodes the completed tree into sc, a zero Scenario, and
// reports whether it did: false, leaving sc partly filled, wherever the
// decoder might do otherwise or fail (a key of no field or matched only
// without regard to case, a value of another type, a number out of
// range, a table or array where any value goes); decodeTree then decodes
// the text into a new Scenario.
func decodeDirect(tree map[string]any, sc *Scenario) bool {
	return unifyDirect(tree, reflect.ValueOf(sc).Elem())
}

var (
	unmarshalerType     = reflect.TypeFor[toml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType        = reflect.TypeFor[time.Duration]()
)

// unifyDirect stores data into rv (settable) as the decoder would, or
// returns false. Its cases follow the decoder's: an addressable value
// whose pointer is a toml.Unmarshaler gets UnmarshalTOML(data), else a
// TextUnmarshaler its text (a string value only here), else the value by
// kind.
func unifyDirect(data any, rv reflect.Value) bool {
	if data == nil {
		return false
	}
	if rv.CanAddr() {
		pt := rv.Addr().Type()
		switch {
		case pt.Implements(unmarshalerType):
			return rv.Addr().Interface().(toml.Unmarshaler).UnmarshalTOML(data) == nil
		case pt.Implements(textUnmarshalerType):
			s, ok := data.(string)
			return ok && rv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)) == nil
		}
	}
	switch rv.Kind() {
	case reflect.Pointer:
		// the decoder allocates a nil pointer and decodes into its value
		if rv.IsNil() {
			rv.Set(reflect.New(rv.Type().Elem()))
		}
		return unifyDirect(data, rv.Elem())
	case reflect.Struct:
		m, ok := data.(map[string]any)
		keys := keysOf(rv.Type())
		if !ok || !keys.plain {
			return false
		}
		for k, v := range m {
			i, ok := keys.index[k]
			if !ok || k == "" || !unifyDirect(v, rv.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		m, ok := data.(map[string]any)
		if !ok || rv.Type().Key().Kind() != reflect.String {
			return false
		}
		if rv.IsNil() {
			rv.Set(reflect.MakeMap(rv.Type()))
		}
		for k, v := range m {
			val := reflect.New(rv.Type().Elem()).Elem()
			if !unifyDirect(v, val) {
				return false
			}
			rv.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), val)
		}
		return true
	case reflect.Slice:
		d := reflect.ValueOf(data)
		if d.Kind() != reflect.Slice {
			return false
		}
		n := d.Len()
		if rv.IsNil() || rv.Cap() < n {
			rv.Set(reflect.MakeSlice(rv.Type(), n, n))
		}
		rv.SetLen(n)
		for i := range n {
			if !unifyDirect(d.Index(i).Interface(), rv.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Interface:
		// the decoder stores the value as the text's decode gives it
		v, ok := textForm(data, false)
		if !ok || rv.NumMethod() > 0 {
			return false
		}
		rv.Set(reflect.ValueOf(v))
		return true
	case reflect.String:
		s, ok := data.(string)
		if ok {
			rv.SetString(s)
		}
		return ok
	case reflect.Bool:
		b, ok := data.(bool)
		if ok {
			rv.SetBool(b)
		}
		return ok
	case reflect.Float64:
		switch x := data.(type) {
		case float64:
			rv.SetFloat(x)
			return true
		case int64:
			// the decoder refuses an integer a float64 cannot hold exactly
			const maxSafe = 1<<53 - 1
			if x < -maxSafe || x > maxSafe {
				return false
			}
			rv.SetFloat(float64(x))
			return true
		}
		return false
	case reflect.Int, reflect.Int64:
		x, ok := data.(int64)
		if !ok || rv.Type() == durationType {
			return false
		}
		rv.SetInt(x)
		return true
	}
	return false
}

// textForm returns a value of a table as the TOML text of the tree
// decodes it again, a copy of its tables and arrays, or false where that
// is not known here. The encoder writes a non-empty array of tables as
// [[key]] tables, which decode as []map[string]any, whatever the array's
// Go type; a value inside an inline array is written inline and keeps
// its form. inline says data is inside an inline array.
func textForm(data any, inline bool) (any, bool) {
	switch d := data.(type) {
	case string, int64, float64, bool:
		return d, true
	case map[string]any:
		out := make(map[string]any, len(d))
		for k, v := range d {
			c, ok := textForm(v, inline)
			if !ok {
				return nil, false
			}
			out[k] = c
		}
		return out, true
	case []map[string]any:
		if inline || len(d) == 0 {
			return nil, false
		}
		return tableArray(d)
	case []any:
		if !inline && len(d) > 0 {
			tables := make([]map[string]any, len(d))
			for i, el := range d {
				m, ok := el.(map[string]any)
				if !ok {
					tables = nil
					break
				}
				tables[i] = m
			}
			if tables != nil {
				return tableArray(tables)
			}
		}
		out := make([]any, len(d))
		for i, el := range d {
			c, ok := textForm(el, true)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	}
	return nil, false
}

// tableArray is textForm of an array of tables written as [[key]].
func tableArray(d []map[string]any) (any, bool) {
	out := make([]map[string]any, len(d))
	for i, m := range d {
		c, ok := textForm(m, false)
		if !ok {
			return nil, false
		}
		out[i] = c.(map[string]any)
	}
	return out, true
}
