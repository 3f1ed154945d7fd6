package assertion

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
)

func fp(v float64) *float64 { return &v }

var testCtx = Context{
	Start:     simtime.Date{Year: 2024, Month: 1, Day: 1},
	Horizon:   365 * sim.Day,
	Resources: []string{"cpu", "memory_gb", "gpu:h100"},
	Cohorts:   []string{"organic", "mercenary"},
}

// base is the smallest valid entry.
func base() Spec {
	return Spec{Name: "gpu-util", Metric: "gpu_utilization", Stat: "mean", Min: fp(0.4), Max: fp(0.6)}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(s *Spec)
		key  string
		want []string // substrings of the message
	}{
		{"name missing", func(s *Spec) { s.Name = "" }, "assert[0].name", []string{"missing"}},
		{"name chars", func(s *Spec) { s.Name = "gpu util" }, "assert[0].name", []string{`"gpu util"`, "letters, digits"}},
		{"metric missing", func(s *Spec) { s.Metric = "" }, "assert[0].metric", []string{"gpu_utilization", "token_supply", "resource_utilization", "cohort_income_usd"}},
		{"metric unknown", func(s *Spec) { s.Metric = "gpu_util" }, "assert[0].metric", []string{`"gpu_util"`, "gpu_utilization", "orders_unfunded_total", "resource_price_usd_hour", "cohort_gpus_leased"}},
		{"resource missing", func(s *Spec) { s.Metric = "resource_utilization" }, "assert[0].resource", []string{"cpu, memory_gb, gpu:h100"}},
		{"resource unknown", func(s *Spec) { s.Metric = "resource_capacity"; s.Resource = "gpu:a100" }, "assert[0].resource", []string{`"gpu:a100"`, "cpu, memory_gb, gpu:h100"}},
		{"cohort missing", func(s *Spec) { s.Metric = "cohort_gpus" }, "assert[0].cohort", []string{"organic, mercenary"}},
		{"cohort unknown", func(s *Spec) { s.Metric = "cohort_gpus"; s.Cohort = "whales" }, "assert[0].cohort", []string{`"whales"`, "organic, mercenary"}},
		{"resource on plain", func(s *Spec) { s.Resource = "cpu" }, "assert[0].resource", []string{"only a resource_* metric"}},
		{"cohort on plain", func(s *Spec) { s.Cohort = "organic" }, "assert[0].cohort", []string{"only a cohort_* metric"}},
		{"cohort on resource family", func(s *Spec) { s.Metric = "resource_allocated"; s.Resource = "cpu"; s.Cohort = "organic" }, "assert[0].cohort", []string{"per resource"}},
		{"resource on cohort family", func(s *Spec) { s.Metric = "cohort_cpus"; s.Cohort = "organic"; s.Resource = "cpu" }, "assert[0].resource", []string{"per cohort"}},
		{"stat missing", func(s *Spec) { s.Stat = "" }, "assert[0].stat", []string{"mean, twmean, min, max, first, final, change, pN, slope, share_above, share_below"}},
		{"stat unknown", func(s *Spec) { s.Stat = "median" }, "assert[0].stat", []string{`"median"`, "twmean", "share_below", "p99.9"}},
		{"percentile above 100", func(s *Spec) { s.Stat = "p101" }, "assert[0].stat", []string{"outside [0, 100]"}},
		{"percentile not a number", func(s *Spec) { s.Stat = "pxx" }, "assert[0].stat", []string{"a number N"}},
		{"percentile negative", func(s *Spec) { s.Stat = "p-1" }, "assert[0].stat", []string{"a number N"}},
		{"percentile NaN", func(s *Spec) { s.Stat = "pNaN" }, "assert[0].stat", []string{"a number N"}},
		{"level missing", func(s *Spec) { s.Stat = "share_above" }, "assert[0].level", []string{"missing", "share_above"}},
		{"level refused", func(s *Spec) { s.Level = fp(0.9) }, "assert[0].level", []string{"only share_above and share_below"}},
		{"level not finite", func(s *Spec) { s.Stat = "share_below"; s.Level = fp(posInf) }, "assert[0].level", []string{"finite"}},
		{"from bad", func(s *Spec) { s.From = "thirty days" }, "assert[0].from", []string{`"thirty days"`, "YYYY-MM-DD"}},
		{"from negative", func(s *Spec) { s.From = "-5d" }, "assert[0].from", []string{"negative"}},
		{"from date before start", func(s *Spec) { s.From = "2023-12-31" }, "assert[0].from", []string{"before the scenario's start 2024-01-01"}},
		{"to bad date", func(s *Spec) { s.To = "2024-13-01" }, "assert[0].to", []string{"YYYY-MM-DD"}},
		{"from not before to", func(s *Spec) { s.From = "30d"; s.To = "2024-01-31" }, "assert[0].to", []string{"not after from"}},
		{"no bounds", func(s *Spec) { s.Min, s.Max = nil, nil }, "assert[0].min", []string{"min, max or both"}},
		{"min not finite", func(s *Spec) { s.Min = fp(nan) }, "assert[0].min", []string{"finite"}},
		{"max not finite", func(s *Spec) { s.Max = fp(posInf) }, "assert[0].max", []string{"finite"}},
		{"min above max", func(s *Spec) { s.Min, s.Max = fp(0.7), fp(0.6) }, "assert[0].max", []string{"below min 0.7"}},
		{"across unknown", func(s *Spec) { s.Across = "median" }, "assert[0].across", []string{`"mean"`, `"ci"`}},
		{"across with per_rep", func(s *Spec) { s.Across = "mean"; s.PerRep = "all" }, "assert[0].across", []string{"per_rep"}},
		{"across with share", func(s *Spec) { s.Across = "ci"; s.Share = fp(0.5) }, "assert[0].across", []string{"share"}},
		{"per_rep unknown", func(s *Spec) { s.PerRep = "most" }, "assert[0].per_rep", []string{`"all"`, `"any"`, `"share"`}},
		{"share zero", func(s *Spec) { s.Share = fp(0) }, "assert[0].share", []string{"(0, 1]"}},
		{"share above one", func(s *Spec) { s.Share = fp(1.5) }, "assert[0].share", []string{"(0, 1]"}},
		{"share with per_rep any", func(s *Spec) { s.Share = fp(0.5); s.PerRep = "any" }, "assert[0].per_rep", []string{"share sets the share mode"}},
		{"per_rep share without share", func(s *Spec) { s.PerRep = "share" }, "assert[0].share", []string{"missing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			c.edit(&s)
			_, err := Compile([]Spec{s}, testCtx)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Compile: got %v, want an *Error", err)
			}
			if e.Key != c.key {
				t.Errorf("key %q, want %q (%v)", e.Key, c.key, err)
			}
			if !strings.HasPrefix(err.Error(), c.key+": ") {
				t.Errorf("Error() = %q, want the prefix %q", err.Error(), c.key+": ")
			}
			for _, w := range c.want {
				if !strings.Contains(e.Msg, w) {
					t.Errorf("message %q lacks %q", e.Msg, w)
				}
			}
		})
	}
}

