package sim

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// escrowModule holds the escrow module's deposits (akash.md §1-§2). The
// accounts' state lives in the deployments (funds, last settled height)
// and the leases (accrued balance); the tokens in the ledger's escrow
// and bid-escrow accounts.
type escrowModule struct {
	bidDeposit int64 // AKT base units a provider locks per bid (0: none)
	minDeposit int64 // the smallest deployment deposit, base units
}

func newEscrowModule(tp *tokenomics.Params) escrowModule {
	return escrowModule{
		bidDeposit: tokenomics.Tokens(tp.BidMinDeposit),
		minDeposit: tokenomics.Tokens(tp.DeploymentMinDeposit),
	}
}

// topUpRetry is how long a tenant whose top-up failed waits before trying
// again (its escrow may run dry meanwhile).
const topUpRetry = Hour

// deposit moves usd worth of tokens (at least the minimum deposit when
// first is set) from the tenant's budget into its escrow. It reports
// false when the tenant cannot buy the tokens: a staking-token tenant
// buys them from the holders (an ACT tenant buys the AKT it burns for
// credits from them too), and when the holders' liquid tokens are fewer
// than it needs it buys nothing and deposits nothing (docs/model/akash.md,
// "When the float is short"). A deposit the BME refuses to mint for, or
// one of nothing, is not a shortage.
func (w *World) deposit(id int32, usd float64, first bool) bool {
	d := &w.deps.d[id]
	ch := &w.chain
	usd = math.Min(usd, d.budgetUSD)
	want := math.Ceil(usd / ch.priceUSD[d.denom] * tokenomics.BaseUnits)
	if d.denom == tokenomics.AKT && want > float64(ch.ledger.Balance(ch.holders, tokenomics.AKT)) {
		return false // more than the holders hold (and possibly more than an int64)
	}
	if !(want < math.MaxInt64) {
		// USDC or ACT beyond 9.2e12 USD in one deposit: more than the
		// ledger counts (int64 base units), so more than could ever be
		// bridged or bought; the order cannot be funded
		return false
	}
	amt := int64(want)
	if first && amt < w.esc.minDeposit {
		amt = w.esc.minDeposit
		if d.denom == tokenomics.AKT && amt > ch.ledger.Balance(ch.holders, tokenomics.AKT) {
			return false
		}
	}
	if amt <= 0 {
		return true
	}
	if d.denom == tokenomics.USDC && amt > math.MaxInt64-ch.ledger.Minted(tokenomics.USDC) {
		// the USDC ever bridged in would pass what the ledger counts
		// (9.2e12 USDC in all): the bridge brings in no more, and the
		// order cannot be funded
		return false
	}
	wallet := w.tenants[d.cohort].wallet
	switch d.denom {
	case tokenomics.AKT:
		ch.ledger.Transfer(ch.holders, wallet, tokenomics.AKT, amt) // the tenant buys AKT
		ch.netBuyUSD += float64(amt) / tokenomics.BaseUnits * ch.priceUSD[tokenomics.AKT]
	case tokenomics.USDC:
		ch.ledger.Mint(wallet, tokenomics.USDC, amt) // USDC bridged in
	case tokenomics.ACT:
		// the tenant buys credits through the BME (akash.md §7)
		var usd float64
		var short bool
		amt, usd, short = ch.bme.BuyACT(ch.holders, wallet, amt, ch.priceUSD[tokenomics.AKT])
		if short {
			return false
		}
		if usd > 0 {
			ch.netBuyUSD += usd
		}
		if amt <= 0 {
			return true
		}
	}
	if !d.funds.add(amountOfBase(amt)) {
		w.fail(w.rangeError(id, "escrow funds", fmt.Sprintf("deployment %d's funds of %d base units plus a deposit of %d exceed an int64", id, d.funds.base, amt)))
		return false
	}
	d.budgetUSD -= float64(amt) / tokenomics.BaseUnits * ch.priceUSD[d.denom]
	ch.ledger.Transfer(wallet, ch.escrow, d.denom, amt)
	return true
}

// scheduleFunding (re)schedules the escrow's top-up and run-dry events
// from its funds and the lease rate.
func (w *World) scheduleFunding(id int32) { w.scheduleFundingAfter(id, 0) }

