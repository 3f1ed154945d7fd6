package reports

import (
	"fmt"
	"math"
	"sync"

	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
)

// reportAcc accumulates the series of a run's HTML report, one
// replication at a time in increasing Rep order (as RunStats): per line
// (a metric, a resource's or a cohort's column, a metric's daily flow)
// and time, the count, mean and sum of squared deviations of the
// replications' values (Welford's update, in Rep order, so the result
// does not depend on how the replications were run).
type reportAcc struct {
	times  []sim.Time // the charts' sample times (the first replication's)
	period sim.Time   // the flows' period (a day, or the sampling interval when longer)
	nper   int        // the number of whole periods
	lines  []*repLine
	byKey  map[string]*repLine
	// scratch holds one line's values of the replication being added
	// (the lines are filled one after the other)
	scratch []float64
}

// repLine is one accumulated line.
type repLine struct {
	key   string
	daily bool
	// n counts each time's values; nil until a second replication is
	// added: after one, a count is 1 where mean holds a value and 0 where
	// it holds NaN (a run of one replication, the most common, then
	// keeps a third less per line)
	n     []int32
	mean  []float64
	m2    []float64 // nil until a second replication is added
	added bool      // some replication was added
}

// at returns the count and mean of time i (0 and +0 without a value).
func (l *repLine) at(i int) (int, float64) {
	if l.n != nil {
		return int(l.n[i]), l.mean[i]
	}
	if !l.added || math.IsNaN(l.mean[i]) {
		return 0, 0
	}
	return 1, l.mean[i]
}

func newReportAcc() *reportAcc { return &reportAcc{byKey: map[string]*repLine{}} }

// line returns the line of key, creating it.
func (a *reportAcc) line(key string, daily bool) *repLine {
	if l, ok := a.byKey[key]; ok {
		return l
	}
	n := len(a.times)
	if daily {
		n = a.nper
	}
	l := &repLine{key: key, daily: daily, mean: make([]float64, n)}
	a.lines = append(a.lines, l)
	a.byKey[key] = l
	return l
}

// add adds one replication's value vector (NaN: no value) to l.
func (l *repLine) add(v []float64) {
	if !l.added {
		l.addFirst(v)
		return
	}
	if l.n == nil {
		// the counts of the first replication: 1 where it has a value, 0
		// (and a mean of +0) where it has none
		l.n = make([]int32, len(l.mean))
		for i, m := range l.mean {
			if math.IsNaN(m) {
				l.mean[i] = 0
			} else {
				l.n[i] = 1
			}
		}
	}
	if l.m2 == nil {
		l.m2 = make([]float64, len(l.mean)) // +0 after the first replication
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		l.n[i]++
		d := x - l.mean[i]
		l.mean[i] += d / float64(l.n[i])
		l.m2[i] += d * (x - l.mean[i])
	}
}

// addFirst is add for the first replication, when every n, mean and m2
// is 0: Welford's update then gives n = 1, mean = 0 + x (x, but +0 for
// -0) and leaves m2 at +0, the same bits without the division. It
// leaves n nil and marks the times without a value with a NaN mean
// (repLine.at; add makes the counts for a second replication).
func (l *repLine) addFirst(v []float64) {
	l.added = true
	mean := l.mean[:len(v)]
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			mean[i] = math.NaN()
			continue
		}
		mean[i] = 0 + x
	}
}

