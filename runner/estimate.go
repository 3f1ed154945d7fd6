package runner

import (
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/reports"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// Estimate is what a run is expected to take, estimated from its
// scenario before it runs (EstimateRun, EstimateCompare): its peak
// memory, its events and the bytes it writes, with the scenario keys that
// drive them. docs/limits.md compares the estimates with measured runs.
type Estimate struct {
	// MemoryBytes is the expected peak resident memory of the process
	// (RSS), in bytes.
	MemoryBytes float64
	// Events is the expected number of events over every replication.
	Events float64
	// OutputBytes is the expected size of what the run writes, in bytes.
	OutputBytes float64
	// Workers is the number of replications simulated at once.
	Workers int
	// World is the estimate of one replication's world (of the largest
	// scenario of a comparison).
	World sim.WorldEstimate
	// MemoryDrivers, OutputDrivers and EventDrivers name the scenario
	// keys (with their values) that drive the memory, the output and the
	// events, largest share first.
	MemoryDrivers, OutputDrivers, EventDrivers []string
}

// EstimateOptions are the run options an estimate depends on.
type EstimateOptions struct {
	// Workers is the number of replications simulated at once (0: GOMAXPROCS),
	// as Options.Workers.
	Workers int
}

// Calibration constants of the memory estimate (docs/limits.md, "How the
// constants were calibrated"): peak RSS = base + worldFactor x the
// worlds under way + sampleFactor x the recordings held and the
// statistics.
const (
	// baseRSS is the resident memory of a run of a few samples drawn on
	// one goroutine: the program (the pages of the binary a run touches),
	// the Go runtime, the scenario, a world's fixed tables, the report and
	// a chart's canvas, PNG encoder and glyphs.
	baseRSS = 30 << 20
	// chartRSS is what each further chart drawn at once adds (its canvas,
	// its encoder's buffers and the allocator's caches of its goroutine):
	// the charts are drawn on up to GOMAXPROCS goroutines, and a run draws
	// at most charts of them.
	chartRSS = 2 << 20
	// charts is the number of charts a run draws at once at most (six,
	// seven with the BME chart; reports.WriteCharts).
	charts = 6
	// worldFactor is the peak resident memory of a world as a multiple
	// of sim.EstimateWorld's bytes, which count what a world's tables
	// and records hold at its peak. The collector lets the heap grow to
	// about twice what survived its last cycle before it runs again
	// (GOGC=100), and a run allocates as it goes (the output, the
	// statistics, the tables that grow), so a world's pages come to be
	// touched up to twice over; the world's tables are also sized once
	// for a quarter more than its estimate (sim World.presize), some of
	// which the run touches. Fitted to the measured rows of
	// docs/limits.md, R1 scaled to 128k providers among them.
	worldFactor = 2.0
	// grownWorldFactor replaces worldFactor for a world whose tables
	// outgrow what presize gives them (sim.WorldEstimate.Presized):
	// beyond it they grow by copying, and while an array is copied the
	// old one is held beside the new. A world of 5 million providers
	// measured 1.97 x its bytes (docs/limits.md); the quarter more is
	// for the larger worlds whose tables grow more than once.
	grownWorldFactor = 1.25 * worldFactor
	// sampleFactor is the ratio of the peak resident memory of the
	// recordings and statistics to the bytes reports.RecordingBytes and
	// reports.StatsBytes count: the collector lets the heap grow to about
	// twice the live heap (GOGC=100) before collecting, and the
	// recorder's slabs and the accumulators that grow by doubling hold
	// more than those functions count.
	sampleFactor = 3.0
)

// baseMemory returns the resident memory of a run before its worlds,
// recordings and statistics: baseRSS and the charts drawn at once.
func baseMemory() float64 {
	return baseRSS + chartRSS*float64(min(runtime.GOMAXPROCS(0), charts)-1)
}

// worldMemory returns the peak resident memory of n worlds under way
// estimated at w.
func worldMemory(w sim.WorldEstimate, n int) float64 {
	f := worldFactor
	if !w.Presized() {
		f = grownWorldFactor
	}
	return f * float64(n) * w.Bytes
}

// EstimateRun estimates a run of sc as Run makes it, with a FileSink.
func EstimateRun(sc *scenarios.Scenario, opt EstimateOptions) (*Estimate, error) {
	cfg, err := sc.Config()
	if err != nil {
		return nil, err
	}
	e, mem := estimate(cfg, sc.Sim.Replications, assertBytes(sc), opt)
	e.MemoryBytes = baseMemory() + mem
	return e, nil
}

// EstimateCompare estimates a comparison of scs as Compare makes it: the
// scenarios' replications share one pool of workers, each holding one
// world, and one reorder window of 2 x workers recordings (the same
// number of replications for every scenario), so the memory is at most
// that of the largest run plus the statistics every run keeps for the
// comparison, and the output is every run's folder.
func EstimateCompare(scs []*scenarios.Scenario, opt EstimateOptions) (*Estimate, error) {
	var out *Estimate
	var peak, kept float64
	for _, sc := range scs {
		cfg, err := sc.Config()
		if err != nil {
			return nil, err
		}
		e, mem := estimate(cfg, sc.Sim.Replications, assertBytes(sc), opt)
		kept += sampleFactor * reports.StatsBytes(shape(cfg, sc.Sim.Replications))
		if out == nil {
			out = e
		} else {
			out.Events += e.Events
			out.OutputBytes += e.OutputBytes
			out.OutputDrivers = append(out.OutputDrivers, e.OutputDrivers...)
		}
		if mem > peak {
			peak = mem
			out.World, out.MemoryDrivers, out.Workers = e.World, e.MemoryDrivers, e.Workers
		}
	}
	out.MemoryBytes = baseMemory() + peak + kept
	return out, nil
}

// shape returns the shape of cfg's recordings over reps replications.
func shape(cfg *sim.Config, reps int) reports.Shape {
	w := int64(0)
	if se := cfg.Sim.SampleEvery.T(); se > 0 {
		w = int64(cfg.Sim.Horizon.T()/se) + 1
	}
	return reports.Shape{Samples: w, Reps: int64(reps), Resources: cfg.Catalog.NumResources(), Cohorts: len(cfg.Providers)}
}

// assertBytes returns the bytes per sample that the collectors of sc's
// [[assert]] entries keep for one replication (assertion.BytesPerSample:
// the values of pN statistics; the others stream).
func assertBytes(sc *scenarios.Scenario) float64 {
	as, err := sc.Assertions()
	if err != nil {
		return 0 // a scenario that does not validate does not run
	}
	return assertion.BytesPerSample(as)
}

// estimate estimates reps replications of cfg whose assertions keep
// assertPerSample bytes per sample; it returns the estimate without its
// memory, and the peak resident memory of its worlds, recordings and
// statistics (without baseMemory).
func estimate(cfg *sim.Config, reps int, assertPerSample float64, opt EstimateOptions) (*Estimate, float64) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, reps))
	w := sim.EstimateWorld(cfg)
	sh := shape(cfg, reps)
	// a replication's recording and the values its assertions keep travel
	// together until it is delivered
	rec := reports.RecordingBytes(sh) + assertPerSample*float64(sh.Samples)
	// every worker holds a world and the recording it fills; the reorder
	// window holds up to 2 x workers recordings in all
	held := float64(min(2*workers, reps))
	// with a shared tail (shareTail: worlds below collectAfter), up to
	// workers - 1 more worlds are under way
	underWay := workers
	if !collectsAt(w) {
		underWay = min(2*workers-1, reps)
	}
	worlds := worldMemory(w, underWay)
	mem := worlds + sampleFactor*(held*rec+reports.StatsBytes(sh))
	e := &Estimate{
		Events:      float64(reps) * w.Events,
		OutputBytes: reports.OutputBytes(sh),
		Workers:     workers,
		World:       w,
	}

	// the drivers of the memory: the world's keys (times the workers),
	// the recordings' and the statistics', each at its factor
	type share struct {
		key   string
		bytes float64
	}
	var shares []share
	for _, d := range w.Drivers {
		if d.Bytes > 0 && w.Bytes > 0 {
			shares = append(shares, share{d.Key, worlds * d.Bytes / w.Bytes})
		}
	}
	shares = append(shares, share{fmt.Sprintf("sim.sample_every = %v over sim.horizon = %v (%d samples per replication)",
		cfg.Sim.SampleEvery.T(), cfg.Sim.Horizon.T(), sh.Samples), sampleFactor * held * rec})
	shares = append(shares, share{fmt.Sprintf("sim.replications = %d", reps), sampleFactor * reports.StatsBytes(sh)})
	for i := 1; i < len(shares); i++ {
		for j := i; j > 0 && shares[j].bytes > shares[j-1].bytes; j-- {
			shares[j], shares[j-1] = shares[j-1], shares[j]
		}
	}
	for _, s := range shares {
		if s.bytes >= 0.1*mem || len(e.MemoryDrivers) == 0 {
			e.MemoryDrivers = append(e.MemoryDrivers, s.key)
		}
	}
	if workers > 1 {
		e.MemoryDrivers = append(e.MemoryDrivers, fmt.Sprintf("--workers %d (a world each)", workers))
	}
	busiest := -1
	for i := range cfg.Tenants {
		if busiest < 0 || cfg.Tenants[i].ArrivalsPerDay > cfg.Tenants[busiest].ArrivalsPerDay {
			busiest = i
		}
	}
	if busiest >= 0 {
		e.EventDrivers = append(e.EventDrivers, fmt.Sprintf("tenants[%d].arrivals_per_day = %v", busiest, cfg.Tenants[busiest].ArrivalsPerDay))
	}
	e.EventDrivers = append(e.EventDrivers, fmt.Sprintf("sim.horizon = %v", cfg.Sim.Horizon.T()), fmt.Sprintf("sim.replications = %d", reps))
	e.OutputDrivers = []string{
		fmt.Sprintf("sim.replications = %d", reps),
		fmt.Sprintf("sim.sample_every = %v over sim.horizon = %v (%d samples per replication)",
			cfg.Sim.SampleEvery.T(), cfg.Sim.Horizon.T(), sh.Samples),
	}
	return e, mem
}

