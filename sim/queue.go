package sim

import (
	"cmp"
	"fmt"
	"slices"
	"unsafe"
)

// Phase orders events that happen at the same instant. At one instant the
// phases run in this fixed order; within a phase, events run in the order
// they were scheduled (FIFO).
type Phase uint8

// The phases of one instant, in the order they run.
const (
	// PhaseArrival: tenant deployments arrive, providers enter the market.
	PhaseArrival Phase = iota
	// PhaseDecision: agents decide: providers scan open orders and bid,
	// tenants retry or give up, providers review profitability.
	PhaseDecision
	// PhaseClearing: the market mechanism clears orders whose selection
	// window has ended; winners get leases.
	PhaseClearing
	// PhaseSettlement: money moves: escrow top-ups, provider withdrawals,
	// escrow running dry, lease ends, bid timeouts release reservations.
	PhaseSettlement
	// PhaseTokenomics: the tokenomics epoch (supply, staking, price).
	PhaseTokenomics
	// PhaseSample: the recorder samples the state left by all of the above.
	PhaseSample
	numPhases
)

var phaseNames = [...]string{"arrival", "decision", "clearing", "settlement", "tokenomics", "sample"}

// String returns the phase name.
func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "phase?"
}

// Event is one scheduled occurrence. Kind says what it is (the world's
// event kinds); A and B are small integer payloads (object indices).
type Event struct {
	At    Time
	Phase Phase
	Kind  uint8
	A, B  int32
	C     int32 // a third object the event will read, for prefetching (a lease end's lease); it fits in the padding of the others
}

// Handle identifies a scheduled event so it can be cancelled. The zero
// Handle refers to no event.
type Handle struct {
	slot int32 // slot index + 1; 0 means none
	gen  uint32
}

// Valid reports whether h refers to an event that was scheduled (it may
// since have run or been cancelled).
func (h Handle) Valid() bool { return h.slot != 0 }

type slot struct {
	ev   Event
	gen  uint32
	live bool // scheduled and not cancelled
}

// entry is a queued event's place in the order: its time and key =
// phase<<61 | sequence<<28 | slot. The sequence numbers events in the
// order they were scheduled and is unique among the queued ones, so keys
// order events of one instant by phase, then scheduling order, and the
// slot in the low bits never decides; packing it there makes an entry 16
// bytes, so that a heap node's four children take about one cache line
// instead of two.
type entry struct {
	at  Time
	key uint64
}

// The fields of entry.key.
const (
	slotBits   = 28                 // a slot index: up to maxPending events queued at once
	seqBits    = 64 - 3 - slotBits  // a sequence number; renumbered before it overflows (renumber)
	phaseShift = seqBits + slotBits // the phase, in the top 3 bits
	// maxPending is the most events the queue holds at once (scheduled
	// and cancelled ones not yet dropped): 268,435,456, some 13 GB of
	// queue alone, beyond what the memory estimate accepts on a machine
	// of less than about 40 GiB (docs/limits.md).
	maxPending = 1 << slotBits
)

// slot returns the index of the entry's slot.
func (en *entry) slot() int32 { return int32(en.key & (maxPending - 1)) }

func (a *entry) less(b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.key < b.key)
}

// Queue is the event queue: a 4-ary min-heap ordered by (time, phase,
// sequence), so no two events ever compare equal. Cancellation is lazy: a
// cancelled event stays in the heap, marked dead, until it reaches the
// top, where it is dropped without running; its storage slot is reused
// only then, so a stale Handle can never cancel a newer event (slots also
// carry a generation). Storage is recycled, so a steady-state run
// schedules events without allocating.
//
// Lanes make the common case cheaper: an event scheduled with ScheduleIn
// goes to a FIFO lane when it sorts after the lane's last event (always
// true for events scheduled a constant delay ahead, such as retries every
// hour), which costs O(1) instead of O(log n); otherwise it goes to the
// heap. Pop takes the smallest of the heap's top and the lanes' heads, so
// the order is exactly the same as with the heap alone.
type Queue struct {
	heap    []entry
	lanes   []lane
	minLane int // index of the lane with the smallest head, -1 if all empty
	slots   []slot
	free    []int32
	seq     uint64
	live    int
	// ahead is, when aheadOK, an event due soon after the one PopBefore
	// last returned: the event laneEventAhead places behind it in its
	// lane, or the heap's new top: the world starts loading what that
	// event will read, so that the memory is in cache when it runs (see
	// World.Step)
	ahead   Event
	aheadOK bool
}