func TestCompileDuplicateAndIndex(t *testing.T) {
	a, b := base(), base()
	b.Metric = "nonsense" // the duplicate name is reported first
	_, err := Compile([]Spec{a, b}, testCtx)
	if err == nil || err.Error() != `assert[1].name: "gpu-util" is already the name of assert[0]; names must be unique` {
		t.Fatalf("got %v", err)
	}
	b.Name = "other"
	_, err = Compile([]Spec{a, b}, testCtx)
	if e, ok := err.(*Error); !ok || e.Key != "assert[1].metric" {
		t.Fatalf("got %v, want the error on assert[1].metric", err)
	}
}

func TestCompileValid(t *testing.T) {
	cases := []struct {
		edit                       func(s *Spec)
		metric, stat, mode, bounds string
		unit                       string
	}{
		{func(s *Spec) {}, "gpu_utilization", "mean over the run", "all", "[0.4, 0.6]", "fraction"},
		{func(s *Spec) { s.Stat = "p99.9"; s.Max = nil; s.From = "30d" }, "gpu_utilization", "p99.9 over 30d..end", "all", ">= 0.4", "fraction"},
		{func(s *Spec) { s.Stat = "p0"; s.Min = nil; s.To = "90d"; s.PerRep = "any" }, "gpu_utilization", "p0 over start..90d", "any", "<= 0.6", "fraction"},
		{func(s *Spec) { s.Stat = "p100"; s.Share = fp(0.8) }, "gpu_utilization", "p100 over the run", "share>=0.8", "[0.4, 0.6]", "fraction"},
		{func(s *Spec) {
			s.Stat = "share_above"
			s.Level = fp(0.9)
			s.From, s.To = "30d", "365d"
			s.Across = "ci"
		},
			"gpu_utilization", "share_above 0.9 over 30d..365d", "across ci", "[0.4, 0.6]", "fraction of time"},
		{func(s *Spec) { s.Metric, s.Resource, s.Across = "resource_utilization", "gpu:h100", "mean" },
			"resource_utilization[gpu:h100]", "mean over the run", "across mean", "[0.4, 0.6]", "fraction"},
		{func(s *Spec) { s.Metric, s.Resource = "resource_price_usd_hour", "gpu:h100" }, "resource_price_usd_hour[gpu:h100]", "mean over the run", "all", "[0.4, 0.6]", "USD/GPU-h"},
		{func(s *Spec) { s.Metric, s.Resource = "resource_capacity", "memory_gb" }, "resource_capacity[memory_gb]", "mean over the run", "all", "[0.4, 0.6]", "GB"},
		{func(s *Spec) { s.Metric, s.Resource, s.Stat = "resource_allocated", "cpu", "slope" }, "resource_allocated[cpu]", "slope over the run", "all", "[0.4, 0.6]", "cores/day"},
		{func(s *Spec) { s.Metric, s.Cohort, s.PerRep, s.Share = "cohort_gpus", "mercenary", "share", fp(0.5) },
			"cohort_gpus[mercenary]", "mean over the run", "share>=0.5", "[0.4, 0.6]", "count"},
		// a window beyond the horizon compiles (the evaluation skips it)
		{func(s *Spec) { s.From, s.To = "2025-06-01", "3y"; s.Stat = "final" }, "gpu_utilization", "final over 2025-06-01..3y", "all", "[0.4, 0.6]", "fraction"},
	}
	for i, c := range cases {
		s := base()
		c.edit(&s)
		as, err := Compile([]Spec{s}, testCtx)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		a := as[0]
		got := []string{a.MetricLabel(), a.StatLabel(), a.ModeLabel(), a.BoundsLabel(), a.Unit()}
		want := []string{c.metric, c.stat, c.mode, c.bounds, c.unit}
		for k := range got {
			if got[k] != want[k] {
				t.Errorf("case %d: label %d = %q, want %q", i, k, got[k], want[k])
			}
		}
	}
}

