package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// SensitivityDataFile and CalibrationDataFile name the JSON files that
// hold a SensitivityReport or a CalibrationReport in an analysis folder
// (NaN written as null); 'depinsim report DIR' rebuilds the charts and
// report.html from them alone.
const (
	SensitivityDataFile = "sensitivity.json"
	CalibrationDataFile = "calibration.json"
)

// The "kind" of each analysis data file: its first field, checked when
// it is read.
const (
	sensitivityKind = "sensitivity"
	calibrationKind = "calibration"
)

// The JSON forms of the analysis reports: snake_case keys in the fields'
// order, every float a Float (NaN and infinities as null, other values
// as the shortest decimal that reads back to the same bits).

type provenanceJSON struct {
	File           string   `json:"file"`
	SHA256         string   `json:"sha256"`
	Base           string   `json:"base"`
	BaseSHA256     string   `json:"base_sha256"`
	ToolVersion    string   `json:"tool_version"`
	Set            []string `json:"set"`
	MasterSeed     int64    `json:"master_seed"`
	SeedDerivation string   `json:"seed_derivation"`
	Replications   int      `json:"replications"`
}

func provenanceToJSON(p AnalysisProvenance) provenanceJSON {
	return provenanceJSON(p)
}

func (j provenanceJSON) report() AnalysisProvenance {
	return AnalysisProvenance(j)
}

type factorJSON struct {
	Key  string `json:"key"`
	Dist string `json:"dist"`
}

type indexJSON struct {
	Factor   string `json:"factor"`
	S1       Float  `json:"s1"`
	S1Lo     Float  `json:"s1_lo"`
	S1Hi     Float  `json:"s1_hi"`
	ST       Float  `json:"st"`
	STLo     Float  `json:"st_lo"`
	STHi     Float  `json:"st_hi"`
	Mu       Float  `json:"mu"`
	MuLo     Float  `json:"mu_lo"`
	MuHi     Float  `json:"mu_hi"`
	MuStar   Float  `json:"mu_star"`
	MuStarLo Float  `json:"mu_star_lo"`
	MuStarHi Float  `json:"mu_star_hi"`
	Sigma    Float  `json:"sigma"`
	SigmaLo  Float  `json:"sigma_lo"`
	SigmaHi  Float  `json:"sigma_hi"`
}

func indexToJSON(x SensitivityIndex) indexJSON {
	return indexJSON{x.Factor, Float(x.S1), Float(x.S1Lo), Float(x.S1Hi), Float(x.ST), Float(x.STLo), Float(x.STHi),
		Float(x.Mu), Float(x.MuLo), Float(x.MuHi), Float(x.MuStar), Float(x.MuStarLo), Float(x.MuStarHi),
		Float(x.Sigma), Float(x.SigmaLo), Float(x.SigmaHi)}
}

func (j indexJSON) report() SensitivityIndex {
	return SensitivityIndex{j.Factor, float64(j.S1), float64(j.S1Lo), float64(j.S1Hi), float64(j.ST), float64(j.STLo), float64(j.STHi),
		float64(j.Mu), float64(j.MuLo), float64(j.MuHi), float64(j.MuStar), float64(j.MuStarLo), float64(j.MuStarHi),
		float64(j.Sigma), float64(j.SigmaLo), float64(j.SigmaHi)}
}

func indicesToJSON(xs []SensitivityIndex) []indexJSON {
	out := make([]indexJSON, len(xs))
	for i, x := range xs {
		out[i] = indexToJSON(x)
	}
	return out
}

func indicesOf(js []indexJSON) []SensitivityIndex {
	if js == nil {
		return nil
	}
	out := make([]SensitivityIndex, len(js))
	for i, j := range js {
		out[i] = j.report()
	}
	return out
}

type convergenceJSON struct {
	N       int         `json:"n"`
	Indices []indexJSON `json:"indices"`
}

type outputJSON struct {
	Name        string            `json:"name"`
	Label       string            `json:"label"`
	Unit        string            `json:"unit"`
	Mean        Float             `json:"mean"`
	Variance    Float             `json:"variance"`
	NoiseShare  Float             `json:"noise_share"`
	Dropped     int               `json:"dropped"`
	Rerun       int               `json:"rerun"`
	Indices     []indexJSON       `json:"indices"`
	Convergence []convergenceJSON `json:"convergence"`
}

type sensitivityJSON struct {
	Kind       string         `json:"kind"`
	Name       string         `json:"name"`
	Method     string         `json:"method"`
	Design     string         `json:"design"`
	Confidence Float          `json:"confidence"`
	Points     int            `json:"points"`
	Runs       int            `json:"runs"`
	Failed     []string       `json:"failed"`
	Missing    string         `json:"missing"`
	Factors    []factorJSON   `json:"factors"`
	Outputs    []outputJSON   `json:"outputs"`
	Provenance provenanceJSON `json:"provenance"`
}

