package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// delegatedInvariants are checked by package tokenomics (Ledger.Check,
// BME.Check), whose own tests corrupt their state.
var delegatedInvariants = map[string]bool{"ledger-conservation": true, "bme-vault": true}

// TestInvariantsListed: every invariant has a unique kebab-case name and
// a one-line doc.
func TestInvariantsListed(t *testing.T) {
	seen := map[string]bool{}
	invs := sim.Invariants()
	require.GreaterOrEqual(t, len(invs), 14)
	for _, inv := range invs {
		assert.Regexp(t, `^[a-z]+(-[a-z]+)*$`, inv.Name)
		assert.False(t, seen[inv.Name], "duplicate invariant %s", inv.Name)
		seen[inv.Name] = true
		assert.NotEmpty(t, inv.Doc, inv.Name)
		assert.NotContains(t, inv.Doc, "\n", inv.Name)
	}
}

// TestInvariantsDetectCorruption runs a world until it has leases and
// bids, checks that every invariant holds, then breaks each one in a
// fresh copy of that state and checks that exactly its check fails, with
// a reason: no check is one that cannot fail.
func TestInvariantsDetectCorruption(t *testing.T) {
	at := func() *sim.World {
		cfg := baseConfig(t, 30)
		cfg.Check = sim.CheckOff
		cfg.Providers[0].MaxProviders = 3
		w := sim.NewWorld(cfg, 0, 5, nil)
		for i := 0; i < 5000; i++ {
			require.True(t, w.Step())
		}
		return w
	}
	w := at()
	ok, why := w.CheckInvariants()
	require.True(t, ok, why)
	for _, inv := range sim.Invariants() {
		t.Run(inv.Name, func(t *testing.T) {
			if delegatedInvariants[inv.Name] {
				t.Skip("checked by package tokenomics")
			}
			w := at()
			require.True(t, w.BreakInvariant(inv.Name), "nothing to break")
			holds, reason := inv.Check(w)
			assert.False(t, holds, "the check did not see the corruption")
			assert.NotEmpty(t, reason)
			ok, why := w.CheckInvariants()
			assert.False(t, ok)
			assert.NotEmpty(t, why)
		})
	}
}
