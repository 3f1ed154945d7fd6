package calibrate

import (
	"slices"
	"testing"

	"github.com/depinsim/depinsim/reports"
)

// TestFilesKnownToForce checks that every file a calibration folder holds
// is one that --force clears (reports.ClearOutput).
func TestFilesKnownToForce(t *testing.T) {
	known := slices.Concat(reports.SweepFiles(), reports.AnalysisFiles())
	for _, f := range []string{JournalFile, CalFile, EvaluationsCSV, EvaluationsCSV + ".meta.json", EvaluationsPq,
		TargetsCSV, TargetsCSV + ".meta.json", ParamsCSV, ParamsCSV + ".meta.json", PosteriorCSV, PosteriorCSV + ".meta.json", FittedSet, LogFile, ShardFile,
		reports.CalibrationDataFile, reports.ReportFile} {
		if !slices.Contains(known, f) {
			t.Errorf("%s: not among the files --force clears (reports.AnalysisFiles)", f)
		}
	}
}
