package tokenomics

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// The mint models MintParams.Model accepts.
const (
	// MintModelCosmos is the stock Cosmos SDK x/mint per-block inflation
	// controller (akash.md §4).
	MintModelCosmos = "cosmos"
	// MintModelNone mints nothing (no inflation).
	MintModelNone = "none"
)

// MintParams are Cosmos SDK x/mint parameters plus the x/distribution
// split of the minted tokens (TOML table [tokenomics.inflation]). They model
// Akash's inflation as it runs on mainnet since April 2022: the stock
// Cosmos SDK x/mint module (docs/model/akash.md §4 "The mechanism
// actually running", "Model spec" §D.12), whose provision x/distribution
// splits into the community pool, validator commission and delegator
// rewards. Fractions are plain numbers in [0, 1] (0.15 means 15 %).
type MintParams struct {
	// Model is the inflation model: "cosmos" (x/mint, akash.md §4) or
	// "none" (no minting).
	Model string `toml:"model"`
	// Initial is the inflation at the start, a fraction per year
	// (akash-2024: 0.15, docs/model/calibration-akash-2024q1.md "annual
	// inflation about 15%").
	Initial float64 `toml:"initial"`
	// InflationMin is x/mint inflation_min, a fraction per year
	// (akash-2024: 0.13, akash.md §4 parameter history, Dec 2023–Aug 2024).
	InflationMin float64 `toml:"min"`
	// InflationMax is x/mint inflation_max, a fraction per year
	// (akash-2024: 0.20, akash.md §4).
	InflationMax float64 `toml:"max"`
	// RateChange is x/mint inflation_rate_change k: the largest change of
	// the inflation per year, reached when nothing is bonded (akash-2024:
	// 1.0, akash.md "Model spec" §B, assumed unchanged since 2021).
	RateChange float64 `toml:"rate_change"`
	// GoalBonded is x/mint goal_bonded g, the bonded ratio the controller
	// steers toward, a fraction of supply (0.67, akash.md §4 genesis).
	GoalBonded float64 `toml:"goal_bonded"`
	// BlocksPerYear is the x/mint parameter blocks_per_year N_yr
	// (5,256,000, i.e. 6.0 s blocks; akash.md §4 genesis). It is NOT the
	// real number of blocks per year (about 5.17 M at 6.1 s, akash.md
	// "Model spec" §A): each block mints i·S/N_yr whatever the block time.
	BlocksPerYear int64 `toml:"blocks_per_year"`
	// CommunityTax is x/distribution community_tax, the fraction of each
	// block's provision sent to the community pool (akash-2024: 0.40,
	// akash.md §4 parameter history, props 240/241).
	CommunityTax float64 `toml:"community_tax"`
	// Commission is the mean validator commission on the delegators'
	// rewards after the community tax, a fraction (0.05, the enforced
	// minimum most validators charge, akash.md §5).
	Commission float64 `toml:"commission"`
}

// DefaultMintParams returns the akash-2024 (take era, Dec 2023–Aug 2024)
// values of akash.md "Model spec" §B: i_min 0.13, i_max 0.20, k 1.0,
// goal 0.67, N_yr 5,256,000, community tax 0.40, commission 0.05, with the
// March-2024 inflation of 0.15 as the start (docs/model/calibration-akash-2024q1.md).
func DefaultMintParams() MintParams {
	return MintParams{
		Model:         MintModelCosmos,
		Initial:       0.15,
		InflationMin:  0.13,
		InflationMax:  0.20,
		RateChange:    1.0,
		GoalBonded:    0.67,
		BlocksPerYear: 5_256_000,
		CommunityTax:  0.40,
		Commission:    0.05,
	}
}

