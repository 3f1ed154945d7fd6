package sensitivity

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sweep"
)

// TestExampleSensitivityFiles: every file under examples/sensitivity
// reads, and every point of its design loads (what 'depinsim
// sensitivity FILE' checks before it runs anything).
func TestExampleSensitivityFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "sensitivity", "*.toml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		a, err := ReadFile(f, nil, scenarios.Options{})
		if !assert.NoError(t, err, f) {
			continue
		}
		if testing.Short() {
			// every point of the full design (1,024 for the Sobol
			// example) is validated in the long run; a small design of
			// the same factors here
			a.Samples = min(a.Samples, 8)
		}
		d, err := a.NewDesign()
		require.NoError(t, err, f)
		_, err = a.Validate(d)
		assert.NoError(t, err, f)
	}
}

// TestRealSimulatorWorkers: a small analysis of the real simulator (2
// factors, a short horizon) writes the same files for 1 and 2 workers,
// and its outputs have values.
func TestRealSimulatorWorkers(t *testing.T) {
	text := `base = "akash-2024"
seed = 7
replications = 2
set = ["sim.warmup=0d", "sim.horizon=4d", "sim.sample_every=1d"]
method = "morris"
samples = 2
[[factor]]
key = "tenants[2].arrivals_per_day"
dist = "uniform"
min = 9
max = 36
[[factor]]
key = "providers[1].count"
dist = "uniform"
min = 4
max = 12
integer = true
[[output]]
name = "gpu-utilization"
metric = "gpu_utilization"
stat = "mean"
[[output]]
name = "supply"
metric = "token_supply"
stat = "final"
`
	var want map[string]string
	for _, w := range []int{1, 2} {
		a, err := Parse("sa.toml", t.TempDir(), "sa", []byte(text), nil, scenarios.Options{})
		require.NoError(t, err)
		d, err := a.NewDesign()
		require.NoError(t, err)
		for _, p := range d.Points {
			assert.NotContains(t, p[1].Literal, ".", "integer factor written as a TOML integer")
		}
		scs, err := a.Validate(d)
		require.NoError(t, err)
		runs, err := a.Execute(context.Background(), d, scs, Options{Workers: w})
		require.NoError(t, err)
		assert.Empty(t, runs.Missing())
		dir := t.TempDir()
		require.NoError(t, a.WriteRuns(dir, d, runs))
		rep, err := a.Estimate(d, runs)
		require.NoError(t, err)
		require.NoError(t, a.WriteResults(dir, rep, true))
		got := readDir(t, dir)
		if want == nil {
			want = got
			continue
		}
		assert.Equal(t, want, got, "workers %d", w)
	}
}

// TestParseErrors: bad files are refused with the key named.
func TestParseErrors(t *testing.T) {
	good := `base = "akash-2024"
method = "sobol"
samples = 8
[[factor]]
key = "providers[1].count"
dist = "uniform"
min = 4
max = 12
[[output]]
name = "u"
metric = "gpu_utilization"
stat = "mean"
`
	for _, c := range []struct{ edit, key string }{
		{"bogus = 1\n", "bogus"},
		{`method = "sobol"` + "\n", ""}, // duplicate key: a TOML error
		{"[[output]]\nname = \"v\"\nmetric = \"nope\"\nstat = \"mean\"\n", "output[1].metric"},
		{"[[factor]]\nkey = \"x\"\ndist = \"beta\"\n", "factor[1].dist"},
		{"[[factor]]\nkey = \"x\"\ndist = \"uniform\"\nmin = 1\n", "factor[1].max"},
		{"[[factor]]\nkey = \"x\"\ndist = \"normal\"\nmean = 1\nsd = 0\n", "factor[1]"},
		{"[[factor]]\nkey = \"providers[1].count\"\ndist = \"uniform\"\nmin = 1\nmax = 2\n", "factor[1].key"},
	} {
		text := good
		if strings.HasPrefix(c.edit, "[[") {
			text += c.edit
		} else {
			text = c.edit + text
		}
		_, err := Parse("sa.toml", t.TempDir(), "sa", []byte(text), nil, scenarios.Options{})
		var se *scenarios.Error
		require.ErrorAs(t, err, &se, c.edit)
		assert.Equal(t, "sa.toml", se.File)
		if c.key != "" {
			assert.Equal(t, c.key, se.Key, "%s: %v", c.edit, err)
		}
	}
	// a point whose scenario does not load is refused before anything runs
	bad := strings.Replace(good, "min = 4", "min = -4", 1)
	a, err := Parse("sa.toml", t.TempDir(), "sa", []byte(bad), nil, scenarios.Options{})
	require.NoError(t, err)
	d, err := a.NewDesign()
	require.NoError(t, err)
	_, err = a.Validate(d)
	var pe *sweep.PointError
	require.True(t, errors.As(err, &pe), "%v", err)
	assert.Equal(t, "providers[1].count", pe.Key)
}
