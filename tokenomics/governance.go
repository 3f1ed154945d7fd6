package tokenomics

import (
	"fmt"
	"slices"
	"strings"

	"github.com/depinsim/depinsim/simtime"
)

// GovernanceChange is one [[tokenomics.governance]] table: at At (from the
// scenario start) set Key to Value. A list of them replays a chain's
// parameter history, e.g. Akash's inflation bands, community tax and take
// rates (docs/model/akash.md §4 and "Model spec" §D.17), or Render's
// and io.net's reward changes (docs/model/competitors.md §8.4).
type GovernanceChange struct {
	// At is when the change takes effect, from the scenario start.
	At simtime.Duration `toml:"at"`
	// Key is a scenario key path, e.g. "tokenomics.take_rate.akt" or
	// "tokenomics.inflation.min".
	Key string `toml:"key"`
	// Value is the new value, as decoded from TOML; the caller checks its
	// type and range for Key.
	Value any `toml:"value"`
	// Note says why, e.g. "AEP-23 take rate, Aug 2023".
	Note string `toml:"note"`
}

// ValidateSchedule checks a governance schedule: each At is >= 0 and not
// before the previous one, each Key is in allowed (a sorted list of key
// paths the caller can apply) and each Value is present. Errors name the
// entry and key, e.g. `tokenomics.governance[2].key: unknown key "x"
// (allowed: a, b)`. An unsorted allowed list panics (a caller bug).
func ValidateSchedule(changes []GovernanceChange, allowed []string) error {
	if !slices.IsSorted(allowed) {
		panic("tokenomics: ValidateSchedule: allowed keys are not sorted")
	}
	for i, c := range changes {
		if c.At < 0 {
			return fmt.Errorf("tokenomics.governance[%d].at: must be >= 0, got %s", i, simtime.Time(c.At))
		}
		if i > 0 && c.At < changes[i-1].At {
			return fmt.Errorf("tokenomics.governance[%d].at: must not be before governance[%d].at (%s), got %s: list changes in time order",
				i, i-1, simtime.Time(changes[i-1].At), simtime.Time(c.At))
		}
		if _, ok := slices.BinarySearch(allowed, c.Key); !ok {
			return fmt.Errorf("tokenomics.governance[%d].key: unknown key %q (allowed: %s)", i, c.Key, strings.Join(allowed, ", "))
		}
		if c.Value == nil {
			return fmt.Errorf("tokenomics.governance[%d].value: missing: set the new value of %s", i, c.Key)
		}
	}
	return nil
}
