package sweep

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
)

// Timeseries writes the time-series dataset of a sweep ('depinsim sweep
// --timeseries'): for each run that succeeds, its samples as a Parquet
// table in timeseries/point=P/rep-R.parquet (reports.SweepTimeseriesFile)
// under the sweep folder, with the columns and values of the
// timeseries.csv of 'depinsim run --rep R' of that point's scenario
// (reports.TimeseriesColumns). The point is not a column of the file:
// hive-partitioning readers (DuckDB, polars, pyarrow) add it from the
// folder name, and some of them refuse or mistype a column that is in
// both.
//
// Each file is written by the worker that ran the run, as the run ends,
// under a temporary name in its point's folder (".rep-R.parquet.tmp-N");
// it takes its name when Run hands the run's row over (before
// Options.Write gets it), so that the dataset holds exactly the
// successful runs whose rows were handed over. A failed run writes no
// file; when Run returns, the temporary files of the runs not handed over
// are removed, and so are the folders left empty. The files hold nothing
// that depends on the workers or the execution: the same sweep gives the
// same bytes.
type Timeseries struct {
	dir       string // the dataset's folder
	meta      map[string]string
	createdBy string
	points    []Point

	mu      sync.Mutex
	pending map[[2]int]string // (point, rep): the temporary file written
	made    map[int]bool      // point folders created
}

// NewTimeseries returns the writer of the time-series dataset of the
// sweep of points, in the sweep folder dir. Nothing is created before
// the first run ends.
func (sw *Sweep) NewTimeseries(dir string, points []Point) *Timeseries {
	return newTimeseries(dir, points, sw.NewManifest(points, nil))
}

// newTimeseries returns the writer of the dataset of the sweep whose
// manifest is m.
func newTimeseries(dir string, points []Point, m *Manifest) *Timeseries {
	return &Timeseries{dir: filepath.Join(dir, reports.SweepTimeseriesDir), meta: runTablesMeta(m), createdBy: "depinsim version " + m.ToolVersion,
		points: points, pending: map[[2]int]string{}, made: map[int]bool{}}
}

// Timeseries returns the writer of the folder's time-series dataset (for
// Options.Timeseries) and lists the dataset's folder, "timeseries/", in
// sweep.json's files, after runs.parquet.
func (w *Writer) Timeseries() *Timeseries {
	entry := reports.SweepTimeseriesDir + "/"
	if !slices.Contains(w.m.Files, entry) {
		i := slices.Index(w.m.Files, reports.SweepRunsParquetFile) + 1 // 0 when absent
		w.m.Files = slices.Insert(w.m.Files, i, entry)
	}
	return newTimeseries(w.dir, w.points, w.m)
}

// Meta returns the provenance of the file of replication rep of point p
// (its Parquet key-value metadata): the run table's (tool and format
// versions, base and sweep SHA-256, master seed, design ...) and the
// run's point, its values, rep and seed.
func (ts *Timeseries) Meta(p, rep int, seed uint64) map[string]string {
	m := make(map[string]string, len(ts.meta)+4)
	for k, v := range ts.meta {
		m[k] = v
	}
	m["point"] = strconv.Itoa(p)
	m["point_values"] = ts.points[p].String()
	m["rep"] = strconv.Itoa(rep)
	m["seed"] = strconv.FormatUint(seed, 10)
	return m
}

// path returns the final path of the file of (p, rep).
func (ts *Timeseries) path(p, rep int) string {
	return filepath.Join(filepath.Dir(ts.dir), reports.SweepTimeseriesFile(p, rep))
}

// write writes the file of the replication to a temporary file and notes
// it as pending.
func (ts *Timeseries) write(p int, seed uint64, r runner.Replication) error {
	rec := r.Recording
	path := ts.path(p, rec.Rep)
	if err := ts.mkdir(p, path); err != nil {
		return err
	}
	opts := reports.TableOptions{Meta: ts.Meta(p, rec.Rep, seed), CreatedBy: ts.createdBy}
	tmp, err := reports.WriteFileTemp(path, func(w io.Writer) error { return reports.WriteTimeseriesParquet(w, rec, opts) })
	if err != nil {
		return fmt.Errorf("time series: %w", err)
	}
	ts.mu.Lock()
	ts.pending[[2]int{p, rec.Rep}] = tmp
	ts.mu.Unlock()
	return nil
}

// drop removes the temporary file of (p, rep), if any.
func (ts *Timeseries) drop(p, rep int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if tmp, ok := ts.pending[[2]int{p, rep}]; ok {
		os.Remove(tmp)
		delete(ts.pending, [2]int{p, rep})
	}
}

// commit puts the file of row r in place when r succeeded, and removes
// its temporary file otherwise.
func (ts *Timeseries) commit(r Row) error {
	ts.mu.Lock()
	tmp, ok := ts.pending[[2]int{r.Point, r.Rep}]
	delete(ts.pending, [2]int{r.Point, r.Rep})
	ts.mu.Unlock()
	if !ok {
		if r.Err == nil {
			return fmt.Errorf("time series: point %d rep %d succeeded but wrote no file", r.Point, r.Rep)
		}
		return nil
	}
	if r.Err != nil {
		os.Remove(tmp)
		return nil
	}
	return reports.CommitTemp(tmp, ts.path(r.Point, r.Rep))
}

// finish removes the temporary files of the runs not handed over, then
// the point folders and the dataset's folder when empty.
func (ts *Timeseries) finish() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for k, tmp := range ts.pending {
		os.Remove(tmp)
		delete(ts.pending, k)
	}
	for p := range ts.made {
		if os.Remove(filepath.Dir(ts.path(p, 0))) == nil {
			delete(ts.made, p)
		}
	}
	os.Remove(ts.dir) // only when empty
}

// sink returns the runner sink of replication rep of point p: it writes
// the replication's file (temporary until commit) and drops it when the
// run fails.
func (ts *Timeseries) sink(p, rep int, seed uint64) runner.Sink {
	return &timeseriesSink{ts: ts, p: p, rep: rep, seed: seed}
}

// timeseriesSink is the runner.Sink of one run of a sweep with a
// Timeseries.
type timeseriesSink struct {
	ts     *Timeseries
	p, rep int
	seed   uint64
}

// Add writes the replication's temporary file.
func (s *timeseriesSink) Add(r runner.Replication) error { return s.ts.write(s.p, s.seed, r) }

// Close does nothing: the file takes its name in commit.
func (s *timeseriesSink) Close(*runner.Result) error { return nil }

// Abort removes the temporary file.
func (s *timeseriesSink) Abort() { s.ts.drop(s.p, s.rep) }

// copyFrom copies the file of (p, rep) from the sweep folder dir (a
// shard's) into the dataset, atomically; the file must exist there.
func (ts *Timeseries) copyFrom(dir string, p, rep int) error {
	src := filepath.Join(dir, reports.SweepTimeseriesFile(p, rep))
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("time series of point %d rep %d: %w", p, rep, err)
	}
	defer in.Close()
	path := ts.path(p, rep)
	if err := ts.mkdir(p, path); err != nil {
		return err
	}
	return reports.WriteFileAtomic(path, func(w io.Writer) error { _, err := io.Copy(w, in); return err })
}

// mkdir creates the folder of point p, which holds path, once; folders
// are created and removed under the lock.
func (ts *Timeseries) mkdir(p int, path string) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.made[p] {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("time series: %w", err)
		}
		ts.made[p] = true
	}
	return nil
}
