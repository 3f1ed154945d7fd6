package market_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

func newSolver(t testing.TB, p market.Params) *market.SingleSolver {
	t.Helper()
	return newAs[*market.SingleSolver](t, market.SingleSolverName, p)
}

func TestSingleSolverDefaults(t *testing.T) {
	m := newSolver(t, nil)
	assert.Equal(t, market.Verification{
		Overhead: 0.46, FalseFailRate: 0.01, CheatRate: 0, DetectProb: 0.95,
		DisputeWinProb: 1, StakeRatio: 1, SlashFraction: 1,
	}, m.Verification())
	assert.Equal(t, "lowest-ask", m.Solver)
	assert.Equal(t, 0, m.MaxBids())
	var (
		_ market.Verifier = m
		_ market.Windowed = m
	)
	_, isPoster := any(m).(market.Poster)
	assert.False(t, isPoster)

	m = newSolver(t, market.Params{
		"overhead": int64(1), "false_fail_rate": 0.1, "cheat_rate": 0.2, "detect_prob": 0.3,
		"dispute_win_prob": 0.4, "stake_ratio": 2.5, "slash_fraction": 0.5, "solver": "random", "max_candidates": int64(7),
	})
	assert.Equal(t, market.Verification{
		Overhead: 1, FalseFailRate: 0.1, CheatRate: 0.2, DetectProb: 0.3,
		DisputeWinProb: 0.4, StakeRatio: 2.5, SlashFraction: 0.5,
	}, m.Verification())
	assert.Equal(t, "random", m.Solver)
	assert.Equal(t, 7, m.MaxBids())
}

// TestSingleSolverMaxAsk checks over random overheads and max prices
// (seeds 1..2000) that MaxAsk is the largest price whose cost per useful
// hour, price*(1+overhead), is within the max price.
func TestSingleSolverMaxAsk(t *testing.T) {
	for seed := uint64(1); seed <= 2000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 47))
		ov := []float64{0, 0.46, 1, rng.Float64() * 3}[rng.IntN(4)]
		m := newSolver(t, market.Params{"overhead": ov})
		maxPrice := market.Rate(rng.Int64N(1 << uint(1+rng.IntN(45))))
		x := m.MaxAsk(maxPrice)
		require.LessOrEqual(t, float64(x)*(1+ov), float64(maxPrice), "seed %d", seed)
		require.LessOrEqual(t, x, maxPrice)
		if x < maxPrice {
			require.Greater(t, float64(x+1)*(1+ov), float64(maxPrice), "seed %d: %d is not the largest", seed, x)
		}
	}
	m := newSolver(t, nil)
	assert.Equal(t, market.Rate(100), m.MaxAsk(146))
	assert.Equal(t, market.Rate(99), m.MaxAsk(145))
	assert.Equal(t, market.Rate(-1), m.MaxAsk(-5))
	big := market.Rate(1) << 60
	assert.InDelta(t, float64(big)/1.46, float64(m.MaxAsk(big)), float64(big)*1e-12, "beyond float64's exact integers")
}

// TestSingleSolverMaxAskNearInt64Limit is the regression test of a wrap
// found by FuzzClear: a max price within 512 of math.MaxInt64 converts to
// the float64 2^63, and with no overhead the quotient converted back to a
// Rate wrapped to math.MinInt64, so no bid was ever eligible.
func TestSingleSolverMaxAskNearInt64Limit(t *testing.T) {
	const top = market.Rate(math.MaxInt64)
	free := newSolver(t, market.Params{"overhead": 0.0})
	for _, mp := range []market.Rate{top, top - 10, top - 511} {
		assert.Equal(t, mp, free.MaxAsk(mp), "no overhead: the max price itself")
		out := free.Clear(&market.Order{MaxPrice: mp}, []market.Bid{{Price: 100, Provider: 1}}, nil)
		assert.Equal(t, market.Outcome{Winner: 0, Price: 100}, out, "max price %d", mp)
	}
	m := newSolver(t, nil)
	assert.InDelta(t, float64(top)/1.46, float64(m.MaxAsk(top)), float64(top)*1e-12)
}

// TestSingleSolverClearProperties checks over random books (seeds
// 1..500, random overheads, both solver rules): the solver is an eligible
// bid (price*(1+overhead) within the max price, audited when required);
// with lowest-ask it is the cheapest (ties: audited, then lower provider);
// the price is the solver's own bid, so no provider is paid below its bid
// and no tenant pays more than its max price per useful hour; there is a
// solver exactly when a bid is eligible; Clear does not modify bids.
func TestSingleSolverClearProperties(t *testing.T) {
	for _, rule := range []string{"lowest-ask", "random"} {
		for seed := uint64(1); seed <= 500; seed++ {
			rng := rand.New(rand.NewPCG(seed, 53))
			ov := rng.Float64()
			m := newSolver(t, market.Params{"overhead": ov, "solver": rule})
			o, bids := randomBook(rng)
			o.MaxPrice = market.Rate(float64(o.MaxPrice) * (1 + ov))
			before := slices.Clone(bids)
			out := m.Clear(&o, bids, rng)
			require.Equal(t, before, bids)
			elig := map[int]bool{}
			eligOrder := market.Order{MaxPrice: m.MaxAsk(o.MaxPrice), RequireAudited: o.RequireAudited}
			for i, b := range bids {
				if float64(b.Price)*(1+ov) <= float64(o.MaxPrice) && (!o.RequireAudited || b.Audited) {
					elig[i] = true
				}
			}
			if len(elig) == 0 {
				require.Equal(t, market.NoWinner, out, "seed %d", seed)
				continue
			}
			require.True(t, elig[out.Winner], "seed %d", seed)
			require.Equal(t, bids[out.Winner].Price, out.Price)
			require.LessOrEqual(t, float64(out.Price)*(1+ov), float64(o.MaxPrice), "tenant IR per useful hour")
			if rule == "lowest-ask" {
				require.Equal(t, refWinners(&eligOrder, bids, "provider-id")[0], out.Winner, "seed %d", seed)
			}
		}
	}
}

