package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/reports"
)

// Identity is what makes two executions the same sweep (or the same
// shard of it): a folder is resumed, and shards are merged, only when
// their identities agree. It holds nothing that differs between
// executions (no command line, path, worker count or time).
type Identity struct {
	// FormatVersion is the folder's format version (FormatVersion);
	// ToolVersion depinsim's version (a different build may give
	// different rows).
	FormatVersion int    `json:"format_version"`
	ToolVersion   string `json:"tool_version"`
	// Base names the base scenario; BaseSHA256 is the SHA-256 of its
	// text, SweepSHA256 that of the sweep file (sweep.toml).
	Base        string `json:"base"`
	BasePreset  bool   `json:"base_preset"`
	BaseSHA256  string `json:"base_sha256"`
	SweepSHA256 string `json:"sweep_sha256"`
	// Set lists the overrides applied to every point.
	Set []string `json:"set"`
	// MasterSeed is the master seed; IndependentSeeds is
	// --independent-seeds.
	MasterSeed       int64 `json:"master_seed"`
	IndependentSeeds bool  `json:"independent_seeds"`
	// Timeseries is --timeseries (the folder holds the dataset).
	Timeseries bool `json:"timeseries"`
	// Design and Samples are the design; Params the swept keys.
	Design  string   `json:"design"`
	Samples int      `json:"samples"`
	Params  []string `json:"params"`
	// Points and Replications count the design, PointsSHA256 is the
	// SHA-256 of the points' values (one line per point, its key=value
	// overrides joined by tabs).
	Points       int    `json:"points"`
	PointsSHA256 string `json:"points_sha256"`
	Replications int    `json:"replications"`
	// Shard and Shards are --shard I/N (both 0 for a whole sweep).
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
}

// Identity returns the identity of the sweep over points, for shard
// shard of shards (0, 0: the whole sweep).
func (sw *Sweep) Identity(points []Point, shard, shards int) Identity {
	m := sw.NewManifest(points, nil)
	h := sha256.New()
	for _, p := range points {
		io.WriteString(h, strings.Join(p.Sets(), "\t")+"\n")
	}
	return Identity{
		FormatVersion: FormatVersion, ToolVersion: m.ToolVersion, Base: m.Base, BasePreset: m.BasePreset,
		BaseSHA256: m.BaseSHA256, SweepSHA256: m.SweepSHA256, Set: m.Set, MasterSeed: sw.Seed,
		IndependentSeeds: sw.IndependentSeeds, Timeseries: sw.Timeseries, Design: sw.Design, Samples: sw.Samples, Params: m.Params,
		Points: len(points), PointsSHA256: hex.EncodeToString(h.Sum(nil)), Replications: sw.Replications,
		Shard: shard, Shards: shards,
	}
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

// IncompleteFile is the state file of a sweep folder whose sweep has not
// finished: written before the first run, rewritten when the sweep is
// interrupted, removed after sweep.json is written. Its presence marks
// the folder partial.
const IncompleteFile = reports.SweepStateFile

// ShardFile is a shard folder's description (ShardInfo): which shard of
// which sweep it holds, and what merge needs to write the whole sweep's
// files without the base scenario.
const ShardFile = reports.SweepShardFile

// State is incomplete.json.
type State struct {
	// Status is "running" (the sweep was started or resumed and has not
	// ended: if no process holds the folder, it was killed) or
	// "interrupted" (stopped by a signal: runs.csv and runs.parquet hold
	// the RunsDone first runs, in run order).
	Status string `json:"status"`
	// RunsDone counts the runs recorded when the state was written; Runs
	// the runs of the sweep (of the shard).
	RunsDone int `json:"runs_done"`
	Runs     int `json:"runs"`
	// Resume says how to finish the sweep.
	Resume string `json:"resume"`
	// Identity is the sweep's (ResumeFolder refuses another sweep's).
	Identity Identity `json:"identity"`
}

// ShardInfo is shard.json: the shard, the sweep's identity and its
// definition (the swept keys and every point's values), so that merge
// reads nothing but the shard folders.
type ShardInfo struct {
	// Shard of Shards is the shard's --shard I/N.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// Identity is the shard's identity (Identity.Shard is Shard).
	Identity Identity `json:"identity"`
	// Name is the sweep's name; Params its swept keys with their scales.
	Name   string      `json:"name"`
	Params []ParamInfo `json:"params"`
	// Metrics names the metrics plotted.
	Metrics []string `json:"metrics"`
	// Points lists, per point, each swept key's value as a TOML literal.
	Points [][]string `json:"points"`
}

// ParamInfo is a swept key and its scale ("log" or "linear").
type ParamInfo struct {
	Key   string `json:"key"`
	Scale string `json:"scale"`
}

// shardInfo returns the sweep's shard.json for shard i of n.
func (sw *Sweep) shardInfo(points []Point, i, n int) *ShardInfo {
	s := &ShardInfo{Shard: i, Shards: n, Identity: sw.Identity(points, i, n), Name: sw.Name, Metrics: []string{}, Points: make([][]string, len(points))}
	for _, p := range sw.Params {
		s.Params = append(s.Params, ParamInfo{Key: p.Key, Scale: p.Scale})
	}
	s.Metrics = append(s.Metrics, sw.NewManifest(nil, nil).Metrics...)
	for k, p := range points {
		s.Points[k] = make([]string, len(p))
		for j, v := range p {
			s.Points[k][j] = v.Literal
		}
	}
	return s
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadState reads the folder dir's incomplete.json; os.ErrNotExist when
// there is none.
func ReadState(dir string) (*State, error) {
	var s State
	if err := readJSON(filepath.Join(dir, IncompleteFile), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// writeState writes the folder's incomplete.json atomically.
func writeState(dir string, s *State) error {
	return reports.WriteFileAtomic(filepath.Join(dir, IncompleteFile), func(w io.Writer) error { return writeJSON(w, s) })
}

// ResumeError is a folder that cannot be resumed (or merged): not a
// sweep's, another sweep's, complete, or nothing to resume. It is bad
// input.
type ResumeError struct {
	// Dir is the folder; Msg says why.
	Dir, Msg string
	// Complete is set when the folder holds this very sweep, finished:
	// nothing is left to run (not an error for a job that resumes its
	// shard whatever its state).
	Complete bool
}

// Error names the folder and why.
func (e *ResumeError) Error() string { return e.Dir + ": " + e.Msg }

// ShardSpec formats shard i of n as --shard writes it ("3/4").
func ShardSpec(i, n int) string { return strconv.Itoa(i) + "/" + strconv.Itoa(n) }
