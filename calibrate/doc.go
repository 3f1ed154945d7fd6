// Package calibrate fits a scenario's free parameters to observed figures:
// 'depinsim calibrate CAL.toml'. A calibration file names a base scenario,
// the free parameters (scenario key paths with bounds, a scale, an optional
// start and prior) and the targets (a statistic of a metric over a window,
// in the vocabulary of [[assert]] entries, with an observed value and its
// standard error or tolerance).
//
// The objective of a parameter vector is the sum over the targets of
// ((m - value) / sigma)^2, m the mean of the target's statistic over the
// search replications, plus -2 log of each parameter's prior (up to a
// constant). Every evaluation runs the same replications (seeds
// sim.ReplicationSeed(seed, r), r < replications: common random numbers),
// so that the objective is a smooth function of the parameters rather than
// of the noise. analysis.Minimize searches the unit cube of the parameters
// (CMA-ES, then a Nelder-Mead polish), from one or more starts; the best
// point is then re-evaluated on fresh seeds (replications r in
// [replications, replications + check_replications)) for each target's
// mean and 95% confidence interval, and each parameter's conditional
// profile (the others fixed at the fit) bounds the values whose objective
// rises by at most 3.84 (the 95% quantile of chi-square(1)). An optional
// screening (Morris elementary effects of the objective, before the
// search) fixes the parameters with little effect at their start. An
// optional approximate Bayesian computation by rejection (an [abc] table,
// after the profile) evaluates draws from the priors on the search
// replications and accepts those closest to the targets (the objective
// without the priors' terms) as a sample of the approximate posterior.
//
// Run journals every evaluation (the parameter values as exact literals,
// the per-replication target values) and, given the journal of a killed
// calibration, replays the deterministic search from it: the resumed
// calibration ends with the same figures as an uninterrupted one. A shard
// (Options.Shard of Shards) runs some of the starts and keeps its journal
// with shard.json (WriteShard); a merge (ShardJournals, then Run with
// Options.ShardJournals) replays every start from the shards' journals and
// ends with the unsharded calibration's files. Write writes the output
// folder. docs/analysis.md describes the file and the folder.
package calibrate
