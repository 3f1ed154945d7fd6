package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/simtime"
)

// decodeText decodes TOML text into the generic tree ApplySet works on.
func decodeText(t *testing.T, text string) map[string]any {
	t.Helper()
	var tree map[string]any
	_, err := toml.Decode(text, &tree)
	require.NoError(t, err)
	return tree
}

func TestApplySetValues(t *testing.T) {
	cases := []struct {
		value string
		want  any
	}{
		{"5", int64(5)},
		{"-3", int64(-3)},
		{"0.04", 0.04},
		{"1e3", 1000.0},
		{"true", true},
		{"false", false},
		{"[1, 2, 3]", []any{int64(1), int64(2), int64(3)}},
		{"[0.5, 1.5]", []any{0.5, 1.5}},
		{`{ kind = "const", value = 3 }`, map[string]any{"kind": "const", "value": int64(3)}},
		{`"quoted text"`, "quoted text"},
		{"30d", "30d"},                     // not TOML: a bare string
		{"akash-reverse", "akash-reverse"}, //
		{"5 parsecs", "5 parsecs"},         //
		{"  7  ", int64(7)},                // surrounding spaces trimmed
		{"", ""},                           // nothing: the empty string
		{"a=b", "a=b"},                     // only the first '=' splits
	}
	for _, c := range cases {
		tree := map[string]any{}
		require.NoError(t, ApplySet(tree, "sim.x="+c.value), c.value)
		assert.Equal(t, c.want, tree["sim"].(map[string]any)["x"], c.value)
	}

	tree := map[string]any{}
	require.NoError(t, ApplySet(tree, "sim.start=2024-05-01"))
	d, ok := tree["sim"].(map[string]any)["start"].(time.Time)
	require.True(t, ok, "a TOML date")
	assert.Equal(t, "2024-05-01", d.Format(time.DateOnly))
}

func TestApplySetPaths(t *testing.T) {
	text := `
[sim]
horizon = "1y"

[[providers]]
name = "a"
count = 1

[[providers]]
name = "b"
count = 2
price_multiplier = { kind = "const", value = 1 }
`
	t.Run("top-level key", func(t *testing.T) {
		tree := decodeText(t, text)
		require.NoError(t, ApplySet(tree, "name=x"))
		assert.Equal(t, "x", tree["name"])
	})
	t.Run("section key", func(t *testing.T) {
		tree := decodeText(t, text)
		require.NoError(t, ApplySet(tree, "sim.horizon=30d"))
		assert.Equal(t, "30d", tree["sim"].(map[string]any)["horizon"])
	})
	t.Run("missing table created", func(t *testing.T) {
		tree := decodeText(t, text)
		require.NoError(t, ApplySet(tree, "tokenomics.take_rate.akt=0.04"))
		assert.Equal(t, map[string]any{"take_rate": map[string]any{"akt": 0.04}}, tree["tokenomics"])
	})
	t.Run("element by index", func(t *testing.T) {
		tree := decodeText(t, text)
		require.NoError(t, ApplySet(tree, "providers[1].count=5"))
		arr := tree["providers"].([]map[string]any)
		assert.Equal(t, int64(1), arr[0]["count"])
		assert.Equal(t, int64(5), arr[1]["count"])
	})
	t.Run("element by name", func(t *testing.T) {
		tree := decodeText(t, text)
		require.NoError(t, ApplySet(tree, "providers.a.count=7"))
		arr := tree["providers"].([]map[string]any)
		assert.Equal(t, int64(7), arr[0]["count"])
		assert.Equal(t, int64(2), arr[1]["count"])
	})
	t.Run("nested key of an element by name", func(t *testing.T) {
		tree := decodeText(t, text)
		require.NoError(t, ApplySet(tree, "providers.b.price_multiplier.value=2"))
		pm := tree["providers"].([]map[string]any)[1]["price_multiplier"].(map[string]any)
		assert.Equal(t, map[string]any{"kind": "const", "value": int64(2)}, pm)
	})
	t.Run("nested key of an element by index", func(t *testing.T) {
		tree := decodeText(t, text)
		require.NoError(t, ApplySet(tree, "providers[0].gpus.h100=4"))
		assert.Equal(t, map[string]any{"h100": int64(4)}, tree["providers"].([]map[string]any)[0]["gpus"])
	})
	t.Run("whole table value", func(t *testing.T) {
		tree := decodeText(t, text)
		require.NoError(t, ApplySet(tree, `providers[0].price_multiplier={ kind = "uniform", min = 0.5, max = 1.5 }`))
		assert.Equal(t, map[string]any{"kind": "uniform", "min": 0.5, "max": 1.5}, tree["providers"].([]map[string]any)[0]["price_multiplier"])
	})

	errCases := []struct {
		set  string
		want string
	}{
		{"sim.horizon", `"sim.horizon": want path=value, e.g. sim.horizon=30d`},
		{"=5", `"=5": want path=value`},
		{"providers[2].count=1", "providers[2].count: index 2 out of range (providers has 2 entries)"},
		{"providers[-1].count=1", "providers[-1].count: index -1 out of range"},
		{"providers[x].count=1", `providers[x].count: bad index in "providers[x]"`},
		{"providers[1.count=1", `providers[1.count: bad path segment "providers[1"`},
		{"sim[0].horizon=1d", "sim[0].horizon: sim is not an array of tables"},
		{"tenants[0].name=x", "tenants[0].name: tenants is not an array of tables"},
		{"providers.c.count=1", `providers.c.count: providers has no element named "c"`},
		{"providers.count=1", `providers.count: providers has no element named "count"`},
		{"providers[0]=1", "providers[0]: cannot replace a whole array element; set one of its keys"},
		{"providers.a=1", "providers.a: cannot replace a whole array element; set one of its keys"},
		{"sim.horizon.unit=d", "sim.horizon.unit: sim.horizon is not a table"},
		{"providers.b.count.x=1", "providers.b.count.x: providers.b.count is not a table"},
		{"providers[1].price_multiplier.kind.x=1", "providers[1].price_multiplier.kind.x: providers[1].price_multiplier.kind is not a table"},
	}
	for _, c := range errCases {
		tree := decodeText(t, text)
		err := ApplySet(tree, c.set)
		require.Error(t, err, c.set)
		assert.Contains(t, err.Error(), c.want, c.set)
	}
}

