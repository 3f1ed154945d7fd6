package sim

import (
	"context"
	"fmt"
	"unsafe"
)

// The event kinds of a World. Each is declared once in eventTable with
// its name, its phase and its handler.
const (
	evSample uint8 = iota
	evArrival
	evCohortEnter
	evProviderCandidate
	evSelect
	evBidTimeout
	evRetry
	evLeaseEnd
	evDry
	evTopUp
	evWithdraw
	evProviderClose
	evReview
	evWarmupEnd
	evEpoch
	evGovernance
	evReprice
	evBatch
	evView
	evQueueTimeout
	numEventKinds
)

// eventSpec declares one event kind: its name (in messages), the phase it
// runs in at its instant, and its handler. A and B of the event are its
// handler's payload (an object index and, for objects that are reused, the
// generation the event was scheduled for).
type eventSpec struct {
	name   string
	phase  Phase
	handle func(w *World, e Event)
}

// eventTable declares every event kind. The phases order what happens at
// one instant (see Phase): arrivals and entries, then decisions, clearing,
// settlement, the tokenomics epoch and last the sample. It is filled by
// init because its handlers schedule events, which reads the table.
var eventTable [numEventKinds]eventSpec

func init() {
	eventTable = [numEventKinds]eventSpec{
		// arrivals: tenants' deployments, providers entering
		evArrival:           {"arrival", PhaseArrival, func(w *World, e Event) { w.arrive(int(e.A)) }},
		evCohortEnter:       {"cohort-enter", PhaseArrival, func(w *World, e Event) { w.enterCohort(int(e.A)) }},
		evProviderCandidate: {"provider-candidate", PhaseArrival, func(w *World, e Event) { w.candidate(int(e.A)) }},
		evWarmupEnd:         {"warmup-end", PhaseArrival, func(w *World, e Event) { w.endWarmup() }},
		// decisions: retries, provider reviews, the market's own timers
		evRetry:        {"retry", PhaseDecision, func(w *World, e Event) { w.onRetry(e.A, e.B) }},
		evReview:       {"review", PhaseDecision, func(w *World, e Event) { w.review(e.A) }},
		evView:         {"market-view", PhaseDecision, func(w *World, e Event) { w.refreshView() }},
		evReprice:      {"reprice", PhaseDecision, (*World).onClearing},
		evQueueTimeout: {"queue-timeout", PhaseDecision, (*World).onClearing},
		// clearing
		evSelect: {"select", PhaseClearing, (*World).onClearing},
		evBatch:  {"batch-clearing", PhaseClearing, (*World).onClearing},
		// settlement: money moves, leases end
		evBidTimeout:    {"bid-timeout", PhaseSettlement, (*World).onClearing},
		evLeaseEnd:      {"lease-end", PhaseSettlement, func(w *World, e Event) { w.onLeaseEnd(e.A, e.B) }},
		evDry:           {"escrow-dry", PhaseSettlement, (*World).onDry},
		evTopUp:         {"top-up", PhaseSettlement, (*World).onTopUp},
		evWithdraw:      {"withdraw", PhaseSettlement, (*World).onWithdraw},
		evProviderClose: {"provider-close", PhaseSettlement, (*World).onProviderClose},
		// the token layer
		evEpoch:      {"tokenomics-epoch", PhaseTokenomics, func(w *World, e Event) { w.epoch() }},
		evGovernance: {"governance", PhaseTokenomics, func(w *World, e Event) { w.governance(int(e.A)) }},
		// the sample sees the state left by all of the above
		evSample: {"sample", PhaseSample, (*World).onSample},
	}
}

// eventName names an event kind for messages.
func eventName(k uint8) string {
	if int(k) < len(eventTable) && eventTable[k].name != "" {
		return eventTable[k].name
	}
	return fmt.Sprintf("kind %d", k)
}

// Queue lanes (see Queue.ScheduleIn): events a constant delay ahead of
// now, of one kind and cohort, share a lane: the sample, each tenant
// cohort's retries, each provider cohort's withdrawals and reviews, and
// the tokenomics epoch.
type lanes struct {
	withdraw, review, epoch int // the first lane of each group
}

const (
	laneSample = 0
	laneRetry  = 1 // + tenant cohort
)

// newLanes lays out the lanes of a world with the given cohorts and sets
// them up in q.
func newLanes(q *Queue, tenants, providers int) lanes {
	l := lanes{withdraw: laneRetry + tenants}
	l.review = l.withdraw + providers
	l.epoch = l.review + providers
	q.SetLanes(l.epoch + 1)
	return l
}

// at schedules an event of kind at time t (in its kind's phase) and
// returns its handle; an event at or after the horizon is not scheduled
// (the zero Handle).
func (w *World) at(t Time, kind uint8, a, b int32) Handle {
	return w.atLane(-1, t, kind, a, b)
}

