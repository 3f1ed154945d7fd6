package runner

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
)

// TestCollectsAfterLargeWorldsOnly: a collection follows the replications
// of akash-2024 with providers and demand x100 (a world of some 300 MB),
// not those of the presets as they ship, whose worlds are small.
func TestCollectsAfterLargeWorldsOnly(t *testing.T) {
	x100, err := scenarios.ReadSets("../scenarios/bench/akash-2024-x100.sets")
	require.NoError(t, err)
	collectsFor := func(preset string, sets []string) bool {
		sc, err := scenarios.Load(preset, sets)
		require.NoError(t, err)
		cfg, err := sc.Config()
		require.NoError(t, err)
		return collects(cfg)
	}
	assert.True(t, collectsFor("akash-2024", x100), "akash-2024 x100")
	for _, p := range scenarios.Presets() {
		assert.False(t, collectsFor(p, nil), p)
	}
}
