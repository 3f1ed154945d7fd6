//go:build !amd64 && !arm64

package sim

import "unsafe"

// prefetch asks the processor to start loading the cache line at addr
// (see prefetch_asm.go); on this architecture it does nothing.
func prefetch(addr unsafe.Pointer) {}
