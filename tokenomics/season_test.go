package tokenomics_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// ignition is a season shaped like io.net's Ignition S1 (2023-11-04 to
// 2024-04-25, docs/model/competitors.md §1.8), starting 3 days into
// the scenario; pool and points rate are illustrative.
func ignition() tokenomics.Season {
	return tokenomics.Season{
		Name:             "ignition-s1",
		Start:            simtime.Duration(3 * simtime.Day),
		End:              simtime.Duration(176 * simtime.Day),
		ClaimAt:          simtime.Duration(180 * simtime.Day),
		PointsPerGPUHour: 10,
		PoolTokens:       1_000_000,
	}
}

func TestSeasonValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*tokenomics.Season)
		want string
	}{
		{"ok", func(*tokenomics.Season) {}, ""},
		{"points-only season", func(s *tokenomics.Season) { s.PoolTokens = 0 }, ""},
		{"claim at end", func(s *tokenomics.Season) { s.ClaimAt = s.End }, ""},
		{"no name", func(s *tokenomics.Season) { s.Name = "" }, "name: must be a non-empty name"},
		{"negative start", func(s *tokenomics.Season) { s.Start = -1 }, "start: must be in [0, 100y], got -1ns"},
		{"end at start", func(s *tokenomics.Season) { s.End = s.Start }, "end: must be after start (3d) and at most 100y, got 3d"},
		{"claim before end", func(s *tokenomics.Season) { s.ClaimAt = s.End - 1 }, "claim_at: must be at or after end (176d) and at most 100y, got 15206399999999999ns"},
		{"points rate", func(s *tokenomics.Season) { s.PointsPerGPUHour = 0 }, "points_per_gpu_hour: must be in (0, 1e9], got 0"},
		{"pool negative", func(s *tokenomics.Season) { s.PoolTokens = -1 }, "pool_tokens: must be in [0, 1e+12] whole tokens, got -1"},
		{"pool too big", func(s *tokenomics.Season) { s.PoolTokens = 1e13 }, "pool_tokens: must be in [0, 1e+12] whole tokens, got 1e+13"},
		{"pool NaN", func(s *tokenomics.Season) { s.PoolTokens = math.NaN() }, "pool_tokens"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ignition()
			c.edit(&s)
			err := s.Validate()
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestValidateSeasons(t *testing.T) {
	a, b := ignition(), ignition()
	b.Name = "ignition-s2"
	require.NoError(t, tokenomics.ValidateSeasons([]tokenomics.Season{a, b}))
	b.PointsPerGPUHour = -1
	assert.EqualError(t, tokenomics.ValidateSeasons([]tokenomics.Season{a, b}), "tokenomics.seasons[1].points_per_gpu_hour: must be in (0, 1e9], got -1")
	assert.EqualError(t, tokenomics.ValidateSeasons([]tokenomics.Season{a, a}), `tokenomics.seasons[1].name: duplicate name "ignition-s1" (also seasons[0])`)
}

func TestSeasonTOML(t *testing.T) {
	var doc struct {
		Tokenomics struct {
			Seasons []tokenomics.Season `toml:"seasons"`
		} `toml:"tokenomics"`
	}
	md, err := toml.Decode(`
[[tokenomics.seasons]]
name = "ignition-s2"
start = "0"
end = "30d"
claim_at = "60d"
points_per_gpu_hour = 1.5
pool_tokens = 7_500_000
`, &doc)
	require.NoError(t, err)
	assert.Empty(t, md.Undecoded())
	assert.Equal(t, []tokenomics.Season{{Name: "ignition-s2", End: simtime.Duration(30 * simtime.Day), ClaimAt: simtime.Duration(60 * simtime.Day), PointsPerGPUHour: 1.5, PoolTokens: 7.5e6}}, doc.Tokenomics.Seasons)
	assert.Equal(t, int64(7_500_000_000_000), doc.Tokenomics.Seasons[0].PoolBaseUnits())
}

func TestSeasonPointsOverlap(t *testing.T) {
	s := ignition() // [3d, 176d), 10 points per GPU-hour
	d := simtime.Day
	cases := []struct {
		name     string
		from, to simtime.Time
		gpus     int
		want     float64
	}{
		{"inside", 10 * d, 11 * d, 4, 4 * 10 * 24},
		{"before", 0, 3 * d, 4, 0},
		{"straddles start", 2 * d, 4 * d, 1, 10 * 24},
		{"straddles end", 175 * d, 177 * d, 1, 10 * 24},
		{"at end", 176 * d, 180 * d, 1, 0},
		{"covers", 0, 365 * d, 2, 2 * 10 * 24 * 173},
		{"empty", 5 * d, 5 * d, 9, 0},
		{"no gpus", 5 * d, 6 * d, 0, 0},
		{"one minute", 5 * d, 5*d + simtime.Minute, 6, 6 * 10.0 / 60},
	}
	for _, c := range cases {
		assert.InDelta(t, c.want, s.Points(c.from, c.to, c.gpus), 1e-9, c.name)
	}
	assert.False(t, s.Active(3*d-1))
	assert.True(t, s.Active(3*d))
	assert.True(t, s.Active(176*d-1))
	assert.False(t, s.Active(176*d))

	// Points over contiguous hourly steps add up to the whole season.
	var sum float64
	for h := simtime.Time(0); h < 200*d; h += simtime.Hour {
		sum += s.Points(h, h+simtime.Hour, 3)
	}
	assert.InDelta(t, 3*10*24*173, sum, 1e-6)
	assert.Panics(t, func() { s.Points(2, 1, 1) })
	assert.Panics(t, func() { s.Points(1, 2, -1) })
}

func TestSeasonAllocateSmall(t *testing.T) {
	s := tokenomics.Season{PoolTokens: 0.00001} // 10 base units
	cases := []struct {
		name   string
		points []float64
		want   []int64
	}{
		{"equal thirds: ties go to the lower index", []float64{1, 1, 1}, []int64{4, 3, 3}},
		{"proportional", []float64{1, 4}, []int64{2, 8}},
		{"remainder tie", []float64{0.25, 0.75}, []int64{3, 7}},                 // 2.5 and 7.5: tie, lower index wins
		{"largest remainder", []float64{0.375, 0.625}, []int64{4, 6}},           // 3.75 and 6.25
		{"float points are exact binary", []float64{0.15, 0.85}, []int64{1, 9}}, // 0.15 is a hair below 3/20
		{"zeros take nothing", []float64{0, 3, 0, 1}, []int64{0, 8, 0, 2}},
		{"all zero", []float64{0, 0}, []int64{0, 0}},
		{"nobody", nil, []int64{}},
		{"one", []float64{1e-300}, []int64{10}},
		{"more participants than units", []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, []int64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}},
		{"extreme range", []float64{math.MaxFloat64, math.SmallestNonzeroFloat64}, []int64{10, 0}},
	}
	for _, c := range cases {
		got := s.Allocate(c.points)
		assert.Equal(t, c.want, got, c.name)
	}
	assert.Equal(t, []int64{0, 0}, (&tokenomics.Season{}).Allocate([]float64{1, 2}), "empty pool")
	assert.Panics(t, func() { s.Allocate([]float64{1, -1}) })
	assert.Panics(t, func() { s.Allocate([]float64{math.NaN()}) })
	assert.Panics(t, func() { s.Allocate([]float64{math.Inf(1)}) })
}

// TestSeasonAllocateExact checks over many random inputs that the parts
// sum to the pool exactly and that each part is its exact quota rounded
// down or up.
func TestSeasonAllocateExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 4))
	for trial := range 2000 {
		n := 1 + rng.IntN(60)
		points := make([]float64, n)
		for i := range points {
			switch rng.IntN(6) {
			case 0:
				points[i] = 0
			case 1:
				points[i] = float64(rng.IntN(5)) // repeated small integers: ties
			case 2:
				points[i] = math.Ldexp(rng.Float64(), rng.IntN(200)-100) // wide range
			default:
				points[i] = rng.Float64() * 1e6
			}
		}
		var s tokenomics.Season
		switch trial % 3 {
		case 0:
			s.PoolTokens = float64(rng.IntN(1000)) / 1e6 // a few base units
		case 1:
			s.PoolTokens = rng.Float64() * 1e7
		default:
			s.PoolTokens = 1e12 // the largest pool Validate allows
		}
		pool := s.PoolBaseUnits()
		got := s.Allocate(points)
		require.Len(t, got, n)

		sumPts := new(big.Rat)
		for _, p := range points {
			sumPts.Add(sumPts, new(big.Rat).SetFloat64(p))
		}
		var total int64
		for i, g := range got {
			total += g
			if sumPts.Sign() == 0 {
				assert.Zero(t, g)
				continue
			}
			q := new(big.Rat).Mul(new(big.Rat).SetInt64(pool), new(big.Rat).SetFloat64(points[i]))
			q.Quo(q, sumPts)
			fl := new(big.Int).Quo(q.Num(), q.Denom())
			assert.True(t, g == fl.Int64() || g == fl.Int64()+1, "trial %d part %d: %d for quota %s", trial, i, g, q.FloatString(3))
			if points[i] == 0 {
				assert.Zero(t, g)
			}
		}
		if sumPts.Sign() == 0 {
			assert.Zero(t, total)
		} else {
			require.Equal(t, pool, total, "trial %d", trial)
		}
	}
}

