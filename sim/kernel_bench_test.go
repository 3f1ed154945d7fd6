package sim_test

import (
	"math/rand/v2"
	"testing"

	"github.com/depinsim/depinsim/sim"
)

// holdPending is the number of pending events of the hold model.
const holdPending = 10_000

// holdQueue returns a queue holding holdPending events at exponential
// times (mean 1 h), with its storage grown to steady state.
func holdQueue(rng *rand.Rand) *sim.Queue {
	q := &sim.Queue{}
	for i := 0; i < holdPending; i++ {
		q.Schedule(sim.Event{At: expDelay(rng), Phase: sim.Phase(i % 6), A: int32(i)})
	}
	// one pop/push cycle per event grows the free list to its final size
	for i := 0; i < holdPending; i++ {
		holdStep(q, rng)
	}
	return q
}

func expDelay(rng *rand.Rand) sim.Time {
	return sim.Time(rng.ExpFloat64() * float64(sim.Hour))
}

// holdStep is the classic hold operation: pop the next event and schedule
// one at its time plus an exponential delay.
func holdStep(q *sim.Queue, rng *rand.Rand) {
	e, _ := q.Pop()
	e.At += expDelay(rng)
	q.Schedule(e)
}

// BenchmarkKernel measures the event queue in the steady-state hold model:
// 10k pending events; each op pops one and schedules one.
func BenchmarkKernel(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	q := holdQueue(rng)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		holdStep(q, rng)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// timers is the cancel-heavy model: n timers, each always pending; an op
// resets one random timer (cancel and reschedule, as a bid timeout or a
// top-up is rescheduled), then fires the next due timer, which
// reschedules itself.
type timers struct {
	q   *sim.Queue
	h   []sim.Handle
	rng *rand.Rand
	now sim.Time
}

func newTimers(n int, rng *rand.Rand) *timers {
	tm := &timers{q: &sim.Queue{}, h: make([]sim.Handle, n), rng: rng}
	for i := range tm.h {
		tm.h[i] = tm.q.Schedule(sim.Event{At: expDelay(rng), Phase: sim.PhaseSettlement, A: int32(i)})
	}
	// cancelled events stay in the heap until their time comes (lazy
	// cancellation): run long enough for the heap to reach its steady size
	for i := 0; i < 10*n; i++ {
		tm.step()
	}
	return tm
}

func (tm *timers) step() {
	i := tm.rng.IntN(len(tm.h))
	if !tm.q.Cancel(tm.h[i]) {
		panic("timer not pending")
	}
	tm.h[i] = tm.q.Schedule(sim.Event{At: tm.now + expDelay(tm.rng), Phase: sim.PhaseSettlement, A: int32(i)})
	e, _ := tm.q.Pop()
	tm.now = e.At
	tm.h[e.A] = tm.q.Schedule(sim.Event{At: tm.now + expDelay(tm.rng), Phase: sim.PhaseSettlement, A: e.A})
}

// BenchmarkKernelCancel measures the queue under cancellation: each op is
// one cancel, two schedules and one pop with 10k pending timers.
func BenchmarkKernelCancel(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	tm := newTimers(holdPending, rng)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tm.step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// TestKernelSteadyStateAllocs checks that the queue recycles its storage:
// in steady state scheduling, popping and cancelling allocate nothing.
// (Not a timing test.)
func TestKernelSteadyStateAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	q := holdQueue(rng)
	if a := testing.AllocsPerRun(2000, func() { holdStep(q, rng) }); a != 0 {
		t.Errorf("hold step allocates %v times per event, want 0", a)
	}
	tm := newTimers(holdPending, rand.New(rand.NewPCG(3, 4)))
	if a := testing.AllocsPerRun(2000, tm.step); a != 0 {
		t.Errorf("cancel step allocates %v times per op, want 0", a)
	}
	if q.Len() != holdPending || tm.q.Len() != holdPending {
		t.Fatalf("steady state lost: %d and %d pending", q.Len(), tm.q.Len())
	}
}
