package scengen

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/depinsim/depinsim/tokenomics"
)

// The token layer: supply, x/mint, emissions, the BME, the price model,
// incentive programs, seasons and governance.

func (g *gen) tokenomics() {
	t := sub(g.tree, "tokenomics")
	for _, f := range []string{"token", "token_price_usd", "block_seconds", "deployment_min_deposit", "bid_min_deposit", "settlement", "fee_burn_share", "epoch"} {
		g.set(t, f, "tokenomics."+f)
	}
	if g.maybe() {
		t["take_rate"] = g.table("tokenomics.take_rate", tokenomics.DenomNames(), false)
	}
	if g.maybe() { // the supply and its parts: pool + treasury <= supply
		supply := g.num(key("tokenomics.circulating_supply_akt"))
		pool := math.Floor(supply * g.num(key("tokenomics.community_pool_akt")))
		treasury := math.Floor((supply - pool) * g.num(key("tokenomics.treasury_akt")))
		t["circulating_supply_akt"], t["community_pool_akt"], t["treasury_akt"] = supply, pool, treasury
	}
	g.inflation(sub(t, "inflation"))
	st := sub(t, "staking")
	for _, f := range []string{"bonded_ratio", "outside_yield", "speed", "unbonding"} {
		g.set(st, f, "tokenomics.staking."+f)
	}
	// the allocations at the start fit in the supply three times in four
	// (validation refuses the rest): bonded_ratio x supply + pool +
	// treasury <= supply
	if br, ok := st["bonded_ratio"].(float64); ok && g.rng.IntN(4) != 0 {
		supply, sok := number(t["circulating_supply_akt"])
		pool, _ := number(t["community_pool_akt"])
		treasury, _ := number(t["treasury_akt"])
		if sok && supply > 0 {
			st["bonded_ratio"] = math.Min(br, math.Max(0, 0.999*(1-(pool+treasury)/supply)))
		}
	}
	g.emission(t)
	g.bme(t)
	g.price(t)
}

func (g *gen) inflation(in map[string]any) {
	for _, f := range []string{"model", "rate_change", "goal_bonded", "blocks_per_year", "community_tax", "commission"} {
		g.set(in, f, "tokenomics.inflation."+f)
	}
	if g.maybe() { // the band and the start inside it
		a, b := g.num(key("tokenomics.inflation.min")), g.num(key("tokenomics.inflation.max"))
		lo, hi := math.Min(a, b), math.Max(a, b)
		in["min"], in["max"] = lo, hi
		in["initial"] = lo + g.rng.Float64()*(hi-lo)
		if g.rng.IntN(4) == 0 {
			in["initial"] = []float64{lo, hi}[g.rng.IntN(2)]
		}
	}
}

func (g *gen) emission(t map[string]any) {
	e, had := t["emission"].(map[string]any)
	if had && !g.maybe() {
		for _, f := range []string{"start", "job_share", "cap"} {
			if _, ok := e[f]; ok {
				g.set(e, f, "tokenomics.emission."+f)
			}
		}
		return
	}
	if !had && !g.maybe() {
		return
	}
	kind := g.draw("tokenomics.emission.kind").(string)
	e = map[string]any{"kind": kind}
	t["emission"] = e
	d := func(f string) { e[f] = g.draw("tokenomics.emission." + f) }
	switch kind {
	case "none":
		return
	case "geometric":
		d("base")
		d("rate0")
		d("decay")
		d("epoch")
		if e["epoch"] == "0s" {
			e["epoch"] = "1s"
		}
		d("epochs")
	case "table":
		n := 1 + g.rng.IntN(6)
		b := make([]float64, n)
		for i := range b {
			b[i] = g.num(key("tokenomics.emission.budgets"))
		}
		e["budgets"] = b
		d("tail_decay")
		if g.rng.IntN(2) == 0 {
			d("epoch")
		}
	case "halving":
		d("per_block")
		d("block_seconds")
		e["cap"] = math.Max(g.num(key("tokenomics.emission.cap")), 1)
	case "linear":
		d("total")
		d("duration")
		if e["duration"] == "0s" {
			e["duration"] = "1s"
		}
	}
	if kind != "halving" && g.maybe() {
		d("cap")
	}
	if g.maybe() {
		d("start")
	}
	if g.maybe() {
		d("job_share")
	}
	if g.maybe() {
		e["weights"] = g.table("tokenomics.emission.weights", g.res, false)
	}
}

