package reports

import (
	"math"

	"github.com/depinsim/depinsim/sim"
)

// The fixture has three replications (reps 0, 1, 2) of three hourly
// samples (i = 0, 1, 2 at t = 0h, 1h, 2h). Metric m of rep r at sample i is
//
//	m + 0.5*i + r
//
// except gpu_price_usd_hour, which is NaN throughout rep 0. So each rep's
// time mean of metric m is m + 0.5 + r, and its final value m + 1 + r.
//
// Resources: cpu (capacity 10, allocated r+i), memory_gb (capacity 64,
// allocated 8), gpu:a100 (capacity 4, allocated i; price NaN in rep 0,
// 2 from i = 1 in rep 1, 3 at i = 2 only in rep 2) and gpu:h100
// (capacity 2, never leased: price NaN).
func fixtureValue(m, r, i int) float64 {
	if m == sim.MGPUPriceUSDHour && r == 0 {
		return math.NaN()
	}
	return float64(m) + 0.5*float64(i) + float64(r)
}

func fixtureResources(r, i int) []sim.ResourceSample {
	nan := math.NaN()
	cpuPrice := nan
	if i > 0 {
		cpuPrice = 0.01 * float64(r+1)
	}
	a100Price := nan
	switch {
	case r == 1 && i >= 1:
		a100Price = 2
	case r == 2 && i == 2:
		a100Price = 3
	}
	return []sim.ResourceSample{
		{Resource: sim.ResourceCPU, Capacity: 10, Allocated: float64(r + i), Utilization: float64(r+i) / 10, MedianPriceUSDHour: cpuPrice},
		{Resource: sim.ResourceMemory, Capacity: 64, Allocated: 8, Utilization: 0.125, MedianPriceUSDHour: nan},
		{Resource: "gpu:a100", Capacity: 4, Allocated: float64(i), Utilization: float64(i) / 4, MedianPriceUSDHour: a100Price},
		{Resource: "gpu:h100", Capacity: 2, Allocated: 0, Utilization: 0, MedianPriceUSDHour: nan},
	}
}

// fixture records the fixture through Memory recorders, reusing the
// sample's slices between calls as the simulator does. reps lists the
// replications to record, in the order returned.
func fixture(reps ...int) []*Recording {
	if len(reps) == 0 {
		reps = []int{0, 1, 2}
	}
	var out []*Recording
	s := &sim.Sample{Values: make([]float64, sim.NumMetrics)}
	for _, r := range reps {
		m := NewMemory()
		for i := range 3 {
			s.Rep, s.T = r, sim.Time(i)*sim.Hour
			for k := range s.Values {
				s.Values[k] = fixtureValue(k, r, i)
			}
			s.Resources = append(s.Resources[:0], fixtureResources(r, i)...)
			m.Record(s)
		}
		out = append(out, m.Recording())
	}
	return out
}

// longRun returns reps replications of an hourly year with smooth,
// replication-dependent values, for benchmarks and plot tests.
func longRun(reps, samples int) []*Recording {
	var out []*Recording
	s := &sim.Sample{Values: make([]float64, sim.NumMetrics)}
	models := []string{"gpu:a100", "gpu:h100", "gpu:rtx4090"}
	for r := range reps {
		m := NewMemory()
		for i := range samples {
			s.Rep, s.T = r, sim.Time(i)*sim.Hour
			ph := float64(i)/float64(samples)*2*math.Pi + float64(r)
			for k := range s.Values {
				s.Values[k] = float64(k) * (1 + 0.1*math.Sin(ph))
			}
			s.Values[sim.MGPUUtilization] = 0.5 + 0.3*math.Sin(ph)
			s.Values[sim.MCPUUtilization] = 0.3 + 0.1*math.Cos(ph)
			s.Resources = s.Resources[:0]
			s.Resources = append(s.Resources,
				sim.ResourceSample{Resource: sim.ResourceCPU, Capacity: 1000, Allocated: 300, Utilization: 0.3, MedianPriceUSDHour: 0.02},
				sim.ResourceSample{Resource: sim.ResourceMemory, Capacity: 4000, Allocated: 1000, Utilization: 0.25, MedianPriceUSDHour: 0.01})
			for g, name := range models {
				price := 1 + float64(g) + 0.2*math.Sin(ph*3)
				if (i/100+g)%7 == 0 { // gaps without leases
					price = math.NaN()
				}
				s.Resources = append(s.Resources, sim.ResourceSample{Resource: name, Capacity: 64, Allocated: 32, Utilization: 0.5, MedianPriceUSDHour: price})
			}
			m.Record(s)
		}
		out = append(out, m.Recording())
	}
	return out
}
