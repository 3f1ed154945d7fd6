package tokenomics

import (
	"fmt"
	"math"
	"strings"

	"github.com/depinsim/depinsim/simtime"
)

// The incentive-program modes accepted by IncentiveProgram.Mode.
const (
	// IncentivePerGPUHour pays a fixed USD amount per listed (committed)
	// GPU-hour, as the AEP-26 Provider Incentive Pilot's committed pool
	// did (docs/model/akash.md §7; "Model spec" §D.18).
	IncentivePerGPUHour = "per-gpu-hour"
	// IncentiveGuaranteedUtilization tops a provider up to a target
	// utilization, paying only the shortfall (the 2025 sig-economics
	// proposal, akash.md §7; a concept that never went live).
	IncentiveGuaranteedUtilization = "guaranteed-utilization"
)

// The funding sources accepted by IncentiveProgram.Funding.
const (
	// FundCommunityPool pays from the community pool, as AEP-26 and its
	// successors did (akash.md §7).
	FundCommunityPool = "community-pool"
	// FundTreasury pays from a foundation or protocol treasury.
	FundTreasury = "treasury"
)

// DefaultTargetUtilization is the utilization the guaranteed mode tops up
// to: 60% in the 2025 proposal (akash.md §7, AKT-community
// sig-economics/meetings/025-2025-03-19.md).
const DefaultTargetUtilization = 0.6

// maxIncentiveSpan bounds program start and duration so that Start +
// Duration cannot overflow simulated time.
const maxIncentiveSpan = 100 * simtime.Year

// IncentiveProgram is one [[tokenomics.incentives]] table: a program that
// pays USD-denominated subsidies to the providers of some cohorts during
// a window, up to a budget.
type IncentiveProgram struct {
	// Name identifies the program in outputs ("aep-26-committed").
	Name string `toml:"name"`
	// Cohorts are the provider cohort names the program pays; the
	// scenario layer checks them against its cohorts.
	Cohorts []string `toml:"cohorts"`
	// Mode is "per-gpu-hour" (pay for listed GPUs) or
	// "guaranteed-utilization" (pay the utilization shortfall).
	Mode string `toml:"mode"`
	// USDPerGPUHour is the per-gpu-hour rate in USD per GPU-hour (AEP-26:
	// H100 2.49, A100-80GB 1.69, RTX A6000 0.98; akash.md §7).
	USDPerGPUHour float64 `toml:"usd_per_gpu_hour"`
	// TargetUtilization is the guaranteed mode's target utilization u*, a
	// fraction in (0, 1] (0.6 in the 2025 proposal): the program pays
	// max(0, u* − u)·price·capacity.
	TargetUtilization float64 `toml:"target_utilization"`
	// Start is when the program opens, from the scenario start.
	Start simtime.Duration `toml:"start"`
	// Duration is how long it runs (AEP-26: about 120 days).
	Duration simtime.Duration `toml:"duration"`
	// BudgetUSD is the total USD the program may pay (AEP-26: $5,000,000
	// over about 120 days).
	BudgetUSD float64 `toml:"budget_usd"`
	// Funding is where payments come from: "community-pool" or
	// "treasury".
	Funding string `toml:"funding"`
}

// Validate checks one program. Errors start with the key inside the
// table ("mode: ..."), because a program does not know its index;
// ValidateIncentives adds the "tokenomics.incentives[i]." prefix. The
// caps on the rate ($1,000 per GPU-hour), start and duration (100 years)
// and budget (1e15 USD) are sanity bounds, not model facts.
func (p *IncentiveProgram) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("name: must be a non-empty name")
	}
	if len(p.Cohorts) == 0 {
		return fmt.Errorf("cohorts: must list at least one provider cohort")
	}
	for i, c := range p.Cohorts {
		if strings.TrimSpace(c) == "" {
			return fmt.Errorf("cohorts[%d]: must be a cohort name, got %q", i, c)
		}
		for j := range i {
			if p.Cohorts[j] == c {
				return fmt.Errorf("cohorts[%d]: duplicate cohort %q", i, c)
			}
		}
	}
	switch p.Mode {
	case IncentivePerGPUHour:
		if !(p.USDPerGPUHour > 0 && p.USDPerGPUHour <= 1000) {
			return fmt.Errorf("usd_per_gpu_hour: must be in (0, 1000] USD per GPU-hour in mode %q, got %v", p.Mode, p.USDPerGPUHour)
		}
	case IncentiveGuaranteedUtilization:
		if !(p.TargetUtilization > 0 && p.TargetUtilization <= 1) {
			return fmt.Errorf("target_utilization: must be a fraction in (0, 1] in mode %q (the 2025 proposal used %v), got %v", p.Mode, DefaultTargetUtilization, p.TargetUtilization)
		}
	default:
		return fmt.Errorf("mode: unknown mode %q (allowed: %s, %s)", p.Mode, IncentiveGuaranteedUtilization, IncentivePerGPUHour)
	}
	if !(p.Start >= 0 && p.Start <= simtime.Duration(maxIncentiveSpan)) {
		return fmt.Errorf("start: must be in [0, %s], got %s", maxIncentiveSpan, simtime.Time(p.Start))
	}
	if !(p.Duration > 0 && p.Duration <= simtime.Duration(maxIncentiveSpan)) {
		return fmt.Errorf("duration: must be in (0, %s], got %s", maxIncentiveSpan, simtime.Time(p.Duration))
	}
	if !(p.BudgetUSD > 0 && p.BudgetUSD < 1e15) {
		return fmt.Errorf("budget_usd: must be in (0, 1e15) USD, got %v", p.BudgetUSD)
	}
	switch p.Funding {
	case FundCommunityPool, FundTreasury:
	default:
		return fmt.Errorf("funding: unknown source %q (allowed: %s, %s)", p.Funding, FundCommunityPool, FundTreasury)
	}
	return nil
}

