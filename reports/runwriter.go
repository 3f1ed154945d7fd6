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
	// pending runs the last Add's rows of the CSV files and its part of
	// the report's series after Add returns; errs holds their errors,
	// read once pending is done (wait).
	pending sync.WaitGroup
	errs    []error
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
//
// The statistics are complete when Add returns (a caller may read Stats
// to decide on more replications); the rows of the CSV files and the
// report's series are written on goroutines of their own, beside the
// statistics and after Add returns, and the next Add, Close or Abort
// waits for them first. rec must not change until then (the runner never
// changes a recording). An error of theirs is returned by the next Add or
// by Close.
func (w *RunWriter) Add(rec *Recording) error {
	if w.closed {
		return fmt.Errorf("reports: RunWriter for %s is closed", w.dir)
	}
	if err := w.wait(); err != nil { // the rows of the replication before
		return err
	}
	addStats, err := w.stats.adding(rec) // checks rec first
	if err != nil {
		return err
	}
	// The report's accumulator and each CSV file are independent of one
	// another and of the statistics, and only read rec: each runs on a
	// goroutine of its own, writing its own file in the order it always
	// does, so the bytes do not depend on the scheduling; the time a
	// replication's output takes is that of its largest part rather than
	// their sum, and what is left when Add returns overlaps the next
	// replication or Close's charts.
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
	w.errs = make([]error, len(tasks))
	for i, t := range tasks {
		w.pending.Go(func() { w.errs[i] = t() })
	}
	addStats()
	return nil
}

// wait waits for the rows and report series of the last Add and returns
// the error of the first of them, in Add's order, that failed.
func (w *RunWriter) wait() error {
	w.pending.Wait()
	err := firstErr(w.errs)
	w.errs = nil
	return err
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
	// Beside the summary and the charts, which need only the statistics
	// (complete since the last Add), side waits for the last Add's rows
	// and report series, then puts the CSV files in place and starts
	// report.html; the files it puts in place join made once it is done.
	var side sync.WaitGroup
	var addErr, csvErr error
	var csvMade []string
	joined := func() {
		side.Wait()
		w.made = append(w.made, csvMade...)
		csvMade = nil
	}
	defer func() {
		joined()
		endDeferral()
		if err != nil {
			w.Abort()
		}
	}()
	added := make(chan struct{}) // closed when the last Add's work is done
	side.Go(func() {
		addErr = w.wait()
		close(added)
		if addErr != nil {
			return
		}
		for _, c := range w.csvs {
			c.rw.Flush()
			if err := c.rw.Error(); err != nil {
				csvErr = fmt.Errorf("write %s: %w", c.tf.path, err)
				return
			}
			if err := c.tf.commit(); err != nil {
				csvErr = err
				return
			}
			csvMade = append(csvMade, c.tf.path)
		}
		w.csvs = nil
	})
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
	if w.report != nil {
		side.Go(func() {
			<-added
			if addErr == nil {
				rb = startReport(&man, sum, w.brief, w.report)
			}
		})
	}
	for _, f := range ChartFiles(charts) { // removed by Abort if drawing fails half-way
		w.made = append(w.made, filepath.Join(w.dir, PlotsDir, f))
	}
	err = WriteCharts(path(PlotsDir), charts, w.opt)
	joined()
	if err = firstErr([]error{addErr, csvErr, err}); err != nil {
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
	w.pending.Wait() // the last Add's rows, still being written
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