// Validate checks the ranges; errors name the key under
// [tokenomics.inflation] and the allowed range, e.g.
// "tokenomics.inflation.min: must be in [0, 1], got 2".
func (p *MintParams) Validate() error {
	bad := func(key string, v any, allowed string) error {
		return fmt.Errorf("tokenomics.inflation.%s: must be %s, got %v", key, allowed, v)
	}
	if p.Model != MintModelCosmos && p.Model != MintModelNone {
		return bad("model", strconv.Quote(p.Model), `"cosmos" or "none"`)
	}
	for _, c := range []struct {
		key string
		v   float64
	}{
		{"initial", p.Initial}, {"min", p.InflationMin}, {"max", p.InflationMax},
		{"community_tax", p.CommunityTax}, {"commission", p.Commission},
	} {
		if !(c.v >= 0 && c.v <= 1) {
			return bad(c.key, c.v, "in [0, 1]")
		}
	}
	if p.InflationMin > p.InflationMax {
		return bad("min", p.InflationMin, fmt.Sprintf("<= max (%v)", p.InflationMax))
	}
	if p.Initial < p.InflationMin || p.Initial > p.InflationMax {
		return bad("initial", p.Initial, fmt.Sprintf("in [min, max] = [%v, %v]", p.InflationMin, p.InflationMax))
	}
	if !(p.RateChange >= 0 && p.RateChange <= 100) {
		return bad("rate_change", p.RateChange, "in [0, 100]")
	}
	if !(p.GoalBonded > 0 && p.GoalBonded <= 1) {
		return bad("goal_bonded", p.GoalBonded, "in (0, 1]")
	}
	if p.BlocksPerYear <= 0 {
		return bad("blocks_per_year", p.BlocksPerYear, "> 0")
	}
	return nil
}

// NextInflation is the Cosmos SDK x/mint per-block formula (akash.md "Model
// spec" §D.12):
//
//	i' = clamp(i + (1 - bondedRatio/goal) * k / N_yr, min, max)
//
// i and the result are fractions per year; bondedRatio is bonded tokens
// over total supply. Below the goal inflation rises toward max, above it
// falls toward min. The SDK computes this in 18-decimal fixed point; this
// uses float64 (a relative difference below 1e-15 per block).
func (p *MintParams) NextInflation(i, bondedRatio float64) float64 {
	i += inflationStep(bondedRatio, p.GoalBonded, p.RateChange, float64(p.BlocksPerYear))
	return min(max(i, p.InflationMin), p.InflationMax)
}

// BlockProvision is the block's provision in base units,
// floor(i * supply / N_yr): the annual provisions i·supply divided by
// blocks per year and truncated, as Cosmos x/mint's BlockProvision does.
// i is a fraction per year and supply is in base units; the product is
// computed exactly (the float64 i times the integer supply), so the result
// does not depend on rounding. It panics on a negative i or supply.
func (p *MintParams) BlockProvision(i float64, supply int64) int64 {
	return blockProvision(i, supply, p.BlocksPerYear, 1/float64(p.BlocksPerYear))
}

// blockProvision is BlockProvision with invN = 1/float64(n) (rounded).
func blockProvision(i float64, supply, n int64, invN float64) int64 {
	// Fast path: i·supply·invN in float64 is within 4 rounding errors
	// (4·2^-53 relative: float64(supply), the reciprocal and two
	// products) of the exact quotient, less than 5e-7 below 2^30, so its
	// floor is exact unless the quotient lies within 1e-6 of a whole
	// number; then, and from 2^30 on, compute exactly.
	if q := i * float64(supply) * invN; q >= 0 && q < 1<<30 {
		// q >= 0: truncation is the floor (a conversion, where math.Floor
		// is a call on amd64 without SSE4.1 guaranteed, GOAMD64=v1)
		w := int64(q)
		if d := q - float64(w); d > 1e-6 && d < 1-1e-6 {
			return w
		}
	}
	return mulFloatFloor(i, supply, n)
}

// inflationStep is what NextInflation adds to the inflation before
// bounding it: (1 - bondedRatio/goal)·rc/nyr.
func inflationStep(bondedRatio, goal, rc, nyr float64) float64 {
	return (1 - bondedRatio/goal) * rc / nyr
}

// driftTerm is inflationStep at the bonded amount fb (as a float64) and
// the supply: the bonded ratio fb/supply, 0 when supply is 0.
func driftTerm(fb float64, supply int64, goal, rc, nyr float64) float64 {
	b := 0.0
	if supply > 0 {
		b = fb / float64(supply)
	}
	return inflationStep(b, goal, rc, nyr)
}

// MintResult is what Advance minted, in base units of the staking token,
// and how it was split.
type MintResult struct {
	// Minted is the sum of the block provisions; Minted ==
	// CommunityPool + Validators + Delegators exactly.
	Minted int64
	// CommunityPool is the community tax share.
	CommunityPool int64
	// Validators is the validators' commission on the rest.
	Validators int64
	// Delegators is what is left for delegators (stakers).
	Delegators int64
	// Inflation is the inflation after the last block, a fraction per
	// year (0 under the "none" model); pass it to the next Advance.
	Inflation float64
}

