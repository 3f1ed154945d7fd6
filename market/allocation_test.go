package market_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

// newMech builds a registered mechanism and fails the test on error.
func newMech(t testing.TB, name string, p market.Params) market.Mechanism {
	t.Helper()
	m, err := market.New(name, p)
	require.NoError(t, err, "%s %v", name, p)
	require.Equal(t, name, m.Name())
	return m
}

// newAs builds the mechanism called name and checks that it is a T.
func newAs[T market.Mechanism](t testing.TB, name string, p market.Params) T {
	t.Helper()
	m := newMech(t, name, p)
	v, ok := m.(T)
	require.True(t, ok, "%s builds a %T, got %T", name, v, m)
	return v
}

// bind binds a ResourceBinder to keys.
func bind(t testing.TB, m market.Mechanism, keys ...string) market.Mechanism {
	t.Helper()
	rb, ok := m.(market.ResourceBinder)
	require.True(t, ok, "%s is a ResourceBinder", m.Name())
	b, err := rb.Bind(keys)
	require.NoError(t, err)
	return b
}

// allocBook draws an order with a posted price and up to 30 bids with few
// distinct prices, loads, scores (some 0) and LastWon values, so that ties
// are common.
func allocBook(rng *rand.Rand) (market.Order, []market.Bid) {
	n := rng.IntN(31)
	perm := rng.Perm(2 * (n + 1))
	bids := make([]market.Bid, n)
	for i := range bids {
		bids[i] = market.Bid{
			Provider: int32(perm[i]),
			Price:    market.Rate(90 + rng.IntN(20)),
			Audited:  rng.IntN(3) == 0,
			Load:     float32(rng.IntN(4)) / 4,
			Score:    float32(rng.IntN(4)),
			LastWon:  int64(rng.IntN(5)),
		}
	}
	o := market.Order{ID: int32(rng.IntN(1000)), MaxPrice: market.Rate(95 + rng.IntN(20)), RequireAudited: rng.IntN(4) == 0}
	o.Posted = market.Rate(90 + rng.IntN(25))
	if rng.IntN(10) == 0 {
		o.Posted = 0
	}
	return o, bids
}

// eligibleAt lists the indices of the bids at or below limit (audited
// when required).
func eligibleAt(bids []market.Bid, limit market.Rate, audited bool) []int {
	var out []int
	for i, b := range bids {
		if b.Price <= limit && (!audited || b.Audited) {
			out = append(out, i)
		}
	}
	return out
}

// refAllocate is the brute-force reference of the deterministic rules:
// sort the eligible bids by the rule's key and take the first.
func refAllocate(rule string, bids []market.Bid, elig []int) int {
	if len(elig) == 0 {
		return -1
	}
	s := slices.Clone(elig)
	slices.SortFunc(s, func(i, j int) int {
		a, b := bids[i], bids[j]
		if rule == "lowest-load" && a.Load != b.Load {
			if a.Load < b.Load {
				return -1
			}
			return 1
		}
		if a.LastWon != b.LastWon {
			return int(a.LastWon - b.LastWon)
		}
		return int(a.Provider - b.Provider)
	})
	return s[0]
}

// TestAllocationRulesOverRandomBooks checks, for posted-price and
// tiered-queue with every allocation rule over random books (seeds
// 1..300, 10 books each): the winner is an eligible bid (at or below the
// posted price, audited when required); lowest-load and round-robin pick
// exactly the brute-force reference (a minimum-load bid, then least
// recently allocated, then lowest provider; or least recently allocated,
// then lowest provider); random-weighted never picks a zero-Score bid when
// a positive one is eligible; there is a winner exactly when a bid is
// eligible and the posted price is in (0, MaxPrice]; the tenant pays
// exactly what the provider receives, the posted price, which is at or
// above the winner's bid and at or below the tenant's max price; Clear
// does not modify bids.
func TestAllocationRulesOverRandomBooks(t *testing.T) {
	for _, rule := range market.AllocationNames() {
		mechs := []market.Mechanism{
			newMech(t, market.PostedPriceName, market.Params{"prices_usd_hour": map[string]any{"gpu": 1.0}, "allocation": rule}),
			newMech(t, market.TieredQueueName, market.Params{
				"tiers":              []map[string]any{{"name": "T", "priority": int64(0), "usd_per_work": 1.0}},
				"work_per_unit_hour": map[string]any{"gpu": 1.0},
				"allocation":         rule,
			}),
		}
		for _, m := range mechs {
			for seed := uint64(1); seed <= 300; seed++ {
				rng := rand.New(rand.NewPCG(seed, 5))
				for round := 0; round < 10; round++ {
					o, bids := allocBook(rng)
					before := slices.Clone(bids)
					out := m.Clear(&o, bids, rng)
					require.Equal(t, before, bids, "Clear must not modify bids")
					what := fmt.Sprintf("%s/%s seed %d round %d: order %+v bids %+v", m.Name(), rule, seed, round, o, bids)
					elig := eligibleAt(bids, o.Posted, o.RequireAudited)
					if o.Posted <= 0 || o.Posted > o.MaxPrice || len(elig) == 0 {
						require.Equal(t, market.NoWinner, out, what)
						continue
					}
					require.Contains(t, elig, out.Winner, what)
					require.Equal(t, o.Posted, out.Price, "budget balance: the tenant pays what the provider receives, %s", what)
					require.GreaterOrEqual(t, out.Price, bids[out.Winner].Price, "provider IR, %s", what)
					require.LessOrEqual(t, out.Price, o.MaxPrice, "tenant IR, %s", what)
					switch rule {
					case "lowest-load", "round-robin":
						require.Equal(t, refAllocate(rule, bids, elig), out.Winner, what)
					case "random-weighted":
						anyPositive := slices.ContainsFunc(elig, func(i int) bool { return bids[i].Score > 0 })
						if anyPositive {
							require.Greater(t, bids[out.Winner].Score, float32(0), what)
						}
					}
				}
			}
		}
	}
}