// scheduleFundingAfter is scheduleFunding with the top-up check no
// earlier than notBefore.
func (w *World) scheduleFundingAfter(id int32, notBefore Time) {
	d := &w.deps.d[id]
	w.cancel(&d.dryH)
	w.cancel(&d.topUpH)
	l := &w.leases.l[d.lease]
	if l.rate <= 0 {
		return
	}
	bn := w.chain.blockNanos
	// first height at which the funds cannot pay: settledH + floor(funds/rate)
	// + 1 (Never when that is past any run, for a lease far cheaper than
	// its funds)
	dryAt := Never
	if blocks := d.funds.blocksAt(l.rate); blocks < int64(Never)/bn-d.settledH-1 {
		dryAt = Time((d.settledH + blocks + 1) * bn)
	}
	if dryAt < w.now {
		dryAt = w.now
	}
	// events at or after the lease's end are not needed: the tenant closes
	// it first (the common case, which keeps them out of the queue)
	if dryAt < d.endAt {
		d.dryH = w.at(dryAt, evDry, id, d.gen)
	}
	if d.budgetUSD > 0 {
		c := &w.cfg.Tenants[d.cohort]
		price := w.chain.priceUSD[d.denom]
		usdHour := w.leaseUSDHour(l)
		minFunds := c.RunwayMinDays * 24 * usdHour // USD
		fundsUSD := d.funds.units() / market.RateScale / tokenomics.BaseUnits * price
		t := w.now
		if fundsUSD >= minFunds { // else top up now (TopUp tests the same)
			// the start of the first block whose settlement leaves less than
			// minFunds, and a later block than now's: the escrow pays whole
			// blocks, so a check within a block would find the runway
			// unchanged and reschedule itself again and again
			minUnits := minFunds / price * tokenomics.BaseUnits * market.RateScale
			h := float64(d.settledH) + math.Floor((d.funds.units()-minUnits)/float64(l.rate)) + 1
			h = math.Max(h, float64(w.chain.height(w.now)+1))
			t = Never
			if h*float64(bn) < float64(dryAt) {
				t = Time(int64(h) * bn)
			}
		}
		t = max(t, notBefore)
		if t < dryAt && t < d.endAt {
			d.topUpH = w.at(t, evTopUp, id, d.gen)
		}
	}
}

// topUp settles deployment id's escrow and tops it up when its runway is
// short (TenantCohort.TopUp), then reschedules its funding events.
func (w *World) topUp(id int32) {
	d := &w.deps.d[id]
	if d.state != depLeased {
		return
	}
	w.settle(id)
	d = &w.deps.d[id]
	if d.state != depLeased {
		return
	}
	l := &w.leases.l[d.lease]
	c := &w.cfg.Tenants[d.cohort]
	fundsUSD := d.funds.units() / market.RateScale / tokenomics.BaseUnits * w.chain.priceUSD[d.denom]
	before := d.funds
	if usd := c.TopUp(fundsUSD, w.leaseUSDHour(l), d.budgetUSD); usd > 0 {
		w.deposit(id, usd, false)
		if d.funds == before {
			// no credits could be bought (the BME refuses to mint): try
			// again after topUpRetry rather than at every block
			w.scheduleFundingAfter(id, w.now+topUpRetry)
			return
		}
	}
	w.scheduleFunding(id)
}

// settle runs the escrow's lazy settlement to the current height (akash.md
// §2): the lease owes rate x blocks; what the funds cannot cover closes it
// for insufficient funds.
func (w *World) settle(id int32) {
	d := &w.deps.d[id]
	if d.state != depLeased {
		return
	}
	l := &w.leases.l[d.lease]
	h := w.chain.height(w.now)
	dh := h - d.settledH
	if dh <= 0 {
		return
	}
	// rate x blocks in 128 bits: a product beyond an int64 of base units
	// is more than any escrow holds, so the lease is overdrawn
	if owed, ok := owed(l.rate, dh); ok && !d.funds.less(owed) {
		d.funds.sub(owed)
		l.balance.add(owed) // cannot overflow: the escrow account holds both
		d.settledH = h
		return
	}
	// overdrawn: pay what is there, the rest is unsettled debt; the lease
	// closes for insufficient funds
	l.balance.add(d.funds)
	d.funds = amount{}
	d.settledH = h
	w.closeLease(d.lease, closeFunds)
}

