package runner

import (
	"encoding/json"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/reports"
)

// ManifestChecks returns what manifest.json records of res's checks: when
// the invariants were checked and every invariant's and assertion's
// result (Result.Checks).
func ManifestChecks(res *Result) (*reports.Checks, error) {
	results := res.Checks()
	if results == nil {
		results = []assertion.Result{} // "results": [], not null
	}
	raw, err := json.Marshal(results)
	if err != nil {
		return nil, err
	}
	c := &reports.Checks{Invariants: res.Config.Check.String(), Results: raw}
	for _, r := range results {
		switch r.Verdict {
		case assertion.Pass:
			c.Passed++
		case assertion.Fail:
			c.Failed++
		default:
			c.Skipped++
		}
	}
	return c, nil
}
