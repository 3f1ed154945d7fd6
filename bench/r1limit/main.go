package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"time"
)

// R1's constants (docs/bench/r1.md §1) at scale 1.
const (
	baseProviders = 1000  // N
	unitsPer      = 8     // U, GPU units per provider
	baseRate      = 100.0 // λ, orders an hour
	meanLease     = 24.0  // mean lease duration, hours
	maxRetries    = 24    // retries after the arrival's attempt (25 attempts)
	retryGap      = 1.0   // hours between attempts
	// maxHourScale bounds hours x scale so that fewer than 2^32 events are
	// scheduled (R1 schedules about 940 an hour at scale 1).
	maxHourScale = 4_000_000
)

// splitMix64 is R1's random stream (§2).
type splitMix64 struct{ s uint64 }

func (r *splitMix64) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// unif returns a double in [0, 1).
func (r *splitMix64) unif() float64 { return float64(r.next()>>11) * 0x1p-53 }

// expo returns an exponential draw of the given mean.
func (r *splitMix64) expo(mean float64) float64 { return -math.Log(1.0-r.unif()) * mean }

// Event kinds, in the top bits of event.data.
const (
	kindArrival uint32 = iota
	kindAttempt
	kindLeaseEnd
	kindSample
	kindShift = 28
	slotMask  = 1<<kindShift - 1
)

// event is one pending event: its time, a sequence number that breaks
// ties in scheduling (FIFO) order, and kind<<28 | order slot.
type event struct {
	t    float64
	seq  uint32 // wraps after 2^32 events: R1 has fewer (check refuses longer runs)
	data uint32
}

func before(a, b *event) bool { return a.t < b.t || (a.t == b.t && a.seq < b.seq) }

// queue is a 4-ary min-heap of events by (t, seq).
type queue struct {
	a   []event
	seq uint32
}

func (q *queue) push(t float64, kind, slot uint32) {
	e := event{t: t, seq: q.seq, data: kind<<kindShift | slot}
	q.seq++
	q.a = append(q.a, e)
	a := q.a
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if !before(&e, &a[p]) {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = e
}

func (q *queue) pop() event {
	a := q.a
	top := a[0]
	n := len(a) - 1
	last := a[n]
	a = a[:n]
	q.a = a
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if before(&a[j], &a[m]) {
				m = j
			}
		}
		if !before(&a[m], &last) {
			break
		}
		a[i] = a[m]
		i = m
	}
	a[i] = last
	return top
}

// order is one order's state, kept in a reusable slot.
type order struct {
	d     float64 // lease duration, hours
	m     float64 // maximum price, $ per unit-hour
	k     int32   // units
	tries int32   // retries done
	prov  int32   // the provider of its lease, or -1
}

// market holds the providers and the auction's index.
type market struct {
	index  bool
	free   []int32   // free units per provider id
	price  []float64 // bid per provider id, $ per unit-hour
	rank   []int32   // provider id -> position in (price, id) order
	byRank []int32   // position -> provider id
	leaves int       // segment tree leaves: a power of two >= providers
	seg    []int32   // segment tree of the largest free units; root at 1
}

func newMarket(price []float64, index bool) *market {
	n := len(price)
	mk := &market{index: index, price: price, free: make([]int32, n), rank: make([]int32, n), byRank: make([]int32, n)}
	for i := range mk.free {
		mk.free[i] = unitsPer
		mk.byRank[i] = int32(i)
	}
	sort.Slice(mk.byRank, func(a, b int) bool {
		pa, pb := price[mk.byRank[a]], price[mk.byRank[b]]
		return pa < pb || (pa == pb && mk.byRank[a] < mk.byRank[b])
	})
	for pos, p := range mk.byRank {
		mk.rank[p] = int32(pos)
	}
	mk.leaves = 1
	for mk.leaves < n {
		mk.leaves <<= 1
	}
	mk.seg = make([]int32, 2*mk.leaves)
	for pos := 0; pos < n; pos++ {
		mk.seg[mk.leaves+pos] = unitsPer
	}
	for i := mk.leaves - 1; i >= 1; i-- {
		mk.seg[i] = max(mk.seg[2*i], mk.seg[2*i+1])
	}
	return mk
}

// winner returns the provider that wins an order of k units at maximum
// price maxP, or -1 when no provider bids.
func (mk *market) winner(k int32, maxP float64) int32 {
	if mk.index {
		seg := mk.seg
		if seg[1] < k {
			return -1
		}
		i := 1
		for i < mk.leaves {
			i <<= 1
			if seg[i] < k {
				i++
			}
		}
		p := mk.byRank[i-mk.leaves]
		if mk.price[p] <= maxP {
			return p
		}
		return -1
	}
	best, bestP := int32(-1), math.Inf(1)
	for i, f := range mk.free {
		if f >= k && mk.price[i] <= maxP && mk.price[i] < bestP {
			best, bestP = int32(i), mk.price[i]
		}
	}
	return best
}

// add changes provider p's free units by dk.
func (mk *market) add(p, dk int32) {
	v := mk.free[p] + dk
	mk.free[p] = v
	if !mk.index {
		return
	}
	seg := mk.seg
	i := int(mk.rank[p]) + mk.leaves
	seg[i] = v
	for i > 1 {
		i >>= 1
		m := max(seg[2*i], seg[2*i+1])
		if seg[i] == m {
			break
		}
		seg[i] = m
	}
}

// result is R1's outputs (§3).
type result struct {
	Orders, Leases, Unserved, Attempts, LeaseEnds, Samples, EngineEvents int64
	PriceSum, BusySum                                                    float64
	Providers                                                            int
}

