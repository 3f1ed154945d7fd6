package tokenomics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/simtime"
)

// The token-price model names accepted by PriceParams.Model.
const (
	// PriceConstant keeps the price at InitialUSD for the whole run.
	PriceConstant = "constant"
	// PriceGBM is geometric Brownian motion with annual drift and
	// volatility (docs/model/akash.md "Model spec" §C: an exogenous
	// stochastic process with annual volatility about 100%).
	PriceGBM = "gbm"
	// PriceCSV replays a recorded price path read from a CSV file.
	PriceCSV = "csv"
	// PriceEndogenous is GBM plus a permanent price impact of the net buy
	// flow the simulation generates (akash.md "Model spec" §C: P responds
	// to net AKT buy flow from top-ups minus provider and staker sales).
	PriceEndogenous = "endogenous"
)

// PriceModels returns the accepted price model names, sorted.
func PriceModels() []string {
	return []string{PriceConstant, PriceCSV, PriceEndogenous, PriceGBM}
}

// DefaultVolatility is the default annual volatility (sigma) of the
// stochastic price models: about 100% a year, as suggested by
// docs/model/akash.md "Model spec" §C.
const DefaultVolatility = 1.0

// The bounds of every price a PriceProcess returns, in USD per whole
// token. They are numerical guards, not market facts.
const (
	// MinPriceUSD is the price floor: it keeps USD-to-token conversions
	// finite after an extreme sell flow.
	MinPriceUSD = 1e-9
	// MaxPriceUSD is the price ceiling: it keeps prices finite after an
	// extreme buy flow.
	MaxPriceUSD = 1e12
)

// PriceParams is the TOML table [tokenomics.price]: which token-price
// process to run and its parameters.
type PriceParams struct {
	// Model is the process: "constant", "gbm", "csv" or "endogenous".
	Model string `toml:"model"`
	// InitialUSD is the price at the scenario start, in USD per whole
	// token (akash-2024: about $5, docs/model/calibration-akash-2024q1.md).
	// The csv model ignores it and starts at the path's first price.
	InitialUSD float64 `toml:"initial_usd"`
	// Drift is the annual drift mu of the log price, per year (gbm and
	// endogenous): with no noise and no flow, P(t) = P0·exp(mu·t/1y).
	Drift float64 `toml:"drift"`
	// Volatility is the annual volatility sigma, per square-root year (gbm,
	// and the noise of endogenous). akash.md "Model spec" §C suggests
	// about 1.0.
	Volatility float64 `toml:"volatility"`
	// CSV is the path of the price file for the csv model, relative to the
	// scenario file's folder; the caller resolves and parses it
	// (ParsePricePath).
	CSV string `toml:"csv"`
	// Elasticity is the endogenous model's change in log price per unit
	// of net buy flow relative to MarketDepthUSD (dimensionless): a net
	// buy of MarketDepthUSD moves the log price by Elasticity.
	Elasticity float64 `toml:"elasticity"`
	// MarketDepthUSD is the endogenous model's market depth in USD: the
	// net buy flow that moves the log price by Elasticity. Think of it as
	// the USD a day's order book absorbs; see NewPriceProcess for why the
	// rule needs no step-size scaling.
	MarketDepthUSD float64 `toml:"market_depth_usd"`
}

// DefaultPriceParams returns a constant price of $5 (the akash-2024
// calibration, docs/model/calibration-akash-2024q1.md) with the §C
// volatility preset for when the model is switched to gbm.
func DefaultPriceParams() PriceParams {
	return PriceParams{
		Model:      PriceConstant,
		InitialUSD: 5.0,
		Volatility: DefaultVolatility,
	}
}

