package market_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

func newVickrey(t testing.TB, p market.Params) market.Mechanism {
	t.Helper()
	m, err := market.New(market.VickreyReverseName, p)
	require.NoError(t, err)
	return m
}

func TestVickreyClearTable(t *testing.T) {
	m := newVickrey(t, market.Params{"tie_break": "provider-id"})
	o := &market.Order{MaxPrice: 100}
	cases := []struct {
		name   string
		bids   []market.Bid
		winner int
		price  market.Rate
	}{
		{"no bids", nil, -1, 0},
		{"alone: paid the max price", []market.Bid{{Provider: 1, Price: 40}}, 0, 100},
		{"second lowest", []market.Bid{{Provider: 1, Price: 60}, {Provider: 2, Price: 40}, {Provider: 3, Price: 50}}, 1, 50},
		{"bids above max are not eligible", []market.Bid{{Provider: 1, Price: 40}, {Provider: 2, Price: 101}}, 0, 100},
		{"equal bids: paid the same", []market.Bid{{Provider: 2, Price: 40}, {Provider: 1, Price: 40}}, 1, 40},
	}
	for _, c := range cases {
		out := m.Clear(o, c.bids, rand.New(rand.NewPCG(1, 1)))
		assert.Equal(t, c.winner, out.Winner, c.name)
		if c.winner >= 0 {
			assert.Equal(t, c.price, out.Price, c.name)
		}
	}
	audited := &market.Order{MaxPrice: 100, RequireAudited: true}
	out := m.Clear(audited, []market.Bid{{Provider: 1, Price: 10}, {Provider: 2, Price: 30, Audited: true}, {Provider: 3, Price: 35, Audited: true}}, nil)
	assert.Equal(t, 1, out.Winner, "only audited bids are eligible")
	assert.Equal(t, market.Rate(35), out.Price, "priced at the second eligible bid, not the cheaper unaudited one")
}

// randomBook draws n bids with prices in [1, 100] and an order whose max
// price is in [50, 120].
func vickreyBook(rng *rand.Rand, n int) (*market.Order, []market.Bid) {
	o := &market.Order{MaxPrice: market.Rate(50 + rng.IntN(71)), RequireAudited: rng.IntN(4) == 0}
	bids := make([]market.Bid, n)
	for i := range bids {
		bids[i] = market.Bid{Provider: int32(i), Price: market.Rate(1 + rng.IntN(100)), Audited: rng.IntN(2) == 0}
	}
	return o, bids
}

// TestVickreyProperties checks over random books: the winner is
// akash-reverse's (same tie-break, same stream); the price is the
// second-lowest eligible bid or the max price; no winner is paid below
// its bid, no tenant charged above its max price.
func TestVickreyProperties(t *testing.T) {
	for seed := uint64(1); seed <= 500; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		o, bids := vickreyBook(rng, rng.IntN(12))
		for _, tb := range []string{"random", "provider-id"} {
			v := newVickrey(t, market.Params{"tie_break": tb})
			a := newAkash(t, market.Params{"tie_break": tb})
			out := v.Clear(o, bids, rand.New(rand.NewPCG(seed, 1)))
			ref := a.Clear(o, bids, rand.New(rand.NewPCG(seed, 1)))
			require.Equal(t, ref.Winner, out.Winner, "seed %d", seed)
			if out.Winner < 0 {
				continue
			}
			second := o.MaxPrice
			for i, b := range bids {
				if i != out.Winner && b.Price <= o.MaxPrice && (!o.RequireAudited || b.Audited) && b.Price < second {
					second = b.Price
				}
			}
			require.Equal(t, second, out.Price, "seed %d", seed)
			require.GreaterOrEqual(t, out.Price, bids[out.Winner].Price, "individually rational for the provider, seed %d", seed)
			require.LessOrEqual(t, out.Price, o.MaxPrice, "individually rational for the tenant, seed %d", seed)
		}
	}
}

