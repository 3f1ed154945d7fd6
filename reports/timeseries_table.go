package reports

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The time-series dataset of a sweep folder ('depinsim sweep
// --timeseries'): one Parquet file per run, hive-partitioned by point,
// SweepTimeseriesDir/point=P/rep-R.parquet.
const (
	// SweepTimeseriesDir is the dataset's folder in the sweep folder.
	SweepTimeseriesDir = "timeseries"
	// timeseriesPointPrefix starts the name of a point's folder.
	timeseriesPointPrefix = "point="
	// timeseriesRepPrefix and timeseriesRepSuffix surround the
	// replication index in a run's file name.
	timeseriesRepPrefix = "rep-"
	timeseriesRepSuffix = ".parquet"
)

// SweepTimeseriesFile returns the path, relative to the sweep folder, of
// the time series of replication rep of point p:
// timeseries/point=P/rep-R.parquet (decimal, no padding). The point is a
// hive partition (a key=value folder, which DuckDB, polars and pyarrow
// turn into a point column); the replication is in the file's rep column
// and its name, which holds no '=' so that no reader takes it for a
// partition.
func SweepTimeseriesFile(p, rep int) string {
	return filepath.Join(SweepTimeseriesDir, timeseriesPointPrefix+strconv.Itoa(p), timeseriesRepPrefix+strconv.Itoa(rep)+timeseriesRepSuffix)
}

// TimeseriesColumns returns the columns of a time-series table, named as
// timeseries.csv's header (TimeseriesHeader): rep int64, then t_hours
// and every metric float64 (a NaN value is null in Parquet).
func TimeseriesColumns() []Column {
	h := TimeseriesHeader()
	cols := make([]Column, len(h))
	for i, n := range h {
		cols[i] = Column{Name: n, Kind: ColFloat64}
	}
	cols[0].Kind = ColInt64
	return cols
}

// WriteTimeseriesTable writes rec's rows to t, whose columns are
// TimeseriesColumns: the rows timeseries.csv holds for rec, with the
// same values (timeseries.csv writes each float in the shortest form
// that reads back exactly, so the two read back equal).
func WriteTimeseriesTable(t TableWriter, rec *Recording) error {
	row := make([]Value, len(TimeseriesHeader()))
	for i, tm := range rec.Times {
		row[0] = Int64Value(int64(rec.Rep))
		row[1] = Float64Value(tm.Hours())
		if len(rec.Values[i])+2 != len(row) {
			return fmt.Errorf("time series: sample %d of replication %d has %d values, want %d", i, rec.Rep, len(rec.Values[i]), len(row)-2)
		}
		for j, v := range rec.Values[i] {
			row[2+j] = Float64Value(v)
		}
		if err := t.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// WriteTimeseriesParquet writes rec's time series to w as a Parquet
// table (NewParquetTable with TimeseriesColumns and opts).
func WriteTimeseriesParquet(w io.Writer, rec *Recording, opts TableOptions) error {
	t, err := NewParquetTable(w, TimeseriesColumns(), opts)
	if err != nil {
		return err
	}
	if err := WriteTimeseriesTable(t, rec); err != nil {
		return err
	}
	return t.Close()
}

// WriteFileTemp writes the complete file of path under a temporary name
// in path's folder (".BASE.tmp-N", as WriteFileAtomic), flushed, synced
// and closed with mode 0644, and returns that name: CommitTemp then puts
// it in place, or os.Remove drops it. On error nothing is left.
func WriteFileTemp(path string, write func(w io.Writer) error) (string, error) {
	f, err := createTemp(path)
	if err != nil {
		return "", err
	}
	done := false
	defer func() {
		if !done {
			f.abort()
		}
	}()
	if err := write(f.w); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.finish(); err != nil {
		return "", err
	}
	done = true
	return f.tmp, nil
}

// CommitTemp renames the temporary file tmp (from WriteFileTemp) to
// path, replacing any file there.
func CommitTemp(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// clearTimeseries removes dir's time-series dataset (clearFolder's
// part for a sweep folder): in dir/timeseries, the files of the point
// folders named as SweepTimeseriesFile names them and their temporary
// files, then those folders and dir/timeseries when left empty.
func clearTimeseries(dir string, removed *[]string) error {
	ts := filepath.Join(dir, SweepTimeseriesDir)
	if fi, err := os.Lstat(ts); err != nil || !fi.IsDir() {
		return nil
	}
	entries, err := os.ReadDir(ts)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || !isIndexName(e.Name(), timeseriesPointPrefix, "") {
			continue
		}
		pd := filepath.Join(ts, e.Name())
		ours := func(n string) bool {
			if b, ok := TempBase(n); ok {
				n = b
			}
			return isIndexName(n, timeseriesRepPrefix, timeseriesRepSuffix)
		}
		if err := removeNamed(pd, ours, removed); err != nil {
			return err
		}
		if removeIfEmpty(pd) {
			*removed = append(*removed, pd)
		}
	}
	if removeIfEmpty(ts) {
		*removed = append(*removed, ts)
	}
	return nil
}

// isIndexName reports whether name is prefix, a decimal index, suffix.
func isIndexName(name, prefix, suffix string) bool {
	d, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return false
	}
	d, ok = strings.CutSuffix(d, suffix)
	if !ok || d == "" || strings.Trim(d, "0123456789") != "" {
		return false
	}
	return true
}

// Calibration of TimeseriesParquetBytes, in bytes: the presets' runs over
// 30 days sampled hourly (721 samples) and over 3 days (73) give files of
// 19-23 KB at 73 samples and 69-117 KB at 721, at most 144 bytes per
// sample beyond about 13 KB (the footer's metadata of 49 columns); both
// are rounded up.
const (
	timeseriesParquetFixedBytes  = 16 << 10
	timeseriesParquetSampleBytes = 160
)

// TimeseriesParquetBytes estimates the size of the time-series Parquet
// file of one replication with the given samples (WriteTimeseriesParquet;
// a sweep's --timeseries writes one per run): a fixed part and a part per
// sample, measured on the presets and rounded up.
func TimeseriesParquetBytes(samples int64) float64 {
	return timeseriesParquetFixedBytes + float64(samples)*timeseriesParquetSampleBytes
}

// ClearTimeseries removes the time-series dataset of the sweep folder
// dir (its files and their temporary files, then the folders left
// empty), as ClearOutput does.
func ClearTimeseries(dir string) error {
	var removed []string
	return clearTimeseries(dir, &removed)
}
