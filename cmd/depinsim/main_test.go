package main

// End-to-end tests of the CLI: each calls run(args, stdout, stderr) as
// main does and checks the exit code, the messages and the files written.
// Runs use short horizons so that the whole file stays fast.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/sim"
)

// short makes akash-2024 cheap: 20 days sampled every 6 h (80 samples).
var short = []string{"--set", "sim.horizon=20d", "--set", "sim.sample_every=6h"}

// shorter also drops most of the 90-day warmup, for runs whose content
// matters less (determinism, --check, the default folder).
var shorter = []string{"--set", "sim.warmup=10d", "--set", "sim.horizon=10d", "--set", "sim.sample_every=12h"}

const shortSamples = 80 // 20d / 6h

// badKeyTOML has an unknown key, "horizonn", on line 3.
const badKeyTOML = "name = \"x\"\n[sim]\nhorizonn = \"3d\"\n"

// longOnly skips t under -short: an end-to-end test of what a command
// survives or must not depend on (a kill, a resume, shards merged, a
// cluster's scripts, the number of workers), which make test-long runs
// in full and CI with it. why names what makes it long.
func longOnly(t *testing.T, why string) {
	t.Helper()
	if testing.Short() {
		t.Skip(why + ": make test-long")
	}
}

// cli runs the command line and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustRun runs the command line and requires exit code 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := cli(t, args...)
	require.Equal(t, exitOK, code, "depinsim %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), stdout, stderr)
	return stdout
}

func concat(a []string, more ...string) []string {
	return append(append([]string{}, a...), more...)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, path))).ReadAll()
	require.NoError(t, err, path)
	require.NotEmpty(t, rows, path)
	return rows
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	require.Failf(t, "missing column", "%q not in %v", name, header)
	return -1
}

// snapshot maps every file and folder under dir to its content ("<dir>"
// for a folder).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			snap[rel] = "<dir>"
			return nil
		}
		b, err := os.ReadFile(path)
		snap[rel] = string(b)
		return err
	})
	require.NoError(t, err)
	return snap
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// presetFile writes `depinsim show akash-2024` to dir/name.
func presetFile(t *testing.T, dir, name string) string {
	t.Helper()
	return writeFile(t, filepath.Join(dir, name), mustRun(t, "show", "akash-2024"))
}

