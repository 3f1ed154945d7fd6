package agents

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/simtime"
)

// TenantCohort is a [[tenants]] table: a stream of deployments with the
// same demand profile (inference, training, web/CPU, batch, ...).
type TenantCohort struct {
	// Name identifies the cohort (unique in a scenario); it also names the
	// cohort's random streams, so two scenarios with the same tenant
	// cohorts and seed see the same demand.
	Name string `toml:"name"`
	// ArrivalsPerDay is the Poisson arrival rate of deployments at the start.
	ArrivalsPerDay float64 `toml:"arrivals_per_day"`
	// GrowthPerYear makes the rate time-varying: rate(t) = ArrivalsPerDay x
	// (1 + GrowthPerYear)^(t / 365 d). Must be > -1.
	GrowthPerYear float64 `toml:"growth_per_year"`
	// ArrivalsUntil ends the cohort's arrivals this long after the scenario
	// start (0: never): a demand that lasts only while something pays for
	// it, such as jobs run to earn airdrop points during a season.
	ArrivalsUntil simtime.Duration `toml:"arrivals_until"`
	// DailyAmplitude adds a daily cycle: rate(t) x (1 + a sin(2 pi t / 1 d)),
	// a in [0, 1).
	DailyAmplitude float64 `toml:"daily_amplitude"`
	// DemandSteps multiplies the rate from given times on: a table from a
	// time after the start (a duration, "90d", or a date, "2024-09-01") to
	// a multiplier in [0, 1e4]. From each time until the next, the rate is
	// multiplied by its multiplier; before the first (and in the warmup)
	// by 1. It expresses demand that rises or falls over a year (a launch,
	// a season's end, a competitor's price cut) beside GrowthPerYear's
	// steady rate.
	DemandSteps map[string]float64 `toml:"demand_steps"`
	// PriceElasticity makes the arrival rate react to the network's price
	// against the reference cloud price: the rate is multiplied by
	// (P_net / P_ref)^(-PriceElasticity), clamped to
	// [DemandMultiplierMin, DemandMultiplierMax], where P_net / P_ref is
	// the recent median of leases' prices over their requests' reference
	// prices for the cohort's main resource (PriceResponse). A constant-
	// elasticity demand curve; dimensionless, in [0, MaxPriceElasticity];
	// 0 (the default) turns it off.
	PriceElasticity float64 `toml:"price_elasticity"`
	// DemandMultiplierMin is the smallest multiplier the price response
	// applies to the rate, in (0, 1] (default 0.1).
	DemandMultiplierMin float64 `toml:"demand_multiplier_min"`
	// DemandMultiplierMax is the largest multiplier the price response
	// applies to the rate, in [1, 1e4] (default 10). It sets the bounding
	// rate of the thinning: candidate arrivals come at this multiple of
	// the rate without price response.
	DemandMultiplierMax float64 `toml:"demand_multiplier_max"`
	// GPUModels gives, for a GPU cohort, the weight of each GPU model a
	// deployment asks for (one model per deployment). Empty: CPU-only.
	GPUModels map[string]float64 `toml:"gpu_models"`
	// GPUs is the number of GPUs per deployment (rounded, at least 1).
	GPUs Dist `toml:"gpus"`
	// CPUCores is the number of CPU cores per deployment (rounded; draws
	// below 0.5 give 0, e.g. for GPU-only requests). A CPU-only cohort
	// (no gpu_models) must be able to draw at least one core: one whose
	// every draw rounds to 0 is refused; a single draw of 0 trades as one
	// core in a call market (its smallest unit).
	CPUCores Dist `toml:"cpu_cores"`
	// MemoryGB is memory per deployment in GB (rounded; draws below 0.5
	// give 0).
	MemoryGB Dist `toml:"memory_gb"`
	// MaxPriceRatio is the tenant's willingness to pay: its maximum price is
	// this multiple of the reference cloud price of its request (akash.md
	// "Model spec" §E suggests 1.2 to 3).
	MaxPriceRatio Dist `toml:"max_price_ratio"`
	// LifetimeHours is how long the tenant wants the deployment, in hours
	// (heavy-tailed: lognormal or pareto).
	LifetimeHours Dist `toml:"lifetime_hours"`
	// BudgetRatio sets the deployment's budget: ratio x max price x
	// lifetime (USD). Below the price it ends up paying it runs dry early.
	BudgetRatio Dist `toml:"budget_ratio"`
	// USDCFraction is the share of deployments paying in USDC; the rest
	// pay in AKT.
	USDCFraction float64 `toml:"usdc_fraction"`
	// AuditedFraction is the share of deployments that accept audited
	// providers only.
	AuditedFraction float64 `toml:"audited_fraction"`
	// SelectionWindow is how long the tenant collects bids before picking
	// (the model spec's W_sel, 60 s; must be shorter than the bid timeout
	// for bids to survive it).
	SelectionWindow simtime.Duration `toml:"selection_window"`
	// Selection is the tenant's policy for picking among eligible bids, in
	// mechanisms in which the tenant picks (akash-reverse): "" (the
	// mechanism's own rule) or a market selector name ("cheapest",
	// "prefer-audited", "random"; see market.NewSelector).
	Selection string `toml:"selection"`
	// RetryEvery is the wait before re-posting an order that got no
	// eligible bid.
	RetryEvery simtime.Duration `toml:"retry_every"`
	// Patience is how long after arrival the tenant keeps retrying; an
	// order with no lease by then is abandoned (unserved).
	Patience simtime.Duration `toml:"patience"`
	// RestartProb is the probability that a tenant whose lease the provider
	// closed re-posts its order (else it closes the deployment).
	RestartProb float64 `toml:"restart_prob"`
	// RunwayTargetDays is the escrow runway a top-up restores, in days of
	// the lease's cost (7 in AEP-76's walkthrough).
	RunwayTargetDays float64 `toml:"runway_target_days"`
	// RunwayMinDays triggers a top-up when the runway falls below it, in
	// days (the Console keeps about 2 days; akash.md §2).
	RunwayMinDays float64 `toml:"runway_min_days"`
}

