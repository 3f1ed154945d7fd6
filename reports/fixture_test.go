package reports

import (
	"math"
	"slices"

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
//
// Cohorts (fixtureCohorts), at sample i of rep r:
//
//	organic-a100 (organic):  3 providers, 4 GPUs, i leased, 10 CPUs, income 1.5i + r
//	airdrop (mercenary):     2-i providers, 2(2-i) GPUs, none leased, income r
//	spoofed (fake):          1 provider of 8 GPUs until detected (rep 0: never,
//	                         rep 1: at i = 2, rep 2: at i = 1), none leased, no income
//	cpu (organic):           5 providers, no GPUs, 16 CPUs, income 0.5i
//
// Bids (the cohorts' bid columns) in the sample interval ending at i:
//
//	organic-a100: 4 placed, i won (win rate i/4), markup 0.25 + 0.5r,
//	              won markup 0.1i (NaN at i = 0)
//	airdrop:      rep 0 and 2 at i < 2: 4 placed, r won (win rate r/4),
//	              markup 1, won markup 0.5 (NaN in rep 0); else none
//	spoofed, cpu: none (win rate and markups NaN)
//
// So the mean GPUs listed are 4, 4, 4 (organic-a100), 4, 2, 0 (airdrop)
// and 8, 16/3, 8/3 (spoofed).
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

func fixtureCohorts(r, i int) []sim.CohortSample {
	fake := 1
	if r == 1 && i >= 2 || r == 2 && i >= 1 {
		fake = 0
	}
	fi := float64(i)
	nan := math.NaN()
	won := nan // no bid won at the first sample
	if i > 0 {
		won = 0.1 * fi
	}
	air := sim.CohortSample{Cohort: "airdrop", Kind: "mercenary", Providers: 2 - i, GPUs: 2 * (2 - fi), IncomeUSD: float64(r),
		WinRate: nan, BidMarkup: nan, WonMarkup: nan, Exited: fi}
	if i < 2 && r != 1 {
		air.Bids, air.BidsWon, air.WinRate, air.BidMarkup = 4, float64(r), float64(r)/4, 1
		if r > 0 {
			air.WonMarkup = 0.5
		}
	}
	return []sim.CohortSample{
		{Cohort: "organic-a100", Kind: "organic", Providers: 3, GPUs: 4, GPUsLeased: fi, CPUs: 10, IncomeUSD: 1.5*fi + float64(r),
			Bids: 4, BidsWon: fi, WinRate: fi / 4, BidMarkup: 0.25 + 0.5*float64(r), WonMarkup: won},
		air,
		{Cohort: "spoofed", Kind: "fake", Providers: fake, GPUs: 8 * float64(fake), WinRate: nan, BidMarkup: nan, WonMarkup: nan, Exited: float64(1 - fake)},
		{Cohort: "cpu", Kind: "organic", Providers: 5, CPUs: 16, IncomeUSD: 0.5 * fi, WinRate: nan, BidMarkup: nan, WonMarkup: nan, Entered: fi, Exited: fi},
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
			s.Cohorts = append(s.Cohorts[:0], fixtureCohorts(r, i)...)
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
			setTokenValues(s.Values, float64(i)/24, float64(r))
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
			// an organic cohort, mercenaries leaving after a third of the
			// run and fake capacity detected gradually
			left := max(0, float64(i)/float64(samples)-1.0/3)
			s.Cohorts = append(s.Cohorts[:0],
				sim.CohortSample{Cohort: "organic", Kind: "organic", Providers: 24, GPUs: 96, GPUsLeased: 48 + 16*math.Sin(ph), CPUs: 768, IncomeUSD: float64(i),
					Bids: 40, BidsWon: 20, WinRate: 0.5 + 0.2*math.Sin(ph), BidMarkup: 0.3 + 0.1*math.Cos(ph), WonMarkup: 0.2},
				sim.CohortSample{Cohort: "mercenary", Kind: "mercenary", Providers: int(16 * (1 - left)), GPUs: 64 * (1 - left), CPUs: 512 * (1 - left), IncomeUSD: float64(i) / 2,
					Bids: 30, BidsWon: 10, WinRate: 1.0 / 3, BidMarkup: 0.5 - 0.3*left, WonMarkup: 0.4},
				sim.CohortSample{Cohort: "fake", Kind: "fake", Providers: int(8 * math.Exp(-float64(i)/2000)), GPUs: 64 * math.Exp(-float64(i)/2000),
					WinRate: math.NaN(), BidMarkup: math.NaN(), WonMarkup: math.NaN()},
				sim.CohortSample{Cohort: "cpu", Kind: "organic", Providers: 10, CPUs: 640, IncomeUSD: float64(i) / 10,
					Bids: 5, BidsWon: 5, WinRate: 1, BidMarkup: 0.1, WonMarkup: 0.1})
			m.Record(s)
		}
		out = append(out, m.Recording())
	}
	return out
}