// Add adds rec: its last sample at each time (chartSamples), which must
// be at the times of the first replication added.
func (a *reportAcc) Add(rec *Recording) error {
	use := chartSamples(rec)
	if a.times == nil {
		a.times = make([]sim.Time, len(use))
		for k, i := range use {
			a.times[k] = rec.Times[i]
		}
		a.period = simtime.Day
		if len(a.times) > 1 && a.times[1]-a.times[0] > a.period {
			a.period = a.times[1] - a.times[0]
		}
		if len(a.times) > 0 {
			a.nper = int((a.times[len(a.times)-1] - a.times[0]) / a.period)
		}
	} else if !sameTimes(rec, use, a.times) {
		return fmt.Errorf("reports: replication %d samples at other times than the first", rec.Rep)
	}
	n := len(use)
	if a.scratch == nil {
		a.scratch = make([]float64, max(len(a.times), a.nper))
	}
	vec := func(l *repLine) []float64 {
		v := a.scratch[:n]
		for i := range v {
			v[i] = math.NaN()
		}
		return v
	}
	for _, m := range reportMetrics() {
		l := a.line("m:"+sim.Metrics[m].Name, false)
		v := vec(l)
		for k, i := range use {
			v[k] = rec.Values[i][m]
		}
		l.add(v)
	}
	for _, m := range reportFlows {
		l := a.line("d:"+sim.Metrics[m].Name, true)
		v := a.scratch[:a.nper]
		a.periodFlows(rec, use, m, v)
		l.add(v)
	}
	// resources and cohorts: lines in order of first appearance (a name
	// twice in one sample: the first counts)
	seen := map[string]bool{}
	if len(rec.Resources) > 0 {
		for _, i := range use {
			if i >= len(rec.Resources) {
				continue
			}
			for _, rs := range rec.Resources[i] {
				if seen[rs.Resource] {
					continue
				}
				seen[rs.Resource] = true
				a.line("r:"+rs.Resource+":util", false)
				a.line("r:"+rs.Resource+":price", false)
			}
		}
	}
	clear(seen)
	if len(rec.Cohorts) > 0 {
		for _, i := range use {
			if i >= len(rec.Cohorts) {
				continue
			}
			for _, cs := range rec.Cohorts[i] {
				if seen[cs.Cohort] {
					continue
				}
				seen[cs.Cohort] = true
				for _, f := range cohortFields {
					a.line("c:"+cs.Cohort+":"+f.name, false)
				}
			}
		}
	}
	// fill the resource and cohort lines of this replication; at[k] is
	// the position of the line's resource or cohort in sample use[k]
	// (-1: none), found once for the lines of one name
	at := make([]int, n)
	var atKind byte
	atName := ""
	for _, l := range a.lines {
		if l.daily || len(l.key) < 2 || (l.key[0] != 'r' && l.key[0] != 'c') {
			continue
		}
		v := vec(l)
		kind := l.key[0]
		name, col := splitKey(l.key)
		if kind != atKind || name != atName || atKind == 0 {
			atKind, atName = kind, name
			for k, i := range use {
				at[k] = -1
				if kind == 'r' && i < len(rec.Resources) {
					at[k] = findResource(rec.Resources[i], name, 0)
				} else if kind == 'c' && i < len(rec.Cohorts) {
					at[k] = findCohort(rec.Cohorts[i], name, 0)
				}
			}
		}
		switch kind {
		case 'r':
			util := col == "util"
			for k, i := range use {
				if j := at[k]; j >= 0 {
					rs := &rec.Resources[i][j]
					if util {
						v[k] = rs.Utilization
					} else {
						v[k] = rs.MedianPriceUSDHour
					}
				}
			}
		case 'c':
			get := cohortGetter(col)
			for k, i := range use {
				if j := at[k]; j >= 0 {
					v[k] = get(&rec.Cohorts[i][j])
				}
			}
		}
		l.add(v)
	}
	return nil
}

// reportMetrics returns the metrics whose lines the report's charts
// draw, in increasing order: the only ones reportAcc accumulates.
var reportMetrics = sync.OnceValue(func() []int {
	drawn := map[string]bool{}
	for _, sec := range (&reportInputs{acc: newReportAcc()}).chartSpecs() {
		for _, cs := range sec.charts {
			for _, ls := range cs.lines {
				drawn[ls.key] = true
			}
		}
	}
	var out []int
	for m := range sim.NumMetrics {
		if drawn["m:"+sim.Metrics[m].Name] {
			out = append(out, m)
		}
	}
	return out
})

// splitKey splits "r:NAME:COL" into NAME and COL (NAME may hold ':').
func splitKey(key string) (name, col string) {
	rest := key[2:]
	for i := len(rest) - 1; i >= 0; i-- {
		if rest[i] == ':' {
			return rest[:i], rest[i+1:]
		}
	}
	return rest, ""
}

// cohortFields are the cohorts.csv columns the report draws.
var cohortFields = []struct{ name string }{{"providers"}, {"gpus"}, {"income_usd"}, {"bids"}, {"win_rate"}, {"bid_markup"}, {"entered"}, {"exited"}}

// cohortGetter returns the function that reads a cohort sample's column
// col (NaN for a column it does not know).
func cohortGetter(col string) func(*sim.CohortSample) float64 {
	switch col {
	case "providers":
		return func(cs *sim.CohortSample) float64 { return float64(cs.Providers) }
	case "gpus":
		return func(cs *sim.CohortSample) float64 { return cs.GPUs }
	case "income_usd":
		return func(cs *sim.CohortSample) float64 { return cs.IncomeUSD }
	case "bids":
		return func(cs *sim.CohortSample) float64 { return cs.Bids }
	case "win_rate":
		return func(cs *sim.CohortSample) float64 { return cs.WinRate }
	case "bid_markup":
		return func(cs *sim.CohortSample) float64 { return cs.BidMarkup }
	case "entered":
		return func(cs *sim.CohortSample) float64 { return cs.Entered }
	case "exited":
		return func(cs *sim.CohortSample) float64 { return cs.Exited }
	}
	return func(*sim.CohortSample) float64 { return math.NaN() }
}

