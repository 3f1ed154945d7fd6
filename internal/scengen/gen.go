package scengen

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/tokenomics"
)

// PriceFile is the name of the generated price CSV, next to the scenario
// file (tokenomics.price.csv names it relative to the scenario's folder).
const PriceFile = "price.csv"

// Scenario is one generated scenario.
type Scenario struct {
	// Seed and Index are Generate's arguments.
	Seed  uint64
	Index int
	// Preset is the preset it was mutated from.
	Preset string
	// TOML is the scenario file's text.
	TOML []byte
	// Files holds the other files the scenario reads, by name relative to
	// the scenario file's folder (the price CSV), each with its text.
	Files map[string][]byte
}

// Generate returns scenario index of the stream seed: a preset
// (scenarios.Presets, in turn by index) whose keys are redrawn inside
// their documented ranges (Keys). It is a pure function of its arguments.
func Generate(seed uint64, index int) (Scenario, error) {
	presets := scenarios.Presets()
	preset := presets[index%len(presets)]
	data, ok := scenarios.PresetData(preset)
	if !ok {
		return Scenario{}, fmt.Errorf("scengen: no preset %q", preset)
	}
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		return Scenario{}, fmt.Errorf("scengen: preset %s: %v", preset, err)
	}
	g := &gen{
		rng:   rand.New(rand.NewPCG(seed, uint64(index))),
		tree:  tree,
		files: map[string][]byte{},
	}
	// how many keys change: a few, about a third, or most
	g.p = []float64{0.1, 0.35, 0.7}[g.rng.IntN(3)]
	tree["name"] = fmt.Sprintf("gen-%d-%d", seed, index)
	tree["description"] = fmt.Sprintf("generated from preset %s (scengen seed %d, index %d)", preset, seed, index)
	g.resources()
	g.sim()
	g.cohorts()
	g.market()
	g.tokenomics()
	for _, p := range g.arr("providers") {
		g.provider(p)
	}
	for _, t := range g.arr("tenants") {
		g.tenant(t)
	}
	g.incentives()
	g.seasons()
	g.governance()
	g.scale()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# generated from preset %s: scengen seed %d, index %d\n", preset, seed, index)
	if err := toml.NewEncoder(&buf).Encode(tree); err != nil {
		return Scenario{}, fmt.Errorf("scengen: encoding: %v", err)
	}
	return Scenario{Seed: seed, Index: index, Preset: preset, TOML: buf.Bytes(), Files: g.files}, nil
}

// gen holds one generation's state.
type gen struct {
	rng     *rand.Rand
	p       float64 // probability that a key is redrawn
	tree    map[string]any
	files   map[string][]byte
	res     []string // resource keys: cpu, memory_gb, GPU models
	gpus    []string // GPU models
	horizon float64  // seconds
}

// --- drawing values -------------------------------------------------------

// number returns v as a float64 when it is a TOML number.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// maybe tells whether to redraw a key.
func (g *gen) maybe() bool { return g.rng.Float64() < g.p }

// num draws a number of k's range: a bound one time in four, else inside.
func (g *gen) num(k Key) float64 {
	lo, hi := k.Lo, k.Hi
	if k.Kind == Duration && k.Horizon {
		lo, hi = lo*g.horizon, hi*g.horizon
	}
	switch r := g.rng.Float64(); {
	case r < 0.12:
		return lo
	case r < 0.25:
		return hi
	}
	if k.Kind == Float || hi <= 0 {
		return lo + g.rng.Float64()*(hi-lo)
	}
	l := lo
	if l <= 0 {
		l = math.Max(hi*1e-9, 1e-9)
	}
	if lo < 0 { // a signed range: uniform
		return lo + g.rng.Float64()*(hi-lo)
	}
	return math.Exp(math.Log(l) + g.rng.Float64()*(math.Log(hi)-math.Log(l)))
}

