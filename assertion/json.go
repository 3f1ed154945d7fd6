package assertion

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/depinsim/depinsim/sim"
)

// String returns "pass", "fail" or "skip".
func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Skip:
		return "skip"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// MarshalText writes the verdict as String does.
func (v Verdict) MarshalText() ([]byte, error) {
	if v > Skip {
		return nil, fmt.Errorf("assertion: no verdict %d", uint8(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText reads "pass", "fail" or "skip".
func (v *Verdict) UnmarshalText(b []byte) error {
	for _, w := range []Verdict{Pass, Fail, Skip} {
		if string(b) == w.String() {
			*v = w
			return nil
		}
	}
	return fmt.Errorf("assertion: verdict %q: want pass, fail or skip", b)
}

// resultJSON is Result as written in JSON: NaN values as null, the CI
// and the time left out when unknown, the time in hours.
type resultJSON struct {
	Kind    string      `json:"kind"`
	Name    string      `json:"name"`
	Metric  string      `json:"metric,omitempty"`
	Stat    string      `json:"stat"`
	Mode    string      `json:"mode,omitempty"`
	Value   string      `json:"value,omitempty"`
	Bounds  string      `json:"bounds,omitempty"`
	Values  []*float64  `json:"values,omitempty"`
	CI      *[2]float64 `json:"ci,omitempty"`
	Verdict Verdict     `json:"verdict"`
	Reason  string      `json:"reason,omitempty"`
	Rep     int         `json:"rep"`
	AtHours *float64    `json:"at_hours,omitempty"`
	Message string      `json:"message,omitempty"`
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// MarshalJSON writes r with Values' NaNs as null, CI as [lo, hi] (left
// out when NaN) and At as at_hours (left out when negative).
func (r Result) MarshalJSON() ([]byte, error) {
	j := resultJSON{Kind: r.Kind, Name: r.Name, Metric: r.Metric, Stat: r.Stat, Mode: r.Mode, Value: r.Value,
		Bounds: r.Bounds, Verdict: r.Verdict, Reason: r.Reason, Rep: r.Rep, Message: r.Message}
	if r.Values != nil {
		j.Values = nullable(r.Values)
	}
	if finite(r.CI[0]) && finite(r.CI[1]) {
		ci := r.CI
		j.CI = &ci
	}
	if r.At >= 0 {
		h := r.At.Hours()
		j.AtHours = &h
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes (null values as NaN, a
// missing CI as NaNs, a missing at_hours as -1).
func (r *Result) UnmarshalJSON(b []byte) error {
	var j resultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Result{Kind: j.Kind, Name: j.Name, Metric: j.Metric, Stat: j.Stat, Mode: j.Mode, Value: j.Value,
		Bounds: j.Bounds, Verdict: j.Verdict, Reason: j.Reason, Rep: j.Rep, Message: j.Message,
		CI: [2]float64{math.NaN(), math.NaN()}, At: -1}
	if j.Values != nil {
		r.Values = fromNullable(j.Values)
	}
	if j.CI != nil {
		r.CI = *j.CI
	}
	if j.AtHours != nil {
		r.At = sim.Time(math.Round(*j.AtHours * float64(sim.Hour)))
	}
	return nil
}

// nullable returns xs for JSON with each value that is not finite as a
// nil pointer (null); the pointers point into xs.
func nullable(xs []float64) []*float64 {
	ps := make([]*float64, len(xs))
	for i := range xs {
		if finite(xs[i]) {
			ps[i] = &xs[i]
		}
	}
	return ps
}

// fromNullable reads what nullable wrote: null as NaN.
func fromNullable(ps []*float64) []float64 {
	xs := make([]float64, len(ps))
	for i, p := range ps {
		xs[i] = math.NaN()
		if p != nil {
			xs[i] = *p
		}
	}
	return xs
}
