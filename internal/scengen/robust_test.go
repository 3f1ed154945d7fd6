package scengen_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/internal/scengen"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// The robustness test's seed and sizes. SCENGEN_SEED and SCENGEN_N run
// another seed or number of scenarios; SCENGEN_INDEX runs one scenario of
// the stream (e.g. the one a failure names).
const (
	robustSeed   = 9
	robustN      = 1000 // make test-long
	robustNShort = 20   // make test (-short): indexes 0 and 10 checked after every event
	// runTimeout stops a run that hangs; a generated run takes well
	// under a second.
	runTimeout = 2 * time.Minute
)

// outcome is what happened to one generated scenario.
type outcome struct {
	index    int
	preset   string
	class    string // "" passed, "refused", or a failure class
	msg      string
	scenario scengen.Scenario
	check    sim.CheckMode
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		t.Fatalf("%s=%q: want a non-negative integer", name, s)
	}
	return v
}

// TestGeneratedScenariosRun generates scenarios (scengen.Generate) and
// runs each one that validation accepts with the invariants checked at
// every sample, and every tenth after every event: each must either be
// refused by validation with an error naming a key, or run to its end
// with no error. A failure prints the seed, the index and the scenario
// file, so that `depinsim run FILE --check` reproduces it.
func TestGeneratedScenariosRun(t *testing.T) {
	n := robustN
	if testing.Short() {
		n = robustNShort
	}
	seed := uint64(envInt(t, "SCENGEN_SEED", robustSeed))
	n = envInt(t, "SCENGEN_N", n)
	indexes := make([]int, n)
	for i := range indexes {
		indexes[i] = i
	}
	if s := os.Getenv("SCENGEN_INDEX"); s != "" {
		indexes = []int{envInt(t, "SCENGEN_INDEX", 0)}
	}
	dir := t.TempDir()
	outs := make([]outcome, len(indexes))
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range work {
				outs[j] = runOne(t, seed, indexes[j], dir)
			}
		})
	}
	for j := range indexes {
		work <- j
	}
	close(work)
	wg.Wait()

	counts := map[string]int{}
	for _, o := range outs {
		switch {
		case o.class == "":
			counts["passed"]++
		case o.class == "refused":
			counts["refused by validation"]++
		default:
			counts["FAILED: "+o.class]++
			t.Errorf("seed %d index %d (preset %s, check %s): %s\n%s", seed, o.index, o.preset, o.check, o.msg, reproduce(o.scenario))
		}
	}
	var lines []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range counts {
			if !yield(k) {
				return
			}
		}
	}) {
		lines = append(lines, fmt.Sprintf("  %-60s %d", k, counts[k]))
	}
	t.Logf("seed %d, %d scenarios:\n%s", seed, len(outs), strings.Join(lines, "\n"))
	if os.Getenv("SCENGEN_VERBOSE") != "" {
		for _, o := range outs {
			if o.class != "" {
				t.Logf("index %d (%s, %s): %s: %s", o.index, o.preset, o.check, o.class, firstLine(o.msg))
			}
		}
	}
}

// runOne generates, validates and runs scenario index.
func runOne(t *testing.T, seed uint64, index int, dir string) outcome {
	o := outcome{index: index, check: sim.CheckSamples}
	if index%10 == 0 {
		o.check = sim.CheckEvents
	}
	s, err := scengen.Generate(seed, index)
	if err != nil {
		o.class, o.msg = "generator error", err.Error()
		return o
	}
	o.scenario, o.preset = s, s.Preset
	sdir := filepath.Join(dir, strconv.Itoa(index))
	if err := os.MkdirAll(sdir, 0o755); err != nil {
		t.Error(err)
		return o
	}
	for name, data := range s.Files {
		if err := os.WriteFile(filepath.Join(sdir, name), data, 0o644); err != nil {
			t.Error(err)
		}
	}
	file := filepath.Join(sdir, "scenario.toml")
	if err := os.WriteFile(file, s.TOML, 0o644); err != nil {
		t.Error(err)
		return o
	}
	sc, err := scenarios.Load(file, nil)
	if err != nil {
		var e *scenarios.Error
		if errors.As(err, &e) && e.Key != "" {
			o.class, o.msg = "refused", err.Error()
		} else {
			o.class, o.msg = "refused without naming a key", err.Error()
		}
		return o
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	res, err := runner.Run(ctx, sc, runner.Options{Workers: 1, Check: o.check})
	if err == nil {
		// every [[assert]] entry comes to a verdict that names its reason
		// unless it passed, and the results go into a manifest as JSON
		for _, r := range res.Checks() {
			if r.Verdict > assertion.Skip || r.Verdict != assertion.Pass && r.Reason == "" {
				o.class, o.msg = "check "+r.Name+" without a verdict or a reason", fmt.Sprintf("%+v", r)
				return o
			}
		}
		if _, jerr := json.Marshal(res.Checks()); jerr != nil {
			o.class, o.msg = "checks not JSON", jerr.Error()
		}
		return o
	}
	o.msg = err.Error()
	var re *runner.ReplicationError
	if errors.As(err, &re) && re.Stack != nil {
		o.msg += "\n" + string(re.Stack)
	}
	o.class = classify(err)
	return o
}

var digits = regexp.MustCompile(`-?[0-9][0-9.e+-]*`)

// classify names the class of a run's error: its kind and its message with
// the numbers taken out.
func classify(err error) string {
	var ie *sim.InvariantError
	var re *runner.ReplicationError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "hang (no end within " + runTimeout.String() + ")"
	case errors.As(err, &ie):
		return "invariant " + ie.Invariant
	case errors.As(err, &re) && re.Stack != nil:
		return "panic: " + digits.ReplaceAllString(firstLine(re.Err.Error()), "N")
	case errors.As(err, &re):
		return "error: " + digits.ReplaceAllString(firstLine(re.Err.Error()), "N")
	}
	return "error: " + digits.ReplaceAllString(firstLine(err.Error()), "N")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// reproduce prints a scenario and the files it reads, and how to run it.
func reproduce(s scengen.Scenario) string {
	var b strings.Builder
	fmt.Fprintf(&b, "reproduce: save the scenario below as gen.toml")
	if len(s.Files) > 0 {
		fmt.Fprintf(&b, " and the files after it next to it")
	}
	fmt.Fprintf(&b, ", then run `depinsim run gen.toml --check`\n(or SCENGEN_SEED=%d SCENGEN_INDEX=%d go test ./internal/scengen -run TestGeneratedScenariosRun)\n", s.Seed, s.Index)
	fmt.Fprintf(&b, "----- gen.toml\n%s", s.TOML)
	for name, data := range s.Files {
		fmt.Fprintf(&b, "----- %s\n%s", name, data)
	}
	return b.String()
}