// DefaultTenantCohort returns the defaults of a [[tenants]] table.
func DefaultTenantCohort() TenantCohort {
	return TenantCohort{
		GPUs:             Const(1),
		CPUCores:         Const(1),
		MemoryGB:         Const(2),
		MaxPriceRatio:    Const(2),
		LifetimeHours:    Dist{Kind: "lognormal", Median: 24, Sigma: 1.5},
		BudgetRatio:      Const(10),
		SelectionWindow:  simtime.Duration(60 * simtime.Second),
		RetryEvery:       simtime.Duration(10 * simtime.Minute),
		Patience:         simtime.Duration(1 * simtime.Hour),
		RestartProb:      0.5,
		RunwayTargetDays: 7,
		RunwayMinDays:    2,

		DemandMultiplierMin: 0.1,
		DemandMultiplierMax: 10,
	}
}

// MaxPriceElasticity is the largest price_elasticity a cohort accepts:
// beyond it the demand curve is a step at the reference price, which the
// clamp of the multiplier already expresses.
const MaxPriceElasticity = 20

// Validate checks the cohort against the catalog; errors name the key.
func (c *TenantCohort) Validate(cat *Catalog) error {
	if strings.TrimSpace(c.Name) == "" {
		return fmt.Errorf("name: must be a non-empty string")
	}
	if !(c.ArrivalsPerDay >= 0 && c.ArrivalsPerDay <= 1e8) {
		return fmt.Errorf("arrivals_per_day: must be in [0, 1e8], got %v", c.ArrivalsPerDay)
	}
	if !(c.GrowthPerYear > -1 && c.GrowthPerYear <= 100) {
		return fmt.Errorf("growth_per_year: must be in (-1, 100], got %v", c.GrowthPerYear)
	}
	if c.ArrivalsUntil < 0 {
		return fmt.Errorf("arrivals_until: must be >= 0 (0: never), got %v", simtime.Time(c.ArrivalsUntil))
	}
	if !(c.DailyAmplitude >= 0 && c.DailyAmplitude < 1) {
		return fmt.Errorf("daily_amplitude: must be in [0, 1), got %v", c.DailyAmplitude)
	}
	if err := checkSteps("demand_steps", c.DemandSteps, false); err != nil {
		return err
	}
	if !(c.PriceElasticity >= 0 && c.PriceElasticity <= MaxPriceElasticity) {
		return fmt.Errorf("price_elasticity: must be in [0, %v] (0: demand does not react to price), got %v", float64(MaxPriceElasticity), c.PriceElasticity)
	}
	if !(c.DemandMultiplierMin > 0 && c.DemandMultiplierMin <= 1) {
		return fmt.Errorf("demand_multiplier_min: must be in (0, 1], got %v", c.DemandMultiplierMin)
	}
	if !(c.DemandMultiplierMax >= 1 && c.DemandMultiplierMax <= 1e4) {
		return fmt.Errorf("demand_multiplier_max: must be in [1, 1e4], got %v", c.DemandMultiplierMax)
	}
	total := 0.0
	for _, m := range slices.Sorted(maps.Keys(c.GPUModels)) {
		if _, ok := cat.Index(m); !ok || m == KeyCPU || m == KeyMemory {
			return fmt.Errorf("gpu_models.%s: unknown GPU model (known: %v)", m, cat.GPUModels)
		}
		w := c.GPUModels[m]
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("gpu_models.%s: weight must be >= 0, got %v", m, w)
		}
		total += w
	}
	if len(c.GPUModels) > 0 && total <= 0 {
		return fmt.Errorf("gpu_models: weights must not all be 0")
	}
	dists := []struct {
		key string
		d   *Dist
	}{{"gpus", &c.GPUs}, {"cpu_cores", &c.CPUCores}, {"memory_gb", &c.MemoryGB}, {"max_price_ratio", &c.MaxPriceRatio}, {"lifetime_hours", &c.LifetimeHours}, {"budget_ratio", &c.BudgetRatio}}
	for _, x := range dists {
		if err := x.d.Validate(); err != nil {
			return fmt.Errorf("%s.%v", x.key, err)
		}
	}
	if largest := c.CPUCores.Largest(); len(c.GPUModels) == 0 && roundNonNeg(largest) == 0 {
		return fmt.Errorf("cpu_cores: a CPU-only deployment (no gpu_models) needs at least one core, but every draw rounds to 0 (the largest draw is %v; draws below 0.5 give 0)", largest)
	}
	fracs := []struct {
		key string
		v   float64
	}{{"usdc_fraction", c.USDCFraction}, {"audited_fraction", c.AuditedFraction}, {"restart_prob", c.RestartProb}}
	for _, x := range fracs {
		if !(x.v >= 0 && x.v <= 1) {
			return fmt.Errorf("%s: must be in [0, 1], got %v", x.key, x.v)
		}
	}
	if !(c.RunwayMinDays > 0 && c.RunwayMinDays <= 3650) {
		return fmt.Errorf("runway_min_days: must be in (0, 3650], got %v", c.RunwayMinDays)
	}
	if !(c.RunwayTargetDays >= c.RunwayMinDays && c.RunwayTargetDays <= 3650) {
		return fmt.Errorf("runway_target_days: must be in [runway_min_days (%v), 3650], got %v", c.RunwayMinDays, c.RunwayTargetDays)
	}
	if _, err := c.NewSelector(); err != nil {
		return err
	}
	if c.RetryEvery.T() <= 0 {
		return fmt.Errorf("retry_every: must be > 0, got %v", c.RetryEvery.T())
	}
	return nil
}

