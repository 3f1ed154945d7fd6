package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

func testManifest() Manifest {
	return Manifest{
		Tool: "depinsim", Version: "test", Scenario: "fixture", ScenarioFile: "fixture.toml",
		MasterSeed: 42,
		Replications: []RepInfo{
			NewRepInfo(sim.Result{Rep: 0, Seed: 1, Events: 10, Samples: 3}),
			NewRepInfo(sim.Result{Rep: 1, Seed: 2, Events: 11, Samples: 3}),
			NewRepInfo(sim.Result{Rep: 2, Seed: 3, Events: 12, Samples: 3}),
		},
		EventsTotal: 33, WallSeconds: 0.25, Start: "2024-03-20", Horizon: "2h", SampleEvery: "1h",
		GoVersion: "go1.26", Command: []string{"depinsim", "run", "fixture.toml"},
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run", "out") // created by WriteAll
	toml := []byte("name = \"fixture\"\n")
	require.NoError(t, WriteAll(dir, fixture(2, 1, 0), testManifest(), toml, Options{Title: "fixture", Start: "2024-03-20"}))

	assert.ElementsMatch(t, []string{TimeseriesFile, ResourcesFile, CohortsFile, SummaryFile, ManifestFile, ScenarioFile, PlotsDir, ReportFile}, dirNames(t, dir))
	requirePlots(t, filepath.Join(dir, PlotsDir))

	b, err := os.ReadFile(filepath.Join(dir, ScenarioFile))
	require.NoError(t, err)
	assert.Equal(t, toml, b)

	var ts bytes.Buffer
	require.NoError(t, WriteTimeseriesCSV(&ts, fixture()))
	b, err = os.ReadFile(filepath.Join(dir, TimeseriesFile))
	require.NoError(t, err)
	assert.Equal(t, ts.String(), string(b))

	var cs bytes.Buffer
	require.NoError(t, WriteCohortsCSV(&cs, fixture()))
	b, err = os.ReadFile(filepath.Join(dir, CohortsFile))
	require.NoError(t, err)
	assert.Equal(t, cs.String(), string(b))

	b, err = os.ReadFile(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	require.True(t, json.Valid(b))

	b, err = os.ReadFile(filepath.Join(dir, ManifestFile))
	require.NoError(t, err)
	var man map[string]any
	require.NoError(t, json.Unmarshal(b, &man))
	sum := sha256.Sum256(toml)
	assert.Equal(t, hex.EncodeToString(sum[:]), man["scenario_sha256"])
	for _, k := range []string{"tool", "version", "scenario", "scenario_file", "master_seed", "replications",
		"events_total", "wall_seconds", "start", "horizon", "sample_every", "go_version", "command"} {
		assert.Contains(t, man, k)
	}
	reps := man["replications"].([]any)
	assert.Equal(t, map[string]any{"rep": 2.0, "seed": 3.0, "events": 12.0, "samples": 3.0}, reps[2])
}

func TestWriteAllKeepsGivenDigest(t *testing.T) {
	dir := t.TempDir()
	man := testManifest()
	man.ScenarioSHA256 = "given"
	require.NoError(t, WriteAll(dir, fixture(), man, nil, Options{}))
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"scenario_sha256": "given"`)
}

// TestWriteAllDeterministic checks that the data files do not depend on
// the order of the recordings or on the manifest's wall time.
func TestWriteAllDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	toml := []byte("x = 1\n")
	require.NoError(t, WriteAll(a, fixture(0, 1, 2), testManifest(), toml, Options{}))
	m := testManifest()
	m.WallSeconds = 99
	require.NoError(t, WriteAll(b, fixture(2, 0, 1), m, toml, Options{}))
	for _, name := range []string{TimeseriesFile, ResourcesFile, CohortsFile, SummaryFile, ScenarioFile} {
		x, err := os.ReadFile(filepath.Join(a, name))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b, name))
		require.NoError(t, err)
		assert.Equal(t, string(x), string(y), name)
	}
}

func TestWriteAllErrors(t *testing.T) {
	assert.Error(t, WriteAll(t.TempDir(), []*Recording{nil}, Manifest{}, nil, Options{}))

	// dir is a file: nothing can be created.
	f := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(f, nil, 0o644))
	assert.Error(t, WriteAll(f, fixture(), Manifest{}, nil, Options{}))
}

func BenchmarkWriteAll(b *testing.B) {
	recs := longRun(3, 8760)
	dir := b.TempDir()
	man := testManifest()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteAll(dir, recs, man, []byte("x = 1\n"), Options{Title: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
