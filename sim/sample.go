package sim

import (
	"math"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/tokenomics"
)

// stats holds what the samples report that the world does not keep
// otherwise: the cumulative counters, the mean price of GPU leases
// started, and the buffers a sample is built in.
type stats struct {
	counters    [NumMetrics]float64
	sample      Sample
	gpuLeases   float64 // GPU leases started, for the mean price
	gpuPriceSum float64
	// the median lease price per unit-hour, kept up to date as leases
	// start and close: med[r] over the GPU leases of model r (or the
	// CPU-only leases, r = agents.ResCPU), med[nres] over every GPU
	// lease (med[allGPU]: the model's own set when there is one model);
	// the values were computed at the rate conversions medConv (a change
	// of the token price recomputes them at the next sample)
	med     []medianSet
	allGPU  int
	medConv [tokenomics.NumDenoms]float64
	// bids counts each provider cohort's bids of the sample interval
	// (bidstats.go); traceBid, when set by a test, is told of each bid
	// counted
	bids     []bidCounts
	traceBid bidTrace
}

func newStats(cfg *Config, rep int) stats {
	nres := cfg.Catalog.NumResources()
	s := stats{med: make([]medianSet, nres+1), allGPU: nres}
	if nres == agents.ResGPU0+1 {
		s.allGPU = agents.ResGPU0
	}
	// one table of lease entries for every set: a lease is in one model's
	// (or the CPU) set, slot 0, and maybe in the set of all GPU leases,
	// slot 1
	tab := new(medTable)
	for r := range s.med {
		s.med[r].tab = tab
	}
	if s.allGPU == nres {
		s.med[s.allGPU].slot = 1
	}
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
	s.bids = make([]bidCounts, len(cfg.Providers))
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

// addLease adds lease lid of request q, priced usdHour at the rate
// conversions conv, to the median sets: a GPU lease to its model's and
// to all GPU leases', a CPU-only lease to the CPU set. Nothing is added
// when the sets are stale (the token price changed): the next sample
// recomputes them.
func (s *stats) addLease(lid int32, q *agents.Request, usdHour float64, conv *[tokenomics.NumDenoms]float64) {
	if s.medConv != *conv {
		return
	}
	switch {
	case q.GPUs > 0:
		pp := usdHour / float64(q.GPUs)
		s.med[q.GPUModel].add(lid, pp)
		if s.allGPU != q.GPUModel {
			s.med[s.allGPU].add(lid, pp)
		}
	case q.CPU > 0:
		s.med[agents.ResCPU].add(lid, usdHour/float64(q.CPU))
	}
}

// removeLease takes lease lid of request q out of the median sets.
func (s *stats) removeLease(lid int32, q *agents.Request) {
	switch {
	case q.GPUs > 0:
		s.med[q.GPUModel].remove(lid)
		if s.allGPU != q.GPUModel {
			s.med[s.allGPU].remove(lid)
		}
	case q.CPU > 0:
		s.med[agents.ResCPU].remove(lid)
	}
}

// refreshMedians recomputes the median sets from the active leases when
// the rate conversions changed since their values were computed.
func (w *World) refreshMedians() {
	st := &w.stats
	conv := &w.chain.usdHourToRate
	if st.medConv == *conv {
		return
	}
	for i := range st.med {
		st.med[i].reset()
	}
	st.medConv = *conv
	for _, lid := range w.leases.active {
		l := &w.leases.l[lid]
		st.addLease(lid, &w.deps.d[l.dep].spec.Request, w.leaseUSDHour(l), conv)
	}
}

// counted lists the cumulative counters a sample copies from stats.
var counted = [...]int{MOrdersTotal, MOrdersUnservedTotal, MLeasesStartedTotal, MLeasesClosedTenantTotal,
	MLeasesClosedFundsTotal, MLeasesClosedProviderTotal, MProvidersEnteredTotal, MProvidersExitedTotal,
	MProviderIncomeUSDTotal, MTakeFeesUSDTotal, MOrderAttemptsTotal,
	MOrdersQueuedTotal, MDisputesTotal, MSlashedTotal, MVerificationUnitHoursTotal, MOrdersUnfundedTotal}

// doSample fills the world's Sample and hands it to the recorder.
func (w *World) doSample() {
	st := &w.stats
	s := &st.sample
	s.T = w.now - w.origin
	v := s.Values
	w.refreshMedians()
	spend := 0.0
	for _, lp := range w.leases.priced { // leaseUSDHour of each active lease, in the active list's order
		spend += w.chain.rateUSDHour(lp.rate, lp.denom)
	}
	var gpuCap, gpuAlloc int64
	capTotal, alloc := w.prov.capTotal, w.leases.alloc
	for r := range s.Resources {
		rs := &s.Resources[r]
		rs.Capacity = float64(capTotal[r])
		rs.Allocated = float64(alloc[r])
		rs.Utilization = ratio(rs.Allocated, rs.Capacity)
		rs.MedianPriceUSDHour = math.NaN()
		if r != agents.ResMemory {
			rs.MedianPriceUSDHour = st.med[r].median()
		}
		if r >= agents.ResGPU0 {
			gpuCap += capTotal[r]
			gpuAlloc += alloc[r]
		}
	}
	v[MGPUUtilization] = ratio(float64(gpuAlloc), float64(gpuCap))
	v[MCPUUtilization] = s.Resources[agents.ResCPU].Utilization
	v[MMemoryUtilization] = s.Resources[agents.ResMemory].Utilization
	v[MGPUPriceUSDHour] = st.med[st.allGPU].median()
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
	for ci := range s.Cohorts {
		cs, pc := &s.Cohorts[ci], &w.prov.cohorts[ci]
		cs.Providers = pc.count
		cs.GPUs = float64(pc.gpus)
		cs.GPUsLeased = float64(pc.gpusLeased)
		cs.CPUs = float64(pc.cpus)
		cs.IncomeUSD = pc.incomeUSD
		cs.Entered, cs.Exited = float64(pc.entered), float64(pc.exited)
	}
	w.sampleBids(s.Cohorts)
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
