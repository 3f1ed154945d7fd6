// Package reports turns recorded simulation data into files for people and
// tools. It reads record types from package sim only (sim.Sample,
// sim.Metrics, sim.ResourceSample, sim.CohortSample) and never touches the
// model.
//
// The flow is:
//
//  1. A Memory recorder (a sim.Recorder) keeps one replication's samples,
//     copying the slices the simulator reuses; Memory.Recording hands them
//     on as a Recording.
//  2. Summarize reduces the recordings to per-metric statistics: for each
//     replication the mean over time (NaN samples ignored) and the final
//     value, then across replications the mean, standard deviation and a
//     95% Student-t confidence interval. Summary.WriteTable prints the key
//     figures for a terminal (the metrics sim.Metrics shows in the
//     summary; the token layer's rows only when the run has a token layer,
//     i.e. the metric is non-zero somewhere);
//     Summary.WriteJSON writes summary.json.
//  3. WriteAll writes a run directory: timeseries.csv (wide, one column per
//     metric), resources.csv (long, one row per resource and sample),
//     cohorts.csv (long, one row per provider cohort and sample, with
//     the cohort's bids of the sample interval),
//     summary.json, scenario.toml, the charts of PlotFiles in plots/ and,
//     last, manifest.json.
//
// A run need not keep its recordings until the end: RunWriter writes the
// same folder, byte for byte, taking the recordings one at a time as the
// replications finish. It appends their rows to the CSV files (under
// temporary names until Close, so that a failed or cancelled run leaves
// nothing half-written) and feeds a RunStats, which keeps only what
// summary.json, the charts and a comparison need: per replication a few
// numbers per metric and resource, per sample time sums, minima and
// maxima over the replications. Add returns once the statistics are
// complete; the replication's rows and report series are written on
// goroutines of their own after it returns (the next Add, Close or Abort
// waits for them), and Close draws the charts beside them, so that the
// output after a run's last replication takes less of the time a user
// waits (docs/performance.md, "The output after the simulation").
// ReadRun reads a run folder back into its recordings, from which the
// summary, the charts and later reports can be rebuilt.
//
// The lists of metrics the reports show (the summary table's rows, the
// comparison's tables, the chart lines of the token layer) derive from
// each metric's Kind, Group and Show in sim.Metrics.
//
// WritePlots draws six charts, and a seventh when the BME is on, each as
// .png and .svg, with titles, units on both axes, calendar dates on the
// time axis and the colour-blind-safe Palette (WriteCharts):
//
//   - utilization: GPU and CPU utilization (mean and min-max band).
//   - price: the median GPU lease price per GPU model.
//   - supply: two panels sharing the time axis: the token supply in
//     millions of tokens (mean and min-max band) above the bonded ratio,
//     inflation rate and staking APR as fractions.
//   - flows: one panel per token flow (minted, burned, take fees,
//     subsidies, emissions), each with its own scale, summed per day (per
//     week beyond 180 days), derived from the cumulative *_total metrics.
//   - cohorts: the GPUs listed by each provider cohort (mean over the
//     replications), or their CPU cores when no cohort lists GPUs.
//   - bids: two panels sharing the time axis: each provider cohort's
//     mean markup over cost of its bids above its win rate, per sample
//     interval (means over the replications).
//   - bme (BME on only): the BME vault, the ACT supply and the collateral
//     ratio, three panels.
//
// Every file is written atomically with WriteFileAtomic: a reader sees the
// previous file or the complete new one, never a partial file. A
// temporary file is named ".NAME.tmp-N" (TempBase recognises it); only a
// killed process leaves one behind. The manifest lists the folder's
// other files (RunFiles, CompareFiles); ClearOutput removes what depinsim
// wrote in a folder, temporaries included, and nothing else (--force).
//
// Output is deterministic: the same recordings give byte-identical files
// (floats are formatted with strconv.FormatFloat(v, 'g', -1, 64), maps are
// never ranged over, and no wall-clock time is read). The one exception is
// Manifest.WallSeconds, which the caller fills and which lives only in
// manifest.json.
//
// The series behind each chart are built by plain functions (BandSeries,
// GPUPriceSeries, SupplySeries, FlowSeries, CohortSeries) that are tested
// directly and against golden data, and gathered in a ChartData
// (ChartDataOf, or RunStats.Charts without the recordings); the drawing
// code (WriteCharts) only turns a ChartData into gonum/plot plotters.
// Lines are thinned to at most MaxPlotPoints points: band and level series
// by keeping every k-th sample, flows by merging k consecutive intervals
// (which keeps their totals).
//
// A comparison (compare.go) holds, per scenario, a CompareRun: its
// Summary and the series of the overlay charts, built from the recordings
// (NewCompareRun) or from a RunStats (RunStats.CompareRun).
// WriteComparison writes compare.csv, compare.md, the overlay charts and
// the comparison's manifest.
//
// A sensitivity analysis and a calibration are each described by one
// value, a SensitivityReport or a CalibrationReport (analysis_data.go),
// which their commands fill. WriteSensitivityData and
// WriteCalibrationData save it as sensitivity.json or calibration.json
// (NaN as null, every float read back to the same bits by
// ReadSensitivityData, ReadCalibrationData); the charts
// (WriteSensitivityCharts, WriteCalibrationCharts: bars of Sobol or
// Morris indices with their intervals, the Morris scatter, convergence;
// targets, objective history, parameters) and report.html
// (WriteSensitivityReport, WriteCalibrationReport) are drawn from that
// value alone, so 'depinsim report' rebuilds them from the JSON file
// byte for byte.
//
// A table (table.go) is a list of typed Columns (ColString, ColInt64, ColUint64,
// ColFloat64) and rows of Values, streamed to CSV (NewCSVTable) and to
// Parquet (NewParquetTable, github.com/parquet-go/parquet-go) with its
// provenance: Parquet key-value metadata, and for CSV a sidecar
// NAME.csv.meta.json (WriteTableMeta). CreateTables writes both files
// and the sidecar under temporary names, renamed on Close, removed on
// Abort. Columns keep their given order; a NaN float is null in Parquet
// and an empty field in CSV; the same rows and metadata give the same
// bytes. ReadParquetTable reads a table back (tests, merging).
package reports
