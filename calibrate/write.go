package calibrate

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
)

// The files of a calibration folder.
const (
	// JournalFile is the evaluation journal, removed when the calibration
	// ends.
	JournalFile    = "journal.tsv"
	CalFile        = "calibration.toml"
	EvaluationsCSV = "evaluations.csv"
	EvaluationsPq  = "evaluations.parquet"
	TargetsCSV     = "targets.csv"
	ParamsCSV      = "params.csv"
	// PosteriorCSV holds the accepted draws of the approximate Bayesian
	// computation (with an [abc] table only).
	PosteriorCSV = "posterior.csv"
	FittedSet    = "fitted.set"
	// LogFile records how this execution went (command line, workers,
	// wall time, evaluations resumed, shards merged): what may differ
	// between two runs of the same calibration.
	LogFile        = "run.log.json"
	seedDerivation = "common random numbers: search replication r (0 <= r < replications) of every evaluation has the seed sim.ReplicationSeed(master_seed, r) = splitmix64(master_seed + r * 0x9E3779B97F4A7C15); the check uses r in [replications, replications + check_replications); CMA-ES start k draws from a PCG seeded with splitmix64((master_seed XOR 0xca11b8a7e0000000) + k * 0x9E3779B97F4A7C15)"
	abcDerivation  = "the ABC draws are a unit sample (Latin hypercube or scrambled Halton) from a PCG seeded with splitmix64(master_seed XOR 0xabc0000000000000), mapped to each parameter by the inverse CDF of its prior truncated to [min, max], else uniformly over [min, max] on its scale"
)

func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// meta is the provenance written with every table.
func (res *Result) meta() map[string]string {
	c := res.Cal
	return map[string]string{"tool_version": runner.BuildVersion(), "calibration": c.Name, "calibration_sha256": c.SHA256,
		"base": c.Base, "base_sha256": c.BaseSHA256, "master_seed": strconv.FormatInt(c.Seed, 10), "seed_derivation": res.seedDerivation(),
		"replications": strconv.Itoa(c.Replications), "check_replications": strconv.Itoa(c.CheckReplications), "set": strings.Join(c.Set, " ")}
}

// seedDerivation says how the seeds derive from the master seed.
func (res *Result) seedDerivation() string {
	if res.Cal.ABCSamples > 0 {
		return seedDerivation + "; " + abcDerivation
	}
	return seedDerivation
}

// provenanceLines is the provenance as '#' comment lines, for fitted.set.
func (res *Result) provenanceLines() string {
	m := res.meta()
	var b strings.Builder
	for _, k := range []string{"tool_version", "calibration", "calibration_sha256", "base", "base_sha256", "master_seed", "replications", "check_replications", "set"} {
		fmt.Fprintf(&b, "# %s: %s\n", k, m[k])
	}
	return b.String()
}

// Report returns the data of the calibration's charts and report.
func (res *Result) Report() *reports.CalibrationReport {
	c := res.Cal
	r := &reports.CalibrationReport{Name: c.Name, Evaluations: len(res.Evals), Objective: res.Objective, CheckObjective: res.CheckObjective, StartObjective: res.StartObjective,
		Search: res.searchText(),
		Provenance: reports.AnalysisProvenance{File: filepath.Base(c.File), SHA256: c.SHA256, Base: c.Base, BaseSHA256: c.BaseSHA256, ToolVersion: runner.BuildVersion(),
			Set: c.Set, MasterSeed: c.Seed, SeedDerivation: res.seedDerivation(), Replications: c.Replications}}
	if a := res.ABC; a != nil {
		r.ABCSamples, r.ABCAccepted, r.ABCEpsilon = len(a.Draws), len(a.Accepted), a.Epsilon
	}
	for i, p := range c.Params {
		mu := math.NaN()
		if res.Screening != nil {
			mu = res.Screening[i].MuStar
		}
		med, plo, phi := res.posterior(i)
		r.Params = append(r.Params, reports.CalibrationParam{Key: p.Key, Min: *p.Min, Max: *p.Max, Log: p.Scale == "log",
			Start: *p.Start, Fitted: res.Best[i], Lo: res.Lo[i], Hi: res.Hi[i],
			LoOpen: res.LoOpen[i], HiOpen: res.HiOpen[i], Fixed: res.Fixed[i], MuStar: mu,
			PostMedian: med, PostLo: plo, PostHi: phi})
	}
	for t, tg := range c.Targets {
		f := res.Targets[t]
		unit := ""
		if t < len(c.compiled) {
			unit = c.compiled[t].Unit()
		}
		r.Targets = append(r.Targets, reports.CalibrationTarget{Name: tg.Name, Label: label(tg), Unit: unit, Observed: *tg.Value, Sigma: *tg.Sigma, Tolerance: *tg.Tolerance,
			Simulated: f.Check, SimLo: f.Lo, SimHi: f.Hi, Start: f.Start, Met: f.Met})
	}
	best, n := math.Inf(1), 0
	for _, e := range res.Evals {
		if e.Phase == PhaseProfile || e.Phase == PhaseABC {
			continue // after the search: the profile and the posterior show them
		}
		n++
		if e.Phase != PhaseCheck && e.Phase != PhaseScreen {
			best = math.Min(best, e.Objective)
		}
		r.History = append(r.History, reports.CalibrationStep{Evaluation: n, Phase: e.Phase, Objective: e.Objective, Best: best})
	}
	return r
}

