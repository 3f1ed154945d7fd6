//go:build !linux

package main

// machineMemory returns 0 on systems other than Linux: their memory is not
// read, and the default --max-memory is memoryShare of fallbackMemory.
func machineMemory() int64 { return 0 }
