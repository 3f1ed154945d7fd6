package sim

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"unsafe"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// clearing is the driver through which orders meet providers. NewWorld
// picks one per run from the mechanism's capabilities (newClearing); only
// the driver knows the mechanism's kind. The kernel calls it when an
// order is posted, when leases start and close and when capacity comes
// and goes, and hands it the events it scheduled for itself.
type clearing interface {
	// post opens deployment id's order: at its arrival, at a retry and
	// when a tenant restarts after its provider closed the lease.
	post(w *World, id int32)
	// handle runs one of the driver's own events (a selection window's
	// end, a bid timeout, a repricing, a batch clearing, a queue timeout).
	handle(w *World, e Event)
	// occupancy is how long a lease holds its capacity for a deployment
	// that wants it for life (verified work adds its overhead).
	occupancy(life Time) Time
	// leaseStarted runs after lease lid started; leaseClosing when it
	// closes, after its last withdrawal and before its capacity is freed.
	leaseStarted(w *World, lid int32)
	leaseClosing(w *World, lid int32, reason int)
	// capacityFreed runs after a lease of request q closed on active
	// provider pid; capacityAdded after real provider id entered.
	capacityFreed(w *World, pid int32, q *agents.Request)
	capacityAdded(w *World, id int32)
}

// newClearing returns the driver of mechanism m: a batch market
// (market.Batcher), verified work (market.Verifier), a tiered queue
// (market.Tiered), posted prices (market.Poster) or else an auction with
// bids, deposits and a selection window.
func newClearing(w *World, m market.Mechanism) clearing {
	if b, ok := m.(market.Batcher); ok {
		return newBatchClearing(w, b)
	}
	if v, ok := m.(market.Verifier); ok {
		return newVerifiedClearing(w, v)
	}
	if p, ok := m.(market.Poster); ok {
		pl := newPlatformClearing(w, p)
		if t, ok := m.(market.Tiered); ok {
			return newTieredClearing(w, pl, t)
		}
		return pl
	}
	return newAuctionClearing(w, m)
}

// The drivers.
var (
	_ clearing = (*auctionClearing)(nil)
	_ clearing = (*platformClearing)(nil)
	_ clearing = (*tieredClearing)(nil)
	_ clearing = (*batchClearing)(nil)
	_ clearing = (*verifiedClearing)(nil)
)

// baseHooks are the hooks of a driver that has nothing to do at them.
type baseHooks struct{}

func (baseHooks) handle(w *World, e Event) {
	panic(fmt.Sprintf("sim: the clearing driver has no event %s", eventName(e.Kind)))
}
func (baseHooks) occupancy(life Time) Time                             { return life }
func (baseHooks) leaseStarted(w *World, lid int32)                     {}
func (baseHooks) leaseClosing(w *World, lid int32, reason int)         {}
func (baseHooks) capacityFreed(w *World, pid int32, q *agents.Request) {}
func (baseHooks) capacityAdded(w *World, id int32)                     {}

// marketSide is what every driver shares: the mechanism, its bid limit,
// the market's random stream and scratch space.
type marketSide struct {
	mech     market.Mechanism
	maxBids  int // bids an order accepts (market.Windowed; 0: no limit)
	rng      *rand.Rand
	src      *rand.PCG  // rng's source: intN draws from it directly, advancing the same stream
	cands    []int32    // scratch: the providers that respond to the order being collected
	perm     sparsePerm // scratch: the partial shuffle of a long provider list
	dense    []int32    // scratch: the shuffled copy of a short one
	denseMax int        // the longest list shuffled in a copy (denseShuffleMax; tests lower it)
	// the biddings of the orders collecting bids (bidBuffer); a closed
	// one's entry, and its bid buffer, serve a later order
	biddings []bidding
	bidFree  []int32
	order    market.Order // the order being cleared: the mechanism's pointer to it makes no order escape to the heap
	bits     []uint64     // scratch: the positions of a tracked scan whose provider responds (scanTracked)
	trackAt  int          // tests: a shuffled scan continues tracked at this visit (> 0), or never (< 0); 0: when it costs less
	tracked  int          // tests: scans continued tracked
}

