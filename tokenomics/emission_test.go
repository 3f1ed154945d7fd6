package tokenomics_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

const unit = tokenomics.BaseUnits

func mustEmission(t testing.TB, p tokenomics.EmissionParams) tokenomics.Emission {
	t.Helper()
	e, err := tokenomics.NewEmission(p)
	require.NoError(t, err)
	return e
}

// cumulative emits over (0, to] in one call, starting from nothing issued.
func cumulative(e tokenomics.Emission, to simtime.Time) int64 { return e.Emit(0, to, 0) }

func TestEmissionKindsSorted(t *testing.T) {
	k := tokenomics.EmissionKinds()
	assert.True(t, slices.IsSorted(k))
	assert.Equal(t, []string{"geometric", "halving", "linear", "none", "table"}, k)
}

func TestEmissionNone(t *testing.T) {
	p := tokenomics.DefaultEmissionParams()
	assert.Equal(t, "none", p.Kind)
	require.NoError(t, p.Validate())
	e := mustEmission(t, p)
	assert.Zero(t, e.Emit(0, simtime.Year, 0))
	assert.Zero(t, e.Emit(-simtime.Day, 100*simtime.Year, 5*unit))
	assert.Zero(t, e.Emit(simtime.Hour, simtime.Hour, 0))
}

func TestEmissionPresetsValidate(t *testing.T) {
	for name, p := range map[string]tokenomics.EmissionParams{
		"io.net":    tokenomics.IONetEmissionParams(),
		"render":    tokenomics.RenderEmissionParams(),
		"bittensor": tokenomics.BittensorEmissionParams(),
		"nosana":    tokenomics.NosanaEmissionParams(),
		"default":   tokenomics.DefaultEmissionParams(),
	} {
		assert.NoError(t, p.Validate(), name)
	}
}

func TestEmissionValidate(t *testing.T) {
	io := tokenomics.IONetEmissionParams
	render := tokenomics.RenderEmissionParams
	tao := tokenomics.BittensorEmissionParams
	nos := tokenomics.NosanaEmissionParams
	with := func(p tokenomics.EmissionParams, f func(*tokenomics.EmissionParams)) tokenomics.EmissionParams {
		f(&p)
		return p
	}
	cases := []struct {
		name string
		p    tokenomics.EmissionParams
		want string
	}{
		{"kind", tokenomics.EmissionParams{Kind: "inflation"}, `tokenomics.emission.kind: must be one of none, geometric, table, halving, linear, got "inflation"`},
		{"empty kind", tokenomics.EmissionParams{}, `tokenomics.emission.kind: must be one of`},
		{"cap negative", with(io(), func(p *tokenomics.EmissionParams) { p.Cap = -1 }), "tokenomics.emission.cap: must be in [0, 1e12] tokens, got -1"},
		{"cap NaN", with(nos(), func(p *tokenomics.EmissionParams) { p.Cap = math.NaN() }), "tokenomics.emission.cap: must be in [0, 1e12] tokens, got NaN"},
		{"decay 2", with(io(), func(p *tokenomics.EmissionParams) { p.Decay = 2 }), "tokenomics.emission.decay: must be in [0, 1), got 2"},
		{"decay 1", with(io(), func(p *tokenomics.EmissionParams) { p.Decay = 1 }), "tokenomics.emission.decay: must be in [0, 1), got 1"},
		{"rate0", with(io(), func(p *tokenomics.EmissionParams) { p.Rate0 = -0.1 }), "tokenomics.emission.rate0: must be in [0, 1], got -0.1"},
		{"base", with(io(), func(p *tokenomics.EmissionParams) { p.Base = 2e12 }), "tokenomics.emission.base: must be in [0, 1e12] tokens, got 2e+12"},
		{"epoch", with(io(), func(p *tokenomics.EmissionParams) { p.Epoch = 0 }), "tokenomics.emission.epoch: must be > 0, got 0s"},
		{"epochs", with(io(), func(p *tokenomics.EmissionParams) { p.Epochs = -3 }), "tokenomics.emission.epochs: must be >= 0 (0: unbounded), got -3"},
		{"budgets empty", with(render(), func(p *tokenomics.EmissionParams) { p.Budgets = nil }), "tokenomics.emission.budgets: must be a list of at least one yearly budget, got []"},
		{"budget negative", with(render(), func(p *tokenomics.EmissionParams) { p.Budgets[2] = -5 }), "tokenomics.emission.budgets[2]: must be in [0, 1e12] tokens, got -5"},
		{"tail", with(render(), func(p *tokenomics.EmissionParams) { p.TailDecay = 1.5 }), "tokenomics.emission.tail_decay: must be in [0, 1], got 1.5"},
		{"table epoch", with(render(), func(p *tokenomics.EmissionParams) { p.Epoch = -1 }), "tokenomics.emission.epoch: must be >= 0 (0: 365d), got -1ns"},
		{"per block", with(tao(), func(p *tokenomics.EmissionParams) { p.PerBlock = 0 }), "tokenomics.emission.per_block: must be in (0, 1e12] tokens, got 0"},
		{"block seconds", with(tao(), func(p *tokenomics.EmissionParams) { p.BlockSeconds = 0 }), "tokenomics.emission.block_seconds: must be in [0.001, 1e6], got 0"},
		{"halving cap", with(tao(), func(p *tokenomics.EmissionParams) { p.Cap = 0 }), `tokenomics.emission.cap: must be > 0 for kind "halving" (the halving asymptote), got 0`},
		{"total", with(nos(), func(p *tokenomics.EmissionParams) { p.Total = math.Inf(1) }), "tokenomics.emission.total: must be in [0, 1e12] tokens, got +Inf"},
		{"duration", with(nos(), func(p *tokenomics.EmissionParams) { p.Duration = 0 }), "tokenomics.emission.duration: must be > 0, got 0s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			_, err = tokenomics.NewEmission(c.p)
			assert.Error(t, err)
		})
	}
	// Fields of other kinds are ignored.
	p := tokenomics.NosanaEmissionParams()
	p.Decay = 7
	assert.NoError(t, p.Validate())
}

