package agents

import (
	"fmt"
	"math"
	"strings"
)

// MarketView is what a provider's strategy sees of the market when it
// quotes. The kernel refreshes it; strategies must not modify it.
type MarketView struct {
	// MedianUnitUSD is the median price per unit-hour, in USD, of the
	// leases started recently, by resource index (NaN when none yet).
	MedianUnitUSD []float64
	// Bidders is the number of providers that respond to the order being
	// quoted (those with room for it, up to the mechanism's bid limit),
	// the quoting provider included; 0 when the kernel does not know it
	// (a quote outside bid collection).
	Bidders int
	// MaxUSDHour is the order's maximum price in USD per hour (the
	// tenant's reserve: a bid above it is dropped); 0 when unknown.
	MaxUSDHour float64
}

// Strategy decides a provider's bid price on a request. Each provider
// holds its own Strategy value (see ProviderCohort.NewStrategy), so a
// strategy may learn from the outcomes of its bids.
type Strategy interface {
	// Name returns the strategy's registry name.
	Name() string
	// Quote returns the provider's price for req in USD per hour, given
	// the market view v (never nil).
	Quote(p *Profile, req *Request, v *MarketView) float64
	// StaticAsks reports whether Quote is req.Price(p.Ask) for every
	// request and view, so a price-ordered index of asks is exact.
	StaticAsks() bool
	// Observe tells the strategy whether one of its bids won.
	Observe(won bool)
}

// Registry names of the bid strategies.
const (
	// CostPlusName is the registry name of the cost-plus strategy.
	CostPlusName = "cost-plus"
	// AdaptiveMarkupName is the registry name of the adaptive-markup
	// strategy.
	AdaptiveMarkupName = "adaptive-markup"
	// UndercutMedianName is the registry name of the undercut-median
	// strategy.
	UndercutMedianName = "undercut-median"
)

// CostPlus bids the provider's price list (scaled by its multiplier) but
// never below cost plus the cohort's minimum markup: the Helm bid script's
// linear pricing (akash.md §6).
type CostPlus struct{}

// Name returns "cost-plus".
func (CostPlus) Name() string { return CostPlusName }

// Quote returns req.Price(p.Ask).
func (CostPlus) Quote(p *Profile, req *Request, _ *MarketView) float64 { return req.Price(p.Ask) }

// StaticAsks returns true.
func (CostPlus) StaticAsks() bool { return true }

// Observe does nothing: cost-plus does not learn.
func (CostPlus) Observe(bool) {}

// AdaptiveMarkup learns a markup from its win rate. It quotes m x
// req.Price(p.Ask), never below the cost floor req.Price(p.Cost) x (1 +
// the cohort's min_markup). The markup m starts at 1; after each bid it
// becomes m x exp(step x (w - target)), w = 1 if the bid won and 0 if not,
// clamped to [1 / markup_max, markup_max]. So m rises while the provider
// wins more often than the target and falls otherwise, and its win rate
// tends to the target: while m stays inside its bounds, ln m after n bids
// is step x (wins - target x n), so the win rate over n bids is within
// ln(markup_max) / (step x n) of the target. When the target cannot be
// reached within the bounds (the floor or markup_max binds), m stays at
// the bound.
//
// Known limits (docs/mechanisms.md, "adaptive-markup's limits"): it
// targets a win rate, not profit, so under a first-price rule it cuts its
// markup as far as the target win rate needs, even where a higher markup
// with fewer wins would earn more, and first-price income collapses (on
// akash-2024 with every cohort adaptive-markup, 63% below the
// second-price income); and it never learns what the rule pays (Observe
// tells it only whether it won), so it bids the same way under first and
// second price. The no-regret strategy (noregret.go) learns from profit.
type AdaptiveMarkup struct {
	up, down   float64 // the factors applied to m after a win and a loss
	lo, hi     float64 // the bounds of m
	floorRatio float64 // 1 + min markup
	m          float64 // the current markup
}

