package sim

import (
	"fmt"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// Params is the [sim] table of a scenario.
type Params struct {
	// Start is the calendar date of simulated time 0 (labels only).
	Start simtime.Date `toml:"start"`
	// Horizon is the simulated duration ("365d", "8760h", "2y"). Events at
	// or after it do not run.
	Horizon Duration `toml:"horizon"`
	// Warmup is simulated before the start and not recorded, so that a run
	// starts from a market in steady state rather than an empty one
	// ("0s": start empty). Cumulative counters start at zero at the start.
	Warmup Duration `toml:"warmup"`
	// Seed is the master seed (>= 0); every replication's streams derive
	// from it.
	Seed int64 `toml:"seed"`
	// SampleEvery is the interval between metric samples ("1h").
	SampleEvery Duration `toml:"sample_every"`
	// Replications is the number of independent replications (Monte Carlo).
	Replications int `toml:"replications"`
}

// DefaultParams returns the [sim] defaults: one year from 2024-03-20,
// seed 1, hourly samples, 5 replications.
func DefaultParams() Params {
	return Params{
		Start:        simtime.Date{Year: 2024, Month: 3, Day: 20},
		Horizon:      Duration(Year),
		Seed:         1,
		SampleEvery:  Duration(Hour),
		Replications: 5,
	}
}

// Validate checks ranges; errors name the key under [sim].
func (p *Params) Validate() error {
	if p.Horizon.T() <= 0 || p.Horizon.T() > 100*Year {
		return fmt.Errorf("sim.horizon: must be in (0, 100y], got %v", p.Horizon.T())
	}
	if p.Warmup.T() < 0 || p.Warmup.T() > 10*Year {
		return fmt.Errorf("sim.warmup: must be in [0, 10y], got %v", p.Warmup.T())
	}
	if p.SampleEvery.T() < Second || p.SampleEvery.T() > p.Horizon.T() {
		return fmt.Errorf("sim.sample_every: must be in [1s, horizon (%v)], got %v", p.Horizon.T(), p.SampleEvery.T())
	}
	if p.Horizon.T()/p.SampleEvery.T() > 10_000_000 {
		return fmt.Errorf("sim.sample_every: %v gives more than 10,000,000 samples over %v", p.SampleEvery.T(), p.Horizon.T())
	}
	if p.Seed < 0 {
		return fmt.Errorf("sim.seed: must be >= 0, got %d", p.Seed)
	}
	if p.Replications < 1 || p.Replications > 100_000 {
		return fmt.Errorf("sim.replications: must be in [1, 100000], got %d", p.Replications)
	}
	if p.Start.Year < 1970 || p.Start.Year > 9999 {
		return fmt.Errorf("sim.start: must be a date between 1970 and 9999, got %v", p.Start)
	}
	return nil
}

// Config is everything a World is built from. Runtime state never points
// back into it except read-only.
type Config struct {
	// Sim holds the [sim] parameters.
	Sim Params
	// Catalog is the resource catalog.
	Catalog *agents.Catalog
	// ReferenceSteps is the reference price path, resolved
	// (ResourcesParams.ReferencePath): multipliers of the catalog's
	// reference prices from given times since the start; nil: constant.
	ReferenceSteps []agents.DemandStep
	// Providers are the provider cohorts.
	Providers []agents.ProviderCohort
	// Tenants are the tenant cohorts.
	Tenants []agents.TenantCohort
	// Mechanism clears orders.
	Mechanism market.Mechanism
	// Tokenomics holds the money parameters.
	Tokenomics tokenomics.Params
	// PricePath is the loaded CSV price path when Tokenomics.Price.Model is
	// "csv" (package scenarios reads it relative to the scenario file).
	PricePath *tokenomics.PricePath
	// Check says when the invariants (Invariants) are checked: never,
	// after every event (slow; for tests and --check runs) or at every
	// sample (cheap). The first violation stops the run with an
	// *InvariantError.
	Check CheckMode
}

// CheckMode says when a World checks its invariants.
type CheckMode uint8

// The check modes.
const (
	// CheckOff checks nothing.
	CheckOff CheckMode = iota
	// CheckEvents checks every invariant after every event.
	CheckEvents
	// CheckSamples checks every invariant at every sample, after the
	// sample's state is complete.
	CheckSamples
)

// String returns "off", "events" or "samples".
func (m CheckMode) String() string {
	switch m {
	case CheckOff:
		return "off"
	case CheckEvents:
		return "events"
	case CheckSamples:
		return "samples"
	}
	return fmt.Sprintf("CheckMode(%d)", uint8(m))
}
