package reports

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBidSeries: one line per cohort that placed a bid, in the scenario's
// order and with the cohort's colour index; each point is the mean over
// the replications with a value there (a replication without bids in an
// interval is left out, not counted as 0), NaN where none has one.
func TestBidSeries(t *testing.T) {
	nan := math.NaN()
	d := BidSeries(fixture(2, 0, 1)) // any order: taken by Rep
	require.Len(t, d.WinRate, 2, "spoofed and cpu placed no bid")
	require.Len(t, d.Markup, 2)
	assert.Equal(t, []int{0, 1}, d.Index)
	for k, name := range []string{"organic-a100 (organic)", "airdrop (mercenary)"} {
		assert.Equal(t, name, d.WinRate[k].Name)
		assert.Equal(t, name, d.Markup[k].Name)
		nanEq(t, []float64{0, 1.0 / 24, 2.0 / 24}, d.WinRate[k].X, name+" x: days")
	}
	nanEq(t, []float64{0, 0.25, 0.5}, d.WinRate[0].Y, "organic win rate i/4")
	nanEq(t, []float64{0.75, 0.75, 0.75}, d.Markup[0].Y, "organic markup: mean of 0.25, 0.75, 1.25")
	nanEq(t, []float64{0.25, 0.25, nan}, d.WinRate[1].Y, "airdrop: mean of reps 0 and 2 (0, 0.5); rep 1 has no bids")
	nanEq(t, []float64{1, 1, nan}, d.Markup[1].Y, "airdrop markup")

	none := BidSeries(tokenFixture())
	assert.Empty(t, none.WinRate, "recordings without cohorts")
}

// TestWritePlotsBids: the bids chart has its title, axis labels with
// units, and a legend entry per cohort that bid, in both panels.
func TestWritePlotsBids(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, fixture(), Options{Title: "test", Start: "2024-03-20"}))
	requirePlots(t, dir)
	svg, err := os.ReadFile(filepath.Join(dir, "bids.svg"))
	require.NoError(t, err)
	for _, s := range []string{"test: bids by provider cohort: markup over cost, win rate", "per sample interval, mean over 3 replications",
		"markup over cost (fraction)", "win rate (fraction)", "date (UTC)", "organic-a100 (organic)", "airdrop (mercenary)"} {
		assert.Contains(t, string(svg), s)
	}
	assert.NotContains(t, string(svg), "spoofed", "a cohort without bids gets no line")

	dir = t.TempDir()
	require.NoError(t, WritePlots(dir, tokenFixture(), Options{}))
	svg, err = os.ReadFile(filepath.Join(dir, "bids.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "bids by provider cohort: no bids in any of")
}
