package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/depinsim/depinsim/assertion"
)

// The JUnit XML of 'depinsim check --junit': the common format CI servers
// read (Jenkins, GitLab, GitHub test reporters). The document is the same
// for the same run except the time attributes; it has no timestamp and no
// host name. cmd/depinsim/testdata/junit.xsd states the structure and
// TestJUnitSchema validates against it with xmllint.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitOutcome `xml:"failure"`
	Error     *junitOutcome `xml:"error"`
	Skipped   *junitOutcome `xml:"skipped"`
}

type junitOutcome struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

// junitSeconds formats a duration as seconds with millisecond precision.
func junitSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// junitShort is the first line of s, at most 200 characters.
func junitShort(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:199]) + "…"
	}
	return s
}

// junitClass is the classname of a check: "SCENARIO.invariants",
// "SCENARIO.assertions" or "SCENARIO.baseline".
func junitClass(sc checkedScenario, group string) string {
	return scenarioLabel(sc) + "." + group
}

// buildJUnit builds the document of writeJUnit.
func buildJUnit(scs []checkedScenario, version string) junitSuites {
	doc := junitSuites{Name: "depinsim check"}
	var total time.Duration
	for _, sc := range scs {
		total += sc.Wall
		s := junitSuite{Name: scenarioLabel(sc), Time: junitSeconds(sc.Wall)}
		s.Properties = []junitProperty{
			{"scenario", sc.Arg},
			{"scenario_sha256", sc.Hash},
			{"master_seed", strconv.FormatUint(sc.Seed, 10)},
			{"replications", strconv.Itoa(sc.Reps)},
			{"check", sc.Check},
			{"depinsim_version", version},
			{"baseline", sc.Baseline},
		}
		for _, set := range sc.Sets {
			s.Properties = append(s.Properties, junitProperty{"set", set})
		}
		for _, r := range sc.Results {
			group := "assertions"
			if r.Kind == "invariant" {
				group = "invariants"
			}
			c := junitCase{Name: r.Name, Classname: junitClass(sc, group)}
			switch r.Verdict {
			case assertion.Pass:
			case assertion.Skip:
				s.Skipped++
				c.Skipped = &junitOutcome{Message: junitShort(r.Reason)}
			default:
				s.Failures++
				typ := "assertion"
				if r.Kind == "invariant" {
					typ = "invariant"
				}
				msg := r.Reason
				if msg == "" {
					msg = r.Message
				}
				c.Failure = &junitOutcome{Message: junitShort(msg), Type: typ,
					Body: strings.Join(checkFailureLines(sc, r), "\n") + "\n"}
			}
			s.Cases = append(s.Cases, c)
		}
		for _, d := range sc.Drifts {
			c := junitCase{Name: checkDriftName(d), Classname: junitClass(sc, "baseline")}
			if d.Moved {
				s.Failures++
				c.Failure = &junitOutcome{
					Message: fmt.Sprintf("%s moved from the baseline by %s (Holm p %s)", checkDriftName(d), checkPct(d.Rel), checkP(d.Adjusted)),
					Type:    "drift",
					Body:    checkDriftBody(sc, d),
				}
			}
			s.Cases = append(s.Cases, c)
		}
		if sc.Err != nil {
			s.Errors++
			s.Cases = append(s.Cases, junitCase{Name: "run", Classname: scenarioLabel(sc),
				Error: &junitOutcome{Message: junitShort(sc.Err.Error()), Type: "error", Body: sc.Err.Error() + "\n"}})
		}
		s.Tests = len(s.Cases)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = junitSeconds(total)
	return doc
}

// checkDriftBody is the text of a drift's failure: the means, the change, the
// interval, the test and its p-values, and the command to run it again.
func checkDriftBody(sc checkedScenario, d assertion.Drift) string {
	var b strings.Builder
	fmt.Fprintf(&b, "metric %s, per-replication %s\n", d.Metric, d.Stat)
	fmt.Fprintf(&b, "baseline mean %s (%d replications), current mean %s (%d replications)\n", checkNum(d.Base), d.N, checkNum(d.Cur), d.M)
	fmt.Fprintf(&b, "difference %s (%s), 95%% CI of the difference %s\n", checkNum(d.Diff), checkPct(d.Rel), checkCI(d.CI))
	fmt.Fprintf(&b, "test %s: p %s, Holm-adjusted p %s\n", d.Test, checkP(d.P), checkP(d.Adjusted))
	fmt.Fprintf(&b, "baseline %s\n", sc.Baseline)
	fmt.Fprintf(&b, "reproduce: %s\n", reproduceDrift(sc))
	return b.String()
}

// writeJUnit writes the JUnit XML of 'depinsim check --junit': one
// testsuite per scenario with its properties (scenario hash, master seed,
// replications, invariant mode, depinsim version, baseline), one testcase
// per invariant and assertion, one per baseline metric, and a testcase
// "run" holding the scenario's error when it has one. A failure carries
// the numbers, the first violation and the command that reproduces it.
func writeJUnit(w io.Writer, scs []checkedScenario, version string) error {
	doc := buildJUnit(scs, version)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// MarshalXML writes the outcome with its body's newlines as they are
// (a struct's chardata field would write them as &#xA;), so that the
// file reads well as text too.
func (o junitOutcome) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if o.Message != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "message"}, Value: o.Message})
	}
	if o.Type != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "type"}, Value: o.Type})
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if o.Body != "" {
		if err := e.EncodeToken(xml.CharData(o.Body)); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}
