package agents_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/depinsim/depinsim/agents"
)

func TestDistValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good := []agents.Dist{
		agents.Const(0),
		agents.Const(-3),
		{Kind: "uniform", Min: 1, Max: 1},
		{Kind: "uniform", Min: -1, Max: 2},
		{Kind: "exponential", Mean: 24},
		{Kind: "lognormal", Median: 24, Sigma: 0},
		{Kind: "pareto", Min: 1, Alpha: 0.5},
		{Kind: "choice", Values: []float64{1}},
		{Kind: "choice", Values: []float64{1, 2}, Weights: []float64{0, 3}},
		{Kind: "exponential", Mean: 1, Cap: 5},
	}
	for _, d := range good {
		assert.NoError(t, d.Validate(), "%+v", d)
	}
	bad := []struct {
		d     agents.Dist
		field string
	}{
		{agents.Dist{Kind: ""}, "kind:"},
		{agents.Dist{Kind: "normal"}, "kind:"},
		{agents.Dist{Kind: "const", Value: nan}, "value:"},
		{agents.Dist{Kind: "const", Value: inf}, "value:"},
		{agents.Dist{Kind: "uniform", Min: 2, Max: 1}, "min, max:"},
		{agents.Dist{Kind: "uniform", Min: nan, Max: 1}, "min, max:"},
		{agents.Dist{Kind: "uniform", Min: 0, Max: inf}, "min, max:"},
		{agents.Dist{Kind: "exponential", Mean: 0}, "mean:"},
		{agents.Dist{Kind: "exponential", Mean: -1}, "mean:"},
		{agents.Dist{Kind: "exponential", Mean: inf}, "mean:"},
		{agents.Dist{Kind: "lognormal", Median: 0, Sigma: 1}, "median:"},
		{agents.Dist{Kind: "lognormal", Median: nan, Sigma: 1}, "median:"},
		{agents.Dist{Kind: "lognormal", Median: 1, Sigma: -0.1}, "sigma:"},
		{agents.Dist{Kind: "lognormal", Median: 1, Sigma: nan}, "sigma:"},
		{agents.Dist{Kind: "pareto", Min: 0, Alpha: 1}, "min:"},
		{agents.Dist{Kind: "pareto", Min: 1, Alpha: 0}, "alpha:"},
		{agents.Dist{Kind: "pareto", Min: 1, Alpha: inf}, "alpha:"},
		{agents.Dist{Kind: "choice"}, "values:"},
		{agents.Dist{Kind: "choice", Values: []float64{1, 2}, Weights: []float64{1}}, "weights:"},
		{agents.Dist{Kind: "choice", Values: []float64{1, 2}, Weights: []float64{1, -1}}, "weights:"},
		{agents.Dist{Kind: "choice", Values: []float64{1, 2}, Weights: []float64{0, 0}}, "weights:"},
		{agents.Dist{Kind: "choice", Values: []float64{1}, Weights: []float64{nan}}, "weights:"},
		{agents.Dist{Kind: "const", Value: 1, Cap: -1}, "cap:"},
	}
	for _, c := range bad {
		err := c.d.Validate()
		require.Error(t, err, "%+v", c.d)
		assert.Contains(t, err.Error(), c.field, "%+v", c.d)
	}
}

func TestDistSampleRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	u := agents.Dist{Kind: "uniform", Min: 2, Max: 5}
	c := agents.Const(7.5)
	ch := agents.Dist{Kind: "choice", Values: []float64{1, 2, 8}}
	chw := agents.Dist{Kind: "choice", Values: []float64{1, 2, 8}, Weights: []float64{1, 0, 3}}
	capped := agents.Dist{Kind: "exponential", Mean: 1, Cap: 2}
	par := agents.Dist{Kind: "pareto", Min: 3, Alpha: 1.5}
	ln := agents.Dist{Kind: "lognormal", Median: 1, Sigma: 1}
	seen := map[float64]int{}
	seenW := map[float64]int{}
	atCap := 0
	for i := 0; i < n; i++ {
		v := u.Sample(rng)
		require.True(t, v >= 2 && v <= 5, "uniform draw %v outside [2, 5]", v)
		require.Equal(t, 7.5, c.Sample(rng))
		seen[ch.Sample(rng)]++
		seenW[chw.Sample(rng)]++
		x := capped.Sample(rng)
		require.True(t, x >= 0 && x <= 2, "capped draw %v", x)
		if x == 2 {
			atCap++
		}
		require.GreaterOrEqual(t, par.Sample(rng), 3.0, "pareto draws are at least the scale")
		require.Greater(t, ln.Sample(rng), 0.0)
	}
	assert.Len(t, seen, 3, "choice draws every value: %v", seen)
	for v := range seen {
		assert.Contains(t, []float64{1, 2, 8}, v)
	}
	assert.NotContains(t, seenW, 2.0, "a zero weight is never drawn")
	assert.Len(t, seenW, 2)
	// P(Exp(1) > 2) = e^-2 = 0.135: the cap binds about 2,700 times
	assert.InDelta(t, n*math.Exp(-2), float64(atCap), 6*math.Sqrt(n*math.Exp(-2)))
	// weights 1:3
	assert.InDelta(t, 0.75, float64(seenW[8])/n, 0.02)
	assert.Panics(t, func() { (&agents.Dist{Kind: "bogus"}).Sample(rng) })
}