func TestRunWritesAllFiles(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "run")
	cmd := concat([]string{"run", "akash-2024", "--out", dir}, concat(short, "--reps", "2", "--quiet")...)
	assert.Empty(t, mustRun(t, cmd...), "--quiet prints nothing")

	t.Run("timeseries.csv", func(t *testing.T) {
		rows := readCSV(t, filepath.Join(dir, "timeseries.csv"))
		header := rows[0]
		assert.Equal(t, []string{"rep", "t_hours", "gpu_utilization", "cpu_utilization"}, header[:4])
		for _, c := range []string{"gpu_price_usd_hour", "leases_active", "orders_open", "orders_unserved_total",
			"providers_active", "gpus_total", "cpus_total", "community_pool_akt"} {
			column(t, header, c)
		}
		require.Len(t, rows, 2*shortSamples+1, "2 reps × 80 samples + header")
		perRep := map[string]int{}
		util := column(t, header, "gpu_utilization")
		for i, row := range rows[1:] {
			require.Len(t, row, len(header), "row %d", i+1)
			perRep[row[0]]++
			u, err := strconv.ParseFloat(row[util], 64)
			require.NoError(t, err, "row %d", i+1)
			assert.True(t, u >= 0 && u <= 1, "row %d: gpu_utilization %v", i+1, u)
		}
		assert.Equal(t, map[string]int{"0": shortSamples, "1": shortSamples}, perRep)
		assert.Equal(t, []string{"0", "0"}, rows[1][:2], "first sample: rep 0 at t=0")
		assert.Equal(t, "474", rows[len(rows)-1][1], "last sample at 480h - 6h")
	})

	t.Run("resources.csv", func(t *testing.T) {
		rows := readCSV(t, filepath.Join(dir, "resources.csv"))
		assert.Equal(t, []string{"rep", "t_hours", "resource"}, rows[0][:3])
		column(t, rows[0], "utilization")
		column(t, rows[0], "median_price_usd_hour")
		res := map[string]bool{}
		gpus := 0
		for _, row := range rows[1:] {
			if !res[row[2]] && strings.HasPrefix(row[2], "gpu:") {
				gpus++
			}
			res[row[2]] = true
		}
		assert.True(t, res["cpu"], "cpu rows")
		assert.True(t, res["memory_gb"], "memory_gb rows")
		assert.Positive(t, gpus, "gpu:<model> rows in %v", res)
		assert.Len(t, rows, 2*shortSamples*len(res)+1, "long format: one row per rep, sample and resource")
	})

	t.Run("cohorts.csv", func(t *testing.T) {
		rows := readCSV(t, filepath.Join(dir, "cohorts.csv"))
		assert.Equal(t, []string{"rep", "t_hours", "cohort", "kind", "providers", "gpus", "gpus_leased", "cpus", "income_usd",
			"bids", "bids_won", "win_rate", "bid_markup", "won_markup", "entered", "exited"}, rows[0])
		// the cohorts' GPUs add up to gpus_total at every sample
		ts := readCSV(t, filepath.Join(dir, "timeseries.csv"))
		gpusTotal := column(t, ts[0], "gpus_total")
		want := map[string]float64{}
		for _, row := range ts[1:] {
			v, err := strconv.ParseFloat(row[gpusTotal], 64)
			require.NoError(t, err)
			want[row[0]+"/"+row[1]] = v
		}
		got := map[string]float64{}
		cohorts := map[string]string{}
		for i, row := range rows[1:] {
			require.Len(t, row, len(rows[0]), "row %d", i+1)
			cohorts[row[2]] = row[3]
			v, err := strconv.ParseFloat(row[5], 64)
			require.NoError(t, err, "row %d", i+1)
			got[row[0]+"/"+row[1]] += v
		}
		assert.Equal(t, want, got, "per sample: the cohorts' gpus add up to gpus_total")
		assert.Equal(t, "organic", cohorts["gpu-h100"])
		assert.Equal(t, "organic", cohorts["cpu-small"])
		assert.Len(t, rows, 2*shortSamples*len(cohorts)+1, "long format: one row per rep, sample and cohort")
	})

	t.Run("summary.json", func(t *testing.T) {
		data := readFile(t, filepath.Join(dir, "summary.json"))
		require.True(t, json.Valid(data))
		var sum reports.Summary
		require.NoError(t, json.Unmarshal(data, &sum))
		assert.Equal(t, 0.95, sum.ConfidenceLevel)
		assert.Equal(t, []int{0, 1}, sum.Reps)
		var found bool
		for _, m := range sum.Metrics {
			if m.Name != "gpu_utilization" {
				continue
			}
			found = true
			s := m.TimeMean
			assert.Equal(t, 2, s.N)
			assert.Len(t, s.PerRep, 2)
			assert.LessOrEqual(t, float64(s.CILow), float64(s.Mean))
			assert.GreaterOrEqual(t, float64(s.CIHigh), float64(s.Mean))
			assert.Less(t, float64(s.CILow), float64(s.CIHigh), "two different replications: a proper interval")
		}
		assert.True(t, found, "gpu_utilization in summary.json")
		var raw map[string]any
		require.NoError(t, json.Unmarshal(data, &raw))
		assert.Contains(t, string(data), `"ci95_low"`)
		assert.Contains(t, string(data), `"ci95_high"`)
	})

	t.Run("manifest.json", func(t *testing.T) {
		data := readFile(t, filepath.Join(dir, "manifest.json"))
		require.True(t, json.Valid(data))
		var man reports.Manifest
		require.NoError(t, json.Unmarshal(data, &man))
		assert.Contains(t, string(data), `"master_seed"`)
		assert.Equal(t, "akash-2024", man.Scenario)
		require.Len(t, man.Replications, 2)
		assert.NotEqual(t, man.Replications[0].Seed, man.Replications[1].Seed, "each replication has its own seed")
		var events uint64
		for i, r := range man.Replications {
			assert.Equal(t, i, r.Rep)
			assert.Equal(t, shortSamples, r.Samples)
			events += r.Events
		}
		assert.Positive(t, man.EventsTotal)
		assert.Equal(t, events, man.EventsTotal)
		sum := sha256.Sum256(readFile(t, filepath.Join(dir, "scenario.toml")))
		assert.Equal(t, hex.EncodeToString(sum[:]), man.ScenarioSHA256)
		assert.Equal(t, "20d", man.Horizon)
		assert.Equal(t, "6h", man.SampleEvery)
		assert.Equal(t, append([]string{"depinsim"}, cmd...), man.Command)
	})

	t.Run("plots", func(t *testing.T) {
		for _, name := range []string{"utilization", "price", "cohorts"} {
			png := readFile(t, filepath.Join(dir, "plots", name+".png"))
			assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "%s.png is a PNG", name)
			svg := readFile(t, filepath.Join(dir, "plots", name+".svg"))
			assert.Contains(t, string(svg), "<svg", "%s.svg is an SVG", name)
		}
	})

	t.Run("scenario.toml reproduces the run", func(t *testing.T) {
		dir2 := filepath.Join(tmp, "again")
		mustRun(t, "run", filepath.Join(dir, "scenario.toml"), "--out", dir2, "--quiet")
		for _, f := range []string{"timeseries.csv", "resources.csv", "cohorts.csv", "summary.json", "scenario.toml"} {
			assert.True(t, bytes.Equal(readFile(t, filepath.Join(dir, f)), readFile(t, filepath.Join(dir2, f))), "%s differs", f)
		}
		var m1, m2 reports.Manifest
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, "manifest.json")), &m1))
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir2, "manifest.json")), &m2))
		assert.Equal(t, m1.ScenarioSHA256, m2.ScenarioSHA256)
		assert.Equal(t, m1.MasterSeed, m2.MasterSeed)
		assert.Equal(t, m1.Replications, m2.Replications)
		assert.Equal(t, m1.EventsTotal, m2.EventsTotal)
	})
}

