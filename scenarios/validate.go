package scenarios

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/tokenomics"
)

// Validate checks every value's range; the error is an *Error naming the
// key path. It builds the market mechanism and keeps it: NewMechanism,
// Config and Warnings reuse it while [market] and [resources] are as
// Validate saw them.
func (sc *Scenario) Validate() error {
	bad := func(key string, err error) error {
		msg := err.Error()
		// package validators prefix their own key ("sim.horizon: ...")
		if i := strings.Index(msg, ": "); i > 0 && !strings.Contains(msg[:i], " ") {
			sub := msg[:i]
			if key != "" && !strings.HasPrefix(sub, key) {
				sub = key + "." + sub
			}
			return &Error{Key: sub, Msg: msg[i+2:]}
		}
		return &Error{Key: key, Msg: msg}
	}
	sc.mech, sc.mechFrom = nil, ""
	if err := validateName(sc.Name, sc.nameFrom); err != nil {
		return err
	}
	if err := sc.Sim.Validate(); err != nil {
		return bad("", err)
	}
	cat, err := agents.NewCatalog(sc.Resources)
	if err != nil {
		return bad("", err)
	}
	if _, err := sc.Resources.ReferencePath(sc.Sim.Start); err != nil {
		return bad("", err)
	}
	if err := sc.validateTokenomics(); err != nil {
		return bad("", err)
	}
	for _, k := range slices.Sorted(maps.Keys(sc.Tokenomics.Emission.Weights)) {
		if _, ok := cat.Index(k); !ok {
			known := make([]string, cat.NumResources())
			for r := range known {
				known[r] = cat.Key(r)
			}
			return &Error{Key: "tokenomics.emission.weights." + k, Msg: fmt.Sprintf("unknown resource (known: %s)", strings.Join(known, ", "))}
		}
	}
	mech, err := sc.buildMechanism()
	if err != nil {
		if name, ok := sc.Market["mechanism"].(string); ok && strings.Contains(err.Error(), "unknown parameter for mechanism") {
			err = fmt.Errorf("%v%s", err, switchHint(name))
		}
		return bad("market", err)
	}
	sc.mech, sc.mechFrom = mech, sc.mechanismInputs()
	names := map[string]bool{}
	for i := range sc.Providers {
		key := fmt.Sprintf("providers[%d]", i)
		if err := sc.Providers[i].Validate(cat); err != nil {
			return bad(key, err)
		}
		if names[sc.Providers[i].Name] {
			return &Error{Key: key + ".name", Msg: fmt.Sprintf("duplicate cohort name %q", sc.Providers[i].Name)}
		}
		names[sc.Providers[i].Name] = true
	}
	names = map[string]bool{}
	for i := range sc.Tenants {
		key := fmt.Sprintf("tenants[%d]", i)
		if err := sc.Tenants[i].Validate(cat); err != nil {
			return bad(key, err)
		}
		if _, err := sc.Tenants[i].Steps(sc.Sim.Start); err != nil {
			return bad(key, err)
		}
		if names[sc.Tenants[i].Name] {
			return &Error{Key: key + ".name", Msg: fmt.Sprintf("duplicate cohort name %q", sc.Tenants[i].Name)}
		}
		names[sc.Tenants[i].Name] = true
	}
	if len(sc.Providers) == 0 {
		return &Error{Key: "providers", Msg: "at least one [[providers]] cohort is required"}
	}
	if len(sc.Tenants) == 0 {
		return &Error{Key: "tenants", Msg: "at least one [[tenants]] cohort is required"}
	}
	if err := sc.validateIncentiveCohorts(); err != nil {
		return err
	}
	_, err = sc.Assertions()
	return err
}

// validateTokenomics checks [tokenomics] (tokenomics.Params.Validate) and
// what only the scenario checks: the start price's range, unique program
// and season names, and the governance values.
func (sc *Scenario) validateTokenomics() error {
	tp := &sc.Tokenomics
	if tp.Price.Model != tokenomics.PriceCSV && !(tp.TokenPriceUSD >= tokenomics.MinPriceUSD && tp.TokenPriceUSD <= tokenomics.MaxPriceUSD) {
		return fmt.Errorf("tokenomics.token_price_usd: must be a price in [%g, %g] USD, got %v", tokenomics.MinPriceUSD, tokenomics.MaxPriceUSD, tp.TokenPriceUSD)
	}
	if err := tp.Validate(); err != nil {
		return err
	}
	if err := validateAllocations(tp); err != nil {
		return err
	}
	if err := tokenomics.ValidateIncentives(tp.Incentives); err != nil {
		return err
	}
	if err := tokenomics.ValidateSeasons(tp.Seasons); err != nil {
		return err
	}
	if err := validateGovernance(tp); err != nil {
		return err
	}
	return sc.validateMintGrowth()
}

// minGrowthSupply is the smallest supply, in whole AKT, whose growth
// validateMintGrowth bounds.
const minGrowthSupply = 1e6

