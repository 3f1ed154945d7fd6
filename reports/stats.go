package reports

import (
	"math"
	"strconv"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// ConfidenceLevel is the two-sided level of the confidence intervals
// reported across replications.
const ConfidenceLevel = 0.95

// Float is a float64 that encodes as JSON null when it is NaN or
// infinite (JSON has no such numbers) and as the shortest exact decimal
// otherwise; null decodes back to NaN.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// Stat is a quantity measured once per replication and its estimate
// across replications.
type Stat struct {
	// PerRep holds the value of each replication, in the order of
	// Summary.Reps; NaN (null) when a replication has no value.
	PerRep []Float `json:"per_rep"`
	// N is the number of replications with a value.
	N int `json:"n"`
	// Mean is the mean of the per-replication values.
	Mean Float `json:"mean"`
	// SD is their sample standard deviation (denominator N-1); NaN when
	// N < 2.
	SD Float `json:"sd"`
	// CILow is the lower bound of the 95% confidence interval of the
	// mean, Mean - t(0.975, N-1)·SD/√N; Mean when N = 1.
	CILow Float `json:"ci95_low"`
	// CIHigh is the upper bound, Mean + t(0.975, N-1)·SD/√N; Mean when
	// N = 1.
	CIHigh Float `json:"ci95_high"`
	// CINote explains a degenerate interval ("one replication", "no data").
	CINote string `json:"ci_note,omitempty"`
}

// NewStat estimates the mean of perRep across replications, ignoring NaN
// entries, with a Student-t confidence interval at ConfidenceLevel.
func NewStat(perRep []float64) Stat {
	s := Stat{PerRep: make([]Float, len(perRep))}
	xs := make([]float64, 0, len(perRep))
	for i, v := range perRep {
		s.PerRep[i] = Float(v)
		if !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	s.N = len(xs)
	nan := Float(math.NaN())
	switch s.N {
	case 0:
		s.Mean, s.SD, s.CILow, s.CIHigh = nan, nan, nan, nan
		s.CINote = "no data"
	case 1:
		s.Mean, s.SD, s.CILow, s.CIHigh = Float(xs[0]), nan, Float(xs[0]), Float(xs[0])
		s.CINote = "one replication"
	default:
		mean, sd := stat.MeanStdDev(xs, nil)
		half := TQuantile(s.N-1) * sd / math.Sqrt(float64(s.N))
		s.Mean, s.SD = Float(mean), Float(sd)
		s.CILow, s.CIHigh = Float(mean-half), Float(mean+half)
	}
	return s
}

// TQuantile returns the (1+ConfidenceLevel)/2 quantile of Student's t
// distribution with df degrees of freedom (about 4.3027 for df = 2).
func TQuantile(df int) float64 {
	// Quantile is deterministic and does not use the random source.
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}
	return t.Quantile(1 - (1-ConfidenceLevel)/2)
}

// nanMean returns the mean of the non-NaN values of xs, or NaN if none.
func nanMean(xs []float64) float64 {
	sum, n := 0.0, 0
	for _, v := range xs {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}
