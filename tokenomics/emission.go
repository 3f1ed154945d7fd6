package tokenomics

import (
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"sort"

	"github.com/depinsim/depinsim/simtime"
)

// The emission kinds NewEmission knows, as written in [tokenomics.emission] kind.
const (
	// EmissionNone emits nothing: a fixed supply (Gensyn's 10B AI minted
	// once, competitors.md §3.3).
	EmissionNone = "none"
	// EmissionGeometric is a fixed-base geometric decay per epoch (io.net,
	// competitors.md §1.4).
	EmissionGeometric = "geometric"
	// EmissionTable is a table of yearly budgets followed by a geometric
	// tail (Render, competitors.md §2.4).
	EmissionTable = "table"
	// EmissionHalving is a per-block emission halved as issuance approaches
	// the cap (Bittensor, competitors.md §5).
	EmissionHalving = "halving"
	// EmissionLinear releases a pool evenly over a duration (Nosana's mining
	// pool, competitors.md §6; Aethir's checker pool, §7).
	EmissionLinear = "linear"
)

// MaxEmissionTokens bounds every token amount of EmissionParams (base,
// total, cap, each budget), in whole tokens, so that base-unit arithmetic
// stays well inside int64.
const MaxEmissionTokens = 1e12

// maxCumulative is where the cumulative emission of an unbounded schedule
// saturates, in base units (about 4.6e12 tokens); it keeps every sum of
// two cumulative amounts inside int64.
const maxCumulative = int64(1) << 62

// EmissionKinds returns the emission kinds NewEmission accepts, sorted.
func EmissionKinds() []string {
	k := []string{EmissionNone, EmissionGeometric, EmissionTable, EmissionHalving, EmissionLinear}
	sort.Strings(k)
	return k
}

// EmissionParams is the TOML table [tokenomics.emission]: a supply schedule
// other than Cosmos inflation. Only the fields of the chosen Kind are read
// (and validated), plus Cap, which applies to every kind.
type EmissionParams struct {
	// Kind selects the schedule: "none", "geometric", "table", "halving"
	// or "linear" (see EmissionKinds).
	Kind string `toml:"kind"`

	// Base is the geometric schedule's fixed base, in whole tokens: the
	// emission of epoch i (counted from 0) is Base × Rate0 × (1-Decay)^i,
	// spread evenly over the epoch (io.net 500,000,000 IO, competitors.md
	// §1.4).
	Base float64 `toml:"base"`
	// Rate0 is the geometric schedule's rate of epoch 0, a fraction of
	// Base per epoch in [0, 1] (io.net 0.08/8760 per hour).
	Rate0 float64 `toml:"rate0"`
	// Decay is the geometric schedule's fractional decrease of the rate
	// per epoch, in [0, 1) (io.net 0.000013886952395979 per hour, i.e.
	// 0.0013886952395979 %).
	Decay float64 `toml:"decay"`
	// Epoch is the geometric schedule's epoch length (io.net 1h); for the
	// table schedule it is the length of one budget period, 365d when 0.
	Epoch simtime.Duration `toml:"epoch"`
	// Epochs is the geometric schedule's number of epochs, after which it
	// emits nothing (io.net 175,319 hourly epochs); 0 means unbounded.
	Epochs int64 `toml:"epochs"`

	// Budgets are the table schedule's budgets in whole tokens per period
	// (year) for periods 1..n, each spread evenly over its period (Render:
	// 9,126,804 in year 1, then 5,900,000 a year, competitors.md §2.4).
	Budgets []float64 `toml:"budgets"`
	// TailDecay continues the table after its last budget: each later
	// period's budget is the previous one × TailDecay, in [0, 1] (0: no
	// tail; Render about 0.928 after year 5 reaches the cap near year 60,
	// competitors.md §2.4 [I]).
	TailDecay float64 `toml:"tail_decay"`

	// PerBlock is the halving schedule's emission per block before the
	// first halving, in whole tokens (Bittensor 1 TAO, competitors.md §5).
	// Block emission is PerBlock × 2^-floor(log2(1/(1 - issued/Cap))), so
	// it halves each time issuance crosses half of what remains below Cap.
	PerBlock float64 `toml:"per_block"`
	// BlockSeconds is the halving schedule's block time in seconds
	// (Bittensor 12, i.e. 7,200 blocks a day); block n is produced at
	// time n × BlockSeconds for n = 1, 2, ...
	BlockSeconds float64 `toml:"block_seconds"`

	// Total is the linear schedule's pool in whole tokens, released evenly
	// over Duration (Nosana 20,000,000 NOS, competitors.md §6).
	Total float64 `toml:"total"`
	// Duration is the linear schedule's release period (Nosana 24 months,
	// written 730d).
	Duration simtime.Duration `toml:"duration"`

	// Cap is a hard cap on the whole tokens this schedule ever emits; 0
	// means none, except for "halving", which needs it as its asymptote
	// (io.net 300,000,000; Render 107,374,182; Bittensor 21,000,000).
	Cap float64 `toml:"cap"`

	// JobShare is the fraction of each epoch's emission paid pro rata to
	// the work providers do (GPUs, or CPU cores without GPUs, in leases at
	// the epoch); the rest is paid pro rata to listed capacity
	// (availability). In [0, 1]; 0 by default (io.net block rewards do not
	// depend on being hired, competitors.md §1.5). Render year 3: 15,000
	// job and 2,800 availability RENDER a week, 0.843 (competitors.md
	// §2.5, RNP-022).
	JobShare float64 `toml:"job_share"`
	// Start is when the schedule begins, from the scenario start (0: at
	// the start); the schedule's own time counts from it (io.net block
	// rewards began on 2024-06-25, competitors.md §1.5).
	Start simtime.Duration `toml:"start"`
	// Weights multiply each resource's listed units in the availability
	// share, by resource key ("h100", "cpu"); a resource not listed
	// weighs 1. io.net pays block rewards by a score about proportional to
	// hardware multiplier × GPU count (competitors.md §1.5: H100 10,
	// A100-80GB 5, RTX 4090 1.25, ...). The scenario layer checks the keys
	// against its resources.
	Weights map[string]float64 `toml:"weights"`
}

