package calibrate

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/depinsim/depinsim/scenarios"
)

const simCal = `base = "akash-2024"
seed = 2
replications = 2
check_replications = 4
set = ["sim.horizon=14d", "sim.warmup=0d"]
[search]
generations = 3
polish = 6
profile = 1
[[param]]
key = "tenants[2].arrivals_per_day"
min = 4
max = 80
scale = "log"
start = %v
[[target]]
name = "gpu"
metric = "gpu_utilization"
stat = "mean"
value = %v
sigma = 0.01
`

// TestRecoverTruthSimulator generates a GPU-utilization target by running
// the simulator at a known arrival rate of GPU inference, calibrates the
// rate from a perturbed start and checks that it is recovered, with the
// same result for 1 and 2 workers. Under -short it calibrates once, on
// 2 workers: TestWorkersInvariantAnalytic holds the result to the
// workers (1, 2 and 5) on an analytic objective through the same pool.
func TestRecoverTruthSimulator(t *testing.T) {
	const truth = 18.0
	c0, err := Parse("sim.toml", ".", "sim", []byte(fmt.Sprintf(simCal, truth, 0.5)), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &evaluator{c: c0, ctx: context.Background(), sem: make(chan struct{}, 2), cache: map[string][][]float64{}, search: []int{0, 1}}
	reps, err := e.reps("s", []float64{truth})
	if err != nil {
		t.Fatal(err)
	}
	_, means := c0.objective([]float64{truth}, reps)
	var ref *Result
	workers := []int{1, 2}
	if testing.Short() {
		workers = workers[1:]
	}
	for _, w := range workers {
		c, err := Parse("sim.toml", ".", "sim", []byte(fmt.Sprintf(simCal, 45, means[0])), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), c, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(res.Best[0]-truth)/truth > 0.15 {
			t.Errorf("workers %d: fitted %v, want %v within 15%% (objective %g, target %v)", w, res.Best[0], truth, res.Objective, means[0])
		}
		if ref == nil {
			ref = res
		} else if fmt.Sprint(res.Evals, res.Targets, res.Lo, res.Hi) != fmt.Sprint(ref.Evals, ref.Targets, ref.Lo, ref.Hi) {
			t.Error("workers 2 gives another result than workers 1")
		}
	}
}

// TestExampleCalibrationFiles parses every calibration file under
// examples/calibration and checks it fits keys of its base scenario.
func TestExampleCalibrationFiles(t *testing.T) {
	files, _ := filepath.Glob("../examples/calibration/*.toml")
	if len(files) == 0 {
		t.Fatal("no example calibration files")
	}
	for _, f := range files {
		c, err := ReadFile(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Params) == 0 || len(c.Targets) == 0 {
			t.Errorf("%s: %d params, %d targets", f, len(c.Params), len(c.Targets))
		}
	}
}

// TestPresetCalibrationFiles parses every file of scenarios/calibration
// and checks that each parameter it fits is marked [tuned] in its preset.
func TestPresetCalibrationFiles(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/calibration/*.toml")
	if len(files) == 0 {
		t.Fatal("no calibration files")
	}
	for _, f := range files {
		c, err := ReadFile(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, ok := scenarios.PresetData(c.Base)
		if !ok {
			t.Fatalf("%s: base %q is not a preset", f, c.Base)
		}
		for _, p := range c.Params {
			line, err := presetLine(string(data), p.Key)
			if err != nil {
				t.Errorf("%s: %s: %v", f, p.Key, err)
			} else if !strings.Contains(line, "[tuned]") {
				t.Errorf("%s: %s: the preset's line %q is not marked [tuned]", f, p.Key, line)
			}
		}
	}
	if _, err := os.Stat("../scenarios/calibration/akash-2024.toml"); err != nil {
		t.Error(err)
	}
}

var indexed = regexp.MustCompile(`^([a-z_.]+)\[([0-9]+)\]\.([a-z_]+)$`)

// presetLine returns the line of a preset's text that sets key: table[i].field
// (the field's line after the i-th [[table]] header) or section.field.
func presetLine(text, key string) (string, error) {
	lines := strings.Split(text, "\n")
	header, n, field := "", 0, ""
	if m := indexed.FindStringSubmatch(key); m != nil {
		header, field = "[["+m[1]+"]]", m[3]
		n, _ = strconv.Atoi(m[2])
	} else {
		j := strings.LastIndexByte(key, '.')
		header, field = "["+key[:j]+"]", key[j+1:]
	}
	seen := -1
	for i, l := range lines {
		if strings.TrimSpace(l) != header {
			continue
		}
		seen++
		if seen != n {
			continue
		}
		for _, l2 := range lines[i+1:] {
			s := strings.TrimSpace(l2)
			if strings.HasPrefix(s, "[") {
				break
			}
			if strings.HasPrefix(s, field+" ") || strings.HasPrefix(s, field+"=") {
				return l2, nil
			}
		}
		return "", fmt.Errorf("no %s in the preset's %s number %d", field, header, n)
	}
	return "", fmt.Errorf("no %s number %d in the preset", header, n)
}
