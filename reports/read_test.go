package reports

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

// sameRecordings requires got to hold the recordings of want, value for
// value and bit for bit (any NaN equals any NaN).
func sameRecordings(t *testing.T, want, got []*Recording) {
	t.Helper()
	require.Len(t, got, len(want))
	for k, w := range want {
		g := got[k]
		require.Equal(t, w.Rep, g.Rep)
		require.Equal(t, w.Times, g.Times, "rep %d times", w.Rep)
		require.Len(t, g.Values, len(w.Values))
		for i := range w.Values {
			sameBits(t, w.Values[i], g.Values[i], "values")
		}
		require.Len(t, g.Resources, len(w.Resources))
		for i := range w.Resources {
			require.Len(t, g.Resources[i], len(w.Resources[i]), "rep %d sample %d resources", w.Rep, i)
			for j, rs := range w.Resources[i] {
				gr := g.Resources[i][j]
				require.Equal(t, rs.Resource, gr.Resource)
				sameBits(t, []float64{rs.Capacity, rs.Allocated, rs.Utilization, rs.MedianPriceUSDHour},
					[]float64{gr.Capacity, gr.Allocated, gr.Utilization, gr.MedianPriceUSDHour}, rs.Resource)
			}
		}
		for i := range w.Times { // a hand-made recording may have fewer cohort rows
			require.Len(t, g.cohortsAt(i), len(w.cohortsAt(i)))
			for j, c := range w.cohortsAt(i) {
				gc := g.cohortsAt(i)[j]
				require.Equal(t, []any{c.Cohort, c.Kind, c.Providers}, []any{gc.Cohort, gc.Kind, gc.Providers})
				sameBits(t, []float64{c.GPUs, c.GPUsLeased, c.CPUs, c.IncomeUSD}, []float64{gc.GPUs, gc.GPUsLeased, gc.CPUs, gc.IncomeUSD}, c.Cohort)
			}
		}
	}
}

// oddTimes returns two replications sampled every 10 minutes from day 200
// (times that are not whole hours, beyond 2^53 nanoseconds), with values
// that need every digit.
func oddTimes() []*Recording {
	var out []*Recording
	s := &sim.Sample{Values: make([]float64, sim.NumMetrics)}
	for r := range 2 {
		m := NewMemory()
		for i := range 5 {
			s.Rep, s.T = r, 200*sim.Day+sim.Time(i)*10*sim.Minute
			for k := range s.Values {
				s.Values[k] = math.Pi * float64(k+1) / float64(3*i+r+1)
			}
			s.Values[sim.MGPUPriceUSDHour] = math.NaN()
			s.Values[sim.MBurnedTotal] = math.Inf(-1)
			s.Resources = []sim.ResourceSample{{Resource: sim.ResourceCPU, Capacity: 0.1, Allocated: 1e-300, Utilization: math.NaN(), MedianPriceUSDHour: 1.0 / 3}}
			s.Cohorts = nil
			m.Record(s)
		}
		out = append(out, m.Recording())
	}
	return out
}

// TestReadRunRoundTrip: a run folder read back gives the recordings that
// were written, and the charts and summary rebuilt from them are the
// same.
func TestReadRunRoundTrip(t *testing.T) {
	for name, recs := range map[string][]*Recording{
		"fixture":   fixture(),
		"tokens":    tokenFixture(),
		"odd times": oddTimes(),
		"long":      longRun(2, 300),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			man := testManifest()
			man.Replications = nil
			for _, r := range recs {
				man.Replications = append(man.Replications, RepInfo{Rep: r.Rep, Samples: r.Len()})
			}
			writeStreamed(t, dir, recs, man, []byte("x = 1\n"), Options{})
			run, err := ReadRun(dir)
			require.NoError(t, err)
			assert.Equal(t, man.Replications, run.Manifest.Replications)
			assert.Equal(t, man.Command, run.Manifest.Command)
			sameRecordings(t, recs, run.Recordings)

			sameCharts(t, ChartDataOf(recs), ChartDataOf(run.Recordings), sameBits)
			var a, b bytes.Buffer
			require.NoError(t, Summarize(recs).WriteJSON(&a))
			require.NoError(t, Summarize(run.Recordings).WriteJSON(&b))
			assert.Equal(t, a.String(), b.String())
			assert.Equal(t, string(readBytes(t, filepath.Join(dir, SummaryFile))), b.String(), "summary.json rebuilt from the files")
		})
	}
}

func TestTimeOfHours(t *testing.T) {
	for _, tm := range []sim.Time{0, sim.Second, 10 * sim.Minute, 200*sim.Day + 10*sim.Minute, 99 * sim.Year,
		3*sim.Hour + 7*sim.Millisecond, 5*sim.Day + 3*sim.Microsecond} {
		assert.Equal(t, tm, timeOfHours(tm.Hours()), "%v", tm)
	}
}

// writeRun writes the fixture's run folder and returns it.
func writeRun(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeStreamed(t, dir, fixture(), testManifest(), nil, Options{})
	return dir
}

func TestReadRunErrors(t *testing.T) {
	edit := func(t *testing.T, dir, file, old, new string) {
		t.Helper()
		b := readBytes(t, filepath.Join(dir, file))
		require.Contains(t, string(b), old)
		require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(strings.Replace(string(b), old, new, 1)), 0o644))
	}
	for _, tc := range []struct {
		name string
		mod  func(t *testing.T, dir string)
		want string
	}{
		{"no manifest", func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, ManifestFile))) },
			"no manifest.json: the folder is not a complete run"},
		{"bad number", func(t *testing.T, dir string) { edit(t, dir, TimeseriesFile, "\n1,1,", "\n1,1,x") },
			"timeseries.csv:6: gpu_utilization: not a number"},
		{"unknown column", func(t *testing.T, dir string) { edit(t, dir, TimeseriesFile, "gpu_utilization", "gpu_usage") },
			`timeseries.csv:1: column "gpu_usage" is not a metric`},
		{"reps out of order", func(t *testing.T, dir string) { edit(t, dir, TimeseriesFile, "\n2,0,", "\n0,0,") },
			"timeseries.csv:8: rep 0 after rep 1"},
		{"manifest mismatch", func(t *testing.T, dir string) { edit(t, dir, ManifestFile, `"samples": 3`, `"samples": 4`) },
			"the manifest lists replication 0 with 4"},
		{"resource at no sample", func(t *testing.T, dir string) { edit(t, dir, ResourcesFile, "\n0,1,cpu", "\n0,1.5,cpu") },
			"resources.csv:6: t_hours 1.5: no such sample of rep 0"},
		{"cohort providers", func(t *testing.T, dir string) { edit(t, dir, CohortsFile, ",organic,3,", ",organic,3.5,") },
			"cohorts.csv:2: providers: not a whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRun(t)
			tc.mod(t, dir)
			_, err := ReadRun(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("no cohorts.csv", func(t *testing.T) {
		dir := writeRun(t)
		require.NoError(t, os.Remove(filepath.Join(dir, CohortsFile)))
		run, err := ReadRun(dir)
		require.NoError(t, err)
		for _, rec := range run.Recordings {
			for _, row := range rec.Cohorts {
				assert.Empty(t, row)
			}
		}
	})
}