// Validate checks the parameters; errors name the key under
// [tokenomics.price] and the allowed range. The ranges of drift (|mu| <=
// 10 a year), volatility (sigma <= 10) and elasticity (<= 100) are sanity
// bounds that catch unit mistakes (percent for fraction), not model facts.
func (p *PriceParams) Validate() error {
	bad := func(key string, v any, allowed string) error {
		return fmt.Errorf("tokenomics.price.%s: must be %s, got %v", key, allowed, v)
	}
	switch p.Model {
	case PriceConstant, PriceGBM, PriceCSV, PriceEndogenous:
	default:
		return fmt.Errorf("tokenomics.price.model: unknown model %q (allowed: %s)", p.Model, strings.Join(PriceModels(), ", "))
	}
	if p.Model != PriceCSV && !(p.InitialUSD >= MinPriceUSD && p.InitialUSD <= MaxPriceUSD) {
		return bad("initial_usd", p.InitialUSD, fmt.Sprintf("a price in [%g, %g] USD", MinPriceUSD, MaxPriceUSD))
	}
	if !(p.Drift >= -10 && p.Drift <= 10) {
		return bad("drift", p.Drift, "an annual rate in [-10, 10]")
	}
	if !(p.Volatility >= 0 && p.Volatility <= 10) {
		return bad("volatility", p.Volatility, "an annual sigma in [0, 10]")
	}
	if p.Model == PriceCSV && strings.TrimSpace(p.CSV) == "" {
		return bad("csv", `""`, `a file path when model = "csv"`)
	}
	if !(p.Elasticity >= 0 && p.Elasticity <= 100) {
		return bad("elasticity", p.Elasticity, "in [0, 100]")
	}
	if !(p.MarketDepthUSD >= 0 && p.MarketDepthUSD < 1e15) {
		return bad("market_depth_usd", p.MarketDepthUSD, "in [0, 1e15) USD")
	}
	if p.Model == PriceEndogenous && p.MarketDepthUSD == 0 {
		return bad("market_depth_usd", p.MarketDepthUSD, `> 0 USD when model = "endogenous"`)
	}
	return nil
}

// PricePath is a parsed CSV price path: strictly increasing times and a
// price at each. It is a step function: the price at t is the price of
// the last row at or before t, and before the first row it is the first
// row's price. (Recorded prices are closes: a close holds until the next
// one, and a step path never invents prices that were not observed.)
type PricePath struct {
	times  []simtime.Time
	prices []float64
}

// ParsePricePath reads a price path from CSV. The first row is a header
// naming a time column, either t_hours (hours since the scenario start)
// or day (days since the start), and a price_usd column (USD per whole
// token); other columns are ignored. Lines starting with '#' are
// comments. Times must be finite, >= 0 and strictly increasing; prices
// must be in [MinPriceUSD, MaxPriceUSD]. Errors name the file (name),
// the line and column, and what is allowed.
func ParsePricePath(r io.Reader, name string) (*PricePath, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file: want a header row with t_hours (or day) and price_usd, then at least one data row", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	headerLine, _ := cr.FieldPos(0)
	header[0] = strings.TrimPrefix(header[0], "\ufeff") // a UTF-8 byte-order mark from spreadsheet exports
	timeCol, priceCol, hoursPer := -1, -1, 0.0
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case "t_hours", "day":
			if timeCol >= 0 {
				return nil, fmt.Errorf("%s: line %d, column %d: second time column %q: want exactly one of t_hours or day", name, headerLine, i+1, h)
			}
			timeCol, hoursPer = i, 1
			if h == "day" {
				hoursPer = 24
			}
		case "price_usd":
			if priceCol >= 0 {
				return nil, fmt.Errorf("%s: line %d, column %d: duplicate column price_usd", name, headerLine, i+1)
			}
			priceCol = i
		}
	}
	if timeCol < 0 || priceCol < 0 {
		var missing []string
		if timeCol < 0 {
			missing = append(missing, "t_hours (or day)")
		}
		if priceCol < 0 {
			missing = append(missing, "price_usd")
		}
		return nil, fmt.Errorf("%s: line %d: the header row (%d fields) lacks column %s: want t_hours (or day) and price_usd", name, headerLine, len(header), strings.Join(missing, " and "))
	}
	path := &PricePath{}
	timeName := "t_hours"
	if hoursPer == 24 {
		timeName = "day"
	}
	prevLine := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: line %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= timeCol || len(rec) <= priceCol {
			return nil, fmt.Errorf("%s: line %d: %d fields, want at least %d (the header has %d)", name, line, len(rec), max(timeCol, priceCol)+1, len(header))
		}
		tv, err := strconv.ParseFloat(strings.TrimSpace(rec[timeCol]), 64)
		if err != nil || !(tv >= 0) || tv*hoursPer >= float64(simtime.Never)/float64(simtime.Hour) {
			return nil, fmt.Errorf("%s: line %d, column %d (%s): must be a finite number >= 0, got %s", name, line, timeCol+1, timeName, fieldKind(rec[timeCol], 0, float64(simtime.Never)/float64(simtime.Hour)/hoursPer))
		}
		pv, err := strconv.ParseFloat(strings.TrimSpace(rec[priceCol]), 64)
		if err != nil || !(pv >= MinPriceUSD && pv <= MaxPriceUSD) {
			return nil, fmt.Errorf("%s: line %d, column %d (price_usd): must be a price in [%g, %g] USD, got %s", name, line, priceCol+1, MinPriceUSD, MaxPriceUSD, fieldKind(rec[priceCol], MinPriceUSD, MaxPriceUSD))
		}
		t := simtime.FromHours(tv * hoursPer)
		if n := len(path.times); n > 0 && t <= path.times[n-1] {
			return nil, fmt.Errorf("%s: line %d, column %d (%s): times must strictly increase, got a time not after line %d's", name, line, timeCol+1, timeName, prevLine)
		}
		prevLine = line
		path.times = append(path.times, t)
		path.prices = append(path.prices, pv)
	}
	if len(path.times) == 0 {
		return nil, fmt.Errorf("%s: no data rows after the header: want at least one row of t_hours (or day) and price_usd", name)
	}
	return path, nil
}

