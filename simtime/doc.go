// Package simtime is simulated time: an integer count of nanoseconds since
// the scenario start, its units, and the duration text of scenario files
// ("365d", "8760h", "2y", "10m").
//
// It is a leaf so that every package can use it: agents (whose parameters
// hold durations) are imported by sim, so the type cannot live in sim
// itself; sim re-exports it as sim.Time.
package simtime
