package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// RunFiles lists the files of a run folder other than manifest.json, as
// WriteAll and RunWriter write them and Manifest.Files lists them:
// relative to the folder, with '/' separators, in the order written.
// A run with the BME on also has the BME chart (BMEPlotFiles, listed
// after these in Manifest.Files).
func RunFiles() []string {
	files := []string{TimeseriesFile, ResourcesFile, CohortsFile, SummaryFile, ScenarioFile}
	for _, f := range PlotFiles {
		files = append(files, PlotsDir+"/"+f)
	}
	return append(files, ReportFile)
}

// withoutReport returns files without ReportFile: the files of a run
// written with no report (--no-report).
func withoutReport(files []string) []string {
	return slices.DeleteFunc(slices.Clone(files), func(f string) bool { return f == ReportFile })
}

// bmeFiles returns the files of the BME chart, in plots/, when d has one.
func bmeFiles(d *ChartData) []string {
	var out []string
	if d.BME.On {
		for _, f := range BMEPlotFiles {
			out = append(out, PlotsDir+"/"+f)
		}
	}
	return out
}

// CompareFiles lists a comparison folder's own files other than
// manifest.json, as WriteComparison writes them and CompareManifest.Files
// lists them (report.html last, left out with --no-report). The
// comparison's run folders are not included.
func CompareFiles() []string {
	files := []string{CompareCSVFile, CompareMarkdownFile}
	for _, f := range ComparePlotFiles {
		files = append(files, PlotsDir+"/"+f)
	}
	return append(files, ReportFile)
}

// outputNames returns the names a folder of depinsim's output holds at
// its top (inTop) and in plots/ (inPlots): those of a run folder, of a
// comparison folder and of a sweep folder.
func outputNames() (top, plots []string) {
	top = []string{TimeseriesFile, ResourcesFile, CohortsFile, SummaryFile, ScenarioFile, ManifestFile, ReportFile,
		CompareCSVFile, CompareMarkdownFile}
	top = append(top, SweepFiles()...)
	top = append(top, AnalysisFiles()...)
	plots = slices.Concat(PlotFiles, BMEPlotFiles, ComparePlotFiles)
	return top, plots
}

// isOutputName reports whether name, in a folder whose output file names
// are names, is one of them or a temporary file of one of them.
func isOutputName(name string, names []string) bool {
	if base, ok := TempBase(name); ok {
		name = base
	}
	return slices.Contains(names, name)
}

// ClearOutput removes from the folder dir what depinsim recognisably
// wrote there, so that a new run or comparison can write it afresh
// (--force): the files of a run folder (RunFiles and manifest.json) and
// of a comparison folder (CompareFiles) and of a sweep folder
// (SweepFiles, the plots of WriteSweepPlots and the time-series dataset
// SweepTimeseriesDir: its run files, then its empty folders), the
// temporary files of any of
// them (".NAME.tmp-N", left by a process that was killed), the same in
// the run folders that the folder's comparison manifest.json lists and
// in the folders named by subdirs (the run folders a new comparison is
// about to write), and then plots/ and those run folders when they are
// left empty. Anything else (files of other names, other folders,
// symbolic links to folders) is left alone, so that a folder given by
// mistake loses nothing but depinsim's own files. It returns the paths
// removed, files before the folders that held them.
func ClearOutput(dir string, subdirs []string) ([]string, error) {
	runs := slices.Clone(subdirs)
	if prev, err := compareRunDirs(filepath.Join(dir, ManifestFile)); err == nil {
		runs = append(runs, prev...)
	}
	var removed []string
	if err := clearFolder(dir, &removed); err != nil {
		return removed, err
	}
	if err := clearTimeseries(dir, &removed); err != nil {
		return removed, err
	}
	seen := map[string]bool{}
	for _, name := range runs {
		if seen[name] || !isRunDirName(name) {
			continue
		}
		seen[name] = true
		sub := filepath.Join(dir, name)
		if fi, err := os.Lstat(sub); err != nil || !fi.IsDir() {
			continue
		}
		if err := clearFolder(sub, &removed); err != nil {
			return removed, err
		}
		if removeIfEmpty(sub) {
			removed = append(removed, sub)
		}
	}
	return removed, nil
}

