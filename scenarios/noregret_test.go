package scenarios_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
)

// runHashes runs source with sets (two replications, seed 7) on the
// given number of workers into a run folder and returns the SHA-256 of
// each data file.
func runHashes(t *testing.T, source string, sets []string, market map[string]any, workers int) map[string]string {
	t.Helper()
	sc, err := scenarios.Load(source, append([]string{"sim.seed=7", "sim.replications=2"}, sets...))
	require.NoError(t, err)
	if market != nil {
		sc.Market = market
		require.NoError(t, sc.Validate())
	}
	dir := t.TempDir()
	sink := runner.NewFileSink(dir, sc, runner.FileOptions{Source: source})
	_, err = runner.Run(context.Background(), sc, runner.Options{Workers: workers, Sink: sink})
	require.NoError(t, err)
	out := map[string]string{}
	for _, name := range []string{reports.TimeseriesFile, reports.ResourcesFile, reports.CohortsFile, reports.SummaryFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		sum := sha256.Sum256(b)
		out[name] = hex.EncodeToString(sum[:])
	}
	return out
}

// TestNoRegretDeterministic: a run with no-regret providers gives the same
// bytes twice and with 1 and 2 workers (each provider's learner draws from
// its own named stream), in an auction and in a call market; and its
// outputs differ from the cost-plus run's, so the learners do bid. Under
// -short the runs are 5 days after a 5-day warmup instead of 10 days after
// the preset's 60.
func TestNoRegretDeterministic(t *testing.T) {
	span := []string{"sim.horizon=10d"}
	if testing.Short() {
		span = []string{"sim.horizon=5d", "sim.warmup=5d"}
	}
	learning := append(span[:len(span):len(span)], "providers.gpu-h100.strategy=no-regret", "providers.cpu-large.strategy=no-regret",
		"providers.gpu-a100.strategy=no-regret", "providers.gpu-a100.markup_arms=5", "providers.gpu-a100.exploration=0.3")
	for _, x := range []struct {
		name   string
		market map[string]any
	}{
		{"auction", nil},
		{"call-market", map[string]any{"mechanism": "call-market", "period": "10m", "k": 0.5}},
	} {
		t.Run(x.name, func(t *testing.T) {
			a := runHashes(t, "akash-2024", learning, x.market, 1)
			b := runHashes(t, "akash-2024", learning, x.market, 2)
			c := runHashes(t, "akash-2024", learning, x.market, 2)
			assert.Equal(t, a, b, "1 and 2 workers")
			assert.Equal(t, b, c, "the same run twice")
			fixed := runHashes(t, "akash-2024", span, x.market, 2)
			assert.NotEqual(t, a[reports.SummaryFile], fixed[reports.SummaryFile], "no-regret bids like cost-plus")
		})
	}
}
