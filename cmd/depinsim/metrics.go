package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/sim"
)

const metricsUsage = `Usage: depinsim metrics [--format text|csv|json]

Lists every metric a run records, with its unit, kind, group and what it
measures: the vocabulary of [[assert]] entries, 'check', sweeps' metrics
and precision targets. The plain metrics are the columns of
timeseries.csv; the per-resource metrics (resource_*) take the key
resource = "cpu", "memory_gb" or "gpu:<model>" in an [[assert]] entry,
the per-cohort metrics (cohort_*) the key cohort = a provider cohort's
name. Then the statistics an [[assert]] entry may take (stat = ...).

Kinds: level and ratio metrics are read by their mean over time, stock
and total metrics by their final value (the summary table's statistic).
`

// metricRow is one line of 'depinsim metrics'.
type metricRow struct {
	Name  string `json:"name"`
	Unit  string `json:"unit"`
	Kind  string `json:"kind"`
	Group string `json:"group"`
	// Key is "resource" or "cohort" for a family, "" for a plain metric.
	Key string `json:"key,omitempty"`
	Doc string `json:"doc"`
}

// metricRows returns the plain metrics, then the families.
func metricRows() []metricRow {
	var rows []metricRow
	for _, m := range sim.Metrics {
		rows = append(rows, metricRow{Name: m.Name, Unit: m.Unit, Kind: m.Kind.String(), Group: m.Group.String(), Doc: m.Doc})
	}
	for _, f := range assertion.Families() {
		rows = append(rows, metricRow{Name: f.Name, Unit: f.Unit, Kind: f.Kind.String(), Group: f.Key, Key: f.Key, Doc: f.Doc})
	}
	return rows
}

func cmdMetrics(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("metrics", metricsUsage, stderr, stdout)
	format := fs.String("format", "text", "text (aligned columns), csv (a header row, then one row per metric) or json (an object with metrics and stats)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	rows := metricRows()
	stats := assertion.Stats()
	switch *format {
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "METRIC\tUNIT\tKIND\tGROUP\tDESCRIPTION")
		for _, r := range rows {
			name := r.Name
			if r.Key != "" {
				name += "[" + r.Key + "]"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, r.Unit, r.Kind, r.Group, r.Doc)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "\nSTATISTIC (stat = ... in [[assert]]; docs/assertions.md)")
		tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, s := range stats {
			fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Doc)
		}
		return tw.Flush()
	case "csv":
		cw := csv.NewWriter(stdout)
		_ = cw.Write([]string{"metric", "unit", "kind", "group", "key", "description"})
		for _, r := range rows {
			_ = cw.Write([]string{r.Name, r.Unit, r.Kind, r.Group, r.Key, r.Doc})
		}
		cw.Flush()
		return cw.Error()
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Metrics []metricRow          `json:"metrics"`
			Stats   []assertion.StatInfo `json:"stats"`
		}{rows, stats})
	}
	return badInput("--format: want text, csv or json, got %q", *format)
}
