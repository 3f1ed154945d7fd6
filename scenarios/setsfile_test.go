package scenarios

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadSets: the overrides of a sets file in order, without its blank
// and comment lines; a line that is not path=value is an error naming the
// file and the line; a missing file is the open error.
func TestReadSets(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.sets")
	require.NoError(t, os.WriteFile(p, []byte("# a comment\n\nsim.horizon=30d\n  providers[0].count=200  \n"), 0o644))
	sets, err := ReadSets(p)
	require.NoError(t, err)
	require.Equal(t, []string{"sim.horizon=30d", "providers[0].count=200"}, sets)

	require.NoError(t, os.WriteFile(p, []byte("sim.horizon=30d\n# ok\nsim.replications\n"), 0o644))
	_, err = ReadSets(p)
	require.EqualError(t, err, p+`:3: "sim.replications" is not path=value`)

	_, err = ReadSets(filepath.Join(dir, "missing.sets"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
