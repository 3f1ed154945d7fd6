package market_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

// renderTOML is a tiered-queue [market] table as a scenario writes it.
const renderTOML = `
[market]
mechanism = "tiered-queue"
work_per_unit_hour = { RTX4090 = 1000, cpu = 0 }
backfill = 4
[[market.tiers]]
name = "T3"
priority = 0
usd_per_work = 0.001
[[market.tiers]]
name = "T1"
priority = 2
usd_per_work = 0.004
audited_only = true
[[market.tiers]]
name = "T2"
priority = 1
usd_per_work = 0.002
`

// decodeMarket decodes a TOML document and returns its [market] table
// without "mechanism", as the scenario loader passes it.
func decodeMarket(t *testing.T, doc string) market.Params {
	t.Helper()
	var v map[string]any
	_, err := toml.Decode(doc, &v)
	require.NoError(t, err)
	p := market.Params(v["market"].(map[string]any))
	delete(p, "mechanism")
	return p
}

func newTiered(t testing.TB, p market.Params) *market.TieredQueue {
	t.Helper()
	return newAs[*market.TieredQueue](t, market.TieredQueueName, p)
}

func TestTieredQueueFromTOML(t *testing.T) {
	m := newTiered(t, decodeMarket(t, renderTOML))
	assert.Equal(t, []market.Tier{
		{Name: "T1", Priority: 2, USDPerWork: 0.004, AuditedOnly: true},
		{Name: "T2", Priority: 1, USDPerWork: 0.002},
		{Name: "T3", Priority: 0, USDPerWork: 0.001},
	}, m.Tiers(), "highest priority first")
	assert.Equal(t, 4, m.Backfill())
	assert.Equal(t, 0, m.MaxBids())
	assert.Equal(t, market.LowestLoad, m.Allocation)
	assert.Equal(t, 1.0, m.Multiplier(0.95))
	assert.Equal(t, int64(0), m.RepriceEvery())
	var (
		_ market.Poster         = m
		_ market.Tiered         = m
		_ market.ResourceBinder = m
		_ market.Windowed       = m
	)

	// the same tiers as an inline array of tables
	inline := decodeMarket(t, `
[market]
tiers = [ { name = "b", priority = 1, usd_per_work = 1 }, { name = "a", priority = 1, usd_per_work = 2 }, { name = "c", priority = 5, usd_per_work = 3 } ]
work_per_unit_hour = { gpu = 1 }
`)
	_, isAnySlice := inline["tiers"].([]any)
	require.True(t, isAnySlice, "the decoder gives []any for inline arrays")
	m = newTiered(t, inline)
	var names []string
	for _, tier := range m.Tiers() {
		names = append(names, tier.Name)
	}
	assert.Equal(t, []string{"c", "a", "b"}, names, "priority desc, then name")
	assert.Equal(t, 8, m.Backfill(), "default backfill")
}

func TestTieredQueuePostedPrice(t *testing.T) {
	m := newTiered(t, decodeMarket(t, renderTOML))
	assert.PanicsWithValue(t, "market: tiered-queue: posted price of an unbound mechanism (call Bind first)", func() {
		m.PostedUSDHour([]int32{1, 1}, nil, 0)
	})
	b := bind(t, m, "cpu", "memory_gb", "RTX4090").(*market.TieredQueue)
	for i, tier := range b.Tiers() {
		assert.InDelta(t, 2*1000*tier.USDPerWork, b.PostedUSDHour([]int32{8, 32, 2}, nil, i), 1e-12, tier.Name)
		assert.InDelta(t, 2*1000*1.5*tier.USDPerWork, b.PostedUSDHour([]int32{8, 32, 2}, []float64{9, 9, 1.5}, i), 1e-12, tier.Name)
	}
	assert.Panics(t, func() { b.PostedUSDHour([]int32{1, 1, 1}, nil, 3) }, "tier out of range")
	assert.Panics(t, func() { b.Clear(&market.Order{Tier: -1}, nil, nil) }, "tier out of range")
	_, err := m.Bind([]string{"cpu", "H100"})
	require.Error(t, err)
	assert.Equal(t, "market.work_per_unit_hour.RTX4090: unknown resource (known: cpu, H100)", err.Error())
}

