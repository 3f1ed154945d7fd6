package market

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// TieredQueueName is the registry name of the tiered priority queue.
const TieredQueueName = "tiered-queue"

// TieredQueue is Render's Multi-Tier Pricing for rendering
// (docs/model/competitors.md §2.1): work is priced per unit of work
// (OctaneBench-hours, OB-h) at a price set by the platform for each tier;
// higher tiers cost more and are served first from the queue (Tier 3 has
// "no queue priority"; Tier 1 is the trusted tier, modelled by
// AuditedOnly). The work of an order is the sum over resources of units
// times work per unit-hour (e.g. a GPU model's OctaneBench score), so its
// posted price per hour is that work times the tier's USD per work.
// An order takes the highest-priority tier it can afford (ChooseTier);
// the platform then allocates it, like PostedPrice, among the providers
// whose asks are at or below the posted price by its Allocation rule,
// and orders that find no provider wait in the kernel's queue, served by
// priority (Backfill). The tenant pays exactly the posted price and the
// provider receives it.
type TieredQueue struct {
	// TierList holds the tiers, highest priority first (ties by name).
	TierList []Tier
	// WorkPerUnitHour is the work (OB-h) one unit of each resource does in
	// an hour, keyed by resource. Resources without an entry do no work.
	WorkPerUnitHour map[string]float64
	// Allocation picks the provider among the eligible ones.
	Allocation Allocation
	// Candidates is how many eligible providers the kernel samples per
	// order (0: all).
	Candidates int
	// BackfillDepth is how many waiting orders the kernel tries each time
	// capacity frees.
	BackfillDepth int

	work []float64 // work per unit-hour by resource index; nil until Bind
}

// NewTieredQueue builds the mechanism from its parameters: tiers (an
// array of at least one table {name (string, unique), priority (integer),
// usd_per_work (USD per unit of work, > 0), audited_only (bool, default
// false)}), work_per_unit_hour (required table resource -> work units per
// unit-hour, each >= 0, at least one > 0), allocation (as for
// posted-price, default "lowest-load"), max_candidates (integer >= 0,
// default 0: all) and backfill (integer >= 1, default 8).
func NewTieredQueue(p Params) (Mechanism, error) {
	r := newParamReader(p)
	m := &TieredQueue{
		TierList:        r.tiers("tiers"),
		WorkPerUnitHour: r.floatTable("work_per_unit_hour", true, 0, math.Inf(1)),
		Allocation:      r.allocation(),
		Candidates:      r.int("max_candidates", 0, 0, 1<<20),
		BackfillDepth:   r.int("backfill", 8, 1, 1<<20),
	}
	if m.WorkPerUnitHour != nil {
		positive := false
		for _, w := range m.WorkPerUnitHour {
			positive = positive || w > 0
		}
		if !positive {
			r.fail("work_per_unit_hour", "needs at least one entry > 0")
		}
	}
	if err := r.done(TieredQueueName); err != nil {
		return nil, err
	}
	return m, nil
}

