package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
)

// TestSwapMechanism runs every auction preset with its auction swapped for
// the second-price one by a single override, with the invariants checked
// after every event, and checks that a parameter the new mechanism does not
// know is a clear error (the other presets' market parameters do not fit
// an auction).
func TestSwapMechanism(t *testing.T) {
	for _, name := range Presets() {
		sets := []string{"market.mechanism=vickrey-reverse", "sim.horizon=5d", "sim.warmup=2d", "sim.replications=1"}
		orig, err := Load(name, nil)
		require.NoError(t, err, name)
		if m := orig.Market["mechanism"]; m != market.AkashReverseName && m != market.VickreyReverseName {
			_, err := Load(name, sets)
			require.Error(t, err, name)
			assert.Contains(t, err.Error(), `unknown parameter for mechanism "vickrey-reverse"`, name)
			continue
		}
		sc, err := Load(name, sets)
		require.NoError(t, err, name)
		cfg, err := sc.Config()
		require.NoError(t, err, name)
		assert.Equal(t, market.VickreyReverseName, cfg.Mechanism.Name())
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
}

// TestPresetsKeepInvariants runs every preset briefly with the economic
// invariants checked after every event: ledger conservation, escrow
// covered, capacity never oversold, no lease above its max price.
func TestPresetsKeepInvariants(t *testing.T) {
	for _, name := range Presets() {
		sc, err := Load(name, []string{"sim.horizon=1d", "sim.sample_every=1h", "sim.replications=1"})
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