// NewAdaptiveMarkup returns an adaptive-markup strategy with markup 1,
// learning rate step (> 0), target win rate target (in (0, 1)), markup
// bound markupMax (>= 1) and the cohort's minimum markup minMarkup (a
// fraction over cost, >= 0). It does not check its arguments;
// ProviderCohort.Validate does.
func NewAdaptiveMarkup(step, target, markupMax, minMarkup float64) *AdaptiveMarkup {
	return &AdaptiveMarkup{
		up:         math.Exp(step * (1 - target)),
		down:       math.Exp(-step * target),
		lo:         1 / markupMax,
		hi:         markupMax,
		floorRatio: 1 + minMarkup,
		m:          1,
	}
}

// Name returns "adaptive-markup".
func (*AdaptiveMarkup) Name() string { return AdaptiveMarkupName }

// Markup returns the current markup m, a multiple of the provider's asks.
func (a *AdaptiveMarkup) Markup() float64 { return a.m }

// Quote returns max(m x req.Price(p.Ask), req.Price(p.Cost) x (1 +
// min markup)).
func (a *AdaptiveMarkup) Quote(p *Profile, req *Request, _ *MarketView) float64 {
	return math.Max(a.m*req.Price(p.Ask), req.Price(p.Cost)*a.floorRatio)
}

// StaticAsks returns false: the quote moves with the markup.
func (*AdaptiveMarkup) StaticAsks() bool { return false }

// Observe updates the markup after one bid's outcome.
func (a *AdaptiveMarkup) Observe(won bool) {
	if won {
		a.m = math.Min(a.m*a.up, a.hi)
	} else {
		a.m = math.Max(a.m*a.down, a.lo)
	}
}

// UndercutMedian bids a fraction Undercut below the market: for each
// resource in the request, (1 - Undercut) x the recent median price per
// unit-hour (MarketView.MedianUnitUSD) x the quantity, summed. A resource
// with no median yet (NaN, or missing from the view) is priced at the
// provider's own ask, not undercut: there is no market price to undercut.
// The quote is never below the cost floor req.Price(p.Cost) x (1 +
// MinMarkup). It does not learn.
type UndercutMedian struct {
	// Undercut is the fraction below the median, in [0, 0.9].
	Undercut float64
	// MinMarkup is the cohort's minimum margin over cost (a fraction).
	MinMarkup float64
}

// Name returns "undercut-median".
func (UndercutMedian) Name() string { return UndercutMedianName }

// Quote returns the undercut median price of req, at least the cost floor.
func (u UndercutMedian) Quote(p *Profile, req *Request, v *MarketView) float64 {
	s := float64(req.CPU)*u.unit(p, v, ResCPU) + float64(req.MemoryGB)*u.unit(p, v, ResMemory)
	if req.GPUs > 0 {
		s += float64(req.GPUs) * u.unit(p, v, req.GPUModel)
	}
	return math.Max(s, req.Price(p.Cost)*(1+u.MinMarkup))
}

// unit returns the price per unit-hour of resource r.
func (u UndercutMedian) unit(p *Profile, v *MarketView, r int) float64 {
	if v != nil && r < len(v.MedianUnitUSD) && !math.IsNaN(v.MedianUnitUSD[r]) {
		return (1 - u.Undercut) * v.MedianUnitUSD[r]
	}
	return p.Ask[r]
}

// StaticAsks returns false: the quote follows the market.
func (UndercutMedian) StaticAsks() bool { return false }

// Observe does nothing: undercut-median does not learn.
func (UndercutMedian) Observe(bool) {}

