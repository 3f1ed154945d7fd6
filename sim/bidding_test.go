package sim_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// TestBiddingsHeldOnlyWhileBidding checks the biddings side table: an
// entry is held by one deployment at a time, only while its order bids
// (never by a running lease or a free slot), every entry in use has its
// holder, and the table stays at the number of orders bidding at once,
// far below the deployments a run opens.
func TestBiddingsHeldOnlyWhileBidding(t *testing.T) {
	cfg := baseConfig(t, 20)
	w := sim.NewWorld(cfg, 0, 1, sim.RecorderFunc(func(*sim.Sample) {}))
	steps := 0
	for w.Step() {
		if steps++; steps%500 != 0 {
			continue
		}
		f := w.Biddings()
		require.Zero(t, f.Leased, "step %d: leases holding a bidding: %+v", steps, f)
		require.Zero(t, f.Free, "step %d: free deployments holding a bidding: %+v", steps, f)
		require.Zero(t, f.Shared, "step %d: biddings held twice: %+v", steps, f)
		require.Equal(t, f.InUse, f.Holders, "step %d: entries in use and their holders: %+v", steps, f)
	}
	f := w.Biddings()
	require.Positive(t, f.Entries, "the run collected no bids: %+v", f)
	require.Less(t, 4*f.Entries, f.Deployments, "the table grew with the deployments: %+v", f)
}