func newMarketSide(m market.Mechanism, st Streams) marketSide {
	src := st.Source("market")
	ms := marketSide{mech: m, rng: rand.New(src), src: src, denseMax: denseShuffleMax}
	if wm, ok := m.(market.Windowed); ok {
		ms.maxBids = wm.MaxBids()
	}
	return ms
}

// post counts an attempt of deployment id's order and hands it to the
// driver.
func (w *World) post(id int32) {
	w.stats.counters[MOrderAttemptsTotal]++
	w.clr.post(w, id)
}

// collectBids asks eligible providers for bids at or below maxPrice. In
// an auction (platform false) each bid reserves its capacity; a platform
// clears at once and takes only the winner's. Providers respond in random
// order and an order accepts at most the mechanism's MaxBids bids, so the
// bidders are a uniformly random subset of the eligible providers: a
// partial Fisher-Yates shuffle of the candidates that stops once MaxBids
// eligible ones are found, which is the same distribution as shuffling all
// eligible providers and keeping the first MaxBids, without testing every
// provider. A platform samples among the providers whose quote is within
// maxPrice; an auction's window counts every provider that responds.
func (w *World) collectBids(id int32, maxPrice market.Rate, platform bool) {
	d := &w.deps.d[id]
	q := &d.spec.Request
	cr, units := class(q)
	ps := &w.prov
	ch := &w.chain
	list := ps.active
	switch {
	case q.GPUs > 0:
		list = ps.byResource[q.GPUModel]
	case platform:
		// platform-run markets look only at providers with CPU; the auctions
		// keep announcing orders to all active providers in list order, the
		// order their published figures were made with
		list = ps.byResource[agents.ResCPU]
	}
	if platform && units > ps.maxUnits[cr] {
		if bd := w.mkt.bidding(d); bd != nil {
			bd.bids = bd.bids[:0] // no provider could ever hold it
		}
		return
	}
	deposit := w.esc.bidDeposit
	m := &w.mkt
	n := len(list)
	limit := n
	if m.maxBids > 0 && m.maxBids < limit {
		limit = m.maxBids
	}
	// a short list is shuffled in a copy; a long one, of which the
	// shuffle visits a small part, in a sparse permutation (same draws)
	shuffle := limit < n
	sparse := shuffle && n > m.denseMax
	dense := list
	switch {
	case sparse:
		m.perm.reset(n)
	case shuffle:
		dense = append(m.dense[:0], list...)
		m.dense = dense
	}
	// the eligibility test is branch-free for a CPU-only order (the
	// visited providers pass or fail at random, which a branch predicts
	// badly): a candidate is written in any case and counted if eligible
	if cap(m.cands) <= limit {
		m.cands = make([]int32, 0, limit+1)
	}
	buf := m.cands[:limit+1]
	flagMask, flagWant := uint8(hotFake), uint8(0)
	if d.spec.RequireAudited {
		flagMask, flagWant = hotFake|hotAudited, hotAudited
	}
	cpuOnly := q.GPUs == 0
	// a scan of a long list continues as a tracked one (scanTracked),
	// which makes the same draws and finds the same bidders in the same
	// order; the scan decides at checkpoints whether that would cost less
	// (worthTracking): at limit visits, then at every doubling. A short
	// list's records stay in cache, where a visit costs too little to
	// gain from it (akash-2024, whose lists are short, ran 7% slower).
	checkAt := limit
	if m.trackAt != 0 {
		checkAt = m.trackAt // tests: switch at this visit, or never (negative)
	}
	found, i := 0, 0
	for ; i < n && found < limit; i++ {
		if i == checkAt && sparse {
			if m.trackAt > 0 || worthTracking(i, found, limit, n) {
				found = w.scanTracked(list, i, found, limit, buf, maxPrice, platform, d)
				m.tracked++
				break
			}
			checkAt *= 2
		}
		var pid int32
		switch {
		case sparse:
			j := i + m.intN(n-i)
			pid = m.perm.swap(list, i, j)
		case shuffle:
			j := i + m.intN(n-i)
			dense[i], dense[j] = dense[j], dense[i]
			pid = dense[i]
		default:
			pid = list[i]
		}
		// in a long list, a provider without the free GPUs asked is passed
		// on its gfree byte, without reading its hot record (an eligible
		// one's record is read in any case)
		if sparse && !cpuOnly && ps.lacksGPUs(pid, q.GPUs) {
			continue
		}
		h := &ps.hot[pid]
		var ok uint8
		if cpuOnly {
			ok = b2u(h.flags&flagMask == flagWant) & b2u(h.ocpu >= q.CPU) & b2u(h.omem >= q.MemoryGB)
		} else {
			ok = b2u(h.flags&flagMask == flagWant && ps.hotFits(pid, h, q))
		}
		if deposit > 0 {
			ok &= b2u(ch.ledger.Balance(h.acct, tokenomics.AKT) >= deposit)
		}
		// a platform samples its candidates among the providers whose quote
		// is within the limit (docs/mechanisms.md); an auction's limit counts
		// the providers that respond, whether or not their bid script fails
		if platform && shuffle && ok != 0 && ch.toRate(ps.hotQuote(pid, h, q, &w.view.MarketView), d.denom) > maxPrice {
			ok = 0
		}
		buf[found] = pid
		found += int(ok)
	}
	cands := buf[:found]
	bd := m.bidBuffer(d)
	d.reserved = !platform
	// the bidders know how many respond and the tenant's maximum price
	// (agents.MarketView; the equilibrium strategy uses both)
	w.view.Bidders, w.view.MaxUSDHour = found, ch.rateUSDHour(maxPrice, d.denom)
	// in a large market the bidders' records are far apart in memory and
	// a bid reads a chain of them (the provider, its capacity, its free
	// units): start loading every bidder's before reading any, so that the
	// misses overlap instead of following one another (only hints: no
	// value read differs)
	for _, pid := range ifManyProviders(cands, ps) {
		p := &ps.p[pid]
		prefetch(unsafe.Pointer(&p.prof.Capacity))
		prefetch(unsafe.Pointer(&p.prof.Audited))
		prefetch(unsafe.Pointer(&p.free))
		prefetch(unsafe.Pointer(&p.lastWon))
	}
	for _, pid := range ifManyProviders(cands, ps) {
		p := &ps.p[pid]
		if cr < len(p.prof.Capacity) && cr < len(p.free) {
			prefetch(unsafe.Pointer(&p.prof.Capacity[cr]))
			prefetch(unsafe.Pointer(&p.free[cr]))
		}
	}
	for _, pid := range cands {
		p := &ps.p[pid]
		rate := ch.toRate(ps.hotQuote(pid, &ps.hot[pid], q, &w.view.MarketView), d.denom)
		if rate > maxPrice {
			continue // the bid script fails above the max price
		}
		load := float32(0)
		if k := p.prof.Capacity[cr]; k > 0 {
			load = 1 - float32(p.free[cr])/float32(k)
		}
		if !platform {
			ps.take(pid, q) // a bid reserves its capacity until it is released
		}
		if deposit > 0 {
			ch.ledger.Transfer(p.acct, ch.bidEscrow, tokenomics.AKT, deposit)
		}
		// the bid is cleared and written field by field in its slot (a
		// pooled buffer's slot holds an older bid): a composite literal
		// is built on the stack in narrow stores and copied in 16 bytes
		// at a time, which cannot be forwarded from them and stalls
		nb := len(bd.bids)
		if nb == cap(bd.bids) {
			bd.bids = slices.Grow(bd.bids, 1)
		}
		bd.bids = bd.bids[:nb+1]
		b := &bd.bids[nb]
		*b = market.Bid{}
		b.Price, b.LastWon, b.Provider = rate, p.lastWon, pid
		b.Load, b.Score, b.Audited = load, float32(p.prof.Capacity[cr]), p.prof.Audited
	}
	w.view.Bidders, w.view.MaxUSDHour = 0, 0
	m.cands = cands[:0]
}

