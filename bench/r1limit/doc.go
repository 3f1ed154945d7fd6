// Command r1limit is a plain-Go implementation of workload R1
// (docs/bench/r1.md), written from that specification alone and kept as
// the yardstick of depinsim's speed: `make bench-r1` runs it against
// `depinsim run scenarios/bench/r1.toml`, paired and interleaved, and
// `make bench-scale` against R1 scaled to more providers
// (docs/performance.md).
//
// It is one event loop over a 4-ary min-heap of small value events (time,
// a FIFO sequence number, kind and order slot): no interfaces, no
// goroutines and no allocation per event once the heap and the order
// slots have grown (finished orders' slots are reused through a free
// list). Random numbers are R1's SplitMix64 stream (§2), so its counts
// equal §4's for the same seed and horizon.
//
// Usage:
//
//	r1limit [-seed 1] [-hours 8760] [-auction index|scan] [-scale 1]
//
// -auction picks the auction of §5: scan tests every provider at every
// attempt; index keeps the providers in (price, id) order under a
// segment tree of the largest free units per subtree and finds the
// leftmost provider with room in O(log N), which bids if and only if its
// price is within the order's maximum. Both choose the same winner.
// -scale K multiplies the providers (1,000 K) and the arrival rate
// (100 K orders an hour); the segment tree's leaf count is the smallest
// power of two at least the provider count. The seed's draws keep §2's
// order, so -scale 1 is R1 itself.
//
// It prints one line of JSON with §3's keys (orders, leases, unserved,
// pending, attempts, lease_ends, samples, events, mean_price, util,
// engine_events) and, for the record, the seed, horizon, scale, providers
// and the seconds spent in the event loop. Bad flags exit with status 2.
package main