// TestSingleSolverRandomIsUniform checks that the random solver picks
// each eligible bid about equally often (fixed seed, 6 binomial sd) and
// never an ineligible one.
func TestSingleSolverRandomIsUniform(t *testing.T) {
	m := newSolver(t, market.Params{"solver": "random", "overhead": 0.5})
	bids := []market.Bid{{Provider: 0, Price: 60}, {Provider: 1, Price: 67}, {Provider: 2, Price: 66}, {Provider: 3, Price: 10}}
	o := market.Order{MaxPrice: 100} // eligible: price <= 66
	const draws = 30000
	wins := map[int32]int{}
	rng := rand.New(rand.NewPCG(5, 5))
	for range draws {
		out := m.Clear(&o, bids, rng)
		require.GreaterOrEqual(t, out.Winner, 0)
		wins[bids[out.Winner].Provider]++
	}
	assert.ElementsMatch(t, []int32{0, 2, 3}, keys(wins))
	sd := math.Sqrt(draws * (1.0 / 3) * (2.0 / 3))
	for p, n := range wins {
		assert.InDelta(t, draws/3.0, float64(n), 6*sd, "provider %d", p)
	}
}

// TestSingleSolverVerifyFrequencies draws many checks (fixed seeds) and
// compares the frequencies of cheating, caught cheating, false fails and
// lost disputes with their probabilities, within 6 binomial standard
// deviations; a caught cheat is always slashed, an honest solver only
// when it loses the dispute.
func TestSingleSolverVerifyFrequencies(t *testing.T) {
	cases := []market.Params{
		{"cheat_rate": 0.2, "detect_prob": 0.9, "false_fail_rate": 0.05, "dispute_win_prob": 0.7},
		{}, // defaults: no cheating, 1% false fails, disputes always won
		{"cheat_rate": 1.0, "detect_prob": 0.5},
		{"cheat_rate": 0.5, "detect_prob": 0.0, "false_fail_rate": 1.0, "dispute_win_prob": 0.0},
	}
	const draws = 200000
	for ci, p := range cases {
		m := newSolver(t, p)
		v := m.Verification()
		rng := rand.New(rand.NewPCG(uint64(ci)+100, 59))
		var cheated, caught, falseFail, lost, slashed int
		for range draws {
			out := m.Verify(rng)
			if out.Cheated {
				cheated++
				require.Equal(t, out.Disputed, out.Slashed, "a caught cheat is slashed, an uncaught one is not")
				if out.Disputed {
					caught++
				}
			} else {
				if out.Disputed {
					falseFail++
				}
				if out.Slashed {
					require.True(t, out.Disputed, "slashed without a dispute")
					lost++
				}
			}
			if out.Slashed {
				slashed++
			}
		}
		honest := 1 - v.CheatRate
		for _, c := range []struct {
			name string
			n    int
			prob float64
		}{
			{"cheated", cheated, v.CheatRate},
			{"caught", caught, v.CheatRate * v.DetectProb},
			{"false fail", falseFail, honest * v.FalseFailRate},
			{"lost dispute", lost, honest * v.FalseFailRate * (1 - v.DisputeWinProb)},
			{"slashed", slashed, v.CheatRate*v.DetectProb + honest*v.FalseFailRate*(1-v.DisputeWinProb)},
		} {
			sd := math.Sqrt(draws * c.prob * (1 - c.prob))
			assert.InDelta(t, draws*c.prob, float64(c.n), 6*sd+1e-9, "case %d %s: %d of %d", ci, c.name, c.n, draws)
		}
	}
}

// TestSingleSolverVerifyDrawsThree checks that Verify always consumes
// exactly three Float64s, whatever the outcome, so that the random stream
// after it does not depend on the parameters.
func TestSingleSolverVerifyDrawsThree(t *testing.T) {
	for _, p := range []market.Params{{}, {"cheat_rate": 1.0}, {"cheat_rate": 0.5, "false_fail_rate": 1.0, "dispute_win_prob": 0.5}} {
		m := newSolver(t, p)
		for seed := uint64(1); seed <= 100; seed++ {
			a := rand.New(rand.NewPCG(seed, 61))
			b := rand.New(rand.NewPCG(seed, 61))
			m.Verify(a)
			b.Float64()
			b.Float64()
			b.Float64()
			require.Equal(t, b.Uint64(), a.Uint64(), "%v seed %d", p, seed)
		}
	}
}
