package market

import (
	"math"
	"math/rand/v2"
)

// SingleSolverName is the registry name of the Gensyn-style task market.
const SingleSolverName = "single-solver"

// Defaults of the single-solver verification. Only the overhead is
// measured (0.46, competitors.md §3.2 [F]); Gensyn publishes no stake
// sizes, slashing fractions or error rates (§3.2 [U]), so the others are
// free parameters with the suggested defaults of the Gensyn scenario spec
// ([scenario.gensyn.incentives] in docs/model/competitors.md:
// solver deposit k_s = 1.0 times the task fee).
const (
	// DefaultOverhead is proof-of-learning's time overhead over plain
	// training, about 46% (§3.2 [F]).
	DefaultOverhead = 0.46
	// DefaultFalseFailRate is the probability that checking flags honest
	// work ([U]).
	DefaultFalseFailRate = 0.01
	// DefaultDetectProb is the probability that cheating is caught ([U]).
	DefaultDetectProb = 0.95
	// DefaultDisputeWinProb is the probability that an honest solver wins
	// a dispute: 1, since the pinpoint protocol has the chain re-run the
	// disputed operation (§3.2).
	DefaultDisputeWinProb = 1.0
	// DefaultStakeRatio is the solver's deposit per task as a fraction of
	// the task fee (k_s, [U]).
	DefaultStakeRatio = 1.0
	// DefaultSlashFraction is the fraction of the deposit slashed on a
	// lost dispute ([U]).
	DefaultSlashFraction = 1.0
)

// SingleSolver is Gensyn's task market (docs/model/competitors.md
// §3.1-3.2): a submitted task enters a task pool and a single Solver is
// selected for it; the fee follows a work estimate priced "by market
// dynamics" (here: the solver's ask per hour of occupied capacity).
// Verified training takes Overhead more capacity-time than the work
// itself (probabilistic proof-of-learning, about 46%), and the tenant
// pays for the occupied hours, so its price per useful hour is
// Price*(1+Overhead). Completed work is checked (Verify): cheating is
// caught with DetectProb, honest work is falsely flagged with
// FalseFailRate, a flagged task goes to dispute, and a solver that loses
// its dispute has SlashFraction of its deposit (StakeRatio times the
// fee) slashed. How Gensyn selects the solver is not published (§3.1
// [U]): Solver is "lowest-ask" (default) or "random".
type SingleSolver struct {
	// Checks are the verification parameters.
	Checks Verification
	// Solver is "lowest-ask" or "random".
	Solver string
	// Candidates is the bid limit per order (0: no limit).
	Candidates int
}

// NewSingleSolver builds the mechanism from its parameters: overhead
// (fraction >= 0, default 0.46), false_fail_rate ([0, 1], default 0.01),
// cheat_rate ([0, 1], default 0), detect_prob ([0, 1], default 0.95),
// dispute_win_prob ([0, 1], default 1), stake_ratio (>= 0, default 1),
// slash_fraction ([0, 1], default 1), solver ("lowest-ask" (default) or
// "random") and max_candidates (integer >= 0, default 0: no limit).
func NewSingleSolver(p Params) (Mechanism, error) {
	r := newParamReader(p)
	m := &SingleSolver{
		Checks: Verification{
			Overhead:       r.float("overhead", DefaultOverhead, 0, 100),
			FalseFailRate:  r.float("false_fail_rate", DefaultFalseFailRate, 0, 1),
			CheatRate:      r.float("cheat_rate", 0, 0, 1),
			DetectProb:     r.float("detect_prob", DefaultDetectProb, 0, 1),
			DisputeWinProb: r.float("dispute_win_prob", DefaultDisputeWinProb, 0, 1),
			StakeRatio:     r.float("stake_ratio", DefaultStakeRatio, 0, 1000),
			SlashFraction:  r.float("slash_fraction", DefaultSlashFraction, 0, 1),
		},
		Solver:     r.choice("solver", "lowest-ask", "lowest-ask", "random"),
		Candidates: r.int("max_candidates", 0, 0, 1<<20),
	}
	if err := r.done(SingleSolverName); err != nil {
		return nil, err
	}
	return m, nil
}

