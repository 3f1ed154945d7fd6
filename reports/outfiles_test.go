package reports

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTempBase(t *testing.T) {
	for name, want := range map[string]string{
		".timeseries.csv.tmp-123":   "timeseries.csv",
		".price.png.tmp-4294967295": "price.png",
		".a.tmp-b.tmp-7":            "a.tmp-b",
	} {
		got, ok := TempBase(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, got, name)
	}
	for _, name := range []string{"timeseries.csv", ".timeseries.csv", ".timeseries.csv.tmp-", ".timeseries.csv.tmp-12a",
		"timeseries.csv.tmp-12", "..tmp-1", ".tmp-1", ""} {
		_, ok := TempBase(name)
		assert.False(t, ok, name)
	}
	// the names createTemp gives are recognised
	dir := t.TempDir()
	tf, err := createTemp(filepath.Join(dir, CohortsFile))
	require.NoError(t, err)
	base, ok := TempBase(filepath.Base(tf.tmp))
	assert.True(t, ok, tf.tmp)
	assert.Equal(t, CohortsFile, base)
	tf.abort()
}

// files lists the files under dir, relative, with '/' separators.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return nil
	}))
	return out
}

// TestManifestListsFiles: the manifest of WriteAll and of RunWriter lists
// exactly the folder's other files.
func TestManifestListsFiles(t *testing.T) {
	for name, write := range map[string]func(dir string) error{
		"WriteAll": func(dir string) error {
			return WriteAll(dir, fixture(), testManifest(), []byte("x = 1\n"), Options{})
		},
		"RunWriter": func(dir string) error {
			w, err := NewRunWriter(dir, Options{})
			if err != nil {
				return err
			}
			for _, r := range fixture() {
				if err := w.Add(r); err != nil {
					return err
				}
			}
			return w.Close(testManifest(), []byte("x = 1\n"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, write(dir))
			m := readManifest(t, dir)
			// the fixture's BME metrics are non-zero: the BME chart is listed last
			assert.Equal(t, append(RunFiles(), PlotsDir+"/bme.png", PlotsDir+"/bme.svg"), m.Files)
			assert.ElementsMatch(t, append(slices.Clone(m.Files), ManifestFile), files(t, dir))
		})
	}
}

// TestClearOutput: ClearOutput removes depinsim's files and temporaries
// (of a run and of a comparison, and in the run folders the comparison's
// manifest lists or the caller names) and nothing else.
func TestClearOutput(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir() // outside the folder: must not be touched
	write := func(rel, text string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	for _, f := range append(RunFiles(), CompareFiles()...) {
		write(f, "old")
	}
	write(".summary.json.tmp-99", "torn")
	write("plots/.compare_price.svg.tmp-1", "torn")
	write(ManifestFile, `{"kind": "compare", "scenarios": [{"name": "a"}, {"name": "../escape"}, {"name": "link"}, {"name": "plots"}]}`)
	for _, f := range RunFiles() {
		write("a/"+f, "old")
		write("b/"+f, "old")
		write("c/"+f, "old")
	}
	write("a/.timeseries.csv.tmp-5", "torn")
	write("b/notes.txt", "mine")
	write("notes.txt", "mine")
	write("summary.json.bak", "mine")
	write(".manifest.json.tmp-x", "mine")
	write("plots/mine.png", "mine")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "timeseries.csv.d"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(other, SummaryFile), []byte("elsewhere"), 0o644))
	require.NoError(t, os.Symlink(other, filepath.Join(dir, "link")))

	removed, err := ClearOutput(dir, []string{"b", "missing"})
	require.NoError(t, err)
	assert.NotEmpty(t, removed)
	want := []string{"notes.txt", "summary.json.bak", ".manifest.json.tmp-x", "plots/mine.png", "b/notes.txt", "link"}
	for _, f := range RunFiles() {
		want = append(want, "c/"+f) // not listed, not named
	}
	assert.ElementsMatch(t, want, files(t, dir))
	assert.NoDirExists(t, filepath.Join(dir, "a"), "an emptied run folder goes")
	assert.DirExists(t, filepath.Join(dir, "timeseries.csv.d"))
	assert.FileExists(t, filepath.Join(other, SummaryFile), "a symbolic link is not followed")
	_, err = os.Lstat(filepath.Join(dir, "link"))
	assert.NoError(t, err)

	// a folder of nothing but depinsim's output is emptied
	empty := t.TempDir()
	require.NoError(t, WriteAll(empty, fixture(), testManifest(), []byte("x = 1\n"), Options{}))
	_, err = ClearOutput(empty, nil)
	require.NoError(t, err)
	entries, err := os.ReadDir(empty)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestUnfinished(t *testing.T) {
	dir := t.TempDir()
	assert.False(t, Unfinished(dir), "empty")
	assert.False(t, Unfinished(filepath.Join(dir, "missing")))
	// a RunWriter stopped without Abort: temporaries only
	w, err := NewRunWriter(dir, Options{})
	require.NoError(t, err)
	require.NoError(t, w.Add(fixture()[0]))
	assert.True(t, Unfinished(dir))
	w.Abort()
	// a complete folder is not unfinished; without its manifest it is
	require.NoError(t, WriteAll(dir, fixture(), testManifest(), nil, Options{}))
	assert.False(t, Unfinished(dir))
	require.NoError(t, os.Remove(filepath.Join(dir, ManifestFile)))
	assert.True(t, Unfinished(dir))
	// anything else in it: not only depinsim's
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644))
	assert.False(t, Unfinished(dir))
}

// TestWriteFileAtomicTempNames: the temporary file of WriteFileAtomic is
// named as TempBase recognises while it is written.
func TestWriteFileAtomicTempNames(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WriteFileAtomic(filepath.Join(dir, SummaryFile), func(w io.Writer) error {
		names := dirNames(t, dir)
		require.Len(t, names, 1)
		base, ok := TempBase(names[0])
		assert.True(t, ok && base == SummaryFile && strings.HasPrefix(names[0], "."), names[0])
		return nil
	}))
}

// readManifest reads dir's manifest.json.
func readManifest(t *testing.T, dir string) Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	require.NoError(t, err)
	var m Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// TestClearOutputAnalysisFolders checks that --force clears what a
// sensitivity analysis or a calibration wrote (tables, sidecars, data
// files, journals, charts) and nothing else.
func TestClearOutputAnalysisFolders(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))
	}
	ours := append(AnalysisFiles(), "runs.csv", "points.csv", "run.log.json", "report.html",
		"plots/sensitivity_gpu-utilization.png", "plots/sensitivity_gpu-utilization_scatter.svg",
		"plots/calibration_targets.png", "plots/.calibration_objective.svg.tmp-3")
	for _, f := range ours {
		write(f)
	}
	write("notes.txt")
	write("plots/my-sensitivity.png")
	removed, err := ClearOutput(dir, nil)
	require.NoError(t, err)
	for _, f := range ours {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f)))
		require.True(t, os.IsNotExist(err), "%s left behind", f)
	}
	for _, f := range []string{"notes.txt", "plots/my-sensitivity.png"} {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f)))
		require.NoError(t, err, "%s removed", f)
	}
	require.Len(t, removed, len(ours))
}
