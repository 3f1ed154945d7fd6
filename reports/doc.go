// Package reports turns recorded simulation data into files for people and
// tools. It reads record types from package sim only (sim.Sample,
// sim.Metrics, sim.ResourceSample) and never touches the model.
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
//     figures for a terminal; Summary.WriteJSON writes summary.json.
//  3. WriteAll writes a run directory: timeseries.csv (wide, one column per
//     metric), resources.csv (long, one row per resource and sample),
//     summary.json, scenario.toml, plots/utilization.{png,svg},
//     plots/price.{png,svg} and, last, manifest.json.
//
// Every file is written atomically with WriteFileAtomic: a reader sees the
// previous file or the complete new one, never a partial file.
//
// Output is deterministic: the same recordings give byte-identical files
// (floats are formatted with strconv.FormatFloat(v, 'g', -1, 64), maps are
// never ranged over, and no wall-clock time is read). The one exception is
// Manifest.WallSeconds, which the caller fills and which lives only in
// manifest.json.
//
// The series behind each chart are built by plain functions (BandSeries,
// GPUPriceSeries) that are tested directly; the drawing code only turns
// them into gonum/plot plotters.
package reports
