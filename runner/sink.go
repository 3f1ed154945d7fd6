package runner

import (
	"fmt"
	"runtime"

	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// Sink receives the replications of a run as they finish, in replication
// order, on the goroutine that called Run. After the last one it is
// closed with the run's result; when the run fails or is cancelled it is
// aborted instead and should drop what it has started.
type Sink interface {
	// Add receives the next replication.
	Add(rep Replication) error
	// Close completes the sink after the last replication.
	Close(res *Result) error
	// Abort drops what the sink has written; it is called instead of
	// Close when the run fails.
	Abort()
}

// statsKeeper is a sink that accumulates the run's statistics itself
// (FileSink, whose writer needs them for summary.json and the charts): the
// run then reads them from it rather than accumulating them twice.
type statsKeeper interface {
	// runStats returns the statistics of the replications added.
	runStats() *reports.RunStats
}

// MemorySink keeps every replication in memory: for tests and for small
// runs whose recordings a program wants to read.
type MemorySink struct {
	// Recordings holds each replication's recording, in replication
	// order.
	Recordings []*reports.Recording
	// Results holds each replication's result, in replication order.
	Results []sim.Result
}

// Add keeps rep.
func (m *MemorySink) Add(rep Replication) error {
	m.Recordings = append(m.Recordings, rep.Recording)
	m.Results = append(m.Results, rep.Result)
	return nil
}

// Close does nothing: the recordings stay.
func (m *MemorySink) Close(*Result) error { return nil }

// Abort drops the recordings kept so far.
func (m *MemorySink) Abort() { m.Recordings, m.Results = nil, nil }

// FileOptions describe a run for its manifest.
type FileOptions struct {
	// Source says where the scenario came from: a file's path or "preset
	// NAME" (the manifest's scenario_file).
	Source string
	// Command is the command line that made the run (the manifest's
	// command).
	Command []string
	// NoReport skips the folder's report.html ('depinsim run
	// --no-report').
	NoReport bool
}

// FileSink writes a run's folder as 'depinsim run' does, with a
// reports.RunWriter: timeseries.csv, resources.csv and cohorts.csv grow
// as replications arrive (under temporary names until the end), then
// summary.json, scenario.toml (the scenario's resolved TOML), plots/
// and, last, manifest.json. The folder is created at the first
// replication; when the run fails, everything the sink wrote is removed.
type FileSink struct {
	dir string
	sc  *scenarios.Scenario
	opt FileOptions
	w   *reports.RunWriter
}

// NewFileSink returns a sink that writes the run of sc to the folder dir.
func NewFileSink(dir string, sc *scenarios.Scenario, opt FileOptions) *FileSink {
	return &FileSink{dir: dir, sc: sc, opt: opt}
}

// Dir returns the folder the sink writes.
func (f *FileSink) Dir() string { return f.dir }

// Add appends rep to the folder's files, starting the folder at the first
// replication.
func (f *FileSink) Add(rep Replication) error {
	if f.w == nil {
		w, err := reports.NewRunWriter(f.dir, reports.Options{Title: f.sc.Name, Start: f.sc.Sim.Start.String()})
		if err != nil {
			return fmt.Errorf("writing %s: %w", f.dir, err)
		}
		if f.opt.NoReport {
			w.SkipReport()
		}
		f.w = w
	}
	if err := f.w.Add(rep.Recording); err != nil {
		return fmt.Errorf("writing %s: %w", f.dir, err)
	}
	return nil
}

// runStats returns the statistics the writer keeps.
func (f *FileSink) runStats() *reports.RunStats {
	if f.w == nil {
		return reports.NewRunStats()
	}
	return f.w.Stats()
}

// Close writes the summary, the scenario, the charts and, last, the
// manifest of res. The scenario written is res.Scenario when set (for
// RunPrecision, with sim.replications the number reached), else the
// sink's.
func (f *FileSink) Close(res *Result) error {
	if f.w == nil {
		return fmt.Errorf("writing %s: no replication to write", f.dir)
	}
	sc := f.sc
	if res.Scenario != nil {
		sc = res.Scenario // RunPrecision's, with the replications reached
	}
	man := reports.Manifest{
		Tool:           "depinsim",
		Version:        BuildVersion(),
		Scenario:       sc.Name,
		ScenarioFile:   f.opt.Source,
		MasterSeed:     uint64(sc.Sim.Seed),
		SeedDerivation: sim.SeedDerivation,
		Only:           res.Only,
		WallSeconds:    res.Wall.Seconds(),
		Start:          sc.Sim.Start.String(),
		Horizon:        sc.Sim.Horizon.T().String(),
		SampleEvery:    sc.Sim.SampleEvery.T().String(),
		GoVersion:      runtime.Version(),
		Command:        f.opt.Command,
		Precision:      res.Precision,
	}
	checks, err := ManifestChecks(res)
	if err != nil {
		return fmt.Errorf("writing %s: %w", f.dir, err)
	}
	man.Checks = checks
	for i, r := range res.Replications {
		ri := reports.NewRepInfo(r)
		if i < len(res.Learners) {
			ri.Learners = reports.NewLearnerInfo(res.Learners[i])
		}
		man.Replications = append(man.Replications, ri)
		man.EventsTotal += r.Events
	}
	f.w.SetBrief(BriefOf(sc))
	if err := f.w.Close(man, sc.TOML()); err != nil {
		return fmt.Errorf("writing %s: %w", f.dir, err)
	}
	return nil
}

// Abort removes what the sink has written.
func (f *FileSink) Abort() {
	if f.w != nil {
		f.w.Abort()
	}
}