// NewStrategy returns a fresh strategy of the cohort's kind with the
// cohort's strategy parameters, for one provider. Its error names the key
// at fault, as Validate's does.
func (c *ProviderCohort) NewStrategy() (Strategy, error) {
	if err := c.validateStrategy(); err != nil {
		return nil, err
	}
	switch c.Strategy {
	case AdaptiveMarkupName:
		return NewAdaptiveMarkup(c.MarkupStep, c.TargetWinRate, c.MarkupMax, c.MinMarkup), nil
	case UndercutMedianName:
		return UndercutMedian{Undercut: c.Undercut, MinMarkup: c.MinMarkup}, nil
	case EquilibriumName:
		// without a catalog and a market: truthful bids on the cohort's
		// costs; the kernel uses StrategyMaker
		return &Equilibrium{r0: -1, floorRat: 1 + c.MinMarkup}, nil
	case NoRegretName:
		// no stream yet: the kernel gives each provider its own through
		// SetRand before its first quote
		return NewNoRegret(c.MarkupArms, c.MinMarkup, c.MarkupMax, c.LearningRate, c.Exploration, nil), nil
	}
	return CostPlus{}, nil
}

// NewStrategy returns the strategy called name with the default
// parameters of DefaultProviderCohort.
func NewStrategy(name string) (Strategy, error) {
	c := DefaultProviderCohort()
	c.Strategy = name
	return c.NewStrategy()
}

// StrategyNames lists the strategies, sorted.
func StrategyNames() []string {
	return []string{AdaptiveMarkupName, CostPlusName, EquilibriumName, NoRegretName, UndercutMedianName}
}

// validateStrategy checks the strategy's name and parameters. A parameter
// of a strategy the cohort does not use must keep its default: a value
// set for it would otherwise be silently ignored.
func (c *ProviderCohort) validateStrategy() error {
	if !contains(StrategyNames(), c.Strategy) {
		return fmt.Errorf("strategy: unknown strategy %q (known: %s)", c.Strategy, strings.Join(StrategyNames(), ", "))
	}
	if err := c.validateEquilibrium(); err != nil {
		return err
	}
	def := DefaultProviderCohort()
	params := []struct {
		key     string
		v, def  float64
		users   []string // the strategies that use the key
		ok      bool
		allowed string
	}{
		{"markup_step", c.MarkupStep, def.MarkupStep, []string{AdaptiveMarkupName}, c.MarkupStep > 0 && c.MarkupStep <= 1e9, "(0, 1e9]"},
		{"target_win_rate", c.TargetWinRate, def.TargetWinRate, []string{AdaptiveMarkupName}, c.TargetWinRate > 0 && c.TargetWinRate < 1, "(0, 1)"},
		{"markup_max", c.MarkupMax, def.MarkupMax, []string{AdaptiveMarkupName, NoRegretName}, c.MarkupMax >= 1 && c.MarkupMax <= 1e9, "[1, 1e9]"},
		{"undercut", c.Undercut, def.Undercut, []string{UndercutMedianName}, c.Undercut >= 0 && c.Undercut <= 0.9, "[0, 0.9]"},
		{"markup_arms", float64(c.MarkupArms), float64(def.MarkupArms), []string{NoRegretName}, c.MarkupArms >= 1 && c.MarkupArms <= 1000, "[1, 1000]"},
		{"learning_rate", c.LearningRate, def.LearningRate, []string{NoRegretName}, c.LearningRate > 0 && c.LearningRate <= 1, "(0, 1]"},
		{"exploration", c.Exploration, def.Exploration, []string{NoRegretName}, c.Exploration > 0 && c.Exploration <= 1, "(0, 1]"},
	}
	for _, x := range params {
		if contains(x.users, c.Strategy) {
			if !x.ok {
				return fmt.Errorf("%s: must be in %s, got %v", x.key, x.allowed, x.v)
			}
			continue
		}
		if x.v != x.def {
			who := fmt.Sprintf("strategy %q uses", x.users[0])
			if len(x.users) > 1 {
				who = fmt.Sprintf("strategies %q use", x.users)
			}
			return fmt.Errorf("%s: only %s it, but the cohort's strategy is %q (got %v; remove the key or leave it at its default %v)",
				x.key, who, c.Strategy, x.v, x.def)
		}
	}
	if c.Strategy == NoRegretName && !(c.MarkupMax >= 1+c.MinMarkup) {
		return fmt.Errorf("markup_max: strategy %q needs markup_max >= 1 + min_markup (%v), got %v", NoRegretName, 1+c.MinMarkup, c.MarkupMax)
	}
	return nil
}
