// Package scenarios is the TOML scenario format: strict decoding, defaults,
// overrides (--set path=value), validation with plausibility warnings, and
// the built-in presets embedded in the binary. It builds a sim.Config from
// a Scenario.
//
// A scenario has the tables [sim], [resources], [market], [tokenomics]
// and the cohort arrays [[providers]] and [[tenants]]; docs/scenarios.md
// lists every key with its unit and default. Bad input is an *Error naming
// the file, the line when known, the key path, the value and what is
// allowed.
//
// Parse and ParseWith load a scenario from its text; Prepare decodes a
// text once and Prepared.Parse loads it under any overrides, as a sweep
// does for each of its points.
package scenarios
