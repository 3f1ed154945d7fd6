package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
)

// analysisFolders writes a sensitivity folder and a calibration folder
// (data file, charts, report.html) from small synthetic reports with
// NaN in them, and returns their paths.
func analysisFolders(t *testing.T) (sens, cal string) {
	t.Helper()
	nan := math.NaN()
	tmp := t.TempDir()
	sens, cal = filepath.Join(tmp, "sensitivity"), filepath.Join(tmp, "calibration")
	require.NoError(t, os.MkdirAll(sens, 0o755))
	require.NoError(t, os.MkdirAll(cal, 0o755))
	idx := func(f string, s1, st float64) reports.SensitivityIndex {
		return reports.SensitivityIndex{Factor: f, S1: s1, S1Lo: s1 - 0.05, S1Hi: s1 + 0.05, ST: st, STLo: nan, STHi: nan,
			Mu: nan, MuLo: nan, MuHi: nan, MuStar: nan, MuStarLo: nan, MuStarHi: nan, Sigma: nan, SigmaLo: nan, SigmaHi: nan}
	}
	s := &reports.SensitivityReport{Name: "util", Method: "sobol", Design: "Saltelli A/B/AB_i on LHS, N = 64", Confidence: 0.95,
		Points: 256, Runs: 512, Missing: "refuse",
		Factors: []reports.SensitivityFactor{{Key: "demand.arrival_rate", Dist: "uniform(1, 2)"}, {Key: evil, Dist: "normal(0, 1)"}},
		Outputs: []reports.SensitivityOutput{{Name: "u", Label: "mean of gpu_utilization", Unit: "fraction", Mean: 0.5, Variance: 0.01, NoiseShare: nan,
			Indices: []reports.SensitivityIndex{idx("demand.arrival_rate", 0.6, 0.7), idx(evil, 0.1, 0.3)},
			Convergence: []reports.SensitivityConvergence{
				{N: 32, Indices: []reports.SensitivityIndex{idx("demand.arrival_rate", 0.5, 0.8), idx(evil, 0.1, nan)}},
				{N: 64, Indices: []reports.SensitivityIndex{idx("demand.arrival_rate", 0.6, 0.7), idx(evil, 0.1, 0.3)}}}}},
		Provenance: reports.AnalysisProvenance{File: "util.toml", Base: "akash-2024", MasterSeed: 1, Replications: 2}}
	require.NoError(t, reports.WriteSensitivityData(sens, s))
	require.NoError(t, reports.WriteSensitivityCharts(sens, s))
	require.NoError(t, reports.WriteSensitivityReport(sens, s))
	c := &reports.CalibrationReport{Name: "fit", Search: "CMA-ES", Evaluations: 3, Objective: 1, CheckObjective: nan,
		Params:  []reports.CalibrationParam{{Key: "demand.arrival_rate", Min: 1, Max: 10, Start: 2, Fitted: 3, Lo: nan, Hi: nan}},
		Targets: []reports.CalibrationTarget{{Name: evil, Observed: 1, Sigma: 0.1, Tolerance: 0.2, Simulated: 1.1, SimLo: 1, SimHi: 1.2, Start: 2, Met: true}},
		History: []reports.CalibrationStep{{Evaluation: 1, Phase: "cma-es", Objective: 9, Best: 9}, {Evaluation: 2, Phase: "cma-es", Objective: nan, Best: 9},
			{Evaluation: 3, Phase: "nelder-mead", Objective: 1, Best: 1}},
		Provenance: reports.AnalysisProvenance{File: "fit.toml", Base: "akash-2024", MasterSeed: 1, Replications: 2}}
	require.NoError(t, reports.WriteCalibrationData(cal, c))
	require.NoError(t, reports.WriteCalibrationCharts(cal, c))
	require.NoError(t, reports.WriteCalibrationReport(cal, c))
	return sens, cal
}

// folderBytes returns report.html and the files of plots/ in dir.
func folderBytes(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{reports.ReportFile: readFile(t, filepath.Join(dir, reports.ReportFile))}
	es, err := os.ReadDir(filepath.Join(dir, reports.PlotsDir))
	require.NoError(t, err)
	for _, e := range es {
		out[e.Name()] = readFile(t, filepath.Join(dir, reports.PlotsDir, e.Name()))
	}
	return out
}

// TestReportAnalysisFolders: 'depinsim report' rebuilds a sensitivity
// and a calibration folder's charts and report.html from the data file
// alone, byte for byte; a broken data file is refused with exit status
// 2 and nothing written.
func TestReportAnalysisFolders(t *testing.T) {
	t.Parallel()
	sens, cal := analysisFolders(t)
	for _, dir := range []string{sens, cal} {
		want := folderBytes(t, dir)
		require.NoError(t, os.Remove(filepath.Join(dir, reports.ReportFile)))
		require.NoError(t, os.RemoveAll(filepath.Join(dir, reports.PlotsDir)))
		code, stdout, stderr := cli(t, "report", dir)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "wrote "+filepath.Join(dir, reports.ReportFile))
		got := folderBytes(t, dir)
		assert.Equal(t, len(want), len(got))
		for name, b := range want {
			assert.True(t, string(b) == string(got[name]), "%s: %s differs after 'depinsim report'", dir, name)
		}
		checkSelfContained(t, string(got[reports.ReportFile]))
		assert.NotContains(t, string(got[reports.ReportFile]), "<script>alert")
	}

	// a broken data file: exit 2, named, nothing written
	for _, c := range []struct{ dir, file, kind string }{{sens, reports.SensitivityDataFile, "sensitivity folder"}, {cal, reports.CalibrationDataFile, "calibration folder"}} {
		require.NoError(t, os.Remove(filepath.Join(c.dir, reports.ReportFile)))
		writeFile(t, filepath.Join(c.dir, c.file), `{"kind": "`+c.kind[:5]+`", "bogus": 1}`)
		code, _, stderr := cli(t, "report", c.dir)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, c.kind)
		assert.Contains(t, stderr, c.file)
		assert.NoFileExists(t, filepath.Join(c.dir, reports.ReportFile), "nothing half-written")
	}
}