func TestEmissionDecodesTOML(t *testing.T) {
	var doc struct {
		Tokenomics struct {
			Emission tokenomics.EmissionParams `toml:"emission"`
		} `toml:"tokenomics"`
	}
	_, err := toml.Decode(`
[tokenomics.emission]
kind = "geometric"
base = 500_000_000
rate0 = 9.132420091324201e-06
decay = 0.000013886952395979
epoch = "1h"
epochs = 175_319
cap = 300_000_000
`, &doc)
	require.NoError(t, err)
	p := doc.Tokenomics.Emission
	require.NoError(t, p.Validate())
	assert.Equal(t, tokenomics.IONetEmissionParams(), p)

	_, err = toml.Decode(`
[tokenomics.emission]
kind = "linear"
total = 20_000_000
duration = "730d"
`, &doc)
	require.NoError(t, err)
	assert.Equal(t, simtime.Duration(730*simtime.Day), doc.Tokenomics.Emission.Duration)
}

// ioMonthly is the monthly restatement's emission of month m (from 0):
// 500M × 8%/12 × (1 - 1.0150801%)^m (competitors.md §1.4).
func ioMonthly(m int) float64 { return 500e6 * 0.08 / 12 * math.Pow(1-0.010150801, float64(m)) }

func TestEmissionIONet(t *testing.T) {
	e := mustEmission(t, tokenomics.IONetEmissionParams())
	const month = 730 * simtime.Hour // 8760 h / 12

	// First hour: 500,000,000 × 0.08 / 8760 = 4,566.2100456... IO.
	first := cumulative(e, simtime.Hour)
	assert.Equal(t, int64(4_566_210_045), first)
	assert.InDelta(t, 4566.21, tokenomics.Whole(first), 0.005)
	// Half an hour is half the first epoch, spread evenly.
	assert.Equal(t, first/2, cumulative(e, 30*simtime.Minute))
	// The second hour is one decay step smaller.
	second := e.Emit(simtime.Hour, 2*simtime.Hour, first)
	assert.InDelta(t, 4566.2100456621*(1-0.000013886952395979), tokenomics.Whole(second), 1e-5)
	// First day: sum of 24 decaying hours.
	assert.InDelta(t, 109_571.5415, tokenomics.Whole(cumulative(e, simtime.Day)), 0.001)

	// Against the monthly restatement: month 1 (3,333,333), month 12
	// (June 2025: 2,979,456) and the first 24 months, each within 1 %.
	assert.InEpsilon(t, 3_333_333.0, tokenomics.Whole(cumulative(e, month)), 0.01)
	assert.InEpsilon(t, 2_979_456.0, tokenomics.Whole(e.Emit(11*month, 12*month, 0)), 0.01)
	var monthly24 float64
	for m := range 24 {
		monthly24 += ioMonthly(m)
	}
	assert.InEpsilon(t, monthly24, tokenomics.Whole(cumulative(e, 24*month)), 0.01)
	// Year 1 about 37.8M, year 2 about 33.5M (competitors.md §1.4 [I]).
	y1 := cumulative(e, simtime.Year)
	assert.InEpsilon(t, 37.8e6, tokenomics.Whole(y1), 0.01)
	assert.InEpsilon(t, 33.5e6, tokenomics.Whole(e.Emit(simtime.Year, 2*simtime.Year, y1)), 0.01)

	// The whole schedule: 175,319 hourly epochs sum to about 300M, never
	// above the 300M cap.
	end := 175_319 * simtime.Hour
	all := cumulative(e, end)
	assert.LessOrEqual(t, all, int64(300_000_000*unit))
	assert.InEpsilon(t, 300e6, tokenomics.Whole(all), 0.01)
	assert.Equal(t, all, cumulative(e, 40*simtime.Year))
	assert.Zero(t, e.Emit(end, end+simtime.Year, all))
}

