package sim

import (
	"fmt"
	"math"

	"github.com/depinsim/depinsim/tokenomics"
)

// governance applies change i of the schedule through the table of
// governable keys (tokenomics.Governable): first the chain catches up to
// now under the old parameters (the blocks since the last epoch mint
// under the old inflation parameters; the staking rule runs to now under
// the old staking parameters), then the key's setter applies the value.
// A switch to the burn-mint era seeds the BME vault (once). The inflation
// stays within the band in force.
func (w *World) governance(i int) {
	g := &w.cfg.Tokenomics.Governance[i]
	c := &w.chain
	k, ok := tokenomics.Governable(g.Key)
	if !ok {
		panic("sim: unknown governance key " + g.Key)
	}
	if w.now > w.origin {
		switch k.Catchup {
		case tokenomics.CatchupMint:
			c.mintTo(c.height(w.now))
		case tokenomics.CatchupStake:
			c.mintTo(c.height(w.now)) // the staking step reads the APR at now
			c.stakeTo(w.now)
		}
	}
	gov := tokenomics.Governed{Mint: &c.mint, Staking: c.staking, TakeBPS: &c.takeBPS, Settlement: &c.settle}
	if err := k.Apply(&gov, g.Value); err != nil {
		panic(fmt.Sprintf("sim: governance change %d: %v", i, err))
	}
	if k.Era {
		if c.settle == tokenomics.SettlementBME {
			c.startBME(w.cfg.Tokenomics.BME.VaultSeedAKT)
		}
		return
	}
	c.inflation = math.Min(math.Max(c.inflation, c.mint.InflationMin), c.mint.InflationMax)
}
