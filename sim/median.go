package sim

import (
	"math"
	"slices"
)

// medianSet keeps the median of the prices of a set of leases as leases
// come and go. A lease's value goes to one of three bags by its value
// alone: below a window [wlo, whi] of values around the median, inside
// it, or above it. The bags are unsorted lists of lease ids (a lease knows
// its bag and index; a remove swaps the last entry into its place), so
// most adds and removes are O(1). The window's values are also kept as
// sorted distinct values with counts (wv, wc), so a sample reads the
// median from them when both middle ranks fall in the window; when the
// median has drifted out of it, the sample rebuilds the window around the
// median (a selection over every value, O(n)). Between samples nothing
// depends on where the median is: the bags stay valid whatever the window.
// Its median is the one median() computes from the same values, to the
// bit.
type medianSet struct {
	tab      *medTable  // the leases' entries (nil until the first add: a table of its own)
	slot     int        // this set's entry of a lease in tab
	bags     [3][]int32 // lease ids below, in and above the window
	wlo, whi float64    // the window's values (the zero value: a window of zeros)
	wv       []float64  // the window's distinct values, ascending
	wc       []int32    // their counts
	n        int        // values in the set
	scratch  []float64  // a rebuild's selection buffer
	old      [3][]int32 // a rebuild's previous bags (their buffers reused)
}

// medTable holds the medianSets' entries of the leases, medSlots a lease
// by lease id: sets that share a table (the stats' sets) use distinct
// slots when a lease can be in both, so the table grows with the leases
// once rather than once per set.
type medTable struct {
	v []medVal
}

// medSlots is the number of entries a lease has in a medTable.
const medSlots = 2

// at returns set m's entry of lease l (the table holds it).
func (m *medianSet) at(l int32) *medVal { return &m.tab.v[int(l)*medSlots+m.slot] }

// medVal is a lease's value in a medianSet, its bag and index there, and
// whether it is in the set.
type medVal struct {
	v   float64
	idx int32
	bag int8
	in  bool
}

// The bags of a medianSet.
const (
	bagBelow  = 0
	bagWindow = 1
	bagAbove  = 2
)

// medWindowHalf is how many ranks a rebuilt window spans at least on
// each side of the middle ones (more when values tie at its ends); a set
// of n values gets 2 sqrt(n) if that is more (windowHalf): between two
// samples the median moves by about the square root of the leases that
// came and went, so in a large market a narrow window would be rebuilt
// at most samples, while an add into the window costs about its width
// and falls in it with a chance of about its width over n.
const medWindowHalf = 64

// windowHalf returns the window's half width in ranks for n values.
func windowHalf(n int) int {
	return max(medWindowHalf, 2*int(math.Sqrt(float64(n))))
}

func (m *medianSet) len() int { return m.n }

// bagOf returns the bag of value v for the current window.
func (m *medianSet) bagOf(v float64) int8 {
	switch {
	case v < m.wlo:
		return bagBelow
	case v > m.whi:
		return bagAbove
	}
	return bagWindow
}

// median returns the median (the mean of the two middle values for an
// even count; NaN when empty).
func (m *medianSet) median() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	k := m.n / 2 // the upper middle's rank
	first := k   // the lower middle's rank
	if m.n%2 == 0 {
		first = k - 1
	}
	below := len(m.bags[bagBelow])
	if first < below || k >= below+len(m.bags[bagWindow]) {
		m.rebuild()
		below = len(m.bags[bagBelow])
	}
	// walk the window's counts to the ranks first and k
	r := first - below
	i := 0
	for r >= int(m.wc[i]) {
		r -= int(m.wc[i])
		i++
	}
	lo := m.wv[i]
	if first == k {
		return lo
	}
	hi := lo
	if r+1 >= int(m.wc[i]) {
		hi = m.wv[i+1]
	}
	return (lo + hi) / 2
}

// rebuild moves the window to the values of ranks n/2-1-h to n/2+h, h =
// windowHalf(n) (all the values equal to those too), and re-bags every
// lease.
func (m *medianSet) rebuild() {
	xs := m.scratch[:0]
	for b := range m.bags {
		for _, l := range m.bags[b] {
			xs = append(xs, m.at(l).v)
		}
	}
	m.scratch = xs
	n := len(xs)
	half := windowHalf(n)
	m.wlo = nth(xs, max(n/2-1-half, 0))
	m.whi = nth(xs, min(n/2+half, n-1))
	m.wv, m.wc = m.wv[:0], m.wc[:0]
	m.old, m.bags = m.bags, m.old
	for b := range m.bags {
		m.bags[b] = m.bags[b][:0]
	}
	for b := range m.old {
		for _, l := range m.old[b] {
			m.place(l, m.at(l).v)
		}
	}
}

// place puts lease l of value v in its bag.
func (m *medianSet) place(l int32, v float64) {
	b := m.bagOf(v)
	*m.at(l) = medVal{v: v, idx: int32(len(m.bags[b])), bag: b, in: true}
	m.bags[b] = append(m.bags[b], l)
	if b == bagWindow {
		i, found := slices.BinarySearch(m.wv, v)
		if found {
			m.wc[i]++
		} else {
			m.wv = slices.Insert(m.wv, i, v)
			m.wc = slices.Insert(m.wc, i, 1)
		}
	}
}

// reset empties the set.
func (m *medianSet) reset() {
	for b := range m.bags {
		for _, l := range m.bags[b] {
			m.at(l).in = false
		}
		m.bags[b] = m.bags[b][:0]
	}
	m.wv, m.wc, m.n = m.wv[:0], m.wc[:0], 0
}

// add inserts lease's value v.
func (m *medianSet) add(lease int32, v float64) {
	if m.tab == nil {
		m.tab = new(medTable)
	}
	if n := (int(lease) + 1) * medSlots; n > len(m.tab.v) {
		m.tab.v = append(m.tab.v, make([]medVal, n-len(m.tab.v))...)
	}
	m.n++
	m.place(lease, v)
}

// remove deletes lease's value (a lease not in the set is ignored).
func (m *medianSet) remove(lease int32) {
	if m.tab == nil || (int(lease)+1)*medSlots > len(m.tab.v) || !m.at(lease).in {
		return
	}
	e := *m.at(lease)
	m.at(lease).in = false
	m.n--
	bag := m.bags[e.bag]
	last := bag[len(bag)-1]
	bag[e.idx] = last
	m.at(last).idx = e.idx
	m.bags[e.bag] = bag[:len(bag)-1]
	if e.bag == bagWindow {
		i, _ := slices.BinarySearch(m.wv, e.v)
		if m.wc[i]--; m.wc[i] == 0 {
			m.wv = slices.Delete(m.wv, i, i+1)
			m.wc = slices.Delete(m.wc, i, i+1)
		}
	}
}
