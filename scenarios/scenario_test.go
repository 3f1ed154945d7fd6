package scenarios

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// minimalTOML is the smallest useful scenario: a name, resources, one
// provider cohort with a count and CPU cores, one tenant cohort with a name.
const minimalTOML = `name = "minimal"

[resources]
reference_usd_hour = { cpu = 0.04, memory_gb = 0.005 }

[[providers]]
name = "p"
count = 3
cpu_cores = 16

[[tenants]]
name = "t"
`

// r1Path is the R1 workload's scenario, relative to this package.
const r1Path = "bench/r1.toml"

func parseText(t *testing.T, text string, sets ...string) (*Scenario, error) {
	t.Helper()
	return Parse(Source{Name: "test.toml", Data: []byte(text)}, sets)
}

func mustParse(t *testing.T, text string, sets ...string) *Scenario {
	t.Helper()
	sc, err := parseText(t, text, sets...)
	require.NoError(t, err)
	return sc
}

// shippedScenarios are the sources every round-trip and warning test
// covers: each preset and the R1 workload.
func shippedScenarios(t *testing.T) []Source {
	t.Helper()
	var srcs []Source
	for _, name := range Presets() {
		src, err := Open(name)
		require.NoError(t, err)
		require.True(t, src.Preset, name)
		srcs = append(srcs, src)
	}
	src, err := Open(r1Path)
	require.NoError(t, err)
	return append(srcs, src)
}

func TestRoundTripShippedScenarios(t *testing.T) {
	for _, src := range shippedScenarios(t) {
		t.Run(src.Name, func(t *testing.T) {
			sc, err := Parse(src, nil)
			require.NoError(t, err)
			text := sc.TOML()
			again, err := Parse(Source{Name: "resolved.toml", Data: text}, nil)
			require.NoError(t, err, "resolved TOML:\n%s", text)
			assert.Equal(t, sc, again)
			assert.Equal(t, string(text), string(again.TOML()), "TOML() of the re-parsed scenario differs")
		})
	}
}

func TestRoundTripWithSets(t *testing.T) {
	sets := []string{"sim.horizon=30d", "providers.gpu-h100.count=4", "tokenomics.take_rate.akt=0.04", "market.max_bids=5"}
	sc, err := Load(DefaultPreset, sets)
	require.NoError(t, err)
	again, err := Parse(Source{Name: "resolved.toml", Data: sc.TOML()}, nil)
	require.NoError(t, err)
	assert.Equal(t, sc, again, "the resolved scenario carries the overrides")
	assert.Equal(t, simtime.Duration(30*simtime.Day), again.Sim.Horizon)
	assert.Equal(t, 4, again.Providers[0].Count)
	assert.Equal(t, map[string]float64{"akt": 0.04, "usdc": 0.20}, again.Tokenomics.TakeRate)
	assert.Equal(t, int64(5), again.Market["max_bids"])
}

func TestRoundTripMinimal(t *testing.T) {
	sc := mustParse(t, minimalTOML)
	again := mustParse(t, string(sc.TOML()))
	assert.Equal(t, sc, again)
	assert.Equal(t, string(sc.TOML()), string(again.TOML()))
	assert.True(t, strings.HasPrefix(string(sc.TOML()), `# Resolved scenario "minimal"`))
}

func TestDefaultsFillMinimalScenario(t *testing.T) {
	sc := mustParse(t, minimalTOML)

	assert.Equal(t, sim.DefaultParams(), sc.Sim)
	assert.Equal(t, 5, sc.Sim.Replications)
	assert.Equal(t, simtime.Duration(simtime.Year), sc.Sim.Horizon)
	assert.Equal(t, simtime.Date{Year: 2024, Month: 3, Day: 20}, sc.Sim.Start)
	assert.Equal(t, map[string]any{"mechanism": market.AkashReverseName}, sc.Market)
	assert.Equal(t, tokenomics.DefaultParams(), sc.Tokenomics)
	assert.Equal(t, map[string]float64{"akt": 0.02, "usdc": 0.20}, sc.Tokenomics.TakeRate)
	// [resources] was given, so its keys are the file's (reference_usd_hour is one key)
	assert.Equal(t, map[string]float64{"cpu": 0.04, "memory_gb": 0.005}, sc.Resources.ReferenceUSDHour)

	require.Len(t, sc.Providers, 1)
	p := sc.Providers[0]
	want := agents.DefaultProviderCohort()
	want.Name, want.Count, want.CPUCores = "p", 3, 16
	assert.Equal(t, want.WithdrawEvery, p.WithdrawEvery)
	assert.Equal(t, simtime.Duration(24*simtime.Hour), p.WithdrawEvery)
	assert.Equal(t, "organic", p.Kind)
	assert.Equal(t, agents.CostPlusName, p.Strategy)
	assert.Equal(t, agents.Const(1), p.PriceMultiplier)
	assert.Equal(t, 0.1, p.ExitHazard)
	assert.Equal(t, want.ReviewWindow, p.ReviewWindow)

	require.Len(t, sc.Tenants, 1)
	c := sc.Tenants[0]
	assert.Equal(t, "t", c.Name)
	assert.Equal(t, simtime.Duration(60*simtime.Second), c.SelectionWindow)
	assert.Equal(t, simtime.Duration(10*simtime.Minute), c.RetryEvery)
	assert.Equal(t, simtime.Duration(simtime.Hour), c.Patience)
	assert.Equal(t, agents.Dist{Kind: "lognormal", Median: 24, Sigma: 1.5}, c.LifetimeHours)
	assert.Equal(t, agents.Const(2), c.MaxPriceRatio)
	assert.Equal(t, 0.0, c.ArrivalsPerDay, "no default demand")
}

