package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// Profiling any command, for docs/performance.md: DEPINSIM_CPUPROFILE=FILE
// writes a CPU profile of the whole process to FILE and
// DEPINSIM_MEMPROFILE=FILE an allocation profile (every allocation
// sampled, so allocs/op are exact) when the command ends; read them with
// 'go tool pprof bin/depinsim FILE'. They are environment variables, not
// flags, so that every command, its tests and the cluster scripts take
// them alike; an empty or unset variable profiles nothing.
const (
	envCPUProfile = "DEPINSIM_CPUPROFILE"
	envMemProfile = "DEPINSIM_MEMPROFILE"
)

// startProfiles starts the profiles the environment asks for and returns
// the function that ends them; a profile that cannot be written is
// reported on stderr and does not stop the command.
func startProfiles(getenv func(string) string, stderr io.Writer) (stop func()) {
	var stops []func()
	if path := getenv(envCPUProfile); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
			if err != nil {
				f.Close()
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "depinsim: %s: %v\n", envCPUProfile, err)
		} else {
			stops = append(stops, func() {
				pprof.StopCPUProfile()
				if err := f.Close(); err != nil {
					fmt.Fprintf(stderr, "depinsim: %s: %v\n", envCPUProfile, err)
				}
			})
		}
	}
	if path := getenv(envMemProfile); path != "" {
		rate := runtime.MemProfileRate
		runtime.MemProfileRate = 1
		stops = append(stops, func() {
			if err := writeHeapProfile(path); err != nil {
				fmt.Fprintf(stderr, "depinsim: %s: %v\n", envMemProfile, err)
			}
			runtime.MemProfileRate = rate
		})
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// writeHeapProfile writes the allocation profile to path. The profile
// is as of the last completed collection, so one is run first: without
// it the allocations since the one before (at the end of a run, the
// output's) would be missing.
func writeHeapProfile(path string) error {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
