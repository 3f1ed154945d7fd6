package market_test

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

func newAkash(t *testing.T, p market.Params) *market.AkashReverse {
	t.Helper()
	m, err := market.New(market.AkashReverseName, p)
	require.NoError(t, err)
	ar, ok := m.(*market.AkashReverse)
	require.True(t, ok, "akash-reverse builds an *AkashReverse, got %T", m)
	return ar
}

func TestAkashClearPicksCheapestEligible(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tb := range []string{"random", "provider-id"} {
		m := newAkash(t, market.Params{"tie_break": tb})
		cases := []struct {
			name   string
			order  market.Order
			bids   []market.Bid
			winner int
		}{
			{"no bids", market.Order{MaxPrice: 100}, nil, -1},
			{"cheapest wins", market.Order{MaxPrice: 100},
				[]market.Bid{{Provider: 0, Price: 50}, {Provider: 1, Price: 30}, {Provider: 2, Price: 40}}, 1},
			{"cheapest is last", market.Order{MaxPrice: 100},
				[]market.Bid{{Provider: 5, Price: 50}, {Provider: 3, Price: 40}, {Provider: 9, Price: 10}}, 2},
			{"at max price is eligible", market.Order{MaxPrice: 30},
				[]market.Bid{{Provider: 0, Price: 31}, {Provider: 1, Price: 30}}, 1},
			{"all above max price", market.Order{MaxPrice: 29},
				[]market.Bid{{Provider: 0, Price: 31}, {Provider: 1, Price: 30}}, -1},
			{"cheaper bid above max is skipped", market.Order{MaxPrice: 60},
				[]market.Bid{{Provider: 0, Price: 70}, {Provider: 1, Price: 60}}, 1},
			{"audited required filters cheaper unaudited", market.Order{MaxPrice: 100, RequireAudited: true},
				[]market.Bid{{Provider: 0, Price: 10}, {Provider: 1, Price: 90, Audited: true}, {Provider: 2, Price: 20}}, 1},
			{"audited required, none audited", market.Order{MaxPrice: 100, RequireAudited: true},
				[]market.Bid{{Provider: 0, Price: 10}, {Provider: 1, Price: 20}}, -1},
			{"audited required, audited above max", market.Order{MaxPrice: 50, RequireAudited: true},
				[]market.Bid{{Provider: 0, Price: 10}, {Provider: 1, Price: 51, Audited: true}}, -1},
			{"tie goes to audited", market.Order{MaxPrice: 100},
				[]market.Bid{{Provider: 0, Price: 30}, {Provider: 1, Price: 30, Audited: true}, {Provider: 2, Price: 30}}, 1},
			{"audited does not beat cheaper", market.Order{MaxPrice: 100},
				[]market.Bid{{Provider: 0, Price: 29}, {Provider: 1, Price: 30, Audited: true}}, 0},
			{"zero price", market.Order{MaxPrice: 0},
				[]market.Bid{{Provider: 0, Price: 1}, {Provider: 1, Price: 0}}, 1},
		}
		for _, c := range cases {
			before := append([]market.Bid(nil), c.bids...)
			out := m.Clear(&c.order, c.bids, rng)
			assert.Equal(t, c.winner, out.Winner, "%s (%s)", c.name, tb)
			if c.winner >= 0 {
				assert.Equal(t, c.bids[c.winner].Price, out.Price, "first price: the winner's bid (%s)", c.name)
			} else {
				assert.Equal(t, market.NoWinner, out)
			}
			assert.Equal(t, before, c.bids, "Clear must not modify bids (%s)", c.name)
		}
	}
}

func TestAkashTieBreakProviderID(t *testing.T) {
	m := newAkash(t, market.Params{"tie_break": "provider-id", "max_bids": int64(0)})
	assert.True(t, m.ClearsAtCheapestAsk())
	bids := []market.Bid{{Provider: 7, Price: 10}, {Provider: 3, Price: 10}, {Provider: 5, Price: 10}, {Provider: 1, Price: 11}}
	// the rng must not matter: nil would panic if it were used
	out := m.Clear(&market.Order{MaxPrice: 100}, bids, nil)
	assert.Equal(t, 1, out.Winner, "lowest provider index among the tied cheapest")
	bids[0].Audited = true
	out = m.Clear(&market.Order{MaxPrice: 100}, bids, nil)
	assert.Equal(t, 0, out.Winner, "audited first, before provider index")
}

