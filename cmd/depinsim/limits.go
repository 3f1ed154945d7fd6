package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
)

// memoryShare is the share of the machine's memory (the smallest of its
// physical memory, its cgroup limit and the address-space limit) that
// --max-memory allows by default.
const memoryShare = 0.75

// fallbackMemory is the memory assumed when the machine's cannot be read
// (on systems other than Linux): 8 GiB, so the default cap is 6 GiB.
const fallbackMemory = 8 << 30

// defaultMaxOutput is --max-output's default: 10 GiB written per run.
const defaultMaxOutput = 10 << 30

// defaultMaxEvents is --max-events' default: 10^11 events, about eight
// hours of simulation at R1's few million events a second (a run that
// fits in memory can still never end).
const defaultMaxEvents = 1e11

// byteSize is a flag value of bytes with a unit ("2GiB", "500MB", "none").
type byteSize struct {
	v   int64
	set bool
}

// String returns the size set, "" when none was (so that the help shows
// the default its usage text describes).
func (b *byteSize) String() string {
	if !b.set {
		return ""
	}
	if b.v == 0 {
		return "none"
	}
	return runner.FormatBytes(float64(b.v))
}

// Set parses s (parseBytes).
func (b *byteSize) Set(s string) error {
	v, err := parseBytes(s)
	if err != nil {
		return err
	}
	b.v, b.set = v, true
	return nil
}

// Type names the value in the help: "size".
func (b *byteSize) Type() string { return "size" }

// byteUnits are the units parseBytes accepts (lower case): decimal kB,
// MB, GB, TB; binary KiB, MiB, GiB, TiB, and K, M, G, T for them.
var byteUnits = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tib": 1 << 40,
}

// parseBytes parses a size: a number and an optional unit (B, kB, MB, GB,
// TB; KiB, MiB, GiB, TiB or K, M, G, T), or "none" (0: no cap).
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "none") {
		return 0, nil
	}
	i := strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) && r != 'e' && r != 'E' })
	if i < 0 {
		i = len(t)
	}
	num, unit := strings.TrimSpace(t[:i]), strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := byteUnits[unit]
	x, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || math.IsNaN(x) {
		return 0, fmt.Errorf("want a size such as 2GiB, 500MB or 1048576 (units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), or none; got %q", s)
	}
	v := x * mult
	if v < 1 || v >= math.MaxInt64 {
		return 0, fmt.Errorf("want a size of at least 1 byte and below 8 EiB, or none; got %q", s)
	}
	return int64(v), nil
}

// limitFlags are the caps a command checks its run against.
type limitFlags struct {
	mem, out byteSize
	events   float64
}

// addLimitFlags registers --max-memory and --max-output on fs.
func addLimitFlags(fs *pflag.FlagSet) *limitFlags {
	lf := &limitFlags{}
	fs.Var(&lf.mem, "max-memory", fmt.Sprintf("refuse a run whose estimated peak memory is above this, e.g. 2GiB, 500MB, none (default: %.0f%% of the smallest of the machine's memory, its cgroup limit and the address-space limit)", memoryShare*100))
	fs.Var(&lf.out, "max-output", "refuse a run whose estimated output is above this, e.g. 2GiB, 500MB, none (default 10GiB)")
	fs.Float64Var(&lf.events, "max-events", defaultMaxEvents, "refuse a run whose estimated number of events (all replications) is above this; 0 for none")
	return lf
}

// limits returns the caps: the flags' values, else the defaults.
func (lf *limitFlags) limits() runner.Limits {
	l := runner.Limits{MaxMemory: lf.mem.v, MaxOutput: lf.out.v, MaxEvents: lf.events}
	if !lf.mem.set {
		l.MaxMemory = defaultMaxMemory()
	}
	if !lf.out.set {
		l.MaxOutput = defaultMaxOutput
	}
	return l
}

// check refuses, as bad input, an estimate above the caps.
func (lf *limitFlags) check(e *runner.Estimate) error {
	if !(lf.events >= 0) || math.IsInf(lf.events, 1) {
		return usageError{fmt.Errorf("--max-events: want a count >= 0 (0: none), got %v", lf.events)}
	}
	if err := e.Check(lf.limits()); err != nil {
		return usageError{err}
	}
	return nil
}

// checkRun estimates a run of sc with workers and checks it against the
// caps.
func (lf *limitFlags) checkRun(sc *scenarios.Scenario, workers int) error {
	e, err := runner.EstimateRun(sc, runner.EstimateOptions{Workers: workers})
	if err != nil {
		return usageError{err}
	}
	return lf.check(e)
}

// defaultMaxMemory returns memoryShare of the smallest memory limit found
// (fallbackMemory when none is found).
func defaultMaxMemory() int64 {
	m := machineMemory()
	if m <= 0 {
		m = fallbackMemory
	}
	return int64(memoryShare * float64(m))
}

// writeEstimate writes an estimate for validate: peak memory, events and
// output with what drives them.
func writeEstimate(w io.Writer, arg string, e *runner.Estimate) {
	fmt.Fprintf(w, "%s: estimate: peak memory %s (%s), %.3g events, output %s (%s)\n",
		arg, runner.FormatBytes(e.MemoryBytes), strings.Join(e.MemoryDrivers, "; "), e.Events,
		runner.FormatBytes(e.OutputBytes), strings.Join(e.OutputDrivers, "; "))
}

// checkCompare estimates a comparison of scs with workers and checks it
// against the caps.
func (lf *limitFlags) checkCompare(scs []*loaded, workers int) error {
	list := make([]*scenarios.Scenario, len(scs))
	for i, l := range scs {
		list[i] = l.sc
	}
	e, err := runner.EstimateCompare(list, runner.EstimateOptions{Workers: workers})
	if err != nil {
		return usageError{err}
	}
	return lf.check(e)
}

// validateLimits writes the estimate of a run of sc for validate and
// returns the error of a run above the caps.
func validateLimits(stdout io.Writer, arg string, sc *scenarios.Scenario, workers int, lf *limitFlags) error {
	e, err := runner.EstimateRun(sc, runner.EstimateOptions{Workers: workers})
	if err != nil {
		return err
	}
	writeEstimate(stdout, arg, e)
	return e.Check(lf.limits())
}
