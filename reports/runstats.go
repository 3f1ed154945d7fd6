package reports

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/sim"
)

// RunStats accumulates what a run's summary.json, charts and comparison
// need from its recordings, taking them one at a time in increasing Rep
// order, so that no recording has to be kept once added: per replication,
// each metric's mean over time and final value and each resource's mean
// utilization and price; per sample time, sums, counts, minima and maxima
// over the replications of the series the charts draw. Its memory grows
// with the number of replications by a few numbers per metric and
// resource, and with the number of sample times; the one product of the
// two is the values the quantile bands need (Quantiles): 8 bytes per
// replication, banded metric (three) and sample time the charts draw (at
// most about MaxPlotPoints), so at most about 48 KB per replication.
//
// The replications must sample at the same times, as every replication of
// a run does (one horizon, one sampling interval). Its results are then
// those computed from the list of recordings: Summary is Summarize bit
// for bit, Charts is ChartDataOf bit for bit (means are sums over the
// replications in Rep order divided by their number, as there), and
// CompareSeries is CompareSeriesOf up to the last bits of its confidence
// bands (their standard deviations are computed in one pass).
//
// A RunStats is not safe for concurrent use.
type RunStats struct {
	lastRep int
	reps    []int
	samples []int
	means   [sim.NumMetrics][]float64 // per metric, per replication
	finals  [sim.NumMetrics][]float64

	resNames []string             // resources in order of first appearance
	resUtil  map[string][]float64 // per resource, per replication (NaN: absent)
	resPrice map[string][]float64

	// the replications' sample times (the first's), and every per-time
	// accumulator
	times []sim.Time
	accs  []*timeAcc

	gpuUtil, cpuUtil, supply *timeAcc
	bme                      []*timeAcc // per bmeMetrics
	gpuQ, cpuQ, supplyQ      quantAcc   // every replication's values, at the charts' times
	fractions                []*timeAcc // per supplyFractions
	priceModels              []string   // GPU resources, in order of first appearance
	prices                   map[string]*stamped
	cohorts                  []*cohortAcc
	cohortIdx                map[string]*cohortAcc
	row                      int  // counts the rows seen, for stamped
	cohortGPUs               bool // some cohort lists a GPU somewhere
	flows                    flowAcc

	hasGPUs bool     // some sample has gpus_total > 0
	ci      []ciLine // the series of CompareSeries
	tq      map[int]float64
}

// stamped is a per-time accumulator of a resource or cohort, with the
// row in which it last counted: a row counts the first of several
// entries of the same name, as findResource and findCohort find them.
type stamped struct {
	acc   *timeAcc
	stamp int
}

// cohortAcc accumulates one provider cohort's line of the cohorts chart.
type cohortAcc struct {
	label      string // "<cohort> (<kind>)"
	index      int    // position among the cohorts
	gpus, cpus *timeAcc
	// the bids chart's lines: mean markup over cost and win rate
	bidMarkup, winRate *timeAcc
	stamp              int
}

// ciLine is one series of CompareSeries: its accumulator and the value it
// takes from replication rec at sample i.
type ciLine struct {
	acc   *timeAcc
	value func(rec *Recording, base float64, i int) float64
}

// NewRunStats returns an empty RunStats.
func NewRunStats() *RunStats {
	s := &RunStats{
		lastRep:   -1,
		reps:      []int{},
		samples:   []int{},
		resUtil:   map[string][]float64{},
		resPrice:  map[string][]float64{},
		prices:    map[string]*stamped{},
		cohortIdx: map[string]*cohortAcc{},
		tq:        map[int]float64{},
	}
	s.gpuUtil = s.newAcc(true, false)
	s.cpuUtil = s.newAcc(true, false)
	s.supply = s.newAcc(true, false)
	for range supplyFractions {
		s.fractions = append(s.fractions, s.newAcc(false, false))
	}
	for range bmeMetrics {
		s.bme = append(s.bme, s.newAcc(true, false))
	}
	metric := func(m int) func(*Recording, float64, int) float64 {
		return func(rec *Recording, _ float64, i int) float64 { return rec.Values[i][m] }
	}
	for _, f := range []func(*Recording, float64, int) float64{
		metric(sim.MGPUUtilization), metric(sim.MCPUUtilization),
		metric(sim.MGPUPriceUSDHour), metric(sim.MCPUPriceUSDHour),
		metric(sim.MProviderRevenueUSDTotal),
		func(rec *Recording, base float64, i int) float64 {
			return 100 * (rec.Values[i][sim.MTokenSupply]/base - 1) // NaN without a base
		},
	} {
		s.ci = append(s.ci, ciLine{acc: s.newAcc(false, true), value: f})
	}
	return s
}

