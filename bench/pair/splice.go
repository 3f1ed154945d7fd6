package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// The markers of docs/performance.md between which splice writes.
const (
	beginMark = "<!-- results:begin (make bench-all writes this part) -->"
	endMark   = "<!-- results:end -->"
)

// splice replaces the results part of a Markdown document (args[0])
// with the tables of the files args[1:], under a line naming the date
// and the machine.
func splice(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("splice DOC.md TABLE.md...: got %d arguments", len(args))
	}
	doc, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	before, rest, ok := strings.Cut(string(doc), beginMark)
	_, after, ok2 := strings.Cut(rest, endMark)
	if !ok || !ok2 {
		return fmt.Errorf("%s: no %q ... %q part", args[0], beginMark, endMark)
	}
	var b strings.Builder
	b.WriteString(beginMark + "\n\n")
	fmt.Fprintf(&b, "Measured %s on %s (%s, %s/%s).\n", time.Now().UTC().Format("2006-01-02"), machine(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, f := range args[1:] {
		t, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		b.WriteString("\n" + strings.TrimSpace(string(t)) + "\n")
	}
	b.WriteString("\n" + endMark)
	return os.WriteFile(args[0], []byte(before+b.String()+after), 0o644)
}

// machine names the CPU model and count (Linux), for the record.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d x %s", runtime.NumCPU(), model)
}