func TestEmissionGeometricClosedFormMatchesSum(t *testing.T) {
	p := tokenomics.EmissionParams{Kind: "geometric", Base: 1000, Rate0: 0.1, Decay: 0.25, Epoch: simtime.Duration(simtime.Day), Epochs: 4}
	e := mustEmission(t, p)
	// Epochs emit 100, 75, 56.25, 42.1875 tokens, then nothing.
	assert.Equal(t, int64(100*unit), cumulative(e, simtime.Day))
	assert.Equal(t, int64(75*unit), e.Emit(simtime.Day, 2*simtime.Day, 0))
	assert.Equal(t, int64(56_250_000), e.Emit(2*simtime.Day, 3*simtime.Day, 0))
	assert.Equal(t, int64(42_187_500), e.Emit(3*simtime.Day, 4*simtime.Day, 0))
	assert.Zero(t, e.Emit(4*simtime.Day, 9*simtime.Day, 0))
	// A quarter of the third day is a quarter of 56.25.
	assert.Equal(t, int64(14_062_500), e.Emit(2*simtime.Day, 2*simtime.Day+6*simtime.Hour, 0))

	// No decay: a constant emission per epoch; unbounded without Epochs.
	p = tokenomics.EmissionParams{Kind: "geometric", Base: 100, Rate0: 0.01, Epoch: simtime.Duration(simtime.Hour)}
	e = mustEmission(t, p)
	assert.Equal(t, int64(1000*24*unit), cumulative(e, 1000*simtime.Day))
}

func TestEmissionRender(t *testing.T) {
	e := mustEmission(t, tokenomics.RenderEmissionParams())
	y := simtime.Year
	// Year 1: 9,126,804 RENDER (RNP-006), half of it by mid-year.
	assert.Equal(t, int64(9_126_804*unit), cumulative(e, y))
	assert.Equal(t, int64(4_563_402*unit), cumulative(e, y/2))
	// Years 2 to 5: 5.9M each.
	for i := simtime.Time(1); i < 5; i++ {
		assert.Equal(t, int64(5_900_000*unit), e.Emit(i*y, (i+1)*y, 0), "year %d", i+1)
	}
	// Year 6 and 7: the tail, × 0.928 a year.
	assert.InDelta(t, 5_900_000*0.928*unit, float64(e.Emit(5*y, 6*y, 0)), 2)
	assert.InDelta(t, 5_900_000*0.928*0.928*unit, float64(e.Emit(6*y, 7*y, 0)), 2)
	// The 107,374,182 cap binds near year 60 (competitors.md §2.4).
	capU := int64(107_374_182 * unit)
	assert.Less(t, cumulative(e, 55*y), capU)
	assert.Equal(t, capU, cumulative(e, 62*y))
	assert.Equal(t, capU, cumulative(e, 200*y))
	assert.Zero(t, e.Emit(62*y, 63*y, capU))
}