// setTokenValues fills the token metrics of a longRun sample at day d of
// replication r with plausible values: a growing supply, a wobbling
// bonded ratio, decaying inflation and non-decreasing cumulative totals
// whose daily flows vary smoothly.
func setTokenValues(v []float64, d, r float64) {
	// cum returns a cumulative total with daily flow rate*(1 + 0.5*(1-cos(w*d))) >= 0.
	cum := func(rate, w float64) float64 { return rate * (1.5*d - 0.5*math.Sin(w*d)/w) }
	v[sim.MBondedRatio] = 0.5 + 0.05*math.Sin(d/30+r)
	v[sim.MInflationRate] = 0.13 - 0.0001*d
	v[sim.MStakingAPR] = v[sim.MInflationRate] * 0.98 / v[sim.MBondedRatio]
	v[sim.MMintedTotal] = cum(90e3*(1+0.1*r), 0.05)
	v[sim.MBurnedTotal] = cum(20e3, 0.2)
	v[sim.MFeesTotal] = cum(15e3, 0.1)
	v[sim.MSubsidiesPaidTotal] = cum(30e3, 0.03)
	v[sim.MEmissionsTotal] = cum(40e3, 0.07)
	v[sim.MTokenSupply] = 250e6 + v[sim.MMintedTotal] - v[sim.MBurnedTotal]
	v[sim.MProviderRevenueUSDTotal] = cum(100e3, 0.1)
}

// synthRec returns a recording of rep with samples at the given hours and
// no resources; every metric is 0 except those in vals, which give one
// value per sample.
func synthRec(rep int, hours []int, vals map[int][]float64) *Recording {
	rec := &Recording{Rep: rep}
	for i, h := range hours {
		row := make([]float64, sim.NumMetrics)
		for m, v := range vals {
			row[m] = v[i]
		}
		rec.Times = append(rec.Times, sim.Time(h)*sim.Hour)
		rec.Values = append(rec.Values, row)
		rec.Resources = append(rec.Resources, nil)
	}
	return rec
}

// withValues returns copies of recs whose value of metric m at sample i
// of the recording with Rep r is f(m, r, i, v), v being the original.
func withValues(recs []*Recording, f func(m, r, i int, v float64) float64) []*Recording {
	out := make([]*Recording, len(recs))
	for k, rec := range recs {
		c := *rec
		c.Values = make([][]float64, len(rec.Values))
		for i, row := range rec.Values {
			c.Values[i] = make([]float64, len(row))
			for m, v := range row {
				c.Values[i][m] = f(m, rec.Rep, i, v)
			}
		}
		out[k] = &c
	}
	return out
}

// tokenMetrics lists the metrics of the token layer.
var tokenMetrics = []int{
	sim.MTokenSupply, sim.MBondedRatio, sim.MInflationRate, sim.MStakingAPR,
	sim.MMintedTotal, sim.MBurnedTotal, sim.MProviderRevenueUSDTotal,
	sim.MSubsidiesPaidTotal, sim.MEmissionsTotal, sim.MFeesTotal,
}

// withoutTokenLayer returns copies of recs whose token metrics are all
// set to v (0 or NaN), as in a scenario without a token layer.
func withoutTokenLayer(recs []*Recording, v float64) []*Recording {
	return withValues(recs, func(m, _, _ int, old float64) float64 {
		for _, t := range tokenMetrics {
			if m == t {
				return v
			}
		}
		return old
	})
}

// tokenFixture returns two replications with samples at 0, 12, 24 and
// 48 hours and explicit token-layer values (other metrics 0), for the
// golden data of the supply and flows charts. It does not depend on the
// metric indices, unlike fixture.
func tokenFixture() []*Recording {
	nan := math.NaN()
	hours := []int{0, 12, 24, 48}
	return []*Recording{
		synthRec(0, hours, map[int][]float64{
			sim.MTokenSupply:        {100e6, 100.5e6, 101e6, 101.2e6},
			sim.MBondedRatio:        {0.5, 0.52, nan, 0.55},
			sim.MInflationRate:      {0.1, 0.1, 0.1, 0.09},
			sim.MStakingAPR:         {nan, nan, nan, nan},
			sim.MMintedTotal:        {0, 10, 30, 30},
			sim.MBurnedTotal:        {0, 0, 0, -2},
			sim.MFeesTotal:          {nan, nan, nan, nan},
			sim.MSubsidiesPaidTotal: {0, 5, nan, 20},
			sim.MEmissionsTotal:     {5, 5, 5, 5},
		}),
		synthRec(1, hours, map[int][]float64{
			sim.MTokenSupply:        {100e6, 100.1e6, 100.3e6, nan},
			sim.MBondedRatio:        {0.4, 0.42, 0.44, 0.46},
			sim.MInflationRate:      {0.1, 0.11, 0.12, 0.12},
			sim.MStakingAPR:         {nan, nan, nan, nan},
			sim.MMintedTotal:        {0, 20, 20, 60},
			sim.MFeesTotal:          {nan, nan, nan, nan},
			sim.MSubsidiesPaidTotal: {0, 10, 15, 20},
			sim.MEmissionsTotal:     {5, 5, 5, 5},
		}),
	}
}

// withoutBME returns copies of recs whose BME metrics (vault, ACT supply,
// collateral ratio) are zero, NaN for the ratio: a run without the BME.
func withoutBME(recs []*Recording) []*Recording {
	out := make([]*Recording, len(recs))
	for k, r := range recs {
		c := *r
		c.Values = make([][]float64, len(r.Values))
		for i, row := range r.Values {
			c.Values[i] = slices.Clone(row)
			c.Values[i][sim.MBMEVault], c.Values[i][sim.MACTSupply] = 0, 0
			c.Values[i][sim.MBMECollateralRatio] = math.NaN()
		}
		out[k] = &c
	}
	return out
}

// bmeOn reports whether some sample of recs has a non-zero BME vault or
// ACT supply.
func bmeOn(recs []*Recording) bool {
	for _, r := range recs {
		for _, row := range r.Values {
			if v, a := row[sim.MBMEVault], row[sim.MACTSupply]; (v != 0 && !math.IsNaN(v)) || (a != 0 && !math.IsNaN(a)) {
				return true
			}
		}
	}
	return false
}