// at3 is at with a third object c that the event will read (Event.C):
// Step starts loading it when the event is next. It repeats atLane's
// checks rather than sharing a helper with it: atLane runs for every
// retry, and routing both through one function measured 5% slower on R1
// (paired runs, 9 pairs).
func (w *World) at3(t Time, kind uint8, a, b, c int32) Handle {
	if t >= w.horizon {
		return Handle{}
	}
	if t < w.now {
		panic(fmt.Sprintf("sim: event %s scheduled in the past (%v < %v)", eventName(kind), t, w.now))
	}
	return w.q.ScheduleIn(-1, Event{At: t, Phase: eventTable[kind].phase, Kind: kind, A: a, B: b, C: c})
}

// atLane is at in queue lane ln (-1: the heap).
func (w *World) atLane(ln int, t Time, kind uint8, a, b int32) Handle {
	if t >= w.horizon {
		return Handle{}
	}
	if t < w.now {
		panic(fmt.Sprintf("sim: event %s scheduled in the past (%v < %v)", eventName(kind), t, w.now))
	}
	return w.q.ScheduleIn(ln, Event{At: t, Phase: eventTable[kind].phase, Kind: kind, A: a, B: b})
}

// cancel cancels the event h refers to (if pending) and clears h.
func (w *World) cancel(h *Handle) {
	w.q.Cancel(*h)
	*h = Handle{}
}

// Step processes the next event before the horizon and reports whether
// it did. It returns false once the horizon is reached or the run has
// stopped on an error (Err): with Config.Check, a broken invariant stops
// the run with an *InvariantError.
func (w *World) Step() bool {
	if w.err != nil {
		return false
	}
	e, ok := w.q.PopBefore(w.horizon)
	if !ok {
		return false
	}
	if e.At < w.now {
		w.err = &InvariantError{Invariant: "time-monotone", Reason: fmt.Sprintf("event at %v after time %v", e.At, w.now),
			At: e.At - w.origin, Event: eventName(e.Kind), Object: e.A}
		return false
	}
	w.prevNow, w.now = w.now, e.At
	w.events++
	// a retry a few places behind in the same lane: start loading the
	// lines of its deployment that an attempt reads (its generation to
	// the maximum rate, which may span three cache lines)
	if a := &w.q.ahead; w.q.aheadOK {
		switch a.Kind {
		case evRetry:
			d := &w.deps.d[a.A]
			prefetch(unsafe.Pointer(&d.gen))
			prefetch(unsafe.Pointer(&d.spec.Request.GPUs))
			prefetch(unsafe.Pointer(&d.maxRate))
		case evLeaseEnd:
			prefetch(unsafe.Pointer(&w.deps.d[a.A].gen))
			if int(a.C) < len(w.leases.l) { // its lease (C: the lease it was scheduled for)
				prefetch(unsafe.Pointer(&w.leases.l[a.C]))
			}
		}
	}
	// the most frequent kinds are called directly (which lets the
	// compiler inline them), the others through the table
	switch e.Kind {
	case evRetry:
		w.onRetry(e.A, e.B)
	case evLeaseEnd:
		w.onLeaseEnd(e.A, e.B)
	case evArrival:
		w.arrive(int(e.A))
	default:
		eventTable[e.Kind].handle(w, e)
	}
	if w.cfg.Check == CheckEvents || (w.cfg.Check == CheckSamples && e.Kind == evSample) {
		w.check(e)
	}
	return w.err == nil
}

// Run processes events until the horizon and returns the replication's
// result and the error that stopped it early, if any (Err). At each
// instant the phases run in the order of the Phase constants: arrivals,
// decisions, clearing, settlement, tokenomics, sample.
func (w *World) Run() (Result, error) {
	for w.Step() {
	}
	return w.Result(), w.err
}

// RunContext is Run, stopping between events when ctx is done (it then
// returns ctx's error).
func (w *World) RunContext(ctx context.Context) (Result, error) {
	return w.RunYielding(ctx, 0, nil)
}

// RunYielding is RunContext calling yield between events after every
// every events (a multiple of ctxEvery, rounded up; none when yield is
// nil) with the events processed so far and the fraction of the run's
// simulated time done (0 at the start of the warmup, 1 at the horizon):
// a pool that runs more worlds than it lets simulate at once hands the
// processor on there to the world furthest behind. What yield does
// cannot change the run.
func (w *World) RunYielding(ctx context.Context, every uint, yield func(events uint64, done float64)) (Result, error) {
	done := ctx.Done()
	every = max(ctxEvery, (every+ctxEvery-1)/ctxEvery*ctxEvery)
	for i := uint(0); ; i++ {
		if i%ctxEvery == 0 {
			if done != nil {
				select {
				case <-done:
					return w.Result(), ctx.Err()
				default:
				}
			}
			if yield != nil && i > 0 && i%every == 0 {
				yield(w.events, float64(w.now)/float64(w.horizon))
			}
		}
		if !w.Step() {
			return w.Result(), w.err
		}
	}
}

