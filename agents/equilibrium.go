package agents

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/integrate/quad"
)

// EquilibriumName is the registry name of the equilibrium strategy.
const EquilibriumName = "equilibrium"

// StrategyEnv is what a cohort's strategies know of the market they bid
// in, fixed for a run.
type StrategyEnv struct {
	// PaysBid tells whether the mechanism pays the winner its own bid (a
	// first-price rule: akash-reverse, single-solver). When false (the
	// second-price vickrey-reverse, posted prices, the uniform-price call
	// market) a bid does not set its own pay and equilibrium bids its cost
	// floor.
	PaysBid bool
	// Bidders is the number of bidders per order a cohort whose
	// expected_bidders is 0 (auto) expects when the market view does not
	// say how many respond (MarketView.Bidders 0; see DefaultBidders); at
	// least 2.
	Bidders int
}

// DefaultBidders is the number of bidders per order an equilibrium
// provider expects when its cohort's expected_bidders is 0 (auto) and the
// kernel does not say how many respond to the order: the
// providers at the start of all cohorts that bid (all but fake ones),
// capped by the mechanism's bid limit maxBids (0: none), and at least 2.
// It is the number that would bid on an order if every provider had room
// for it: the textbook's n with every provider free.
func DefaultBidders(cohorts []ProviderCohort, maxBids int) int {
	n := 0
	for i := range cohorts {
		if cohorts[i].Kind != KindFake {
			n += cohorts[i].Count
		}
	}
	if maxBids > 0 && n > maxBids {
		n = maxBids
	}
	return max(n, 2)
}

// Equilibrium is the Bayes-Nash bid of a first-price reverse auction with
// n symmetric bidders whose costs are independent draws of the cohort's
// cost distribution (cost_usd_hour times cost_multiplier): a provider of
// cost c bids
//
//	b(c) = c + (integral from c to c_hi of (1 - F(x))^(n-1) dx) / (1 - F(c))^(n-1)
//
// (uniform costs on [c_lo, c_hi]: b(c) = c + (c_hi - c) / n). The cost
// floor cost x (1 + min_markup) is treated as the provider's reservation
// cost, so the bid is (1 + min_markup) x b(c), never below the floor.
// Since every resource's cost is cost_usd_hour[r] times the same drawn
// multiplier m, b scales: the bid on a request is (1 + min_markup) x
// beta(m) x req.Price(cost_usd_hour), beta the bid function of the
// multiplier's distribution, so a multi-unit order is priced at the
// per-unit bid times each unit-hour. beta is in closed form for const,
// uniform, exponential, pareto and choice (with their cap) and tabulated
// once per cohort for lognormal (numerical integration); Quote is a table
// look-up and allocates nothing.
//
// When the mechanism does not pay the winner its bid (StrategyEnv.PaysBid
// false; the second-price vickrey-reverse), the strategy bids truthfully:
// cost x (1 + min_markup), a dominant strategy under the second-price rule.
//
// The number of bidders n is the cohort's expected_bidders when set. When
// it is 0 (auto) n is, order by order, the number of providers that
// respond to the order (MarketView.Bidders: those with room for it, up to
// the mechanism's bid limit), as the textbook's bidders know n; outside
// bid collection it is StrategyEnv.Bidders. Competitors are treated as
// draws of the cohort's own cost distribution.
//
// The tenant's maximum price r (MarketView.MaxUSDHour) is a reserve: with
// it the equilibrium bid is
//
//	b_r(c) = c + (integral from c to r of (1 - F(x))^(n-1) dx) / (1 - F(c))^(n-1)
//	       = b(c) - (b(r) - r) ((1 - F(r)) / (1 - F(c)))^(n-1),  c < r,
//
// and a lone bidder (n = 1) bids r. A provider whose cost is above r
// quotes its floor, which the kernel drops.
//
// What the textbook setting leaves out (docs/mechanisms.md, "Bidders that
// respond to the rule"): competitors from other cohorts may have other
// costs; a retried order is quoted afresh as a new auction; with a
// discrete distribution (const, choice, a cap's atom) the formula is
// applied as written, although the exact equilibrium then mixes. The
// strategy does not learn.
type Equilibrium struct {
	dist     Dist           // the cost multiplier's distribution
	truthful bool           // the rule does not pay the bid: bid the floor
	fixedN   int            // expected_bidders (0: auto, from the view)
	defaultN int            // n when the view does not say (StrategyEnv.Bidders)
	fns      []*bidFunction // bid functions by n, built on first use
	base     []float64      // cost_usd_hour by resource index
	r0       int            // a resource with base[r0] > 0 (-1: none)
	floorRat float64        // 1 + min markup
}