// TestAkashTieBreakRandomIsUniform checks that each of k tied bids wins
// about 1/k of the time (fixed seed, so deterministic; the bound is 6
// standard deviations of the binomial count), and that only the tied best
// bids ever win.
func TestAkashTieBreakRandomIsUniform(t *testing.T) {
	m := newAkash(t, nil)
	assert.Equal(t, "random", m.TieBreak)
	assert.False(t, m.ClearsAtCheapestAsk())
	const draws = 40000
	cases := []struct {
		name string
		bids []market.Bid
		tied []int32
	}{
		{"audited among the cheapest", []market.Bid{
			{Provider: 0, Price: 20},                // above the max
			{Provider: 1, Price: 10, Audited: true}, // tied
			{Provider: 2, Price: 10},                // cheapest but not audited
			{Provider: 3, Price: 10, Audited: true}, // tied
			{Provider: 4, Price: 10, Audited: true}, // tied
			{Provider: 5, Price: 11, Audited: true}, // dearer
			{Provider: 6, Price: 10, Audited: true}, // tied
		}, []int32{1, 3, 4, 6}},
		{"none audited", []market.Bid{
			{Provider: 9, Price: 7}, {Provider: 8, Price: 7}, {Provider: 7, Price: 8}, {Provider: 6, Price: 7},
		}, []int32{9, 8, 6}},
	}
	rng := rand.New(rand.NewPCG(2024, 3))
	for _, c := range cases {
		o := market.Order{MaxPrice: 10}
		wins := map[int32]int{}
		for i := 0; i < draws; i++ {
			out := m.Clear(&o, c.bids, rng)
			require.GreaterOrEqual(t, out.Winner, 0)
			require.Equal(t, c.bids[out.Winner].Price, out.Price)
			wins[c.bids[out.Winner].Provider]++
		}
		require.ElementsMatch(t, c.tied, keys(wins), c.name)
		k := float64(len(c.tied))
		exp := draws / k
		sd := math.Sqrt(draws * (1 / k) * (1 - 1/k))
		for p, n := range wins {
			assert.InDelta(t, exp, float64(n), 6*sd, "%s: provider %d won %d of %d", c.name, p, n, draws)
		}
	}
}

func keys(m map[int32]int) []int32 {
	var ks []int32
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// refWinners is the brute-force reference: the set of bid indices the
// mechanism may pick (all eligible bids at the lowest price, audited ones
// only when any audited one is among them; with provider-id, the one with
// the lowest provider index).
func refWinners(o *market.Order, bids []market.Bid, tieBreak string) []int {
	var elig []int
	for i, b := range bids {
		if b.Price <= o.MaxPrice && (!o.RequireAudited || b.Audited) {
			elig = append(elig, i)
		}
	}
	if len(elig) == 0 {
		return nil
	}
	low := bids[elig[0]].Price
	for _, i := range elig {
		low = min(low, bids[i].Price)
	}
	var cheap []int
	anyAudited := false
	for _, i := range elig {
		if bids[i].Price == low {
			cheap = append(cheap, i)
			anyAudited = anyAudited || bids[i].Audited
		}
	}
	var top []int
	for _, i := range cheap {
		if bids[i].Audited || !anyAudited {
			top = append(top, i)
		}
	}
	if tieBreak == "provider-id" {
		best := top[0]
		for _, i := range top {
			if bids[i].Provider < bids[best].Provider {
				best = i
			}
		}
		return []int{best}
	}
	return top
}

func randomBook(rng *rand.Rand) (market.Order, []market.Bid) {
	n := rng.IntN(31)
	// distinct provider indices in random order
	perm := rng.Perm(2 * (n + 1))
	bids := make([]market.Bid, n)
	spread := 1 + rng.IntN(12) // few distinct prices: many ties
	for i := range bids {
		bids[i] = market.Bid{Provider: int32(perm[i]), Price: market.Rate(100 + rng.IntN(spread)), Audited: rng.IntN(3) == 0}
	}
	o := market.Order{ID: int32(rng.IntN(1000)), MaxPrice: market.Rate(95 + rng.IntN(spread+10)), RequireAudited: rng.IntN(4) == 0}
	return o, bids
}

// TestAkashClearMatchesBruteForce compares Clear with the brute-force
// reference over random books (seeds 1..500), for both tie-breaks; with
// random ties the winner must be one of the tied best bids.
func TestAkashClearMatchesBruteForce(t *testing.T) {
	for _, tb := range []string{"random", "provider-id"} {
		m := newAkash(t, market.Params{"tie_break": tb})
		for seed := uint64(1); seed <= 500; seed++ {
			rng := rand.New(rand.NewPCG(seed, 99))
			for round := 0; round < 20; round++ {
				o, bids := randomBook(rng)
				want := refWinners(&o, bids, tb)
				before := append([]market.Bid{}, bids...)
				out := m.Clear(&o, bids, rng)
				require.Equal(t, before, bids)
				if len(want) == 0 {
					require.Equal(t, market.NoWinner, out, "seed %d round %d (%s)", seed, round, tb)
					continue
				}
				require.Contains(t, want, out.Winner, "seed %d round %d (%s): book %+v order %+v", seed, round, tb, bids, o)
				require.Equal(t, bids[out.Winner].Price, out.Price)
				require.LessOrEqual(t, out.Price, o.MaxPrice)
				if o.RequireAudited {
					require.True(t, bids[out.Winner].Audited)
				}
			}
		}
	}
}

// TestCheapestAskAgreesWithClear checks the property the kernel's fast
// path relies on: for a CheapestAsk mechanism, the first provider of an
// AskIndex over the bids' prices is the winner Clear picks (when that
// ask is within the max price).
func TestCheapestAskAgreesWithClear(t *testing.T) {
	m := newAkash(t, market.Params{"tie_break": "provider-id", "max_bids": int64(0)})
	var ca market.CheapestAsk = m
	require.True(t, ca.ClearsAtCheapestAsk())
	for seed := uint64(1); seed <= 500; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		o, bids := randomBook(rng)
		o.RequireAudited = false
		asks := make([]market.Ask, len(bids))
		for i, b := range bids {
			asks[i] = market.Ask{Provider: b.Provider, UnitAsk: float64(b.Price), Audited: b.Audited, Free: 1}
		}
		ix := market.NewAskIndex(2*len(bids)+2, asks)
		out := m.Clear(&o, bids, nil)
		p, ask, ok := ix.Cheapest(1)
		if !ok || market.Rate(ask) > o.MaxPrice {
			require.Equal(t, -1, out.Winner, "seed %d", seed)
			continue
		}
		require.GreaterOrEqual(t, out.Winner, 0, "seed %d", seed)
		require.Equal(t, p, bids[out.Winner].Provider, "seed %d", seed)
		require.Equal(t, out.Price, market.Rate(ask))
	}
}

