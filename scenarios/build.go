package scenarios

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

// NewMechanism returns the scenario's market mechanism: the one Validate
// built while the [market] and [resources] tables are as they were then,
// else a new one. A mechanism does not change once built (see
// market.Mechanism), so one value serves every caller and every
// replication of a run.
func (sc *Scenario) NewMechanism() (market.Mechanism, error) {
	if sc.mech != nil && sc.mechFrom == sc.mechanismInputs() {
		return sc.mech, nil
	}
	return sc.buildMechanism()
}

// mechanismInputs describes what the mechanism is built from: the
// [market] table and the [resources] table (whose resource keys a
// ResourceBinder binds to). fmt prints maps with sorted keys, so equal
// tables give equal strings.
func (sc *Scenario) mechanismInputs() string {
	return fmt.Sprintf("%#v %#v", sc.Market, sc.Resources)
}

// buildMechanism builds the scenario's market mechanism from the [market]
// table, bound to the resources of [resources] when it has parameters per
// resource.
func (sc *Scenario) buildMechanism() (market.Mechanism, error) {
	params := market.Params{}
	name := ""
	keys := make([]string, 0, len(sc.Market))
	for k := range sc.Market {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "mechanism" {
			s, ok := sc.Market[k].(string)
			if !ok {
				return nil, fmt.Errorf("market.mechanism: must be a string, got %v", sc.Market[k])
			}
			name = s
			continue
		}
		params[k] = sc.Market[k]
	}
	if name == "" {
		return nil, fmt.Errorf("market.mechanism: missing (known: %s)", strings.Join(market.Names(), ", "))
	}
	if !slices.Contains(market.Names(), name) {
		return nil, fmt.Errorf("market.mechanism: unknown mechanism %q (known: %s)", name, strings.Join(market.Names(), ", "))
	}
	m, err := market.New(name, params)
	if err != nil {
		return nil, err
	}
	if b, ok := m.(market.ResourceBinder); ok {
		cat, err := agents.NewCatalog(sc.Resources)
		if err != nil {
			return nil, err
		}
		keys := make([]string, cat.NumResources())
		for r := range keys {
			keys[r] = cat.Key(r)
		}
		return b.Bind(keys)
	}
	return m, nil
}

// Config builds the simulation config of a validated scenario, with the
// mechanism NewMechanism returns (the one Validate kept).
func (sc *Scenario) Config() (*sim.Config, error) {
	cat, err := agents.NewCatalog(sc.Resources)
	if err != nil {
		return nil, err
	}
	mech, err := sc.NewMechanism()
	if err != nil {
		return nil, err
	}
	refSteps, err := sc.Resources.ReferencePath(sc.Sim.Start)
	if err != nil {
		return nil, err
	}
	path := sc.pricePath
	if sc.Tokenomics.Price.Model == tokenomics.PriceCSV && path == nil {
		// a scenario not made by Parse: a relative path is the current folder's
		if path, _, err = readPricePath(sc.Tokenomics.Price.CSV, "", false, true); err != nil {
			return nil, err
		}
	}
	return &sim.Config{
		Sim:            sc.Sim,
		Catalog:        cat,
		ReferenceSteps: refSteps,
		Providers:      sc.Providers,
		Tenants:        sc.Tenants,
		Mechanism:      mech,
		Tokenomics:     sc.Tokenomics,
		PricePath:      path,
	}, nil
}

// TOML returns the fully resolved scenario (defaults and overrides
// included) as TOML; parsing it again gives the same scenario.
func (sc *Scenario) TOML() []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Resolved scenario %q: every key with its value, defaults and overrides included.\n# Running this file again reproduces the run.\n\n", sc.Name)
	if err := toml.NewEncoder(&buf).Encode(sc); err != nil {
		panic("scenarios: encoding a scenario: " + err.Error())
	}
	return buf.Bytes()
}
