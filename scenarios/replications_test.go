package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// RunReplications runs replications 0..n-1 of cfg on the module's worker
// pool (package runner) with the given number of workers (0: one per
// CPU), giving replication rep the recorder newRecorder(rep), and returns
// their results in replication order. Package runner imports this
// package, so its own tests cannot import runner: the external test
// package sets this variable (runner_test.go).
var RunReplications func(cfg *sim.Config, n, workers int, newRecorder func(rep int) sim.Recorder) ([]sim.Result, error)

// runReplications is RunReplications, failing the test on an error (a
// failed replication or a broken invariant).
func runReplications(t testing.TB, cfg *sim.Config, n, workers int, newRecorder func(rep int) sim.Recorder) []sim.Result {
	t.Helper()
	require.NotNil(t, RunReplications, "set by runner_test.go")
	res, err := RunReplications(cfg, n, workers, newRecorder)
	require.NoError(t, err)
	return res
}
