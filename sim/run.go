package sim

import (
	"runtime"
	"sync"
)

// RunReplications runs replications 0..n-1 of cfg, each with
// ReplicationSeed(uint64(cfg.Sim.Seed), rep), on up to workers goroutines
// (0: GOMAXPROCS). newRecorder gives each replication its recorder (it may
// return nil). Replications share nothing mutable, so results and records
// are the same whatever the number of workers; results are in rep order.
func RunReplications(cfg *Config, n, workers int, newRecorder func(rep int) Recorder) []Result {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]Result, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < min(workers, n); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := range next {
				var rec Recorder
				if newRecorder != nil {
					rec = newRecorder(rep)
				}
				w := NewWorld(cfg, rep, ReplicationSeed(uint64(cfg.Sim.Seed), rep), rec)
				results[rep] = w.Run()
			}
		}()
	}
	for rep := 0; rep < n; rep++ {
		next <- rep
	}
	close(next)
	wg.Wait()
	return results
}
