package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
)

const reportUsage = `Usage: depinsim report DIR

Rebuilds report.html in the run folder DIR from the files 'depinsim run'
wrote there (manifest.json, the CSV files, scenario.toml, plots/),
without running anything: the same page, byte for byte, as the run
wrote. A run made with --no-report gets its report this way.

Only run folders for now: the reports of compare and sweep folders are
not yet supported.

Example:
  depinsim report out/akash-2024
`

func cmdReport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", reportUsage, stderr, stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badInput("want one run folder, got %d argument(s) (see 'depinsim report --help')", fs.NArg())
	}
	dir := fs.Arg(0)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return badInput("%s: not a folder", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.SweepManifestFile)); err == nil {
		return badInput("%s is a sweep folder: its report is not yet supported (only run folders for now)", dir)
	}
	kind, err := manifestKind(filepath.Join(dir, reports.ManifestFile))
	if err != nil {
		return badInput("%s: not a run folder: %v", dir, err)
	}
	if kind == "compare" {
		return badInput("%s is a comparison folder: its report is not yet supported (only run folders for now; each scenario's run folder inside it has one)", dir)
	}
	run, err := reports.ReadRun(dir)
	if err != nil {
		return badInput("%s: not a run folder: %v", dir, err)
	}
	var brief *reports.RunBrief
	scPath := filepath.Join(dir, reports.ScenarioFile)
	if sc, err := scenarios.Load(scPath, nil); err == nil {
		brief = runner.BriefOf(sc)
	} else if !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "depinsim report: %s: %v; the report leaves out the scenario's details\n", scPath, err)
	}
	if err := reports.WriteRunReport(dir, run, brief); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, reports.ReportFile))
	return nil
}

// manifestKind returns the "kind" of the manifest.json at path ("" for a
// run's, "compare" for a comparison's); an error when there is none.
func manifestKind(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("no %s (a run folder holds one once its run is complete)", reports.ManifestFile)
		}
		return "", err
	}
	var m struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	return m.Kind, nil
}
