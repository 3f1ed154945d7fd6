package scenarios

import (
	"fmt"
	"os"
	"strings"
)

// ReadSets reads a file of overrides, one path=value a line as --set
// takes them (scenarios/bench/akash-2024-x100.sets, which make
// bench-presets and the tests of the x100 run read): blank lines and
// lines starting with # are skipped, and a line without '=' is an error
// naming the file and the line.
func ReadSets(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var sets []string
	for i, l := range strings.Split(string(raw), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !strings.Contains(l, "=") {
			return nil, fmt.Errorf("%s:%d: %q is not path=value", path, i+1, l)
		}
		sets = append(sets, l)
	}
	return sets, nil
}