// DefaultEmissionParams returns kind "none": no emission beyond what the
// rest of the model mints.
func DefaultEmissionParams() EmissionParams { return EmissionParams{Kind: EmissionNone} }

// IONetEmissionParams returns io.net's hourly schedule: 300M IO emitted
// over 175,319 hourly epochs on a fixed 500M base, 4,566.21 IO in the
// first hour, decaying 0.0013886952395979 % an hour (competitors.md §1.4,
// the fixed-base reading).
func IONetEmissionParams() EmissionParams {
	return EmissionParams{
		Kind:   EmissionGeometric,
		Base:   500_000_000,
		Rate0:  0.08 / 8760,
		Decay:  0.000013886952395979,
		Epoch:  simtime.Duration(simtime.Hour),
		Epochs: 175_319,
		Cap:    300_000_000,
	}
}

// RenderEmissionParams returns Render's BME emission as a yearly table:
// 9,126,804 RENDER in year 1 (RNP-006), 5,900,000 in years 2-5 (RNP-018,
// RNP-022), then a 0.928 a year tail that reaches the 107,374,182 cap
// (RNP-001) near year 60 (competitors.md §2.4; the tail is [I]).
func RenderEmissionParams() EmissionParams {
	return EmissionParams{
		Kind:      EmissionTable,
		Budgets:   []float64{9_126_804, 5_900_000, 5_900_000, 5_900_000, 5_900_000},
		TailDecay: 0.928,
		Cap:       107_374_182,
	}
}

// BittensorEmissionParams returns Bittensor's issuance-driven halving: 1
// TAO per 12 s block, halving as issuance crosses 10.5M, 15.75M, ... of
// the 21M cap (competitors.md §5).
func BittensorEmissionParams() EmissionParams {
	return EmissionParams{Kind: EmissionHalving, PerBlock: 1, BlockSeconds: 12, Cap: 21_000_000}
}

// NosanaEmissionParams returns Nosana's mining pool: 20M NOS released
// linearly over 24 months, written 730d (competitors.md §6).
func NosanaEmissionParams() EmissionParams {
	return EmissionParams{Kind: EmissionLinear, Total: 20_000_000, Duration: simtime.Duration(730 * simtime.Day), Cap: 20_000_000}
}

