package runner

import (
	"slices"
	"sync"
	"time"
)

// cpuTokens lets at most its capacity of replications simulate at once,
// however many are under way: a replication holds a token while it
// builds and runs its world. Every offerEvents events it
// offers its token (pass) to the waiting replication furthest behind, in
// events done over those estimated (sim.WorldEstimate.Events), and hands
// it on if that one is behind by more than a lead (leadAt). The
// replications sharing the workers then keep abreast and finish close
// together, where handing the token round in turn after slices of a
// quarter of a run left one of them running alone at the end while a
// worker idled (ionet-2024: the last of three replications ended 0.7 to
// 1.2 s after the one before it; "Sharing the last replications" in
// docs/performance.md). Progress is counted in events, not simulated
// time: ionet-2024 spends about half its work in the first fifth of its
// year.
type cpuTokens struct {
	mu   sync.Mutex
	free int     // tokens no replication holds
	wait []*turn // replications waiting for a token, in the order they came
}

// turn is a replication's place in cpuTokens: how far it got when it
// last waited, and where it is woken with a token.
type turn struct {
	progress float64       // events done over the events estimated
	wake     chan struct{} // receives the token (capacity 1)
}

// newCPUTokens returns n tokens, none held.
func newCPUTokens(n int) *cpuTokens { return &cpuTokens{free: n} }

// newTurn returns a replication's turn, at the start of its run.
func newTurn() *turn { return &turn{wake: make(chan struct{}, 1)} }

// acquire waits until t holds a token.
func (c *cpuTokens) acquire(t *turn) {
	c.mu.Lock()
	if c.free > 0 {
		c.free--
		c.mu.Unlock()
		return
	}
	c.wait = append(c.wait, t)
	c.mu.Unlock()
	<-t.wake
}

// release gives back a token: to the waiting replication furthest
// behind, if any.
func (c *cpuTokens) release() {
	c.mu.Lock()
	if len(c.wait) == 0 {
		c.free++
		c.mu.Unlock()
		return
	}
	next := c.take(c.behind())
	c.mu.Unlock()
	next.wake <- struct{}{}
}

// behind returns the index in c.wait of the replication furthest behind
// (the first to come among equals); c.wait is not empty.
func (c *cpuTokens) behind() int {
	b := 0
	for i, w := range c.wait {
		if w.progress < c.wait[b].progress {
			b = i
		}
	}
	return b
}

// take removes c.wait[i] and returns it, keeping the others' order.
func (c *cpuTokens) take(i int) *turn {
	w := c.wait[i]
	c.wait = slices.Delete(c.wait, i, i+1)
	return w
}

// pass offers t's token, t having made progress (turn.progress): it
// hands it on to the waiting replication furthest behind if that one is
// behind by more than lead, and waits for one again; else t keeps it.
func (c *cpuTokens) pass(t *turn, progress, lead float64) {
	c.mu.Lock()
	if len(c.wait) == 0 {
		c.mu.Unlock()
		return
	}
	b := c.behind()
	if c.wait[b].progress >= progress-lead {
		c.mu.Unlock()
		return
	}
	next := c.take(b)
	t.progress = progress
	c.wait = append(c.wait, t)
	c.mu.Unlock()
	next.wake <- struct{}{}
	<-t.wake
}

// leadAt is how far ahead of a waiting replication, in events over the
// events estimated, one that has done the fraction done of its simulated
// time runs before it hands its token on: 1/64 (about 1/32 of a run on
// the presets, whose estimates run about twice their events) until the
// last eighth of its simulated time, then shrinking to minLead at its
// end, so that the replications sharing the workers finish close
// together with few hand-overs in the bulk of the run, each of which
// brings a world back into cold caches (about half a millisecond of CPU
// on ionet-2024).
func leadAt(done float64) float64 {
	return max(minLead, maxLead*min(1, 8*(1-done)))
}

// maxLead and minLead bound leadAt.
const (
	maxLead = 1.0 / 64
	minLead = 1.0 / 2048
)

// offerEvents is how many events a replication simulates between offers
// of its token (cpuTokens.pass) and looks at the clock for its breather:
// sim's ctxEvery, 0.4 ms of R1, some 4 ms of ionet-2024 and 7 ms of
// akash-2024 x100. An offer that keeps the token costs an uncontended
// lock.
const offerEvents = 4096

// breather says when a replication lets the other goroutines run
// (runtime.Gosched): when breathEvery has passed since it last did.
// Go's scheduler otherwise interrupts a goroutine that has run for 10 ms
// with a signal (asynchronous preemption), which costs much more than a
// call on the virtual machines the benchmarks run on: akash-2024 x100
// ran 6 to 7% less CPU with the signal turned off (GODEBUG
// asyncpreemptoff=1) and 6% less with a yield every 4,096 events
// (docs/performance.md, "Yielding before the scheduler interrupts").
// Yielding also lets a replication dispatched while every processor
// simulates come to wait for a token.
type breather struct {
	last time.Time // when it last yielded
}

// due reports whether a replication should yield at now, and if so
// counts it as having yielded.
func (b *breather) due(now time.Time) bool {
	if now.Sub(b.last) < breathEvery {
		return false
	}
	b.last = now
	return true
}

// breathEvery is the least time between a replication's yields: it
// yields at the first offer breathEvery or more after the last, every 5
// to 7 ms on the presets (whose offers come 0.4 to 7 ms apart), under
// the 10 ms after which the scheduler interrupts it.
const breathEvery = 5 * time.Millisecond
