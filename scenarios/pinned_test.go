package scenarios_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
)

// rewritePinned rewrites testdata/pinned.txt from the current code. Use it
// only for a change of behaviour that is meant, and name the change in
// the commit: the file exists so that a refactoring cannot change results
// unnoticed.
var rewritePinned = flag.Bool("rewrite-pinned", false, "rewrite testdata/pinned.txt (only for an intended change of results)")

// pinnedRun is one short run whose data files are pinned by their hashes.
type pinnedRun struct {
	name   string
	source string   // preset or file
	sets   []string // overrides
	// market replaces the [market] table when set (a mechanism whose
	// parameters differ from the preset's).
	market map[string]any
}

// pinnedRuns cover every preset, every clearing path (auction with and
// without the ask index, second price, posted price, tiered queue, call
// market, verified work), the token layer's eras and price models and
// learning strategies, each short enough for make test.
var pinnedRuns = []pinnedRun{
	{name: "akash-2024", source: "akash-2024", sets: []string{"sim.horizon=30d"}},
	{name: "akash-2021-governance", source: "akash-2021", sets: []string{"sim.horizon=60d"}},
	{name: "akash-2026-bme", source: "akash-2026-bme", sets: []string{"sim.horizon=30d"}},
	{name: "ionet-2024", source: "ionet-2024", sets: []string{"sim.horizon=4d"}},
	{name: "render-2024", source: "render-2024", sets: []string{"sim.horizon=30d"}},
	{name: "gensyn", source: "gensyn", sets: []string{"sim.horizon=30d"}},
	{name: "r1", source: "bench/r1.toml", sets: []string{"sim.horizon=5d"}},
	{name: "akash-2024-vickrey", source: "akash-2024", sets: []string{"sim.horizon=30d", "market.mechanism=vickrey-reverse"}},
	{name: "akash-2024-call-market", source: "akash-2024", sets: []string{"sim.horizon=30d"},
		market: map[string]any{"mechanism": "call-market", "period": "10m", "k": 0.5}},
	{name: "akash-2024-endogenous", source: "akash-2024", sets: []string{"sim.horizon=30d",
		"tokenomics.price.model=endogenous", "tokenomics.price.volatility=0.8", "tokenomics.price.market_depth_usd=2e6"}},
	{name: "akash-2024-learning", source: "akash-2024", sets: []string{"sim.horizon=30d",
		"providers.gpu-h100.strategy=adaptive-markup", "providers.gpu-a100.strategy=undercut-median",
		"providers.cpu-large.strategy=adaptive-markup"}},
	{name: "akash-2024-usdc-burn", source: "akash-2024", sets: []string{"sim.horizon=30d", "tokenomics.fee_burn_share=0.5",
		"tenants.inference.usdc_fraction=0.6"}},
}

// TestPinnedOutputs runs pinnedRuns (two replications each, seed 7) and compares the SHA-256 of each
// data file (timeseries.csv, resources.csv, cohorts.csv, summary.json as
// the run command writes them: runner.Run into a runner.FileSink; the
// manifest holds the wall time and the plots are pictures) and the events processed with testdata/pinned.txt: the same scenario and seed must
// give the same bytes after any change that does not mean to change
// results. The floats depend on the architecture's arithmetic (the
// compiler may fuse multiply-adds elsewhere), so the hashes are pinned for
// amd64.
func TestPinnedOutputs(t *testing.T) {
	if runtime.GOARCH != "amd64" && !*rewritePinned {
		t.Skipf("hashes are pinned for amd64, this is %s", runtime.GOARCH)
	}
	got := map[string]string{}
	for _, pr := range pinnedRuns {
		for file, sum := range runPinned(t, pr) {
			got[pr.name+" "+file] = sum
		}
	}
	path := filepath.Join("testdata", "pinned.txt")
	if *rewritePinned {
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("# SHA-256 of the data files of scenarios/pinned_test.go's runs (amd64).\n")
		b.WriteString("# Rewrite only for an intended change of results: go test ./scenarios -run TestPinnedOutputs -rewrite-pinned\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "%s %s\n", k, got[k])
		}
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
		return
	}
	want := readPinned(t, path)
	for k, sum := range got {
		if w, ok := want[k]; !ok {
			t.Errorf("%s: not pinned (run with -rewrite-pinned if the run is new)", k)
		} else if w != sum {
			t.Errorf("%s: sha256 %s, pinned %s: results changed", k, sum, w)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: pinned but not produced", k)
		}
	}
}

func readPinned(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		require.Positive(t, i, "bad line %q", line)
		out[line[:i]] = line[i+1:]
	}
	require.NoError(t, sc.Err())
	return out
}

// runPinned runs pr and returns the hex SHA-256 of each pinned file.
func runPinned(t *testing.T, pr pinnedRun) map[string]string {
	t.Helper()
	sets := append([]string{"sim.seed=7", "sim.replications=2"}, pr.sets...)
	sc, err := scenarios.Load(pr.source, sets)
	require.NoError(t, err, pr.name)
	if pr.market != nil {
		sc.Market = pr.market
		require.NoError(t, sc.Validate(), pr.name)
	}
	// the run command's path: the runner streams the replications to the
	// run folder, and the hashes are those of the files written
	dir := t.TempDir()
	sink := runner.NewFileSink(dir, sc, runner.FileOptions{Source: pr.source})
	res, err := runner.Run(context.Background(), sc, runner.Options{Workers: 2, Sink: sink})
	require.NoError(t, err, pr.name)
	out := map[string]string{}
	for _, name := range []string{reports.TimeseriesFile, reports.ResourcesFile, reports.CohortsFile, reports.SummaryFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, pr.name)
		sum := sha256.Sum256(b)
		out[name] = hex.EncodeToString(sum[:])
	}
	// the events processed are part of the behaviour too
	out["events"] = fmt.Sprint(res.Events)
	return out
}
