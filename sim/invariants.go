package sim

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// Invariant is a property of a World that holds after every event: an
// economic law of the model (tokens are conserved, capacity is never
// oversold) or a piece of bookkeeping the model relies on. A broken
// invariant is a bug in the model, never bad input. The same values serve
// Config.Check (after every event or at every sample), the tests, and
// 'depinsim invariants', which lists them.
type Invariant struct {
	// Name is the invariant's short name ("ledger-conservation").
	Name string
	// Doc says in one line what holds.
	Doc string
	// check reports whether the invariant holds in w and, when it does
	// not, why, with the numbers.
	check func(w *World) (bool, string)
}

// InvariantError is a broken invariant: the run stopped at the first
// violation. It is a bug in the model, not bad input.
type InvariantError struct {
	// Invariant names the invariant (see Invariants).
	Invariant string
	// Reason says what is wrong, with the numbers.
	Reason string
	// At is the simulated time since the scenario start (negative during
	// the warmup).
	At Time
	// Event is the kind of the event after which the check failed
	// ("arrival", "lease-end", ...), and Object the object it concerned
	// (a deployment, lease, provider or cohort index).
	Event  string
	Object int32
}

// Error names the invariant, the time, the event and the reason.
func (e *InvariantError) Error() string {
	return fmt.Sprintf("sim: invariant %s violated %.3f h after the start (day %.2f), after event %s (object %d): %s",
		e.Invariant, e.At.Hours(), e.At.Days(), e.Event, e.Object, e.Reason)
}

// Check reports whether inv holds in w; reason says why not, with the
// numbers, and is empty when it holds.
func (inv Invariant) Check(w *World) (holds bool, reason string) { return inv.check(w) }

// Invariants returns every invariant, in the order they are checked.
func Invariants() []Invariant { return append([]Invariant(nil), invariants...) }

// CheckInvariants checks every invariant of Invariants in order and
// returns (true, "") or false and the first violation as "name: reason".
func (w *World) CheckInvariants() (bool, string) {
	for _, inv := range invariants {
		if ok, why := inv.check(w); !ok {
			return false, inv.Name + ": " + why
		}
	}
	return true, ""
}

var invariants = []Invariant{
	{"ledger-conservation", "for every denomination, no account is negative and the supply equals both the sum of all balances and the minted total minus the burned total", checkLedger},
	{"no-negative-balance", "no deployment's escrow funds and no lease's accrued balance is negative (ledger accounts: ledger-conservation)", checkNonNegative},
	{"escrow-covers-claims", "for every denomination, the escrow account holds at least the deployments' funds plus the leases' accrued, unpaid balances", checkEscrow},
	{"bme-vault", "the burn-mint vault holds at least its remint credits, which equal the AKT minted into ACT less the AKT paid out", checkBME},
	{"bid-deposits", "the bid escrow holds exactly one bid deposit per open bid and per active lease whose winning bid locked one", checkBidDeposits},
	{"capacity-not-oversold", "for every active provider and resource, leased plus reserved units never exceed capacity, and free units are capacity less both", checkCapacity},
	{"cpu-only-share", "on every active provider, the CPU cores and memory its CPU-only leases and open bids hold equal its counters and, on a GPU node, stay within its cohort's cpu_only_share of its capacity", checkCPUOnly},
	{"lease-links", "every active lease has one active provider and one leased deployment, and both, and the active-lease list, point back to it", checkLeaseLinks},
	{"lease-within-max-price", "no active lease pays more than its tenant's maximum price, nor a negative rate", checkMaxPrice},
	{"utilization-in-range", "for every resource, the units in active leases lie between 0 and the capacity listed by active providers (utilization in [0, 1]), as the cached totals say", checkUtilization},
	{"cohort-totals", "each provider cohort's providers, listed GPUs and CPU cores and leased GPUs (cohorts.csv) equal a recount, and the cohorts' entries and exits add up to providers_entered_total and providers_exited_total", checkCohorts},
	{"prices-finite", "the token price is finite and positive, and every active lease's price in USD per hour is finite and non-negative", checkPrices},
	{"bonded-within-supply", "bonded plus unbonding tokens never exceed the supply, and the unbonding account holds exactly the staking module's queue", checkBonded},
	{"inflation-within-bounds", "the mint module's inflation lies within its current minimum and maximum (after governance changes)", checkInflation},
	{"caps-respected", "no cohort grows by entries beyond max_providers, no incentive program pays beyond its budget, no order holds more bids than the mechanism accepts", checkCaps},
	{"open-order-book", "every live entry of an auction's book of open orders is a deployment waiting in it, in its class's queue and only once; each queue counts its live entries right, and every waiting deployment has its entry (open_orders = \"wait\")", checkOpenBook},
	{"time-monotone", "simulated time never goes backwards from one event to the next", checkTime},
	{"no-event-in-past", "no pending event is scheduled before the current time", checkQueue},
}