// TestVickreyTruthful checks that misreporting cost never raises a
// provider's utility (payment - cost if it wins, else 0) over random books
// and misreports, with ties broken by provider index so outcomes are
// deterministic.
func TestVickreyTruthful(t *testing.T) {
	m := newVickrey(t, market.Params{"tie_break": "provider-id"})
	utility := func(o *market.Order, bids []market.Bid, i int, cost market.Rate) market.Rate {
		out := m.Clear(o, bids, nil)
		if out.Winner != i {
			return 0
		}
		return out.Price - cost
	}
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		o, bids := vickreyBook(rng, 1+rng.IntN(10))
		o.RequireAudited = false
		for i := range bids {
			cost := bids[i].Price // truthful: bid = cost
			truth := utility(o, bids, i, cost)
			for k := 0; k < 20; k++ {
				lie := append([]market.Bid(nil), bids...)
				lie[i].Price = market.Rate(1 + rng.IntN(130))
				require.GreaterOrEqual(t, truth, utility(o, lie, i, cost),
					"seed %d provider %d: bidding %d instead of its cost %d raised its utility", seed, i, lie[i].Price, cost)
			}
		}
	}
}

func TestVickreyParams(t *testing.T) {
	_, err := market.New(market.VickreyReverseName, market.Params{"posted_price": 1.0})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `market.posted_price: unknown parameter for mechanism "vickrey-reverse"`)
	m := newVickrey(t, market.Params{"max_bids": int64(5)})
	assert.Equal(t, 5, m.(market.Windowed).MaxBids())
	_, isCheapest := m.(market.CheapestAsk)
	assert.False(t, isCheapest, "the price is not the winner's ask, so the ask-index fast path must not apply")
}

// benchParams returns valid parameters for each registered mechanism,
// with every bid accepted (no window) where the mechanism has one.
func benchParams(b *testing.B, name string) market.Params {
	switch name {
	case market.AkashReverseName, market.VickreyReverseName:
		return market.Params{"max_bids": int64(0)}
	case market.PostedPriceName:
		return market.Params{"prices_usd_hour": map[string]any{"gpu": 1.0}, "peak_k": 0.5}
	case market.TieredQueueName:
		return market.Params{
			"tiers":              []map[string]any{{"name": "T1", "priority": int64(1), "usd_per_work": 2.0}, {"name": "T2", "priority": int64(0), "usd_per_work": 1.0}},
			"work_per_unit_hour": map[string]any{"gpu": 1.0},
		}
	case market.CallMarketName, market.SingleSolverName:
		return nil
	}
	b.Fatalf("BenchmarkClear: add parameters for mechanism %q", name)
	return nil
}

// BenchmarkClear clears one order against n bids for each mechanism
// (bound to one resource where it binds, with a posted price for posters
// that half the bids are at or below); for the call market (a Batcher) it
// clears 100 orders against n asks with ClearBatch.
func BenchmarkClear(b *testing.B) {
	for _, name := range market.Names() {
		for _, n := range []int{1_000, 50_000} {
			b.Run(fmt.Sprintf("%s/providers=%d", name, n), func(b *testing.B) {
				m, err := market.New(name, benchParams(b, name))
				require.NoError(b, err)
				if rb, ok := m.(market.ResourceBinder); ok {
					m, err = rb.Bind([]string{"gpu"})
					require.NoError(b, err)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				if bm, ok := m.(market.Batcher); ok {
					orders := make([]market.BatchOrder, 100)
					for i := range orders {
						orders[i] = market.BatchOrder{ID: int32(i), Units: int32(1 + rng.IntN(8)), Limit: market.Rate(1 + rng.IntN(1<<30)), RequireAudited: i%5 == 0}
					}
					asks := make([]market.BatchAsk, n)
					for i := range asks {
						asks[i] = market.BatchAsk{Provider: int32(i), UnitAsk: market.Rate(1 + rng.IntN(1<<30)), Free: int32(rng.IntN(9)), Audited: i%3 == 0}
					}
					var out []market.Match
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						out = bm.ClearBatch(orders, asks, rng, out[:0])
					}
					return
				}
				o := &market.Order{MaxPrice: 1 << 40}
				if _, ok := m.(market.Poster); ok {
					o.Posted = 1 << 29
				}
				bids := make([]market.Bid, n)
				for i := range bids {
					bids[i] = market.Bid{
						Provider: int32(i), Price: market.Rate(1 + rng.IntN(1<<30)), Audited: i%3 == 0,
						Load: float32(rng.IntN(8)) / 8, Score: float32(rng.Float64()), LastWon: int64(rng.IntN(n)),
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					m.Clear(o, bids, rng)
				}
			})
		}
	}
}