// Limits are the caps a run must fit under before it starts.
type Limits struct {
	// MaxMemory is the largest peak memory allowed, in bytes (0: none).
	MaxMemory int64
	// MaxOutput is the largest output allowed, in bytes (0: none).
	MaxOutput int64
	// MaxEvents is the largest number of events allowed over every
	// replication (0: none): a run far beyond it would not end in any
	// useful time, whatever its memory.
	MaxEvents float64
}

// LimitError is a run refused before it started: its estimate exceeds a
// cap.
type LimitError struct {
	// What is "memory", "output" or "events".
	What string
	// Estimate is the estimate that exceeds the cap, in bytes (a count
	// for events).
	Estimate float64
	// Cap is the cap, in bytes (a count for events).
	Cap int64
	// Flag is the flag that sets the cap ("--max-memory").
	Flag string
	// Drivers names the scenario keys that drive the estimate.
	Drivers []string
}

// Error names the estimate, the cap and the keys that drive it.
func (e *LimitError) Error() string {
	if e.What == "events" {
		return fmt.Sprintf("run refused before simulating: it would process about %.3g events, above %s %.3g (days of simulation at a few million events a second); driven by: %s. Reduce them, or raise %s (estimates: docs/limits.md)",
			e.Estimate, e.Flag, float64(e.Cap), strings.Join(e.Drivers, "; "), e.Flag)
	}
	verb := "needs about"
	if e.What == "output" {
		verb = "would write about"
	}
	return fmt.Sprintf("run refused before simulating: it %s %s of %s, above %s %s; driven by: %s. Reduce them, or raise %s if the machine can take it (estimates: docs/limits.md)",
		verb, FormatBytes(e.Estimate), e.What, e.Flag, FormatBytes(float64(e.Cap)), strings.Join(e.Drivers, "; "), e.Flag)
}

