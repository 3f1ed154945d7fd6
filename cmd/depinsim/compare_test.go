package main

// End-to-end tests of 'depinsim compare'. The runs are short (akash-2024
// over 10-20 days without warmup) so that the file stays fast.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
)

// cmpShort makes akash-2024 cheap for a comparison: 20 days from an
// empty market, sampled every 12 h, 3 replications.
var cmpShort = []string{"--set", "sim.horizon=20d", "--set", "sim.warmup=0s", "--set", "sim.sample_every=12h", "--reps", "3"}

// cmpShorter is for runs whose content matters less (determinism).
var cmpShorter = []string{"--set", "sim.horizon=8d", "--set", "sim.warmup=0s", "--set", "sim.sample_every=12h", "--reps", "3"}

// runFiles lists what 'depinsim run' writes in its folder.
var runFiles = []string{"timeseries.csv", "resources.csv", "cohorts.csv", "summary.json", "manifest.json", "scenario.toml"}

// vickreyFile writes akash-2024 with the vickrey-reverse mechanism and
// the name "vickrey" to dir/vickrey.toml: the same scenario otherwise.
func vickreyFile(t *testing.T, dir string) string {
	t.Helper()
	text := mustRun(t, "show", "akash-2024")
	n := strings.Count(text, "\nmechanism = \"akash-reverse\"")
	require.Equal(t, 1, n, "akash-2024 sets market.mechanism once")
	text = strings.Replace(text, "\nmechanism = \"akash-reverse\"", "\nmechanism = \"vickrey-reverse\"", 1)
	require.NotContains(t, text, "\nname = \"akash-2024\"", "show comments the name out: the file's name names it")
	return writeFile(t, filepath.Join(dir, "vickrey.toml"), text)
}

// compareCSV reads compare.csv into rows keyed by "metric/scenario".
func compareCSV(t *testing.T, dir string) ([]string, map[string][]string) {
	t.Helper()
	rows := readCSV(t, filepath.Join(dir, "compare.csv"))
	byKey := map[string][]string{}
	for i, row := range rows[1:] {
		require.Len(t, row, len(rows[0]), "row %d", i+1)
		byKey[row[0]+"/"+row[1]] = row
	}
	return rows[0], byKey
}

