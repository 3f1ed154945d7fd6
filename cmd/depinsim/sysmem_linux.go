package main

import (
	"os"
	"syscall"
)

// machineMemory returns the smallest of the machine's physical memory
// (/proc/meminfo MemTotal), the memory limit of the process's cgroups
// (v2 memory.max, v1 memory.limit_in_bytes, theirs and their ancestors')
// and its address-space limit (RLIMIT_AS), in bytes; 0 when none can be
// read.
func machineMemory() int64 {
	var ls []int64
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if v, ok := parseMemTotal(string(b)); ok {
			ls = append(ls, v)
		}
	}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		v2, v1 := cgroupPaths(string(b))
		for _, f := range cgroupLimitFiles("/sys/fs/cgroup", v2, v1) {
			if b, err := os.ReadFile(f); err == nil {
				if v, ok := parseCgroupLimit(string(b)); ok {
					ls = append(ls, v)
				}
			}
		}
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err == nil && rl.Cur > 0 && rl.Cur < noLimit {
		ls = append(ls, int64(rl.Cur))
	}
	return smallestLimit(ls...)
}
