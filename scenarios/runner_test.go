package scenarios_test

import (
	"context"

	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// The tests of package scenarios run replications through package runner,
// which they cannot import (runner imports scenarios).
func init() {
	scenarios.RunReplications = func(cfg *sim.Config, n, workers int, newRecorder func(rep int) sim.Recorder) ([]sim.Result, error) {
		res, err := runner.RunConfig(context.Background(), cfg, n, runner.Options{Workers: workers, Recorder: newRecorder})
		if err != nil {
			return nil, err
		}
		return res.Replications, nil
	}
}
