// Package assertion checks a run's recorded metrics against [[assert]]
// entries of a scenario file: economic regression tests.
//
// An assertion names a metric (one of sim.Metrics, or a per-resource or
// per-cohort family of Families), a statistic over a time window (Stats),
// bounds, and how the replications combine (every one, any one, a share
// of them, or their mean or its 95% confidence interval). Compile checks
// the entries against the run they apply to (Context) and reports the
// first bad one as an *Error naming its key. A Collector is a
// sim.Recorder that computes, for one replication, each assertion's
// statistic over the samples inside its window as they come, in a fixed
// memory per assertion except for a percentile, which keeps its window's
// values (BytesPerSample, for a run's memory estimate); an Evaluator
// combines the replications' values into Results. InvariantResults turns
// the outcome of a run's invariant checks into Results of the same shape,
// so that reports, the manifest and JUnit show both alike.
//
// The package is pure: it imports the standard library, gonum, sim and
// simtime only. docs/assertions.md is the users' reference.
package assertion