// reportFlows are the running totals the report shows as flows per day.
var reportFlows = []int{sim.MMintedTotal, sim.MBurnedTotal, sim.MFeesTotal, sim.MSubsidiesPaidTotal,
	sim.MEmissionsTotal, sim.MAirdropsClaimedTotal, sim.MSlashedTotal}

// periodFlows fills v with the increase of metric m (a running total)
// over each whole period from the first sample, per day: the total at the
// last sample at or before the period's end minus that at or before its
// start, over the period's length in days.
func (a *reportAcc) periodFlows(rec *Recording, use []int, m int, v []float64) {
	days := a.period.Hours() / 24
	k := 0
	at := func(t sim.Time) float64 { // the total at the last sample <= t
		for k+1 < len(use) && rec.Times[use[k+1]] <= t {
			k++
		}
		return rec.Values[use[k]][m]
	}
	prev := at(a.times[0])
	for p := range v {
		cur := at(a.times[0] + sim.Time(p+1)*a.period)
		v[p] = (cur - prev) / days
		prev = cur
	}
}

// repBand is a line's mean with its 95% confidence band, clipped to [lo, hi].
type repBand struct {
	mean, lo, hi []float64
	ok           bool // some value
	nonzero      bool // some value other than 0
	minN         int  // the fewest replications behind a value
}

// bandInto returns the mean of key with its 95% CI (Student t), clipped
// to the domain [dlo, dhi]; ok false when there is no such line. The
// band's three slices are taken from bufs (made anew when bufs is nil or
// holds none long enough); every element is written.
func (a *reportAcc) bandInto(key string, dlo, dhi float64, bufs *floatBufs) repBand {
	l, found := a.byKey[key]
	if !found {
		return repBand{}
	}
	n := len(l.mean)
	tq := map[int]float64{} // TQuantile is costly: once per count
	b := repBand{mean: bufs.get(n), lo: bufs.get(n), hi: bufs.get(n), minN: math.MaxInt}
	for i := range n {
		c, m := l.at(i)
		if c == 0 {
			b.mean[i], b.lo[i], b.hi[i] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		b.ok = true
		b.minN = min(b.minN, c)
		if m != 0 {
			b.nonzero = true
		}
		lo, hi := m, m
		if c >= 2 {
			q, ok := tq[c]
			if !ok {
				q = TQuantile(c - 1)
				tq[c] = q
			}
			h := q * math.Sqrt(l.m2[i]/float64(c-1)) / math.Sqrt(float64(c))
			lo, hi = m-h, m+h
		}
		b.mean[i] = m
		// The builtins differ from math.Min and math.Max only between a NaN
		// and an infinity of the other side (math.Max(NaN, +Inf) is +Inf,
		// max(NaN, +Inf) NaN); dlo is never +Inf nor dhi -Inf, and neither
		// is NaN, so they clip alike here, without a call.
		b.lo[i] = min(max(lo, dlo), dhi)
		b.hi[i] = max(min(hi, dhi), dlo)
	}
	return b
}

// floatBufs lends float64 slices for values that are dropped soon after
// (the full-length bands of a report's chart, which reduceChart copies
// out), so that one chart's are reused for the next instead of each
// line's being new memory.
type floatBufs struct {
	free [][]float64
}

// get returns a slice of length n, its elements unset; a nil *floatBufs
// makes a new one.
func (f *floatBufs) get(n int) []float64 {
	if f != nil {
		for i := len(f.free) - 1; i >= 0; i-- {
			if b := f.free[i]; cap(b) >= n {
				f.free[i] = f.free[len(f.free)-1]
				f.free = f.free[:len(f.free)-1]
				return b[:n]
			}
		}
	}
	return make([]float64, n)
}

// put hands back slices that nothing uses any more (nil ones are
// skipped; a nil *floatBufs keeps none).
func (f *floatBufs) put(bs ...[]float64) {
	if f == nil {
		return
	}
	for _, b := range bs {
		if b != nil {
			f.free = append(f.free, b)
		}
	}
}
