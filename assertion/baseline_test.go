package assertion

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// family describes synthetic families of metrics for the false-alarm and
// power tests: metrics 0..m/2-1 are independent, the others share a
// per-replication factor (correlation 0.9 between any two of them).
type family struct {
	m, n   int
	paired bool    // common random numbers: same seeds, a shared per-replication effect
	noise  float64 // paired: sd of the part of a value not shared by base and cur (the shared part has sd 1)
	shift  float64 // added to metric 0 in cur, in sd of one replication's value (Welch) or of the per-replication difference (paired)
}

// draw builds one family's base and cur.
func (f family) draw(rng *rand.Rand) (base, cur *Baseline) {
	base = &Baseline{Format: 1, Scenario: "synthetic"}
	cur = &Baseline{Format: 1, Scenario: "synthetic"}
	for r := range f.n {
		base.Seeds = append(base.Seeds, uint64(r+1))
		if f.paired {
			cur.Seeds = append(cur.Seeds, uint64(r+1))
		} else {
			cur.Seeds = append(cur.Seeds, uint64(r+1001))
		}
	}
	// side returns n values of metric k from the per-replication shared
	// factors; the correlated half mixes in the common factor.
	const rho = 0.9
	common := func() []float64 {
		c := make([]float64, f.n)
		for r := range c {
			c[r] = rng.NormFloat64()
		}
		return c
	}
	cb, cc := common(), common()
	shared := common() // paired: the replication's effect, in both runs
	for k := range f.m {
		mu := 10 * float64(k+1)
		vb, vc := make([]float64, f.n), make([]float64, f.n)
		for r := range f.n {
			eb, ec := rng.NormFloat64(), rng.NormFloat64()
			if k >= f.m/2 {
				eb = math.Sqrt(rho)*cb[r] + math.Sqrt(1-rho)*eb
				ec = math.Sqrt(rho)*cc[r] + math.Sqrt(1-rho)*ec
			}
			if f.paired {
				s := rng.NormFloat64()
				if k >= f.m/2 {
					s = math.Sqrt(rho)*shared[r] + math.Sqrt(1-rho)*s
				}
				// The difference cur-base has sd noise*sqrt(2); scale so
				// that shift is in sd of the difference.
				vb[r] = mu + s + f.noise*eb
				vc[r] = mu + s + f.noise*ec
			} else {
				vb[r] = mu + eb
				vc[r] = mu + ec
			}
		}
		if k == 0 {
			sd := 1.0
			if f.paired {
				sd = f.noise * math.Sqrt2
			}
			for r := range vc {
				vc[r] += f.shift * sd
			}
		}
		name := fmt.Sprintf("m%02d", k)
		base.Metrics = append(base.Metrics, BaselineMetric{Metric: name, Stat: "mean", Values: vb})
		cur.Metrics = append(cur.Metrics, BaselineMetric{Metric: name, Stat: "mean", Values: vc})
	}
	return base, cur
}

// run compares count families and returns how many had any metric moved
// and how many had metric 0 moved.
func (f family) run(t *testing.T, rng *rand.Rand, count int, opt CompareOptions) (anyMoved, firstMoved int) {
	t.Helper()
	for range count {
		base, cur := f.draw(rng)
		ds, err := Compare(base, cur, opt)
		if err != nil {
			t.Fatal(err)
		}
		want := TestWelch
		if f.paired {
			want = TestPaired
		}
		moved := false
		for _, d := range ds {
			if d.Test != want {
				t.Fatalf("%s: test %q, want %q", d.Metric, d.Test, want)
			}
			moved = moved || d.Moved
		}
		if moved {
			anyMoved++
		}
		if ds[0].Moved {
			firstMoved++
		}
	}
	return anyMoved, firstMoved
}