func TestRunDeterministic(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out := func(name string, extra ...string) []byte {
		dir := filepath.Join(tmp, name)
		mustRun(t, concat([]string{"run", "--out", dir, "--reps", "2", "--quiet"}, concat(shorter, extra...)...)...)
		return readFile(t, filepath.Join(dir, "timeseries.csv"))
	}
	a := out("a", "--seed", "1")
	b := out("b", "--seed", "1")
	c := out("c", "--seed", "2")
	w1 := out("w1", "--seed", "1", "--workers", "1")
	w2 := out("w2", "--seed", "1", "--workers", "2")
	assert.True(t, bytes.Equal(a, b), "same seed twice: byte-identical timeseries.csv")
	assert.False(t, bytes.Equal(a, c), "--seed 2 changes timeseries.csv")
	assert.True(t, bytes.Equal(w1, w2), "--workers 1 and 2: byte-identical timeseries.csv")
	assert.True(t, bytes.Equal(a, w1), "--workers does not change the results")
	for _, f := range []string{"resources.csv", "cohorts.csv", "summary.json"} {
		assert.True(t, bytes.Equal(readFile(t, filepath.Join(tmp, "w1", f)), readFile(t, filepath.Join(tmp, "w2", f))), "%s: --workers 1 vs 2", f)
	}
}

func TestRunRefusesNonEmptyOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "keep.txt"), "mine")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	before := snapshot(t, dir)

	code, stdout, stderr := cli(t, concat([]string{"run", "--out", dir, "--reps", "1", "--quiet"}, shorter...)...)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "--force")
	assert.Contains(t, stderr, dir)
	assert.Equal(t, before, snapshot(t, dir), "nothing changed in the folder")

	mustRun(t, concat([]string{"run", "--out", dir, "--reps", "1", "--quiet", "--force"}, shorter...)...)
	for _, f := range []string{"timeseries.csv", "resources.csv", "cohorts.csv", "summary.json", "manifest.json", "scenario.toml"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	assert.Equal(t, "mine", string(readFile(t, filepath.Join(dir, "keep.txt"))))
}

func TestRunBadInput(t *testing.T) {
	t.Parallel()
	files := t.TempDir()
	badFile := writeFile(t, filepath.Join(files, "bad.toml"), badKeyTOML)
	typeFile := writeFile(t, filepath.Join(files, "type.toml"), "name = \"x\"\n[sim]\nhorizon = 5\n")
	cases := []struct {
		name string
		args []string
		want []string // substrings of stderr
		re   string   // a regexp stderr must match, when set
	}{
		{"unknown key in file", []string{badFile}, []string{"bad.toml", "horizonn", "unknown key"}, `bad\.toml:3: sim\.horizonn: unknown key`},
		{"wrong type in file", []string{typeFile}, []string{"type.toml", "sim.horizon"}, `type\.toml:3: sim\.horizon: `},
		{"bad --set value", []string{"--set", "sim.horizon=banana"}, []string{"sim.horizon", "banana", "--set"}, ""},
		{"unknown --set key", []string{"--set", "nope.key=1"}, []string{"nope", "unknown key"}, ""},
		{"missing file or preset", []string{filepath.Join(files, "missing.toml")}, []string{"missing.toml", "presets", "akash-2024"}, ""},
		{"missing preset name", []string{"akash-2099"}, []string{"akash-2099", "presets", "akash-2024"}, ""},
		{"--reps 0", []string{"--reps", "0"}, []string{"--reps", "0"}, ""},
		{"--seed -3", []string{"--seed", "-3"}, []string{"--seed", "-3"}, ""},
		{"--workers -1", []string{"--workers", "-1"}, []string{"--workers"}, ""},
		{"unknown flag", []string{"--bogus"}, []string{"--bogus", "--help"}, ""},
		{"too many scenarios", []string{"akash-2024", "akash-2024"}, []string{"at most one scenario"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := cli(t, concat([]string{"run", "--out", out}, tc.args...)...)
			assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
			assert.Empty(t, stdout)
			assert.True(t, strings.HasPrefix(stderr, "depinsim run: "), "stderr: %s", stderr)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
			if tc.re != "" {
				assert.Regexp(t, regexp.MustCompile(tc.re), stderr)
			}
			assert.NoDirExists(t, out, "nothing written on bad input")
		})
	}

	t.Run("unknown command", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := cli(t, "runn", "--out", out)
		assert.Equal(t, exitUsage, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, `unknown command "runn"`)
		assert.Contains(t, stderr, "Usage:")
		assert.NoDirExists(t, out)
	})
}

func TestValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := presetFile(t, dir, "good.toml")
	bad := writeFile(t, filepath.Join(dir, "bad.toml"), badKeyTOML)

	t.Run("good", func(t *testing.T) {
		code, stdout, stderr := cli(t, "validate", good)
		assert.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, good+": ok")
		assert.Contains(t, stdout, `scenario "good"`, "named after its file")
	})
	t.Run("bad", func(t *testing.T) {
		code, stdout, stderr := cli(t, "validate", bad)
		assert.Equal(t, exitUsage, code)
		assert.NotContains(t, stdout, "ok")
		assert.Contains(t, stderr, bad+":3: sim.horizonn: unknown key")
		assert.Contains(t, stderr, "1 of 1 file(s) invalid")
	})
	t.Run("several, one bad", func(t *testing.T) {
		code, stdout, stderr := cli(t, "validate", bad, good)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stdout, good+": ok", "the good file is still checked and reported")
		assert.NotContains(t, stdout, bad)
		assert.Contains(t, stderr, bad+":3:")
		assert.Contains(t, stderr, "1 of 2 file(s) invalid")
	})
	t.Run("preset name and --set", func(t *testing.T) {
		code, stdout, stderr := cli(t, "validate", "akash-2024", "--set", "sim.horizon=30d")
		assert.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "akash-2024: ok")
		assert.Contains(t, stdout, "30d")
	})
	t.Run("no file", func(t *testing.T) {
		code, _, stderr := cli(t, "validate")
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "at least one scenario file")
	})
}

