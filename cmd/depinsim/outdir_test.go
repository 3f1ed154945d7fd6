package main

// Tests of the output folder's life: the destination checked before
// anything is simulated, the lock against a second run, --force clearing
// a previous output, and runs stopped by a signal.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
)

// cliContext runs the command line under ctx and returns its exit code,
// stdout and stderr.
func cliContext(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := runContext(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// cancelled returns a context already cancelled with cause.
func cancelled(cause error) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	return ctx
}

// TestRunUnwritableOut: an --out that cannot be created is refused with
// exit code 2 naming it before anything is simulated. The context is
// cancelled from the start: had the simulation started first, the run
// would end with exit code 1 "run stopped after 0 of 50 replications".
func TestRunUnwritableOut(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	file := writeFile(t, filepath.Join(tmp, "file.txt"), "not a folder")
	outs := []string{filepath.Join(file, "out"), filepath.Join(file, "a", "b")}
	if runtime.GOOS == "linux" {
		outs = append(outs, "/proc/self/depinsim-out") // no folder can be made there, even by root
	}
	for _, out := range outs {
		for _, cmd := range [][]string{
			{"run", "--reps", "50", "--out", out},
			{"compare", "akash-2024", "akash-2021", "--reps", "50", "--out", out},
		} {
			code, stdout, stderr := cliContext(cancelled(context.Canceled), cmd...)
			assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "--out "+out+": cannot create the folder")
			assert.NotContains(t, stderr, "replications")
		}
	}
	assert.Equal(t, "not a folder", string(readFile(t, file)))

	if os.Geteuid() != 0 { // root writes in any folder
		ro := filepath.Join(tmp, "ro")
		require.NoError(t, os.Mkdir(ro, 0o555))
		code, _, stderr := cliContext(cancelled(context.Canceled), "run", "--reps", "50", "--out", ro)
		assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
		assert.Contains(t, stderr, "--out "+ro+": cannot write in the folder")
		code, _, stderr = cliContext(cancelled(context.Canceled), "run", "--reps", "50", "--out", filepath.Join(ro, "sub"))
		assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
		assert.Contains(t, stderr, "cannot create the folder")
	}
}

// TestRunRefusesLockedOut: while a folder is locked (as a run holds it),
// run and compare refuse it with exit code 2, name it and change nothing.
func TestRunRefusesLockedOut(t *testing.T) {
	t.Parallel()
	if folderLocking == "none" {
		t.Skip("no folder lock on " + runtime.GOOS)
	}
	dir := t.TempDir()
	lock, err := lockFolder(dir)
	require.NoError(t, err)
	defer lock.Close()
	_, err = lockFolder(dir)
	require.ErrorIs(t, err, errLocked, "a second lock is refused, even in one process")

	for _, args := range [][]string{
		concat([]string{"run", "--out", dir, "--reps", "1", "--force"}, shorter...),
		concat([]string{"compare", "akash-2024", "akash-2021", "--out", dir, "--reps", "1", "--force"}, shorter...),
	} {
		code, stdout, stderr := cli(t, args...)
		assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "--out "+dir+": another depinsim run or compare is writing this folder (it is locked)")
		assert.Empty(t, folderFiles(t, dir))
	}
	lock.Close()
	mustRun(t, concat([]string{"run", "--out", dir, "--reps", "1", "--quiet"}, shorter...)...)
	_, err = lockFolder(dir)
	assert.NoError(t, err, "the run released its lock")
}

// TestRunConcurrentSameOut: two runs of different seeds into one folder
// at once: exactly one succeeds, the other exits with code 2 naming the
// folder (locked, or not empty when it came second), and the folder is
// the winner's run, file for file.
func TestRunConcurrentSameOut(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "out")
	args := func(seed, out string) []string {
		return concat([]string{"run", "--out", out, "--reps", "2", "--quiet", "--seed", seed}, shorter...)
	}
	codes := make([]int, 2)
	stderrs := make([]string, 2)
	var wg sync.WaitGroup
	for i, seed := range []string{"1", "2"} {
		wg.Go(func() { codes[i], _, stderrs[i] = cliContext(context.Background(), args(seed, dir)...) })
	}
	wg.Wait()
	slices.Sort(codes)
	require.Equal(t, []int{exitOK, exitUsage}, codes, "stderr: %q", stderrs)
	loser := strings.Join(stderrs, "")
	assert.Contains(t, loser, "--out "+dir+": ")

	var man reports.Manifest
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, reports.ManifestFile)), &man))
	ref := filepath.Join(tmp, "ref")
	mustRun(t, args(map[uint64]string{1: "1", 2: "2"}[man.MasterSeed], ref)...)
	for _, f := range []string{reports.TimeseriesFile, reports.ResourcesFile, reports.CohortsFile, reports.SummaryFile, reports.ScenarioFile} {
		assert.Equal(t, readFile(t, filepath.Join(ref, f)), readFile(t, filepath.Join(dir, f)), "%s is the seed-%d run's", f, man.MasterSeed)
	}
	checkComplete(t, dir)
}

