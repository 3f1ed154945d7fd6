package market

import "math/rand/v2"

// AkashReverseName is the registry name of the Akash reverse auction.
const AkashReverseName = "akash-reverse"

// AkashReverse is Akash's first-price reverse auction
// (docs/model/akash.md §1): providers bid their own price on an open
// order (up to MaxBids bids, OrderMaxBids = 20 on chain); after its
// selection window the tenant picks the cheapest eligible bid — at or
// below its max price, audited if it requires audited providers — and
// pays that bid's price. Ties go to an audited provider, then to a random
// one (TieBreak "random", the Console's behaviour as far as known) or to
// the lowest provider index (TieBreak "provider-id", as in workload R1).
type AkashReverse struct {
	// Bids is the maximum number of bids an order accepts (0: no limit).
	Bids int
	// TieBreak is "random" or "provider-id".
	TieBreak string
	// Open is what happens to an order that got no winner: OpenRetry (it
	// is posted again every retry_every) or OpenWait (it waits open in
	// the book of orders until a provider frees capacity).
	Open string
}

// The values of the open_orders parameter of the auctions.
const (
	// OpenRetry: an order with no winner is posted again after the
	// tenant's retry_every, until its patience ends.
	OpenRetry = "retry"
	// OpenWait: an order with no winner stays open in a book of waiting
	// orders and is posted again when capacity frees, until its patience
	// ends.
	OpenWait = "wait"
)

// NewAkashReverse builds the mechanism from its parameters: max_bids
// (integer >= 0, default 20), tie_break ("random" or "provider-id",
// default "random") and open_orders ("retry" or "wait", default
// "retry").
func NewAkashReverse(p Params) (Mechanism, error) {
	r := newParamReader(p)
	m := &AkashReverse{
		Bids:     r.int("max_bids", 20, 0, 1<<20),
		TieBreak: r.choice("tie_break", "random", "random", "provider-id"),
		Open:     r.choice("open_orders", OpenRetry, OpenRetry, OpenWait),
	}
	if err := r.done(AkashReverseName); err != nil {
		return nil, err
	}
	return m, nil
}

// Name returns "akash-reverse".
func (m *AkashReverse) Name() string { return AkashReverseName }

// PaysOwnBid returns true: the winner is paid its bid.
func (m *AkashReverse) PaysOwnBid() bool { return true }

// MaxBids returns the bid limit per order.
func (m *AkashReverse) MaxBids() int { return m.Bids }

// OrdersWait reports whether an order with no winner waits in the book
// of open orders (open_orders = "wait").
func (m *AkashReverse) OrdersWait() bool { return m.Open == OpenWait }

// TenantPicks reports true: the tenant's Selector picks the winner (see
// Clear).
func (m *AkashReverse) TenantPicks() bool { return true }

// ClearsAtCheapestAsk reports true when ties are broken by provider index
// and bids are unlimited: then the winner is the cheapest eligible ask.
func (m *AkashReverse) ClearsAtCheapestAsk() bool {
	return m.TieBreak == "provider-id" && m.Bids == 0
}

// Clear lets the tenant pick: with a selection policy (o.Selector not nil)
// the winner is the bid it selects, at that bid's price. Without one it
// picks the cheapest eligible bid; among equal prices an audited provider
// wins, and remaining ties are broken by TieBreak. Reservoir sampling keeps
// the random tie-break uniform with one pass and no allocation.
func (m *AkashReverse) Clear(o *Order, bids []Bid, rng *rand.Rand) Outcome {
	if o.Selector != nil {
		i := o.Selector.Select(o, bids, rng)
		if i < 0 {
			return NoWinner
		}
		return Outcome{Winner: i, Price: bids[i].Price}
	}
	return m.clearCheapest(o, bids, rng)
}

// clearCheapest is Clear's own rule: the cheapest eligible bid, audited
// first, then TieBreak.
func (m *AkashReverse) clearCheapest(o *Order, bids []Bid, rng *rand.Rand) Outcome {
	best := -1
	ties := 0
	for i := range bids {
		b := &bids[i]
		if b.Price > o.MaxPrice || (o.RequireAudited && !b.Audited) {
			continue
		}
		if best < 0 {
			best, ties = i, 1
			continue
		}
		c := compareBids(b, &bids[best])
		switch {
		case c < 0:
			best, ties = i, 1
		case c == 0:
			if m.TieBreak == "provider-id" {
				if b.Provider < bids[best].Provider {
					best = i
				}
				continue
			}
			ties++
			if rng.IntN(ties) == 0 {
				best = i
			}
		}
	}
	if best < 0 {
		return NoWinner
	}
	return Outcome{Winner: best, Price: bids[best].Price}
}

// cheapestBid returns the index of the cheapest bid at or below limit
// (audited if requireAudited; ties: audited first, then the lower
// Provider), or -1 when none is eligible.
func cheapestBid(bids []Bid, limit Rate, requireAudited bool) int {
	best := -1
	for i := range bids {
		b := &bids[i]
		if b.Price > limit || (requireAudited && !b.Audited) {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		if c := compareBids(b, &bids[best]); c < 0 || (c == 0 && b.Provider < bids[best].Provider) {
			best = i
		}
	}
	return best
}

// compareBids orders bids by price, then audited before not audited.
func compareBids(a, b *Bid) int {
	switch {
	case a.Price < b.Price:
		return -1
	case a.Price > b.Price:
		return 1
	case a.Audited && !b.Audited:
		return -1
	case !a.Audited && b.Audited:
		return 1
	}
	return 0
}
