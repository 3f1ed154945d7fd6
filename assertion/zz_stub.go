package assertion

import (
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

func (a *Assertion) MetricLabel() string { return "" }
func (a *Assertion) StatLabel() string   { return "" }
func (a *Assertion) ModeLabel() string   { return "" }
func (a *Assertion) BoundsLabel() string { return "" }