// clearFolder removes dir's output files and temporaries, then those of
// dir/plots and dir/plots itself when it is left empty.
func clearFolder(dir string, removed *[]string) error {
	top, plots := outputNames()
	if err := removeNamed(dir, func(n string) bool { return isOutputName(n, top) }, removed); err != nil {
		return err
	}
	pd := filepath.Join(dir, PlotsDir)
	if fi, err := os.Lstat(pd); err != nil || !fi.IsDir() {
		return nil
	}
	if err := removeNamed(pd, func(n string) bool { return isPlotName(n, plots) }, removed); err != nil {
		return err
	}
	if removeIfEmpty(pd) {
		*removed = append(*removed, pd)
	}
	return nil
}

// isPlotName reports whether name, in a plots/ folder, is one of plots, a
// sweep's plot (isSweepPlotName) or a temporary file of one of them.
func isPlotName(name string, plots []string) bool {
	return isOutputName(name, plots) || isSweepPlotName(name) || isAnalysisPlotName(name)
}

// AnalysisFiles lists the files a sensitivity or calibration folder may
// hold at its top besides a sweep folder's names (SweepFiles): its data
// file, its definition, its tables with their provenance sidecars, its
// journal. Packages sensitivity and calibrate name theirs from this list
// (their tests check it), so that --force clears them.
func AnalysisFiles() []string {
	var out []string
	for _, f := range []string{"indices.csv", "convergence.csv", "evaluations.csv", "targets.csv", "params.csv", "posterior.csv"} {
		out = append(out, f, f+".meta.json")
	}
	return append(out, "points.csv.meta.json", "indices.parquet", "evaluations.parquet", "fitted.set",
		"sensitivity.toml", "calibration.toml", "runs.journal", "journal.tsv", SensitivityDataFile, CalibrationDataFile)
}

// isAnalysisPlotName reports whether name, in a plots/ folder, is a chart
// of a sensitivity analysis or a calibration (sensitivity_*.png|svg,
// calibration_*.png|svg) or a temporary file of one.
func isAnalysisPlotName(name string) bool {
	if base, ok := TempBase(name); ok {
		name = base
	}
	if !strings.HasSuffix(name, ".png") && !strings.HasSuffix(name, ".svg") {
		return false
	}
	return strings.HasPrefix(name, "sensitivity_") || strings.HasPrefix(name, "calibration_")
}

// removeNamed removes the regular files of dir whose names ours accepts
// (depinsim's output files or their temporaries).
func removeNamed(dir string, ours func(string) bool, removed *[]string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !ours(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		*removed = append(*removed, p)
	}
	return nil
}

// removeIfEmpty removes the folder dir when it is empty and reports
// whether it did.
func removeIfEmpty(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) > 0 {
		return false
	}
	return os.Remove(dir) == nil
}

// isRunDirName reports whether name can be a comparison's run folder: one
// path element inside the folder, not plots/ and not hidden.
func isRunDirName(name string) bool {
	return name != "" && filepath.IsLocal(name) && !strings.ContainsAny(name, `/\`) &&
		!strings.HasPrefix(name, ".") && name != PlotsDir
}

// maxManifestBytes bounds how much of a previous manifest.json is read.
const maxManifestBytes = 64 << 20

// compareRunDirs returns the run folders a comparison's manifest.json at
// path lists; an error when there is none or it is not a comparison's.
func compareRunDirs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m struct {
		Kind      string `json:"kind"`
		Scenarios []struct {
			Name string `json:"name"`
		} `json:"scenarios"`
	}
	if err := json.NewDecoder(io.LimitReader(f, maxManifestBytes)).Decode(&m); err != nil {
		return nil, err
	}
	if m.Kind != "compare" {
		return nil, fmt.Errorf("%s: not a comparison's manifest", path)
	}
	var dirs []string
	for _, s := range m.Scenarios {
		dirs = append(dirs, s.Name)
	}
	return dirs, nil
}

// Unfinished reports whether the folder dir holds the unfinished output
// of a run that was killed or failed: no manifest.json (nor a sweep's
// sweep.json) and nothing but
// files ClearOutput removes (no folder but plots/). It is false for an
// empty or missing folder.
func Unfinished(dir string) bool {
	top, plots := outputNames()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return false
	}
	for _, e := range entries {
		switch {
		case e.Name() == ManifestFile || e.Name() == SweepManifestFile:
			return false
		case e.Type().IsRegular() && isOutputName(e.Name(), top):
		case e.IsDir() && e.Name() == PlotsDir:
			pe, err := os.ReadDir(filepath.Join(dir, PlotsDir))
			if err != nil {
				return false
			}
			for _, p := range pe {
				if !p.Type().IsRegular() || !isPlotName(p.Name(), plots) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}
