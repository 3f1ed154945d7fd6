package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWithDemand gives gensyn the demand of akash-2024: its tenant
// cohorts, time frame and sampling, with the reference prices merged (the
// demand's values win) and gensyn's own market and providers kept.
func TestWithDemand(t *testing.T) {
	d, err := Load("akash-2024", nil)
	require.NoError(t, err)
	sc, err := Load("gensyn", nil)
	require.NoError(t, err)
	own := sc.Resources.ReferenceUSDHour
	require.NoError(t, sc.WithDemand(d))
	assert.Equal(t, d.Tenants, sc.Tenants)
	assert.Equal(t, d.Sim.Warmup, sc.Sim.Warmup)
	assert.Equal(t, d.Sim.Horizon, sc.Sim.Horizon)
	assert.Equal(t, d.Sim.SampleEvery, sc.Sim.SampleEvery)
	ref := sc.Resources.ReferenceUSDHour
	assert.Equal(t, d.Resources.ReferenceUSDHour["v100"], ref["v100"], "the demand's price wins")
	assert.Equal(t, own["rtx3090"], ref["rtx3090"], "the scenario's own resources stay")
	assert.Equal(t, 2.0, own["v100"], "gensyn's own table is not modified")
	assert.Equal(t, "single-solver", sc.Market["mechanism"])
	cfg, err := sc.Config()
	require.NoError(t, err)
	assert.Len(t, cfg.Tenants, len(d.Tenants))
}
