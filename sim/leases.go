package sim

import (
	"slices"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// Lease close reasons, as on chain (akash.md §1).
const (
	closeTenant   = 1
	closeProvider = 10000
	closeFunds    = 20000
)

// lease is one lease: a deployment served by a provider at a rate.
type lease struct {
	gen     int32
	active  bool
	deposit bool             // the winning bid's deposit is locked until close
	denom   tokenomics.Denom // its deployment's denomination (a copy: a sample reads it for every active lease)
	dep     int32
	prov    int32
	rate    market.Rate
	balance amount // accrued, not withdrawn
	closeH  Handle
	posProv int32 // index in provider.leases
	posAct  int32 // index in leaseTable.active
	stake   int64 // solver stake locked for verified work (base units)
	start   Time
}

// open makes l the active lease of deployment dep with provider prov at
// rate, from start, in its next generation, every other field zero. It
// clears l in place and writes it field by field: a lease literal is
// built on the stack in narrow stores and copied in 16 bytes at a time,
// which cannot be forwarded from them and stalls.
func (l *lease) open(dep, prov int32, rate market.Rate, deposit bool, denom tokenomics.Denom, start Time) {
	gen := l.gen + 1
	*l = lease{}
	l.gen, l.active, l.dep, l.prov, l.rate = gen, true, dep, prov, rate
	l.deposit, l.denom, l.start = deposit, denom, start
}

// leaseTable holds the leases (slots of closed ones are reused), the list
// of active ones and the units they hold per resource.
type leaseTable struct {
	l      []lease
	free   []int32
	active []int32      // active lease ids (swap-removed)
	priced []leasePrice // the price of active[i] at i: a sample sums them in one sequential pass
	alloc  []int64      // units in active leases, by resource
	seq    int64        // allocation sequence: leases started and orders queued (market.Bid.LastWon)
}

// leasePrice is an active lease's rate and denomination (copies of the
// lease's), kept beside the active list.
type leasePrice struct {
	rate  market.Rate
	denom tokenomics.Denom
}

// open returns the id of a fresh lease slot. The free list keeps room for
// every slot, so that closing a lease never grows it.
func (t *leaseTable) open() int32 {
	lid := alloc(&t.l, &t.free)
	if cap(t.free) < cap(t.l) {
		t.free = slices.Grow(t.free, cap(t.l)-len(t.free))
	}
	return lid
}

// next returns the next allocation sequence number.
func (t *leaseTable) next() int64 {
	t.seq++
	return t.seq
}

// class is the main resource of a request: its GPU model, or CPU.
func class(q *agents.Request) (r int, units int32) {
	if q.GPUs > 0 {
		return q.GPUModel, q.GPUs
	}
	return agents.ResCPU, q.CPU
}

// startLease leases deployment id to provider pid at rate (capacity
// already taken): it links the lease, counts it, settles the escrow
// account from now on, and schedules the lease's end, its provider's
// close and the escrow's top-up and run-dry events.
func (w *World) startLease(id int32, pid int32, rate market.Rate) {
	d := &w.deps.d[id]
	p := &w.prov.p[pid]
	lid := w.leases.open()
	l := &w.leases.l[lid]
	l.open(id, pid, rate, w.esc.bidDeposit > 0, d.denom, w.now)
	p.lastWon = w.leases.next()
	l.posProv = int32(len(p.leases))
	p.leases = append(p.leases, lid)
	l.posAct = int32(len(w.leases.active))
	w.leases.active = append(w.leases.active, lid)
	w.leases.priced = append(w.leases.priced, leasePrice{rate, d.denom})
	q := &d.spec.Request
	alloc := w.leases.alloc
	alloc[agents.ResCPU] += int64(q.CPU)
	alloc[agents.ResMemory] += int64(q.MemoryGB)
	if q.GPUs > 0 {
		alloc[q.GPUModel] += int64(q.GPUs)
		w.prov.cohorts[p.prof.Cohort].gpusLeased += int64(q.GPUs)
	}
	usdHour := w.leaseUSDHour(l)
	w.stats.leaseStarted(q, usdHour)
	w.stats.addLease(lid, q, usdHour, &w.chain.usdHourToRate)
	w.view.note(q, usdHour)
	if w.price.on {
		w.price.note(q, usdHour, q.Price(w.cat.Reference))
	}

	d.state = depLeased
	d.lease = lid
	w.cancel(&d.retryH)
	d.settledH = w.chain.height(w.now) // PaymentCreate settles the account
	if d.endAt == 0 {
		d.endAt = Never // a lifetime past any run (FromHours saturates at Never)
		life := w.clr.occupancy(d.spec.Lifetime)
		if life < Never-w.now {
			d.endAt = w.now + life
		}
	}
	if d.endAt <= w.now {
		d.endAt = w.now + Second
	}
	d.endH = w.at3(d.endAt, evLeaseEnd, id, d.gen, lid)
	w.clr.leaseStarted(w, lid)
	if rate := w.cfg.Providers[p.prof.Cohort].LeaseCloseRatePerDay; rate > 0 {
		t := afterDays(w.now, w.rngLease.ExpFloat64()/rate)
		if t < d.endAt {
			l.closeH = w.at(t, evProviderClose, lid, l.gen)
		}
	}
	w.scheduleFunding(id)
}

// closeLease settles and pays out lease lid and frees its capacity. A
// tenant close or insufficient funds closes the deployment too; after a
// provider close the tenant re-posts its order with RestartProb.
func (w *World) closeLease(lid int32, reason int) {
	l := &w.leases.l[lid]
	if !l.active {
		panic("sim: closing an inactive lease")
	}
	id := l.dep
	if reason != closeFunds {
		w.settle(id)
		if !l.active { // settlement found the escrow dry and closed it
			return
		}
	}
	l.active = false
	w.withdraw(lid)
	d := &w.deps.d[id]
	p := &w.prov.p[l.prov]
	ch := &w.chain
	if l.deposit {
		ch.ledger.Transfer(ch.bidEscrow, p.acct, tokenomics.AKT, w.esc.bidDeposit)
	}
	w.clr.leaseClosing(w, lid, reason)
	// free capacity
	if p.active {
		w.prov.give(l.prov, &d.spec.Request)
	}
	q := &d.spec.Request
	w.stats.removeLease(lid, q)
	alloc := w.leases.alloc
	alloc[agents.ResCPU] -= int64(q.CPU)
	alloc[agents.ResMemory] -= int64(q.MemoryGB)
	if q.GPUs > 0 {
		alloc[q.GPUModel] -= int64(q.GPUs)
		w.prov.cohorts[p.prof.Cohort].gpusLeased -= int64(q.GPUs)
	}
	// unlink from the provider and the active list
	t := &w.leases
	last := p.leases[len(p.leases)-1]
	p.leases[l.posProv] = last
	t.l[last].posProv = l.posProv
	p.leases = p.leases[:len(p.leases)-1]
	lastA := t.active[len(t.active)-1]
	t.active[l.posAct] = lastA
	t.priced[l.posAct] = t.priced[len(t.priced)-1]
	t.l[lastA].posAct = l.posAct
	t.active = t.active[:len(t.active)-1]
	t.priced = t.priced[:len(t.priced)-1]
	w.q.Cancel(l.closeH)
	l.closeH = Handle{}
	t.free = append(t.free, lid)
	if l.balance.negative() {
		panic("sim: negative lease balance")
	}
	d.lease = -1
	w.cancel(&d.dryH)
	w.cancel(&d.topUpH)
	switch reason {
	case closeTenant:
		w.stats.counters[MLeasesClosedTenantTotal]++
		w.closeDeployment(id)
	case closeFunds:
		w.stats.counters[MLeasesClosedFundsTotal]++
		w.closeDeployment(id)
	case closeProvider:
		w.stats.counters[MLeasesClosedProviderTotal]++
		c := &w.cfg.Tenants[d.cohort]
		if w.tenants[d.cohort].rngBehave.Float64() < c.RestartProb && d.endAt > w.now {
			d.state = depWaiting
			d.deadline = w.now + c.Patience.T()
			w.cancel(&d.endH)
			w.post(id)
		} else {
			w.closeDeployment(id)
		}
	default:
		panic("sim: unknown close reason")
	}
	if p.active {
		w.clr.capacityFreed(w, l.prov, q)
	}
}

// leaseUSDHour is lease l's price in USD per hour at the current token
// price (the rate is fixed in its denomination, as on chain).
func (w *World) leaseUSDHour(l *lease) float64 {
	return w.chain.rateUSDHour(l.rate, l.denom)
}
