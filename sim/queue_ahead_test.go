package sim

import "testing"

// TestQueueAhead checks the lookahead the world prefetches from: after a
// lane event is popped, Queue.ahead is the event laneEventAhead places
// behind it in that lane (aheadOK), and aheadOK is false after a heap
// event or when the lane holds too few events.
func TestQueueAhead(t *testing.T) {
	var q Queue
	q.SetLanes(2)
	const n = 3 * laneSlotAhead
	for i := range n {
		q.ScheduleIn(1, Event{At: Time(10 * (i + 1)), Kind: evRetry, A: int32(i)})
	}
	q.Schedule(Event{At: 15, Kind: evLeaseEnd, A: -1}) // between the lane's first two events
	for i := 0; ; {
		e, ok := q.Pop()
		if !ok {
			break
		}
		if e.A == -1 {
			if q.aheadOK {
				t.Fatalf("after the heap event: aheadOK with %+v", q.ahead)
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