func checkLedger(w *World) (bool, string) { return w.chain.ledger.Check() }

func checkNonNegative(w *World) (bool, string) {
	for i := range w.deps.d {
		if d := &w.deps.d[i]; d.state != depFree && d.funds.negative() {
			return false, fmt.Sprintf("deployment %d has negative funds %d base units + %d/%d", i, d.funds.base, d.funds.frac, market.RateScale)
		}
	}
	for _, lid := range w.leases.active {
		if b := w.leases.l[lid].balance; b.negative() {
			return false, fmt.Sprintf("lease %d has a negative accrued balance %d base units + %d/%d", lid, b.base, b.frac, market.RateScale)
		}
	}
	return true, ""
}

func checkEscrow(w *World) (bool, string) {
	// the claims in whole base units (128 bits: a corrupt state may sum
	// beyond an int64) and the rate units below, summed apart
	var hi, lo [tokenomics.NumDenoms]uint64
	var frac [tokenomics.NumDenoms]int64
	claim := func(den tokenomics.Denom, a amount) {
		var c uint64
		lo[den], c = bits.Add64(lo[den], uint64(a.base), 0)
		hi[den] += c
		if a.base < 0 {
			hi[den]-- // sign extension of a negative base
		}
		frac[den] += a.frac
	}
	for i := range w.deps.d {
		if d := &w.deps.d[i]; d.state != depFree {
			claim(d.denom, d.funds)
		}
	}
	for _, lid := range w.leases.active {
		l := &w.leases.l[lid]
		claim(w.deps.d[l.dep].denom, l.balance)
	}
	for den := tokenomics.Denom(0); den < tokenomics.NumDenoms; den++ {
		// the claims rounded up to whole base units
		claim(den, amount{base: (frac[den] + market.RateScale - 1) / market.RateScale})
		have := w.chain.ledger.Balance(w.chain.escrow, den)
		// have < claims, as signed 128-bit integers
		hv, lv := uint64(0), uint64(have)
		if have < 0 {
			hv = math.MaxUint64
		}
		if int64(hv) < int64(hi[den]) || (hv == hi[den] && lv < lo[den]) {
			return false, fmt.Sprintf("escrow holds %d %s but deployments and leases claim %s base units (rate units below one base unit rounded up)", have, den, int128String(hi[den], lo[den]))
		}
	}
	return true, ""
}

// int128String formats the signed 128-bit integer hi:lo.
func int128String(hi, lo uint64) string {
	if hi == 0 {
		return fmt.Sprint(lo)
	}
	if hi == math.MaxUint64 && lo > 0 {
		return fmt.Sprint(-int64(^lo + 1))
	}
	v := new(big.Int).SetUint64(hi)
	v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(lo))
	if int64(hi) < 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	return v.String()
}

func checkBME(w *World) (bool, string) { return w.chain.bme.Check() }

func checkBidDeposits(w *World) (bool, string) {
	deposits := int64(0)
	for i := range w.deps.d {
		if d := &w.deps.d[i]; d.state != depFree {
			deposits += int64(len(w.mkt.bids(d)))
		}
	}
	for _, lid := range w.leases.active {
		if w.leases.l[lid].deposit {
			deposits++
		}
	}
	if have, want := w.chain.ledger.Balance(w.chain.bidEscrow, tokenomics.AKT), deposits*w.esc.bidDeposit; have != want {
		return false, fmt.Sprintf("bid escrow holds %d, want %d deposits x %d = %d", have, deposits, w.esc.bidDeposit, want)
	}
	return true, ""
}

