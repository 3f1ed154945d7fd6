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
	g.referenceSteps()
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
	g.asserts()
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

// referenceSteps draws the reference price path: 0 to 3 steps at times
// within 1.2 horizons, multipliers log-uniform in [0.1, 10].
func (g *gen) referenceSteps() {
	if !g.maybe() {
		return
	}
	steps := map[string]any{}
	for n := g.rng.IntN(4); n > 0; n-- {
		m := math.Exp(math.Log(0.1) + g.rng.Float64()*(math.Log(10)-math.Log(0.1)))
		steps[dur(math.Round(g.rng.Float64()*1.2*g.horizon))] = m
	}
	sub(g.tree, "resources")["reference_steps"] = steps
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
