package reports

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeCharts writes the charts of recs to a new folder and returns it.
func writeCharts(t *testing.T, recs []*Recording, opt Options) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, recs, opt))
	return dir
}

func readSVG(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name+".svg"))
	require.NoError(t, err)
	return string(b)
}

// TestChartTimeAxisDates: over a year of hourly samples from 2024-03-20,
// the time axis of every run chart is labelled "date (UTC)" with month
// ticks ("2024-04", ...), not days since the start; without a start date
// it falls back to days.
func TestChartTimeAxisDates(t *testing.T) {
	dir := writeCharts(t, longRun(2, 8760), Options{Title: "x", Start: "2024-03-20"})
	month := regexp.MustCompile(`>20(24|25)-(0[1-9]|1[0-2])<`)
	for _, name := range []string{"utilization", "price", "supply", "flows", "cohorts", "bids", "bme"} {
		svg := readSVG(t, dir, name)
		assert.Contains(t, svg, ">date (UTC)<", name)
		ticks := month.FindAllString(svg, -1)
		assert.GreaterOrEqual(t, len(ticks), 4, "%s: month ticks", name)
		assert.Contains(t, ticks, ">2024-05<", name)
		assert.NotContains(t, svg, "days since", name)
	}
	svg := readSVG(t, writeCharts(t, fixture(), Options{}), "utilization")
	assert.Contains(t, svg, "time (days since start)")
}

// TestDateTicks: the tick labels at several spans.
func TestDateTicks(t *testing.T) {
	start, ok := parseStart("2024-03-20")
	require.True(t, ok)
	labels := func(min, max float64) []string {
		var out []string
		for _, tk := range (dateTicks{start: start}).Ticks(min, max) {
			out = append(out, tk.Label)
		}
		return out
	}
	assert.Equal(t, []string{"2024-03-20", "2024-03-21", "2024-03-22", "2024-03-23"}, labels(0, 3))
	assert.Equal(t, []string{"2024-04", "2024-05", "2024-06"}, labels(0, 80))
	assert.Equal(t, []string{"2025", "2026", "2027", "2028", "2029"}, labels(0, 5*365))
	assert.Equal(t, []string{"03-20 00:00", "03-20 01:00", "03-20 02:00"}, labels(0, 2.0/24))
}

// TestChartPalette: every colour a chart strokes or fills with, other
// than the frame's black, white and grey, is one of Palette's
// (Okabe-Ito).
func TestChartPalette(t *testing.T) {
	okabeIto := map[string]bool{}
	for _, c := range Palette {
		r, g, b, _ := c.RGBA()
		okabeIto[fmt.Sprintf("#%02X%02X%02X", r>>8, g>>8, b>>8)] = true
	}
	assert.Len(t, okabeIto, 8)
	for _, want := range []string{"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"} {
		assert.True(t, okabeIto[want], want)
	}
	frame := map[string]bool{"#FFFFFF": true, "#000000": true, "#808080": true}
	colour := regexp.MustCompile(`(?:stroke|fill):(#[0-9A-F]{6})`)
	dir := writeCharts(t, fixture(), Options{Start: "2024-03-20"})
	used := map[string]bool{}
	for _, f := range ChartFiles(&ChartData{BME: BMEData{On: true}}) {
		if !strings.HasSuffix(f, ".svg") {
			continue
		}
		for _, m := range colour.FindAllStringSubmatch(readSVG(t, dir, strings.TrimSuffix(f, ".svg")), -1) {
			used[m[1]] = true
			if !frame[m[1]] {
				// bands are drawn in the palette colour at an opacity; SVG
				// keeps the colour, rounded from 16 bits
				assert.True(t, okabeIto[m[1]] || nearPalette(m[1]), "%s: colour %s is not Okabe-Ito", f, m[1])
			}
		}
	}
	assert.True(t, used["#0072B2"] && used["#D55E00"], "the first palette colours are used")
}

// nearPalette reports whether hex is a palette colour up to a unit in
// each channel (withAlpha's 16-bit round trip).
func nearPalette(hex string) bool {
	var r, g, b int
	fmt.Sscanf(hex, "#%02X%02X%02X", &r, &g, &b)
	return slices.ContainsFunc(Palette, func(c color.Color) bool {
		pr, pg, pb, _ := c.RGBA()
		d := func(a int, b uint32) bool { return a-int(b>>8) >= -1 && a-int(b>>8) <= 1 }
		return d(r, pr) && d(g, pg) && d(b, pb)
	})
}

