package scenarios

import (
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

const docsPath = "../docs/scenarios.md"

func readDocs(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(docsPath)
	require.NoError(t, err)
	return string(data)
}

// TestDocsExample parses the complete example of docs/scenarios.md: it is
// valid and gives no warning.
func TestDocsExample(t *testing.T) {
	docs := readDocs(t)
	m := regexp.MustCompile("(?s)## A complete example.*?```toml\n(.*?)```").FindStringSubmatch(docs)
	require.NotNil(t, m, "no toml block under 'A complete example'")
	sc, err := Parse(Source{Name: "docs example", Data: []byte(m[1])}, nil)
	require.NoError(t, err)
	assert.Empty(t, sc.Warnings())
	assert.Len(t, sc.Providers, 2)
	assert.Len(t, sc.Tenants, 2)
}

// TestDocsListEveryKey checks that docs/scenarios.md has a section for
// every table, a table row for every key, a mention of every distribution
// field in its Distributions section, and a section for every registered
// mechanism.
func TestDocsListEveryKey(t *testing.T) {
	docs := readDocs(t)
	dists := docs[strings.Index(docs, "## Distributions"):]
	dists = dists[:strings.Index(dists[3:], "\n## ")+3]
	has := func(text, s, what string) {
		t.Helper()
		assert.True(t, strings.Contains(text, s), "docs/scenarios.md: no %s (%q)", what, s)
	}
	distType := reflect.TypeFor[agents.Dist]()
	var walk func(path []string, typ reflect.Type)
	walk = func(path []string, typ reflect.Type) {
		for _, k := range allowedKeys(path) {
			f, _ := tomlField(typ, k)
			sub := elemType(f.Type)
			full := strings.Join(append(append([]string{}, path...), k), ".")
			switch {
			case sub == distType:
				has(docs, "| `"+k+"` |", "row for "+full)
			case sub.Kind() == reflect.Struct && len(path) == 0 && f.Type.Kind() == reflect.Slice:
				has(docs, "## `[["+k+"]]`", "section for "+full)
				walk([]string{k}, sub)
			case sub.Kind() == reflect.Struct && len(path) == 0:
				has(docs, "## `["+k+"]`", "section for "+full)
				walk([]string{k}, sub)
			case sub.Kind() == reflect.Map && len(path) == 0: // [market]
				has(docs, "## `["+k+"]`", "section for "+full)
			default:
				has(docs, "| `"+k+"` |", "row for "+full)
			}
		}
	}
	walk(nil, reflect.TypeFor[Scenario]())
	for _, k := range allowedKeys([]string{"tenants", "lifetime_hours"}) {
		has(dists, "`"+k+"`", "mention of distribution field "+k)
	}
	for _, kind := range []string{"const", "uniform", "exponential", "lognormal", "pareto", "choice"} {
		has(dists, "| `"+kind+"` |", "row for distribution kind "+kind)
	}
	for _, name := range market.Names() {
		has(docs, "### `"+name+"`", "section for mechanism "+name)
	}
}

// TestDocsDefaults reads the default column of every key row of
// docs/scenarios.md and checks it against the code's defaults.
func TestDocsDefaults(t *testing.T) {
	docs := readDocs(t)
	sections := []struct {
		heading string
		def     any // the struct of defaults the rows describe
	}{
		{"## `[sim]`", sim.DefaultParams()},
		{"## `[resources]`", defaultScenario().Resources},
		{"## `[tokenomics]`", tokenomics.DefaultParams()},
		{"## `[[providers]]`", agents.DefaultProviderCohort()},
		{"## `[[tenants]]`", agents.DefaultTenantCohort()},
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9_]+)` \\| [^|]+ \\| `([^`|]+)`[^|]*\\|")
	for _, s := range sections {
		i := strings.Index(docs, s.heading)
		require.GreaterOrEqual(t, i, 0, s.heading)
		text := docs[i+len(s.heading):]
		if j := strings.Index(text, "\n## "); j >= 0 {
			text = text[:j]
		}
		def := reflect.ValueOf(s.def)
		rows := row.FindAllStringSubmatch(text, -1)
		require.NotEmpty(t, rows, s.heading)
		for _, r := range rows {
			key, written := r[1], r[2]
			f, ok := tomlField(def.Type(), key)
			if !assert.True(t, ok, "%s: no key %s", s.heading, key) {
				continue
			}
			holder := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: f.Type, Tag: `toml:"v"`}}))
			_, err := toml.Decode("v = "+written, holder.Interface())
			if !assert.NoError(t, err, "%s %s: default %s", s.heading, key, written) {
				continue
			}
			got, want := holder.Elem().Field(0), def.FieldByIndex(f.Index)
			if got.Kind() == reflect.Map && got.Len() == 0 && want.Len() == 0 {
				continue // {} and a nil map
			}
			assert.Equal(t, want.Interface(), got.Interface(), "%s %s: the docs say %s", s.heading, key, written)
		}
	}

	// [market]: the mechanism and akash-reverse's parameters
	assert.Equal(t, "akash-reverse", defaultScenario().Market["mechanism"])
	assert.Contains(t, docs, "| `mechanism` | string | `\"akash-reverse\"` |")
	m, err := market.NewAkashReverse(market.Params{})
	require.NoError(t, err)
	ar := m.(*market.AkashReverse)
	assert.Contains(t, docs, "| `max_bids` | integer | `"+strconv.Itoa(ar.Bids)+"` |")
	assert.Contains(t, docs, "| `tie_break` | string | `\""+ar.TieBreak+"\"` |")
}
