package market_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/depinsim/depinsim/market"
)

// The fuzz targets of this package (docs/architecture.md, "Fuzzing"):
// FuzzClear clears a random order against a random book with each of the
// six mechanisms and checks the properties its rule promises; FuzzClearBatch
// does the same for the call market's batch clearing. Books are decoded
// from the fuzzer's bytes by fuzzReader, which favours a few close prices
// (so that ties are common) and mixes in the extremes of the int64 Rate.
// `make fuzz` runs them; testdata/fuzz/<Name>/ holds their seed corpora,
// which `go test` runs as ordinary tests.

// fuzzReader decodes values from fuzz bytes; past the end it reads zeros.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) u8() uint8 {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *fuzzReader) u64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(r.u8())
	}
	return v
}

func (r *fuzzReader) more() bool { return len(r.b) > 0 }

// rate reads a Rate >= 0: mostly one of 32 close values (ties), sometimes
// an extreme (0, near 2^53, near math.MaxInt64, or any non-negative int64).
func (r *fuzzReader) rate() market.Rate {
	c := r.u8()
	switch {
	case c < 200:
		return market.Rate(100 + c%32)
	case c < 215:
		return market.Rate(r.u64() >> 1)
	case c < 230:
		return market.Rate(math.MaxInt64 - int64(c-215))
	case c < 245:
		return market.Rate(1<<53 + int64(c-230) - 7)
	default:
		return market.Rate(c - 245)
	}
}

// book reads an order (max price, audited requirement, posted price) and
// up to 64 bids on distinct providers.
func (r *fuzzReader) book() (market.Order, []market.Bid) {
	o := market.Order{ID: int32(r.u8()), MaxPrice: r.rate(), RequireAudited: r.u8()%4 == 0, Posted: r.rate()}
	var bids []market.Bid
	used := map[int32]bool{}
	for r.more() && len(bids) < 64 {
		b := market.Bid{
			Price:    r.rate(),
			Audited:  r.u8()%3 == 0,
			Load:     float32(r.u8()%5) / 4,
			Score:    float32(r.u8() % 4),
			LastWon:  int64(r.u8() % 6),
			Provider: int32(r.u8()),
		}
		if b.LastWon == 5 {
			b.LastWon = math.MaxInt64
		}
		for used[b.Provider] {
			b.Provider++
		}
		used[b.Provider] = true
		bids = append(bids, b)
	}
	return o, bids
}

// fuzzMechanism builds one of the six mechanisms with parameters chosen by
// sel and returns it with a tenant selector (akash-reverse only, may be
// nil) and the number of tiers (tiered-queue).
func fuzzMechanism(t *testing.T, mech, sel uint8) (market.Mechanism, market.Selector, int) {
	names := market.Names()
	name := names[int(mech)%len(names)]
	var p market.Params
	var selector market.Selector
	tiers := 0
	switch name {
	case market.AkashReverseName, market.VickreyReverseName:
		p = market.Params{"tie_break": []string{"random", "provider-id"}[sel%2], "max_bids": int64(sel % 3)}
		if name == market.AkashReverseName && sel/2%4 > 0 {
			var err error
			selector, err = market.NewSelector(market.SelectorNames()[sel/2%4-1])
			if err != nil {
				t.Fatal(err)
			}
		}
	case market.PostedPriceName:
		p = market.Params{"prices_usd_hour": map[string]any{"gpu": 1.0}, "allocation": market.AllocationNames()[sel%3]}
	case market.TieredQueueName:
		tiers = 1 + int(sel%3)
		var ts []map[string]any
		for i := range tiers {
			ts = append(ts, map[string]any{"name": string(rune('A' + i)), "priority": int64(i), "usd_per_work": 1.0, "audited_only": sel>>(2+i)&1 == 1})
		}
		p = market.Params{"tiers": ts, "work_per_unit_hour": map[string]any{"gpu": 1.0}, "allocation": market.AllocationNames()[sel/64%3]}
	case market.CallMarketName:
		p = market.Params{"k": []float64{0, 0.5, 1, float64(sel) / 255}[sel%4]}
	case market.SingleSolverName:
		p = market.Params{"overhead": []float64{0, 0.46, float64(sel) / 10, 100}[sel%4], "solver": []string{"lowest-ask", "random"}[sel/4%2]}
	}
	m, err := market.New(name, p)
	if err != nil {
		t.Fatalf("%s %v: %v", name, p, err)
	}
	return m, selector, tiers
}