// TestPaletteDashes: the first lines are solid, later ones dashed, each
// with a pattern of its own for a while.
func TestPaletteDashes(t *testing.T) {
	for k := range solidLines {
		assert.Nil(t, paletteDashes(k))
	}
	for k := solidLines; k < solidLines+len(dashPatterns); k++ {
		assert.NotNil(t, paletteDashes(k))
		for j := solidLines; j < k; j++ {
			assert.NotEqual(t, paletteDashes(j), paletteDashes(k))
		}
	}
}

// TestSmallNNotes: with 3 replications the titles say the bands are
// rough (run charts) or the confidence intervals wide (comparison); with
// 10 they do not; with 1 they say there is no band.
func TestSmallNNotes(t *testing.T) {
	for _, c := range []struct {
		reps        int
		run, ci     string
		noRun, noCI string
	}{
		{3, "over n=3 replications: rough", "95% CI over n=3 replications: wide", "", ""},
		{10, "over n=10 replications", "95% CI over n=10 replications", "rough", "wide"},
		{1, "n=1 replication: no band", "no confidence band", "", ""},
	} {
		reps := make([]int, c.reps)
		for i := range reps {
			reps[i] = i
		}
		dir := writeCharts(t, fixture(reps...), Options{})
		for _, name := range []string{"utilization", "supply"} {
			svg := readSVG(t, dir, name)
			assert.Contains(t, svg, c.run, "%d reps, %s", c.reps, name)
			if c.noRun != "" {
				assert.NotContains(t, svg, c.noRun, "%d reps, %s", c.reps, name)
			}
		}
		var runs []CompareRun
		for _, name := range []string{"a", "b"} {
			recs := fixture(reps...)
			runs = append(runs, CompareRun{Name: name, Summary: Summarize(recs), Series: CompareSeriesOf(recs)})
		}
		for _, ch := range CompareCharts(runs) {
			assert.Contains(t, ch.Title, c.ci, "%d reps, %s", c.reps, ch.File)
			if c.noCI != "" {
				assert.NotContains(t, ch.Title, c.noCI, "%d reps, %s", c.reps, ch.File)
			}
		}
	}
}

// TestBMEChartOnlyWithBME: the BME chart and its manifest entries exist
// when some replication has a BME vault or ACT, and not otherwise.
func TestBMEChartOnlyWithBME(t *testing.T) {
	dir := writeCharts(t, fixture(), Options{})
	assert.FileExists(t, filepath.Join(dir, "bme.png"))
	svg := readSVG(t, dir, "bme")
	for _, s := range []string{"BME vault", "(million tokens)", "ACT supply", "(million ACT)", "collateral ratio"} {
		assert.Contains(t, svg, s)
	}
	dir = writeCharts(t, withoutBME(fixture()), Options{})
	assert.NoFileExists(t, filepath.Join(dir, "bme.png"))
	assert.NoFileExists(t, filepath.Join(dir, "bme.svg"))
	assert.Equal(t, PlotFiles, ChartFiles(ChartDataOf(withoutBME(fixture()))))
	assert.Equal(t, append(slices.Clone(PlotFiles), BMEPlotFiles...), ChartFiles(ChartDataOf(fixture())))
}

// TestFlowsChartPanels: one panel per flow, each with its own y label in
// tokens per period; with the BME on, burned is labelled net burned and
// the title says why it can be negative.
func TestFlowsChartPanels(t *testing.T) {
	svg := readSVG(t, writeCharts(t, longRun(2, 30*24+1), Options{Start: "2024-03-20"}), "flows")
	assert.Contains(t, svg, "token flows per day (sum over each day, mean over 2 replications)")
	for _, name := range []string{"minted", "net burned", "take fees", "subsidies", "emissions"} {
		assert.Contains(t, svg, ">"+name+"<")
	}
	assert.Equal(t, 5, strings.Count(svg, ">(tokens per day)<"), "a y label per panel")
	assert.Contains(t, svg, "burned is net of the BME vault")

	svg = readSVG(t, writeCharts(t, withoutBME(longRun(2, 8760)), Options{Start: "2024-03-20"}), "flows")
	assert.Contains(t, svg, "token flows per week")
	assert.Contains(t, svg, ">burned<")
	assert.NotContains(t, svg, "net burned")
}

// TestDownsampledLinesKeepGaps: a line reduced for drawing breaks where
// the series has a gap.
func TestDownsampledLinesKeepGaps(t *testing.T) {
	n := 5000
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = float64(i), float64(i%7)
	}
	for i := 2000; i < 2100; i++ {
		y[i] = math.NaN()
	}
	keep := reduced(x, y)
	assert.Less(t, len(keep), 3*drawPoints)
	assert.Contains(t, keep, 2000, "the first point of the gap is kept")
	assert.Len(t, runs(keep, y), 2, "two runs: the line breaks at the gap")
}
