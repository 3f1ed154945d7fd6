package tokenomics_test

import (
	"math"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

const pipDay = simtime.Day

func perGPU(rate float64) tokenomics.IncentiveProgram {
	return tokenomics.IncentiveProgram{
		Name: "pip", Cohorts: []string{"dc"}, Mode: tokenomics.IncentivePerGPUHour,
		USDPerGPUHour: rate, Start: simtime.Duration(10 * pipDay), Duration: simtime.Duration(120 * pipDay),
		BudgetUSD: 5_000_000, Funding: tokenomics.FundCommunityPool,
	}
}

func guaranteed(target float64) tokenomics.IncentiveProgram {
	p := perGPU(0)
	p.Mode, p.TargetUtilization = tokenomics.IncentiveGuaranteedUtilization, target
	return p
}

func TestIncentiveValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*tokenomics.IncentiveProgram)
		want string
	}{
		{"ok", func(*tokenomics.IncentiveProgram) {}, ""},
		{"guaranteed ok", func(p *tokenomics.IncentiveProgram) { *p = guaranteed(0.6) }, ""},
		{"no name", func(p *tokenomics.IncentiveProgram) { p.Name = " " }, "name: must be a non-empty name"},
		{"no cohorts", func(p *tokenomics.IncentiveProgram) { p.Cohorts = nil }, "cohorts: must list at least one provider cohort"},
		{"empty cohort", func(p *tokenomics.IncentiveProgram) { p.Cohorts = []string{"a", ""} }, `cohorts[1]: must be a cohort name, got ""`},
		{"duplicate cohort", func(p *tokenomics.IncentiveProgram) { p.Cohorts = []string{"a", "b", "a"} }, `cohorts[2]: duplicate cohort "a"`},
		{"mode", func(p *tokenomics.IncentiveProgram) { p.Mode = "lease" }, `mode: unknown mode "lease" (allowed: guaranteed-utilization, per-gpu-hour)`},
		{"rate", func(p *tokenomics.IncentiveProgram) { p.USDPerGPUHour = 0 }, `usd_per_gpu_hour: must be in (0, 1000] USD per GPU-hour in mode "per-gpu-hour", got 0`},
		{"target zero", func(p *tokenomics.IncentiveProgram) { *p = guaranteed(0) }, `target_utilization: must be a fraction in (0, 1] in mode "guaranteed-utilization" (the 2025 proposal used 0.6), got 0`},
		{"target above one", func(p *tokenomics.IncentiveProgram) { *p = guaranteed(1.2) }, `target_utilization: must be a fraction in (0, 1] in mode "guaranteed-utilization" (the 2025 proposal used 0.6), got 1.2`},
		{"start", func(p *tokenomics.IncentiveProgram) { p.Start = -1 }, "start: must be in [0, 100y], got -1ns"},
		{"duration", func(p *tokenomics.IncentiveProgram) { p.Duration = 0 }, "duration: must be in (0, 100y], got 0s"},
		{"budget", func(p *tokenomics.IncentiveProgram) { p.BudgetUSD = math.NaN() }, "budget_usd: must be in (0, 1e15) USD, got NaN"},
		{"funding", func(p *tokenomics.IncentiveProgram) { p.Funding = "inflation" }, `funding: unknown source "inflation" (allowed: community-pool, treasury)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := perGPU(2.49)
			c.edit(&p)
			err := p.Validate()
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, c.want)
		})
	}
}

func TestValidateIncentives(t *testing.T) {
	a, b := perGPU(1), perGPU(2)
	b.Name = "pip2"
	require.NoError(t, tokenomics.ValidateIncentives([]tokenomics.IncentiveProgram{a, b}))
	b.Funding = ""
	assert.EqualError(t, tokenomics.ValidateIncentives([]tokenomics.IncentiveProgram{a, b}),
		`tokenomics.incentives[1].funding: unknown source "" (allowed: community-pool, treasury)`)
	assert.EqualError(t, tokenomics.ValidateIncentives([]tokenomics.IncentiveProgram{a, b, a}),
		`tokenomics.incentives[1].funding: unknown source "" (allowed: community-pool, treasury)`)
	b.Funding = tokenomics.FundTreasury
	assert.EqualError(t, tokenomics.ValidateIncentives([]tokenomics.IncentiveProgram{a, b, a}),
		`tokenomics.incentives[2].name: duplicate name "pip" (also incentives[0])`)
	assert.NoError(t, tokenomics.ValidateIncentives(nil))
}

func TestIncentiveTOML(t *testing.T) {
	var doc struct {
		Tokenomics struct {
			Incentives []tokenomics.IncentiveProgram `toml:"incentives"`
		} `toml:"tokenomics"`
	}
	md, err := toml.Decode(`
[[tokenomics.incentives]]
name = "aep-26-h100"
cohorts = ["h100-dc"]
mode = "per-gpu-hour"
usd_per_gpu_hour = 2.49
start = "30d"
duration = "120d"
budget_usd = 5_000_000
funding = "community-pool"

[[tokenomics.incentives]]
name = "topup"
cohorts = ["a", "b"]
mode = "guaranteed-utilization"
target_utilization = 0.6
duration = "1y"
budget_usd = 1e6
funding = "treasury"
`, &doc)
	require.NoError(t, err)
	assert.Empty(t, md.Undecoded())
	require.Len(t, doc.Tokenomics.Incentives, 2)
	h := doc.Tokenomics.Incentives[0]
	assert.Equal(t, simtime.Duration(30*pipDay), h.Start)
	assert.Equal(t, simtime.Duration(120*pipDay), h.Duration)
	assert.Equal(t, 2.49, h.USDPerGPUHour)
	assert.Equal(t, []string{"a", "b"}, doc.Tokenomics.Incentives[1].Cohorts)
	assert.NoError(t, tokenomics.ValidateIncentives(doc.Tokenomics.Incentives))
}

func TestIncentiveWindow(t *testing.T) {
	p := perGPU(1) // [10d, 130d)
	assert.Equal(t, 130*pipDay, p.End())
	for _, c := range []struct {
		at   simtime.Time
		want bool
	}{{0, false}, {10*pipDay - 1, false}, {10 * pipDay, true}, {70 * pipDay, true}, {130*pipDay - 1, true}, {130 * pipDay, false}, {simtime.Never, false}} {
		assert.Equal(t, c.want, p.Active(c.at), "at %d", c.at)
	}
}

func TestIncentivePayout(t *testing.T) {
	pg := perGPU(2.0)     // [10d, 130d), $2/GPU-h
	gu := guaranteed(0.6) // same window
	cases := []struct {
		name     string
		p        tokenomics.IncentiveProgram
		from, to simtime.Time
		gpus     int
		u, price float64
		want     float64
	}{
		{"inside", pg, 20 * pipDay, 21 * pipDay, 8, 0.3, 1.5, 8 * 2 * 24},
		{"utilization ignored", pg, 20 * pipDay, 21 * pipDay, 8, 1, 0, 8 * 2 * 24},
		{"before window", pg, 0, 10 * pipDay, 8, 0, 0, 0},
		{"straddles start", pg, 9 * pipDay, 11 * pipDay, 1, 0, 0, 2 * 24},
		{"starts at start", pg, 10 * pipDay, 10*pipDay + simtime.Hour, 3, 0, 0, 3 * 2},
		{"straddles end", pg, 129 * pipDay, 131 * pipDay, 1, 0, 0, 2 * 24},
		{"ends at end", pg, 130*pipDay - simtime.Hour, 130 * pipDay, 1, 0, 0, 2},
		{"at end", pg, 130 * pipDay, 131 * pipDay, 1, 0, 0, 0},
		{"covers window", pg, 0, 365 * pipDay, 1, 0, 0, 2 * 24 * 120},
		{"empty interval", pg, 20 * pipDay, 20 * pipDay, 5, 0, 0, 0},
		{"no gpus", pg, 20 * pipDay, 21 * pipDay, 0, 0, 0, 0},
		{"half hour", pg, 20 * pipDay, 20*pipDay + 30*simtime.Minute, 1, 0, 0, 1},
		{"guaranteed idle", gu, 20 * pipDay, 21 * pipDay, 10, 0, 2.5, 0.6 * 2.5 * 10 * 24},
		{"guaranteed shortfall", gu, 20 * pipDay, 21 * pipDay, 10, 0.45, 2, (0.6 - 0.45) * 2 * 10 * 24},
		{"guaranteed at target", gu, 20 * pipDay, 21 * pipDay, 10, 0.6, 2, 0},
		{"guaranteed above target", gu, 20 * pipDay, 21 * pipDay, 10, 0.9, 2, 0},
		{"guaranteed full", gu, 20 * pipDay, 21 * pipDay, 10, 1.0, 2, 0},
		{"guaranteed above one clamps", gu, 20 * pipDay, 21 * pipDay, 10, 1.2, 2, 0},
		{"guaranteed negative clamps", gu, 20 * pipDay, 21 * pipDay, 1, -0.5, 2, 0.6 * 2 * 24},
		{"guaranteed outside window", gu, 200 * pipDay, 201 * pipDay, 10, 0, 2, 0},
		{"guaranteed straddles end", gu, 129 * pipDay, 131 * pipDay, 1, 0.5, 3, (0.6 - 0.5) * 3 * 24},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.InDelta(t, c.want, c.p.Payout(c.from, c.to, c.gpus, c.u, c.price), 1e-9)
		})
	}
}

func TestIncentivePayoutPanics(t *testing.T) {
	p := perGPU(1)
	assert.Panics(t, func() { p.Payout(2*pipDay, pipDay, 1, 0, 0) })
	assert.Panics(t, func() { p.Payout(0, pipDay, -1, 0, 0) })
	assert.Panics(t, func() { p.Payout(0, pipDay, 1, math.NaN(), 0) })
	assert.Panics(t, func() { p.Payout(0, pipDay, 1, 0, -1) })
	assert.Panics(t, func() { p.Payout(0, pipDay, 1, 0, math.Inf(1)) })
}

func TestIncentiveCap(t *testing.T) {
	p := perGPU(1)
	p.BudgetUSD = 1000
	for _, c := range []struct{ owed, paid, want float64 }{
		{100, 0, 100},
		{100, 900, 100},
		{100, 950, 50},
		{100, 1000, 0},
		{100, 1200, 0}, // overpaid already: nothing more, never negative
		{0, 500, 0},
	} {
		assert.Equal(t, c.want, p.Cap(c.owed, c.paid), "owed %v paid %v", c.owed, c.paid)
	}

	// Paying daily until the budget runs out pays exactly the budget.
	p.BudgetUSD = 10_000
	var paid float64
	var lastPaidDay int
	for d := range 200 {
		from := simtime.Time(d) * pipDay
		owed := p.Payout(from, from+pipDay, 10, 0, 0) // 10 GPUs at $1/h: $240 a pipDay
		got := p.Cap(owed, paid)
		if got > 0 {
			lastPaidDay = d
		}
		paid += got
	}
	assert.Equal(t, 10_000.0, paid)
	assert.Equal(t, 10+41, lastPaidDay, "41 full days of $240 from day 10, then a $160 remainder on day 51")
}

// TestAEP26CommittedPool reproduces the committed-pool arithmetic of
// AEP-26 (docs/model/akash.md §7): H100 $2.49/h × 83, A100-80GB
// $1.69/h × 54 and RTX A6000 $0.98/h × 105, 242 GPUs. The AEP's $1.8 M,
// $0.8 M and $0.9 M (≈ $3.5 M) are one year (8,760 h) of listed GPUs,
// matching its ≥1-year commitments; over the pilot's 120 days the same
// cohorts cost about $1.15 M.
func TestAEP26CommittedPool(t *testing.T) {
	cohorts := []struct {
		name   string
		rate   float64
		gpus   int
		aepUSD float64 // the AEP's rounded figure for one year
	}{
		{"h100", 2.49, 83, 1.8e6},
		{"a100-80gb", 1.69, 54, 0.8e6},
		{"rtx-a6000", 0.98, 105, 0.9e6},
	}
	year, pilot := simtime.Duration(365*pipDay), simtime.Duration(120*pipDay)
	var gpus int
	var perYear, perPilot float64
	for _, c := range cohorts {
		p := tokenomics.IncentiveProgram{
			Name: "aep-26-" + c.name, Cohorts: []string{c.name}, Mode: tokenomics.IncentivePerGPUHour,
			USDPerGPUHour: c.rate, Duration: year, BudgetUSD: 5_000_000, Funding: tokenomics.FundCommunityPool,
		}
		require.NoError(t, p.Validate())
		y := p.Payout(0, year.T(), c.gpus, 0, 0)
		assert.InDelta(t, float64(c.gpus)*c.rate*8760, y, 1e-6)
		assert.InDelta(t, c.aepUSD, y, 0.05e6, "%s: AEP-26 says about $%.1f M a year", c.name, c.aepUSD/1e6)
		gpus += c.gpus
		perYear += y
		perPilot += p.Payout(0, pilot.T(), c.gpus, 0, 0)
	}
	assert.Equal(t, 242, gpus)
	assert.InDelta(t, 400.83*8760, perYear, 1e-6) // $400.83 per hour
	assert.InDelta(t, 3_511_270.8, perYear, 1e-6)
	assert.InDelta(t, 3.5e6, perYear, 0.05e6, "AEP-26 committed pool ≈ $3.5 M")
	assert.InDelta(t, 1_154_390.4, perPilot, 1e-6)
	assert.Less(t, perPilot, 5_000_000.0, "120 days of the committed cohorts fit the $5 M budget")
}
