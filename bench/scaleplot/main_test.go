package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const header = "providers,k,hours,r1_events,depinsim_kernel_events,depinsim_wall_ns_per_event,r1limit_wall_ns_per_event,wall_ratio,depinsim_cpu_ns_per_event,r1limit_cpu_ns_per_event,cpu_ratio,depinsim_peak_rss_mib,r1limit_peak_rss_mib,pairs\n"

// TestDrawsTheCurve reads a CSV of pair scale's shape and writes a PNG.
func TestDrawsTheCurve(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "s.csv"), filepath.Join(dir, "s.png")
	os.WriteFile(in, []byte(header+
		"1000,1,8760,8198784,8601257,545,270,2.06,207,112,1.82,81,3,3\n"+
		"64000,64,136,5982568,6324717,1959,774,2.07,860,317,2.71,227,29,3\n"), 0o644)
	pts, err := readCSV(in, "cpu")
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 || pts[1] != (point{64000, 860, 317, 2.71}) {
		t.Errorf("points = %+v", pts)
	}
	if err := run([]string{in, out}, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("%s is not a PNG (%d bytes, %v)", out, len(b), err)
	}
}

// TestRejectsBadInput checks the errors on a missing column, a bad value
// and a bad -metric.
func TestRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "s.csv")
	os.WriteFile(in, []byte("providers,k\n1000,1\n"), 0o644)
	if _, err := readCSV(in, "cpu"); err == nil || !strings.Contains(err.Error(), "no column") {
		t.Errorf("missing column: %v", err)
	}
	os.WriteFile(in, []byte(header+"1000,1,8760,1,1,x,1,1,1,1,1,1,1,1\n"), 0o644)
	if _, err := readCSV(in, "wall"); err == nil || !strings.Contains(err.Error(), ":2:") {
		t.Errorf("bad value: %v, want an error naming line 2", err)
	}
	if err := run([]string{"-metric", "both", in, "x.png"}, new(bytes.Buffer)); err == nil {
		t.Error("-metric both accepted")
	}
}
