package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
)

// TestSwapMechanism runs every preset with its mechanism swapped for the
// second-price auction by a single override, with the invariants checked
// after every event: the parameters of another mechanism family are
// dropped with a note. A parameter the new mechanism does not know, set
// after the switch, is a clear error that says how to switch.
func TestSwapMechanism(t *testing.T) {
	for _, name := range Presets() {
		sets := []string{"market.mechanism=vickrey-reverse", "sim.horizon=5d", "sim.warmup=2d", "sim.replications=1"}
		orig, err := Load(name, nil)
		require.NoError(t, err, name)
		sc, err := Load(name, sets)
		require.NoError(t, err, name)
		cfg, err := sc.Config()
		require.NoError(t, err, name)
		assert.Equal(t, market.VickreyReverseName, cfg.Mechanism.Name())
		if m := orig.Market["mechanism"]; m != market.AkashReverseName && m != market.VickreyReverseName {
			require.Len(t, sc.Notes(), 1, name)
			assert.Contains(t, sc.Notes()[0], "--set market.mechanism=vickrey-reverse: dropped market.", name)
			assert.Contains(t, sc.Notes()[0], "which mechanism vickrey-reverse does not know", name)
			continue // its market is not an auction's: building it is the point, not running it
		}
		assert.Empty(t, sc.Notes(), name)
		cfg.Check = sim.CheckEvents
		leases := 0.0
		runReplications(t, cfg, 1, 1, func(int) sim.Recorder {
			return sim.RecorderFunc(func(s *sim.Sample) { leases = s.Values[sim.MLeasesStartedTotal] })
		})
		assert.Positive(t, leases, "%s under vickrey-reverse starts leases", name)
	}
	_, err := Load(DefaultPreset, []string{"market.mechanism=vickrey-reverse", "market.reserve_price=3"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `market.reserve_price: unknown parameter for mechanism "vickrey-reverse"`)
	assert.Contains(t, err.Error(), "--mechanism vickrey-reverse")
}

// TestSwitchMechanismOneCommand switches the default preset to every
// registered mechanism with one --set: each loads and validates (the
// auction's max_bids and tie_break are dropped where unknown), and the
// keys a mechanism knows are kept.
func TestSwitchMechanismOneCommand(t *testing.T) {
	orig, err := Load(DefaultPreset, nil)
	require.NoError(t, err)
	require.Contains(t, orig.Market, "max_bids", "the preset writes auction parameters")
	for _, name := range market.Names() {
		sc, err := Load(DefaultPreset, []string{"market.mechanism=" + name})
		if err != nil {
			// only a parameter the mechanism requires and the preset
			// cannot have (posted prices, tiers) may be missing
			assert.Contains(t, err.Error(), ": required: ", name)
			assert.NotContains(t, err.Error(), "unknown parameter", name)
			continue
		}
		assert.Equal(t, name, sc.Market["mechanism"])
		for k := range orig.Market {
			if k == "mechanism" {
				continue
			}
			if _, kept := sc.Market[k]; !kept {
				require.NotEmpty(t, sc.Notes(), "%s: %s dropped with a note", name, k)
				assert.Contains(t, sc.Notes()[0], "market."+k, name)
			} else {
				assert.Equal(t, orig.Market[k], sc.Market[k], "%s keeps %s", name, k)
			}
		}
	}
	// setting the same mechanism changes nothing
	sc, err := Load(DefaultPreset, []string{"market.mechanism=" + orig.Market["mechanism"].(string)})
	require.NoError(t, err)
	assert.Empty(t, sc.Notes())
	assert.Equal(t, orig.Market, sc.Market)
	// a mechanism parameter set after the switch is kept
	sc, err = Load(DefaultPreset, []string{"market.mechanism=vickrey-reverse", "market.max_bids=7"})
	require.NoError(t, err)
	assert.EqualValues(t, 7, sc.Market["max_bids"])
	// a file that writes a parameter its own mechanism does not know
	// is an error that says how to switch
	_, err = Load(DefaultPreset, []string{"market={ mechanism = \"posted-price\", max_bids = 3 }"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "market.max_bids: unknown parameter for mechanism \"posted-price\"")
	assert.Contains(t, err.Error(), "--mechanism posted-price (or --set market.mechanism=posted-price)")
}

// TestPresetsKeepInvariants runs every preset briefly with the economic
// invariants checked after every event: ledger conservation, escrow
// covered, capacity never oversold, no lease above its max price.
// Under -short ionet-2024, whose checks cost some 5 s of CPU a simulated
// day (a large world checked after every one of its many events), runs
// 6 hours (over a thousand leases started) instead of a day; the other
// presets run their day in either mode.
func TestPresetsKeepInvariants(t *testing.T) {
	for _, name := range Presets() {
		horizon := "1d"
		if testing.Short() && name == "ionet-2024" {
			horizon = "6h"
		}
		sc, err := Load(name, []string{"sim.horizon=" + horizon, "sim.sample_every=1h", "sim.replications=1"})
		require.NoError(t, err, name)
		sc.Sim.Warmup = 0
		cfg, err := sc.Config()
		require.NoError(t, err, name)
		cfg.Check = sim.CheckEvents
		leases := 0.0
		runReplications(t, cfg, 1, 1, func(int) sim.Recorder {
			return sim.RecorderFunc(func(s *sim.Sample) { leases = s.Values[sim.MLeasesStartedTotal] })
		})
		assert.Positive(t, leases, "%s starts leases", name)
	}
}

// TestMechanismBuiltOnce checks that the mechanism Validate builds is the
// one NewMechanism and every Config return, and that a [market] or
// [resources] table changed since gives a new one, also without Validate.
func TestMechanismBuiltOnce(t *testing.T) {
	sc, err := Load("akash-2024", nil)
	require.NoError(t, err)
	require.NotNil(t, sc.mech)
	for range 2 {
		cfg, err := sc.Config()
		require.NoError(t, err)
		assert.Same(t, sc.mech, cfg.Mechanism)
		m, err := sc.NewMechanism()
		require.NoError(t, err)
		assert.Same(t, sc.mech, m)
	}

	kept := sc.mech
	sc.Market["max_bids"] = int64(3)
	m, err := sc.NewMechanism()
	require.NoError(t, err)
	assert.NotSame(t, kept, m)
	assert.Equal(t, 3, m.(market.Windowed).MaxBids())
	require.NoError(t, sc.Validate())
	assert.NotSame(t, kept, sc.mech, "Validate builds again")
	cfg, err := sc.Config()
	require.NoError(t, err)
	assert.Same(t, sc.mech, cfg.Mechanism)
	assert.Equal(t, 3, cfg.Mechanism.(market.Windowed).MaxBids())

	// a mechanism bound to the resources: a new resource gives a new binding
	io, err := Load("ionet-2024", nil)
	require.NoError(t, err)
	kept = io.mech
	n := len(io.Resources.ReferenceUSDHour)
	io.Resources.ReferenceUSDHour["new-gpu"] = 1
	m, err = io.NewMechanism()
	require.NoError(t, err)
	assert.NotSame(t, kept, m)
	assert.NotPanics(t, func() { m.(market.Poster).PostedUSDHour(make([]int32, n+1), nil, 0) })
}