// draw draws a value of the key at path, as TOML decodes it.
func (g *gen) draw(path string) any {
	k := key(path)
	switch k.Kind {
	case Float, LogFloat:
		return g.num(k)
	case Int:
		return int64(math.Round(g.num(k)))
	case Duration:
		return dur(g.num(k))
	case Enum:
		return k.Values[g.rng.IntN(len(k.Values))]
	case Bool:
		return g.rng.IntN(2) == 0
	case Dist:
		return g.dist(k)
	}
	panic("scengen: draw of " + path)
}

// set redraws m[field] from the key at path with probability g.p.
func (g *gen) set(m map[string]any, field, path string) {
	if g.maybe() {
		m[field] = g.draw(path)
	}
}

// dur formats seconds as a duration.
func dur(sec float64) string {
	if sec <= 0 {
		return "0s"
	}
	return strconv.FormatInt(int64(math.Round(sec)), 10) + "s"
}

// dist draws a distribution whose draws mostly lie in [k.Lo, k.Hi].
func (g *gen) dist(k Key) map[string]any {
	v := func() float64 {
		x := g.num(Key{Kind: LogFloat, Lo: k.Lo, Hi: k.Hi})
		if k.Integer {
			x = math.Round(x)
		}
		return x
	}
	pos := func() float64 { return math.Max(v(), tiny) }
	var d map[string]any
	switch g.rng.IntN(6) {
	case 0:
		d = map[string]any{"kind": "const", "value": v()}
	case 1:
		a, b := v(), v()
		if g.rng.IntN(8) == 0 { // a finite range may reach below 0
			a = -a
		}
		d = map[string]any{"kind": "uniform", "min": math.Min(a, b), "max": math.Max(a, b)}
	case 2:
		d = map[string]any{"kind": "exponential", "mean": pos()}
	case 3:
		d = map[string]any{"kind": "lognormal", "median": pos(), "sigma": g.num(Key{Kind: Float, Lo: 0, Hi: 3})}
	case 4:
		d = map[string]any{"kind": "pareto", "min": pos(), "alpha": g.num(Key{Kind: LogFloat, Lo: 0.1, Hi: 10})}
	default:
		n := 1 + g.rng.IntN(5)
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = v()
		}
		d = map[string]any{"kind": "choice", "values": vals}
		if g.rng.IntN(2) == 0 {
			w := make([]float64, n)
			for i := range w {
				w[i] = float64(g.rng.IntN(4))
			}
			w[g.rng.IntN(n)] = 1 // not all 0
			d["weights"] = w
		}
	}
	if g.rng.IntN(5) == 0 {
		d["cap"] = g.num(Key{Kind: LogFloat, Lo: 0, Hi: 2 * k.Hi})
	}
	return d
}

// table draws a table of some of keys (at least one when atLeastOne) with
// values in k's range.
func (g *gen) table(path string, keys []string, atLeastOne bool) map[string]any {
	k := key(path)
	m := map[string]any{}
	for _, name := range keys {
		if g.rng.IntN(3) == 0 {
			continue
		}
		m[name] = g.tableValue(k)
	}
	if atLeastOne && len(m) == 0 && len(keys) > 0 {
		m[keys[g.rng.IntN(len(keys))]] = g.tableValue(k)
	}
	return m
}

func (g *gen) tableValue(k Key) any {
	x := g.num(Key{Kind: LogFloat, Lo: k.Lo, Hi: k.Hi})
	if k.Integer {
		return int64(math.Round(x))
	}
	return x
}

// --- the tree -------------------------------------------------------------

// sub returns the table m[name], made when missing.
func sub(m map[string]any, name string) map[string]any {
	if t, ok := m[name].(map[string]any); ok {
		return t
	}
	t := map[string]any{}
	m[name] = t
	return t
}

// arr returns the array of tables at a top-level or tokenomics key.
func (g *gen) arr(name string) []map[string]any {
	m := g.tree
	if n, ok := strings.CutPrefix(name, "tokenomics."); ok {
		m, name = sub(g.tree, "tokenomics"), n
	}
	a, _ := m[name].([]map[string]any)
	return a
}

