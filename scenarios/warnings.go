package scenarios

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// bidTimeout is the providers' bid timeout the kernel applies.
const bidTimeout = sim.BidTimeout

// marketWarnings warns about tenant demand the mechanism cannot clear: a
// posted price of 0 for a resource some cohort asks for (the mechanism's
// price table has no entry for it, so no provider is ever allocated), and
// a tenant selection policy under a mechanism that ignores it.
func (sc *Scenario) marketWarnings(add func(key, format string, args ...any), cat *agents.Catalog) {
	m, err := sc.NewMechanism()
	if err != nil {
		return
	}
	poster, _ := m.(market.Poster)
	tp, ok := m.(market.TenantPicks)
	picks := ok && tp.TenantPicks()
	qty := make([]int32, cat.NumResources())
	mult := make([]float64, cat.NumResources())
	for r := range mult {
		mult[r] = 1
	}
	priced := func(r int) bool {
		clear(qty)
		qty[r] = 1
		return poster.PostedUSDHour(qty, mult, 0) > 0
	}
	for i := range sc.Tenants {
		c := &sc.Tenants[i]
		key := fmt.Sprintf("tenants[%d]", i)
		if c.Selection != "" && !picks {
			add(key+".selection", "mechanism %q ignores tenant selection policies (only akash-reverse lets the tenant pick)", m.Name())
		}
		if poster == nil {
			continue
		}
		if len(c.GPUModels) == 0 {
			if !priced(agents.ResCPU) && !priced(agents.ResMemory) {
				add(key, "asks for CPU, which market %q prices at 0: its orders never clear (give %s a price)", m.Name(), agents.KeyCPU)
			}
			continue
		}
		for _, g := range slices.Sorted(maps.Keys(c.GPUModels)) {
			r, ok := cat.Index(g)
			if ok && c.GPUModels[g] > 0 && !priced(r) {
				add(key+".gpu_models."+g, "market %q prices %s at 0: its orders never clear (give %s a price)", m.Name(), g, g)
			}
		}
	}
}

// Thresholds of the plausibility warnings.
const (
	// warnLoadFactor: offered load above this multiple of the capacity
	// providers list at the start is warned about.
	warnLoadFactor = 10
	// warnSamples: more metric samples per replication than this are
	// warned about (Validate refuses more than 10,000,000).
	warnSamples = 1_000_000
)