// Name returns "equilibrium".
func (*Equilibrium) Name() string { return EquilibriumName }

// Quote returns (1 + min_markup) x b_r(m) x req.Price(cost_usd_hour)
// under a first-price rule, for the order's n and reserve (see the type),
// and the cost floor otherwise; never below the cost floor
// req.Price(p.Cost) x (1 + min_markup), nor above the order's maximum
// price unless the floor is.
func (e *Equilibrium) Quote(p *Profile, req *Request, v *MarketView) float64 {
	floor := req.Price(p.Cost) * e.floorRat
	if e.truthful || e.r0 < 0 {
		return floor
	}
	unit := e.floorRat * req.Price(e.base) // the request's bid per unit of the multiplier
	if !(unit > 0) {
		return floor
	}
	m := p.Cost[e.r0] / e.base[e.r0]
	n := e.fixedN
	if n == 0 {
		n = v.Bidders
		if n <= 0 {
			n = e.defaultN
		}
	}
	reserve := math.Inf(1)
	if v.MaxUSDHour > 0 {
		reserve = v.MaxUSDHour / unit
	}
	if n == 1 {
		if math.IsInf(reserve, 1) {
			n = e.defaultN
		} else {
			return math.Max(v.MaxUSDHour, floor) // alone: the reserve
		}
	}
	b := unit * e.fn(n).AtReserve(m, reserve)
	if v.MaxUSDHour > 0 {
		b = math.Min(b, v.MaxUSDHour)
	}
	return math.Max(b, floor)
}

// fn returns the bid function of n >= 2 bidders, building it on first
// use. A strategy value is shared by the providers of one cohort in one
// run (one goroutine), so the cache needs no lock.
func (e *Equilibrium) fn(n int) *bidFunction {
	if n < len(e.fns) && e.fns[n] != nil {
		return e.fns[n]
	}
	f, err := newBidFunction(e.dist, n)
	if err != nil {
		// validateEquilibrium refuses the one case (an uncapped pareto
		// with alpha <= 1/(n-1), checked at the smallest n)
		panic(fmt.Sprintf("agents: equilibrium bid function for %d bidders: %v", n, err))
	}
	if n >= len(e.fns) {
		e.fns = append(e.fns, make([]*bidFunction, n+1-len(e.fns))...)
	}
	e.fns[n] = f
	return f
}

// StaticAsks returns false: the quote is not the provider's asks.
func (*Equilibrium) StaticAsks() bool { return false }

// Observe does nothing: equilibrium does not learn.
func (*Equilibrium) Observe(bool) {}

// BidFunction returns the strategy's bid function of the cost multiplier
// for its expected_bidders, or for StrategyEnv.Bidders when that is auto
// (nil when it bids truthfully).
func (e *Equilibrium) BidFunction() *BidFunction {
	if e.truthful {
		return nil
	}
	n := e.fixedN
	if n == 0 {
		n = e.defaultN
	}
	return &BidFunction{f: e.fn(n)}
}

// BidFunction is the first-price equilibrium bid beta(c) of n symmetric
// bidders whose costs are independent draws of a distribution.
type BidFunction struct{ f *bidFunction }

// NewBidFunction returns the equilibrium bid function for n >= 2 bidders
// with costs drawn from d (validated). Its error says why none exists (an
// uncapped pareto with alpha x (n - 1) <= 1 has an infinite bid).
func NewBidFunction(d Dist, n int) (*BidFunction, error) {
	f, err := newBidFunction(d, n)
	if err != nil {
		return nil, err
	}
	return &BidFunction{f: f}, nil
}

// At returns the bid of a bidder of cost c.
func (b *BidFunction) At(c float64) float64 { return b.f.At(c) }

