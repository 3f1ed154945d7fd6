package assertion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// BaselineFormat is the format number Write stores and ReadBaseline
// reads.
const BaselineFormat = 1

// DefaultAlpha is the family-wise false-alarm rate Compare uses when
// CompareOptions.Alpha is 0: the chance that a run whose behaviour did not
// change reports any metric of a scenario as moved.
const DefaultAlpha = 0.01

// The values of Drift.Test besides the tests themselves.
const (
	// TestPaired is the paired t-test (both runs used the same
	// replication seeds: common random numbers).
	TestPaired = "paired t"
	// TestWelch is Welch's two-sample t-test.
	TestWelch = "welch t"
	// TestExact is used when neither sample has any spread (or all
	// paired differences are equal): the means are equal or they are not.
	TestExact = "exact"
	// TestTooFew is reported when a side has fewer than 2 finite values
	// (or fewer than 2 complete pairs): nothing can be tested.
	TestTooFew = "too few values"
	// TestMissing is reported for a metric present in only one of the
	// two runs.
	TestMissing = "missing"
)

// Baseline is what 'depinsim check --update-baseline' stores for one
// scenario: each metric's per-replication summary values, with what is
// needed to tell whether a later run is comparable. See docs/baselines.md.
type Baseline struct {
	// Format is the file format number (BaselineFormat).
	Format int `json:"format"`
	// Version is the version of the program that wrote the baseline.
	Version string `json:"version"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// ScenarioHash is the hex SHA-256 of the resolved scenario.toml.
	ScenarioHash string `json:"scenario_hash"`
	// MasterSeed is the master seed the replication seeds came from.
	MasterSeed uint64 `json:"master_seed"`
	// Seeds holds one seed per replication, in replication order.
	Seeds []uint64 `json:"seeds"`
	// Metrics holds the metrics' values, in a fixed order.
	Metrics []BaselineMetric `json:"metrics"`
}

// BaselineMetric is one metric's per-replication summary values.
type BaselineMetric struct {
	// Metric is the metric as shown (see Result.Metric).
	Metric string `json:"metric"`
	// Stat is the per-replication summary: "mean" (over time) or
	// "final" (the last sample).
	Stat string `json:"stat"`
	// Values holds one value per replication, in the order of
	// Baseline.Seeds; NaN where a replication had no finite value
	// (written as null).
	Values []float64 `json:"values"`
}

// wireBaseline is Baseline as stored: NaN values are nulls.
type wireBaseline struct {
	Format       *int         `json:"format"`
	Version      string       `json:"version"`
	Scenario     string       `json:"scenario"`
	ScenarioHash string       `json:"scenario_hash"`
	MasterSeed   uint64       `json:"master_seed"`
	Seeds        []uint64     `json:"seeds"`
	Metrics      []wireMetric `json:"metrics"`
}

type wireMetric struct {
	Metric string     `json:"metric"`
	Stat   string     `json:"stat"`
	Values []*float64 `json:"values"`
}

// validate checks the invariants Write and ReadBaseline share.
func (b *Baseline) validate() error {
	if b.Format != BaselineFormat {
		return fmt.Errorf("baseline format %d: this version reads and writes format %d only", b.Format, BaselineFormat)
	}
	seen := make(map[[2]string]int, len(b.Metrics))
	for i, m := range b.Metrics {
		if m.Metric == "" {
			return fmt.Errorf("metrics[%d].metric is empty", i)
		}
		if m.Stat != "mean" && m.Stat != "final" {
			return fmt.Errorf("metrics[%d] (%s): stat %q; allowed: mean, final", i, m.Metric, m.Stat)
		}
		k := [2]string{m.Metric, m.Stat}
		if j, ok := seen[k]; ok {
			return fmt.Errorf("metrics[%d]: metric %s (stat %s) is listed twice (also metrics[%d])", i, m.Metric, m.Stat, j)
		}
		seen[k] = i
		if len(m.Values) != len(b.Seeds) {
			return fmt.Errorf("metrics[%d] (%s, %s): %d values for %d seeds; want one value per replication",
				i, m.Metric, m.Stat, len(m.Values), len(b.Seeds))
		}
		for r, v := range m.Values {
			if math.IsInf(v, 0) {
				return fmt.Errorf("metrics[%d] (%s, %s): values[%d] is %v; allowed: a finite number or NaN (null)", i, m.Metric, m.Stat, r, v)
			}
		}
	}
	return nil
}

// Write writes b as indented JSON with a trailing newline; the same
// baseline always gives the same bytes. NaN values are written as null.
// It writes nothing when b is invalid (see ReadBaseline).
func (b *Baseline) Write(w io.Writer) error {
	if b == nil {
		return errors.New("write baseline: nil baseline")
	}
	if err := b.validate(); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	f := b.Format
	wb := wireBaseline{
		Format: &f, Version: b.Version, Scenario: b.Scenario, ScenarioHash: b.ScenarioHash,
		MasterSeed: b.MasterSeed, Seeds: b.Seeds, Metrics: make([]wireMetric, len(b.Metrics)),
	}
	if wb.Seeds == nil {
		wb.Seeds = []uint64{}
	}
	for i, m := range b.Metrics {
		wb.Metrics[i] = wireMetric{Metric: m.Metric, Stat: m.Stat, Values: nullable(m.Values)} // validate refused ±Inf
	}
	data, err := json.MarshalIndent(wb, "", "  ")
	if err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	data = append(data, '\n')
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return nil
}

// ReadBaseline reads a baseline written by Write. It is strict: an
// unknown field, a format other than BaselineFormat, a metric listed
// twice, a stat other than mean or final, or a metric whose number of
// values differs from the number of seeds is an error saying so.
func ReadBaseline(r io.Reader) (*Baseline, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	// The format first, so that a newer file is reported as such and not
	// by its first unknown field.
	var head struct {
		Format *int `json:"format"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&head); err != nil {
		return nil, fmt.Errorf("read baseline: not a baseline file: %w", err)
	}
	if head.Format == nil {
		return nil, fmt.Errorf("read baseline: no \"format\" field; this version reads format %d", BaselineFormat)
	}
	if *head.Format != BaselineFormat {
		return nil, fmt.Errorf("read baseline: format %d; this version reads format %d only (update the baseline with --update-baseline)",
			*head.Format, BaselineFormat)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var wb wireBaseline
	if err := dec.Decode(&wb); err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("read baseline: data after the baseline's JSON object")
	}
	b := &Baseline{
		Format: *wb.Format, Version: wb.Version, Scenario: wb.Scenario, ScenarioHash: wb.ScenarioHash,
		MasterSeed: wb.MasterSeed, Seeds: wb.Seeds, Metrics: make([]BaselineMetric, len(wb.Metrics)),
	}
	for i, m := range wb.Metrics {
		b.Metrics[i] = BaselineMetric{Metric: m.Metric, Stat: m.Stat, Values: fromNullable(m.Values)}
	}
	if err := b.validate(); err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	return b, nil
}

