package sweep

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sim"
)

// FormatVersion is the version of the sweep folder's format (sweep.json's
// format_version).
const FormatVersion = 1

// RunsHeader returns runs.csv's header: point, one column per swept key
// (named by its key path), rep, seed, status, error, then one column per
// metric (sim.Metrics order) holding its per-replication statistic
// (Statistic).
func (sw *Sweep) RunsHeader() []string {
	h := []string{"point"}
	for _, p := range sw.Params {
		h = append(h, p.Key)
	}
	h = append(h, "rep", "seed", "status", "error")
	for _, m := range sim.Metrics {
		h = append(h, m.Name)
	}
	return h
}

// RunsColumns returns the columns of the run table (runs.csv and
// runs.parquet), named as RunsHeader: point and rep int64, seed uint64,
// status and error strings, metrics float64 (NaN for a failed run), and
// each swept key float64 when every point's value is a number, else a
// string (a table or a name).
func (sw *Sweep) RunsColumns(points []Point) []reports.Column {
	names := sw.RunsHeader()
	cols := make([]reports.Column, len(names))
	for i, n := range names {
		cols[i] = reports.Column{Name: n, Kind: reports.ColFloat64}
	}
	cols[0].Kind = reports.ColInt64
	np := len(sw.Params)
	for j := range sw.Params {
		for _, p := range points {
			if _, ok := numeric(p[j]); !ok {
				cols[1+j].Kind = reports.ColString
				break
			}
		}
	}
	cols[1+np].Kind = reports.ColInt64  // rep
	cols[2+np].Kind = reports.ColUint64 // seed
	cols[3+np].Kind = reports.ColString // status
	cols[4+np].Kind = reports.ColString // error
	return cols
}

// numeric returns v's value when its literal is a number.
func numeric(v Value) (float64, bool) {
	f, err := strconv.ParseFloat(strings.ReplaceAll(v.Literal, "_", ""), 64)
	return f, err == nil
}

// runValues returns row r of the run table, for the columns cols.
func runValues(cols []reports.Column, points []Point, r Row, buf []reports.Value) []reports.Value {
	buf = append(buf[:0], reports.Int64Value(int64(r.Point)))
	for j, v := range points[r.Point] {
		if cols[1+j].Kind == reports.ColFloat64 {
			f, _ := numeric(v)
			buf = append(buf, reports.Float64Value(f))
		} else {
			buf = append(buf, reports.StringValue(v.Text()))
		}
	}
	status, msg := "ok", ""
	if r.Err != nil {
		status, msg = "failed", strings.ReplaceAll(r.Err.Error(), "\n", " ")
	}
	buf = append(buf, reports.Int64Value(int64(r.Rep)), reports.Uint64Value(r.Seed), reports.StringValue(status), reports.StringValue(msg))
	for _, v := range r.Values {
		buf = append(buf, reports.Float64Value(v))
	}
	return buf
}

// WriteRuns writes the run table as CSV (runs.csv): one row per run, in
// the order of rows.
func (sw *Sweep) WriteRuns(w io.Writer, points []Point, rows []Row) error {
	cols := sw.RunsColumns(points)
	t, err := reports.NewCSVTable(w, cols)
	if err != nil {
		return err
	}
	var buf []reports.Value
	for _, r := range rows {
		buf = runValues(cols, points, r, buf)
		if err := t.Write(buf); err != nil {
			return err
		}
	}
	return t.Close()
}

// runTablesMeta returns the run table's provenance (the sidecar's
// keys, the Parquet file's key-value metadata).
func runTablesMeta(m *Manifest) map[string]string {
	return map[string]string{
		"format_version": strconv.Itoa(m.FormatVersion), "tool_version": m.ToolVersion,
		"base": m.Base, "base_sha256": m.BaseSHA256, "sweep_sha256": m.SweepSHA256,
		"master_seed": strconv.FormatInt(m.MasterSeed, 10), "seed_derivation": m.SeedDerivation,
		"design": m.Design, "points": strconv.Itoa(m.Points), "replications": strconv.Itoa(m.Replications),
	}
}

