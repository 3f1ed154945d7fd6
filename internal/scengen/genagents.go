package scengen

import (
	"maps"
	"math"
	"slices"
)

// Provider and tenant cohorts, and the scaling that keeps a run short.

// strategyKeys lists the keys of each bid strategy.
var strategyKeys = map[string][]string{
	"cost-plus":       nil,
	"adaptive-markup": {"markup_step", "target_win_rate", "markup_max"},
	"undercut-median": {"undercut"},
	"equilibrium":     {"expected_bidders"},
	"no-regret":       {"markup_arms", "learning_rate", "exploration", "markup_max"},
}

func (g *gen) provider(p map[string]any) {
	for _, f := range []string{"kind", "count", "enter_at", "cpu_cores", "memory_gb", "region", "audited_fraction",
		"price_multiplier", "cost_multiplier", "min_markup", "withdraw_every", "lease_close_rate_per_day",
		"balance_akt", "stake_per_gpu", "entries_per_day", "entry_threshold", "min_tenure", "exit_threshold",
		"exit_hazard", "leave_after", "leave_hazard", "detection_prob", "max_providers", "cpu_only_share"} {
		g.set(p, f, "providers[]."+f)
	}
	if g.maybe() {
		p["gpus"] = g.table("providers[].gpus", g.gpus, false)
	}
	if g.maybe() {
		p["price_list_usd_hour"] = g.table("providers[].price_list_usd_hour", g.res, false)
	}
	if g.maybe() {
		p["cost_usd_hour"] = g.table("providers[].cost_usd_hour", g.res, false)
	}
	if g.maybe() { // review_window in [review_every, 1000 x review_every]
		every := math.Round(g.num(key("providers[].review_every")))
		p["review_every"] = dur(every)
		p["review_window"] = dur(every * math.Floor(g.num(key("providers[].review_window"))))
	}
	if g.maybe() {
		p["strategy"] = g.draw("providers[].strategy")
	}
	s, _ := p["strategy"].(string)
	if s == "" {
		s = "cost-plus"
	}
	// a key shared by several strategies (markup_max) is kept when the
	// cohort's strategy uses it
	for _, strategy := range slices.Sorted(maps.Keys(strategyKeys)) {
		for _, f := range strategyKeys[strategy] {
			if !slices.Contains(strategyKeys[s], f) {
				delete(p, f)
			}
		}
	}
	for _, f := range strategyKeys[s] {
		g.set(p, f, "providers[]."+f)
	}
}

func (g *gen) tenant(t map[string]any) {
	for _, f := range []string{"arrivals_per_day", "growth_per_year", "daily_amplitude", "arrivals_until", "gpus",
		"cpu_cores", "memory_gb", "max_price_ratio", "lifetime_hours", "budget_ratio", "usdc_fraction",
		"audited_fraction", "selection_window", "selection", "retry_every", "patience", "restart_prob",
		"price_elasticity", "demand_multiplier_min", "demand_multiplier_max"} {
		g.set(t, f, "tenants[]."+f)
	}
	if g.maybe() && len(g.gpus) > 0 { // CPU-only one time in four
		t["gpu_models"] = map[string]any{}
		if g.rng.IntN(4) != 0 {
			w := g.table("tenants[].gpu_models", g.gpus, true)
			for _, k := range slices.Sorted(maps.Keys(w)) {
				if w[k].(float64) > 0 {
					t["gpu_models"] = w
					break
				}
			}
		}
	}
	// a CPU-only cohort whose every draw rounds to 0 cores is refused by
	// validation: keep one in four of them, make the rest reach a core
	if d, ok := t["cpu_cores"].(map[string]any); ok && g.rng.IntN(4) != 0 {
		for _, f := range []string{"value", "max", "median", "mean", "min"} {
			if v, ok := d[f].(float64); ok && v < 1 {
				d[f] = 1.0
			}
		}
		if c, ok := d["cap"].(float64); ok && c < 1 {
			delete(d, "cap")
		}
		if vals, ok := d["values"].([]float64); ok {
			vals[0] = math.Max(vals[0], 1)
			if w, ok := d["weights"].([]float64); ok {
				w[0] = math.Max(w[0], 1)
			}
		}
	}
	if g.maybe() { // demand steps: distinct durations, one multiplier in eight 0
		steps := map[string]any{}
		for n := g.rng.IntN(4); n > 0; n-- {
			m := 0.0
			if g.rng.IntN(8) != 0 {
				m = math.Exp(math.Log(1e-3) + g.rng.Float64()*(math.Log(10)-math.Log(1e-3)))
			}
			steps[dur(math.Round(g.rng.Float64()*1.2*g.horizon))] = m
		}
		t["demand_steps"] = steps
	}
	if g.maybe() { // runway_min_days <= runway_target_days
		a, b := g.num(key("tenants[].runway_min_days")), g.num(key("tenants[].runway_target_days"))
		t["runway_min_days"], t["runway_target_days"] = math.Min(a, b), math.Max(a, b)
	}
}

// scale keeps a run short: at most 80 providers at the start and 400
// arrivals a day over the cohorts.
func (g *gen) scale() {
	const maxProviders, maxArrivals = 80, 400
	total := 0.0
	for _, p := range g.arr("providers") {
		c, _ := p["count"].(int64)
		total += float64(c)
	}
	if total > maxProviders {
		for _, p := range g.arr("providers") {
			c, _ := p["count"].(int64)
			p["count"] = int64(math.Ceil(float64(c) * maxProviders / total))
		}
	}
	total = 0
	for _, t := range g.arr("tenants") {
		a, _ := t["arrivals_per_day"].(float64)
		total += a
	}
	if total > maxArrivals {
		for _, t := range g.arr("tenants") {
			a, _ := t["arrivals_per_day"].(float64)
			t["arrivals_per_day"] = a * maxArrivals / total
		}
	}
	for _, p := range g.arr("providers") {
		if e, _ := p["entries_per_day"].(float64); e > 20 {
			p["entries_per_day"] = 20.0
		}
		if r, _ := p["lease_close_rate_per_day"].(float64); r > 100 {
			p["lease_close_rate_per_day"] = 100.0
		}
	}
}