// AtReserve returns the bid of a bidder of cost c when bids above r are
// refused (a reserve price): b(c) - (b(r) - r) (S(r) / S(c))^(n-1) for c
// < r, S = 1 - F; c itself when c >= r (no bid can win at a profit); b(c)
// when r is at or above the top of the support.
func (b *BidFunction) AtReserve(c, r float64) float64 { return b.f.AtReserve(c, r) }

// newEquilibriumMaker returns a function that makes the cohort's
// equilibrium strategies: one value shared by the cohort's providers in a
// run (it learns nothing), whose bid functions are built once per n. The
// bid function of the cohort's default n is checked here.
func (c *ProviderCohort) newEquilibriumMaker(cat *Catalog, env StrategyEnv) (func() Strategy, error) {
	base, err := cat.vector("cost_usd_hour", c.CostUSDHour)
	if err != nil {
		return nil, err
	}
	e := &Equilibrium{dist: c.CostMultiplier, truthful: !env.PaysBid, fixedN: c.ExpectedBidders,
		defaultN: max(env.Bidders, 2), base: base, r0: -1, floorRat: 1 + c.MinMarkup}
	for r, k := range base {
		if k > 0 {
			e.r0 = r
			break
		}
	}
	if !e.truthful {
		n := e.fixedN
		if n == 0 {
			n = e.defaultN
		}
		if _, err := newBidFunction(c.CostMultiplier, n); err != nil {
			return nil, fmt.Errorf("cost_multiplier.%v", err)
		}
	}
	return func() Strategy { return e }, nil
}

// StrategyMaker returns a function that makes a fresh strategy of the
// cohort's kind for one provider, for a run whose market is env: what is
// expensive to compute (equilibrium's bid function) is computed once here.
// Its error names the key at fault, as Validate's does.
func (c *ProviderCohort) StrategyMaker(cat *Catalog, env StrategyEnv) (func() Strategy, error) {
	if err := c.validateStrategy(); err != nil {
		return nil, err
	}
	if c.Strategy == EquilibriumName {
		return c.newEquilibriumMaker(cat, env)
	}
	return func() Strategy {
		s, _ := c.NewStrategy()
		return s
	}, nil
}

// validateEquilibrium checks expected_bidders and that the bid is finite.
func (c *ProviderCohort) validateEquilibrium() error {
	if c.Strategy != EquilibriumName {
		if c.ExpectedBidders != 0 {
			return fmt.Errorf("expected_bidders: only strategy %q uses it, but the cohort's strategy is %q (got %d; remove the key or leave it at its default 0)",
				EquilibriumName, c.Strategy, c.ExpectedBidders)
		}
		return nil
	}
	if c.ExpectedBidders != 0 && (c.ExpectedBidders < 2 || c.ExpectedBidders > 1<<20) {
		return fmt.Errorf("expected_bidders: must be 0 (auto) or an integer in [2, %d], got %d", 1<<20, c.ExpectedBidders)
	}
	d := c.CostMultiplier
	if d.Kind == "pareto" && d.Cap == 0 {
		n := max(c.ExpectedBidders, 2)
		if !(d.Alpha*float64(n-1) > 1) {
			return fmt.Errorf("cost_multiplier.alpha: strategy %q needs alpha x (expected_bidders - 1) > 1 for an uncapped pareto (the bid is infinite otherwise; set a cap), got alpha %v with %d bidders",
				EquilibriumName, d.Alpha, n)
		}
	}
	return nil
}

// bidFunction evaluates beta(c) = c + I(c) / S(c)^(n-1), S(x) = P(X > x),
// I(c) the integral of S^(n-1) from c to the top of the support.
type bidFunction struct {
	kind string
	n    int
	p    float64 // n - 1
	// uniform [lo, hi] capped at top; exponential mean mu; pareto scale lo,
	// shape a; lognormal mu, sigma; top: the cap (+Inf: none)
	lo, hi, mu, a, sigma, top float64
	// choice: sorted distinct values, S(v_i)^(n-1) and the suffix integrals
	vals, sp, suffix []float64
	// lognormal: rho(z) = beta(m)/m - 1 at z = zlo + j h, m = exp(mu + sigma z)
	rho, drho []float64 // and its derivative in z (cubic Hermite interpolation)
	zlo, zh   float64
	ztop      float64 // the cap's z (+Inf: none)
}

