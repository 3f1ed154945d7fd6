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
	"github.com/depinsim/depinsim/sim"
)

// repScenario is a small run of three replications without warmup.
var repScenario = []string{"akash-2024", "--set", "sim.horizon=10d", "--set", "sim.warmup=0s", "--reps", "3", "--quiet"}

// TestRunRepReproducesRows: 'run --rep 1' writes, byte for byte, the
// rows with rep 1 of the full run in every CSV file, with 1 and 2
// workers, and its manifest names the replication and its seed.
func TestRunRepReproducesRows(t *testing.T) {
	tmp := t.TempDir()
	full := filepath.Join(tmp, "full")
	mustRun(t, concat([]string{"run"}, concat(repScenario, "--out", full)...)...)
	for _, w := range []string{"1", "2"} {
		one := filepath.Join(tmp, "one"+w)
		mustRun(t, concat([]string{"run"}, concat(repScenario, "--rep", "1", "--workers", w, "--out", one)...)...)
		for _, f := range []string{reports.TimeseriesFile, reports.ResourcesFile, reports.CohortsFile} {
			all := strings.SplitAfter(string(readFile(t, filepath.Join(full, f))), "\n")
			var want []string
			for _, line := range all[1:] {
				if strings.HasPrefix(line, "1,") {
					want = append(want, line)
				}
			}
			require.NotEmpty(t, want, f)
			got := strings.SplitAfter(string(readFile(t, filepath.Join(one, f))), "\n")
			assert.Equal(t, all[0], got[0], "%s: header", f)
			assert.True(t, strings.Join(want, "") == strings.Join(got[1:], ""), "%s, --workers %s: the rows of --rep 1 differ from the full run's rows with rep 1", f, w)
		}
		var man reports.Manifest
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(one, reports.ManifestFile)), &man))
		assert.Equal(t, []int{1}, man.Only)
		require.Len(t, man.Replications, 1)
		assert.Equal(t, 1, man.Replications[0].Rep)
		assert.Equal(t, sim.ReplicationSeed(man.MasterSeed, 1), man.Replications[0].Seed)
		assert.Equal(t, sim.SeedDerivation, man.SeedDerivation)
		var sum reports.Summary
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(one, reports.SummaryFile)), &sum))
		assert.Equal(t, []int{1}, sum.Reps, "summary.json is that of a 1-replication run")
	}
	var man reports.Manifest
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(full, reports.ManifestFile)), &man))
	assert.Nil(t, man.Only)
	assert.Equal(t, sim.SeedDerivation, man.SeedDerivation)
	for rep, r := range man.Replications {
		assert.Equal(t, sim.ReplicationSeed(man.MasterSeed, rep), r.Seed)
	}
}

// TestRunRepOutOfRange: --rep outside [0, sim.replications) is refused
// with exit code 2, a message naming the value and the range, and
// nothing written.
func TestRunRepOutOfRange(t *testing.T) {
	for _, k := range []int{3, -1, 100} {
		out := filepath.Join(t.TempDir(), "x")
		code, _, stderr := cli(t, concat([]string{"run"}, concat(repScenario, "--rep", strconv.Itoa(k), "--out", out)...)...)
		assert.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, "--rep: replication "+strconv.Itoa(k)+" does not exist: the run has sim.replications = 3, numbered 0 to 2")
		_, err := os.Stat(out)
		assert.True(t, os.IsNotExist(err), "nothing written for --rep %d", k)
	}
}