// addUse adds the units request q holds to u, by resource.
func addUse(u []int64, q *agents.Request) {
	u[agents.ResCPU] += int64(q.CPU)
	u[agents.ResMemory] += int64(q.MemoryGB)
	if q.GPUs > 0 {
		u[q.GPUModel] += int64(q.GPUs)
	}
}

func checkCapacity(w *World) (bool, string) {
	used := make([]int64, len(w.prov.p)*w.nres)
	use := func(p int32) []int64 { return used[int(p)*w.nres : (int(p)+1)*w.nres] }
	for _, lid := range w.leases.active {
		l := &w.leases.l[lid]
		addUse(use(l.prov), &w.deps.d[l.dep].spec.Request)
	}
	for i := range w.deps.d {
		d := &w.deps.d[i]
		if d.state == depFree {
			continue
		}
		for _, b := range w.mkt.bids(d) {
			addUse(use(b.Provider), &d.spec.Request)
		}
	}
	for i := range w.prov.p {
		p := &w.prov.p[i]
		if !p.active {
			continue
		}
		u := use(int32(i))
		for r := range p.free {
			if u[r] > int64(p.prof.Capacity[r]) || int64(p.free[r])+u[r] != int64(p.prof.Capacity[r]) {
				return false, fmt.Sprintf("provider %d: %s capacity %d, leased or reserved %d, free %d", i, w.cat.Key(r), p.prof.Capacity[r], u[r], p.free[r])
			}
		}
	}
	return true, ""
}

func checkCPUOnly(w *World) (bool, string) {
	held := make([][2]int64, len(w.prov.p))
	add := func(pid int32, q *agents.Request) {
		if q.GPUs == 0 {
			held[pid][0] += int64(q.CPU)
			held[pid][1] += int64(q.MemoryGB)
		}
	}
	for _, lid := range w.leases.active {
		l := &w.leases.l[lid]
		add(l.prov, &w.deps.d[l.dep].spec.Request)
	}
	for i := range w.deps.d {
		d := &w.deps.d[i]
		if d.state == depFree {
			continue
		}
		for _, b := range w.mkt.bids(d) {
			add(b.Provider, &d.spec.Request)
		}
	}
	for i := range w.prov.p {
		p := &w.prov.p[i]
		if !p.active {
			continue
		}
		c := &w.cfg.Providers[p.prof.Cohort]
		for j, r := range [...]int{agents.ResCPU, agents.ResMemory} {
			limit := c.CPUOnlyLimit(&p.prof, p.prof.Capacity[r])
			if held[i][j] != int64(p.cpuOnly[j]) || held[i][j] > int64(limit) || p.cpuOnlyLimit[j] != limit {
				return false, fmt.Sprintf("provider %d (cohort %s, cpu_only_share %v): CPU-only leases and bids hold %d %s (counted %d), of a capacity of %d; CPU-only work may hold %d (kept %d)",
					i, c.Name, c.CPUOnlyShare, held[i][j], w.cat.Key(r), p.cpuOnly[j], p.prof.Capacity[r], limit, p.cpuOnlyLimit[j])
			}
		}
	}
	return true, ""
}