// TestRunForceClearsStaleOutput: --force leaves the folder with exactly
// the new run's files: temporary files of a killed run, a previous
// comparison's files and its run folders go; files and folders depinsim
// did not write stay. Without --force, a folder holding only a killed
// run's files is refused with a message saying so.
func TestRunForceClearsStaleOutput(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, reports.PlotsDir), 0o755))
	// what a killed run leaves
	writeFile(t, filepath.Join(dir, ".timeseries.csv.tmp-123456"), "rep,t_hours\n0,")
	writeFile(t, filepath.Join(dir, reports.ResourcesFile), "old")
	writeFile(t, filepath.Join(dir, reports.PlotsDir, ".price.png.tmp-42"), "\x89PNG")
	code, _, stderr := cli(t, concat([]string{"run", "--out", dir, "--reps", "1"}, shorter...)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--out "+dir+": folder holds the unfinished output of a run that was killed or failed (no manifest.json); use --force")

	// a previous comparison's files and run folders, and the user's own
	writeFile(t, filepath.Join(dir, reports.CompareMarkdownFile), "# old comparison")
	writeFile(t, filepath.Join(dir, reports.PlotsDir, "compare_price.svg"), "<svg/>")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "old-a", reports.PlotsDir), 0o755))
	writeFile(t, filepath.Join(dir, "old-a", reports.SummaryFile), "{}")
	writeFile(t, filepath.Join(dir, "old-a", reports.PlotsDir, "flows.png"), "png")
	writeFile(t, filepath.Join(dir, "old-a", ".cohorts.csv.tmp-7"), "x")
	writeFile(t, filepath.Join(dir, reports.ManifestFile), `{"kind": "compare", "scenarios": [{"name": "old-a"}, {"name": "../escape"}]}`)
	writeFile(t, filepath.Join(dir, "notes.txt"), "mine")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "mine"), 0o755))
	writeFile(t, filepath.Join(dir, "mine", reports.SummaryFile), "mine too")
	writeFile(t, filepath.Join(dir, ".timeseries.csv.tmp-mine"), "not a temporary of depinsim's")

	mustRun(t, concat([]string{"run", "--out", dir, "--reps", "1", "--quiet", "--force"}, shorter...)...)
	var man reports.Manifest
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, reports.ManifestFile)), &man))
	want := append(slices.Clone(man.Files), reports.ManifestFile, "notes.txt", "mine/"+reports.SummaryFile, ".timeseries.csv.tmp-mine")
	assert.ElementsMatch(t, want, folderFiles(t, dir))
	assert.Equal(t, "mine too", string(readFile(t, filepath.Join(dir, "mine", reports.SummaryFile))))
	assert.Len(t, man.Replications, 1)
}

