package market

import (
	"fmt"
	"math/rand/v2"
)

// Allocation is the rule by which a platform that sets the price
// (posted-price, tiered-queue) picks one provider among the eligible ones.
// Neither io.net nor Render publishes an exact rule: io.net's allocation
// order is unknown ([U], docs/model/competitors.md §1.1); Render's
// compute subnet assigns jobs "in rotation, favouring the nodes with the
// lowest workload in the epoch" (RNP-019, competitors.md §2.1), which
// LowestLoad (least-loaded, rotating among equals) and RoundRobin model.
type Allocation uint8

// The allocation rules, named in scenario files by their String.
const (
	// LowestLoad picks the eligible bid with the smallest Bid.Load; ties
	// go to the smaller LastWon (the least recently allocated), then to
	// the smaller Provider. Param value "lowest-load" (the default).
	LowestLoad Allocation = iota
	// RoundRobin picks the eligible bid with the smallest LastWon (the
	// least recently allocated, never-allocated first); ties go to the
	// smaller Provider. Param value "round-robin".
	RoundRobin
	// RandomWeighted picks an eligible bid at random with probability
	// proportional to its Score (a Score <= 0 counts 0; if every eligible
	// Score is 0, uniformly). Param value "random-weighted".
	RandomWeighted
)

// allocationNames are the rules' parameter values, indexed by Allocation.
var allocationNames = [...]string{"lowest-load", "round-robin", "random-weighted"}

// AllocationNames returns the parameter values of the allocation rules.
func AllocationNames() []string { return append([]string(nil), allocationNames[:]...) }

// String returns the rule's parameter value ("lowest-load").
func (a Allocation) String() string {
	if int(a) < len(allocationNames) {
		return allocationNames[a]
	}
	return fmt.Sprintf("Allocation(%d)", a)
}

// allocation reads the "allocation" parameter (default "lowest-load").
func (r *paramReader) allocation() Allocation {
	s := r.choice("allocation", allocationNames[LowestLoad], allocationNames[:]...)
	for i, n := range allocationNames {
		if n == s {
			return Allocation(i)
		}
	}
	return LowestLoad
}

// pick returns the index in bids of the bid the rule allocates among the
// eligible ones (Price <= limit, and Audited when audited is set), or -1
// when none is eligible. It makes one pass over bids, allocates nothing,
// never modifies bids, and draws from rng only for RandomWeighted (one
// Float64 per eligible bid with a positive Score, and one IntN per
// eligible zero-Score bid met before the first positive one).
func (a Allocation) pick(bids []Bid, limit Rate, audited bool, rng *rand.Rand) int {
	switch a {
	case LowestLoad:
		best := -1
		for i := range bids {
			b := &bids[i]
			if b.Price > limit || (audited && !b.Audited) {
				continue
			}
			if best < 0 || lessLoad(b, &bids[best]) {
				best = i
			}
		}
		return best
	case RoundRobin:
		best := -1
		for i := range bids {
			b := &bids[i]
			if b.Price > limit || (audited && !b.Audited) {
				continue
			}
			if best < 0 || lessRecent(b, &bids[best]) {
				best = i
			}
		}
		return best
	case RandomWeighted:
		// Weighted reservoir sampling: the i-th positive weight replaces
		// the pick with probability w_i / (w_1 + ... + w_i), so each bid
		// ends up picked with probability w_i / W. Until a positive
		// weight is seen, zero-weight bids are sampled uniformly.
		weighted, uniform, zeros := -1, -1, 0
		total := 0.0
		for i := range bids {
			b := &bids[i]
			if b.Price > limit || (audited && !b.Audited) {
				continue
			}
			w := float64(b.Score)
			if !(w > 0) { // also NaN
				if weighted < 0 {
					zeros++
					if rng.IntN(zeros) == 0 {
						uniform = i
					}
				}
				continue
			}
			total += w
			if rng.Float64()*total < w {
				weighted = i
			}
		}
		if weighted >= 0 {
			return weighted
		}
		return uniform
	}
	panic(fmt.Sprintf("market: unknown allocation rule %d", a))
}

// lessLoad orders bids for LowestLoad: smaller Load, then smaller LastWon,
// then smaller Provider.
func lessLoad(a, b *Bid) bool {
	if a.Load != b.Load {
		return a.Load < b.Load
	}
	return lessRecent(a, b)
}

// lessRecent orders bids for RoundRobin: smaller LastWon, then smaller
// Provider.
func lessRecent(a, b *Bid) bool {
	if a.LastWon != b.LastWon {
		return a.LastWon < b.LastWon
	}
	return a.Provider < b.Provider
}
