//go:build linux

package main

import (
	"math/bits"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// madvHugePage is Linux's MADV_HUGEPAGE (14 on every architecture Go
// supports).
const madvHugePage = 14

// adviseHugeHeap maps n bytes of heap and advises the kernel to back them
// with transparent huge pages, when the kernel does so only on advice
// (/sys/kernel/mm/transparent_hugepage/enabled is "madvise"). It returns
// the bytes advised: 0 when n is under two huge pages, when the kernel
// already backs large mappings with huge pages ("always") or never does
// ("never"), when it refuses to overcommit memory (vm.overcommit_memory
// 2: the mapping would count against the commit limit), when the address
// space is limited (RLIMIT_AS) and in a 32-bit process: each makes the
// advice useless or the mapping a risk.
//
// The heap is mapped by allocating n bytes, which the Go runtime takes
// from fresh memory without writing it, and advised in place; the
// allocation is then freed and returned to the kernel
// (debug.FreeOSMemory), so that its pages are reused, still advised and
// known to be zero, by what the run allocates next (the runtime hands out
// the lowest free pages first). Nothing is written to it here, so it
// costs address space and no memory.
func adviseHugeHeap(n int64) int64 {
	if n <= 0 || thpMode() != "madvise" || overcommitStrict() || addressSpaceLimited() {
		return 0
	}
	huge := uintptr(2 << 20)
	if b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 && v&(v-1) == 0 {
			huge = uintptr(v)
		}
	}
	if bits.UintSize < 64 || uint64(n) < uint64(2*huge) {
		return 0 // too little to advise, or no address space to spare
	}
	b := make([]byte, n)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := (p + huge - 1) &^ (huge - 1)
	hi := (p + uintptr(n)) &^ (huge - 1)
	var advised int64
	if lo < hi && syscall.Madvise(b[lo-p:hi-p], madvHugePage) == nil {
		advised = int64(hi - lo)
	}
	runtime.KeepAlive(b)
	b = nil
	debug.FreeOSMemory()
	return advised
}

// thpMode returns the kernel's transparent huge page mode ("always",
// "madvise" or "never"; "" when it cannot be read).
func thpMode() string {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return ""
	}
	s := string(b)
	i, j := strings.IndexByte(s, '['), strings.IndexByte(s, ']')
	if i < 0 || j < i {
		return ""
	}
	return s[i+1 : j]
}

// overcommitStrict reports whether the kernel refuses to overcommit
// memory (vm.overcommit_memory 2).
func overcommitStrict() bool {
	b, err := os.ReadFile("/proc/sys/vm/overcommit_memory")
	return err == nil && strings.TrimSpace(string(b)) == "2"
}

// addressSpaceLimited reports whether the process's address space is
// limited (RLIMIT_AS below infinity).
func addressSpaceLimited() bool {
	var rl syscall.Rlimit
	return syscall.Getrlimit(syscall.RLIMIT_AS, &rl) == nil && rl.Cur < noLimit
}
