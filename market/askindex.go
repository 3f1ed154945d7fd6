package market

import "sort"

// AskIndex is a book of standing asks for one resource: providers sorted by
// (unit ask, audited first, provider index) under a segment tree that holds
// the largest free capacity in each subtree. Cheapest finds the first
// provider in that order with at least k units free in O(log n); SetFree
// updates one provider in O(log n). This is the "index" auction of
// workload R1 (docs/bench/r1.md §5): exact, and it selects the same
// winner as scanning every provider.
type AskIndex struct {
	provider []int32 // position -> provider
	pos      []int32 // provider -> position (-1: not in the index)
	ask      []float64
	tree     []int32 // max free per node; leaves at size..2*size-1
	size     int
}

// Ask is one provider's standing ask on the resource an index books.
type Ask struct {
	// Provider is the provider's index (0 <= Provider < number of providers).
	Provider int32
	// UnitAsk is the ask per unit; only its order matters.
	UnitAsk float64
	// Audited providers sort before others at equal asks.
	Audited bool
	// Free is the capacity free now.
	Free int32
}

// NewAskIndex builds an index over asks for providers numbered below n.
func NewAskIndex(n int, asks []Ask) *AskIndex {
	sorted := make([]Ask, len(asks))
	copy(sorted, asks)
	sort.Slice(sorted, func(i, j int) bool {
		a, b := &sorted[i], &sorted[j]
		if a.UnitAsk != b.UnitAsk {
			return a.UnitAsk < b.UnitAsk
		}
		if a.Audited != b.Audited {
			return a.Audited
		}
		return a.Provider < b.Provider
	})
	size := 1
	for size < len(sorted) {
		size *= 2
	}
	ix := &AskIndex{
		provider: make([]int32, len(sorted)),
		pos:      make([]int32, n),
		ask:      make([]float64, len(sorted)),
		tree:     make([]int32, 2*size),
		size:     size,
	}
	for i := range ix.pos {
		ix.pos[i] = -1
	}
	for i := range ix.tree {
		ix.tree[i] = -1
	}
	for i, a := range sorted {
		if ix.pos[a.Provider] >= 0 {
			panic("market: provider twice in AskIndex")
		}
		ix.provider[i] = a.Provider
		ix.pos[a.Provider] = int32(i)
		ix.ask[i] = a.UnitAsk
		ix.tree[size+i] = a.Free
	}
	for i := size - 1; i >= 1; i-- {
		ix.tree[i] = max(ix.tree[2*i], ix.tree[2*i+1])
	}
	return ix
}

// Contains reports whether provider p is in the index.
func (ix *AskIndex) Contains(p int32) bool { return int(p) < len(ix.pos) && ix.pos[p] >= 0 }

// SetFree records provider p's free capacity. A negative value hides the
// provider from Cheapest (e.g. while it is leaving).
func (ix *AskIndex) SetFree(p int32, free int32) {
	i := int(ix.pos[p]) + ix.size
	ix.tree[i] = free
	for i > 1 {
		i /= 2
		v := max(ix.tree[2*i], ix.tree[2*i+1])
		if ix.tree[i] == v {
			return
		}
		ix.tree[i] = v
	}
}

// Cheapest returns the first provider in ask order with at least k units
// free, and its unit ask. ok is false when no provider has k units free.
func (ix *AskIndex) Cheapest(k int32) (p int32, unitAsk float64, ok bool) {
	if ix.tree[1] < k || len(ix.provider) == 0 {
		return -1, 0, false
	}
	i := 1
	for i < ix.size {
		if ix.tree[2*i] >= k {
			i = 2 * i
		} else {
			i = 2*i + 1
		}
	}
	j := i - ix.size
	return ix.provider[j], ix.ask[j], true
}
