package scenarios

import (
	"embed"
	"sort"
	"strings"
)

//go:embed presets/*.toml
var presetFS embed.FS

// DefaultPreset is the preset run when none is named.
const DefaultPreset = "akash-2024"

// Presets lists the embedded presets' names, sorted.
func Presets() []string {
	entries, err := presetFS.ReadDir("presets")
	if err != nil {
		panic("scenarios: reading embedded presets: " + err.Error())
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(names)
	return names
}

// PresetData returns the TOML text of a preset.
func PresetData(name string) ([]byte, bool) {
	if strings.ContainsAny(name, "/\\") {
		return nil, false
	}
	data, err := presetFS.ReadFile("presets/" + name + ".toml")
	return data, err == nil
}
