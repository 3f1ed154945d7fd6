// Package runner is the engine API: it runs scenarios for their
// replications on a pool of workers and streams each replication's
// recording to a Sink as it finishes. The depinsim command is a thin layer
// over it, and Go programs that drive the simulator use it the same way.
//
// A run is a configuration and the seeds of its replications; its
// replications stream, in replication order, into a sink:
//
//	(scenario, seeds) -> replications -> Sink
//
// Run runs a scenario (what 'depinsim run' does, minus the flags),
// RunConfig a *sim.Config built by hand, and Compare several scenarios
// aligned on one seed and number of replications (what 'depinsim compare'
// runs). Replication rep runs with the seed sim.ReplicationSeed(master,
// rep), so results are the same whatever the number of workers.
// RunPrecision runs a scenario in batches of replications until the 95%
// confidence intervals of chosen metrics are narrow enough ('depinsim run
// --precision'); it decides from replications 0..n-1 alone, so the number
// reached, like everything else, does not depend on the workers.
//
// Results stream: each replication is recorded in memory
// (reports.Memory) while it runs and handed to the sink as soon as it and
// every replication before it have finished. The pool dispatches
// replication r only while r is less than the next replication to
// deliver plus twice the number of workers, so a run holds about that
// many recordings at a time, however many replications it has. Every
// replication also feeds a reports.RunStats, from which the Result gives
// the summary across replications (Result.Summary) and a comparison its
// figures and charts. Two sinks come with the package: FileSink writes
// the run folder of 'depinsim run' (package reports: CSV files appended
// as replications arrive, summary, charts, manifest last; nothing
// half-written when the run fails or is cancelled), and MemorySink keeps
// every recording (tests, small runs). Options.Recorder gives each
// replication an extra sim.Recorder that sees its samples as they are
// produced, for statistics of one's own without keeping recordings.
//
// Errors: a replication that panics, or whose invariants break under
// Config.Check, stops the run with a *ReplicationError naming the
// replication and its seed (with the panic's stack; errors.As finds a
// *sim.InvariantError inside). Cancelling the context stops every
// replication between two events and returns the context's error; the
// sink is then aborted.
package runner
