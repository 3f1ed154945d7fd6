package sim

import (
	"fmt"

	"github.com/depinsim/depinsim/agents"
)

// openBook is an auction's book of open orders (market.OpenOrders with
// open_orders = "wait"). Akash has no order TTL: an order stays open until
// a lease is created or the tenant closes it, and providers bid on open
// orders when they have capacity. So an order that got no winner waits
// here, in the queue of its class (its main resource: its GPU model, or
// CPU), instead of being posted again every retry_every. When capacity of
// a class may have grown, the driver posts the class's waiting orders
// again, oldest first, through the normal auction path (openBook.serve);
// an order still waiting when its tenant's patience ends is abandoned as
// with retries.
//
// Removal is lazy: an entry names a deployment and the generation it was
// queued with, and is live while that deployment still has that
// generation and waits (depQueued). A tenant that gives up closes its
// deployment, which bumps the generation: O(1), and the dead entry is
// dropped when the queue's head reaches it or when the queue is compacted
// (once dead entries outnumber live ones), so the book's memory stays
// proportional to the orders waiting.
type openBook struct {
	q       []bookQueue // by resource class
	serving bool        // a serve is running: capacity released meanwhile is seen by its loop
	seen    []bool      // scratch of the invariant check, by deployment
	// figures for the tests (not outputs)
	reposts          int64 // orders posted again from the book
	fromBook, atOnce int64 // leases started for orders that waited in the book, and for orders that did not
}

// bookQueue is one class's FIFO of waiting orders: entries from head on,
// live of them live.
type bookQueue struct {
	e    []bookEntry
	head int
	live int
}

func newOpenBook(nres int) *openBook { return &openBook{q: make([]bookQueue, nres)} }

// isLive reports whether entry e still stands for a waiting order.
func (b *openBook) isLive(w *World, e bookEntry) bool {
	d := &w.deps.d[e.id]
	return d.gen == e.gen && d.state == depQueued
}

// wait puts deployment id, whose order got no winner, at the back of its
// class's queue until capacity frees or its patience ends. An order whose
// patience has already ended is abandoned.
func (b *openBook) wait(w *World, id int32) {
	d := &w.deps.d[id]
	if d.deadline <= w.now {
		d.state = depWaiting
		w.abandon(id)
		return
	}
	d.state = depQueued
	if !d.booked {
		d.booked = true
		w.stats.counters[MOrdersQueuedTotal]++
	}
	r, _ := class(&d.spec.Request)
	q := &b.q[r]
	if n := len(q.e) - q.head; n >= 64 && n > 2*q.live {
		b.compact(w, r)
	}
	q.e = append(q.e, bookEntry{id: id, gen: d.gen})
	q.live++
	d.retryH = w.at(d.deadline, evQueueTimeout, id, d.gen)
}

// giveUp abandons waiting deployment id, whose patience ended
// (evQueueTimeout); its entry dies with its generation.
func (b *openBook) giveUp(w *World, id int32) {
	d := &w.deps.d[id]
	d.retryH = Handle{}
	r, _ := class(&d.spec.Request)
	b.q[r].live--
	w.abandon(id)
}

// compact drops the dead entries of class r's queue, keeping the order.
func (b *openBook) compact(w *World, r int) {
	q := &b.q[r]
	n := 0
	for _, e := range q.e[q.head:] {
		if b.isLive(w, e) {
			q.e[n] = e
			n++
		}
	}
	q.e, q.head = q.e[:n], 0
}

// pop removes and returns the oldest live entry of class r's queue; ok
// is false when none is left.
func (b *openBook) pop(w *World, r int) (e bookEntry, ok bool) {
	q := &b.q[r]
	for q.head < len(q.e) {
		e = q.e[q.head]
		q.head++
		if b.isLive(w, e) {
			q.live--
			ok = true
			break
		}
	}
	if q.head == len(q.e) {
		q.e, q.head = q.e[:0], 0
	}
	return e, ok
}

