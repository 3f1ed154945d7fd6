//go:build amd64 || arm64

package sim

import "unsafe"

// prefetch asks the processor to start loading the cache line at addr
// into its caches. It is only a hint: it reads no value, cannot fault and
// changes no result; it only lets a later read of that line find it in
// cache. The event loop uses it to load what the events a few places
// ahead will read (see Queue.ahead).
//
//go:noescape
func prefetch(addr unsafe.Pointer)
