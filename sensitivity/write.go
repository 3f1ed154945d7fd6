package sensitivity

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"github.com/depinsim/depinsim/reports"
)

// The files of a sensitivity folder.
const (
	DefinitionFile  = "sensitivity.toml"
	RunsFile        = "runs.csv"
	PointsFile      = "points.csv"
	IndicesFile     = "indices.csv"
	IndicesParquet  = "indices.parquet"
	ConvergenceFile = "convergence.csv"
)

// FormatVersion is the version of the folder's format, in every file's
// provenance.
const FormatVersion = 1

// tableMeta returns the provenance of every table of the folder (the
// CSV sidecars, the Parquet metadata).
func (a *Analysis) tableMeta() map[string]string {
	p := a.Provenance()
	return map[string]string{
		"format_version": strconv.Itoa(FormatVersion), "tool_version": p.ToolVersion,
		"base": p.Base, "base_sha256": p.BaseSHA256, "sensitivity_sha256": p.SHA256,
		"master_seed": strconv.FormatInt(p.MasterSeed, 10), "seed_derivation": p.SeedDerivation,
		"method": a.Method, "replications": strconv.Itoa(a.Replications),
		"bootstrap": strconv.Itoa(a.Bootstrap), "confidence": formatFloat(a.Confidence), "missing": a.Missing,
	}
}

