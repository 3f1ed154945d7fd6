package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/market"
)

// applySet is ApplySet, and a switch of mechanism: a --set of
// market.mechanism to another registered mechanism drops the keys of
// [market] that the new mechanism does not know (the old mechanism's
// parameters, from the file or earlier overrides), so that
// --set market.mechanism=X is the one command that switches. note says
// what was dropped ("" when nothing was).
func applySet(tree map[string]any, set string) (note string, err error) {
	before := ""
	if m, ok := tree["market"].(map[string]any); ok {
		before, _ = m["mechanism"].(string)
	}
	if err := ApplySet(tree, set); err != nil {
		return "", err
	}
	path, _, _ := strings.Cut(set, "=")
	if strings.TrimSpace(path) != "market.mechanism" {
		return "", nil
	}
	m, _ := tree["market"].(map[string]any)
	name, _ := m["mechanism"].(string)
	if name == before || !slices.Contains(market.Names(), name) {
		return "", nil
	}
	var dropped []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k != "mechanism" && !knowsParam(name, k, m[k]) {
			dropped = append(dropped, "market."+k)
			delete(m, k)
		}
	}
	if len(dropped) == 0 {
		return "", nil
	}
	from := ""
	if before != "" {
		from = fmt.Sprintf(" (parameters of %s)", before)
	}
	return fmt.Sprintf("--set %s: dropped %s%s, which mechanism %s does not know; it takes its own defaults",
		strings.TrimSpace(set), strings.Join(dropped, ", "), from, name), nil
}

// knowsParam reports whether mechanism name has a parameter key: building
// it with that key alone does not report the key as unknown.
func knowsParam(name, key string, value any) bool {
	_, err := market.New(name, market.Params{key: value})
	return err == nil || !strings.Contains(err.Error(), "market."+key+": unknown parameter")
}

// Notes returns what loading the scenario changed beyond what was asked,
// for the user to read (e.g. the parameters a switch of mechanism
// dropped). Nil when nothing.
func (sc *Scenario) Notes() []string { return sc.notes }

// switchHint is added to an error about a parameter the mechanism does
// not know: how to switch mechanisms in one command.
func switchHint(mechanism string) string {
	return fmt.Sprintf("; remove it, or switch mechanisms in one command with --mechanism %s (or --set market.mechanism=%s), which drops the parameters %s does not know", mechanism, mechanism, mechanism)
}

// Mechanisms lists the market mechanisms a scenario may name, sorted.
func Mechanisms() []string { return market.Names() }
