package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/reports"
)

// MergeError is a set of shard folders that cannot be merged: not shard
// folders, unfinished, of different sweeps, a shard given twice or
// missing, missing or duplicate runs. It is bad input.
type MergeError struct{ Msg string }

// Error says what is wrong, naming the folders.
func (e *MergeError) Error() string { return e.Msg }

func mergeErrorf(format string, a ...any) error { return &MergeError{fmt.Sprintf(format, a...)} }

// shardDir is a shard folder to merge.
type shardDir struct {
	dir  string
	info ShardInfo
}

// readShard reads the shard folder dir's shard.json, refusing a folder
// that is not a finished shard.
func readShard(dir string) (*shardDir, error) {
	if st, err := ReadState(dir); err == nil {
		return nil, mergeErrorf("%s: unfinished shard (%s: %s, %d of %d runs recorded): finish it with 'depinsim sweep ... --shard %s --resume' first",
			dir, IncompleteFile, st.Status, st.RunsDone, st.Runs, ShardSpec(st.Identity.Shard, st.Identity.Shards))
	}
	s := &shardDir{dir: dir}
	if err := readJSON(filepath.Join(dir, ShardFile), &s.info); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat(dir); err != nil {
				return nil, mergeErrorf("%s: no such folder", dir)
			}
			return nil, mergeErrorf("%s: not a shard folder (no %s; it is written by 'depinsim sweep --shard I/N')", dir, ShardFile)
		}
		return nil, mergeErrorf("%s: %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.SweepManifestFile)); err != nil {
		return nil, mergeErrorf("%s: unfinished shard (no %s): run it again with --resume", dir, reports.SweepManifestFile)
	}
	n := s.info.Shards
	if n < 1 || s.info.Shard < 1 || s.info.Shard > n || s.info.Identity.Shard != s.info.Shard || s.info.Identity.Shards != n {
		return nil, mergeErrorf("%s: %s: shard %d of %d is not a shard", dir, ShardFile, s.info.Shard, n)
	}
	return s, nil
}

// checkShards checks that the shards are those of one sweep, each once,
// all of them, and returns them in shard order.
func checkShards(shards []*shardDir) ([]*shardDir, error) {
	first := shards[0]
	whole := func(id Identity) Identity { id.Shard = 0; return id }
	for _, s := range shards[1:] {
		if diff := whole(s.info.Identity).Differences(whole(first.info.Identity)); len(diff) > 0 {
			return nil, mergeErrorf("%s and %s are shards of different sweeps: %s has %s in %s", s.dir, first.dir, s.dir, strings.Join(diff, "; "), first.dir)
		}
	}
	n := first.info.Shards
	byIndex := make([]*shardDir, n)
	for _, s := range shards {
		if prev := byIndex[s.info.Shard-1]; prev != nil {
			return nil, mergeErrorf("shard %s given twice: %s and %s", ShardSpec(s.info.Shard, n), prev.dir, s.dir)
		}
		byIndex[s.info.Shard-1] = s
	}
	var missing []string
	for i, s := range byIndex {
		if s == nil {
			missing = append(missing, strconv.Itoa(i+1))
		}
	}
	if len(missing) > 0 {
		return nil, mergeErrorf("missing shard(s) %s of %d (given: %d folder(s))", strings.Join(missing, ", "), n, len(shards))
	}
	return byIndex, nil
}

// fromShard rebuilds the sweep and its points from a shard folder's
// shard.json and sweep.toml, without the base scenario.
func fromShard(s *shardDir) (*Sweep, []Point, error) {
	in := s.info
	id := in.Identity
	text, err := os.ReadFile(filepath.Join(s.dir, reports.SweepDefinitionFile))
	if err != nil {
		return nil, nil, mergeErrorf("%s: %v", s.dir, err)
	}
	if h := sha256.Sum256(text); hex.EncodeToString(h[:]) != id.SweepSHA256 {
		return nil, nil, mergeErrorf("%s: %s is not the sweep file of %s (its SHA-256 differs)", s.dir, reports.SweepDefinitionFile, ShardFile)
	}
	metrics, err := metricIndices(filepath.Join(s.dir, ShardFile), in.Metrics)
	if err != nil {
		return nil, nil, err
	}
	sw := &Sweep{File: filepath.Join(s.dir, ShardFile), Name: in.Name, Text: text, SHA256: id.SweepSHA256, Base: id.Base,
		Seed: id.MasterSeed, Replications: id.Replications, Set: id.Set, Design: id.Design, Samples: id.Samples,
		Metrics: metrics, IndependentSeeds: id.IndependentSeeds, Timeseries: id.Timeseries, baseSHA256: id.BaseSHA256}
	sw.Source.Preset = id.BasePreset
	for _, p := range in.Params {
		sw.Params = append(sw.Params, Param{Key: p.Key, Scale: p.Scale})
	}
	points := make([]Point, len(in.Points))
	for i, lits := range in.Points {
		if len(lits) != len(sw.Params) {
			return nil, nil, mergeErrorf("%s: %s: point %d has %d values, want %d", s.dir, ShardFile, i, len(lits), len(sw.Params))
		}
		points[i] = make(Point, len(lits))
		for j, l := range lits {
			points[i][j] = Value{Key: sw.Params[j].Key, Literal: l}
		}
	}
	want := id
	want.Shard, want.Shards = 0, 0
	if diff := want.Differences(sw.Identity(points, 0, 0)); len(diff) > 0 {
		return nil, nil, mergeErrorf("%s: %s does not describe its sweep (%s); or it was written by another depinsim build (this is %s)",
			s.dir, ShardFile, strings.Join(diff, "; "), runnerVersion())
	}
	return sw, points, nil
}