// TestRunSignalled: a run stopped by SIGINT or SIGTERM exits with 130 or
// 143, says so and what was kept, and leaves no folder; into a folder
// --force had cleared, the folder stays with the user's files only.
func TestRunSignalled(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		parent := t.TempDir()
		dir := filepath.Join(parent, "out")
		code, stdout, stderr := cliContext(cancelled(signalled{c.sig}), concat([]string{"run", "--out", dir, "--reps", "2"}, shorter...)...)
		assert.Equal(t, c.code, code, "stderr: %s", stderr)
		assert.Empty(t, stdout)
		assert.Equal(t, "depinsim run: run stopped after 0 of 2 replications: interrupted by "+signalName(c.sig)+
			"; removed the unfinished files: nothing kept ("+dir+" removed)\n", stderr)
		assert.NoDirExists(t, dir)

		code, _, stderr = cliContext(cancelled(signalled{c.sig}), concat([]string{"compare", "akash-2024", "akash-2021", "--out", dir, "--reps", "1"}, shorter...)...)
		assert.Equal(t, c.code, code, "stderr: %s", stderr)
		assert.Contains(t, stderr, "interrupted by "+signalName(c.sig))
		assert.NoDirExists(t, dir)
	}

	dir := t.TempDir()
	mustRun(t, concat([]string{"run", "--out", dir, "--reps", "1", "--quiet"}, shorter...)...)
	writeFile(t, filepath.Join(dir, "notes.txt"), "mine")
	code, _, stderr := cliContext(cancelled(signalled{syscall.SIGINT}), concat([]string{"run", "--out", dir, "--reps", "1", "--force"}, shorter...)...)
	assert.Equal(t, 130, code)
	assert.Contains(t, stderr, "nothing kept; "+dir+" has none of its previous output either (--force cleared it before the run)")
	assert.Equal(t, []string{"notes.txt"}, folderFiles(t, dir))
}

// TestCompareFailureRemovesRunFolders: a comparison stopped in its second
// scenario removes the first scenario's finished run folder too: the
// folder of an unfinished comparison is not left looking like results.
func TestCompareFailureRemovesRunFolders(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	// the second scenario runs a year: it is still running when the first
	// one's folder is complete and the test sends its "signal"
	args := []string{"compare", "akash-2024", "akash-2021", "--out", dir, "--reps", "2", "--workers", "1",
		"--set", "sim.warmup=0s", "--set", "sim.sample_every=12h", "--set-for", "1:sim.horizon=2d", "--set-for", "2:sim.horizon=365d"}
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := os.Stat(filepath.Join(dir, "akash-2024", reports.ManifestFile)); err == nil {
				cancel(signalled{syscall.SIGTERM})
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	code, _, stderr := cliContext(ctx, args...)
	close(stop)
	assert.Equal(t, 143, code, "stderr: %s", stderr)
	assert.Contains(t, stderr, "akash-2021: run stopped after")
	assert.Contains(t, stderr, "removed the unfinished files and the finished run folders: nothing kept ("+dir+" removed)")
	assert.NoDirExists(t, dir)
}

// folderFiles lists the files under dir, relative, with '/' separators.
func folderFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	require.NoError(t, err)
	return files
}

// checkComplete checks that dir is a complete run folder: its
// manifest.json lists every other file, each is whole, and nothing else
// (no temporary file) is there.
func checkComplete(t *testing.T, dir string) {
	t.Helper()
	var man reports.Manifest
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, reports.ManifestFile)), &man))
	assert.ElementsMatch(t, append(slices.Clone(man.Files), reports.ManifestFile), folderFiles(t, dir),
		"the folder holds exactly the files its manifest lists")
	assert.Equal(t, reports.RunFiles(), man.Files)
	for _, f := range man.Files {
		checkWhole(t, filepath.Join(dir, f))
	}
	samples := 0
	for _, r := range man.Replications {
		samples += r.Samples
	}
	rows := readCSV(t, filepath.Join(dir, reports.TimeseriesFile))
	assert.Len(t, rows, 1+samples, "timeseries.csv holds every sample of every replication")
}

// checkWhole checks that the file at path is complete for its kind.
func checkWhole(t *testing.T, path string) {
	t.Helper()
	b := readFile(t, path)
	require.NotEmpty(t, b, path)
	switch filepath.Ext(path) {
	case ".csv":
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		assert.NoError(t, err, path)
		assert.Greater(t, len(rows), 1, path)
		assert.Equal(t, byte('\n'), b[len(b)-1], "%s ends with its last row", path)
	case ".json":
		assert.True(t, json.Valid(b), "%s is valid JSON", path)
	case ".png":
		assert.True(t, bytes.HasSuffix(b, []byte("IEND\xaeB`\x82")), "%s ends with its IEND chunk", path)
	case ".svg":
		assert.True(t, strings.HasSuffix(strings.TrimSpace(string(b)), "</svg>"), "%s ends with </svg>", path)
	case ".toml":
		assert.Equal(t, byte('\n'), b[len(b)-1], "%s ends with a newline", path)
	}
}
