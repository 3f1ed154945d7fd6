package scengen_test

import (
	"bytes"
	"encoding"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/internal/scengen"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/scenarios"
)

// scenarioKeys lists the key paths of the scenario format, from the TOML
// tags of scenarios.Scenario: an element of an array of tables is written
// "providers[]", a distribution, a table and [market] are one key each.
func scenarioKeys(t reflect.Type, prefix string, out *[]string) {
	textual := reflect.TypeFor[encoding.TextUnmarshaler]()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		path := prefix + tag
		ft := f.Type
		switch {
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			*out = append(*out, path)
			scenarioKeys(ft.Elem(), path+"[].", out)
		case ft.Kind() == reflect.Struct && ft != reflect.TypeFor[agents.Dist]() && !reflect.PointerTo(ft).Implements(textual):
			scenarioKeys(ft, path+".", out)
		default:
			*out = append(*out, path)
		}
	}
}

// mechanismKeys lists each mechanism's parameters as the mechanism
// reports them (the error for an unknown parameter lists them).
func mechanismKeys(t *testing.T) []string {
	knows := regexp.MustCompile(`it knows: ([^)]*)\)`)
	fields := regexp.MustCompile(`array of tables \{([^}]*)\}`)
	var out []string
	for _, name := range market.Names() {
		_, err := market.New(name, market.Params{"zz_not_a_key": 1})
		require.Error(t, err, name)
		m := knows.FindStringSubmatch(err.Error())
		require.NotNil(t, m, "%s: %v", name, err)
		for _, k := range strings.Split(m[1], ", ") {
			out = append(out, "market["+name+"]."+k)
		}
		if f := fields.FindStringSubmatch(err.Error()); f != nil { // tiers
			for _, k := range strings.Split(f[1], ", ") {
				out = append(out, "market["+name+"].tiers[]."+k)
			}
		}
	}
	return out
}

// TestKeysCoverScenario: the generator's table names every key of the
// scenario format and every mechanism's parameter, and nothing else.
func TestKeysCoverScenario(t *testing.T) {
	var want []string
	scenarioKeys(reflect.TypeFor[scenarios.Scenario](), "", &want)
	want = slices.DeleteFunc(want, func(k string) bool { return k == "name" || k == "description" || k == "market" })
	want = append(want, "market.mechanism")
	want = append(want, mechanismKeys(t)...)
	var have []string
	for _, k := range scengen.Keys {
		have = append(have, k.Path)
	}
	slices.Sort(want)
	slices.Sort(have)
	for _, k := range want {
		assert.True(t, slices.Contains(have, k), "scengen.Keys does not draw %s", k)
	}
	for _, k := range have {
		assert.True(t, slices.Contains(want, k), "scengen.Keys draws %s, which is not a scenario key", k)
	}
	t.Logf("%d keys, %d of them scaled down", len(have), len(slices.DeleteFunc(slices.Clone(scengen.Keys), func(k scengen.Key) bool { return k.Scaled == "" })))
}

// TestGenerateDeterministic: a scenario is a function of its seed and
// index, and the stream covers every preset, mechanism and price model.
func TestGenerateDeterministic(t *testing.T) {
	presets, mechs, prices := map[string]bool{}, map[string]bool{}, map[string]bool{}
	mech := regexp.MustCompile(`mechanism = "([a-z-]+)"`)
	price := regexp.MustCompile(`\[tokenomics\.price\]\s+(?:[a-z_]+ = [^\n]*\n\s*)*?model = "([a-z]+)"`)
	for i := range 60 {
		a, err := scengen.Generate(5, i)
		require.NoError(t, err)
		b, err := scengen.Generate(5, i)
		require.NoError(t, err)
		require.True(t, bytes.Equal(a.TOML, b.TOML), "index %d: two generations differ", i)
		require.Equal(t, a.Files, b.Files)
		c, err := scengen.Generate(6, i)
		require.NoError(t, err)
		assert.False(t, bytes.Equal(a.TOML, c.TOML), "index %d: seeds 5 and 6 give the same scenario", i)
		presets[a.Preset] = true
		if m := mech.FindSubmatch(a.TOML); m != nil {
			mechs[string(m[1])] = true
		}
		if m := price.FindSubmatch(a.TOML); m != nil {
			prices[string(m[1])] = true
		}
	}
	assert.Len(t, presets, len(scenarios.Presets()))
	assert.Len(t, mechs, len(market.Names()), "mechanisms drawn: %v", mechs)
	assert.Len(t, prices, 4, "price models drawn: %v", prices)
}
