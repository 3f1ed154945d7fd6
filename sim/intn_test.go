package sim

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIntNMatchesRand: marketSide.intN draws the values rand.Rand.IntN
// draws from the same stream, for powers of two, small and huge bounds
// (rejections), interleaved with the stream's other uses.
func TestIntNMatchesRand(t *testing.T) {
	st := NewStreams(11)
	ms := newMarketSide(nil, st)
	ref := st.Stream("market")
	bounds := []int{1, 2, 3, 7, 20, 64, 123, 1000, 1 << 20, 1<<62 + 1, 3 << 61, 1<<63 - 1}
	for i := 0; i < 20000; i++ {
		n := bounds[i%len(bounds)]
		require.Equal(t, ref.IntN(n), ms.intN(n), "draw %d, n %d", i, n)
		if i%7 == 0 { // the mechanism draws from the same stream in between
			require.Equal(t, ref.Float64(), ms.rng.Float64())
		}
	}
}