// TestBaselineFalseAlarmRate: with nothing changed, the share of
// families (scenarios) with any metric reported as moved is consistent
// with at most Alpha (one-sided binomial test at 1%), for Welch and for
// paired tests, with independent and strongly correlated metrics. Under
// -short over half the families.
func TestBaselineFalseAlarmRate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		f        family
		alpha    float64
		families int
	}{
		{"welch", family{m: 40, n: 5}, 0, 2000},
		{"paired", family{m: 40, n: 5, paired: true, noise: 0.3}, 0, 2000},
		{"welch-alpha-0.05", family{m: 40, n: 5}, 0.05, 300},
		{"paired-n3-alpha-0.05", family{m: 40, n: 3, paired: true, noise: 0.3}, 0.05, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			families := tc.families
			if testing.Short() {
				families /= 2
			}
			rng := rand.New(rand.NewPCG(11, uint64(len(tc.name))))
			alarms, _ := tc.f.run(t, rng, families, CompareOptions{Alpha: tc.alpha})
			alpha := tc.alpha
			if alpha == 0 {
				alpha = DefaultAlpha
			}
			// P(X >= alarms) under Binomial(families, alpha).
			p := 1.0
			if alarms > 0 {
				p = distuv.Binomial{N: float64(families), P: alpha}.Survival(float64(alarms - 1))
			}
			t.Logf("%d of %d families with a false alarm (%.4f; alpha %v); P(X >= %d) = %.3g", alarms, families, float64(alarms)/float64(families), alpha, alarms, p)
			if p < 0.01 {
				t.Errorf("%d false alarms in %d families exceed alpha %v (binomial p %.3g < 0.01)", alarms, families, alpha, p)
			}
		})
	}
}

// TestBaselinePower: a large shift in one metric of 40 is caught with 5
// replications (Welch), and under common random numbers a shift far
// smaller than the spread between replications is caught (paired).
func TestBaselinePower(t *testing.T) {
	const families = 300
	rng := rand.New(rand.NewPCG(12, 1))
	// Welch, n = 5: the documented 80%-power shift (docs/baselines.md).
	f := family{m: 40, n: 5, shift: 5.5}
	_, hit := f.run(t, rng, families, CompareOptions{})
	t.Logf("welch n=5 shift 5.5 sd: caught in %d of %d", hit, families)
	if hit < families*3/4 {
		t.Errorf("welch n=5, shift 5.5 sd: caught in %d of %d families, want >= 75%%", hit, families)
	}
	// 3 sd with n = 5 and 40 metrics is below what Welch can see at
	// alpha 0.01 (see the table in docs/baselines.md); n = 10 catches it.
	f = family{m: 40, n: 10, shift: 3}
	_, hit = f.run(t, rng, families, CompareOptions{})
	t.Logf("welch n=10 shift 3 sd: caught in %d of %d", hit, families)
	if hit < families*4/5 {
		t.Errorf("welch n=10, shift 3 sd: caught in %d of %d families, want >= 80%%", hit, families)
	}
	// Paired: the replications' spread has sd about 1, the difference
	// between two runs with the same seeds sd 0.05*sqrt2; a shift of 0.5
	// (half the replications' sd; 7.1 sd of the difference) is caught.
	f = family{m: 40, n: 5, paired: true, noise: 0.05, shift: 0.5 / (0.05 * math.Sqrt2)}
	_, hit = f.run(t, rng, families, CompareOptions{})
	t.Logf("paired n=5 shift 0.5 sd of values: caught in %d of %d", hit, families)
	if hit < families*4/5 {
		t.Errorf("paired n=5: caught in %d of %d families, want >= 80%%", hit, families)
	}
	// The same shift with independent seeds (Welch) is mostly missed.
	g := family{m: 40, n: 5, shift: 0.5}
	_, hitW := g.run(t, rng, families, CompareOptions{})
	t.Logf("welch n=5 shift 0.5 sd: caught in %d of %d", hitW, families)
	if hitW >= hit/4 {
		t.Errorf("welch caught a 0.5 sd shift in %d families, paired in %d: paired should be far more powerful", hitW, hit)
	}
	// MinEffect: a 0.5 shift on a mean of 10 is 5%; MinEffect 0.1 hides it.
	rng = rand.New(rand.NewPCG(12, 2))
	_, hit = f.run(t, rng, 50, CompareOptions{MinEffect: 0.1})
	if hit != 0 {
		t.Errorf("MinEffect 0.1 with a 5%% shift: moved in %d families, want 0", hit)
	}
	_, hit = f.run(t, rng, 50, CompareOptions{MinEffect: 0.02})
	if hit < 40 {
		t.Errorf("MinEffect 0.02 with a 5%% shift: moved in %d of 50 families, want >= 40", hit)
	}
}

