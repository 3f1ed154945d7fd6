package scenarios

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/depinsim/depinsim/agents"
)

// minUnservedShare is the smallest share of a cohort's deployments that
// cannot be served for which an unbounded distribution (exponential,
// lognormal or pareto with no cap) is warned about; a bounded one (const,
// uniform, choice, or any kind with a cap) is warned about whenever any
// of its draws cannot be served.
const minUnservedShare = 0.001

// UnservableWarnings warns about tenant cohorts that ask for more of a
// resource than any provider that could serve them holds: more GPUs of a
// model than the largest provider of that model has, or more CPU cores or
// memory than the largest such provider (any provider, for a CPU-only
// cohort) has. Such deployments can never be served. Each warning is
// "tenants[i].KEY: ..." and names the cohort, the resource, the amount
// asked, the share of deployments concerned and the largest provider.
// Warnings includes them; run prints them too. Capacity is the provider
// cohorts' per-provider capacity, whatever their count or entry time.
func (sc *Scenario) UnservableWarnings() []string {
	cat, err := agents.NewCatalog(sc.Resources)
	if err != nil {
		return nil
	}
	var warns []string
	for i := range sc.Tenants {
		warns = append(warns, sc.unservable(i, cat)...)
	}
	return warns
}

// unservable returns the warnings of tenant cohort i.
func (sc *Scenario) unservable(i int, cat *agents.Catalog) []string {
	c := &sc.Tenants[i]
	var warns []string
	type largest struct {
		amount float64
		cohort string
	}
	// the largest capacity of resource r among the providers that hold
	// GPU model gpu (-1: every provider); for a CPU-only cohort (cpuOnly),
	// only the share of a GPU node's cores and memory open to CPU-only
	// orders (cpu_only_share) counts
	most := func(r, gpu int, cpuOnly bool) largest {
		best := largest{amount: -1}
		for j := range sc.Providers {
			pc := &sc.Providers[j]
			per := providerCapacity(pc, cat)
			if gpu >= 0 && per[gpu] <= 0 {
				continue
			}
			amount := per[r]
			if cpuOnly && pc.CPUOnlyShare < 1 && slices.ContainsFunc(per[agents.ResGPU0:], func(x float64) bool { return x > 0 }) {
				amount = math.Floor(max(pc.CPUOnlyShare, 0) * amount)
			}
			if amount > best.amount {
				best = largest{amount, pc.Name}
			}
		}
		return best
	}
	check := func(key, what string, d agents.Dist, atLeast1 bool, r, gpu int, holders string) {
		big := most(r, gpu, gpu < 0)
		if big.amount < 0 || most(r, -1, false).amount <= 0 {
			return // no provider holds the model, or the resource: warned elsewhere
		}
		share := d.ShareAtLeast(big.amount + 0.5)
		if atLeast1 && big.amount < 1 {
			share = 1
		}
		bounded := d.Cap > 0 || d.Kind == "const" || d.Kind == "uniform" || d.Kind == "choice"
		if share <= 0 || !bounded && share < minUnservedShare {
			return
		}
		asked := "up to " + upperWords(d) + " " + what
		switch {
		case share >= 1:
			asked = "at least " + commas(math.Max(big.amount+1, 0)) + " " + what
		case math.IsInf(d.Largest(), 1):
			asked = fmt.Sprintf("%s with no upper bound (%s, no cap)", what, d.Kind)
		}
		part := "all of its deployments"
		if gpu >= 0 {
			part = fmt.Sprintf("all of its %s deployments", cat.Key(gpu))
		}
		if share < 1 {
			part = "about " + percent(share) + " of " + part[len("all of "):]
		}
		warns = append(warns, fmt.Sprintf("%s: cohort %s asks for %s per deployment (%s), but the largest provider%s holds %s (cohort %s): those deployments can never be served",
			key, quoteValue(c.Name), asked, part, holders, commas(big.amount), quoteValue(big.cohort)))
	}
	key := fmt.Sprintf("tenants[%d]", i)
	if len(c.GPUModels) == 0 {
		open := ""
		for j := range sc.Providers {
			if sc.Providers[j].CPUOnlyShare < 1 && len(sc.Providers[j].GPUs) > 0 {
				open = " (counting a GPU node's cpu_only_share of it)"
			}
		}
		check(key+".cpu_cores", "CPU cores", c.CPUCores, false, agents.ResCPU, -1, open)
		check(key+".memory_gb", "GB of memory", c.MemoryGB, false, agents.ResMemory, -1, open)
		return warns
	}
	for _, m := range slices.Sorted(maps.Keys(c.GPUModels)) {
		g, ok := cat.Index(m)
		if !ok || c.GPUModels[m] <= 0 {
			continue
		}
		with := " with " + m + " GPUs"
		check(key+".gpus", m+" GPUs", c.GPUs, true, g, g, with)
		check(key+".cpu_cores", "CPU cores", c.CPUCores, false, agents.ResCPU, g, with)
		check(key+".memory_gb", "GB of memory", c.MemoryGB, false, agents.ResMemory, g, with)
	}
	return warns
}

// upperWords formats the largest draw of d, rounded.
func upperWords(d agents.Dist) string { return commas(math.Round(d.Largest())) }

// percent formats a share as a percentage with 2 significant digits.
func percent(share float64) string {
	return fmt.Sprintf("%.2g%%", 100*share)
}
