package sensitivity

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
)

// The files of an unfinished or sharded analysis folder.
const (
	// StateFile marks a folder whose analysis has not finished (State):
	// written before the first run, removed once every file is written.
	StateFile = reports.SweepStateFile
	// JournalFile records every finished run (point, rep, attempt, seed,
	// error, one value per output), one CSV line each, appended and
	// synced as the runs are handed over in run order: what --resume
	// reads back. It is removed with StateFile.
	JournalFile = "runs.journal"
	// ShardFile describes a shard folder (ShardInfo).
	ShardFile = reports.SweepShardFile
	// LogFile records how the analysis was executed (Log): the only file
	// of the folder that differs between executions.
	LogFile = reports.SweepLogFile
)

// Identity is what makes two executions the same analysis (or the same
// shard of it): a folder is resumed, and shards are merged, only when
// their identities agree. It holds nothing that differs between
// executions (no command line, path, worker count or time).
type Identity struct {
	// FormatVersion is the folder's format version; ToolVersion
	// depinsim's version (another build may give other values).
	FormatVersion int    `json:"format_version"`
	ToolVersion   string `json:"tool_version"`
	// Base names the base scenario; BaseSHA256 is the SHA-256 of its
	// text, SensitivitySHA256 that of the sensitivity file.
	Base              string `json:"base"`
	BaseSHA256        string `json:"base_sha256"`
	SensitivitySHA256 string `json:"sensitivity_sha256"`
	// Set lists the overrides applied to every run (the file's, then
	// --set).
	Set []string `json:"set"`
	// MasterSeed is the master seed (the file's or --seed);
	// Replications the replications per point (the file's or --reps).
	MasterSeed   int64 `json:"master_seed"`
	Replications int   `json:"replications"`
	// Method and Samples are the design; Missing and RerunAttempts the
	// missing-value policy.
	Method        string `json:"method"`
	Samples       int    `json:"samples"`
	Missing       string `json:"missing"`
	RerunAttempts int    `json:"rerun_attempts"`
	// Points counts the design points; PointsSHA256 is the SHA-256 of
	// their values (one line per point, its key=value overrides joined by
	// tabs).
	Points       int    `json:"points"`
	PointsSHA256 string `json:"points_sha256"`
	// Shard and Shards are --shard I/N (both 0 for a whole analysis).
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
}

// Identity returns the identity of the analysis of design d, for shard
// shard of shards (0, 0: the whole analysis).
func (a *Analysis) Identity(d *Design, shard, shards int) Identity {
	p := a.Provenance()
	h := sha256.New()
	for _, pt := range d.Points {
		io.WriteString(h, strings.Join(pt.Sets(), "\t")+"\n")
	}
	return Identity{FormatVersion: FormatVersion, ToolVersion: runner.BuildVersion(), Base: a.Base, BaseSHA256: p.BaseSHA256,
		SensitivitySHA256: a.SHA256, Set: p.Set, MasterSeed: a.Seed, Replications: a.Replications, Method: a.Method,
		Samples: a.Samples, Missing: a.Missing, RerunAttempts: a.RerunAttempts, Points: len(d.Points),
		PointsSHA256: hex.EncodeToString(h.Sum(nil)), Shard: shard, Shards: shards}
}

// Differences names the fields in which id and other differ, each as
// "name: A, not B" (A id's value, B other's), in field order; none when
// they are the same.
func (id Identity) Differences(other Identity) []string {
	a, b := reflect.ValueOf(id), reflect.ValueOf(other)
	var out []string
	for i := range a.NumField() {
		if reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			continue
		}
		name, _, _ := strings.Cut(a.Type().Field(i).Tag.Get("json"), ",")
		av, _ := json.Marshal(a.Field(i).Interface())
		bv, _ := json.Marshal(b.Field(i).Interface())
		out = append(out, fmt.Sprintf("%s: %s, not %s", name, av, bv))
	}
	return out
}

// State is incomplete.json of an analysis folder.
type State struct {
	// Status is "running": the analysis was started or resumed and has
	// not finished (if no process holds the folder, it was stopped or
	// killed).
	Status string `json:"status"`
	// Runs counts the runs of the design (of the shard), reruns aside.
	Runs int `json:"runs"`
	// Resume is the command that finishes the analysis.
	Resume string `json:"resume"`
	// Identity is the analysis's (Resume refuses another's).
	Identity Identity `json:"identity"`
}

// ShardInfo is shard.json: which shard of which analysis the folder
// holds.
type ShardInfo struct {
	// Shard of Shards is the shard's --shard I/N.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// Runs counts the shard's runs, reruns included.
	Runs int `json:"runs"`
	// Identity is the shard's identity.
	Identity Identity `json:"identity"`
}