// CompareOptions tunes Compare.
type CompareOptions struct {
	// Alpha is the family-wise false-alarm rate: the chance, when
	// nothing changed, that any metric of the scenario is reported as
	// moved. 0 means DefaultAlpha; otherwise in (0, 0.5].
	Alpha float64
	// MinEffect is the smallest relative change |Cur-Base|/|Base| that
	// counts as moved (0.02 is 2%); 0 (the default) counts any
	// significant change. A metric whose Base is 0 moves when Diff != 0.
	MinEffect float64
}

// Compare compares each metric of cur with the same metric (Metric and
// Stat) of base and says which moved by more than seed noise explains.
//
// The result holds one Drift per metric of base, in base's order, then
// one per metric found only in cur, in cur's order. A metric present in
// only one run is not an error: its Drift has Test "missing", P and
// Adjusted NaN, Moved false, and the absent side's mean NaN and count 0.
//
// When base and cur have the same seeds (common random numbers) Compare
// uses a paired t-test on the per-replication differences of the pairs
// where both values are finite; otherwise Welch's t-test on each side's
// finite values. Neither side having spread gives Test "exact" (P 1 when
// the means are equal, else 0); fewer than 2 values on a side gives Test
// "too few values" and P NaN. P-values are corrected across the metrics
// with a finite P by Holm's step-down method, so that the chance of any
// false alarm is at most Alpha; metrics equal and constant on both sides
// stay out of that family (holm).
func Compare(base, cur *Baseline, opt CompareOptions) ([]Drift, error) {
	if base == nil || cur == nil {
		return nil, errors.New("compare baselines: nil baseline")
	}
	alpha := opt.Alpha
	if alpha == 0 {
		alpha = DefaultAlpha
	}
	if !(alpha > 0 && alpha <= 0.5) {
		return nil, fmt.Errorf("compare baselines: alpha %v; allowed: 0 < alpha <= 0.5 (0 means the default %v)", opt.Alpha, DefaultAlpha)
	}
	if math.IsNaN(opt.MinEffect) || math.IsInf(opt.MinEffect, 0) || opt.MinEffect < 0 {
		return nil, fmt.Errorf("compare baselines: min effect %v; allowed: a finite number >= 0", opt.MinEffect)
	}
	paired := slices.Equal(base.Seeds, cur.Seeds)
	key := func(m BaselineMetric) [2]string { return [2]string{m.Metric, m.Stat} }
	curAt := make(map[[2]string]int, len(cur.Metrics))
	for i, m := range cur.Metrics {
		curAt[key(m)] = i
	}
	inBase := make(map[[2]string]bool, len(base.Metrics))
	var out []Drift
	for _, bm := range base.Metrics {
		inBase[key(bm)] = true
		j, ok := curAt[key(bm)]
		if !ok {
			mean, n := finiteMean(bm.Values)
			out = append(out, missingDrift(bm.Metric, bm.Stat, mean, math.NaN(), n, 0))
			continue
		}
		cm := cur.Metrics[j]
		var d Drift
		if paired {
			d = pairedTest(bm.Values, cm.Values)
		} else {
			d = welchTest(bm.Values, cm.Values)
		}
		d.Metric, d.Stat = bm.Metric, bm.Stat
		out = append(out, d)
	}
	for _, cm := range cur.Metrics {
		if !inBase[key(cm)] {
			mean, m := finiteMean(cm.Values)
			out = append(out, missingDrift(cm.Metric, cm.Stat, math.NaN(), mean, 0, m))
		}
	}
	holm(out)
	for i := range out {
		d := &out[i]
		if !(d.Adjusted < alpha) {
			continue
		}
		if d.Base == 0 {
			d.Moved = d.Diff != 0
		} else {
			d.Moved = math.Abs(d.Rel) >= opt.MinEffect
		}
	}
	return out, nil
}