func TestAkashCapabilities(t *testing.T) {
	cases := []struct {
		p        market.Params
		bids     int
		tb       string
		cheapest bool
	}{
		{nil, 20, "random", false},
		{market.Params{"max_bids": int64(0)}, 0, "random", false},
		{market.Params{"tie_break": "provider-id"}, 20, "provider-id", false},
		{market.Params{"tie_break": "provider-id", "max_bids": 0}, 0, "provider-id", true},
		{market.Params{"tie_break": "provider-id", "max_bids": int64(1000)}, 1000, "provider-id", false},
	}
	for _, c := range cases {
		m := newAkash(t, c.p)
		assert.Equal(t, market.AkashReverseName, m.Name())
		assert.Equal(t, c.bids, m.MaxBids(), "%v", c.p)
		assert.Equal(t, c.tb, m.TieBreak, "%v", c.p)
		assert.Equal(t, c.cheapest, m.ClearsAtCheapestAsk(), "%v", c.p)
		var w market.Windowed = m
		assert.Equal(t, c.bids, w.MaxBids())
	}
}

func TestRegistry(t *testing.T) {
	names := market.Names()
	assert.Contains(t, names, market.AkashReverseName)
	assert.True(t, sort.StringsAreSorted(names))

	_, err := market.New("vickrey-typo", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown mechanism "vickrey-typo"`)
	for _, n := range names {
		assert.Contains(t, err.Error(), n, "the error lists the known names")
	}

	r := market.DefaultRegistry()
	fake := func(market.Params) (market.Mechanism, error) { return newAkash(t, nil), nil }
	r.Register("zz-last", fake)
	r.Register("aa-first", fake)
	got := r.Names()
	assert.True(t, sort.StringsAreSorted(got), "%v", got)
	assert.Equal(t, []string{"aa-first", market.AkashReverseName, market.CallMarketName, market.PostedPriceName, market.SingleSolverName, market.TieredQueueName, market.VickreyReverseName, "zz-last"}, got)
	_, err = r.New("nope", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aa-first, akash-reverse, call-market, posted-price, single-solver, tiered-queue, vickrey-reverse, zz-last")
	m, err := r.New("zz-last", nil)
	require.NoError(t, err)
	assert.NotNil(t, m)
	assert.Equal(t, []string{market.AkashReverseName, market.CallMarketName, market.PostedPriceName, market.SingleSolverName, market.TieredQueueName, market.VickreyReverseName}, market.DefaultRegistry().Names(), "registries share nothing")
}

func TestAkashParamErrors(t *testing.T) {
	cases := []struct {
		p    market.Params
		want []string
	}{
		{market.Params{"foo": 1}, []string{`market.foo: unknown parameter for mechanism "akash-reverse"`, "max_bids", "tie_break"}},
		{market.Params{"zeta": 1, "alpha": 2}, []string{"market.alpha: unknown", "market.zeta: unknown"}},
		{market.Params{"max_bids": "20"}, []string{"market.max_bids: must be an integer", "20"}},
		{market.Params{"max_bids": 20.0}, []string{"market.max_bids: must be an integer"}},
		{market.Params{"max_bids": int64(-1)}, []string{"market.max_bids: must be in [0, 1048576], got -1"}},
		{market.Params{"max_bids": 1 << 21}, []string{"market.max_bids: must be in [0, 1048576]"}},
		{market.Params{"tie_break": "lowest"}, []string{"market.tie_break: must be one of", `"random"`, `"provider-id"`, "lowest"}},
		{market.Params{"tie_break": 3}, []string{"market.tie_break: must be one of"}},
		{market.Params{"tie_break": "Random"}, []string{"market.tie_break"}},
		{market.Params{"max_bids": "x", "tie_break": "y"}, []string{"market.max_bids", "market.tie_break"}},
	}
	for _, c := range cases {
		m, err := market.New(market.AkashReverseName, c.p)
		require.Error(t, err, "%v", c.p)
		assert.Nil(t, m)
		for _, w := range c.want {
			assert.Contains(t, err.Error(), w, "%v", c.p)
		}
	}
	// the unknown-key errors come in sorted order
	_, err := market.New(market.AkashReverseName, market.Params{"zeta": 1, "alpha": 2})
	require.Error(t, err)
	msg := err.Error()
	assert.Less(t, strings.Index(msg, "market.alpha"), strings.Index(msg, "market.zeta"))
}

// TestCheapestSelectorIsAkashRule checks that AkashReverse with Selector
// cheapest gives the same winners as its own rule (TieBreak "random"):
// draw for draw with identically seeded generators, over random books,
// hence the same winner distribution.
func TestCheapestSelectorIsAkashRule(t *testing.T) {
	m := newAkash(t, nil)
	sel, err := market.NewSelector(market.CheapestSelectorName)
	require.NoError(t, err)
	for seed := uint64(1); seed <= 300; seed++ {
		books := rand.New(rand.NewPCG(seed, 3))
		own := rand.New(rand.NewPCG(seed, 4))
		viaSel := rand.New(rand.NewPCG(seed, 4))
		for round := 0; round < 20; round++ {
			o, bids := randomBook(books)
			want := m.Clear(&o, bids, own)
			o.Selector = sel
			got := m.Clear(&o, bids, viaSel)
			require.Equal(t, want, got, "seed %d round %d", seed, round)
		}
	}
}

// TestAkashUsesSelector: with a selector the winner is the selected bid at
// its own price; -1 gives NoWinner.
func TestAkashUsesSelector(t *testing.T) {
	m := newAkash(t, market.Params{"tie_break": "provider-id"})
	bids := []market.Bid{{Provider: 0, Price: 10}, {Provider: 1, Price: 30, Audited: true}, {Provider: 2, Price: 40}}
	o := market.Order{MaxPrice: 35, Selector: fixedSelector(1)}
	assert.Equal(t, market.Outcome{Winner: 1, Price: 30}, m.Clear(&o, bids, nil))
	o.Selector = fixedSelector(-1)
	assert.Equal(t, market.NoWinner, m.Clear(&o, bids, nil))
	o.Selector = market.PreferAuditedSelector{}
	assert.Equal(t, market.Outcome{Winner: 1, Price: 30}, m.Clear(&o, bids, rand.New(rand.NewPCG(1, 1))))
}

// TestOpenOrdersParam: open_orders defaults to "retry" on both auctions,
// "wait" turns the book of open orders on (market.OpenOrders), and any
// other value is refused naming the key, the value and the choices.
func TestOpenOrdersParam(t *testing.T) {
	for _, name := range []string{market.AkashReverseName, market.VickreyReverseName} {
		for _, c := range []struct {
			p    market.Params
			wait bool
		}{{nil, false}, {market.Params{"open_orders": "retry"}, false}, {market.Params{"open_orders": "wait"}, true}} {
			m, err := market.New(name, c.p)
			require.NoError(t, err)
			o, ok := m.(market.OpenOrders)
			require.True(t, ok, name)
			assert.Equal(t, c.wait, o.OrdersWait(), "%s %v", name, c.p)
		}
		_, err := market.New(name, market.Params{"open_orders": "forever"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `market.open_orders: must be one of ["retry" "wait"], got forever`)
	}
}