// PaysOwnBid returns true: the solver is paid its ask.
func (m *SingleSolver) PaysOwnBid() bool { return true }

// Name returns "single-solver".
func (m *SingleSolver) Name() string { return SingleSolverName }

// MaxBids returns max_candidates: the bid limit per order (0: no limit).
func (m *SingleSolver) MaxBids() int { return m.Candidates }

// MaxAsk returns the highest bid price eligible for an order with max
// price maxPrice: the largest Rate x <= maxPrice with
// x*(1+Overhead) <= maxPrice (in float64), i.e.
// floor(maxPrice/(1+Overhead)); -1 when maxPrice < 0.
func (m *SingleSolver) MaxAsk(maxPrice Rate) Rate {
	if maxPrice < 0 {
		return -1
	}
	f := 1 + m.Checks.Overhead
	// float64(maxPrice) may round up to 2^63, beyond Rate: convert the
	// quotient only when it is below maxPrice.
	limit := maxPrice
	if q := math.Floor(float64(maxPrice) / f); q < float64(maxPrice) {
		limit = Rate(q)
	}
	if maxPrice >= 1<<53 {
		return limit // beyond float64's exact integers: the floor is as good as any
	}
	// Guard against rounding in the division, so that limit is the
	// largest integer with limit*f <= maxPrice in float64.
	for limit > 0 && float64(limit)*f > float64(maxPrice) {
		limit--
	}
	for limit < maxPrice && float64(limit+1)*f <= float64(maxPrice) {
		limit++
	}
	return limit
}

// Clear selects the task's solver among the eligible bids: Price <=
// MaxAsk(o.MaxPrice) (the tenant's price per useful hour,
// Price*(1+Overhead), is within its max price) and audited if
// o.RequireAudited. With Solver "lowest-ask" the cheapest wins (ties:
// audited first, then lower Provider; no draw from rng); with "random"
// each eligible bid wins with equal probability (one IntN per eligible
// bid). The price is the solver's bid: the tenant pays it per occupied
// hour.
func (m *SingleSolver) Clear(o *Order, bids []Bid, rng *rand.Rand) Outcome {
	limit := m.MaxAsk(o.MaxPrice)
	if m.Solver != "random" {
		best := cheapestBid(bids, limit, o.RequireAudited)
		if best < 0 {
			return NoWinner
		}
		return Outcome{Winner: best, Price: bids[best].Price}
	}
	best, seen := -1, 0
	for i := range bids {
		b := &bids[i]
		if b.Price > limit || (o.RequireAudited && !b.Audited) {
			continue
		}
		seen++
		if rng.IntN(seen) == 0 {
			best = i
		}
	}
	if best < 0 {
		return NoWinner
	}
	return Outcome{Winner: best, Price: bids[best].Price}
}

// Verification returns the checking parameters.
func (m *SingleSolver) Verification() Verification { return m.Checks }

// Verify draws the checking of one completed task. It always draws
// exactly three Float64s u1, u2, u3 (so the stream does not depend on the
// outcome): the solver cheated if u1 < CheatRate; a cheat is disputed
// (caught) if u2 < DetectProb and then always slashed; honest work is
// disputed (a false fail) if u2 < FalseFailRate and slashed only if the
// solver loses the dispute, u3 >= DisputeWinProb.
func (m *SingleSolver) Verify(rng *rand.Rand) VerifyOutcome {
	u1, u2, u3 := rng.Float64(), rng.Float64(), rng.Float64()
	v := &m.Checks
	if u1 < v.CheatRate {
		caught := u2 < v.DetectProb
		return VerifyOutcome{Cheated: true, Disputed: caught, Slashed: caught}
	}
	flagged := u2 < v.FalseFailRate
	return VerifyOutcome{Disputed: flagged, Slashed: flagged && u3 >= v.DisputeWinProb}
}
