package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sweep"
)

const reportUsage = `Usage: depinsim report DIR

Rebuilds report.html in DIR, a folder written by 'depinsim run',
'depinsim compare', 'depinsim sweep', 'depinsim sensitivity' or
'depinsim calibrate', from the files saved there, without running
anything: the same page, byte for byte, as the command wrote. A folder
written with --no-report gets its report this way.

  run folder      from manifest.json, the CSV files, scenario.toml, plots/
  compare folder  from manifest.json, plots/ and each scenario's run
                  folder (its CSV files, manifest.json, scenario.toml);
                  the run folders' own reports are left as they are
  sweep folder    from sweep.json, sweep.toml, points.csv and runs.csv
  sensitivity     from sensitivity.json alone; plots/ is redrawn too
  calibration     from calibration.json alone; plots/ is redrawn too

Any other folder is refused (exit status 2).

Examples:
  depinsim report out/akash-2024
  depinsim report out/compare-akash-2024-ionet-2024
  depinsim report out/sweep-akash-a100
  depinsim report out/sensitivity-akash-util
`

func cmdReport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", reportUsage, stderr, stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badInput("want one folder (run, compare, sweep, sensitivity or calibration), got %d argument(s) (see 'depinsim report --help')", fs.NArg())
	}
	dir := fs.Arg(0)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return badInput("%s: not a folder", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.SensitivityDataFile)); err == nil {
		return rebuildSensitivity(dir, stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.CalibrationDataFile)); err == nil {
		return rebuildCalibration(dir, stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.SweepManifestFile)); err == nil {
		if err := sweep.RebuildReport(dir); err != nil {
			return badInput("%s: sweep folder: %v", dir, err)
		}
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, reports.ReportFile))
		return nil
	}
	kind, err := manifestKind(filepath.Join(dir, reports.ManifestFile))
	if err != nil {
		return badInput("%s: not a run, comparison, sweep, sensitivity or calibration folder: %v", dir, err)
	}
	if kind == "compare" {
		return rebuildCompareReport(dir, stdout, stderr)
	}
	if kind != "" {
		return badInput("%s: manifest.json of kind %q: not a run, comparison, sweep, sensitivity or calibration folder", dir, kind)
	}
	run, err := reports.ReadRun(dir)
	if err != nil {
		return badInput("%s: not a run folder: %v", dir, err)
	}
	var brief *reports.RunBrief
	scPath := filepath.Join(dir, reports.ScenarioFile)
	if sc, err := scenarios.Load(scPath, nil); err == nil {
		brief = runner.BriefOf(sc)
	} else if !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "depinsim report: %s: %v; the report leaves out the scenario's details\n", scPath, err)
	}
	if err := reports.WriteRunReport(dir, run, brief); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, reports.ReportFile))
	return nil
}

// rebuildCompareReport rebuilds the report of the comparison folder dir.
func rebuildCompareReport(dir string, stdout, stderr io.Writer) error {
	man, err := reports.ReadCompareManifest(dir)
	if err != nil {
		return badInput("%s: not a comparison folder: %v", dir, err)
	}
	briefs := make([]*reports.RunBrief, len(man.Scenarios))
	for i, sc := range man.Scenarios {
		scPath := filepath.Join(dir, sc.Name, reports.ScenarioFile)
		if l, err := scenarios.Load(scPath, nil); err == nil {
			briefs[i] = runner.BriefOf(l)
		} else {
			fmt.Fprintf(stderr, "depinsim report: %s: %v; the report leaves out the scenario's details\n", scPath, err)
		}
	}
	if err := reports.RebuildCompareReport(dir, man, briefs); err != nil {
		return badInput("%s: comparison folder: %v", dir, err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, reports.ReportFile))
	return nil
}

// manifestKind returns the "kind" of the manifest.json at path ("" for a
// run's, "compare" for a comparison's); an error when there is none.
func manifestKind(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("no %s (a run folder holds one once its run is complete)", reports.ManifestFile)
		}
		return "", err
	}
	var m struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	return m.Kind, nil
}

// rebuildSensitivity redraws the charts and rebuilds the report of the
// sensitivity analysis folder dir from its sensitivity.json.
func rebuildSensitivity(dir string, stdout io.Writer) error {
	r, err := reports.ReadSensitivityData(dir)
	if err != nil {
		return badInput("%s: sensitivity folder: %v", dir, err)
	}
	if err := reports.WriteSensitivityCharts(dir, r); err != nil {
		return err
	}
	if err := reports.WriteSensitivityReport(dir, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, reports.ReportFile))
	return nil
}

// rebuildCalibration redraws the charts and rebuilds the report of the
// calibration folder dir from its calibration.json.
func rebuildCalibration(dir string, stdout io.Writer) error {
	r, err := reports.ReadCalibrationData(dir)
	if err != nil {
		return badInput("%s: calibration folder: %v", dir, err)
	}
	if err := reports.WriteCalibrationCharts(dir, r); err != nil {
		return err
	}
	if err := reports.WriteCalibrationReport(dir, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, reports.ReportFile))
	return nil
}
