package tokenomics

import (
	"fmt"
	"math"

	"github.com/depinsim/depinsim/simtime"
)

// StakingParams are the holders' bonding behaviour (TOML table
// [tokenomics.staking]), the rule of akash.md "Model spec" §D.13:
// holders bond while the staking APR beats the yield they can get
// elsewhere and unbond otherwise, db/dt = Speed·(APR - OutsideYield).
type StakingParams struct {
	// BondedRatio is the bonded share of total supply at the start, a
	// fraction in [0, 1] (akash-2024: 0.578, docs/model/
	// calibration-akash-2024q1.md "staked about 133.49 M AKT, 57.8%").
	BondedRatio float64 `toml:"bonded_ratio"`
	// OutsideYield is the yield holders can get elsewhere, a fraction per
	// year. Default 0.15 [I, not sourced]: about the akash-2024 staking
	// APR at the start (0.15·0.6·0.95/0.578 ≈ 0.148), so that era's
	// bonded ratio starts near rest.
	OutsideYield float64 `toml:"outside_yield"`
	// Speed is kappa: the change of the bonded ratio per year per unit of
	// (APR - OutsideYield). With Speed 1 an APR 10 points above the
	// outside yield bonds 10 % of supply a year. Default 1.0 [I, not
	// sourced].
	Speed float64 `toml:"speed"`
	// Unbonding is the unbonding period, after which unbonded tokens are
	// liquid again (21 d, akash.md §5 genesis; 14 d in the current code
	// template, unconfirmed on mainnet).
	Unbonding simtime.Duration `toml:"unbonding"`
}

// DefaultStakingParams returns the akash-2024 values: bonded ratio 0.578,
// outside yield 0.15 a year, speed 1.0, unbonding 21 days.
func DefaultStakingParams() StakingParams {
	return StakingParams{
		BondedRatio:  0.578,
		OutsideYield: 0.15,
		Speed:        1.0,
		Unbonding:    simtime.Duration(21 * simtime.Day),
	}
}

// Validate checks the ranges; errors name the key under
// [tokenomics.staking] and the allowed range.
func (p *StakingParams) Validate() error {
	bad := func(key string, v any, allowed string) error {
		return fmt.Errorf("tokenomics.staking.%s: must be %s, got %v", key, allowed, v)
	}
	if !(p.BondedRatio >= 0 && p.BondedRatio <= 1) {
		return bad("bonded_ratio", p.BondedRatio, "in [0, 1]")
	}
	if !(p.OutsideYield >= -1 && p.OutsideYield <= 10) {
		return bad("outside_yield", p.OutsideYield, "in [-1, 10]")
	}
	if !(p.Speed >= 0 && p.Speed <= 100) {
		return bad("speed", p.Speed, "in [0, 100]")
	}
	if p.Unbonding < 0 || p.Unbonding.T() > 10*simtime.Year {
		return bad("unbonding", simtime.Time(p.Unbonding), "in [0s, 10y]")
	}
	return nil
}

// InitialBonded returns the bonded amount at the start for a total supply
// in base units: BondedRatio·supply rounded to the nearest base unit.
func (p *StakingParams) InitialBonded(supply int64) int64 {
	return roundAmount(p.BondedRatio, supply)
}

// Staking holds the unbonding queue of the staking rule. The bonded and
// liquid amounts themselves live in the caller's ledger (accounts
// "bonded" and "holders"); Step is told them and returns transfers.
type Staking struct {
	speed, outside float64
	unbonding      simtime.Time
	queue          []unbondingEntry // by release time; queue[head:] is pending
	head           int
	pending        int64 // sum of pending amounts
	last           simtime.Time
}

// unbondingEntry is amt base units that become liquid at at.
type unbondingEntry struct {
	at  simtime.Time
	amt int64
}

// NewStaking returns a Staking with an empty queue, holding a copy of the
// parameters it needs.
func NewStaking(p StakingParams) *Staking {
	return &Staking{speed: p.Speed, outside: p.OutsideYield, unbonding: p.Unbonding.T(), last: math.MinInt64}
}

