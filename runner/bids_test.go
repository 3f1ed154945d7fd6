package runner_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
)

// learning is akash-2024 with the H100 cohort bidding no-regret and the
// large CPU cohort adaptive-markup.
var learning = []string{"providers.gpu-h100.strategy=no-regret", "providers.cpu-large.strategy=adaptive-markup"}

// runFolder runs sc's replications into a fresh folder with the given
// workers and returns the folder.
func runFolder(t *testing.T, workers int, sets ...string) string {
	t.Helper()
	sc := load(t, "akash-2024", append([]string{"sim.seed=5", "sim.replications=3"}, sets...)...)
	dir := filepath.Join(t.TempDir(), "run")
	_, err := runner.Run(context.Background(), sc, runner.Options{Workers: workers, Sink: runner.NewFileSink(dir, sc, runner.FileOptions{})})
	require.NoError(t, err)
	return dir
}

func readManifest(t *testing.T, dir string) reports.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, reports.ManifestFile))
	require.NoError(t, err)
	var m reports.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// TestManifestLearners: manifest.json carries, per replication, the
// learners' state of a run with no-regret and adaptive-markup cohorts,
// and no learners for cost-plus bidders.
func TestManifestLearners(t *testing.T) {
	m := readManifest(t, runFolder(t, 2, learning...))
	require.Len(t, m.Replications, 3)
	for _, r := range m.Replications {
		require.Len(t, r.Learners, 2, "rep %d", r.Rep)
		nr, am := r.Learners[0], r.Learners[1]
		assert.Equal(t, "gpu-h100", nr.Cohort)
		assert.Equal(t, "no-regret", nr.Strategy)
		assert.Positive(t, nr.Providers)
		assert.NotEmpty(t, nr.ArmMarkups)
		assert.Len(t, nr.ArmProbabilities, len(nr.ArmMarkups))
		assert.Len(t, nr.ArmLeaderShares, len(nr.ArmMarkups))
		require.NotNil(t, nr.Outcomes)
		assert.Positive(t, *nr.Outcomes)
		assert.Nil(t, nr.MarkupMean)
		assert.Equal(t, "cpu-large", am.Cohort)
		assert.Equal(t, "adaptive-markup", am.Strategy)
		require.NotNil(t, am.MarkupMean)
		assert.True(t, *am.MarkupMin <= *am.MarkupMean && *am.MarkupMean <= *am.MarkupMax)
		assert.Nil(t, am.Outcomes)
	}
	for _, r := range readManifest(t, runFolder(t, 2)).Replications {
		assert.Nil(t, r.Learners, "cost-plus: rep %d", r.Rep)
	}
}

// TestBidsIndependentOfWorkers: with learning bidders, the data files
// (cohorts.csv with the bid columns included) are byte-identical with 1
// and 2 workers, and so are the learners in the manifest.
func TestBidsIndependentOfWorkers(t *testing.T) {
	one, two := runFolder(t, 1, learning...), runFolder(t, 2, learning...)
	for _, f := range []string{reports.TimeseriesFile, reports.ResourcesFile, reports.CohortsFile, reports.SummaryFile} {
		a, err := os.ReadFile(filepath.Join(one, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(two, f))
		require.NoError(t, err)
		assert.True(t, string(a) == string(b), "%s differs between 1 and 2 workers", f)
	}
	m1, m2 := readManifest(t, one), readManifest(t, two)
	for i := range m1.Replications {
		assert.Equal(t, m1.Replications[i].Learners, m2.Replications[i].Learners, "rep %d", i)
	}
}
