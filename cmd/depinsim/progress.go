package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// progress prints "running: k/n replications done, t s" on one line of
// stderr once a run has taken more than a second.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	label  string // "running"
	width  int    // of the longest line drawn
	n, k   int
	off    bool
	start  time.Time
	shown  bool
	ticker *time.Ticker
	stop   chan struct{}
}

// newProgress returns a progress line over n replications, labelled
// "running"; off draws nothing.
func newProgress(w io.Writer, n int, off bool) *progress {
	p := &progress{w: w, label: "running", n: n, off: off, start: time.Now(), stop: make(chan struct{})}
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

func (p *progress) draw() {
	if p.off {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.start)
	if el < time.Second {
		return
	}
	p.shown = true
	line := fmt.Sprintf("%s: %d/%d replications done, %.1f s", p.label, p.k, p.n, el.Seconds())
	p.width = max(p.width, len(line))
	fmt.Fprintf(p.w, "\r%-*s", p.width, line) // padded over a longer earlier line
}

// finish stops the line and erases it.
func (p *progress) finish() {
	if p.off {
		return
	}
	p.ticker.Stop()
	close(p.stop)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintf(p.w, "\r%s\r", bytes.Repeat([]byte(" "), max(60, p.width)))
	}
}
