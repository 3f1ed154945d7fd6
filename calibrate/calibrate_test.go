package calibrate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// analytic is a model of two parameters and three targets with noise:
// y0 = a + b, y1 = a * b, y2 = 2a - b, each plus noise of sd 0.05 drawn
// from the replication's seed.
func analytic(x []float64, seed uint64) ([]float64, error) {
	r := rand.New(rand.NewPCG(seed, 1))
	a, b := x[0], x[1]
	return []float64{a + b + 0.05*r.NormFloat64(), a*b + 0.05*r.NormFloat64(), 2*a - b + 0.05*r.NormFloat64()}, nil
}

func withHook(t *testing.T, h func([]float64, uint64) ([]float64, error)) {
	modelHook = h
	t.Cleanup(func() { modelHook = nil })
}

// calText returns a calibration file for the analytic model whose
// targets are its noiseless values at (a, b), started at (sa, sb).
func calText(a, b, sa, sb float64, seed int, extra string) string {
	return fmt.Sprintf(`base = "akash-2024"
seed = %d
replications = 4
check_replications = 8
set = ["sim.horizon=10d"]
[search]
generations = 25
polish = 30
%s
[[param]]
key = "tenants[0].arrivals_per_day"
min = 0.5
max = 5
start = %v
[[param]]
key = "tenants[1].arrivals_per_day"
min = 0.5
max = 5
start = %v
[[target]]
name = "sum"
metric = "gpu_utilization"
stat = "mean"
value = %v
sigma = 0.05
[[target]]
name = "product"
metric = "gpu_utilization"
stat = "max"
value = %v
sigma = 0.05
[[target]]
name = "diff"
metric = "gpu_utilization"
stat = "min"
value = %v
sigma = 0.05
`, seed, extra, sa, sb, a+b, a*b, 2*a-b)
}

func TestRecoverTruthAnalytic(t *testing.T) {
	withHook(t, analytic)
	for seed := 1; seed <= 4; seed++ {
		a, b := 1+0.5*float64(seed), 3-0.4*float64(seed)
		c, err := Parse("cal.toml", ".", "cal", []byte(calText(a, b, 4.5, 0.8, seed, "")), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), c, Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(res.Best[0]-a) > 0.1 || math.Abs(res.Best[1]-b) > 0.1 {
			t.Errorf("seed %d: fitted %v, want (%v, %v) within 0.1 (objective %g)", seed, res.Best, a, b, res.Objective)
		}
		for i, tf := range res.Targets {
			if !tf.Met {
				t.Errorf("seed %d: target %d not met: %+v", seed, i, tf)
			}
		}
		for i := range res.Best {
			if !(res.Lo[i] <= res.Best[i] && res.Best[i] <= res.Hi[i]) || res.Hi[i]-res.Lo[i] > 0.5 {
				t.Errorf("seed %d: param %d: profile [%v, %v] around %v", seed, i, res.Lo[i], res.Hi[i], res.Best[i])
			}
		}
	}
}

func TestWorkersInvariantAnalytic(t *testing.T) {
	withHook(t, analytic)
	var ref *Result
	for _, w := range []int{1, 2, 5} {
		c, err := Parse("cal.toml", ".", "cal", []byte(calText(2, 1.5, 4, 4, 3, "starts = 2")), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), c, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = res
			continue
		}
		if fmt.Sprint(res.Evals) != fmt.Sprint(ref.Evals) || fmt.Sprint(res.Best, res.Lo, res.Hi, res.Targets) != fmt.Sprint(ref.Best, ref.Lo, ref.Hi, ref.Targets) {
			t.Fatalf("workers %d: a different result", w)
		}
	}
}

func TestJournalResume(t *testing.T) {
	calls := 0
	withHook(t, func(x []float64, s uint64) ([]float64, error) { calls++; return analytic(x, s) })
	dir := t.TempDir()
	j := filepath.Join(dir, "journal")
	c, err := Parse("cal.toml", ".", "cal", []byte(calText(2, 1.5, 4, 4, 3, "")), nil)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Run(context.Background(), c, Options{Workers: 1, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	calls = 0
	res, err := Run(context.Background(), c, Options{Workers: 1, Journal: j, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Errorf("a resume of a finished journal ran %d replications, want 0", calls)
	}
	if fmt.Sprint(res.Evals) != fmt.Sprint(ref.Evals) {
		t.Error("the resumed calibration differs")
	}
}

// TestScreeningFixesInert: a third parameter the model ignores is fixed by
// the screening at its start and reported so; the other two are
// recovered; the screening's evaluations are journaled and a resume runs
// nothing again.
func TestScreeningFixesInert(t *testing.T) {
	calls := 0
	withHook(t, func(x []float64, s uint64) ([]float64, error) { calls++; return analytic(x, s) })
	text := calText(2, 1.5, 4, 4, 3, "") + `
[[param]]
key = "tenants[2].arrivals_per_day"
min = 1
max = 10
start = 3
[screen]
trajectories = 6
threshold = 0.1
`
	c, err := Parse("cal.toml", ".", "cal", []byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	j := filepath.Join(t.TempDir(), "journal")
	res, err := Run(context.Background(), c, Options{Workers: 2, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, false, true}; fmt.Sprint(res.Fixed) != fmt.Sprint(want) {
		t.Fatalf("fixed %v, want %v (mu* %+v)", res.Fixed, want, res.Screening)
	}
	if res.Best[2] != 3 {
		t.Errorf("the fixed parameter ends at %v, want its start 3", res.Best[2])
	}
	if math.Abs(res.Best[0]-2) > 0.1 || math.Abs(res.Best[1]-1.5) > 0.1 {
		t.Errorf("fitted %v, want (2, 1.5) within 0.1", res.Best)
	}
	n := 0
	for _, e := range res.Evals {
		if e.Phase == PhaseScreen {
			n++
		}
		if e.Phase == PhaseProfile && e.Param == 2 {
			t.Errorf("the fixed parameter is profiled: %+v", e)
		}
	}
	if n != 6*4 {
		t.Errorf("%d screening evaluations, want 24 (6 trajectories of 4 points)", n)
	}
	if !math.IsNaN(res.Lo[2]) || !res.Report().Params[2].Fixed || res.Report().Params[0].Fixed {
		t.Errorf("report: %+v", res.Report().Params)
	}
	calls = 0
	again, err := Run(context.Background(), c, Options{Workers: 1, Journal: j, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 0 || fmt.Sprint(again.Evals) != fmt.Sprint(res.Evals) {
		t.Errorf("resume: %d replications run again (want 0), same evaluations %v", calls, fmt.Sprint(again.Evals) == fmt.Sprint(res.Evals))
	}
}

// TestScreenBadInput: a bad [screen] table is an error naming its key
// path and the value.
func TestScreenBadInput(t *testing.T) {
	for _, tc := range []struct{ screen, want string }{
		{"threshold = 0.2", "screen.trajectories: missing"},
		{"trajectories = 1", "screen.trajectories: 1: want an integer from 2 to 10000"},
		{"trajectories = 4\nlevels = 3", "screen.levels: 3: want an even number"},
		{"trajectories = 4\nthreshold = 1", "screen.threshold: 1: want a number in [0, 1)"},
		{"trajectories = 4\nspeed = 1", "screen.speed"},
	} {
		_, err := Parse("cal.toml", ".", "cal", []byte(calText(2, 1.5, 4, 4, 3, "")+"[screen]\n"+tc.screen+"\n"), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "cal.toml") {
			t.Errorf("[screen] %q: got %v, want an error with %q", tc.screen, err, tc.want)
		}
	}
}
