package assertion

import (
	"math"
	"slices"
	"testing"

	"github.com/depinsim/depinsim/sim"
)

// mixedSpecs are ten assertions over the whole run with mixed
// statistics, plain metrics and families.
func mixedSpecs() []Spec {
	return []Spec{
		{Name: "a", Metric: "gpu_utilization", Stat: "mean", Min: fp(0)},
		{Name: "b", Metric: "gpu_utilization", Stat: "twmean", Min: fp(0)},
		{Name: "c", Metric: "cpu_utilization", Stat: "min", Min: fp(0)},
		{Name: "d", Metric: "cpu_utilization", Stat: "max", Max: fp(2)},
		{Name: "e", Metric: "resource_utilization", Resource: "gpu:h100", Stat: "final", Min: fp(0)},
		{Name: "f", Metric: "cohort_gpus", Cohort: "organic", Stat: "change", Min: fp(0)},
		{Name: "g", Metric: "gpu_utilization", Stat: "slope", Min: fp(-1)},
		{Name: "h", Metric: "gpu_utilization", Stat: "share_above", Level: fp(0.5), Min: fp(0)},
		{Name: "i", Metric: "cpu_utilization", Stat: "share_below", Level: fp(0.5), Min: fp(0)},
		{Name: "j", Metric: "gpu_utilization", Stat: "p95", Min: fp(0)},
	}
}

// benchSample is a sample holding the metrics, resources and cohorts
// of mixedSpecs.
func benchSample() *sim.Sample {
	return &sim.Sample{Values: make([]float64, sim.NumMetrics),
		Resources: []sim.ResourceSample{{Resource: "cpu"}, {Resource: "memory_gb"}, {Resource: "gpu:h100"}},
		Cohorts:   []sim.CohortSample{{Cohort: "organic"}, {Cohort: "mercenary"}}}
}

// setBench fills s for sample number k.
func setBench(s *sim.Sample, k int) {
	x := float64(k%1000) / 1000
	s.T = sim.Time(k) * sim.Second
	s.Values[sim.MGPUUtilization] = x
	s.Values[sim.MCPUUtilization] = 1 - x
	s.Resources[2].Utilization = x / 2
	s.Cohorts[0].GPUs = float64(k % 7)
}

// BenchmarkCollectorRecord measures one Record call of a Collector of
// ten assertions of mixed statistics (one of them a percentile).
func BenchmarkCollectorRecord(b *testing.B) {
	c := NewCollector(compileMixed(b, mixedSpecs()))
	s := benchSample()
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		setBench(s, k)
		c.Record(s)
		k++
	}
}

// compileMixed compiles specs in the context of benchSample.
func compileMixed(t testing.TB, specs []Spec) []*Assertion {
	t.Helper()
	as, err := Compile(specs, Context{Horizon: 200 * sim.Day, Resources: testCtx.Resources, Cohorts: testCtx.Cohorts})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// recordAllocs returns the allocations of recording n more samples into
// c (after n samples recorded as a warm-up).
func recordAllocs(c *Collector, n int) float64 {
	s := benchSample()
	k := 0
	return testing.AllocsPerRun(1, func() {
		for range n {
			setBench(s, k)
			c.Record(s)
			k++
		}
	})
}

// TestCollectorMemoryConstant: a Collector of the streaming statistics
// allocates nothing per sample, whatever the number of samples; one with
// a percentile does (it keeps the values), which shows that the count
// sees the growth of a slice.
func TestCollectorMemoryConstant(t *testing.T) {
	specs := mixedSpecs()
	var streaming []Spec
	for _, s := range specs {
		if s.Stat != "p95" {
			streaming = append(streaming, s)
		}
	}
	if len(streaming) != len(specs)-1 {
		t.Fatalf("%d streaming statistics of %d", len(streaming), len(specs))
	}
	const n = 100_000
	c := NewCollector(compileMixed(t, streaming))
	// The count is the process's: an allocation by the runtime or another
	// goroutine during the window reads as the collector's. A per-sample
	// allocation shows in every window, so up to three windows are
	// measured and the collector passes when one of them reads 0.
	var reads []float64
	for range 3 {
		a := recordAllocs(c, n)
		reads = append(reads, a)
		if a == 0 {
			break
		}
	}
	if a := slices.Min(reads); a != 0 {
		t.Errorf("%v allocations for %d samples of %d streaming statistics in each of %d windows, want 0", reads, n, len(streaming), len(reads))
	}
	c.SetHorizon(2 * n * sim.Second)
	v1 := c.Values()
	if v2 := c.Values(); !slices.EqualFunc(v1, v2, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
		t.Errorf("Values twice: %v, then %v", v1, v2)
	}
	cp := NewCollector(compileMixed(t, specs))
	if a := recordAllocs(cp, n); a == 0 {
		t.Errorf("no allocation for %d samples with a percentile", n)
	}
}

func TestBytesPerSample(t *testing.T) {
	specs := mixedSpecs()
	if b := BytesPerSample(compileMixed(t, specs)); b != 16 {
		t.Errorf("ten assertions, one percentile: %v bytes per sample, want 16", b)
	}
	if b := BytesPerSample(compileMixed(t, specs[:9])); b != 0 {
		t.Errorf("streaming statistics: %v bytes per sample, want 0", b)
	}
	p := specs[9]
	p.Name, p.Stat = "p", "p50"
	if b := BytesPerSample(compileMixed(t, append(specs, p))); b != 32 {
		t.Errorf("two percentiles: %v bytes per sample, want 32", b)
	}
	if b := BytesPerSample(nil); b != 0 {
		t.Errorf("no assertion: %v", b)
	}
	// the bound holds for what a percentile keeps: its slice's capacity
	// after n samples, 8 bytes each
	as := compileMixed(t, specs[9:])
	c := NewCollector(as)
	s := benchSample()
	for k := range 50_000 {
		setBench(s, k)
		c.Record(s)
		if got, max := 8*cap(c.accs[0].vals), BytesPerSample(as)*float64(k+1); float64(got) > max {
			t.Fatalf("after %d samples a percentile keeps %d bytes, above %v", k+1, got, max)
		}
	}
}
