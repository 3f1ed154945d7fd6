package sim

import "math"

// medianSet keeps the median of the prices of a set of leases as leases
// come and go, so that a sample reads it in O(1) instead of selecting it
// from every active lease: the lower half of the values in a max-heap lo,
// the upper half in a min-heap hi, len(hi) - len(lo) in {0, 1}, every
// value in lo at most every value in hi. pos[lease] locates a lease's
// entry (i+1 in lo, -(i+1) in hi, 0 when absent). Its median is the one
// median() computes from the same values, to the bit.
type medianSet struct {
	lo, hi []medEntry
	pos    []int32 // by lease id
}

type medEntry struct {
	v     float64
	lease int32
}

func (m *medianSet) len() int { return len(m.lo) + len(m.hi) }

// median returns the median (the mean of the two middle values for an
// even count; NaN when empty).
func (m *medianSet) median() float64 {
	switch {
	case len(m.hi) == 0:
		return math.NaN()
	case len(m.hi) > len(m.lo):
		return m.hi[0].v
	}
	return (m.lo[0].v + m.hi[0].v) / 2
}

// reset empties the set.
func (m *medianSet) reset() {
	for _, e := range m.lo {
		m.pos[e.lease] = 0
	}
	for _, e := range m.hi {
		m.pos[e.lease] = 0
	}
	m.lo, m.hi = m.lo[:0], m.hi[:0]
}

// add inserts lease's value v.
func (m *medianSet) add(lease int32, v float64) {
	if int(lease) >= len(m.pos) {
		m.pos = append(m.pos, make([]int32, int(lease)+1-len(m.pos))...)
	}
	if len(m.hi) == 0 || v >= m.hi[0].v {
		m.push(true, medEntry{v, lease})
	} else {
		m.push(false, medEntry{v, lease})
	}
	m.balance()
}

// remove deletes lease's value (a lease not in the set is ignored).
func (m *medianSet) remove(lease int32) {
	if int(lease) >= len(m.pos) || m.pos[lease] == 0 {
		return
	}
	p := m.pos[lease]
	m.pos[lease] = 0
	if p > 0 {
		m.lo = m.cut(false, m.lo, int(p-1))
	} else {
		m.hi = m.cut(true, m.hi, int(-p-1))
	}
	m.balance()
}

// balance restores len(hi) - len(lo) in {0, 1}.
func (m *medianSet) balance() {
	for len(m.lo) > len(m.hi) {
		e := m.lo[0]
		m.lo = m.cut(false, m.lo, 0)
		m.push(true, e)
	}
	for len(m.hi) > len(m.lo)+1 {
		e := m.hi[0]
		m.hi = m.cut(true, m.hi, 0)
		m.push(false, e)
	}
}

// before reports whether a belongs above b in its heap: the min-heap hi
// (min) or the max-heap lo.
func before(min bool, a, b float64) bool {
	if min {
		return a < b
	}
	return a > b
}

// set places e at index i of heap h and records its position.
func (m *medianSet) set(min bool, h []medEntry, i int, e medEntry) {
	h[i] = e
	if min {
		m.pos[e.lease] = -int32(i + 1)
	} else {
		m.pos[e.lease] = int32(i + 1)
	}
}

// push adds e to hi (min) or lo.
func (m *medianSet) push(min bool, e medEntry) {
	if min {
		m.hi = append(m.hi, e)
		m.up(true, m.hi, len(m.hi)-1, e)
	} else {
		m.lo = append(m.lo, e)
		m.up(false, m.lo, len(m.lo)-1, e)
	}
}

// cut removes index i from heap h and returns the shortened heap.
func (m *medianSet) cut(min bool, h []medEntry, i int) []medEntry {
	last := len(h) - 1
	e := h[last]
	h = h[:last]
	if i < last {
		if i > 0 && before(min, e.v, h[(i-1)/2].v) {
			m.up(min, h, i, e)
		} else {
			m.down(min, h, i, e)
		}
	}
	return h
}

// up sifts e up from index i.
func (m *medianSet) up(min bool, h []medEntry, i int, e medEntry) {
	for i > 0 {
		p := (i - 1) / 2
		if !before(min, e.v, h[p].v) {
			break
		}
		m.set(min, h, i, h[p])
		i = p
	}
	m.set(min, h, i, e)
}

// down sifts e down from index i.
func (m *medianSet) down(min bool, h []medEntry, i int, e medEntry) {
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && before(min, h[c+1].v, h[c].v) {
			c++
		}
		if !before(min, h[c].v, e.v) {
			break
		}
		m.set(min, h, i, h[c])
		i = c
	}
	m.set(min, h, i, e)
}