// Reps returns the number of replications added.
func (s *RunStats) Reps() int { return len(s.reps) }

// Add adds one replication's recording. Recordings must come in strictly
// increasing Rep order, each with one row of sim.NumMetrics values per
// sample time, in time order, and every one at the sample times of the
// first (where a recording has several samples at one time, the charts
// take the last, as BandSeries does). A recording that breaks these rules
// is an error and changes nothing.
func (s *RunStats) Add(rec *Recording) error {
	add, err := s.adding(rec)
	if err != nil {
		return err
	}
	add()
	return nil
}

// adding checks rec as Add does and returns the rest of Add, which must
// run before s is read or added to again (RunWriter.Add checks a
// recording before it starts writing its rows, and adds it to the
// statistics beside them). On an error it changes nothing.
func (s *RunStats) adding(rec *Recording) (func(), error) {
	if rec == nil {
		return nil, fmt.Errorf("reports: nil recording")
	}
	if rec.Rep <= s.lastRep {
		return nil, fmt.Errorf("reports: replication %d after replication %d: replications must come in increasing order", rec.Rep, s.lastRep)
	}
	if len(rec.Values) != len(rec.Times) || len(rec.Resources) > len(rec.Times) || len(rec.Cohorts) > len(rec.Times) {
		return nil, fmt.Errorf("reports: replication %d: %d times, %d value rows, %d resource rows, %d cohort rows",
			rec.Rep, len(rec.Times), len(rec.Values), len(rec.Resources), len(rec.Cohorts))
	}
	for i, row := range rec.Values {
		if len(row) != sim.NumMetrics {
			return nil, fmt.Errorf("reports: replication %d, sample %d: %d values, want %d", rec.Rep, i, len(row), sim.NumMetrics)
		}
		if i > 0 && rec.Times[i] < rec.Times[i-1] {
			return nil, fmt.Errorf("reports: replication %d, sample %d: time %v before %v", rec.Rep, i, rec.Times[i], rec.Times[i-1])
		}
	}
	use := chartSamples(rec)
	if len(s.reps) > 0 && !sameTimes(rec, use, s.times) {
		return nil, fmt.Errorf("reports: replication %d samples at other times than replication %d (%d times from %v, want %d from %v): "+
			"the replications of a run sample at the same times", rec.Rep, s.reps[0], len(use), firstTime(rec.Times), len(s.times), firstTime(s.times))
	}
	s.lastRep = rec.Rep
	return func() {
		s.addSummary(rec)
		s.addSeries(rec, use)
	}, nil
}

// chartSamples returns the samples of rec the charts use: the last one
// at each time (as align).
func chartSamples(rec *Recording) []int {
	use := make([]int, 0, len(rec.Times))
	for i, t := range rec.Times {
		if i+1 < len(rec.Times) && rec.Times[i+1] == t {
			continue
		}
		use = append(use, i)
	}
	return use
}

func firstTime(ts []sim.Time) any {
	if len(ts) == 0 {
		return "none"
	}
	return ts[0]
}

// addSummary adds rec's per-replication figures (as Summarize computes
// them).
func (s *RunStats) addSummary(rec *Recording) {
	k := len(s.reps)
	s.reps = append(s.reps, rec.Rep)
	s.samples = append(s.samples, rec.Len())
	col := make([]float64, len(rec.Values))
	for m := range sim.NumMetrics {
		for i, row := range rec.Values {
			col[i] = row[m]
		}
		final := math.NaN()
		if n := len(rec.Values); n > 0 {
			final = rec.Values[n-1][m]
		}
		s.means[m] = append(s.means[m], nanMean(col))
		s.finals[m] = append(s.finals[m], final)
	}
	for _, name := range resourceNames([]*Recording{rec}) {
		if _, ok := s.resUtil[name]; !ok {
			s.resNames = append(s.resNames, name)
			s.resUtil[name], s.resPrice[name] = nanSlice(k), nanSlice(k)
		}
		u, p := resourceColumns(rec, name)
		s.resUtil[name] = append(s.resUtil[name], nanMean(u))
		s.resPrice[name] = append(s.resPrice[name], nanMean(p))
	}
	for _, name := range s.resNames { // resources this replication lacks
		if len(s.resUtil[name]) == k {
			s.resUtil[name] = append(s.resUtil[name], math.NaN())
			s.resPrice[name] = append(s.resPrice[name], math.NaN())
		}
	}
}

