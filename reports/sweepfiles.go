package reports

// The files of a sweep folder ('depinsim sweep'), in the order written.
const (
	// SweepRunsFile holds one row per (point, replication).
	SweepRunsFile = "runs.csv"
	// SweepRunsParquetFile holds the rows of SweepRunsFile in Parquet,
	// with the provenance as key-value metadata (SweepRunsFile's is in
	// its sidecar SweepRunsFile + ".meta.json").
	SweepRunsParquetFile = "runs.parquet"
	// SweepPointsFile holds one row per point: per metric, the mean and
	// the 95% confidence interval's half-width across replications.
	SweepPointsFile = "points.csv"
	// SweepDefinitionFile is a copy of the sweep file (for a quick
	// sweep, the equivalent sweep file).
	SweepDefinitionFile = "sweep.toml"
	// SweepManifestFile is the sweep's provenance, written last: what is
	// the same for any worker count.
	SweepManifestFile = "sweep.json"
	// SweepLogFile records how the sweep was run (command line, workers,
	// wall time): what may differ between two runs of the same sweep.
	SweepLogFile = "run.log.json"
	// SweepStateFile marks a sweep folder whose sweep has not finished
	// (interrupted or killed) and says which sweep it holds, for
	// --resume; it is removed once SweepManifestFile is written.
	SweepStateFile = "incomplete.json"
	// SweepShardFile describes a shard folder (--shard I/N): the shard,
	// the sweep's identity and definition, for merge.
	SweepShardFile = "shard.json"
)

// SweepFiles lists the files of a sweep folder, in the order written.
func SweepFiles() []string {
	return []string{SweepStateFile, SweepShardFile, SweepRunsParquetFile, SweepRunsFile, SweepRunsFile + ".meta.json", SweepPointsFile, SweepDefinitionFile, SweepLogFile, ReportFile, SweepManifestFile}
}
