package sweep

import (
	"bytes"
	"encoding/csv"
	"errors"
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

// rowReader reads the rows of a run table in CSV (runs.csv, or its
// temporary file left by a killed sweep), one at a time: only whole
// records (ending in a newline, with every field, each field of its
// column's form) count; the first record that is not whole ends the
// table.
type rowReader struct {
	f    *os.File
	cr   *csv.Reader
	np   int
	npts int
}

// openRows opens the run table at path of a sweep with np swept keys
// over npts points and reads its header, which must be header. A file
// without a whole header line gives a reader of no row.
func openRows(path string, header []string, np, npts int) (*rowReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	end, err := lastNewline(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	cr := csv.NewReader(io.LimitReader(f, end))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	r := &rowReader{f: f, cr: cr, np: np, npts: npts}
	rec, err := cr.Read()
	if err != nil || !slices.Equal(rec, header) {
		r.cr = nil // no header: no row
	}
	return r, nil
}

// lastNewline returns the size of f's content up to and including its
// last newline (0 if it has none), and seeks f back to its start.
func lastNewline(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	for end := st.Size(); end > 0; {
		start := max(0, end-int64(len(buf)))
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			_, err := f.Seek(0, io.SeekStart)
			return start + int64(i) + 1, err
		}
		end = start
	}
	_, err = f.Seek(0, io.SeekStart)
	return 0, err
}

// next returns the next whole row; ok is false at the end of the whole
// rows.
func (r *rowReader) next() (row Row, ok bool) {
	if r.cr == nil {
		return Row{}, false
	}
	rec, err := r.cr.Read()
	if err != nil || len(rec) != 5+r.np+sim.NumMetrics {
		r.cr = nil
		return Row{}, false
	}
	row, err = parseRow(rec, r.np, r.npts)
	if err != nil {
		r.cr = nil
		return Row{}, false
	}
	return row, true
}

func (r *rowReader) close() { r.f.Close() }

// parseRow reads a run table record back into the Row that wrote it.
func parseRow(rec []string, np, npts int) (Row, error) {
	var row Row
	var err error
	if row.Point, err = strconv.Atoi(rec[0]); err != nil || row.Point < 0 || row.Point >= npts {
		return row, fmt.Errorf("point %q", rec[0])
	}
	if row.Rep, err = strconv.Atoi(rec[1+np]); err != nil || row.Rep < 0 {
		return row, fmt.Errorf("rep %q", rec[1+np])
	}
	if row.Seed, err = strconv.ParseUint(rec[2+np], 10, 64); err != nil {
		return row, fmt.Errorf("seed %q", rec[2+np])
	}
	switch rec[3+np] {
	case "ok":
		if rec[4+np] != "" {
			return row, errors.New("an ok row with an error")
		}
	case "failed":
		row.Err = errors.New(rec[4+np])
	default:
		return row, fmt.Errorf("status %q", rec[3+np])
	}
	row.Values = make([]float64, sim.NumMetrics)
	for m := range row.Values {
		c := rec[5+np+m]
		if c == "" {
			row.Values[m] = math.NaN()
			continue
		}
		if row.Values[m], err = strconv.ParseFloat(c, 64); err != nil {
			return row, fmt.Errorf("%s %q", sim.Metrics[m].Name, c)
		}
	}
	return row, nil
}

// shardOrder returns the run order of shard i of n (1-based; n 0: the
// whole sweep): its run j is (point, rep).
func (sw *Sweep) shardOrder(npts, i, n int) func(j int) (point, rep int) {
	order := sw.Order(npts)
	if n <= 1 {
		return order
	}
	return func(j int) (int, int) { return order(j*n + i - 1) }
}

// countRows returns how many of the first rows of the run table at path
// are the shard's runs 0, 1, ... in run order (the rows a killed or
// interrupted sweep recorded), at most total.
func (w *Writer) countRows(path string, total int) int {
	r, err := openRows(path, w.sw.RunsHeader(), len(w.sw.Params), len(w.points))
	if err != nil {
		return 0
	}
	defer r.close()
	order := w.sw.shardOrder(len(w.points), w.opt.Shard, w.opt.Shards)
	n := 0
	for ; n < total; n++ {
		row, ok := r.next()
		if !ok {
			break
		}
		if p, rep := order(n); row.Point != p || row.Rep != rep {
			break
		}
	}
	return n
}

// ResumeFolder reopens the folder dir of an unfinished sweep over points
// (shard opt.Shard of opt.Shards) to finish it. The folder must hold
// incomplete.json of this sweep (the same Identity), else a
// *ResumeError says why (another sweep's, complete, nothing to resume).
// It takes the longest prefix of the run order that a run table in the
// folder records (runs.csv of an interrupted sweep, or the temporary
// file a killed one left: whole records only), writes those rows into
// new run table files, removes every temporary file left behind, and
// returns the Writer and the number of runs recorded (Options.Start).
func (sw *Sweep) ResumeFolder(dir string, points []Point, opt FolderOptions) (*Writer, int, error) {
	w := sw.newWriter(dir, points, opt)
	st, err := ReadState(dir)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, reports.SweepManifestFile)); err == nil {
			return nil, 0, sw.completeFolder(dir, points, opt)
		}
		return nil, 0, &ResumeError{Dir: dir, Msg: "no " + IncompleteFile + ": nothing to resume (run the sweep without --resume, or with --force to clear the folder)"}
	}
	if err != nil {
		return nil, 0, &ResumeError{Dir: dir, Msg: "cannot read " + IncompleteFile + ": " + err.Error()}
	}
	if diff := w.state.Identity.Differences(st.Identity); len(diff) > 0 {
		return nil, 0, &ResumeError{Dir: dir, Msg: "holds another sweep's runs (" + IncompleteFile + "): this sweep has " + strings.Join(diff, "; ") + " in the folder"}
	}
	if _, err := os.Stat(filepath.Join(dir, reports.SweepManifestFile)); err == nil {
		// killed after sweep.json was written, before incomplete.json was removed
		if err := os.Remove(filepath.Join(dir, IncompleteFile)); err != nil {
			return nil, 0, err
		}
		return nil, 0, sw.completeFolder(dir, points, opt)
	}
	total := w.state.Runs
	// the temporary files left behind, before this resume creates its own
	stale := tempFiles(dir)
	best, bestN := "", 0
	for _, c := range append([]string{filepath.Join(dir, reports.SweepRunsFile)}, stale...) {
		if base, _ := reports.TempBase(filepath.Base(c)); c != filepath.Join(dir, reports.SweepRunsFile) && base != reports.SweepRunsFile {
			continue
		}
		if n := w.countRows(c, total); n > bestN {
			best, bestN = c, n
		}
	}
	w.state.RunsDone = bestN
	if err := writeState(dir, &w.state); err != nil {
		return nil, 0, err
	}
	if err := w.writeShardFile(); err != nil { // a sweep killed before it wrote shard.json
		return nil, 0, err
	}
	if err := w.createTables(); err != nil {
		return nil, 0, err
	}
	if bestN > 0 {
		r, err := openRows(best, sw.RunsHeader(), len(sw.Params), len(points))
		if err != nil {
			w.Abort()
			return nil, 0, err
		}
		for range bestN {
			row, _ := r.next()
			if err := w.Write(row); err != nil {
				r.close()
				w.Abort()
				return nil, 0, err
			}
		}
		r.close()
	}
	// the recorded rows must reach the new temporary file before the old
	// ones are removed
	if err := w.tables.FlushCSV(); err != nil {
		w.Abort()
		return nil, 0, err
	}
	w.flush = true
	for _, f := range stale {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			w.Abort()
			return nil, 0, err
		}
	}
	return w, bestN, nil
}