func nanSlice(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

// addSeries adds rec's samples use, at the times of s, to the per-time
// accumulators.
func (s *RunStats) addSeries(rec *Recording, use []int) {
	if len(s.reps) == 1 {
		// the first replication sets the times
		s.times = make([]sim.Time, len(use))
		for q, i := range use {
			s.times[q] = rec.Times[i]
		}
		for _, a := range s.accs {
			a.resize(len(s.times))
		}
		s.flows.setGrid(s.times)
		for _, a := range []*quantAcc{&s.gpuQ, &s.cpuQ, &s.supplyQ} {
			a.setGrid(len(s.times))
		}
	}
	for _, a := range []*quantAcc{&s.gpuQ, &s.cpuQ, &s.supplyQ} {
		a.startRep()
	}
	for q, i := range use {
		row := rec.Values[i]
		s.gpuUtil.add(q, row[sim.MGPUUtilization])
		s.cpuUtil.add(q, row[sim.MCPUUtilization])
		s.supply.add(q, row[sim.MTokenSupply])
		s.gpuQ.add(q, row[sim.MGPUUtilization])
		s.cpuQ.add(q, row[sim.MCPUUtilization])
		s.supplyQ.add(q, row[sim.MTokenSupply])
		for f, fm := range supplyFractions {
			s.fractions[f].add(q, row[fm.metric])
		}
		for k, bm := range bmeMetrics {
			s.bme[k].add(q, row[bm.metric])
		}
	}
	s.addPrices(rec, use)
	s.addCohorts(rec, use)
	s.flows.add(rec, use)

	// compare series
	for _, row := range rec.Values {
		if row[sim.MGPUsTotal] > 0 {
			s.hasGPUs = true
			break
		}
	}
	base := math.NaN()
	for _, row := range rec.Values {
		if v := row[sim.MTokenSupply]; isFinite(v) && v > 0 {
			base = v
			break
		}
	}
	for _, l := range s.ci {
		for q, i := range use {
			l.acc.add(q, l.value(rec, base, i))
		}
	}
}

// sameTimes reports whether rec's samples use are at times.
func sameTimes(rec *Recording, use []int, times []sim.Time) bool {
	if len(use) != len(times) {
		return false
	}
	for q, i := range use {
		if rec.Times[i] != times[q] {
			return false
		}
	}
	return true
}

// addPrices adds each GPU model's median price of rec's samples use.
func (s *RunStats) addPrices(rec *Recording, use []int) {
	for _, row := range rec.Resources {
		for _, rs := range row {
			if strings.HasPrefix(rs.Resource, sim.GPUPrefix) && s.prices[rs.Resource] == nil {
				s.prices[rs.Resource] = &stamped{acc: s.newAcc(false, false)}
				s.priceModels = append(s.priceModels, rs.Resource)
			}
		}
	}
	for q, i := range use {
		if i >= len(rec.Resources) {
			continue
		}
		s.row++
		for _, rs := range rec.Resources[i] {
			if p := s.prices[rs.Resource]; p != nil && p.stamp != s.row {
				p.stamp = s.row
				p.acc.add(q, rs.MedianPriceUSDHour)
			}
		}
	}
}

// addCohorts adds each provider cohort's GPUs and CPU cores listed at
// rec's samples use.
func (s *RunStats) addCohorts(rec *Recording, use []int) {
	for _, row := range rec.Cohorts {
		for _, c := range row {
			s.cohortGPUs = s.cohortGPUs || c.GPUs > 0
			if s.cohortIdx[c.Cohort] == nil {
				acc := &cohortAcc{label: c.Cohort + " (" + c.Kind + ")", index: len(s.cohorts),
					gpus: s.newAcc(false, false), cpus: s.newAcc(false, false),
					bidMarkup: s.newAcc(false, false), winRate: s.newAcc(false, false)}
				s.cohortIdx[c.Cohort] = acc
				s.cohorts = append(s.cohorts, acc)
			}
		}
	}
	for q, i := range use {
		s.row++
		for _, c := range rec.cohortsAt(i) {
			if acc := s.cohortIdx[c.Cohort]; acc.stamp != s.row {
				acc.stamp = s.row
				acc.gpus.add(q, c.GPUs)
				acc.cpus.add(q, c.CPUs)
				acc.bidMarkup.add(q, c.BidMarkup)
				acc.winRate.add(q, c.WinRate)
			}
		}
	}
}

// newAcc returns a per-time accumulator over the current times, kept
// re-indexed with them.
func (s *RunStats) newAcc(band, ci bool) *timeAcc {
	a := &timeAcc{withBand: band, withCI: ci}
	a.resize(len(s.times))
	s.accs = append(s.accs, a)
	return a
}

// x returns the sample times in days.
func (s *RunStats) x() []float64 {
	x := make([]float64, len(s.times))
	for j, t := range s.times {
		x[j] = t.Days()
	}
	return x
}

// Summary returns the statistics of the replications added, as Summarize
// computes them from their recordings.
func (s *RunStats) Summary() *Summary {
	sum := &Summary{
		Method:          summaryMethod,
		ConfidenceLevel: ConfidenceLevel,
		Reps:            slices.Clone(s.reps),
		Samples:         slices.Clone(s.samples),
		Metrics:         make([]MetricSummary, sim.NumMetrics),
	}
	for m := range sim.NumMetrics {
		sum.Metrics[m] = MetricSummary{
			Name:     sim.Metrics[m].Name,
			Unit:     sim.Metrics[m].Unit,
			Doc:      sim.Metrics[m].Doc,
			TimeMean: NewStat(s.means[m]),
			Final:    NewStat(s.finals[m]),
		}
	}
	for _, name := range orderResources(s.resNames) {
		sum.Resources = append(sum.Resources, ResourceSummary{
			Resource:           name,
			Utilization:        NewStat(s.resUtil[name]),
			MedianPriceUSDHour: NewStat(s.resPrice[name]),
		})
	}
	return sum
}

// orderResources returns names with cpu and memory_gb first (when
// present), then the others sorted, as resourceNames orders them.
func orderResources(names []string) []string {
	var first, others []string
	for _, n := range []string{sim.ResourceCPU, sim.ResourceMemory} {
		if slices.Contains(names, n) {
			first = append(first, n)
		}
	}
	for _, n := range names {
		if n != sim.ResourceCPU && n != sim.ResourceMemory {
			others = append(others, n)
		}
	}
	slices.Sort(others)
	return append(first, others...)
}

// Charts returns the data behind the charts of the replications added, as
// ChartDataOf computes it from their recordings.
func (s *RunStats) Charts() *ChartData {
	x := s.x()
	d := &ChartData{Reps: len(s.reps)}
	d.GPUUtilization = s.gpuUtil.band(x)
	d.CPUUtilization = s.cpuUtil.band(x)
	d.GPUUtilization.Q, d.CPUUtilization.Q = s.gpuQ.quantiles(x), s.cpuQ.quantiles(x)

	models := slices.Clone(s.priceModels)
	slices.Sort(models)
	for _, name := range models {
		d.Prices = append(d.Prices, PriceSeries{Model: strings.TrimPrefix(name, sim.GPUPrefix), X: x, Y: s.prices[name].acc.mean()})
	}

	sb := s.supply.band(x)
	d.Supply.X = x
	d.Supply.SupplyMean, d.Supply.SupplyLo, d.Supply.SupplyHi = sb.Mean, sb.Lo, sb.Hi
	for _, ys := range [][]float64{d.Supply.SupplyMean, d.Supply.SupplyLo, d.Supply.SupplyHi} {
		for j := range ys {
			ys[j] /= 1e6
		}
	}
	d.Supply.SupplyQ = s.supplyQ.quantiles(x)
	d.Supply.SupplyQ.divide(1e6)
	for f, fm := range supplyFractions {
		mean := s.fractions[f].mean()
		if slices.ContainsFunc(mean, func(v float64) bool { return !math.IsNaN(v) }) {
			d.Supply.Fractions = append(d.Supply.Fractions, Series{Name: fm.name, X: x, Y: mean})
		}
	}

	d.Flows = s.flows.series(s.times)
	d.FlowPeriod = FlowPeriod(s.times)
	bands := make([]BandLine, len(bmeMetrics))
	for k, a := range s.bme {
		bands[k] = a.band(x)
	}
	d.BME = bmeOf(bands)

	d.Cohorts.CPUs = !s.cohortGPUs
	for _, c := range s.cohorts {
		acc := c.gpus
		if d.Cohorts.CPUs {
			acc = c.cpus
		}
		y := acc.mean()
		if slices.ContainsFunc(y, func(v float64) bool { return v != 0 && !math.IsNaN(v) }) {
			d.Cohorts.Series = append(d.Cohorts.Series, Series{Name: c.label, X: x, Y: y})
			d.CohortIndex = append(d.CohortIndex, c.index)
		}
	}
	d.Bids = s.bids(x)
	return d
}

// CompareSeries returns the series of the overlay charts of a comparison
// for the replications added, as CompareSeriesOf computes them from their
// recordings (up to the last bits of the confidence bands).
func (s *RunStats) CompareSeries() CompareSeries {
	x := s.x()
	lines := make([]BandLine, len(s.ci))
	for k, l := range s.ci {
		lines[k] = l.acc.ciBand(x, s.tQuantile)
	}
	return CompareSeries{
		HasGPUs:        s.hasGPUs,
		GPUUtilization: lines[0], CPUUtilization: lines[1],
		GPUPrice: lines[2], CPUPrice: lines[3],
		ProviderIncome: lines[4],
		SupplyPct:      lines[5],
	}
}

// CompareRun returns the replications added as one scenario of a
// comparison, named name: their Summary and CompareSeries. The other
// fields are left to the caller.
func (s *RunStats) CompareRun(name string) CompareRun {
	return CompareRun{Name: name, Summary: s.Summary(), Series: s.CompareSeries()}
}

// tQuantile is TQuantile, remembered per degrees of freedom.
func (s *RunStats) tQuantile(df int) float64 {
	q, ok := s.tq[df]
	if !ok {
		q = TQuantile(df)
		s.tq[df] = q
	}
	return q
}

// timeAcc accumulates values at each sample time over replications:
// their sum and count (NaN values skipped), their minimum and maximum
// (band), and their running mean and sum of squared deviations (ci:
// Welford's method).
type timeAcc struct {
	withBand bool // keeps lo and hi
	withCI   bool // keeps wMean and m2
	sum      []float64
	n        []int
	lo, hi   []float64
	wMean    []float64
	m2       []float64
}

// resize gives a an empty slot for each of size times.
func (a *timeAcc) resize(size int) {
	filled := func(v float64) []float64 {
		out := make([]float64, size)
		for j := range out {
			out[j] = v
		}
		return out
	}
	a.sum, a.n = make([]float64, size), make([]int, size)
	if a.withBand {
		a.lo, a.hi = filled(math.Inf(1)), filled(math.Inf(-1))
	}
	if a.withCI {
		a.wMean, a.m2 = make([]float64, size), make([]float64, size)
	}
}

// add adds v at time j, unless v is NaN.
func (a *timeAcc) add(j int, v float64) {
	if math.IsNaN(v) {
		return
	}
	a.sum[j] += v
	a.n[j]++
	if a.withBand {
		// the builtins give what math.Min and math.Max give for operands
		// that are not NaN, without a call
		a.lo[j], a.hi[j] = min(a.lo[j], v), max(a.hi[j], v)
	}
	if a.withCI {
		d := v - a.wMean[j]
		a.wMean[j] += d / float64(a.n[j])
		a.m2[j] += d * (v - a.wMean[j])
	}
}

// mean returns the mean at each time, NaN where no value was added.
func (a *timeAcc) mean() []float64 {
	out := make([]float64, len(a.sum))
	for j := range out {
		out[j] = math.NaN()
		if a.n[j] > 0 {
			out[j] = a.sum[j] / float64(a.n[j])
		}
	}
	return out
}

// band returns the mean, minimum and maximum at each time (all NaN where
// no value was added), on x.
func (a *timeAcc) band(x []float64) BandLine {
	b := BandLine{X: x, Mean: a.mean(), Lo: make([]float64, len(x)), Hi: make([]float64, len(x))}
	for j := range x {
		b.Lo[j], b.Hi[j] = math.NaN(), math.NaN()
		if a.n[j] > 0 {
			b.Lo[j], b.Hi[j] = a.lo[j], a.hi[j]
		}
	}
	return b
}

// ciBand returns the mean and its confidence interval at each time, as
// NewStat computes them (CIBand).
func (a *timeAcc) ciBand(x []float64, tq func(df int) float64) BandLine {
	b := BandLine{X: x, Mean: a.mean(), Lo: make([]float64, len(x)), Hi: make([]float64, len(x))}
	for j := range x {
		switch n := a.n[j]; n {
		case 0:
			b.Lo[j], b.Hi[j] = math.NaN(), math.NaN()
		case 1:
			b.Lo[j], b.Hi[j] = b.Mean[j], b.Mean[j]
		default:
			sd := math.Sqrt(a.m2[j] / float64(n-1))
			half := tq(n-1) * sd / math.Sqrt(float64(n))
			b.Lo[j], b.Hi[j] = b.Mean[j]-half, b.Mean[j]+half
		}
	}
	return b
}
