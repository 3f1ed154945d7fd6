package sweep

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// parse parses a sweep file's text (base relative to the test's folder).
func parse(t *testing.T, text string, extra ...string) *Sweep {
	t.Helper()
	sw, err := Parse("s.toml", t.TempDir(), "s", []byte(text), extra, scenarios.Options{})
	require.NoError(t, err)
	return sw
}

// texts returns, per point, its values as text.
func texts(pts []Point) [][]string {
	out := make([][]string, len(pts))
	for i, p := range pts {
		for _, v := range p {
			out[i] = append(out[i], v.Text())
		}
	}
	return out
}

// TestGridOrder: a grid is the Cartesian product, the last param varying
// fastest; values keep their TOML types.
func TestGridOrder(t *testing.T) {
	sw := parse(t, `base = "akash-2024"
design = "grid"
[[param]]
key = "market.max_bids"
values = [5, 20]
[[param]]
key = "market.mechanism"
values = ["akash-reverse", "posted-price", "x"]
`)
	pts := sw.Points()
	assert.Equal(t, [][]string{
		{"5", "akash-reverse"}, {"5", "posted-price"}, {"5", "x"},
		{"20", "akash-reverse"}, {"20", "posted-price"}, {"20", "x"},
	}, texts(pts))
	assert.Equal(t, []string{"market.max_bids=5", `market.mechanism="posted-price"`}, pts[1].Sets())
}

// TestRanges: linear and log ranges with steps, integer rounding, end
// points exact.
func TestRanges(t *testing.T) {
	sw := parse(t, `base = "akash-2024"
design = "zip"
[[param]]
key = "a.x"
min = 0.0
max = 1.0
steps = 5
[[param]]
key = "a.y"
min = 1
max = 1000
steps = 5
scale = "log"
[[param]]
key = "a.z"
min = 1
max = 10
steps = 5
integer = true
`)
	assert.Equal(t, [][]string{
		{"0.0", "1.0", "1"}, {"0.25", "5.62341325190349", "3"}, {"0.5", "31.622776601683793", "6"},
		{"0.75", "177.8279410038923", "8"}, {"1.0", "1000.0", "10"},
	}, texts(sw.Points()))
}

// TestZipPairs: zip pairs the i-th values; unequal lengths are refused
// naming the keys.
func TestZipPairs(t *testing.T) {
	sw := parse(t, `base = "akash-2024"
design = "zip"
[[param]]
key = "a"
values = [1, 2, 3]
[[param]]
key = "b"
values = [{ kind = "const", value = 3 }, [1, 2], true]
`)
	assert.Equal(t, [][]string{{"1", `{ "kind" = "const", "value" = 3 }`}, {"2", "[1, 2]"}, {"3", "true"}}, texts(sw.Points()))
	_, err := Parse("s.toml", ".", "s", []byte(`base = "akash-2024"
design = "zip"
[[param]]
key = "a"
values = [1, 2, 3]
[[param]]
key = "b"
values = [1, 2]
`), nil, scenarios.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "s.toml: param[1]: b has 2 values but a has 3")
}

func lhsText(n int, seed int64, design string) string {
	return fmt.Sprintf(`base = "akash-2024"
seed = %d
design = %q
samples = %d
[[param]]
key = "a"
min = 0.0
max = %d.0
[[param]]
key = "b"
min = 1
max = %d
integer = true
[[param]]
key = "c"
values = [%s]
`, seed, design, n, n, n, strings.TrimSuffix(strings.Repeat("0,", n), ","))
}

