package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func junitOf(t *testing.T, scs []checkedScenario) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, writeJUnit(&buf, scs, "v0.0.0-test"))
	return buf.Bytes()
}

// TestJUnitSchema validates the JUnit XML of a run with passes,
// failures, skips, an error and drifts, and names holding markup, quotes,
// '&' and newlines, against testdata/junit.xsd with xmllint (package
// libxml2-utils). DEPINSIM_JUNIT_XSD names further schema files to
// validate against (separated by the path list separator).
func TestJUnitSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not on PATH: install the package libxml2-utils (apt-get install -y libxml2-utils) to validate the JUnit XML")
	}
	dir := t.TempDir()
	doc := filepath.Join(dir, "junit.xml")
	require.NoError(t, os.WriteFile(doc, junitOf(t, checkFixture()), 0o644))
	schemas := []string{filepath.Join("testdata", "junit.xsd")}
	if extra := os.Getenv("DEPINSIM_JUNIT_XSD"); extra != "" {
		schemas = append(schemas, filepath.SplitList(extra)...)
	}
	for _, xsd := range schemas {
		out, err := exec.Command(xmllint, "--noout", "--schema", xsd, doc).CombinedOutput()
		assert.NoError(t, err, "%s:\n%s", xsd, out)
	}
	// The schema is not a formality: a document without a testcase's
	// name fails it.
	bad := filepath.Join(dir, "bad.xml")
	require.NoError(t, os.WriteFile(bad, []byte(`<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase classname="y"/></testsuite></testsuites>`), 0o644))
	out, err := exec.Command(xmllint, "--noout", "--schema", schemas[0], bad).CombinedOutput()
	assert.Error(t, err, "%s", out)
}

func TestJUnitParsesBack(t *testing.T) {
	scs := checkFixture()
	data := junitOf(t, scs)
	require.True(t, bytes.HasPrefix(data, []byte(xml.Header)))
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(data, &doc))
	assert.Equal(t, "depinsim check", doc.Name)
	// Scenario 1: 5 results + 2 drifts = 7 cases; failures: invariant,
	// assertion, drift; 1 skip. Scenario 2: 1 result + "run".
	assert.Equal(t, 9, doc.Tests)
	assert.Equal(t, 4, doc.Failures)
	assert.Equal(t, 1, doc.Errors)
	assert.Equal(t, "1.750", doc.Time)
	require.Len(t, doc.Suites, 2)
	s := doc.Suites[0]
	assert.Equal(t, "ci-market", s.Name)
	assert.Equal(t, [5]int{7, 3, 0, 1}, [5]int{s.Tests, s.Failures, s.Errors, s.Skipped})
	assert.Equal(t, "1.500", s.Time)
	props := map[string]string{}
	for _, p := range s.Properties {
		if p.Name != "set" {
			props[p.Name] = p.Value
		}
	}
	assert.Equal(t, map[string]string{"scenario": "examples/ci/market.toml", "scenario_sha256": strings.Repeat("ab", 32), "master_seed": "42",
		"replications": "4", "check": "sample", "depinsim_version": "v0.0.0-test", "baseline": "examples/ci/baseline"}, props)
	classes := []string{}
	for _, c := range s.Cases {
		classes = append(classes, c.Classname+" "+c.Name)
	}
	assert.Equal(t, []string{"ci-market.invariants ledger-balance", "ci-market.invariants escrow-nonnegative",
		"ci-market.assertions gpu-util", "ci-market.assertions cpu-min", "ci-market.assertions late-supply",
		"ci-market.baseline gpu_utilization mean", "ci-market.baseline token_supply final"}, classes)
	inv := s.Cases[1].Failure
	require.NotNil(t, inv)
	assert.Equal(t, "invariant", inv.Type)
	assert.Equal(t, "escrow of deployment 17 is -3.5 uakt", inv.Message)
	assert.Contains(t, inv.Body, "first violation: replication 2 at 36 h (day 1.5) of simulated time\n")
	assert.Contains(t, inv.Body, "reproduce: depinsim run examples/ci/market.toml --set tokenomics.take_rate.akt=0.03 --set sim.horizon=60d --seed 42 --reps 4 --rep 2 --check=event\n")
	as := s.Cases[2].Failure
	require.NotNil(t, as)
	assert.Equal(t, "assertion", as.Type)
	assert.Contains(t, as.Body, "value 0.71, bounds [0.4, 0.6]\n")
	assert.Nil(t, s.Cases[3].Failure)
	assert.Nil(t, s.Cases[3].Skipped)
	require.NotNil(t, s.Cases[4].Skipped)
	assert.Equal(t, "the window 400d.. lies beyond the horizon 60d", s.Cases[4].Skipped.Message)
	dr := s.Cases[5].Failure
	require.NotNil(t, dr)
	assert.Equal(t, "drift", dr.Type)
	assert.Equal(t, "gpu_utilization mean moved from the baseline by +42.00% (Holm p 0.0003)", dr.Message)
	assert.Contains(t, dr.Body, "baseline mean 0.5 (4 replications), current mean 0.71 (4 replications)\n")
	assert.Contains(t, dr.Body, "95% CI of the difference [0.18, 0.24]\n")
	assert.Nil(t, s.Cases[6].Failure)

	// Names with markup, quotes, '&' and newlines survive the round trip.
	s = doc.Suites[1]
	assert.Equal(t, scs[1].Name, s.Name)
	assert.Equal(t, [5]int{2, 1, 1, 0}, [5]int{s.Tests, s.Failures, s.Errors, s.Skipped})
	require.Len(t, s.Cases, 2)
	assert.Equal(t, scs[1].Results[0].Name, s.Cases[0].Name)
	assert.Equal(t, scs[1].Name+".assertions", s.Cases[0].Classname)
	assert.Equal(t, "only 50% of replications hold:", s.Cases[0].Failure.Message)
	run := s.Cases[1]
	assert.Equal(t, "run", run.Name)
	require.NotNil(t, run.Error)
	assert.Equal(t, `replication 1 failed: scenario <x> & "y"`, run.Error.Message)
	assert.Equal(t, scs[1].Err.Error()+"\n", run.Error.Body)
	assert.NotContains(t, string(data), "<script>")
	assert.NotContains(t, string(data), "timestamp")
}

// TestJUnitReproducible: two documents of the same outcome are the same
// bytes (no wall-clock timestamp).
func TestJUnitReproducible(t *testing.T) {
	assert.Equal(t, junitOf(t, checkFixture()), junitOf(t, checkFixture()))
}

func TestJUnitEmpty(t *testing.T) {
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(junitOf(t, nil), &doc))
	assert.Equal(t, 0, doc.Tests)
	assert.Empty(t, doc.Suites)
}

// TestJUnitControlCharacters: characters XML cannot hold (a NUL, an
// escape) in a name or an error do not make the document unreadable.
func TestJUnitControlCharacters(t *testing.T) {
	scs := checkFixture()
	scs[1].Name = "nul\x00esc\x1b"
	scs[1].Err = errors.New("bad \x01 byte\r\nnext")
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(junitOf(t, scs), &doc))
	assert.Equal(t, "nul\uFFFDesc\uFFFD", doc.Suites[1].Name)
}
