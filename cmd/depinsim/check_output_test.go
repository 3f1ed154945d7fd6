package main

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nan2 is a confidence interval that does not apply.
var checkNaN2 = [2]float64{math.NaN(), math.NaN()}

// checkFixture is the outcome of 'depinsim check' over two scenarios,
// built by hand: passes, a failed assertion, a broken invariant, a
// skipped assertion, drifts (one moved) and a scenario error. Its second
// scenario's names hold markup, quotes, '&' and a newline.
func checkFixture() []checkedScenario {
	a := checkedScenario{
		Arg: "examples/ci/market.toml", Sets: []string{"tokenomics.take_rate.akt=0.03", "sim.horizon=60d"},
		Name: "ci-market", Hash: strings.Repeat("ab", 32), Reps: 4, Seed: 42, Check: "sample",
		Wall: 1500 * time.Millisecond,
		Results: []assertion.Result{
			{Kind: "invariant", Name: "ledger-balance", Stat: "every sample", Verdict: assertion.Pass, Rep: -1, At: -1, CI: checkNaN2},
			{Kind: "invariant", Name: "escrow-nonnegative", Stat: "every sample", Verdict: assertion.Fail, Rep: 2, At: 36 * sim.Hour,
				Reason: "escrow of deployment 17 is -3.5 uakt", CI: checkNaN2},
			{Kind: "assertion", Name: "gpu-util", Metric: "gpu_utilization", Stat: "mean over 30d..60d", Mode: "across mean",
				Value: "0.71", Bounds: "[0.4, 0.6]", Values: []float64{0.7, 0.72, 0.71, 0.71}, CI: [2]float64{0.69, 0.73},
				Verdict: assertion.Fail, Reason: "mean 0.71 > max 0.6", Rep: -1, At: -1, Message: "utilization left the calibrated band"},
			{Kind: "assertion", Name: "cpu-min", Metric: "cpu_utilization", Stat: "min", Mode: "all",
				Value: "0.52", Bounds: ">= 0.5", Values: []float64{0.55, 0.52, 0.6, 0.53}, CI: checkNaN2, Verdict: assertion.Pass, Rep: -1, At: -1},
			{Kind: "assertion", Name: "late-supply", Metric: "token_supply", Stat: "final over 400d..", Mode: "all",
				Bounds: "<= 1e9", CI: checkNaN2, Verdict: assertion.Skip, Reason: "the window 400d.. lies beyond the horizon 60d", Rep: -1, At: -1},
		},
		Baseline: "examples/ci/baseline",
		Drifts: []assertion.Drift{
			{Metric: "gpu_utilization", Stat: "mean", Base: 0.5, Cur: 0.71, N: 4, M: 4, Diff: 0.21, Rel: 0.42,
				CI: [2]float64{0.18, 0.24}, Test: "paired t", P: 0.0001, Adjusted: 0.0003, Moved: true},
			{Metric: "token_supply", Stat: "final", Base: 1e8, Cur: 1.0001e8, N: 4, M: 4, Diff: 1e4, Rel: 1e-4,
				CI: [2]float64{-2e4, 4e4}, Test: "paired t", P: 0.4, Adjusted: 0.8},
		},
	}
	b := checkedScenario{
		Arg: "my scenario's <file>.toml", Name: "weird <script>alert(\"x\")</script> & co\nline two", Hash: strings.Repeat("01", 32),
		Reps: 3, Seed: 7, Check: "event", Wall: 250 * time.Millisecond,
		Results: []assertion.Result{
			{Kind: "assertion", Name: `name with "quotes" & <b>tags</b>` + "\nand a newline", Metric: "resource_utilization[gpu:h100]", Stat: "p95",
				Mode: "share>=0.8", Value: "0.5", Bounds: "[0.9, 1]", Verdict: assertion.Fail, Reason: "only 50% of replications hold:\nrep 0 0.8", Rep: 0, At: 49 * sim.Day, CI: checkNaN2},
		},
		Err: errors.New("replication 1 failed: scenario <x> & \"y\"\nstack line"),
	}
	return []checkedScenario{a, b}
}

