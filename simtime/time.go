package simtime

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Time is simulated time: nanoseconds since the scenario start. It is an
// integer so that event ordering is exact and runs are reproducible.
type Time int64

// Units of simulated time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	Hour             = 60 * Minute
	Day              = 24 * Hour
	Week             = 7 * Day
	Year             = 365 * Day
)

// Never is a time later than any event of a run.
const Never Time = 1<<63 - 1

// Hours returns t in hours.
func (t Time) Hours() float64 { return float64(t) / float64(Hour) }

// Days returns t in days.
func (t Time) Days() float64 { return float64(t) / float64(Day) }

// FromHours converts a (possibly fractional) number of hours to Time,
// rounding to the nearest nanosecond.
func FromHours(h float64) Time {
	v := h * float64(Hour)
	if v >= 9.2e18 {
		return Never
	}
	if v < 0 {
		return Time(v - 0.5)
	}
	return Time(v + 0.5)
}

// String formats t with the largest unit that divides it exactly, as
// ParseDuration reads it back ("365d", "1h", "90s").
func (t Time) String() string {
	if t == 0 {
		return "0s"
	}
	units := []struct {
		suffix string
		d      Time
	}{{"y", Year}, {"d", Day}, {"h", Hour}, {"m", Minute}, {"s", Second}, {"ms", Millisecond}, {"us", Microsecond}, {"ns", Nanosecond}}
	for _, u := range units {
		if t%u.d == 0 {
			return strconv.FormatInt(int64(t/u.d), 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(t), 10) + "ns"
}

// ParseDuration reads a duration such as "365d", "8760h", "2y", "1.5h",
// "90s" or "10m". Units: ns, us, ms, s, m (minutes), h, d (24 h), w (7 d),
// y (365 d). A bare "0" is zero.
func ParseDuration(s string) (Time, error) {
	str := strings.TrimSpace(s)
	if str == "0" {
		return 0, nil
	}
	i := strings.IndexFunc(str, func(r rune) bool { return r >= 'a' && r <= 'z' })
	if i > 0 {
		unit, ok := durationUnits[str[i:]]
		v, err := strconv.ParseFloat(str[:i], 64)
		if ok && err == nil {
			if v < 0 {
				return 0, fmt.Errorf("duration %q is negative", s)
			}
			f := v * float64(unit)
			if f >= 9.2e18 {
				return 0, fmt.Errorf("duration %q is too long", s)
			}
			if n, err := strconv.ParseInt(str[:i], 10, 64); err == nil {
				return Time(n) * unit, nil // exact: floats lose whole nanoseconds above 2^53
			}
			return Time(f + 0.5), nil
		}
	}
	return 0, fmt.Errorf("duration %q: want a number and a unit (ns, us, ms, s, m, h, d, w, y), e.g. \"365d\" or \"1h\"", s)
}

var durationUnits = map[string]Time{
	"ns": Nanosecond, "us": Microsecond, "ms": Millisecond, "s": Second,
	"m": Minute, "h": Hour, "d": Day, "w": Week, "y": Year,
}

// Duration is a Time that reads and writes itself as text ("365d") in
// scenario files.
type Duration Time

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	t, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(t)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(Time(d).String()), nil }

// T returns d as a Time.
func (d Duration) T() Time { return Time(d) }

// Date is a calendar date (UTC) read from a scenario file either as a TOML
// local date (start = 2024-03-20) or as a string ("2024-03-20").
type Date struct {
	// Year, Month and Day of the date.
	Year, Month, Day int
}

// UnmarshalTOML implements the TOML decoder's Unmarshaler: it accepts a
// date value or a "YYYY-MM-DD" string.
func (d *Date) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case time.Time:
		*d = Date{x.Year(), int(x.Month()), x.Day()}
		return nil
	case string:
		return d.UnmarshalText([]byte(x))
	}
	return fmt.Errorf("want a date such as 2024-03-20, got %v (%T)", v, v)
}

// UnmarshalText reads "YYYY-MM-DD".
func (d *Date) UnmarshalText(b []byte) error {
	t, err := time.Parse("2006-01-02", string(b))
	if err != nil {
		return fmt.Errorf("want a date such as 2024-03-20, got %q", b)
	}
	*d = Date{t.Year(), int(t.Month()), t.Day()}
	return nil
}

// MarshalText writes "YYYY-MM-DD".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String returns "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// ParseOffset reads a time after the scenario's start: a duration
// ("30d", ParseDuration) or a date "YYYY-MM-DD" (at 00:00 UTC) on or
// after start, which it turns into the whole days since start.
func ParseOffset(s string, start Date) (Time, error) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return 0, fmt.Errorf("%q: want a date YYYY-MM-DD or a duration after the start (\"30d\")", s)
		}
		t0 := time.Date(start.Year, time.Month(start.Month), start.Day, 0, 0, 0, 0, time.UTC)
		if d.Before(t0) {
			return 0, fmt.Errorf("%q is before the scenario's start %s", s, start)
		}
		return Time(int64(d.Sub(t0)/(24*time.Hour))) * Day, nil
	}
	t, err := ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%v; or a date YYYY-MM-DD on or after the start", err)
	}
	return t, nil
}
