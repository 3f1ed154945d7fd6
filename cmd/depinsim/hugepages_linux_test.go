//go:build linux

package main

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestAdviseHugeHeapAdvises checks, where the kernel backs memory with
// huge pages on advice, that adviseHugeHeap advises the heap and that
// what the process allocates next lands in the advised memory: a large
// allocation made after it lies, from its first huge page boundary, in
// a mapping with the huge-page flag ("hg" in /proc/self/smaps). Whether
// the kernel then finds free huge pages depends on the machine's memory;
// the test logs it.
//
// The check runs in a process of its own, this test binary started again
// with hugeChild set, as the CLI advises its heap at its start: in the
// process that ran the tests before it, their freed memory can leave runs
// of free pages below the advised ones, which the allocation may take
// instead (the likely cause of a failure in a run of the whole package).
func TestAdviseHugeHeapAdvises(t *testing.T) {
	if m := thpMode(); m != "madvise" {
		t.Skipf("transparent huge pages are %q here, not madvise: adviseHugeHeap does nothing", m)
	}
	if overcommitStrict() || addressSpaceLimited() {
		t.Skip("strict overcommit or a limited address space: adviseHugeHeap does nothing")
	}
	if os.Getenv(hugeChild) != "1" {
		exe, err := os.Executable()
		require.NoError(t, err)
		cmd := exec.Command(exe, "-test.run=^TestAdviseHugeHeapAdvises$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), hugeChild+"=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "the check in a process of its own:\n%s", out)
		require.Contains(t, string(out), "--- PASS: TestAdviseHugeHeapAdvises", "the check ran:\n%s", out)
		for line := range strings.Lines(string(out)) {
			if _, msg, ok := strings.Cut(strings.TrimSpace(line), ": "); ok && strings.Contains(msg, "huge pages") {
				t.Log(msg)
			}
		}
		return
	}
	require.Zero(t, adviseHugeHeap(0))
	const n = 64 << 20
	advised := adviseHugeHeap(n)
	require.Greater(t, advised, int64(n-(8<<20)), "advised %d of %d bytes", advised, n)
	b := make([]byte, 16<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	// the advice starts at the first huge page boundary of the memory
	// allocated, which the allocation after it reuses from its start
	p := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	p = (p + 2<<20 - 1) &^ (2<<20 - 1)
	flags, hugeKiB := smapsOf(t, p)
	require.Contains(t, strings.Fields(flags), "hg", "the mapping of an allocation made after the advice: VmFlags %q", flags)
	t.Logf("the allocation's mapping holds %d KiB in huge pages", hugeKiB)
}

// hugeChild is the environment variable that makes
// TestAdviseHugeHeapAdvises run its check, in the process it starts.
const hugeChild = "DEPINSIM_TEST_HUGE_CHILD"

// smapsOf returns the VmFlags and AnonHugePages (KiB) of the mapping of
// /proc/self/smaps that holds address p.
func smapsOf(t *testing.T, p uint64) (flags string, hugeKiB int) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	require.NoError(t, err)
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && a <= p && p < b
			continue
		}
		if !in {
			continue
		}
		if v, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			hugeKiB, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
		if v, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			return strings.TrimSpace(v), hugeKiB
		}
	}
	require.NoError(t, sc.Err())
	t.Fatalf("no mapping of /proc/self/smaps holds %#x", p)
	return "", 0
}
