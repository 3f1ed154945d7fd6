package market

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// RateScale is the number of rate units in one base unit (uakt, uusdc) per
// block. A Rate of RateScale is 1 base unit per block.
const RateScale = 1_000_000

// Rate is a price per block in base units times RateScale.
type Rate int64

// Order is what a tenant asks for: one deployment group.
type Order struct {
	// ID identifies the order within a run.
	ID int32
	// MaxPrice is the highest rate the tenant accepts.
	MaxPrice Rate
	// RequireAudited limits eligible bids to audited providers.
	RequireAudited bool
}

// Bid is one provider's offer on an order.
type Bid struct {
	// Provider is the bidding provider's index.
	Provider int32
	// Price is the rate the provider asks.
	Price Rate
	// Audited tells whether the provider holds an auditor's attestation.
	Audited bool
}

// Outcome is the result of clearing one order.
type Outcome struct {
	// Winner is the index into the bids of the winning bid, or -1 when no
	// bid is eligible.
	Winner int
	// Price is the rate the tenant pays the winner.
	Price Rate
}

// NoWinner is the Outcome of an order with no eligible bid.
var NoWinner = Outcome{Winner: -1}

// Mechanism clears an order against its bids. Clear must not modify bids;
// it may draw from rng to break ties.
type Mechanism interface {
	// Name returns the registry name of the mechanism.
	Name() string
	// Clear picks the winning bid of order o among bids.
	Clear(o *Order, bids []Bid, rng *rand.Rand) Outcome
}

// CheapestAsk is an optional capability: a mechanism whose winner, given
// every provider's standing ask, is the cheapest eligible ask (ties broken
// by audited first, then lower provider index) and whose price is that
// ask. For such a mechanism the kernel may clear from an AskIndex instead
// of collecting bids, when every bid would be placed at once.
type CheapestAsk interface {
	Mechanism
	// ClearsAtCheapestAsk reports whether the capability applies with the
	// mechanism's current parameters.
	ClearsAtCheapestAsk() bool
}

// Windowed is an optional capability: a mechanism that limits how many
// bids an order accepts.
type Windowed interface {
	// MaxBids returns the bid limit per order (0: no limit).
	MaxBids() int
}

// Params are a mechanism's parameters as decoded from a scenario file:
// keys of the [market] table other than "mechanism".
type Params map[string]any

// Factory builds a mechanism from its parameters.
type Factory func(p Params) (Mechanism, error)

// Registry maps mechanism names to factories.
type Registry struct {
	factories map[string]Factory
}

// DefaultRegistry returns a registry with every mechanism of this package.
func DefaultRegistry() *Registry {
	r := &Registry{factories: map[string]Factory{}}
	r.Register(AkashReverseName, NewAkashReverse)
	r.Register(VickreyReverseName, NewVickreyReverse)
	return r
}

// Register adds a factory under name, replacing any earlier one.
func (r *Registry) Register(name string, f Factory) { r.factories[name] = f }

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.factories))
	for n := range r.factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds the mechanism called name. An unknown name is an error that
// lists the known ones.
func (r *Registry) New(name string, p Params) (Mechanism, error) {
	f, ok := r.factories[name]
	if !ok {
		return nil, fmt.Errorf("unknown mechanism %q (known: %s)", name, strings.Join(r.Names(), ", "))
	}
	return f(p)
}

// New builds a mechanism from the default registry.
func New(name string, p Params) (Mechanism, error) { return DefaultRegistry().New(name, p) }

// Names lists the default registry's mechanisms, sorted.
func Names() []string { return DefaultRegistry().Names() }

// paramReader decodes Params strictly: every key must be read, and each
// error names the key, the value and what is allowed.
type paramReader struct {
	p    Params
	used map[string]bool
	errs []string
}

func newParamReader(p Params) *paramReader { return &paramReader{p: p, used: map[string]bool{}} }

func (r *paramReader) int(key string, def, min, max int) int {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		return def
	}
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case int:
		n = int64(x)
	default:
		r.errs = append(r.errs, fmt.Sprintf("market.%s: must be an integer, got %v (%T)", key, v, v))
		return def
	}
	if n < int64(min) || n > int64(max) {
		r.errs = append(r.errs, fmt.Sprintf("market.%s: must be in [%d, %d], got %d", key, min, max, n))
		return def
	}
	return int(n)
}

func (r *paramReader) choice(key, def string, allowed ...string) string {
	r.used[key] = true
	v, ok := r.p[key]
	if !ok {
		return def
	}
	s, isStr := v.(string)
	for _, a := range allowed {
		if isStr && s == a {
			return s
		}
	}
	r.errs = append(r.errs, fmt.Sprintf("market.%s: must be one of %q, got %v", key, allowed, v))
	return def
}

// done reports unknown keys (sorted) and collected errors.
func (r *paramReader) done(mechanism string) error {
	var unknown []string
	for k := range r.p {
		if !r.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		known := make([]string, 0, len(r.used))
		for u := range r.used {
			known = append(known, u)
		}
		sort.Strings(known)
		r.errs = append(r.errs, fmt.Sprintf("market.%s: unknown parameter for mechanism %q (it knows: %s)", k, mechanism, strings.Join(known, ", ")))
	}
	if len(r.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(r.errs, "; "))
}