func sensitivityToJSON(r *SensitivityReport) sensitivityJSON {
	j := sensitivityJSON{Kind: sensitivityKind, Name: r.Name, Method: r.Method, Design: r.Design, Confidence: Float(r.Confidence),
		Points: r.Points, Runs: r.Runs, Failed: r.Failed, Missing: r.Missing, Provenance: provenanceToJSON(r.Provenance)}
	for _, f := range r.Factors {
		j.Factors = append(j.Factors, factorJSON(f))
	}
	for _, o := range r.Outputs {
		oj := outputJSON{Name: o.Name, Label: o.Label, Unit: o.Unit, Mean: Float(o.Mean), Variance: Float(o.Variance),
			NoiseShare: Float(o.NoiseShare), Dropped: o.Dropped, Rerun: o.Rerun, Indices: indicesToJSON(o.Indices)}
		for _, c := range o.Convergence {
			oj.Convergence = append(oj.Convergence, convergenceJSON{N: c.N, Indices: indicesToJSON(c.Indices)})
		}
		j.Outputs = append(j.Outputs, oj)
	}
	return j
}

func (j *sensitivityJSON) report() *SensitivityReport {
	r := &SensitivityReport{Name: j.Name, Method: j.Method, Design: j.Design, Confidence: float64(j.Confidence),
		Points: j.Points, Runs: j.Runs, Failed: j.Failed, Missing: j.Missing, Provenance: j.Provenance.report()}
	for _, f := range j.Factors {
		r.Factors = append(r.Factors, SensitivityFactor(f))
	}
	for _, oj := range j.Outputs {
		o := SensitivityOutput{Name: oj.Name, Label: oj.Label, Unit: oj.Unit, Mean: float64(oj.Mean), Variance: float64(oj.Variance),
			NoiseShare: float64(oj.NoiseShare), Dropped: oj.Dropped, Rerun: oj.Rerun, Indices: indicesOf(oj.Indices)}
		for _, c := range oj.Convergence {
			o.Convergence = append(o.Convergence, SensitivityConvergence{N: c.N, Indices: indicesOf(c.Indices)})
		}
		r.Outputs = append(r.Outputs, o)
	}
	return r
}

type paramJSON struct {
	Key    string `json:"key"`
	Min    Float  `json:"min"`
	Max    Float  `json:"max"`
	Log    bool   `json:"log"`
	Start  Float  `json:"start"`
	Fitted Float  `json:"fitted"`
	Lo     Float  `json:"lo"`
	Hi     Float  `json:"hi"`
	LoOpen bool   `json:"lo_open"`
	HiOpen bool   `json:"hi_open"`
	Fixed  bool   `json:"fixed"`
	MuStar Float  `json:"mu_star"`
	// the approximate posterior: present since the [abc] table; a file
	// without them reads as NaN
	PostMedian *Float `json:"post_median"`
	PostLo     *Float `json:"post_lo"`
	PostHi     *Float `json:"post_hi"`
}

func optFloat(v float64) *Float { f := Float(v); return &f }

func floatOr(f *Float) float64 {
	if f == nil {
		return math.NaN()
	}
	return float64(*f)
}

type targetJSON struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Unit      string `json:"unit"`
	Observed  Float  `json:"observed"`
	Sigma     Float  `json:"sigma"`
	Tolerance Float  `json:"tolerance"`
	Simulated Float  `json:"simulated"`
	SimLo     Float  `json:"sim_lo"`
	SimHi     Float  `json:"sim_hi"`
	Start     Float  `json:"start"`
	Met       bool   `json:"met"`
}

type stepJSON struct {
	Evaluation int    `json:"evaluation"`
	Phase      string `json:"phase"`
	Objective  Float  `json:"objective"`
	Best       Float  `json:"best"`
}

type calibrationJSON struct {
	Kind           string         `json:"kind"`
	Name           string         `json:"name"`
	Search         string         `json:"search"`
	Evaluations    int            `json:"evaluations"`
	Objective      Float          `json:"objective"`
	CheckObjective Float          `json:"check_objective"`
	StartObjective Float          `json:"start_objective"`
	Params         []paramJSON    `json:"params"`
	Targets        []targetJSON   `json:"targets"`
	History        []stepJSON     `json:"history"`
	ABCSamples     int            `json:"abc_samples"`
	ABCAccepted    int            `json:"abc_accepted"`
	ABCEpsilon     *Float         `json:"abc_epsilon"`
	Provenance     provenanceJSON `json:"provenance"`
}

