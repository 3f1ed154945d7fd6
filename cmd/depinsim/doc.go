// Command depinsim runs scenarios of the decentralized compute economy:
// `depinsim run` simulates a scenario file or a built-in preset for its
// replications and writes time series, a summary with confidence
// intervals, a manifest, the resolved scenario and plots; `depinsim
// compare` runs two or more scenarios on common random numbers (one seed,
// optionally one scenario's demand for all) and writes their paired
// differences with confidence intervals and overlay charts; `validate`,
// `presets`, `show`, `invariants` and `version` help write and check
// scenarios.
//
// The command is a layer of flags over package runner, which runs the
// replications and streams them to the run folders: each command is a
// file (run.go, compare.go, validate.go, presets.go, show.go,
// invariants.go, version.go) that parses its flags and calls runner or
// scenarios; progress.go draws the progress line; outdir.go prepares an
// output folder before anything is simulated (created, locked with
// lock_flock.go, checked writable, cleared by --force). main calls
// runContext(ctx, args, stdout, stderr) under a context that SIGINT and
// SIGTERM cancel with the signal as its cause (signals.go), so the whole
// CLI is testable in process. Exit codes: 0 success, 1 a run failed or an
// invariant broke, 2 bad usage or bad input, 128 + the signal's number
// (130, 143) after SIGINT or SIGTERM.
package main