// TestDistMeans checks sample means against MeanValue over many draws
// (fixed seed), within 5 standard errors.
func TestDistMeans(t *testing.T) {
	dists := []agents.Dist{
		agents.Const(3),
		{Kind: "uniform", Min: 2, Max: 6},
		{Kind: "exponential", Mean: 24},
		{Kind: "lognormal", Median: 24, Sigma: 0.5},
		{Kind: "pareto", Min: 2, Alpha: 5},
		{Kind: "choice", Values: []float64{1, 2, 4, 8}},
		{Kind: "choice", Values: []float64{1, 2, 4, 8}, Weights: []float64{4, 3, 2, 1}},
	}
	rng := rand.New(rand.NewPCG(42, 42))
	const n = 200_000
	for _, d := range dists {
		require.NoError(t, d.Validate())
		var s, s2 float64
		for i := 0; i < n; i++ {
			v := d.Sample(rng)
			s += v
			s2 += v * v
		}
		mean := s / n
		sd := math.Sqrt(math.Max(s2/n-mean*mean, 0))
		se := sd / math.Sqrt(n)
		assert.InDelta(t, d.MeanValue(), mean, 5*se+1e-12, "%+v: sample mean %v, MeanValue %v", d, mean, d.MeanValue())
	}
	// hand-computed means
	w := agents.Dist{Kind: "choice", Values: []float64{1, 2, 4, 8}, Weights: []float64{4, 3, 2, 1}}
	assert.InDelta(t, 2.6, w.MeanValue(), 1e-12) // (1x4 + 2x3 + 4x2 + 8x1) / 10
	assert.InDelta(t, 3.75, (&agents.Dist{Kind: "choice", Values: []float64{1, 2, 4, 8}}).MeanValue(), 1e-12)
	assert.InDelta(t, 24*math.Exp(0.125), (&agents.Dist{Kind: "lognormal", Median: 24, Sigma: 0.5}).MeanValue(), 1e-12)
	assert.InDelta(t, 2.5, (&agents.Dist{Kind: "pareto", Min: 2, Alpha: 5}).MeanValue(), 1e-12) // 5x2/4
	assert.True(t, math.IsInf((&agents.Dist{Kind: "pareto", Min: 2, Alpha: 1}).MeanValue(), 1), "alpha <= 1: infinite mean")
	assert.True(t, math.IsNaN((&agents.Dist{Kind: "bogus"}).MeanValue()))
}

// MeanCapped agrees with the mean of many capped draws (the memory
// estimate's lifetimes and the warnings' means rest on it), for every kind
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
			assert.InEpsilon(t, want, d.MeanCapped(c), 0.03, "%+v capped at %v", d, c)
		}
	}
	assert.False(t, math.IsNaN((&agents.Dist{Kind: "pareto", Min: 1, Alpha: 0.5}).MeanCapped(1e9)))
}

// With no cap beyond its own, MeanCapped is the mean of the capped draws:
// MeanValue without a cap, and +Inf for a Pareto of infinite mean.
func TestMeanCappedNoCap(t *testing.T) {
	d := agents.Dist{Kind: "lognormal", Median: 24, Sigma: 1}
	assert.Equal(t, d.MeanValue(), d.MeanCapped(math.Inf(1)))
	assert.True(t, math.IsInf((&agents.Dist{Kind: "pareto", Min: 1, Alpha: 1}).MeanCapped(math.Inf(1)), 1))
	d.Cap = 30
	assert.InEpsilon(t, d.MeanCapped(30), d.MeanCapped(math.Inf(1)), 1e-12)
}

// ShareAtLeast agrees with the share of many draws at or above x, for
// every kind of distribution, with caps (the unservable-demand warning
// rests on it).
func TestShareAtLeastMatchesDraws(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	dists := []agents.Dist{
		agents.Const(5),
		{Kind: "uniform", Min: 2, Max: 10},
		{Kind: "exponential", Mean: 4},
		{Kind: "lognormal", Median: 4, Sigma: 1},
		{Kind: "lognormal", Median: 4, Sigma: 1, Cap: 6},
		{Kind: "pareto", Min: 1, Alpha: 1.5},
		{Kind: "choice", Values: []float64{1, 2, 8}, Weights: []float64{0.3, 0.3, 0.4}},
	}
	for _, d := range dists {
		for _, x := range []float64{0.5, 3, 5, 7} {
			const n = 200_000
			k := 0
			for range n {
				if d.Sample(rng) >= x {
					k++
				}
			}
			assert.InDelta(t, float64(k)/n, d.ShareAtLeast(x), 0.005, "%+v at %v", d, x)
		}
	}
}

// TestDistSampleMatchesDistuv: an exponential or lognormal draw is the
// value gonum's distuv draws with the same stream (Sample calls the
// stream directly), so runs keep their outputs.
func TestDistSampleMatchesDistuv(t *testing.T) {
	dists := []agents.Dist{
		{Kind: "exponential", Mean: 24},
		{Kind: "exponential", Mean: 0.3},
		{Kind: "lognormal", Median: 48, Sigma: 1.2},
		{Kind: "lognormal", Median: 0.7, Sigma: 0.05},
	}
	for _, d := range dists {
		a, b := rand.New(rand.NewPCG(3, 5)), rand.New(rand.NewPCG(3, 5))
		for i := 0; i < 2000; i++ {
			var want float64
			if d.Kind == "exponential" {
				want = distuv.Exponential{Rate: 1 / d.Mean, Src: b}.Rand()
			} else {
				want = distuv.LogNormal{Mu: math.Log(d.Median), Sigma: d.Sigma, Src: b}.Rand()
			}
			require.Equal(t, math.Float64bits(want), math.Float64bits(d.Sample(a)), "%+v draw %d", d, i)
		}
	}
}

// BenchmarkDistSample draws from an exponential and a lognormal
// distribution per op.
func BenchmarkDistSample(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	e := agents.Dist{Kind: "exponential", Mean: 24}
	l := agents.Dist{Kind: "lognormal", Median: 48, Sigma: 1.2}
	sink := 0.0
	for b.Loop() {
		sink += e.Sample(rng) + l.Sample(rng)
	}
	_ = sink
}