// ctxEvery is how many events RunContext processes between looks at its
// context: often enough to stop within milliseconds, rarely enough to
// cost nothing.
const ctxEvery = 4096

// Err returns the error that stopped the run (an *InvariantError), or nil.
func (w *World) Err() error { return w.err }

// Result returns the replication's result so far.
func (w *World) Result() Result {
	every := w.cfg.Sim.SampleEvery.T()
	samples := int((w.horizon - w.origin + every - 1) / every)
	return Result{Rep: w.rep, Seed: w.seed, Events: w.events, Samples: samples, End: w.horizon - w.origin}
}

// Now returns the current simulated time.
func (w *World) Now() Time { return w.now }

// check checks the invariants after event e and records the first
// violation as the run's error.
func (w *World) check(e Event) {
	for _, inv := range invariants {
		if ok, why := inv.check(w); !ok {
			w.err = &InvariantError{Invariant: inv.Name, Reason: why, At: w.now - w.origin, Event: eventName(e.Kind), Object: e.A}
			return
		}
	}
}

// ---- handlers of the events that concern deployments, leases and
// providers (the objects' own files do the work) ----

// onRetry re-posts deployment id's order after its retry wait (gen: the
// deployment's generation when the retry was scheduled). It and
// onLeaseEnd take the event's fields, not the event: an inlined call's
// copy of the whole event loads it in 16 bytes at a time from the
// narrower stores that wrote it, which cannot be forwarded and stalls.
func (w *World) onRetry(id, gen int32) {
	if d := &w.deps.d[id]; d.gen == gen {
		d.retryH = Handle{}
		w.post(id)
	}
}

// onLeaseEnd closes deployment id's lease at the end of its lifetime
// (gen: its generation when the end was scheduled).
func (w *World) onLeaseEnd(id, gen int32) {
	if d := &w.deps.d[id]; d.gen == gen {
		d.endH = Handle{}
		w.closeLease(d.lease, closeTenant)
	}
}

// onDry settles an escrow that has run dry, which closes its lease.
func (w *World) onDry(e Event) {
	if d := &w.deps.d[e.A]; d.gen == e.B {
		d.dryH = Handle{}
		w.settle(e.A) // overdraws and closes
		if w.deps.d[e.A].state == depLeased {
			panic("sim: escrow expected dry but lease survived settlement")
		}
	}
}

// onTopUp lets a tenant top up its escrow.
func (w *World) onTopUp(e Event) {
	if d := &w.deps.d[e.A]; d.gen == e.B {
		d.topUpH = Handle{}
		w.topUp(e.A)
	}
}

// onWithdraw pays a provider its leases' accrued balances and schedules
// its next withdrawal.
func (w *World) onWithdraw(e Event) {
	w.withdrawAll(e.A)
	p := &w.prov.p[e.A]
	p.withdrawH = w.atLane(w.lanes.withdraw+p.prof.Cohort, w.now+w.cfg.Providers[p.prof.Cohort].WithdrawEvery.T(), evWithdraw, e.A, 0)
}

// onProviderClose closes a lease its provider drops.
func (w *World) onProviderClose(e Event) {
	if l := &w.leases.l[e.A]; l.gen == e.B && l.active {
		l.closeH = Handle{}
		w.closeLease(e.A, closeProvider)
	}
}

// onClearing hands an event of the market's own (a selection window's
// end, a bid timeout, a repricing, a batch clearing, a queue timeout) to
// the clearing driver.
func (w *World) onClearing(e Event) { w.clr.handle(w, e) }

// onSample records a sample and schedules the next one.
func (w *World) onSample(e Event) {
	w.doSample()
	w.atLane(laneSample, w.now+w.cfg.Sim.SampleEvery.T(), evSample, 0, 0)
}

// endWarmup starts the counters at the end of the warmup: cumulative
// metrics count from the scenario start.
func (w *World) endWarmup() {
	w.stats.counters = [NumMetrics]float64{}
	w.stats.gpuLeases, w.stats.gpuPriceSum = 0, 0
	w.chain.fees, w.chain.revenueUSD = 0, 0 // fees_total, provider_revenue_usd_total
	for ci := range w.prov.cohorts {
		pc := &w.prov.cohorts[ci]
		pc.incomeUSD = 0 // like provider_revenue_usd_total
		pc.entered, pc.exited = 0, 0
	}
	clear(w.stats.bids) // the first interval starts at the end of the warmup
}
