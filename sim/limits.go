package sim

import (
	"fmt"
	"math"
	"strings"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// RangeError is a run stopped because a quantity the scenario drives left
// the range the model's integers represent (e.g. a deposit of more base
// units than an int64 holds, at an extreme USD budget). It is not a bug
// in the model: it names the quantity, the numbers and the scenario keys
// that drive it, so that the scenario can be changed. Quantities the
// model can give an economic meaning to are not errors: a rate in tokens
// beyond representable is a price nobody can pay (the order is unfunded,
// the ask never wins), and an escrow owing more than an int64 of base
// units is overdrawn.
type RangeError struct {
	// Quantity names what overflowed ("deposit", "escrow funds").
	Quantity string
	// Reason says what happened, with the numbers.
	Reason string
	// Keys names the scenario keys that drive the quantity, with their
	// values.
	Keys string
	// At is the simulated time since the scenario start (negative during
	// the warmup).
	At Time
}

// Error names the quantity, the time, the numbers and the keys.
func (e *RangeError) Error() string {
	return fmt.Sprintf("sim: %s out of range %.3f h after the start (day %.2f): %s; driven by %s",
		e.Quantity, e.At.Hours(), e.At.Days(), e.Reason, e.Keys)
}

// fail stops the run with err (the first error wins): Step returns false
// after the event being handled.
func (w *World) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// rangeError returns a *RangeError for a quantity of deployment id,
// naming its tenant cohort's keys and the token price's.
func (w *World) rangeError(id int32, quantity, reason string) *RangeError {
	d := &w.deps.d[id]
	c := &w.cfg.Tenants[d.cohort]
	keys := fmt.Sprintf("tenants.%s.max_price_ratio, budget_ratio and lifetime_hours (this deployment: max price %.4g USD/h, budget %.4g USD)",
		c.Name, d.spec.MaxPriceUSDHour, d.spec.BudgetUSD)
	if d.denom == tokenomics.AKT || d.denom == tokenomics.ACT {
		keys += " and " + w.chain.priceKeys(&w.cfg.Tokenomics)
	}
	return &RangeError{Quantity: quantity, Reason: reason, Keys: keys, At: w.now - w.origin}
}

// priceKeys names the scenario keys that set the staking token's price,
// with their values and the price now.
func (c *chain) priceKeys(tp *tokenomics.Params) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tokenomics.token_price_usd = %g", tp.TokenPriceUSD)
	if m := tp.Price.Model; m != "" && m != "constant" {
		fmt.Fprintf(&b, " and tokenomics.price.* (model %q)", m)
	}
	fmt.Fprintf(&b, ", the price now %.4g USD", c.priceUSD[tokenomics.AKT])
	return b.String()
}

// rateMax is the rate that stands for a price beyond what a Rate
// represents (toRate): more than about 9.2 M tokens a block, which no
// tenant can fund and no order's max price reaches.
const rateMax = market.Rate(math.MaxInt64)

// rateLimit is where toRate saturates: a float64 at or above it may not
// convert to an int64.
const rateLimit = 9e18
