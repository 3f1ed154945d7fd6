package sweep

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
)

// mustScenario returns the scenario of point p.
func mustScenario(t *testing.T, scs *Scenarios, p int) *scenarios.Scenario {
	t.Helper()
	sc, err := scs.Scenario(p)
	require.NoError(t, err)
	return sc
}

// TestScenariosReloaded: a sweep of more than keepPoints points keeps no
// scenario after Validate; a run loads its point's scenario again, the
// very scenario Validate checked, and the rows are those of a sweep that
// kept every scenario, for 1 and 2 workers. Under -short the sweep that
// kept them runs on 1 worker and the reloading one on 2 (half the runs:
// a reloaded scenario that differs, or rows that depend on the workers,
// still differ from the first rows).
func TestScenariosReloaded(t *testing.T) {
	var vals []string
	for i := range keepPoints + 6 {
		vals = append(vals, strconv.Itoa(5+i))
	}
	sw, err := FromGrid("akash-2024", []string{"market.max_bids=" + strings.Join(vals, ",")},
		[]string{"sim.warmup=1d", "sim.horizon=2d", "sim.sample_every=1d", "sim.replications=1"}, scenarios.Options{})
	require.NoError(t, err)
	pts := sw.Points()
	scs, err := sw.Validate(pts)
	require.NoError(t, err)
	assert.Nil(t, scs.kept, "more than keepPoints points: no scenario kept")
	assert.Equal(t, len(pts), scs.Len())
	kept := &Scenarios{sw: sw, points: pts, kept: make([]*scenarios.Scenario, len(pts))}
	for p := range pts {
		want, err := sw.Scenario(p, pts[p])
		require.NoError(t, err)
		kept.kept[p] = want
		assert.Equal(t, string(want.TOML()), string(mustScenario(t, scs, p).TOML()), "point %d", p)
	}
	var want []byte
	for _, w := range []int{1, 2} {
		for _, s := range []*Scenarios{kept, scs} {
			if testing.Short() && (w == 1) != (s == kept) {
				continue
			}
			rows, _ := runAll(t, sw, s, Options{Workers: w})
			var b bytes.Buffer
			require.NoError(t, sw.WriteRuns(&b, pts, rows))
			if want == nil {
				want = b.Bytes()
			}
			assert.Equal(t, string(want), b.String(), "workers %d, kept %v", w, s.kept != nil)
		}
	}
}

// TestValidateFirstInvalid: with points loaded on several goroutines,
// Validate still names the lowest invalid point, every time.
func TestValidateFirstInvalid(t *testing.T) {
	var vals []string
	for i := range 24 {
		v := strconv.Itoa(5 + i)
		if i == 9 || i == 17 || i == 23 {
			v = "-" + v
		}
		vals = append(vals, v)
	}
	sw, err := FromGrid("akash-2024", []string{"market.max_bids=" + strings.Join(vals, ",")}, nil, scenarios.Options{})
	require.NoError(t, err)
	for range 3 {
		_, err = sw.Validate(sw.Points())
		var pe *PointError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, 9, pe.Index)
		assert.Equal(t, "market.max_bids", pe.Key)
	}
}