// WriteRuns writes the definition file, runs.csv and points.csv: what is
// known once the runs are done, whatever the estimation gives.
func (a *Analysis) WriteRuns(dir string, d *Design, runs *Runs) error {
	if err := a.writeDefinition(dir); err != nil {
		return err
	}
	if err := a.writeRunsTable(dir, runs.All); err != nil {
		return err
	}
	cols := []reports.Column{{Name: "point", Kind: reports.ColInt64}, {Name: "block", Kind: reports.ColInt64}, {Name: "role", Kind: reports.ColString}}
	for _, f := range a.Factors {
		cols = append(cols, reports.Column{Name: f.Key, Kind: reports.ColFloat64})
	}
	for _, o := range a.Outputs {
		cols = append(cols, reports.Column{Name: o.Spec.Name + "_mean", Kind: reports.ColFloat64}, reports.Column{Name: o.Spec.Name + "_ci95", Kind: reports.ColFloat64})
	}
	R := a.Replications
	return a.writeCSV(dir, PointsFile, cols, func(t reports.TableWriter) error {
		row := make([]reports.Value, len(cols))
		vals := make([]float64, R)
		for p := range d.Points {
			row[0], row[1], row[2] = reports.Int64Value(int64(p)), reports.Int64Value(int64(d.Block[p])), reports.StringValue(d.Role[p])
			c := 3
			for _, x := range d.X[p] {
				row[c] = reports.Float64Value(x)
				c++
			}
			for o := range a.Outputs {
				for r := range R {
					vals[r] = runs.Final[p*R+r].Values[o]
				}
				st := reports.NewStat(vals)
				mean, half := float64(st.Mean), math.NaN()
				if st.N < R {
					mean = math.NaN()
				} else if st.N >= 2 {
					half = (float64(st.CIHigh) - float64(st.CILow)) / 2
				}
				row[c], row[c+1] = reports.Float64Value(mean), reports.Float64Value(half)
				c += 2
			}
			if err := t.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeDefinition writes the sensitivity file's text into dir.
func (a *Analysis) writeDefinition(dir string) error {
	return reports.WriteFileAtomic(filepath.Join(dir, DefinitionFile), func(w io.Writer) error {
		_, err := w.Write(a.Text)
		return err
	})
}

// runsColumns returns the columns of runs.csv.
func (a *Analysis) runsColumns() []reports.Column {
	cols := []reports.Column{{Name: "point", Kind: reports.ColInt64}, {Name: "rep", Kind: reports.ColInt64},
		{Name: "seed", Kind: reports.ColUint64}, {Name: "attempt", Kind: reports.ColInt64}, {Name: "error", Kind: reports.ColString}}
	for _, o := range a.Outputs {
		cols = append(cols, reports.Column{Name: o.Spec.Name, Kind: reports.ColFloat64})
	}
	return cols
}

// writeRunsTable writes runs.csv (and its sidecar) with the runs all,
// in their order.
func (a *Analysis) writeRunsTable(dir string, all []Run) error {
	cols := a.runsColumns()
	return a.writeCSV(dir, RunsFile, cols, func(t reports.TableWriter) error {
		row := make([]reports.Value, len(cols))
		for _, r := range all {
			msg := ""
			if r.Err != nil {
				msg = r.Err.Error()
			}
			row[0], row[1], row[2], row[3], row[4] = reports.Int64Value(int64(r.Point)), reports.Int64Value(int64(r.Rep)),
				reports.Uint64Value(r.Seed), reports.Int64Value(int64(r.Attempt)), reports.StringValue(msg)
			for j, v := range r.Values {
				row[5+j] = reports.Float64Value(v)
			}
			if err := t.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeCSV writes the CSV table name into dir, atomically, with its
// provenance sidecar.
func (a *Analysis) writeCSV(dir, name string, cols []reports.Column, rows func(reports.TableWriter) error) error {
	path := filepath.Join(dir, name)
	if err := reports.WriteFileAtomic(path, func(w io.Writer) error {
		t, err := reports.NewCSVTable(w, cols)
		if err != nil {
			return err
		}
		if err := rows(t); err != nil {
			return err
		}
		return t.Close()
	}); err != nil {
		return err
	}
	return reports.WriteFileAtomic(path+".meta.json", func(w io.Writer) error { return reports.WriteTableMeta(w, a.tableMeta()) })
}

// WriteResults writes indices.csv, indices.parquet and convergence.csv
// from the report's data, then the report's data file
// (reports.WriteSensitivityData) and, unless noReport, its charts and
// report.html.
func (a *Analysis) WriteResults(dir string, rep *reports.SensitivityReport, noReport bool) error {
	cols := []reports.Column{{Name: "output", Kind: reports.ColString}, {Name: "factor", Kind: reports.ColString},
		{Name: "index", Kind: reports.ColString}, {Name: "estimate", Kind: reports.ColFloat64}, {Name: "lo", Kind: reports.ColFloat64},
		{Name: "hi", Kind: reports.ColFloat64}, {Name: "confidence", Kind: reports.ColFloat64}, {Name: "n", Kind: reports.ColInt64}}
	meta := a.tableMeta()
	t, err := reports.CreateTables(filepath.Join(dir, IndicesFile), filepath.Join(dir, IndicesParquet), cols,
		reports.TableOptions{Meta: meta, CreatedBy: "depinsim version " + meta["tool_version"]})
	if err != nil {
		return err
	}
	n := a.Samples
	for _, o := range rep.Outputs {
		for _, ix := range o.Indices {
			for _, e := range indexEntries(a.Method, ix) {
				row := []reports.Value{reports.StringValue(o.Name), reports.StringValue(ix.Factor), reports.StringValue(e.name),
					reports.Float64Value(e.v), reports.Float64Value(e.lo), reports.Float64Value(e.hi),
					reports.Float64Value(rep.Confidence), reports.Int64Value(int64(n - o.Dropped))}
				if err := t.Write(row); err != nil {
					t.Abort()
					return err
				}
			}
		}
	}
	if err := t.Close(); err != nil {
		return err
	}
	cols = []reports.Column{{Name: "output", Kind: reports.ColString}, {Name: "n", Kind: reports.ColInt64}, {Name: "factor", Kind: reports.ColString},
		{Name: "index", Kind: reports.ColString}, {Name: "estimate", Kind: reports.ColFloat64}}
	err = a.writeCSV(dir, ConvergenceFile, cols, func(t reports.TableWriter) error {
		for _, o := range rep.Outputs {
			for _, c := range o.Convergence {
				for _, ix := range c.Indices {
					for _, e := range indexEntries(a.Method, ix) {
						if err := t.Write([]reports.Value{reports.StringValue(o.Name), reports.Int64Value(int64(c.N)),
							reports.StringValue(ix.Factor), reports.StringValue(e.name), reports.Float64Value(e.v)}); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := reports.WriteSensitivityData(dir, rep); err != nil {
		return err
	}
	if noReport {
		return nil
	}
	if err := reports.WriteSensitivityCharts(dir, rep); err != nil {
		return err
	}
	return reports.WriteSensitivityReport(dir, rep)
}

type entry struct {
	name      string
	v, lo, hi float64
}

// indexEntries lists an index's estimates in the long format: S1 and ST
// for Sobol; mu, mu_star and sigma for Morris.
func indexEntries(method string, ix reports.SensitivityIndex) []entry {
	if method == "sobol" {
		return []entry{{"S1", ix.S1, ix.S1Lo, ix.S1Hi}, {"ST", ix.ST, ix.STLo, ix.STHi}}
	}
	return []entry{{"mu", ix.Mu, ix.MuLo, ix.MuHi}, {"mu_star", ix.MuStar, ix.MuStarLo, ix.MuStarHi}, {"sigma", ix.Sigma, ix.SigmaLo, ix.SigmaHi}}
}

// formatFloat formats v in the shortest form that reads back exactly.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Describe returns the one-line summary of an analysis of design d.
func (a *Analysis) Describe(d *Design) string {
	return fmt.Sprintf("sensitivity %s: %s, %d factor(s), %d point(s) x %d replication(s) = %d runs, master seed %d",
		a.Name, d.Label, len(a.Factors), len(d.Points), a.Replications, len(d.Points)*a.Replications, a.Seed)
}
