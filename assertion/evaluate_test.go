package assertion

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/depinsim/depinsim/sim"
)

// run evaluates one assertion on replications whose metric holds
// vals[rep] at every sample (daily, 0..horizon), adding them in reverse.
func run(t *testing.T, s Spec, horizon sim.Time, vals ...float64) Result {
	t.Helper()
	as, err := Compile([]Spec{s}, Context{Horizon: horizon})
	if err != nil {
		t.Fatal(err)
	}
	e := NewEvaluator(as, horizon)
	for rep := len(vals) - 1; rep >= 0; rep-- {
		c := NewCollector(as)
		smp := &sim.Sample{Rep: rep, Values: make([]float64, sim.NumMetrics)}
		for d := sim.Time(0); d <= horizon; d += sim.Day {
			smp.T = d
			smp.Values[sim.MGPUUtilization] = vals[rep]
			c.Record(smp)
		}
		e.Add(rep, c)
	}
	res := e.Results()
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	return res[0]
}

func wantIn(t *testing.T, r Result, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.Reason, s) {
			t.Errorf("reason %q lacks %q", r.Reason, s)
		}
	}
}

func TestEvaluateAll(t *testing.T) {
	h := 30 * sim.Day
	r := run(t, base(), h, 0.5, 0.44, 0.55)
	if r.Verdict != Pass || r.Value != "0.44" || r.Rep != -1 || r.Reason != "" || r.Kind != "assertion" || r.Mode != "all" {
		t.Errorf("pass: %+v", r)
	}
	if len(r.Values) != 3 || r.Values[0] != 0.5 || r.Values[1] != 0.44 || r.Values[2] != 0.55 {
		t.Errorf("values not in replication order: %v", r.Values)
	}
	s := base()
	s.Message = "utilization left the calibrated band"
	r = run(t, s, h, 0.5, 0.35, 0.7)
	if r.Verdict != Fail || r.Rep != 1 || r.Value != "0.7" || r.At != -1 {
		t.Errorf("fail: %+v", r)
	}
	wantIn(t, r, "2 of 3 replications", "replication 1, has 0.35 below the minimum 0.4", "0: 0.5, 1: 0.35, 2: 0.7", "utilization left the calibrated band")
	r = run(t, s, h, 0.5, nan)
	if r.Verdict != Fail || r.Rep != 1 || r.Value != "NaN" {
		t.Errorf("NaN: %+v", r)
	}
	wantIn(t, r, "no finite sample of gpu_utilization in the window")
}

func TestEvaluateAnyAndShare(t *testing.T) {
	h := 10 * sim.Day
	s := base()
	s.PerRep = "any"
	if r := run(t, s, h, 0.1, 0.5, 0.9); r.Verdict != Pass || r.Value != "0.5" || r.Mode != "any" {
		t.Errorf("any pass: %+v", r)
	}
	r := run(t, s, h, 0.1, 0.65, 0.9)
	if r.Verdict != Fail || r.Value != "0.65" || r.Rep != 0 {
		t.Errorf("any fail: %+v", r)
	}
	wantIn(t, r, "none of the 3", "replication 1, has 0.65 above the maximum 0.6")

	s = base()
	s.Share = fp(0.8)
	if r := run(t, s, h, 0.5, 0.5, 0.1, 0.5, 0.5); r.Verdict != Pass || r.Value != "0.8 (4/5)" || r.Mode != "share>=0.8" {
		t.Errorf("share pass: %+v", r)
	}
	r = run(t, s, h, 0.5, 0.9, 0.1, 0.5, 0.5)
	if r.Verdict != Fail || r.Value != "0.6 (3/5)" || r.Rep != 1 {
		t.Errorf("share fail: %+v", r)
	}
	wantIn(t, r, "3 of 5 replications held", "below the share 0.8", "replication 1, has 0.9")
}

