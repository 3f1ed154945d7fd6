package scenarios

import (
	"fmt"
	"strconv"
	"strings"
)

// findLine returns the line where key path (e.g. "providers[2].gpus" or
// "sim.horizon") is set in TOML text — the key itself, an inline table
// that holds it, or its table header — or, when the key is not written
// (a default), the header of the table or array element that holds it; 0
// when neither is found. It follows [table] and [[array]] headers,
// counting array elements.
func findLine(data []byte, path string) int {
	if path == "" {
		return 0
	}
	want := parsePath(path)
	found, fallback, depth := 0, 0, 0
	walkLines(data, func(line int, have []seg, header bool) bool {
		switch {
		case !matchPrefix(want, have):
		case !header || len(have) == len(want):
			found = line
			return false
		case len(have) > depth:
			fallback, depth = line, len(have)
		}
		return true
	})
	if found > 0 {
		return found
	}
	return fallback
}

// parsePath splits a key path such as "providers[2].gpus.h100" into its
// segments.
func parsePath(path string) []seg {
	var segs []seg
	for _, p := range strings.Split(path, ".") {
		s := seg{name: p, idx: -1}
		if i := strings.IndexByte(p, '['); i > 0 && strings.HasSuffix(p, "]") {
			s.name = p[:i]
			s.idx, _ = strconv.Atoi(p[i+1 : len(p)-1])
		}
		segs = append(segs, s)
	}
	return segs
}

// walkLines calls f for each [table] or [[array]] header and each
// "key = value" line of TOML text, with its 1-based line number and the
// key path it defines (elements of arrays of tables, such as providers[1]
// or tokenomics.incentives[0], carry their index), until f returns false.
// It reads line by line: keys inside multi-line values are not seen.
func walkLines(data []byte, f func(line int, path []seg, header bool) bool) {
	counts := map[string]int{}
	var table []seg
	for ln, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") || t == "" {
			continue
		}
		if strings.HasPrefix(t, "[") {
			array := strings.HasPrefix(t, "[[")
			opening, closing := "[", "]"
			if array {
				opening, closing = "[[", "]]"
			}
			end := strings.Index(t, closing)
			if end < 0 {
				continue
			}
			inner, rest := t[len(opening):end], strings.TrimSpace(t[end+len(closing):])
			if !isTableName(inner) || (rest != "" && !strings.HasPrefix(rest, "#")) {
				continue // not a header (e.g. a line of a multi-line array)
			}
			table = keySegs(inner)
			full := segNames(table)
			if array {
				// a new element: the arrays inside the previous one restart
				for k := range counts {
					if strings.HasPrefix(k, full+".") {
						delete(counts, k)
					}
				}
				counts[full]++
			}
			for i := range table {
				if n, ok := counts[segNames(table[:i+1])]; ok {
					table[i].idx = n - 1
				}
			}
			if !f(ln+1, table, true) {
				return
			}
			continue
		}
		eq := strings.IndexByte(t, '=')
		if eq <= 0 {
			continue
		}
		full := append(append([]seg{}, table...), keySegs(t[:eq])...)
		if !f(ln+1, full, false) {
			return
		}
	}
}

// isTableName reports whether s can be a table header's name.
func isTableName(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	for _, r := range s {
		ok := r == '_' || r == '-' || r == '.' || r == ' ' || r == '"' || r == '\'' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// segNames joins the names of segs with dots, without indices.
func segNames(segs []seg) string {
	names := make([]string, len(segs))
	for i, s := range segs {
		names[i] = s.name
	}
	return strings.Join(names, ".")
}

// keySegs splits a written (possibly dotted, possibly quoted) key.
func keySegs(key string) []seg {
	var segs []seg
	for _, p := range strings.Split(key, ".") {
		segs = append(segs, seg{name: strings.Trim(strings.TrimSpace(p), `"'`), idx: -1})
	}
	return segs
}

// elementKey adds array element indices to a key path that the TOML
// decoder reports without them ("providers.count" set on line 14 becomes
// "providers[1].count"), from the headers above that line.
func elementKey(data []byte, line int, key string) string {
	if line <= 0 || key == "" {
		return key
	}
	var at []seg
	walkLines(data, func(l int, path []seg, _ bool) bool {
		if l > line {
			return false
		}
		at = path
		return l < line
	})
	parts := strings.Split(key, ".")
	for i, s := range at {
		if i >= len(parts) || parts[i] != s.name {
			break
		}
		if s.idx >= 0 {
			parts[i] = fmt.Sprintf("%s[%d]", s.name, s.idx)
		}
	}
	return strings.Join(parts, ".")
}

type seg struct {
	name string
	idx  int // array element index, -1 when not an element
}

// matchPrefix reports whether have is a prefix of want.
func matchPrefix(want, have []seg) bool {
	if len(have) > len(want) {
		return false
	}
	for i := range have {
		if want[i].name != have[i].name {
			return false
		}
		if want[i].idx >= 0 && have[i].idx >= 0 && want[i].idx != have[i].idx {
			return false
		}
	}
	return true
}