func TestPresets(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t, "presets")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^akash-2024 \(default\)\s+\S`, stdout)
	assert.NotContains(t, stdout, "INVALID")

	code, _, stderr = cli(t, "presets", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "takes no arguments")
}

func TestShow(t *testing.T) {
	dir := t.TempDir()
	text := mustRun(t, "show", "akash-2024")
	var tree map[string]any
	_, err := toml.Decode(text, &tree)
	require.NoError(t, err, "show prints TOML")
	assert.NotContains(t, tree, "name", "the preset's name is commented out")
	assert.Contains(t, text, "\n# name = \"akash-2024\"\n")
	assert.Contains(t, text, "#", "comments included")

	// a saved copy is named after its file, and runs into out/mine
	path := writeFile(t, filepath.Join(dir, "mine.toml"), text)
	code, stdout, stderr := cli(t, "validate", path)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, path+`: ok: scenario "mine"`)
	t.Chdir(dir)
	mustRun(t, concat([]string{"run", "mine.toml", "--quiet", "--reps", "1"}, shorter...)...)
	assert.FileExists(t, filepath.Join(dir, "out", "mine", "manifest.json"))
	// a name the file writes wins; a file name unusable as a name is an
	// error that says where the name came from
	named := writeFile(t, filepath.Join(dir, "named.toml"), "name = \"mine-2\"\n"+text)
	assert.Contains(t, mustRun(t, "validate", named), `scenario "mine-2"`)
	bad := writeFile(t, filepath.Join(dir, "con.toml"), text)
	code, _, stderr = cli(t, "validate", bad)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `name: must be usable as a folder name, but it is a device name on Windows; got "con"`)
	assert.Contains(t, stderr, `the name was taken from the file name "con.toml"`)

	code, stdout, stderr = cli(t, "show", "nope")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `no preset "nope"`)
	assert.Contains(t, stderr, "akash-2024")

	code, _, stderr = cli(t, "show")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "akash-2024")
}

func TestVersion(t *testing.T) {
	t.Parallel()
	stdout := mustRun(t, "version")
	assert.True(t, strings.HasPrefix(stdout, "depinsim "+runner.Version), stdout)
	code, _, stderr := cli(t, "version", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "takes no arguments")
}

func TestInvariants(t *testing.T) {
	t.Parallel()
	stdout := mustRun(t, "invariants")
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	invs := sim.Invariants()
	require.Len(t, lines, len(invs), "one line per invariant")
	for i, inv := range invs {
		assert.Regexp(t, "^"+regexp.QuoteMeta(inv.Name)+`\s+`+regexp.QuoteMeta(inv.Doc)+"$", lines[i])
	}
	assert.Regexp(t, `(?m)^ledger-conservation\s+for every denomination`, stdout)

	code, _, stderr := cli(t, "invariants", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "takes no arguments")
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--help"}, "Usage: depinsim run"},
		{[]string{"run", "-h"}, "--out"},
		{[]string{"validate", "--help"}, "Usage: depinsim validate"},
		{[]string{"show", "--help"}, "Usage: depinsim show"},
		{[]string{"presets", "--help"}, "Usage: depinsim presets"},
		{[]string{"compare", "--help"}, "Usage: depinsim compare"},
		{[]string{"invariants", "--help"}, "Usage: depinsim invariants"},
		{[]string{"version", "--help"}, "Usage: depinsim version"},
		{[]string{"--help"}, "Usage:"},
		{[]string{"help"}, "depinsim run"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, tc.args...)
			assert.Equal(t, exitOK, code)
			assert.Contains(t, stdout, tc.want)
			assert.Empty(t, stderr)
		})
	}
	t.Run("run flags", func(t *testing.T) {
		stdout := mustRun(t, "run", "--help")
		for _, f := range []string{"--out", "--seed", "--reps", "--set", "--quiet", "--force", "--workers", "--check"} {
			assert.Contains(t, stdout, f)
		}
	})
}

func TestNoArgs(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "Usage:")
}

func TestRunCheck(t *testing.T) {
	t.Parallel()
	// --check verifies the invariants after every event: keep it tiny.
	dir := filepath.Join(t.TempDir(), "out")
	mustRun(t, "run", "--check", "--out", dir, "--reps", "1", "--quiet",
		"--set", "sim.warmup=2d", "--set", "sim.horizon=3d", "--set", "sim.sample_every=12h")
	rows := readCSV(t, filepath.Join(dir, "timeseries.csv"))
	assert.Len(t, rows, 6+1, "3d / 12h samples + header")
	assert.FileExists(t, filepath.Join(dir, "manifest.json"))
}

// TestRunDefaultOut changes the working directory: it must not be parallel.
func TestRunDefaultOut(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	tmp := t.TempDir()
	require.NoError(t, os.Chdir(tmp))
	t.Cleanup(func() { require.NoError(t, os.Chdir(wd)) })

	stdout := mustRun(t, concat([]string{"run", "--reps", "1"}, shorter...)...)
	want := filepath.Join("out", "akash-2024")
	for _, f := range []string{"timeseries.csv", "resources.csv", "cohorts.csv", "summary.json", "manifest.json", "scenario.toml"} {
		assert.FileExists(t, filepath.Join(tmp, want, f))
	}
	// without --quiet: a header line, the summary table and where it wrote
	assert.Contains(t, stdout, "akash-2024: 1 replication(s) of 10d")
	assert.Contains(t, stdout, "gpu_utilization")
	assert.Contains(t, stdout, "wrote "+want+"/")

	// a second run refuses the now non-empty default folder
	code, _, stderr := cli(t, concat([]string{"run", "--reps", "1"}, shorter...)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--force")
}

// TestRunInterrupted: a run cancelled (an interrupt) fails with exit code
// 1 and leaves no file behind.
func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	var stdout, stderr bytes.Buffer
	code := runContext(ctx, concat([]string{"run", "--out", dir, "--reps", "2"}, shorter...), &stdout, &stderr)
	assert.Equal(t, exitRun, code)
	assert.Contains(t, stderr.String(), "context canceled")
	assert.Empty(t, stdout.String())
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing half-written")
}

func TestRunCheckModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	mustRun(t, concat([]string{"run", "--check=sample", "--out", dir, "--reps", "1", "--quiet"}, shorter...)...)
	assert.FileExists(t, filepath.Join(dir, "manifest.json"))

	code, _, stderr := cli(t, concat([]string{"run", "--check=often", "--out", filepath.Join(t.TempDir(), "x")}, shorter...)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `--check: want event or sample, got "often"`)
}