func missingDrift(metric, stat string, base, cur float64, n, m int) Drift {
	nan := math.NaN()
	return Drift{
		Metric: metric, Stat: stat, Base: base, Cur: cur, N: n, M: m,
		Diff: nan, Rel: nan, CI: [2]float64{nan, nan}, Test: TestMissing, P: nan, Adjusted: nan,
	}
}

// finiteMean returns the mean of xs' finite values and their number.
func finiteMean(xs []float64) (float64, int) {
	s, n := 0.0, 0
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN(), 0
	}
	return s / float64(n), n
}

func finiteValues(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out = append(out, x)
		}
	}
	return out
}

// meanVar returns the mean and the unbiased variance of xs (len >= 2),
// and whether all values are equal (no spread, whatever rounding makes of
// the variance).
func meanVar(xs []float64) (mean, variance float64, flat bool) {
	flat = true
	for _, x := range xs {
		mean += x
		if x != xs[0] {
			flat = false
		}
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	variance /= float64(len(xs) - 1)
	return mean, variance, flat
}

// setRel fills Diff and Rel from Base and Cur.
func (d *Drift) setRel() {
	d.Diff = d.Cur - d.Base
	if d.Base == 0 {
		d.Rel = math.NaN()
	} else {
		d.Rel = d.Diff / math.Abs(d.Base)
	}
}

// tResult fills P and CI for the statistic diff/se with df degrees of
// freedom.
func (d *Drift) tResult(diff, se, df float64) {
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	d.P = math.Min(1, 2*t.Survival(math.Abs(diff/se)))
	h := t.Quantile(0.975) * se
	d.CI = [2]float64{diff - h, diff + h}
}

// exactResult fills P and CI when there is no spread.
func (d *Drift) exactResult(diff float64) {
	d.Test = TestExact
	d.P = 0
	if diff == 0 {
		d.P = 1
	}
	d.CI = [2]float64{diff, diff}
}

func tooFew(d *Drift) {
	nan := math.NaN()
	d.Test, d.P, d.CI = TestTooFew, nan, [2]float64{nan, nan}
}

// welchTest is Welch's two-sample t-test of cur against base on each
// side's finite values.
func welchTest(base, cur []float64) Drift {
	xs, ys := finiteValues(base), finiteValues(cur)
	var d Drift
	d.N, d.M = len(xs), len(ys)
	d.Base, _ = finiteMean(xs)
	d.Cur, _ = finiteMean(ys)
	d.setRel()
	d.Test = TestWelch
	if len(xs) < 2 || len(ys) < 2 {
		tooFew(&d)
		return d
	}
	mx, vx, fx := meanVar(xs)
	my, vy, fy := meanVar(ys)
	diff := my - mx
	if fx && fy {
		d.exactResult(diff)
		return d
	}
	a, b := vx/float64(len(xs)), vy/float64(len(ys))
	se2 := a + b
	df := se2 * se2 / (a*a/float64(len(xs)-1) + b*b/float64(len(ys)-1))
	d.tResult(diff, math.Sqrt(se2), df)
	return d
}

// pairedTest is the paired t-test on cur[i] - base[i] over the i where
// both are finite. Base and Cur are the means over those pairs (so that
// Diff is the mean difference) and N and M both their number.
func pairedTest(base, cur []float64) Drift {
	var xs, ys, ds []float64
	for i := range base {
		x, y := base[i], cur[i]
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		xs, ys, ds = append(xs, x), append(ys, y), append(ds, y-x)
	}
	var d Drift
	d.N, d.M = len(ds), len(ds)
	d.Base, _ = finiteMean(xs)
	d.Cur, _ = finiteMean(ys)
	d.setRel()
	d.Test = TestPaired
	if len(ds) < 2 {
		tooFew(&d)
		return d
	}
	md, vd, flat := meanVar(ds)
	if flat {
		d.exactResult(ds[0])
		return d
	}
	d.tResult(md, math.Sqrt(vd/float64(len(ds))), float64(len(ds)-1))
	return d
}

// holm sets Adjusted to Holm's step-down adjusted p-values across the
// drifts with a finite P (NaN for the others): sorted ascending, the i-th
// smallest (from 0) of m gets max over j <= i of (m-j)·p(j), capped at 1.
// A metric with the same constant value on both sides (Test "exact", P 1:
// a count that stayed 0, a parameter) is no hypothesis and stays out of
// the family (Adjusted 1), so that it does not dilute the others' power.
// A metric constant whatever the seed can give no false alarm, so leaving
// it out keeps the rate; a rare count that stayed 0 in both runs by chance
// is left out too (cmd/depinsim's TestCheckBaselineFalseAlarms measures
// the rate of the whole procedure on a real scenario).
func holm(ds []Drift) {
	var idx []int
	for i := range ds {
		ds[i].Adjusted = math.NaN()
		if ds[i].Test == TestExact && ds[i].P == 1 {
			ds[i].Adjusted = 1
			continue
		}
		if !math.IsNaN(ds[i].P) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ds[idx[a]].P < ds[idx[b]].P })
	m := len(idx)
	run := 0.0
	for k, i := range idx {
		run = math.Max(run, math.Min(1, float64(m-k)*ds[i].P))
		ds[i].Adjusted = run
	}
}