func TestEmissionTableTails(t *testing.T) {
	y := simtime.Year
	// No tail: nothing after the table.
	e := mustEmission(t, tokenomics.EmissionParams{Kind: "table", Budgets: []float64{10, 20}})
	assert.Equal(t, int64(30*unit), cumulative(e, 10*y))
	// Tail 1: the last budget forever, here over a 30-day period.
	e = mustEmission(t, tokenomics.EmissionParams{Kind: "table", Budgets: []float64{10, 20}, TailDecay: 1, Epoch: simtime.Duration(30 * simtime.Day)})
	assert.Equal(t, int64((10+20+20*8)*unit), cumulative(e, 300*simtime.Day))
	// Tail 0.5: 20, 10, 5, ... converges to 30 + 20.
	e = mustEmission(t, tokenomics.EmissionParams{Kind: "table", Budgets: []float64{10, 20}, TailDecay: 0.5})
	assert.Equal(t, int64(10*unit), e.Emit(2*y, 3*y, 0))
	assert.Equal(t, int64(5*unit), e.Emit(3*y, 4*y, 0))
	assert.InDelta(t, 50*unit, float64(cumulative(e, 200*y)), 1)
}

func TestEmissionBittensor(t *testing.T) {
	e := mustEmission(t, tokenomics.BittensorEmissionParams())
	const tao = int64(unit)
	// Blocks at 12 s, 24 s, ...: one TAO each before the first halving.
	assert.Zero(t, cumulative(e, 11*simtime.Second))
	assert.Equal(t, tao, cumulative(e, 12*simtime.Second))
	assert.Equal(t, tao, e.Emit(11*simtime.Second, 13*simtime.Second, 0))
	// 7,200 TAO a day before the first halving.
	assert.Equal(t, 7_200*tao, cumulative(e, simtime.Day))
	assert.Equal(t, 7_200*tao, e.Emit(100*simtime.Day, 101*simtime.Day, 3_000_000*tao))
	// 3,600 after issuance crosses 10.5M, 1,800 after 15.75M, 900 after 18.375M.
	assert.Equal(t, 3_600*tao, e.Emit(0, simtime.Day, 10_500_000*tao))
	assert.Equal(t, 3_600*tao, e.Emit(0, simtime.Day, 12_000_000*tao))
	assert.Equal(t, 1_800*tao, e.Emit(0, simtime.Day, 15_750_000*tao))
	assert.Equal(t, 900*tao, e.Emit(0, simtime.Day, 18_375_000*tao))
	// Crossing within the day: 100 blocks at 1 TAO reach 10.5M, then
	// 7,100 blocks at 0.5 TAO.
	assert.Equal(t, 3_650*tao, e.Emit(0, simtime.Day, 10_500_000*tao-100*tao))
	// One base unit short of the threshold still emits a whole TAO.
	assert.Equal(t, tao, e.Emit(0, 12*simtime.Second, 10_500_000*tao-1))
	// At or above the cap: nothing.
	assert.Zero(t, e.Emit(0, simtime.Day, 21_000_000*tao))
	assert.Zero(t, e.Emit(0, simtime.Day, 30_000_000*tao))

	// Driven by issuance: emitting day by day halves the daily emission
	// after about 10.5M / 7,200 = 1,458.3 days.
	var issued int64
	day := 0
	for ; issued < 10_500_000*tao; day++ {
		issued += e.Emit(simtime.Time(day)*simtime.Day, simtime.Time(day+1)*simtime.Day, issued)
	}
	assert.Equal(t, 1459, day)
	assert.Equal(t, 3_600*tao, e.Emit(simtime.Time(day)*simtime.Day, simtime.Time(day+1)*simtime.Day, issued))
	// Centuries later the cap still holds.
	assert.LessOrEqual(t, issued+e.Emit(simtime.Time(day)*simtime.Day, 290*simtime.Year, issued), 21_000_000*tao)
}

func TestEmissionNosana(t *testing.T) {
	e := mustEmission(t, tokenomics.NosanaEmissionParams())
	const d = simtime.Day
	assert.Equal(t, int64(20_000_000*unit), cumulative(e, 730*d))
	assert.Equal(t, int64(10_000_000*unit), cumulative(e, 365*d))
	// 20,000,000 / 730 = 27,397.260273... NOS a day, floored in base units.
	assert.Equal(t, int64(27_397_260_273), cumulative(e, d))
	assert.Zero(t, e.Emit(730*d, 800*d, 20_000_000*unit))
	assert.Equal(t, int64(20_000_000*unit), cumulative(e, 10*simtime.Year))
}

