package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/sim"
)

// repRows returns the lines of a CSV file whose first field (rep) is rep.
func repRows(t *testing.T, path string, rep string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	for _, line := range strings.SplitAfter(string(b), "\n")[1:] {
		if strings.HasPrefix(line, rep+",") {
			out = append(out, line)
		}
	}
	return out
}

// TestRunOnlyReproducesRows: a replication re-run alone (Options.Only)
// keeps its index and seed and writes, byte for byte, its rows of the
// full run, with any number of workers; the manifest names it.
func TestRunOnlyReproducesRows(t *testing.T) {
	sc := load(t, "akash-2024", "sim.seed=7", "sim.replications=3")
	full := filepath.Join(t.TempDir(), "full")
	_, err := runner.Run(context.Background(), sc, runner.Options{Workers: 2, Sink: runner.NewFileSink(full, sc, runner.FileOptions{})})
	require.NoError(t, err)
	for _, workers := range []int{1, 2} {
		for _, rep := range []int{0, 2} {
			dir := filepath.Join(t.TempDir(), "one")
			res, err := runner.Run(context.Background(), sc, runner.Options{Workers: workers, Only: []int{rep},
				Sink: runner.NewFileSink(dir, sc, runner.FileOptions{})})
			require.NoError(t, err)
			require.Len(t, res.Replications, 1)
			assert.Equal(t, rep, res.Replications[0].Rep)
			assert.Equal(t, sim.ReplicationSeed(7, rep), res.Replications[0].Seed)
			assert.Equal(t, []int{rep}, res.Only)
			assert.Equal(t, []int{rep}, res.Summary().Reps)
			for _, f := range []string{reports.TimeseriesFile, reports.ResourcesFile, reports.CohortsFile} {
				want := repRows(t, filepath.Join(full, f), itoa(rep))
				require.NotEmpty(t, want, f)
				b, err := os.ReadFile(filepath.Join(dir, f))
				require.NoError(t, err)
				lines := strings.SplitAfter(string(b), "\n")
				got := lines[1 : len(lines)-1] // after the header, before the final ""
				assert.True(t, strings.Join(want, "") == strings.Join(got, ""), "%s, rep %d, workers %d: rows differ from the full run's", f, rep, workers)
			}
			man, err := os.ReadFile(filepath.Join(dir, reports.ManifestFile))
			require.NoError(t, err)
			assert.Contains(t, string(man), `"only_replications": [`+"\n    "+itoa(rep)+"\n  ]")
			assert.Contains(t, string(man), `"seed_derivation": "`+sim.SeedDerivation+`"`)
		}
	}
	man, err := os.ReadFile(filepath.Join(full, reports.ManifestFile))
	require.NoError(t, err)
	assert.NotContains(t, string(man), "only_replications", "a full run re-ran nothing alone")
	assert.Contains(t, string(man), `"seed_derivation": "`+sim.SeedDerivation+`"`)
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestRunOnlyRefused: replications out of range, repeated or out of
// order are refused before anything runs, naming the replication.
func TestRunOnlyRefused(t *testing.T) {
	sc := load(t, "akash-2024", "sim.replications=3")
	for _, tc := range []struct {
		only []int
		want string
	}{
		{[]int{3}, "replication 3: the run has 3 replication(s), numbered 0 to 2"},
		{[]int{-1}, "replication -1: the run has 3"},
		{[]int{1, 1}, "replication 1 after replication 1"},
		{[]int{2, 0}, "replication 0 after replication 2"},
	} {
		sink := &runner.MemorySink{}
		_, err := runner.Run(context.Background(), sc, runner.Options{Only: tc.only, Sink: sink})
		require.Error(t, err, "%v", tc.only)
		assert.Contains(t, err.Error(), tc.want)
		assert.Empty(t, sink.Recordings)
	}
	assert.NoError(t, runner.CheckOnly([]int{0, 2}, 3))
}

// TestSeedDerivation: the manifests' description of the replication
// seeds is what ReplicationSeed computes.
func TestSeedDerivation(t *testing.T) {
	assert.Equal(t, "splitmix64(master_seed + rep * 0x9E3779B97F4A7C15)", sim.SeedDerivation)
	splitmix := func(x uint64) uint64 {
		x += 0x9E3779B97F4A7C15
		x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
		x = (x ^ (x >> 27)) * 0x94D049BB133111EB
		return x ^ (x >> 31)
	}
	for _, master := range []uint64{0, 1, 7, 1 << 40} {
		for rep := range 5 {
			assert.Equal(t, splitmix(master+uint64(rep)*0x9E3779B97F4A7C15), sim.ReplicationSeed(master, rep))
		}
	}
}
