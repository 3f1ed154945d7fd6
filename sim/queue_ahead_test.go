package sim

import "testing"

// TestQueueAhead checks the lookahead the world prefetches from: after a
// lane event is popped, Queue.ahead is the event laneEventAhead places
// behind it in that lane; after a heap event, the heap's new top; aheadOK
// is false when the lane holds too few events or the queue has fewer than
// prefetchSlots slots.
func TestQueueAhead(t *testing.T) {
	var q Queue
	q.SetLanes(2)
	const n = 3 * laneSlotAhead
	q.ScheduleIn(1, Event{At: 1, Kind: evRetry, A: -3})
	e, _ := q.Pop()
	if e.A != -3 || q.aheadOK {
		t.Fatalf("a queue of one slot: popped %+v, aheadOK %v", e, q.aheadOK)
	}
	for range prefetchSlots {
		q.Schedule(Event{At: 1 << 40, Kind: evLeaseEnd, A: -2}) // last, in the heap
	}
	for i := range n {
		q.ScheduleIn(1, Event{At: Time(10 * (i + 1)), Kind: evRetry, A: int32(i)})
	}
	q.Schedule(Event{At: 15, Kind: evLeaseEnd, A: -1}) // between the lane's first two events
	for i := 0; i < n; {
		e, ok := q.Pop()
		if !ok {
			t.Fatal("queue empty too soon")
		}
		if e.A == -1 {
			if !q.aheadOK || q.ahead.A != -2 {
				t.Fatalf("after the heap event: ahead %+v (ok %v), want the new top", q.ahead, q.aheadOK)
			}
			continue
		}
		if e.A != int32(i) {
			t.Fatalf("popped %+v, want A %d", e, i)
		}
		want := i + laneEventAhead
		switch {
		case want < n && (!q.aheadOK || q.ahead.A != int32(want) || q.ahead.At != Time(10*(want+1))):
			t.Fatalf("after lane event %d: ahead %+v (ok %v), want A %d", i, q.ahead, q.aheadOK, want)
		case want >= n && q.aheadOK:
			t.Fatalf("after lane event %d: aheadOK with %+v past the lane's end", i, q.ahead)
		}
		i++
	}
}
