package sim

import (
	"math/rand/v2"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// verifiedClearing runs a verified-compute market (market.Verifier,
// Gensyn's single solver; competitors.md §3): an order is cleared at once
// to one solver among those whose ask, with the verification overhead,
// fits the tenant's maximum price; the solver locks a stake for the task;
// the work occupies its capacity for its lifetime plus the overhead; at
// completion the work is checked, and a lost dispute slashes the stake to
// the whistleblowers.
type verifiedClearing struct {
	baseHooks
	verifier               market.Verifier
	verif                  market.Verification
	rng                    *rand.Rand // the "verification" stream
	stakes, whistleblowers tokenomics.Account
}

func newVerifiedClearing(w *World, v market.Verifier) *verifiedClearing {
	vc := &verifiedClearing{verifier: v, verif: v.Verification(), rng: w.streams.Stream("verification")}
	vc.stakes = w.chain.ledger.Open("solver-stakes")
	vc.whistleblowers = w.chain.ledger.Open("whistleblowers")
	w.esc.bidDeposit = 0 // bid deposits are Akash's (akash.md §1)
	return vc
}

// post clears the order at once among the solvers whose ask leaves room
// for the verification overhead, or leaves it to retry.
func (vc *verifiedClearing) post(w *World, id int32) {
	o := w.order(id)
	limit := market.Rate(float64(o.MaxPrice) / (1 + vc.verif.Overhead))
	if !w.clearNow(id, &o, limit) {
		w.noBid(id)
	}
}

// occupancy stretches the work's occupancy by the verification overhead
// (market.Verification.Overhead).
func (vc *verifiedClearing) occupancy(life Time) Time {
	return Time(min(float64(life)*(1+vc.verif.Overhead), float64(Never)))
}

// leaseStarted moves the solver's stake for lease lid (StakeRatio x the
// task's fee at the lease rate over its lifetime, at most what the solver
// holds) into the stakes account.
func (vc *verifiedClearing) leaseStarted(w *World, lid int32) {
	l := &w.leases.l[lid]
	d := &w.deps.d[l.dep]
	p := &w.prov.p[l.prov]
	ch := &w.chain
	hours := float64(d.endAt-w.now) / float64(Hour)
	feeUSD := w.leaseUSDHour(l) * hours
	amt := int64(vc.verif.StakeRatio * feeUSD / ch.priceUSD[tokenomics.AKT] * tokenomics.BaseUnits)
	amt = min(amt, ch.ledger.Balance(p.acct, tokenomics.AKT))
	if amt > 0 {
		ch.ledger.Transfer(p.acct, vc.stakes, tokenomics.AKT, amt)
		l.stake = amt
	}
}

// leaseClosing checks lease lid's work when its tenant completed it
// (market.Verifier.Verify): a lost dispute slashes the stake to the
// whistleblowers (paid from the solver's deposit, competitors.md §3.2);
// the rest returns to the solver. It counts the capacity the verification
// overhead used.
func (vc *verifiedClearing) leaseClosing(w *World, lid int32, reason int) {
	l := &w.leases.l[lid]
	p := &w.prov.p[l.prov]
	ch := &w.chain
	back := l.stake
	if reason == closeTenant {
		out := vc.verifier.Verify(vc.rng)
		if out.Disputed {
			w.stats.counters[MDisputesTotal]++
		}
		if out.Slashed {
			slash := int64(float64(l.stake) * vc.verif.SlashFraction)
			if slash > 0 {
				ch.ledger.Transfer(vc.stakes, vc.whistleblowers, tokenomics.AKT, slash)
				w.stats.counters[MSlashedTotal] += tokenomics.Whole(slash)
			}
			back -= slash
		}
	}
	if back > 0 {
		ch.ledger.Transfer(vc.stakes, p.acct, tokenomics.AKT, back)
	}
	l.stake = 0
	if ov := vc.verif.Overhead; ov > 0 {
		_, units := class(&w.deps.d[l.dep].spec.Request)
		w.stats.counters[MVerificationUnitHoursTotal] += float64(units) * (w.now - l.start).Hours() * ov / (1 + ov)
	}
}