// Writer streams a sweep's rows into its folder: each row goes to the
// run table (runs.csv and runs.parquet) as it is written, and into
// per-point accumulators for points.csv; Finish writes the other files.
// It holds no row: its memory is two counts per point and the failed
// runs' names. points.csv's means and confidence intervals are computed
// as reports.NewStat computes them, which needs every value of a point
// at once (gonum's two-pass mean and variance): Finish reads them back
// from runs.csv (which holds them exactly), for as many points at a time
// as fit in pointsBudget values, in as many passes as needed.
type Writer struct {
	sw     *Sweep
	dir    string
	points []Point
	cols   []reports.Column
	tables *reports.TableFiles
	buf    []reports.Value
	acc    *pointsAcc
	m      *Manifest
	opt    FolderOptions
	state  State
	flush  bool // hand each row to the OS as written (not while a resume re-feeds the recorded rows)
}

// FolderOptions configure CreateFolderWith.
type FolderOptions struct {
	// Shard and Shards make the folder shard Shard of Shards (--shard
	// I/N): it holds that shard's rows and shard.json (ShardInfo).
	Shard, Shards int
	// Resume is the command that resumes the sweep, for incomplete.json.
	Resume string
	// NoReport skips report.html (--no-report). A shard folder never
	// has one: the merged folder has.
	NoReport bool
}

// RunsRowGroupRows is the number of rows per row group of runs.parquet:
// the Parquet writer holds a row group in memory until it is full, so
// this bounds the run table's memory (about 1 KB per row) whatever the
// sweep's size.
const RunsRowGroupRows = 1024

// CreateFolder starts writing the sweep's files into the folder dir: it
// creates the run table's files (written atomically on Finish).
func (sw *Sweep) CreateFolder(dir string, points []Point) (*Writer, error) {
	return sw.CreateFolderWith(dir, points, FolderOptions{})
}

// CreateFolderWith is CreateFolder for a shard or with a resume command:
// it first writes incomplete.json (State, status running) and, for a
// shard, shard.json.
func (sw *Sweep) CreateFolderWith(dir string, points []Point, opt FolderOptions) (*Writer, error) {
	w := sw.newWriter(dir, points, opt)
	if err := writeState(dir, &w.state); err != nil {
		return nil, err
	}
	if err := w.writeShardFile(); err != nil {
		return nil, err
	}
	if err := w.createTables(); err != nil {
		return nil, err
	}
	w.flush = true
	return w, nil
}

// newWriter returns the Writer of the folder dir; its tables are not
// created yet.
func (sw *Sweep) newWriter(dir string, points []Point, opt FolderOptions) *Writer {
	w := &Writer{sw: sw, dir: dir, points: points, cols: sw.RunsColumns(points), acc: &pointsAcc{runs: make([]int, len(points)), failed: make([]int, len(points))}, m: sw.NewManifest(points, nil), opt: opt}
	// the plotted metrics' means and half-widths only (the plots read
	// them), filled when points.csv is written
	w.acc.mean, w.acc.half = make([][]float64, sim.NumMetrics), make([][]float64, sim.NumMetrics)
	for _, m := range sw.Metrics {
		w.acc.mean[m], w.acc.half[m] = make([]float64, len(points)), make([]float64, len(points))
	}
	if opt.Shards > 0 {
		w.m.Files = append([]string{ShardFile}, w.m.Files...)
	}
	w.state = State{Status: "running", Runs: ShardRuns(len(points)*sw.Replications, opt.Shard, opt.Shards), Resume: opt.Resume,
		Identity: sw.Identity(points, opt.Shard, opt.Shards)}
	return w
}

// writeShardFile writes a shard folder's shard.json (the same at every
// execution of the shard).
func (w *Writer) writeShardFile() error {
	if w.opt.Shards == 0 {
		return nil
	}
	return reports.WriteFileAtomic(filepath.Join(w.dir, ShardFile), func(o io.Writer) error {
		return writeJSON(o, w.sw.shardInfo(w.points, w.opt.Shard, w.opt.Shards))
	})
}

// createTables creates the run table's temporary files.
func (w *Writer) createTables() error {
	t, err := reports.CreateTables(filepath.Join(w.dir, reports.SweepRunsFile), filepath.Join(w.dir, reports.SweepRunsParquetFile), w.cols,
		reports.TableOptions{Meta: runTablesMeta(w.m), CreatedBy: "depinsim version " + w.m.ToolVersion, RowGroupRows: RunsRowGroupRows})
	if err != nil {
		return err
	}
	w.tables = t
	return nil
}

