package market

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Registry names of the tenant selection policies.
const (
	// CheapestSelectorName names CheapestSelector.
	CheapestSelectorName = "cheapest"
	// PreferAuditedSelectorName names PreferAuditedSelector.
	PreferAuditedSelectorName = "prefer-audited"
	// RandomSelectorName names RandomSelector.
	RandomSelectorName = "random"
)

// CheapestSelector picks the cheapest eligible bid; among equal prices an
// audited provider wins, and remaining ties are broken uniformly at random
// by reservoir sampling. It is AkashReverse's own rule with TieBreak
// "random", drawing the same numbers from rng.
type CheapestSelector struct{}

// Name returns "cheapest".
func (CheapestSelector) Name() string { return CheapestSelectorName }

// Select returns the index of the cheapest eligible bid, or -1.
func (CheapestSelector) Select(o *Order, bids []Bid, rng *rand.Rand) int {
	return cheapestEligible(o, bids, rng, false)
}

// PreferAuditedSelector picks the cheapest eligible audited bid when there
// is one, and the cheapest eligible bid otherwise: a tenant that pays more
// for an auditor's attestation without requiring it. Ties are broken
// uniformly at random.
type PreferAuditedSelector struct{}

// Name returns "prefer-audited".
func (PreferAuditedSelector) Name() string { return PreferAuditedSelectorName }

// Select returns the index of the cheapest eligible audited bid, else of
// the cheapest eligible bid, or -1.
func (PreferAuditedSelector) Select(o *Order, bids []Bid, rng *rand.Rand) int {
	if i := cheapestEligible(o, bids, rng, true); i >= 0 {
		return i
	}
	return cheapestEligible(o, bids, rng, false)
}

// RandomSelector picks uniformly at random among the eligible bids (by
// reservoir sampling): a tenant that does not compare prices.
type RandomSelector struct{}

// Name returns "random".
func (RandomSelector) Name() string { return RandomSelectorName }

// Select returns the index of a uniformly random eligible bid, or -1.
func (RandomSelector) Select(o *Order, bids []Bid, rng *rand.Rand) int {
	pick, n := -1, 0
	for i := range bids {
		if !eligible(o, &bids[i]) {
			continue
		}
		n++
		if n == 1 || rng.IntN(n) == 0 {
			pick = i
		}
	}
	return pick
}

// NewSelector returns the selection policy called name. An unknown name is
// an error that lists the known ones.
func NewSelector(name string) (Selector, error) {
	switch name {
	case CheapestSelectorName:
		return CheapestSelector{}, nil
	case PreferAuditedSelectorName:
		return PreferAuditedSelector{}, nil
	case RandomSelectorName:
		return RandomSelector{}, nil
	}
	return nil, fmt.Errorf("unknown selection policy %q (known: %s)", name, strings.Join(SelectorNames(), ", "))
}

// SelectorNames lists the selection policies, sorted.
func SelectorNames() []string {
	return []string{CheapestSelectorName, PreferAuditedSelectorName, RandomSelectorName}
}

// eligible reports whether b may win o: at or below its max price, and
// audited when o requires it.
func eligible(o *Order, b *Bid) bool {
	return b.Price <= o.MaxPrice && (b.Audited || !o.RequireAudited)
}

// cheapestEligible returns the index of the cheapest eligible bid (only
// audited ones when auditedOnly), audited first among equal prices, other
// ties uniformly at random by reservoir sampling; -1 when none. It draws
// from rng exactly as AkashReverse.Clear with TieBreak "random" does.
func cheapestEligible(o *Order, bids []Bid, rng *rand.Rand, auditedOnly bool) int {
	best, ties := -1, 0
	for i := range bids {
		b := &bids[i]
		if !eligible(o, b) || (auditedOnly && !b.Audited) {
			continue
		}
		if best < 0 {
			best, ties = i, 1
			continue
		}
		switch c := compareBids(b, &bids[best]); {
		case c < 0:
			best, ties = i, 1
		case c == 0:
			ties++
			if rng.IntN(ties) == 0 {
				best = i
			}
		}
	}
	return best
}