func checkLeaseLinks(w *World) (bool, string) {
	n := 0
	for lid := range w.leases.l {
		l := &w.leases.l[lid]
		if !l.active {
			continue
		}
		n++
		if !w.prov.p[l.prov].active {
			return false, fmt.Sprintf("lease %d is on provider %d, which has left", lid, l.prov)
		}
		if d := &w.deps.d[l.dep]; d.state != depLeased || d.lease != int32(lid) {
			return false, fmt.Sprintf("lease %d: its deployment %d (state %d) points at lease %d", lid, l.dep, d.state, d.lease)
		}
		p := &w.prov.p[l.prov]
		if int(l.posAct) >= len(w.leases.active) || w.leases.active[l.posAct] != int32(lid) ||
			int(l.posProv) >= len(p.leases) || p.leases[l.posProv] != int32(lid) {
			return false, fmt.Sprintf("lease %d: not at its positions in the active list (%d) and its provider's list (%d)", lid, l.posAct, l.posProv)
		}
		if int(l.posAct) >= len(w.leases.priced) || w.leases.priced[l.posAct] != (leasePrice{l.rate, l.denom}) {
			return false, fmt.Sprintf("lease %d: its price beside the active list (position %d of %d) is not its rate %d in denomination %d", lid, l.posAct, len(w.leases.priced), l.rate, l.denom)
		}
	}
	if n != len(w.leases.active) {
		return false, fmt.Sprintf("%d active leases, the active list holds %d", n, len(w.leases.active))
	}
	for i := range w.deps.d {
		d := &w.deps.d[i]
		switch {
		case d.state == depFree && (len(w.mkt.bids(d)) != 0 || !d.funds.isZero()):
			return false, fmt.Sprintf("free deployment %d holds %d bids and %d base units + %d/%d of funds", i, len(w.mkt.bids(d)), d.funds.base, d.funds.frac, market.RateScale)
		case d.state == depLeased && (d.lease < 0 || !w.leases.l[d.lease].active || w.leases.l[d.lease].dep != int32(i)):
			return false, fmt.Sprintf("leased deployment %d points at lease %d", i, d.lease)
		case d.state != depLeased && d.state != depFree && d.lease != -1:
			return false, fmt.Sprintf("deployment %d in state %d has lease %d", i, d.state, d.lease)
		}
	}
	return true, ""
}

func checkMaxPrice(w *World) (bool, string) {
	for _, lid := range w.leases.active {
		l := &w.leases.l[lid]
		if d := &w.deps.d[l.dep]; l.rate > d.maxRate || l.rate < 0 {
			return false, fmt.Sprintf("lease %d pays %d, outside [0, its max price %d]", lid, l.rate, d.maxRate)
		}
	}
	return true, ""
}

func checkUtilization(w *World) (bool, string) {
	capTotal := make([]int64, w.nres)
	alloc := make([]int64, w.nres)
	for _, id := range w.prov.active {
		for r, k := range w.prov.p[id].prof.Capacity {
			capTotal[r] += int64(k)
		}
	}
	for _, lid := range w.leases.active {
		addUse(alloc, &w.deps.d[w.leases.l[lid].dep].spec.Request)
	}
	for r := range w.nres {
		if capTotal[r] != w.prov.capTotal[r] || alloc[r] != w.leases.alloc[r] {
			return false, fmt.Sprintf("%s: capacity %d (cached %d), allocated %d (cached %d)", w.cat.Key(r), capTotal[r], w.prov.capTotal[r], alloc[r], w.leases.alloc[r])
		}
		if alloc[r] < 0 || alloc[r] > capTotal[r] {
			return false, fmt.Sprintf("%s: %d units leased of %d listed", w.cat.Key(r), alloc[r], capTotal[r])
		}
	}
	return true, ""
}

func checkCohorts(w *World) (bool, string) {
	counts := make([]int, len(w.cfg.Providers))
	totals := make([]cohortTotal, len(w.cfg.Providers))
	for _, id := range w.prov.active {
		p := &w.prov.p[id]
		ct := &totals[p.prof.Cohort]
		counts[p.prof.Cohort]++
		ct.cpus += int64(p.prof.Capacity[agents.ResCPU])
		for r := agents.ResGPU0; r < w.nres; r++ {
			ct.gpus += int64(p.prof.Capacity[r])
		}
		for _, lid := range p.leases {
			ct.gpusLeased += int64(w.deps.d[w.leases.l[lid].dep].spec.Request.GPUs)
		}
	}
	var entered, exited int64
	for ci := range totals {
		pc := &w.prov.cohorts[ci]
		have, want := pc.cohortTotal, totals[ci]
		have.incomeUSD = 0
		if have != want || counts[ci] != pc.count {
			return false, fmt.Sprintf("cohort %s: cached %d providers %+v, counted %d %+v", w.cfg.Providers[ci].Name, pc.count, have, counts[ci], want)
		}
		entered += pc.entered
		exited += pc.exited
	}
	if float64(entered) != w.stats.counters[MProvidersEnteredTotal] || float64(exited) != w.stats.counters[MProvidersExitedTotal] {
		return false, fmt.Sprintf("the cohorts' entries and exits add up to %d and %d, providers_entered_total and providers_exited_total are %v and %v",
			entered, exited, w.stats.counters[MProvidersEnteredTotal], w.stats.counters[MProvidersExitedTotal])
	}
	return true, ""
}

