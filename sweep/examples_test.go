package sweep

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
)

// TestExampleSweeps: every sweep file under examples/sweeps reads and
// every one of its points loads (what 'depinsim sweep FILE' checks before
// it runs anything), so the examples the README shows stay runnable.
func TestExampleSweeps(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "sweeps", "*.toml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "examples/sweeps holds sweep files")
	for _, f := range files {
		sw, err := ReadFile(f, nil, scenarios.Options{})
		if !assert.NoError(t, err, f) {
			continue
		}
		points := sw.Points()
		assert.NotEmpty(t, points, f)
		_, err = sw.Validate(points)
		assert.NoError(t, err, f)
	}
}
