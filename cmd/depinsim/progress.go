package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// progress reports "running: k/n replications done, f failed, r/s, ETA
// t, e s elapsed" on stderr once a run has taken more than a second:
// on a terminal as one line redrawn in place (carriage returns), or in
// plain mode (batch logs) as whole lines, one every plainEvery or each
// tenth of the work, and a last one at the end.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	label  string // "running"
	unit   string // "replications"
	width  int    // of the longest line drawn
	n, k   int
	failed int
	off    bool
	plain  bool
	start  time.Time
	shown  bool
	ticker *time.Ticker
	stop   chan struct{}
	// plain mode: when and at which tenth the last line was printed
	lastLine  time.Time
	lastTenth int
}

// plainEvery is the longest time between two lines in plain mode.
const plainEvery = 10 * time.Second

// newProgress returns a progress line over n replications, labelled
// "running"; off draws nothing.
func newProgress(w io.Writer, n int, off bool) *progress {
	return startProgress(w, n, "replications", off, false)
}

// startProgress returns a progress report over n units; plain prints
// whole lines (no carriage return) for logs, else one line is redrawn.
func startProgress(w io.Writer, n int, unit string, off, plain bool) *progress {
	now := time.Now()
	p := &progress{w: w, label: "running", unit: unit, n: n, off: off, plain: plain, start: now, lastLine: now, stop: make(chan struct{})}
	if off {
		return p
	}
	p.ticker = time.NewTicker(250 * time.Millisecond)
	go func() {
		for {
			select {
			case <-p.ticker.C:
				p.draw()
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

// setLabel changes the start of the line.
func (p *progress) setLabel(label string) {
	p.mu.Lock()
	p.label = label
	p.mu.Unlock()
}

// done counts one more replication done.
func (p *progress) done() {
	p.mu.Lock()
	p.k++
	p.mu.Unlock()
	p.draw()
}

// set sets the units done and failed.
func (p *progress) set(done, failed int) {
	p.mu.Lock()
	p.k, p.failed = done, failed
	p.mu.Unlock()
	p.draw()
}

// line returns the report's text after el.
func (p *progress) line(el time.Duration) string {
	s := fmt.Sprintf("%s: %d/%d %s done, %d failed", p.label, p.k, p.n, p.unit, p.failed)
	if p.k > 0 && el > 0 {
		rate := float64(p.k) / el.Seconds()
		eta := time.Duration(float64(p.n-p.k) / rate * float64(time.Second))
		s += fmt.Sprintf(", %.3g/s, ETA %s", rate, eta.Round(time.Second))
	} else {
		s += ", ETA unknown"
	}
	return s + fmt.Sprintf(", %.1f s elapsed", el.Seconds())
}

func (p *progress) draw() {
	if p.off {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	el := now.Sub(p.start)
	if p.plain {
		tenth := 0
		if p.n > 0 {
			tenth = 10 * p.k / p.n
		}
		if tenth > p.lastTenth || now.Sub(p.lastLine) >= plainEvery {
			p.lastTenth, p.lastLine = tenth, now
			p.shown = true
			fmt.Fprintln(p.w, p.line(el))
		}
		return
	}
	if el < time.Second {
		return
	}
	p.shown = true
	line := p.line(el)
	p.width = max(p.width, len(line))
	fmt.Fprintf(p.w, "\r%-*s", p.width, line) // padded over a longer earlier line
}

// finish stops the line and erases it (in plain mode, prints the last
// line unless the last one printed said the same).
func (p *progress) finish() {
	if p.off {
		return
	}
	p.ticker.Stop()
	close(p.stop)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.plain {
		if p.lastTenth < 10 || !p.shown {
			fmt.Fprintln(p.w, p.line(time.Since(p.start)))
		}
		return
	}
	if p.shown {
		fmt.Fprintf(p.w, "\r%s\r", bytes.Repeat([]byte(" "), max(60, p.width)))
	}
}