// Write writes row r.
func (w *Writer) Write(r Row) error {
	w.buf = runValues(w.cols, w.points, r, w.buf)
	if err := w.tables.Write(w.buf); err != nil {
		return err
	}
	if w.flush {
		if err := w.tables.FlushCSV(); err != nil {
			return err
		}
	}
	w.acc.add(r)
	w.m.Runs++
	if r.Err != nil {
		w.m.Failed = append(w.m.Failed, "point "+strconv.Itoa(r.Point)+" rep "+strconv.Itoa(r.Rep))
	}
	return nil
}

// Runs returns the number of rows written (those a resumed folder
// recorded included).
func (w *Writer) Runs() int { return w.m.Runs }

// Failed returns the failed rows written, as "point P rep R".
func (w *Writer) Failed() []string { return w.m.Failed }

// Suspend ends an interrupted sweep: it closes the run table (runs.csv,
// its sidecar and runs.parquet then hold the rows written, a prefix of
// the run order) and rewrites incomplete.json with status interrupted,
// so that the folder can be resumed (ResumeFolder).
func (w *Writer) Suspend() error {
	if err := w.tables.Close(); err != nil {
		return err
	}
	w.state.Status, w.state.RunsDone = "interrupted", w.m.Runs
	return writeState(w.dir, &w.state)
}

// Abort removes the run table's temporary files; nothing is left of
// them.
func (w *Writer) Abort() { w.tables.Abort() }

// Finish closes the run table (runs.parquet, runs.csv and its sidecar)
// and writes points.csv, sweep.toml, run.log.json, report.html (unless
// FolderOptions.NoReport, or in a shard folder), then sweep.json last,
// each atomically.
func (w *Writer) Finish(log Log) error {
	if err := w.tables.Close(); err != nil {
		return err
	}
	write := func(name string, f func(io.Writer) error) error {
		return reports.WriteFileAtomic(filepath.Join(w.dir, name), f)
	}
	if err := write(reports.SweepPointsFile, func(o io.Writer) error { return w.writePointsFromTable(o) }); err != nil {
		return err
	}
	if err := reports.WriteSweepPlots(w.dir, w.sw.plotData(w.points, w.acc.mean, w.acc.half)); err != nil {
		return err
	}
	if err := write(reports.SweepDefinitionFile, func(o io.Writer) error { _, err := o.Write(w.sw.Text); return err }); err != nil {
		return err
	}
	if err := write(reports.SweepLogFile, func(o io.Writer) error { return writeJSON(o, log) }); err != nil {
		return err
	}
	if !w.opt.NoReport && w.opt.Shards == 0 {
		if !slices.Contains(w.m.Files, reports.ReportFile) {
			w.m.Files = append(w.m.Files, reports.ReportFile)
		}
		if err := writeReport(w.dir, w.m); err != nil {
			return err
		}
	}
	if err := write(reports.SweepManifestFile, func(o io.Writer) error { return writeJSON(o, w.m) }); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(w.dir, IncompleteFile)); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// pointsAcc accumulates, per point, the runs, the failed runs and per
// metric the values of the runs that succeeded, in the order written.
type pointsAcc struct {
	runs, failed []int
	// vals holds, per point, the values of its runs that succeeded, run
	// after run, sim.NumMetrics values each (one slice per point, not
	// per metric: a sweep of many points holds few slices)
	vals [][]float64
	// mean and half are filled by writePointRecords: per metric
	// (sim.Metrics index) and point, what points.csv holds (the plots
	// read them)
	mean, half [][]float64
}

func newPointsAcc(n int) *pointsAcc {
	return &pointsAcc{runs: make([]int, n), failed: make([]int, n), vals: make([][]float64, n)}
}

func (a *pointsAcc) add(r Row) {
	a.runs[r.Point]++
	if r.Err != nil {
		a.failed[r.Point]++
		return
	}
	if a.vals == nil {
		return // counts only (a Writer's)
	}
	a.vals[r.Point] = append(a.vals[r.Point], r.Values...)
}

