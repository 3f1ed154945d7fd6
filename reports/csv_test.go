package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/sim"
)

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	return rows
}

func TestTimeseriesCSV(t *testing.T) {
	var buf bytes.Buffer
	// Given out of order: rows come in Rep order.
	require.NoError(t, WriteTimeseriesCSV(&buf, fixture(2, 0, 1)))
	lines := strings.Split(buf.String(), "\n")
	require.True(t, strings.HasPrefix(lines[0], "rep,t_hours,gpu_utilization,cpu_utilization,memory_utilization,gpu_price_usd_hour,"))
	assert.True(t, strings.HasSuffix(lines[0], ","+sim.Metrics[sim.NumMetrics-1].Name))

	rows := readCSV(t, buf.Bytes())
	require.Len(t, rows, 1+3*3)
	header := rows[0]
	require.Len(t, header, 2+sim.NumMetrics)
	for i, m := range sim.Metrics {
		assert.Equal(t, m.Name, header[2+i])
	}

	// rep 0, t = 0: metric m is m; gpu price is NaN -> empty.
	assert.Equal(t, []string{"0", "0", "0", "1", "2", ""}, rows[1][:6])
	assert.Equal(t, "5", rows[1][2+sim.MLeasesActive])
	// rep 0, t = 1h: m + 0.5.
	assert.Equal(t, []string{"0", "1", "0.5", "1.5", "2.5", ""}, rows[2][:6])
	// rep 2, t = 2h: m + 1 + 2.
	assert.Equal(t, []string{"2", "2", "3", "4", "5", "6"}, rows[9][:6])
	assert.Equal(t, "27", rows[9][2+sim.MTokenPriceUSD]) // 24 + 3
	for i, row := range rows[1:] {
		assert.Equal(t, []string{"0", "0", "0", "1", "1", "1", "2", "2", "2"}[i], row[0])
	}
}

func TestTimeseriesCSVFractionalHours(t *testing.T) {
	m := NewMemory()
	s := &sim.Sample{T: 90 * sim.Minute, Values: make([]float64, sim.NumMetrics)}
	s.Values[0] = 0.1
	s.Values[1] = 1e-7
	s.Values[2] = 123456789
	m.Record(s)
	var buf bytes.Buffer
	require.NoError(t, WriteTimeseriesCSV(&buf, []*Recording{m.Recording()}))
	rows := readCSV(t, buf.Bytes())
	assert.Equal(t, []string{"0", "1.5", "0.1", "1e-07", "1.23456789e+08"}, rows[1][:5])
}

func TestTimeseriesCSVEmpty(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteTimeseriesCSV(&buf, nil))
	assert.Equal(t, strings.Join(TimeseriesHeader(), ",")+"\n", buf.String())
}

func TestResourcesCSV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteResourcesCSV(&buf, fixture(1, 0)))
	rows := readCSV(t, buf.Bytes())
	require.Len(t, rows, 1+2*3*4)
	assert.Equal(t, "rep,t_hours,resource,capacity,allocated,utilization,median_price_usd_hour", strings.Join(rows[0], ","))
	// rep 0, t = 0.
	assert.Equal(t, []string{"0", "0", "cpu", "10", "0", "0", ""}, rows[1])
	assert.Equal(t, []string{"0", "0", "memory_gb", "64", "8", "0.125", ""}, rows[2])
	assert.Equal(t, []string{"0", "0", "gpu:a100", "4", "0", "0", ""}, rows[3])
	assert.Equal(t, []string{"0", "0", "gpu:h100", "2", "0", "0", ""}, rows[4])
	// rep 1, t = 1h: cpu allocated 2, price 0.02; a100 price 2.
	assert.Equal(t, []string{"1", "1", "cpu", "10", "2", "0.2", "0.02"}, rows[17])
	assert.Equal(t, []string{"1", "1", "gpu:a100", "4", "1", "0.25", "2"}, rows[19])
}

func TestCohortsCSV(t *testing.T) {
	var buf bytes.Buffer
	// Given out of order: rows come in Rep order.
	require.NoError(t, WriteCohortsCSV(&buf, fixture(1, 0)))
	rows := readCSV(t, buf.Bytes())
	require.Len(t, rows, 1+2*3*4, "one row per rep, sample and cohort")
	assert.Equal(t, "rep,t_hours,cohort,kind,providers,gpus,gpus_leased,cpus,income_usd,bids,bids_won,win_rate,bid_markup,won_markup,entered,exited", strings.Join(rows[0], ","))
	// rep 0, t = 0, in the scenario's cohort order; no bid won yet, and a
	// win rate and markups are empty where no bid was placed.
	assert.Equal(t, []string{"0", "0", "organic-a100", "organic", "3", "4", "0", "10", "0", "4", "0", "0", "0.25", "", "0", "0"}, rows[1])
	assert.Equal(t, []string{"0", "0", "airdrop", "mercenary", "2", "4", "0", "0", "0", "4", "0", "0", "1", "", "0", "0"}, rows[2])
	assert.Equal(t, []string{"0", "0", "spoofed", "fake", "1", "8", "0", "0", "0", "0", "0", "", "", "", "0", "0"}, rows[3])
	assert.Equal(t, []string{"0", "0", "cpu", "organic", "5", "0", "0", "16", "0", "0", "0", "", "", "", "0", "0"}, rows[4])
	// rep 1, t = 2h: the fake provider was detected, the mercenaries left,
	// two CPU providers came and went.
	assert.Equal(t, []string{"1", "2", "organic-a100", "organic", "3", "4", "2", "10", "4", "4", "2", "0.5", "0.75", "0.2", "0", "0"}, rows[21])
	assert.Equal(t, []string{"1", "2", "airdrop", "mercenary", "0", "0", "0", "0", "1", "0", "0", "", "", "", "0", "2"}, rows[22])
	assert.Equal(t, []string{"1", "2", "spoofed", "fake", "0", "0", "0", "0", "0", "0", "0", "", "", "", "0", "1"}, rows[23])
	assert.Equal(t, []string{"1", "2", "cpu", "organic", "5", "0", "0", "16", "1", "0", "0", "", "", "", "2", "2"}, rows[24])

	// Recordings without cohorts: the header only.
	buf.Reset()
	require.NoError(t, WriteCohortsCSV(&buf, tokenFixture()))
	assert.Equal(t, strings.Join(CohortsHeader, ",")+"\n", buf.String())
}