func (g *gen) setArr(name string, a []map[string]any) {
	m := g.tree
	if n, ok := strings.CutPrefix(name, "tokenomics."); ok {
		m, name = sub(g.tree, "tokenomics"), n
	}
	if len(a) == 0 {
		delete(m, name)
		return
	}
	m[name] = a
}

func names(a []map[string]any) []string {
	out := make([]string, len(a))
	for i, el := range a {
		out[i], _ = el["name"].(string)
	}
	return out
}

// --- sections -------------------------------------------------------------

func (g *gen) resources() {
	res := sub(g.tree, "resources")
	ref, ok := res["reference_usd_hour"].(map[string]any)
	if !ok {
		ref = map[string]any{"cpu": 0.04, "memory_gb": 0.005, "h100": 2.49, "a100": 1.69, "a6000": 0.98, "rtx4090": 0.35, "v100": 0.40}
		res["reference_usd_hour"] = ref
	}
	k := key("resources.reference_usd_hour")
	for _, name := range slices.Sorted(maps.Keys(ref)) {
		if g.maybe() {
			ref[name] = g.tableValue(k)
		}
	}
	g.res = slices.Sorted(maps.Keys(ref))
	for _, r := range g.res {
		if r != "cpu" && r != "memory_gb" {
			g.gpus = append(g.gpus, r)
		}
	}
}

func (g *gen) sim() {
	s := sub(g.tree, "sim")
	g.horizon = g.num(key("sim.horizon"))
	if g.rng.IntN(3) == 0 { // whole days half the time
		g.horizon = math.Max(day, math.Round(g.horizon/day)*day)
	}
	s["horizon"] = dur(g.horizon)
	s["warmup"] = "0s"
	if g.rng.IntN(3) == 0 {
		s["warmup"] = g.draw("sim.warmup")
	}
	every := math.Max(1, math.Round(g.num(key("sim.sample_every"))))
	s["sample_every"] = dur(math.Min(every, g.horizon))
	s["replications"] = g.draw("sim.replications")
	g.set(s, "seed", "sim.seed")
	if g.maybe() {
		s["start"] = g.draw("sim.start")
	}
}

// cohorts drops and duplicates provider and tenant cohorts.
func (g *gen) cohorts() {
	for _, name := range []string{"providers", "tenants"} {
		a := g.arr(name)
		if g.maybe() && len(a) > 1 { // drop some
			keep := 1 + g.rng.IntN(len(a))
			g.rng.Shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
			a = a[:keep]
		}
		if g.maybe() { // duplicate some
			for n := g.rng.IntN(3); n > 0; n-- {
				c := maps.Clone(a[g.rng.IntN(len(a))])
				c["name"] = fmt.Sprintf("%s-copy%d", c["name"], len(a))
				a = append(a, c)
			}
		}
		g.setArr(name, a)
	}
	// incentive programs name provider cohorts: drop the names gone
	known := names(g.arr("providers"))
	var progs []map[string]any
	for _, p := range g.arr("tokenomics.incentives") {
		var cs []string
		switch v := p["cohorts"].(type) {
		case []any:
			for _, c := range v {
				if s, ok := c.(string); ok && slices.Contains(known, s) {
					cs = append(cs, s)
				}
			}
		case []string:
			for _, s := range v {
				if slices.Contains(known, s) {
					cs = append(cs, s)
				}
			}
		}
		if len(cs) > 0 {
			p["cohorts"] = cs
			progs = append(progs, p)
		}
	}
	g.setArr("tokenomics.incentives", progs)
}