// NewSelector returns the cohort's selection policy, or nil when Selection
// is "" (the mechanism's own rule). An unknown name is an error naming the
// key, the value and the known policies.
func (c *TenantCohort) NewSelector() (market.Selector, error) {
	if c.Selection == "" {
		return nil, nil
	}
	s, err := market.NewSelector(c.Selection)
	if err != nil {
		return nil, fmt.Errorf("selection: %v; \"\" is the mechanism's own rule", err)
	}
	return s, nil
}

// Deployment is one tenant's demand, drawn at its arrival.
type Deployment struct {
	// Request is the resources asked for.
	Request Request
	// USDC tells whether it pays in USDC (else AKT).
	USDC bool
	// RequireAudited limits it to audited providers.
	RequireAudited bool
	// MaxPriceUSDHour is the most the tenant pays per hour.
	MaxPriceUSDHour float64
	// Lifetime is how long the tenant wants it.
	Lifetime simtime.Time
	// BudgetUSD is the most the tenant spends on it.
	BudgetUSD float64
}

// Draw draws one deployment (Demand(cat).Draw(rng); a run prepares the
// Demand once per cohort instead).
func (c *TenantCohort) Draw(cat *Catalog, rng *rand.Rand) Deployment {
	return c.Demand(cat).Draw(rng)
}

