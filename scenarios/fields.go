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
	f, ok := structFields(t)[key]
	return f, ok
}

// fieldsByType holds, per struct type, its fields by toml key
// (structFields).
var fieldsByType sync.Map // reflect.Type -> map[string]reflect.StructField

// structFields returns struct type t's fields by toml key, the first
// field of each key; built once per type (a scenario's decode looks up
// every key it checks).
func structFields(t reflect.Type) map[string]reflect.StructField {
	if m, ok := fieldsByType.Load(t); ok {
		return m.(map[string]reflect.StructField)
	}
	m := make(map[string]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if name := tomlName(f); !has(m, name) {
			m[name] = f // "" too: the key "" finds what a scan would
		}
	}
	got, _ := fieldsByType.LoadOrStore(t, m)
	return got.(map[string]reflect.StructField)
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

func has(m map[string]reflect.StructField, k string) bool {
	_, ok := m[k]
	return ok
}
