package scenarios

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

// ApplySet applies one override "path=value" to a decoded scenario tree.
//
// The path is a dotted key path; an element of an array of tables is
// picked by index (providers[2].count) or by its name
// (providers.gpu-h100.count). The value is read as a TOML value (5, 0.04,
// true, [1, 2], { kind = "const", value = 3 }, "text"); anything that is
// not valid TOML is taken as a string (30d, akash-reverse). Missing tables
// on the path are created; whether the key is allowed is checked when the
// tree is decoded.
func ApplySet(tree map[string]any, set string) error {
	eq := strings.IndexByte(set, '=')
	if eq <= 0 {
		return fmt.Errorf("%q: want path=value, e.g. sim.horizon=30d", set)
	}
	path, raw := strings.TrimSpace(set[:eq]), strings.TrimSpace(set[eq+1:])
	value := parseValue(raw)
	segs := strings.Split(path, ".")
	var cur any = tree
	for i := 0; i < len(segs); i++ {
		last := i == len(segs)-1
		name, idx, hasIdx, err := splitIndex(segs[i])
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s is not a table", path, strings.Join(segs[:i], "."))
		}
		if hasIdx {
			arr, ok := m[name].([]map[string]any)
			if !ok {
				return fmt.Errorf("%s: %s is not an array of tables", path, name)
			}
			if idx < 0 || idx >= len(arr) {
				return fmt.Errorf("%s: index %d out of range (%s has %d entries)", path, idx, name, len(arr))
			}
			if last {
				return fmt.Errorf("%s: cannot replace a whole array element; set one of its keys", path)
			}
			cur = arr[idx]
			continue
		}
		if arr, ok := m[name].([]map[string]any); ok && !last {
			// the next segment names the element: providers.gpu-h100.count
			i++
			found := -1
			for j, el := range arr {
				if el["name"] == segs[i] {
					found = j
					break
				}
			}
			if found < 0 {
				return fmt.Errorf("%s: %s has no element named %q", path, name, segs[i])
			}
			if i == len(segs)-1 {
				return fmt.Errorf("%s: cannot replace a whole array element; set one of its keys", path)
			}
			cur = arr[found]
			continue
		}
		if last {
			m[name] = value
			return nil
		}
		next, ok := m[name]
		if !ok {
			next = map[string]any{}
			m[name] = next
		}
		cur = next
	}
	return nil
}

func splitIndex(s string) (name string, idx int, has bool, err error) {
	i := strings.IndexByte(s, '[')
	if i < 0 {
		return s, 0, false, nil
	}
	if !strings.HasSuffix(s, "]") || i == 0 {
		return "", 0, false, fmt.Errorf("bad path segment %q (want name or name[index])", s)
	}
	idx, err = strconv.Atoi(s[i+1 : len(s)-1])
	if err != nil {
		return "", 0, false, fmt.Errorf("bad index in %q", s)
	}
	return s[:i], idx, true, nil
}

func parseValue(raw string) any {
	var holder map[string]any
	if _, err := toml.Decode("v = "+raw, &holder); err == nil {
		return holder["v"]
	}
	return raw
}

// defaultScenario is the scenario every file is completed with.
func defaultScenario() Scenario {
	return Scenario{
		Sim:        sim.DefaultParams(),
		Resources:  agents.ResourcesParams{ReferenceUSDHour: DefaultReferenceUSDHour()},
		Market:     map[string]any{"mechanism": market.AkashReverseName},
		Tokenomics: tokenomics.DefaultParams(),
	}
}

// DefaultReferenceUSDHour returns the default reference cloud prices per
// unit-hour. GPUs: AEP-26's January-2024 prices (H100 $2.49, A100 $1.69,
// RTX A6000 $0.98; docs/model/akash.md §8); RTX 4090 $0.35 and V100
// $0.40 from competitors' posted prices (Render RNP-019 and Gensyn's
// litepaper, docs/model/competitors.md §2.2, §3.1); CPU $0.04 per
// core-hour and memory $0.005 per GB-hour are assumptions (hyperscaler
// on-demand general-purpose instances, about $0.08/h for 2 vCPU + 8 GB).
func DefaultReferenceUSDHour() map[string]float64 {
	return map[string]float64{
		"cpu": 0.04, "memory_gb": 0.005,
		"h100": 2.49, "a100": 1.69, "a6000": 0.98, "rtx4090": 0.35, "v100": 0.40,
	}
}

