package sim_test

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

func popAll(q *sim.Queue) []sim.Event {
	var out []sim.Event
	for {
		e, ok := q.Pop()
		if !ok {
			return out
		}
		out = append(out, e)
	}
}

func TestQueueOrdersByTimePhaseSequence(t *testing.T) {
	var q sim.Queue
	// scheduled deliberately out of order; A numbers the scheduling order
	evs := []sim.Event{
		{At: 5, Phase: sim.PhaseSample},
		{At: 5, Phase: sim.PhaseArrival},
		{At: 1, Phase: sim.PhaseSettlement},
		{At: 5, Phase: sim.PhaseClearing},
		{At: 5, Phase: sim.PhaseArrival},
		{At: 3, Phase: sim.PhaseDecision},
		{At: 5, Phase: sim.PhaseDecision},
		{At: 1, Phase: sim.PhaseArrival},
		{At: 5, Phase: sim.PhaseArrival},
		{At: 5, Phase: sim.PhaseTokenomics},
		{At: 5, Phase: sim.PhaseSettlement},
		{At: 0, Phase: sim.PhaseSample},
	}
	for i := range evs {
		evs[i].A = int32(i)
		q.Schedule(evs[i])
	}
	require.Equal(t, len(evs), q.Len())
	assert.Equal(t, sim.Time(0), q.PeekTime())
	got := popAll(&q)
	var order []int32
	for _, e := range got {
		order = append(order, e.A)
	}
	// time first; at t=5 the phases in their documented order, and the
	// three arrivals at t=5 in the order they were scheduled (1, 4, 8)
	assert.Equal(t, []int32{11, 7, 2, 5, 1, 4, 8, 6, 3, 10, 9, 0}, order)
	assert.Equal(t, 0, q.Len())
	assert.Equal(t, sim.Never, q.PeekTime())
	_, ok := q.Pop()
	assert.False(t, ok)
}

func TestQueueFIFOWithinPhase(t *testing.T) {
	var q sim.Queue
	const n = 1000
	for i := 0; i < n; i++ {
		// same instant and phase for all: they must come out in scheduling order,
		// however the heap rearranges them
		q.Schedule(sim.Event{At: 42, Phase: sim.PhaseSettlement, A: int32(i)})
	}
	for i, e := range popAll(&q) {
		require.Equal(t, int32(i), e.A)
	}
}

func TestQueuePhaseNames(t *testing.T) {
	names := []string{"arrival", "decision", "clearing", "settlement", "tokenomics", "sample"}
	for p := sim.PhaseArrival; p <= sim.PhaseSample; p++ {
		assert.Equal(t, names[p], p.String())
	}
	assert.Equal(t, "phase?", sim.Phase(200).String())
	var q sim.Queue
	assert.Panics(t, func() { q.Schedule(sim.Event{Phase: sim.PhaseSample + 1}) })
}

func TestQueueCancel(t *testing.T) {
	var q sim.Queue
	var zero sim.Handle
	assert.False(t, zero.Valid())
	assert.False(t, q.Cancel(zero), "the zero handle refers to no event")
	assert.False(t, q.Scheduled(zero))

	a := q.Schedule(sim.Event{At: 10, A: 1})
	b := q.Schedule(sim.Event{At: 20, A: 2})
	c := q.Schedule(sim.Event{At: 30, A: 3})
	assert.True(t, a.Valid())
	assert.True(t, q.Scheduled(b))
	assert.True(t, q.Cancel(b), "first cancel succeeds")
	assert.False(t, q.Cancel(b), "second cancel of the same event fails")
	assert.False(t, q.Scheduled(b))
	assert.True(t, b.Valid(), "a cancelled handle still refers to a scheduled-once event")
	assert.Equal(t, 2, q.Len())

	e, ok := q.Pop()
	require.True(t, ok)
	assert.Equal(t, int32(1), e.A)
	assert.False(t, q.Cancel(a), "cancelling an event that already ran fails")
	assert.False(t, q.Scheduled(a))

	// a and b's slots are now free and get recycled by the next events: the
	// old handles must not reach the new events (generation check)
	d := q.Schedule(sim.Event{At: 40, A: 4})
	e2 := q.Schedule(sim.Event{At: 50, A: 5})
	assert.False(t, q.Cancel(a))
	assert.False(t, q.Cancel(b))
	assert.False(t, q.Scheduled(a))
	assert.False(t, q.Scheduled(b))
	assert.True(t, q.Scheduled(d))
	assert.True(t, q.Scheduled(e2))
	assert.NotEqual(t, a, d)
	assert.NotEqual(t, b, d)

	var rest []int32
	for _, e := range popAll(&q) {
		rest = append(rest, e.A)
	}
	assert.Equal(t, []int32{3, 4, 5}, rest, "cancelled events never pop")
	assert.True(t, c.Valid())
	assert.False(t, q.Cancel(c))
}

