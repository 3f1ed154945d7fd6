package sim

import (
	"math"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/tokenomics"
)

// doSample fills the world's Sample and hands it to the recorder.
func (w *World) doSample() {
	s := &w.sample
	s.T = w.now - w.origin
	v := s.Values
	for r := range w.priceBuf {
		w.priceBuf[r] = w.priceBuf[r][:0]
	}
	gpuPrices := w.gpuBuf[:0]
	gpuModelPrices, gpuModelMedian := 0, math.NaN()
	spend := 0.0
	var gpuCap, gpuAlloc int64
	for _, lid := range w.activeLeases {
		l := &w.leases[lid]
		q := &w.deps[l.dep].spec.Request
		usdHour := w.leaseUSDHour(l)
		spend += usdHour
		switch {
		case q.GPUs > 0:
			pp := usdHour / float64(q.GPUs)
			w.priceBuf[q.GPUModel] = append(w.priceBuf[q.GPUModel], pp)
		case q.CPU > 0:
			w.priceBuf[agents.ResCPU] = append(w.priceBuf[agents.ResCPU], usdHour/float64(q.CPU))
		}
	}
	for r := range s.Resources {
		rs := &s.Resources[r]
		rs.Capacity = float64(w.capTotal[r])
		rs.Allocated = float64(w.allocTotal[r])
		rs.Utilization = ratio(rs.Allocated, rs.Capacity)
		rs.MedianPriceUSDHour = math.NaN()
		if r != agents.ResMemory {
			rs.MedianPriceUSDHour = median(w.priceBuf[r])
		}
		if r >= agents.ResGPU0 {
			gpuCap += w.capTotal[r]
			gpuAlloc += w.allocTotal[r]
			gpuPrices = append(gpuPrices, w.priceBuf[r]...)
			if n := len(w.priceBuf[r]); n > gpuModelPrices {
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
	v[MLeasesActive] = float64(len(w.activeLeases))
	v[MOrdersOpen] = float64(len(w.deps)-len(w.depFree)) - float64(len(w.activeLeases))
	for _, m := range []int{MOrdersTotal, MOrdersUnservedTotal, MLeasesStartedTotal, MLeasesClosedTenantTotal,
		MLeasesClosedFundsTotal, MLeasesClosedProviderTotal, MProvidersEnteredTotal, MProvidersExitedTotal,
		MProviderIncomeUSDTotal, MTakeFeesUSDTotal, MOrderAttemptsTotal,
		MOrdersQueuedTotal, MDisputesTotal, MSlashedTotal, MVerificationUnitHoursTotal} {
		v[m] = w.counters[m]
	}
	v[MProvidersActive] = float64(len(w.active))
	v[MGPUsTotal] = float64(gpuCap)
	v[MGPUsLeased] = float64(gpuAlloc)
	v[MCPUsTotal] = float64(w.capTotal[agents.ResCPU])
	v[MCPUsLeased] = float64(w.allocTotal[agents.ResCPU])
	v[MSpendUSDDay] = spend * 24
	w.gpuBuf = gpuPrices[:0]
	for ci := range s.Cohorts {
		cs, ct := &s.Cohorts[ci], &w.cohortTotals[ci]
		cs.Providers = w.cohortCount[ci]
		cs.GPUs = float64(ct.gpus)
		cs.GPUsLeased = float64(ct.gpusLeased)
		cs.CPUs = float64(ct.cpus)
		cs.IncomeUSD = ct.incomeUSD
	}
	v[MCommunityPoolAKT] = tokenomics.Whole(w.ledger.Balance(w.pool, tokenomics.AKT))
	v[MTokenPriceUSD] = w.priceUSD[tokenomics.AKT]
	w.sampleChain(v)
	v[MGPUPriceStartedMeanUSDHour] = math.NaN()
	if w.gpuLeases > 0 {
		v[MGPUPriceStartedMeanUSDHour] = w.gpuPriceSum / w.gpuLeases
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

// Ledger returns the world's ledger (read it, do not change it).
func (w *World) Ledger() *tokenomics.Ledger { return w.ledger }

// Now returns the current simulated time.
func (w *World) Now() Time { return w.now }
