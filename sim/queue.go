package sim

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
	ev  Event
	pos int32 // position in the heap, -1 when free
	gen uint32
}

type entry struct {
	at   Time
	key  uint64 // phase<<56 | sequence
	slot int32
}

func (a *entry) less(b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.key < b.key)
}

// Queue is the event queue: a 4-ary min-heap ordered by (time, phase,
// sequence), so no two events ever compare equal, with O(log n)
// cancellation. Event storage is recycled, so a steady-state run
// schedules events without allocating.
type Queue struct {
	heap  []entry
	slots []slot
	free  []int32
	seq   uint64
}

// Len returns the number of scheduled events.
func (q *Queue) Len() int { return len(q.heap) }

// Schedule adds e and returns a handle for cancelling it.
func (q *Queue) Schedule(e Event) Handle {
	if e.Phase >= numPhases {
		panic("sim: event phase out of range")
	}
	var s int32
	if n := len(q.free); n > 0 {
		s = q.free[n-1]
		q.free = q.free[:n-1]
	} else {
		q.slots = append(q.slots, slot{})
		s = int32(len(q.slots) - 1)
	}
	q.seq++
	if q.seq >= 1<<56 {
		panic("sim: event sequence overflow")
	}
	sl := &q.slots[s]
	sl.ev = e
	sl.gen++
	pos := len(q.heap)
	q.heap = append(q.heap, entry{at: e.At, key: uint64(e.Phase)<<56 | q.seq, slot: s})
	sl.pos = int32(pos)
	q.up(pos)
	return Handle{slot: s + 1, gen: sl.gen}
}

// Cancel removes the event h refers to. It reports false if that event
// already ran or was cancelled.
func (q *Queue) Cancel(h Handle) bool {
	if h.slot == 0 {
		return false
	}
	s := h.slot - 1
	sl := &q.slots[s]
	if sl.gen != h.gen || sl.pos < 0 {
		return false
	}
	q.removeAt(int(sl.pos))
	return true
}

// Scheduled reports whether the event h refers to is still in the queue.
func (q *Queue) Scheduled(h Handle) bool {
	if h.slot == 0 {
		return false
	}
	sl := &q.slots[h.slot-1]
	return sl.gen == h.gen && sl.pos >= 0
}

// PeekTime returns the time of the next event, or Never when empty.
func (q *Queue) PeekTime() Time {
	if len(q.heap) == 0 {
		return Never
	}
	return q.heap[0].at
}

// Pop removes and returns the next event. ok is false when the queue is empty.
func (q *Queue) Pop() (e Event, ok bool) {
	if len(q.heap) == 0 {
		return Event{}, false
	}
	e = q.slots[q.heap[0].slot].ev
	q.removeAt(0)
	return e, true
}

func (q *Queue) removeAt(i int) {
	s := q.heap[i].slot
	q.slots[s].pos = -1
	q.free = append(q.free, s)
	last := len(q.heap) - 1
	if i != last {
		q.heap[i] = q.heap[last]
		q.slots[q.heap[i].slot].pos = int32(i)
	}
	q.heap = q.heap[:last]
	if i < last {
		if !q.down(i) {
			q.up(i)
		}
	}
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
		q.slots[h[i].slot].pos = int32(i)
		i = p
	}
	h[i] = x
	q.slots[x.slot].pos = int32(i)
}

// down sifts element i down and reports whether it moved.
func (q *Queue) down(i0 int) bool {
	h := q.heap
	n := len(h)
	i := i0
	x := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if h[j].less(&h[m]) {
				m = j
			}
		}
		if !h[m].less(&x) {
			break
		}
		h[i] = h[m]
		q.slots[h[i].slot].pos = int32(i)
		i = m
	}
	h[i] = x
	q.slots[x.slot].pos = int32(i)
	return i > i0
}