// TestLatinHypercubeStrata: with N samples, each of the N equal strata of
// every dimension is hit exactly once (a range, an integer range of N
// whole numbers, a list of N values); the points depend on the seed only.
func TestLatinHypercubeStrata(t *testing.T) {
	for _, n := range []int{1, 7, 50} {
		for seed := range int64(5) {
			sw := parse(t, lhsText(n, seed, "lhs"))
			pts := sw.Points()
			require.Len(t, pts, n)
			var a, b []int
			for _, p := range pts {
				x, err := strconv.ParseFloat(p[0].Literal, 64)
				require.NoError(t, err)
				a = append(a, int(math.Floor(x)))
				k, err := strconv.Atoi(p[1].Literal)
				require.NoError(t, err)
				b = append(b, k-1)
			}
			slices.Sort(a)
			slices.Sort(b)
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			assert.Equal(t, want, a, "range strata, n %d seed %d", n, seed)
			assert.Equal(t, want, b, "integer strata, n %d seed %d", n, seed)
			assert.Equal(t, texts(pts), texts(parse(t, lhsText(n, seed, "lhs")).Points()), "deterministic")
		}
	}
	// the list: N copies of 0 with N samples, each index once; check with
	// distinct values
	sw := parse(t, `base = "akash-2024"
design = "lhs"
samples = 4
[[param]]
key = "c"
values = ["w", "x", "y", "z"]
`)
	var got []string
	for _, p := range sw.Points() {
		got = append(got, p[0].Text())
	}
	slices.Sort(got)
	assert.Equal(t, []string{"w", "x", "y", "z"}, got)
	assert.NotEqual(t, texts(parse(t, lhsText(20, 1, "lhs")).Points()), texts(parse(t, lhsText(20, 2, "lhs")).Points()), "another seed, other points")
}

// TestHaltonRandomInRangeDeterministic: halton and random points lie in
// their ranges, are the same for a seed and differ for another.
func TestHaltonRandomInRangeDeterministic(t *testing.T) {
	for _, design := range []string{"halton", "random"} {
		for seed := range int64(3) {
			pts := parse(t, lhsText(64, seed, design)).Points()
			require.Len(t, pts, 64)
			for _, p := range pts {
				x, err := strconv.ParseFloat(p[0].Literal, 64)
				require.NoError(t, err)
				assert.True(t, x >= 0 && x < 64, "%s: a = %v", design, x)
				k, err := strconv.Atoi(p[1].Literal)
				require.NoError(t, err)
				assert.True(t, k >= 1 && k <= 64, "%s: b = %d", design, k)
			}
			assert.Equal(t, texts(pts), texts(parse(t, lhsText(64, seed, design)).Points()), "%s deterministic", design)
			assert.NotEqual(t, texts(pts), texts(parse(t, lhsText(64, seed+10, design)).Points()), "%s: another seed", design)
		}
	}
	assert.NotEqual(t, texts(parse(t, lhsText(16, 1, "halton")).Points()), texts(parse(t, lhsText(16, 1, "random")).Points()))
}

