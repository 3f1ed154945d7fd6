package assertion

import (
	"io"

	"github.com/depinsim/depinsim/sim"
)

// TEMPORARY: replaced by the assertion core; removed at merge.

// Assertion is a compiled assertion.
type Assertion struct{ Spec Spec }

// Compile validates specs.
func Compile(specs []Spec, ctx Context) ([]*Assertion, error) {
	out := make([]*Assertion, len(specs))
	for i := range specs {
		out[i] = &Assertion{Spec: specs[i]}
	}
	return out, nil
}

func (e *Error) Error() string { return e.Key + ": " + e.Msg }

type Collector struct{}
type Evaluator struct{}

func NewCollector(as []*Assertion) *Collector                                    { return &Collector{} }
func (c *Collector) Record(s *sim.Sample)                                        {}
func NewEvaluator(as []*Assertion, h sim.Time) *Evaluator                        { return &Evaluator{} }
func (e *Evaluator) Add(rep int, c *Collector)                                   {}
func (e *Evaluator) Results() []Result                                           { return nil }
func InvariantResults(m sim.CheckMode, rep int, ie *sim.InvariantError) []Result { return nil }

func (v Verdict) String() string { return [...]string{"pass", "fail", "skip"}[v] }

type Family struct {
	Name, Unit string
	Kind       sim.MetricKind
	Key        string
	Doc        string
}
type StatInfo struct{ Name, Doc string }

func Families() []Family { return nil }
func Stats() []StatInfo  { return nil }

const DefaultAlpha = 0.01

type Baseline struct {
	Format       int
	Version      string
	Scenario     string
	ScenarioHash string
	MasterSeed   uint64
	Seeds        []uint64
	Metrics      []BaselineMetric
}
type BaselineMetric struct {
	Metric, Stat string
	Values       []float64
}
type CompareOptions struct{ Alpha, MinEffect float64 }

func (b *Baseline) Write(w io.Writer) error                     { return nil }
func ReadBaseline(r io.Reader) (*Baseline, error)               { return nil, nil }
func Compare(b, c *Baseline, o CompareOptions) ([]Drift, error) { return nil, nil }
func (a *Assertion) MetricLabel() string                        { return "" }
func (a *Assertion) StatLabel() string                          { return "" }
func (a *Assertion) ModeLabel() string                          { return "" }
func (a *Assertion) BoundsLabel() string                        { return "" }
