package runner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
)

// BriefOf returns the scenario in brief that a run's report.html shows:
// its mechanism, token layer, cohorts (with the providers' bid
// strategies) and the warnings of 'depinsim validate'.
func BriefOf(sc *scenarios.Scenario) *reports.RunBrief {
	b := &reports.RunBrief{Description: sc.Description, Mechanism: fmt.Sprint(sc.Market["mechanism"]), Warnings: sc.Warnings()}
	t := sc.Tokenomics
	b.Tokenomics = append(b.Tokenomics,
		fmt.Sprintf("token %s, price model %q (starting at %g USD)", t.Token, t.Price.Model, t.TokenPriceUSD),
		fmt.Sprintf("inflation model %q, emission schedule %q, settlement %q", t.Inflation.Model, t.Emission.Kind, t.Settlement))
	if len(t.TakeRate) > 0 {
		keys := make([]string, 0, len(t.TakeRate))
		for k := range t.TakeRate {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %g", k, t.TakeRate[k])
		}
		b.Tokenomics = append(b.Tokenomics, "take rate: "+strings.Join(parts, ", "))
	}
	if n := len(t.Incentives) + len(t.Seasons) + len(t.Governance); n > 0 {
		b.Tokenomics = append(b.Tokenomics, fmt.Sprintf("%d incentive program(s), %d airdrop season(s), %d governance change(s)", len(t.Incentives), len(t.Seasons), len(t.Governance)))
	}
	for _, p := range sc.Providers {
		models := make([]string, 0, len(p.GPUs))
		for m := range p.GPUs {
			models = append(models, m)
		}
		slices.Sort(models)
		gpus := make([]string, len(models))
		for i, m := range models {
			gpus[i] = fmt.Sprintf("%d x %s", p.GPUs[m], m)
		}
		b.Providers = append(b.Providers, reports.ProviderBrief{Name: p.Name, Kind: p.Kind, Strategy: p.Strategy, Count: p.Count, GPUs: strings.Join(gpus, ", ")})
	}
	for _, c := range sc.Tenants {
		b.Tenants = append(b.Tenants, reports.TenantBrief{Name: c.Name, ArrivalsPerDay: c.ArrivalsPerDay})
	}
	return b
}