// TestTieredQueueAuditedTier checks that an AuditedOnly tier takes only
// audited providers even when the order does not require them, and that
// other tiers take any provider at or below the posted price.
func TestTieredQueueAuditedTier(t *testing.T) {
	m := newTiered(t, decodeMarket(t, renderTOML))
	bids := []market.Bid{{Provider: 1, Price: 10}, {Provider: 2, Price: 20, Audited: true, Load: 0.9}}
	out := m.Clear(&market.Order{MaxPrice: 100, Posted: 50, Tier: 0}, bids, nil)
	assert.Equal(t, 1, out.Winner, "T1 is audited only")
	out = m.Clear(&market.Order{MaxPrice: 100, Posted: 50, Tier: 1}, bids, nil)
	assert.Equal(t, 0, out.Winner, "T2 takes the less loaded unaudited provider")
	out = m.Clear(&market.Order{MaxPrice: 100, Posted: 15, Tier: 0}, bids, nil)
	assert.Equal(t, market.NoWinner, out, "the audited provider asks above the posted price")
}

// TestTieredQueueAuditedTierOverRandomBooks checks over random books
// (seeds 1..300) that a winner in an AuditedOnly tier is always audited
// and that the price is the posted one.
func TestTieredQueueAuditedTierOverRandomBooks(t *testing.T) {
	m := newTiered(t, decodeMarket(t, renderTOML))
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 23))
		o, bids := allocBook(rng)
		o.Tier = rng.IntN(3)
		out := m.Clear(&o, bids, rng)
		if out.Winner < 0 {
			continue
		}
		require.Equal(t, o.Posted, out.Price)
		require.LessOrEqual(t, bids[out.Winner].Price, o.Posted)
		if m.Tiers()[o.Tier].AuditedOnly || o.RequireAudited {
			require.True(t, bids[out.Winner].Audited, "seed %d", seed)
		}
	}
}

// TestChooseTier checks over random tier sets and posted prices (seeds
// 1..500) that ChooseTier returns an affordable tier (posted price in
// (0, max]) of the highest priority among affordable ones, the first such
// in index order, or ok = false when none is affordable; and that it asks
// each tier's price once, in index order.
func TestChooseTier(t *testing.T) {
	for seed := uint64(1); seed <= 500; seed++ {
		rng := rand.New(rand.NewPCG(seed, 29))
		tiers := make([]market.Tier, rng.IntN(6))
		prices := make([]market.Rate, len(tiers))
		for i := range tiers {
			tiers[i] = market.Tier{Name: fmt.Sprint(i), Priority: rng.IntN(4)}
			prices[i] = market.Rate(rng.IntN(100))
		}
		maxPrice := market.Rate(rng.IntN(100))
		var asked []int
		got, ok := market.ChooseTier(tiers, func(i int) market.Rate { asked = append(asked, i); return prices[i] }, maxPrice)
		want := -1
		for i := range tiers {
			if prices[i] > 0 && prices[i] <= maxPrice && (want < 0 || tiers[i].Priority > tiers[want].Priority) {
				want = i
			}
		}
		require.Equal(t, want, got, "seed %d", seed)
		require.Equal(t, want >= 0, ok)
		for i, a := range asked {
			require.Equal(t, i, a)
		}
		require.Len(t, asked, len(tiers))
	}
	// Render: an order that can pay for T1 takes it; one that can only
	// pay for T3 waits in T3.
	tiers := []market.Tier{{Name: "T1", Priority: 2}, {Name: "T2", Priority: 1}, {Name: "T3", Priority: 0}}
	posted := func(i int) market.Rate { return []market.Rate{400, 200, 100}[i] }
	tier, ok := market.ChooseTier(tiers, posted, 400)
	assert.True(t, ok)
	assert.Equal(t, 0, tier)
	tier, _ = market.ChooseTier(tiers, posted, 199)
	assert.Equal(t, 2, tier)
	_, ok = market.ChooseTier(tiers, posted, 99)
	assert.False(t, ok)
}
