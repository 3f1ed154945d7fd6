package main

import (
	"time"

	"github.com/depinsim/depinsim/assertion"
)

// checkedScenario is one scenario's outcome in 'depinsim check': what the
// table, the JUnit file and the GitHub annotations are written from.
type checkedScenario struct {
	// Arg is the command-line argument naming the scenario (a file or a
	// preset) and Sets the --set overrides applied to it.
	Arg  string
	Sets []string
	// Name is the scenario's name and Hash the hex SHA-256 of its
	// resolved scenario.toml.
	Name string
	Hash string
	// Reps is the number of replications run, Seed the master seed and
	// Check the invariant mode ("sample" or "event").
	Reps  int
	Seed  uint64
	Check string
	// Wall is how long the scenario took.
	Wall time.Duration
	// Results holds one result per invariant, then one per assertion.
	Results []assertion.Result
	// Baseline is the baseline folder compared with ("" when none), and
	// Drifts one comparison per metric (empty without --baseline).
	Baseline string
	Drifts   []assertion.Drift
	// Err is a failure not tied to one check (a replication that failed
	// for another reason than an invariant, a baseline that does not
	// match); nil otherwise.
	Err error
}
