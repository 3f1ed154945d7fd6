package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the tests run this test binary as a child: with
// PAIR_TEST_CHILD set it prints its value and exits.
func TestMain(m *testing.M) {
	if v := os.Getenv("PAIR_TEST_CHILD"); v != "" {
		os.Stdout.WriteString(v)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunPairsSmoke pairs two short child processes: every pair is
// measured, the ratios are positive and the children's stdout is kept.
func TestRunPairsSmoke(t *testing.T) {
	t.Setenv("PAIR_TEST_CHILD", `{"events": 42}`)
	self := []string{os.Args[0], "-test.run=^$"}
	var log bytes.Buffer
	p, err := runPairs(3, self, self, func(f string, a ...any) { log.WriteString(f) })
	if err != nil {
		t.Fatal(err)
	}
	if len(p.a.samples) != 3 || len(p.b.samples) != 3 {
		t.Fatalf("samples: %d and %d, want 3 each", len(p.a.samples), len(p.b.samples))
	}
	if !(p.wallRatio > 0) || !(p.cpuRatio >= 0) || !(p.a.wall() > 0) {
		t.Errorf("ratios wall %v cpu %v, wall %v: want positive", p.wallRatio, p.cpuRatio, p.a.wall())
	}
	if strings.Count(log.String(), "pair ") != 3 {
		t.Errorf("want a line per pair, got %q", log.String())
	}
	ev, err := r1Events(p.b.samples[0].stdout)
	if err != nil || ev != 42 {
		t.Errorf("r1Events = %v, %v; want 42", ev, err)
	}
}

// TestFailingCommandIsAnError checks that a command that fails stops the
// comparison with its error.
func TestFailingCommandIsAnError(t *testing.T) {
	if _, err := runPairs(1, []string{os.Args[0], "-no-such-flag"}, []string{os.Args[0]}, nil); err == nil {
		t.Fatal("a failing command was measured")
	}
	if err := run([]string{"only-one"}, new(bytes.Buffer), new(bytes.Buffer)); err == nil {
		t.Error("one command accepted")
	}
	if err := run([]string{"scale", "-ks", "1,x"}, new(bytes.Buffer), new(bytes.Buffer)); err == nil {
		t.Error("-ks 1,x accepted")
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {nil, 0}} {
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
}

// TestReadSets checks the --set file format, and that the repository's
// x100 file reads.
func TestReadSets(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.sets")
	os.WriteFile(p, []byte("# c\n\n a.b=1 \nc[0].d=2\n"), 0o644)
	got, err := readSets(p)
	if err != nil || strings.Join(got, " ") != "a.b=1 c[0].d=2" {
		t.Errorf("readSets = %q, %v", got, err)
	}
	os.WriteFile(p, []byte("novalue\n"), 0o644)
	if _, err := readSets(p); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("a line without = : %v, want an error naming line 1", err)
	}
	sets, err := readSets("../../scenarios/bench/akash-2024-x100.sets")
	if err != nil || len(sets) == 0 || sets[1] != "sim.replications=1" {
		t.Errorf("akash-2024-x100.sets: %q, %v", sets, err)
	}
}

// TestSplice checks that splice replaces only the results part of a
// document, keeps what surrounds it, and refuses a document without it.
func TestSplice(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "doc.md")
	tbl := filepath.Join(dir, "t.md")
	os.WriteFile(doc, []byte("head\n"+beginMark+"\nold table\n"+endMark+"\ntail\n"), 0o644)
	os.WriteFile(tbl, []byte("| a |\n|---|\n| 1 |\n"), 0o644)
	if err := splice([]string{doc, tbl}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(doc)
	got := string(b)
	for _, want := range []string{"head\n" + beginMark, "| 1 |", endMark + "\ntail\n", "Measured "} {
		if !strings.Contains(got, want) {
			t.Errorf("spliced document lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "old table") {
		t.Errorf("the old results are still there:\n%s", got)
	}
	os.WriteFile(doc, []byte("no markers\n"), 0o644)
	if err := splice([]string{doc, tbl}); err == nil {
		t.Error("a document without the markers was accepted")
	}
}
