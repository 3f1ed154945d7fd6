package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// sample is one run of a command.
type sample struct {
	wall, cpu float64 // seconds
	rssMiB    float64 // peak resident set size, MiB (0 where unknown)
	stdout    []byte
}

// runOnce runs argv and measures it; a command that fails is an error
// with its stderr.
func runOnce(argv []string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0).Seconds()
	if err != nil {
		return sample{}, fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, errb.String())
	}
	ps := cmd.ProcessState
	return sample{
		wall:   wall,
		cpu:    (ps.UserTime() + ps.SystemTime()).Seconds(),
		rssMiB: maxRSSMiB(ps),
		stdout: out.Bytes(),
	}, nil
}

// side is the samples of one command.
type side struct {
	argv    []string
	samples []sample
}

func (s side) med(f func(sample) float64) float64 {
	xs := make([]float64, len(s.samples))
	for i, x := range s.samples {
		xs[i] = f(x)
	}
	return median(xs)
}

func (s side) wall() float64 { return s.med(func(x sample) float64 { return x.wall }) }
func (s side) cpu() float64  { return s.med(func(x sample) float64 { return x.cpu }) }
func (s side) rss() float64  { return s.med(func(x sample) float64 { return x.rssMiB }) }

// paired is n interleaved pairs of A and B.
type paired struct {
	a, b                side
	wallRatio, cpuRatio float64 // medians of the per-pair ratios A/B
}

// runPairs runs a warm-up of each command, then n pairs A B, printing
// each pair as it ends (to log, when not nil).
func runPairs(n int, a, b []string, log func(string, ...any)) (paired, error) {
	p := paired{a: side{argv: a}, b: side{argv: b}}
	for _, argv := range [][]string{a, b} {
		if _, err := runOnce(argv); err != nil {
			return p, err
		}
	}
	var wr, cr []float64
	for i := range n {
		sa, err := runOnce(a)
		if err != nil {
			return p, err
		}
		sb, err := runOnce(b)
		if err != nil {
			return p, err
		}
		p.a.samples = append(p.a.samples, sa)
		p.b.samples = append(p.b.samples, sb)
		wr = append(wr, sa.wall/sb.wall)
		cr = append(cr, sa.cpu/sb.cpu)
		if log != nil {
			log("pair %d: A wall %.3f s cpu %.3f s %.0f MiB | B wall %.3f s cpu %.3f s %.0f MiB | A/B wall %.3f cpu %.3f\n",
				i+1, sa.wall, sa.cpu, sa.rssMiB, sb.wall, sb.cpu, sb.rssMiB, sa.wall/sb.wall, sa.cpu/sb.cpu)
		}
	}
	p.wallRatio, p.cpuRatio = median(wr), median(cr)
	return p, nil
}

// runAlone runs a warm-up and then n runs of one command.
func runAlone(n int, argv []string) (side, error) {
	s := side{argv: argv}
	if _, err := runOnce(argv); err != nil {
		return s, err
	}
	for range n {
		x, err := runOnce(argv)
		if err != nil {
			return s, err
		}
		s.samples = append(s.samples, x)
	}
	return s, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	c := slices.Clone(xs)
	slices.Sort(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}