func TestEvaluateAcross(t *testing.T) {
	h := 10 * sim.Day
	s := base()
	s.Across = "mean"
	r := run(t, s, h, 0.3, 0.7, 0.5, nan)
	if r.Verdict != Pass || r.Value != "0.5" || r.Rep != -1 || math.IsNaN(r.CI[0]) {
		t.Errorf("across mean pass: %+v", r)
	}
	r = run(t, s, h, 0.7, 0.65)
	if r.Verdict != Fail || r.Value != "0.675" {
		t.Errorf("across mean fail: %+v", r)
	}
	wantIn(t, r, "the mean over 2 replications", "0.675", "above the maximum 0.6")
	r = run(t, s, h, nan, nan)
	if r.Verdict != Fail {
		t.Errorf("across mean, no finite value: %+v", r)
	}
	wantIn(t, r, "no finite sample")

	s.Across = "ci"
	if r := run(t, s, h, 0.5, 0.5, 0.5); r.Verdict != Pass || r.CI != [2]float64{0.5, 0.5} {
		t.Errorf("across ci, no spread: %+v", r)
	}
	// mean 0.5, sd 0.1, n 3: half-width t(0.975, 2) 0.1/sqrt(3) = 4.302653 * 0.057735
	r = run(t, s, h, 0.4, 0.5, 0.6)
	hw := 4.302652729911275 * 0.1 / math.Sqrt(3)
	if r.Verdict != Fail || !near(r.CI[0], 0.5-hw) || !near(r.CI[1], 0.5+hw) {
		t.Errorf("across ci, spread: %+v (want half-width %v)", r, hw)
	}
	wantIn(t, r, "95% confidence interval", "reaches below the minimum 0.4")
	r = run(t, s, h, 0.5, nan)
	if r.Verdict != Fail {
		t.Errorf("across ci, n=1: %+v", r)
	}
	wantIn(t, r, "at least 2 replications", "there was 1")
}

func TestEvaluateSkip(t *testing.T) {
	s := base()
	s.From, s.To = "30d", "365d"
	r := run(t, s, 30*sim.Day, 0.5)
	if r.Verdict != Skip || r.Reason != "the window 30d..365d starts at or after the run's horizon 30d" {
		t.Errorf("from at the horizon: %+v", r)
	}
	s.From = "10d"
	r = run(t, s, 30*sim.Day, 0.5)
	if r.Verdict != Skip || r.Reason != "the window 10d..365d ends after the run's horizon 30d" {
		t.Errorf("to beyond the horizon: %+v", r)
	}
	s.To = "30d" // ends at the horizon: evaluated
	if r := run(t, s, 30*sim.Day, 0.5); r.Verdict != Pass {
		t.Errorf("to at the horizon: %+v", r)
	}
}