func (g *gen) market() {
	m := sub(g.tree, "market")
	mech, _ := m["mechanism"].(string)
	if mech == "" {
		mech = "akash-reverse"
	}
	if g.maybe() || g.rng.IntN(3) == 0 { // a new mechanism, with none of the old keys
		mech = g.draw("market.mechanism").(string)
		m = map[string]any{"mechanism": mech}
		g.tree["market"] = m
		switch mech {
		case "posted-price":
			m["prices_usd_hour"] = g.table("market[posted-price].prices_usd_hour", g.res, true)
		case "tiered-queue":
			m["tiers"] = g.tiers()
			m["work_per_unit_hour"] = g.workTable()
		}
	}
	pre := "market[" + mech + "]."
	for _, k := range Keys {
		field, ok := strings.CutPrefix(k.Path, pre)
		if !ok || strings.Contains(field, "[") || !g.maybe() {
			continue
		}
		switch field {
		case "prices_usd_hour":
			m[field] = g.table(k.Path, g.res, true)
		case "tiers":
			m[field] = g.tiers()
		case "work_per_unit_hour":
			m[field] = g.workTable()
		default:
			m[field] = g.draw(k.Path)
		}
	}
	if mech == "posted-price" { // peak_min <= peak_max (defaults 0.5 and 2)
		lo, hi := 0.5, 2.0
		if v, ok := m["peak_min"].(float64); ok {
			lo = v
		}
		if v, ok := m["peak_max"].(float64); ok {
			hi = v
		}
		if hi < lo {
			m["peak_min"], m["peak_max"] = hi, lo
		}
	}
}

func (g *gen) tiers() []map[string]any {
	n := 1 + g.rng.IntN(4)
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{
			"name":         fmt.Sprintf("T%d", i+1),
			"priority":     g.draw("market[tiered-queue].tiers[].priority"),
			"usd_per_work": g.draw("market[tiered-queue].tiers[].usd_per_work"),
			"audited_only": g.rng.IntN(4) == 0,
		}
	}
	return out
}

// workTable draws work_per_unit_hour: at least one value above 0.
func (g *gen) workTable() map[string]any {
	t := g.table("market[tiered-queue].work_per_unit_hour", g.res, true)
	for _, k := range slices.Sorted(maps.Keys(t)) {
		if t[k].(float64) > 0 {
			return t
		}
	}
	t[g.res[g.rng.IntN(len(g.res))]] = 1.0
	return t
}

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

// strategyKeys lists the keys of each bid strategy.
var strategyKeys = map[string][]string{
	"cost-plus":       nil,
	"adaptive-markup": {"markup_step", "target_win_rate", "markup_max"},
	"undercut-median": {"undercut"},
}

func (g *gen) provider(p map[string]any) {
	for _, f := range []string{"kind", "count", "enter_at", "cpu_cores", "memory_gb", "region", "audited_fraction",
		"price_multiplier", "cost_multiplier", "min_markup", "withdraw_every", "lease_close_rate_per_day",
		"balance_akt", "stake_per_gpu", "entries_per_day", "entry_threshold", "min_tenure", "exit_threshold",
		"exit_hazard", "leave_after", "leave_hazard", "detection_prob", "max_providers"} {
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
	for _, strategy := range slices.Sorted(maps.Keys(strategyKeys)) {
		for _, f := range strategyKeys[strategy] {
			if strategy != s {
				delete(p, f)
			} else {
				g.set(p, f, "providers[]."+f)
			}
		}
	}
}

func (g *gen) tenant(t map[string]any) {
	for _, f := range []string{"arrivals_per_day", "growth_per_year", "daily_amplitude", "arrivals_until", "gpus",
		"cpu_cores", "memory_gb", "max_price_ratio", "lifetime_hours", "budget_ratio", "usdc_fraction",
		"audited_fraction", "selection_window", "selection", "retry_every", "patience", "restart_prob"} {
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
	if g.maybe() { // runway_min_days <= runway_target_days
		a, b := g.num(key("tenants[].runway_min_days")), g.num(key("tenants[].runway_target_days"))
		t["runway_min_days"], t["runway_target_days"] = math.Min(a, b), math.Max(a, b)
	}
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
