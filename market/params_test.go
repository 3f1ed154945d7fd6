package market_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

// gpuPrice is a minimal valid prices_usd_hour table.
var gpuPrice = map[string]any{"gpu": 1.0}

// okTiers is a minimal valid tiers array.
var okTiers = []map[string]any{{"name": "T", "priority": int64(0), "usd_per_work": 1.0}}

// okWork is a minimal valid work_per_unit_hour table.
var okWork = map[string]any{"gpu": 1.0}

// with returns a copy of base with the given keys set.
func with(base market.Params, kv ...any) market.Params {
	p := market.Params{}
	for k, v := range base {
		p[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		p[kv[i].(string)] = kv[i+1]
	}
	return p
}

// TestNewMechanismParamErrors checks that bad parameters of the four
// newer mechanisms are errors that name the key ("market.<key>"), the
// value and what is allowed, that unknown keys list the known ones, and
// that every error is reported (not just the first).
func TestNewMechanismParamErrors(t *testing.T) {
	posted := market.Params{"prices_usd_hour": gpuPrice}
	tiered := market.Params{"tiers": okTiers, "work_per_unit_hour": okWork}
	cases := []struct {
		name string
		p    market.Params
		want []string
	}{
		// posted-price
		{market.PostedPriceName, nil, []string{"market.prices_usd_hour: required"}},
		{market.PostedPriceName, with(posted, "foo", 1), []string{`market.foo: unknown parameter for mechanism "posted-price"`,
			"allocation, max_candidates, peak_k, peak_max, peak_min, peak_target, prices_usd_hour, reprice_every"}},
		{market.PostedPriceName, with(posted, "prices_usd_hour", 3.0), []string{"market.prices_usd_hour: must be a table"}},
		{market.PostedPriceName, with(posted, "prices_usd_hour", map[string]any{}), []string{"market.prices_usd_hour: must have at least one entry"}},
		{market.PostedPriceName, with(posted, "prices_usd_hour", map[string]any{"gpu": -1.0, "cpu": "x"}),
			[]string{"market.prices_usd_hour.gpu: must be >= 0, got -1", "market.prices_usd_hour.cpu: must be a number, got x"}},
		{market.PostedPriceName, with(posted, "prices_usd_hour", map[string]any{"gpu": math.Inf(1)}), []string{"market.prices_usd_hour.gpu: must be a finite number"}},
		{market.PostedPriceName, with(posted, "allocation", "fifo"), []string{"market.allocation: must be one of", `"lowest-load" "round-robin" "random-weighted"`, "fifo"}},
		{market.PostedPriceName, with(posted, "max_candidates", int64(-1)), []string{"market.max_candidates: must be in [0, 1048576], got -1"}},
		{market.PostedPriceName, with(posted, "peak_k", -0.5), []string{"market.peak_k: must be in [0, 100], got -0.5"}},
		{market.PostedPriceName, with(posted, "peak_k", "high"), []string{"market.peak_k: must be a number, got high (string)"}},
		{market.PostedPriceName, with(posted, "peak_target", 1.5), []string{"market.peak_target: must be in [0, 1], got 1.5"}},
		{market.PostedPriceName, with(posted, "peak_min", 0.0), []string{"market.peak_min: must be > 0, got 0"}},
		{market.PostedPriceName, with(posted, "peak_min", 1.5, "peak_max", 1.2), []string{"market.peak_max: must be >= peak_min (1.5), got 1.2"}},
		{market.PostedPriceName, with(posted, "reprice_every", "10"), []string{"market.reprice_every: duration \"10\""}},
		{market.PostedPriceName, with(posted, "reprice_every", "10s"), []string{"market.reprice_every: must be in [1m, 30d], got 10s"}},
		{market.PostedPriceName, with(posted, "reprice_every", int64(3600)), []string{"market.reprice_every: must be a duration such as \"10m\""}},
		// tiered-queue
		{market.TieredQueueName, nil, []string{"market.tiers: required", "market.work_per_unit_hour: required"}},
		{market.TieredQueueName, with(tiered, "tiers", []map[string]any{}), []string{"market.tiers: needs at least one tier"}},
		{market.TieredQueueName, with(tiered, "tiers", []any{}), []string{"market.tiers: needs at least one tier"}},
		{market.TieredQueueName, with(tiered, "tiers", "T1"), []string{"market.tiers: must be an array of tables, got T1"}},
		{market.TieredQueueName, with(tiered, "tiers", []any{okTiers[0], 3}), []string{"market.tiers[1]: must be a table, got 3"}},
		{market.TieredQueueName, with(tiered, "tiers", []map[string]any{{"name": "T"}}),
			[]string{"market.tiers[0].priority: required", "market.tiers[0].usd_per_work: required"}},
		{market.TieredQueueName, with(tiered, "tiers", []map[string]any{{"priority": int64(1), "usd_per_work": 1.0, "colour": "red"}}),
			[]string{"market.tiers[0].name: required", "market.tiers[0].colour: unknown key (known: audited_only, name, priority, usd_per_work)"}},
		{market.TieredQueueName, with(tiered, "tiers", []map[string]any{okTiers[0], okTiers[0]}), []string{`market.tiers[1].name: duplicate tier name "T"`}},
		{market.TieredQueueName, with(tiered, "tiers", []map[string]any{{"name": "T", "priority": 1.5, "usd_per_work": 0.0, "audited_only": "yes"}}),
			[]string{"market.tiers[0].priority: must be an integer", "market.tiers[0].usd_per_work: must be > 0, got 0", "market.tiers[0].audited_only: must be true or false, got yes"}},
		{market.TieredQueueName, with(tiered, "tiers", []map[string]any{{"name": "", "priority": int64(1), "usd_per_work": 1.0}}),
			[]string{"market.tiers[0].name: must be a non-empty string"}},
		{market.TieredQueueName, with(tiered, "work_per_unit_hour", map[string]any{"gpu": 0.0}), []string{"market.work_per_unit_hour: needs at least one entry > 0"}},
		{market.TieredQueueName, with(tiered, "backfill", int64(0)), []string{"market.backfill: must be in [1, 1048576], got 0"}},
		{market.TieredQueueName, with(tiered, "peak_k", 0.5), []string{`market.peak_k: unknown parameter for mechanism "tiered-queue"`,
			"allocation, backfill, max_candidates, tiers, work_per_unit_hour"}},
		// call-market
		{market.CallMarketName, market.Params{"period": "30s"}, []string{"market.period: must be in [1m, 1d], got 30s"}},
		{market.CallMarketName, market.Params{"period": "2d"}, []string{"market.period: must be in [1m, 1d], got 2d"}},
		{market.CallMarketName, market.Params{"k": 1.1}, []string{"market.k: must be in [0, 1], got 1.1"}},
		{market.CallMarketName, market.Params{"k": math.NaN()}, []string{"market.k: must be a finite number"}},
		{market.CallMarketName, market.Params{"max_bids": int64(0)}, []string{`market.max_bids: unknown parameter for mechanism "call-market" (it knows: k, period)`}},
		// single-solver
		{market.SingleSolverName, market.Params{"overhead": -0.1}, []string{"market.overhead: must be in [0, 100], got -0.1"}},
		{market.SingleSolverName, market.Params{"false_fail_rate": 2.0, "cheat_rate": -1.0, "detect_prob": 1.5, "dispute_win_prob": 7.0, "slash_fraction": 1.01},
			[]string{"market.false_fail_rate: must be in [0, 1], got 2", "market.cheat_rate: must be in [0, 1], got -1", "market.detect_prob: must be in [0, 1], got 1.5",
				"market.dispute_win_prob: must be in [0, 1], got 7", "market.slash_fraction: must be in [0, 1], got 1.01"}},
		{market.SingleSolverName, market.Params{"stake_ratio": -1.0}, []string{"market.stake_ratio: must be in [0, 1000], got -1"}},
		{market.SingleSolverName, market.Params{"solver": "auction"}, []string{"market.solver: must be one of", `"lowest-ask" "random"`, "auction"}},
		{market.SingleSolverName, market.Params{"tie_break": "random"}, []string{`market.tie_break: unknown parameter for mechanism "single-solver"`,
			"cheat_rate, detect_prob, dispute_win_prob, false_fail_rate, max_candidates, overhead, slash_fraction, solver, stake_ratio"}},
	}
	for _, c := range cases {
		m, err := market.New(c.name, c.p)
		require.Error(t, err, "%s %v", c.name, c.p)
		assert.Nil(t, m)
		for _, w := range c.want {
			assert.Contains(t, err.Error(), w, "%s %v", c.name, c.p)
		}
		for _, e := range strings.Split(err.Error(), "; ") {
			assert.True(t, strings.HasPrefix(e, "market."), "every error names its key: %q", e)
		}
	}
}

// TestNewMechanismParamsAccepted checks values at the edges of the
// ranges, integers for floats and simtime's duration units.
func TestNewMechanismParamsAccepted(t *testing.T) {
	cases := []struct {
		name string
		p    market.Params
	}{
		{market.PostedPriceName, market.Params{"prices_usd_hour": map[string]any{"gpu": int64(0), "cpu": 2}, "peak_target": int64(0), "peak_min": 2.0, "peak_max": 2.0, "reprice_every": "1m"}},
		{market.PostedPriceName, market.Params{"prices_usd_hour": gpuPrice, "reprice_every": "30d", "peak_k": 100, "allocation": "random-weighted"}},
		{market.TieredQueueName, market.Params{"tiers": okTiers, "work_per_unit_hour": map[string]any{"gpu": int64(3), "cpu": 0.0}, "backfill": int64(1), "max_candidates": int64(1 << 20)}},
		{market.CallMarketName, market.Params{"period": "1m", "k": int64(0)}},
		{market.CallMarketName, market.Params{"period": "24h", "k": 1.0}},
		{market.CallMarketName, market.Params{"period": "0.5h"}},
		{market.SingleSolverName, market.Params{"overhead": int64(0), "false_fail_rate": int64(1), "cheat_rate": 1.0, "detect_prob": 0.0, "stake_ratio": 0.0, "slash_fraction": 0.0}},
	}
	for _, c := range cases {
		_, err := market.New(c.name, c.p)
		assert.NoError(t, err, "%s %v", c.name, c.p)
	}
	m := newCall(t, market.Params{"period": "0.5h"})
	assert.Equal(t, int64(1800e9), m.Period())
}

// TestNewMechanismsRegistered checks that the default registry holds the
// four newer mechanisms under their names, each with its capabilities.
func TestNewMechanismsRegistered(t *testing.T) {
	names := market.Names()
	for _, n := range []string{market.PostedPriceName, market.TieredQueueName, market.CallMarketName, market.SingleSolverName} {
		assert.Contains(t, names, n)
	}
	caps := func(m market.Mechanism) (poster, tiered, batcher, verifier, binder, windowed bool) {
		_, poster = m.(market.Poster)
		_, tiered = m.(market.Tiered)
		_, batcher = m.(market.Batcher)
		_, verifier = m.(market.Verifier)
		_, binder = m.(market.ResourceBinder)
		_, windowed = m.(market.Windowed)
		return
	}
	type c6 = [6]bool
	get := func(m market.Mechanism) c6 { a, b, c, d, e, f := caps(m); return c6{a, b, c, d, e, f} }
	assert.Equal(t, c6{true, false, false, false, true, true}, get(newMech(t, market.PostedPriceName, market.Params{"prices_usd_hour": gpuPrice})))
	assert.Equal(t, c6{true, true, false, false, true, true}, get(newMech(t, market.TieredQueueName, market.Params{"tiers": okTiers, "work_per_unit_hour": okWork})))
	assert.Equal(t, c6{false, false, true, false, false, false}, get(newMech(t, market.CallMarketName, nil)))
	assert.Equal(t, c6{false, false, false, true, false, true}, get(newMech(t, market.SingleSolverName, nil)))
}
