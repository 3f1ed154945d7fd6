//go:build unix

package main

// The kill test: depinsim run as a process of its own, stopped by
// SIGKILL, SIGINT or SIGTERM at seeded moments of the simulation and of
// the writing of its folder. The test binary is the CLI too: TestMain
// runs main when asCLI is set in its environment, so nothing is built.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
)

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		if path := os.Getenv(hwmFile); path != "" {
			os.Exit(runWritingHWM(path))
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// hwmFile is the environment variable that makes the CLI child write, as
// it ends, its peak resident memory in KiB to the file it names
// (TestMemoryEstimateMatchesPeakRSS). The peak is VmHWM of
// /proc/self/status, the high-water mark of the child's own address
// space: getrusage's ru_maxrss will not do, as Linux counts in it the
// address space the child shared with its parent until exec, so a child
// of a test process that has grown reads the parent's size.
const hwmFile = "DEPINSIM_TEST_HWM_FILE"

// runWritingHWM runs the CLI as main does (its heap set up alike, without
// its signal handling and profiles) and writes the process's VmHWM in
// KiB to path; it returns the exit code. Where /proc/self/status has no
// VmHWM (not Linux) it writes nothing.
func runWritingHWM(path string) int {
	if err := setUpHeap(os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "depinsim: "+err.Error())
		return exitUsage
	}
	code := runContext(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return code
	}
	for line := range strings.Lines(string(status)) {
		if kib, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if err := os.WriteFile(path, []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kib), "kB"))), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "depinsim test:", err)
				return exitRun
			}
		}
	}
	return code
}

// killRun is the run the kill test stops: six replications of 30 days on
// one worker, about a second, half of it writing (fsyncs and charts).
// Under -short, three of 10 days.
func killRun() []string {
	reps, horizon := "6", "30d"
	if testing.Short() {
		reps, horizon = "3", "10d"
	}
	return []string{"run", "--quiet", "--reps", reps, "--workers", "1",
		"--set", "sim.warmup=10d", "--set", "sim.horizon=" + horizon, "--set", "sim.sample_every=12h"}
}

// startCLI starts depinsim (this binary) with args; the channel receives
// its end.
func startCLI(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, <-chan error) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), asCLI+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, &stderr, done
}

// Moments of a run at which the kill test stops it: the delay after the
// first sign of each phase.
const (
	momentLocked    = iota // the folder exists: it is locked, the simulation starts
	momentWriting          // a temporary data file exists: replications are being appended
	momentFinishing        // timeseries.csv has its name: the folder is being completed
)

// reached reports whether the run into dir has reached moment.
func reached(dir string, moment int) bool {
	switch moment {
	case momentLocked:
		_, err := os.Stat(dir)
		return err == nil
	case momentWriting:
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if base, ok := reports.TempBase(e.Name()); ok && base == reports.TimeseriesFile {
				return true
			}
		}
		return false
	default:
		_, err := os.Stat(filepath.Join(dir, reports.TimeseriesFile))
		return err == nil
	}
}

// killCase is one run stopped by a signal.
type killCase struct {
	sig    syscall.Signal
	moment int
	delay  time.Duration
}