// TestFirstViolation: a pointwise statistic reports the first sample
// outside the bounds of the first failing replication.
func TestFirstViolation(t *testing.T) {
	s := base()
	s.Stat, s.Max = "min", nil
	as, err := Compile([]Spec{s}, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEvaluator(as, 10*sim.Day)
	for rep, dip := range []sim.Time{-1, 48 * sim.Hour, 24 * sim.Hour} {
		c := NewCollector(as)
		for h := sim.Time(0); h <= 10*sim.Day; h += 6 * sim.Hour {
			v := 0.5
			if dip >= 0 && h >= dip {
				v = 0.3
			}
			c.Record(&sim.Sample{T: h, Values: valuesWith(sim.MGPUUtilization, v)})
		}
		e.Add(rep, c)
	}
	r := e.Results()[0]
	if r.Verdict != Fail || r.Rep != 1 || r.At != 48*sim.Hour || r.Value != "0.3" {
		t.Errorf("%+v", r)
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"at_hours":48`) {
		t.Errorf("JSON %s lacks at_hours 48", b)
	}
}

func valuesWith(m int, v float64) []float64 {
	vs := make([]float64, sim.NumMetrics)
	vs[m] = v
	return vs
}

// TestDateWindow: a window by dates counts the samples from its first
// day's 00:00 to its last's, both included.
func TestDateWindow(t *testing.T) {
	s := base()
	s.From, s.To, s.Min, s.Max = "2024-01-11", "2024-01-21", fp(15), fp(15)
	s.Stat = "mean"
	as, err := Compile([]Spec{s}, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(as)
	for d := range 40 {
		c.Record(&sim.Sample{T: sim.Time(d) * sim.Day, Values: valuesWith(sim.MGPUUtilization, float64(d))})
	}
	if v := c.Values()[0]; v != 15 {
		t.Errorf("mean over days 10..20: %v, want 15", v)
	}
}

func TestFamilies(t *testing.T) {
	specs := []Spec{
		{Name: "u", Metric: "resource_utilization", Resource: "gpu:h100", Stat: "final", Min: fp(0)},
		{Name: "c", Metric: "resource_capacity", Resource: "cpu", Stat: "final", Min: fp(0)},
		{Name: "a", Metric: "resource_allocated", Resource: "gpu:h100", Stat: "final", Min: fp(0)},
		{Name: "p", Metric: "resource_price_usd_hour", Resource: "memory_gb", Stat: "final", Min: fp(0)},
		{Name: "n", Metric: "cohort_providers", Cohort: "mercenary", Stat: "final", Min: fp(0)},
		{Name: "g", Metric: "cohort_gpus", Cohort: "organic", Stat: "final", Min: fp(0)},
		{Name: "l", Metric: "cohort_gpus_leased", Cohort: "mercenary", Stat: "final", Min: fp(0)},
		{Name: "k", Metric: "cohort_cpus", Cohort: "organic", Stat: "final", Min: fp(0)},
		{Name: "i", Metric: "cohort_income_usd", Cohort: "mercenary", Stat: "change", Min: fp(0)},
		{Name: "b", Metric: "cohort_bids", Cohort: "organic", Stat: "mean", Min: fp(0)},
		{Name: "w", Metric: "cohort_bids_won", Cohort: "organic", Stat: "final", Min: fp(0)},
		{Name: "r", Metric: "cohort_win_rate", Cohort: "organic", Stat: "mean", Min: fp(0)},
		{Name: "m", Metric: "cohort_bid_markup", Cohort: "mercenary", Stat: "max", Min: fp(0)},
		{Name: "x", Metric: "cohort_won_markup", Cohort: "mercenary", Stat: "min", Min: fp(0)},
	}
	as, err := Compile(specs, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(as)
	smp := &sim.Sample{Values: make([]float64, sim.NumMetrics),
		Resources: []sim.ResourceSample{{Resource: "cpu"}, {Resource: "memory_gb"}, {Resource: "gpu:h100"}},
		Cohorts:   []sim.CohortSample{{Cohort: "organic"}, {Cohort: "mercenary"}}}
	for d := range 3 {
		x := float64(d)
		smp.T = sim.Time(d) * sim.Day
		smp.Resources[0] = sim.ResourceSample{Resource: "cpu", Capacity: 100 + x}
		smp.Resources[1] = sim.ResourceSample{Resource: "memory_gb", MedianPriceUSDHour: nan}
		smp.Resources[2] = sim.ResourceSample{Resource: "gpu:h100", Capacity: 10, Allocated: 5 + x, Utilization: (5 + x) / 10}
		// no bid at day 0: its win rate (NaN) is left out of the mean
		smp.Cohorts[0] = sim.CohortSample{Cohort: "organic", GPUs: 20 + x, CPUs: 64 * x, Bids: 4 * x, BidsWon: x, WinRate: ratio(x, 4*x)}
		smp.Cohorts[1] = sim.CohortSample{Cohort: "mercenary", Providers: 3 + d, GPUsLeased: 2 * x, IncomeUSD: 1000 * x * x,
			BidMarkup: 0.1 * (1 + x), WonMarkup: 0.3 - 0.1*x}
		c.Record(smp)
	}
	got := c.Values()
	want := []float64{0.7, 102, 7, nan, 5, 22, 4, 128, 4000, 4, 2, 0.25, 0.3, 0.1}
	for i := range want {
		if !near(got[i], want[i]) {
			t.Errorf("%s: %v, want %v", as[i].MetricLabel(), got[i], want[i])
		}
	}
	// a series missing from the samples yields NaN, not a panic
	smp.Cohorts = smp.Cohorts[:1]
	c2 := NewCollector(as)
	c2.Record(smp)
	if v := c2.Values()[8]; !math.IsNaN(v) {
		t.Errorf("missing cohort: %v", v)
	}
}

// ratio is a / b, NaN when b is 0 (as a sample's win rate).
func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

func TestInvariantResults(t *testing.T) {
	invs := sim.Invariants()
	rs := InvariantResults(sim.CheckSamples, 0, nil)
	if len(rs) != len(invs) {
		t.Fatalf("%d results for %d invariants", len(rs), len(invs))
	}
	for i, r := range rs {
		if r.Name != invs[i].Name || r.Kind != "invariant" || r.Verdict != Pass || r.Stat != "every sample" || r.Rep != -1 || r.At != -1 {
			t.Errorf("%+v", r)
		}
	}
	ie := &sim.InvariantError{Invariant: invs[2].Name, Reason: "escrow short by 5", At: 3 * sim.Hour}
	rs = InvariantResults(sim.CheckEvents, 4, ie)
	for i, r := range rs {
		switch {
		case i == 2:
			if r.Verdict != Fail || r.Reason != "escrow short by 5" || r.Rep != 4 || r.At != 3*sim.Hour || r.Stat != "every event" {
				t.Errorf("broken: %+v", r)
			}
		case r.Verdict != Skip || r.Reason != "not checked to the end: the run stopped when "+invs[2].Name+" broke":
			t.Errorf("others: %+v", r)
		}
	}
	for _, r := range InvariantResults(sim.CheckOff, 0, nil) {
		if r.Verdict != Skip || r.Reason != "not checked: --check off" {
			t.Errorf("off: %+v", r)
		}
	}
}

func TestResultJSON(t *testing.T) {
	r := Result{Kind: "assertion", Name: "gpu-util", Metric: "gpu_utilization", Stat: "mean over the run", Mode: "all",
		Value: "NaN", Bounds: "[0.4, 0.6]", Values: []float64{0.5, nan}, CI: [2]float64{nan, nan},
		Verdict: Fail, Reason: "why", Rep: 1, At: -1}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"assertion","name":"gpu-util","metric":"gpu_utilization","stat":"mean over the run","mode":"all","value":"NaN","bounds":"[0.4, 0.6]","values":[0.5,null],"verdict":"fail","reason":"why","rep":1}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	r.CI, r.At, r.Verdict, r.Values = [2]float64{0.25, 0.75}, 90*sim.Minute, Skip, nil
	b, _ = json.Marshal([]Result{r})
	if !strings.Contains(string(b), `"ci":[0.25,0.75],"verdict":"skip"`) || !strings.Contains(string(b), `"at_hours":1.5`) || strings.Contains(string(b), "values") {
		t.Errorf("got %s", b)
	}
	var back []Result
	if err := json.Unmarshal(b, &back); err != nil || back[0].At != r.At || back[0].CI != r.CI || back[0].Verdict != Skip {
		t.Errorf("round trip: %v %+v", err, back)
	}
	for v, s := range map[Verdict]string{Pass: "pass", Fail: "fail", Skip: "skip"} {
		if v.String() != s {
			t.Errorf("%d: %s", v, v)
		}
	}
	if _, err := json.Marshal(Verdict(7)); err == nil {
		t.Error("an unknown verdict marshals")
	}
}