// validateMintGrowth refuses an x/mint that could mint more AKT over the
// horizon than the ledger can hold: each block mints at most
// inflation x supply / blocks_per_year, so over n blocks the supply grows
// at most by (1 + max / blocks_per_year)^n, with max the highest
// inflation.max of the file and its governance changes. A blocks_per_year
// far below the real number of blocks (a year over block_seconds) makes
// that growth explode. The limit is half the ledger's (int64 base units),
// leaving room for the other mints (emissions, the BME).
func (sc *Scenario) validateMintGrowth() error {
	tp := &sc.Tokenomics
	in := &tp.Inflation
	if in.Model != tokenomics.MintModelCosmos || in.BlocksPerYear <= 0 || !(tp.BlockSeconds > 0) {
		return nil
	}
	// the supply grows by the emissions, incentives and redemptions
	// minted during the run, which x/mint then compounds: bound the growth
	// of the supply plus the emission schedule's tokens over the horizon
	// (at most, for the halving: its emission at issuance 0), and of at
	// least a million tokens
	supply := tp.CirculatingSupplyAKT
	if em, err := tokenomics.NewEmission(tp.Emission); err == nil {
		supply += float64(em.Emit(0, sc.Sim.Horizon.T(), 0)) / tokenomics.BaseUnits
	}
	supply = max(supply, minGrowthSupply)
	imax := in.InflationMax
	for _, g := range tp.Governance {
		if v, ok := g.Value.(float64); ok && g.Key == "tokenomics.inflation.max" && v > imax {
			imax = v
		} else if v, ok := g.Value.(int64); ok && g.Key == "tokenomics.inflation.max" && float64(v) > imax {
			imax = float64(v)
		}
	}
	blocks := math.Floor(sc.Sim.Horizon.T().Hours() * 3600 / tp.BlockSeconds)
	growth := blocks * math.Log1p(imax/float64(in.BlocksPerYear)) // ln of the largest growth
	limit := float64(math.MaxInt64) / 2 / tokenomics.BaseUnits    // whole AKT
	if math.Log(limit/supply) >= growth {
		return nil
	}
	real := 365 * 24 * 3600 / tp.BlockSeconds
	key := "tokenomics.inflation.max"
	if float64(in.BlocksPerYear) < real {
		key = "tokenomics.inflation.blocks_per_year"
	}
	return fmt.Errorf("%s: x/mint could grow a supply of %g AKT (circulating_supply_akt and the emission schedule's tokens over the horizon, at least a million) by a factor of up to e^%.3g over the horizon "+
		"(%g blocks of %g s at inflation up to %g a year, blocks_per_year %d; the real number of blocks a year is about %.0f), "+
		"above %.3g AKT, half of what the ledger holds in int64 base units: raise blocks_per_year, lower inflation.max or the supply, or shorten sim.horizon",
		key, supply, growth, blocks, tp.BlockSeconds, imax, in.BlocksPerYear, real, limit)
}

// validateAllocations checks that the allocations at the start fit the
// supply: the community pool, the treasury and the bonded share are all
// taken out of circulating_supply_akt, and the holders (who sell tokens to
// tenants and providers) keep the rest. Above the supply the world cannot
// be built.
func validateAllocations(tp *tokenomics.Params) error {
	supply := tokenomics.Tokens(tp.CirculatingSupplyAKT)
	bonded := tp.Staking.InitialBonded(supply)
	if rest := supply - tokenomics.Tokens(tp.CommunityPoolAKT) - tokenomics.Tokens(tp.TreasuryAKT); bonded > rest {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		return fmt.Errorf("tokenomics.staking.bonded_ratio: the allocations at the start exceed the supply: bonded_ratio x tokenomics.circulating_supply_akt (%s x %s = %s AKT) + tokenomics.community_pool_akt (%s) + tokenomics.treasury_akt (%s) > tokenomics.circulating_supply_akt (%s); with these allocations bonded_ratio must be at most %s",
			f(tp.Staking.BondedRatio), f(tp.CirculatingSupplyAKT), f(tokenomics.Whole(bonded)), f(tp.CommunityPoolAKT), f(tp.TreasuryAKT), f(tp.CirculatingSupplyAKT), f(math.Floor(float64(rest)/float64(supply)*1e6)/1e6))
	}
	return nil
}

// validateIncentiveCohorts checks that every incentive program names
// existing provider cohorts.
func (sc *Scenario) validateIncentiveCohorts() error {
	known := make([]string, len(sc.Providers))
	for i := range sc.Providers {
		known[i] = sc.Providers[i].Name
	}
	for i, p := range sc.Tokenomics.Incentives {
		for j, c := range p.Cohorts {
			if !slices.Contains(known, c) {
				return &Error{Key: fmt.Sprintf("tokenomics.incentives[%d].cohorts[%d]", i, j),
					Msg: fmt.Sprintf("unknown provider cohort %q (known: %s)", c, strings.Join(known, ", "))}
			}
		}
	}
	return nil
}
