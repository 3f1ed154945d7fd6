package sensitivity

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/sweep"
)

// WriteShard writes the folder of shard shard of shards: the definition
// file, runs.csv with the shard's runs (reruns included, by point,
// replication and attempt) and, last, shard.json. The estimation is the
// merge's (Merge).
func (a *Analysis) WriteShard(dir string, d *Design, runs *Runs, shard, shards int) error {
	if err := a.writeDefinition(dir); err != nil {
		return err
	}
	if err := a.writeRunsTable(dir, runs.All); err != nil {
		return err
	}
	return writeJSONFile(filepath.Join(dir, ShardFile), ShardInfo{Shard: shard, Shards: shards, Runs: len(runs.All), Identity: a.Identity(d, shard, shards)})
}

// MergeError is a set of shard folders that cannot be merged: not shard
// folders, unfinished, of another analysis, a shard given twice or
// missing, missing or extra runs. It is bad input.
type MergeError struct{ Msg string }

// Error says what is wrong, naming the folders.
func (e *MergeError) Error() string { return e.Msg }

func mergeErrorf(format string, a ...any) error { return &MergeError{fmt.Sprintf(format, a...)} }

// Merge reads the shard folders dirs (written by WriteShard for the
// shards of this analysis of design d, in any order) and returns the
// whole analysis's runs, as Execute returns them unsharded, and the
// folders in shard order. Every folder must be a finished shard of this
// very analysis (its identity, shard aside), each shard given once and
// none missing, and each shard's runs exactly its runs of the run order
// with their reruns; otherwise a *MergeError names the folders and the
// fault.
func (a *Analysis) Merge(d *Design, dirs []string) (*Runs, []string, error) {
	var n int
	var byShard []string
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, StateFile)); err == nil {
			return nil, nil, mergeErrorf("%s: unfinished shard (%s): finish it with --resume first", dir, StateFile)
		}
		var info ShardInfo
		if err := readJSONFile(filepath.Join(dir, ShardFile), &info); err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				return nil, nil, mergeErrorf("%s: %v", dir, err)
			}
			if _, err := os.Stat(dir); err != nil {
				return nil, nil, mergeErrorf("%s: no such folder", dir)
			}
			return nil, nil, mergeErrorf("%s: not a sensitivity shard folder (no %s; it is written by 'depinsim sensitivity --shard I/N')", dir, ShardFile)
		}
		if info.Shards < 1 || info.Shard < 1 || info.Shard > info.Shards {
			return nil, nil, mergeErrorf("%s: %s: shard %d of %d is not a shard", dir, ShardFile, info.Shard, info.Shards)
		}
		if diff := a.Identity(d, info.Shard, info.Shards).Differences(info.Identity); len(diff) > 0 {
			return nil, nil, mergeErrorf("%s: a shard of another analysis: this analysis has %s in the folder", dir, strings.Join(diff, "; "))
		}
		if byShard == nil {
			n = info.Shards
			byShard = make([]string, n)
		} else if info.Shards != n {
			return nil, nil, mergeErrorf("%s is a shard of %d, %s of %d", dir, info.Shards, dirs[0], n)
		}
		if prev := byShard[info.Shard-1]; prev != "" {
			return nil, nil, mergeErrorf("shard %s given twice: %s and %s", sweep.ShardSpec(info.Shard, n), prev, dir)
		}
		byShard[info.Shard-1] = dir
	}
	var missing []string
	for i, dir := range byShard {
		if dir == "" {
			missing = append(missing, sweep.ShardSpec(i+1, n))
		}
	}
	if len(missing) > 0 {
		return nil, nil, mergeErrorf("shard(s) %s missing (have %d of %d)", strings.Join(missing, ", "), n-len(missing), n)
	}
	R := a.Replications
	npts := len(d.Points)
	order := a.sweep(a.Seed, R).Order(npts)
	shardOf := make([]int, npts*R) // shard (0-based) of each (point, rep)
	for k := range npts * R {
		p, r := order(k)
		shardOf[p*R+r] = k % n
	}
	runs := &Runs{Final: make([]*Run, npts*R)}
	for s, dir := range byShard {
		rs, err := a.readRunsTable(filepath.Join(dir, RunsFile), npts)
		if err != nil {
			return nil, nil, mergeErrorf("%s: %v", dir, err)
		}
		for _, r := range rs {
			if shardOf[r.Point*R+r.Rep] != s {
				return nil, nil, mergeErrorf("%s: run of point %d rep %d belongs to shard %s", dir, r.Point, r.Rep, sweep.ShardSpec(shardOf[r.Point*R+r.Rep]+1, n))
			}
		}
		runs.All = append(runs.All, rs...)
	}
	sortRuns(runs.All)
	for i := range runs.All {
		r := &runs.All[i]
		prev := runs.Final[r.Point*R+r.Rep]
		want := 0
		if prev != nil {
			want = prev.Attempt + 1
		}
		if r.Attempt != want {
			return nil, nil, mergeErrorf("%s: point %d rep %d: attempt %d where %d is due (missing or duplicate runs)", byShard[shardOf[r.Point*R+r.Rep]], r.Point, r.Rep, r.Attempt, want)
		}
		if r.Attempt > 0 {
			runs.Rerun++
		}
		runs.Final[r.Point*R+r.Rep] = r
	}
	for i, f := range runs.Final {
		if f == nil {
			return nil, nil, mergeErrorf("%s: point %d rep %d has no run (missing runs)", byShard[shardOf[i]], i/R, i%R)
		}
	}
	return runs, byShard, nil
}

// readRunsTable reads runs.csv back into its runs.
func (a *Analysis) readRunsTable(path string, npts int) ([]Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	cols := a.runsColumns()
	var header []string
	for _, c := range cols {
		header = append(header, c.Name)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], header) {
		return nil, fmt.Errorf("%s: not this analysis's run table (header %v)", RunsFile, header)
	}
	out := make([]Run, 0, len(recs)-1)
	for i, rec := range recs[1:] {
		bad := func(what string) error { return fmt.Errorf("%s line %d: bad %s", RunsFile, i+2, what) }
		var r Run
		if r.Point, err = strconv.Atoi(rec[0]); err != nil || r.Point < 0 || r.Point >= npts {
			return nil, bad("point")
		}
		if r.Rep, err = strconv.Atoi(rec[1]); err != nil || r.Rep < 0 || r.Rep >= a.Replications {
			return nil, bad("rep")
		}
		if r.Seed, err = strconv.ParseUint(rec[2], 10, 64); err != nil {
			return nil, bad("seed")
		}
		if r.Attempt, err = strconv.Atoi(rec[3]); err != nil || r.Attempt < 0 {
			return nil, bad("attempt")
		}
		if rec[4] != "" {
			r.Err = errors.New(rec[4])
		}
		r.Values = make([]float64, len(a.Outputs))
		for j := range r.Values {
			if rec[5+j] == "" {
				r.Values[j] = math.NaN()
			} else if r.Values[j], err = strconv.ParseFloat(rec[5+j], 64); err != nil {
				return nil, bad(a.Outputs[j].Spec.Name)
			}
		}
		out = append(out, r)
	}
	return out, nil
}
