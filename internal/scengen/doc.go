// Package scengen generates random scenarios for robustness tests: each is
// one of the presets (scenarios.Presets) mutated inside the ranges
// docs/scenarios.md documents for its keys, scaled down (horizons of days,
// tens of providers, hundreds of arrivals a day) so that a run takes well
// under a second.
//
// The generator is driven by a table of key paths (Keys): each documented
// key with its kind and its documented range. A key whose documented range
// allows values that make a run arbitrarily long (counts, arrival and
// event rates, the horizon) is drawn from a narrower sub-range, and its
// entry says so (Key.Scaled). Every mechanism, bid strategy, price model
// (a csv path is generated next to the scenario file), settlement era,
// emission schedule, incentive program, airdrop season and governance key
// is drawn, and cohorts are dropped and duplicated.
//
// Generate is a pure function of its seed and index (math/rand/v2 PCG), so
// a failing scenario is reproduced from the two numbers, or from its TOML
// text (Scenario.TOML) with the files it names (Scenario.Files) written
// next to it.
package scengen