// Lookahead distances in a lane. When an event is popped from a lane,
// the slot of the event laneSlotAhead places behind it is prefetched, and
// the event laneEventAhead places behind it (whose slot was prefetched a
// few events earlier) is handed to the world in Queue.ahead. The events of
// a lane run in order and, at large scales, their slots and objects lie
// scattered in memory far larger than the caches: without this, each
// event would wait for them one after another; with it, they load while
// the events before them run.
//
// Below prefetchSlots slots (512 KiB) the queue's slots and the objects
// of its events mostly stay in cache, and the queue prefetches nothing.
const (
	laneSlotAhead  = 16
	laneEventAhead = 8
	prefetchSlots  = 1 << 14
)

// lane is a FIFO of entries in increasing (time, key) order.
type lane struct {
	buf  []entry
	head int
}

func (l *lane) empty() bool { return l.head == len(l.buf) }

// Len returns the number of scheduled (not cancelled) events.
func (q *Queue) Len() int { return q.live }

// Schedule adds e and returns a handle for cancelling it.
func (q *Queue) Schedule(e Event) Handle { return q.ScheduleIn(-1, e) }

// SetLanes sets the number of FIFO lanes (see Queue); call it before
// scheduling into them.
func (q *Queue) SetLanes(n int) {
	q.lanes = make([]lane, n)
	q.minLane = -1
}

// ScheduleIn adds e, in lane ln when it sorts after that lane's last event
// (ln < 0: the heap), and returns a handle for cancelling it. It copies e
// into its slot field by field: e arrives in registers, and a copy of the
// whole struct would store it to the stack and load it back in 16 bytes
// at a time, which cannot be forwarded from those stores and stalls.
func (q *Queue) ScheduleIn(ln int, e Event) Handle {
	if e.Phase >= numPhases {
		panic("sim: event phase out of range")
	}
	s := alloc(&q.slots, &q.free)
	if s >= maxPending {
		panic(fmt.Sprintf("sim: more than %d events queued at once, the event queue's limit (docs/limits.md)", maxPending))
	}
	q.seq++
	if q.seq >= 1<<seqBits {
		q.renumber()
	}
	sl := &q.slots[s]
	sl.ev.At, sl.ev.Phase, sl.ev.Kind, sl.ev.A, sl.ev.B, sl.ev.C = e.At, e.Phase, e.Kind, e.A, e.B, e.C
	sl.gen++
	sl.live = true
	q.live++
	en := entry{at: e.At, key: uint64(e.Phase)<<phaseShift | q.seq<<slotBits | uint64(s)}
	if ln >= 0 {
		l := &q.lanes[ln]
		if l.empty() || l.buf[len(l.buf)-1].less(&en) {
			if l.head > 0 && l.head == len(l.buf) {
				l.buf, l.head = l.buf[:0], 0
			}
			wasEmpty := l.empty()
			l.buf = append(l.buf, en)
			if wasEmpty && (q.minLane < 0 || en.less(q.laneHead(q.minLane))) {
				q.minLane = ln
			}
			return Handle{slot: s + 1, gen: sl.gen}
		}
	}
	q.heap = append(q.heap, en)
	q.up(len(q.heap) - 1)
	return Handle{slot: s + 1, gen: sl.gen}
}

// Cancel removes the event h refers to. It reports false if that event
// already ran or was cancelled.
func (q *Queue) Cancel(h Handle) bool {
	if !q.Scheduled(h) {
		return false
	}
	q.slots[h.slot-1].live = false
	q.live--
	return true
}

// Scheduled reports whether the event h refers to is still to run.
func (q *Queue) Scheduled(h Handle) bool {
	if h.slot == 0 {
		return false
	}
	sl := &q.slots[h.slot-1]
	return sl.gen == h.gen && sl.live
}

func (q *Queue) laneHead(ln int) *entry {
	l := &q.lanes[ln]
	return &l.buf[l.head]
}

// next returns the smallest live entry (dropping cancelled ones on the
// way) and whether it is a lane head (fromLane) rather than the heap top.
func (q *Queue) next() (en *entry, fromLane bool) {
	for {
		var top *entry
		if len(q.heap) > 0 {
			top = &q.heap[0]
		}
		lane := len(q.lanes) > 0 && q.minLane >= 0 && (top == nil || q.laneHead(q.minLane).less(top))
		if lane {
			top = q.laneHead(q.minLane)
		}
		if top == nil {
			return nil, false
		}
		if q.slots[top.slot()].live {
			return top, lane
		}
		if lane {
			q.popLane()
		} else {
			q.removeTop()
		}
	}
}

// popLane removes the head of the smallest lane and frees its slot.
func (q *Queue) popLane() {
	l := &q.lanes[q.minLane]
	q.free = append(q.free, l.buf[l.head].slot())
	l.head++
	switch {
	case l.empty():
		l.buf, l.head = l.buf[:0], 0
	case l.head >= 1024 && 2*l.head >= len(l.buf):
		// drop the consumed prefix so the buffer does not grow forever
		n := copy(l.buf, l.buf[l.head:])
		l.buf, l.head = l.buf[:n], 0
	}
	q.minLane = -1
	for i := range q.lanes {
		if !q.lanes[i].empty() && (q.minLane < 0 || q.laneHead(i).less(q.laneHead(q.minLane))) {
			q.minLane = i
		}
	}
}

