package sim

import (
	"math"

	"github.com/depinsim/depinsim/agents"
)

// stats holds what the samples report that the world does not keep
// otherwise: the cumulative counters, the mean price of GPU leases
// started, and the buffers a sample is built in.
type stats struct {
	counters    [NumMetrics]float64
	sample      Sample
	priceBuf    [][]float64 // scratch: prices per unit-hour by resource
	gpuBuf      []float64   // scratch: GPU prices of all models
	gpuLeases   float64     // GPU leases started, for the mean price
	gpuPriceSum float64
}

func newStats(cfg *Config, rep int) stats {
	nres := cfg.Catalog.NumResources()
	s := stats{priceBuf: make([][]float64, nres)}
	s.sample.Rep = rep
	s.sample.Values = make([]float64, NumMetrics)
	s.sample.Resources = make([]ResourceSample, nres)
	for r := range s.sample.Resources {
		name := cfg.Catalog.Key(r)
		if r >= agents.ResGPU0 {
			name = GPUPrefix + name
		}
		s.sample.Resources[r].Resource = name
	}
	s.sample.Cohorts = make([]CohortSample, len(cfg.Providers))
	for ci := range cfg.Providers {
		s.sample.Cohorts[ci] = CohortSample{Cohort: cfg.Providers[ci].Name, Kind: cfg.Providers[ci].Kind}
	}
	return s
}

// leaseStarted counts a lease of request q started at usdHour.
func (s *stats) leaseStarted(q *agents.Request, usdHour float64) {
	s.counters[MLeasesStartedTotal]++
	if q.GPUs > 0 {
		s.gpuLeases++
		s.gpuPriceSum += usdHour / float64(q.GPUs)
	}
}

// counted lists the cumulative counters a sample copies from stats.
var counted = [...]int{MOrdersTotal, MOrdersUnservedTotal, MLeasesStartedTotal, MLeasesClosedTenantTotal,
	MLeasesClosedFundsTotal, MLeasesClosedProviderTotal, MProvidersEnteredTotal, MProvidersExitedTotal,
	MProviderIncomeUSDTotal, MTakeFeesUSDTotal, MOrderAttemptsTotal,
	MOrdersQueuedTotal, MDisputesTotal, MSlashedTotal, MVerificationUnitHoursTotal}

// doSample fills the world's Sample and hands it to the recorder.
func (w *World) doSample() {
	st := &w.stats
	s := &st.sample
	s.T = w.now - w.origin
	v := s.Values
	for r := range st.priceBuf {
		st.priceBuf[r] = st.priceBuf[r][:0]
	}
	gpuPrices := st.gpuBuf[:0]
	gpuModelPrices, gpuModelMedian := 0, math.NaN()
	spend := 0.0
	var gpuCap, gpuAlloc int64
	for _, lid := range w.leases.active {
		l := &w.leases.l[lid]
		q := &w.deps.d[l.dep].spec.Request
		usdHour := w.leaseUSDHour(l)
		spend += usdHour
		switch {
		case q.GPUs > 0:
			pp := usdHour / float64(q.GPUs)
			st.priceBuf[q.GPUModel] = append(st.priceBuf[q.GPUModel], pp)
		case q.CPU > 0:
			st.priceBuf[agents.ResCPU] = append(st.priceBuf[agents.ResCPU], usdHour/float64(q.CPU))
		}
	}
	capTotal, alloc := w.prov.capTotal, w.leases.alloc
	for r := range s.Resources {
		rs := &s.Resources[r]
		rs.Capacity = float64(capTotal[r])
		rs.Allocated = float64(alloc[r])
		rs.Utilization = ratio(rs.Allocated, rs.Capacity)
		rs.MedianPriceUSDHour = math.NaN()
		if r != agents.ResMemory {
			rs.MedianPriceUSDHour = median(st.priceBuf[r])
		}
		if r >= agents.ResGPU0 {
			gpuCap += capTotal[r]
			gpuAlloc += alloc[r]
			gpuPrices = append(gpuPrices, st.priceBuf[r]...)
			if n := len(st.priceBuf[r]); n > gpuModelPrices {
				gpuModelPrices, gpuModelMedian = n, rs.MedianPriceUSDHour
			}
		}
	}
	v[MGPUUtilization] = ratio(float64(gpuAlloc), float64(gpuCap))
	v[MCPUUtilization] = s.Resources[agents.ResCPU].Utilization
	v[MMemoryUtilization] = s.Resources[agents.ResMemory].Utilization
	if len(gpuPrices) == gpuModelPrices {
		v[MGPUPriceUSDHour] = gpuModelMedian // one model has all GPU leases
	} else {
		v[MGPUPriceUSDHour] = median(gpuPrices)
	}
	v[MCPUPriceUSDHour] = s.Resources[agents.ResCPU].MedianPriceUSDHour
	v[MLeasesActive] = float64(len(w.leases.active))
	v[MOrdersOpen] = float64(w.deps.inUse()) - float64(len(w.leases.active))
	for _, m := range counted {
		v[m] = st.counters[m]
	}
	v[MProvidersActive] = float64(len(w.prov.active))
	v[MGPUsTotal] = float64(gpuCap)
	v[MGPUsLeased] = float64(gpuAlloc)
	v[MCPUsTotal] = float64(capTotal[agents.ResCPU])
	v[MCPUsLeased] = float64(alloc[agents.ResCPU])
	v[MSpendUSDDay] = spend * 24
	st.gpuBuf = gpuPrices[:0]
	for ci := range s.Cohorts {
		cs, pc := &s.Cohorts[ci], &w.prov.cohorts[ci]
		cs.Providers = pc.count
		cs.GPUs = float64(pc.gpus)
		cs.GPUsLeased = float64(pc.gpusLeased)
		cs.CPUs = float64(pc.cpus)
		cs.IncomeUSD = pc.incomeUSD
	}
	w.chain.sample(v)
	v[MGPUPriceStartedMeanUSDHour] = math.NaN()
	if st.gpuLeases > 0 {
		v[MGPUPriceStartedMeanUSDHour] = st.gpuPriceSum / st.gpuLeases
	}
	if w.rec != nil {
		w.rec.Record(s)
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// median returns the median of xs (the mean of the two middle values for
// an even count; NaN when empty). It reorders xs. Quickselect keeps a
// sample O(n) rather than the O(n log n) of sorting.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	hi := nth(xs, n/2)
	if n%2 == 1 {
		return hi
	}
	// the lower middle is the largest value left of position n/2
	lo := xs[0]
	for _, x := range xs[1 : n/2] {
		if x > lo {
			lo = x
		}
	}
	return (lo + hi) / 2
}

// nth partially sorts xs so that xs[k] is the k-th smallest value and
// everything before it is <= it; it returns xs[k].
func nth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		// median of three pivot
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
