// Command depinsim runs scenarios of the decentralized compute economy:
// `depinsim run` simulates a scenario file or a built-in preset for its
// replications and writes time series, a summary with confidence
// intervals, a manifest, the resolved scenario and plots; `depinsim
// compare` runs two or more scenarios on common random numbers (one seed,
// optionally one scenario's demand for all) and writes their paired
// differences with confidence intervals and overlay charts; `validate`,
// `presets`, `show` and `version` help write scenarios. main calls
// run(args, stdout, stderr), so the whole CLI is testable in process.
// Exit codes: 0 success, 1 a run failed, 2 bad usage or bad input.
package main