// fieldKind describes a CSV field that is not a number in [lo, hi] by
// its kind, never by its text: a price file can name any file, and an
// error must not print what that file holds.
func fieldKind(field string, lo, hi float64) string {
	f := strings.TrimSpace(field)
	v, err := strconv.ParseFloat(f, 64)
	switch {
	case f == "":
		return "an empty field"
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return fmt.Sprintf("text that is not a number (%d bytes)", len(field))
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 0):
		return "an infinite number"
	case v < 0 && lo >= 0:
		return "a negative number"
	case v == 0:
		return "zero"
	case v < lo:
		return fmt.Sprintf("a number below %g", lo)
	case v > hi:
		return fmt.Sprintf("a number above %g", hi)
	}
	return "a number out of range"
}

// Len returns the number of rows.
func (pp *PricePath) Len() int { return len(pp.times) }

// Point returns row i's time and price in USD.
func (pp *PricePath) Point(i int) (simtime.Time, float64) { return pp.times[i], pp.prices[i] }

// At returns the price in USD at t: the price of the last row at or
// before t, or the first row's price when t is before the first row.
func (pp *PricePath) At(t simtime.Time) float64 {
	i := sort.Search(len(pp.times), func(i int) bool { return pp.times[i] > t })
	if i == 0 {
		return pp.prices[0]
	}
	return pp.prices[i-1]
}

// PriceProcess is a token price over time.
type PriceProcess interface {
	// Step advances the price from now to now+dt and returns the new
	// price in USD. netBuyUSD is the net buy flow over the step (buys
	// minus sells, USD), used only by the endogenous model. rng is used
	// only by stochastic models (gbm and endogenous with volatility > 0).
	Step(now, dt simtime.Time, netBuyUSD float64, rng *rand.Rand) float64
	// Price returns the current price in USD per whole token.
	Price() float64
}

