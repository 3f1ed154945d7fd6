package scenarios

import (
	"errors"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/sim"
)

// AssertionContext returns what the scenario's [[assert]] entries are
// checked against: its start date, horizon, the resources its runs record
// ("cpu", "memory_gb", "gpu:<model>") and its provider cohorts' names.
func (sc *Scenario) AssertionContext() (assertion.Context, error) {
	cat, err := agents.NewCatalog(sc.Resources)
	if err != nil {
		return assertion.Context{}, err
	}
	ctx := assertion.Context{Start: sc.Sim.Start, Horizon: sc.Sim.Horizon.T()}
	for r := range cat.NumResources() {
		name := cat.Key(r)
		if r >= agents.ResGPU0 {
			name = sim.GPUPrefix + name
		}
		ctx.Resources = append(ctx.Resources, name)
	}
	for i := range sc.Providers {
		ctx.Cohorts = append(ctx.Cohorts, sc.Providers[i].Name)
	}
	return ctx, nil
}

// Assertions compiles the scenario's [[assert]] entries against its
// resources, cohorts and horizon. The error of a bad entry is an *Error
// naming the entry's key ("assert[2].metric").
func (sc *Scenario) Assertions() ([]*assertion.Assertion, error) {
	ctx, err := sc.AssertionContext()
	if err != nil {
		return nil, err
	}
	as, err := assertion.Compile(sc.Assert, ctx)
	if err != nil {
		var ae *assertion.Error
		if errors.As(err, &ae) {
			return nil, &Error{Key: ae.Key, Msg: ae.Msg}
		}
		return nil, err
	}
	return as, nil
}