func checkPrices(w *World) (bool, string) {
	if p := w.chain.priceUSD[tokenomics.AKT]; !(p > 0) || math.IsInf(p, 0) {
		return false, fmt.Sprintf("token price %v USD", p)
	}
	for _, lid := range w.leases.active {
		if usd := w.leaseUSDHour(&w.leases.l[lid]); !(usd >= 0) || math.IsInf(usd, 0) {
			return false, fmt.Sprintf("lease %d costs %v USD/h", lid, usd)
		}
	}
	return true, ""
}

func checkBonded(w *World) (bool, string) {
	c := &w.chain
	supply := w.chain.ledger.Supply(tokenomics.AKT)
	bonded, unbonding := c.ledger.Balance(c.bonded, tokenomics.AKT), c.ledger.Balance(c.unbonding, tokenomics.AKT)
	if bonded+unbonding > supply {
		return false, fmt.Sprintf("bonded %d + unbonding %d > supply %d", bonded, unbonding, supply)
	}
	if q := c.staking.Unbonding(); q != unbonding {
		return false, fmt.Sprintf("the unbonding account holds %d, the staking queue %d", unbonding, q)
	}
	return true, ""
}

func checkInflation(w *World) (bool, string) {
	c := &w.chain
	if c.mint.Model == tokenomics.MintModelNone {
		return true, ""
	}
	if !(c.inflation >= c.mint.InflationMin && c.inflation <= c.mint.InflationMax) {
		return false, fmt.Sprintf("inflation %v outside [%v, %v]", c.inflation, c.mint.InflationMin, c.mint.InflationMax)
	}
	return true, ""
}

// budgetSlack is the relative rounding a program's USD total may carry
// above its budget (each payment is whole base units at a float price).
const budgetSlack = 1e-9

func checkCaps(w *World) (bool, string) {
	for ci, c := range w.cfg.Providers {
		if n, limit := w.prov.cohorts[ci].count, max(c.MaxProviders, c.Count); c.MaxProviders > 0 && n > limit {
			return false, fmt.Sprintf("cohort %s has %d providers, max_providers %d (count %d at entry)", c.Name, n, c.MaxProviders, c.Count)
		}
	}
	for _, ps := range w.chain.programs {
		if ps.paidUSD > ps.p.BudgetUSD*(1+budgetSlack) {
			return false, fmt.Sprintf("incentive program %s paid %v USD of a budget of %v", ps.p.Name, ps.paidUSD, ps.p.BudgetUSD)
		}
	}
	if w.mkt.maxBids > 0 {
		for i := range w.deps.d {
			if d := &w.deps.d[i]; d.state != depFree && len(w.mkt.bids(d)) > w.mkt.maxBids {
				return false, fmt.Sprintf("deployment %d holds %d bids, the mechanism accepts %d", i, len(w.mkt.bids(d)), w.mkt.maxBids)
			}
		}
	}
	return true, ""
}

func checkOpenBook(w *World) (bool, string) {
	if a, ok := w.clr.(*auctionClearing); ok && a.book != nil {
		return a.book.check(w)
	}
	return true, ""
}

func checkTime(w *World) (bool, string) {
	if w.now < w.prevNow {
		return false, fmt.Sprintf("time %v after %v", w.now, w.prevNow)
	}
	return true, ""
}

func checkQueue(w *World) (bool, string) {
	if t := w.q.PeekTime(); t < w.now {
		return false, fmt.Sprintf("an event is pending at %v, before now %v", t, w.now)
	}
	return true, ""
}
