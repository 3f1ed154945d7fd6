package calibrate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
)

// ShardFile is the file that marks a finished shard folder; the shard's
// evaluations are in its JournalFile.
const ShardFile = "shard.json"

// Identity is what the shards of one calibration share: the build, the
// calibration file, the base scenario, the seeds, the overrides and the
// number of starts and of shards.
type Identity struct {
	ToolVersion       string   `json:"tool_version"`
	Calibration       string   `json:"calibration"`
	CalibrationSHA256 string   `json:"calibration_sha256"`
	Base              string   `json:"base"`
	BaseSHA256        string   `json:"base_sha256"`
	MasterSeed        int64    `json:"master_seed"`
	Replications      int      `json:"replications"`
	CheckReplications int      `json:"check_replications"`
	Set               []string `json:"set"`
	Starts            int      `json:"starts"`
	Shards            int      `json:"shards"`
}

// NewIdentity returns the identity of c's shards in shards shards.
func NewIdentity(c *Calibration, shards int) Identity {
	set := c.Set
	if set == nil {
		set = []string{}
	}
	return Identity{ToolVersion: runner.BuildVersion(), Calibration: c.Name, CalibrationSHA256: c.SHA256, Base: c.Base, BaseSHA256: c.BaseSHA256,
		MasterSeed: c.Seed, Replications: c.Replications, CheckReplications: c.CheckReplications, Set: set, Starts: c.Starts, Shards: shards}
}

func (id Identity) fields() [][2]string {
	return [][2]string{{"tool_version", id.ToolVersion}, {"calibration", id.Calibration}, {"calibration_sha256", id.CalibrationSHA256},
		{"base", id.Base}, {"base_sha256", id.BaseSHA256}, {"master_seed", strconv.FormatInt(id.MasterSeed, 10)},
		{"replications", strconv.Itoa(id.Replications)}, {"check_replications", strconv.Itoa(id.CheckReplications)},
		{"set", strconv.Quote(strings.Join(id.Set, " "))}, {"starts", strconv.Itoa(id.Starts)}, {"shards", strconv.Itoa(id.Shards)}}
}

// Differences lists the fields where id differs from other, as "name a
// (not b)".
func (id Identity) Differences(other Identity) []string {
	var out []string
	a, b := id.fields(), other.fields()
	for i := range a {
		if a[i][1] != b[i][1] {
			out = append(out, fmt.Sprintf("%s %s (not %s)", a[i][0], a[i][1], b[i][1]))
		}
	}
	return out
}

// ShardInfo is shard.json: a finished shard's identity, its index and
// what it found.
type ShardInfo struct {
	Identity Identity `json:"identity"`
	// Shard is the shard's index, 1..Identity.Shards.
	Shard int `json:"shard"`
	// StartsRun lists the starts the shard ran.
	StartsRun []int `json:"starts_run"`
	// Evaluations counts the shard's evaluations; Objective is the
	// lowest search objective it found.
	Evaluations int     `json:"evaluations"`
	Objective   float64 `json:"objective"`
}

// WriteShard writes a finished shard's calibration.toml and shard.json
// into dir, which holds its journal; shard.json is written last.
func WriteShard(dir string, res *Result, shard, shards int) error {
	c := res.Cal
	if err := reports.WriteFileAtomic(filepath.Join(dir, CalFile), func(w io.Writer) error { _, err := w.Write(c.Text); return err }); err != nil {
		return err
	}
	in := ShardInfo{Identity: NewIdentity(c, shards), Shard: shard, StartsRun: []int{}, Evaluations: len(res.Evals), Objective: res.Objective}
	for k := range c.Starts {
		if k%shards == shard-1 {
			in.StartsRun = append(in.StartsRun, k)
		}
	}
	b, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		return err
	}
	return reports.WriteFileAtomic(filepath.Join(dir, ShardFile), func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err })
}

// MergeError is a set of shard folders that cannot be merged: not shard
// folders, unfinished, of another calibration, a shard given twice or
// missing. It is bad input.
type MergeError struct{ Msg string }

// Error says what is wrong, naming the folders.
func (e *MergeError) Error() string { return e.Msg }

func mergeErrorf(format string, a ...any) error { return &MergeError{fmt.Sprintf(format, a...)} }

// ShardJournals checks that dirs are the finished shards of c, each once
// and all of them, and returns their journals in shard order.
func ShardJournals(c *Calibration, dirs []string) ([]string, error) {
	var n int
	var byIndex []string
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, ShardFile))
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				return nil, mergeErrorf("%s: %v", dir, err)
			}
			if _, err := os.Stat(dir); err != nil {
				return nil, mergeErrorf("%s: no such folder", dir)
			}
			if _, err := os.Stat(filepath.Join(dir, JournalFile)); err == nil {
				return nil, mergeErrorf("%s: unfinished shard (no %s): finish it with 'depinsim calibrate ... --shard I/N --resume' first", dir, ShardFile)
			}
			return nil, mergeErrorf("%s: not a calibration shard folder (no %s; it is written by 'depinsim calibrate --shard I/N')", dir, ShardFile)
		}
		var in ShardInfo
		d := json.NewDecoder(bytes.NewReader(data))
		d.DisallowUnknownFields()
		if err := d.Decode(&in); err != nil {
			return nil, mergeErrorf("%s: %s: %v", dir, ShardFile, err)
		}
		if n == 0 {
			n = in.Identity.Shards
			if n < 1 {
				return nil, mergeErrorf("%s: %s: %d shards", dir, ShardFile, n)
			}
			byIndex = make([]string, n)
		}
		if diff := in.Identity.Differences(NewIdentity(c, n)); len(diff) > 0 {
			return nil, mergeErrorf("%s is a shard of another calibration than %s with these arguments (or of another build): it has %s", dir, c.File, strings.Join(diff, "; "))
		}
		if in.Shard < 1 || in.Shard > n {
			return nil, mergeErrorf("%s: %s: shard %d of %d", dir, ShardFile, in.Shard, n)
		}
		if prev := byIndex[in.Shard-1]; prev != "" {
			return nil, mergeErrorf("shard %d/%d given twice: %s and %s", in.Shard, n, prev, dir)
		}
		byIndex[in.Shard-1] = dir
	}
	var missing []string
	for i, d := range byIndex {
		if d == "" {
			missing = append(missing, strconv.Itoa(i+1))
		}
	}
	if len(missing) > 0 {
		return nil, mergeErrorf("missing shard(s) %s of %d (given: %d folder(s))", strings.Join(missing, ", "), n, len(dirs))
	}
	out := slices.Clone(byIndex)
	for i := range out {
		out[i] = filepath.Join(out[i], JournalFile)
	}
	return out, nil
}