func TestParseWithSets(t *testing.T) {
	t.Run("horizon", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, "sim.horizon=30d")
		assert.Equal(t, simtime.Duration(30*simtime.Day), sc.Sim.Horizon)
	})
	t.Run("count by index and by name", func(t *testing.T) {
		assert.Equal(t, 5, mustParse(t, minimalTOML, "providers[0].count=5").Providers[0].Count)
		assert.Equal(t, 6, mustParse(t, minimalTOML, "providers.p.count=6").Providers[0].Count)
		sc, err := Load(DefaultPreset, []string{"providers.gpu-a100.count=1", "tenants.training.arrivals_per_day=0.5"})
		require.NoError(t, err)
		assert.Equal(t, "gpu-a100", sc.Providers[1].Name)
		assert.Equal(t, 1, sc.Providers[1].Count)
		assert.Equal(t, 0.5, sc.Tenants[3].ArrivalsPerDay)
	})
	t.Run("later sets win", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, "sim.seed=2", "sim.seed=3")
		assert.Equal(t, int64(3), sc.Sim.Seed)
	})
	t.Run("a set key not in the file keeps the other defaults", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, "sim.replications=2")
		assert.Equal(t, 2, sc.Sim.Replications)
		assert.Equal(t, simtime.Duration(simtime.Hour), sc.Sim.SampleEvery)
	})
	t.Run("take rate on a file without take_rate replaces the default table", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, "tokenomics.take_rate.akt=0.04")
		assert.Equal(t, map[string]float64{"akt": 0.04}, sc.Tokenomics.TakeRate, "usdc is not filled in")
		assert.Equal(t, 5.0, sc.Tokenomics.TokenPriceUSD, "[tokenomics] itself merges key by key")
	})
	t.Run("take rate on a file with take_rate changes one key", func(t *testing.T) {
		sc, err := Load(DefaultPreset, []string{"tokenomics.take_rate.akt=0.04"})
		require.NoError(t, err)
		assert.Equal(t, map[string]float64{"akt": 0.04, "usdc": 0.20}, sc.Tokenomics.TakeRate)
	})
	t.Run("whole take rate table", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, "tokenomics.take_rate={ akt = 0.04, usdc = 0.1 }")
		assert.Equal(t, map[string]float64{"akt": 0.04, "usdc": 0.1}, sc.Tokenomics.TakeRate)
	})
	t.Run("distribution field on a default distribution", func(t *testing.T) {
		// the set creates { median = 2 }, which replaces the default whole
		_, err := parseText(t, minimalTOML, "providers[0].price_multiplier.median=2")
		require.Error(t, err)
		assert.Contains(t, err.Error(), `providers[0].price_multiplier.kind: must be one of const, uniform`)
		sc := mustParse(t, minimalTOML, `providers[0].price_multiplier={ kind = "lognormal", median = 2, sigma = 0.1 }`)
		assert.Equal(t, agents.Dist{Kind: "lognormal", Median: 2, Sigma: 0.1}, sc.Providers[0].PriceMultiplier)
	})
	t.Run("market parameter on a file without [market]", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, "market.max_bids=5")
		assert.Equal(t, map[string]any{"mechanism": "akash-reverse", "max_bids": int64(5)}, sc.Market)
	})
	t.Run("string values", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, "market.tie_break=provider-id", "providers[0].region=eu-west", `description="a b"`)
		assert.Equal(t, "provider-id", sc.Market["tie_break"])
		assert.Equal(t, "eu-west", sc.Providers[0].Region)
		assert.Equal(t, "a b", sc.Description)
	})
	t.Run("date", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, "sim.start=2025-01-31")
		assert.Equal(t, simtime.Date{Year: 2025, Month: 1, Day: 31}, sc.Sim.Start)
		sc = mustParse(t, minimalTOML, `sim.start="2025-02-01"`)
		assert.Equal(t, simtime.Date{Year: 2025, Month: 2, Day: 1}, sc.Sim.Start)
	})
	t.Run("array and inline table", func(t *testing.T) {
		sc := mustParse(t, minimalTOML, `tenants.t.cpu_cores={ kind = "choice", values = [1, 2], weights = [0.5, 0.5] }`, "providers.p.gpus={}")
		assert.Equal(t, agents.Dist{Kind: "choice", Values: []float64{1, 2}, Weights: []float64{0.5, 0.5}}, sc.Tenants[0].CPUCores)
		assert.Empty(t, sc.Providers[0].GPUs)
		sc = mustParse(t, minimalTOML, `tenants.t.cpu_cores.values=[4, 8]`, `tenants.t.cpu_cores.kind=choice`)
		assert.Equal(t, agents.Dist{Kind: "choice", Values: []float64{4, 8}}, sc.Tenants[0].CPUCores)
	})
	t.Run("bool", func(t *testing.T) {
		_, err := parseText(t, minimalTOML, "sim.seed=true")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "sim.seed: incompatible types: TOML value has type bool")
	})
}

