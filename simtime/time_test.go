package simtime_test

import (
	"math/rand/v2"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/simtime"
)

func TestParseDurationValues(t *testing.T) {
	cases := []struct {
		in   string
		want simtime.Time
		str  string // String() of the parsed value
	}{
		{"365d", 365 * simtime.Day, "1y"},
		{"8760h", 8760 * simtime.Hour, "1y"},
		{"2y", 2 * 365 * simtime.Day, "2y"},
		{"1.5h", 90 * simtime.Minute, "90m"},
		{"90s", 90 * simtime.Second, "90s"},
		{"10m", 10 * simtime.Minute, "10m"},
		{"0", 0, "0s"},
		{"0s", 0, "0s"},
		{"1w", 7 * simtime.Day, "7d"},
		{"250ms", 250 * simtime.Millisecond, "250ms"},
		{"3us", 3 * simtime.Microsecond, "3us"},
		{"7ns", 7, "7ns"},
		{"  6h  ", 6 * simtime.Hour, "6h"},
		{"0.5s", 500 * simtime.Millisecond, "500ms"},
		{"25h", 25 * simtime.Hour, "25h"},
		{"100y", 100 * simtime.Year, "100y"},
	}
	for _, c := range cases {
		got, err := simtime.ParseDuration(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
		assert.Equal(t, c.str, got.String(), c.in)
		back, err := simtime.ParseDuration(got.String())
		require.NoError(t, err, got.String())
		assert.Equal(t, got, back, "round trip of %q via %q", c.in, got.String())
	}
}

// TestDurationRoundTripRandom checks Parse(String(t)) == t for times of
// every magnitude a scenario can hold (up to the 100-year horizon limit),
// at every precision from whole years down to single nanoseconds.
func TestDurationRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	units := []simtime.Time{simtime.Nanosecond, simtime.Microsecond, simtime.Millisecond, simtime.Second,
		simtime.Minute, simtime.Hour, simtime.Day, simtime.Year}
	for i := 0; i < 20000; i++ {
		u := units[rng.IntN(len(units))]
		n := rng.Int64N(int64(100*simtime.Year/u) + 1)
		d := simtime.Time(n) * u
		back, err := simtime.ParseDuration(d.String())
		require.NoError(t, err, d.String())
		require.Equal(t, d, back, "round trip of %d ns via %q", int64(d), d.String())
	}
}

func TestParseDurationErrors(t *testing.T) {
	for _, in := range []string{"", " ", "5", "h", "s5", "5x", "5 h", "-1h", "-0.5s", "1e3s", "5.5.5h",
		"abc", "365D", "1H", "10min", "300000y", "0x10s", "NaNh", "Infs", "1h30m"} {
		_, err := simtime.ParseDuration(in)
		assert.Error(t, err, "%q must not parse", in)
	}
	_, err := simtime.ParseDuration("5x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"5x"`, "the error quotes the input")
	_, err = simtime.ParseDuration("-1h")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "negative")
}

func TestFromHoursAndConversions(t *testing.T) {
	assert.Equal(t, simtime.Hour, simtime.FromHours(1))
	assert.Equal(t, 90*simtime.Minute, simtime.FromHours(1.5))
	assert.Equal(t, simtime.Time(0), simtime.FromHours(0))
	assert.Equal(t, -2*simtime.Hour, simtime.FromHours(-2))
	assert.Equal(t, simtime.Never, simtime.FromHours(1e20))
	assert.InDelta(t, 36.0, (36 * simtime.Hour).Hours(), 0)
	assert.InDelta(t, 1.5, (36 * simtime.Hour).Days(), 0)
	assert.Equal(t, simtime.Year, 365*simtime.Day)
	assert.Equal(t, simtime.Week, 7*simtime.Day)
}

func TestDurationText(t *testing.T) {
	var d simtime.Duration
	require.NoError(t, d.UnmarshalText([]byte("8760h")))
	assert.Equal(t, simtime.Year, d.T())
	b, err := d.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "1y", string(b))
	assert.Error(t, d.UnmarshalText([]byte("forever")))
	assert.Equal(t, simtime.Year, d.T(), "a failed decode leaves the value unchanged")

	var doc struct {
		H simtime.Duration `toml:"h"`
		S simtime.Duration `toml:"s"`
	}
	_, err = toml.Decode("h = \"365d\"\ns = \"90s\"\n", &doc)
	require.NoError(t, err)
	assert.Equal(t, simtime.Year, doc.H.T())
	assert.Equal(t, 90*simtime.Second, doc.S.T())
	_, err = toml.Decode(`h = "1 year"`, &doc)
	assert.Error(t, err)
}

func TestDateDecoding(t *testing.T) {
	type doc struct {
		Start simtime.Date `toml:"start"`
	}
	want := simtime.Date{Year: 2024, Month: 3, Day: 20}
	for _, src := range []string{"start = 2024-03-20", `start = "2024-03-20"`} {
		var d doc
		_, err := toml.Decode(src, &d)
		require.NoError(t, err, src)
		assert.Equal(t, want, d.Start, src)
	}
	// an offset date-time is a time.Time too: its calendar date is kept
	var d doc
	_, err := toml.Decode("start = 2024-03-20T23:00:00Z", &d)
	require.NoError(t, err)
	assert.Equal(t, want, d.Start)

	for _, src := range []string{`start = "2024-13-01"`, `start = "20-03-2024"`, `start = "2024-02-30"`, "start = 5", "start = true"} {
		var d doc
		_, err := toml.Decode(src, &d)
		assert.Error(t, err, src)
	}

	var x simtime.Date
	require.NoError(t, x.UnmarshalText([]byte("1999-12-31")))
	assert.Equal(t, simtime.Date{Year: 1999, Month: 12, Day: 31}, x)
	assert.Equal(t, "1999-12-31", x.String())
	b, err := x.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "1999-12-31", string(b))
	err = x.UnmarshalText([]byte("yesterday"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2024-03-20", "the error shows the expected form")
	assert.Error(t, x.UnmarshalTOML(3.5))
	assert.Equal(t, "0005-01-02", simtime.Date{Year: 5, Month: 1, Day: 2}.String())
}
