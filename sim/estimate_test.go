package sim_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/sim"
)

// MeanCapped agrees with the mean of many capped draws, for every kind
// of distribution, with caps below, inside and above their range.
func TestMeanCappedMatchesDraws(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := []agents.Dist{
		agents.Const(5),
		{Kind: "uniform", Min: 2, Max: 10},
		{Kind: "exponential", Mean: 24},
		{Kind: "lognormal", Median: 24, Sigma: 1.5},
		{Kind: "lognormal", Median: 24, Sigma: 0.8, Cap: 100},
		{Kind: "pareto", Min: 1, Alpha: 1.5},
		{Kind: "pareto", Min: 1, Alpha: 1},
		{Kind: "pareto", Min: 2, Alpha: 0.7},
		{Kind: "choice", Values: []float64{1, 2, 48}, Weights: []float64{0.3, 0.3, 0.4}},
		{Kind: "choice", Values: []float64{1, 8}},
	}
	for _, d := range dists {
		for _, c := range []float64{0.5, 7, 50, 1000} {
			const n = 200_000
			s := 0.0
			for range n {
				s += min(d.Sample(rng), c)
			}
			want := s / n
			assert.InEpsilon(t, want, sim.MeanCapped(&d, c), 0.03, "%+v capped at %v", d, c)
		}
	}
	assert.False(t, math.IsNaN(sim.MeanCapped(&agents.Dist{Kind: "pareto", Min: 1, Alpha: 0.5}, 1e9)))
}
