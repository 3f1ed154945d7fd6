package sweep

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/scenarios"
)

// FromGrid builds the quick sweep 'depinsim sweep BASE --grid key=v1,v2
// [--grid ...]': a grid over the keys, each value read as --set reads it
// (a TOML value, or else a string), split at the commas outside brackets,
// braces and quotes. base is a scenario file (relative to the current
// folder) or a preset. Its Text is the equivalent sweep file.
func FromGrid(base string, grids, extra []string, opts scenarios.Options) (*Sweep, error) {
	return FromGridMetrics(base, grids, extra, nil, opts)
}

// FromGridMetrics is FromGrid plotting the metrics named (--metrics; the
// sweep file's metrics key), or DefaultMetrics when none is.
func FromGridMetrics(base string, grids, extra, metrics []string, opts scenarios.Options) (*Sweep, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "base = %s\ndesign = \"grid\"\n", strconv.Quote(base))
	if len(metrics) > 0 {
		q := make([]string, len(metrics))
		for i, m := range metrics {
			metrics[i] = strings.TrimSpace(m)
			q[i] = strconv.Quote(metrics[i])
		}
		if _, err := metricIndices("--metrics", metrics); err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "metrics = [%s]\n", strings.Join(q, ", "))
	}
	for i, g := range grids {
		key, raw, ok := strings.Cut(g, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, errorf("--grid", "", "%q: want key=v1,v2,... e.g. --grid market.max_bids=10,20", g)
		}
		parts, err := SplitTop(raw)
		if err != nil {
			return nil, errorf("--grid", key, "%q: %v", raw, err)
		}
		lits := make([]string, len(parts))
		for j, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" {
				return nil, errorf("--grid", key, "%q: value %d is empty", raw, j+1)
			}
			lit, err := literal(readValue(p))
			if err != nil {
				return nil, errorf("--grid", key, "%q: %v", p, err)
			}
			lits[j] = lit
		}
		fmt.Fprintf(&b, "\n[[param]] # --grid %d\nkey = %s\nvalues = [%s]\n", i+1, strconv.Quote(key), strings.Join(lits, ", "))
	}
	return Parse("--grid", ".", "", []byte(b.String()), extra, opts)
}

// readValue reads raw as --set does: a TOML value, or else the string.
func readValue(raw string) any {
	var t map[string]any
	if _, err := toml.Decode("v = "+raw, &t); err == nil {
		return t["v"]
	}
	return raw
}

// SplitTop splits s at the commas that are outside brackets, braces and
// quoted strings ("[1, 2],{ a = 1, b = 2 }" has two parts).
func SplitTop(s string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced %q at character %d", c, i+1)
			}
		case c == ',' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	if depth != 0 || quote != 0 {
		return nil, fmt.Errorf("unclosed bracket, brace or quote")
	}
	return append(parts, s[start:]), nil
}
