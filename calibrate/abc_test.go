package calibrate

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const abcTable = `[abc]
samples = 2000
accept = 0.05
`

// abcText is the analytic calibration of truth (2, 1.5) with an [abc]
// table and a mild normal prior on the first parameter.
func abcText(table string) string {
	text := calText(2, 1.5, 4, 4, 3, "profile = 2\n"+table)
	text = strings.Replace(text, "generations = 25\npolish = 30\n", "generations = 8\npolish = 10\n", 1)
	return strings.Replace(text, "key = \"tenants[0].arrivals_per_day\"\n", "key = \"tenants[0].arrivals_per_day\"\nprior = { dist = \"normal\", mean = 2.5, sd = 1.5 }\n", 1)
}

// TestABCPosteriorCoversTruth: the approximate posterior of the analytic
// model's two parameters holds the truth within its 95% intervals, is
// far narrower than the prior's, accepts round(accept * samples) draws in
// draw order, and the draws follow the prior (truncated normal) or the
// uniform range.
func TestABCPosteriorCoversTruth(t *testing.T) {
	withHook(t, analytic)
	c, err := Parse("cal.toml", ".", "cal", []byte(abcText(abcTable)), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), c, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	a := res.ABC
	if a == nil || len(a.Draws) != 2000 {
		t.Fatalf("ABC result %v: want 2000 draws", a != nil)
	}
	if len(a.Accepted) != 100 {
		t.Errorf("%d draws accepted, want round(0.05 * 2000) = 100", len(a.Accepted))
	}
	truth := []float64{2, 1.5}
	t.Logf("epsilon %.4g; posterior medians %.4g, 95%% intervals [%.4g, %.4g] and [%.4g, %.4g]", a.Epsilon, a.Median, a.Lo[0], a.Hi[0], a.Lo[1], a.Hi[1])
	for i := range truth {
		if !(a.Lo[i] <= truth[i] && truth[i] <= a.Hi[i]) {
			t.Errorf("param %d: 95%% posterior interval [%v, %v] misses the truth %v", i, a.Lo[i], a.Hi[i], truth[i])
		}
		if w := a.Hi[i] - a.Lo[i]; !(w < 0.25*0.95*4.5) {
			t.Errorf("param %d: posterior interval width %v, want < a quarter of the prior's (%v)", i, w, 0.95*4.5)
		}
		if math.Abs(a.Median[i]-truth[i]) > 0.3 {
			t.Errorf("param %d: posterior median %v, want %v within 0.3", i, a.Median[i], truth[i])
		}
	}
	// accepted in draw order; each accepted distance <= epsilon < every rejected one
	acc := map[int]bool{}
	for j, k := range a.Accepted {
		acc[k] = true
		if j > 0 && a.Index[k] <= a.Index[a.Accepted[j-1]] {
			t.Fatal("the accepted draws are not in draw order")
		}
	}
	for k, d := range a.Distance {
		if acc[k] != (d <= a.Epsilon) && d != a.Epsilon {
			t.Fatalf("draw %d: distance %v, epsilon %v, accepted %v", k, d, a.Epsilon, acc[k])
		}
	}
	// the draws follow the priors: about 68% of the first parameter's
	// truncated normal(2.5, 1.5) on [0.5, 5] is within [1, 4] (0.7365 /
	// 0.9403 = 0.78); the second is uniform on [0.5, 5]
	in, below := 0, 0
	for _, x := range a.Draws {
		if x[0] >= 1 && x[0] <= 4 {
			in++
		}
		if x[1] < 2.75 {
			below++
		}
	}
	if f := float64(in) / 2000; math.Abs(f-0.783) > 0.02 {
		t.Errorf("%v of the first parameter's draws in [1, 4], want 0.78 (truncated normal prior)", f)
	}
	if f := float64(below) / 2000; math.Abs(f-0.5) > 0.01 {
		t.Errorf("%v of the second parameter's draws below 2.75, want 0.5 (uniform)", f)
	}
	// the distance leaves out the prior's term; the abc evaluations are a phase of their own
	n := 0
	for _, e := range res.Evals {
		if e.Phase != PhaseABC {
			continue
		}
		z := (e.X[0] - 2.5) / 1.5
		if d := a.Distance[n]; math.Abs(e.Objective-z*z-d) > 1e-9*(1+d) {
			t.Fatalf("abc evaluation %d: objective %v, distance %v, prior term %v", n, e.Objective, d, z*z)
		}
		n++
	}
	if n != 2000 {
		t.Errorf("%d abc evaluations, want 2000", n)
	}
	rep := res.Report()
	if rep.ABCSamples != 2000 || rep.ABCAccepted != 100 || rep.ABCEpsilon != a.Epsilon || rep.Params[1].PostLo != a.Lo[1] {
		t.Errorf("report: samples %d accepted %d epsilon %v", rep.ABCSamples, rep.ABCAccepted, rep.ABCEpsilon)
	}
	for _, h := range rep.History {
		if h.Phase == PhaseABC {
			t.Fatal("the objective's history holds the abc draws")
		}
	}
	// epsilon: an absolute threshold accepts exactly the draws within it
	c2, err := Parse("cal.toml", ".", "cal", []byte(abcText(fmt.Sprintf("[abc]\nsamples = 2000\nepsilon = %v\n", a.Epsilon))), nil)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := Run(context.Background(), c2, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res2.ABC.Accepted, res2.ABC.Median) != fmt.Sprint(a.Accepted, a.Median) || res2.ABC.Epsilon != a.Epsilon {
		t.Errorf("epsilon %v accepts %d draws, want the same %d as accept 0.05", a.Epsilon, len(res2.ABC.Accepted), len(a.Accepted))
	}
}

