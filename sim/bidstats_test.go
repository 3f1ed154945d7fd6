package sim_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/sim"
)

// learningConfig is baseConfig with the H100 cohort bidding no-regret
// and the CPU cohort adaptive-markup: bids that move, collected in the
// tenants' selection window.
func learningConfig(t testing.TB, days int) *sim.Config {
	cfg := baseConfig(t, days)
	cfg.Providers[0].Strategy = agents.NoRegretName
	cfg.Providers[2].Strategy = agents.AdaptiveMarkupName
	validate(t, cfg)
	return cfg
}

// bidTally is a recount of one cohort's bids over a sample interval.
type bidTally struct {
	bids, won               float64
	markup, wonMarkup       float64
	markupN, wonMarkupN     float64
	negativeCost, zeroPrice bool
}

// TestBidCountsMatchTrace: each cohort's bid statistics in every sample
// equal a recount of the bids the kernel reports through its test hook
// since the previous sample: bids and wins attributed to the provider's
// cohort, the means over bids of positive cost, NaN where there is
// nothing to average, and the counts started again at every sample.
func TestBidCountsMatchTrace(t *testing.T) {
	for name, cfg := range map[string]*sim.Config{
		"window":   baseConfig(t, 4),
		"learning": learningConfig(t, 4),
		"index":    indexConfig(t, 4, 0),
	} {
		t.Run(name, func(t *testing.T) {
			var w *sim.World
			tally := make([]bidTally, len(cfg.Providers))
			samples, counted := 0, 0.0
			w = sim.NewWorld(cfg, 0, 3, sim.RecorderFunc(func(s *sim.Sample) {
				samples++
				for ci, c := range s.Cohorts {
					k := &tally[ci]
					ratio := func(a, b float64) float64 {
						if b == 0 {
							return math.NaN()
						}
						return a / b
					}
					assert.Equal(t, k.bids, c.Bids, "%s at %v: bids", c.Cohort, s.T)
					assert.Equal(t, k.won, c.BidsWon, "%s at %v: won", c.Cohort, s.T)
					sameFloat(t, ratio(k.won, k.bids), c.WinRate, c.Cohort+": win rate")
					sameFloat(t, ratio(k.markup, k.markupN), c.BidMarkup, c.Cohort+": markup")
					sameFloat(t, ratio(k.wonMarkup, k.wonMarkupN), c.WonMarkup, c.Cohort+": won markup")
					assert.False(t, k.negativeCost || k.zeroPrice, "%s: a bid of negative cost or no price", c.Cohort)
					counted += k.bids
					tally[ci] = bidTally{}
				}
			}))
			w.SetBidTrace(func(pid int32, price, cost float64, won bool) {
				k := &tally[w.ProviderCohort(pid)]
				k.bids++
				k.negativeCost = k.negativeCost || cost < 0
				k.zeroPrice = k.zeroPrice || !(price > 0)
				if won {
					k.won++
				}
				if cost > 0 {
					m := (price - cost) / cost
					k.markup += m
					k.markupN++
					if won {
						k.wonMarkup += m
						k.wonMarkupN++
					}
				}
			})
			_, err := w.Run()
			require.NoError(t, err)
			require.Greater(t, samples, 24)
			assert.Greater(t, counted, 100.0, "the scenario places bids")
		})
	}
}

func sameFloat(t *testing.T, want, got float64, msg string) {
	t.Helper()
	if math.IsNaN(want) != math.IsNaN(got) || !math.IsNaN(want) && want != got {
		t.Errorf("%s: %v, want %v", msg, got, want)
	}
}

// TestBidsWonAreLeases: over several seeds of auctions that collect bids,
// the cohorts' bids won in each sample interval add up to the leases
// started in it (leases_started_total), every win rate is in [0, 1],
// bids won never exceed bids, and markups are at least the cohorts'
// floor of cost-plus pricing (asks above cost).
func TestBidsWonAreLeases(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 3
	}
	for _, mk := range []func() *sim.Config{func() *sim.Config { return baseConfig(t, 3) }, func() *sim.Config { return learningConfig(t, 3) }} {
		for seed := range uint64(seeds) {
			cfg := mk()
			_, recs, _ := run(t, cfg, 100+seed)
			prev, won, bids := 0.0, 0.0, 0.0
			for _, r := range recs {
				started := r.Values[sim.MLeasesStartedTotal] - prev
				prev = r.Values[sim.MLeasesStartedTotal]
				sum := 0.0
				for _, c := range r.Cohorts {
					sum += c.BidsWon
					won += c.BidsWon
					bids += c.Bids
					assert.LessOrEqual(t, c.BidsWon, c.Bids, "seed %d %s at %v", seed, c.Cohort, r.T)
					if c.Bids == 0 {
						assert.True(t, math.IsNaN(c.WinRate), "no bids: no win rate")
						continue
					}
					assert.True(t, c.WinRate >= 0 && c.WinRate <= 1, "seed %d %s at %v: win rate %v", seed, c.Cohort, r.T, c.WinRate)
				}
				assert.Equal(t, started, sum, "seed %d at %v: bids won = leases started", seed, r.T)
			}
			assert.Greater(t, won, 10.0, "seed %d: leases", seed)
			assert.Greater(t, bids, won, "seed %d: some bids lose", seed)
		}
	}
}

// TestLearners: the learners' summary at the end of a run has one entry
// per learning cohort, in the scenario's order, with the no-regret
// cohort's arms, mean probabilities and leader shares (each adding up to
// 1) and its outcomes, and the adaptive-markup cohort's markups in
// order; a run of cost-plus bidders has none.
func TestLearners(t *testing.T) {
	_, _, w := run(t, learningConfig(t, 3), 5)
	ls := w.Learners()
	require.Len(t, ls, 2)
	nr, am := ls[0], ls[1]
	assert.Equal(t, "gpu-h100", nr.Cohort)
	assert.Equal(t, agents.NoRegretName, nr.Strategy)
	assert.Equal(t, 3, nr.Providers)
	k := len(nr.ArmMarkups)
	require.Positive(t, k)
	require.Len(t, nr.ArmProbabilities, k)
	require.Len(t, nr.ArmLeaderShares, k)
	for a := 1; a < k; a++ {
		assert.Greater(t, nr.ArmMarkups[a], nr.ArmMarkups[a-1], "arms increase")
	}
	sum := func(xs []float64) (s float64) {
		for _, x := range xs {
			s += x
		}
		return s
	}
	assert.InDelta(t, 1, sum(nr.ArmProbabilities), 1e-9)
	assert.InDelta(t, 1, sum(nr.ArmLeaderShares), 1e-9)
	assert.Positive(t, nr.Outcomes, "the learners saw outcomes")

	assert.Equal(t, "cpu", am.Cohort)
	assert.Equal(t, agents.AdaptiveMarkupName, am.Strategy)
	assert.Equal(t, 25, am.Providers)
	assert.True(t, am.MarkupMin <= am.MarkupMean && am.MarkupMean <= am.MarkupMax, "%+v", am)
	assert.Nil(t, am.ArmMarkups)

	_, _, w = run(t, baseConfig(t, 1), 5)
	assert.Nil(t, w.Learners(), "cost-plus bidders do not learn")
}