// Validate checks the fields of the chosen kind and the cap; errors name
// the key under [tokenomics.emission] and the allowed range.
func (p *EmissionParams) Validate() error {
	bad := func(key string, v any, allowed string) error {
		return fmt.Errorf("tokenomics.emission.%s: must be %s, got %v", key, allowed, v)
	}
	tokens := func(key string, v float64) error {
		if !(v >= 0 && v <= MaxEmissionTokens) {
			return bad(key, v, "in [0, 1e12] tokens")
		}
		return nil
	}
	if err := tokens("cap", p.Cap); err != nil {
		return err
	}
	if !(p.JobShare >= 0 && p.JobShare <= 1) {
		return bad("job_share", p.JobShare, "a fraction in [0, 1]")
	}
	if p.Start < 0 {
		return bad("start", simtime.Time(p.Start), ">= 0")
	}
	for _, k := range slices.Sorted(maps.Keys(p.Weights)) {
		if v := p.Weights[k]; !(v >= 0 && v <= 1e6) {
			return bad("weights."+k, v, "in [0, 1e6]")
		}
	}
	switch p.Kind {
	case EmissionNone:
	case EmissionGeometric:
		if err := tokens("base", p.Base); err != nil {
			return err
		}
		if !(p.Rate0 >= 0 && p.Rate0 <= 1) {
			return bad("rate0", p.Rate0, "in [0, 1]")
		}
		if !(p.Decay >= 0 && p.Decay < 1) {
			return bad("decay", p.Decay, "in [0, 1)")
		}
		if p.Epoch <= 0 {
			return bad("epoch", simtime.Time(p.Epoch), "> 0")
		}
		if p.Epochs < 0 {
			return bad("epochs", p.Epochs, ">= 0 (0: unbounded)")
		}
	case EmissionTable:
		if len(p.Budgets) == 0 {
			return bad("budgets", "[]", "a list of at least one yearly budget")
		}
		for i, b := range p.Budgets {
			if err := tokens(fmt.Sprintf("budgets[%d]", i), b); err != nil {
				return err
			}
		}
		if !(p.TailDecay >= 0 && p.TailDecay <= 1) {
			return bad("tail_decay", p.TailDecay, "in [0, 1]")
		}
		if p.Epoch < 0 {
			return bad("epoch", simtime.Time(p.Epoch), ">= 0 (0: 365d)")
		}
	case EmissionHalving:
		if !(p.PerBlock > 0 && p.PerBlock <= MaxEmissionTokens) {
			return bad("per_block", p.PerBlock, "in (0, 1e12] tokens")
		}
		if !(p.BlockSeconds >= 0.001 && p.BlockSeconds <= 1e6) {
			return bad("block_seconds", p.BlockSeconds, "in [0.001, 1e6]")
		}
		if !(p.Cap > 0) {
			return bad("cap", p.Cap, `> 0 for kind "halving" (the halving asymptote)`)
		}
	case EmissionLinear:
		if err := tokens("total", p.Total); err != nil {
			return err
		}
		if p.Duration <= 0 {
			return bad("duration", simtime.Time(p.Duration), "> 0")
		}
	default:
		return bad("kind", fmt.Sprintf("%q", p.Kind), "one of none, geometric, table, halving, linear")
	}
	return nil
}

// Emission is a supply schedule.
type Emission interface {
	// Emit returns the base units to mint over (from, to] given issued,
	// the base units this schedule has emitted so far. Emissions over
	// consecutive intervals add up exactly to the emission over their
	// union for time-driven schedules (they are differences of an integer
	// cumulative function, so splitting never loses units), and never
	// exceed the cap. Issuance-driven schedules ("halving") read issued to
	// find the block emission, so emitting over consecutive intervals with
	// issued updated in between is exact too; pass issuance net of any
	// recycled tokens to model recycling delaying the halving
	// (competitors.md §5). Times before 0 count as 0; to < from or
	// issued < 0 panics.
	Emit(from, to simtime.Time, issued int64) int64
}

