package sensitivity

import (
	"slices"
	"testing"

	"github.com/depinsim/depinsim/reports"
)

// TestFilesKnownToForce checks that every file a sensitivity folder holds
// is one that --force clears (reports.ClearOutput).
func TestFilesKnownToForce(t *testing.T) {
	known := slices.Concat(reports.SweepFiles(), reports.AnalysisFiles())
	for _, f := range []string{DefinitionFile, RunsFile, RunsFile + ".meta.json", PointsFile, PointsFile + ".meta.json",
		IndicesFile, IndicesFile + ".meta.json", IndicesParquet, ConvergenceFile, ConvergenceFile + ".meta.json",
		StateFile, JournalFile, ShardFile, LogFile, reports.SensitivityDataFile, reports.ReportFile} {
		if !slices.Contains(known, f) {
			t.Errorf("%s: not among the files --force clears (reports.AnalysisFiles)", f)
		}
	}
}