func (c killCase) String() string {
	name := map[syscall.Signal]string{syscall.SIGKILL: "SIGKILL", syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[c.sig]
	return fmt.Sprintf("%s-moment%d-%s", name, c.moment, c.delay)
}

// killAndCheck runs killRun into a fresh folder, sends c.sig at c's moment
// and checks what the run leaves: after SIGINT or SIGTERM exit code 130
// or 143 and no folder or a complete one with no temporary file; after
// SIGKILL no torn file. Then a run with --force must leave a complete
// folder with exactly the run's files.
func killAndCheck(t *testing.T, c killCase) {
	dir := filepath.Join(t.TempDir(), "out")
	cmd, stderr, done := startCLI(t, append(killRun(), "--out", dir)...)
	var exited error
	finished := false
	// wait for the moment (or the end of the run), polling the folder
	for !finished && !reached(dir, c.moment) {
		select {
		case exited = <-done:
			finished = true
		case <-time.After(200 * time.Microsecond):
		}
	}
	if !finished {
		time.Sleep(c.delay)
		if err := cmd.Process.Signal(c.sig); errors.Is(err, os.ErrProcessDone) {
			t.Logf("%v: the run had ended before the signal", c)
		}
		exited = <-done
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	code := cmd.ProcessState.ExitCode()
	t.Logf("%v: exit code %d: %s", c, code, strings.TrimSpace(stderr.String()))
	switch {
	case code == 0:
		// the run ended before the signal reached it: it must be complete
		require.NoError(t, exited)
		require.NotEqual(t, momentLocked, c.moment, "the run cannot end this early: %v", c)
		checkComplete(t, dir)
	case c.sig == syscall.SIGKILL:
		require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "%v: %v\n%s", c, exited, stderr)
		checkNotTorn(t, dir)
	default:
		require.Equal(t, 128+int(c.sig), code, "%v: stderr:\n%s", c, stderr)
		msg := stderr.String()
		assert.Contains(t, msg, "interrupted by "+signalName(c.sig))
		if _, err := os.Stat(filepath.Join(dir, reports.ManifestFile)); err == nil {
			assert.Contains(t, msg, "kept "+dir+"/ (complete)")
			checkComplete(t, dir)
		} else {
			assert.Contains(t, msg, "nothing kept")
			assert.NoDirExists(t, dir, "an interrupted run leaves no folder")
		}
	}
	// the next run with --force clears whatever is left
	_, stderr, done = startCLI(t, append(killRun(), "--out", dir, "--force")...)
	require.NoError(t, <-done, "run --force after %v: %s", c, stderr)
	checkComplete(t, dir)
}

// checkNotTorn checks what a killed run left in dir: a complete folder,
// or files that are each whole (written under temporary names and then
// renamed) next to temporary files.
func checkNotTorn(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, reports.ManifestFile)); err == nil {
		checkComplete(t, dir)
		return
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return
	}
	for _, f := range folderFiles(t, dir) {
		if _, ok := reports.TempBase(filepath.Base(f)); ok {
			continue
		}
		assert.Contains(t, append(reports.RunFiles(), reports.ManifestFile), f)
		checkWhole(t, filepath.Join(dir, f))
	}
}

// killCases returns n cases per signal at every moment, with delays drawn
// from a seeded stream: short after the first two moments (the
// simulation goes on), up to 40 ms into the finishing (the folder's
// files being completed).
func killCases(seed uint64, n int) []killCase {
	rng := rand.New(rand.NewPCG(seed, 0))
	var cases []killCase
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT, syscall.SIGTERM} {
		for moment := momentLocked; moment <= momentFinishing; moment++ {
			for range n {
				max := 60 * time.Millisecond
				if moment == momentFinishing {
					max = 40 * time.Millisecond
				}
				cases = append(cases, killCase{sig: sig, moment: moment, delay: time.Duration(rng.Int64N(int64(max))).Round(time.Millisecond)})
			}
		}
	}
	return cases
}

// TestKill stops runs with SIGKILL, SIGINT and SIGTERM at seeded moments
// of the simulation and of the writing (see killAndCheck): 3 signals x 3
// moments x 2 delays. Under -short, one SIGINT and one SIGKILL.
func TestKill(t *testing.T) {
	cases := killCases(9, 2)
	if testing.Short() {
		cases = []killCase{
			{sig: syscall.SIGINT, moment: momentWriting, delay: 5 * time.Millisecond},
			{sig: syscall.SIGKILL, moment: momentFinishing, delay: 10 * time.Millisecond},
		}
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			if !testing.Short() {
				t.Parallel() // the runs wait on fsync more than they compute
			}
			killAndCheck(t, c)
		})
	}
}
