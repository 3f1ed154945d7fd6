package sensitivity

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// withHook sets modelHook for the test.
func withHook(t *testing.T, f func(x []float64, seed uint64) ([]float64, error)) {
	t.Helper()
	modelHook = f
	t.Cleanup(func() { modelHook = nil })
}

// noise returns a seed-dependent standard normal-ish value: the same for
// the same seed at every point (common random numbers).
func noise(seed uint64) float64 {
	// sum of 12 uniforms minus 6: mean 0, variance 1
	var s float64
	x := seed
	for range 12 {
		x = sim.ReplicationSeed(x, 1)
		s += float64(x>>11) / (1 << 53)
	}
	return s - 6
}

func ishigami(x []float64) float64 {
	return math.Sin(x[0]) + 7*math.Pow(math.Sin(x[1]), 2) + 0.1*math.Pow(x[2], 4)*math.Sin(x[0])
}

// runPipeline parses text, builds the design, runs it through the hook
// and estimates, writing the folder into a temporary directory.
func runPipeline(t *testing.T, text string, workers int) (*Analysis, *reports.SensitivityReport, string, error) {
	t.Helper()
	a, err := Parse("sa.toml", t.TempDir(), "sa", []byte(text), nil, scenarios.Options{})
	require.NoError(t, err)
	d, err := a.NewDesign()
	require.NoError(t, err)
	scs, err := a.Validate(d)
	require.NoError(t, err)
	runs, err := a.Execute(context.Background(), d, scs, Options{Workers: workers})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, a.WriteRuns(dir, d, runs))
	rep, err := a.Estimate(d, runs)
	if err != nil {
		return a, nil, dir, err
	}
	require.NoError(t, a.WriteResults(dir, rep, false))
	return a, rep, dir, nil
}

const ishigamiFile = `base = "akash-2024"
seed = %d
replications = 1
method = "sobol"
samples = %d
bootstrap = 500
[[factor]]
key = "x1"
dist = "uniform"
min = -3.141592653589793
max = 3.141592653589793
[[factor]]
key = "x2"
dist = "uniform"
min = -3.141592653589793
max = 3.141592653589793
[[factor]]
key = "x3"
dist = "uniform"
min = -3.141592653589793
max = 3.141592653589793
[[output]]
name = "y"
metric = "gpu_utilization"
stat = "mean"
`

// TestIshigamiThroughPipeline: Sobol indices of the Ishigami function
// (a = 7, b = 0.1) computed through parse, design, the sweep engine,
// estimation and the files: over 10 seeds, each analytic index lies in
// its 95% bootstrap interval in at least 8 of 10 seeds (the nominal
// coverage is 9.5), and the files hold the indices.
func TestIshigamiThroughPipeline(t *testing.T) {
	withHook(t, func(x []float64, _ uint64) ([]float64, error) { return []float64{ishigami(x)}, nil })
	s1 := []float64{0.3139, 0.4424, 0}
	st := []float64{0.5576, 0.4424, 0.2437}
	seeds := 10
	if testing.Short() {
		seeds = 4
	}
	miss := make([]int, 6)
	for seed := 1; seed <= seeds; seed++ {
		_, rep, dir, err := runPipeline(t, fmt.Sprintf(ishigamiFile, seed, 512), 2)
		require.NoError(t, err)
		require.Len(t, rep.Outputs, 1)
		for i, ix := range rep.Outputs[0].Indices {
			if s1[i] < ix.S1Lo || s1[i] > ix.S1Hi {
				miss[i]++
			}
			if st[i] < ix.STLo || st[i] > ix.STHi {
				miss[3+i]++
			}
			assert.InDelta(t, s1[i], ix.S1, 0.15, "seed %d S1 of x%d", seed, i+1)
			assert.InDelta(t, st[i], ix.ST, 0.15, "seed %d ST of x%d", seed, i+1)
		}
		if seed == 1 {
			b, err := os.ReadFile(filepath.Join(dir, IndicesFile))
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			assert.Equal(t, "output,factor,index,estimate,lo,hi,confidence,n", lines[0])
			assert.Len(t, lines, 1+3*2)
			for _, f := range []string{RunsFile, RunsFile + ".meta.json", PointsFile, IndicesParquet, ConvergenceFile, DefinitionFile} {
				assert.FileExists(t, filepath.Join(dir, f))
			}
			assert.Len(t, rep.Outputs[0].Convergence, 3)
			assert.Equal(t, 512*5, rep.Points)
		}
	}
	for j, m := range miss {
		assert.LessOrEqual(t, m, seeds/5, "index %d: analytic value outside the interval in %d of %d seeds", j, m, seeds)
	}
}

