package main

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

// tiny is a comparison's cheapest run: one replication of 2 days.
var tiny = []string{"--set", "sim.horizon=2d", "--set", "sim.warmup=0s", "--set", "sim.sample_every=12h", "--reps", "1"}

// TestCompareLabels: --label names the scenarios in every output: their
// run folders, compare.csv, compare.md, the manifest, the summary on
// stdout and the default output folder.
func TestCompareLabels(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "mech")
	stdout := mustRun(t, concat([]string{"compare", "akash-2024", "akash-2024", "--set-for", "2:market.mechanism=vickrey-reverse",
		"--label", "base", "--label", "vickrey", "--out", dir}, tiny...)...)
	assert.ElementsMatch(t, []string{"base", "vickrey", "compare.csv", "compare.md", "plots", "report.html", "manifest.json"}, dirEntries(t, dir))
	assert.Contains(t, string(readFile(t, filepath.Join(dir, "vickrey", "scenario.toml"))), `mechanism = "vickrey-reverse"`)
	_, rows := compareCSV(t, dir)
	assert.Contains(t, rows, "orders_total.final/vickrey")
	assert.Contains(t, rows, "orders_total.final/base")
	md := string(readFile(t, filepath.Join(dir, "compare.md")))
	assert.Contains(t, md, "vickrey")
	assert.NotContains(t, md, "akash-2024-2")
	var man reports.CompareManifest
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, "manifest.json")), &man))
	require.Len(t, man.Scenarios, 2)
	assert.Equal(t, "vickrey", man.Scenarios[1].Name)
	assert.Equal(t, "akash-2024", man.Scenarios[1].Scenario, "the scenario's own name stays in the manifest")
	assert.Contains(t, stdout, "vickrey: ")
	assert.Contains(t, stdout, "run folders base/, vickrey/")

	// K=LABEL names one scenario; the others keep their names
	dir = filepath.Join(tmp, "one")
	mustRun(t, concat([]string{"compare", "akash-2024", "akash-2024", "--label", "2=second", "--out", dir, "--quiet"}, tiny...)...)
	assert.ElementsMatch(t, []string{"akash-2024", "second", "compare.csv", "compare.md", "plots", "report.html", "manifest.json"}, dirEntries(t, dir))

	// a label that is a scenario's name moves the name's default aside
	dir = filepath.Join(tmp, "taken")
	mustRun(t, concat([]string{"compare", "akash-2024", "akash-2021", "--label", "2=akash-2024", "--out", dir, "--quiet"}, tiny...)...)
	assert.ElementsMatch(t, []string{"akash-2024-2", "akash-2024", "compare.csv", "compare.md", "plots", "report.html", "manifest.json"}, dirEntries(t, dir))
	assert.Contains(t, string(readFile(t, filepath.Join(dir, "akash-2024", "scenario.toml"))), `name = "akash-2021"`)

	// the default folder is named by the labels
	assert.Equal(t, filepath.Join("out", "compare-base-vickrey"), defaultCompareDir([]string{"base", "vickrey"}))
}

// TestCompareLabelErrors: a --label that cannot name a scenario's folder,
// or names none, is refused with exit code 2 before anything runs.
func TestCompareLabelErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		labels []string
		want   string
	}{
		{[]string{"a", "b", "c"}, `--label "c": more labels than the 2 scenarios`},
		{[]string{"3=x"}, `--label "3=x": want LABEL or K=LABEL with K a scenario number in [1, 2]`},
		{[]string{"0=x"}, "K a scenario number in [1, 2]"},
		{[]string{"a", "2=b"}, "not both"},
		{[]string{"2=b", "a"}, "not both"},
		{[]string{"same", "same"}, `--label "same": scenario 1 already has the label "same"`},
		{[]string{"Base", "base"}, "not only by case"},
		{[]string{"1=a", "1=b"}, `--label "1=b": scenario 1 already has the label "a"`},
		{[]string{""}, "empty label"},
		{[]string{"2="}, "empty label"},
		{[]string{"a/b"}, `'/' is not allowed`},
		{[]string{".."}, "must start with a letter or a digit"},
		{[]string{".hidden"}, "must start with a letter or a digit"},
		{[]string{"with space"}, `' ' is not allowed`},
		{[]string{"plots"}, `"plots" is the folder of the comparison's charts`},
		{[]string{"PLOTS"}, "the folder of the comparison's charts"},
		{[]string{strings.Repeat("x", 65)}, "65 characters, at most 64"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.labels, ","), func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"compare", "akash-2024", "akash-2021", "--out", out}
			for _, l := range tc.labels {
				args = append(args, "--label", l)
			}
			code, stdout, stderr := cli(t, args...)
			assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.want)
			assert.NoDirExists(t, out)
		})
	}
}

// TestCompareSetForCommonKeys: --set-for cannot set sim.seed or
// sim.replications of one scenario (a comparison runs every scenario on
// one seed and one number of replications): it is refused with exit code
// 2 and a pointer to --seed or --reps, never reported as applied.
func TestCompareSetForCommonKeys(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ set, want string }{
		{"2:sim.seed=3", "sim.seed is common to every scenario of a comparison"},
		{"1:sim.seed=3", "set it for all with --seed"},
		{"2: sim.replications = 4", "sim.replications is common to every scenario of a comparison (common random numbers: replication r of every scenario runs with the same seed); set it for all with --reps"},
		{`2:sim={ seed = 4, horizon = "2d" }`, "sim.seed is common"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := cli(t, "compare", "akash-2024", "akash-2024", "--set-for", c.set, "--out", out)
		assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "--set-for "+strconv.Quote(c.set)+": ")
		assert.Contains(t, stderr, c.want)
		_, err := os.Stat(out)
		assert.ErrorIs(t, err, os.ErrNotExist)
	}
	// other sim keys may differ between scenarios
	dir := filepath.Join(t.TempDir(), "out")
	mustRun(t, "compare", "akash-2024", "akash-2024", "--set-for", "2:sim.horizon=3d", "--out", dir, "--quiet",
		"--set", "sim.horizon=2d", "--set", "sim.warmup=0s", "--set", "sim.sample_every=12h", "--reps", "1")
	assert.Contains(t, string(readFile(t, filepath.Join(dir, "compare.md"))), "`--set-for 2:sim.horizon=3d` applies to scenario 2 only.")
}
