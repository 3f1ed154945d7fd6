package runner

import (
	"context"
	"fmt"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
)

// Entry is one scenario of a comparison.
type Entry struct {
	// Label names the scenario in the comparison's tables and charts
	// (and, for the command, its run folder).
	Label string
	// Scenario is the scenario to run.
	Scenario *scenarios.Scenario
	// Source says where the scenario came from (compare.md).
	Source string
	// Sink receives the scenario's replications (nil: none kept).
	Sink Sink
}

// Comparison is a finished comparison.
type Comparison struct {
	// Results holds each scenario's run, in the order given.
	Results []*Result
	// Runs holds each scenario's figures and chart series, built from
	// its streamed replications: what reports.WriteComparison,
	// reports.WriteCompareTable and the rest take.
	Runs []reports.CompareRun
}

// Compare runs the entries' scenarios one after the other, each on the
// pool and into its own sink, and gathers what a comparison reports.
// The scenarios must already share the master seed and the number of
// replications (common random numbers: replication r of every scenario
// has the same seed); a scenario that does not is an error naming it,
// before anything runs. opt.Sink must be nil: each entry has its own.
// Progress reports each scenario's replications with its index and label.
func Compare(ctx context.Context, entries []Entry, opt Options) (*Comparison, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("runner: no scenarios to compare")
	}
	if opt.Sink != nil {
		return nil, fmt.Errorf("runner: Compare takes each scenario's sink in its Entry, not in Options.Sink")
	}
	first := entries[0].Scenario.Sim
	for _, e := range entries[1:] {
		s := e.Scenario.Sim
		if s.Seed != first.Seed || s.Replications != first.Replications {
			return nil, fmt.Errorf("runner: scenario %s has seed %d and %d replications, the first %d and %d: a comparison needs one seed and one number of replications",
				e.Label, s.Seed, s.Replications, first.Seed, first.Replications)
		}
	}
	jobs := make([]job, len(entries))
	for i, e := range entries {
		cfg, err := e.Scenario.Config()
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", e.Label, err)
		}
		jobs[i] = job{index: i, label: e.Label, sc: e.Scenario, cfg: cfg, n: e.Scenario.Sim.Replications}
	}
	cmp := &Comparison{}
	for i, e := range entries {
		o := opt
		o.Sink = e.Sink
		res, err := run(ctx, jobs[i], o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Label, err)
		}
		sim := e.Scenario.Sim
		cr := res.Stats.CompareRun(e.Label)
		cr.Source = e.Source
		cr.Start, cr.Horizon, cr.SampleEvery = sim.Start.String(), sim.Horizon.T().String(), sim.SampleEvery.T().String()
		cmp.Results = append(cmp.Results, res)
		cmp.Runs = append(cmp.Runs, cr)
	}
	return cmp, nil
}
