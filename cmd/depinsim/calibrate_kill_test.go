//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/calibrate"
	"github.com/depinsim/depinsim/reports"
)

// tinyCalibration writes a small calibration of akash-2024 (5 days, one
// parameter, two starts) and returns its path.
func tinyCalibration(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tiny.toml")
	require.NoError(t, os.WriteFile(p, []byte(`base = "akash-2024"
seed = 7
replications = 2
check_replications = 2
set = ["sim.horizon=5d", "sim.warmup=0s"]
[search]
generations = 2
polish = 4
starts = 2
profile = 1
[[param]]
key = "tenants[2].arrivals_per_day"
min = 5
max = 60
scale = "log"
[[target]]
name = "gpu"
metric = "gpu_utilization"
stat = "mean"
min = 0.4
max = 0.6
`), 0o644))
	return p
}

// sameCalibrationFolder compares two calibration folders file by file,
// run.log.json aside.
func sameCalibrationFolder(t *testing.T, a, b string) {
	t.Helper()
	sa, sb := snapshot(t, a), snapshot(t, b)
	delete(sa, calibrate.LogFile)
	delete(sb, calibrate.LogFile)
	require.NotEmpty(t, sa[calibrate.FittedSet], "%s is complete", a)
	assert.Equal(t, len(sa), len(sb), "%s and %s hold as many files", a, b)
	for name, want := range sa {
		got, ok := sb[name]
		if assert.True(t, ok, "%s has %s", b, name) {
			assert.True(t, want == got, "%s is the same in %s and %s", name, a, b)
		}
	}
}

// journalLines counts the complete lines of the journal in dir.
func journalLines(dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, calibrate.JournalFile))
	return bytes.Count(b, []byte("\n"))
}

// TestCalibrateKillResume kills 'depinsim calibrate' (this binary as the
// CLI) with SIGKILL once its journal holds a few evaluations, stops the
// first resume with SIGINT a few evaluations later, and resumes again to
// the end: the folder must be the uninterrupted calibration's, byte for
// byte (run.log.json aside), and the journal gone. Under -short, the
// uninterrupted calibration only: its folder is complete and without a
// journal.
func TestCalibrateKillResume(t *testing.T) {
	cal := tinyCalibration(t)
	base := []string{"calibrate", cal, "--quiet"}
	ref := filepath.Join(t.TempDir(), "ref")
	mustRun(t, concat(base, "--out", ref, "--workers", "2")...)
	require.NotEmpty(t, snapshot(t, ref)[calibrate.FittedSet], "the fitted set")
	assert.FileExists(t, filepath.Join(ref, reports.ReportFile))
	assert.NoFileExists(t, filepath.Join(ref, calibrate.JournalFile))
	if testing.Short() {
		return // killed, resumed and merged from shards: make test-long
	}
	dir := filepath.Join(t.TempDir(), "out")
	for attempt, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT, 0} {
		args := concat(base, "--out", dir, "--workers", "2")
		if attempt > 0 {
			args = append(args, "--resume")
		}
		before := journalLines(dir)
		cmd, stderr, done := startCLI(t, args...)
		if sig != 0 {
			finished := false
			for !finished && journalLines(dir) < before+3 {
				select {
				case <-done:
					finished = true
				case <-time.After(time.Millisecond):
				}
			}
			require.False(t, finished, "attempt %d: the calibration ended before the signal: %s", attempt, stderr)
			if err := cmd.Process.Signal(sig); errors.Is(err, os.ErrProcessDone) {
				t.Fatalf("attempt %d: the calibration ended before the signal", attempt)
			}
		}
		<-done
		code := cmd.ProcessState.ExitCode()
		t.Logf("attempt %d: exit code %d, %d journal lines: %s", attempt, code, journalLines(dir), strings.TrimSpace(stderr.String()))
		switch sig {
		case syscall.SIGKILL:
			require.True(t, cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled())
			require.FileExists(t, filepath.Join(dir, calibrate.JournalFile))
		case syscall.SIGINT:
			require.Equal(t, 130, code, "%s", stderr)
			assert.Contains(t, stderr.String(), "--resume")
			require.FileExists(t, filepath.Join(dir, calibrate.JournalFile))
			assert.NoFileExists(t, filepath.Join(dir, calibrate.FittedSet))
		default:
			require.Equal(t, 0, code, "%s", stderr)
		}
	}
	sameCalibrationFolder(t, ref, dir)
	assert.NoFileExists(t, filepath.Join(dir, calibrate.JournalFile))

	// the same calibration in two shards, merged
	root := t.TempDir()
	s1, s2, merged := filepath.Join(root, "s1"), filepath.Join(root, "s2"), filepath.Join(root, "merged")
	mustRun(t, concat(base, "--out", s2, "--shard", "2/2")...)
	mustRun(t, concat(base, "--out", s1, "--shard", "1/2")...)
	mustRun(t, "calibrate", cal, "--merge", s2, s1, "--out", merged, "--quiet")
	sameCalibrationFolder(t, ref, merged)
	code, _, stderr := cli(t, "calibrate", cal, "--merge", s1, "--out", filepath.Join(root, "m2"), "--seed", "8")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "master_seed 7 (not 8)")
	code, _, stderr = cli(t, "calibrate", cal, "--shard", "3/3", "--out", filepath.Join(root, "s3"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "3 shards of 2 start(s)")
}