// TestParseErrors: bad sweep files are refused naming the file and key.
func TestParseErrors(t *testing.T) {
	head := "base = \"akash-2024\"\n"
	param := "\n[[param]]\nkey = \"market.max_bids\"\nvalues = [1, 2]\n"
	for _, c := range []struct{ name, text, want string }{
		{"unknown key", head + "design = \"grid\"\ncolor = 1\n" + param, "s.toml: color: unknown key"},
		{"unknown param key", head + "design = \"grid\"\n[[param]]\nkey = \"a\"\nvalue = [1]\n", "s.toml: param.value: unknown key"},
		{"bad design", head + "design = \"sobol\"\n" + param, `s.toml: design: "sobol": want one of grid, zip, lhs, halton, random`},
		{"no design", head + param, `s.toml: design: missing: the sweep file must name its design, one of grid, zip, lhs, halton, random`},
		{"no base", "design = \"grid\"\n" + param, "s.toml: base: missing"},
		{"unknown base", "base = \"nope\"\ndesign = \"grid\"\n" + param, `s.toml: base: "nope": no file`},
		{"no params", head + "design = \"grid\"\n", "s.toml: param: no [[param]]"},
		{"samples for grid", head + "design = \"grid\"\nsamples = 3\n" + param, "s.toml: samples: only for the designs lhs"},
		{"no samples", head + "design = \"lhs\"\n" + param, "s.toml: samples: 0: design lhs wants samples from 1"},
		{"values and range", head + "design = \"grid\"\n[[param]]\nkey = \"a\"\nvalues = [1]\nmin = 1.0\nmax = 2.0\n", "s.toml: param[0]: a: give either values or min and max"},
		{"no steps", head + "design = \"grid\"\n[[param]]\nkey = \"a\"\nmin = 1.0\nmax = 2.0\n", "s.toml: param[0].steps: a: 0: design grid wants steps"},
		{"steps for lhs", head + "design = \"lhs\"\nsamples = 2\n[[param]]\nkey = \"a\"\nmin = 1.0\nmax = 2.0\nsteps = 3\n", "s.toml: param[0].steps: a: steps is for the designs grid and zip"},
		{"log min 0", head + "design = \"grid\"\n[[param]]\nkey = \"a\"\nmin = 0.0\nmax = 2.0\nsteps = 2\nscale = \"log\"\n", "s.toml: param[0].min: a: 0: a log scale wants min > 0"},
		{"bad scale", head + "design = \"grid\"\n[[param]]\nkey = \"a\"\nmin = 1.0\nmax = 2.0\nsteps = 2\nscale = \"exp\"\n", `s.toml: param[0].scale: a: "exp": want linear or log`},
		{"min above max", head + "design = \"grid\"\n[[param]]\nkey = \"a\"\nmin = 3.0\nmax = 2.0\nsteps = 2\n", "s.toml: param[0]: a: min 3, max 2"},
		{"only min", head + "design = \"grid\"\n[[param]]\nkey = \"a\"\nmin = 3.0\nsteps = 2\n", "s.toml: param[0]: a: a range wants both min and max"},
		{"no values", head + "design = \"grid\"\n[[param]]\nkey = \"a\"\n", "s.toml: param[0]: a: want values"},
		{"no key", head + "design = \"grid\"\n[[param]]\nvalues = [1]\n", "s.toml: param[0].key: missing"},
		{"key twice", head + "design = \"grid\"\n" + param + param, `s.toml: param[1].key: "market.max_bids" is already swept by param[0]`},
		{"negative seed", head + "seed = -1\ndesign = \"grid\"\n" + param, "s.toml: seed: -1: want an integer >= 0"},
		{"zero replications", head + "replications = 0\ndesign = \"grid\"\n" + param, "s.toml: replications: 0: want an integer from 1"},
		{"bad set", head + "set = [\"sim.nope=1\"]\ndesign = \"grid\"\n" + param, "s.toml: set: the base scenario with the sweep's set"},
		{"not toml", "base = \n", "s.toml:1: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("s.toml", t.TempDir(), "s", []byte(c.text), nil, scenarios.Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			var se *scenarios.Error
			assert.ErrorAs(t, err, &se)
		})
	}
}

// TestBaseRelativeToSweepFile: a base path is read from the sweep file's
// folder, the seed and replications default to the base's.
func TestBaseRelativeToSweepFile(t *testing.T) {
	dir := t.TempDir()
	data, ok := scenarios.PresetData("akash-2024")
	require.True(t, ok)
	data = bytes.Replace(data, []byte("\nseed = 1\n"), []byte("\nseed = 77\n"), 1)
	data = bytes.Replace(data, []byte("\nreplications = 5\n"), []byte("\nreplications = 3\n"), 1)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sc", "base.toml"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "my.toml"), []byte("base = \"sc/base.toml\"\ndesign = \"grid\"\n[[param]]\nkey = \"market.max_bids\"\nvalues = [1]\n"), 0o644))
	sw, err := ReadFile(filepath.Join(dir, "my.toml"), nil, scenarios.Options{})
	require.NoError(t, err)
	assert.Equal(t, "my", sw.Name)
	assert.Equal(t, int64(77), sw.Seed)
	assert.Equal(t, 3, sw.Replications)
}

// TestSplitTop: --grid values split at top-level commas only.
func TestSplitTop(t *testing.T) {
	got, err := SplitTop(`[1, 2],{ a = 1, b = "x,y" },"p,q",3`)
	require.NoError(t, err)
	assert.Equal(t, []string{"[1, 2]", `{ a = 1, b = "x,y" }`, `"p,q"`, "3"}, got)
	_, err = SplitTop("[1, 2")
	assert.Error(t, err)
	_, err = SplitTop("1]")
	assert.Error(t, err)
}

// TestValidateNamesPoint: an invalid point is refused before anything
// runs, naming its index, its values and the key.
func TestValidateNamesPoint(t *testing.T) {
	sw, err := FromGrid("akash-2024", []string{"market.max_bids=5,-3", "sim.horizon=2d"}, nil, scenarios.Options{})
	require.NoError(t, err)
	_, err = sw.Validate(sw.Points())
	var pe *PointError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Index)
	assert.Equal(t, "market.max_bids", pe.Key)
	assert.Contains(t, err.Error(), "--grid: point 1 (market.max_bids=-3, sim.horizon=\"2d\"): ")
	assert.Contains(t, err.Error(), "market.max_bids")
}

