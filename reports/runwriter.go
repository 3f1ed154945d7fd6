package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// RunWriter writes a run folder while the run goes on: it takes the
// replications' recordings one at a time, in increasing Rep order,
// appends their rows to timeseries.csv, resources.csv and cohorts.csv and
// keeps what summary.json and the charts need in a RunStats, so that no
// recording has to be kept once added. Close then writes summary.json,
// scenario.toml, the charts in plots/ and, last, manifest.json. The files
// are those WriteAll writes for the same recordings: the data files and
// summary.json byte for byte.
//
// Nothing is half-written: the CSV files grow under temporary names and
// take their names only in Close, and the folder's manifest.json is
// removed when the writer starts (a folder without a manifest is
// incomplete) and written last. Abort, or a failing Close, removes every
// file the writer created. A RunWriter is not safe for concurrent use.
type RunWriter struct {
	dir      string
	opt      Options
	stats    *RunStats
	csvs     []*csvFile
	made     []string // files put in place by Close, removed by Abort
	madeDirs []string // folders created by NewRunWriter, innermost first
	closed   bool
	report   *reportAcc // the HTML report's series; nil: no report.html
	brief    *RunBrief  // the scenario in brief for the report
}

// csvFile is one of the CSV files of a RunWriter.
type csvFile struct {
	tf   *tempFile
	rw   *rowWriter
	rows rowsFunc
}