// Pending is the orders still waiting at the horizon.
func (r result) Pending() int64 { return r.Orders - r.Leases - r.Unserved }

// Events is R1's event count: attempts + lease ends + samples.
func (r result) Events() int64 { return r.Attempts + r.LeaseEnds + r.Samples }

// MeanPrice is the mean winning bid over the leases started (NaN if none).
func (r result) MeanPrice() float64 {
	if r.Leases == 0 {
		return math.NaN()
	}
	return r.PriceSum / float64(r.Leases)
}

// Util is the mean of the busy-unit samples over the total units.
func (r result) Util() float64 {
	return r.BusySum / (float64(r.Samples) * float64(r.Providers*unitsPer))
}

// run simulates R1 scaled by scale for the given seed and horizon (hours).
func run(seed uint64, horizon float64, index bool, scale int) result {
	rng := splitMix64{s: seed}
	n := baseProviders * scale
	rate := baseRate * float64(scale)
	price := make([]float64, n)
	for i := range price {
		c := 0.5 + rng.unif()
		price[i] = 1.2 * c
	}
	mk := newMarket(price, index)
	res := result{Providers: n}
	q := &queue{a: make([]event, 0, 1<<14)}
	orders := make([]order, 0, 1<<14)
	var spare []uint32
	busy := int64(0)

	q.push(0, kindSample, 0)
	q.push(0+rng.expo(1)/rate, kindArrival, 0)

	attempt := func(now float64, slot uint32) {
		o := &orders[slot]
		res.Attempts++
		if w := mk.winner(o.k, o.m); w >= 0 {
			mk.add(w, -o.k)
			busy += int64(o.k)
			res.Leases++
			res.PriceSum += price[w]
			o.prov = w
			q.push(now+o.d, kindLeaseEnd, slot)
			return
		}
		if o.tries == maxRetries {
			res.Unserved++
			spare = append(spare, slot)
			return
		}
		o.tries++
		q.push(now+retryGap, kindAttempt, slot)
	}

	for len(q.a) > 0 && q.a[0].t < horizon {
		e := q.pop()
		now := e.t
		slot := e.data & slotMask
		switch e.data >> kindShift {
		case kindArrival:
			k := int32(1 + rng.next()>>61)
			d := rng.expo(meanLease)
			m := 1.0 + rng.unif()
			var s uint32
			if len(spare) > 0 {
				s = spare[len(spare)-1]
				spare = spare[:len(spare)-1]
			} else {
				s = uint32(len(orders))
				orders = append(orders, order{})
			}
			orders[s] = order{d: d, m: m, k: k, prov: -1}
			res.Orders++
			attempt(now, s)
			q.push(now+rng.expo(1)/rate, kindArrival, 0)
		case kindAttempt:
			attempt(now, slot)
		case kindLeaseEnd:
			o := &orders[slot]
			mk.add(o.prov, o.k)
			busy -= int64(o.k)
			res.LeaseEnds++
			spare = append(spare, slot)
		case kindSample:
			res.Samples++
			res.BusySum += float64(busy)
			q.push(now+1.0, kindSample, 0)
		}
	}
	res.EngineEvents = int64(q.seq)
	return res
}

func fmtF(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// writeJSON prints the result as one line of JSON (§3's keys first).
func writeJSON(w io.Writer, r result, auction string, seed uint64, horizon float64, scale int, seconds float64) {
	fmt.Fprintf(w, `{"impl":"r1limit","auction":%q,"seed":%d,"horizon":%g,"scale":%d,"providers":%d,`+
		`"orders":%d,"leases":%d,"unserved":%d,"pending":%d,"attempts":%d,"lease_ends":%d,"samples":%d,"events":%d,`+
		`"mean_price":%s,"util":%s,"engine_events":%d,"inner_seconds":%.3f}`+"\n",
		auction, seed, horizon, scale, r.Providers,
		r.Orders, r.Leases, r.Unserved, r.Pending(), r.Attempts, r.LeaseEnds, r.Samples, r.Events(),
		fmtF(r.MeanPrice()), fmtF(r.Util()), r.EngineEvents, seconds)
}

func main() {
	fs := flag.NewFlagSet("r1limit", flag.ContinueOnError)
	seed := fs.Uint64("seed", 1, "SplitMix64 seed (docs/bench/r1.md §2)")
	hours := fs.Float64("hours", 8760, "horizon T in simulated hours")
	auction := fs.String("auction", "index", "auction of §5: index or scan")
	scale := fs.Int("scale", 1, "multiply providers (1,000) and arrivals (100 an hour) by this")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if err := check(*auction, *hours, *scale, fs.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "r1limit:", err)
		os.Exit(2)
	}
	t0 := time.Now()
	r := run(*seed, *hours, *auction == "index", *scale)
	writeJSON(os.Stdout, r, *auction, *seed, *hours, *scale, time.Since(t0).Seconds())
}

// check validates the flags.
func check(auction string, hours float64, scale int, rest []string) error {
	switch {
	case auction != "index" && auction != "scan":
		return fmt.Errorf("-auction %q: allowed are index and scan", auction)
	case !(hours > 0) || math.IsInf(hours, 0):
		return fmt.Errorf("-hours %v: must be a positive number of hours", hours)
	case scale < 1 || scale > 1<<16:
		return fmt.Errorf("-scale %d: must be an integer from 1 to 65536", scale)
	case hours*float64(scale) > maxHourScale:
		return fmt.Errorf("-hours %v x -scale %d: at most %d provider-scaled hours (the event sequence number is 32 bits)", hours, scale, maxHourScale)
	case len(rest) > 0:
		return fmt.Errorf("unexpected argument %q (flags only)", rest[0])
	}
	return nil
}