// Advance runs n blocks of x/mint and x/distribution exactly, block by
// block, starting from inflation i, bonded tokens bonded and total supply
// supply (both in base units). Each block:
//
//  1. updates the inflation from the bonded ratio bonded/supply
//     (NextInflation), where supply includes the provisions of the
//     earlier blocks of this call;
//  2. mints the provision m = BlockProvision(i, supply) and adds it to
//     supply;
//
// Then it splits the call's total M: tax = floor(M·community_tax) to the
// community pool, commission = floor((M - tax)·commission) to validators
// and the rest to delegators, so the parts sum exactly to M. (x/distribution
// keeps decimal remainders per block; splitting the total once per call is
// exact to within one base unit per call and much cheaper.)
//
// bonded is constant during the call (the caller moves the delegators'
// rewards wherever its model says, between calls). Inflation and the
// provisions are computed block by block, so batching is exact for them:
// Advance(i, b, S, n) mints the same total and ends at the same inflation
// as n calls of Advance(·, b, ·, 1), each started from the previous call's
// Inflation and S + Minted. The fractions community_tax and
// commission are read as the decimals written in the configuration (0.4 is
// 4/10, not its binary approximation), to 18 decimal places like Cosmos
// sdk.Dec. The "none" model returns a zero MintResult.
//
// Advance panics (a caller bug) on n < 0, a negative amount, bonded >
// supply, a supply overflow, or params with BlocksPerYear <= 0 or an
// unknown Model.
func (p *MintParams) Advance(i float64, bonded, supply int64, n int64) MintResult {
	switch p.Model {
	case MintModelNone:
		return MintResult{}
	case MintModelCosmos:
	default:
		panic(fmt.Sprintf("tokenomics: MintParams.Advance: unknown model %q", p.Model))
	}
	if p.BlocksPerYear <= 0 {
		panic(fmt.Sprintf("tokenomics: MintParams.Advance: blocks_per_year %d", p.BlocksPerYear))
	}
	if n < 0 || bonded < 0 || supply < 0 || bonded > supply {
		panic(fmt.Sprintf("tokenomics: MintParams.Advance(n=%d, bonded=%d, supply=%d)", n, bonded, supply))
	}
	tax := decimal18(p.CommunityTax, "community_tax")
	com := decimal18(p.Commission, "commission")
	r := MintResult{Inflation: i}
	// the loop's invariants, hoisted (the same float operations as
	// NextInflation and BlockProvision)
	nyr := float64(p.BlocksPerYear)
	invN := 1 / nyr
	fb := float64(bonded)
	goal, rc := p.GoalBonded, p.RateChange
	// NextInflation adds to the inflation a term of the bonded ratio at
	// the block's supply, driftTerm(supply), three divisions. The next
	// block's supply is this one plus this block's provision, which
	// changes smoothly from block to block: almost always by the smaller
	// of its last two changes, or by one more. The terms of both are
	// computed while this block's provision is, so that the divisions are
	// off the path from one block's supply to the next; any other
	// provision has its term computed after it. The term used is always
	// computed from the same values by the same operations: the same bits.
	term := driftTerm(fb, supply, goal, rc, nyr)
	last := int64(-1)  // the last block's provision; none yet
	change := int64(0) // the last provision's change from the one before
	step := int64(0)   // the change foreseen: the smaller of the last two
	for left := n; left > 0; left-- {
		// At the maximum with the bonded ratio below the goal the
		// inflation stays put: bonded is constant and supply only grows,
		// so the ratio only falls, for every block left.
		if r.Inflation >= p.InflationMax && fb < goal*float64(supply) {
			r.Inflation = p.InflationMax
			r.Minted += mintAtConstant(r.Inflation, supply, p.BlocksPerYear, invN, left)
			break
		}
		// the candidates' terms (a candidate past MaxInt64 wraps, and is
		// never taken: the supply it would be fails the overflow check)
		next := supply + last + step
		foreseen := driftTerm(fb, next, goal, rc, nyr)
		more := driftTerm(fb, next+1, goal, rc, nyr)
		r.Inflation = min(max(r.Inflation+term, p.InflationMin), p.InflationMax)
		m := blockProvision(r.Inflation, supply, p.BlocksPerYear, invN)
		if supply > math.MaxInt64-m {
			panic("tokenomics: MintParams.Advance: supply overflow")
		}
		supply += m
		r.Minted += m
		d := m - last
		switch d {
		case step:
			term = foreseen
		case step + 1:
			term = more
		default:
			term = driftTerm(fb, supply, goal, rc, nyr)
		}
		step, change, last = min(d, change), d, m
	}
	t := mulDec18Floor(r.Minted, tax)
	c := mulDec18Floor(r.Minted-t, com)
	r.CommunityPool = t
	r.Validators = c
	r.Delegators = r.Minted - t - c
	return r
}

