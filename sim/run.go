package sim

import (
	"fmt"
	"runtime"
	"sync"
)

// RunReplications runs replications 0..n-1 of cfg, each with
// ReplicationSeed(uint64(cfg.Sim.Seed), rep), on up to workers goroutines
// (0: GOMAXPROCS). A panic in a replication (a broken invariant) is
// re-raised here, in the caller's goroutine, once all workers stop.
// newRecorder gives each replication its recorder (it may
// return nil). Replications share nothing mutable, so results and records
// are the same whatever the number of workers; results are in rep order.
func RunReplications(cfg *Config, n, workers int, newRecorder func(rep int) Recorder) []Result {
	return RunReplicationsWith(cfg, n, RunOptions{Workers: workers, NewRecorder: newRecorder})
}

// RunOptions configure RunReplicationsWith.
type RunOptions struct {
	// Workers is the number of goroutines (0: GOMAXPROCS).
	Workers int
	// NewRecorder gives each replication its recorder (nil: none).
	NewRecorder func(rep int) Recorder
	// Done, when set, is called after each replication finishes (from the
	// worker goroutine; it must be safe for concurrent use).
	Done func(r Result)
}

// RunReplicationsWith is RunReplications with options.
func RunReplicationsWith(cfg *Config, n int, opt RunOptions) []Result {
	workers, newRecorder := opt.Workers, opt.NewRecorder
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]Result, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failure any // the first panic of a replication, re-raised below
	for i := 0; i < min(workers, n); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := range next {
				func() {
					defer func() {
						if r := recover(); r != nil {
							mu.Lock()
							if failure == nil {
								failure = fmt.Sprintf("replication %d: %v", rep, r)
							}
							mu.Unlock()
						}
					}()
					var rec Recorder
					if newRecorder != nil {
						rec = newRecorder(rep)
					}
					w := NewWorld(cfg, rep, ReplicationSeed(uint64(cfg.Sim.Seed), rep), rec)
					res, err := w.Run()
					if err != nil {
						panic(err)
					}
					results[rep] = res
					if opt.Done != nil {
						opt.Done(results[rep])
					}
				}()
			}
		}()
	}
	for rep := 0; rep < n; rep++ {
		next <- rep
	}
	close(next)
	wg.Wait()
	if failure != nil {
		// a broken invariant is a bug: re-raise it in the caller's goroutine
		panic(failure)
	}
	return results
}