func (g *gen) bme(t map[string]any) {
	if !g.maybe() {
		return
	}
	b := sub(t, "bme")
	for _, f := range []string{"vault_seed_akt", "mint_spread_bps", "settle_spread_bps", "min_mint_act"} {
		g.set(b, f, "tokenomics.bme."+f)
	}
	if g.maybe() { // halt_cr at least 0.0001 below warn_cr
		warn := g.num(key("tokenomics.bme.warn_cr"))
		b["warn_cr"] = warn
		b["halt_cr"] = math.Max(tiny, math.Min(g.num(key("tokenomics.bme.halt_cr")), warn-1e-4))
	}
	if g.maybe() {
		lo := g.draw("tokenomics.bme.epoch_blocks").(int64)
		hi := max(lo, g.draw("tokenomics.bme.max_epoch_blocks").(int64))
		b["epoch_blocks"], b["max_epoch_blocks"] = lo, hi
	}
}

func (g *gen) price(t map[string]any) {
	p := sub(t, "price")
	delete(p, "initial_usd")
	for _, f := range []string{"drift", "volatility", "elasticity"} {
		g.set(p, f, "tokenomics.price."+f)
	}
	if g.maybe() {
		p["model"] = g.draw("tokenomics.price.model")
	}
	switch p["model"] {
	case "endogenous":
		if d, _ := p["market_depth_usd"].(float64); d <= 0 || g.maybe() {
			p["market_depth_usd"] = g.draw("tokenomics.price.market_depth_usd")
		}
	case "csv":
		p["csv"] = PriceFile
		g.files[PriceFile] = g.priceCSV()
	}
}

// priceCSV draws a price path: 1 to 40 rows, increasing times inside or
// past the horizon, prices in [1e-9, 1e12] as a random walk of the log.
func (g *gen) priceCSV() []byte {
	var b bytes.Buffer
	byDay := g.rng.IntN(2) == 0
	if byDay {
		b.WriteString("day,price_usd\n")
	} else {
		b.WriteString("# a generated path\nt_hours,price_usd,note\n")
	}
	n := 1 + g.rng.IntN(40)
	t := 0.0
	if g.rng.IntN(3) == 0 {
		t = g.rng.Float64() * g.horizon / hour
	}
	logP := g.rng.Float64()*(math.Log(1e12)-math.Log(1e-9)) + math.Log(1e-9)
	step := g.rng.Float64() * 5
	for range n {
		price := math.Min(1e12, math.Max(1e-9, math.Exp(logP)))
		if byDay {
			fmt.Fprintf(&b, "%s,%s\n", strconv.FormatFloat(t/24, 'g', -1, 64), strconv.FormatFloat(price, 'g', -1, 64))
		} else {
			fmt.Fprintf(&b, "%s,%s,x\n", strconv.FormatFloat(t, 'g', -1, 64), strconv.FormatFloat(price, 'g', -1, 64))
		}
		t += math.Max(1, math.Round(g.rng.ExpFloat64()*g.horizon/hour/float64(n)))
		logP += step * g.rng.NormFloat64()
	}
	return b.Bytes()
}

