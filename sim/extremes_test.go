package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/sim"
)

// Valid but extreme parameters: times that would overflow simulated time
// must saturate ("never within this run"), not wrap around.

// TestTinyRates: rates so small that their exponential waiting times
// exceed the range of Time (provider entry, lease closing, arrivals).
func TestTinyRates(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(t, 3)
	for i := range cfg.Providers {
		cfg.Providers[i].EntriesPerDay = 1e-9
		cfg.Providers[i].LeaseCloseRatePerDay = 1e-12
	}
	rare := cpuTenants("rare", 1e-9)
	cfg.Tenants = append(cfg.Tenants, rare)
	validate(t, cfg)
	for seed := uint64(1); seed <= 10; seed++ {
		_, recs, _ := run(t, cfg, seed)
		last := recs[len(recs)-1].Values
		assert.Equal(t, 0.0, last[sim.MProvidersEnteredTotal])
		assert.Equal(t, 0.0, last[sim.MLeasesClosedProviderTotal])
		assert.Greater(t, last[sim.MLeasesStartedTotal], 0.0)
	}
}

// TestEndlessLifetime: a lifetime longer than Time can hold (a heavy
// tail's draw, saturated at Never by FromHours) runs to the horizon; it
// must not wrap around into an immediate end.
func TestEndlessLifetime(t *testing.T) {
	for _, hours := range []float64{1e5, 1e9, 1e15} {
		cfg := singleLeaseConfig(t, false)
		cfg.Tenants[0].LifetimeHours = agents.Const(hours)
		for seed := uint64(1); seed <= 5; seed++ {
			_, recs, _ := run(t, cfg, seed)
			last := recs[len(recs)-1].Values
			require.Equal(t, 1.0, last[sim.MLeasesActive], "lifetime %g h, seed %d", hours, seed)
			require.Equal(t, 0.0, last[sim.MLeasesClosedTenantTotal], "lifetime %g h, seed %d", hours, seed)
		}
	}
}

// TestNearlyFreeLeases: a lease so cheap that its escrow would last for
// millennia (the run-dry time overflows Time), and a free one.
func TestNearlyFreeLeases(t *testing.T) {
	for _, price := range []float64{1e-6, 1e-9, 0} {
		cfg := singleLeaseConfig(t, false)
		cfg.Providers[0].PriceListUSDHour = map[string]float64{"h100": price}
		cfg.Providers[0].CostUSDHour = map[string]float64{"h100": 0}
		validate(t, cfg)
		for seed := uint64(1); seed <= 5; seed++ {
			_, recs, w := run(t, cfg, seed)
			last := recs[len(recs)-1].Values
			require.Equal(t, 1.0, last[sim.MLeasesActive], "price %g, seed %d", price, seed)
			require.Equal(t, 0.0, last[sim.MLeasesClosedFundsTotal])
			leases := w.ActiveLeaseViews()
			require.Len(t, leases, 1)
			if price == 0 {
				assert.Equal(t, int64(0), int64(leases[0].Rate))
			}
		}
	}
}