// serve posts the waiting orders of class r again after capacity of r
// may have grown, oldest first, while capacity may still fit them:
//
//   - an order needing more units of r than any provider has free (its
//     GPUs, or cores for a CPU-only order) is skipped: it keeps its place
//     and is not posted (no attempt);
//   - the others are posted through the normal auction path (bids, the
//     selection window, the bid timeout, the tenant's pick); a post from
//     the book counts as an attempt (order_attempts_total), like a retry;
//   - serving stops at the first posted order that gets no winner at once
//     (no provider bid within its max price, or none could take its CPU
//     and memory): that order goes to the back of the queue, so that an
//     order no provider will take now (its max price below every ask) does
//     not block its class, and the next capacity event tries the next
//     order; it also stops once no provider has a free unit of r.
//
// An order whose bids stay open for a selection window counts as served
// here: its bids reserve their capacity, and if it gets no winner at the
// window's end it goes to the back of the queue. So each capacity event
// costs at most one failed collection of bids per class, plus a look at
// the free units of r of each provider after each post and at each
// skipped order. Capacity released while serving (the losing bids of an
// order served at once) is seen by the loop itself: serve does not
// re-enter.
func (b *openBook) serve(w *World, r int) {
	q := &b.q[r]
	if b.serving || q.live == 0 {
		return
	}
	b.serving = true
	free := b.maxFree(w, r)
	for i := q.head; i < len(q.e) && free > 0; i++ {
		e := q.e[i]
		if !b.isLive(w, e) {
			continue
		}
		d := &w.deps.d[e.id]
		if _, units := class(&d.spec.Request); units > free {
			continue
		}
		b.remove(w, r, i)
		i--
		w.cancel(&d.retryH)
		d.state = depWaiting
		b.reposts++
		w.post(e.id)
		if d := &w.deps.d[e.id]; d.gen != e.gen || d.state == depQueued {
			break // no winner: back in the book (or abandoned)
		}
		free = b.maxFree(w, r)
	}
	b.serving = false
}

// remove takes the live entry at index i out of class r's queue, keeping
// the others' order: the head moves up when i is the head, else the
// entries between the head and i shift by one.
func (b *openBook) remove(w *World, r, i int) {
	q := &b.q[r]
	copy(q.e[q.head+1:i+1], q.e[q.head:i])
	q.head++
	q.live--
	if q.head == len(q.e) {
		q.e, q.head = q.e[:0], 0
	}
}

// maxFree is the most units of resource r any active real provider has
// free (capacity less leases and open bids).
func (b *openBook) maxFree(w *World, r int) int32 {
	var m int32
	for _, pid := range w.prov.byResource[r] {
		m = max(m, w.prov.p[pid].free[r])
	}
	return m
}

// freed serves the classes to which a request q's capacity on provider
// pid returned: its main resource; CPU when a GPU request held cores too
// (CPU-only orders may run on a GPU node's cores); and the GPU models of
// pid when a CPU-only request left a GPU node (a GPU order may have
// waited for that node's cores or memory); pid < 0 for reservations
// released on several providers at once (their main classes only).
func (b *openBook) freed(w *World, pid int32, q *agents.Request) {
	r, _ := class(q)
	b.serve(w, r)
	if r != agents.ResCPU {
		if q.CPU > 0 {
			b.serve(w, agents.ResCPU)
		}
		return
	}
	if pid < 0 {
		return
	}
	capy := w.prov.p[pid].prof.Capacity
	for g := agents.ResGPU0; g < len(capy); g++ {
		if capy[g] > 0 {
			b.serve(w, g)
		}
	}
}

// added serves the classes of which provider id lists capacity.
func (b *openBook) added(w *World, id int32) {
	for r, k := range w.prov.p[id].prof.Capacity {
		if k > 0 && r != agents.ResMemory {
			b.serve(w, r)
		}
	}
}

// leaseStarted counts lease lid as served from the book or at once.
func (b *openBook) leaseStarted(w *World, lid int32) {
	d := &w.deps.d[w.leases.l[lid].dep]
	if d.booked {
		b.fromBook++
		d.booked = false
	} else {
		b.atOnce++
	}
}

// check is the invariant open-order-book: every live entry is in its
// deployment's class and no deployment has two; the live counts are
// right; and every waiting deployment has its entry.
func (b *openBook) check(w *World) (bool, string) {
	if n := len(w.deps.d); cap(b.seen) < n {
		b.seen = make([]bool, n)
	} else {
		b.seen = b.seen[:n]
		clear(b.seen)
	}
	total := 0
	for r := range b.q {
		q := &b.q[r]
		live := 0
		for i, e := range q.e[q.head:] {
			d := &w.deps.d[e.id]
			if d.gen != e.gen {
				continue
			}
			if d.state != depQueued {
				return false, fmt.Sprintf("entry %d of class %d's queue: deployment %d (generation %d) is in state %d, not waiting in the book", q.head+i, r, e.id, e.gen, d.state)
			}
			if c, _ := class(&d.spec.Request); c != r {
				return false, fmt.Sprintf("entry %d of class %d's queue: deployment %d is of class %d", q.head+i, r, e.id, c)
			}
			if b.seen[e.id] {
				return false, fmt.Sprintf("deployment %d has two live entries in class %d's queue", e.id, r)
			}
			b.seen[e.id] = true
			live++
		}
		if live != q.live {
			return false, fmt.Sprintf("class %d's queue has %d live entries but counts %d", r, live, q.live)
		}
		total += live
	}
	waiting := 0
	for i := range w.deps.d {
		if w.deps.d[i].state == depQueued {
			waiting++
		}
	}
	if waiting != total {
		return false, fmt.Sprintf("%d deployments wait in the book but it holds %d live entries", waiting, total)
	}
	return true, ""
}