// eligibleBid reports whether b is at or below limit and audited if audited.
func eligibleBid(b *market.Bid, limit market.Rate, audited bool) bool {
	return b.Price <= limit && (b.Audited || !audited)
}

// cheapestOf returns the eligible bids of least price, audited first: the
// set the cheapest-bid rules pick from.
func cheapestOf(bids []market.Bid, limit market.Rate, audited bool) []int {
	var best []int
	for i := range bids {
		b := &bids[i]
		if !eligibleBid(b, limit, audited) {
			continue
		}
		if len(best) == 0 {
			best = []int{i}
			continue
		}
		c := &bids[best[0]]
		switch {
		case b.Price < c.Price || (b.Price == c.Price && b.Audited && !c.Audited):
			best = []int{i}
		case b.Price == c.Price && b.Audited == c.Audited:
			best = append(best, i)
		}
	}
	return best
}

// lowestProvider returns the index among idx with the lowest Provider.
func lowestProvider(bids []market.Bid, idx []int) int {
	return slices.MinFunc(idx, func(a, b int) int { return int(bids[a].Provider) - int(bids[b].Provider) })
}

// allocRef is the deterministic allocation rules by brute force: the
// eligible bid of least (Load for lowest-load,) LastWon, Provider.
func allocRef(rule market.Allocation, bids []market.Bid, limit market.Rate, audited bool) int {
	best := -1
	for i := range bids {
		b := &bids[i]
		if !eligibleBid(b, limit, audited) {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		c := &bids[best]
		if rule == market.LowestLoad && b.Load != c.Load {
			if b.Load < c.Load {
				best = i
			}
			continue
		}
		if b.LastWon < c.LastWon || (b.LastWon == c.LastWon && b.Provider < c.Provider) {
			best = i
		}
	}
	return best
}

// betweenRef is lo + round(k*(hi-lo)) computed exactly in big arithmetic,
// the call market's price rule.
func betweenRef(lo, hi market.Rate, k float64) *big.Int {
	span := new(big.Float).SetInt(new(big.Int).Sub(big.NewInt(int64(hi)), big.NewInt(int64(lo))))
	x, _ := new(big.Float).Mul(span, big.NewFloat(k)).Float64()
	d, _ := big.NewFloat(math.Round(x)).Int(nil)
	d.Add(d, big.NewInt(int64(lo)))
	if d.Cmp(big.NewInt(int64(hi))) > 0 { // the rule clamps to [lo, hi]
		d.SetInt64(int64(hi))
	}
	return d
}

// withinULP reports whether got is within the float64 rounding of the
// exact want (half a unit in the last place of the span, plus one).
func withinULP(got market.Rate, want *big.Int, span market.Rate) bool {
	diff := new(big.Int).Sub(big.NewInt(int64(got)), want)
	tol := big.NewInt(int64(math.Ceil(float64(uint64(span))*0x1p-52)) + 1)
	return diff.CmpAbs(tol) <= 0
}

// FuzzClear clears a random order against a random book with each
// mechanism (chosen by mech, its parameters by sel) and checks: no panic;
// the winner, if any, is an index of an eligible bid (audited when
// required); there is a winner exactly when the rule has an eligible bid;
// the same rng seed gives the same outcome; the bids are not modified; and
// the rule's price: akash-reverse, single-solver and the selectors pay the
// winner's bid; akash-reverse (own rule and "cheapest"), vickrey-reverse,
// call-market and single-solver "lowest-ask" pick a cheapest eligible bid
// (audited first; provider-id ties: lowest provider); vickrey-reverse pays
// the second-lowest eligible bid or the max price, at or above the
// winner's bid; call-market pays bid + round(k*(max-bid)), in [bid, max];
// single-solver's winner's bid times 1+overhead is within the max price;
// posted-price and tiered-queue charge the posted price, in (0, max], to
// a bid at or below it picked by the allocation rule (audited when the
// tier is audited-only).
func FuzzClear(f *testing.F) {
	for mech := range uint8(6) {
		f.Add(mech, uint8(0), uint64(1), []byte{5, 20, 0, 10, 3, 0, 1, 2, 1, 10, 1, 0, 3, 0, 2, 20, 2, 3, 0, 1, 3})
		f.Add(mech, uint8(7), uint64(2), []byte{250, 1, 3, 2, 226, 0, 2, 3, 4, 9, 220, 1, 0, 0, 5, 7})
	}
	f.Fuzz(func(t *testing.T, mech, sel uint8, seed uint64, data []byte) {
		m, selector, tiers := fuzzMechanism(t, mech, sel)
		r := &fuzzReader{b: data}
		o, bids := r.book()
		o.Selector = selector
		if tiers > 0 {
			o.Tier = int(seed % uint64(tiers))
		}
		orig := slices.Clone(bids)
		out := m.Clear(&o, bids, rand.New(rand.NewPCG(seed, 7)))
		if !slices.Equal(orig, bids) {
			t.Fatalf("%s modified the bids", m.Name())
		}
		again := m.Clear(&o, bids, rand.New(rand.NewPCG(seed, 7)))
		if again != out {
			t.Fatalf("%s: not deterministic for one seed: %+v then %+v", m.Name(), out, again)
		}
		if out.Winner < -1 || out.Winner >= len(bids) {
			t.Fatalf("%s: winner %d out of range for %d bids", m.Name(), out.Winner, len(bids))
		}

		// limit is the highest eligible bid price and audited whether the
		// rule requires audited providers.
		limit, audited := o.MaxPrice, o.RequireAudited
		switch mm := m.(type) {
		case *market.PostedPrice:
			limit = min(o.Posted, o.MaxPrice)
		case *market.TieredQueue:
			limit = min(o.Posted, o.MaxPrice)
			audited = audited || mm.Tiers()[o.Tier].AuditedOnly
		case *market.SingleSolver:
			limit = mm.MaxAsk(o.MaxPrice)
			// MaxAsk is floor(max/(1+overhead)): in [0, max], and not
			// below the quotient by more than float64 rounding.
			q := float64(o.MaxPrice) / (1 + mm.Checks.Overhead)
			if limit < 0 || limit > o.MaxPrice || float64(limit) < q*(1-0x1p-50)-1 {
				t.Fatalf("single-solver: MaxAsk(%d) = %d with overhead %g, want about %g", o.MaxPrice, limit, mm.Checks.Overhead, q)
			}
		}
		anyEligible := slices.ContainsFunc(bids, func(b market.Bid) bool { return eligibleBid(&b, limit, audited) })
		if _, posts := m.(market.Poster); posts && (o.Posted <= 0 || o.Posted > o.MaxPrice) {
			anyEligible = false
		}
		if out.Winner < 0 {
			if anyEligible {
				t.Fatalf("%s: no winner although a bid is eligible (limit %d, audited %v): %+v order %+v", m.Name(), limit, audited, bids, o)
			}
			return
		}
		w := &bids[out.Winner]
		if !eligibleBid(w, limit, audited) || w.Price > o.MaxPrice {
			t.Fatalf("%s: winner %+v not eligible (limit %d, audited %v, max %d)", m.Name(), *w, limit, audited, o.MaxPrice)
		}
		if out.Price > o.MaxPrice || out.Price < w.Price {
			t.Fatalf("%s: price %d outside [winner's bid %d, max price %d]", m.Name(), out.Price, w.Price, o.MaxPrice)
		}
		cheapest := cheapestOf(bids, limit, audited)
		switch mm := m.(type) {
		case *market.AkashReverse:
			if out.Price != w.Price {
				t.Fatalf("akash-reverse: first price %d != winner's bid %d", out.Price, w.Price)
			}
			switch {
			case selector == nil || selector.Name() == market.CheapestSelectorName:
				if !slices.Contains(cheapest, out.Winner) {
					t.Fatalf("akash-reverse: winner %d not among the cheapest %v", out.Winner, cheapest)
				}
				if selector == nil && mm.TieBreak == "provider-id" && out.Winner != lowestProvider(bids, cheapest) {
					t.Fatalf("akash-reverse: provider-id tie-break picked %d, not the lowest provider of %v", out.Winner, cheapest)
				}
			case selector.Name() == market.PreferAuditedSelectorName:
				if ca := cheapestOf(bids, limit, true); len(ca) > 0 && !slices.Contains(ca, out.Winner) {
					t.Fatalf("prefer-audited: winner %d not among the cheapest audited %v", out.Winner, ca)
				}
			}
		case *market.VickreyReverse:
			if !slices.Contains(cheapest, out.Winner) {
				t.Fatalf("vickrey-reverse: winner %d not among the cheapest %v", out.Winner, cheapest)
			}
			if mm.TieBreak == "provider-id" && out.Winner != lowestProvider(bids, cheapest) {
				t.Fatalf("vickrey-reverse: provider-id tie-break picked %d", out.Winner)
			}
			second := o.MaxPrice
			for i := range bids {
				if i != out.Winner && eligibleBid(&bids[i], limit, audited) {
					second = min(second, bids[i].Price)
				}
			}
			if out.Price != second {
				t.Fatalf("vickrey-reverse: price %d != second-lowest eligible bid or max price %d", out.Price, second)
			}
		case *market.CallMarket:
			if out.Winner != lowestProvider(bids, cheapest) {
				t.Fatalf("call-market: winner %d is not the cheapest, lowest provider of %v", out.Winner, cheapest)
			}
			if want := betweenRef(w.Price, o.MaxPrice, mm.K); !withinULP(out.Price, want, o.MaxPrice-w.Price) {
				t.Fatalf("call-market: price %d, want bid %d + round(%g x (max %d - bid)) = %v", out.Price, w.Price, mm.K, o.MaxPrice, want)
			}
		case *market.SingleSolver:
			if out.Price != w.Price {
				t.Fatalf("single-solver: price %d != solver's bid %d", out.Price, w.Price)
			}
			if float64(w.Price)*(1+mm.Checks.Overhead) > float64(o.MaxPrice) {
				t.Fatalf("single-solver: bid %d x (1 + %g) above max price %d", w.Price, mm.Checks.Overhead, o.MaxPrice)
			}
			if mm.Solver == "lowest-ask" && out.Winner != lowestProvider(bids, cheapest) {
				t.Fatalf("single-solver: lowest-ask picked %d, not the cheapest, lowest provider of %v", out.Winner, cheapest)
			}
		case *market.PostedPrice, *market.TieredQueue:
			if out.Price != o.Posted || o.Posted <= 0 {
				t.Fatalf("%s: price %d != posted price %d", m.Name(), out.Price, o.Posted)
			}
			rule := market.LowestLoad
			if pp, ok := mm.(*market.PostedPrice); ok {
				rule = pp.Allocation
			} else {
				rule = mm.(*market.TieredQueue).Allocation
			}
			if rule != market.RandomWeighted {
				if ref := allocRef(rule, bids, limit, audited); out.Winner != ref {
					t.Fatalf("%s %s: picked %d, the rule picks %d", m.Name(), rule, out.Winner, ref)
				}
			} else if w.Score <= 0 && slices.ContainsFunc(bids, func(b market.Bid) bool { return eligibleBid(&b, limit, audited) && b.Score > 0 }) {
				t.Fatalf("%s random-weighted: picked a zero-score bid although a positive one is eligible", m.Name())
			}
		}
	})
}

// FuzzClearBatch clears random orders against random asks with the call
// market (k chosen by kb) and checks: no panic; the matches are those of
// the linear-scan reference of the rule (refCallClear); one price, between
// the dearest matched ask and the lowest matched limit (exactly
// ask + round(k*(limit-ask))); no ask sells more than its free units; each
// order is matched at most once, whole, on an audited ask when it requires
// one; the inputs are not modified.
func FuzzClearBatch(f *testing.F) {
	f.Add(uint8(128), []byte{3, 0, 2, 10, 1, 1, 5, 0, 0, 2, 3, 4, 1, 2, 6, 2, 1, 3})
	f.Add(uint8(255), []byte{2, 0, 226, 0, 1, 4, 250, 4, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, kb uint8, data []byte) {
		k := []float64{0, 0.5, 1, float64(kb) / 255}[kb%4]
		m, err := market.New(market.CallMarketName, market.Params{"k": k})
		if err != nil {
			t.Fatal(err)
		}
		r := &fuzzReader{b: data}
		orders := make([]market.BatchOrder, r.u8()%24)
		for i := range orders {
			orders[i] = market.BatchOrder{ID: int32(r.u8() % 16), Units: int32(r.u8()%8) - 1, Limit: r.rate(), RequireAudited: r.u8()%4 == 0}
		}
		var asks []market.BatchAsk
		used := map[int32]bool{}
		for r.more() && len(asks) < 32 {
			a := market.BatchAsk{Provider: int32(r.u8()), UnitAsk: r.rate(), Free: int32(r.u8()%10) - 1, Audited: r.u8()%2 == 0}
			for used[a.Provider] {
				a.Provider++
			}
			used[a.Provider] = true
			asks = append(asks, a)
		}
		o0, a0 := slices.Clone(orders), slices.Clone(asks)
		out := m.(market.Batcher).ClearBatch(orders, asks, nil, nil)
		if !slices.Equal(o0, orders) || !slices.Equal(a0, asks) {
			t.Fatal("ClearBatch modified its inputs")
		}
		ref := refCallClear(orders, asks, k)
		if len(ref) != len(out) {
			t.Fatalf("%d matches, the rule makes %d: %+v vs %+v", len(out), len(ref), out, ref)
		}
		if len(out) == 0 {
			return
		}
		sold := map[int32]int32{}
		seen := map[int]bool{}
		ask := map[int32]market.BatchAsk{}
		for _, a := range asks {
			ask[a.Provider] = a
		}
		dearest, lowest := market.Rate(math.MinInt64), market.Rate(math.MaxInt64)
		for i, mt := range out {
			if mt.Order != ref[i].Order || mt.Provider != ref[i].Provider {
				t.Fatalf("match %d is %+v, the rule makes %+v", i, mt, ref[i])
			}
			if mt.UnitPrice != out[0].UnitPrice {
				t.Fatalf("two prices %d and %d in one call", out[0].UnitPrice, mt.UnitPrice)
			}
			o, a := orders[mt.Order], ask[mt.Provider]
			if seen[mt.Order] {
				t.Fatalf("order %d matched twice", mt.Order)
			}
			seen[mt.Order] = true
			if o.RequireAudited && !a.Audited {
				t.Fatalf("audited order %d on unaudited provider %d", mt.Order, a.Provider)
			}
			sold[a.Provider] += o.Units
			if sold[a.Provider] > a.Free {
				t.Fatalf("provider %d sells %d units of %d free", a.Provider, sold[a.Provider], a.Free)
			}
			dearest, lowest = max(dearest, a.UnitAsk), min(lowest, o.Limit)
		}
		p := out[0].UnitPrice
		if p < dearest || p > lowest {
			t.Fatalf("price %d outside [dearest ask %d, lowest limit %d]", p, dearest, lowest)
		}
		if want := betweenRef(dearest, lowest, k); !withinULP(p, want, lowest-dearest) {
			t.Fatalf("price %d, want %d + round(%g x (%d - %d)) = %v", p, dearest, k, lowest, dearest, want)
		}
	})
}
