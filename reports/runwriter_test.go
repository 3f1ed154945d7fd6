package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeStreamed writes recs to dir with a RunWriter, one at a time.
func writeStreamed(t *testing.T, dir string, recs []*Recording, man Manifest, toml []byte, opt Options) {
	t.Helper()
	w, err := NewRunWriter(dir, opt)
	require.NoError(t, err)
	for _, r := range byRep(recs) {
		require.NoError(t, w.Add(r))
	}
	require.NoError(t, w.Close(man, toml))
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// TestRunWriterMatchesWriteAll: the same recordings written one at a time
// and all at once give the same files, byte for byte: the data files,
// summary.json, scenario.toml, the manifest and the charts.
func TestRunWriterMatchesWriteAll(t *testing.T) {
	gpu, _ := compareFixture()
	for name, recs := range map[string][]*Recording{
		"fixture": fixture(),
		"tokens":  tokenFixture(),
		"gpu":     gpu,
		"one rep": fixture(1),
		"long":    longRun(2, 2500), // reduced charts
		"no BME":  withoutBME(fixture()),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			all, streamedDir := filepath.Join(t.TempDir(), "all"), filepath.Join(t.TempDir(), "streamed")
			toml := []byte("name = \"x\"\n")
			opt := Options{Title: "x", Start: "2024-03-20"}
			require.NoError(t, WriteAll(all, recs, testManifest(), toml, opt))
			writeStreamed(t, streamedDir, recs, testManifest(), toml, opt)
			assert.ElementsMatch(t, dirNames(t, all), dirNames(t, streamedDir))
			for _, f := range []string{TimeseriesFile, ResourcesFile, CohortsFile, SummaryFile, ScenarioFile, ManifestFile} {
				assert.Equal(t, string(readBytes(t, filepath.Join(all, f))), string(readBytes(t, filepath.Join(streamedDir, f))), f)
			}
			files := dirNames(t, filepath.Join(all, PlotsDir))
			assert.Equal(t, bmeOn(recs), slices.Contains(files, "bme.svg"), "the BME chart exactly when the BME is on")
			assert.ElementsMatch(t, files, dirNames(t, filepath.Join(streamedDir, PlotsDir)))
			for _, f := range files {
				assert.True(t, string(readBytes(t, filepath.Join(all, PlotsDir, f))) == string(readBytes(t, filepath.Join(streamedDir, PlotsDir, f))), f)
			}
		})
	}
}

// TestRunWriterAbort: an aborted writer leaves no file of its own and
// removes the folders it created.
func TestRunWriterAbort(t *testing.T) {
	t.Run("new folder", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "run")
		w, err := NewRunWriter(dir, Options{})
		require.NoError(t, err)
		require.NoError(t, w.Add(fixture(0)[0]))
		assert.NotEmpty(t, dirNames(t, dir), "temporary files while writing")
		assert.NoFileExists(t, filepath.Join(dir, TimeseriesFile), "no data file under its name before Close")
		w.Abort()
		assert.Empty(t, dirNames(t, parent), "the folder is gone")
		w.Abort() // twice is harmless
		assert.Error(t, w.Add(fixture(1)[0]), "an aborted writer takes nothing")
	})
	t.Run("existing folder", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestFile), []byte("{}"), 0o644))
		w, err := NewRunWriter(dir, Options{})
		require.NoError(t, err)
		assert.NoFileExists(t, filepath.Join(dir, ManifestFile), "a folder being written has no manifest")
		require.NoError(t, w.Add(fixture(0)[0]))
		w.Abort()
		assert.Equal(t, []string{"keep.txt"}, dirNames(t, dir))
	})
	t.Run("failing close", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "run")
		w, err := NewRunWriter(dir, Options{})
		require.NoError(t, err)
		require.NoError(t, w.Add(fixture(0)[0]))
		// the charts cannot be written: plots is a file
		require.NoError(t, os.Remove(filepath.Join(dir, PlotsDir)))
		require.NoError(t, os.WriteFile(filepath.Join(dir, PlotsDir), nil, 0o644))
		require.Error(t, w.Close(testManifest(), nil))
		assert.Equal(t, []string{PlotsDir}, dirNames(t, dir), "only the file put in its way is left")
	})
}

