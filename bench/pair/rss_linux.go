package main

import (
	"os"
	"syscall"
)

// maxRSSMiB is the peak resident set size of a finished process (Linux
// reports ru_maxrss in KiB). Linux counts in a child's ru_maxrss the
// address space it shared with its parent until exec, so the reading is
// at least this program's resident size at the start: a few MiB, below
// every process it measures.
func maxRSSMiB(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}