func TestCompareWritesAllFiles(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	vick := vickreyFile(t, tmp)
	dir := filepath.Join(tmp, "cmp")
	cmd := concat([]string{"compare", "akash-2024", vick, "--out", dir, "--quiet"}, cmpShort...)
	assert.Empty(t, mustRun(t, cmd...), "--quiet prints nothing")

	t.Run("one run folder per scenario, as run writes it", func(t *testing.T) {
		for _, name := range []string{"akash-2024", "vickrey"} {
			for _, f := range runFiles {
				assert.FileExists(t, filepath.Join(dir, name, f))
			}
			for _, f := range reports.PlotFiles {
				assert.FileExists(t, filepath.Join(dir, name, "plots", f))
			}
			var man reports.Manifest
			require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, name, "manifest.json")), &man))
			assert.Equal(t, name, man.Scenario)
			assert.Equal(t, uint64(1), man.MasterSeed)
			assert.Len(t, man.Replications, 3)
			assert.Equal(t, "20d", man.Horizon)
			assert.Equal(t, append([]string{"depinsim"}, cmd...), man.Command)
		}
		// running a scenario.toml again reproduces its folder
		again := filepath.Join(tmp, "again")
		mustRun(t, "run", filepath.Join(dir, "vickrey", "scenario.toml"), "--out", again, "--quiet")
		for _, f := range []string{"timeseries.csv", "summary.json"} {
			assert.Equal(t, string(readFile(t, filepath.Join(dir, "vickrey", f))), string(readFile(t, filepath.Join(again, f))), f)
		}
	})

	t.Run("compare.csv", func(t *testing.T) {
		header, rows := compareCSV(t, dir)
		assert.Equal(t, []string{"metric", "scenario", "mean", "ci_low", "ci_high", "n", "diff_mean", "diff_ci_low", "diff_ci_high"}, header)
		base := rows["gpu_utilization.time_mean/akash-2024"]
		require.NotNil(t, base)
		assert.Equal(t, "3", base[5])
		assert.Equal(t, []string{"", "", ""}, base[6:], "no difference for the first scenario")
		v := rows["gpu_utilization.time_mean/vickrey"]
		require.NotNil(t, v)
		for _, s := range v[6:] {
			_, err := strconv.ParseFloat(s, 64)
			assert.NoError(t, err, "difference fields are numbers: %v", v)
		}
		// Common random numbers: the tenants' arrivals do not depend on the
		// mechanism, so every replication has the same orders in both.
		o := rows["orders_total.final/vickrey"]
		assert.Equal(t, []string{"0", "0", "0"}, o[6:], "orders_total: paired difference exactly 0 (same demand)")
		assert.NotEqual(t, o[3], o[4], "while each scenario's own interval is not degenerate")
		for _, key := range []string{"cpu.utilization/vickrey", "memory_gb.median_price_usd_hour/akash-2024", "provider_income_usd_total.final/vickrey"} {
			assert.Contains(t, rows, key)
		}
	})

	t.Run("compare.md", func(t *testing.T) {
		md := string(readFile(t, filepath.Join(dir, "compare.md")))
		for _, s := range []string{
			"# Comparison: akash-2024 vs vickrey",
			"3 replications each, common master seed 1",
			"| 1 | akash-2024 | `preset akash-2024` | 2024-03-20 | 20d | 12h |",
			"| 2 | vickrey | `" + vick + "` |",
			"Common random numbers", "paired differences",
			"`--reps 3` sets `sim.replications` of every scenario.",
			"`--set sim.warmup=0s` applies to every scenario.",
			"## Market", "## Providers", "## Token supply and staking", "## GPU models",
			"| akash-2024 | vickrey | vickrey − akash-2024 |",
			"| `gpu_utilization` | mean over time | fraction |",
		} {
			assert.Contains(t, md, s)
		}
	})

	t.Run("plots and manifest", func(t *testing.T) {
		for _, f := range reports.ComparePlotFiles {
			assert.FileExists(t, filepath.Join(dir, "plots", f))
		}
		svg := string(readFile(t, filepath.Join(dir, "plots", "compare_utilization.svg")))
		assert.Contains(t, svg, ">akash-2024<")
		assert.Contains(t, svg, ">vickrey<")
		var man reports.CompareManifest
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, "manifest.json")), &man))
		assert.Equal(t, "compare", man.Kind)
		assert.Equal(t, uint64(1), man.MasterSeed)
		assert.Equal(t, 3, man.Replications)
		require.Len(t, man.Scenarios, 2)
		assert.Equal(t, "vickrey", man.Scenarios[1].Name)
		assert.Equal(t, vick, man.Scenarios[1].ScenarioFile)
		assert.Positive(t, man.Scenarios[1].EventsTotal)
		assert.Contains(t, man.Files, "compare.csv")
		assert.Contains(t, man.Files, "plots/compare_price.png")
		assert.ElementsMatch(t, []string{"akash-2024", "vickrey", "compare.csv", "compare.md", "plots", "report.html", "manifest.json"}, dirEntries(t, dir))
	})
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestCompareItself compares a scenario with itself: with common random
// numbers every paired difference is exactly 0 with a zero-width
// interval. The same command again, and with --workers 1 and 4, writes
// byte-identical compare.csv and compare.md.
func TestCompareItself(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out := func(name string, extra ...string) string {
		dir := filepath.Join(tmp, name)
		mustRun(t, concat([]string{"compare", "akash-2024", "akash-2024", "--out", dir, "--quiet"}, concat(cmpShorter, extra...)...)...)
		return dir
	}
	a := out("a", "--workers", "1")
	b := out("b", "--workers", "4")
	c := out("c", "--workers", "4")

	assert.ElementsMatch(t, []string{"akash-2024", "akash-2024-2", "compare.csv", "compare.md", "plots", "report.html", "manifest.json"}, dirEntries(t, a),
		"a repeated scenario gets a -2 folder")
	assert.Equal(t, string(readFile(t, filepath.Join(a, "akash-2024", "timeseries.csv"))),
		string(readFile(t, filepath.Join(a, "akash-2024-2", "timeseries.csv"))), "same seed, same run")

	_, rows := compareCSV(t, a)
	checked := 0
	for key, row := range rows {
		if !strings.HasSuffix(key, "/akash-2024-2") || row[5] == "0" {
			continue
		}
		assert.Equal(t, []string{"0", "0", "0"}, row[6:], "%s: paired difference of a scenario with itself", key)
		checked++
	}
	assert.Greater(t, checked, 50)
	md := string(readFile(t, filepath.Join(a, "compare.md")))
	assert.NotContains(t, md, `\*`, "no difference is significant")
	assert.Contains(t, md, "| `leases_active` | mean over time | count |")
	assert.Contains(t, md, "| 0 [0, 0] |")

	for _, f := range []string{"compare.csv", "compare.md"} {
		fa, fb, fc := readFile(t, filepath.Join(a, f)), readFile(t, filepath.Join(b, f)), readFile(t, filepath.Join(c, f))
		assert.Equal(t, string(fb), string(fc), "%s: the same command twice", f)
		assert.Equal(t, string(fa), string(fb), "%s: --workers 1 vs 4", f)
	}
	for _, f := range []string{"compare_utilization.svg", "compare_price.svg"} {
		assert.Equal(t, string(readFile(t, filepath.Join(b, "plots", f))), string(readFile(t, filepath.Join(c, "plots", f))), f)
	}
}