// Step applies the staking rule (akash.md "Model spec" §D.13) over the
// interval dt that ends at now:
//
//  1. release: the queued entries whose release time is at or before now
//     are released (release, from "unbonding" back to "holders");
//  2. the target change of the bonded ratio is
//     Δb = Speed·(apr - OutsideYield)·dt/1y (years of 365 days), an amount
//     of |Δb|·supply base units, rounded to nearest;
//  3. if Δb > 0 that amount is bonded from the liquid holders, at most
//     liquid (bond, from "holders" to "bonded"); if Δb < 0 it starts
//     unbonding, at most bonded (unbond, from "bonded" to "unbonding"),
//     queued for release at now + Unbonding.
//
// apr is the delegators' yield per year (MintParams.StakingAPR), supply is
// the total supply and bonded and liquid are the "bonded" and "holders"
// balances, all in base units, before this step's transfers. At most one
// of bond and unbond is non-zero. Tokens released by this call are not
// bondable until the next call, and an unbonding started now is released
// by the first call at or after now + Unbonding, so the three transfers can
// be applied in any order. Step does not touch a ledger: the caller (package
// sim) moves the tokens; schedule a call at NextRelease to release on time.
//
// Step panics (a caller bug) when now goes backwards, dt < 0, apr is NaN
// or an amount is negative.
func (s *Staking) Step(now simtime.Time, dt simtime.Time, apr float64, supply, bonded, liquid int64) (bond, unbond, release int64) {
	if now < s.last || dt < 0 || math.IsNaN(apr) || supply < 0 || bonded < 0 || liquid < 0 {
		panic(fmt.Sprintf("tokenomics: Staking.Step(now=%v after %v, dt=%v, apr=%v, supply=%d, bonded=%d, liquid=%d)",
			int64(now), int64(s.last), int64(dt), apr, supply, bonded, liquid))
	}
	s.last = now
	for s.head < len(s.queue) && s.queue[s.head].at <= now {
		release += s.queue[s.head].amt
		s.head++
	}
	s.pending -= release
	if s.head == len(s.queue) {
		s.queue, s.head = s.queue[:0], 0
	} else if s.head >= 64 && 2*s.head >= len(s.queue) {
		s.queue = append(s.queue[:0], s.queue[s.head:]...)
		s.head = 0
	}

	delta := s.speed * (apr - s.outside) * (float64(dt) / float64(simtime.Year))
	switch {
	case delta > 0:
		bond = min(roundAmount(delta, supply), liquid)
	case delta < 0:
		unbond = min(roundAmount(-delta, supply), bonded)
		if unbond > 0 {
			at := now + s.unbonding
			if at < now { // overflow: never released
				at = simtime.Never
			}
			if n := len(s.queue); n > s.head && s.queue[n-1].at == at {
				s.queue[n-1].amt += unbond
			} else {
				s.queue = append(s.queue, unbondingEntry{at: at, amt: unbond})
			}
			s.pending += unbond
		}
	}
	return bond, unbond, release
}

// Unbonding returns the tokens in the unbonding queue, in base units.
func (s *Staking) Unbonding() int64 { return s.pending }

// NextRelease returns the time of the next release from the unbonding
// queue, or simtime.Never when the queue is empty.
func (s *Staking) NextRelease() simtime.Time {
	if s.head < len(s.queue) {
		return s.queue[s.head].at
	}
	return simtime.Never
}

// roundAmount returns f·amt rounded to the nearest base unit, for f >= 0
// (+Inf included) and amt >= 0, capped at math.MaxInt64.
func roundAmount(f float64, amt int64) int64 {
	if f == 0 || amt == 0 {
		return 0
	}
	v := math.Round(f * float64(amt))
	if v >= math.MaxInt64 { // float64(MaxInt64) is 2^63
		return math.MaxInt64
	}
	return int64(v)
}

// Set changes one parameter of the staking rule during a run (governance):
// "outside_yield" or "speed". An unknown name or a value out of range is
// an error and changes nothing.
func (s *Staking) Set(name string, v float64) error {
	switch name {
	case "outside_yield":
		if !(v >= -1 && v <= 10) {
			return fmt.Errorf("tokenomics.staking.outside_yield: must be in [-1, 10], got %v", v)
		}
		s.outside = v
	case "speed":
		if !(v >= 0 && v <= 100) {
			return fmt.Errorf("tokenomics.staking.speed: must be in [0, 100], got %v", v)
		}
		s.speed = v
	default:
		return fmt.Errorf("tokenomics.staking.%s: not a staking parameter governance can set (outside_yield, speed)", name)
	}
	return nil
}
