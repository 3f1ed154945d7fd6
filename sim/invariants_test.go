package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
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

// TestCohortEntriesAddUp: the cohorts' entries and exits add up to
// providers_entered_total and providers_exited_total over a run in which
// providers come and go, and a miscount breaks the invariant.
func TestCohortEntriesAddUp(t *testing.T) {
	moved := 0.0
	for seed := range 5 {
		cfg := baseConfig(t, 30)
		cfg.Check = sim.CheckSamples
		// the CPU cohort's candidates always enter, and its providers leave
		// at their first review after a day
		c := &cfg.Providers[2]
		c.EntriesPerDay, c.EntryThreshold = 2, 0
		c.ExitThreshold, c.ExitHazard, c.MinTenure = 1e9, 1, simtime.Duration(sim.Day)
		var last *sim.Sample
		entered, exited := 0.0, 0.0
		w := sim.NewWorld(cfg, seed, 5, sim.RecorderFunc(func(s *sim.Sample) {
			last = s
			entered, exited = 0, 0
			for _, c := range s.Cohorts {
				entered += c.Entered
				exited += c.Exited
			}
			require.Equal(t, s.Values[sim.MProvidersEnteredTotal], entered, "seed %d at %v", seed, s.T)
			require.Equal(t, s.Values[sim.MProvidersExitedTotal], exited, "seed %d at %v", seed, s.T)
		}))
		_, err := w.Run()
		require.NoError(t, err)
		require.NotNil(t, last)
		moved += entered + exited
		if seed == 0 {
			w.MiscountCohortEntry()
			ok, why := w.CheckInvariants()
			assert.False(t, ok)
			assert.Contains(t, why, "entries and exits")
		}
	}
	assert.Positive(t, moved, "no provider entered or left: the test shows nothing")
}
