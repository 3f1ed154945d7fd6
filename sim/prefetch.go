package sim

// Below these sizes a world's records mostly stay in the processor's
// caches (1 MiB of L2 a core on the machine of docs/performance.md), and
// the loops that prefetch them skip it: each prefetch is a call to an
// assembly function (prefetch), which on akash-2024's 140 providers and
// 2,700 leases cost about 3% of the run for lines already in cache.
const (
	// prefetchProviders is the number of providers from which
	// collectBids and clear prefetch their bidders' records (2,048
	// provider records are some 640 KB, with their profiles and
	// capacities more than the L2).
	prefetchProviders = 1 << 11
	// prefetchLeases is the number of lease records (72 bytes each)
	// from which withdrawAll prefetches the leases and deployments it
	// settles.
	prefetchLeases = 1 << 14
)

// ifLarge returns s when a table of n records is at least large records
// long, and nil otherwise: the list a prefetch loop walks (none for a
// table that stays in cache).
func ifLarge[T any](s []T, n, large int) []T {
	if n < large {
		return nil
	}
	return s
}