// TestABCWorkersAndResume: the files are byte for byte the same for 1
// and 3 workers; a calibration killed during the ABC draws resumes from
// its journal, runs only the draws missing, and ends with the same files.
func TestABCWorkersAndResume(t *testing.T) {
	calls := 0
	withHook(t, func(x []float64, s uint64) ([]float64, error) { calls++; return analytic(x, s) })
	table := "[abc]\nsamples = 300\naccept = 0.1\nsampling = \"halton\"\n"
	c, err := Parse("cal.toml", ".", "cal", []byte(abcText(table)), nil)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var dirs []string
	for _, w := range []int{1, 3} {
		d := filepath.Join(root, fmt.Sprint("w", w))
		os.Mkdir(d, 0o755)
		res, err := Run(context.Background(), c, Options{Workers: w, Journal: filepath.Join(d, JournalFile)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.ABC.Accepted) != 30 {
			t.Errorf("workers %d: %d accepted, want 30", w, len(res.ABC.Accepted))
		}
		if w == 3 {
			// keep the journal up to the middle of the abc draws: a kill
			j, _ := os.ReadFile(filepath.Join(d, JournalFile))
			lines := strings.SplitAfter(string(j), "\n")
			cut := len(lines) - 150
			if err := os.WriteFile(filepath.Join(d, JournalFile), []byte(strings.Join(lines[:cut], "")+"s\t1.5,2"), 0o644); err != nil {
				t.Fatal(err)
			}
			calls = 0
			res, err = Run(context.Background(), c, Options{Workers: w, Journal: filepath.Join(d, JournalFile), Resume: true})
			if err != nil {
				t.Fatal(err)
			}
			if calls == 0 || calls > 160*c.Replications {
				t.Errorf("the resume ran %d replications, want some and at most %d (the draws cut off)", calls, 160*c.Replications)
			}
		}
		if err := Write(d, res, true, nil); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	sameTree(t, dirs[0], dirs[1])
	post, err := os.ReadFile(filepath.Join(dirs[0], PosteriorCSV))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(post)), "\n")
	if lines[0] != "draw,tenants[0].arrivals_per_day,tenants[1].arrivals_per_day,distance" || len(lines) != 31 {
		t.Errorf("posterior.csv: header %q, %d lines (want 31)", lines[0], len(lines))
	}
	params, _ := os.ReadFile(filepath.Join(dirs[0], ParamsCSV))
	if !strings.Contains(string(params), ",posterior_median,posterior_lo,posterior_hi\n") {
		t.Errorf("params.csv lacks the posterior columns:\n%s", params)
	}
	if _, err := os.Stat(filepath.Join(dirs[0], PosteriorCSV+".meta.json")); err != nil {
		t.Error(err)
	}
}

// TestABCShardMerge: the shards split the draws (k % N == I-1) and the
// merge replays them all from the shards' journals, ending with the
// unsharded calibration's files.
func TestABCShardMerge(t *testing.T) {
	calls := 0
	withHook(t, func(x []float64, s uint64) ([]float64, error) { calls++; return analytic(x, s) })
	c, err := Parse("cal.toml", ".", "cal", []byte(abcText("starts = 2\n[abc]\nsamples = 200\naccept = 0.1\n")), nil)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	whole := filepath.Join(root, "whole")
	os.Mkdir(whole, 0o755)
	ref, err := Run(context.Background(), c, Options{Workers: 2, Journal: filepath.Join(whole, JournalFile)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(whole, ref, true, nil); err != nil {
		t.Fatal(err)
	}
	dirs := runShards(t, c, root, 2)
	journals, err := ShardJournals(c, dirs)
	if err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(root, "merged")
	os.Mkdir(merged, 0o755)
	calls = 0
	res, err := Run(context.Background(), c, Options{Workers: 2, Journal: filepath.Join(merged, JournalFile), ShardJournals: journals})
	if err != nil {
		t.Fatal(err)
	}
	nprof := 0
	for _, e := range res.Evals {
		if e.Phase == PhaseProfile {
			nprof++
		}
	}
	if want := c.CheckReplications + nprof*c.Replications; calls > want {
		t.Errorf("the merge ran %d replications, want at most %d (the check and the profile; no draw)", calls, want)
	}
	if err := Write(merged, res, true, nil); err != nil {
		t.Fatal(err)
	}
	sameTree(t, whole, merged)
}

// TestABCBadInput: a bad [abc] table is an error naming its key path and
// the value.
func TestABCBadInput(t *testing.T) {
	for _, tc := range []struct{ abc, want string }{
		{"accept = 0.1", "abc.samples: missing"},
		{"samples = 5\naccept = 0.1", "abc.samples: 5: want an integer from 10 to 1000000"},
		{"samples = 100", "abc.accept: missing: want accept"},
		{"samples = 100\naccept = 0.1\nepsilon = 3", "abc.epsilon: accept and epsilon both given"},
		{"samples = 100\naccept = 1.5", "abc.accept: 1.5: want a share in (0, 1]"},
		{"samples = 100\naccept = 0.001", "abc.accept: 0.001 of 100 draws accepts none"},
		{"samples = 100\nepsilon = -1", "abc.epsilon: -1: want a finite threshold > 0"},
		{"samples = 100\naccept = 0.1\nsampling = \"sobol\"", `abc.sampling: "sobol": want lhs or halton`},
		{"samples = 100\naccept = 0.1\nkernel = \"gauss\"", "abc.kernel"},
	} {
		_, err := Parse("cal.toml", ".", "cal", []byte(calText(2, 1.5, 4, 4, 3, "")+"[abc]\n"+tc.abc+"\n"), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "cal.toml") {
			t.Errorf("[abc] %q: got %v, want an error with %q", tc.abc, err, tc.want)
		}
	}
}
