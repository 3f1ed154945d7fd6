package scenarios

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

// Scenario is a scenario file: every table and key it may hold.
type Scenario struct {
	// Name names the scenario (plots, output folder).
	Name string `toml:"name"`
	// Description says what the scenario models.
	Description string `toml:"description"`
	// Sim is the [sim] table: dates, horizon, seed, sampling, replications.
	Sim sim.Params `toml:"sim"`
	// Resources is the [resources] table: GPU models and reference prices.
	Resources agents.ResourcesParams `toml:"resources"`
	// Market is the [market] table: "mechanism" names the mechanism (see
	// market.Names); the other keys are that mechanism's parameters.
	Market map[string]any `toml:"market"`
	// Tokenomics is the [tokenomics] table.
	Tokenomics tokenomics.Params `toml:"tokenomics"`
	// Providers are the [[providers]] cohorts.
	Providers []agents.ProviderCohort `toml:"providers"`
	// Tenants are the [[tenants]] cohorts.
	Tenants []agents.TenantCohort `toml:"tenants"`

	// pricePath is the parsed tokenomics.price.csv when the price model is
	// "csv" (read by Parse; nil otherwise).
	pricePath *tokenomics.PricePath
	// mech is the market mechanism Validate built, and mechFrom the
	// mechanismInputs it was built from (nil and "" before Validate).
	// NewMechanism and Config reuse it while those inputs are unchanged.
	mech     market.Mechanism
	mechFrom string
}

// Error is a bad-input error: the file, the line when known, the key path
// and what is wrong with the value.
type Error struct {
	// File is the scenario file (or "preset NAME", or "--set").
	File string
	// Line is the 1-based line, 0 when unknown.
	Line int
	// Key is the key path, e.g. "providers[2].gpus".
	Key string
	// Msg says what is wrong and what is allowed.
	Msg string
}

// Error formats "file:line: key: msg".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Source is a scenario's text and where it came from.
type Source struct {
	// Name is the file path, or the preset name.
	Name string
	// Preset tells whether the source is an embedded preset.
	Preset bool
	// Data is the TOML text.
	Data []byte
}

// Label is how errors name the source.
func (s Source) Label() string {
	if s.Preset {
		return "preset " + s.Name
	}
	return s.Name
}

// Open reads a scenario file, or the embedded preset of that name when no
// such file exists.
func Open(arg string) (Source, error) {
	if data, err := os.ReadFile(arg); err == nil {
		return Source{Name: arg, Data: data}, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return Source{}, fmt.Errorf("%s: %v", arg, err)
	}
	if data, ok := PresetData(arg); ok {
		return Source{Name: arg, Preset: true, Data: data}, nil
	}
	return Source{}, fmt.Errorf("%s: no such file, and no preset of that name (presets: %s)", arg, strings.Join(Presets(), ", "))
}

// Load reads a scenario from arg (file or preset), applies the overrides
// ("path=value") and defaults, and validates it.
func Load(arg string, sets []string) (*Scenario, error) {
	src, err := Open(arg)
	if err != nil {
		return nil, err
	}
	return Parse(src, sets)
}
