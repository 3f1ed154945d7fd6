package main

import (
	"os"
	"syscall"
)

// maxRSSMiB is the peak resident set size of a finished process (Linux
// reports ru_maxrss in KiB).
func maxRSSMiB(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}
