package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Streams derives named, independent random streams from one master seed:
// the stream for a name is PCG(seed, FNV-1a(name)), so adding a component
// with a new stream name does not perturb the draws of any other.
type Streams struct {
	seed uint64
}

// NewStreams returns the streams of a run with the given seed.
func NewStreams(seed uint64) Streams { return Streams{seed: seed} }

// Seed returns the seed the streams derive from.
func (s Streams) Seed() uint64 { return s.seed }

// Stream returns a new generator for the named stream. Two calls with the
// same name return generators that produce the same sequence.
func (s Streams) Stream(name string) *rand.Rand {
	return rand.New(s.Source(name))
}

// Source returns the PCG source of the named stream (for gonum
// distributions, which take a rand.Source).
func (s Streams) Source(name string) *rand.PCG {
	return rand.NewPCG(s.seed, StreamID(name))
}

// StreamID hashes a stream name to the PCG's second seed word.
func StreamID(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// ReplicationSeed returns the seed of replication rep (0-based) of a run
// whose master seed is master. Replication 0 uses a mix of the master seed
// too, so every replication's streams differ from each other's; the mix is
// SplitMix64, a bijection, so distinct (master, rep) pairs rarely collide.
//
// A replication's seed depends on the master seed and its index only,
// never on the order in which replications run: replication rep of two
// scenarios with one master seed sees the same random numbers (common
// random numbers), and one replication can be re-run alone.
func ReplicationSeed(master uint64, rep int) uint64 {
	return splitmix64(master + uint64(rep)*0x9E3779B97F4A7C15)
}

// SeedDerivation states, for manifests, how ReplicationSeed derives a
// replication's seed from the master seed and the replication's index
// (0-based), all in unsigned 64-bit arithmetic.
const SeedDerivation = "splitmix64(master_seed + rep * 0x9E3779B97F4A7C15)"

func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}
