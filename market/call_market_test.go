package market_test

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

func newCall(t testing.TB, p market.Params) *market.CallMarket {
	t.Helper()
	return newAs[*market.CallMarket](t, market.CallMarketName, p)
}

// batchBook draws up to 15 orders and 15 asks (distinct providers, some
// with no free units) with overlapping price ranges.
func batchBook(rng *rand.Rand) ([]market.BatchOrder, []market.BatchAsk) {
	orders := make([]market.BatchOrder, rng.IntN(16))
	for i := range orders {
		orders[i] = market.BatchOrder{
			ID:             int32(rng.IntN(50)),
			Units:          int32(rng.IntN(6)), // 0: takes no part
			Limit:          market.Rate(50 + rng.IntN(100)),
			RequireAudited: rng.IntN(4) == 0,
		}
	}
	n := rng.IntN(16)
	perm := rng.Perm(2 * (n + 1))
	asks := make([]market.BatchAsk, n)
	for i := range asks {
		asks[i] = market.BatchAsk{
			Provider: int32(perm[i]),
			UnitAsk:  market.Rate(40 + rng.IntN(100)),
			Free:     int32(rng.IntN(9)),
			Audited:  rng.IntN(2) == 0,
		}
	}
	return orders, asks
}

// refCallClear is the rule of CallMarket.ClearBatch by linear scans:
// orders in demand order (limit desc, ID asc, index asc), each on the
// first ask in supply order (ask asc, audited first, provider asc) within
// its limit with enough free units (audited if required), until an
// order's limit is below the dearest ask matched so far; every match is
// priced A + round(k*(L-A)) for the dearest matched ask A and the lowest
// matched limit L.
func refCallClear(orders []market.BatchOrder, asks []market.BatchAsk, k float64) []market.Match {
	oi := make([]int, len(orders))
	for i := range oi {
		oi[i] = i
	}
	slices.SortStableFunc(oi, func(a, b int) int {
		if c := cmp.Compare(orders[b].Limit, orders[a].Limit); c != 0 {
			return c
		}
		return cmp.Compare(orders[a].ID, orders[b].ID)
	})
	ai := make([]int, len(asks))
	for i := range ai {
		ai[i] = i
	}
	slices.SortStableFunc(ai, func(a, b int) int {
		x, y := asks[a], asks[b]
		if c := cmp.Compare(x.UnitAsk, y.UnitAsk); c != 0 {
			return c
		}
		if x.Audited != y.Audited {
			if x.Audited {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.Provider, y.Provider)
	})
	free := make([]int32, len(asks))
	for i, a := range asks {
		free[i] = a.Free
	}
	var out []market.Match
	dearest, lowest := market.Rate(math.MinInt64), market.Rate(0)
	for _, i := range oi {
		o := orders[i]
		if o.Units <= 0 {
			continue
		}
		if dearest > o.Limit {
			break
		}
		for _, j := range ai {
			a := asks[j]
			if free[j] >= o.Units && (!o.RequireAudited || a.Audited) {
				if a.UnitAsk <= o.Limit {
					free[j] -= o.Units
					out = append(out, market.Match{Order: i, Provider: a.Provider})
					dearest, lowest = max(dearest, a.UnitAsk), o.Limit
				}
				break
			}
		}
	}
	p := dearest + market.Rate(math.Round(k*float64(lowest-dearest)))
	for i := range out {
		out[i].UnitPrice = p
	}
	return out
}

// TestCallMarketProperties checks ClearBatch over random books (seeds
// 1..1000, k drawn from {0, 0.5, 1, uniform}) against a linear-scan
// reference of its rule, and checks
// directly: one price per call, between the marginal ask and limit; no
// provider sells more than its Free units; each order is matched at most
// once and whole; UnitPrice <= Limit (tenant IR) and >= the matched ask's
// UnitAsk (provider IR); audited orders get audited providers; what
// tenants pay equals what providers receive; an unmatched order with
// Limit >= p fits on no eligible ask's remaining capacity; no match when
// the highest limit is below the lowest ask; out's prefix is kept; the
// inputs are not modified and rng is not used (nil).
func TestCallMarketProperties(t *testing.T) {
	traded := 0
	for seed := uint64(1); seed <= 1000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 31))
		k := []float64{0, 0.5, 1, rng.Float64()}[rng.IntN(4)]
		m := newCall(t, market.Params{"k": k})
		orders, asks := batchBook(rng)
		ob, ab := slices.Clone(orders), slices.Clone(asks)
		prefix := []market.Match{{Order: -7}}
		got := m.ClearBatch(orders, asks, nil, slices.Clone(prefix))
		require.Equal(t, ob, orders, "orders unmodified")
		require.Equal(t, ab, asks, "asks unmodified")
		require.Equal(t, prefix, got[:1], "appends to out")
		matches := got[1:]

		if want := refCallClear(orders, asks, k); len(want) > 0 {
			require.Equal(t, want, matches, "seed %d k %g", seed, k)
		} else {
			require.Empty(t, matches, "seed %d k %g", seed, k)
			continue
		}
		p := matches[0].UnitPrice

		askOf := map[int32]market.BatchAsk{}
		for _, a := range asks {
			askOf[a.Provider] = a
		}
		if len(matches) > 0 {
			traded++
		}
		sold := map[int32]int32{}
		received := map[int32]int64{}
		paid := int64(0)
		matched := map[int]bool{}
		for _, x := range matches {
			require.Equal(t, p, x.UnitPrice, "one price per call, seed %d", seed)
			o := orders[x.Order]
			a, ok := askOf[x.Provider]
			require.True(t, ok)
			require.False(t, matched[x.Order], "order matched twice, seed %d", seed)
			matched[x.Order] = true
			require.Positive(t, o.Units)
			require.LessOrEqual(t, x.UnitPrice, o.Limit, "tenant IR, seed %d", seed)
			require.GreaterOrEqual(t, x.UnitPrice, a.UnitAsk, "provider IR, seed %d", seed)
			if o.RequireAudited {
				require.True(t, a.Audited, "seed %d", seed)
			}
			sold[x.Provider] += o.Units
			received[x.Provider] += int64(o.Units) * int64(x.UnitPrice)
			paid += int64(o.Units) * int64(x.UnitPrice)
		}
		sumReceived := int64(0)
		for prov, u := range sold {
			require.LessOrEqual(t, u, askOf[prov].Free, "provider %d oversold, seed %d", prov, seed)
			sumReceived += received[prov]
		}
		require.Equal(t, paid, sumReceived, "strong budget balance, seed %d", seed)
		for i, o := range orders {
			if matched[i] || o.Units <= 0 || o.Limit < p {
				continue
			}
			for _, a := range asks {
				if a.UnitAsk <= p && (!o.RequireAudited || a.Audited) {
					require.Less(t, a.Free-sold[a.Provider], o.Units,
						"seed %d: order %d (%d units) was left out but fits on provider %d", seed, i, o.Units, a.Provider)
				}
			}
		}
	}
	require.Greater(t, traded, 500, "most books trade: the test is not vacuous")
}