// TestSeasonAllocateWithSimulatedPoints accrues points for a few providers
// over hourly steps and allocates the pool: parts sum to the pool and are
// in proportion to the GPU-hours listed in the season.
func TestSeasonAllocateWithSimulatedPoints(t *testing.T) {
	s := ignition()
	gpus := []int{8, 1, 0, 64}
	joins := []simtime.Time{0, 100 * simtime.Day, 0, 170 * simtime.Day}
	points := make([]float64, len(gpus))
	for h := simtime.Time(0); h < 200*simtime.Day; h += simtime.Hour {
		for i := range gpus {
			if h >= joins[i] {
				points[i] += s.Points(h, h+simtime.Hour, gpus[i])
			}
		}
	}
	got := s.Allocate(points)
	var total int64
	for _, g := range got {
		total += g
	}
	assert.Equal(t, s.PoolBaseUnits(), total)
	// GPU-hours: 8×173×24, 1×76×24, 0, 64×6×24 → 33,216 + 1,824 + 9,216.
	gh := []float64{8 * 173 * 24, 76 * 24, 0, 64 * 6 * 24}
	sum := gh[0] + gh[1] + gh[3]
	for i := range got {
		assert.InDelta(t, float64(s.PoolBaseUnits())*gh[i]/sum, float64(got[i]), 1.0+1e-6*float64(got[i]))
	}
	assert.Zero(t, got[2])
}
