package runner

import "fmt"

// ReplicationError is what stopped a run: one of its replications failed.
type ReplicationError struct {
	// Rep is the replication (0-based).
	Rep int
	// Seed is the replication's seed: sim.NewWorld with it replays the
	// replication alone.
	Seed uint64
	// Err is what went wrong: a *sim.InvariantError when an invariant
	// broke under Config.Check, or the value of a panic (a bug in the
	// model), wrapped when it is an error.
	Err error
	// Stack is the stack of the goroutine that panicked, or nil when the
	// replication did not panic.
	Stack []byte
}

// Error names the replication, its seed and what went wrong.
func (e *ReplicationError) Error() string {
	return fmt.Sprintf("replication %d (seed %d): %v", e.Rep, e.Seed, e.Err)
}

// Unwrap returns Err, so that errors.As finds a *sim.InvariantError.
func (e *ReplicationError) Unwrap() error { return e.Err }

// panicError turns the value of a recovered panic into an error.
func panicError(v any) error {
	if err, ok := v.(error); ok {
		return fmt.Errorf("panic: %w", err)
	}
	return fmt.Errorf("panic: %v", v)
}
