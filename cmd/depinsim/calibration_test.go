package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
)

// TestPresetCalibration is the calibration test of the presets: 'depinsim
// check PRESET' over its full horizon and default replications, which
// checks every invariant at every sample and the preset's [[assert]]
// entries (its calibration targets and documented figures,
// docs/presets.md). With DEPINSIM_JUNIT_DIR set (make test-long), each
// preset's JUnit XML is written there.
func TestPresetCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every preset over its full horizon (make test checks them over 15 days)")
	}
	dir := os.Getenv("DEPINSIM_JUNIT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, p := range scenarios.Presets() {
		t.Run(p, func(t *testing.T) {
			junit := filepath.Join(dir, "calibration-"+p+".xml")
			var stdout, stderr bytes.Buffer
			code := run([]string{"check", p, "--quiet", "--junit", junit}, &stdout, &stderr)
			require.Equal(t, exitOK, code, "depinsim check %s:\n%s%s", p, stdout.String(), stderr.String())
			t.Logf("depinsim check %s:\n%s", p, stdout.String())
			_, err := os.Stat(junit)
			require.NoError(t, err, "the JUnit file")
		})
	}
}
