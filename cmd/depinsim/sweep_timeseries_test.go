package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/sweep"
)

// TestSweepTimeseries: with --timeseries every run has its file in
// timeseries/point=P/rep-R.parquet, the same bytes for 1 and 2 workers,
// holding the columns (in order) and values of the timeseries.csv of
// 'depinsim run --rep R' of the point, with the run's provenance; sweep.json
// lists the dataset; --force without the flag clears it. (Without the
// flag there is no timeseries/: TestSweepEndToEnd checks the folder's
// names.)
func TestSweepTimeseries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	one, two := filepath.Join(dir, "w1"), filepath.Join(dir, "w2")
	out := mustRun(t, concat(sweepArgs[:len(sweepArgs)-1], "--timeseries", "--out", one, "--workers", "1")...)
	assert.Contains(t, out, "runs.parquet, timeseries/,")
	mustRun(t, concat(sweepArgs, "--timeseries", "--out", two, "--workers", "2")...)
	var man sweep.Manifest
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(one, reports.SweepManifestFile)), &man))
	assert.Contains(t, man.Files, "timeseries/")

	// exactly one file per run (and no temporary file), the same bytes for 1 and 2 workers
	for _, d := range []string{one, two} {
		files, err := filepath.Glob(filepath.Join(d, "timeseries", "*", "*"))
		require.NoError(t, err)
		assert.Len(t, files, 4*2)
		hidden, err := filepath.Glob(filepath.Join(d, "timeseries", "*", ".*"))
		require.NoError(t, err)
		assert.Empty(t, hidden)
	}
	for p := range 4 {
		for rep := range 2 {
			f := reports.SweepTimeseriesFile(p, rep)
			a := readFile(t, filepath.Join(one, f))
			assert.Equal(t, a, readFile(t, filepath.Join(two, f)), "%s is the same for 1 and 2 workers", f)
			// the size estimate bounds the file, not too loosely
			_, rows, _, err := reports.ReadParquetTable(filepath.Join(one, f))
			require.NoError(t, err)
			est := reports.TimeseriesParquetBytes(int64(len(rows)))
			assert.Less(t, float64(len(a)), est, "%s: %d rows", f, len(rows))
			assert.Greater(t, float64(len(a)), est/3, "%s: %d rows", f, len(rows))
		}
	}

	// point 3 is max_bids 20, providers[0].count 6: its replication 1 alone
	runDir := filepath.Join(dir, "run")
	mustRun(t, "run", "akash-2024", "--out", runDir, "--quiet", "--set", "sim.horizon=5d", "--set", "sim.warmup=0s",
		"--set", "sim.replications=2", "--set", "market.max_bids=20", "--set", "providers[0].count=6", "--rep", "1")
	csvRows := readCSV(t, filepath.Join(runDir, reports.TimeseriesFile))
	cols, rows, meta, err := reports.ReadParquetTable(filepath.Join(one, reports.SweepTimeseriesFile(3, 1)))
	require.NoError(t, err)
	require.Len(t, cols, len(csvRows[0]))
	for i, c := range cols {
		assert.Equal(t, csvRows[0][i], c.Name, "column %d", i)
	}
	assert.Equal(t, reports.ColInt64, cols[0].Kind)
	require.Len(t, rows, len(csvRows)-1)
	for i, row := range rows {
		for j, v := range row {
			got := strconv.FormatInt(v.Int64(), 10)
			if v.Kind() == reports.ColFloat64 {
				got = ""
				if f := v.Float64(); !math.IsNaN(f) {
					got = strconv.FormatFloat(f, 'g', -1, 64)
				}
			}
			assert.Equal(t, csvRows[1+i][j], got, "row %d column %s", i, cols[j].Name)
		}
	}
	assert.Equal(t, "3", meta["point"])
	assert.Equal(t, "market.max_bids=20, providers[0].count=6", meta["point_values"])
	assert.Equal(t, "1", meta["rep"])
	assert.Equal(t, strconv.FormatUint(sim.ReplicationSeed(1, 1), 10), meta["seed"])
	assert.Equal(t, "1", meta["master_seed"])
	assert.Equal(t, man.BaseSHA256, meta["base_sha256"])
	assert.Equal(t, man.SweepSHA256, meta["sweep_sha256"])
	assert.Equal(t, strconv.Itoa(sweep.FormatVersion), meta["format_version"])
	assert.Equal(t, man.ToolVersion, meta["tool_version"])

	// --force without --timeseries clears the dataset
	mustRun(t, concat(sweepArgs, "--out", one, "--force")...)
	assert.NoDirExists(t, filepath.Join(one, reports.SweepTimeseriesDir))
}

// TestSweepTimeseriesFailedRun: a failed run writes no file, the others
// do; nothing temporary is left. (Not parallel: it sets sweepRecorder.)
func TestSweepTimeseriesFailedRun(t *testing.T) {
	failRuns(t, func(point, rep int) bool { return point == 2 && rep == 1 })
	dir := filepath.Join(t.TempDir(), "out")
	code, _, _ := cli(t, concat(sweepArgs, "--out", dir, "--workers", "2", "--timeseries")...)
	assert.Equal(t, exitRun, code)
	for p := range 4 {
		for rep := range 2 {
			f := filepath.Join(dir, reports.SweepTimeseriesFile(p, rep))
			if p == 2 && rep == 1 {
				assert.NoFileExists(t, f)
			} else {
				assert.FileExists(t, f)
			}
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "timeseries", "point=2"))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "rep-0.parquet", entries[0].Name())
}