// NewRunWriter starts writing the run folder dir (created as needed, with
// dir/plots): it removes a previous manifest.json and opens the CSV files
// under temporary names with their headers. opt labels the charts.
func NewRunWriter(dir string, opt Options) (_ *RunWriter, err error) {
	w := &RunWriter{dir: dir, opt: opt, stats: NewRunStats(), report: newReportAcc()}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	for _, d := range []string{dir, filepath.Join(dir, PlotsDir)} {
		if _, err := os.Stat(d); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, err
			}
			w.madeDirs = append([]string{d}, w.madeDirs...)
		}
	}
	if err := os.Remove(filepath.Join(dir, ManifestFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, f := range []struct {
		name   string
		header []string
		rows   rowsFunc
	}{
		{TimeseriesFile, TimeseriesHeader(), timeseriesRows},
		{ResourcesFile, ResourcesHeader, resourcesRows},
		{CohortsFile, CohortsHeader, cohortsRows},
	} {
		tf, err := createTemp(filepath.Join(dir, f.name))
		if err != nil {
			return nil, err
		}
		c := &csvFile{tf: tf, rw: newRowWriter(tf.w), rows: f.rows}
		w.csvs = append(w.csvs, c)
		c.rw.strs(f.header)
		c.rw.end()
	}
	return w, nil
}

// Stats returns the statistics of the replications added so far.
func (w *RunWriter) Stats() *RunStats { return w.stats }

// Add appends rec's rows to the CSV files and adds it to the statistics.
// Recordings must come in increasing Rep order and sample at the same
// times (see RunStats.Add). After an error the writer is to be aborted.
func (w *RunWriter) Add(rec *Recording) error {
	if w.closed {
		return fmt.Errorf("reports: RunWriter for %s is closed", w.dir)
	}
	if err := w.stats.Add(rec); err != nil { // checks rec first
		return err
	}
	// The report's accumulator and each CSV file are independent of one
	// another and only read rec: they run on goroutines of their own, each
	// writing its own file in the order it always does, so the bytes do
	// not depend on the scheduling; the time a replication's output takes
	// is then that of its largest part rather than their sum.
	tasks := make([]func() error, 0, 1+len(w.csvs))
	if w.report != nil {
		tasks = append(tasks, func() error { return w.report.Add(rec) })
	}
	for _, c := range w.csvs {
		tasks = append(tasks, func() error {
			c.rows(c.rw, rec)
			// hand the rows to the file's buffer, which writes them out as
			// it fills, so that memory does not grow with the run
			c.rw.Flush()
			if err := c.rw.Error(); err != nil {
				return fmt.Errorf("write %s: %w", c.tf.path, err)
			}
			return nil
		})
	}
	return runAll(tasks)
}

// runAll runs each of tasks on a goroutine of its own and returns the
// error of the first task in the list that failed.
func runAll(tasks []func() error) error {
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, t := range tasks[1:] {
		wg.Go(func() { errs[i+1] = t() })
	}
	if len(tasks) > 0 {
		errs[0] = tasks[0]()
	}
	wg.Wait()
	return firstErr(errs)
}

// firstErr returns the first non-nil error of errs (nil: none).
func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Close completes the folder: it puts the CSV files in place, writes
// summary.json, scenario.toml (scenarioTOML verbatim), the charts of
// PlotFiles and, last, manifest.json (man, whose ScenarioSHA256 is set to
// the SHA-256 of scenarioTOML when empty, and whose Files is set to
// RunFiles). On failure it removes every
// file it created and returns the error.
func (w *RunWriter) Close(man Manifest, scenarioTOML []byte) (err error) {
	if w.closed {
		return fmt.Errorf("reports: RunWriter for %s is closed", w.dir)
	}
	// The renames of the files below are made durable by one sync per
	// folder before manifest.json is written, not one sync per file.
	endDeferral := deferDirSyncs(w.dir, filepath.Join(w.dir, PlotsDir))
	defer func() {
		endDeferral()
		if err != nil {
			w.Abort()
		}
	}()
	for _, c := range w.csvs {
		c.rw.Flush()
		if err := c.rw.Error(); err != nil {
			return fmt.Errorf("write %s: %w", c.tf.path, err)
		}
		if err := c.tf.commit(); err != nil {
			return err
		}
		w.made = append(w.made, c.tf.path)
	}
	w.csvs = nil
	path := func(name string) string { return filepath.Join(w.dir, name) }
	write := func(name string, f func(io.Writer) error) error {
		if err := WriteFileAtomic(path(name), f); err != nil {
			return err
		}
		w.made = append(w.made, path(name))
		return nil
	}
	sum := w.stats.Summary()
	sum.Precision = man.Precision
	if err := write(SummaryFile, sum.WriteJSON); err != nil {
		return err
	}
	if err := write(ScenarioFile, func(out io.Writer) error {
		_, err := out.Write(scenarioTOML)
		return err
	}); err != nil {
		return err
	}
	charts := w.stats.Charts()
	if man.ScenarioSHA256 == "" {
		h := sha256.Sum256(scenarioTOML)
		man.ScenarioSHA256 = hex.EncodeToString(h[:])
	}
	man.Files = append(RunFiles(), bmeFiles(charts)...)
	if w.report == nil {
		man.Files = withoutReport(man.Files)
	}
	// report.html is built from the run's data while the charts are drawn
	// (man, sum and the accumulator are only read until both are done);
	// it takes the charts' SVGs as fallbacks once they are written.
	var rb *reportBuild
	var wg sync.WaitGroup
	if w.report != nil {
		wg.Go(func() { rb = startReport(&man, sum, w.brief, w.report) })
	}
	for _, f := range ChartFiles(charts) { // removed by Abort if drawing fails half-way
		w.made = append(w.made, filepath.Join(w.dir, PlotsDir, f))
	}
	err = WriteCharts(path(PlotsDir), charts, w.opt)
	wg.Wait()
	if err != nil {
		return err
	}
	if rb != nil {
		w.made = append(w.made, path(ReportFile))
		if err := rb.finish(w.dir); err != nil {
			return err
		}
	}
	endDeferral()
	if err := write(ManifestFile, man.WriteJSON); err != nil {
		return err
	}
	w.closed = true
	return nil
}

// SetBrief sets the scenario in brief that report.html shows (nil: none).
func (w *RunWriter) SetBrief(b *RunBrief) { w.brief = b }

// SkipReport makes Close write no report.html (and the manifest not list
// it); to be called before the first Add.
func (w *RunWriter) SkipReport() { w.report = nil }

// Abort stops writing and removes what the writer created: the temporary
// CSV files, any file Close put in place, and the folders NewRunWriter
// created when they are empty. It does nothing after a successful Close.
func (w *RunWriter) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	for _, c := range w.csvs {
		c.tf.abort()
	}
	w.csvs = nil
	for _, p := range w.made {
		os.Remove(p)
	}
	w.made = nil
	for _, d := range w.madeDirs {
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() {
			os.Remove(d) // only when empty
		}
	}
}
