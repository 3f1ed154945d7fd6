package agents

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/simtime"
)

// ProviderCohort is a [[providers]] table: a group of providers with the
// same hardware, pricing and behaviour.
type ProviderCohort struct {
	// Name identifies the cohort (unique in a scenario).
	Name string `toml:"name"`
	// Kind is the cohort's kind (docs/model/competitors.md §8.2):
	//   - "organic": providers that stay while profitable;
	//   - "mercenary": providers that came for an airdrop season and, from
	//     LeaveAfter on, leave at each review with probability LeaveHazard
	//     (besides the profitability rule);
	//   - "fake": capacity that is listed (it counts in the network's
	//     totals and earns points and capacity rewards) but never serves a
	//     lease; at each review it is detected and removed with probability
	//     DetectionProb.
	Kind string `toml:"kind"`
	// LeaveAfter is when mercenary providers start leaving (duration from
	// the start; typically the end of the airdrop season).
	LeaveAfter simtime.Duration `toml:"leave_after"`
	// LeaveHazard is a mercenary provider's probability of leaving at each
	// review from LeaveAfter on, in [0, 1] (io.net lost about 58% of its
	// verified GPUs in one quarter after its seasons, about 25% a month;
	// competitors.md §1.8).
	LeaveHazard float64 `toml:"leave_hazard"`
	// DetectionProb is the probability that fake capacity is detected and
	// removed at each review, in [0, 1].
	DetectionProb float64 `toml:"detection_prob"`
	// Count is the number of providers at the start (or at EnterAt).
	Count int `toml:"count"`
	// EnterAt is when the cohort's initial providers list their capacity
	// (duration from the start; 0 = at the start).
	EnterAt simtime.Duration `toml:"enter_at"`
	// CPUCores is each provider's CPU cores.
	CPUCores int `toml:"cpu_cores"`
	// MemoryGB is each provider's memory in GB.
	MemoryGB int `toml:"memory_gb"`
	// GPUs is each provider's GPU count by model.
	GPUs map[string]int `toml:"gpus"`
	// CPUOnlyShare is the share of a GPU node's CPU cores and memory, in
	// [0, 1], that CPU-only orders (requests with no GPU) may hold at once,
	// leases and open bids together: at most floor(CPUOnlyShare x
	// capacity) cores and GB. GPU orders may use all of it. It applies
	// only to providers with at least one GPU; 1 (the default) reserves
	// nothing, as an Akash provider schedules any pod on any node unless
	// its operator taints the GPU nodes (docs/presets.md, "GPU nodes and
	// CPU-only work").
	CPUOnlyShare float64 `toml:"cpu_only_share"`
	// Region is the providers' region attribute (informational).
	Region string `toml:"region"`
	// AuditedFraction is the probability that a provider holds an
	// auditor's attestation (Akash x/audit), in [0, 1].
	AuditedFraction float64 `toml:"audited_fraction"`
	// Strategy is the bid strategy's name: "cost-plus" (the price list),
	// "adaptive-markup" (learns a markup from its win rate),
	// "undercut-median" (undercuts the recent median price), "equilibrium"
	// (the first-price Bayes-Nash bid, truthful under a second-price rule)
	// or "no-regret" (an EXP3 learner over markups over cost); see
	// strategy.go, equilibrium.go and noregret.go.
	Strategy string `toml:"strategy"`
	// MarkupStep is adaptive-markup's learning rate (dimensionless, > 0):
	// after each bid its markup m becomes m x exp(MarkupStep x (w -
	// TargetWinRate)), w = 1 if the bid won, else 0.
	MarkupStep float64 `toml:"markup_step"`
	// TargetWinRate is the share of its bids an adaptive-markup provider
	// aims to win, in (0, 1).
	TargetWinRate float64 `toml:"target_win_rate"`
	// MarkupMax bounds adaptive-markup's markup m (a multiple of the
	// provider's asks, >= 1) to [1 / MarkupMax, MarkupMax]; for no-regret
	// it is the highest markup over cost (a multiple of the cost, >= 1 +
	// MinMarkup).
	MarkupMax float64 `toml:"markup_max"`
	// MarkupArms is the number of markups over cost a no-regret provider
	// chooses among, in [1, 1000]: geometric from 1 + MinMarkup to
	// MarkupMax.
	MarkupArms int `toml:"markup_arms"`
	// LearningRate is no-regret's learning rate eta (per unit of
	// normalised reward, in (0, 1]): the played arm's weight is multiplied
	// by exp(eta x reward / its probability).
	LearningRate float64 `toml:"learning_rate"`
	// Exploration is no-regret's exploration gamma, in (0, 1]: the share
	// of its draws spread uniformly over the arms.
	Exploration float64 `toml:"exploration"`
	// Undercut is the fraction by which an undercut-median provider bids
	// below the recent median price, in [0, 0.9].
	Undercut float64 `toml:"undercut"`
	// ExpectedBidders is the number of bidders per order, n >= 2, an
	// equilibrium provider expects (its competitors are n - 1 draws of its
	// own cohort's costs); 0 (the default) means auto: order by order, the
	// providers that respond to the order (MarketView.Bidders), else the
	// providers at the start of every non-fake cohort, capped by the
	// mechanism's max_bids (DefaultBidders).
	ExpectedBidders int `toml:"expected_bidders"`
	// PriceListUSDHour is the list price per unit-hour by resource key
	// (cpu per core, memory_gb per GB, a GPU model per GPU): the Helm bid
	// script's defaults (akash.md §6) converted at 730 h per month.
	PriceListUSDHour map[string]float64 `toml:"price_list_usd_hour"`
	// PriceMultiplier scales each provider's list (drawn once per
	// provider; akash.md "Model spec" §E suggests lognormal, sigma 0.25).
	PriceMultiplier Dist `toml:"price_multiplier"`
	// CostUSDHour is the operating cost per unit-hour of capacity, leased
	// or idle, by resource key.
	CostUSDHour map[string]float64 `toml:"cost_usd_hour"`
	// CostMultiplier scales each provider's costs (drawn once per provider).
	CostMultiplier Dist `toml:"cost_multiplier"`
	// MinMarkup is the smallest margin over cost a provider asks (a
	// fraction, >= 0): its unit ask is max(list price x multiplier, cost x
	// (1 + MinMarkup)), and no strategy quotes a request below its cost x
	// (1 + MinMarkup).
	MinMarkup float64 `toml:"min_markup"`
	// WithdrawEvery is how often providers withdraw lease earnings
	// (provider daemon --withdrawal-period, 24 h; akash.md §2).
	WithdrawEvery simtime.Duration `toml:"withdraw_every"`
	// LeaseCloseRatePerDay is the rate at which a provider closes one of
	// its leases (instability, maintenance), per lease-day.
	LeaseCloseRatePerDay float64 `toml:"lease_close_rate_per_day"`
	// BalanceAKT is each provider's AKT wallet at entry, for bid deposits.
	BalanceAKT float64 `toml:"balance_akt"`
	// StakePerGPU is the device stake each provider locks per listed GPU
	// while it is in the market, in whole tokens, bought from holders at
	// entry and sold back at exit; detected fake capacity loses it (burned).
	// io.net: 200 IO x max(1, hardware multiplier) per GPU (competitors.md
	// §1.7).
	StakePerGPU float64 `toml:"stake_per_gpu"`
	// EntriesPerDay is the rate of candidate new providers of this cohort
	// (Poisson). A candidate enters if the market looks profitable.
	EntriesPerDay float64 `toml:"entries_per_day"`
	// EntryThreshold: a candidate enters when the expected revenue of its
	// capacity (network utilization x its asks) is at least EntryThreshold
	// times its cost.
	EntryThreshold float64 `toml:"entry_threshold"`
	// ReviewEvery is how often a provider reviews its profitability.
	ReviewEvery simtime.Duration `toml:"review_every"`
	// ReviewWindow is the period whose income a review compares with the
	// cost over it (the last ReviewWindow, rounded up to whole review
	// periods; at least ReviewEvery).
	ReviewWindow simtime.Duration `toml:"review_window"`
	// MinTenure is the time after entry before the first review can exit.
	MinTenure simtime.Duration `toml:"min_tenure"`
	// ExitThreshold: at a review, a provider whose income over the review
	// period is below ExitThreshold times its cost over it is unprofitable.
	ExitThreshold float64 `toml:"exit_threshold"`
	// ExitHazard is the probability that an unprofitable provider leaves at
	// a review, in [0, 1].
	ExitHazard float64 `toml:"exit_hazard"`
	// MaxProviders caps the cohort's size (0: no cap).
	MaxProviders int `toml:"max_providers"`
}