// TestCallMarketNoCrossing checks over random books (seeds 1..300) that
// nothing trades when every limit is below every ask.
func TestCallMarketNoCrossing(t *testing.T) {
	m := newCall(t, nil)
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 37))
		orders, asks := batchBook(rng)
		for i := range orders {
			orders[i].Limit = market.Rate(1 + rng.IntN(39)) // below every ask (>= 40)
		}
		require.Empty(t, m.ClearBatch(orders, asks, nil, nil), "seed %d", seed)
	}
}

// TestCallMarketAmpleCapacity checks over random books (seeds 1..300)
// that when the cheapest ask alone can hold every order, every order with
// Limit at or above that ask is matched (at a price between the ask and
// the lowest matched limit), and no other order is.
func TestCallMarketAmpleCapacity(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 41))
		m := newCall(t, market.Params{"k": rng.Float64()})
		orders, asks := batchBook(rng)
		total := int32(0)
		for i := range orders {
			orders[i].RequireAudited = false
			total += orders[i].Units
		}
		cheapest := market.BatchAsk{Provider: 1000, UnitAsk: 39, Free: total + 1}
		asks = append(asks, cheapest)
		matches := m.ClearBatch(orders, asks, nil, nil)
		matched := map[int]bool{}
		lowest := market.Rate(math.MaxInt64)
		for _, x := range matches {
			matched[x.Order] = true
			lowest = min(lowest, orders[x.Order].Limit)
			require.Equal(t, int32(1000), x.Provider, "all on the cheapest ask")
		}
		for i, o := range orders {
			require.Equal(t, o.Units > 0 && o.Limit >= cheapest.UnitAsk, matched[i], "seed %d order %+v", seed, o)
		}
		if len(matches) > 0 {
			require.GreaterOrEqual(t, matches[0].UnitPrice, cheapest.UnitAsk)
			require.LessOrEqual(t, matches[0].UnitPrice, lowest)
		}
	}
}

