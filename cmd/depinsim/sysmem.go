package main

import (
	"bufio"
	"path"
	"strconv"
	"strings"
)

// noLimit is the value at or above which a cgroup v1 memory limit means
// none (the kernel reports "no limit" as the largest page-aligned int64).
const noLimit = 1 << 62

// parseMemTotal returns MemTotal of /proc/meminfo's content, in bytes.
func parseMemTotal(meminfo string) (int64, bool) {
	sc := bufio.NewScanner(strings.NewReader(meminfo))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || kb <= 0 || kb > noLimit>>10 {
				return 0, false
			}
			if len(f) >= 3 && f[2] != "kB" {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// parseCgroupLimit parses a cgroup memory limit file (v2 memory.max or v1
// memory.limit_in_bytes): a number of bytes, or "max" (no limit, as is a
// v1 value of 2^62 or more).
func parseCgroupLimit(content string) (int64, bool) {
	s := strings.TrimSpace(content)
	if s == "max" || s == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 || v >= noLimit {
		return 0, false
	}
	return v, true
}

// cgroupPaths returns the cgroup of the process from /proc/self/cgroup's
// content: its unified (v2) path and its v1 memory controller's path,
// "" when absent.
func cgroupPaths(content string) (v2, v1 string) {
	sc := bufio.NewScanner(strings.NewReader(content))
	for sc.Scan() {
		id, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		ctrls, p, ok := strings.Cut(rest, ":")
		if !ok || !strings.HasPrefix(p, "/") {
			continue
		}
		if id == "0" && ctrls == "" {
			v2 = p
			continue
		}
		for _, c := range strings.Split(ctrls, ",") {
			if c == "memory" {
				v1 = p
			}
		}
	}
	return v2, v1
}

// cgroupLimitFiles lists the files that may hold the memory limit of the
// process's cgroups, given its paths (cgroupPaths) and where the
// hierarchies are mounted: the cgroup's own file and its ancestors' (a
// limit set on a parent applies), v2 then v1.
func cgroupLimitFiles(root, v2, v1 string) []string {
	var files []string
	walk := func(mount, p, name string) {
		for {
			files = append(files, path.Join(mount, p, name))
			if p == "/" || p == "." || p == "" {
				return
			}
			p = path.Dir(p)
		}
	}
	if v2 != "" {
		walk(root, v2, "memory.max")
	}
	if v1 != "" {
		walk(path.Join(root, "memory"), v1, "memory.limit_in_bytes")
	}
	return files
}

// smallestLimit returns the smallest positive limit of ls, 0 when none.
func smallestLimit(ls ...int64) int64 {
	m := int64(0)
	for _, l := range ls {
		if l > 0 && (m == 0 || l < m) {
			m = l
		}
	}
	return m
}