// Warnings returns plausibility warnings about a validated scenario: values
// that are allowed but probably not what the author meant. Each names the
// key path ("key: message"); the order is fixed (sim, then provider
// cohorts in file order, then the market (tenant cohorts it cannot serve
// or whose selection policy it ignores), then the token layer (incentive programs,
// seasons, governance changes, the treasury), then tenant cohorts in file
// order, then offered load per resource in catalog order). It returns nil
// for a scenario whose [resources] do not validate.
//
// The estimates use means (Little's law for offered load: arrivals per day
// x mean lifetime in days x mean request, with each distribution's cap
// applied) and the arrival rate at the start (growth_per_year and
// daily_amplitude are ignored).
func (sc *Scenario) Warnings() []string {
	cat, err := agents.NewCatalog(sc.Resources)
	if err != nil {
		return nil
	}
	var warns []string
	add := func(key, format string, args ...any) {
		warns = append(warns, key+": "+fmt.Sprintf(format, args...))
	}

	horizon, every := sc.Sim.Horizon.T(), sc.Sim.SampleEvery.T()
	if every > 0 && horizon/every > warnSamples {
		add("sim.sample_every", "%v gives %s samples per replication over %v (more than %s; outputs get large)",
			every, commas(float64(horizon/every)), horizon, commas(warnSamples))
	}
	if sc.Sim.Replications == 1 {
		add("sim.replications", "1 replication gives no confidence interval across replications")
	}
	sc.providerWarnings(add)
	sc.marketWarnings(add, cat)
	sc.tokenomicsWarnings(add)

	n := cat.NumResources()
	capacity := make([]float64, n) // listed at the start: count x per-provider capacity
	listed := make([]bool, n)      // some cohort's providers have the resource
	for i := range sc.Providers {
		p := &sc.Providers[i]
		per := providerCapacity(p, cat)
		for r, k := range per {
			capacity[r] += float64(p.Count) * k
			listed[r] = listed[r] || k > 0
		}
	}

	load := make([]float64, n)      // offered load per resource, units in use
	loadFrom := make([][]string, n) // key paths of the cohorts it comes from
	for i := range sc.Tenants {
		c := &sc.Tenants[i]
		key := fmt.Sprintf("tenants[%d]", i)
		for _, m := range slices.Sorted(maps.Keys(c.GPUModels)) {
			if r, ok := cat.Index(m); ok && c.GPUModels[m] > 0 && !listed[r] {
				add(key+".gpu_models."+m, "no provider cohort has %s GPUs: these deployments can never be served", m)
			}
		}
		warns = append(warns, sc.unservable(i, cat)...)
		if w := c.SelectionWindow.T(); w >= bidTimeout {
			add(key+".selection_window", "%v is not shorter than the providers' %v bid timeout: bids can expire before the tenant selects, leaving orders with no bid", w, bidTimeout)
		}
		if c.Patience.T() < c.RetryEvery.T() {
			add(key+".patience", "%v is shorter than retry_every (%v): an order with no eligible bid is abandoned without a retry", c.Patience.T(), c.RetryEvery.T())
		}
		ratio := meanOf(c.MaxPriceRatio)
		for _, need := range sc.priceNeeds(c, cat) {
			switch {
			case math.IsInf(need.ratio, 1):
				add(key+".max_price_ratio", "the reference price of %s is 0, so the tenants' max price is 0 and no provider's ask fits under it", need.what)
			case ratio < need.ratio:
				add(key+".max_price_ratio", "mean %s is below %s, the cheapest provider cohort's (%s) typical ask over the reference price of %s: few bids would be within the tenants' max price",
					commas(ratio), commas(need.ratio), need.provider, need.what)
			}
		}
		lifeDays := meanOf(c.LifetimeHours) / 24
		if math.IsInf(lifeDays, 1) {
			add(key+".lifetime_hours", "a pareto lifetime with alpha <= 1 and no cap has an infinite mean: deployments pile up over the horizon")
			continue
		}
		for r, amount := range meanRequest(c, cat) {
			if l := c.ArrivalsPerDay * lifeDays * amount; l > 0 {
				load[r] += l
				loadFrom[r] = append(loadFrom[r], key)
			}
		}
	}

	for r := range load {
		if load[r] <= 0 || !listed[r] && r >= agents.ResGPU0 {
			continue // a GPU model no provider has: warned per cohort above
		}
		name, unit := resourceWords(cat, r)
		key := strings.Join(loadFrom[r], ", ")
		switch {
		case capacity[r] == 0:
			add(key, "offered %s load %s %s, but providers list none at the start", name, commas(load[r]), unit)
		case load[r] > warnLoadFactor*capacity[r]:
			add(key, "offered %s load %s %s is %sx the %s %s providers list at the start",
				name, commas(load[r]), unit, commas(load[r]/capacity[r]), commas(capacity[r]), unit)
		}
	}
	return warns
}

// providerWarnings warns about provider cohorts whose kind's churn rule
// cannot act: mercenaries that never leave, or with no season to come
// for, and fake capacity that is never detected.
func (sc *Scenario) providerWarnings(add func(key, format string, args ...any)) {
	horizon := sc.Sim.Horizon.T()
	for i := range sc.Providers {
		p := &sc.Providers[i]
		key := fmt.Sprintf("providers[%d]", i)
		switch p.Kind {
		case agents.KindMercenary:
			if len(sc.Tokenomics.Seasons) == 0 {
				add(key+".kind", "a mercenary cohort comes for an airdrop season, but the scenario has no [[tokenomics.seasons]]")
			}
			switch {
			case p.LeaveHazard == 0:
				add(key+".leave_hazard", "0: these mercenaries never leave by the mercenary rule (only when unprofitable, like organic providers)")
			case p.LeaveAfter.T() >= horizon:
				add(key+".leave_after", "%v is not before the horizon (%v): these mercenaries never leave by the mercenary rule in this run", p.LeaveAfter.T(), horizon)
			}
		case agents.KindFake:
			if p.DetectionProb == 0 {
				add(key+".detection_prob", "0: this fake capacity is never detected and stays listed for the whole run")
			}
		}
	}
}