func toTree(v any) (map[string]any, error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	var tree map[string]any
	_, err := toml.Decode(buf.String(), &tree)
	return tree, err
}

// defaultTree is the defaults as a tree, with one provider and one tenant
// element under "providers" and "tenants" (applied to every element): a
// copy of the tree encoded once, which the caller may change.
func defaultTree() map[string]any {
	tree, err := defaults()
	if err != nil {
		panic("scenarios: defaults do not encode: " + err.Error())
	}
	return copyTree(tree)
}

// defaults is the defaults' tree, encoded on first use and never changed.
var defaults = sync.OnceValues(fullTree)

// copyTree returns a deep copy of a decoded TOML tree: its tables
// (map[string]any), arrays of tables ([]map[string]any) and arrays
// ([]any) are new; the values in them (strings, numbers, booleans,
// dates) are immutable and shared.
func copyTree(tree map[string]any) map[string]any {
	if tree == nil {
		return nil
	}
	out := make(map[string]any, len(tree))
	for k, v := range tree {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyTree(v)
	case []map[string]any:
		out := make([]map[string]any, len(v))
		for i, el := range v {
			out[i] = copyTree(el)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, el := range v {
			out[i] = copyValue(el)
		}
		return out
	}
	return v
}

func fullTree() (map[string]any, error) {
	sc := defaultScenario()
	sc.Providers = []agents.ProviderCohort{agents.DefaultProviderCohort()}
	sc.Tenants = []agents.TenantCohort{agents.DefaultTenantCohort()}
	return toTree(sc)
}

// mergeDefaults adds every default key missing from tree: at the top,
// inside each section table (for [market], only "mechanism"), inside the
// parameter sub-tables of structTables ([tokenomics.inflation], ...), and
// inside each element of the cohort arrays. Other tables (distributions,
// per-resource tables, take_rate) are atomic: a value given replaces the
// default whole. Arrays of tables have no default elements.
func mergeDefaults(tree, def map[string]any) {
	for k, dv := range def {
		tv, ok := tree[k]
		if !ok {
			if _, isArr := dv.([]map[string]any); isArr {
				continue // cohort arrays: no default elements
			}
			tree[k] = dv
			continue
		}
		switch d := dv.(type) {
		case map[string]any:
			if t, ok := tv.(map[string]any); ok {
				addMissing(t, d, k)
			}
		case []map[string]any:
			if t, ok := tv.([]map[string]any); ok && len(d) > 0 {
				for _, el := range t {
					addMissing(el, d[0], k)
				}
			}
		}
	}
}

// addMissing adds the keys of d missing from t, the table at path, and
// completes the structTables below it key by key too.
func addMissing(t, d map[string]any, path string) {
	for k, v := range d {
		tv, ok := t[k]
		if !ok {
			if _, isArr := v.([]map[string]any); isArr {
				continue // arrays of tables: no default elements
			}
			t[k] = v
			continue
		}
		sub := path + "." + k
		if structTables[sub] {
			if tm, ok := tv.(map[string]any); ok {
				if dm, ok := v.(map[string]any); ok {
					addMissing(tm, dm, sub)
				}
			}
		}
	}
}

// structTables are the sub-tables, by key path, whose keys are completed
// one by one with defaults: each decodes into a parameter struct, not a
// free-form table.
var structTables = map[string]bool{
	"tokenomics.inflation": true,
	"tokenomics.staking":   true,
	"tokenomics.emission":  true,
	"tokenomics.bme":       true,
	"tokenomics.price":     true,
}
