package scenarios_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/internal/scengen"
	"github.com/depinsim/depinsim/scenarios"
)

// TestDirectDecodeMatchesText decodes completed scenario trees directly
// and through the TOML text (scenarios.DecodeBothWays): every shipped
// scenario under overrides of every kind, and generated scenarios
// (scengen: presets with their keys redrawn in their documented ranges;
// 40 under -short, 300 otherwise). The direct decode must take each of
// them (none falls back to the text) and give the text's Scenario.
func TestDirectDecodeMatchesText(t *testing.T) {
	type tc struct {
		name string
		src  scenarios.Source
		sets []string
	}
	var cases []tc
	for _, name := range append(scenarios.Presets(), "scenarios/bench/r1.toml") {
		src, err := scenarios.Open(name)
		if name == "scenarios/bench/r1.toml" {
			src, err = scenarios.Open("bench/r1.toml")
		}
		require.NoError(t, err, name)
		for i, sets := range directSets {
			cases = append(cases, tc{fmt.Sprintf("%s/%d", name, i), src, sets})
		}
	}
	n := 300
	if testing.Short() {
		n = 40
	}
	for i := range n {
		g, err := scengen.Generate(11, i)
		require.NoError(t, err)
		cases = append(cases, tc{fmt.Sprintf("gen-%d", i), scenarios.Source{Name: "gen.toml", Data: g.TOML}, nil})
	}
	for _, c := range cases {
		direct, text, ok, err := scenarios.DecodeBothWays(c.src, c.sets)
		require.NoError(t, err, c.name)
		if assert.True(t, ok, "%s: the direct decode fell back to the text", c.name) {
			assert.Equal(t, text, direct, c.name)
		}
	}
}

// directSets are overrides that reach every kind of value the decode
// fills: numbers, strings, durations, dates, per-resource tables, a
// distribution table, a table replaced whole, a cohort element, new
// market keys of every form, an integer into a float.
var directSets = [][]string{
	nil,
	{"sim.horizon=30d", "sim.seed=7", "sim.start=2025-03-01"},
	{"tokenomics.take_rate={ akt = 0.1, usdc = 0.2 }", "tokenomics.token_price_usd=3"},
	{"providers[0].count=3", "tenants[0].arrivals_per_day=11"},
	{"market.mechanism=vickrey-reverse"},
	{"providers[0].cost_multiplier={ kind = \"uniform\", min = 0.9, max = 1.1 }"},
	{"resources.reference_usd_hour={ cpu = 0.05, memory_gb = 0.01, h100 = 3 }"},
	// the mechanism's parameters: tables and arrays in the forms the
	// text gives them back (arrays of tables as [[tables]], except
	// inside an inline array)
	{"market.x={}", "market.y=[]", "market.z=[{}]", "market.w=[[{ a = 1 }]]", "market.v=[{ a = [{ b = 1 }] }]"},
}

// TestDirectDecodeFallsBack: a tree the direct decode might fill
// otherwise than the decoder (a key matched only without regard to case,
// an unknown key, a value of another type, a date among the mechanism's
// parameters, an integer beyond a float64's exact range, a number for a
// duration) is left to the text, whose Scenario or error Parse returns.
func TestDirectDecodeFallsBack(t *testing.T) {
	src, err := scenarios.Open("akash-2024")
	require.NoError(t, err)
	for _, sets := range [][]string{
		{"sim.Horizon=30d"},
		{"sim.horizonn=30d"},
		{"sim.seed=seven"},
		{"market.when=2024-01-01"},
		{"tokenomics.token_price_usd=9007199254740993"},
		{"sim.horizon=30"},
	} {
		_, _, ok, _ := scenarios.DecodeBothWays(src, sets)
		assert.False(t, ok, "%v: decoded directly", sets)
	}
}