// NewEmission validates p and builds its schedule. The schedule copies
// what it needs from p.
func NewEmission(p EmissionParams) (Emission, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	capU := emissionUnits(p.Cap)
	switch p.Kind {
	case EmissionGeometric:
		g := &geometricEmission{
			epoch:  int64(p.Epoch),
			epochs: p.Epochs,
			first:  p.Base * BaseUnits * p.Rate0,
			decay:  p.Decay,
			logq:   math.Log1p(-p.Decay),
		}
		return &timeEmission{cum: g.boundary, period: g.epoch, capU: capU}, nil
	case EmissionTable:
		period := int64(p.Epoch)
		if period == 0 {
			period = int64(simtime.Year)
		}
		t := &tableEmission{prefix: make([]int64, len(p.Budgets)+1), tail: p.TailDecay, logTail: math.Log(p.TailDecay)}
		for i, b := range p.Budgets {
			t.prefix[i+1] = emissionAdd(t.prefix[i], emissionUnits(b))
		}
		t.last = float64(emissionUnits(p.Budgets[len(p.Budgets)-1]))
		return &timeEmission{cum: t.boundary, period: period, capU: capU}, nil
	case EmissionHalving:
		block := int64(math.Round(p.BlockSeconds * float64(simtime.Second)))
		return &halvingEmission{block: block, perBlock: emissionUnits(p.PerBlock), capU: capU}, nil
	case EmissionLinear:
		return &linearEmission{total: emissionUnits(p.Total), duration: int64(p.Duration), capU: capU}, nil
	}
	return noEmission{}, nil
}

// emissionUnits converts whole tokens (validated to [0, 1e12]) to base
// units, rounding to nearest.
func emissionUnits(x float64) int64 { return int64(math.Round(x * BaseUnits)) }

// emissionSnap is the relative tolerance, about 16 ulps, under which a
// closed-form cumulative amount just below an integer counts as that
// integer (expm1, log1p and the divisions each round: 1000 × 0.1 × (1 -
// 0.75) / 0.25 computes 99.99999999999999).
const emissionSnap = 0x1p-48

// emissionFloor floors a non-negative amount of base units held in a
// float (see emissionSnap), saturating at maxCumulative; it is
// non-decreasing in v.
func emissionFloor(v float64) int64 {
	if !(v > 0) {
		return 0
	}
	if v >= float64(maxCumulative) {
		return maxCumulative
	}
	return min(int64(snapFloor(v, emissionSnap)), maxCumulative)
}

// snapFloor returns floor(v) for v >= 0, or floor(v)+1 when v lies within
// the relative tolerance tol below that integer, i.e. floor(v × (1+tol)):
// a rounded-down amount that float rounding cannot knock one unit short.
// It is non-decreasing in v. The caller keeps v below 2^63.
func snapFloor(v, tol float64) float64 {
	f := math.Floor(v)
	if v > f && f+1-v <= v*tol && f+1 < 0x1p63 {
		f++
	}
	return f
}

// emissionAdd adds two non-negative amounts, saturating at maxCumulative.
func emissionAdd(a, b int64) int64 {
	if a >= maxCumulative-b {
		return maxCumulative
	}
	return a + b
}

// emissionMulDiv returns floor(a × b / c) for 0 <= b < c, 0 <= a, in
// 128-bit arithmetic.
func emissionMulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c)) // hi < c because b < c
	return int64(q)
}

// emissionInterval panics on a malformed Emit call and clamps from to 0.
func emissionInterval(from, to simtime.Time, issued int64) simtime.Time {
	if to < from || issued < 0 {
		panic(fmt.Sprintf("tokenomics: Emit(%d, %d, %d): want from <= to and issued >= 0", from, to, issued))
	}
	if from < 0 {
		return 0
	}
	return from
}

// noEmission is kind "none".
type noEmission struct{}

func (noEmission) Emit(from, to simtime.Time, issued int64) int64 {
	emissionInterval(from, to, issued)
	return 0
}

// timeEmission is a time-driven schedule built from the cumulative
// emission at period boundaries, cum(k) base units by the end of period
// k-1, with each period's amount spread evenly (in integers) over it.
type timeEmission struct {
	cum    func(k int64) int64 // non-decreasing, cum(0) = 0
	period int64               // ns
	capU   int64               // base units; 0: no cap
}

// cumulative returns the base units emitted over (0, t], capped.
func (e *timeEmission) cumulative(t simtime.Time) int64 {
	if t <= 0 {
		return 0
	}
	k, r := int64(t)/e.period, int64(t)%e.period
	c := e.cum(k)
	if r > 0 {
		if amt := e.cum(k+1) - c; amt > 0 {
			c += emissionMulDiv(amt, r, e.period)
		}
	}
	if e.capU > 0 && c > e.capU {
		c = e.capU
	}
	return c
}

func (e *timeEmission) Emit(from, to simtime.Time, issued int64) int64 {
	return emitCumulative(e.cumulative, e.capU, from, to, issued)
}