// Demand is a tenant cohort's deployment sampler, prepared once for a
// catalog: its GPU models are resolved to resource indices and their
// shares computed, so drawing a deployment neither sorts nor allocates.
type Demand struct {
	c      *TenantCohort
	cat    *Catalog
	models []int32   // the models with a positive weight, in name order
	shares []float64 // each one's weight / the total weight
}

// Demand prepares the cohort's deployment sampler for catalog cat.
func (c *TenantCohort) Demand(cat *Catalog) *Demand {
	d := &Demand{c: c, cat: cat}
	if len(c.GPUModels) == 0 {
		return d
	}
	// models in sorted order, so the pick does not depend on map order
	models := slices.Sorted(maps.Keys(c.GPUModels))
	total := 0.0
	for _, m := range models {
		total += c.GPUModels[m]
	}
	for _, m := range models {
		if c.GPUModels[m] <= 0 {
			continue
		}
		r, _ := cat.Index(m)
		d.models = append(d.models, int32(r))
		d.shares = append(d.shares, c.GPUModels[m]/total)
	}
	return d
}

// Models returns the GPU models a deployment may ask for (resource
// indices, in name order) and each one's share of the deployments; none
// for a CPU-only cohort. The slices are the Demand's own: read only.
func (d *Demand) Models() ([]int32, []float64) { return d.models, d.shares }

// Draw draws one deployment at the reference prices of the catalog
// (DrawAt with a reference multiplier of 1).
func (d *Demand) Draw(rng *rand.Rand) Deployment { return d.DrawAt(rng, 1) }

// DrawAt draws one deployment whose willingness to pay follows the
// reference cloud prices times refMult (the reference path at its
// arrival, ReferenceAt). It always makes the same number of draws from
// rng, whatever the market does, so the demand stream of a cohort
// depends only on its seed.
func (d *Demand) DrawAt(rng *rand.Rand, refMult float64) Deployment {
	var dep Deployment
	d.DrawInto(&dep, rng, refMult)
	return dep
}

// DrawInto is DrawAt writing the deployment into *dep (every field set),
// with the same draws, and returning dep: a caller that keeps the
// deployment in a table draws it in place instead of copying it there.
func (d *Demand) DrawInto(dep *Deployment, rng *rand.Rand, refMult float64) *Deployment {
	c, cat := d.c, d.cat
	*dep = Deployment{}
	q := &dep.Request
	// GPU model and count (drawn for CPU cohorts too, to keep the stream
	// aligned across cohorts that differ only in their model mix).
	u := rng.Float64()
	gpus := c.GPUs.Sample(rng)
	if len(c.GPUModels) > 0 {
		// the first model at which the cumulative share passes u (the
		// last one when rounding leaves u above the sum)
		for i, share := range d.shares {
			q.GPUModel = int(d.models[i])
			u -= share
			if u < 0 {
				break
			}
		}
		q.GPUs = atLeast1(gpus)
	}
	q.CPU = roundNonNeg(c.CPUCores.Sample(rng))
	q.MemoryGB = roundNonNeg(c.MemoryGB.Sample(rng))
	ratio := c.MaxPriceRatio.Sample(rng)
	dep.MaxPriceUSDHour = ratio * q.Price(cat.Reference)
	if refMult != 1 {
		dep.MaxPriceUSDHour *= refMult
	}
	hours := c.LifetimeHours.Sample(rng)
	dep.Lifetime = simtime.FromHours(math.Max(hours, 1.0/60))
	dep.BudgetUSD = c.BudgetRatio.Sample(rng) * dep.MaxPriceUSDHour * dep.Lifetime.Hours()
	dep.USDC = rng.Float64() < c.USDCFraction
	dep.RequireAudited = rng.Float64() < c.AuditedFraction
	return dep
}

