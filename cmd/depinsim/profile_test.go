package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProfilesFromEnvironment checks that DEPINSIM_CPUPROFILE and
// DEPINSIM_MEMPROFILE write gzip-compressed pprof profiles, that unset
// variables write nothing, and that an unwritable path is reported
// without stopping the command.
func TestProfilesFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	env := map[string]string{envCPUProfile: cpu, envMemProfile: mem}
	var stderr bytes.Buffer
	stop := startProfiles(func(k string) string { return env[k] }, &stderr)
	require.Equal(t, 0, run([]string{"invariants"}, &bytes.Buffer{}, &bytes.Buffer{}))
	stop()
	require.Empty(t, stderr.String())
	for _, f := range []string{cpu, mem} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.True(t, len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b, "%s is not a gzip-compressed profile", f)
	}

	stderr.Reset()
	stop = startProfiles(func(string) string { return "" }, &stderr)
	stop()
	require.Empty(t, stderr.String())

	bad := filepath.Join(dir, "missing", "cpu.prof")
	stop = startProfiles(func(k string) string {
		if k == envCPUProfile {
			return bad
		}
		return ""
	}, &stderr)
	stop()
	require.Contains(t, stderr.String(), envCPUProfile)
	require.Contains(t, stderr.String(), bad)
}
