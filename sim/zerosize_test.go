package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
)

// TestCallMarketZeroCoreOrders: a CPU-only cohort whose draws round down
// to 0 cores half of the time (validation refuses only a cohort that can
// never draw a core) clears in a call market: such an order trades as one
// core, the market's smallest unit, and leases within its max price;
// nothing divides by zero units.
func TestCallMarketZeroCoreOrders(t *testing.T) {
	cfg := baseConfig(t, 2)
	cfg.Check = sim.CheckEvents
	cfg.Mechanism = bound(t, cfg.Catalog, market.CallMarketName, market.Params{"period": "10m", "k": 0.5})
	tiny := cpuTenants("tiny", 200)
	tiny.CPUCores = agents.Dist{Kind: "choice", Values: []float64{0, 1}}
	tiny.MaxPriceRatio = agents.Const(3)
	cfg.Tenants = []agents.TenantCohort{tiny}
	validate(t, cfg)
	zero := 0
	for seed := uint64(1); seed <= 5; seed++ {
		r := mustWatch(t, cfg, seed, nil)
		for _, l := range r.leases {
			if l.Request.CPU == 0 && l.Request.GPUs == 0 {
				zero++
			}
		}
		require.Positive(t, r.last()[sim.MLeasesStartedTotal], "seed %d", seed)
	}
	assert.Positive(t, zero, "no 0-core order leased: the test does not reach what it tests")
}
