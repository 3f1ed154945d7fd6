package sim

// prefetchProviders is the number of providers from which collectBids
// and clear prefetch their bidders' records: below it the records mostly
// stay in the processor's caches (2,048 provider records are some 640 KB,
// with their profiles and capacities more than the 1 MiB of L2 a core of
// the machine of docs/performance.md), and each prefetch is a call to an
// assembly function (prefetch) for a line already there: akash-2024, of
// 140 providers, ran 1.066x the CPU with its bidders prefetched.
// withdrawAll prefetches at every size: skipping it below 16,384 leases
// made akash-2024 (2,700 leases) 1.037x slower.
const prefetchProviders = 1 << 11

// ifManyProviders returns s, the list a prefetch loop walks, when ps has
// prefetchProviders providers or more, and nil otherwise (their records
// stay in cache).
func ifManyProviders[T any](s []T, ps *providerSet) []T {
	if len(ps.p) < prefetchProviders {
		return nil
	}
	return s
}