// small is a quick 2x2 grid over akash-2024 with 2 replications.
func small(t *testing.T) *Sweep {
	t.Helper()
	sw, err := FromGrid("akash-2024", []string{"market.max_bids=5,20", "providers[0].count=2,6"},
		[]string{"sim.horizon=5d", "sim.warmup=0s", "sim.replications=2"}, scenarios.Options{})
	require.NoError(t, err)
	return sw
}

// runAll runs the sweep and returns the rows in the order written.
func runAll(t *testing.T, sw *Sweep, scs *Scenarios, opt Options) ([]Row, *Result) {
	t.Helper()
	var rows []Row
	opt.Write = func(r Row) error { rows = append(rows, r); return nil }
	res, err := sw.Run(context.Background(), scs, opt)
	require.NoError(t, err)
	require.Equal(t, len(rows), res.Runs)
	return rows, res
}

// byPointRep returns rows sorted in (point, rep) order.
func byPointRep(rows []Row) []Row {
	s := slices.Clone(rows)
	slices.SortFunc(s, func(a, b Row) int {
		if a.Point != b.Point {
			return a.Point - b.Point
		}
		return a.Rep - b.Rep
	})
	return s
}

// TestOrderInterleaved: the run order is replication-major, every round
// a permutation of the points (the same one), drawn from the master
// seed; every (point, rep) pair once.
func TestOrderInterleaved(t *testing.T) {
	sw := &Sweep{Seed: 3, Replications: 4}
	const n = 20
	order := sw.Order(n)
	seen := map[[2]int]bool{}
	var first []int
	for k := range n * 4 {
		p, r := order(k)
		assert.Equal(t, k/n, r, "run %d is of round %d", k, k/n)
		assert.False(t, seen[[2]int{p, r}])
		seen[[2]int{p, r}] = true
		if r == 0 {
			first = append(first, p)
		} else {
			assert.Equal(t, first[k%n], p)
		}
	}
	assert.Len(t, seen, n*4)
	assert.NotEqual(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, first[:10], "points are permuted")
	other := (&Sweep{Seed: 4, Replications: 4}).Order(n)
	differ := false
	for k := range n {
		p, _ := other(k)
		differ = differ || p != first[k]
	}
	assert.True(t, differ, "the permutation depends on the master seed")
}

// TestRunCommonRandomNumbers: rows come in run order whatever the
// workers, replication r of every point has the seed of replication r,
// and a row's values are those of a plain run of the point's scenario.
func TestRunCommonRandomNumbers(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	var outs [][]byte
	order := sw.Order(len(pts))
	for _, w := range []int{1, 3} {
		rows, _ := runAll(t, sw, scs, Options{Workers: w})
		require.Len(t, rows, 8)
		for k, r := range rows {
			p, rep := order(k)
			assert.Equal(t, p, r.Point)
			assert.Equal(t, rep, r.Rep)
			assert.Equal(t, sim.ReplicationSeed(uint64(sw.Seed), r.Rep), r.Seed)
			assert.NoError(t, r.Err)
		}
		var b bytes.Buffer
		require.NoError(t, sw.WriteRuns(&b, pts, rows))
		outs = append(outs, b.Bytes())
		if w == 1 {
			sorted := byPointRep(rows)
			// point 3 as a plain run of both replications
			res, err := runner.Run(context.Background(), mustScenario(t, scs, 3), runner.Options{Workers: 2})
			require.NoError(t, err)
			s := res.Summary()
			for rep := range 2 {
				for m := range sim.NumMetrics {
					st := s.Metrics[m].TimeMean
					if Statistic(m) == "final" {
						st = s.Metrics[m].Final
					}
					want, got := float64(st.PerRep[rep]), sorted[6+rep].Values[m]
					if math.IsNaN(want) {
						assert.True(t, math.IsNaN(got), sim.Metrics[m].Name)
					} else {
						assert.Equal(t, want, got, sim.Metrics[m].Name)
					}
				}
			}
		}
	}
	assert.Equal(t, string(outs[0]), string(outs[1]), "runs.csv does not depend on the workers")
	assert.True(t, bytes.HasPrefix(outs[0], []byte("point,market.max_bids,providers[0].count,rep,seed,status,error,gpu_utilization,")))
}