// responds reports whether provider pid would bid for deployment d's
// order in collectBids: honest, audited if the order requires it, able
// to hold the request now, holding the bid deposit and, if quoted,
// quoting within maxPrice. It is the test of collectBids' visits, which
// inline it (TestTrackedScansKeepTheRun compares runs that use each).
func (w *World) responds(pid int32, maxPrice market.Rate, quoted bool, d *deployment) bool {
	ps := &w.prov
	ch := &w.chain
	q := &d.spec.Request
	flagMask, flagWant := uint8(hotFake), uint8(0)
	if d.spec.RequireAudited {
		flagMask, flagWant = hotFake|hotAudited, hotAudited
	}
	h := &ps.hot[pid]
	if h.flags&flagMask != flagWant || !ps.hotFits(pid, h, q) {
		return false
	}
	if deposit := w.esc.bidDeposit; deposit > 0 && ch.ledger.Balance(h.acct, tokenomics.AKT) < deposit {
		return false
	}
	if quoted && ch.toRate(ps.hotQuote(pid, h, q, &w.view.MarketView), d.denom) > maxPrice {
		return false
	}
	return true
}

// worthTracking reports whether a shuffled scan that has visited i of n
// positions and found found of its limit responders costs less to
// finish tracked (scanTracked) than visiting. At the rate found so far
// the scan needs about (limit-found)(i+1)/(found+1) more visits, each
// a random read of a provider's records (about 18 ns measured on
// ionet-2024); tracking reads the n-i positions left once, in order (a
// few ns each), and then costs a draw and a bit test per visit (about
// 4 ns). Only the cost depends on the answer, never the result.
func worthTracking(i, found, limit, n int) bool {
	need := (limit - found) * (i + 1) / (found + 1)
	return need*5 > n-i
}