// NewPriceProcess builds the process p.Model names; path is the parsed
// p.CSV file, needed by (and only used by) the csv model.
//
// The rules, with dt in years (dt / 365 d) and Z a standard normal drawn
// from the rng passed to Step:
//
//   - constant: P = InitialUSD.
//   - gbm: the exact discretisation of geometric Brownian motion,
//     P ← P·exp((mu − sigma²/2)·dt + sigma·√dt·Z). The process keeps the
//     log price as drift·elapsed + the sum of the noise terms, so with
//     sigma = 0 the price is exactly P0·exp(mu·t) whatever the steps.
//   - csv: P = path.At(now+dt), a step function (see PricePath).
//   - endogenous: the gbm rule plus a permanent impact of net buy flow X,
//     P ← P·exp((mu − sigma²/2)·dt + sigma·√dt·Z + Elasticity·X/MarketDepthUSD).
//     The impact term needs no dt scaling: X/dt is a flow rate and
//     MarketDepthUSD a depth per day, so rate/depth integrated over dt
//     days is X/MarketDepthUSD again. Hence a day's flow moves the price
//     the same whether it arrives in one daily step or 24 hourly ones.
//     Impact does not decay (no mean reversion); buys raise the price,
//     sells lower it, and zero flow with zero drift and volatility keeps
//     it.
//
// Every price is clamped to [MinPriceUSD, MaxPriceUSD].
func NewPriceProcess(p PriceParams, path *PricePath) (PriceProcess, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	switch p.Model {
	case PriceConstant:
		return &constantPrice{p: p.InitialUSD}, nil
	case PriceCSV:
		if path == nil || path.Len() == 0 {
			return nil, fmt.Errorf("tokenomics.price.csv: model csv needs the parsed price path of %q", p.CSV)
		}
		return &csvPrice{path: path, p: path.At(0)}, nil
	case PriceGBM, PriceEndogenous:
		lp := &logPrice{
			p0:    p.InitialUSD,
			a:     p.Drift - p.Volatility*p.Volatility/2,
			sigma: p.Volatility,
			p:     p.InitialUSD,
		}
		if p.Model == PriceEndogenous {
			lp.impact = p.Elasticity / p.MarketDepthUSD
		}
		return lp, nil
	}
	panic("tokenomics: unreachable price model " + p.Model)
}

type constantPrice struct{ p float64 }

func (c *constantPrice) Step(now, dt simtime.Time, netBuyUSD float64, rng *rand.Rand) float64 {
	checkPriceStep(dt, netBuyUSD)
	return c.p
}

func (c *constantPrice) Price() float64 { return c.p }

type csvPrice struct {
	path *PricePath
	p    float64
}

func (c *csvPrice) Step(now, dt simtime.Time, netBuyUSD float64, rng *rand.Rand) float64 {
	checkPriceStep(dt, netBuyUSD)
	c.p = c.path.At(now + dt)
	return c.p
}

func (c *csvPrice) Price() float64 { return c.p }

// logPrice is gbm and endogenous: P = p0·exp(a·elapsed + w), with the
// deterministic part a = mu − sigma²/2 applied to the exact integer
// elapsed time and w the running sum of noise and flow impact.
type logPrice struct {
	p0, a, sigma float64
	impact       float64 // Elasticity / MarketDepthUSD, per USD; 0 for gbm
	elapsed      simtime.Time
	w            float64
	p            float64
}

func (l *logPrice) Step(now, dt simtime.Time, netBuyUSD float64, rng *rand.Rand) float64 {
	checkPriceStep(dt, netBuyUSD)
	if dt == 0 && netBuyUSD == 0 {
		return l.p
	}
	l.elapsed += dt
	if l.sigma > 0 && dt > 0 {
		if rng == nil {
			panic("tokenomics: stochastic price step without an rng")
		}
		l.w += l.sigma * math.Sqrt(priceYears(dt)) * rng.NormFloat64()
	}
	l.w += l.impact * netBuyUSD
	x := l.a*priceYears(l.elapsed) + l.w
	// Keep w bounded so that a clamped price can recover at once when the
	// flow turns: the log price never leaves the clamp range.
	lo, hi := math.Log(MinPriceUSD/l.p0), math.Log(MaxPriceUSD/l.p0)
	switch {
	case x <= lo:
		l.w += lo - x
		l.p = MinPriceUSD
	case x >= hi:
		l.w -= x - hi
		l.p = MaxPriceUSD
	default:
		l.p = min(max(l.p0*math.Exp(x), MinPriceUSD), MaxPriceUSD)
	}
	return l.p
}

func (l *logPrice) Price() float64 { return l.p }

// priceYears converts simulated time to years of 365 days.
func priceYears(t simtime.Time) float64 { return float64(t) / float64(simtime.Year) }

func checkPriceStep(dt simtime.Time, netBuyUSD float64) {
	if dt < 0 {
		panic(fmt.Sprintf("tokenomics: price step with negative dt %d", dt))
	}
	if math.IsNaN(netBuyUSD) || math.IsInf(netBuyUSD, 0) {
		panic(fmt.Sprintf("tokenomics: price step with net buy flow %v", netBuyUSD))
	}
}