// TestGFunctionThroughPipeline: Sobol's G function with a = (0, 1, 4.5,
// 9): the analytic first-order indices lie in their intervals.
func TestGFunctionThroughPipeline(t *testing.T) {
	av := []float64{0, 1, 4.5, 9}
	withHook(t, func(x []float64, _ uint64) ([]float64, error) {
		y := 1.0
		for i, a := range av {
			y *= (math.Abs(4*x[i]-2) + a) / (1 + a)
		}
		return []float64{y}, nil
	})
	var vi []float64
	prod := 1.0
	for _, a := range av {
		v := 1 / (3 * (1 + a) * (1 + a))
		vi = append(vi, v)
		prod *= 1 + v
	}
	text := "base = \"akash-2024\"\nseed = 3\nreplications = 1\nmethod = \"sobol\"\nsamples = 1024\nbootstrap = 300\n"
	for i := range av {
		text += fmt.Sprintf("[[factor]]\nkey = \"x%d\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n", i+1)
	}
	text += "[[output]]\nname = \"g\"\nmetric = \"gpu_utilization\"\nstat = \"mean\"\n"
	_, rep, _, err := runPipeline(t, text, 2)
	require.NoError(t, err)
	for i, ix := range rep.Outputs[0].Indices {
		want := vi[i] / (prod - 1)
		assert.True(t, ix.S1Lo-0.02 <= want && want <= ix.S1Hi+0.02, "S1 of x%d = %v not in [%v, %v]", i+1, want, ix.S1Lo, ix.S1Hi)
	}
}

// TestMorrisLinearThroughPipeline: a linear model y = sum c_i x_i on
// uniform(0, 1) factors has mu* = |c_i| exactly (per unit of the unit
// interval), so the ranks are those of |c|.
func TestMorrisLinearThroughPipeline(t *testing.T) {
	c := []float64{5, -1, 0.2, 3}
	withHook(t, func(x []float64, _ uint64) ([]float64, error) {
		var y float64
		for i := range c {
			y += c[i] * x[i]
		}
		return []float64{y}, nil
	})
	for _, design := range []string{"trajectories", "radial"} {
		text := "base = \"akash-2024\"\nseed = 5\nreplications = 1\nmethod = \"morris\"\nsamples = 10\ndesign = \"" + design + "\"\nbootstrap = 200\n"
		for i := range c {
			text += fmt.Sprintf("[[factor]]\nkey = \"x%d\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n", i+1)
		}
		text += "[[output]]\nname = \"y\"\nmetric = \"gpu_utilization\"\nstat = \"mean\"\n"
		_, rep, _, err := runPipeline(t, text, 1)
		require.NoError(t, err)
		for i, ix := range rep.Outputs[0].Indices {
			assert.InDelta(t, math.Abs(c[i]), ix.MuStar, 1e-9, "%s: mu* of x%d", design, i+1)
			assert.InDelta(t, c[i], ix.Mu, 1e-9, "%s: mu of x%d", design, i+1)
		}
		assert.NotEmpty(t, rep.Outputs[0].Convergence)
	}
}

// TestNoiseShareThroughPipeline: y = x1 + sd * noise(seed) with x1
// uniform(0, 1) (variance 1/12) and noise of variance 1: the noise share
// is sd^2 / (sd^2 + 1/12) = 0.32.
func TestNoiseShareThroughPipeline(t *testing.T) {
	const sd = 0.2
	withHook(t, func(x []float64, seed uint64) ([]float64, error) {
		return []float64{x[0] + sd*noise(seed)}, nil
	})
	text := `base = "akash-2024"
seed = 9
replications = 100
method = "sobol"
samples = 16
bootstrap = 100
[[factor]]
key = "x1"
dist = "uniform"
min = 0
max = 1
[[factor]]
key = "x2"
dist = "uniform"
min = 0
max = 1
[[output]]
name = "y"
metric = "gpu_utilization"
stat = "mean"
`
	_, rep, _, err := runPipeline(t, text, 2)
	require.NoError(t, err)
	want := sd * sd / (sd*sd + 1.0/12)
	// under common random numbers the within-point variance comes from
	// the same 100 noise draws at every point: the estimate's relative
	// standard error is about sqrt(2/99), some 0.03 on the share
	t.Logf("noise share %v, want %v", rep.Outputs[0].NoiseShare, want)
	assert.InDelta(t, want, rep.Outputs[0].NoiseShare, 0.1)
	// x1 explains the point means (the same noise at every point, CRN)
	assert.Greater(t, rep.Outputs[0].Indices[0].ST, 0.8)
	assert.Less(t, rep.Outputs[0].Indices[1].ST, 0.1)
}

