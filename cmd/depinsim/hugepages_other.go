//go:build !linux

package main

// adviseHugeHeap does nothing on systems other than Linux and returns 0:
// transparent huge pages are Linux's.
func adviseHugeHeap(n int64) int64 { return 0 }