// detectableShift returns the shift (in sd of one replication's value for
// Welch, of the per-replication difference for paired) that m metrics
// compared at family-wise rate alpha detect with probability power, with
// n replications a side. It simulates the shifted metric alone at the
// Bonferroni level alpha/m (Holm's first step, which decides when the
// other m-1 metrics did not move) with fixed draws, and bisects.
func detectableShift(n, m int, alpha, power float64, paired bool, draws int) float64 {
	rng := rand.New(rand.NewPCG(uint64(n), 99))
	type sample struct{ x, y []float64 }
	ss := make([]sample, draws)
	for i := range ss {
		x, y := make([]float64, n), make([]float64, n)
		for r := range n {
			x[r], y[r] = rng.NormFloat64(), rng.NormFloat64()
		}
		if paired {
			// differences with sd 1: y - x = N(0, 1)
			for r := range n {
				y[r] = x[r] + y[r]
			}
		}
		ss[i] = sample{x, y}
	}
	caught := func(delta float64) float64 {
		k := 0
		yy := make([]float64, n)
		for _, s := range ss {
			for r := range n {
				yy[r] = s.y[r] + delta
			}
			var d Drift
			if paired {
				d = pairedTest(s.x, yy)
			} else {
				d = welchTest(s.x, yy)
			}
			if d.P < alpha/float64(m) {
				k++
			}
		}
		return float64(k) / float64(draws)
	}
	lo, hi := 0.0, 50.0
	for range 30 {
		mid := (lo + hi) / 2
		if caught(mid) >= power {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// TestBaselineDetectableShiftTable computes the table of docs/baselines.md
// (the shift caught with 80% probability, 40 metrics, alpha 0.01) and
// checks the documented figures.
func TestBaselineDetectableShiftTable(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation; make test-long")
	}
	doc := map[int][2]float64{ // n: {welch, paired}
		3: {26.4, 46.0}, 5: {5.5, 6.7}, 10: {2.5, 2.2}, 20: {1.6, 1.2},
	}
	for _, n := range []int{3, 5, 10, 20} {
		w := detectableShift(n, 40, DefaultAlpha, 0.8, false, 4000)
		p := detectableShift(n, 40, DefaultAlpha, 0.8, true, 4000)
		t.Logf("n=%d welch %.1f paired %.1f", n, w, p)
		want := doc[n]
		if math.Abs(w-want[0]) > 0.1*want[0] || math.Abs(p-want[1]) > 0.1*want[1] {
			t.Errorf("n=%d: detectable shift welch %.2f paired %.2f; docs/baselines.md says %.1f and %.1f", n, w, p, want[0], want[1])
		}
	}
}

// TestBaselineExact covers the degenerate cases: no spread, too few
// values, NaN values, missing metrics.
func TestBaselineExact(t *testing.T) {
	nan := math.NaN()
	mk := func(seeds []uint64, ms ...BaselineMetric) *Baseline {
		return &Baseline{Format: 1, Seeds: seeds, Metrics: ms}
	}
	bm := func(name string, vs ...float64) BaselineMetric {
		return BaselineMetric{Metric: name, Stat: "mean", Values: vs}
	}
	s3, t3 := []uint64{1, 2, 3}, []uint64{4, 5, 6}
	base := mk(s3,
		bm("same", 0.1, 0.1, 0.1),
		bm("shifted", 2, 2, 2),
		bm("fewbase", 1, nan, nan),
		bm("onlybase", 1, 2, 3),
		bm("zero", 0, 0, 0),
		bm("shiftpaired", 1, 2, 4),
	)
	cur := mk(s3,
		bm("same", 0.1, 0.1, 0.1),
		bm("shifted", 3, 3, 3),
		bm("fewbase", 1, 2, 3),
		bm("zero", 0, 0, 1e-9),
		bm("shiftpaired", 1.5, 2.5, 4.5),
		bm("onlycur", 5, 5, 5),
	)
	ds, err := Compare(base, cur, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Drift{}
	var order []string
	for _, d := range ds {
		got[d.Metric] = d
		order = append(order, d.Metric)
	}
	if want := "same shifted fewbase onlybase zero shiftpaired onlycur"; strings.Join(order, " ") != want {
		t.Errorf("order %q, want %q", strings.Join(order, " "), want)
	}
	check := func(name, test string, p float64, moved bool) {
		t.Helper()
		d := got[name]
		if d.Test != test || !(d.P == p || math.IsNaN(d.P) && math.IsNaN(p)) || d.Moved != moved {
			t.Errorf("%s: test %q p %v moved %v; want %q %v %v (%+v)", name, d.Test, d.P, d.Moved, test, p, moved, d)
		}
	}
	check("same", TestExact, 1, false)
	check("shifted", TestExact, 0, true)
	check("fewbase", TestTooFew, nan, false)
	check("onlybase", TestMissing, nan, false)
	check("onlycur", TestMissing, nan, false)
	check("shiftpaired", TestExact, 0, true) // all differences 0.5
	if d := got["zero"]; d.Test != TestPaired || !math.IsNaN(d.Rel) || d.Diff == 0 {
		t.Errorf("zero: %+v; want a paired test, Rel NaN, Diff != 0", d)
	}
	if d := got["onlybase"]; d.Base != 2 || d.N != 3 || !math.IsNaN(d.Cur) || d.M != 0 {
		t.Errorf("onlybase: %+v", d)
	}
	if d := got["shifted"]; d.Diff != 1 || d.Rel != 0.5 || d.CI != [2]float64{1, 1} || d.Adjusted != 0 {
		t.Errorf("shifted: %+v", d)
	}
	// Too few on the pairs: base finite at 0 only, cur finite everywhere.
	if d := got["fewbase"]; d.N != 1 || d.M != 1 {
		t.Errorf("fewbase paired: N %d M %d, want the 1 complete pair", d.N, d.M)
	}
	// The same with different seeds: Welch, base has 1 finite value.
	ds, err = Compare(base, mk(t3, cur.Metrics...), CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		switch d.Metric {
		case "fewbase":
			if d.Test != TestTooFew || d.N != 1 || d.M != 3 || d.Moved {
				t.Errorf("fewbase welch: %+v", d)
			}
		case "shifted":
			if d.Test != TestExact || d.P != 0 || !d.Moved {
				t.Errorf("shifted welch: %+v", d)
			}
		case "shiftpaired":
			if d.Test != TestWelch || d.Moved {
				t.Errorf("shiftpaired welch: %+v; want a Welch test that does not see 0.5 in a spread of 1.5", d)
			}
		}
	}
	// A zero base with a change moves (Rel NaN), MinEffect aside.
	ds, err = Compare(mk(t3, bm("z", 0, 0, 0)), mk(s3, bm("z", 1, 1, 1)), CompareOptions{MinEffect: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if d := ds[0]; !d.Moved || !math.IsNaN(d.Rel) || d.Test != TestExact {
		t.Errorf("zero base: %+v; want moved, exact, Rel NaN", d)
	}
	// Errors.
	for _, tc := range []struct {
		b, c *Baseline
		opt  CompareOptions
		want string
	}{
		{nil, cur, CompareOptions{}, "nil baseline"},
		{base, nil, CompareOptions{}, "nil baseline"},
		{base, cur, CompareOptions{Alpha: 0.6}, "0 < alpha <= 0.5"},
		{base, cur, CompareOptions{Alpha: -0.01}, "0 < alpha <= 0.5"},
		{base, cur, CompareOptions{Alpha: nan}, "0 < alpha <= 0.5"},
		{base, cur, CompareOptions{MinEffect: -1}, "min effect"},
	} {
		if _, err := Compare(tc.b, tc.c, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compare(%v): error %v, want one containing %q", tc.opt, err, tc.want)
		}
	}
}

// TestBaselineHolm checks Holm's adjusted p-values against a hand
// computation. P-values 0.01, 0.04, 0.03, 0.005, NaN (m = 4 finite):
// sorted 0.005, 0.01, 0.03, 0.04 get 4·0.005 = 0.02, 3·0.01 = 0.03,
// 2·0.03 = 0.06, 1·0.04 = 0.04 -> 0.06 (monotone). With 0.3 and 0.4
// added (m = 6): 0.03, 0.05, 0.12, 0.12 (0.04·3 = 0.12), 0.6, 0.6 (0.4 ->
// 0.6 by monotonicity); and 0.9 twice with m = 2: 1 (capped), 1.
func TestBaselineHolm(t *testing.T) {
	set := func(ps ...float64) []Drift {
		ds := make([]Drift, len(ps))
		for i, p := range ps {
			ds[i].P = p
		}
		holm(ds)
		return ds
	}
	for _, tc := range []struct {
		ps, want []float64
	}{
		{[]float64{0.01, 0.04, 0.03, 0.005, math.NaN()}, []float64{0.03, 0.06, 0.06, 0.02, math.NaN()}},
		{[]float64{0.01, 0.04, 0.03, 0.005, 0.3, 0.4}, []float64{0.05, 0.12, 0.12, 0.03, 0.6, 0.6}},
		{[]float64{0.9, 0.9}, []float64{1, 1}},
		{[]float64{0.02}, []float64{0.02}},
	} {
		ds := set(tc.ps...)
		for i, d := range ds {
			w := tc.want[i]
			if !(math.Abs(d.Adjusted-w) < 1e-12 || math.IsNaN(w) && math.IsNaN(d.Adjusted)) {
				t.Errorf("p-values %v: adjusted[%d] = %v, want %v", tc.ps, i, d.Adjusted, w)
			}
		}
	}
}

// TestBaselineTextbook checks the t-tests against R's documented output
// for Student's sleep data (t.test(extra ~ group, data = sleep)): Welch
// t = -1.8608, df = 17.776, p = 0.07939, 95% CI of group1 - group2
// [-3.3654832, 0.2054832]; paired t = -4.0621, df = 9, p = 0.002833, CI
// [-2.4598858, -0.7001142]. Diff here is cur - base (group2 - group1), so
// the intervals change sign.
func TestBaselineTextbook(t *testing.T) {
	g1 := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	g2 := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.7f, want %.7f", what, got, want)
		}
	}
	w := welchTest(g1, g2)
	near("welch p", w.P, 0.07939, 5e-6)
	near("welch diff", w.Diff, 1.58, 1e-12)
	near("welch ci lo", w.CI[0], -0.2054832, 5e-7)
	near("welch ci hi", w.CI[1], 3.3654832, 5e-7)
	// df from the same numbers: t = diff/se with se from the CI.
	_, v1, _ := meanVar(g1)
	_, v2, _ := meanVar(g2)
	a, b := v1/10, v2/10
	near("welch df", (a+b)*(a+b)/(a*a/9+b*b/9), 17.776, 5e-4)
	near("welch t", w.Diff/math.Sqrt(a+b), 1.8608, 5e-5)
	p := pairedTest(g1, g2)
	near("paired p", p.P, 0.002833, 5e-7)
	near("paired ci lo", p.CI[0], 0.7001142, 5e-7)
	near("paired ci hi", p.CI[1], 2.4598858, 5e-7)
	if w.Test != TestWelch || p.Test != TestPaired {
		t.Errorf("tests %q, %q", w.Test, p.Test)
	}
}

// TestBaselineJSON: a baseline survives Write and ReadBaseline (NaN as
// null), Write is deterministic, and every malformed file is refused with
// a message saying what is wrong.
func TestBaselineJSON(t *testing.T) {
	b := &Baseline{
		Format: 1, Version: "v0.9.0", Scenario: "akash-2024",
		ScenarioHash: strings.Repeat("ab", 32), MasterSeed: math.MaxUint64,
		Seeds: []uint64{1, 1 << 63, 3},
		Metrics: []BaselineMetric{
			{Metric: "gpu_utilization", Stat: "mean", Values: []float64{0.5, math.NaN(), 0.1 + 0.2}},
			{Metric: "resource_utilization[gpu:h100]", Stat: "final", Values: []float64{-1e-300, 0, 1e300}},
		},
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.HasSuffix(text, "}\n") || !strings.Contains(text, "null") || !strings.Contains(text, `"scenario_hash"`) || !strings.Contains(text, "\n  \"") {
		t.Errorf("written:\n%s", text)
	}
	var again bytes.Buffer
	if err := b.Write(&again); err != nil || again.String() != text {
		t.Errorf("second Write differs (%v)", err)
	}
	r, err := ReadBaseline(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if r.MasterSeed != b.MasterSeed || r.Seeds[1] != 1<<63 || r.Version != b.Version || r.Scenario != b.Scenario || r.ScenarioHash != b.ScenarioHash {
		t.Errorf("read %+v", r)
	}
	for i, m := range b.Metrics {
		rm := r.Metrics[i]
		if rm.Metric != m.Metric || rm.Stat != m.Stat {
			t.Errorf("metric %d: %+v", i, rm)
		}
		for j, v := range m.Values {
			if !(rm.Values[j] == v || math.IsNaN(v) && math.IsNaN(rm.Values[j])) {
				t.Errorf("metric %d value %d: %v, want %v", i, j, rm.Values[j], v)
			}
		}
	}
	var third bytes.Buffer
	if err := r.Write(&third); err != nil || third.String() != text {
		t.Errorf("Write(ReadBaseline(x)) != x (%v)", err)
	}

	good := `{"format": 1, "version": "v", "scenario": "s", "scenario_hash": "h", "master_seed": 7, "seeds": [1, 2],
	 "metrics": [{"metric": "a", "stat": "mean", "values": [1, null]}, {"metric": "a", "stat": "final", "values": [1, 2]}]}`
	if _, err := ReadBaseline(strings.NewReader(good)); err != nil {
		t.Fatalf("good file: %v", err)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"unknown field", strings.Replace(good, `"version"`, `"colour": 1, "version"`, 1), `unknown field "colour"`},
		{"unknown metric field", strings.Replace(good, `"stat": "mean"`, `"stat": "mean", "unit": "x"`, 1), `unknown field "unit"`},
		{"format 2", strings.Replace(good, `"format": 1`, `"format": 2`, 1), "format 2; this version reads format 1"},
		{"no format", strings.Replace(good, `"format": 1,`, ``, 1), `no "format" field`},
		{"twice", strings.Replace(good, `"stat": "final"`, `"stat": "mean"`, 1), "listed twice"},
		{"length", strings.Replace(good, `[1, null]`, `[1, null, 3]`, 1), "3 values for 2 seeds"},
		{"stat", strings.Replace(good, `"stat": "final"`, `"stat": "p95"`, 1), `stat "p95"; allowed: mean, final`},
		{"empty metric", strings.Replace(good, `"metric": "a"`, `"metric": ""`, 1), "metric is empty"},
		{"negative seed", strings.Replace(good, `[1, 2]`, `[-1, 2]`, 1), "cannot unmarshal"},
		{"trailing", good + "{}", "data after"},
		{"not json", "format = 1", "not a baseline file"},
	} {
		_, err := ReadBaseline(strings.NewReader(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	// Write refuses what ReadBaseline would refuse, and writes nothing.
	bad := *b
	bad.Metrics = append([]BaselineMetric{}, b.Metrics...)
	bad.Metrics[1].Values = []float64{1}
	var out bytes.Buffer
	if err := bad.Write(&out); err == nil || out.Len() != 0 {
		t.Errorf("Write of a bad baseline: %v, %d bytes", err, out.Len())
	}
	bad.Metrics[1].Values = []float64{1, math.Inf(1), 2}
	if err := bad.Write(&out); err == nil || !strings.Contains(err.Error(), "+Inf") {
		t.Errorf("Write with +Inf: %v", err)
	}
}
