package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]int64{
		"1":       1,
		"1048576": 1 << 20,
		"2GiB":    2 << 30,
		"2 GiB":   2 << 30,
		"2gib":    2 << 30,
		"2G":      2 << 30,
		"500MB":   500e6,
		"500mb":   500e6,
		"1.5KiB":  1536,
		"1kB":     1000,
		"3T":      3 << 40,
		"1TB":     1e12,
		"1e9":     1e9,
		"512B":    512,
		"none":    0,
		"None":    0,
	} {
		got, err := parseBytes(s)
		if assert.NoError(t, err, s) {
			assert.Equal(t, want, got, s)
		}
	}
	for _, s := range []string{"", "GiB", "2XB", "2 GiBs", "-1GiB", "0", "0.5", "NaN", "Inf", "1e30", "12 34", "2GiB5"} {
		_, err := parseBytes(s)
		assert.Error(t, err, s)
	}
}

func TestParseMemTotal(t *testing.T) {
	v, ok := parseMemTotal("MemTotal:       24684056 kB\nMemFree:        24373940 kB\n")
	assert.True(t, ok)
	assert.Equal(t, int64(24684056)<<10, v)
	for _, s := range []string{"", "MemFree: 10 kB\n", "MemTotal: x kB\n", "MemTotal: 10 MB\n", "MemTotal: -4 kB\n"} {
		_, ok := parseMemTotal(s)
		assert.False(t, ok, s)
	}
}

func TestParseCgroupLimit(t *testing.T) {
	for s, want := range map[string]int64{
		"max\n":                 0, // v2: no limit
		"9223372036854771712\n": 0, // v1: no limit
		"4611686018427387904":   0, // 2^62: no limit
		"":                      0,
		"garbage":               0,
		"-1":                    0,
		"536870912\n":           512 << 20,
		"8589934592":            8 << 30,
	} {
		v, ok := parseCgroupLimit(s)
		assert.Equal(t, want, v, "%q", s)
		assert.Equal(t, want > 0, ok, "%q", s)
	}
}

func TestCgroupPaths(t *testing.T) {
	// cgroup v2 only
	v2, v1 := cgroupPaths("0::/user.slice/user-1000.slice/session-3.scope\n")
	assert.Equal(t, "/user.slice/user-1000.slice/session-3.scope", v2)
	assert.Equal(t, "", v1)
	// cgroup v1 (with the unified hierarchy mounted too)
	v2, v1 = cgroupPaths("9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n3:cpu,cpuacct:/\n0::/\n")
	assert.Equal(t, "/", v2)
	assert.Equal(t, "/process_api/abc", v1)
	v2, v1 = cgroupPaths("5:cpuacct,memory:/docker/0123\n")
	assert.Equal(t, "", v2)
	assert.Equal(t, "/docker/0123", v1)
	v2, v1 = cgroupPaths("garbage\n\n1:memory:relative\n")
	assert.Equal(t, "", v2)
	assert.Equal(t, "", v1)
}

func TestCgroupLimitFiles(t *testing.T) {
	assert.Equal(t, []string{
		"/sys/fs/cgroup/a/b/memory.max", "/sys/fs/cgroup/a/memory.max", "/sys/fs/cgroup/memory.max",
		"/sys/fs/cgroup/memory/x/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
	}, cgroupLimitFiles("/sys/fs/cgroup", "/a/b", "/x"))
	assert.Equal(t, []string{"/sys/fs/cgroup/memory.max"}, cgroupLimitFiles("/sys/fs/cgroup", "/", ""))
	assert.Empty(t, cgroupLimitFiles("/sys/fs/cgroup", "", ""))
}

func TestSmallestLimit(t *testing.T) {
	assert.Equal(t, int64(0), smallestLimit())
	assert.Equal(t, int64(0), smallestLimit(0, 0))
	assert.Equal(t, int64(3), smallestLimit(0, 7, 3, 5))
}

// The default --max-memory is a share of a positive amount, and the
// default --max-output is 10 GiB.
func TestDefaultLimits(t *testing.T) {
	var lf limitFlags
	l := lf.limits()
	assert.Greater(t, l.MaxMemory, int64(0))
	assert.Equal(t, int64(10<<30), l.MaxOutput)
	require.NoError(t, lf.mem.Set("2GiB"))
	require.NoError(t, lf.out.Set("none"))
	l = lf.limits()
	assert.Equal(t, int64(2<<30), l.MaxMemory)
	assert.Equal(t, int64(0), l.MaxOutput)
}

// run, compare and validate refuse a run above the caps with exit code 2
// before simulating, naming the estimate, the cap and the keys; nothing
// is written.
func TestLimitFlagsRefuse(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	code, _, stderr := cli(t, "run", "akash-2024", "--out", out, "--max-memory", "1MiB")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "above --max-memory 1.0 MiB")
	assert.Contains(t, stderr, "run refused before simulating")
	assert.NoDirExists(t, out)

	code, _, stderr = cli(t, "run", "akash-2024", "--out", out, "--set", "sim.replications=100000")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--max-output 10.0 GiB")
	assert.Contains(t, stderr, "sim.replications = 100000")
	assert.NoDirExists(t, out)

	code, _, stderr = cli(t, "run", "akash-2024", "--out", out, "--workers", "8", "--set", "providers[0].count=10000000")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "providers[0].count = 10000000")
	assert.NoDirExists(t, out)

	code, _, stderr = cli(t, "compare", "akash-2024", "ionet-2024", "--out", out, "--max-output", "100kB")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "above --max-output 97.7 KiB")
	assert.NoDirExists(t, out)

	code, _, stderr = cli(t, "run", "akash-2024", "--out", out, "--max-memory", "lots")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--max-memory")
	assert.Contains(t, stderr, "2GiB")

	code, stdout, stderr := cli(t, "validate", "akash-2024", "--set", "sim.sample_every=1s", "--set", "sim.horizon=100d")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stdout, "estimate: peak memory")
	assert.Contains(t, stderr, "sim.sample_every = 1s")
	assert.Contains(t, stderr, "above --max-memory")
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err))
}

// validate prints the estimates of a run that fits, and a run that fits
// under caps given as flags goes ahead.
func TestValidatePrintsEstimate(t *testing.T) {
	stdout := mustRun(t, "validate", "akash-2024", "--workers", "2")
	assert.Regexp(t, `akash-2024: estimate: peak memory [0-9.]+ MiB \(.*tenants\[0\]\.arrivals_per_day = 175.*\), [0-9.e+]+ events, output [0-9.]+ MiB \(sim.replications = 5; sim.sample_every = 12h`, stdout)
	out := filepath.Join(t.TempDir(), "out")
	mustRun(t, append([]string{"run", "akash-2024", "--reps", "1", "--quiet", "--out", out, "--max-memory", "1GiB", "--max-output", "1GB"}, shorter...)...)
	assert.FileExists(t, filepath.Join(out, "manifest.json"))
}