func TestCompileWindows(t *testing.T) {
	cases := []struct {
		from, to string
		f, tt    sim.Time
	}{
		{"", "", 0, sim.Never},
		{"0h", "30d", 0, 30 * sim.Day},
		{"1.5h", "2w", sim.Hour + 30*sim.Minute, 14 * sim.Day},
		{"2024-01-01", "2024-03-01", 0, 60 * sim.Day}, // 2024 is a leap year
		{"2024-01-11", "1y", 10 * sim.Day, 365 * sim.Day},
	}
	for _, c := range cases {
		s := base()
		s.From, s.To = c.from, c.to
		as, err := Compile([]Spec{s}, testCtx)
		if err != nil {
			t.Fatal(err)
		}
		if as[0].from != c.f || as[0].to != c.tt {
			t.Errorf("from %q to %q: got %v..%v, want %v..%v", c.from, c.to, as[0].from, as[0].to, c.f, c.tt)
		}
	}
}

func TestVocabulary(t *testing.T) {
	names := map[string]bool{}
	for _, m := range sim.Metrics {
		names[m.Name] = true
	}
	fams := Families()
	if len(fams) != 16 {
		t.Fatalf("%d families, want 16", len(fams))
	}
	for _, f := range fams {
		if names[f.Name] {
			t.Errorf("family %s clashes with a name", f.Name)
		}
		names[f.Name] = true
		if f.Doc == "" || f.Unit == "" || (f.Key != "resource" && f.Key != "cohort") {
			t.Errorf("family %+v incomplete", f)
		}
		if (f.Key == "resource") != strings.HasPrefix(f.Name, "resource_") {
			t.Errorf("family %s has key %s", f.Name, f.Key)
		}
	}
	if fams[8].Name != "cohort_income_usd" || fams[8].Kind != sim.KindTotal {
		t.Errorf("cohort_income_usd: %+v", fams[8])
	}
	for i, name := range []string{"cohort_bids", "cohort_bids_won", "cohort_win_rate", "cohort_bid_markup", "cohort_won_markup"} {
		if f := fams[9+i]; f.Name != name || f.Key != "cohort" || f.Kind.Final() {
			t.Errorf("%s: %+v", name, f)
		}
	}
	for i, name := range []string{"cohort_entered", "cohort_exited"} {
		if f := fams[14+i]; f.Name != name || f.Key != "cohort" || f.Kind != sim.KindTotal {
			t.Errorf("%s: %+v", name, f)
		}
	}
	want := "mean twmean min max first final change pN slope share_above share_below"
	var got []string
	for _, s := range Stats() {
		got = append(got, s.Name)
		if s.Doc == "" {
			t.Errorf("stat %s has no doc", s.Name)
		}
	}
	if strings.Join(got, " ") != want {
		t.Errorf("Stats: %v", got)
	}
}