// TestCompareCommonSeed gives two scenario files different seeds and
// replications: the first one's apply to both, and compare.md says so.
func TestCompareCommonSeed(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	text := mustRun(t, "show", "akash-2024")
	one := writeFile(t, filepath.Join(tmp, "one.toml"), strings.Replace(strings.Replace(text, "\nseed = 1\n", "\nseed = 7\n", 1), "\nreplications = 5\n", "\nreplications = 2\n", 1))
	two := writeFile(t, filepath.Join(tmp, "two.toml"), strings.Replace(text, "\nseed = 1\n", "\nseed = 9\n", 1))
	require.NotEqual(t, text, string(readFile(t, one)))
	dir := filepath.Join(tmp, "cmp")
	stdout := mustRun(t, "compare", one, two, "--out", dir,
		"--set", "sim.horizon=5d", "--set", "sim.warmup=0s", "--set", "sim.sample_every=12h")
	md := string(readFile(t, filepath.Join(dir, "compare.md")))
	assert.Contains(t, md, "2 replications each, common master seed 7")
	assert.Contains(t, md, "two: its `sim.seed` 9 is replaced by the common seed 7 (the first scenario's).")
	assert.Contains(t, md, "two: its `sim.replications` 5 is replaced by 2 (the first scenario's).")
	var man reports.Manifest
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, "two", "manifest.json")), &man))
	assert.Equal(t, uint64(7), man.MasterSeed)
	assert.Len(t, man.Replications, 2)
	assert.Contains(t, string(readFile(t, filepath.Join(dir, "two", "scenario.toml"))), "seed = 7")

	// without --quiet: one line per scenario, the table and where it wrote
	assert.Contains(t, stdout, "one: 2 replication(s) of 5d from 2024-03-20, seed 7:")
	assert.Contains(t, stdout, "two: 2 replication(s) of 5d from 2024-03-20, seed 7:")
	assert.Regexp(t, `(?m)^metric\s+statistic\s+scenario\s+mean\s+95% CI\s+diff vs one\s+95% CI of diff$`, stdout)
	assert.Regexp(t, `(?m)^gpu_utilization\s+mean over time\s+one\s`, stdout)
	assert.Contains(t, stdout, "wrote "+dir+"/")

	// --seed overrides every scenario's seed
	dir2 := filepath.Join(tmp, "cmp2")
	mustRun(t, "compare", one, two, "--out", dir2, "--seed", "3", "--reps", "1", "--quiet",
		"--set", "sim.horizon=2d", "--set", "sim.warmup=0s", "--set", "sim.sample_every=12h")
	md = string(readFile(t, filepath.Join(dir2, "compare.md")))
	assert.Contains(t, md, "1 replication each, common master seed 3")
	assert.Contains(t, md, "`--seed 3` sets `sim.seed` of every scenario.")
	assert.NotContains(t, md, "is replaced by")
}

func TestCompareRefusesNonEmptyOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "keep.txt"), "mine")
	before := snapshot(t, dir)
	args := []string{"compare", "akash-2024", "akash-2021", "--out", dir, "--quiet", "--reps", "1",
		"--set", "sim.horizon=2d", "--set", "sim.warmup=0s", "--set", "sim.sample_every=12h"}
	code, stdout, stderr := cli(t, args...)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "--force")
	assert.Equal(t, before, snapshot(t, dir), "nothing changed in the folder")
	mustRun(t, append(args, "--force")...)
	assert.FileExists(t, filepath.Join(dir, "manifest.json"))
	assert.FileExists(t, filepath.Join(dir, "akash-2021", "manifest.json"))
	assert.Equal(t, "mine", string(readFile(t, filepath.Join(dir, "keep.txt"))))
}

func TestCompareBadInput(t *testing.T) {
	t.Parallel()
	files := t.TempDir()
	bad := writeFile(t, filepath.Join(files, "bad.toml"), badKeyTOML)
	cases := []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{"no scenario", nil, []string{"at least two scenarios", "got 0"}},
		{"one scenario", []string{"akash-2024"}, []string{"at least two scenarios", "got 1", "akash-2024"}},
		{"unknown --set key", []string{"akash-2024", "akash-2021", "--set", "nope.key=1"}, []string{"scenario 1 (akash-2024)", "nope", "unknown key"}},
		{"--set key one scenario lacks", []string{"akash-2024", "akash-2021", "--set", "tenants.training.arrivals_per_day=3"},
			[]string{"scenario 2 (akash-2021)", "training"}},
		{"bad --set value", []string{"akash-2024", "akash-2021", "--set", "sim.horizon=banana"}, []string{"sim.horizon", "banana"}},
		{"--reps 0", []string{"akash-2024", "akash-2021", "--reps", "0"}, []string{"--reps", "must be >= 1, got 0"}},
		{"--reps not a number", []string{"akash-2024", "akash-2021", "--reps", "many"}, []string{"--reps", "many"}},
		{"--seed -1", []string{"akash-2024", "akash-2021", "--seed", "-1"}, []string{"--seed", "-1"}},
		{"--workers -2", []string{"akash-2024", "akash-2021", "--workers", "-2"}, []string{"--workers"}},
		{"unknown scenario", []string{"akash-2024", "akash-2099"}, []string{"scenario 2 (akash-2099)", "presets"}},
		{"bad file", []string{bad, "akash-2024"}, []string{"scenario 1", "bad.toml:3: sim.horizonn: unknown key"}},
		{"unknown flag", []string{"akash-2024", "akash-2021", "--check"}, []string{"--check", "--help"}},
		{"--set-for without a number", []string{"akash-2024", "akash-2021", "--set-for", "market.mechanism=vickrey-reverse"}, []string{"--set-for", "K:path=value", "[1, 2]"}},
		{"--set-for out of range", []string{"akash-2024", "akash-2021", "--set-for", "3:sim.seed=2"}, []string{"--set-for", "[1, 2]"}},
		{"--set-for a key the scenario lacks", []string{"akash-2024", "akash-2024", "--set-for", "2:market.nope=1"}, []string{"scenario 2 (akash-2024)", "market.nope"}},
		{"--demand unknown", []string{"akash-2024", "akash-2021", "--demand", "nowhere-2000"}, []string{"--demand nowhere-2000"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := cli(t, concat([]string{"compare", "--out", out}, tc.args...)...)
			assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
			assert.Empty(t, stdout)
			assert.True(t, strings.HasPrefix(stderr, "depinsim compare: "), "stderr: %s", stderr)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
			assert.NoDirExists(t, out, "nothing written on bad input")
		})
	}
}