// Check returns a *LimitError when the estimate exceeds a cap of l.
func (e *Estimate) Check(l Limits) error {
	if l.MaxMemory > 0 && !(e.MemoryBytes <= float64(l.MaxMemory)) {
		return &LimitError{What: "memory", Estimate: e.MemoryBytes, Cap: l.MaxMemory, Flag: "--max-memory", Drivers: e.MemoryDrivers}
	}
	if l.MaxOutput > 0 && !(e.OutputBytes <= float64(l.MaxOutput)) {
		return &LimitError{What: "output", Estimate: e.OutputBytes, Cap: l.MaxOutput, Flag: "--max-output", Drivers: e.OutputDrivers}
	}
	if l.MaxEvents > 0 && !(e.Events <= l.MaxEvents) {
		return &LimitError{What: "events", Estimate: e.Events, Cap: int64(l.MaxEvents), Flag: "--max-events", Drivers: e.EventDrivers}
	}
	return nil
}

// FormatBytes formats a number of bytes with a binary unit: "127 MiB",
// "3.2 GiB".
func FormatBytes(b float64) string {
	if math.IsInf(b, 1) || b > math.MaxInt64 {
		return "more than 8 EiB"
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 || b >= 100 {
		return fmt.Sprintf("%.0f %s", b, units[i])
	}
	return fmt.Sprintf("%.1f %s", b, units[i])
}