// tempFiles lists the temporary files (reports.TempBase) in dir, in its
// plots/ and in the point folders of its time-series dataset.
func tempFiles(dir string) []string {
	var out []string
	dirs := []string{dir, filepath.Join(dir, reports.PlotsDir)}
	pts, _ := filepath.Glob(filepath.Join(dir, reports.SweepTimeseriesDir, "point=*"))
	for _, d := range append(dirs, pts...) {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if _, ok := reports.TempBase(e.Name()); ok && e.Type().IsRegular() {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	return out
}

// completeFolder returns the ResumeError of the finished sweep folder dir:
// Complete when its sweep.json (and, for a shard, shard.json) is this
// sweep's, else the fields that differ.
func (sw *Sweep) completeFolder(dir string, points []Point, opt FolderOptions) error {
	var got Manifest
	if err := readJSON(filepath.Join(dir, reports.SweepManifestFile), &got); err != nil {
		return &ResumeError{Dir: dir, Msg: "cannot read " + reports.SweepManifestFile + ": " + err.Error()}
	}
	want := sw.NewManifest(points, nil)
	if sw.Timeseries {
		want.Files = append(want.Files, reports.SweepTimeseriesDir+"/")
	}
	var diff []string
	same := func(name string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			diff = append(diff, fmt.Sprintf("%s: %v, not %v", name, a, b))
		}
	}
	same("format_version", want.FormatVersion, got.FormatVersion)
	same("tool_version", want.ToolVersion, got.ToolVersion)
	same("base", want.Base, got.Base)
	same("base_sha256", want.BaseSHA256, got.BaseSHA256)
	same("sweep_sha256", want.SweepSHA256, got.SweepSHA256)
	same("set", want.Set, got.Set)
	same("master_seed", want.MasterSeed, got.MasterSeed)
	same("seed_derivation", want.SeedDerivation, got.SeedDerivation)
	same("design", want.Design, got.Design)
	same("samples", want.Samples, got.Samples)
	same("params", want.Params, got.Params)
	same("points", want.Points, got.Points)
	same("replications", want.Replications, got.Replications)
	same("timeseries", sw.Timeseries, slices.Contains(got.Files, reports.SweepTimeseriesDir+"/"))
	var info ShardInfo
	err := readJSON(filepath.Join(dir, ShardFile), &info)
	switch {
	case err == nil:
		same("shard", ShardSpec(opt.Shard, opt.Shards), ShardSpec(info.Shard, info.Shards))
		if d := sw.Identity(points, opt.Shard, opt.Shards).Differences(info.Identity); len(d) > 0 && len(diff) == 0 {
			diff = d
		}
	case errors.Is(err, os.ErrNotExist):
		if opt.Shards > 0 {
			diff = append(diff, "shard: "+ShardSpec(opt.Shard, opt.Shards)+", not none (a whole sweep)")
		}
	default:
		return &ResumeError{Dir: dir, Msg: "cannot read " + ShardFile + ": " + err.Error()}
	}
	if len(diff) > 0 {
		return &ResumeError{Dir: dir, Msg: "holds another sweep, finished (sweep.json): this sweep has " + strings.Join(diff, "; ") + " in the folder"}
	}
	return &ResumeError{Dir: dir, Msg: "the sweep is already complete (sweep.json written): nothing to resume", Complete: true}
}