// MergeResult is what Merge reports.
type MergeResult struct {
	// Sweep is the merged sweep; Runs its runs; Failed its failed runs
	// ("point P rep R").
	Sweep  *Sweep
	Runs   int
	Failed []string
}

// Merge combines the shard folders dirs (written by sweep --shard I/N,
// in any order) into the folder out, which then holds exactly the files
// of the unsharded sweep (run.log.json aside: log). It refuses, with a
// *MergeError naming them, folders that are not finished shards, shards
// of different sweeps, a shard given twice or missing, and shards whose
// rows are not exactly their runs. It reads the shards' runs.csv a row at
// a time, in run order (run k is in shard k % N + 1). out must be ready
// to write (empty); on error its new files are removed. log returns
// run.log.json's content (Merge fills in Shards), called when the rows
// are written.
func Merge(dirs []string, out string, log func() Log) (*MergeResult, error) {
	if len(dirs) == 0 {
		return nil, mergeErrorf("no shard folder to merge")
	}
	var shards []*shardDir
	for _, d := range dirs {
		s, err := readShard(d)
		if err != nil {
			return nil, err
		}
		shards = append(shards, s)
	}
	shards, err := checkShards(shards)
	if err != nil {
		return nil, err
	}
	sw, points, err := fromShard(shards[0])
	if err != nil {
		return nil, err
	}
	n := len(shards)
	readers := make([]*rowReader, n)
	var shardDirs []string
	defer func() {
		for _, r := range readers {
			if r != nil {
				r.close()
			}
		}
	}()
	for i, s := range shards {
		if readers[i], err = openRows(filepath.Join(s.dir, reports.SweepRunsFile), sw.RunsHeader(), len(sw.Params), len(points)); err != nil {
			return nil, mergeErrorf("%s: %v", s.dir, err)
		}
		shardDirs = append(shardDirs, s.dir)
	}
	w, err := sw.CreateFolder(out, points)
	if err != nil {
		return nil, err
	}
	var ts *Timeseries
	if sw.Timeseries {
		ts = w.Timeseries()
	}
	total := len(points) * sw.Replications
	order := sw.Order(len(points))
	fail := func(err error) (*MergeResult, error) {
		w.Abort()
		if ts != nil {
			reports.ClearTimeseries(out)
		}
		os.Remove(filepath.Join(out, IncompleteFile))
		return nil, err
	}
	for k := range total {
		s := k % n
		p, rep := order(k)
		row, ok := readers[s].next()
		if !ok {
			return fail(mergeErrorf("shard %s (%s): %s ends after %d row(s) (or its next line is not a whole row): missing run %d (point %d rep %d) and any after it",
				ShardSpec(s+1, n), shards[s].dir, reports.SweepRunsFile, k/n, k, p, rep))
		}
		if row.Point != p || row.Rep != rep {
			what := "a run out of place"
			if isEarlier(order, k, n, row) {
				what = "a duplicate run"
			}
			return fail(mergeErrorf("shard %s (%s): %s row %d is point %d rep %d (%s), want run %d: point %d rep %d",
				ShardSpec(s+1, n), shards[s].dir, reports.SweepRunsFile, k/n+1, row.Point, row.Rep, what, k, p, rep))
		}
		if ts != nil && row.Err == nil {
			if err := ts.copyFrom(shards[s].dir, p, rep); err != nil {
				return fail(mergeErrorf("shard %s (%s): %v", ShardSpec(s+1, n), shards[s].dir, err))
			}
		}
		if err := w.Write(row); err != nil {
			return fail(err)
		}
	}
	for i, r := range readers {
		if row, ok := r.next(); ok {
			return fail(mergeErrorf("shard %s (%s): %s has more rows than its runs: an extra row (point %d rep %d) after %d",
				ShardSpec(i+1, n), shards[i].dir, reports.SweepRunsFile, row.Point, row.Rep, ShardRuns(total, i+1, n)))
		}
	}
	l := log()
	l.Shards = shardDirs
	if err := w.Finish(l); err != nil {
		return fail(err)
	}
	return &MergeResult{Sweep: sw, Runs: w.Runs(), Failed: w.Failed()}, nil
}

// isEarlier reports whether row is one of the runs before run k of the
// same shard (a duplicate).
func isEarlier(order func(int) (int, int), k, n int, row Row) bool {
	for j := k - n; j >= 0; j -= n {
		if p, r := order(j); p == row.Point && r == row.Rep {
			return true
		}
	}
	return false
}