// searchText describes the search for the report.
func (res *Result) searchText() string {
	c := res.Cal
	s := ""
	if c.ScreenTrajectories > 0 {
		nf := 0
		for _, f := range res.Fixed {
			if f {
				nf++
			}
		}
		s = fmt.Sprintf("Morris screening, %d trajectories of %d levels, threshold %g of the largest mu*: %d parameter(s) fixed; then ", c.ScreenTrajectories, c.ScreenLevels, c.ScreenThreshold, nf)
	}
	s += fmt.Sprintf("CMA-ES, population %d, %d generations, %d start(s), then Nelder-Mead, %d evaluations", c.Population, c.Generations, c.Starts, c.Polish)
	if c.ABCSamples > 0 {
		s += fmt.Sprintf("; then approximate Bayesian computation by rejection, %d draws (%s) from the priors, %s", c.ABCSamples, c.ABCSampling, res.abcRule())
	}
	return s
}

// abcRule says which draws the ABC accepts.
func (res *Result) abcRule() string {
	c := res.Cal
	if c.ABCAccept > 0 {
		return fmt.Sprintf("the %g closest accepted", c.ABCAccept)
	}
	return fmt.Sprintf("those within distance %g accepted", c.ABCEpsilon)
}

// posterior returns parameter i's posterior median and 95% interval (NaN
// without ABC).
func (res *Result) posterior(i int) (med, lo, hi float64) {
	if a := res.ABC; a != nil {
		return a.Median[i], a.Lo[i], a.Hi[i]
	}
	return math.NaN(), math.NaN(), math.NaN()
}

// label says which statistic a target is.
func label(t Target) string {
	s := t.Stat + " of " + t.Metric
	if t.Resource != "" {
		s += " (" + t.Resource + ")"
	}
	if t.Cohort != "" {
		s += " (" + t.Cohort + ")"
	}
	if t.From != "" || t.To != "" {
		s += " over " + t.From + ".." + t.To
	}
	return s
}

// Log is run.log.json: how this execution of the calibration went.
type Log struct {
	// Command is the command line.
	Command []string `json:"command"`
	// Workers is the number of replications at once.
	Workers int `json:"workers"`
	// WallSeconds is the elapsed wall-clock time.
	WallSeconds float64 `json:"wall_seconds"`
	// Resumed counts the evaluations a resumed calibration found in its
	// journal (omitted when it started afresh).
	Resumed int `json:"resumed,omitempty"`
	// Shards lists the shard folders a merge read, in shard order.
	Shards []string `json:"shards,omitempty"`
}