// tokenomicsWarnings warns about token-layer entries that cannot act in
// the run: incentive programs outside the horizon or with an empty
// funding source, seasons whose claims are never paid or have no
// treasury to pay from, and governance changes after the horizon.
func (sc *Scenario) tokenomicsWarnings(add func(key, format string, args ...any)) {
	tp := &sc.Tokenomics
	horizon, epoch := sc.Sim.Horizon.T(), tp.Epoch.T()
	// firstEpoch is the first tokenomics epoch at or after t (the epoch at
	// the start, time 0, pays nothing: it opens the first interval).
	firstEpoch := func(t simtime.Time) simtime.Time {
		if epoch <= 0 {
			return t
		}
		k := (t + epoch - 1) / epoch
		return max(k, 1) * epoch
	}
	poolFilled := tp.CommunityPoolAKT > 0 ||
		tp.Inflation.Model == tokenomics.MintModelCosmos && tp.Inflation.CommunityTax > 0 && tp.Inflation.InflationMax > 0
	for _, r := range tp.TakeRate {
		poolFilled = poolFilled || r > 0
	}
	for _, g := range tp.Governance {
		// a change may start filling the pool
		poolFilled = poolFilled || strings.HasPrefix(g.Key, "tokenomics.take_rate.") || strings.HasPrefix(g.Key, "tokenomics.inflation.")
	}

	for i := range tp.Incentives {
		p := &tp.Incentives[i]
		key := fmt.Sprintf("tokenomics.incentives[%d]", i)
		switch start := p.Start.T(); {
		case start >= horizon:
			add(key+".start", "the program opens at %v, not before the horizon (%v): it pays nothing in this run", start, horizon)
		case firstEpoch(start+1) >= horizon:
			add(key+".start", "the program opens at %v, after the last tokenomics epoch before the horizon (%v; epochs every %v): it pays nothing in this run", start, horizon, epoch)
		}
		switch {
		case p.Funding == tokenomics.FundTreasury && tp.TreasuryAKT == 0:
			add(key+".funding", "%q, but tokenomics.treasury_akt is 0 and nothing refills the treasury: the program pays nothing", p.Funding)
		case p.Funding == tokenomics.FundCommunityPool && !poolFilled:
			add(key+".funding", "%q, but tokenomics.community_pool_akt is 0 and neither inflation (community_tax) nor a take rate fills the pool: the program pays nothing", p.Funding)
		}
	}

	pools := 0.0
	for i := range tp.Seasons {
		s := &tp.Seasons[i]
		key := fmt.Sprintf("tokenomics.seasons[%d]", i)
		if t := firstEpoch(s.ClaimAt.T()); t >= horizon {
			add(key+".claim_at", "claims are paid at the first tokenomics epoch at or after %v, which is not before the horizon (%v): claims never paid in this run",
				s.ClaimAt.T(), horizon)
		}
		if s.PoolTokens > 0 && tp.TreasuryAKT == 0 {
			add(key+".pool_tokens", "claims are paid from the treasury, but tokenomics.treasury_akt is 0: nothing is paid")
		}
		pools += s.PoolTokens
	}

	for i, g := range tp.Governance {
		if g.At.T() >= horizon {
			add(fmt.Sprintf("tokenomics.governance[%d].at", i), "%v is not before the horizon (%v): %s never changes in this run", g.At.T(), horizon, g.Key)
		}
	}
	if tp.TreasuryAKT > 0 && pools > tp.TreasuryAKT {
		add("tokenomics.treasury_akt", "%s AKT is less than the seasons' pools (%s): the last claims are cut", commas(tp.TreasuryAKT), commas(pools))
	}
}

// priceNeed is, for one kind of deployment of a tenant cohort, the
// smallest max_price_ratio that the cheapest provider cohort's typical ask
// fits under.
type priceNeed struct {
	what     string  // "cpu-only deployments", "h100 deployments"
	provider string  // the cheapest provider cohort's name
	ratio    float64 // its ask over the reference price (+Inf: reference 0)
}

