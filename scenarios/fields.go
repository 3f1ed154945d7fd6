package scenarios

import (
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// allowedKeys returns the keys the table at path accepts: the toml tags
// of the struct the table decodes into (nil for a map, whose keys are free).
func allowedKeys(path toml.Key) []string {
	t := reflect.TypeFor[Scenario]()
	for _, p := range path {
		f, ok := tomlField(t, p)
		if !ok {
			return nil
		}
		t = f.Type
	}
	t = elemType(t)
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := range t.NumField() {
		if name := tomlName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

// elemType strips slices and pointers: the type of one element.
func elemType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// tomlField returns the field of struct type t (or of its elements)
// whose toml key is key (the first such field).
func tomlField(t reflect.Type, key string) (reflect.StructField, bool) {
	t = elemType(t)
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	i, ok := keysOf(t).index[key]
	if !ok {
		return reflect.StructField{}, false
	}
	return t.Field(i), true
}

// structKeys are a struct type's fields by toml key.
type structKeys struct {
	// index holds the index of the first field of each key ("" too: the
	// key "" finds the first unexported or skipped field, as a scan
	// would).
	index map[string]int
	// plain says the TOML decoder's own field list is the fields by
	// their keys: no embedded field (whose fields the decoder lifts) and
	// no key on two fields (which the decoder drops).
	plain bool
}

// keysByType holds keysOf's answer per struct type.
var keysByType sync.Map // reflect.Type -> *structKeys

// keysOf returns struct type t's fields by toml key, built once per type
// (a scenario's decode looks up every key it reads).
func keysOf(t reflect.Type) *structKeys {
	if k, ok := keysByType.Load(t); ok {
		return k.(*structKeys)
	}
	k := &structKeys{index: make(map[string]int, t.NumField()), plain: true}
	for i := range t.NumField() {
		f := t.Field(i)
		name := tomlName(f)
		if f.Anonymous {
			k.plain = false
		}
		if _, dup := k.index[name]; dup {
			k.plain = k.plain && name == ""
			continue
		}
		k.index[name] = i
	}
	got, _ := keysByType.LoadOrStore(t, k)
	return got.(*structKeys)
}

// tomlName returns a field's toml key ("" for an unexported or skipped field).
func tomlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}