// DemandStep is one entry of DemandSteps, resolved: from At (time since
// the start) on, the rate is multiplied by Multiplier.
type DemandStep struct {
	At         simtime.Time
	Multiplier float64
}

// Steps resolves DemandSteps against the scenario's start date: the steps
// in time order. A key that is neither a duration nor a date on or after
// start is an error naming it; two keys at the same time are an error.
func (c *TenantCohort) Steps(start simtime.Date) ([]DemandStep, error) {
	return ResolveSteps("demand_steps", c.DemandSteps, start)
}

// ResolveSteps resolves a table from a time after the start (a duration,
// "90d", or a date on or after start, "2024-09-01"; simtime.ParseOffset)
// to a multiplier into steps in time order. Errors name field and the
// key: a key that is no such time, or two keys at the same time.
func ResolveSteps(field string, table map[string]float64, start simtime.Date) ([]DemandStep, error) {
	steps := make([]DemandStep, 0, len(table))
	for _, k := range slices.Sorted(maps.Keys(table)) {
		at, err := simtime.ParseOffset(k, start)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %v", field, k, err)
		}
		steps = append(steps, DemandStep{At: at, Multiplier: table[k]})
	}
	slices.SortFunc(steps, func(a, b DemandStep) int { return cmp.Compare(a.At, b.At) })
	for i := 1; i < len(steps); i++ {
		if steps[i].At == steps[i-1].At {
			return nil, fmt.Errorf("%s: two entries at %v after the start; give one", field, steps[i].At)
		}
	}
	return steps, nil
}

// checkSteps checks the multipliers of a table of steps: in [0, 1e4], or
// (0, 1e4] when positive is set. The error names field and the key.
func checkSteps(field string, table map[string]float64, positive bool) error {
	for _, k := range slices.Sorted(maps.Keys(table)) {
		m := table[k]
		switch {
		case positive && !(m > 0 && m <= 1e4):
			return fmt.Errorf("%s.%s: the multiplier must be in (0, 1e4], got %v", field, k, m)
		case !(m >= 0 && m <= 1e4):
			return fmt.Errorf("%s.%s: the multiplier must be in [0, 1e4], got %v", field, k, m)
		}
	}
	return nil
}

// StepAt returns the multiplier of resolved steps at time t since the
// start: that of the last step at or before t, 1 before the first.
func StepAt(steps []DemandStep, t simtime.Time) float64 { return stepAt(steps, t) }

// stepAt returns the multiplier of steps at time t (1 before the first).
func stepAt(steps []DemandStep, t simtime.Time) float64 {
	m := 1.0
	for _, s := range steps {
		if s.At > t {
			break
		}
		m = s.Multiplier
	}
	return m
}

// RateAt returns the arrival rate per day at time t, without DemandSteps
// (RateAtSteps).
func (c *TenantCohort) RateAt(t simtime.Time) float64 { return c.RateAtSteps(t, nil) }

// RateAtSteps returns the arrival rate per day at time t under the
// resolved demand steps (Steps).
func (c *TenantCohort) RateAtSteps(t simtime.Time, steps []DemandStep) float64 {
	r := c.ArrivalsPerDay * stepAt(steps, t)
	if c.GrowthPerYear != 0 {
		r *= math.Pow(1+c.GrowthPerYear, float64(t)/float64(simtime.Year))
	}
	if c.DailyAmplitude != 0 {
		r *= 1 + c.DailyAmplitude*math.Sin(2*math.Pi*float64(t%simtime.Day)/float64(simtime.Day))
	}
	return r
}

// NextArrival returns the first arrival after now of the cohort's
// non-homogeneous Poisson process, by thinning against the largest rate
// up to horizon; it returns simtime.Never when there is none before horizon.
// It ignores DemandSteps (NextArrivalSteps).
func (c *TenantCohort) NextArrival(now, horizon simtime.Time, rng *rand.Rand) simtime.Time {
	return c.NextArrivalSteps(now, horizon, nil, rng)
}

