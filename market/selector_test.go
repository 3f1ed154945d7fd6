package market_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

func allSelectors(t *testing.T) []market.Selector {
	t.Helper()
	var ss []market.Selector
	for _, name := range market.SelectorNames() {
		s, err := market.NewSelector(name)
		require.NoError(t, err)
		require.Equal(t, name, s.Name())
		ss = append(ss, s)
	}
	return ss
}

func isEligible(o *market.Order, b market.Bid) bool {
	return b.Price <= o.MaxPrice && (b.Audited || !o.RequireAudited)
}

func TestSelectorRegistry(t *testing.T) {
	assert.Equal(t, []string{"cheapest", "prefer-audited", "random"}, market.SelectorNames())
	assert.Len(t, allSelectors(t), 3)
	_, err := market.NewSelector("loyal")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"loyal"`)
	assert.Contains(t, err.Error(), "cheapest, prefer-audited, random")
	_, err = market.NewSelector("")
	require.Error(t, err, "the empty name is the mechanism's own rule, not a policy")
}

// TestSelectorsProperties checks, over random books (seeds 1..300, many
// ties), that every selector returns an eligible bid, or -1 exactly when
// none is eligible, without modifying the bids; that cheapest returns a
// minimum-price eligible bid (audited when an audited one is at that
// price); and that prefer-audited returns the cheapest eligible audited
// bid whenever one is eligible, else a cheapest eligible bid.
func TestSelectorsProperties(t *testing.T) {
	sels := allSelectors(t)
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		for round := 0; round < 20; round++ {
			o, bids := randomBook(rng)
			anyElig, anyAudited := false, false
			var low, lowAudited market.Rate = math.MaxInt64, math.MaxInt64
			for _, b := range bids {
				if !isEligible(&o, b) {
					continue
				}
				anyElig = true
				low = min(low, b.Price)
				if b.Audited {
					anyAudited = true
					lowAudited = min(lowAudited, b.Price)
				}
			}
			auditedAtLow := anyAudited && lowAudited == low
			for _, s := range sels {
				before := append([]market.Bid{}, bids...)
				i := s.Select(&o, bids, rng)
				require.Equal(t, before, bids, "%s must not modify bids", s.Name())
				if !anyElig {
					require.Equal(t, -1, i, "seed %d round %d %s: no eligible bid", seed, round, s.Name())
					continue
				}
				require.True(t, i >= 0 && i < len(bids), "seed %d round %d %s: an eligible bid exists, got %d", seed, round, s.Name(), i)
				b := bids[i]
				require.True(t, isEligible(&o, b), "seed %d round %d %s: picked an ineligible bid %+v", seed, round, s.Name(), b)
				switch s.Name() {
				case market.CheapestSelectorName:
					require.Equal(t, low, b.Price, "seed %d round %d: cheapest", seed, round)
					if auditedAtLow {
						require.True(t, b.Audited, "seed %d round %d: audited first among equal prices", seed, round)
					}
				case market.PreferAuditedSelectorName:
					if anyAudited {
						require.True(t, b.Audited, "seed %d round %d: an audited bid is eligible", seed, round)
						require.Equal(t, lowAudited, b.Price, "seed %d round %d: the cheapest audited", seed, round)
					} else {
						require.Equal(t, low, b.Price, "seed %d round %d: no audited bid: the cheapest", seed, round)
					}
				}
			}
		}
	}
}

// TestPreferAuditedPaysMore: the audited bid wins though dearer, within
// the max price; above it, the cheapest unaudited bid wins.
func TestPreferAuditedPaysMore(t *testing.T) {
	s, err := market.NewSelector(market.PreferAuditedSelectorName)
	require.NoError(t, err)
	bids := []market.Bid{{Provider: 0, Price: 10}, {Provider: 1, Price: 30, Audited: true}, {Provider: 2, Price: 20, Audited: true}, {Provider: 3, Price: 5}}
	rng := rand.New(rand.NewPCG(1, 1))
	assert.Equal(t, 2, s.Select(&market.Order{MaxPrice: 100}, bids, rng))
	assert.Equal(t, 3, s.Select(&market.Order{MaxPrice: 19}, bids, rng))
	assert.Equal(t, -1, s.Select(&market.Order{MaxPrice: 4}, bids, rng))
}

// TestRandomSelectorIsUniform checks that each eligible bid is picked
// about 1/k of the time (bound: 6 binomial standard deviations, several
// seeds) and that ineligible bids never are.
func TestRandomSelectorIsUniform(t *testing.T) {
	s, err := market.NewSelector(market.RandomSelectorName)
	require.NoError(t, err)
	bids := []market.Bid{
		{Provider: 0, Price: 10},
		{Provider: 1, Price: 50, Audited: true},
		{Provider: 2, Price: 101, Audited: true}, // above the max
		{Provider: 3, Price: 99},
		{Provider: 4, Price: 1, Audited: true},
		{Provider: 5, Price: 100},
	}
	cases := []struct {
		o    market.Order
		elig []int
	}{
		{market.Order{MaxPrice: 100}, []int{0, 1, 3, 4, 5}},
		{market.Order{MaxPrice: 100, RequireAudited: true}, []int{1, 4}},
	}
	const draws = 30000
	for seed := uint64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		for _, c := range cases {
			counts := make([]int, len(bids))
			for range draws {
				counts[s.Select(&c.o, bids, rng)]++
			}
			k := float64(len(c.elig))
			sd := math.Sqrt(draws * (1 / k) * (1 - 1/k))
			for i, n := range counts {
				if !slices.Contains(c.elig, i) {
					assert.Zero(t, n, "seed %d: ineligible bid %d picked", seed, i)
					continue
				}
				assert.InDelta(t, draws/k, float64(n), 6*sd, "seed %d bid %d picked %d of %d", seed, i, n, draws)
			}
		}
	}
}

// TestVickreyIgnoresSelector: the second-price auction clears as without a
// selector, whatever the tenant's policy.
func TestVickreyIgnoresSelector(t *testing.T) {
	m, err := market.New(market.VickreyReverseName, nil)
	require.NoError(t, err)
	for seed := uint64(1); seed <= 200; seed++ {
		books := rand.New(rand.NewPCG(seed, 8))
		o, bids := randomBook(books)
		want := m.Clear(&o, bids, rand.New(rand.NewPCG(seed, 9)))
		for _, s := range append(allSelectors(t), fixedSelector(-1)) {
			o.Selector = s
			got := m.Clear(&o, bids, rand.New(rand.NewPCG(seed, 9)))
			require.Equal(t, want, got, "seed %d selector %s", seed, s.Name())
		}
	}
}

// TestSelectorsDoNotAllocate: selection is on the clearing hot path.
func TestSelectorsDoNotAllocate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	o, bids := randomBook(rng)
	for len(bids) == 0 {
		o, bids = randomBook(rng)
	}
	for _, s := range allSelectors(t) {
		allocs := testing.AllocsPerRun(100, func() { s.Select(&o, bids, rng) })
		assert.Zero(t, allocs, s.Name())
		m := newAkash(t, nil)
		o.Selector = s
		allocs = testing.AllocsPerRun(100, func() { m.Clear(&o, bids, rng) })
		assert.Zero(t, allocs, "akash-reverse with %s", s.Name())
	}
}

// fixedSelector always selects the same index.
type fixedSelector int

func (fixedSelector) Name() string { return "fixed" }

func (f fixedSelector) Select(*market.Order, []market.Bid, *rand.Rand) int { return int(f) }

// TestTenantPicks: akash-reverse alone has the TenantPicks capability, and
// a mechanism clears to the bid the tenant's selector takes (an eligible
// bid that is not the cheapest) exactly when it has it.
func TestTenantPicks(t *testing.T) {
	params := map[string]market.Params{
		market.PostedPriceName: {"prices_usd_hour": gpuPrice},
		market.TieredQueueName: {"tiers": okTiers, "work_per_unit_hour": okWork},
	}
	bids := []market.Bid{{Provider: 0, Price: 10}, {Provider: 1, Price: 30, Audited: true}, {Provider: 2, Price: 40}}
	for _, name := range market.Names() {
		m := newMech(t, name, params[name])
		tp, ok := m.(market.TenantPicks)
		picks := ok && tp.TenantPicks()
		assert.Equal(t, name == market.AkashReverseName, picks, name)
		o := market.Order{MaxPrice: 35, Posted: 35, Selector: fixedSelector(1)}
		out := m.Clear(&o, bids, rand.New(rand.NewPCG(1, 1)))
		assert.Equal(t, picks, out.Winner == 1, "%s: winner %d", name, out.Winner)
	}
}
