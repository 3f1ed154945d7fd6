package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/reports/html"
	"github.com/depinsim/depinsim/sim"
)

// reportCharts returns the charts of the HTML report of recs.
func reportCharts(t *testing.T, recs []*Recording) []*html.Chart {
	t.Helper()
	acc := newReportAcc()
	for _, r := range byRep(recs) {
		require.NoError(t, acc.Add(r))
	}
	in := reportInputs{man: &Manifest{Start: "2024-03-20"}, sum: Summarize(recs), acc: acc}
	secs, err := in.chartSections()
	require.NoError(t, err)
	var out []*html.Chart
	for _, s := range secs {
		for _, b := range s.Blocks {
			if b.Chart != nil {
				out = append(out, b.Chart)
			}
		}
	}
	return out
}

// TestReportChartsGolden pins the report's chart data as series: each
// chart's id and inline JSON, one line each (testdata/report_charts.golden;
// go test ./reports -run TestReportChartsGolden -update rewrites it).
func TestReportChartsGolden(t *testing.T) {
	checkChartsGolden(t, reportCharts(t, fixture()), "report_charts.golden")
}

// checkChartsGolden compares each chart's id and inline JSON, one line
// each, with testdata/name (-update rewrites it).
func checkChartsGolden(t *testing.T, charts []*html.Chart, name string) {
	t.Helper()
	var got bytes.Buffer
	for _, c := range charts {
		data, err := c.Data()
		require.NoError(t, err)
		got.WriteString(c.ID + "\n" + string(data) + "\n")
	}
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got.String())
}

// TestReportBandsRespectDomain: a share's band stays in [0, 1] and a
// non-negative quantity's at or above 0, however wide the interval.
func TestReportBandsRespectDomain(t *testing.T) {
	recs := withValues(fixture(0, 1, 2), func(m, r, i int, v float64) float64 {
		switch m {
		case sim.MGPUUtilization:
			return []float64{0, 0.02, 0.99}[r] // mean 0.34, CI far outside [0, 1]
		case sim.MLeasesActive:
			return []float64{0, 0, 90}[r]
		}
		return v
	})
	found := 0
	for _, c := range reportCharts(t, recs) {
		for _, s := range c.Series {
			if c.ID == "chart-utilization" && s.Name == "GPU (all models)" || c.ID == "chart-leases" && s.Name == "leases active" {
				found++
				hi := 1.0
				if c.ID == "chart-leases" {
					hi = math.Inf(1)
				}
				for i := range s.Values {
					assert.GreaterOrEqual(t, s.Lo[i], 0.0, "%s %s", c.ID, s.Name)
					assert.LessOrEqual(t, s.Hi[i], hi, "%s %s", c.ID, s.Name)
					assert.LessOrEqual(t, s.Lo[i], s.Values[i])
					assert.GreaterOrEqual(t, s.Hi[i], s.Values[i])
				}
			}
		}
	}
	assert.Equal(t, 2, found)
}

// TestReportReducesSeries: an hourly year is reduced to about
// reportMaxPoints points per chart, each band at its line's points.
func TestReportReducesSeries(t *testing.T) {
	if testing.Short() {
		t.Skip("an hourly year")
	}
	recs := longRun(2, 24*365)
	for _, c := range reportCharts(t, recs) {
		assert.Less(t, len(c.X), 24*365, c.ID)
		assert.LessOrEqual(t, len(c.X), 3*reportMaxPoints, c.ID)
		for _, s := range c.Series {
			assert.Len(t, s.Values, len(c.X))
			if s.Lo != nil {
				assert.Len(t, s.Lo, len(c.X))
				assert.Len(t, s.Hi, len(c.X))
			}
		}
	}
}

// TestReportXAxisIsCalendar: the time axis is in seconds since 1970 from
// the manifest's start date.
func TestReportXAxisIsCalendar(t *testing.T) {
	charts := reportCharts(t, fixture())
	require.NotEmpty(t, charts)
	c := charts[0]
	assert.Equal(t, 1710892800.0, c.X[0], "2024-03-20T00:00:00Z")
	assert.Equal(t, 3600.0, c.X[1]-c.X[0], "hourly samples")
}

// TestWriteAllWritesReport: WriteAll writes report.html, which the
// manifest lists, and WriteRunReport from the folder read back writes the
// same bytes.
func TestWriteAllWritesReport(t *testing.T) {
	dir := t.TempDir()
	man := Manifest{Scenario: "fixture", Start: "2024-03-20"}
	for _, r := range fixture() {
		man.Replications = append(man.Replications, RepInfo{Rep: r.Rep, Samples: r.Len()})
	}
	require.NoError(t, WriteAll(dir, fixture(), man, []byte("name = \"fixture\"\n"), Options{Title: "fixture"}))
	page, err := os.ReadFile(filepath.Join(dir, ReportFile))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &man))
	assert.Contains(t, man.Files, ReportFile)
	run, err := ReadRun(dir)
	require.NoError(t, err)
	require.NoError(t, WriteRunReport(dir, run, nil))
	again, err := os.ReadFile(filepath.Join(dir, ReportFile))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(page, again), "the report rebuilt from the folder is the same")
	assert.True(t, strings.Contains(string(page), `id="chart-utilization"`))
}

// TestReportBandsReusedAlike: the charts' data are the same bytes whether
// chartSections reuses a reduced chart's bands for the next or makes each
// anew, for runs long enough to be reduced and short ones, with one
// replication and several.
func TestReportBandsReusedAlike(t *testing.T) {
	for _, tc := range []struct {
		name string
		recs []*Recording
	}{
		{"reduced, 1 rep", longRun(1, 4000)},
		{"reduced, 3 reps", longRun(3, 4000)},
		{"short", fixture()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := func(reuse bool) []string {
				defer func(old bool) { reuseBands = old }(reuseBands)
				reuseBands = reuse
				var out []string
				for _, c := range reportCharts(t, tc.recs) {
					d, err := c.Data()
					require.NoError(t, err)
					out = append(out, c.ID+" "+string(d))
				}
				return out
			}
			fresh := data(false)
			require.NotEmpty(t, fresh)
			assert.Equal(t, fresh, data(true))
		})
	}
}

// TestFloatBufs: a lent slice has the length asked, a slice handed back is
// lent again when long enough and never twice at once, and a nil
// *floatBufs makes each slice anew and keeps none.
func TestFloatBufs(t *testing.T) {
	var f floatBufs
	a, b := f.get(10), f.get(20)
	require.Len(t, a, 10)
	require.Len(t, b, 20)
	f.put(a, nil, b)
	require.Len(t, f.free, 2)
	c := f.get(15) // only b is long enough
	assert.Len(t, c, 15)
	assert.Same(t, &b[0], &c[0])
	d := f.get(5)
	assert.Same(t, &a[0], &d[0])
	e := f.get(5) // none left
	assert.NotSame(t, &a[0], &e[0])
	var none *floatBufs
	assert.Len(t, none.get(3), 3)
	none.put(a) // no panic, nothing kept
}