func TestParseWithSetsErrors(t *testing.T) {
	cases := []struct {
		sets []string
		key  string // the Error's key path
		msg  []string
	}{
		{[]string{"market.mechanism=nope"}, "market.mechanism", []string{`unknown mechanism "nope" (known: ` + strings.Join(market.Names(), ", ") + ")"}},
		{[]string{"market.unknown_param=1"}, "market.unknown_param", []string{`unknown parameter for mechanism "akash-reverse" (it knows: max_bids, open_orders, tie_break)`}},
		{[]string{"market.max_bids=lots"}, "market.max_bids", []string{"must be an integer, got lots"}},
		{[]string{"market=5"}, "market", []string{"must be a table", "got 5"}},
		{[]string{"sim.bogus=1"}, "sim.bogus", []string{"unknown key", "allowed here: horizon,"}},
		{[]string{"colour=red"}, "colour", []string{"unknown key", "allowed here: assert, description, market,"}},
		{[]string{"providers[0].bogus=1"}, "providers.bogus", []string{"unknown key", "allowed here: audited_fraction"}},
		{[]string{"tenants.t.lifetime_hours.mu=1"}, "tenants.lifetime_hours.mu", []string{"unknown key", "allowed here: alpha, cap"}},
		{[]string{"sim.seed=x"}, "sim.seed", []string{"incompatible types: TOML value has type string; destination has type integer"}},
		{[]string{"providers[0].count=two"}, "providers[0].count", []string{"incompatible types"}},
		{[]string{"providers.p.gpus=8"}, "providers[0].gpus", []string{"must be a table", "got 8"}},
		{[]string{"sim.horizon=5 parsecs"}, "sim.horizon", []string{`duration "5 parsecs": want a number and a unit`}},
		{[]string{"sim.horizon=0d"}, "sim.horizon", []string{"must be in (0, 100y], got 0s"}},
		{[]string{"sim.replications=0"}, "sim.replications", []string{"must be in [1, 100000], got 0"}},
		{[]string{"providers.p.audited_fraction=1.5"}, "providers[0].audited_fraction", []string{"must be in [0, 1], got 1.5"}},
		{[]string{"tenants.t.lifetime_hours.kind=weird"}, "tenants[0].lifetime_hours.kind", []string{`got "weird"`}},
	}
	for _, c := range cases {
		_, err := parseText(t, minimalTOML, c.sets...)
		require.Error(t, err, "%v", c.sets)
		var e *Error
		require.True(t, errors.As(err, &e), "%v: %T", c.sets, err)
		assert.Equal(t, c.key, e.Key, "%v: %v", c.sets, err)
		assert.Equal(t, "test.toml with --set "+c.sets[0], e.File, "%v", c.sets)
		assert.Zero(t, e.Line, "no line for a value that came from --set: %v", err)
		for _, m := range c.msg {
			assert.Contains(t, err.Error(), m, "%v", c.sets)
		}
	}

	// path errors are --set's own
	for _, set := range []string{"providers[3].count=1", "name.x=1", "providers.q.count=1", "nonsense"} {
		_, err := parseText(t, minimalTOML, set)
		require.Error(t, err, set)
		var e *Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, "--set", e.File)
		assert.Contains(t, err.Error(), "--set: ")
	}
	_, err := parseText(t, minimalTOML, "providers[3].count=1")
	assert.EqualError(t, err, "--set: providers[3].count: index 3 out of range (providers has 1 entries)")
	_, err = parseText(t, minimalTOML, "name.x=1")
	assert.EqualError(t, err, "--set: name.x: name is not a table")
}

func TestSetsDoNotChangeTheSource(t *testing.T) {
	src, err := Open(DefaultPreset)
	require.NoError(t, err)
	before := string(src.Data)
	_, err = Parse(src, []string{"sim.seed=9", "providers[0].count=1"})
	require.NoError(t, err)
	assert.Equal(t, before, string(src.Data))
	again, err := Parse(src, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1), again.Sim.Seed)
}