// ValidateIncentives validates each program, naming errors
// "tokenomics.incentives[i].key: ...", and checks that names are unique.
func ValidateIncentives(programs []IncentiveProgram) error {
	for i := range programs {
		if err := programs[i].Validate(); err != nil {
			return fmt.Errorf("tokenomics.incentives[%d].%w", i, err)
		}
		for j := range i {
			if programs[j].Name == programs[i].Name {
				return fmt.Errorf("tokenomics.incentives[%d].name: duplicate name %q (also incentives[%d])", i, programs[i].Name, j)
			}
		}
	}
	return nil
}

// End returns when the program closes: Start + Duration, from the
// scenario start.
func (p *IncentiveProgram) End() simtime.Time { return p.Start.T() + p.Duration.T() }

// Active reports whether t is inside the program window [Start, End).
func (p *IncentiveProgram) Active(t simtime.Time) bool {
	return t >= p.Start.T() && t < p.End()
}

// Hours returns the hours of [from, to) that fall inside the program
// window [Start, End); 0 when they do not overlap.
func (p *IncentiveProgram) Hours(from, to simtime.Time) float64 {
	return spanOverlapHours(from, to, p.Start.T(), p.End())
}

// Payout returns the USD owed to one provider over [from, to), counting
// only the part inside the program window:
//
//   - per-gpu-hour: gpus·USDPerGPUHour·hours;
//   - guaranteed-utilization: max(0, TargetUtilization − utilization)·
//     priceUSDPerGPUHour·gpus·hours.
//
// gpus is the provider's listed GPU count, utilization its time-weighted
// fraction of those GPUs leased over the interval (clamped to [0, 1]),
// and priceUSDPerGPUHour the reference price in USD per GPU-hour (used
// only by the guaranteed mode). The budget is not applied here: the
// caller caps each payment with Cap and converts USD to tokens at the
// current price. Negative gpus or price, NaN inputs, or to < from panic:
// they are bugs in the caller.
func (p *IncentiveProgram) Payout(from, to simtime.Time, gpus int, utilization, priceUSDPerGPUHour float64) float64 {
	if to < from || gpus < 0 || math.IsNaN(utilization) || !(priceUSDPerGPUHour >= 0) || math.IsInf(priceUSDPerGPUHour, 0) {
		panic(fmt.Sprintf("tokenomics: incentive %s payout over [%d, %d) for %d GPUs at utilization %v, price %v", p.Name, from, to, gpus, utilization, priceUSDPerGPUHour))
	}
	h := p.Hours(from, to)
	if h == 0 || gpus == 0 {
		return 0
	}
	switch p.Mode {
	case IncentivePerGPUHour:
		return float64(gpus) * p.USDPerGPUHour * h
	case IncentiveGuaranteedUtilization:
		u := min(max(utilization, 0), 1)
		short := p.TargetUtilization - u
		if short <= 0 {
			return 0
		}
		return short * priceUSDPerGPUHour * float64(gpus) * h
	}
	panic("tokenomics: incentive " + p.Name + " has unknown mode " + p.Mode)
}

// Cap returns the part of owedUSD the program can still pay after paying
// paidUSD so far: min(owedUSD, BudgetUSD − paidUSD), and never below 0.
func (p *IncentiveProgram) Cap(owedUSD, paidUSD float64) float64 {
	return max(0, min(owedUSD, p.BudgetUSD-paidUSD))
}

// spanOverlapHours returns the length in hours of [from, to) ∩ [lo, hi).
func spanOverlapHours(from, to, lo, hi simtime.Time) float64 {
	a, b := max(from, lo), min(to, hi)
	if b <= a {
		return 0
	}
	return (b - a).Hours()
}