// PointsHeader returns points.csv's header: point, the swept keys, runs
// (replications run), failed, then per metric NAME_mean and NAME_ci95
// (the 95% Student-t confidence interval's half-width, empty with fewer
// than two values).
func (sw *Sweep) PointsHeader() []string {
	h := []string{"point"}
	for _, p := range sw.Params {
		h = append(h, p.Key)
	}
	h = append(h, "runs", "failed")
	for _, m := range sim.Metrics {
		h = append(h, m.Name+"_mean", m.Name+"_ci95")
	}
	return h
}

// WritePoints writes points.csv from the rows: per point, the mean
// across its replications that ran of each metric's statistic and the
// half-width of its 95% confidence interval (reports.NewStat: NaN values
// ignored), over the values in the rows' order (a Writer feeds them in
// run order, which is replication order for each point).
func (sw *Sweep) WritePoints(w io.Writer, points []Point, rows []Row) error {
	acc := newPointsAcc(len(points))
	for _, r := range rows {
		acc.add(r)
	}
	return sw.writePoints(w, points, acc)
}

func (sw *Sweep) writePoints(w io.Writer, points []Point, acc *pointsAcc) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(sw.PointsHeader()); err != nil {
		return err
	}
	if err := sw.writePointRecords(cw, points, acc, 0, len(points)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// pointsBudget is the most metric values Finish holds at once to compute
// points.csv (8 bytes each): 8 Mi values, 64 MiB.
var pointsBudget = 8 << 20

// writePointsFromTable writes points.csv from the counts of w.acc and
// the values read back from runs.csv, points [a, b) at a time, holding at
// most pointsBudget values (or one point's, if more).
func (w *Writer) writePointsFromTable(o io.Writer) error {
	cw := csv.NewWriter(o)
	if err := cw.Write(w.sw.PointsHeader()); err != nil {
		return err
	}
	np := len(w.sw.Params)
	for a := 0; a < len(w.points); {
		b, held := a, 0
		for b < len(w.points) && (b == a || held+(w.acc.runs[b]-w.acc.failed[b])*sim.NumMetrics <= pointsBudget) {
			held += (w.acc.runs[b] - w.acc.failed[b]) * sim.NumMetrics
			b++
		}
		acc := &pointsAcc{runs: w.acc.runs, failed: w.acc.failed, vals: make([][]float64, len(w.points)), mean: w.acc.mean, half: w.acc.half}
		// one array holds the block's values, each point its own part
		backing := make([]float64, held)
		for p, off := a, 0; p < b; p++ {
			n := (w.acc.runs[p] - w.acc.failed[p]) * sim.NumMetrics
			acc.vals[p] = backing[off : off : off+n]
			off += n
		}
		if err := w.readValues(acc, a, b, np); err != nil {
			return err
		}
		if err := w.sw.writePointRecords(cw, w.points, acc, a, b); err != nil {
			return err
		}
		a = b
	}
	cw.Flush()
	return cw.Error()
}

// readValues reads runs.csv and keeps in acc.vals the metric values of
// the successful runs of points [a, b), in the file's order.
func (w *Writer) readValues(acc *pointsAcc, a, b, np int) error {
	path := filepath.Join(w.dir, reports.SweepRunsFile)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		p, err := strconv.Atoi(rec[0])
		if err != nil || p < 0 || p >= len(w.points) || len(rec) != 5+np+sim.NumMetrics {
			return fmt.Errorf("read %s: line %d: not a row of this sweep's run table", path, line)
		}
		if p < a || p >= b || rec[3+np] != "ok" {
			continue
		}
		for m := range sim.NumMetrics {
			v := math.NaN()
			if c := rec[5+np+m]; c != "" {
				if v, err = strconv.ParseFloat(c, 64); err != nil {
					return fmt.Errorf("read %s: line %d: %s: %w", path, line, sim.Metrics[m].Name, err)
				}
			}
			acc.vals[p] = append(acc.vals[p], v)
		}
	}
}