// DefaultProviderCohort returns the defaults of a [[providers]] table.
func DefaultProviderCohort() ProviderCohort {
	return ProviderCohort{
		Kind:            "organic",
		Strategy:        CostPlusName,
		MarkupStep:      0.05,
		TargetWinRate:   0.5,
		MarkupMax:       3,
		MarkupArms:      10,
		LearningRate:    0.01,
		Exploration:     0.1,
		Undercut:        0.05,
		CPUOnlyShare:    1,
		PriceMultiplier: Const(1),
		CostMultiplier:  Const(1),
		MinMarkup:       0,
		WithdrawEvery:   simtime.Duration(24 * simtime.Hour),
		BalanceAKT:      100,
		EntryThreshold:  1.2,
		ReviewEvery:     simtime.Duration(7 * simtime.Day),
		ReviewWindow:    simtime.Duration(28 * simtime.Day),
		MinTenure:       simtime.Duration(30 * simtime.Day),
		ExitThreshold:   1.0,
		ExitHazard:      0.1,
	}
}

// ProviderKinds lists the cohort kinds.
var ProviderKinds = []string{"organic", "mercenary", "fake"}

// Kinds of provider cohorts.
const (
	KindOrganic   = "organic"
	KindMercenary = "mercenary"
	KindFake      = "fake"
)