// refPoints is points.csv computed without streaming: all rows held,
// grouped by point in (point, rep) order, each metric's values handed to
// reports.NewStat at once (the computation before rows streamed).
func refPoints(t *testing.T, sw *Sweep, pts []Point, rows []Row) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(strings.Join(sw.PointsHeader(), ",") + "\n")
	byPoint := make([][]Row, len(pts))
	for _, r := range byPointRep(rows) {
		byPoint[r.Point] = append(byPoint[r.Point], r)
	}
	for i, pt := range pts {
		rec := []string{strconv.Itoa(i)}
		for _, v := range pt {
			rec = append(rec, v.Text())
		}
		failed := 0
		for _, r := range byPoint[i] {
			if r.Err != nil {
				failed++
			}
		}
		rec = append(rec, strconv.Itoa(len(byPoint[i])), strconv.Itoa(failed))
		for m := range sim.NumMetrics {
			var vals []float64
			for _, r := range byPoint[i] {
				if r.Err == nil {
					vals = append(vals, r.Values[m])
				}
			}
			st := reports.NewStat(vals)
			half := math.NaN()
			if st.N >= 2 {
				half = (float64(st.CIHigh) - float64(st.CILow)) / 2
			}
			rec = append(rec, formatFloat(float64(st.Mean)), formatFloat(half))
		}
		b.WriteString(strings.Join(rec, ",") + "\n")
	}
	return b.String()
}

// TestStreamedFolder: the folder written row by row as runs finish (in
// run order) has the run table of the rows and a points.csv equal to the
// one computed from all rows at once in (point, rep) order (also when
// Finish reads the values back one point at a time); with a failed run.
func TestStreamedFolder(t *testing.T) {
	sw, err := FromGrid("akash-2024", []string{"market.max_bids=5,20", "providers[0].count=2,6"},
		[]string{"sim.horizon=3d", "sim.warmup=0s", "sim.replications=3"}, scenarios.Options{})
	require.NoError(t, err)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	dir := t.TempDir()
	w, err := sw.CreateFolder(dir, pts)
	require.NoError(t, err)
	var rows []Row
	res, err := sw.Run(context.Background(), scs, Options{Workers: 2,
		Write: func(r Row) error { rows = append(rows, r); return w.Write(r) },
		Recorder: func(point, rep int) sim.Recorder {
			return sim.RecorderFunc(func(*sim.Sample) {
				if point == 1 && rep == 2 {
					panic("boom")
				}
			})
		}})
	require.NoError(t, err)
	require.NoError(t, w.Finish(Log{}))
	assert.Equal(t, 12, res.Runs)
	require.Len(t, res.Failed, 1)
	assert.Equal(t, [2]int{1, 2}, [2]int{res.Failed[0].Point, res.Failed[0].Rep})
	got, err := os.ReadFile(filepath.Join(dir, reports.SweepPointsFile))
	require.NoError(t, err)
	assert.Equal(t, refPoints(t, sw, pts, rows), string(got))
	// the same, reading runs.csv back one point at a time
	defer func(b int) { pointsBudget = b }(pointsBudget)
	pointsBudget = 1
	dir2 := t.TempDir()
	require.NoError(t, sw.WriteFolder(dir2, pts, rows, Log{}))
	got2, err := os.ReadFile(filepath.Join(dir2, reports.SweepPointsFile))
	require.NoError(t, err)
	assert.Equal(t, string(got), string(got2))
	assert.Contains(t, string(got), "\n1,5,6,3,1,", "point 1: 3 runs, 1 failed")
	var b bytes.Buffer
	require.NoError(t, sw.WriteRuns(&b, pts, rows))
	runs, err := os.ReadFile(filepath.Join(dir, reports.SweepRunsFile))
	require.NoError(t, err)
	assert.Equal(t, b.String(), string(runs))
}

// TestFailFast: with FailFast, no run starts after the first failed
// one; with one worker the rows written end with it.
func TestFailFast(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	p2, r2 := sw.Order(len(pts))(2) // the third run
	rows, res := runAll(t, sw, scs, Options{Workers: 1, FailFast: true, Recorder: func(point, rep int) sim.Recorder {
		return sim.RecorderFunc(func(*sim.Sample) {
			if point == p2 && rep == r2 {
				panic("boom")
			}
		})
	}})
	require.NotNil(t, res.Stopped)
	assert.Equal(t, [2]int{p2, r2}, [2]int{res.Stopped.Point, res.Stopped.Rep})
	assert.Contains(t, res.Stopped.Err.Error(), "boom")
	assert.Len(t, rows, 3, "no run after the failed one")
	assert.Equal(t, 8, res.Total)
	// without FailFast every run goes on
	rows, res = runAll(t, sw, scs, Options{Workers: 1, Recorder: func(point, rep int) sim.Recorder {
		return sim.RecorderFunc(func(*sim.Sample) {
			if point == p2 && rep == r2 {
				panic("boom")
			}
		})
	}})
	assert.Nil(t, res.Stopped)
	assert.Len(t, rows, 8)
	assert.Len(t, res.Failed, 1)
}

// TestIndependentSeeds: by default replication r has the same seed at
// every point; with IndependentSeeds the seeds differ across points and
// replications, a row's seed is replication r of the point's own seed,
// and the manifest says which derivation.
func TestIndependentSeeds(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	crn := sw.NewManifest(pts, nil).SeedDerivation
	assert.Contains(t, crn, "common random numbers")
	sw.IndependentSeeds = true
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	rows, _ := runAll(t, sw, scs, Options{Workers: 2})
	seeds := map[uint64]bool{}
	for _, r := range rows {
		require.NoError(t, r.Err)
		assert.Equal(t, sim.ReplicationSeed(uint64(sw.PointSeed(r.Point)), r.Rep), r.Seed)
		assert.Equal(t, sw.PointSeed(r.Point), mustScenario(t, scs, r.Point).Sim.Seed)
		seeds[r.Seed] = true
	}
	assert.Len(t, seeds, 8, "every run has a seed of its own")
	assert.NotEqual(t, sw.PointSeed(0), sw.PointSeed(1))
	assert.GreaterOrEqual(t, sw.PointSeed(3), int64(0))
	ind := sw.NewManifest(pts, nil).SeedDerivation
	assert.Contains(t, ind, "independent seeds")
	assert.NotEqual(t, crn, ind)
}

// TestFailedRunIsARow: a run that fails (here a panic in a recorder)
// is a failed row with its error; the other runs go on.
func TestFailedRunIsARow(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	rows, _ := runAll(t, sw, scs, Options{Workers: 2, Recorder: func(point, rep int) sim.Recorder {
		return sim.RecorderFunc(func(*sim.Sample) {
			if point == 2 && rep == 1 {
				panic("boom")
			}
		})
	}})
	rows = byPointRep(rows)
	for i, r := range rows {
		if i == 5 {
			require.Error(t, r.Err)
			var re *runner.ReplicationError
			assert.True(t, errors.As(r.Err, &re))
			assert.True(t, math.IsNaN(r.Values[0]))
		} else {
			assert.NoError(t, r.Err, "row %d", i)
		}
	}
	var b bytes.Buffer
	require.NoError(t, sw.WriteRuns(&b, pts, rows))
	lines := strings.Split(b.String(), "\n")
	assert.Contains(t, lines[6], "2,20,2,1,")
	assert.Contains(t, lines[6], ",failed,")
	assert.Contains(t, lines[6], "panic: boom")
	b.Reset()
	require.NoError(t, sw.WritePoints(&b, pts, rows))
	assert.Contains(t, strings.Split(b.String(), "\n")[3], "2,20,2,2,1,", "point 2: 2 runs, 1 failed")
	m := sw.NewManifest(pts, rows)
	assert.Equal(t, []string{"point 2 rep 1"}, m.Failed)
}

