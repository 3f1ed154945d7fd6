package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// signalled is the cause of a context cancelled by a signal (see
// notifySignals): errors.Is(it, context.Canceled) holds, so that code
// that stops on a cancelled context stops on it too.
type signalled struct{ sig os.Signal }

// Error says which signal stopped the command: "interrupted by SIGINT".
func (s signalled) Error() string { return "interrupted by " + signalName(s.sig) }

// Is makes a signal a cancellation.
func (s signalled) Is(target error) bool { return target == context.Canceled }

// exitCode is the conventional exit code after the signal: 128 + its
// number (130 after SIGINT, 143 after SIGTERM).
func (s signalled) exitCode() int {
	if n, ok := s.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return exitRun
}

// signalName names the signals depinsim handles as a shell does.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// notifySignals returns a context that SIGINT or SIGTERM cancels with a
// signalled cause, and a function that stops listening. After the first
// signal the default handling returns: a second Ctrl-C ends the process
// at once (leaving temporary files that --force clears).
func notifySignals(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			cancel(signalled{sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// signalOf returns the signal that cancelled ctx, if one did.
func signalOf(ctx context.Context) (signalled, bool) {
	var s signalled
	ok := errors.As(context.Cause(ctx), &s)
	return s, ok
}