// TestRoundRobinVisitsEachProviderOncePerRound clears repeated orders
// against the same providers, updating the winner's LastWon to a rising
// sequence number as the kernel does: under round-robin (and under
// lowest-load when all loads are equal) every round of n clears allocates
// each of the n providers exactly once, whatever the initial LastWon
// values and bid order.
func TestRoundRobinVisitsEachProviderOncePerRound(t *testing.T) {
	for _, rule := range []string{"round-robin", "lowest-load"} {
		m := newMech(t, market.PostedPriceName, market.Params{"prices_usd_hour": map[string]any{"gpu": 1.0}, "allocation": rule})
		for seed := uint64(1); seed <= 200; seed++ {
			rng := rand.New(rand.NewPCG(seed, 17))
			n := 1 + rng.IntN(20)
			perm := rng.Perm(3 * n)
			bids := make([]market.Bid, n)
			for i := range bids {
				bids[i] = market.Bid{Provider: int32(perm[i]), Price: 10, LastWon: int64(rng.IntN(3)), Load: 0.5}
			}
			o := market.Order{MaxPrice: 100, Posted: 50}
			seq := int64(10)
			for round := 0; round < 5; round++ {
				seen := map[int32]bool{}
				for range n {
					out := m.Clear(&o, bids, rng)
					require.GreaterOrEqual(t, out.Winner, 0)
					p := bids[out.Winner].Provider
					require.False(t, seen[p], "%s seed %d round %d: provider %d allocated twice", rule, seed, round, p)
					seen[p] = true
					seq++
					bids[out.Winner].LastWon = seq
				}
				require.Len(t, seen, n)
			}
		}
	}
}

// TestLowestLoadPrefersIdleProviders checks that lowest-load picks the
// least loaded eligible provider even when it was allocated most recently.
func TestLowestLoadPrefersIdleProviders(t *testing.T) {
	m := newMech(t, market.PostedPriceName, market.Params{"prices_usd_hour": map[string]any{"gpu": 1.0}})
	assert.Equal(t, market.LowestLoad, m.(*market.PostedPrice).Allocation, "the default rule")
	bids := []market.Bid{
		{Provider: 1, Price: 10, Load: 0.5, LastWon: 0},
		{Provider: 2, Price: 10, Load: 0.25, LastWon: 99},
		{Provider: 3, Price: 60, Load: 0, LastWon: 0}, // above the posted price
		{Provider: 4, Price: 10, Load: 0.25, LastWon: 98},
	}
	out := m.Clear(&market.Order{MaxPrice: 100, Posted: 50}, bids, nil)
	assert.Equal(t, 3, out.Winner, "load 0.25 beats 0.5; among equal loads the least recently allocated")
}

// TestRandomWeightedFrequencies checks that random-weighted picks each
// eligible bid with probability Score / (sum of eligible Scores), never
// a bid with Score <= 0 or an ineligible one, and uniformly when every
// eligible Score is 0 (fixed seed; bounds of 6 binomial standard
// deviations).
func TestRandomWeightedFrequencies(t *testing.T) {
	m := newMech(t, market.PostedPriceName, market.Params{"prices_usd_hour": map[string]any{"gpu": 1.0}, "allocation": "random-weighted"})
	const draws = 60000
	cases := []struct {
		name string
		bids []market.Bid
		want map[int32]float64 // provider -> probability
	}{
		{"weighted", []market.Bid{
			{Provider: 0, Price: 10, Score: 1},
			{Provider: 1, Price: 10, Score: 0}, // zero weight
			{Provider: 2, Price: 10, Score: 3},
			{Provider: 3, Price: 99, Score: 50}, // above the posted price
			{Provider: 4, Price: 10, Score: 2},
			{Provider: 5, Price: 10, Score: -1}, // counts 0
			{Provider: 6, Price: 10, Score: float32(math.NaN())},
		}, map[int32]float64{0: 1.0 / 6, 2: 3.0 / 6, 4: 2.0 / 6}},
		{"all zero: uniform", []market.Bid{
			{Provider: 7, Price: 10}, {Provider: 8, Price: 10, Score: -2}, {Provider: 9, Price: 60, Score: 5}, {Provider: 10, Price: 10},
		}, map[int32]float64{7: 1.0 / 3, 8: 1.0 / 3, 10: 1.0 / 3}},
	}
	rng := rand.New(rand.NewPCG(77, 1))
	o := market.Order{MaxPrice: 100, Posted: 50}
	for _, c := range cases {
		wins := map[int32]int{}
		for range draws {
			out := m.Clear(&o, c.bids, rng)
			require.GreaterOrEqual(t, out.Winner, 0)
			wins[c.bids[out.Winner].Provider]++
		}
		for p := range wins {
			require.Contains(t, c.want, p, "%s: provider %d must never win", c.name, p)
		}
		for p, prob := range c.want {
			sd := math.Sqrt(draws * prob * (1 - prob))
			assert.InDelta(t, draws*prob, float64(wins[p]), 6*sd, "%s: provider %d won %d of %d", c.name, p, wins[p], draws)
		}
	}
}

func TestAllocationNames(t *testing.T) {
	assert.Equal(t, []string{"lowest-load", "round-robin", "random-weighted"}, market.AllocationNames())
	for i, n := range market.AllocationNames() {
		assert.Equal(t, n, market.Allocation(i).String())
	}
	assert.Equal(t, "Allocation(9)", market.Allocation(9).String())
}
