package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzScenario decodes and validates arbitrary bytes as a scenario file:
// no panic; an error is an *Error that names the file (and, where a key
// is at fault, the key); an accepted scenario gives its warnings and its
// configuration without panicking, and its resolved TOML parses again to
// the same resolved TOML; where the completed tree decodes directly, the
// TOML text decodes it to the same Scenario. Seeds: every preset, the bench scenarios and
// testdata/fuzz/FuzzScenario.
func FuzzScenario(f *testing.F) {
	for _, name := range Presets() {
		data, _ := PresetData(name)
		f.Add(data)
	}
	bench, err := filepath.Glob(filepath.Join("bench", "*.toml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range bench {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	dir := f.TempDir()
	file := filepath.Join(dir, "fuzz.toml")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDirectDecode(t, Source{Name: file, Data: data})
		sc, err := Parse(Source{Name: file, Data: data}, nil)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not an *Error: %v", err, err)
			}
			if e.File != file || !strings.HasPrefix(err.Error(), file) {
				t.Fatalf("the error does not name the file: %v", err)
			}
			if e.Msg == "" {
				t.Fatalf("the error says nothing: %v", err)
			}
			return
		}
		if sc.Name == "" {
			t.Fatal("an accepted scenario has no name")
		}
		_ = sc.Warnings()
		if _, err := sc.Config(); err != nil {
			t.Fatalf("accepted, but its configuration does not build: %v", err)
		}
		text := sc.TOML()
		again, err := ParseWith(Source{Name: file, Data: text}, nil, Options{AllowOutsidePaths: true})
		if err != nil {
			t.Fatalf("the resolved scenario does not parse again: %v\n%s", err, text)
		}
		if string(again.TOML()) != string(text) {
			t.Fatalf("the resolved scenario changes when parsed again")
		}
	})
}

// checkDirectDecode: where src's completed tree decodes directly
// (decodeDirect), the text must decode it too, to the same Scenario.
// A tree with a NaN is passed over (NaN equals nothing, itself included).
func checkDirectDecode(t *testing.T, src Source) {
	tree, _, _, err := Prepare(src).completed(nil)
	if err != nil || hasNaN(tree) {
		return
	}
	var direct Scenario
	if !decodeDirect(tree, &direct) {
		return
	}
	text, err := decodeViaText(tree)
	if err != nil {
		t.Fatalf("decoded directly, but the text refuses it: %v", err)
	}
	if !reflect.DeepEqual(&direct, text) {
		t.Fatalf("the direct decode differs from the text's:\n%#v\n%#v", &direct, text)
	}
}

// hasNaN tells whether a decoded TOML value holds a NaN.
func hasNaN(v any) bool {
	switch v := v.(type) {
	case float64:
		return v != v
	case map[string]any:
		for _, x := range v {
			if hasNaN(x) {
				return true
			}
		}
	case []map[string]any:
		for _, x := range v {
			if hasNaN(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasNaN(x) {
				return true
			}
		}
	}
	return false
}
