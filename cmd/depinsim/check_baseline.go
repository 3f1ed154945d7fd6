package main

import (
	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// baselineOf returns the baseline of a finished run of sc with summary s:
// each metric's per-replication summary (its mean over time, or its
// final value for stocks and totals: reports.MetricStat), then each
// resource's mean utilization and mean median price.
func baselineOf(sc *scenarios.Scenario, s *reports.Summary) *assertion.Baseline {
	b := &assertion.Baseline{
		Format:       1,
		Version:      runner.BuildVersion(),
		Scenario:     sc.Name,
		ScenarioHash: sha256Hex(sc.TOML()),
		MasterSeed:   uint64(sc.Sim.Seed),
	}
	for _, rep := range s.Reps {
		b.Seeds = append(b.Seeds, sim.ReplicationSeed(uint64(sc.Sim.Seed), rep))
	}
	add := func(name, stat string, st reports.Stat) {
		vals := make([]float64, len(st.PerRep))
		for i, v := range st.PerRep {
			vals[i] = float64(v)
		}
		b.Metrics = append(b.Metrics, assertion.BaselineMetric{Metric: name, Stat: stat, Values: vals})
	}
	for m, ms := range s.Metrics {
		st, name := reports.MetricStat(ms, m)
		stat := "mean"
		if name == "final" {
			stat = "final"
		}
		add(ms.Name, stat, st)
	}
	for _, r := range s.Resources {
		add("resource_utilization["+r.Resource+"]", "mean", r.Utilization)
		add("resource_price_usd_hour["+r.Resource+"]", "mean", r.MedianPriceUSDHour)
	}
	return b
}
