package assertion

import (
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
	as, err := Compile(mixedSpecs(), Context{Horizon: 200 * sim.Day, Resources: testCtx.Resources, Cohorts: testCtx.Cohorts})
	if err != nil {
		b.Fatal(err)
	}
	c := NewCollector(as)
	s := benchSample()
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		setBench(s, k)
		c.Record(s)
		k++
	}
}
