package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Options controls presentation details of the written files.
type Options struct {
	// Title is the scenario name, prefixed to plot titles.
	Title string
	// Start is the calendar date of simulated time 0 (YYYY-MM-DD), used in
	// time-axis labels.
	Start string
}

// Names of the files WriteAll writes in its directory.
const (
	// TimeseriesFile is the wide time series (WriteTimeseriesCSV).
	TimeseriesFile = "timeseries.csv"
	// ResourcesFile is the long per-resource series (WriteResourcesCSV).
	ResourcesFile = "resources.csv"
	// CohortsFile is the long per-provider-cohort series (WriteCohortsCSV).
	CohortsFile = "cohorts.csv"
	// SummaryFile holds the statistics across replications (Summary).
	SummaryFile = "summary.json"
	// ManifestFile describes the run (Manifest); it is written last.
	ManifestFile = "manifest.json"
	// ScenarioFile is a verbatim copy of the scenario.
	ScenarioFile = "scenario.toml"
	// PlotsDir is the subdirectory holding the charts (PlotFiles).
	PlotsDir = "plots"
)

// WriteAll writes a run directory: timeseries.csv, resources.csv,
// cohorts.csv, summary.json, scenario.toml (scenarioTOML verbatim), the charts in
// plots/ (see WritePlots) and, last, manifest.json, so that a directory
// with a manifest is complete. It creates dir and dir/plots as needed.
// If man.ScenarioSHA256 is empty it is set to the SHA-256 of
// scenarioTOML; man.Files is set to RunFiles. Each file is written
// atomically.
func WriteAll(dir string, recs []*Recording, man Manifest, scenarioTOML []byte, opt Options) error {
	for i, r := range recs {
		if r == nil {
			return fmt.Errorf("reports: recording %d is nil", i)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return err
	}
	recs = byRep(recs)
	path := func(name string) string { return filepath.Join(dir, name) }

	if err := WriteFileAtomic(path(TimeseriesFile), func(w io.Writer) error { return WriteTimeseriesCSV(w, recs) }); err != nil {
		return err
	}
	if err := WriteFileAtomic(path(ResourcesFile), func(w io.Writer) error { return WriteResourcesCSV(w, recs) }); err != nil {
		return err
	}
	if err := WriteFileAtomic(path(CohortsFile), func(w io.Writer) error { return WriteCohortsCSV(w, recs) }); err != nil {
		return err
	}
	sum := Summarize(recs)
	if err := WriteFileAtomic(path(SummaryFile), sum.WriteJSON); err != nil {
		return err
	}
	if err := WriteFileAtomic(path(ScenarioFile), func(w io.Writer) error {
		_, err := w.Write(scenarioTOML)
		return err
	}); err != nil {
		return err
	}
	charts := ChartDataOf(recs)
	if err := WriteCharts(path(PlotsDir), charts, opt); err != nil {
		return err
	}
	if man.ScenarioSHA256 == "" {
		h := sha256.Sum256(scenarioTOML)
		man.ScenarioSHA256 = hex.EncodeToString(h[:])
	}
	man.Files = append(RunFiles(), bmeFiles(charts)...)
	acc := newReportAcc()
	for _, rec := range recs {
		if err := acc.Add(rec); err != nil {
			return err
		}
	}
	if err := writeReport(dir, &man, sum, nil, acc); err != nil {
		return err
	}
	return WriteFileAtomic(path(ManifestFile), man.WriteJSON)
}
