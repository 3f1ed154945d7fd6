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

// Compare runs the entries' scenarios on one pool of workers, each into
// its own sink, and gathers what a comparison reports. Every (scenario,
// replication) pair is a job of the pool, dispatched in the order given
// (scenario by scenario, each in replication order), so that a worker
// done with one scenario's last replications takes the next scenario's
// first instead of waiting for the others; each sink still receives its
// scenario's replications in order, and is closed as soon as the last of
// them is delivered. The outputs do not
// depend on the number of workers. The scenarios must already share the
// master seed and the number of replications (common random numbers:
// replication r of every scenario has the same seed); a scenario that
// does not is an error naming it, before anything runs. opt.Sink must be
// nil: each entry has its own. Progress reports each scenario's
// replications with its index and label. On an error, the error names
// the scenario; the sinks not yet closed are aborted.
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
	sinks := make([]Sink, len(entries))
	for i, e := range entries {
		cfg, err := e.Scenario.Config()
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", e.Label, err)
		}
		jobs[i] = job{index: i, label: e.Label, sc: e.Scenario, cfg: cfg, n: e.Scenario.Sim.Replications}
		sinks[i] = e.Sink
	}
	results, failed, err := runPool(ctx, jobs, sinks, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", entries[failed].Label, err)
	}
	c := &Comparison{Results: results}
	for i, e := range entries {
		s := e.Scenario.Sim
		cr := results[i].Stats.CompareRun(e.Label)
		cr.Source = e.Source
		cr.Start, cr.Horizon, cr.SampleEvery = s.Start.String(), s.Horizon.T().String(), s.SampleEvery.T().String()
		c.Runs = append(c.Runs, cr)
	}
	return c, nil
}