func TestQueueCancelEveryPosition(t *testing.T) {
	// cancelling the root, a leaf, an inner node of the 4-ary heap, and
	// the last element must each leave a valid heap
	for n := 1; n <= 40; n++ {
		for k := 0; k < n; k++ {
			var q sim.Queue
			hs := make([]sim.Handle, n)
			for i := 0; i < n; i++ {
				// times in a scrambled but distinct order
				hs[i] = q.Schedule(sim.Event{At: sim.Time((i * 7919) % n), A: int32(i)})
			}
			require.True(t, q.Cancel(hs[k]))
			var prev sim.Time = -1
			cnt := 0
			for _, e := range popAll(&q) {
				require.NotEqual(t, int32(k), e.A)
				require.GreaterOrEqual(t, e.At, prev)
				prev = e.At
				cnt++
			}
			require.Equal(t, n-1, cnt)
		}
	}
}

// refEvent is an event of the reference model: the sequence number is the
// global scheduling order.
type refEvent struct {
	ev  sim.Event
	seq int
	h   sim.Handle
}

func refLess(a, b *refEvent) bool {
	if a.ev.At != b.ev.At {
		return a.ev.At < b.ev.At
	}
	if a.ev.Phase != b.ev.Phase {
		return a.ev.Phase < b.ev.Phase
	}
	return a.seq < b.seq
}

// TestQueueMatchesReferenceSort drives the queue with random interleavings
// of schedule, cancel (of live and of dead handles) and pop, and checks
// every pop against a brute-force reference: the live event that is least
// in (time, phase, scheduling order); a third of the runs cross a
// renumbering of the sequence numbers.
func TestQueueMatchesReferenceSort(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 50
	}
	for seed := 1; seed <= seeds; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x51e7))
		var q sim.Queue
		// half the runs use FIFO lanes, each with its own constant delay
		lanes := 0
		if seed%2 == 0 {
			lanes = 1 + rng.IntN(4)
			q.SetLanes(lanes)
		}
		// a third of the runs start with the sequence numbers about to
		// overflow, so that the queue renumbers its entries on the way
		if seed%3 == 0 {
			q.SeqNearOverflow(uint64(rng.IntN(300)))
		}
		var live []*refEvent
		var dead []sim.Handle
		seq := 0
		var now sim.Time
		// small time and phase ranges so that ties are frequent
		span := sim.Time(1 + rng.IntN(20))
		ops := 500 + rng.IntN(1500)
		for op := 0; op < ops; op++ {
			switch r := rng.IntN(10); {
			case r < 5: // schedule, at or after the last popped time
				ev := sim.Event{At: now + sim.Time(rng.Int64N(int64(span))), Phase: sim.Phase(rng.IntN(6)), Kind: uint8(rng.IntN(13)), A: int32(seq), B: int32(rng.IntN(100))}
				var h sim.Handle
				if lanes > 0 && rng.IntN(3) > 0 {
					ln := rng.IntN(lanes)
					if rng.IntN(4) > 0 {
						// a constant delay per lane: the lane's FIFO case
						ev.At, ev.Phase = now+sim.Time(ln+1)*span/2, sim.Phase(ln%6)
					}
					h = q.ScheduleIn(ln, ev)
				} else {
					h = q.Schedule(ev)
				}
				require.True(t, q.Scheduled(h))
				live = append(live, &refEvent{ev: ev, seq: seq, h: h})
				seq++
			case r < 7: // cancel a live event
				if len(live) == 0 {
					continue
				}
				i := rng.IntN(len(live))
				require.True(t, q.Cancel(live[i].h), "seed %d: cancel of a live event", seed)
				dead = append(dead, live[i].h)
				live = append(live[:i], live[i+1:]...)
			case r < 8: // cancel a dead handle (popped or cancelled): must fail
				if len(dead) == 0 {
					continue
				}
				h := dead[rng.IntN(len(dead))]
				require.False(t, q.Cancel(h), "seed %d: cancel of a dead handle", seed)
				require.False(t, q.Scheduled(h))
			default: // pop
				e, ok := q.Pop()
				if len(live) == 0 {
					require.False(t, ok)
					continue
				}
				require.True(t, ok)
				best := 0
				for i := range live {
					if refLess(live[i], live[best]) {
						best = i
					}
				}
				require.Equal(t, live[best].ev, e, "seed %d op %d", seed, op)
				now = e.At
				dead = append(dead, live[best].h)
				live = append(live[:best], live[best+1:]...)
			}
			require.Equal(t, len(live), q.Len())
		}
		// drain: the rest comes out in reference order
		sort.Slice(live, func(i, j int) bool { return refLess(live[i], live[j]) })
		if len(live) > 0 {
			require.Equal(t, live[0].ev.At, q.PeekTime())
		}
		for _, want := range live {
			e, ok := q.Pop()
			require.True(t, ok)
			require.Equal(t, want.ev, e, "seed %d drain", seed)
		}
		_, ok := q.Pop()
		require.False(t, ok)
	}
}

