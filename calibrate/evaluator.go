package calibrate

// The evaluator: each point's replications run through runner (or the
// test-only model hook) at most once, cached and journaled, so that
// --resume and a merge of shards replay a search without running it again.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/depinsim/depinsim/assertion"
	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/sim"
)

// modelHook, when set (by tests only), replaces one replication's
// simulation: it returns the targets' values at the parameters x for the
// replication's seed.
var modelHook func(x []float64, seed uint64) ([]float64, error)

type evaluator struct {
	c      *Calibration
	ctx    context.Context
	sem    chan struct{}
	mu     sync.Mutex
	cache  map[string][][]float64
	jf     *os.File
	jw     *bufio.Writer
	search []int // the search replications
	check  []int // the check replications
	// frozen, during a merge's replay of the searches, refuses an
	// evaluation that no shard's journal holds.
	frozen bool
	// runDone is Options.RunDone.
	runDone func()
}

func (e *evaluator) key(kind string, x []float64) string {
	var b strings.Builder
	b.WriteString(kind)
	for i, v := range x {
		if i == 0 {
			b.WriteByte('\t')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return b.String()
}

// reps returns the per-replication target values at x on the search
// ("s") or check ("c") replications, from the journal when it holds
// them.
func (e *evaluator) reps(kind string, x []float64) ([][]float64, error) {
	k := e.key(kind, x)
	e.mu.Lock()
	v, ok := e.cache[k]
	e.mu.Unlock()
	if ok {
		return v, nil
	}
	if e.frozen {
		return nil, fmt.Errorf("%s: the evaluation is in no shard's journal (the shards are not all of this calibration, or one is incomplete)", strings.Join(e.c.Sets(x), " "))
	}
	idx := e.search
	if kind == "c" {
		idx = e.check
	}
	out := make([][]float64, len(idx))
	errs := make([]error, len(idx))
	var wg sync.WaitGroup
	for j, r := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.sem <- struct{}{}
			defer func() { <-e.sem }()
			out[j], errs[j] = e.one(x, r)
			if e.runDone != nil {
				e.runDone()
			}
		}()
	}
	wg.Wait()
	for j, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: replication %d (seed %d): %w", strings.Join(e.c.Sets(x), " "), idx[j], sim.ReplicationSeed(uint64(e.c.Seed), idx[j]), err)
		}
		for t, v := range out[j] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: replication %d (seed %d): target %q is %v (its window holds no finite sample)",
					strings.Join(e.c.Sets(x), " "), idx[j], sim.ReplicationSeed(uint64(e.c.Seed), idx[j]), e.c.Targets[t].Name, v)
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.cache[k]; !ok {
		e.cache[k] = out
		if e.jw != nil {
			if err := e.journal(k, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// journal appends one evaluation: kind TAB x TAB the replications'
// values (replications separated by ';', targets by ','), and syncs.
func (e *evaluator) journal(k string, v [][]float64) error {
	var b strings.Builder
	b.WriteString(k)
	b.WriteByte('\t')
	for j, r := range v {
		if j > 0 {
			b.WriteByte(';')
		}
		for t, x := range r {
			if t > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	b.WriteByte('\n')
	if _, err := e.jw.WriteString(b.String()); err != nil {
		return err
	}
	if err := e.jw.Flush(); err != nil {
		return err
	}
	return e.jf.Sync()
}

// readJournal loads the journal at path into the cache; a last line cut
// short by a kill is ignored and, when repair, removed from the file.
func (e *evaluator) readJournal(path string, repair bool) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	for _, l := range lines[:len(lines)-1] { // the part after the last newline is incomplete
		f := strings.Split(l, "\t")
		if len(f) != 3 {
			return fmt.Errorf("journal %s: malformed line %q", path, l)
		}
		var v [][]float64
		for _, r := range strings.Split(f[2], ";") {
			var row []float64
			for _, s := range strings.Split(r, ",") {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return fmt.Errorf("journal %s: malformed value %q", path, s)
				}
				row = append(row, x)
			}
			if len(row) != len(e.c.Targets) {
				return fmt.Errorf("journal %s: %d values in a replication, want %d (one per target): another calibration's journal", path, len(row), len(e.c.Targets))
			}
			v = append(v, row)
		}
		e.cache[f[0]+"\t"+f[1]] = v
	}
	if rest := lines[len(lines)-1]; rest != "" && repair {
		// cut short: rewrite the journal without it
		if err := os.WriteFile(path, data[:len(data)-len(rest)], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// one runs replication r at x and returns the targets' values.
func (e *evaluator) one(x []float64, r int) ([]float64, error) {
	if modelHook != nil {
		return modelHook(x, sim.ReplicationSeed(uint64(e.c.Seed), r))
	}
	sc, err := e.c.scenario(x, 0)
	if err != nil {
		return nil, err
	}
	var col *assertion.Collector
	_, err = runner.Run(e.ctx, sc, runner.Options{Workers: 1, Only: []int{r}, Recorder: func(int) sim.Recorder {
		col = assertion.NewCollector(e.c.compiled)
		col.SetHorizon(sim.Time(e.c.horizon))
		return col
	}})
	if err != nil {
		return nil, err
	}
	return col.Values(), nil
}
