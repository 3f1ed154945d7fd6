package sweep

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/sim"
)

// RebuildReport writes report.html in the finished sweep folder dir from
// its files (sweep.json, sweep.toml, points.csv, runs.csv), without
// running anything: the page the sweep wrote, byte for byte.
func RebuildReport(dir string) error {
	var m Manifest
	if err := readJSON(filepath.Join(dir, reports.SweepManifestFile), &m); err != nil {
		return err
	}
	return writeReport(dir, &m)
}

// writeReport writes dir/report.html from the sweep's manifest and the
// folder's sweep.toml (the parameters' scales), points.csv (the means
// and confidence intervals) and runs.csv: what both the sweep and
// RebuildReport read, so that they write the same page. Like sweep.json,
// it is the same whatever the workers, resumes or shards.
func writeReport(dir string, m *Manifest) error {
	d, err := reportPlotData(dir, m)
	if err != nil {
		return err
	}
	r := &reports.SweepReport{Base: m.Base, BaseSHA256: m.BaseSHA256, SweepSHA256: m.SweepSHA256, ToolVersion: m.ToolVersion,
		Set: m.Set, MasterSeed: m.MasterSeed, SeedDerivation: m.SeedDerivation, Design: m.Design,
		Samples: m.Samples, Points: m.Points, Runs: m.Runs, Failed: m.Failed, PlotNotes: m.PlotNotes, Statistics: m.Statistics, Plot: d}
	return reports.WriteSweepReport(dir, r)
}

// reportPlotData reads the data of the report's charts: each parameter's
// scale and whether its values are numbers from sweep.toml, each point's
// values and each plotted metric's means and half-widths from
// points.csv.
func reportPlotData(dir string, m *Manifest) (*reports.SweepPlotData, error) {
	defPath := filepath.Join(dir, reports.SweepDefinitionFile)
	var def file
	if _, err := toml.DecodeFile(defPath, &def); err != nil {
		return nil, fmt.Errorf("%s: %v", defPath, err)
	}
	if len(def.Params) != len(m.Params) {
		return nil, fmt.Errorf("%s: %d params, %s lists %d", defPath, len(def.Params), reports.SweepManifestFile, len(m.Params))
	}
	path := filepath.Join(dir, reports.SweepPointsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %v", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	rows := recs[1:]
	if len(rows) != m.Points {
		return nil, fmt.Errorf("%s: %d points, %s says %d", path, len(rows), reports.SweepManifestFile, m.Points)
	}
	d := &reports.SweepPlotData{Grid: m.Design == "grid", Replications: m.Replications}
	for j, key := range m.Params {
		p := def.Params[j]
		numeric := p.Values == nil
		if !numeric {
			numeric = true
			for _, v := range p.Values {
				switch v.(type) {
				case int64, float64:
				default:
					numeric = false
				}
			}
		}
		pp := reports.SweepPlotParam{Key: key, Log: p.Scale == "log", Numeric: numeric, Values: make([]float64, len(rows)), Texts: make([]string, len(rows))}
		for i, r := range rows {
			if len(r) <= 1+j {
				return nil, fmt.Errorf("%s: line %d: too few fields", path, i+2)
			}
			pp.Texts[i] = r[1+j]
			pp.Values[i] = math.NaN()
			if v, err := strconv.ParseFloat(strings.ReplaceAll(r[1+j], "_", ""), 64); err == nil {
				pp.Values[i] = v
			}
		}
		d.Params = append(d.Params, pp)
	}
	for _, name := range m.Metrics {
		idx := -1
		for k, mt := range sim.Metrics {
			if mt.Name == name {
				idx = k
			}
		}
		mc, ok1 := col[name+"_mean"]
		hc, ok2 := col[name+"_ci95"]
		if idx < 0 || !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: no columns %s_mean and %s_ci95 of a known metric", path, name, name)
		}
		mean, half := make([]float64, len(rows)), make([]float64, len(rows))
		for i, r := range rows {
			mean[i], half[i] = math.NaN(), math.NaN()
			if mc < len(r) && r[mc] != "" {
				if mean[i], err = strconv.ParseFloat(r[mc], 64); err != nil {
					return nil, fmt.Errorf("%s: line %d: %s_mean: %v", path, i+2, name, err)
				}
			}
			if hc < len(r) && r[hc] != "" {
				if half[i], err = strconv.ParseFloat(r[hc], 64); err != nil {
					return nil, fmt.Errorf("%s: line %d: %s_ci95: %v", path, i+2, name, err)
				}
			}
		}
		d.Metrics = append(d.Metrics, reports.SweepMetric(idx, mean, half))
	}
	return d, nil
}
