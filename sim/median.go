package sim

import "math"

// medianSet keeps the median of the prices of a set of leases as leases
// come and go, so that a sample reads it in O(1) instead of selecting it
// from every active lease: the lower half of the values in a max-heap lo,
// the upper half in a min-heap hi, len(hi) - len(lo) in {0, 1}, every
// value in lo at most every value in hi. lo holds its values negated, so
// that both halves are min-heaps sifted by the same code (negation is
// exact and reverses the order, so the heaps hold exactly what a max-heap
// of the values would). pos[lease] locates a lease's entry (i+1 in lo,
// -(i+1) in hi, 0 when absent). Its median is the one median() computes
// from the same values, to the bit.
type medianSet struct {
	lo, hi []medEntry
	pos    []int32 // by lease id
}

type medEntry struct {
	v     float64 // the value (negated in lo)
	lease int32
}

// The sides of a medianSet: the sign of a position in pos.
const (
	sideLo int32 = 1
	sideHi int32 = -1
)

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
	return (-m.lo[0].v + m.hi[0].v) / 2
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
		m.hi = m.push(sideHi, m.hi, medEntry{v, lease})
	} else {
		m.lo = m.push(sideLo, m.lo, medEntry{-v, lease})
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
		m.lo = m.cut(sideLo, m.lo, int(p-1))
	} else {
		m.hi = m.cut(sideHi, m.hi, int(-p-1))
	}
	m.balance()
}

// balance restores len(hi) - len(lo) in {0, 1}.
func (m *medianSet) balance() {
	for len(m.lo) > len(m.hi) {
		e := m.lo[0]
		m.lo = m.cut(sideLo, m.lo, 0)
		e.v = -e.v
		m.hi = m.push(sideHi, m.hi, e)
	}
	for len(m.hi) > len(m.lo)+1 {
		e := m.hi[0]
		m.hi = m.cut(sideHi, m.hi, 0)
		e.v = -e.v
		m.lo = m.push(sideLo, m.lo, e)
	}
}

// push adds e to the min-heap h of side s and returns it.
func (m *medianSet) push(s int32, h []medEntry, e medEntry) []medEntry {
	h = append(h, e)
	m.up(s, h, len(h)-1, e)
	return h
}

// cut removes index i from the min-heap h of side s and returns the
// shortened heap.
func (m *medianSet) cut(s int32, h []medEntry, i int) []medEntry {
	last := len(h) - 1
	e := h[last]
	h = h[:last]
	if i < last {
		if i > 0 && e.v < h[(i-1)/2].v {
			m.up(s, h, i, e)
		} else {
			m.down(s, h, i, e)
		}
	}
	return h
}

// up sifts e up from index i of the min-heap h of side s.
func (m *medianSet) up(s int32, h []medEntry, i int, e medEntry) {
	pos := m.pos
	for i > 0 {
		p := (i - 1) / 2
		if !(e.v < h[p].v) {
			break
		}
		h[i] = h[p]
		pos[h[i].lease] = s * int32(i+1)
		i = p
	}
	h[i] = e
	pos[e.lease] = s * int32(i+1)
}

// down sifts e down from index i of the min-heap h of side s.
func (m *medianSet) down(s int32, h []medEntry, i int, e medEntry) {
	pos := m.pos
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1].v < h[c].v {
			c++
		}
		if !(h[c].v < e.v) {
			break
		}
		h[i] = h[c]
		pos[h[i].lease] = s * int32(i+1)
		i = c
	}
	h[i] = e
	pos[e.lease] = s * int32(i+1)
}
