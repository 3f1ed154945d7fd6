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
	// Posted is the platform's price for the order, for mechanisms that
	// post prices (Poster); 0 otherwise.
	Posted Rate
	// Tier is the order's priority tier (an index into Tiered.Tiers), for
	// tiered mechanisms; 0 otherwise.
	Tier int
	// Selector is the tenant's selection policy among eligible bids, for
	// mechanisms in which the tenant picks (TenantPicks: akash-reverse);
	// nil means the mechanism's own rule.
	Selector Selector
}

// Bid is one provider's offer on an order. Its fields are ordered to
// keep it 32 bytes: books of tens of thousands of bids are scanned per
// order.
type Bid struct {
	// Price is the rate the provider asks.
	Price Rate
	// LastWon is a sequence number of the provider's last allocation
	// (larger is more recent, 0 is never), for the rules "round-robin" and
	// "lowest-load" (ties).
	LastWon int64
	// Provider is the bidding provider's index.
	Provider int32
	// Load is the fraction of the provider's capacity of the order's main
	// resource in use, in [0, 1] (allocation rule "lowest-load").
	Load float32
	// Score is the provider's allocation weight, >= 0 (allocation rule
	// "random-weighted"; the kernel uses the provider's capacity of the
	// order's main resource).
	Score float32
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
// it may draw from rng to break ties. Clear must not modify the mechanism;
// one value serves every replication of a run. The same holds for the
// methods of the optional capabilities below: a mechanism keeps no state
// from one call to the next.
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

// OpenOrders is an optional capability of an auction: orders that get no
// winner may stay open in a book of waiting orders, posted again when a
// provider frees capacity, instead of being posted again on the tenant's
// retry schedule (Akash has no order TTL: an order stays open until a
// lease is created or the tenant closes it).
type OpenOrders interface {
	// OrdersWait reports whether an order with no winner waits in the
	// book (true) or is retried (false).
	OrdersWait() bool
}

// PaysBid is an optional capability: a mechanism whose winner is paid its
// own bid (a first-price rule), so a bidder gains by bidding above its
// cost. A mechanism without it pays a price the winner's bid does not set
// (the second-lowest bid, a posted price, a uniform clearing price).
type PaysBid interface {
	// PaysOwnBid reports whether the winner is paid its own bid.
	PaysOwnBid() bool
}

// TenantPicks is an optional capability: the mechanism lets the tenant's
// Selector (Order.Selector) choose among the eligible bids. A mechanism
// without it clears by its own rule and ignores the Selector.
type TenantPicks interface {
	// TenantPicks reports whether the tenant's Selector picks the winner.
	TenantPicks() bool
}

// Selector is a tenant's policy for picking among eligible bids. Select
// returns the index of the chosen bid in bids, or -1 when none is
// eligible (above o.MaxPrice, or not audited when o.RequireAudited). It
// must not modify bids; it may draw from rng.
type Selector interface {
	// Name returns the policy's registry name.
	Name() string
	// Select picks a bid.
	Select(o *Order, bids []Bid, rng *rand.Rand) int
}

// ResourceBinder is an optional capability: a mechanism with parameters
// per resource (keyed "cpu", "memory_gb" and GPU model names). Bind
// returns a copy of the mechanism resolved against the run's resource
// keys, in resource-index order; a key the run does not know is an error
// naming it and the known ones. The kernel uses only bound mechanisms.
type ResourceBinder interface {
	Bind(keys []string) (Mechanism, error)
}

// Poster is an optional capability: the platform posts the price
// (posted-price, tiered-queue). The kernel fills Order.Posted with the
// posted price converted to a rate; Clear then allocates among the bids
// at or below it and charges it.
type Poster interface {
	// PostedUSDHour returns the posted price in USD per hour of an order
	// for qty[r] units of each resource r (resource-index order) at tier
	// (0 for untiered mechanisms), with each resource's current
	// peak-pricing multiplier mult[r].
	PostedUSDHour(qty []int32, mult []float64, tier int) float64
	// Multiplier returns a resource's peak-pricing multiplier at
	// utilization util in [0, 1] (1 without peak pricing).
	Multiplier(util float64) float64
	// RepriceEvery returns the interval in nanoseconds at which the kernel
	// recomputes the multipliers from utilization (0: never).
	RepriceEvery() int64
}

// Tier is one priority tier of a tiered mechanism.
type Tier struct {
	// Name labels the tier ("T1").
	Name string
	// Priority orders the queue: higher is served first.
	Priority int
	// USDPerWork is the tier's price in USD per unit of work.
	USDPerWork float64
	// AuditedOnly limits the tier to audited (trusted) providers.
	AuditedOnly bool
}

// Tiered is an optional capability: orders pick a priority tier, and
// orders that find no capacity wait in a queue served by priority.
type Tiered interface {
	// Tiers returns the tiers, highest priority first.
	Tiers() []Tier
	// Backfill returns how many waiting orders the kernel tries, in
	// priority order, each time capacity frees, before it stops.
	Backfill() int
}

// Match is one trade of a batch clearing: order Orders[Order] leased from
// Provider at UnitPrice per unit.
type Match struct {
	// Order is the index of the order in the batch's orders.
	Order int
	// Provider is the selling provider's index.
	Provider int32
	// UnitPrice is the uniform clearing price per unit.
	UnitPrice Rate
}

// BatchOrder is an open order in a batch clearing: Units units of one
// resource at most Limit per unit.
type BatchOrder struct {
	// ID identifies the order (for ties: lower first).
	ID int32
	// Units is the number of units wanted, on one provider.
	Units int32
	// Limit is the highest price per unit the tenant accepts.
	Limit Rate
	// RequireAudited limits the order to audited providers.
	RequireAudited bool
}

// BatchAsk is a provider's standing ask in a batch clearing.
type BatchAsk struct {
	// Provider is the provider's index.
	Provider int32
	// UnitAsk is the provider's price per unit.
	UnitAsk Rate
	// Free is the provider's free units.
	Free int32
	// Audited tells whether the provider is audited.
	Audited bool
}

// Batcher is an optional capability: a periodic market (call-market)
// that clears all open orders of one resource at once. The kernel keeps
// orders open between clearings and calls ClearBatch every Period.
type Batcher interface {
	// Period returns the interval between clearings in nanoseconds.
	Period() int64
	// ClearBatch clears orders against asks and appends the trades to
	// out. It must not modify orders or asks (it may use scratch space of
	// its own per call) and never sells more than an ask's Free units.
	ClearBatch(orders []BatchOrder, asks []BatchAsk, rng *rand.Rand, out []Match) []Match
}

// Verification describes a verified-compute market's checking of work
// (single-solver): extra capacity, errors, disputes and slashing.
type Verification struct {
	// Overhead is the extra capacity-time per unit of work, a fraction
	// (0.46: Gensyn's proof-of-learning, competitors.md §3.2).
	Overhead float64
	// FalseFailRate is the probability that checking flags honest work.
	FalseFailRate float64
	// CheatRate is the probability that a solver submits work it did not
	// do.
	CheatRate float64
	// DetectProb is the probability that cheating is caught.
	DetectProb float64
	// DisputeWinProb is the probability that an honest solver wins the
	// dispute that follows a false fail.
	DisputeWinProb float64
	// StakeRatio is the solver's stake per task, as a fraction of the
	// task's fee.
	StakeRatio float64
	// SlashFraction is the fraction of the stake slashed when a dispute is
	// lost.
	SlashFraction float64
}

// VerifyOutcome is the result of checking one task.
type VerifyOutcome struct {
	// Cheated tells whether the solver cheated.
	Cheated bool
	// Disputed tells whether checking flagged the task (a dispute).
	Disputed bool
	// Slashed tells whether the solver lost the dispute.
	Slashed bool
}

// Verifier is an optional capability: the market checks completed work.
type Verifier interface {
	// Verification returns the checking parameters.
	Verification() Verification
	// Verify draws the checking of one completed task.
	Verify(rng *rand.Rand) VerifyOutcome
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
	r.Register(PostedPriceName, NewPostedPrice)
	r.Register(TieredQueueName, NewTieredQueue)
	r.Register(CallMarketName, NewCallMarket)
	r.Register(SingleSolverName, NewSingleSolver)
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