// TestMissingPolicies: runs failing at some points and seeds: refuse
// names the points and leaves runs.csv; drop drops their rows; rerun
// recovers them with other seeds, counted and recorded.
func TestMissingPolicies(t *testing.T) {
	failSeeds := map[uint64]bool{}
	withHook(t, func(x []float64, seed uint64) ([]float64, error) {
		if x[0] > 0.9 && failSeeds[seed] {
			return nil, errors.New("model diverged")
		}
		return []float64{x[0] + 2*x[1]}, nil
	})
	text := func(policy string) string {
		return `base = "akash-2024"
seed = 2
replications = 2
method = "sobol"
samples = 32
bootstrap = 100
missing = "` + policy + `"
[[factor]]
key = "x1"
dist = "uniform"
min = 0
max = 1
[[factor]]
key = "x2"
dist = "uniform"
min = 0
max = 1
[[output]]
name = "y"
metric = "gpu_utilization"
stat = "mean"
`
	}
	failSeeds[sim.ReplicationSeed(2, 1)] = true // replication 1 fails where x1 > 0.9

	_, _, dir, err := runPipeline(t, text("refuse"), 2)
	var fe *FailedError
	require.ErrorAs(t, err, &fe)
	assert.NotEmpty(t, fe.Runs)
	assert.Contains(t, err.Error(), "x1=0.9")
	assert.Contains(t, err.Error(), "model diverged")
	assert.FileExists(t, filepath.Join(dir, RunsFile))
	assert.NoFileExists(t, filepath.Join(dir, IndicesFile))

	_, rep, _, err := runPipeline(t, text("drop"), 2)
	require.NoError(t, err)
	assert.Positive(t, rep.Outputs[0].Dropped)
	assert.NotEmpty(t, rep.Failed)

	a, rep, dir, err := runPipeline(t, text("rerun"), 2)
	require.NoError(t, err)
	assert.Equal(t, len(fe.Runs), rep.Outputs[0].Rerun)
	assert.Zero(t, rep.Outputs[0].Dropped)
	b, err := os.ReadFile(filepath.Join(dir, RunsFile))
	require.NoError(t, err)
	assert.Contains(t, string(b), fmt.Sprintf(",%d,1,", sim.ReplicationSeed(uint64(a.RerunSeed(1, 1)), 0)), "rerun seeds recorded with attempt 1")

	// a run failing at every attempt is refused after the reruns
	withHook(t, func(x []float64, seed uint64) ([]float64, error) {
		if x[0] > 0.95 {
			return nil, errors.New("always fails")
		}
		return []float64{x[0] + 2*x[1]}, nil
	})
	_, _, _, err = runPipeline(t, text("rerun"), 1)
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, err.Error(), "every rerun attempt")
}

// TestWorkersByteIdentical: the folder is the same for 1 and 3 workers.
func TestWorkersByteIdentical(t *testing.T) {
	withHook(t, func(x []float64, seed uint64) ([]float64, error) {
		return []float64{ishigami(x) + noise(seed)}, nil
	})
	text := strings.Replace(fmt.Sprintf(ishigamiFile, 4, 16), "replications = 1", "replications = 3", 1)
	var want map[string]string
	for _, w := range []int{1, 3} {
		_, _, dir, err := runPipeline(t, text, w)
		require.NoError(t, err)
		got := readDir(t, dir)
		if want == nil {
			want = got
			continue
		}
		assert.Equal(t, want, got, "workers %d", w)
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	require.NoError(t, err)
	return out
}