func TestCheckTable(t *testing.T) {
	var buf bytes.Buffer
	writeCheckTable(&buf, checkFixture())
	out := buf.String()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	assert.Regexp(t, `^scenario\s+kind\s+check\s+metric\s+statistic\s+value\s+bounds\s+mode\s+verdict$`, lines[0])
	// One row per check, in order, with its verdict last.
	assert.Regexp(t, `ci-market\s+invariant\s+ledger-balance\s+-\s+every sample\s+-\s+-\s+-\s+pass`, lines[1])
	assert.Regexp(t, `ci-market\s+invariant\s+escrow-nonnegative.*FAIL$`, lines[2])
	assert.Regexp(t, `gpu-util\s+gpu_utilization\s+mean over 30d..60d\s+0.71\s+\[0.4, 0.6\]\s+across mean\s+FAIL$`, lines[3])
	assert.Regexp(t, `late-supply.*skip$`, lines[5])
	// Long and multi-line names are cut to one line of at most checkMaxCell.
	assert.True(t, strings.HasPrefix(lines[6], "weird <script>alert…cript> & co line two  assertion"), lines[6])
	// Failure blocks: reason, message, first violation, reproduce.
	assert.Contains(t, out, "FAIL ci-market: invariant escrow-nonnegative\n  every sample\n  reason: escrow of deployment 17 is -3.5 uakt\n  first violation: replication 2 at 36 h (day 1.5) of simulated time\n"+
		"  reproduce: depinsim run examples/ci/market.toml --set tokenomics.take_rate.akt=0.03 --set sim.horizon=60d --seed 42 --reps 4 --rep 2 --check=event\n")
	assert.Contains(t, out, "  message: utilization left the calibrated band\n")
	assert.Contains(t, out, "  per replication: 0.7, 0.72, 0.71, 0.71\n  95% CI of the mean: [0.69, 0.73]\n")
	assert.Contains(t, out, "  reproduce: depinsim check examples/ci/market.toml --set tokenomics.take_rate.akt=0.03 --set sim.horizon=60d --seed 42 --reps 4 --check=sample\n")
	// Drift table and the moved metric.
	assert.Contains(t, out, "baseline examples/ci/baseline, scenario ci-market:\n")
	assert.Regexp(t, `gpu_utilization\s+mean\s+0.5\s+0.71\s+\+42.00%\s+\[0.18, 0.24\]\s+paired t\s+0.0001\s+0.0003\s+MOVED`, out)
	assert.Regexp(t, `token_supply\s+final\s+1e\+08\s+1e\+08\s+\+0.01%\s+\[-2e\+04, 4e\+04\]\s+paired t\s+0.4000\s+0.8000\s+held`, out)
	assert.Contains(t, out, "  moved: gpu_utilization mean (+42.00%, Holm p 0.0003)\n")
	assert.Contains(t, out, "--baseline examples/ci/baseline\n")
	// The error, indented.
	assert.Contains(t, out, "ERROR weird <script>alert(\"x\")</script> & co line two: replication 1 failed: scenario <x> & \"y\"\n  stack line\n")
	// 8 checks: 5 + 2 drifts + 1; 3 passed; 4 failed of which 1 drift; 1 skipped.
	assert.Equal(t, "8 checks in 2 scenarios: 3 passed, 4 failed (1 of them a metric that moved from the baseline), 1 skipped; 1 scenario failed to run", lines[len(lines)-1])
}

func TestCheckTableAllPass(t *testing.T) {
	scs := checkFixture()[:1]
	scs[0].Results = scs[0].Results[:1]
	scs[0].Drifts = scs[0].Drifts[1:]
	var buf bytes.Buffer
	writeCheckTable(&buf, scs)
	assert.NotContains(t, buf.String(), "FAIL")
	assert.NotContains(t, buf.String(), "reproduce")
	assert.True(t, strings.HasSuffix(buf.String(), "\n2 checks in 1 scenario: 2 passed, 0 failed, 0 skipped\n"), buf.String())
	assert.True(t, tallyChecks(scs).ok())
	assert.False(t, tallyChecks(checkFixture()).ok())
}

func TestCheckReproduceCommand(t *testing.T) {
	sc := checkedScenario{Arg: "it's a file.toml", Sets: []string{"name=a b", "sim.horizon=30d"}, Reps: 5, Seed: 9, Check: "event"}
	inv := assertion.Result{Kind: "invariant", Name: "x", Rep: 3, At: sim.Hour}
	assert.Equal(t, `depinsim run 'it'\''s a file.toml' --set 'name=a b' --set sim.horizon=30d --seed 9 --reps 5 --rep 3 --check=event`, reproduceCommand(sc, inv))
	inv.Rep = -1
	assert.Equal(t, `depinsim run 'it'\''s a file.toml' --set 'name=a b' --set sim.horizon=30d --seed 9 --reps 5 --check=event`, reproduceCommand(sc, inv))
	as := assertion.Result{Kind: "assertion", Name: "y", Rep: 1}
	assert.Equal(t, `depinsim check 'it'\''s a file.toml' --set 'name=a b' --set sim.horizon=30d --seed 9 --reps 5 --check=event`, reproduceCommand(sc, as))
	sc = checkedScenario{Arg: "akash-2024", Reps: 3, Seed: math.MaxUint64, Check: "sample"}
	assert.Equal(t, `depinsim check akash-2024 --set sim.seed=18446744073709551615 --reps 3 --check=sample`, reproduceCommand(sc, as))
}

func TestCheckFirstViolation(t *testing.T) {
	assert.Equal(t, "", checkFirstViolation(assertion.Result{Rep: -1, At: sim.Hour}))
	assert.Equal(t, "replication 0", checkFirstViolation(assertion.Result{Rep: 0, At: -1}))
	assert.Equal(t, "replication 4 at 1.5 h (day 0.06) of simulated time", checkFirstViolation(assertion.Result{Rep: 4, At: 90 * sim.Minute}))
	assert.Equal(t, "replication 1 at 2400 h (day 100) of simulated time", checkFirstViolation(assertion.Result{Rep: 1, At: 100 * sim.Day}))
}

func TestCheckCell(t *testing.T) {
	long := strings.Repeat("a", 30) + strings.Repeat("b", 30)
	c := checkCell(long)
	require.Equal(t, checkMaxCell, len([]rune(c)))
	assert.True(t, strings.HasPrefix(c, "aaaa") && strings.HasSuffix(c, "bbbb"), c)
	assert.Equal(t, "-", checkCell(""))
	assert.Equal(t, "a b", checkCell("a\tb"))
}