func TestEmissionCapAndIssued(t *testing.T) {
	// A cap below the schedule's total clips it.
	p := tokenomics.NosanaEmissionParams()
	p.Cap = 1_000
	e := mustEmission(t, p)
	assert.Equal(t, int64(1_000*unit), cumulative(e, 730*simtime.Day))
	// Emit never takes issued above the cap, even when issued was counted
	// elsewhere.
	assert.Equal(t, int64(400*unit), e.Emit(0, 730*simtime.Day, 600*unit))
	assert.Zero(t, e.Emit(0, 730*simtime.Day, 5_000*unit))
}

func TestEmissionPanicsOnBadInterval(t *testing.T) {
	for _, p := range allPresets() {
		e := mustEmission(t, p)
		assert.Panics(t, func() { e.Emit(simtime.Hour, 0, 0) }, p.Kind)
		assert.Panics(t, func() { e.Emit(0, simtime.Hour, -1) }, p.Kind)
		assert.Zero(t, e.Emit(simtime.Hour, simtime.Hour, 0), p.Kind)
		assert.Zero(t, e.Emit(-simtime.Hour, 0, 0), p.Kind)
	}
}

func allPresets() []tokenomics.EmissionParams {
	return []tokenomics.EmissionParams{
		tokenomics.DefaultEmissionParams(),
		tokenomics.IONetEmissionParams(),
		tokenomics.RenderEmissionParams(),
		tokenomics.BittensorEmissionParams(),
		tokenomics.NosanaEmissionParams(),
	}
}

// randomEmissionParams draws valid parameters of a random kind; with
// tightCap, a cap that binds within the horizon is likely.
func randomEmissionParams(r *rand.Rand) tokenomics.EmissionParams {
	kinds := []string{"none", "geometric", "table", "halving", "linear"}
	p := tokenomics.EmissionParams{Kind: kinds[r.IntN(len(kinds))]}
	dur := func(max simtime.Time) simtime.Duration { return simtime.Duration(1 + r.Int64N(int64(max))) }
	switch p.Kind {
	case "geometric":
		p.Base = r.Float64() * 1e9
		p.Rate0 = r.Float64() * 0.01
		if r.IntN(4) > 0 {
			p.Decay = r.Float64() * math.Pow(10, -float64(r.IntN(8)))
		}
		p.Epoch = dur(30 * simtime.Day)
		if r.IntN(2) == 0 {
			p.Epochs = 1 + r.Int64N(100_000)
		}
	case "table":
		for range 1 + r.IntN(8) {
			p.Budgets = append(p.Budgets, r.Float64()*1e8)
		}
		switch r.IntN(3) {
		case 0:
		case 1:
			p.TailDecay = 1
		default:
			p.TailDecay = r.Float64()
		}
		if r.IntN(2) == 0 {
			p.Epoch = dur(400 * simtime.Day)
		}
	case "halving":
		p.PerBlock = 0.001 + r.Float64()*10
		p.BlockSeconds = 0.5 + r.Float64()*600
		p.Cap = 1 + r.Float64()*1e6
	case "linear":
		p.Total = r.Float64() * 1e9
		p.Duration = dur(10 * simtime.Year)
	}
	if p.Kind != "halving" && r.IntN(2) == 0 {
		p.Cap = r.Float64() * math.Pow(10, float64(r.IntN(10)))
	}
	return p
}

// randomCuts returns sorted times a = t0 < t1 < ... < tn = b.
func randomCuts(r *rand.Rand, a, b simtime.Time, n int) []simtime.Time {
	cuts := []simtime.Time{a, b}
	for range n {
		cuts = append(cuts, a+simtime.Time(r.Int64N(int64(b-a))))
	}
	slices.Sort(cuts)
	return cuts
}