func (g *gen) incentives() {
	progs := g.arr("tokenomics.incentives")
	for _, p := range progs {
		for _, f := range []string{"start", "duration", "budget_usd", "funding"} {
			g.set(p, f, "tokenomics.incentives[]."+f)
		}
	}
	provs := names(g.arr("providers"))
	if g.maybe() {
		for n := g.rng.IntN(3); n > 0; n-- {
			cs := slices.Clone(provs)
			g.rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
			cs = cs[:1+g.rng.IntN(len(cs))]
			p := map[string]any{"name": fmt.Sprintf("gen-program-%d", len(progs)), "cohorts": cs}
			for _, f := range []string{"mode", "start", "duration", "budget_usd", "funding"} {
				p[f] = g.draw("tokenomics.incentives[]." + f)
			}
			if p["duration"] == "0s" {
				p["duration"] = "1s"
			}
			progs = append(progs, p)
		}
	}
	for _, p := range progs { // the mode's key
		if p["mode"] == "per-gpu-hour" {
			delete(p, "target_utilization")
			if _, ok := p["usd_per_gpu_hour"]; !ok || g.maybe() {
				p["usd_per_gpu_hour"] = g.draw("tokenomics.incentives[].usd_per_gpu_hour")
			}
		} else {
			delete(p, "usd_per_gpu_hour")
			if _, ok := p["target_utilization"]; !ok || g.maybe() {
				p["target_utilization"] = g.draw("tokenomics.incentives[].target_utilization")
			}
		}
	}
	g.setArr("tokenomics.incentives", progs)
}

func (g *gen) seasons() {
	ss := g.arr("tokenomics.seasons")
	if g.maybe() {
		ss = nil
		for n := g.rng.IntN(4); n > 0; n-- {
			start := g.num(key("tokenomics.seasons[].start"))
			end := start + math.Max(1, g.num(key("tokenomics.seasons[].end")))
			claim := end + g.num(key("tokenomics.seasons[].claim_at"))
			ss = append(ss, map[string]any{
				"name":                fmt.Sprintf("gen-season-%d", len(ss)),
				"start":               dur(start),
				"end":                 dur(end),
				"claim_at":            dur(claim),
				"points_per_gpu_hour": g.draw("tokenomics.seasons[].points_per_gpu_hour"),
				"pool_tokens":         g.draw("tokenomics.seasons[].pool_tokens"),
			})
		}
	} else {
		for _, s := range ss {
			g.set(s, "points_per_gpu_hour", "tokenomics.seasons[].points_per_gpu_hour")
			g.set(s, "pool_tokens", "tokenomics.seasons[].pool_tokens")
		}
	}
	g.setArr("tokenomics.seasons", ss)
}

// governance draws 0 to 4 changes in time order, keeping the inflation
// band non-empty.
func (g *gen) governance() {
	if !g.maybe() {
		return
	}
	in := sub(sub(g.tree, "tokenomics"), "inflation")
	lo, hi := 0.13, 0.2
	if v, ok := in["min"].(float64); ok {
		lo = v
	}
	if v, ok := in["max"].(float64); ok {
		hi = v
	}
	n := g.rng.IntN(5)
	ats := make([]float64, n)
	for i := range ats {
		ats[i] = g.num(key("tokenomics.governance[].at"))
	}
	slices.Sort(ats)
	var out []map[string]any
	for _, at := range ats {
		name := tokenomics.GovernanceKeys[g.rng.IntN(len(tokenomics.GovernanceKeys))]
		k, _ := tokenomics.Governable(name)
		var v any
		if k.Values != nil {
			v = k.Values[g.rng.IntN(len(k.Values))]
		} else {
			r := k.Range
			f := g.num(Key{Kind: Float, Lo: r.Lo, Hi: r.Hi})
			if r.LoOpen && f == r.Lo {
				f = r.Lo + (r.Hi-r.Lo)*1e-6
			}
			switch name {
			case "tokenomics.inflation.min":
				f = math.Min(f, hi)
				lo = f
			case "tokenomics.inflation.max":
				f = math.Max(f, lo)
				hi = f
			}
			v = f
		}
		out = append(out, map[string]any{"at": dur(at), "key": name, "value": v, "note": g.draw("tokenomics.governance[].note")})
	}
	g.setArr("tokenomics.governance", out)
}