func TestQueueLanes(t *testing.T) {
	var q sim.Queue
	q.SetLanes(2)
	q.ScheduleIn(0, sim.Event{At: 10, A: 1})
	q.ScheduleIn(0, sim.Event{At: 5, A: 2}) // sorts before the lane's last: goes to the heap
	q.ScheduleIn(1, sim.Event{At: 7, A: 3})
	q.Schedule(sim.Event{At: 6, A: 4})
	q.ScheduleIn(0, sim.Event{At: 12, A: 5})
	// same instant and phase across lanes and heap: scheduling order
	q.ScheduleIn(1, sim.Event{At: 20, Phase: sim.PhaseSettlement, A: 6})
	q.Schedule(sim.Event{At: 20, Phase: sim.PhaseSettlement, A: 7})
	q.ScheduleIn(0, sim.Event{At: 20, Phase: sim.PhaseSettlement, A: 8})
	q.ScheduleIn(1, sim.Event{At: 20, Phase: sim.PhaseDecision, A: 9}) // earlier phase, after lane 1's last: heap
	h := q.ScheduleIn(0, sim.Event{At: 30, A: 10})
	q.ScheduleIn(0, sim.Event{At: 31, A: 11})
	require.Equal(t, 11, q.Len())
	require.True(t, q.Cancel(h), "lane events can be cancelled")
	require.Equal(t, 10, q.Len())
	var order []int32
	for _, e := range popAll(&q) {
		order = append(order, e.A)
	}
	assert.Equal(t, []int32{2, 4, 3, 1, 5, 9, 6, 7, 8, 11}, order)
	assert.False(t, q.Cancel(h))
}

func TestQueueLazyCancel(t *testing.T) {
	var q sim.Queue
	a := q.Schedule(sim.Event{At: 1, A: 1})
	q.Schedule(sim.Event{At: 2, A: 2})
	require.True(t, q.Cancel(a))
	assert.Equal(t, 1, q.Len(), "Len counts live events only")
	assert.Equal(t, sim.Time(2), q.PeekTime(), "PeekTime skips cancelled events")
	// many cancelled events in front of a live one
	for i := 0; i < 100; i++ {
		require.True(t, q.Cancel(q.Schedule(sim.Event{At: 1, A: 100 + int32(i)})))
	}
	e, ok := q.Pop()
	require.True(t, ok)
	assert.Equal(t, int32(2), e.A)
	_, ok = q.Pop()
	assert.False(t, ok)
	assert.Equal(t, sim.Never, q.PeekTime())
}