// writePointRecords writes the records of points [a, b).
func (sw *Sweep) writePointRecords(cw *csv.Writer, points []Point, acc *pointsAcc, a, b int) error {
	var vals []float64
	for i := a; i < b; i++ {
		pt := points[i]
		rec := []string{strconv.Itoa(i)}
		for _, v := range pt {
			rec = append(rec, v.Text())
		}
		rec = append(rec, strconv.Itoa(acc.runs[i]), strconv.Itoa(acc.failed[i]))
		all := acc.vals[i]
		for m := range sim.NumMetrics {
			vals = vals[:0]
			for k := m; k < len(all); k += sim.NumMetrics {
				vals = append(vals, all[k])
			}
			st := reports.NewStat(vals)
			half := math.NaN()
			if st.N >= 2 {
				half = (float64(st.CIHigh) - float64(st.CILow)) / 2
			}
			rec = append(rec, formatFloat(float64(st.Mean)), formatFloat(half))
			if acc.mean != nil && acc.mean[m] != nil {
				acc.mean[m][i], acc.half[m][i] = float64(st.Mean), half
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// pointStats returns, per metric (sim.Metrics index) and point, the mean
// across the point's replications that ran of the metric's statistic and
// the half-width of its 95% confidence interval (reports.NewStat: NaN
// values ignored; NaN with fewer than two values).
func pointStats(points []Point, rows []Row) (mean, half [][]float64) {
	byPoint := make([][]Row, len(points))
	for _, r := range rows {
		byPoint[r.Point] = append(byPoint[r.Point], r)
	}
	mean, half = make([][]float64, sim.NumMetrics), make([][]float64, sim.NumMetrics)
	var vals []float64
	for m := range sim.NumMetrics {
		mean[m], half[m] = make([]float64, len(points)), make([]float64, len(points))
		for i := range points {
			vals = vals[:0]
			for _, r := range byPoint[i] {
				if r.Err == nil {
					vals = append(vals, r.Values[m])
				}
			}
			st := reports.NewStat(vals)
			mean[m][i], half[m][i] = float64(st.Mean), math.NaN()
			if st.N >= 2 {
				half[m][i] = (float64(st.CIHigh) - float64(st.CILow)) / 2
			}
		}
	}
	return mean, half
}

// PlotData returns the data behind the sweep's plots: its parameters'
// values per point and, for each of its metrics (Metrics), the per-point
// means and confidence half-widths that points.csv holds.
func (sw *Sweep) PlotData(points []Point, rows []Row) *reports.SweepPlotData {
	mean, half := pointStats(points, rows)
	return sw.plotData(points, mean, half)
}

// plotData is PlotData from the per-metric, per-point means and
// half-widths of points.csv.
func (sw *Sweep) plotData(points []Point, mean, half [][]float64) *reports.SweepPlotData {
	d := &reports.SweepPlotData{Grid: sw.Design == "grid", Replications: sw.Replications}
	for j, p := range sw.Params {
		pp := reports.SweepPlotParam{Key: p.Key, Log: p.Scale == "log", Numeric: true,
			Values: make([]float64, len(points)), Texts: make([]string, len(points))}
		for i, pt := range points {
			pp.Texts[i] = pt[j].Text()
			f, ok := numeric(pt[j])
			pp.Values[i] = f
			pp.Numeric = pp.Numeric && ok
		}
		d.Params = append(d.Params, pp)
	}
	for _, m := range sw.Metrics {
		d.Metrics = append(d.Metrics, reports.SweepMetric(m, mean[m], half[m]))
	}
	return d
}

// formatFloat formats v in the shortest form that reads back exactly,
// NaN as the empty string (as the run's CSV files do).
func formatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Manifest is sweep.json: the sweep's provenance, the same whatever the
// number of workers (no command line, path or wall time).
type Manifest struct {
	// FormatVersion is the folder's format version (FormatVersion).
	FormatVersion int `json:"format_version"`
	// ToolVersion is depinsim's version and VCS revision.
	ToolVersion string `json:"tool_version"`
	// Base is the base scenario as the sweep file names it (a path
	// relative to the sweep file, or a preset), BaseSHA256 the SHA-256
	// of its text.
	Base       string `json:"base"`
	BasePreset bool   `json:"base_preset"`
	BaseSHA256 string `json:"base_sha256"`
	// SweepSHA256 is the SHA-256 of the sweep file (sweep.toml).
	SweepSHA256 string `json:"sweep_sha256"`
	// Set lists the overrides applied to every point (the file's set,
	// then --set).
	Set []string `json:"set"`
	// MasterSeed is the master seed; SeedDerivation how each run's seed
	// is derived from it.
	MasterSeed     int64  `json:"master_seed"`
	SeedDerivation string `json:"seed_derivation"`
	// Design and Samples are the sweep's design.
	Design  string `json:"design"`
	Samples int    `json:"samples,omitempty"`
	// Params lists the swept keys, in column order.
	Params []string `json:"params"`
	// Points, Replications and Runs count the design.
	Points       int `json:"points"`
	Replications int `json:"replications"`
	Runs         int `json:"runs"`
	// Failed lists the failed runs as "point P rep R".
	Failed []string `json:"failed"`
	// Metrics lists the metrics plotted against the parameters;
	// PlotNotes says which plots are left out and why.
	Metrics   []string `json:"metrics"`
	PlotNotes []string `json:"plot_notes"`
	// Statistics says, per metric, which per-replication statistic the
	// runs.csv column holds.
	Statistics map[string]string `json:"statistics"`
	// Files lists the folder's other files, in the order written.
	Files []string `json:"files"`
}

// Log is run.log.json: how this execution of the sweep went (what may
// differ between runs of the same sweep).
type Log struct {
	// Command is the command line.
	Command []string `json:"command"`
	// Workers is the number of runs at once.
	Workers int `json:"workers"`
	// WallSeconds is the elapsed wall-clock time.
	WallSeconds float64 `json:"wall_seconds"`
	// Resumed counts the runs a resumed sweep found recorded (omitted
	// when it started afresh).
	Resumed int `json:"resumed,omitempty"`
	// Shards lists the shard folders a merge read, in shard order.
	Shards []string `json:"shards,omitempty"`
}

// NewManifest returns the sweep's manifest for its points and rows.
func (sw *Sweep) NewManifest(points []Point, rows []Row) *Manifest {
	// which plots exist depends on the parameters and metrics, not on
	// the values (none is computed here)
	none := make([][]float64, sim.NumMetrics)
	plots, notes := reports.SweepPlotFiles(sw.plotData(points, none, none))
	base := sha256.Sum256(sw.Source.Data)
	baseSHA := hex.EncodeToString(base[:])
	if sw.baseSHA256 != "" {
		baseSHA = sw.baseSHA256
	}
	m := &Manifest{
		FormatVersion: FormatVersion, ToolVersion: runnerVersion(), Base: sw.Base, BasePreset: sw.Source.Preset,
		BaseSHA256: baseSHA, SweepSHA256: sw.SHA256, Set: sw.Set, MasterSeed: sw.Seed,
		SeedDerivation: sw.SeedDerivation(),
		Design:         sw.Design, Samples: sw.Samples, Points: len(points), Replications: sw.Replications, Runs: len(rows),
		Failed: []string{}, Statistics: map[string]string{},
		Files:   []string{reports.SweepRunsFile, reports.SweepRunsFile + ".meta.json", reports.SweepRunsParquetFile, reports.SweepPointsFile},
		Metrics: []string{}, PlotNotes: notes,
	}
	m.Files = append(append(m.Files, plots...), reports.SweepDefinitionFile)
	if m.PlotNotes == nil {
		m.PlotNotes = []string{}
	}
	for _, k := range sw.Metrics {
		m.Metrics = append(m.Metrics, sim.Metrics[k].Name)
	}
	if m.Set == nil {
		m.Set = []string{}
	}
	for _, p := range sw.Params {
		m.Params = append(m.Params, p.Key)
	}
	for _, r := range rows {
		if r.Err != nil {
			m.Failed = append(m.Failed, "point "+strconv.Itoa(r.Point)+" rep "+strconv.Itoa(r.Rep))
		}
	}
	for i, mt := range sim.Metrics {
		m.Statistics[mt.Name] = Statistic(i)
	}
	return m
}

// WriteFolder writes the sweep's files into the folder dir from rows
// already run (in run order): CreateFolder, Write of each row, Finish.
func (sw *Sweep) WriteFolder(dir string, points []Point, rows []Row, log Log) error {
	w, err := sw.CreateFolder(dir, points)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Finish(log)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