func TestEmissionAdditive(t *testing.T) {
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 0xe31))
		var p tokenomics.EmissionParams
		if seed < 50 {
			p = allPresets()[seed%5]
		} else {
			p = randomEmissionParams(r)
		}
		e := mustEmission(t, p)
		a := simtime.Time(r.Int64N(int64(5 * simtime.Year)))
		b := a + 1 + simtime.Time(r.Int64N(int64(50*simtime.Year)))
		issued0 := int64(0)
		if p.Kind == "halving" && r.IntN(2) == 0 {
			issued0 = r.Int64N(int64(p.Cap * unit))
		}
		whole := e.Emit(a, b, issued0)
		require.GreaterOrEqual(t, whole, int64(0))
		cuts := randomCuts(r, a, b, 1+r.IntN(60))
		issued := issued0
		for i := 1; i < len(cuts); i++ {
			n := e.Emit(cuts[i-1], cuts[i], issued)
			require.GreaterOrEqual(t, n, int64(0), "seed %d", seed)
			issued += n
		}
		require.Equal(t, whole, issued-issued0, "seed %d params %+v", seed, p)
	}
}

func TestEmissionNeverExceedsCap(t *testing.T) {
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 0xca9))
		p := randomEmissionParams(r)
		if p.Cap == 0 {
			p.Cap = r.Float64() * 1e7
		}
		if p.Kind == "halving" {
			p.PerBlock = p.Cap * r.Float64() // large blocks against the cap
		}
		e, err := tokenomics.NewEmission(p)
		if p.Kind == "halving" && !(p.PerBlock > 0) {
			require.Error(t, err)
			continue
		}
		require.NoError(t, err, "seed %d", seed)
		capU := int64(math.Round(p.Cap * unit))
		issued := int64(0)
		cuts := randomCuts(r, 0, 290*simtime.Year, 1+r.IntN(200))
		for i := 1; i < len(cuts); i++ {
			n := e.Emit(cuts[i-1], cuts[i], issued)
			require.GreaterOrEqual(t, n, int64(0))
			issued += n
			require.LessOrEqual(t, issued, capU, "seed %d params %+v", seed, p)
		}
	}
}

func TestEmissionDeterministic(t *testing.T) {
	// Same parameters, same answers, from fresh schedules.
	for _, p := range allPresets() {
		a, b := mustEmission(t, p), mustEmission(t, p)
		for h := range 100 {
			from, to := simtime.Time(h)*37*simtime.Hour, simtime.Time(h+1)*37*simtime.Hour
			assert.Equal(t, a.Emit(from, to, int64(h)*unit), b.Emit(from, to, int64(h)*unit))
		}
	}
}

func TestEmissionDoesNotAliasBudgets(t *testing.T) {
	p := tokenomics.RenderEmissionParams()
	e := mustEmission(t, p)
	p.Budgets[0] = 1
	assert.Equal(t, int64(9_126_804*unit), cumulative(e, simtime.Year))
}

func BenchmarkEmit(b *testing.B) {
	for _, p := range allPresets() {
		b.Run(p.Kind, func(b *testing.B) {
			e := mustEmission(b, p)
			var t simtime.Time
			var issued int64
			for b.Loop() {
				issued += e.Emit(t, t+simtime.Hour, issued)
				t += simtime.Hour
				if t >= 20*simtime.Year {
					t, issued = 0, 0
				}
			}
		})
	}
}

func TestEmissionSaturates(t *testing.T) {
	// Unbounded schedules saturate at 2^62 base units (about 4.6e12
	// tokens) instead of overflowing, and stay additive.
	for _, p := range []tokenomics.EmissionParams{
		{Kind: "geometric", Base: 1e12, Rate0: 1, Epoch: simtime.Duration(simtime.Second)},
		{Kind: "table", Budgets: []float64{1e12, 1e12}, TailDecay: 1, Epoch: simtime.Duration(simtime.Second)},
	} {
		e := mustEmission(t, p)
		const sat = int64(1) << 62
		assert.Equal(t, sat, cumulative(e, simtime.Hour), p.Kind)
		assert.Equal(t, sat, cumulative(e, 200*simtime.Year), p.Kind)
		a := e.Emit(0, 3*simtime.Second, 0)
		b := e.Emit(3*simtime.Second, simtime.Hour, a)
		assert.Equal(t, sat, a+b, p.Kind)
		assert.Zero(t, e.Emit(simtime.Hour, simtime.Day, sat), p.Kind)
	}
}