// scanTracked finishes collectBids' sparse shuffled scan from position i,
// having found found of limit responders (written to buf), and returns
// the number found. It makes the scan's draws and finds the same
// responders in the same order, without reading a visited provider's
// records: it first marks in a bitmap, in one pass in list order, the
// positions left whose provider responds; a visit then draws its
// position j as the scan does and tests j's bit. Only a responder's
// provider is looked up and only a responder is moved (a swap that
// brings position i's provider to j moves j's bit with it), since the
// scan never visits a position twice and nothing but responders is
// read from it. The set of responders cannot change during the scan:
// its test reads no state a visit writes. Once no responder is left,
// the visits make only their draws, which leaves the stream where the
// full scan leaves it.
func (w *World) scanTracked(list []int32, i, found, limit int, buf []int32, maxPrice market.Rate, platform bool, d *deployment) int {
	m := &w.mkt
	n := len(list)
	words := (n + 63) >> 6
	if cap(m.bits) < words {
		m.bits = make([]uint64, words)
	}
	bits := m.bits[:words]
	clear(bits[i>>6:])
	perm := &m.perm
	left := 0
	ps := &w.prov
	g := d.spec.Request.GPUs
	for p := i; p < n; p++ {
		pid := perm.at(list, p)
		if g > 0 && ps.lacksGPUs(pid, g) {
			continue // known from a byte, without the hot record
		}
		if w.responds(pid, maxPrice, platform, d) {
			bits[p>>6] |= 1 << (p & 63)
			left++
		}
	}
	for ; i < n && found < limit; i++ {
		if left == 0 {
			for ; i < n; i++ {
				m.intN(n - i) // the draws of the visits left
			}
			break
		}
		j := i + m.intN(n-i)
		bi := bits[i>>6] >> (i & 63) & 1
		bj := bits[j>>6] >> (j & 63) & 1
		if bi|bj == 0 {
			continue
		}
		if bj != 0 {
			buf[found] = perm.at(list, j)
			found++
			left--
		}
		if i == j {
			continue
		}
		// position i's provider moves to j
		if bi == 0 {
			bits[j>>6] &^= 1 << (j & 63)
			continue
		}
		bits[j>>6] |= 1 << (j & 63)
		perm.slot[j] = permSlot{perm.gen, perm.at(list, i)}
	}
	return found
}

