package sweep

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sim"
)

// failing makes run (1, 1) fail.
func failing(point, rep int) sim.Recorder {
	return sim.RecorderFunc(func(*sim.Sample) {
		if point == 1 && rep == 1 {
			panic("boom")
		}
	})
}

// TestTornRunTable: of a run table cut at any byte (a killed sweep's
// temporary file), only the whole records count: as many rows as whole
// lines after the header, never a row whose last field was cut (which
// would read as another number); a record that does not parse ends the
// table there.
func TestTornRunTable(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	rows, _ := runAll(t, sw, scs, Options{Workers: 2, Recorder: failing})
	dir := t.TempDir()
	require.NoError(t, sw.WriteFolder(dir, pts, rows, Log{}))
	data, err := os.ReadFile(filepath.Join(dir, reports.SweepRunsFile))
	require.NoError(t, err)
	w := sw.newWriter(dir, pts, FolderOptions{})
	cut := filepath.Join(t.TempDir(), "cut.csv")
	for c := 0; c <= len(data); c++ {
		require.NoError(t, os.WriteFile(cut, data[:c], 0o644))
		want := max(0, bytes.Count(data[:c], []byte("\n"))-1)
		require.Equal(t, want, w.countRows(cut, len(rows)), "cut at byte %d of %d", c, len(data))
	}
	// a record that does not parse (a letter in a number) ends the table
	lines := bytes.SplitAfter(data, []byte("\n"))
	bad := bytes.Join(lines[:4], nil)
	bad = append(bad, bytes.Replace(lines[4], []byte(",ok,"), []byte(",ok,x"), 1)...)
	bad = append(bad, bytes.Join(lines[5:], nil)...)
	require.NoError(t, os.WriteFile(cut, bad, 0o644))
	assert.Equal(t, 3, w.countRows(cut, len(rows)))
}

// TestResumeKilledFolder: a folder whose sweep was killed (its run table
// a temporary CSV file cut anywhere, temporary files of other files
// beside it) is resumed into the uninterrupted sweep's files byte for
// byte (run.log.json aside), runs.parquet rebuilt from the rows kept,
// no temporary file left; also for a shard. Under -short the table is cut
// in two places (a third of the way, and in its last record) instead of
// five (also empty, two thirds, whole).
func TestResumeKilledFolder(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	for _, shard := range [][2]int{{0, 0}, {2, 3}} {
		opt := FolderOptions{Shard: shard[0], Shards: shard[1]}
		ref := t.TempDir()
		w, err := sw.CreateFolderWith(ref, pts, opt)
		require.NoError(t, err)
		_, err = sw.Run(context.Background(), scs, Options{Workers: 2, Recorder: failing, Write: w.Write, Shard: opt.Shard, Shards: opt.Shards})
		require.NoError(t, err)
		require.NoError(t, w.Finish(Log{}))
		data, err := os.ReadFile(filepath.Join(ref, reports.SweepRunsFile))
		require.NoError(t, err)
		cuts := []int{0, len(data) / 3, len(data) * 2 / 3, len(data) - 1, len(data)}
		if testing.Short() {
			cuts = []int{len(data) / 3, len(data) - 1}
		}
		for _, c := range cuts {
			dir := t.TempDir()
			// a sweep killed: its writer abandoned, a run table cut at c
			_, err := sw.CreateFolderWith(dir, pts, opt)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, ".runs.csv.tmp-99"), data[:c], 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, ".points.csv.tmp-7"), []byte("point,x\n1,"), 0o600))
			w, start, err := sw.ResumeFolder(dir, pts, opt)
			require.NoError(t, err)
			assert.Equal(t, max(0, bytes.Count(data[:c], []byte("\n"))-1), start)
			_, err = sw.Run(context.Background(), scs, Options{Workers: 3, Recorder: failing, Write: w.Write, Shard: opt.Shard, Shards: opt.Shards, Start: start})
			require.NoError(t, err)
			require.NoError(t, w.Finish(Log{Resumed: start}))
			a, b := folderBytes(t, ref), folderBytes(t, dir)
			delete(a, reports.SweepLogFile)
			delete(b, reports.SweepLogFile)
			assert.Equal(t, a, b, "shard %v, cut at %d", shard, c)
			_, _, err = sw.ResumeFolder(dir, pts, opt)
			var re *ResumeError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, re.Msg, "already complete")
		}
	}
}

// folderBytes maps every file under dir to its bytes.
func folderBytes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return err
	}))
	return out
}