func TestRunWriterErrors(t *testing.T) {
	dir := t.TempDir()
	w, err := NewRunWriter(dir, Options{})
	require.NoError(t, err)
	recs := fixture()
	require.NoError(t, w.Add(recs[1]))
	assert.Error(t, w.Add(recs[0]), "out of order")
	w.Abort()

	f := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(f, nil, 0o644))
	_, err = NewRunWriter(f, Options{})
	assert.Error(t, err, "the folder is a file")
	assert.FileExists(t, f)

	w, err = NewRunWriter(t.TempDir(), Options{})
	require.NoError(t, err)
	require.NoError(t, w.Close(testManifest(), nil))
	assert.Error(t, w.Close(testManifest(), nil), "closed twice")
	assert.Error(t, w.Add(recs[0]), "closed")
}

// TestRunWriterRowsAfterAdd: Add returns with the statistics complete
// while the replication's rows are still being written; the next Add and
// Close wait for them, and an error in writing them is returned by the
// next Add (or by Close), after which Abort leaves nothing behind.
func TestRunWriterRowsAfterAdd(t *testing.T) {
	recs := longRun(3, 2000)
	t.Run("statistics on return", func(t *testing.T) {
		w, err := NewRunWriter(t.TempDir(), Options{})
		require.NoError(t, err)
		one := NewRunStats()
		for k, r := range recs {
			require.NoError(t, w.Add(r))
			require.NoError(t, one.Add(r))
			// read while the rows of r may still be written (the race
			// detector checks that they touch nothing read here)
			assert.Equal(t, k+1, w.Stats().Reps())
			var want, got bytes.Buffer
			require.NoError(t, one.Summary().WriteJSON(&want))
			require.NoError(t, w.Stats().Summary().WriteJSON(&got))
			assert.Equal(t, want.String(), got.String(), "replication %d", r.Rep)
		}
		require.NoError(t, w.Close(testManifest(), nil))
	})
	for _, at := range []string{"next Add", "Close"} {
		t.Run("error at "+at, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "run")
			w, err := NewRunWriter(dir, Options{})
			require.NoError(t, err)
			// the second CSV file's writes fail from now on
			require.NoError(t, w.csvs[1].tf.f.Close())
			require.NoError(t, w.Add(recs[0]), "the rows are written after Add returns")
			if at == "next Add" {
				err = w.Add(recs[1])
			} else {
				err = w.Close(testManifest(), nil)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), ResourcesFile)
			w.Abort()
			assert.Empty(t, dirNames(t, parent), "nothing is left")
		})
	}
}

// BenchmarkRunWriter writes the folder of one replication of an hourly
// year (8760 samples, 5 resources, 4 cohorts) through a RunWriter per op:
// the data files, summary.json, the charts and report.html, as 'depinsim
// run' does after simulating.
func BenchmarkRunWriter(b *testing.B) {
	recs := longRun(1, 8760)
	dir := b.TempDir()
	man := testManifest()
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewRunWriter(dir, Options{Title: "bench", Start: "2024-03-20"})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			if err := w.Add(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(man, []byte("x = 1\n")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportAcc adds three replications of an hourly year to the
// accumulator of report.html's series per op.
func BenchmarkReportAcc(b *testing.B) { benchReportAcc(b, 3) }

// BenchmarkReportAccOneRep is BenchmarkReportAcc for one replication,
// as in a run of one replication (R1).
func BenchmarkReportAccOneRep(b *testing.B) { benchReportAcc(b, 1) }

// benchReportAcc adds reps replications of an hourly year to the
// accumulator of report.html's series per op.
func benchReportAcc(b *testing.B, reps int) {
	recs := longRun(reps, 8760)
	b.ReportAllocs()
	for b.Loop() {
		a := newReportAcc()
		for _, r := range recs {
			if err := a.Add(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}
