package scenarios

import (
	"fmt"
	"maps"
	"slices"
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
	return sc.validateIncentiveCohorts()
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
	if err := tokenomics.ValidateIncentives(tp.Incentives); err != nil {
		return err
	}
	if err := tokenomics.ValidateSeasons(tp.Seasons); err != nil {
		return err
	}
	return validateGovernance(tp)
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
