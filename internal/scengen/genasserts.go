package scengen

import (
	"fmt"
	"math"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/sim"
)

// asserts replaces the preset's [[assert]] entries by 0 to 3 random valid
// ones: any metric (a plain one, or a family with one of the scenario's
// resources or provider cohorts), any statistic, a window within about
// the horizon, bounds and a mode. The preset's entries are dropped
// because a redrawn start date, catalog or cohort list may not hold their
// dates, GPU models or cohorts.
func (g *gen) asserts() {
	delete(g.tree, "assert")
	if !g.maybe() {
		return
	}
	var cohorts []string
	for _, name := range names(g.arr("providers")) {
		if name != "" {
			cohorts = append(cohorts, name)
		}
	}
	var resources []string
	for _, r := range g.res {
		switch r {
		case "cpu", "memory_gb":
			resources = append(resources, r)
		default:
			resources = append(resources, sim.GPUPrefix+r)
		}
	}
	fams := assertion.Families()
	var out []map[string]any
	for n := 1 + g.rng.IntN(3); n > 0; n-- {
		a := map[string]any{"name": fmt.Sprintf("gen-assert-%d", len(out))}
		switch r := g.rng.IntN(10); {
		case r < 7 || len(resources) == 0 && len(cohorts) == 0:
			a["metric"] = sim.Metrics[g.rng.IntN(len(sim.Metrics))].Name
		default:
			f := fams[g.rng.IntN(len(fams))]
			if f.Key == "cohort" && len(cohorts) == 0 || f.Key == "resource" && len(resources) == 0 {
				a["metric"] = sim.Metrics[g.rng.IntN(len(sim.Metrics))].Name
				break
			}
			a["metric"] = f.Name
			if f.Key == "cohort" {
				a["cohort"] = cohorts[g.rng.IntN(len(cohorts))]
			} else {
				a["resource"] = resources[g.rng.IntN(len(resources))]
			}
		}
		stat := g.draw("assert[].stat").(string)
		a["stat"] = stat
		if stat == "share_above" || stat == "share_below" {
			a["level"] = g.draw("assert[].level")
		}
		// whole seconds, so that the window written is the window drawn
		from, to := math.Round(g.num(key("assert[].from"))), math.Round(g.num(key("assert[].to")))
		if g.rng.IntN(2) == 0 {
			a["from"] = dur(from)
		} else {
			from = 0
		}
		if g.rng.IntN(2) == 0 {
			a["to"] = dur(max(to, from+1)) // after from (the start when unset)
		}
		lo := g.num(key("assert[].min"))
		switch g.rng.IntN(3) {
		case 0:
			a["min"] = lo
		case 1:
			a["max"] = lo
		default:
			a["min"], a["max"] = lo, lo+g.num(key("assert[].max"))
		}
		if mode := g.draw("assert[].across").(string); mode != "" {
			a["across"] = mode
		} else if pr := g.draw("assert[].per_rep").(string); pr == "share" {
			a["per_rep"], a["share"] = pr, g.draw("assert[].share")
		} else if pr != "" {
			a["per_rep"] = pr
		}
		if g.rng.IntN(2) == 0 {
			a["message"] = "generated <assert> \"" + a["stat"].(string) + "\"\nsecond line"
		}
		out = append(out, a)
	}
	g.tree["assert"] = out
}
