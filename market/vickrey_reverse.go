package market

import "math/rand/v2"

// VickreyReverseName is the registry name of the second-price reverse
// auction.
const VickreyReverseName = "vickrey-reverse"

// VickreyReverse is a sealed-bid second-price (Vickrey) reverse auction:
// the cheapest eligible bid wins, as in AkashReverse (ties: audited first,
// then TieBreak), but the winner is paid the second-lowest eligible bid,
// or the order's max price when it is the only eligible bid. A provider's
// payment does not depend on its own bid, so bidding its true cost is a
// dominant strategy (misreporting never raises its utility; property-
// tested), and no provider is paid below its bid nor any tenant charged
// above its max price (individual rationality). It ignores the tenant's
// selection policy (Order.Selector): truthfulness needs the lowest bid to
// win, so the tenant does not pick.
type VickreyReverse struct {
	// Bids is the maximum number of bids an order accepts (0: no limit).
	Bids int
	// TieBreak is "random" or "provider-id".
	TieBreak string
	// Open is OpenRetry or OpenWait, as for AkashReverse.
	Open string
}

// NewVickreyReverse builds the mechanism from its parameters: max_bids
// (integer >= 0, default 20), tie_break ("random" or "provider-id",
// default "random") and open_orders ("retry" or "wait", default
// "retry"), as for akash-reverse.
func NewVickreyReverse(p Params) (Mechanism, error) {
	r := newParamReader(p)
	m := &VickreyReverse{
		Bids:     r.int("max_bids", 20, 0, 1<<20),
		TieBreak: r.choice("tie_break", "random", "random", "provider-id"),
		Open:     r.choice("open_orders", OpenRetry, OpenRetry, OpenWait),
	}
	if err := r.done(VickreyReverseName); err != nil {
		return nil, err
	}
	return m, nil
}

// Name returns "vickrey-reverse".
func (m *VickreyReverse) Name() string { return VickreyReverseName }

// MaxBids returns the bid limit per order.
func (m *VickreyReverse) MaxBids() int { return m.Bids }

// OrdersWait reports whether an order with no winner waits in the book
// of open orders (open_orders = "wait").
func (m *VickreyReverse) OrdersWait() bool { return m.Open == OpenWait }

// Clear picks the cheapest eligible bid (the same winner as AkashReverse
// with the same tie-break and random stream) and prices it at the
// second-lowest eligible bid, or at the order's max price when no other
// bid is eligible.
func (m *VickreyReverse) Clear(o *Order, bids []Bid, rng *rand.Rand) Outcome {
	first := AkashReverse{Bids: m.Bids, TieBreak: m.TieBreak}
	out := first.clearCheapest(o, bids, rng) // never o.Selector: see the type's doc
	if out.Winner < 0 {
		return out
	}
	price := o.MaxPrice
	for i := range bids {
		b := &bids[i]
		if i == out.Winner || b.Price > o.MaxPrice || (o.RequireAudited && !b.Audited) {
			continue
		}
		if b.Price < price {
			price = b.Price
		}
	}
	out.Price = price
	return out
}
