package tokenomics_test

import (
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

var govAllowed = []string{"tokenomics.community_tax", "tokenomics.inflation.max", "tokenomics.inflation.min", "tokenomics.take_rate.akt", "tokenomics.take_rate.usdc"}

func govAt(days int64, key string, v any) tokenomics.GovernanceChange {
	return tokenomics.GovernanceChange{At: simtime.Duration(simtime.Time(days) * simtime.Day), Key: key, Value: v}
}

// akashHistory is part of Akash's parameter history (docs/model/akash.md
// §4 and §3), in days from 2023-03-01.
func akashHistory() []tokenomics.GovernanceChange {
	return []tokenomics.GovernanceChange{
		govAt(0, "tokenomics.community_tax", 0.10),
		govAt(140, "tokenomics.inflation.min", 0.08),
		govAt(140, "tokenomics.community_tax", 0.25),
		govAt(160, "tokenomics.take_rate.akt", 0.02),
		govAt(160, "tokenomics.take_rate.usdc", 0.20),
		govAt(290, "tokenomics.inflation.min", 0.13),
		govAt(290, "tokenomics.inflation.max", 0.20),
		govAt(290, "tokenomics.community_tax", 0.40),
	}
}

func TestValidateScheduleOK(t *testing.T) {
	assert.NoError(t, tokenomics.ValidateSchedule(akashHistory(), govAllowed))
	assert.NoError(t, tokenomics.ValidateSchedule(nil, govAllowed))
	assert.NoError(t, tokenomics.ValidateSchedule(nil, nil))
}

func TestValidateScheduleErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func([]tokenomics.GovernanceChange) []tokenomics.GovernanceChange
		want string
	}{
		{"time goes back", func(c []tokenomics.GovernanceChange) []tokenomics.GovernanceChange {
			c[2].At = simtime.Duration(100 * simtime.Day)
			return c
		}, "tokenomics.governance[2].at: must not be before governance[1].at (140d), got 100d: list changes in time order"},
		{"negative time", func(c []tokenomics.GovernanceChange) []tokenomics.GovernanceChange {
			c[0].At = -1
			return c
		}, "tokenomics.governance[0].at: must be >= 0, got -1ns"},
		{"unknown key", func(c []tokenomics.GovernanceChange) []tokenomics.GovernanceChange {
			c[2].Key = "tokenomics.take_rate.act"
			return c
		}, `tokenomics.governance[2].key: unknown key "tokenomics.take_rate.act" (allowed: tokenomics.community_tax, tokenomics.inflation.max, tokenomics.inflation.min, tokenomics.take_rate.akt, tokenomics.take_rate.usdc)`},
		{"empty key", func(c []tokenomics.GovernanceChange) []tokenomics.GovernanceChange {
			c[5].Key = ""
			return c
		}, `tokenomics.governance[5].key: unknown key ""`},
		{"missing value", func(c []tokenomics.GovernanceChange) []tokenomics.GovernanceChange {
			c[7].Value = nil
			return c
		}, "tokenomics.governance[7].value: missing: set the new value of tokenomics.community_tax"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tokenomics.ValidateSchedule(c.edit(akashHistory()), govAllowed)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	assert.PanicsWithValue(t, "tokenomics: ValidateSchedule: allowed keys are not sorted", func() {
		_ = tokenomics.ValidateSchedule(nil, []string{"b", "a"})
	})
}

func TestGovernanceTOML(t *testing.T) {
	var doc struct {
		Tokenomics struct {
			Governance []tokenomics.GovernanceChange `toml:"governance"`
		} `toml:"tokenomics"`
	}
	md, err := toml.Decode(`
[[tokenomics.governance]]
at = "160d"
key = "tokenomics.take_rate.akt"
value = 0.02
note = "AEP-23 take rate, Aug 2023"

[[tokenomics.governance]]
at = "290d"
key = "tokenomics.inflation.min"
value = 0.13
`, &doc)
	require.NoError(t, err)
	assert.Empty(t, md.Undecoded())
	g := doc.Tokenomics.Governance
	require.Len(t, g, 2)
	assert.Equal(t, tokenomics.GovernanceChange{At: simtime.Duration(160 * simtime.Day), Key: "tokenomics.take_rate.akt", Value: 0.02, Note: "AEP-23 take rate, Aug 2023"}, g[0])
	assert.NoError(t, tokenomics.ValidateSchedule(g, govAllowed))
}
