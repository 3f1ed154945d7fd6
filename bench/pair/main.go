package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tools are the binaries the modes run, and the folder depinsim writes to.
type tools struct {
	depinsim, r1limit, tmp string
	n                      int
	log                    func(string, ...any)
	out                    io.Writer
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pair:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	mode := "commands"
	if len(args) > 0 && args[0] == "splice" {
		return splice(args[1:])
	}
	if len(args) > 0 && (args[0] == "r1" || args[0] == "scale" || args[0] == "presets") {
		mode, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("pair "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 5, "pairs (runs, for presets) after one warm-up run of each command")
	depinsim := fs.String("depinsim", "bin/depinsim", "the depinsim binary")
	r1limit := fs.String("r1limit", "bin/r1limit", "the r1limit binary")
	ks := fs.String("ks", "1,4,16,64", "scale: the factors k (providers 1,000 k, arrivals 100 k an hour)")
	csvPath := fs.String("csv", "", "scale: write the curve to this CSV file")
	sets := fs.String("sets", "scenarios/bench/akash-2024-x100.sets", "presets: the --set lines of akash-2024 x100")
	mdPath := fs.String("md", "", "r1, scale, presets: also write the Markdown table to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("-n %d: at least one pair", *n)
	}
	tmp, err := os.MkdirTemp("", "depinsim-pair-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var md strings.Builder
	t := tools{depinsim: *depinsim, r1limit: *r1limit, tmp: tmp, n: *n, out: io.MultiWriter(stdout, &md),
		log: func(f string, a ...any) { fmt.Fprintf(stdout, f, a...) }}
	switch mode {
	case "r1":
		err = t.r1()
	case "scale":
		var k []int
		if k, err = parseKs(*ks); err == nil {
			err = t.scale(k, *csvPath)
		}
	case "presets":
		err = t.presets(*sets)
	}
	if mode != "commands" {
		if err == nil && *mdPath != "" {
			err = os.WriteFile(*mdPath, []byte(md.String()), 0o644)
		}
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("want two commands, 'A' and 'B' (or a mode: r1, scale, presets); got %d arguments", fs.NArg())
	}
	a, b := strings.Fields(fs.Arg(0)), strings.Fields(fs.Arg(1))
	if len(a) == 0 || len(b) == 0 {
		return fmt.Errorf("an empty command")
	}
	p, err := runPairs(*n, a, b, t.log)
	if err != nil {
		return err
	}
	t.summary(p, stdout)
	return nil
}

func parseKs(s string) ([]int, error) {
	var ks []int
	for f := range strings.SplitSeq(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			return nil, fmt.Errorf("-ks %q: a comma-separated list of integers >= 1", s)
		}
		ks = append(ks, k)
	}
	return ks, nil
}

// summary prints the medians of a paired comparison.
func (t tools) summary(p paired, w io.Writer) {
	fmt.Fprintf(w, "A: %s\nB: %s\n", strings.Join(p.a.argv, " "), strings.Join(p.b.argv, " "))
	fmt.Fprintf(w, "median of %d pairs: A wall %.3f s cpu %.3f s %.0f MiB | B wall %.3f s cpu %.3f s %.0f MiB\n",
		len(p.a.samples), p.a.wall(), p.a.cpu(), p.a.rss(), p.b.wall(), p.b.cpu(), p.b.rss())
	fmt.Fprintf(w, "median per-pair ratio A/B: wall %.3f, cpu %.3f\n", p.wallRatio, p.cpuRatio)
}

// r1Events reads the R1 event count from r1limit's JSON line.
func r1Events(stdout []byte) (float64, error) {
	var m struct {
		Events *float64 `json:"events"`
	}
	if err := json.Unmarshal(stdout, &m); err != nil || m.Events == nil {
		return 0, fmt.Errorf("r1limit's output has no events count: %q", stdout)
	}
	return *m.Events, nil
}

// kernelEvents reads events_total from a depinsim run's manifest.json.
func kernelEvents(dir string) (float64, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return 0, err
	}
	var m struct {
		Events *float64 `json:"events_total"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Events == nil {
		return 0, fmt.Errorf("%s/manifest.json has no events_total", dir)
	}
	return *m.Events, nil
}

// r1 is make bench-r1: R1's full year, depinsim (outputs included) vs
// r1limit's index auction.
func (t tools) r1() error {
	out := filepath.Join(t.tmp, "r1")
	a := []string{t.depinsim, "run", "scenarios/bench/r1.toml", "--out", out, "--force", "--quiet"}
	b := []string{t.r1limit, "-auction", "index"}
	p, err := runPairs(t.n, a, b, t.log)
	if err != nil {
		return err
	}
	t.log("")
	t.summary(p, logWriter(t.log))
	ev, err := r1Events(p.b.samples[0].stdout)
	if err != nil {
		return err
	}
	kev, err := kernelEvents(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(t.out, "\n**make bench-r1.** R1, seed 1, a year: %.0f R1 events (r1limit's count, the denominator below); depinsim's kernel ran %.0f events. %d pairs.\n", ev, kev, t.n)
	fmt.Fprintf(t.out, "\n| what | depinsim | r1limit | depinsim / r1limit (median per pair) |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(t.out, "| R1 full year, wall s | %.2f | %.2f | %.2fx |\n", p.a.wall(), p.b.wall(), p.wallRatio)
	fmt.Fprintf(t.out, "| R1 full year, CPU s | %.2f | %.2f | %.2fx |\n", p.a.cpu(), p.b.cpu(), p.cpuRatio)
	fmt.Fprintf(t.out, "| R1 events/s, whole process | %.2f M | %.2f M | |\n", ev/p.a.wall()/1e6, ev/p.b.wall()/1e6)
	fmt.Fprintf(t.out, "| R1 events per CPU second | %.2f M | %.2f M | |\n", ev/p.a.cpu()/1e6, ev/p.b.cpu()/1e6)
	fmt.Fprintf(t.out, "| peak RSS | %.0f MiB | %.0f MiB | |\n", p.a.rss(), p.b.rss())
	return nil
}

// scaleHours is the horizon of R1 scaled by k in make bench-scale: a
// year divided by k, so that every size has about 8 M R1 events.
func scaleHours(k int) int { return 8760 / k }

// scale is make bench-scale: R1 scaled by each k, depinsim vs r1limit.
func (t tools) scale(ks []int, csvPath string) error {
	rows := [][]string{{"providers", "k", "hours", "r1_events", "depinsim_kernel_events",
		"depinsim_wall_ns_per_event", "r1limit_wall_ns_per_event", "wall_ratio",
		"depinsim_cpu_ns_per_event", "r1limit_cpu_ns_per_event", "cpu_ratio",
		"depinsim_peak_rss_mib", "r1limit_peak_rss_mib", "pairs"}}
	var table []string
	for _, k := range ks {
		h := scaleHours(k)
		out := filepath.Join(t.tmp, "scale")
		a := []string{t.depinsim, "run", "scenarios/bench/r1.toml", "--out", out, "--force", "--quiet",
			"--set", fmt.Sprintf("providers[0].count=%d", 1000*k),
			"--set", fmt.Sprintf("tenants[0].arrivals_per_day=%d", 2400*k),
			"--set", fmt.Sprintf("sim.horizon=%dh", h)}
		b := []string{t.r1limit, "-auction", "index", "-scale", strconv.Itoa(k), "-hours", strconv.Itoa(h)}
		t.log("k = %d (%d providers, %d h)\n", k, 1000*k, h)
		p, err := runPairs(t.n, a, b, t.log)
		if err != nil {
			return err
		}
		ev, err := r1Events(p.b.samples[0].stdout)
		if err != nil {
			return err
		}
		kev, err := kernelEvents(out)
		if err != nil {
			return err
		}
		ns := func(s float64) float64 { return s * 1e9 / ev }
		rows = append(rows, []string{strconv.Itoa(1000 * k), strconv.Itoa(k), strconv.Itoa(h), f0(ev), f0(kev),
			f1(ns(p.a.wall())), f1(ns(p.b.wall())), f3(p.wallRatio),
			f1(ns(p.a.cpu())), f1(ns(p.b.cpu())), f3(p.cpuRatio),
			f1(p.a.rss()), f1(p.b.rss()), strconv.Itoa(t.n)})
		table = append(table, fmt.Sprintf("| %d | %d | %.0f | %.0f, %.0f | %.0f, %.0f | %.2fx, %.2fx | %.0f / %.0f MiB |\n",
			1000*k, h, ev, ns(p.a.wall()), ns(p.a.cpu()), ns(p.b.wall()), ns(p.b.cpu()), p.wallRatio, p.cpuRatio, p.a.rss(), p.b.rss()))
	}
	fmt.Fprintf(t.out, "\n**make bench-scale.** R1 scaled by k, %d pairs per size; ns per R1 event of r1limit's count; the chart above.\n", t.n)
	fmt.Fprintf(t.out, "\n| providers | hours | R1 events | depinsim ns/event (wall, CPU) | r1limit ns/event (wall, CPU) | depinsim / r1limit (wall, CPU) | peak RSS depinsim / r1limit |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, l := range table {
		fmt.Fprint(t.out, l)
	}
	if csvPath == "" {
		return nil
	}
	return writeCSV(csvPath, rows)
}

func f0(x float64) string { return strconv.FormatFloat(x, 'f', 0, 64) }
func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
func f3(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

func writeCSV(path string, rows [][]string) error {
	var sb strings.Builder
	for _, r := range rows {
		sb.WriteString(strings.Join(r, ","))
		sb.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

// readSets reads a file of --set lines (blank lines and # comments skipped).
func readSets(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var sets []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !strings.Contains(l, "=") {
			return nil, fmt.Errorf("%s:%d: %q is not key=value", path, line, l)
		}
		sets = append(sets, l)
	}
	return sets, sc.Err()
}

// presets is make bench-presets: medians of the presets README's table lists,
// and akash-2024 x100 vs x1 over 30 days per event.
func (t tools) presets(setsPath string) error {
	sets, err := readSets(setsPath)
	if err != nil {
		return err
	}
	if len(sets) < 2 {
		return fmt.Errorf("%s: want the horizon and replications first, then the x100 counts", setsPath)
	}
	out := filepath.Join(t.tmp, "preset")
	base := []string{t.depinsim, "run"}
	tail := []string{"--out", out, "--force", "--quiet"}
	withSets := func(preset string, sets []string) []string {
		argv := append(append(append([]string{}, base...), preset), tail...)
		for _, s := range sets {
			argv = append(argv, "--set", s)
		}
		return argv
	}
	type row struct {
		what, cmd string
		argv      []string
		perEvent  bool
	}
	rows := []row{
		{"akash-2024 default (5 replications x 1 year after a 60-day warmup, 2 workers)", "depinsim run --quiet", append(append([]string{}, base...), tail...), false},
		{"ionet-2024 (3 replications x 1 year)", "depinsim run ionet-2024 --quiet", withSets("ionet-2024", nil), false},
		{"akash-2024 x1, 30 days (1 replication)", "depinsim run akash-2024 --set sim.horizon=30d --set sim.replications=1 --quiet", withSets("akash-2024", sets[:2]), true},
		{"akash-2024 x100, 30 days (1 replication)", "depinsim run akash-2024 --set ... (" + setsPath + ") --quiet", withSets("akash-2024", sets), true},
	}
	var table []string
	var perEvent []float64
	for _, r := range rows {
		s, err := runAlone(t.n, r.argv)
		if err != nil {
			return err
		}
		ev, err := kernelEvents(out)
		if err != nil {
			return err
		}
		nsw, nsc := "", ""
		if r.perEvent {
			nsw, nsc = f0(s.wall()*1e9/ev), f0(s.cpu()*1e9/ev)
			perEvent = append(perEvent, s.cpu()*1e9/ev)
		}
		ns := ""
		if nsw != "" {
			ns = nsw + ", " + nsc
		}
		t.log("%s: wall %.2f s, CPU %.2f s, %.0f MiB, %.0f events\n", r.what, s.wall(), s.cpu(), s.rss(), ev)
		table = append(table, fmt.Sprintf("| %s | `%s` | %.2f | %.2f | %.0f | %.0f | %s |\n", r.what, r.cmd, s.wall(), s.cpu(), s.rss(), ev, ns))
	}
	fmt.Fprintf(t.out, "\n**make bench-presets.** %s after a warm-up run; events are manifest.json's events_total.\n", runsText(t.n))
	fmt.Fprintf(t.out, "\n| run | command | wall s | CPU s | peak RSS MiB | events | ns/event (wall, CPU) |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, l := range table {
		fmt.Fprint(t.out, l)
	}
	if len(perEvent) == 2 {
		fmt.Fprintf(t.out, "\nakash-2024 x100 / x1, CPU ns per event over 30 days: %.2fx.\n", perEvent[1]/perEvent[0])
	}
	return nil
}

// logWriter adapts a log function to an io.Writer.
type logWriter func(string, ...any)

func (l logWriter) Write(b []byte) (int, error) {
	l("%s", b)
	return len(b), nil
}

func runsText(n int) string {
	if n == 1 {
		return "One run each"
	}
	return fmt.Sprintf("Medians of %d runs each", n)
}
