package scenarios

import (
	"fmt"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// validateGovernance checks each governance change's value for its key
// against the table of governable keys (tokenomics.Governable; the
// schedule's times and keys were checked by tokenomics.ValidateSchedule,
// run by Params.Validate): tokenomics.settlement takes "take" or "bme",
// every other key a number in the range of the same key in its table.
// The inflation band must stay non-empty: after the changes of each
// time, min <= max.
func validateGovernance(tp *tokenomics.Params) error {
	lo, hi := tp.Inflation.InflationMin, tp.Inflation.InflationMax
	band := -1 // the last change of the current time that moved the band
	for i, c := range tp.Governance {
		key := fmt.Sprintf("tokenomics.governance[%d].value", i)
		k, ok := tokenomics.Governable(c.Key)
		if !ok {
			panic("scenarios: no governable key " + c.Key)
		}
		v, _, err := k.Value(c.Value)
		if err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		switch c.Key {
		case "tokenomics.inflation.min":
			lo, band = v, i
		case "tokenomics.inflation.max":
			hi, band = v, i
		}
		if last := i == len(tp.Governance)-1; last || tp.Governance[i+1].At != c.At {
			if band >= 0 && lo > hi {
				return fmt.Errorf("tokenomics.governance[%d].value: leaves tokenomics.inflation.min (%v) above tokenomics.inflation.max (%v) from %s on",
					band, lo, hi, simtime.Time(c.At))
			}
			band = -1
		}
	}
	return nil
}