// emitCumulative is Emit for a time-driven schedule with cumulative
// function cum and cap capU (0: none): cum(to) - cum(from), never taking
// issued past the cap.
func emitCumulative(cum func(simtime.Time) int64, capU int64, from, to simtime.Time, issued int64) int64 {
	from = emissionInterval(from, to, issued)
	if to <= from {
		return 0
	}
	n := cum(to) - cum(from)
	if n < 0 { // cum is non-decreasing by construction; guard anyway
		return 0
	}
	if capU > 0 && n > capU-issued {
		n = max(0, capU-issued)
	}
	return n
}

// geometricEmission is the io.net fixed-base geometric decay.
type geometricEmission struct {
	epoch  int64   // ns
	epochs int64   // 0: unbounded
	first  float64 // base units in epoch 0
	decay  float64
	logq   float64 // ln(1 - decay)
}

// boundary returns floor of the emission of epochs 0..k-1, the closed form
// first × (1 - q^k) / (1 - q) with q = 1 - decay, computed as
// -expm1(k ln q)/decay so that small decays keep their precision.
func (g *geometricEmission) boundary(k int64) int64 {
	if g.epochs > 0 && k > g.epochs {
		k = g.epochs
	}
	if g.decay == 0 {
		return emissionFloor(g.first * float64(k))
	}
	return emissionFloor(g.first * (-math.Expm1(float64(k)*g.logq) / g.decay))
}

// tableEmission is Render's budget table with a geometric tail.
type tableEmission struct {
	prefix  []int64 // prefix[k]: base units of periods 1..k of the table
	last    float64 // base units of the table's last period
	tail    float64 // TailDecay
	logTail float64 // ln(TailDecay)
}

// boundary returns the base units budgeted for the first k periods.
func (t *tableEmission) boundary(k int64) int64 {
	n := int64(len(t.prefix) - 1)
	if k <= n {
		return t.prefix[k]
	}
	m := float64(k - n) // tail periods
	var tail float64
	switch {
	case t.tail == 0:
		return t.prefix[n]
	case t.tail == 1:
		tail = t.last * m
	default: // last × T × (1 - T^m) / (1 - T)
		tail = t.last * t.tail * (-math.Expm1(m*t.logTail) / (1 - t.tail))
	}
	return emissionAdd(t.prefix[n], emissionFloor(tail))
}

// linearEmission releases total evenly over duration.
type linearEmission struct {
	total    int64 // base units
	duration int64 // ns
	capU     int64 // base units; 0: no cap
}

func (l *linearEmission) cumulative(t simtime.Time) int64 {
	var c int64
	switch {
	case t <= 0:
		return 0
	case int64(t) >= l.duration:
		c = l.total
	default:
		c = emissionMulDiv(l.total, int64(t), l.duration)
	}
	if l.capU > 0 && c > l.capU {
		c = l.capU
	}
	return c
}

func (l *linearEmission) Emit(from, to simtime.Time, issued int64) int64 {
	return emitCumulative(l.cumulative, l.capU, from, to, issued)
}

// halvingEmission is Bittensor's issuance-driven halving: block emission
// perBlock >> h with h = floor(log2(cap / (cap - issued))), which is the
// subtensor formula 2^-floor(log2(1/(1 - issued/cap))) in exact integers.
type halvingEmission struct {
	block    int64 // ns per block
	perBlock int64 // base units per block before the first halving
	capU     int64 // base units, > 0
}

// Emit emits one block at a time in effect, but advances over whole
// halving segments: within a segment every block emits the same amount,
// so the number of blocks until issuance crosses the next threshold is a
// division. The last block before the cap is cut to the cap.
func (h *halvingEmission) Emit(from, to simtime.Time, issued int64) int64 {
	from = emissionInterval(from, to, issued)
	if to <= from {
		return 0
	}
	blocks := int64(to)/h.block - int64(from)/h.block
	I := issued
	for blocks > 0 && I < h.capU {
		rem := h.capU - I
		halvings := bits.Len64(uint64(h.capU/rem)) - 1
		if halvings >= 63 {
			break
		}
		per := h.perBlock >> halvings
		if per == 0 {
			break
		}
		// Issuance at which the next halving starts: cap - floor(cap/2^(h+1)).
		next := h.capU - (h.capU >> (halvings + 1))
		// Blocks that start below next; n × per < next - I + per <= cap + per,
		// far inside int64.
		n := (next - I + per - 1) / per
		if n > blocks {
			n = blocks
		}
		I += n * per
		blocks -= n
		if I >= h.capU {
			I = h.capU
		}
	}
	return I - issued
}
