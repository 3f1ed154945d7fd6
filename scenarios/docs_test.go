package scenarios

import (
	"encoding"
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

// docsSection returns the text of docs/scenarios.md under heading, up to
// the next heading of level 2 or 3.
func docsSection(t *testing.T, docs, heading string) string {
	t.Helper()
	i := strings.Index(docs, "\n"+heading+"\n")
	require.GreaterOrEqual(t, i, 0, "docs/scenarios.md: no heading %s", heading)
	text := docs[i+len(heading)+1:]
	if j := nextHeading.FindStringIndex(text); j != nil {
		text = text[:j[0]]
	}
	return text
}

var nextHeading = regexp.MustCompile("\n#{2,3} ")

// textValue is the interface of types written as one TOML value (a
// duration, a date): leaves of the key walk, not tables.
var textValue = reflect.TypeFor[encoding.TextUnmarshaler]()

// TestDocsListEveryKey checks that docs/scenarios.md has a section for
// every table and array of tables, nested ones included ("## `[sim]`",
// "### `[tokenomics.inflation]`", "### `[[tokenomics.incentives]]`"), a
// row for every key in its table's section, a mention of every
// distribution field in its Distributions section, and a section for
// every registered mechanism.
func TestDocsListEveryKey(t *testing.T) {
	docs := readDocs(t)
	dists := docs[strings.Index(docs, "## Distributions"):]
	dists = dists[:strings.Index(dists[3:], "\n## ")+3]
	has := func(text, s, what string) {
		t.Helper()
		assert.True(t, strings.Contains(text, s), "docs/scenarios.md: no %s (%q)", what, s)
	}
	distType := reflect.TypeFor[agents.Dist]()
	isTable := func(typ reflect.Type) bool {
		return typ.Kind() == reflect.Struct && typ != distType && !reflect.PointerTo(typ).Implements(textValue)
	}
	var walk func(path []string, typ reflect.Type, section string)
	walk = func(path []string, typ reflect.Type, section string) {
		for _, k := range allowedKeys(path) {
			f, _ := tomlField(typ, k)
			sub := elemType(f.Type)
			p := append(append([]string{}, path...), k)
			full := strings.Join(p, ".")
			level := strings.Repeat("#", 2+len(path))
			switch {
			case isTable(sub) && f.Type.Kind() == reflect.Slice:
				heading := level + " `[[" + full + "]]`"
				has(docs, "\n"+heading+"\n", "section for "+full)
				walk(p, sub, docsSection(t, docs, heading))
			case isTable(sub):
				heading := level + " `[" + full + "]`"
				has(docs, "\n"+heading+"\n", "section for "+full)
				walk(p, sub, docsSection(t, docs, heading))
			case sub.Kind() == reflect.Map && len(path) == 0: // [market]
				has(docs, "## `["+k+"]`", "section for "+full)
			default:
				has(section, "| `"+k+"` |", "row for "+full)
			}
		}
	}
	walk(nil, reflect.TypeFor[Scenario](), docsSection(t, docs, "## Top level"))
	for _, k := range allowedKeys([]string{"tenants", "lifetime_hours"}) {
		has(dists, "`"+k+"`", "mention of distribution field "+k)
	}
	for _, kind := range []string{"const", "uniform", "exponential", "lognormal", "pareto", "choice"} {
		has(dists, "| `"+kind+"` |", "row for distribution kind "+kind)
	}
	for _, name := range market.Names() {
		has(docs, "### `"+name+"`", "section for mechanism "+name)
	}
	emission := docsSection(t, docs, "### `[tokenomics.emission]`")
	for _, kind := range tokenomics.EmissionKinds() {
		has(emission, "`\""+kind+"\"`", "emission kind "+kind)
	}
	price := docsSection(t, docs, "### `[tokenomics.price]`")
	for _, m := range tokenomics.PriceModels() {
		has(price, "`\""+m+"\"`", "price model "+m)
	}
}

// TestDocsInitialUSDIsNotUsed checks that the docs say what Parse does
// with tokenomics.price.initial_usd: it is not used.
func TestDocsInitialUSDIsNotUsed(t *testing.T) {
	price := docsSection(t, readDocs(t), "### `[tokenomics.price]`")
	assert.Regexp(t, "(?m)^\\| `initial_usd` \\| float, USD \\| not used \\|.*ignored: the process starts at `token_price_usd`", price)
	sc := mustParse(t, minimalTOML, "tokenomics.token_price_usd=3")
	assert.Equal(t, 3.0, sc.Tokenomics.Price.InitialUSD, "written back equal to token_price_usd")
}

// TestDocsGovernanceKeys checks the governance key table against
// tokenomics.GovernanceKeys and the ranges of the governable keys.
func TestDocsGovernanceKeys(t *testing.T) {
	gov := docsSection(t, readDocs(t), "### `[[tokenomics.governance]]`")
	rows := regexp.MustCompile("(?m)^\\| `(tokenomics\\.[a-z_.]+)` \\|").FindAllStringSubmatch(gov, -1)
	var documented []string
	for _, r := range rows {
		documented = append(documented, r[1])
	}
	assert.Equal(t, tokenomics.GovernanceKeys, documented, "one row per governance key, in order")
	for _, k := range tokenomics.GovernanceKeys {
		if k == "tokenomics.settlement" {
			assert.Contains(t, gov, "| `"+k+"` | `\"take\"` or `\"bme\"` |")
			continue
		}
		g, ok := tokenomics.Governable(k)
		require.True(t, ok, "no governable key %s", k)
		assert.Contains(t, gov, "| `"+k+"` | number in "+g.Range.String()+" |")
	}
}

// TestDocsTokenExample appends the token-layer example of the
// [tokenomics] section to the complete example: valid, and no warning.
func TestDocsTokenExample(t *testing.T) {
	docs := readDocs(t)
	full := regexp.MustCompile("(?s)## A complete example.*?```toml\n(.*?)```").FindStringSubmatch(docs)
	require.NotNil(t, full)
	tok := regexp.MustCompile("(?s)An example of the token layer.*?```toml\n(.*?)```").FindStringSubmatch(docs)
	require.NotNil(t, tok, "no toml block after 'An example of the token layer'")
	sc, err := Parse(Source{Name: "docs example", Data: []byte(full[1] + "\n" + tok[1])}, nil)
	require.NoError(t, err)
	assert.Empty(t, sc.Warnings())
	tp := sc.Tokenomics
	assert.Len(t, tp.Incentives, 1)
	assert.Len(t, tp.Seasons, 1)
	assert.Len(t, tp.Governance, 1)
	assert.Equal(t, 0.13, tp.Inflation.InflationMin)
	assert.Equal(t, tokenomics.DefaultMintParams().InflationMax, tp.Inflation.InflationMax, "sub-tables merge key by key")
	assert.Equal(t, tokenomics.PriceGBM, tp.Price.Model)
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
		{"### `[tokenomics.inflation]`", tokenomics.DefaultMintParams()},
		{"### `[tokenomics.staking]`", tokenomics.DefaultStakingParams()},
		{"### `[tokenomics.emission]`", tokenomics.DefaultEmissionParams()},
		{"### `[tokenomics.bme]`", tokenomics.DefaultBMEParams()},
		{"### `[tokenomics.price]`", tokenomics.DefaultPriceParams()},
		// arrays of tables: no defaults but zero values
		{"### `[[tokenomics.incentives]]`", tokenomics.IncentiveProgram{}},
		{"### `[[tokenomics.seasons]]`", tokenomics.Season{}},
		{"### `[[tokenomics.governance]]`", tokenomics.GovernanceChange{}},
		{"## `[[providers]]`", agents.DefaultProviderCohort()},
		{"## `[[tenants]]`", agents.DefaultTenantCohort()},
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9_]+)` \\| [^|]+ \\| `([^`|]+)`[^|]*\\|")
	for _, s := range sections {
		text := docsSection(t, docs, s.heading)
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
			if (got.Kind() == reflect.Map || got.Kind() == reflect.Slice) && got.Len() == 0 && want.Len() == 0 {
				continue // {} and a nil map, [] and a nil slice
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