func TestCompareHelp(t *testing.T) {
	t.Parallel()
	stdout := mustRun(t, "compare", "--help")
	assert.Contains(t, stdout, "Usage: depinsim compare A B [C...]")
	for _, f := range []string{"--out", "--seed", "--reps", "--set", "--quiet", "--force", "--workers", "common random numbers", "compare.csv", "diff_ci_low"} {
		assert.Contains(t, stdout, f)
	}
	assert.Contains(t, mustRun(t, "help"), "depinsim compare A B")
}

// TestCompareSetForAndDemand compares a preset with itself under another
// mechanism (--set-for) and two different presets on one demand
// (--demand): in both, every scenario sees the same orders in each
// replication, so the difference of orders_total is exactly 0 while the
// markets' own figures differ.
func TestCompareSetForAndDemand(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "mech")
	mustRun(t, concat([]string{"compare", "akash-2024", "akash-2024", "--set-for", "2:market.mechanism=vickrey-reverse", "--out", dir, "--quiet"}, cmpShorter...)...)
	assert.Contains(t, string(readFile(t, filepath.Join(dir, "akash-2024-2", "scenario.toml"))), `mechanism = "vickrey-reverse"`)
	assert.Contains(t, string(readFile(t, filepath.Join(dir, "akash-2024", "scenario.toml"))), `mechanism = "akash-reverse"`)
	_, rows := compareCSV(t, dir)
	assert.Equal(t, []string{"0", "0", "0"}, rows["orders_total.final/akash-2024-2"][6:], "the same demand")
	assert.NotEqual(t, "0", rows["gpu_price_usd_hour.time_mean/akash-2024-2"][6], "second-price payments differ")
	md := string(readFile(t, filepath.Join(dir, "compare.md")))
	assert.Contains(t, md, "`--set-for 2:market.mechanism=vickrey-reverse` applies to scenario 2 only.")
	assert.NotContains(t, md, "other tenant cohorts")

	dir = filepath.Join(tmp, "demand")
	mustRun(t, "compare", "akash-2024", "gensyn", "--demand", "akash-2024", "--out", dir, "--quiet",
		"--set", "sim.horizon=6d", "--set", "sim.warmup=0s", "--reps", "2")
	_, rows = compareCSV(t, dir)
	assert.Equal(t, []string{"0", "0", "0"}, rows["orders_total.final/gensyn"][6:], "gensyn runs on akash-2024's orders")
	toml := string(readFile(t, filepath.Join(dir, "gensyn", "scenario.toml")))
	assert.Contains(t, toml, `name = "inference"`, "akash-2024's tenant cohorts")
	assert.NotContains(t, toml, `name = "fine-tuning"`, "gensyn's own cohorts are replaced")
	assert.Contains(t, toml, `mechanism = "single-solver"`, "gensyn's own market")
	md = string(readFile(t, filepath.Join(dir, "compare.md")))
	assert.Contains(t, md, "`--demand akash-2024`: every scenario runs on the tenant cohorts of akash-2024")

	// without --demand the note says the demand differs
	dir = filepath.Join(tmp, "own")
	mustRun(t, "compare", "akash-2024", "gensyn", "--out", dir, "--quiet",
		"--set", "sim.horizon=2d", "--set", "sim.warmup=0s", "--reps", "1")
	assert.Contains(t, string(readFile(t, filepath.Join(dir, "compare.md"))), "gensyn has other tenant cohorts")
}