// PeekTime returns the time of the next event, or Never when empty.
func (q *Queue) PeekTime() Time {
	en, _ := q.next()
	if en == nil {
		return Never
	}
	return en.at
}

// Pop removes and returns the next event. ok is false when the queue is empty.
func (q *Queue) Pop() (e Event, ok bool) { return q.PopBefore(Never) }

// PopBefore removes and returns the next event if it is due before t. ok
// is false when the queue is empty or its next event is at or after t
// (which stays scheduled). It finds the next event once where PeekTime
// followed by Pop would find it twice.
func (q *Queue) PopBefore(t Time) (e Event, ok bool) {
	en, lane := q.next()
	if en == nil || en.at >= t {
		return Event{}, false
	}
	s := en.slot()
	e = q.slots[s].ev
	q.slots[s].live = false
	q.live--
	q.aheadOK = false
	if lane {
		l := &q.lanes[q.minLane]
		if i := l.head + laneEventAhead; i < len(l.buf) && len(q.slots) >= prefetchSlots {
			q.ahead, q.aheadOK = q.slots[l.buf[i].slot()].ev, true
			if j := l.head + laneSlotAhead; j < len(l.buf) {
				prefetch(unsafe.Pointer(&q.slots[l.buf[j].slot()]))
			}
		}
		q.popLane()
	} else {
		q.removeTop()
		// the new top is likely the next event: its slot was prefetched
		// as a child of the top one pop ago; hand it to the world and
		// prefetch the slots of its children, one of which is likely the
		// next top but one
		if h := q.heap; len(h) > 0 && len(q.slots) >= prefetchSlots {
			q.ahead, q.aheadOK = q.slots[h[0].slot()].ev, true
			for i := 1; i < min(5, len(h)); i++ {
				prefetch(unsafe.Pointer(&q.slots[h[i].slot()]))
			}
		}
	}
	return e, true
}

// removeTop removes the heap's top entry and frees its slot. It moves the
// hole at the top down to a leaf along the smallest children, then sifts
// the last entry up from there (Floyd's bottom-up deletion): the last
// entry usually belongs near the bottom, so this saves a comparison per
// level over the textbook sift-down.
func (q *Queue) removeTop() {
	q.free = append(q.free, q.heap[0].slot())
	h := q.heap
	last := len(h) - 1
	x := h[last]
	h = h[:last]
	q.heap = h
	if last == 0 {
		return
	}
	n := last
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if h[j].less(&h[m]) {
				m = j
			}
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
	q.up(i)
}

func (q *Queue) up(i int) {
	h := q.heap
	x := h[i]
	for i > 0 {
		p := (i - 1) / 4
		if !x.less(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

// renumber gives the queued entries the sequence numbers 1, 2, ... in
// the order of their current ones and sets the next to follow them, when
// the sequence is about to overflow its bits (every 8.6e9 events
// scheduled, some twenty minutes of simulation). Comparisons between queued entries come out as before, so
// the heap and the lanes stay ordered and the events run in the same
// order.
func (q *Queue) renumber() {
	type ref struct {
		seq uint64
		en  *entry
	}
	var all []ref
	add := func(en *entry) { all = append(all, ref{(en.key >> slotBits) & (1<<seqBits - 1), en}) }
	for i := range q.heap {
		add(&q.heap[i])
	}
	for li := range q.lanes {
		l := &q.lanes[li]
		for i := l.head; i < len(l.buf); i++ {
			add(&l.buf[i])
		}
	}
	slices.SortFunc(all, func(a, b ref) int { return cmp.Compare(a.seq, b.seq) })
	const keep = ^uint64(0) &^ ((1<<seqBits - 1) << slotBits) // the phase and slot bits
	for i, r := range all {
		r.en.key = r.en.key&keep | uint64(i+1)<<slotBits
	}
	q.seq = uint64(len(all)) + 1
}

// alloc returns the index of a free element of items: one recycled from
// the free list, else a new zero element appended. Storage recycled this
// way makes a steady-state run allocate nothing.
func alloc[T any](items *[]T, free *[]int32) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		return i
	}
	var zero T
	*items = append(*items, zero)
	return int32(len(*items) - 1)
}

// reserve makes room for n events scheduled at once in the heap and the
// slots, so that a queue that stays below it never grows by copying.
func (q *Queue) reserve(n int) {
	q.heap = slices.Grow(q.heap, n)
	q.slots = slices.Grow(q.slots, n)
}
