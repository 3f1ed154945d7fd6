package scenarios

import (
	"fmt"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

// numRange is an interval of allowed numbers.
type numRange struct {
	lo, hi         float64
	loOpen, hiOpen bool
}

func (r numRange) has(v float64) bool {
	return (v > r.lo || !r.loOpen && v == r.lo) && (v < r.hi || !r.hiOpen && v == r.hi)
}

func (r numRange) String() string {
	l, h := "[", "]"
	if r.loOpen {
		l = "("
	}
	if r.hiOpen {
		h = ")"
	}
	return fmt.Sprintf("%s%v, %v%s", l, r.lo, r.hi, h)
}

// governanceRanges are the values the numeric governance keys accept:
// the range of the same key in its table (and, for the staking keys,
// what tokenomics.Staking.Set accepts too). Every key of
// tokenomics.GovernanceKeys but tokenomics.settlement is here.
var governanceRanges = map[string]numRange{
	"tokenomics.inflation.commission":    {lo: 0, hi: 1},
	"tokenomics.inflation.community_tax": {lo: 0, hi: 1},
	"tokenomics.inflation.goal_bonded":   {lo: 0, hi: 1, loOpen: true},
	"tokenomics.inflation.max":           {lo: 0, hi: 1},
	"tokenomics.inflation.min":           {lo: 0, hi: 1},
	"tokenomics.inflation.rate_change":   {lo: 0, hi: 100},
	"tokenomics.staking.outside_yield":   {lo: -1, hi: 10, loOpen: true},
	"tokenomics.staking.speed":           {lo: 0, hi: 100},
	"tokenomics.take_rate.act":           {lo: 0, hi: 1},
	"tokenomics.take_rate.akt":           {lo: 0, hi: 1},
	"tokenomics.take_rate.usdc":          {lo: 0, hi: 1},
}

// validateGovernance checks each governance change's value for its key
// (tokenomics.ValidateSchedule, run by Params.Validate, has checked the
// times and keys): tokenomics.settlement takes "take" or "bme", every
// other key a number in its range. The inflation band must stay
// non-empty: after the changes of each time, min <= max.
func validateGovernance(tp *tokenomics.Params) error {
	lo, hi := tp.Inflation.InflationMin, tp.Inflation.InflationMax
	band := -1 // the last change of the current time that moved the band
	for i, c := range tp.Governance {
		key := fmt.Sprintf("tokenomics.governance[%d].value", i)
		if c.Key == "tokenomics.settlement" {
			if s, ok := c.Value.(string); !ok || s != tokenomics.SettlementTake && s != tokenomics.SettlementBME {
				return fmt.Errorf("%s: %s must be %q or %q, got %s", key, c.Key, tokenomics.SettlementTake, tokenomics.SettlementBME, describe(c.Value))
			}
		} else {
			r, ok := governanceRanges[c.Key]
			if !ok {
				panic("scenarios: no range for governance key " + c.Key)
			}
			var v float64
			switch x := c.Value.(type) {
			case int64:
				v = float64(x)
			case float64:
				v = x
			default:
				return fmt.Errorf("%s: %s must be a number in %v, got %s", key, c.Key, r, describe(c.Value))
			}
			if !r.has(v) {
				return fmt.Errorf("%s: %s must be in %v, got %v", key, c.Key, r, v)
			}
			switch c.Key {
			case "tokenomics.inflation.min":
				lo, band = v, i
			case "tokenomics.inflation.max":
				hi, band = v, i
			}
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
