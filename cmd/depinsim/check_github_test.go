package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGitHubEscaping(t *testing.T) {
	assert.Equal(t, "100%25 done%0D%0Anext: a, b", ghData("100% done\r\nnext: a, b"))
	assert.Equal(t, "100%25 done%0D%0Anext%3A a%2C b", ghProperty("100% done\r\nnext: a, b"))
	// % first: an escape already in the text is not read back as one.
	assert.Equal(t, "%250A", ghData("%0A"))
	assert.Equal(t, `a \| b &lt;script&gt; &amp; c d`, checkMDCell("a | b <script> & c\nd"))
	assert.Equal(t, "-", checkMDCell(""))
	assert.Equal(t, "````", checkMDFence("x ``` y"))
	assert.Equal(t, "```", checkMDFence("plain"))
}

func TestGitHubAnnotations(t *testing.T) {
	var out, sum bytes.Buffer
	writeGitHub(&out, &sum, checkFixture())
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	// 3 failed checks, 1 drift, 1 error, then the notice.
	require.Len(t, lines, 6, out.String())
	for _, l := range lines[:5] {
		assert.True(t, strings.HasPrefix(l, "::error title=depinsim check%3A "), l)
	}
	assert.Equal(t, "::error title=depinsim check%3A ci-market invariant escrow-nonnegative failed::every sample%0Areason: escrow of deployment 17 is -3.5 uakt%0A"+
		"first violation: replication 2 at 36 h (day 1.5) of simulated time%0Areproduce: depinsim run examples/ci/market.toml --set tokenomics.take_rate.akt=0.03 --set sim.horizon=60d --seed 42 --reps 4 --rep 2 --check=event", lines[0])
	assert.Contains(t, lines[1], "title=depinsim check%3A ci-market assertion gpu-util failed::")
	assert.Contains(t, lines[2], "title=depinsim check%3A ci-market gpu_utilization mean moved from the baseline::")
	// A newline in a name cannot end the command early.
	assert.Contains(t, lines[3], "title=depinsim check%3A weird <script>alert(\"x\")</script> & co%0Aline two assertion ")
	assert.Contains(t, lines[4], "did not run::replication 1 failed: scenario <x> & \"y\"%0Astack line")
	assert.Equal(t, "::notice title=depinsim check::8 checks in 2 scenarios: 3 passed, 4 failed (1 of them a metric that moved from the baseline), 1 skipped; 1 scenario failed to run", lines[5])

	s := sum.String()
	assert.True(t, strings.HasPrefix(s, "## depinsim check\n\n❌ 8 checks in 2 scenarios"), s)
	assert.Contains(t, s, "\n### ci-market\n")
	assert.Contains(t, s, "| assertion | gpu-util | gpu_utilization | mean over 30d..60d | 0.71 | [0.4, 0.6] | across mean | ❌ **fail** |\n")
	assert.Contains(t, s, "| gpu_utilization | mean | 0.5 | 0.71 | +42.00% | [0.18, 0.24] | paired t | 0.0001 | 0.0003 | ❌ **moved** |\n")
	assert.Contains(t, s, "```sh\n# invariant escrow-nonnegative\ndepinsim run examples/ci/market.toml")
	assert.Contains(t, s, "# baseline\ndepinsim check examples/ci/market.toml --set tokenomics.take_rate.akt=0.03 --set sim.horizon=60d --seed 42 --reps 4 --check=sample --baseline examples/ci/baseline\n```\n")
	// No raw markup from names reaches the summary.
	assert.NotContains(t, s, "<script>")
	assert.Contains(t, s, "### weird &lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; co line two\n")
}

func TestGitHubNoSummary(t *testing.T) {
	scs := checkFixture()[:1]
	scs[0].Results = scs[0].Results[:1]
	scs[0].Drifts = nil
	var out bytes.Buffer
	writeGitHub(&out, nil, scs)
	assert.Equal(t, "::notice title=depinsim check::1 check in 1 scenario: 1 passed, 0 failed, 0 skipped\n", out.String())
}

// TestGitHubOneLinePerFailure: every workflow command is one line,
// whatever the names and messages hold, and none ends in an escaped
// newline.
func TestGitHubOneLinePerFailure(t *testing.T) {
	var out bytes.Buffer
	writeGitHub(&out, nil, checkFixture())
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		assert.Regexp(t, `^::(error|notice) title=[^:,\r]*::`, l)
		assert.False(t, strings.HasSuffix(l, "%0A"), l)
	}
}