func TestCallMarketTable(t *testing.T) {
	orders := []market.BatchOrder{
		{ID: 1, Units: 2, Limit: 100},
		{ID: 2, Units: 2, Limit: 80},
		{ID: 3, Units: 2, Limit: 60},
		{ID: 4, Units: 1, Limit: 40, RequireAudited: true},
	}
	asks := []market.BatchAsk{
		{Provider: 7, UnitAsk: 50, Free: 3},
		{Provider: 8, UnitAsk: 70, Free: 3, Audited: true},
		{Provider: 9, UnitAsk: 90, Free: 10},
	}
	// Demand units: 100 100 80 80 60 60 40; supply: 50 50 50 70 70 70 90...
	// Units 1-4 cross (80 >= 70 at the 4th); the 5th does not (60 < 70):
	// L = 80, A = 70.
	for _, c := range []struct {
		k     float64
		price market.Rate
	}{{0, 70}, {0.5, 75}, {1, 80}, {0.26, 73}} {
		m := newCall(t, market.Params{"k": c.k})
		got := m.ClearBatch(orders, asks, nil, nil)
		assert.Equal(t, []market.Match{
			{Order: 0, Provider: 7, UnitPrice: c.price}, // 2 of provider 7's 3 units
			{Order: 1, Provider: 8, UnitPrice: c.price}, // does not fit on 7's last unit
		}, got, "k %g", c.k)
	}
	m := newCall(t, nil)
	assert.Empty(t, m.ClearBatch(nil, asks, nil, nil))
	assert.Empty(t, m.ClearBatch(orders, nil, nil, nil))
	assert.Empty(t, m.ClearBatch(orders, []market.BatchAsk{{Provider: 1, UnitAsk: 1, Free: 0}}, nil, nil), "no free capacity")
	one := []market.BatchAsk{{Provider: 3, UnitAsk: 10, Free: 2}}
	assert.Equal(t, []market.Match{{Order: 0, Provider: 3, UnitPrice: 55}}, m.ClearBatch(orders, one, nil, nil),
		"one ask: q = 2 units of order 1, L = 100, A = 10")
}

func TestCallMarketParams(t *testing.T) {
	m := newCall(t, nil)
	assert.Equal(t, int64(600e9), m.Period(), "10m")
	assert.Equal(t, 0.5, m.K)
	var _ market.Batcher = m
	_, isWindowed := any(m).(market.Windowed)
	assert.False(t, isWindowed)
	m = newCall(t, market.Params{"period": "1h", "k": int64(1)})
	assert.Equal(t, int64(3600e9), m.Period())
	assert.Equal(t, 1.0, m.K)
	m = newCall(t, market.Params{"period": "1d"})
	assert.Equal(t, int64(86400e9), m.Period())
}

// TestCallMarketClearSingle checks Clear over random books (seeds
// 1..500): the winner is the cheapest eligible bid (ties: audited, then
// lower provider), priced at bid + round(k*(max - bid)), which lies
// between the bid and the max price; Clear does not modify bids.
func TestCallMarketClearSingle(t *testing.T) {
	for seed := uint64(1); seed <= 500; seed++ {
		rng := rand.New(rand.NewPCG(seed, 43))
		k := rng.Float64()
		m := newCall(t, market.Params{"k": k})
		o, bids := randomBook(rng)
		before := slices.Clone(bids)
		out := m.Clear(&o, bids, nil)
		require.Equal(t, before, bids)
		want := refWinners(&o, bids, "provider-id")
		if len(want) == 0 {
			require.Equal(t, market.NoWinner, out, "seed %d", seed)
			continue
		}
		require.Equal(t, want[0], out.Winner, "seed %d", seed)
		b := bids[out.Winner].Price
		require.Equal(t, b+market.Rate(math.Round(k*float64(o.MaxPrice-b))), out.Price, "seed %d", seed)
		require.GreaterOrEqual(t, out.Price, b)
		require.LessOrEqual(t, out.Price, o.MaxPrice)
	}
}

// TestCallMarketPriceNearInt64Limits is the regression test of a wrap
// found by FuzzClear: the price bid + round(k*(max-bid)) was computed
// through a float64 conversion that overflows int64 when the span is near
// 2^63, and the clamp then returned the bid whatever k. The price must
// follow k over the whole range of Rate, in Clear and ClearBatch.
func TestCallMarketPriceNearInt64Limits(t *testing.T) {
	const top = market.Rate(math.MaxInt64)
	for _, c := range []struct {
		k         float64
		bid, max  market.Rate
		wantPrice market.Rate
	}{
		{1, 116, top - 10, top - 10},
		{1, 0, top, top},
		{0, 0, top, 0},
		{0.5, 0, top, 1 << 62},
		{0.999999, 1, top, 1 + market.Rate(math.Round(0.999999*float64(uint64(top-1))))},
		{0.5, top - 2, top, top - 1},
	} {
		m := newCall(t, market.Params{"k": c.k})
		o := market.Order{MaxPrice: c.max}
		out := m.Clear(&o, []market.Bid{{Price: c.bid, Provider: 3}}, nil)
		assert.Equal(t, market.Outcome{Winner: 0, Price: c.wantPrice}, out, "k %g, bid %d, max %d", c.k, c.bid, c.max)
		got := m.ClearBatch([]market.BatchOrder{{Units: 1, Limit: c.max}}, []market.BatchAsk{{Provider: 3, UnitAsk: c.bid, Free: 1}}, nil, nil)
		assert.Equal(t, []market.Match{{Order: 0, Provider: 3, UnitPrice: c.wantPrice}}, got, "batch: k %g, ask %d, limit %d", c.k, c.bid, c.max)
	}
}
