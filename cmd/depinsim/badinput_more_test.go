package main

import (
	"os"
	"path/filepath"
	"runtime"

	"github.com/stretchr/testify/require"
)

// Rows of the bad-input table for the output folder, the caps of the
// memory estimate, compare's labels and common keys, and mechanism
// switching: each is refused before anything is simulated.
func init() {
	badInputTable = append(badInputTable,
		cmdRow("run/out under a file", func(e *badEnv) []string {
			e.file("afile", []byte("x"))
			return []string{"run", e.base(), "--out", filepath.Join(e.dir, "afile", "sub")}
		}, "--out DIR/afile/sub: cannot create the folder"),
		cmdRow("compare/out under a file", func(e *badEnv) []string {
			e.file("afile", []byte("x"))
			return []string{"compare", e.base(), e.base(), "--out", filepath.Join(e.dir, "afile", "sub")}
		}, "--out DIR/afile/sub: cannot create the folder"),
		badInputRow{name: "run/out not writable", args: func(e *badEnv) []string {
			ro := filepath.Join(e.dir, "ro")
			require.NoError(e.t, os.Mkdir(ro, 0o555))
			return []string{"run", e.base(), "--out", filepath.Join(ro, "sub")}
		}, want: []string{"--out DIR/ro/sub"}, skip: func(*badEnv) string {
			if runtime.GOOS == "windows" || os.Geteuid() == 0 {
				return "permissions do not stop this user (root or Windows)"
			}
			return ""
		}},
		badInputRow{name: "run/out locked by another run", args: func(e *badEnv) []string {
			dir := filepath.Join(e.dir, "busy")
			require.NoError(e.t, os.Mkdir(dir, 0o755))
			lock, err := lockFolder(dir)
			require.NoError(e.t, err)
			e.t.Cleanup(func() { lock.Close() })
			return []string{"run", e.base(), "--out", dir, "--force"}
		}, want: []string{"--out DIR/busy: another depinsim run or compare is writing this folder"}, skip: func(*badEnv) string {
			if runtime.GOOS == "windows" {
				return "no folder locks on Windows"
			}
			return ""
		}},
		cmdRow("run/out a non-empty folder", func(e *badEnv) []string {
			e.file("full/notes.txt", []byte("mine"))
			return []string{"run", e.base(), "--out", filepath.Join(e.dir, "full")}
		}, "--out DIR/full", "--force"),
		cmdRow("run/max-memory not a size", func(e *badEnv) []string { return []string{"run", e.base(), "--max-memory", "lots"} },
			`invalid argument "lots" for "--max-memory" flag`),
		cmdRow("run/max-memory negative", func(e *badEnv) []string { return []string{"run", e.base(), "--max-memory", "-1GiB"} },
			`"--max-memory" flag: want a size of at least 1 byte`),
		cmdRow("run/max-output beyond int64", func(e *badEnv) []string { return []string{"run", e.base(), "--max-output", "1e30"} },
			`"--max-output" flag`),
		cmdRow("run/max-events negative", func(e *badEnv) []string { return []string{"run", e.base(), "--max-events", "-1"} },
			"--max-events: want a count >= 0"),
		cmdRow("run/above max-memory", func(e *badEnv) []string { return []string{"run", e.base(), "--max-memory", "1KiB"} },
			"run refused before simulating", "above --max-memory 1.0 KiB", "tenants[0].arrivals_per_day = 50"),
		cmdRow("compare/above max-events", func(e *badEnv) []string { return []string{"compare", e.base(), e.base(), "--max-events", "10"} },
			"above --max-events 10"),
		cmdRow("validate/above max-output", func(e *badEnv) []string { return []string{"validate", e.base(), "--max-output", "1B"} },
			"above --max-output 1 B"),
		cmdRow("compare/label with a slash", func(e *badEnv) []string { return []string{"compare", e.base(), e.base(), "--label", "a/b"} },
			`--label "a/b": '/' is not allowed`),
		cmdRow("compare/more labels than scenarios", func(e *badEnv) []string {
			return []string{"compare", e.base(), e.base(), "--label", "x", "--label", "y", "--label", "z"}
		}, `--label "z": more labels than the 2 scenarios`),
		cmdRow("compare/set-for a common seed", func(e *badEnv) []string {
			return []string{"compare", e.base(), e.base(), "--set-for", "1:sim.seed=3"}
		}, `--set-for "1:sim.seed=3": sim.seed is common to every scenario`),
		cmdRow("run/unknown mechanism flag", func(e *badEnv) []string { return []string{"run", e.base(), "--mechanism", "bogus"} },
			`--mechanism: unknown mechanism "bogus" (known: akash-reverse`),
	)
}

// --rep re-runs one replication of a run of known size; a precision run
// decides its size as it goes.
func init() {
	badInputTable = append(badInputTable,
		cmdRow("run/rep with precision", func(e *badEnv) []string {
			return []string{"run", e.base(), "--rep", "0", "--precision", "gpu_utilization=0.05"}
		}, "--rep and --precision do not go together"))
}