// withdrawAll settles and withdraws every active lease of provider pid.
func (w *World) withdrawAll(pid int32) {
	p := &w.prov.p[pid]
	// A lease's settlement reads its lease and deployment records, rarely
	// in cache: the loop asks for them ahead (prefetch, only hints: no
	// value read differs), the lease record four places on and the
	// deployment record of the lease two places on (whose lease record
	// was asked for two places earlier), so that their cache misses
	// overlap the current lease's work instead of stalling it.
	// settling may close leases (and shrink p.leases): iterate backwards
	for i := len(p.leases) - 1; i >= 0; i-- {
		if i >= len(p.leases) {
			continue
		}
		if i >= 4 {
			prefetch(unsafe.Pointer(&w.leases.l[p.leases[i-4]]))
		}
		if i >= 2 {
			d := &w.deps.d[w.leases.l[p.leases[i-2]].dep]
			prefetch(unsafe.Pointer(&d.state))
			prefetch(unsafe.Pointer(&d.funds))
			prefetch(unsafe.Pointer(&d.settledH))
		}
		lid := p.leases[i]
		dep := w.leases.l[lid].dep
		w.settle(dep)
		if w.leases.l[lid].active {
			w.withdraw(lid)
		}
	}
}

// withdraw pays lease lid's accrued balance (whole base units) to its
// provider: the settlement (take, fee burn, burn-mint, ACT redemption) is
// tokenomics.Settle's; the kernel applies its postings and counts them.
func (w *World) withdraw(lid int32) {
	l := &w.leases.l[lid]
	d := &w.deps.d[l.dep]
	amt := l.balance.base
	if amt <= 0 {
		return
	}
	l.balance.base = 0
	ch := &w.chain
	p := &w.prov.p[l.prov]
	if tokenomics.Untaxed(ch.takeBPS[d.denom], ch.settle, d.denom) {
		// nothing to split (tokenomics.Untaxed): Settle's one posting and
		// figures, computed here with the same expressions
		price := ch.priceUSD[d.denom]
		income := float64(amt) / tokenomics.BaseUnits * price
		sell := 0.0
		if d.denom == tokenomics.AKT {
			sell = -income // providers sell their staking-token income
		}
		ch.ledger.Transfer(ch.escrow, p.acct, d.denom, amt)
		ch.netBuyUSD += sell
		w.stats.counters[MTakeFeesUSDTotal] += float64(int64(0)) / tokenomics.BaseUnits * price // Settle's FeeUSD; FeeTokens, 0, leaves ch.fees as it is
		w.prov.credit(p, income)
		ch.revenueUSD += income
		w.stats.counters[MProviderIncomeUSDTotal] += income
		return
	}
	s := &ch.settlement
	tokenomics.SettleInto(s, &tokenomics.Withdrawal{
		Amount: amt, Denom: d.denom, Settlement: ch.settle, TakeBPS: ch.takeBPS[d.denom],
		FeeBurnShare: w.cfg.Tokenomics.FeeBurnShare, PriceUSD: ch.priceUSD[d.denom], TokenPriceUSD: ch.priceUSD[tokenomics.AKT],
		HoldersTokens: ch.ledger.Balance(ch.holders, tokenomics.AKT),
	})
	ch.post(s, p.acct)
	w.stats.counters[MTakeFeesUSDTotal] += s.FeeUSD
	if s.FeeTokens < math.MaxInt64 {
		ch.fees += float64(s.FeeTokens)
	} else { // saturated: more than an int64 of base units
		ch.fees += s.FeeUSD / ch.priceUSD[tokenomics.AKT] * tokenomics.BaseUnits
	}
	if s.Paid {
		w.prov.credit(p, s.IncomeUSD)
		ch.revenueUSD += s.IncomeUSD
		w.stats.counters[MProviderIncomeUSDTotal] += s.IncomeUSD
	}
	if s.Redeem > 0 {
		// providers redeem their credits for AKT (akash.md §7) and sell it
		if out, _, _, err := ch.bme.BurnACT(p.acct, p.acct, s.Redeem, ch.priceUSD[tokenomics.AKT]); err == nil {
			ch.netBuyUSD -= float64(out) / tokenomics.BaseUnits * ch.priceUSD[tokenomics.AKT]
		}
	}
}
