package market_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/market"
)

// refBook is the brute-force model of an AskIndex: the asks in (ask,
// audited first, provider) order, scanned linearly.
type refBook struct {
	asks []market.Ask
	at   map[int32]int
}

func newRefBook(asks []market.Ask) *refBook {
	b := &refBook{asks: append([]market.Ask(nil), asks...), at: map[int32]int{}}
	sort.Slice(b.asks, func(i, j int) bool {
		x, y := b.asks[i], b.asks[j]
		if x.UnitAsk != y.UnitAsk {
			return x.UnitAsk < y.UnitAsk
		}
		if x.Audited != y.Audited {
			return x.Audited
		}
		return x.Provider < y.Provider
	})
	for i, a := range b.asks {
		b.at[a.Provider] = i
	}
	return b
}

func (b *refBook) cheapest(k int32) (int32, float64, bool) {
	for _, a := range b.asks {
		if a.Free >= k {
			return a.Provider, a.UnitAsk, true
		}
	}
	return -1, 0, false
}

func randomAsks(rng *rand.Rand, n int) (int, []market.Ask) {
	universe := n + rng.IntN(n+2) // providers numbered below universe; some not listed
	perm := rng.Perm(universe)
	levels := 1 + rng.IntN(8) // few ask levels: many ties
	asks := make([]market.Ask, n)
	for i := range asks {
		asks[i] = market.Ask{
			Provider: int32(perm[i]),
			UnitAsk:  0.5 + float64(rng.IntN(levels))*0.25,
			Audited:  rng.IntN(3) == 0,
			Free:     int32(rng.IntN(6)) - 1, // -1 (hidden) .. 4
		}
	}
	return universe, asks
}

// TestAskIndexMatchesBruteForce interleaves SetFree and Cheapest on random
// books (seeds 1..500) and checks every answer against a linear scan.
func TestAskIndexMatchesBruteForce(t *testing.T) {
	for seed := uint64(1); seed <= 500; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		n := rng.IntN(70)
		universe, asks := randomAsks(rng, n)
		input := append([]market.Ask{}, asks...)
		ix := market.NewAskIndex(universe, asks)
		require.Equal(t, input, asks, "NewAskIndex must not reorder its input")
		ref := newRefBook(asks)
		for p := int32(0); p < int32(universe)+3; p++ {
			_, listed := ref.at[p]
			require.Equal(t, listed, ix.Contains(p), "seed %d provider %d", seed, p)
		}
		for op := 0; op < 300; op++ {
			if n > 0 && rng.IntN(2) == 0 {
				a := ref.asks[rng.IntN(n)]
				free := int32(rng.IntN(7)) - 1
				ix.SetFree(a.Provider, free)
				ref.asks[ref.at[a.Provider]].Free = free
				continue
			}
			k := int32(rng.IntN(7)) // 0..6; k = 0 finds any provider not hidden
			p, ask, ok := ix.Cheapest(k)
			wp, wask, wok := ref.cheapest(k)
			require.Equal(t, wok, ok, "seed %d op %d k %d", seed, op, k)
			if ok {
				require.Equal(t, wp, p, "seed %d op %d k %d", seed, op, k)
				require.Equal(t, wask, ask)
			}
		}
	}
}

func TestAskIndexSetFreeHides(t *testing.T) {
	asks := []market.Ask{
		{Provider: 2, UnitAsk: 1.0, Free: 4},
		{Provider: 0, UnitAsk: 1.0, Free: 4, Audited: true},
		{Provider: 1, UnitAsk: 0.5, Free: 1},
		{Provider: 3, UnitAsk: 2.0, Free: 8},
	}
	ix := market.NewAskIndex(5, asks)
	p, ask, ok := ix.Cheapest(1)
	require.True(t, ok)
	assert.Equal(t, int32(1), p)
	assert.Equal(t, 0.5, ask)
	p, _, _ = ix.Cheapest(2)
	assert.Equal(t, int32(0), p, "audited before unaudited at equal asks")
	ix.SetFree(0, -1)
	p, _, _ = ix.Cheapest(2)
	assert.Equal(t, int32(2), p)
	ix.SetFree(2, -1)
	ix.SetFree(1, -1)
	p, _, _ = ix.Cheapest(0)
	assert.Equal(t, int32(3), p, "hidden providers are skipped even for k = 0")
	_, _, ok = ix.Cheapest(9)
	assert.False(t, ok)
	ix.SetFree(3, -1)
	_, _, ok = ix.Cheapest(0)
	assert.False(t, ok, "everyone hidden")
	ix.SetFree(0, 4)
	p, _, ok = ix.Cheapest(4)
	assert.True(t, ok)
	assert.Equal(t, int32(0), p, "a hidden provider comes back")
	assert.True(t, ix.Contains(0))
	assert.False(t, ix.Contains(4), "numbered below n but not listed")
	assert.False(t, ix.Contains(5), "not below n")

	empty := market.NewAskIndex(3, nil)
	_, _, ok = empty.Cheapest(1)
	assert.False(t, ok)
	_, _, ok = empty.Cheapest(0)
	assert.False(t, ok)

	assert.Panics(t, func() {
		market.NewAskIndex(3, []market.Ask{{Provider: 1, Free: 1}, {Provider: 1, Free: 2}})
	}, "a provider listed twice is a caller bug")
}

// BenchmarkAskIndex measures one lease's worth of index work on n
// providers x 8 units: find the cheapest provider with k free units, take
// them, and give units back to a random provider (a lease ending).
func BenchmarkAskIndex(b *testing.B) {
	for _, n := range []int{1000, 50_000} {
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			asks := make([]market.Ask, n)
			free := make([]int32, n)
			for i := range asks {
				free[i] = 8
				asks[i] = market.Ask{Provider: int32(i), UnitAsk: 0.5 + rng.Float64(), Audited: rng.IntN(2) == 0, Free: 8}
			}
			ix := market.NewAskIndex(n, asks)
			// start half full so that Cheapest has to search
			for i := 0; i < n*4; i++ {
				p, _, ok := ix.Cheapest(1)
				if !ok {
					break
				}
				free[p]--
				ix.SetFree(p, free[p])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := int32(1 + i%8)
				if p, _, ok := ix.Cheapest(k); ok {
					free[p] -= k
					ix.SetFree(p, free[p])
				}
				q := int32(rng.IntN(n))
				if free[q] < 8 {
					free[q]++
					ix.SetFree(q, free[q])
				}
			}
		})
	}
}
