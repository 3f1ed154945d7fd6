package sim

import (
	"reflect"
)

// WorldBytes returns the bytes w's tables and records hold, counted by
// their lengths (what a run touches), not their capacities, by the
// World's top-level field: every slice's elements, every struct a
// pointer or an interface leads to, every map's entries and every
// string, each once. The configuration, the catalog and the recorder
// are the caller's, shared with other worlds: they are not counted.
// sim.EstimateWorld's constants were measured with it (docs/limits.md).
func WorldBytes(w *World) map[string]int64 {
	by := map[string]int64{}
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value, field string)
	walk = func(v reflect.Value, field string) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			by[field] += int64(v.Type().Elem().Size())
			walk(v.Elem(), field)
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), field)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), field)
			}
		case reflect.Slice:
			if v.Cap() == 0 || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			by[field] += int64(v.Len()) * int64(v.Type().Elem().Size())
			if holdsPointers(v.Type().Elem()) {
				for i := range v.Len() {
					walk(v.Index(i), field)
				}
			}
		case reflect.Array:
			if holdsPointers(v.Type().Elem()) {
				for i := range v.Len() {
					walk(v.Index(i), field)
				}
			}
		case reflect.Map:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			by[field] += int64(v.Len()) * int64(v.Type().Key().Size()+v.Type().Elem().Size())
			for it := v.MapRange(); it.Next(); {
				walk(it.Key(), field)
				walk(it.Value(), field)
			}
		case reflect.String:
			by[field] += int64(v.Len())
		}
	}
	wv := reflect.ValueOf(w).Elem()
	for i := range wv.NumField() {
		name := wv.Type().Field(i).Name
		if name == "cfg" || name == "cat" || name == "rec" {
			continue
		}
		walk(wv.Field(i), name)
	}
	return by
}

// holdsPointers reports whether a value of type t can lead to memory of
// its own (a pointer, an interface, a slice, a map or a string in it).
func holdsPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.String, reflect.Func, reflect.Chan:
		return true
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsPointers(t.Field(i).Type) {
				return true
			}
		}
	case reflect.Array:
		return holdsPointers(t.Elem())
	}
	return false
}
