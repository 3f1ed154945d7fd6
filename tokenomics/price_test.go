package tokenomics_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

func TestDefaultPriceParamsValid(t *testing.T) {
	p := tokenomics.DefaultPriceParams()
	require.NoError(t, p.Validate())
	assert.Equal(t, tokenomics.PriceConstant, p.Model)
	assert.Equal(t, 5.0, p.InitialUSD)
	assert.Equal(t, tokenomics.DefaultVolatility, p.Volatility)
	assert.Equal(t, []string{"constant", "csv", "endogenous", "gbm"}, tokenomics.PriceModels())
	for _, m := range []string{tokenomics.PriceGBM, tokenomics.PriceConstant} {
		q := p
		q.Model = m
		assert.NoError(t, q.Validate(), m)
	}
}

func TestPriceParamsValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*tokenomics.PriceParams)
		want string // substring of the error; "" for valid
	}{
		{"default", func(*tokenomics.PriceParams) {}, ""},
		{"unknown model", func(p *tokenomics.PriceParams) { p.Model = "walk" }, `tokenomics.price.model: unknown model "walk" (allowed: constant, csv, endogenous, gbm)`},
		{"zero price", func(p *tokenomics.PriceParams) { p.InitialUSD = 0 }, "tokenomics.price.initial_usd: must be a price in [1e-09, 1e+12] USD, got 0"},
		{"NaN price", func(p *tokenomics.PriceParams) { p.InitialUSD = math.NaN() }, "tokenomics.price.initial_usd"},
		{"csv ignores initial", func(p *tokenomics.PriceParams) { p.Model, p.CSV, p.InitialUSD = "csv", "p.csv", 0 }, ""},
		{"csv needs a file", func(p *tokenomics.PriceParams) { p.Model = "csv" }, `tokenomics.price.csv: must be a file path when model = "csv"`},
		{"drift", func(p *tokenomics.PriceParams) { p.Drift = 11 }, "tokenomics.price.drift: must be an annual rate in [-10, 10], got 11"},
		{"negative volatility", func(p *tokenomics.PriceParams) { p.Volatility = -1 }, "tokenomics.price.volatility: must be an annual sigma in [0, 10], got -1"},
		{"inf volatility", func(p *tokenomics.PriceParams) { p.Volatility = math.Inf(1) }, "tokenomics.price.volatility"},
		{"elasticity", func(p *tokenomics.PriceParams) { p.Elasticity = -0.1 }, "tokenomics.price.elasticity: must be in [0, 100], got -0.1"},
		{"depth", func(p *tokenomics.PriceParams) { p.MarketDepthUSD = -1 }, "tokenomics.price.market_depth_usd: must be in [0, 1e15) USD, got -1"},
		{"endogenous needs depth", func(p *tokenomics.PriceParams) { p.Model = "endogenous" }, `tokenomics.price.market_depth_usd: must be > 0 USD when model = "endogenous", got 0`},
		{"endogenous", func(p *tokenomics.PriceParams) { p.Model, p.MarketDepthUSD, p.Elasticity = "endogenous", 1e6, 0.5 }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := tokenomics.DefaultPriceParams()
			c.edit(&p)
			err := p.Validate()
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestPriceParamsTOML(t *testing.T) {
	var doc struct {
		Tokenomics struct {
			Price tokenomics.PriceParams `toml:"price"`
		} `toml:"tokenomics"`
	}
	md, err := toml.Decode(`
[tokenomics.price]
model = "endogenous"
initial_usd = 4.47
drift = 0.05
volatility = 1.0
csv = "akt.csv"
elasticity = 0.3
market_depth_usd = 2e6
`, &doc)
	require.NoError(t, err)
	assert.Empty(t, md.Undecoded())
	assert.Equal(t, tokenomics.PriceParams{Model: "endogenous", InitialUSD: 4.47, Drift: 0.05, Volatility: 1, CSV: "akt.csv", Elasticity: 0.3, MarketDepthUSD: 2e6}, doc.Tokenomics.Price)
}

func newPrice(t *testing.T, p tokenomics.PriceParams) tokenomics.PriceProcess {
	t.Helper()
	pp, err := tokenomics.NewPriceProcess(p, nil)
	require.NoError(t, err)
	return pp
}

func TestNewPriceProcessErrors(t *testing.T) {
	_, err := tokenomics.NewPriceProcess(tokenomics.PriceParams{Model: "nope", InitialUSD: 1}, nil)
	assert.ErrorContains(t, err, "tokenomics.price.model")
	_, err = tokenomics.NewPriceProcess(tokenomics.PriceParams{Model: "csv", CSV: "akt.csv"}, nil)
	assert.EqualError(t, err, `tokenomics.price.csv: model csv needs the parsed price path of "akt.csv"`)
}

func TestConstantPriceStays(t *testing.T) {
	pp := newPrice(t, tokenomics.DefaultPriceParams())
	rng := rand.New(rand.NewPCG(1, 2))
	assert.Equal(t, 5.0, pp.Price())
	for i := range 1000 {
		now := simtime.Time(i) * simtime.Hour
		assert.Equal(t, 5.0, pp.Step(now, simtime.Hour, 1e9, rng))
	}
	assert.Equal(t, 5.0, pp.Price())
}

func TestGBMZeroVolatilityIsDeterministicDrift(t *testing.T) {
	p := tokenomics.PriceParams{Model: "gbm", InitialUSD: 5, Drift: 0.3}
	pp := newPrice(t, p)
	// Uneven steps, and no rng: sigma = 0 draws nothing.
	steps := []simtime.Time{simtime.Hour, 7 * simtime.Hour, simtime.Day, 90 * simtime.Second, 0, 365 * simtime.Day, 13 * simtime.Minute}
	var now simtime.Time
	for _, dt := range steps {
		got := pp.Step(now, dt, 0, nil)
		now += dt
		want := 5 * math.Exp(0.3*float64(now)/float64(simtime.Year))
		assert.Equal(t, want, got, "at %s", now) // exactly, whatever the steps
		assert.Equal(t, got, pp.Price())
	}
	// One year at mu = 0.3 multiplies by e^0.3.
	one := newPrice(t, p)
	assert.InDelta(t, 5*math.Exp(0.3), one.Step(0, simtime.Year, 0, nil), 1e-12)
}

func TestGBMLogReturnStatistics(t *testing.T) {
	const (
		mu, sigma = 0.1, 0.8
		seeds     = 2000
		steps     = 365
	)
	p := tokenomics.PriceParams{Model: "gbm", InitialUSD: 2, Drift: mu, Volatility: sigma}
	dt := simtime.Day
	dty := 1.0 / 365
	var stepSum, stepSq float64 // per-step log returns
	var yearSum, yearSq float64 // one-year log returns, one per seed
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
		pp := newPrice(t, p)
		prev := pp.Price()
		for i := range steps {
			cur := pp.Step(simtime.Time(i)*dt, dt, 0, rng)
			r := math.Log(cur / prev)
			stepSum += r
			stepSq += r * r
			prev = cur
		}
		y := math.Log(pp.Price() / 2)
		yearSum += y
		yearSq += y * y
	}
	n := float64(seeds * steps)
	stepMean := stepSum / n
	stepVar := stepSq/n - stepMean*stepMean
	wantStepMean := (mu - sigma*sigma/2) * dty
	wantStepVar := sigma * sigma * dty
	// Tolerances are 5 standard errors.
	assert.InDelta(t, wantStepMean, stepMean, 5*sigma*math.Sqrt(dty/n), "per-step mean")
	assert.InDelta(t, wantStepVar, stepVar, 5*wantStepVar*math.Sqrt(2/n), "per-step variance")

	yMean := yearSum / seeds
	yVar := yearSq/seeds - yMean*yMean
	assert.InDelta(t, mu-sigma*sigma/2, yMean, 5*sigma/math.Sqrt(seeds), "annual mean")
	assert.InDelta(t, sigma*sigma, yVar, 5*sigma*sigma*math.Sqrt(2.0/seeds), "annual variance")
}

func TestGBMSameSeedSamePath(t *testing.T) {
	p := tokenomics.PriceParams{Model: "gbm", InitialUSD: 5, Drift: 0.05, Volatility: 1}
	path := func(seed uint64) []float64 {
		rng := rand.New(rand.NewPCG(seed, 7))
		pp := newPrice(t, p)
		out := make([]float64, 500)
		for i := range out {
			out[i] = pp.Step(simtime.Time(i)*simtime.Hour, simtime.Hour, 0, rng)
		}
		return out
	}
	a, b, c := path(42), path(42), path(43)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
	for _, v := range a {
		assert.Greater(t, v, 0.0)
	}
}

func TestGBMNeedsRNG(t *testing.T) {
	pp := newPrice(t, tokenomics.PriceParams{Model: "gbm", InitialUSD: 5, Volatility: 1})
	assert.PanicsWithValue(t, "tokenomics: stochastic price step without an rng", func() { pp.Step(0, simtime.Hour, 0, nil) })
	assert.Equal(t, 5.0, pp.Step(0, 0, 0, nil), "a zero step draws nothing")
	assert.Panics(t, func() { pp.Step(0, -1, 0, nil) })
	assert.Panics(t, func() { pp.Step(0, 1, math.NaN(), nil) })
}

func endogenous(t *testing.T, elasticity, depth, vol float64) tokenomics.PriceProcess {
	return newPrice(t, tokenomics.PriceParams{Model: "endogenous", InitialUSD: 4, Elasticity: elasticity, MarketDepthUSD: depth, Volatility: vol})
}

func TestEndogenousFlow(t *testing.T) {
	// Zero flow, zero noise, zero drift: the price stays, exactly.
	still := endogenous(t, 0.5, 1e6, 0)
	for i := range 100 {
		assert.Equal(t, 4.0, still.Step(simtime.Time(i)*simtime.Day, simtime.Day, 0, nil))
	}

	// A net buy of one market depth moves the log price by the elasticity.
	buy := endogenous(t, 0.5, 1e6, 0)
	assert.InDelta(t, 4*math.Exp(0.5), buy.Step(0, simtime.Day, 1e6, nil), 1e-12)
	sell := endogenous(t, 0.5, 1e6, 0)
	assert.InDelta(t, 4*math.Exp(-0.25), sell.Step(0, simtime.Day, -5e5, nil), 1e-12)

	// A buy followed by an equal sell returns to the start.
	round := endogenous(t, 0.5, 1e6, 0)
	round.Step(0, simtime.Day, 3e5, nil)
	assert.InDelta(t, 4.0, round.Step(simtime.Day, simtime.Day, -3e5, nil), 1e-12)

	// With noise, buys still raise the price relative to the same draws
	// without flow, and sells lower it.
	for seed := range uint64(20) {
		run := func(flow float64) float64 {
			rng := rand.New(rand.NewPCG(seed, 1))
			pp := endogenous(t, 0.2, 1e6, 1)
			for i := range 30 {
				pp.Step(simtime.Time(i)*simtime.Day, simtime.Day, flow, rng)
			}
			return pp.Price()
		}
		base := run(0)
		assert.Greater(t, run(1e5), base)
		assert.Less(t, run(-1e5), base)
	}
}

func TestEndogenousStepSizeInvariance(t *testing.T) {
	// A day's flow in one step or in 24 hourly steps gives the same price.
	daily := endogenous(t, 0.7, 2.5e6, 0)
	daily.Step(0, simtime.Day, 1.2e6, nil)
	hourly := endogenous(t, 0.7, 2.5e6, 0)
	for h := range 24 {
		hourly.Step(simtime.Time(h)*simtime.Hour, simtime.Hour, 1.2e6/24, nil)
	}
	assert.InDelta(t, daily.Price(), hourly.Price(), 1e-12)
}

func TestEndogenousClampAndRecovery(t *testing.T) {
	pp := endogenous(t, 1, 1e6, 0)
	assert.Equal(t, tokenomics.MinPriceUSD, pp.Step(0, simtime.Day, -1e9, nil))
	// The floor does not trap the price: a buy moves it up at once.
	assert.InEpsilon(t, tokenomics.MinPriceUSD*math.E, pp.Step(simtime.Day, simtime.Day, 1e6, nil), 1e-12)
	up := endogenous(t, 1, 1e6, 0)
	assert.Equal(t, tokenomics.MaxPriceUSD, up.Step(0, simtime.Day, 1e9, nil))
	assert.InEpsilon(t, tokenomics.MaxPriceUSD/math.E, up.Step(simtime.Day, simtime.Day, -1e6, nil), 1e-12)
}

const goodCSV = `# AKT daily closes
t_hours, price_usd, source
0, 5.0, cg
24, 5.5, cg
48.5, 4.25, cg
`

func TestParsePricePathGood(t *testing.T) {
	pp, err := tokenomics.ParsePricePath(strings.NewReader(goodCSV), "akt.csv")
	require.NoError(t, err)
	require.Equal(t, 3, pp.Len())
	tm, pr := pp.Point(2)
	assert.Equal(t, simtime.FromHours(48.5), tm)
	assert.Equal(t, 4.25, pr)

	cases := []struct {
		at   simtime.Time
		want float64
	}{
		{0, 5.0},
		{23 * simtime.Hour, 5.0},
		{24*simtime.Hour - 1, 5.0},
		{24 * simtime.Hour, 5.5}, // a row applies from its own time
		{48 * simtime.Hour, 5.5},
		{simtime.FromHours(48.5), 4.25},
		{365 * simtime.Day, 4.25}, // after the last row: the last price
	}
	for _, c := range cases {
		assert.Equal(t, c.want, pp.At(c.at), "at %s", c.at)
	}

	// A byte-order mark before the header is ignored.
	bp, err := tokenomics.ParsePricePath(strings.NewReader("\ufefft_hours,price_usd\n0,2\n"), "bom.csv")
	require.NoError(t, err)
	assert.Equal(t, 2.0, bp.At(simtime.Day))

	// Days, a later first row (flat before it), and CRLF line ends.
	dp, err := tokenomics.ParsePricePath(strings.NewReader("day,price_usd\r\n2,1.5\r\n3,2\r\n"), "d.csv")
	require.NoError(t, err)
	assert.Equal(t, 1.5, dp.At(0))
	assert.Equal(t, 1.5, dp.At(2*simtime.Day))
	assert.Equal(t, 2.0, dp.At(3*simtime.Day))
	first, _ := dp.Point(0)
	assert.Equal(t, 2*simtime.Day, first)
}

func TestParsePricePathErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "p.csv: empty file: want a header row with t_hours (or day) and price_usd, then at least one data row"},
		{"only comments", "# nothing\n", "p.csv: empty file"},
		{"header only", "t_hours,price_usd\n", "p.csv: no data rows after the header"},
		{"missing price column", "t_hours,usd\n0,1\n", `p.csv: line 1: the header row (2 fields) lacks column price_usd: want t_hours (or day) and price_usd`},
		{"missing time column", "# c\ntime,price_usd\n0,1\n", `p.csv: line 2: the header row (2 fields) lacks column t_hours (or day)`},
		{"two time columns", "day,t_hours,price_usd\n0,0,1\n", `p.csv: line 1, column 2: second time column "t_hours": want exactly one of t_hours or day`},
		{"duplicate price", "t_hours,price_usd,price_usd\n0,1,1\n", "p.csv: line 1, column 3: duplicate column price_usd"},
		{"bad price", "t_hours,price_usd\n0,5\n1,abc\n", `p.csv: line 3, column 2 (price_usd): must be a price in [1e-09, 1e+12] USD, got text that is not a number (3 bytes)`},
		{"zero price", "t_hours,price_usd\n0,0\n", `p.csv: line 2, column 2 (price_usd): must be a price in [1e-09, 1e+12] USD, got zero`},
		{"bad time", "price_usd,t_hours\n5,0\n6,x\n", `p.csv: line 3, column 2 (t_hours): must be a finite number >= 0, got text that is not a number (1 bytes)`},
		{"negative time", "t_hours,price_usd\n-1,5\n", `p.csv: line 2, column 1 (t_hours): must be a finite number >= 0, got a negative number`},
		{"NaN time", "t_hours,price_usd\nNaN,5\n", `p.csv: line 2, column 1 (t_hours)`},
		{"unsorted", "t_hours,price_usd\n0,5\n48,6\n24,7\n", "p.csv: line 4, column 1 (t_hours): times must strictly increase, got a time not after line 3's"},
		{"repeated time", "day,price_usd\n0,5\n1,6\n1,7\n", "p.csv: line 4, column 1 (day): times must strictly increase, got a time not after line 3's"},
		{"short row", "t_hours,price_usd\n0,5\n7\n", "p.csv: line 3: 1 fields, want at least 2 (the header has 2)"},
		{"bad quote", "t_hours,price_usd\n0,\"5\n", "p.csv: line 2, column"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tokenomics.ParsePricePath(strings.NewReader(c.in), "p.csv")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestParsePricePathShowsNoContent parses files that are not price files
// (an environment, a password file, binary): the errors give lines,
// columns and kinds of fields, never the text, since a scenario can name
// any file as its price file.
func TestParsePricePathShowsNoContent(t *testing.T) {
	secret := "SECRET_TOKEN=hunter2"
	inputs := []string{
		secret + "\x00HOME=/root\x00",
		"root:x:0:0:" + secret + ":/root:/bin/bash\n",
		"t_hours,price_usd\n0," + secret + "\n",
		"t_hours,price_usd\n" + secret + ",1\n",
		"day,price_usd\n0,1\n" + secret + ",2\n",
		"price_usd," + secret + "\n1,2\n",
		"t_hours,price_usd\n0,1\n1\n" + secret,
		"t_hours,price_usd\n0,\"" + secret + "\n",
	}
	for _, in := range inputs {
		_, err := tokenomics.ParsePricePath(strings.NewReader(in), "p.csv")
		require.Error(t, err, "%q", in)
		assert.NotContains(t, err.Error(), "SECRET", "%q", in)
		assert.NotContains(t, err.Error(), "hunter2", "%q", in)
		assert.True(t, strings.HasPrefix(err.Error(), "p.csv: "), err.Error())
	}
}

func TestCSVPriceProcess(t *testing.T) {
	path, err := tokenomics.ParsePricePath(strings.NewReader(goodCSV), "akt.csv")
	require.NoError(t, err)
	pp, err := tokenomics.NewPriceProcess(tokenomics.PriceParams{Model: "csv", CSV: "akt.csv"}, path)
	require.NoError(t, err)
	assert.Equal(t, 5.0, pp.Price())
	var got []float64
	for i := range 4 {
		got = append(got, pp.Step(simtime.Time(i)*simtime.Day, simtime.Day, 1e9, nil))
	}
	assert.Equal(t, []float64{5.5, 5.5, 4.25, 4.25}, got)
	assert.Equal(t, 4.25, pp.Price())
}

func FuzzParsePricePath(f *testing.F) {
	f.Add(goodCSV)
	f.Add("day,price_usd\n0,1\n")
	f.Add("t_hours,price_usd\n1e300,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		pp, err := tokenomics.ParsePricePath(strings.NewReader(in), "f.csv")
		if err != nil {
			assert.True(t, strings.HasPrefix(err.Error(), "f.csv: "), err.Error())
			return
		}
		require.Positive(t, pp.Len())
		prev := simtime.Time(-1)
		for i := range pp.Len() {
			tm, p := pp.Point(i)
			assert.Greater(t, tm, prev)
			assert.GreaterOrEqual(t, p, tokenomics.MinPriceUSD)
			prev = tm
		}
	})
}
