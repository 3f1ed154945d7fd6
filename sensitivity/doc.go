// Package sensitivity runs a global sensitivity analysis of a scenario
// ('depinsim sensitivity'): a sensitivity file names a base scenario (a
// file or a preset), the factors (scenario key paths, as --set writes
// them, each with a distribution), the outputs (a statistic of a metric
// over a window, in the vocabulary of [[assert]] entries, compiled by
// assertion.CompileStatistics) and a method: Sobol indices on a Saltelli
// design or Morris elementary effects (package analysis).
//
// Parse reads the file strictly (every error a *scenarios.Error naming the
// file and the key); NewDesign builds the design and maps each point to
// factor values and overrides; Validate loads every point's scenario
// before anything runs; Execute runs every (point, replication) through
// package sweep's engine (its run order, workers and windowed hand-over,
// so the results do not depend on the workers) with common random
// numbers, collecting each output with an assertion.Collector, and under
// the policy rerun runs the failed runs again with other seeds; Estimate
// turns the point means into indices with bootstrap intervals, the
// convergence table and the share of seed noise (analysis.SeedNoise);
// WriteRuns and WriteResults write the folder's files and the report's
// data (reports.SensitivityReport).
//
// An analysis survives interruption: CreateJournal marks its folder
// unfinished (incomplete.json, with the analysis's Identity) and its
// Journal records every finished run, synced in run order; ResumeJournal
// reads the runs back (refusing another analysis's folder, naming the
// differences) and Execute, given them as Options.Recorded, runs only
// the rest. A run's values depend on its point, replication and attempt
// only, so Options.Shard runs one slice of the run order (and its
// reruns), WriteShard writes the shard's folder, and Merge reads the
// shards back into the whole analysis's runs. docs/analysis.md describes
// the file, the methods and the files.
package sensitivity
