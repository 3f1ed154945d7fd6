package main

import (
	"github.com/depinsim/depinsim/scenarios"
	"github.com/spf13/pflag"
)

// repFlagUsage is the help line of 'depinsim run --rep'.
const repFlagUsage = "re-run replication K alone, with its seed from the master seed and K: its rows are those of the full run with rep = K, byte for byte (0 <= K < sim.replications)"

// onlyRep returns the replications 'depinsim run' runs alone: none (all of
// them) without --rep, else [K] once K is checked against the scenario's
// sim.replications (exit code 2 when out of range).
func onlyRep(fs *pflag.FlagSet, k int, sc *scenarios.Scenario) ([]int, error) {
	if !fs.Changed("rep") {
		return nil, nil
	}
	n := sc.Sim.Replications
	if k < 0 || k >= n {
		return nil, badInput("--rep: replication %d does not exist: the run has sim.replications = %d, numbered 0 to %d", k, n, n-1)
	}
	return []int{k}, nil
}

// repsRun returns the number of replications a run runs: those of only,
// else the scenario's sim.replications.
func repsRun(sc *scenarios.Scenario, only []int) int {
	if only != nil {
		return len(only)
	}
	return sc.Sim.Replications
}