// lacksGPUs reports, from provider id's gfree byte alone, that it cannot
// respond to a request of g > 0 GPUs; false when the byte cannot tell.
func (ps *providerSet) lacksGPUs(id, g int32) bool {
	b := ps.gfree[id]
	return int32(b) < g && b != 255
}

// intN returns m.rng.IntN(n), n > 0: the same draws of the stream and
// the same value (math/rand/v2's algorithm on 64-bit platforms, which
// TestIntNMatchesRand holds it to), drawn from the PCG source directly
// instead of through Rand's Source interface.
func (m *marketSide) intN(n int) int {
	if bits.UintSize == 32 { // Rand reduces in 32 bits there
		return m.rng.IntN(n)
	}
	src := m.src
	u := uint64(n)
	if u&(u-1) == 0 {
		return int(src.Uint64() & (u - 1))
	}
	hi, lo := bits.Mul64(src.Uint64(), u)
	if lo < u {
		thresh := -u % u
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), u)
		}
	}
	return int(hi)
}

// b2u is 1 for true, 0 for false (compiled without a branch).
func b2u(b bool) uint8 {
	var u uint8
	if b {
		u = 1
	}
	return u
}

// denseShuffleMax is the longest provider list collectBids shuffles in a
// copy rather than in a sparsePerm (copying a short list costs less than
// the sparse permutation's bookkeeping).
const denseShuffleMax = 1024

// sparsePerm is a permutation of a provider list that a partial
// Fisher-Yates shuffle changes in place without copying the list: only
// the positions the shuffle swapped are stored, stamped with the
// shuffle's generation, so starting a shuffle costs nothing however long
// the list (collectBids visits a few dozen positions of lists of up to
// tens of thousands of providers).
type sparsePerm struct {
	gen  uint32
	slot []permSlot // by position: its provider, when stamped with gen
}

type permSlot struct {
	gen uint32
	pid int32
}

// reset starts a shuffle of a list of n providers: every position holds
// the list's own provider.
func (sp *sparsePerm) reset(n int) {
	if n > len(sp.slot) {
		sp.slot = append(sp.slot, make([]permSlot, n-len(sp.slot))...)
	}
	sp.gen++
	if sp.gen == 0 { // wrapped: forget every stamp
		clear(sp.slot)
		sp.gen = 1
	}
}

// at returns the provider at position i of the shuffled list.
func (sp *sparsePerm) at(list []int32, i int) int32 {
	if s := sp.slot[i]; s.gen == sp.gen {
		return s.pid
	}
	return list[i]
}

// swap exchanges positions i and j of the shuffled list and returns the
// provider now at position i.
func (sp *sparsePerm) swap(list []int32, i, j int) int32 {
	a, b := sp.at(list, i), sp.at(list, j)
	sp.slot[i] = permSlot{sp.gen, b}
	sp.slot[j] = permSlot{sp.gen, a}
	return b
}