// priceNeeds returns the tenant cohort's price needs, one per GPU model it
// asks for (sorted), or one for a CPU-only cohort. A provider cohort's
// typical unit ask is max(list x mean price multiplier, cost x mean cost
// multiplier x (1 + min_markup)), as agents.ProviderCohort.NewProfile
// draws it; only cohorts that have every resource the mean request needs
// count.
func (sc *Scenario) priceNeeds(c *agents.TenantCohort, cat *agents.Catalog) []priceNeed {
	type ask struct {
		name string
		unit []float64
		per  []float64 // capacity per provider
	}
	var asks []ask
	for i := range sc.Providers {
		p := &sc.Providers[i]
		list, cost := vectorOf(cat, p.PriceListUSDHour), vectorOf(cat, p.CostUSDHour)
		pm, cm := meanOf(p.PriceMultiplier), meanOf(p.CostMultiplier)
		unit := make([]float64, len(list))
		for r := range unit {
			unit[r] = math.Max(list[r]*pm, cost[r]*cm*(1+p.MinMarkup))
		}
		asks = append(asks, ask{p.Name, unit, providerCapacity(p, cat)})
	}
	cpu, mem := math.Max(0, meanOf(c.CPUCores)), math.Max(0, meanOf(c.MemoryGB))
	gpus := math.Max(1, meanOf(c.GPUs))
	var needs []priceNeed
	check := func(what string, amount []float64) {
		ref, best, bestName := 0.0, math.Inf(1), ""
		for r, a := range amount {
			ref += a * cat.Reference[r]
		}
		for _, a := range asks {
			price, fits := 0.0, true
			for r, x := range amount {
				if x > 0 && a.per[r] <= 0 {
					fits = false
					break
				}
				price += x * a.unit[r]
			}
			if fits && price < best {
				best, bestName = price, a.name
			}
		}
		if math.IsInf(best, 1) || best == 0 {
			return // no provider can hold it (warned elsewhere), or free
		}
		needs = append(needs, priceNeed{what: what, provider: bestName, ratio: best / ref})
	}
	amount := func(gpu int) []float64 {
		v := make([]float64, cat.NumResources())
		v[agents.ResCPU], v[agents.ResMemory] = cpu, mem
		if gpu >= 0 {
			v[gpu] = gpus
		}
		return v
	}
	if len(c.GPUModels) == 0 {
		check("cpu-only deployments", amount(-1))
		return needs
	}
	for _, m := range slices.Sorted(maps.Keys(c.GPUModels)) {
		if r, ok := cat.Index(m); ok && c.GPUModels[m] > 0 {
			check(m+" deployments", amount(r))
		}
	}
	return needs
}

// meanRequest returns a tenant cohort's mean request per resource: mean
// CPU cores and memory, and each GPU model's share of the mean GPU count.
func meanRequest(c *agents.TenantCohort, cat *agents.Catalog) []float64 {
	v := make([]float64, cat.NumResources())
	v[agents.ResCPU] = math.Max(0, meanOf(c.CPUCores))
	v[agents.ResMemory] = math.Max(0, meanOf(c.MemoryGB))
	total := 0.0
	models := slices.Sorted(maps.Keys(c.GPUModels))
	for _, m := range models {
		total += c.GPUModels[m]
	}
	if total <= 0 {
		return v
	}
	gpus := math.Max(1, meanOf(c.GPUs)) // a GPU deployment asks for at least 1
	for _, m := range models {
		if r, ok := cat.Index(m); ok {
			v[r] += gpus * c.GPUModels[m] / total
		}
	}
	return v
}

// providerCapacity returns one provider's capacity per resource.
func providerCapacity(p *agents.ProviderCohort, cat *agents.Catalog) []float64 {
	v := make([]float64, cat.NumResources())
	v[agents.ResCPU] = float64(p.CPUCores)
	v[agents.ResMemory] = float64(p.MemoryGB)
	for _, m := range slices.Sorted(maps.Keys(p.GPUs)) {
		if r, ok := cat.Index(m); ok && r >= agents.ResGPU0 {
			v[r] += float64(p.GPUs[m])
		}
	}
	return v
}

// vectorOf converts a per-resource-key table to a vector (unknown keys
// are skipped; Validate reports them).
func vectorOf(cat *agents.Catalog, m map[string]float64) []float64 {
	v := make([]float64, cat.NumResources())
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if r, ok := cat.Index(k); ok {
			v[r] = m[k]
		}
	}
	return v
}

// meanOf returns the mean of d's draws with its cap applied (draws above
// cap become cap): E[min(X, cap)]. Without a cap it is d.MeanValue().
func meanOf(d agents.Dist) float64 { return d.MeanCapped(math.Inf(1)) }

// resourceWords returns how warnings name resource r and its unit.
func resourceWords(cat *agents.Catalog, r int) (name, unit string) {
	switch r {
	case agents.ResCPU:
		return "CPU", "cores"
	case agents.ResMemory:
		return "memory", "GB"
	}
	return cat.Key(r), "GPUs"
}

// commas formats x rounded to an integer with thousands separators
// (12,345), or with 3 significant digits below 100.
func commas(x float64) string {
	if !(math.Abs(x) >= 100) || math.IsInf(x, 0) {
		return short(x)
	}
	s := strconv.FormatFloat(math.Round(math.Abs(x)), 'f', 0, 64)
	var b strings.Builder
	if x < 0 {
		b.WriteByte('-')
	}
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// short formats x with 3 significant digits.
func short(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }
