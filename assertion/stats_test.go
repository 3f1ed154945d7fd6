package assertion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/depinsim/depinsim/sim"
)

var (
	nan    = math.NaN()
	posInf = math.Inf(1)
)

// point is one finite sample of a series.
type point struct {
	t sim.Time
	v float64
}

// statOf is statistic a.stat over pts (finite samples in time order),
// the last one holding until end, as a Collector streams it.
func statOf(a *Assertion, pts []point, end sim.Time) float64 {
	var c acc
	for _, p := range pts {
		c.add(a, p.t, p.v)
	}
	return c.value(a, end)
}

// series is a random series: sample times at whole hours with random
// gaps, values with ties and some NaNs.
func series(rng *rand.Rand) (ts []sim.Time, vs []float64) {
	n := 1 + rng.IntN(40)
	t := sim.Time(rng.IntN(5)) * sim.Hour
	for range n {
		ts = append(ts, t)
		v := math.Round(rng.NormFloat64()*100) / 10
		if rng.IntN(8) == 0 {
			v = nan
		}
		vs = append(vs, v)
		t += sim.Time(1+rng.IntN(6)) * sim.Hour
	}
	return ts, vs
}

// The brute-force references: the step function is evaluated hour by
// hour (the sample times are whole hours).

func refHeld(pts []point, end sim.Time) (held []float64) {
	for u := pts[0].t; u < end; u += sim.Hour {
		k := 0
		for j := range pts {
			if pts[j].t <= u {
				k = j
			}
		}
		held = append(held, pts[k].v)
	}
	return held
}

func refTWMean(pts []point, end sim.Time) float64 {
	held := refHeld(pts, end)
	if len(held) == 0 {
		return refMean(pts)
	}
	s := 0.0
	for _, v := range held {
		s += v
	}
	return s / float64(len(held))
}

func refShare(pts []point, end sim.Time, in func(float64) bool) float64 {
	held := refHeld(pts, end)
	if len(held) == 0 {
		for _, p := range pts {
			held = append(held, p.v)
		}
	}
	k := 0
	for _, v := range held {
		if in(v) {
			k++
		}
	}
	return float64(k) / float64(len(held))
}

func refMean(pts []point) float64 {
	s := 0.0
	for _, p := range pts {
		s += p.v
	}
	return s / float64(len(pts))
}

func refPercentile(pts []point, q float64) float64 {
	var xs []float64
	for _, p := range pts {
		xs = append(xs, p.v)
	}
	// selection by counting: the k-th smallest value
	kth := func(k int) float64 {
		for _, x := range xs {
			below, equal := 0, 0
			for _, y := range xs {
				if y < x {
					below++
				} else if y == x {
					equal++
				}
			}
			if below <= k && k < below+equal {
				return x
			}
		}
		panic("kth")
	}
	h := q / 100 * float64(len(xs)-1)
	lo, hi := math.Floor(h), math.Ceil(h)
	return kth(int(lo)) + (h-lo)*(kth(int(hi))-kth(int(lo)))
}

func refSlope(pts []point) float64 {
	n := float64(len(pts))
	var sx, sy, sxy, sxx float64
	for _, p := range pts {
		x := p.t.Days()
		sx += x
		sy += p.v
		sxy += x * p.v
		sxx += x * x
	}
	d := n*sxx - sx*sx
	if math.Abs(d) < 1e-12 {
		return nan
	}
	return (n*sxy - sx*sy) / d
}

func refStat(stat string, pts []point, end sim.Time, level float64) float64 {
	if len(pts) == 0 {
		return nan
	}
	vals := make([]float64, len(pts))
	for i, p := range pts {
		vals[i] = p.v
	}
	switch stat {
	case "mean":
		return refMean(pts)
	case "twmean":
		return refTWMean(pts, end)
	case "min":
		return slices.Min(vals)
	case "max":
		return slices.Max(vals)
	case "first":
		return vals[0]
	case "final":
		return vals[len(vals)-1]
	case "change":
		return vals[len(vals)-1] - vals[0]
	case "slope":
		return refSlope(pts)
	case "share_above":
		return refShare(pts, end, func(v float64) bool { return v > level })
	case "share_below":
		return refShare(pts, end, func(v float64) bool { return v < level })
	}
	var q float64
	fmt.Sscanf(stat, "p%g", &q)
	return refPercentile(pts, q)
}

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestStatisticsAgainstReference feeds random series through a Collector
// (one Sample value reused for every sample, as the simulator does,
// asking for the values once midway) and compares each statistic over a
// random window with the references.
func TestStatisticsAgainstReference(t *testing.T) {
	statsList := []string{"mean", "twmean", "min", "max", "first", "final", "change", "p0", "p25", "p50", "p95", "p99.9", "p100", "slope", "share_above", "share_below"}
	checked := 0
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		ts, vs := series(rng)
		horizon := ts[len(ts)-1] + sim.Time(rng.IntN(3))*sim.Hour
		var from, to string
		if rng.IntN(2) == 0 {
			from = fmt.Sprintf("%dh", rng.IntN(int(horizon/sim.Hour)+1))
		}
		if rng.IntN(2) == 0 {
			to = fmt.Sprintf("%dh", int(horizon/sim.Hour)+1-rng.IntN(int(horizon/sim.Hour)+1))
		}
		level := math.Round(rng.NormFloat64()*50) / 10
		var specs []Spec
		for _, st := range statsList {
			s := Spec{Name: st, Metric: "cpu_utilization", Stat: st, From: from, To: to, Min: fp(-1), Max: fp(1)}
			if st == "share_above" || st == "share_below" {
				s.Level = fp(level)
			}
			specs = append(specs, s)
		}
		as, err := Compile(specs, Context{Horizon: horizon})
		if err != nil {
			if e, ok := err.(*Error); ok && e.Key == "assert[0].to" {
				continue // from >= to
			}
			t.Fatalf("seed %d: %v", seed, err)
		}
		checked++
		c := NewCollector(as)
		c.SetHorizon(horizon)
		s := &sim.Sample{Values: make([]float64, sim.NumMetrics)}
		for i := range ts {
			s.T = ts[i]
			s.Values[sim.MCPUUtilization] = vs[i]
			s.Values[sim.MGPUUtilization] = 1e9 // another metric: ignored
			c.Record(s)
			if i == len(ts)/2 {
				c.Values() // midway: changes nothing that follows
			}
		}
		s.Values[sim.MCPUUtilization] = 12345 // the collector kept copies
		got := c.Values()
		a := as[0]
		var pts []point
		for i := range ts {
			if ts[i] >= a.from && ts[i] <= a.to && !math.IsNaN(vs[i]) {
				pts = append(pts, point{ts[i], vs[i]})
			}
		}
		end := min(a.to, horizon)
		for k, st := range statsList {
			want := refStat(st, pts, end, level)
			if !near(got[k], want) {
				t.Fatalf("seed %d, %s over %q..%q (%d points): got %v, want %v", seed, st, from, to, len(pts), got[k], want)
			}
		}
	}
	if checked < 200 {
		t.Fatalf("only %d of 300 series checked", checked)
	}
}

// TestStatisticsProperties checks relations between the statistics on
// random series.
func TestStatisticsProperties(t *testing.T) {
	for seed := uint64(1); seed <= 500; seed++ {
		rng := rand.New(rand.NewPCG(seed, 12))
		ts, vs := series(rng)
		var pts []point
		for i := range ts {
			if !math.IsNaN(vs[i]) {
				pts = append(pts, point{ts[i], vs[i]})
			}
		}
		if len(pts) == 0 {
			continue
		}
		end := pts[len(pts)-1].t + sim.Time(rng.IntN(4))*sim.Hour
		st := func(stat int, pct, level float64) float64 {
			return statOf(&Assertion{stat: stat, pct: pct, level: level}, pts, end)
		}
		lo, hi := st(stMin, 0, 0), st(stMax, 0, 0)
		for _, q := range []float64{0, 1, 50, 99.9, 100, rng.Float64() * 100} {
			if p := st(stPercentile, q, 0); p < lo || p > hi {
				t.Fatalf("seed %d: p%g = %v outside [%v, %v]", seed, q, p, lo, hi)
			}
		}
		if st(stPercentile, 0, 0) != lo || st(stPercentile, 100, 0) != hi {
			t.Fatalf("seed %d: p0, p100 are not min, max", seed)
		}
		for _, m := range []float64{st(stMean, 0, 0), st(stTWMean, 0, 0)} {
			if m < lo-1e-9 || m > hi+1e-9 {
				t.Fatalf("seed %d: mean %v outside [%v, %v]", seed, m, lo, hi)
			}
		}
		level := pts[rng.IntN(len(pts))].v
		above, below := st(stShareAbove, 0, level), st(stShareBelow, 0, level)
		if above < 0 || below < 0 || above+below > 1+1e-12 {
			t.Fatalf("seed %d: share_above %v + share_below %v at %v", seed, above, below, level)
		}
		if c := st(stChange, 0, 0); c != st(stFinal, 0, 0)-st(stFirst, 0, 0) {
			t.Fatalf("seed %d: change %v", seed, c)
		}
		// a constant series: mean and twmean are exactly the constant
		cst := slices.Clone(pts)
		for i := range cst {
			cst[i].v = pts[0].v
		}
		for _, stat := range []int{stMean, stTWMean} {
			if m := statOf(&Assertion{stat: stat}, cst, end); m != pts[0].v {
				t.Fatalf("seed %d: %s of a constant %v is %v", seed, stats[stat].Name, pts[0].v, m)
			}
		}
		// regular samples, the last interval as long as the others:
		// twmean is the mean
		step := sim.Time(1+rng.IntN(24)) * sim.Hour
		reg := slices.Clone(pts)
		for i := range reg {
			reg[i].t = sim.Time(i) * step
		}
		a := &Assertion{stat: stTWMean}
		if tw, m := statOf(a, reg, sim.Time(len(reg))*step), refMean(reg); !near(tw, m) {
			t.Fatalf("seed %d: twmean %v != mean %v on regular samples", seed, tw, m)
		}
	}
}

func TestSlopeOfALine(t *testing.T) {
	var pts []point
	for d := range 10 {
		pts = append(pts, point{sim.Time(d) * sim.Day, 3 + 0.25*float64(d)})
	}
	a := &Assertion{stat: stSlope}
	if got := statOf(a, pts, pts[9].t); !near(got, 0.25) {
		t.Errorf("slope %v, want 0.25 per day", got)
	}
	if got := statOf(a, pts[:1], pts[0].t); !math.IsNaN(got) {
		t.Errorf("slope of one sample %v, want NaN", got)
	}
}
