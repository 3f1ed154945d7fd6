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

// TestSweepFileWithoutDesign: a sweep file must name its design; one
// without is refused naming the key and the designs.
func TestSweepFileWithoutDesign(t *testing.T) {
	_, err := Parse("s.toml", ".", "", []byte("base = \"akash-2024\"\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5, 20]\n"), nil, scenarios.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "s.toml: design: missing")
	assert.Contains(t, err.Error(), "grid, zip, lhs, halton, random")
}