// Validate checks the cohort against the catalog; errors name the key.
func (c *ProviderCohort) Validate(cat *Catalog) error {
	if strings.TrimSpace(c.Name) == "" {
		return fmt.Errorf("name: must be a non-empty string")
	}
	if !contains(ProviderKinds, c.Kind) {
		return fmt.Errorf("kind: must be one of %q, got %q", ProviderKinds, c.Kind)
	}
	if err := c.validateStrategy(); err != nil {
		return err
	}
	ints := []struct {
		key string
		v   int
	}{{"count", c.Count}, {"cpu_cores", c.CPUCores}, {"memory_gb", c.MemoryGB}, {"max_providers", c.MaxProviders}}
	for _, x := range ints {
		if x.v < 0 || x.v > 1<<24 {
			return fmt.Errorf("%s: must be in [0, %d], got %d", x.key, 1<<24, x.v)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(c.GPUs)) {
		if _, ok := cat.Index(m); !ok || m == KeyCPU || m == KeyMemory {
			return fmt.Errorf("gpus.%s: unknown GPU model (known: %v)", m, cat.GPUModels)
		}
		if n := c.GPUs[m]; n < 0 || n > 1<<16 {
			return fmt.Errorf("gpus.%s: must be in [0, 65536], got %d", m, n)
		}
	}
	if _, err := cat.vector("price_list_usd_hour", c.PriceListUSDHour); err != nil {
		return err
	}
	if _, err := cat.vector("cost_usd_hour", c.CostUSDHour); err != nil {
		return err
	}
	if err := c.PriceMultiplier.Validate(); err != nil {
		return fmt.Errorf("price_multiplier.%v", err)
	}
	if err := c.CostMultiplier.Validate(); err != nil {
		return fmt.Errorf("cost_multiplier.%v", err)
	}
	fracs := []struct {
		key string
		v   float64
	}{{"audited_fraction", c.AuditedFraction}, {"exit_hazard", c.ExitHazard}, {"leave_hazard", c.LeaveHazard}, {"detection_prob", c.DetectionProb}, {"cpu_only_share", c.CPUOnlyShare}}
	for _, x := range fracs {
		if !(x.v >= 0 && x.v <= 1) {
			return fmt.Errorf("%s: must be in [0, 1], got %v", x.key, x.v)
		}
	}
	nonneg := []struct {
		key string
		v   float64
	}{{"min_markup", c.MinMarkup}, {"lease_close_rate_per_day", c.LeaseCloseRatePerDay}, {"balance_akt", c.BalanceAKT}, {"stake_per_gpu", c.StakePerGPU},
		{"entries_per_day", c.EntriesPerDay}, {"entry_threshold", c.EntryThreshold}, {"exit_threshold", c.ExitThreshold}}
	for _, x := range nonneg {
		if !(x.v >= 0) || math.IsInf(x.v, 0) || x.v > 1e9 {
			return fmt.Errorf("%s: must be in [0, 1e9], got %v", x.key, x.v)
		}
	}
	if c.WithdrawEvery.T() < simtime.Minute {
		return fmt.Errorf("withdraw_every: must be >= 1m, got %v", c.WithdrawEvery.T())
	}
	if c.ReviewEvery.T() < simtime.Hour {
		return fmt.Errorf("review_every: must be >= 1h, got %v", c.ReviewEvery.T())
	}
	if c.ReviewWindow.T() < c.ReviewEvery.T() || c.ReviewWindow.T() > 1000*c.ReviewEvery.T() {
		return fmt.Errorf("review_window: must be in [review_every (%v), 1000 x review_every], got %v", c.ReviewEvery.T(), c.ReviewWindow.T())
	}
	return nil
}

// Profile is one provider's fixed characteristics, drawn at entry.
type Profile struct {
	// Cohort is the index of the provider's cohort.
	Cohort int
	// Capacity is the amount of each resource (by resource index).
	Capacity []int32
	// Ask is the unit ask per resource in USD per unit-hour.
	Ask []float64
	// Cost is the cost per resource in USD per unit-hour.
	Cost []float64
	// Audited tells whether the provider is audited.
	Audited bool
}

// NewProfile draws a provider of cohort c (index ci) using rng: its audit
// status, price multiplier and cost multiplier, in that order.
func (c *ProviderCohort) NewProfile(ci int, cat *Catalog, rng *rand.Rand) Profile {
	n := cat.NumResources()
	p := Profile{Cohort: ci, Capacity: make([]int32, n), Ask: make([]float64, n), Cost: make([]float64, n)}
	p.Capacity[ResCPU] = int32(c.CPUCores)
	p.Capacity[ResMemory] = int32(c.MemoryGB)
	for m, k := range c.GPUs {
		r, _ := cat.Index(m)
		p.Capacity[r] = int32(k)
	}
	p.Audited = rng.Float64() < c.AuditedFraction
	pm := c.PriceMultiplier.Sample(rng)
	cm := c.CostMultiplier.Sample(rng)
	list, _ := cat.vector("price_list_usd_hour", c.PriceListUSDHour)
	cost, _ := cat.vector("cost_usd_hour", c.CostUSDHour)
	for r := range p.Ask {
		p.Cost[r] = cost[r] * cm
		p.Ask[r] = math.Max(list[r]*pm, p.Cost[r]*(1+c.MinMarkup))
	}
	return p
}

// CPUOnlyLimit returns how many units of capacity (CPU cores or GB of
// memory) CPU-only orders may hold at once on a provider of this cohort
// whose profile is p: floor(CPUOnlyShare x capacity) on a GPU node,
// capacity itself otherwise (and when CPUOnlyShare is 1).
func (c *ProviderCohort) CPUOnlyLimit(p *Profile, capacity int32) int32 {
	if c.CPUOnlyShare >= 1 || !p.HasGPU() {
		return capacity
	}
	return int32(math.Floor(max(c.CPUOnlyShare, 0) * float64(capacity)))
}

// HasGPU reports whether the profile lists at least one GPU.
func (p *Profile) HasGPU() bool {
	for r := ResGPU0; r < len(p.Capacity); r++ {
		if p.Capacity[r] > 0 {
			return true
		}
	}
	return false
}

// CostPerHour returns the provider's cost of its whole capacity per hour.
func (p *Profile) CostPerHour() float64 {
	s := 0.0
	for r, k := range p.Capacity {
		s += float64(k) * p.Cost[r]
	}
	return s
}

// CanServe reports whether the capacity could ever hold req.
func (p *Profile) CanServe(req *Request) bool {
	for r := range p.Capacity {
		if req.Amount(r) > p.Capacity[r] {
			return false
		}
	}
	return true
}

// ReviewPeriods returns how many review periods the review window spans.
func (c *ProviderCohort) ReviewPeriods() int {
	e := c.ReviewEvery.T()
	return int((c.ReviewWindow.T() + e - 1) / e)
}

// ShouldExit is the profitability rule at a review: a provider whose
// income over the review window is below ExitThreshold times its cost leaves with
// probability ExitHazard. It draws from rng only when unprofitable.
func (c *ProviderCohort) ShouldExit(incomeUSD, costUSD float64, rng *rand.Rand) bool {
	if incomeUSD >= c.ExitThreshold*costUSD {
		return false
	}
	return rng.Float64() < c.ExitHazard
}

// ShouldLeave is the churn rule of the non-organic kinds, applied at each
// review before the profitability rule: fake capacity is detected with
// probability DetectionProb; a mercenary leaves with probability
// LeaveHazard once sinceStart >= LeaveAfter. Organic providers never leave
// by it. It draws from rng only when the rule applies.
func (c *ProviderCohort) ShouldLeave(sinceStart simtime.Time, rng *rand.Rand) bool {
	switch c.Kind {
	case KindFake:
		return rng.Float64() < c.DetectionProb
	case KindMercenary:
		return sinceStart >= c.LeaveAfter.T() && rng.Float64() < c.LeaveHazard
	}
	return false
}

// ShouldEnter is the entry rule: a candidate enters when the revenue its
// capacity would earn at the current utilization and its own asks, plus
// the token income (emissions, subsidies) the cohort's providers earn per
// listed GPU-hour times its GPUs, is at least EntryThreshold times its
// cost. util is indexed by resource; tokenIncomeUSDPerGPUHour is in USD at
// the current token price.
func (c *ProviderCohort) ShouldEnter(p *Profile, util []float64, tokenIncomeUSDPerGPUHour float64) bool {
	rev := 0.0
	for r := ResGPU0; r < len(p.Capacity); r++ {
		rev += float64(p.Capacity[r]) * tokenIncomeUSDPerGPUHour
	}
	for r, k := range p.Capacity {
		u := util[r]
		if math.IsNaN(u) {
			u = 0
		}
		rev += float64(k) * u * p.Ask[r]
	}
	return rev >= c.EntryThreshold*p.CostPerHour()
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