// Log is run.log.json: how this execution went (what may differ between
// executions that write the same files).
type Log struct {
	// Command is the command line.
	Command []string `json:"command"`
	// Workers is the number of runs at once.
	Workers int `json:"workers"`
	// WallSeconds is the elapsed wall-clock time.
	WallSeconds float64 `json:"wall_seconds"`
	// Resumed counts the runs a resumed analysis found recorded (omitted
	// when it started afresh).
	Resumed int `json:"resumed,omitempty"`
	// Shards lists the shard folders a merge read, in shard order.
	Shards []string `json:"shards,omitempty"`
}

// WriteLog writes dir/run.log.json.
func WriteLog(dir string, l Log) error {
	return writeJSONFile(filepath.Join(dir, LogFile), l)
}

func writeJSONFile(path string, v any) error {
	return reports.WriteFileAtomic(path, func(w io.Writer) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	})
}

func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ResumeError is a folder that cannot be resumed or merged: not an
// analysis's, another analysis's, or nothing to resume. It is bad input.
type ResumeError struct {
	// Dir is the folder; Msg says why.
	Dir, Msg string
	// Complete is set when the folder holds this very analysis,
	// finished: nothing is left to run.
	Complete bool
}

// Error names the folder and why.
func (e *ResumeError) Error() string { return e.Dir + ": " + e.Msg }

// Journal is the journal of an unfinished analysis folder: every
// finished run, appended in the order the runs are handed over.
type Journal struct {
	dir string
	f   *os.File
	w   *bufio.Writer
	rec []string
}

// CreateJournal starts the folder dir of the analysis with identity id:
// it writes incomplete.json (resume is the command that finishes it)
// and an empty journal.
func CreateJournal(dir string, id Identity, runs int, resume string) (*Journal, error) {
	if err := writeJSONFile(filepath.Join(dir, StateFile), State{Status: "running", Runs: runs, Resume: resume, Identity: id}); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, JournalFile), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &Journal{dir: dir, f: f, w: bufio.NewWriter(f)}, nil
}

// ResumeJournal reopens the journal of the unfinished analysis folder
// dir, whose identity must be id (else a *ResumeError naming the
// differences), and returns the runs it records (whole lines only: a
// line torn by a kill is cut off). The journal then goes on from them.
// A folder holding this analysis finished is a *ResumeError with
// Complete set.
func (a *Analysis) ResumeJournal(dir string, id Identity) (*Journal, []Run, error) {
	var st State
	err := readJSONFile(filepath.Join(dir, StateFile), &st)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, finishedFolder(dir, a, id)
	}
	if err != nil {
		return nil, nil, &ResumeError{Dir: dir, Msg: "cannot read " + StateFile + ": " + err.Error()}
	}
	if diff := id.Differences(st.Identity); len(diff) > 0 {
		return nil, nil, &ResumeError{Dir: dir, Msg: "holds another analysis's runs (" + StateFile + "): this analysis has " + strings.Join(diff, "; ") + " in the folder"}
	}
	path := filepath.Join(dir, JournalFile)
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	runs, size := parseJournal(b, id.Points, id.Replications)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, nil, err
	}
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, nil, err
	}
	if _, err := f.Seek(int64(size), io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	// files a killed writer left half-written are written again
	for _, d := range []string{dir, filepath.Join(dir, reports.PlotsDir)} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if _, ok := reports.TempBase(e.Name()); ok && e.Type().IsRegular() {
				os.Remove(filepath.Join(d, e.Name()))
			}
		}
	}
	return &Journal{dir: dir, f: f, w: bufio.NewWriter(f)}, runs, nil
}

// finishedFolder returns the ResumeError of a folder without
// incomplete.json.
func finishedFolder(dir string, a *Analysis, id Identity) error {
	var info ShardInfo
	if err := readJSONFile(filepath.Join(dir, ShardFile), &info); err == nil {
		if diff := id.Differences(info.Identity); len(diff) > 0 {
			return &ResumeError{Dir: dir, Msg: "holds another analysis's shard, finished (" + ShardFile + "): this analysis has " + strings.Join(diff, "; ") + " in the folder"}
		}
		return &ResumeError{Dir: dir, Msg: "the shard is already complete (" + ShardFile + " written): nothing to resume", Complete: true}
	}
	var meta map[string]string
	if err := readJSONFile(filepath.Join(dir, RunsFile+".meta.json"), &meta); err == nil && id.Shards == 0 {
		// a finished folder keeps no identity: its runs' provenance says
		// which analysis it is
		want := a.tableMeta()
		var diff []string
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if want[k] != meta[k] {
				diff = append(diff, fmt.Sprintf("%s: %q, not %q", k, want[k], meta[k]))
			}
		}
		if len(diff) > 0 {
			return &ResumeError{Dir: dir, Msg: "holds another analysis, finished (" + RunsFile + ".meta.json): this analysis has " + strings.Join(diff, "; ") + " in the folder"}
		}
		return &ResumeError{Dir: dir, Msg: "the analysis is already complete (" + RunsFile + " written, no " + StateFile + "): nothing to resume", Complete: true}
	}
	return &ResumeError{Dir: dir, Msg: "no " + StateFile + ": nothing to resume (run without --resume, or with --force to clear the folder)"}
}