func TestStreams(t *testing.T) {
	draw := func(r *rand.Rand, n int) []uint64 {
		out := make([]uint64, n)
		for i := range out {
			out[i] = r.Uint64()
		}
		return out
	}
	st := sim.NewStreams(7)
	assert.Equal(t, uint64(7), st.Seed())
	a1 := draw(st.Stream("tenants/gpu/arrivals"), 100)
	a2 := draw(st.Stream("tenants/gpu/arrivals"), 100)
	assert.Equal(t, a1, a2, "same name, same sequence")
	assert.Equal(t, a1, draw(rand.New(st.Source("tenants/gpu/arrivals")), 100), "Source and Stream agree")

	b := draw(st.Stream("tenants/gpu/demand"), 100)
	assert.NotEqual(t, a1, b, "different names, different sequences")
	for i := range a1 {
		assert.NotEqual(t, a1[i], b[i])
	}
	assert.NotEqual(t, a1, draw(sim.NewStreams(8).Stream("tenants/gpu/arrivals"), 100), "different seeds differ")

	// adding a stream (creating it and drawing from it in between) does not
	// perturb another stream
	st2 := sim.NewStreams(7)
	x := st2.Stream("tenants/gpu/arrivals")
	var got []uint64
	extra := st2.Stream("providers/new-cohort/entry")
	for i := 0; i < 100; i++ {
		got = append(got, x.Uint64())
		extra.Uint64()
		extra.Float64()
	}
	assert.Equal(t, a1, got)

	assert.Equal(t, sim.StreamID("market"), sim.StreamID("market"))
	assert.NotEqual(t, sim.StreamID("market"), sim.StreamID("leases"))
}

func TestReplicationSeedsDistinct(t *testing.T) {
	for _, master := range []uint64{0, 1, 2, 42, 1 << 40} {
		seen := map[uint64]int{}
		for rep := 0; rep < 1000; rep++ {
			s := sim.ReplicationSeed(master, rep)
			prev, dup := seen[s]
			require.False(t, dup, "master %d: reps %d and %d share seed %d", master, prev, rep, s)
			seen[s] = rep
			require.Equal(t, s, sim.ReplicationSeed(master, rep), "deterministic")
		}
		_, dup := seen[master]
		assert.False(t, dup, "no replication reuses the master seed itself")
	}
	// neighbouring masters give unrelated replication seeds
	assert.NotEqual(t, sim.ReplicationSeed(1, 0), sim.ReplicationSeed(2, 0))
	assert.NotEqual(t, sim.ReplicationSeed(1, 1), sim.ReplicationSeed(2, 0))
}

// TestQueueKeepsEveryFieldOfAnEvent: an event comes out of the queue, in
// a lane and in the heap, with every field it went in with, into slots
// that held other events before. ScheduleIn copies an event field by
// field (a whole-struct copy stalls on store forwarding): a field added
// to Event and not to that copy fails here.
func TestQueueKeepsEveryFieldOfAnEvent(t *testing.T) {
	var q sim.Queue
	q.SetLanes(1)
	for round := range 3 {
		for _, ln := range []int{-1, 0} {
			var e sim.Event
			v := reflect.ValueOf(&e).Elem()
			for i := range v.NumField() {
				f := v.Field(i)
				switch f.Kind() {
				case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
					f.SetInt(int64(10*round + i + 1))
				case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
					f.SetUint(uint64(1 + (round+i)%2)) // a phase: below numPhases
				default:
					t.Fatalf("Event.%s is a %s: set it here", v.Type().Field(i).Name, f.Kind())
				}
			}
			q.ScheduleIn(ln, e)
			got, ok := q.Pop()
			require.True(t, ok)
			require.Equal(t, e, got, "round %d, lane %d", round, ln)
		}
	}
}