// StakingAPR is the delegators' nominal yield per year,
// i·(1 - community_tax)·(1 - commission)/bondedRatio (akash.md "Model
// spec" §D.12), with i and bondedRatio fractions; 0 when bondedRatio is 0
// or less. It counts years of N_yr blocks; RealAPR counts calendar years.
func (p *MintParams) StakingAPR(i, bondedRatio float64) float64 {
	if !(bondedRatio > 0) {
		return 0
	}
	return i * (1 - p.CommunityTax) * (1 - p.Commission) / bondedRatio
}

// RealAPR is StakingAPR over a calendar year of realBlocksPerYear blocks:
// StakingAPR·realBlocksPerYear/N_yr. At 6.1 s blocks (about 5,169,836 a
// year of 365 days) it is about 0.98·StakingAPR (akash.md "Model spec" §A).
func (p *MintParams) RealAPR(i, bondedRatio, realBlocksPerYear float64) float64 {
	return p.StakingAPR(i, bondedRatio) * realBlocksPerYear / float64(p.BlocksPerYear)
}

// RealInflation is the supply growth per calendar year of
// realBlocksPerYear blocks at inflation i: i·realBlocksPerYear/N_yr
// (akash.md "Model spec" §A: about 0.98·i at 6.1 s blocks).
func (p *MintParams) RealInflation(i, realBlocksPerYear float64) float64 {
	return i * realBlocksPerYear / float64(p.BlocksPerYear)
}

