package reports

import (
	"unsafe"

	"github.com/depinsim/depinsim/sim"
)

// Shape is what the size of a run's recordings and files depends on: its
// samples per replication, replications, resources and provider cohorts.
type Shape struct {
	// Samples is the number of samples per replication.
	Samples int64
	// Reps is the number of replications.
	Reps int64
	// Resources is the number of resources (cpu, memory_gb and the GPU
	// models).
	Resources int
	// Cohorts is the number of provider cohorts.
	Cohorts int
}

// Calibration constants of the size estimates, in bytes (docs/limits.md
// says how they were measured).
const (
	// timeseriesRowBytes is the length of a timeseries.csv row: the
	// largest mean row length among the presets' runs, rounded up.
	timeseriesRowBytes = 450
	// resourcesRowBytes and cohortsRowBytes are the lengths of a row of
	// resources.csv and of cohorts.csv, measured likewise.
	resourcesRowBytes = 55
	cohortsRowBytes   = 125 // with the bid, entered and exited columns (akash-2024 30 days: 119; io.net: 118)
	// fixedOutputBytes is the charts, summary.json's fixed part,
	// scenario.toml and manifest.json.
	fixedOutputBytes = 700 << 10
	// summaryRepBytes is summary.json's length per replication.
	summaryRepBytes = 3 << 10
	// timeAccBytes is what a series of the charts keeps per sample time
	// (its sums and counts, and bands or confidence intervals for some).
	timeAccBytes = 16
	// statsRepBytes is what RunStats and a run's result keep per
	// replication besides each metric's mean and final value.
	statsRepBytes = 200
)

// RecordingBytes estimates the live heap of one replication's recording
// (a Memory recorder's samples): per sample, its time, its row of
// values, its resources and its cohorts, with the slack of slices that
// grow by doubling.
func RecordingBytes(s Shape) float64 {
	row := sizeClass(sim.NumMetrics*8) +
		sizeClass(s.Resources*int(unsafe.Sizeof(sim.ResourceSample{}))) +
		sizeClass(s.Cohorts*int(unsafe.Sizeof(sim.CohortSample{})))
	// the four outer slices (a time and three slice headers per sample),
	// counted at twice their length as when they grew by doubling: the
	// runner's Memory now reserves them (Memory.Reserve), and the margin
	// stays in the calibrated estimate
	outer := 2 * (8 + 3*24)
	return float64(s.Samples) * float64(row+outer)
}

// StatsBytes estimates the live heap of a run's RunStats and result:
// per replication, each metric's mean and final value and each
// resource's, and the values of the quantile bands; per sample time, the accumulators of the charts' series.
// Drawing the charts at the end takes less than the recordings before
// it, and is not counted.
func StatsBytes(s Shape) float64 {
	perRep := float64(2*sim.NumMetrics*8 + 2*s.Resources*8 + statsRepBytes)
	// the values of the quantile bands: three metrics at the drawn times
	perRep += float64(3 * 8 * min(s.Samples, MaxPlotPoints+1))
	lines := float64(19 + s.Resources + 2*s.Cohorts) // chart series (with the BME chart's three bands)
	perTime := lines * timeAccBytes
	return float64(s.Reps)*perRep + float64(s.Samples)*perTime
}

// OutputBytes estimates the bytes a run folder takes: the rows of
// timeseries.csv, resources.csv and cohorts.csv (one per replication and
// sample, times resources and cohorts for the last two), summary.json,
// the charts, scenario.toml and manifest.json.
func OutputBytes(s Shape) float64 {
	row := float64(timeseriesRowBytes + s.Resources*resourcesRowBytes + s.Cohorts*cohortsRowBytes)
	return float64(s.Reps)*float64(s.Samples)*row + float64(s.Reps)*summaryRepBytes + fixedOutputBytes
}

// sizeClass rounds an allocation of n bytes up to the allocator's size
// class, near enough: to 16 bytes below 256, to an eighth of a power of
// two above.
func sizeClass(n int) int {
	if n <= 0 {
		return 0
	}
	if n <= 256 {
		return (n + 15) &^ 15
	}
	step := 1
	for step*16 < n {
		step *= 2
	}
	return (n + step - 1) / step * step
}