const (
	lnZLo    = -9.0
	lnZHi    = 14.0
	lnStep   = 1.0 / 64
	lnPoints = 16 // Gauss-Legendre points per table step
)

func newBidFunction(d Dist, n int) (*bidFunction, error) {
	if n < 2 {
		return nil, fmt.Errorf("bidders: must be >= 2, got %d", n)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	f := &bidFunction{kind: d.Kind, n: n, p: float64(n - 1), top: math.Inf(1)}
	if d.Cap > 0 {
		f.top = d.Cap
	}
	switch d.Kind {
	case "const":
		f.kind = "const"
	case "uniform":
		f.lo, f.hi = d.Min, d.Max
		if d.Max <= d.Min || f.top <= d.Min {
			f.kind = "const"
		}
	case "exponential":
		f.mu = d.Mean
	case "pareto":
		f.lo, f.a = d.Min, d.Alpha
		if f.top <= d.Min {
			f.kind = "const"
		} else if math.IsInf(f.top, 1) && !(f.a*f.p > 1) {
			return nil, fmt.Errorf("alpha: the equilibrium bid is infinite for an uncapped pareto with alpha x (n - 1) <= 1 (alpha %v, n %d)", f.a, n)
		}
	case "lognormal":
		if d.Sigma == 0 {
			f.kind = "const"
			break
		}
		f.mu, f.sigma = math.Log(d.Median), d.Sigma
		f.tabulateLognormal()
	case "choice":
		f.tabulateChoice(d)
	}
	return f, nil
}

// At returns beta(c).
func (f *bidFunction) At(c float64) float64 {
	if c >= f.top {
		return c // the top of the support: no one bids above
	}
	switch f.kind {
	case "uniform":
		// below the support S = 1, so beta(c) = c + (lo - c) + I(lo) = beta(lo)
		return f.uniform(math.Max(c, f.lo))
	case "exponential":
		return f.exponential(math.Max(c, 0))
	case "pareto":
		return f.pareto(math.Max(c, f.lo))
	case "lognormal":
		return f.lognormal(c)
	case "choice":
		return f.choice(c)
	}
	return c
}

// AtReserve returns b_r(c) = b(c) - (b(r) - r) (S(r)/S(c))^(n-1) for c
// < r below the top of the support, c for c >= r, b(c) otherwise.
func (f *bidFunction) AtReserve(c, r float64) float64 {
	if f.kind == "const" || !(r < f.upper()) {
		return f.At(c)
	}
	if c >= r {
		return c
	}
	b, br := f.At(c), f.At(r)
	return b - (br-r)*math.Exp(f.logSp(r)-f.logSp(c))
}

// upper returns the top of the support (the cap included; +Inf when
// unbounded).
func (f *bidFunction) upper() float64 {
	switch f.kind {
	case "uniform":
		return math.Min(f.hi, f.top)
	case "choice":
		return f.vals[len(f.vals)-1]
	}
	return f.top
}

// logSp returns (n-1) ln S(x), S(x) = P(X > x) (-Inf where S is 0).
func (f *bidFunction) logSp(x float64) float64 {
	if x >= f.upper() {
		return math.Inf(-1)
	}
	switch f.kind {
	case "uniform":
		if x <= f.lo {
			return 0
		}
		return f.p * math.Log((f.hi-x)/(f.hi-f.lo))
	case "exponential":
		if x <= 0 {
			return 0
		}
		return -f.p * x / f.mu
	case "pareto":
		if x <= f.lo {
			return 0
		}
		return f.p * f.a * math.Log(f.lo/x)
	case "lognormal":
		if x <= 0 {
			return 0
		}
		return f.p * logQ((math.Log(x)-f.mu)/f.sigma)
	case "choice":
		i, found := slices.BinarySearch(f.vals, x)
		if !found {
			i--
		}
		if i < 0 {
			return 0
		}
		return math.Log(f.sp[i])
	}
	return 0
}

// uniform: S(x) = (hi - x) / (hi - lo) below the cap t; I(c) = ((hi -
// c)^n - (hi - t)^n) / (n (hi - lo)^(n-1)); beta = c + ((hi-c) - (hi-t)
// ((hi-t)/(hi-c))^(n-1)) / n.
func (f *bidFunction) uniform(c float64) float64 {
	hi := f.hi
	d := hi - c
	if d <= 0 {
		return c
	}
	t := math.Min(f.top, hi)
	return c + (d-(hi-t)*math.Pow((hi-t)/d, f.p))/float64(f.n)
}

// exponential: S(x) = exp(-x/mu); beta = c + mu/(n-1) (1 - exp(-(n-1)(t-c)/mu)).
func (f *bidFunction) exponential(c float64) float64 {
	return c - f.mu/f.p*math.Expm1(-f.p*(f.top-c)/f.mu)
}

// pareto: S(x) = (lo/x)^a; with q = a (n-1), I(c)/S(c)^(n-1) = c^q
// (c^(1-q) - t^(1-q)) / (q - 1), or c ln(t/c) when q = 1.
func (f *bidFunction) pareto(c float64) float64 {
	q := f.a * f.p
	t := f.top
	if q == 1 {
		return c + c*math.Log(t/c)
	}
	if math.IsInf(t, 1) {
		return c + c/(q-1)
	}
	return c + c*(1-math.Pow(c/t, q-1))/(q-1)
}

// choice: S is a step function; beta = c + (the integral over the
// current step and the steps above) / S(c)^(n-1).
func (f *bidFunction) choice(c float64) float64 {
	v := f.vals
	i, found := slices.BinarySearch(v, c)
	if !found {
		i-- // v[i] < c < v[i+1]
	}
	if i < 0 {
		// below the lowest value: S = 1 on [c, v[0]]
		return c + (v[0] - c) + f.suffix[0]
	}
	if i >= len(v)-1 || f.sp[i] == 0 {
		return c
	}
	return c + ((v[i+1]-c)*f.sp[i]+f.suffix[i+1])/f.sp[i]
}

func (f *bidFunction) tabulateChoice(d Dist) {
	type vw struct{ v, w float64 }
	xs := make([]vw, 0, len(d.Values))
	for i, v := range d.Values {
		w := 1.0
		if len(d.Weights) > 0 {
			w = d.Weights[i]
		}
		if w <= 0 {
			continue
		}
		if v > f.top {
			v = f.top
		}
		xs = append(xs, vw{v, w})
	}
	slices.SortFunc(xs, func(a, b vw) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	total := 0.0
	for _, x := range xs {
		total += x.w
	}
	for i := 0; i < len(xs); {
		j, w := i, 0.0
		for ; j < len(xs) && xs[j].v == xs[i].v; j++ {
			w += xs[j].w
		}
		f.vals = append(f.vals, xs[i].v)
		f.sp = append(f.sp, w) // the weight, turned into S below
		i = j
	}
	f.top = math.Inf(1) // the values carry the cap
	k := len(f.vals)
	above := 0.0
	for i := k - 1; i >= 0; i-- {
		w := f.sp[i]
		f.sp[i] = math.Pow(math.Max(above, 0)/total, f.p) // S(v_i)^(n-1) = P(X > v_i)^(n-1)
		above += w
	}
	f.suffix = make([]float64, k)
	for i := k - 2; i >= 0; i-- {
		f.suffix[i] = f.suffix[i+1] + (f.vals[i+1]-f.vals[i])*f.sp[i]
	}
}

// lognormal: with z = (ln c - mu)/sigma and Q the standard normal upper
// tail, beta(c) = c (1 + rho(z)), rho(z) = sigma integral from z to z_t of
// (Q(u)/Q(z))^(n-1) e^(sigma (u - z)) du. The table holds rho on a grid in
// z, built from the top down: rho(z_j) = sigma integral over [z_j, z_j+1]
// + rho(z_j+1) (Q(z_j+1)/Q(z_j))^(n-1) e^(sigma h). Above lnZHi (beyond
// 1e-44 of the draws) rho is its asymptotic sigma / ((n-1) z - sigma).
func (f *bidFunction) tabulateLognormal() {
	f.zlo = lnZLo
	f.ztop = math.Inf(1)
	if !math.IsInf(f.top, 1) {
		f.ztop = (math.Log(f.top) - f.mu) / f.sigma
	}
	if f.ztop <= f.zlo {
		f.kind = "const"
		return
	}
	// the table's end: where (n-1) z - sigma >= sigma + 14 (n-1), so the
	// integrand above it decays at least like exp(-14 t), or the cap
	zend := math.Min(lnZHi+2*f.sigma/f.p, f.ztop)
	k := int(math.Ceil((zend-f.zlo)/lnStep)) + 1
	f.zh = (zend - f.zlo) / float64(k-1)
	f.rho = make([]float64, k)
	zAt := func(j int) float64 { return f.zlo + float64(j)*f.zh }
	if zend < f.ztop {
		// uncapped (or capped further up): integrate far enough above the
		// end that the rest is below exp(-60)
		decay := f.p*zend - f.sigma
		f.rho[k-1] = f.rhoSegment(zend, math.Min(f.ztop, zend+60/decay), 512)
	}
	for j := k - 2; j >= 0; j-- {
		z0, z1 := zAt(j), zAt(j+1)
		seg := f.rhoSegment(z0, z1, lnPoints)
		scale := math.Exp(f.p*(logQ(z1)-logQ(z0)) + f.sigma*(z1-z0))
		f.rho[j] = seg + f.rho[j+1]*scale
	}
	// rho'(z) = -sigma + rho(z) ((n-1) phi(z)/Q(z) - sigma)
	f.drho = make([]float64, k)
	for j := range f.rho {
		z := zAt(j)
		mills := math.Exp(-z*z/2 - 0.5*math.Log(2*math.Pi) - logQ(z))
		f.drho[j] = -f.sigma + f.rho[j]*(f.p*mills-f.sigma)
	}
}

// rhoSegment returns sigma times the integral from z0 to z1 of
// (Q(u)/Q(z0))^(n-1) e^(sigma (u - z0)) du by Gauss-Legendre with k points.
func (f *bidFunction) rhoSegment(z0, z1 float64, k int) float64 {
	if z1 <= z0 {
		return 0
	}
	lq0 := logQ(z0)
	g := func(u float64) float64 {
		return math.Exp(f.p*(logQ(u)-lq0) + f.sigma*(u-z0))
	}
	return f.sigma * quad.Fixed(g, z0, z1, k, quad.Legendre{}, 0)
}

func (f *bidFunction) lognormal(c float64) float64 {
	z := (math.Log(c) - f.mu) / f.sigma // -Inf for c <= 0
	if z >= f.ztop {
		return c
	}
	if !(z >= f.zlo) {
		// below the table (a share 1e-19 of the draws): beta is nearly
		// flat there, at about I(0) = beta at the table's bottom
		return math.Exp(f.mu+f.sigma*f.zlo) * (1 + f.rho[0])
	}
	x := (z - f.zlo) / f.zh
	j := int(x)
	last := len(f.rho) - 1
	if j >= last {
		// beyond the table's end (a share below 1e-44 of the draws): the
		// asymptotic rho ~ sigma / ((n-1) z - sigma), continued from the end
		zend := f.zlo + float64(last)*f.zh
		return c * (1 + f.rho[last]*(f.p*zend-f.sigma)/(f.p*z-f.sigma))
	}
	// cubic Hermite on [z_j, z_j+1] with the exact derivatives
	t := x - float64(j)
	t2, t3 := t*t, t*t*t
	r := (2*t3-3*t2+1)*f.rho[j] + (t3-2*t2+t)*f.zh*f.drho[j] + (-2*t3+3*t2)*f.rho[j+1] + (t3-t2)*f.zh*f.drho[j+1]
	return c * (1 + r)
}

// logQ returns ln P(Z > z) for a standard normal Z, accurate in the far
// tail.
func logQ(z float64) float64 {
	if z < 30 {
		return math.Log(0.5 * math.Erfc(z/math.Sqrt2))
	}
	z2 := z * z
	return -z2/2 - math.Log(z*math.Sqrt(2*math.Pi)) + math.Log1p(-1/z2+3/(z2*z2))
}
