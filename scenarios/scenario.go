package scenarios

import (
	"fmt"
	"strings"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/assertion"
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
	// Assert are the [[assert]] entries: checks on the run's metrics
	// (a statistic over a window, with bounds) that 'depinsim check'
	// fails on and 'depinsim run' reports; docs/assertions.md.
	Assert []assertion.Spec `toml:"assert"`

	// pricePath is the parsed tokenomics.price.csv when the price model is
	// "csv" (read by Parse; nil otherwise).
	pricePath *tokenomics.PricePath
	// mech is the market mechanism Validate built, and mechFrom the
	// mechanismInputs it was built from (nil and "" before Validate).
	// NewMechanism and Config reuse it while those inputs are unchanged.
	mech     market.Mechanism
	mechFrom string
	// nameFrom says where the name came from when the file does not
	// write it (its file name), for errors; notes are Notes.
	nameFrom string
	notes    []string
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

// Error formats "file:line: key: msg". Control characters and invalid
// UTF-8 in any part are escaped, and a very long key or message is cut:
// they may hold text from the input.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(sanitize(e.File, maxErrorPart))
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(sanitize(e.Key, maxErrorPart))
		b.WriteString(": ")
	}
	b.WriteString(sanitize(e.Msg, 8*maxErrorPart))
	return b.String()
}

// maxErrorPart caps the characters of an error's file and key.
const maxErrorPart = 300

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
// such file exists. A path that is not a regular file (a directory, a
// device, a FIFO) or a file above MaxScenarioBytes is an *Error naming
// it.
func Open(arg string) (Source, error) {
	data, found, err := readScenarioFile(arg)
	if err != nil {
		return Source{}, &Error{File: arg, Msg: strings.TrimPrefix(err.Error(), arg+": ")}
	}
	if found {
		return Source{Name: arg, Data: data}, nil
	}
	if data, ok := PresetData(arg); ok {
		return Source{Name: arg, Preset: true, Data: data}, nil
	}
	return Source{}, &Error{File: arg, Msg: fmt.Sprintf("no such file, and no preset of that name (presets: %s)", strings.Join(Presets(), ", "))}
}

// Load reads a scenario from arg (file or preset), applies the overrides
// ("path=value") and defaults, and validates it.
func Load(arg string, sets []string) (*Scenario, error) {
	return LoadWith(arg, sets, Options{})
}

// LoadWith is Load with options.
func LoadWith(arg string, sets []string, opts Options) (*Scenario, error) {
	src, err := Open(arg)
	if err != nil {
		return nil, err
	}
	return ParseWith(src, sets, opts)
}