// TestRunCancelled: a cancelled sweep returns an error and writes no
// row.
func TestRunCancelled(t *testing.T) {
	sw := small(t)
	scs, err := sw.Validate(sw.Points())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	res, err := sw.Run(ctx, scs, Options{Workers: 2, Write: func(Row) error { n++; return nil }})
	require.Error(t, err)
	assert.Equal(t, 0, res.Runs)
	assert.Equal(t, 0, n)
	assert.Contains(t, err.Error(), "sweep stopped after")
}

// TestPlotDataIsPointsCSV: the data behind the plots is what points.csv
// holds: the parameters' values and, per chosen metric, the means and
// half-widths.
func TestPlotDataIsPointsCSV(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	rows := make([]Row, 0, 2*len(pts))
	for i := range pts {
		for r := range 2 {
			vals := make([]float64, sim.NumMetrics)
			for m := range vals {
				vals[m] = float64(i*10+r) + float64(m)/7
			}
			rows = append(rows, Row{Point: i, Rep: r, Values: vals})
		}
	}
	var b bytes.Buffer
	require.NoError(t, sw.WritePoints(&b, pts, rows))
	recs, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for j, h := range recs[0] {
		col[h] = j
	}
	d := sw.PlotData(pts, rows)
	require.Len(t, d.Params, 2)
	assert.True(t, d.Grid)
	require.Len(t, d.Metrics, len(DefaultMetrics))
	for k, m := range d.Metrics {
		assert.Equal(t, DefaultMetrics[k], m.Name)
		for i := range pts {
			assert.Equal(t, recs[1+i][col[m.Name+"_mean"]], formatFloat(m.Mean[i]), "%s point %d", m.Name, i)
			assert.Equal(t, recs[1+i][col[m.Name+"_ci95"]], formatFloat(m.CI95[i]), "%s point %d", m.Name, i)
		}
	}
	for j, p := range d.Params {
		assert.True(t, p.Numeric)
		for i := range pts {
			assert.Equal(t, recs[1+i][col[p.Key]], p.Texts[i])
			assert.Equal(t, recs[1+i][col[p.Key]], formatFloat(p.Values[i]))
		}
		assert.Equal(t, sw.Params[j].Key, p.Key)
	}
}

// TestMetricsKey: the metrics key chooses the plotted metrics; an unknown
// or repeated name is refused naming the key and listing the metrics.
func TestMetricsKey(t *testing.T) {
	const body = "base = \"akash-2024\"\ndesign = \"grid\"\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5, 20]\n"
	sw := parse(t, "metrics = [\"token_supply\", \"gpu_utilization\"]\n"+body)
	assert.Equal(t, []int{sim.MTokenSupply, sim.MGPUUtilization}, sw.Metrics)
	assert.Empty(t, parse(t, "metrics = []\n"+body).Metrics)
	for _, c := range []struct{ metrics, want string }{
		{`["gpu_utilisation"]`, `s.toml: metrics[0]: "gpu_utilisation": no such metric (metrics: gpu_utilization, cpu_utilization,`},
		{`["token_supply", "token_supply"]`, `s.toml: metrics[1]: "token_supply" is listed twice`},
	} {
		_, err := Parse("s.toml", t.TempDir(), "s", []byte("metrics = "+c.metrics+"\n"+body), nil, scenarios.Options{})
		require.Error(t, err, c.metrics)
		assert.Contains(t, err.Error(), c.want)
	}
}

// The streamed folder draws its plots from the means and half-widths it
// computed for points.csv: they are the plots of PlotData over all rows.
func TestStreamedPlotsArePlotData(t *testing.T) {
	sw := small(t)
	pts := sw.Points()
	var rows []Row
	for r := range 3 {
		for i := range pts {
			vals := make([]float64, sim.NumMetrics)
			for m := range vals {
				vals[m] = float64(i*10+r*r) + float64(m)/7
			}
			rows = append(rows, Row{Point: i, Rep: r, Values: vals})
		}
	}
	dir := t.TempDir()
	require.NoError(t, sw.WriteFolder(dir, pts, rows, Log{}))
	want := t.TempDir()
	require.NoError(t, reports.WriteSweepPlots(want, sw.PlotData(pts, rows)))
	names, _ := reports.SweepPlotFiles(sw.PlotData(pts, rows))
	require.NotEmpty(t, names)
	for _, n := range names {
		a, err := os.ReadFile(filepath.Join(dir, n))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(want, n))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s", n)
	}
}
