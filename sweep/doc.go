// Package sweep runs a design of experiments over a scenario: a sweep file
// names a base scenario (a file or a preset), the parameters to vary by
// the same key paths as --set (initial state included), their values (a
// list, or a linear or log range) and a design (grid, zip, lhs, halton,
// random). Parse reads the file, Points lists the design's points in a
// deterministic order, Validate builds every point's scenario and refuses
// an invalid one before anything runs, Run runs every (point,
// replication) pair through package runner in the run order (Order: a
// seeded permutation of the points, replication-major) with common random
// numbers (replication r of every point has the seed
// sim.ReplicationSeed(master, r)) or independent seeds (PointSeed), and
// hands the rows over in that order as they finish; a Writer
// (CreateFolder) streams them into runs.csv and runs.parquet and Finish
// writes points.csv, sweep.toml, run.log.json and sweep.json. A sweep
// stopped part-way keeps its rows (Writer.Suspend) with incomplete.json
// (State, its Identity); ResumeFolder reopens such a folder, also after a
// kill, keeping the whole records of the run table. Options.Shard runs one
// shard (every N-th run of the run order) into a folder with shard.json
// (ShardInfo), and Merge combines the shard folders into the unsharded
// sweep's files. The package does no command-line input or output.
package sweep
