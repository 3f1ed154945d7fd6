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
	"github.com/depinsim/depinsim/sensitivity"
)

// TestSensitivityResumeKill stops a sensitivity analysis (this binary as
// the CLI, see TestMain) with SIGINT or SIGKILL at seeded moments, then
// resumes it with --resume and a seeded --workers, stopping the resumes
// too, until it finishes; the folder must then be the uninterrupted
// analysis's, byte for byte (run.log.json aside). After each SIGINT the
// folder holds incomplete.json and the journal, and the error names the
// command that finishes it. Rounds alternate SIGINT and SIGKILL: 6 of
// 40-day runs.
func TestSensitivityResumeKill(t *testing.T) {
	longOnly(t, "a sensitivity analysis killed and resumed 6 times")
	rounds, horizon, maxDelay := 6, "40d", 600*time.Millisecond
	file := writeSensitivity(t, tinySensitivity, horizon)
	base := []string{"sensitivity", file, "--quiet", "--progress=none"}
	ref := filepath.Join(t.TempDir(), "ref")
	mustRun(t, concat(base, "--out", ref, "--workers", "2")...)
	rng := rand.New(rand.NewPCG(14, 1))
	for round := range rounds {
		sig := syscall.SIGINT
		if round%2 == 1 {
			sig = syscall.SIGKILL
		}
		seed := rng.Uint64()
		t.Run(fmt.Sprintf("%d-%s", round, signalName(sig)), func(t *testing.T) {
			resumeSensitivityUntilDone(t, base, ref, sig, rand.New(rand.NewPCG(seed, 0)), maxDelay)
		})
	}
}

// resumeSensitivityUntilDone runs the analysis base into a fresh folder,
// stopping it (and its first resumes) with sig after a delay drawn from
// rng, resumes it until it finishes and compares the folder with ref.
func resumeSensitivityUntilDone(t *testing.T, base []string, ref string, sig syscall.Signal, rng *rand.Rand, maxDelay time.Duration) {
	dir := filepath.Join(t.TempDir(), "out")
	state := filepath.Join(dir, sensitivity.StateFile)
	stopped := 0
	for attempt := 0; ; attempt++ {
		require.Less(t, attempt, 10, "the analysis never finished")
		args := concat(base, "--out", dir, "--workers", strconv.Itoa(1+rng.IntN(3)))
		if attempt > 0 {
			args = append(args, "--resume")
		}
		cmd, stderr, done := startCLI(t, args...)
		finished := false
		if attempt < 3 {
			for !finished {
				if _, err := os.Stat(state); err == nil {
					break
				}
				select {
				case <-done:
					finished = true
				case <-time.After(200 * time.Microsecond):
				}
			}
			if !finished {
				time.Sleep(time.Duration(rng.Int64N(int64(maxDelay))))
				if err := cmd.Process.Signal(sig); errors.Is(err, os.ErrProcessDone) {
					t.Logf("attempt %d: the analysis ended before the signal", attempt)
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
		stopped++
		if sig == syscall.SIGKILL {
			require.True(t, ws.Signaled(), "attempt %d: %s", attempt, stderr)
			continue
		}
		require.Equal(t, 130, code, "attempt %d: %s", attempt, stderr)
		if _, err := os.Stat(state); errors.Is(err, os.ErrNotExist) {
			break // the signal came as the analysis was ending: it is complete
		}
		assert.FileExists(t, filepath.Join(dir, sensitivity.JournalFile))
		assert.Contains(t, stderr.String(), "to finish it, run:\n  depinsim sensitivity ")
		assert.Contains(t, stderr.String(), " --resume")
	}
	t.Logf("stopped %d time(s)", stopped)
	sameSensitivityFolder(t, ref, dir)
	for _, f := range folderFiles(t, dir) {
		_, tmp := reports.TempBase(filepath.Base(f))
		assert.False(t, tmp, "no temporary file left: %s", f)
	}
}