// tiers reads an array of tier tables, checks names are unique and
// returns the tiers sorted by priority (highest first), then name.
func (r *paramReader) tiers(key string) []Tier {
	if !r.has(key) {
		r.fail(key, "required: an array of tables {name, priority, usd_per_work, audited_only}")
		return nil
	}
	n := len(r.errs)
	tbls := r.tables(key)
	if len(tbls) == 0 {
		if len(r.errs) == n {
			r.fail(key, "needs at least one tier")
		}
		return nil
	}
	out := make([]Tier, 0, len(tbls))
	seen := map[string]bool{}
	for i, t := range tbls {
		path := fmt.Sprintf("%s[%d]", key, i)
		s := r.sub(t)
		for _, req := range []string{"name", "priority", "usd_per_work"} {
			if !s.has(req) {
				s.fail(req, "required")
			}
		}
		tier := Tier{
			Name:        s.str("name", ""),
			Priority:    s.int("priority", 0, -1<<20, 1<<20),
			USDPerWork:  s.positive("usd_per_work", 0, math.Inf(1)),
			AuditedOnly: s.bool("audited_only", false),
		}
		if tier.Name != "" && seen[tier.Name] {
			s.fail("name", "duplicate tier name %q", tier.Name)
		}
		seen[tier.Name] = true
		bad := len(s.errs) > 0 || len(s.used) < len(s.p)
		r.endSub(s, path)
		if !bad {
			out = append(out, tier)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Priority != out[j].Priority {
			return out[i].Priority > out[j].Priority
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Name returns "tiered-queue".
func (m *TieredQueue) Name() string { return TieredQueueName }

// MaxBids returns max_candidates: the number of eligible providers the
// kernel samples at random per order (0: all).
func (m *TieredQueue) MaxBids() int { return m.Candidates }

// Tiers returns the tiers, highest priority first (ties by name). The
// slice is the mechanism's own: callers must not modify it.
func (m *TieredQueue) Tiers() []Tier { return m.TierList }

// Backfill returns how many waiting orders the kernel tries, in priority
// order, each time capacity frees.
func (m *TieredQueue) Backfill() int { return m.BackfillDepth }

// Bind returns a copy of the mechanism with its work table indexed by the
// run's resource keys (resource-index order). A key of
// work_per_unit_hour that is not among keys is an error
// "market.work_per_unit_hour.<key>: unknown resource (known: ...)";
// resources without an entry do no work (and cost 0).
func (m *TieredQueue) Bind(keys []string) (Mechanism, error) {
	work, err := bindTable("work_per_unit_hour", m.WorkPerUnitHour, keys)
	if err != nil {
		return nil, err
	}
	c := *m
	c.work = work
	return &c, nil
}

// PostedUSDHour returns the order's work per hour, sum over r of
// qty[r] * work[r] * mult[r] (mult may be nil for all 1), times the
// USDPerWork of tier (an index into Tiers). It panics on an unbound
// mechanism, on a tier out of range, or when len(qty) is not the number
// of bound resources: all are bugs of the caller.
func (m *TieredQueue) PostedUSDHour(qty []int32, mult []float64, tier int) float64 {
	t := m.tier(tier)
	return weightedSum(TieredQueueName, m.work, qty, mult) * t.USDPerWork
}

// Multiplier returns 1: tier prices are kept stable (competitors.md §2.1).
func (m *TieredQueue) Multiplier(util float64) float64 { return 1 }

// RepriceEvery returns 0: there is no peak pricing.
func (m *TieredQueue) RepriceEvery() int64 { return 0 }

// tier returns tier i, panicking when it is out of range (a caller bug).
func (m *TieredQueue) tier(i int) *Tier {
	if i < 0 || i >= len(m.TierList) {
		panic(fmt.Sprintf("market: %s: tier %d out of range [0, %d)", TieredQueueName, i, len(m.TierList)))
	}
	return &m.TierList[i]
}

// Clear allocates the order at its posted price o.Posted in its tier
// o.Tier: there is no winner when o.Posted <= 0 or o.Posted > o.MaxPrice;
// otherwise the eligible bids are those at or below o.Posted, audited if
// o.RequireAudited or the tier is AuditedOnly, the Allocation rule picks
// one, and the price is o.Posted. A tier out of range panics.
func (m *TieredQueue) Clear(o *Order, bids []Bid, rng *rand.Rand) Outcome {
	t := m.tier(o.Tier)
	if o.Posted <= 0 || o.Posted > o.MaxPrice {
		return NoWinner
	}
	i := m.Allocation.pick(bids, o.Posted, o.RequireAudited || t.AuditedOnly, rng)
	if i < 0 {
		return NoWinner
	}
	return Outcome{Winner: i, Price: o.Posted}
}

// ChooseTier returns the tier an order takes: among tiers whose posted
// price posted(i) is positive and at or below maxPrice, the one with the
// highest Priority (ties: the lowest index, i.e. the first in Tiers
// order). An order's urgency shows in its willingness to pay: a tenant
// that can afford a higher-priority tier takes it and is served first.
// ok is false when no tier is affordable. posted is called once per tier,
// in index order.
func ChooseTier(tiers []Tier, posted func(tier int) Rate, maxPrice Rate) (tier int, ok bool) {
	best := -1
	for i := range tiers {
		p := posted(i)
		if p <= 0 || p > maxPrice {
			continue
		}
		if best < 0 || tiers[i].Priority > tiers[best].Priority {
			best = i
		}
	}
	return best, best >= 0
}