// releaseBids closes the open bids of deployment id except the bid at
// index keep: deposits are refunded and reservations released.
func (w *World) releaseBids(id int32, keep int) {
	d := &w.deps.d[id]
	bd := w.mkt.bidding(d)
	if bd == nil {
		return
	}
	ch := &w.chain
	for i := range bd.bids {
		if i == keep {
			continue
		}
		b := &bd.bids[i]
		p := &w.prov.p[b.Provider]
		if w.esc.bidDeposit > 0 {
			ch.ledger.Transfer(ch.bidEscrow, p.acct, tokenomics.AKT, w.esc.bidDeposit)
		}
		if p.active && d.reserved {
			w.prov.give(b.Provider, &d.spec.Request)
		}
	}
	w.cancel(&bd.timeoutH)
	// its entry and buffer go back to the pool: a lease holds no bids
	bd.bids = bd.bids[:0]
	w.mkt.bidFree = append(w.mkt.bidFree, d.bidSlot-1)
	d.bidSlot = 0
}

// bidding is what an order holds only while it collects bids, until its
// bids are released: the bids and their timeout. It is kept apart from
// the deployment's record, which a lease keeps for its whole life, in
// marketSide.biddings, so that a run holds about as many as orders bid
// at once.
type bidding struct {
	bids     []market.Bid
	timeoutH Handle // the bids' timeout (auctions with a selection window)
}

// bidding returns deployment d's bidding, nil when it holds none.
func (m *marketSide) bidding(d *deployment) *bidding {
	if d.bidSlot == 0 {
		return nil
	}
	return &m.biddings[d.bidSlot-1]
}

// bids returns deployment d's open bids (none when it holds no bidding).
func (m *marketSide) bids(d *deployment) []market.Bid {
	if d.bidSlot == 0 {
		return nil
	}
	return m.biddings[d.bidSlot-1].bids
}

// bidBuffer gives deployment d a bidding with an empty bid buffer: its
// own, or one that a closed bidding returned to the pool.
func (m *marketSide) bidBuffer(d *deployment) *bidding {
	if d.bidSlot == 0 {
		d.bidSlot = alloc(&m.biddings, &m.bidFree) + 1
	}
	bd := &m.biddings[d.bidSlot-1]
	bd.bids = bd.bids[:0]
	return bd
}

// clear runs the mechanism on deployment id's bids and starts the lease
// (or releases the bids). It reports whether a lease started.
func (w *World) clear(id int32, o *market.Order) bool {
	d := &w.deps.d[id]
	m := &w.mkt
	m.order = *o
	bids := m.bids(d)
	// every bid is counted below with its provider's costs (countBid):
	// start loading their records now, so that the misses overlap the
	// mechanism's work (only hints: no value read differs)
	for i := range ifManyProviders(bids, &w.prov) {
		prefetch(unsafe.Pointer(&w.prov.costs[bids[i].Provider]))
	}
	out := m.mech.Clear(&m.order, bids, m.rng)
	if out.Winner >= 0 && (out.Price > d.maxRate || out.Price <= 0 && bids[out.Winner].Price > 0) {
		panic(fmt.Sprintf("sim: mechanism %s priced order %d at %d above its max %d", m.mech.Name(), id, out.Price, d.maxRate))
	}
	if !w.prov.staticAsks {
		for i := range bids {
			w.observe(bids[i].Provider, i == out.Winner, out.Price, d.denom, &d.spec.Request)
		}
	}
	for i := range bids { // counted here, so a bid and its win fall in one sample interval
		w.countBid(bids[i].Provider, &d.spec.Request, w.chain.rateUSDHour(bids[i].Price, d.denom), i == out.Winner)
	}
	if out.Winner < 0 {
		w.releaseBids(id, -1)
		return false
	}
	b := bids[out.Winner]
	reserved := d.reserved
	w.releaseBids(id, out.Winner)
	if !reserved {
		w.prov.take(b.Provider, &d.spec.Request) // cleared at once: no reservations before
	}
	w.startLease(id, b.Provider, out.Price)
	return true
}

// clearNow collects the bids on order o of deployment id at or below
// limit and clears it at once (platform-run mechanisms). It reports
// whether a lease started; on failure the deployment is left with no
// bids.
func (w *World) clearNow(id int32, o *market.Order, limit market.Rate) bool {
	w.collectBids(id, limit, true)
	return w.clear(id, o)
}