// Write writes the calibration's files into dir (which exists): the
// calibration file, the evaluation table, targets.csv, params.csv and,
// with an [abc] table, posterior.csv (each with its .meta.json
// provenance), fitted.set, calibration.json,
// run.log.json (from log(), called last) and, unless noReport, the
// charts and report.html. Every file is written atomically.
func Write(dir string, res *Result, noReport bool, log func() Log) error {
	c := res.Cal
	if err := reports.WriteFileAtomic(filepath.Join(dir, CalFile), func(w io.Writer) error { _, err := w.Write(c.Text); return err }); err != nil {
		return err
	}
	cols := []reports.Column{{Name: "evaluation", Kind: reports.ColInt64}, {Name: "start", Kind: reports.ColInt64},
		{Name: "phase", Kind: reports.ColString}, {Name: "profiled", Kind: reports.ColString}}
	for _, p := range c.Params {
		cols = append(cols, reports.Column{Name: p.Key, Kind: reports.ColFloat64})
	}
	cols = append(cols, reports.Column{Name: "objective", Kind: reports.ColFloat64})
	for _, t := range c.Targets {
		cols = append(cols, reports.Column{Name: "mean_" + t.Name, Kind: reports.ColFloat64})
	}
	tf, err := reports.CreateTables(filepath.Join(dir, EvaluationsCSV), filepath.Join(dir, EvaluationsPq), cols,
		reports.TableOptions{Meta: res.meta(), CreatedBy: "depinsim version " + runner.BuildVersion()})
	if err != nil {
		return err
	}
	for _, e := range res.Evals {
		prof := ""
		if e.Param >= 0 {
			prof = c.Params[e.Param].Key
		}
		row := []reports.Value{reports.Int64Value(int64(e.N)), reports.Int64Value(int64(e.Start)), reports.StringValue(e.Phase), reports.StringValue(prof)}
		for _, x := range e.X {
			row = append(row, reports.Float64Value(x))
		}
		row = append(row, reports.Float64Value(e.Objective))
		for _, m := range e.Means {
			row = append(row, reports.Float64Value(m))
		}
		if err := tf.Write(row); err != nil {
			tf.Abort()
			return err
		}
	}
	if err := tf.Close(); err != nil {
		return err
	}
	writeCSV := func(name string, rows [][]string) error {
		if err := reports.WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error {
			cw := csv.NewWriter(w)
			if err := cw.WriteAll(rows); err != nil {
				return err
			}
			return cw.Error()
		}); err != nil {
			return err
		}
		return reports.WriteFileAtomic(filepath.Join(dir, name+".meta.json"), func(w io.Writer) error { return reports.WriteTableMeta(w, res.meta()) })
	}
	rows := [][]string{{"target", "label", "observed", "sigma", "tolerance", "start", "fitted_search", "simulated", "ci_lo", "ci_hi", "met"}}
	for t, tg := range c.Targets {
		f := res.Targets[t]
		rows = append(rows, []string{tg.Name, label(tg), num(*tg.Value), num(*tg.Sigma), num(*tg.Tolerance), num(f.Start), num(f.Fitted),
			num(f.Check), num(f.Lo), num(f.Hi), strconv.FormatBool(f.Met)})
	}
	if err := writeCSV(TargetsCSV, rows); err != nil {
		return err
	}
	rows = [][]string{{"key", "min", "max", "scale", "integer", "start", "fitted", "profile_lo", "profile_hi", "profile_lo_open", "profile_hi_open", "screen_mu_star", "fixed",
		"posterior_median", "posterior_lo", "posterior_hi"}}
	for i, p := range c.Params {
		mu := ""
		if res.Screening != nil {
			mu = num(res.Screening[i].MuStar)
		}
		med, plo, phi := res.posterior(i)
		rows = append(rows, []string{p.Key, num(*p.Min), num(*p.Max), p.Scale, strconv.FormatBool(p.Integer), num(*p.Start), num(res.Best[i]),
			num(res.Lo[i]), num(res.Hi[i]), strconv.FormatBool(res.LoOpen[i]), strconv.FormatBool(res.HiOpen[i]), mu, strconv.FormatBool(res.Fixed[i]),
			num(med), num(plo), num(phi)})
	}
	if err := writeCSV(ParamsCSV, rows); err != nil {
		return err
	}
	if a := res.ABC; a != nil {
		rows = [][]string{{"draw"}}
		for _, p := range c.Params {
			rows[0] = append(rows[0], p.Key)
		}
		rows[0] = append(rows[0], "distance")
		for _, j := range a.Accepted {
			row := []string{strconv.Itoa(a.Index[j])}
			for _, x := range a.Draws[j] {
				row = append(row, num(x))
			}
			rows = append(rows, append(row, num(a.Distance[j])))
		}
		if err := writeCSV(PosteriorCSV, rows); err != nil {
			return err
		}
	}
	if err := reports.WriteFileAtomic(filepath.Join(dir, FittedSet), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "# The fitted parameters of %s as --set overrides of %s (after the calibration's set):\n#   depinsim run %s $(grep -v '^#' %s | sed 's/^/--set /')\n%s%s\n",
			c.Name, c.Base, c.Base, FittedSet, res.provenanceLines(), strings.Join(c.Sets(res.Best), "\n"))
		return err
	}); err != nil {
		return err
	}
	rep := res.Report()
	if err := reports.WriteCalibrationData(dir, rep); err != nil {
		return err
	}
	if !noReport {
		if err := reports.WriteCalibrationCharts(dir, rep); err != nil {
			return err
		}
		if err := reports.WriteCalibrationReport(dir, rep); err != nil {
			return err
		}
	}
	if log != nil {
		l := log()
		b, err := json.MarshalIndent(l, "", "  ")
		if err != nil {
			return err
		}
		if err := reports.WriteFileAtomic(filepath.Join(dir, LogFile), func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
			return err
		}
	}
	if err := os.Remove(filepath.Join(dir, JournalFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