func calibrationToJSON(r *CalibrationReport) calibrationJSON {
	j := calibrationJSON{Kind: calibrationKind, Name: r.Name, Search: r.Search, Evaluations: r.Evaluations,
		Objective: Float(r.Objective), CheckObjective: Float(r.CheckObjective), StartObjective: Float(r.StartObjective),
		ABCSamples: r.ABCSamples, ABCAccepted: r.ABCAccepted, ABCEpsilon: optFloat(r.ABCEpsilon), Provenance: provenanceToJSON(r.Provenance)}
	for _, p := range r.Params {
		j.Params = append(j.Params, paramJSON{p.Key, Float(p.Min), Float(p.Max), p.Log, Float(p.Start), Float(p.Fitted), Float(p.Lo), Float(p.Hi), p.LoOpen, p.HiOpen, p.Fixed, Float(p.MuStar),
			optFloat(p.PostMedian), optFloat(p.PostLo), optFloat(p.PostHi)})
	}
	for _, t := range r.Targets {
		j.Targets = append(j.Targets, targetJSON{t.Name, t.Label, t.Unit, Float(t.Observed), Float(t.Sigma), Float(t.Tolerance),
			Float(t.Simulated), Float(t.SimLo), Float(t.SimHi), Float(t.Start), t.Met})
	}
	for _, s := range r.History {
		j.History = append(j.History, stepJSON{s.Evaluation, s.Phase, Float(s.Objective), Float(s.Best)})
	}
	return j
}

func (j *calibrationJSON) report() *CalibrationReport {
	r := &CalibrationReport{Name: j.Name, Search: j.Search, Evaluations: j.Evaluations,
		Objective: float64(j.Objective), CheckObjective: float64(j.CheckObjective), StartObjective: float64(j.StartObjective),
		ABCSamples: j.ABCSamples, ABCAccepted: j.ABCAccepted, ABCEpsilon: floatOr(j.ABCEpsilon), Provenance: j.Provenance.report()}
	for _, p := range j.Params {
		r.Params = append(r.Params, CalibrationParam{p.Key, float64(p.Min), float64(p.Max), p.Log, float64(p.Start), float64(p.Fitted), float64(p.Lo), float64(p.Hi), p.LoOpen, p.HiOpen, p.Fixed, float64(p.MuStar),
			floatOr(p.PostMedian), floatOr(p.PostLo), floatOr(p.PostHi)})
	}
	for _, t := range j.Targets {
		r.Targets = append(r.Targets, CalibrationTarget{t.Name, t.Label, t.Unit, float64(t.Observed), float64(t.Sigma), float64(t.Tolerance),
			float64(t.Simulated), float64(t.SimLo), float64(t.SimHi), float64(t.Start), t.Met})
	}
	for _, s := range j.History {
		r.History = append(r.History, CalibrationStep{s.Evaluation, s.Phase, float64(s.Objective), float64(s.Best)})
	}
	return r
}

// writeJSONFile writes v as indented JSON with a final newline to path,
// atomically.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	b = append(b, '\n')
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// readJSONFile reads path into v, refusing unknown fields and a "kind"
// other than kind.
func readJSONFile(path, kind string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if head.Kind != kind {
		return fmt.Errorf("%s: kind %q, want %q", path, head.Kind, kind)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// WriteSensitivityData writes r to dir/SensitivityDataFile, atomically:
// JSON with snake_case keys (the fields' names: s1_lo, mu_star,
// noise_share, ...) after a "kind": "sensitivity" field, NaN and
// infinities as null, every other number as the shortest decimal that
// reads back to the same float64.
func WriteSensitivityData(dir string, r *SensitivityReport) error {
	return writeJSONFile(filepath.Join(dir, SensitivityDataFile), sensitivityToJSON(r))
}

// ReadSensitivityData reads dir/SensitivityDataFile as
// WriteSensitivityData writes it (null as NaN): the same report, float
// for float.
func ReadSensitivityData(dir string) (*SensitivityReport, error) {
	var j sensitivityJSON
	if err := readJSONFile(filepath.Join(dir, SensitivityDataFile), sensitivityKind, &j); err != nil {
		return nil, err
	}
	return j.report(), nil
}

// WriteCalibrationData writes r to dir/CalibrationDataFile, atomically,
// as WriteSensitivityData writes its report (after a "kind":
// "calibration" field).
func WriteCalibrationData(dir string, r *CalibrationReport) error {
	return writeJSONFile(filepath.Join(dir, CalibrationDataFile), calibrationToJSON(r))
}

// ReadCalibrationData reads dir/CalibrationDataFile as
// WriteCalibrationData writes it (null as NaN).
func ReadCalibrationData(dir string) (*CalibrationReport, error) {
	var j calibrationJSON
	if err := readJSONFile(filepath.Join(dir, CalibrationDataFile), calibrationKind, &j); err != nil {
		return nil, err
	}
	return j.report(), nil
}
