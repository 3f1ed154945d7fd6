package sweep

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sim"
)

// datasetFiles returns the files under dir/timeseries (temporary ones
// included), relative to dir.
func datasetFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, reports.SweepTimeseriesDir), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return nil
	})
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	return files
}

// TestTimeseriesFilesAreTheRowsHandedOver: with --fail-fast the dataset
// holds exactly the successful runs whose rows were handed over (none of
// the runs finished after the gap, no temporary file), and each file
// holds its run's samples.
func TestTimeseriesFilesAreTheRowsHandedOver(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	dir := t.TempDir()
	samples := map[[2]int]int{} // samples per run, counted by the workers
	var mu sync.Mutex
	fail := func(point, rep int) bool { return point == pts0(sw, len(pts)) && rep == 0 }
	rows, res := runAll(t, sw, scs, Options{Workers: 2, FailFast: true, Timeseries: sw.NewTimeseries(dir, pts),
		Recorder: func(point, rep int) sim.Recorder {
			return sim.RecorderFunc(func(*sim.Sample) {
				if fail(point, rep) {
					panic("boom")
				}
			})
		}})
	require.NotNil(t, res.Stopped)
	var want []string
	for _, r := range rows {
		if r.Err == nil {
			want = append(want, reports.SweepTimeseriesFile(r.Point, r.Rep))
		}
	}
	assert.ElementsMatch(t, want, datasetFiles(t, dir))

	// without failures: every run has its file with its samples
	dir = t.TempDir()
	rows, _ = runAll(t, sw, scs, Options{Workers: 2, Timeseries: sw.NewTimeseries(dir, pts),
		Recorder: func(point, rep int) sim.Recorder {
			return sim.RecorderFunc(func(s *sim.Sample) { mu.Lock(); samples[[2]int{point, rep}]++; mu.Unlock() })
		}})
	require.Len(t, rows, 8)
	require.Len(t, datasetFiles(t, dir), 8)
	for _, r := range rows {
		cols, trows, meta, err := reports.ReadParquetTable(filepath.Join(dir, reports.SweepTimeseriesFile(r.Point, r.Rep)))
		require.NoError(t, err)
		assert.Equal(t, reports.TimeseriesColumns(), cols)
		assert.Len(t, trows, samples[[2]int{r.Point, r.Rep}])
		assert.Equal(t, int64(r.Rep), trows[0][0].Int64())
		assert.Equal(t, pts[r.Point].String(), meta["point_values"])
	}
}

// pts0 returns the point whose replication 0 runs first (run order 0).
func pts0(sw *Sweep, n int) int {
	p, _ := sw.Order(n)(0)
	return p
}

// TestTimeseriesCancelled: a cancelled sweep leaves the files of the
// runs handed over only, and no temporary file.
func TestTimeseriesCancelled(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = sw.Run(ctx, scs, Options{Workers: 2, Timeseries: sw.NewTimeseries(dir, pts), Write: func(Row) error {
		n++
		if n == 1 {
			cancel()
		}
		return nil
	}})
	require.Error(t, err)
	files := datasetFiles(t, dir)
	assert.LessOrEqual(t, len(files), n, "only runs handed over have files: %v", files)
	for _, f := range files {
		_, temp := reports.TempBase(filepath.Base(f))
		assert.False(t, temp, "temporary file %s left", f)
	}
}
