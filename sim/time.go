package sim

import "github.com/depinsim/depinsim/simtime"

// Time is simulated time (see package simtime): nanoseconds since start.
type Time = simtime.Time

// Duration is a Time read from and written to scenario files as text.
type Duration = simtime.Duration

// Units of simulated time.
const (
	Nanosecond  = simtime.Nanosecond
	Microsecond = simtime.Microsecond
	Millisecond = simtime.Millisecond
	Second      = simtime.Second
	Minute      = simtime.Minute
	Hour        = simtime.Hour
	Day         = simtime.Day
	Week        = simtime.Week
	Year        = simtime.Year
	Never       = simtime.Never
)
