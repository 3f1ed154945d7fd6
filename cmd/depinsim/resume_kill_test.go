//go:build unix

package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sweep"
)

// resumeKillSweep is the sweep the resume kill test stops: 4 points x 4
// replications of 40 days, with its time-series dataset.
func resumeKillSweep() []string {
	horizon, reps := "40d", "4"
	return []string{"sweep", "akash-2024", "--grid", "market.max_bids=5,20", "--grid", "providers[0].count=2,6",
		"--set", "sim.horizon=" + horizon, "--set", "sim.warmup=0s", "--set", "sim.replications=" + reps, "--timeseries", "--quiet", "--progress=none"}
}

// TestSweepResumeKill stops a sweep (this binary as the CLI, see
// TestMain) with SIGINT or SIGKILL at seeded moments, then resumes it
// with --resume and a seeded --workers, stopping the resumes too, until
// it finishes; the folder must then be the uninterrupted sweep's, byte
// for byte (run.log.json aside). After each SIGINT the folder holds
// runs.csv with the runs incomplete.json counts, a closed runs.parquet,
// and no temporary file. Rounds alternate SIGINT and SIGKILL: 8 of them,
// in test-long only: under -short TestSweepResumeInterrupted interrupts
// and resumes the command (twice, and a shard), sweep's
// TestResumeKilledFolder resumes folders torn as SIGKILL leaves them, and
// TestKill sends real signals to this binary as the CLI.
func TestSweepResumeKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs in make test-long: under -short TestSweepResumeInterrupted (the command interrupted and resumed), sweep's TestResumeKilledFolder (folders torn by a kill) and TestKill (real signals) keep its coverage")
	}
	rounds := 8
	maxDelay := 500 * time.Millisecond
	base := resumeKillSweep()
	ref := filepath.Join(t.TempDir(), "ref")
	mustRun(t, concat(base, "--out", ref, "--workers", "2")...)
	rng := rand.New(rand.NewPCG(10, 3))
	for round := range rounds {
		sig := syscall.SIGINT
		if round%2 == 1 {
			sig = syscall.SIGKILL
		}
		seed := rng.Uint64()
		t.Run(fmt.Sprintf("%d-%s", round, signalName(sig)), func(t *testing.T) {
			resumeUntilDone(t, base, ref, sig, rand.New(rand.NewPCG(seed, 0)), maxDelay)
		})
	}
}

// resumeUntilDone runs the sweep base into a fresh folder, stopping it
// (and its first resumes) with sig after a delay drawn from rng, resumes
// it until it finishes and compares the folder with ref.
func resumeUntilDone(t *testing.T, base []string, ref string, sig syscall.Signal, rng *rand.Rand, maxDelay time.Duration) {
	dir := filepath.Join(t.TempDir(), "out")
	state := filepath.Join(dir, reports.SweepStateFile)
	for attempt := 0; ; attempt++ {
		require.Less(t, attempt, 10, "the sweep never finished")
		args := concat(base, "--out", dir, "--workers", strconv.Itoa(1+rng.IntN(3)))
		if attempt > 0 {
			args = append(args, "--resume")
		}
		cmd, stderr, done := startCLI(t, args...)
		finished := false
		if attempt < 3 {
			// wait for the sweep to start, then stop it: its state file
			// appears, or, on a resume, reads "running" again (a signal
			// sent before the command runs its main, which handles signals
			// first, would end the process with the signal's default
			// action: the state file of the attempt before is there from
			// the start, and a resume after SIGINT rewrites "interrupted")
			started := func() bool {
				if attempt == 0 {
					_, err := os.Stat(state)
					return err == nil
				}
				st, err := sweep.ReadState(dir)
				return err == nil && st.Status == "running"
			}
			for !finished {
				if started() {
					break
				}
				select {
				case <-done:
					finished = true
				case <-time.After(200 * time.Microsecond):
				}
			}
			if !finished {
				delay := time.Duration(rng.Int64N(int64(maxDelay)))
				time.Sleep(delay)
				if err := cmd.Process.Signal(sig); errors.Is(err, os.ErrProcessDone) {
					t.Logf("attempt %d: the sweep ended before the signal", attempt)
				}
				<-done
			}
		} else {
			<-done
		}
		code := cmd.ProcessState.ExitCode()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		t.Logf("attempt %d %v: exit code %d signaled %v: %s", attempt, args[len(base):], code, ws.Signaled(), strings.TrimSpace(stderr.String()))
		if code == 0 {
			break
		}
		if sig == syscall.SIGKILL {
			require.True(t, ws.Signaled(), "attempt %d: %s", attempt, stderr)
			continue
		}
		require.Equal(t, 130, code, "attempt %d: %s", attempt, stderr)
		st, err := sweep.ReadState(dir)
		if errors.Is(err, os.ErrNotExist) {
			break // the signal came as the sweep was ending: it is complete
		}
		require.NoError(t, err)
		assert.Equal(t, "interrupted", st.Status)
		assert.Contains(t, stderr.String(), "to finish it, run:\n  depinsim sweep akash-2024 ")
		rows := readCSV(t, filepath.Join(dir, reports.SweepRunsFile))
		assert.Len(t, rows, 1+st.RunsDone, "runs.csv holds the runs done")
		_, pq, _, err := reports.ReadParquetTable(filepath.Join(dir, reports.SweepRunsParquetFile))
		require.NoError(t, err, "runs.parquet is closed")
		assert.Len(t, pq, st.RunsDone)
		for _, f := range folderFiles(t, dir) {
			_, tmp := reports.TempBase(filepath.Base(f))
			assert.False(t, tmp, "no temporary file after SIGINT: %s", f)
		}
	}
	sameSweepFolder(t, ref, dir)
	for _, f := range folderFiles(t, dir) {
		_, tmp := reports.TempBase(filepath.Base(f))
		assert.False(t, tmp, "no temporary file left: %s", f)
	}
	assert.NoFileExists(t, state)
}