// decimal18 reads a fraction in [0, 1] as an 18-decimal fixed-point
// integer (1e18 = 1), taking the shortest decimal that round-trips to x,
// i.e. the number as written in the configuration. It panics outside
// [0, 1] (params were not validated).
func decimal18(x float64, key string) uint64 {
	if !(x >= 0 && x <= 1) {
		panic(fmt.Sprintf("tokenomics: %s %v is not a fraction in [0, 1]", key, x))
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 18 {
		// More digits than sdk.Dec keeps: round the binary value instead.
		whole, frac, _ = strings.Cut(strconv.FormatFloat(x, 'f', 18, 64), ".")
	}
	v, err := strconv.ParseUint(whole+frac+strings.Repeat("0", 18-len(frac)), 10, 64)
	if err != nil {
		panic(fmt.Sprintf("tokenomics: %s %v: %v", key, x, err))
	}
	return v
}

const dec18One = 1_000_000_000_000_000_000

// mintAtConstant runs n blocks at the constant inflation x from supply:
// each block mints floor(x·supply/nyr) (BlockProvision) and adds it to
// supply. It returns the total minted. It computes
// the provisions exactly with integers: x = mant/2^sh, so a block mints
// floor(mant·S / D) with D = nyr·2^sh, and from one block to the next the
// numerator grows by mant·m; the quotient and remainder are carried over
// and the quotient grows by the few units each block adds (a block with a
// larger step computes the provision again with BlockProvision). The
// results are those of BlockProvision block by block. It panics on a
// supply overflow.
func mintAtConstant(x float64, supply, nyr int64, invN float64, n int64) (minted int64) {
	frac, exp := math.Frexp(x)
	mant := uint64(frac * (1 << 53))
	sh := 53 - exp
	if x == 0 || supply == 0 {
		return 0 // nothing to mint, for every block
	}
	// D = nyr << sh in 128 bits; the integer path needs D < 2^126
	nb := bits.Len64(uint64(nyr))
	if !(x > 0) || math.IsInf(x, 0) || sh <= 0 || nb+sh > 126 {
		for range n {
			m := blockProvision(x, supply, nyr, invN)
			if supply > math.MaxInt64-m {
				panic("tokenomics: MintParams.Advance: supply overflow")
			}
			supply += m
			minted += m
		}
		return minted
	}
	var dhi, dlo uint64
	if sh >= 64 {
		dhi, dlo = uint64(nyr)<<(sh-64), 0
	} else {
		dhi, dlo = uint64(nyr)>>(64-sh), uint64(nyr)<<sh
	}
	m, rhi, rlo := provisionRem(x, supply, nyr, invN, mant, dhi, dlo)
	for left := n; ; {
		if supply > math.MaxInt64-m {
			panic("tokenomics: MintParams.Advance: supply overflow")
		}
		supply += m
		minted += m
		if left--; left == 0 {
			return minted
		}
		// the numerator grows by mant·m: r += mant·m (< 2^127), then
		// carry a whole D into the quotient
		phi, plo := bits.Mul64(mant, uint64(m))
		var c uint64
		rlo, c = bits.Add64(rlo, plo, 0)
		rhi, _ = bits.Add64(rhi, phi, c)
		slo, b := bits.Sub64(rlo, dlo, 0)
		shi, b := bits.Sub64(rhi, dhi, b)
		if b == 0 { // r >= D
			rhi, rlo = shi, slo
			m++
			if !less128(rhi, rlo, dhi, dlo) { // still r >= D: a larger step (rare)
				m, rhi, rlo = provisionRem(x, supply, nyr, invN, mant, dhi, dlo)
			}
		}
	}
}

// provisionRem returns m = floor(x·s/nyr) (BlockProvision) and the
// remainder mant·s - m·D in 128 bits, for x = mant/2^sh and D = nyr·2^sh
// = dhi·2^64 + dlo.
func provisionRem(x float64, s, nyr int64, invN float64, mant, dhi, dlo uint64) (m int64, rhi, rlo uint64) {
	m = blockProvision(x, s, nyr, invN)
	ahi, alo := bits.Mul64(mant, uint64(s))
	// m·D, of which only the low 128 bits matter: it is at most mant·s
	// < 2^117
	phi, plo := bits.Mul64(uint64(m), dlo)
	phi += uint64(m) * dhi
	var borrow uint64
	rlo, borrow = bits.Sub64(alo, plo, 0)
	rhi, _ = bits.Sub64(ahi, phi, borrow)
	return m, rhi, rlo
}

// less128 reports whether ahi·2^64 + alo < bhi·2^64 + blo.
func less128(ahi, alo, bhi, blo uint64) bool {
	return ahi < bhi || ahi == bhi && alo < blo
}

// mulDec18Floor returns floor(a·d/1e18) for a >= 0 and an 18-decimal
// fraction d <= 1e18, exactly (128-bit product).
func mulDec18Floor(a int64, d uint64) int64 {
	hi, lo := bits.Mul64(uint64(a), d)
	q, _ := bits.Div64(hi, lo, dec18One) // hi < 1e18 because d <= 1e18 and a < 2^63
	return int64(q)
}

// mulFloatFloor returns floor(x·a/d) exactly, for a finite float64 x >= 0,
// a >= 0 and d > 0, panicking if the result does not fit an int64.
func mulFloatFloor(x float64, a, d int64) int64 {
	if !(x >= 0) || math.IsInf(x, 0) || a < 0 || d <= 0 {
		panic(fmt.Sprintf("tokenomics: floor(%v * %d / %d) out of range", x, a, d))
	}
	if x == 0 || a == 0 {
		return 0
	}
	frac, exp := math.Frexp(x)          // x = frac·2^exp, frac in [0.5, 1)
	mant := uint64(frac * (1 << 53))    // exact: x = mant·2^(exp-53)
	shift := 53 - exp                   // x = mant / 2^shift
	if shift <= 0 || shift >= 64+53+1 { // x >= 2^53, or so small the product is < 1
		if shift > 0 {
			return 0
		}
		return mulFloatFloorBig(x, a, d)
	}
	hi, lo := bits.Mul64(mant, uint64(a))
	if shift >= 64 {
		lo, hi = hi>>(shift-64), 0
	} else {
		lo, hi = lo>>shift|hi<<(64-shift), hi>>shift
	}
	if hi >= uint64(d) {
		panic(fmt.Sprintf("tokenomics: floor(%v * %d / %d) overflows int64", x, a, d))
	}
	q, _ := bits.Div64(hi, lo, uint64(d))
	if q > math.MaxInt64 {
		panic(fmt.Sprintf("tokenomics: floor(%v * %d / %d) overflows int64", x, a, d))
	}
	return int64(q)
}

// mulFloatFloorBig is mulFloatFloor for huge x, with math/big.
func mulFloatFloorBig(x float64, a, d int64) int64 {
	r := new(big.Rat).SetFloat64(x)
	r.Mul(r, new(big.Rat).SetFrac64(a, d))
	q := new(big.Int).Quo(r.Num(), r.Denom()) // both positive: truncation is floor
	if !q.IsInt64() {
		panic(fmt.Sprintf("tokenomics: floor(%v * %d / %d) overflows int64", x, a, d))
	}
	return q.Int64()
}