// TestCompileStatistics checks that a statistic compiles without bounds,
// that its Collector value is the statistic whatever its size, and that
// an error names the table's key.
func TestCompileStatistics(t *testing.T) {
	as, err := CompileStatistics("output", []Statistic{
		{Name: "util", Metric: "gpu_utilization", Stat: "mean", From: "1d"},
		{Name: "supply", Metric: "token_supply", Stat: "final"},
	}, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(as)
	vals := make([]float64, sim.NumMetrics)
	for d, u := range []float64{0.9, 0.2, 0.4} {
		vals[sim.MGPUUtilization] = u
		vals[sim.MTokenSupply] = 1e300 * float64(d+1) // far beyond any bound an assertion would set
		c.Record(&sim.Sample{T: sim.Time(d) * sim.Day, Values: vals})
	}
	got := c.Values()
	if math.Abs(got[0]-0.3) > 1e-12 || got[1] != 3e300 {
		t.Fatalf("values %v, want [0.3 3e300]", got)
	}
	if v := c.Violations(); v[0] >= 0 || v[1] >= 0 {
		t.Fatalf("violations %v: a statistic has no bounds to break", v)
	}
	for _, tc := range []struct {
		st  Statistic
		key string
	}{
		{Statistic{Name: "x", Metric: "gpu_util", Stat: "mean"}, "output[0].metric"},
		{Statistic{Name: "x", Metric: "gpu_utilization", Stat: "median"}, "output[0].stat"},
		{Statistic{Name: "x", Metric: "gpu_utilization", Stat: "share_above"}, "output[0].level"},
	} {
		_, err := CompileStatistics("output", []Statistic{tc.st}, testCtx)
		var e *Error
		if !errors.As(err, &e) || e.Key != tc.key {
			t.Errorf("%+v: error %v, want key %s", tc.st, err, tc.key)
		}
	}
	_, err = CompileStatistics("target", []Statistic{{Name: "a", Metric: "gpu_utilization", Stat: "mean"}, {Name: "a", Metric: "cpu_utilization", Stat: "mean"}}, testCtx)
	var e *Error
	if !errors.As(err, &e) || e.Key != "target[1].name" {
		t.Errorf("duplicate name: error %v, want key target[1].name", err)
	}
}
