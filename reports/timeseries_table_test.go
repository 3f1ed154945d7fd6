package reports

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClearOutputTimeseries: ClearOutput removes a sweep's time-series
// files and their temporary files, then the folders left empty, and
// leaves files and folders of other names.
func TestClearOutputTimeseries(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string) {
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
	}
	ours := []string{SweepTimeseriesFile(0, 0), SweepTimeseriesFile(0, 12), "timeseries/point=1/.rep-3.parquet.tmp-123", SweepTimeseriesFile(2, 0)}
	for _, f := range ours {
		write(f)
	}
	write("timeseries/point=2/notes.txt")
	write("timeseries/other/rep-0.parquet")
	removed, err := ClearOutput(dir, nil)
	require.NoError(t, err)
	for _, f := range ours {
		assert.NoFileExists(t, filepath.Join(dir, f))
		assert.Contains(t, removed, filepath.Join(dir, f))
	}
	assert.NoDirExists(t, filepath.Join(dir, "timeseries/point=0"))
	assert.NoDirExists(t, filepath.Join(dir, "timeseries/point=1"))
	assert.FileExists(t, filepath.Join(dir, "timeseries/point=2/notes.txt"))
	assert.FileExists(t, filepath.Join(dir, "timeseries/other/rep-0.parquet"))
}

// TestWriteFileTemp: the file is complete under its temporary name and
// absent at its path until CommitTemp; a failed write leaves nothing.
func TestWriteFileTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rep-0.parquet")
	tmp, err := WriteFileTemp(path, func(w io.Writer) error { _, err := w.Write([]byte("data")); return err })
	require.NoError(t, err)
	base, ok := TempBase(filepath.Base(tmp))
	assert.True(t, ok)
	assert.Equal(t, "rep-0.parquet", base)
	assert.NoFileExists(t, path)
	require.NoError(t, CommitTemp(tmp, path))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "data", string(b))
	assert.NoFileExists(t, tmp)

	_, err = WriteFileTemp(filepath.Join(dir, "x"), func(io.Writer) error { return io.ErrShortWrite })
	require.Error(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}