// NextArrivalSteps is NextArrival under the resolved demand steps
// (Steps). Without steps it draws exactly what NextArrival always drew.
func (c *TenantCohort) NextArrivalSteps(now, horizon simtime.Time, steps []DemandStep, rng *rand.Rand) simtime.Time {
	return c.NextArrivalScaled(now, horizon, steps, 1, rng)
}

// NextArrivalScaled is NextArrivalSteps for the rate times scale (> 0):
// the candidate arrivals of the price response's thinning, scale being
// ElasticBound. With scale 1 it draws exactly what NextArrivalSteps
// draws.
func (c *TenantCohort) NextArrivalScaled(now, horizon simtime.Time, steps []DemandStep, scale float64, rng *rand.Rand) simtime.Time {
	if c.ArrivalsUntil > 0 {
		horizon = min(horizon, c.ArrivalsUntil.T())
		if now >= horizon {
			return simtime.Never
		}
	}
	maxRate := c.ArrivalsPerDay * (1 + c.DailyAmplitude)
	if c.GrowthPerYear > 0 {
		maxRate *= math.Pow(1+c.GrowthPerYear, float64(horizon)/float64(simtime.Year))
	}
	if len(steps) > 0 { // the largest multiplier bounds the rate (1 before the first step)
		mult := 1.0
		for _, st := range steps {
			mult = max(mult, st.Multiplier)
		}
		maxRate *= mult
	}
	if scale != 1 {
		maxRate *= scale
	}
	if maxRate <= 0 {
		return simtime.Never
	}
	variable := c.GrowthPerYear != 0 || c.DailyAmplitude != 0 || len(steps) > 0
	t := now
	for {
		gapDays := rng.ExpFloat64() / maxRate
		gap := gapDays*float64(simtime.Day) + 0.5
		if gap >= float64(horizon-t) { // compare as floats: a gap of a tiny rate overflows Time
			return simtime.Never
		}
		t += simtime.Time(gap)
		if !variable {
			return t
		}
		r := c.RateAtSteps(t, steps)
		if scale != 1 {
			r *= scale
		}
		if rng.Float64()*maxRate < r {
			return t
		}
	}
}

// ElasticBound returns the largest multiplier the price response applies
// to the rate (DemandMultiplierMax), or 1 when it is off: the candidates
// of the thinning come at the rate times this.
func (c *TenantCohort) ElasticBound() float64 {
	if c.PriceElasticity == 0 {
		return 1
	}
	return c.DemandMultiplierMax
}

// PriceResponse returns the multiplier of the arrival rate when the
// network's price is ratio times the reference cloud price of the same
// request: ratio^(-PriceElasticity) clamped to [DemandMultiplierMin,
// DemandMultiplierMax]; 1 when the ratio is unknown (NaN: no lease yet)
// or the response is off.
func (c *TenantCohort) PriceResponse(ratio float64) float64 {
	if c.PriceElasticity == 0 || math.IsNaN(ratio) {
		return 1
	}
	m := math.Pow(math.Max(ratio, 0), -c.PriceElasticity)
	return math.Min(math.Max(m, c.DemandMultiplierMin), c.DemandMultiplierMax)
}

// TopUp returns how much (USD) to add to an escrow holding fundsUSD for a
// lease costing rateUSDHour, with budgetLeftUSD left: nothing while the
// runway is at least RunwayMinDays, else enough to restore
// RunwayTargetDays, capped by the budget.
func (c *TenantCohort) TopUp(fundsUSD, rateUSDHour, budgetLeftUSD float64) float64 {
	if rateUSDHour <= 0 || budgetLeftUSD <= 0 {
		return 0
	}
	if fundsUSD >= c.RunwayMinDays*24*rateUSDHour {
		return 0
	}
	need := c.RunwayTargetDays*24*rateUSDHour - fundsUSD
	return math.Max(0, math.Min(need, budgetLeftUSD))
}

func atLeast1(x float64) int32 {
	if x < 1 || math.IsNaN(x) {
		return 1
	}
	if x > 1<<20 {
		return 1 << 20
	}
	return int32(math.Round(x))
}

func roundNonNeg(x float64) int32 {
	if !(x > 0) {
		return 0
	}
	if x > 1<<24 {
		return 1 << 24
	}
	return int32(math.Round(x))
}
