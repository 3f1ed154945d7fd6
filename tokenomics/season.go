package tokenomics

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"

	"github.com/depinsim/depinsim/simtime"
)

// maxSeasonPoolTokens bounds Season.PoolTokens so that the pool in base
// units fits an int64 (9.2e18 base units = 9.2e12 whole tokens).
const maxSeasonPoolTokens = 1e12

// Season is one [[tokenomics.seasons]] table: an airdrop or points
// season as io.net ran them (Ignition seasons 1–3, 2023-11 to 2024-06;
// docs/model/competitors.md §1.8). Providers earn points for listed
// capacity during [Start, End); at End a snapshot converts points pro
// rata into PoolTokens, claimable at ClaimAt.
//
// Points here are per listed GPU-hour. io.net's formula also weighted job
// hours, bandwidth and GPU model; a caller that wants such weights
// multiplies Points by them before Allocate, which accepts any
// non-negative points.
type Season struct {
	// Name identifies the season in outputs ("ignition-s1").
	Name string `toml:"name"`
	// Start is when points start accruing, from the scenario start.
	Start simtime.Duration `toml:"start"`
	// End is the snapshot: points stop accruing and are converted.
	End simtime.Duration `toml:"end"`
	// ClaimAt is when the allocated tokens become claimable (>= End).
	ClaimAt simtime.Duration `toml:"claim_at"`
	// PointsPerGPUHour is the points earned per listed GPU-hour.
	PointsPerGPUHour float64 `toml:"points_per_gpu_hour"`
	// PoolTokens is the airdrop pool in whole tokens, split pro rata to
	// points (competitors.md io.net scenario: a free parameter set per
	// run). 0 runs a points-only season.
	PoolTokens float64 `toml:"pool_tokens"`
}

// Validate checks one season. Errors start with the key inside the table
// ("end: ..."); ValidateSeasons adds the "tokenomics.seasons[i]." prefix.
func (s *Season) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return fmt.Errorf("name: must be a non-empty name")
	}
	limit := simtime.Duration(maxIncentiveSpan)
	if !(s.Start >= 0 && s.Start <= limit) {
		return fmt.Errorf("start: must be in [0, %s], got %s", maxIncentiveSpan, simtime.Time(s.Start))
	}
	if !(s.End > s.Start && s.End <= limit) {
		return fmt.Errorf("end: must be after start (%s) and at most %s, got %s", simtime.Time(s.Start), maxIncentiveSpan, simtime.Time(s.End))
	}
	if !(s.ClaimAt >= s.End && s.ClaimAt <= limit) {
		return fmt.Errorf("claim_at: must be at or after end (%s) and at most %s, got %s", simtime.Time(s.End), maxIncentiveSpan, simtime.Time(s.ClaimAt))
	}
	if !(s.PointsPerGPUHour > 0 && s.PointsPerGPUHour <= 1e9) {
		return fmt.Errorf("points_per_gpu_hour: must be in (0, 1e9], got %v", s.PointsPerGPUHour)
	}
	if !(s.PoolTokens >= 0 && s.PoolTokens <= maxSeasonPoolTokens) {
		return fmt.Errorf("pool_tokens: must be in [0, %g] whole tokens, got %v", float64(maxSeasonPoolTokens), s.PoolTokens)
	}
	return nil
}

// ValidateSeasons validates each season, naming errors
// "tokenomics.seasons[i].key: ...", and checks that names are unique.
func ValidateSeasons(seasons []Season) error {
	for i := range seasons {
		if err := seasons[i].Validate(); err != nil {
			return fmt.Errorf("tokenomics.seasons[%d].%w", i, err)
		}
		for j := range i {
			if seasons[j].Name == seasons[i].Name {
				return fmt.Errorf("tokenomics.seasons[%d].name: duplicate name %q (also seasons[%d])", i, seasons[i].Name, j)
			}
		}
	}
	return nil
}

// Active reports whether points accrue at t, i.e. t is in [Start, End).
func (s *Season) Active(t simtime.Time) bool { return t >= s.Start.T() && t < s.End.T() }

// PoolBaseUnits returns the pool in base units (PoolTokens × BaseUnits,
// rounded to nearest).
func (s *Season) PoolBaseUnits() int64 { return Tokens(s.PoolTokens) }

// Points returns the points earned for listing gpus GPUs over the overlap
// of [from, to) with the season [Start, End): gpus × PointsPerGPUHour ×
// overlap hours. Negative gpus or to < from panic (a caller bug).
func (s *Season) Points(from, to simtime.Time, gpus int) float64 {
	if to < from || gpus < 0 {
		panic(fmt.Sprintf("tokenomics: season %s points over [%d, %d) for %d GPUs", s.Name, from, to, gpus))
	}
	h := spanOverlapHours(from, to, s.Start.T(), s.End.T())
	if h == 0 || gpus == 0 {
		return 0
	}
	return float64(gpus) * s.PointsPerGPUHour * h
}

// Allocate splits the pool (PoolBaseUnits) pro rata to points, given the
// points of each participant in a fixed order, and returns each
// participant's base units in the same order.
//
// The split is exact: the arithmetic runs on integers (each float64 is an
// exact binary fraction), every participant gets the floor of its quota
// pool·pᵢ/Σp, and the base units left over go one each to the largest
// remainders, ties to the lower index (largest-remainder rounding). The
// parts therefore sum to the pool exactly. When every participant has 0
// points (or there are none), everyone gets 0 and the caller keeps the
// pool. Negative, NaN or infinite points panic (a caller bug).
func (s *Season) Allocate(points []float64) []int64 {
	return seasonAllocate(s.PoolBaseUnits(), points)
}

// seasonAllocate is Allocate for a given pool in base units.
func seasonAllocate(pool int64, points []float64) []int64 {
	out := make([]int64, len(points))
	// Write each point value as mant·2^exp with an integer mant, then
	// scale all of them by 2^-minExp so that they become integers.
	mants := make([]uint64, len(points))
	exps := make([]int, len(points))
	minExp, found := 0, false
	for i, p := range points {
		if !(p >= 0) || math.IsInf(p, 0) {
			panic(fmt.Sprintf("tokenomics: season points[%d] = %v: must be finite and >= 0", i, p))
		}
		if p == 0 {
			continue
		}
		frac, e := math.Frexp(p) // p = frac·2^e, frac in [0.5, 1)
		mants[i] = uint64(math.Ldexp(frac, 53))
		exps[i] = e - 53
		if !found || exps[i] < minExp {
			minExp = exps[i]
		}
		found = true
	}
	if !found || pool == 0 {
		return out
	}
	scaled := make([]*big.Int, len(points))
	sum := new(big.Int)
	for i := range points {
		scaled[i] = new(big.Int).SetUint64(mants[i])
		scaled[i].Lsh(scaled[i], uint(exps[i]-minExp))
		sum.Add(sum, scaled[i])
	}
	bigPool := big.NewInt(pool)
	rems := make([]*big.Int, len(points))
	var given int64
	for i := range points {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(bigPool, scaled[i]), sum, new(big.Int))
		out[i] = q.Int64() // q <= pool, so it fits
		rems[i] = r
		given += out[i]
	}
	left := pool - given // < len(points): each floor loses less than 1
	if left > 0 {
		order := make([]int, len(points))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].Cmp(rems[order[b]]) > 0 })
		for _, i := range order[:left] {
			out[i]++
		}
	}
	return out
}