func TestDefaultResourcesWhenTableMissing(t *testing.T) {
	text := strings.Replace(minimalTOML, "[resources]\nreference_usd_hour = { cpu = 0.04, memory_gb = 0.005 }\n", "", 1)
	sc := mustParse(t, text)
	assert.Equal(t, DefaultReferenceUSDHour(), sc.Resources.ReferenceUSDHour)
}

func TestDefaultsMergeKeyByKeyInSections(t *testing.T) {
	sc := mustParse(t, minimalTOML+"\n[sim]\nreplications = 9\n")
	assert.Equal(t, 9, sc.Sim.Replications)
	assert.Equal(t, sim.DefaultParams().Horizon, sc.Sim.Horizon, "other [sim] keys keep their defaults")
}

func TestDefaultsReplaceNestedTablesWhole(t *testing.T) {
	// take_rate given: usdc is not filled from the default table
	sc := mustParse(t, minimalTOML+"\n[tokenomics]\ntake_rate = { akt = 0.04 }\n")
	assert.Equal(t, map[string]float64{"akt": 0.04}, sc.Tokenomics.TakeRate)
	assert.Equal(t, tokenomics.DefaultParams().TokenPriceUSD, sc.Tokenomics.TokenPriceUSD)

	// a distribution given is whole: no default kind is merged in
	_, err := parseText(t, minimalTOML+"lifetime_hours = { median = 5 }\n")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tenants[0].lifetime_hours.kind")
}

func TestMarketTableWithoutMechanismGetsDefault(t *testing.T) {
	sc := mustParse(t, "name = \"m\"\n[market]\nmax_bids = 3\n"+strings.TrimPrefix(minimalTOML, `name = "minimal"`))
	assert.Equal(t, map[string]any{"mechanism": market.AkashReverseName, "max_bids": int64(3)}, sc.Market)
	mech, err := sc.NewMechanism()
	require.NoError(t, err)
	assert.Equal(t, 3, mech.(market.Windowed).MaxBids())
}

func TestConfigOfMinimal(t *testing.T) {
	sc := mustParse(t, minimalTOML)
	cfg, err := sc.Config()
	require.NoError(t, err)
	assert.Equal(t, market.AkashReverseName, cfg.Mechanism.Name())
	assert.Equal(t, []string(nil), cfg.Catalog.GPUModels)
	assert.Equal(t, sc.Providers, cfg.Providers)
}

func TestPresets(t *testing.T) {
	names := Presets()
	assert.True(t, sort.StringsAreSorted(names), "%v", names)
	assert.Contains(t, names, "akash-2024")
	assert.Contains(t, names, DefaultPreset)

	for _, name := range names {
		data, ok := PresetData(name)
		assert.True(t, ok, name)
		assert.NotEmpty(t, data, name)
		sc, err := Load(name, nil)
		require.NoError(t, err, name)
		assert.Equal(t, name, sc.Name, "a preset's name is its file name")
	}
	for _, bad := range []string{"nope", "presets/akash-2024", "../scenarios/presets/akash-2024", `a\b`, ""} {
		_, ok := PresetData(bad)
		assert.False(t, ok, bad)
	}
}

func TestOpenMissingListsPresets(t *testing.T) {
	_, err := Open("no-such-scenario")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-scenario: no such file, and no preset of that name")
	assert.Contains(t, err.Error(), "presets: "+strings.Join(Presets(), ", "))

	_, err = Load("no-such-scenario", []string{"sim.seed=2"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no such file")
}

func TestOpenPrefersFileOverPreset(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	text := strings.Replace(minimalTOML, `name = "minimal"`, `name = "shadow"`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, DefaultPreset), []byte(text), 0o644))

	src, err := Open(DefaultPreset)
	require.NoError(t, err)
	assert.False(t, src.Preset)
	assert.Equal(t, DefaultPreset, src.Label(), "a file is labelled by its path")
	sc, err := Load(DefaultPreset, nil)
	require.NoError(t, err)
	assert.Equal(t, "shadow", sc.Name)

	// without the file, the preset
	require.NoError(t, os.Remove(filepath.Join(dir, DefaultPreset)))
	src, err = Open(DefaultPreset)
	require.NoError(t, err)
	assert.True(t, src.Preset)
	assert.Equal(t, "preset "+DefaultPreset, src.Label())
}

func TestOpenUnreadableFile(t *testing.T) {
	// a directory exists but cannot be read as a file: not a preset lookup
	dir := t.TempDir()
	_, err := Open(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), dir)
	assert.NotContains(t, err.Error(), "no preset")
}

func TestErrorFormat(t *testing.T) {
	cases := []struct {
		err  Error
		want string
	}{
		{Error{File: "s.toml", Line: 12, Key: "providers[2].gpus", Msg: "must be > 0, got -4"}, "s.toml:12: providers[2].gpus: must be > 0, got -4"},
		{Error{File: "s.toml", Key: "tenants", Msg: "at least one"}, "s.toml: tenants: at least one"},
		{Error{File: "--set", Msg: "bad"}, "--set: bad"},
		{Error{File: "preset x", Line: 3, Msg: "syntax"}, "preset x:3: syntax"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.err.Error())
	}
}

func TestPresetErrorsAreLabelled(t *testing.T) {
	_, err := Load(DefaultPreset, []string{"sim.replications=0"})
	require.Error(t, err)
	assert.Equal(t, "preset akash-2024 with --set sim.replications=0: sim.replications: must be in [1, 100000], got 0", err.Error())
}
