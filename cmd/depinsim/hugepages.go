package main

import (
	"fmt"
	"strings"

	"github.com/depinsim/depinsim/runner"
)

// Transparent huge pages for the heap (docs/performance.md, "Huge
// pages"). On Linux with transparent huge pages in "madvise" mode, a
// command that simulates or writes a run folder first maps the heap
// hugeHeapBytes sizes and advises the kernel to back it with huge pages, before
// anything is allocated there: the run's tables, recordings and charts
// then fault in 2 MiB at a time instead of 4 KiB, and fewer pages miss
// the TLB. Nothing a run computes or writes changes; only how its memory
// is backed.
const (
	// envHugePages names the environment variable that sets the size of
	// the heap advised (a size as --max-memory takes it, e.g. 512MiB), or
	// turns the advice off ("off" or "none").
	envHugePages = "DEPINSIM_HUGEPAGES"
	// defaultHugeHeap is the heap advised when envHugePages is unset: more
	// than the peak heap of R1, ionet-2024, akash-2024 with providers and
	// demand x100 and R1 at 64,000 providers. Unused, it costs address
	// space only; a heap that outgrows it grows in ordinary pages.
	defaultHugeHeap = 256 << 20
)

// hugeHeapBytes returns the heap to advise from the environment on a
// machine of memory bytes (0: unknown): 0 for none, the default (at most
// half the memory) when unset, or an error naming the variable, its value
// and what is allowed. A size above the memory is refused: the kernel
// would refuse to map it, which stops a Go program.
func hugeHeapBytes(getenv func(string) string, memory int64) (int64, error) {
	v := strings.TrimSpace(getenv(envHugePages))
	switch {
	case v == "":
		if memory > 0 {
			return min(defaultHugeHeap, memory/2), nil
		}
		return defaultHugeHeap, nil
	case strings.EqualFold(v, "off"):
		return 0, nil
	}
	n, err := parseBytes(v) // "none" is 0
	if err != nil {
		return 0, fmt.Errorf("%s: want off (or none) or a size such as 256MiB or 1GiB; got %q", envHugePages, v)
	}
	if memory > 0 && n > memory {
		return 0, fmt.Errorf("%s: want at most the machine's memory, %s; got %q", envHugePages, runner.FormatBytes(float64(memory)), v)
	}
	return n, nil
}

// setUpHeap advises the heap of huge pages (adviseHugeHeap) as
// heapToAdvise decides, before the command runs; args are the command
// line after the program's name.
func setUpHeap(args []string, getenv func(string) string) error {
	n, err := heapToAdvise(args, getenv, machineMemory())
	if err != nil {
		return err
	}
	adviseHugeHeap(n)
	return nil
}

// heapToAdvise returns the heap to advise of huge pages for the command
// line args (after the program's name) on a machine of memory bytes: 0
// for a command that does not get it (advisesHugePages) and when an
// allocation profile is asked for (envMemProfile: the profile is of the
// run's own allocations, which the page size does not change). A bad
// value of envHugePages is an error for any command.
func heapToAdvise(args []string, getenv func(string) string, memory int64) (int64, error) {
	n, err := hugeHeapBytes(getenv, memory)
	if err != nil || len(args) == 0 || !advisesHugePages(args[0]) || getenv(envMemProfile) != "" {
		return 0, err
	}
	return n, nil
}

// advisesHugePages reports whether command cmd gets the huge-page heap:
// the commands that simulate or write a run folder's charts, whose
// memory is mostly new to the process; not those that only read or print.
func advisesHugePages(cmd string) bool {
	switch cmd {
	case "run", "compare", "sweep", "merge", "sensitivity", "calibrate", "report", "check":
		return true
	}
	return false
}