// Append records run r: its line reaches the file (and the disk) before
// Append returns.
func (j *Journal) Append(r Run) error {
	j.rec = append(j.rec[:0], strconv.Itoa(r.Point), strconv.Itoa(r.Rep), strconv.Itoa(r.Attempt), strconv.FormatUint(r.Seed, 10))
	if r.Err != nil {
		j.rec = append(j.rec, "failed", r.Err.Error())
	} else {
		j.rec = append(j.rec, "ok", "")
	}
	for _, v := range r.Values {
		j.rec = append(j.rec, strconv.FormatFloat(v, 'g', -1, 64))
	}
	cw := csv.NewWriter(j.w)
	if err := cw.Write(j.rec); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := j.w.Flush(); err != nil {
		return err
	}
	return j.f.Sync()
}

// Close closes the journal, leaving the folder resumable.
func (j *Journal) Close() error { return j.f.Close() }

// Finish closes the journal and removes it and incomplete.json: the
// folder's files are all written.
func (j *Journal) Finish() error {
	j.f.Close()
	if err := os.Remove(filepath.Join(j.dir, JournalFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return os.Remove(filepath.Join(j.dir, StateFile))
}

// parseJournal reads the whole, well-formed lines of a journal of an
// analysis of npts points and reps replications, and returns their runs
// and the bytes they take: the first line that is not whole ends it.
func parseJournal(b []byte, npts, reps int) ([]Run, int) {
	var runs []Run
	size := 0
	for size < len(b) {
		i := bytes.IndexByte(b[size:], '\n')
		if i < 0 {
			break
		}
		// an error message may hold a newline: read one CSV record
		cr := csv.NewReader(bytes.NewReader(b[size:]))
		cr.FieldsPerRecord = -1
		rec, err := cr.Read()
		if err != nil {
			break
		}
		end := size + int(cr.InputOffset())
		if end > len(b) || b[end-1] != '\n' {
			break
		}
		r, ok := parseRun(rec, npts, reps)
		if !ok {
			break
		}
		runs = append(runs, r)
		size = end
	}
	return runs, size
}

// parseRun reads a journal record back into its Run.
func parseRun(rec []string, npts, reps int) (Run, bool) {
	var r Run
	if len(rec) < 6 {
		return r, false
	}
	var err error
	bad := func(s string, lim int) (int, bool) {
		v, e := strconv.Atoi(s)
		return v, e != nil || v < 0 || (lim > 0 && v >= lim)
	}
	var b1, b2, b3 bool
	r.Point, b1 = bad(rec[0], npts)
	r.Rep, b2 = bad(rec[1], reps)
	r.Attempt, b3 = bad(rec[2], 0)
	if b1 || b2 || b3 {
		return r, false
	}
	if r.Seed, err = strconv.ParseUint(rec[3], 10, 64); err != nil {
		return r, false
	}
	switch rec[4] {
	case "ok":
	case "failed":
		r.Err = errors.New(rec[5])
	default:
		return r, false
	}
	r.Values = make([]float64, len(rec)-6)
	for i, c := range rec[6:] {
		if r.Values[i], err = strconv.ParseFloat(c, 64); err != nil {
			return r, false
		}
	}
	return r, true
}

// runKey indexes a run by point, replication and attempt.
type runKey struct{ point, rep, attempt int }

// recordedRuns indexes runs by point, replication and attempt (the
// later of two records of a run wins: they hold the same values).
func recordedRuns(runs []Run, outputs int) map[runKey]Run {
	m := make(map[runKey]Run, len(runs))
	for _, r := range runs {
		if len(r.Values) == outputs {
			m[runKey{r.Point, r.Rep, r.Attempt}] = r
		}
	}
	return m
}

// sortRuns sorts runs by point, replication and attempt.
func sortRuns(runs []Run) {
	slices.SortStableFunc(runs, func(x, y Run) int {
		if x.Point != y.Point {
			return x.Point - y.Point
		}
		if x.Rep != y.Rep {
			return x.Rep - y.Rep
		}
		return x.Attempt - y.Attempt
	})
}
