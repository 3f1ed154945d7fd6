package main

// TestBadInputTable runs the CLI on bad input of every kind and checks
// that each is refused up front: exit code 2, a message naming the file
// and the key (or the flag), nothing simulated and no output folder.

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/scenarios"
)

// badBaseTOML is a small valid scenario that the rows of the table edit.
const badBaseTOML = `name = "base"

[sim]
horizon = "2d"
seed = 7
sample_every = "6h"
replications = 1

[resources]
reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.49 }

[market]
mechanism = "akash-reverse"
max_bids = 20

[tokenomics]
token_price_usd = 2.0

[tokenomics.price]
model = "constant"

[[providers]]
name = "cpu"
count = 4
cpu_cores = 64
memory_gb = 256
price_list_usd_hour = { cpu = 0.0022, memory_gb = 0.0011 }

[[providers]]
name = "h100"
count = 1
cpu_cores = 128
memory_gb = 1024
gpus = { h100 = 8 }
price_list_usd_hour = { cpu = 0.0022, memory_gb = 0.0011, h100 = 1.80 }

[[tenants]]
name = "web"
arrivals_per_day = 50.0
cpu_cores = { kind = "const", value = 2 }
memory_gb = { kind = "const", value = 4 }
max_price_ratio = { kind = "const", value = 2 }

[[tenants]]
name = "inference"
arrivals_per_day = 2.0
gpu_models = { h100 = 1.0 }
`

// badEnv is where a row of the table runs: a fresh folder for its files
// and an output folder that must not exist afterwards.
type badEnv struct {
	t   *testing.T
	dir string // the row's own folder, for scenario and data files
	out string // --out of run and compare: must not exist after the row
}

// file writes name in the row's folder and returns its path.
func (e *badEnv) file(name string, data []byte) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	require.NoError(e.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(e.t, os.WriteFile(p, data, 0o644))
	return p
}

// edit writes bad.toml: badBaseTOML with each old string replaced by the
// next new one.
func (e *badEnv) edit(pairs ...string) string {
	e.t.Helper()
	text := badBaseTOML
	for i := 0; i+1 < len(pairs); i += 2 {
		require.Contains(e.t, text, pairs[i], "the base holds what the row edits")
		text = strings.Replace(text, pairs[i], pairs[i+1], 1)
	}
	return e.file("bad.toml", []byte(text))
}

// base writes the unedited base scenario as base.toml.
func (e *badEnv) base() string { return e.file("base.toml", []byte(badBaseTOML)) }

// sized writes name with size bytes (a sparse file: nothing is written).
func (e *badEnv) sized(name string, size int64) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	f, err := os.Create(p)
	require.NoError(e.t, err)
	require.NoError(e.t, f.Truncate(size))
	require.NoError(e.t, f.Close())
	return p
}

// csvScenario writes bad.toml reading its price from path.
func (e *badEnv) csvScenario(path string) string {
	return e.edit(`model = "constant"`, "model = \"csv\"\ncsv = "+quote(path))
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"` }

// badInputRow is one row: a command line that must be refused.
type badInputRow struct {
	name string
	// args returns the command line (command first). Rows of run and
	// compare get --out e.out unless they give --out themselves.
	args func(e *badEnv) []string
	// want are substrings of stderr; BADFILE stands for the row's
	// bad.toml and DIR for its folder.
	want []string
	// skip, when set, returns why the row cannot run here ("" to run).
	skip func(e *badEnv) string
}

// onBoth makes a row of a scenario file for run and for validate.
func onBoth(name string, file func(e *badEnv) string, want ...string) []badInputRow {
	return []badInputRow{
		{name: "run/" + name, args: func(e *badEnv) []string { return []string{"run", file(e)} }, want: want},
		{name: "validate/" + name, args: func(e *badEnv) []string { return []string{"validate", file(e)} }, want: want},
	}
}

// edited is a row source: bad.toml with edits.
func edited(pairs ...string) func(e *badEnv) string {
	return func(e *badEnv) string { return e.edit(pairs...) }
}

// cmdRow is a row of one command line.
func cmdRow(name string, args func(e *badEnv) []string, want ...string) badInputRow {
	return badInputRow{name: name, args: args, want: want}
}

func unixOnly(*badEnv) string {
	if runtime.GOOS == "windows" {
		return "no devices, FIFOs or symbolic links as on Unix"
	}
	return ""
}

// badInputTable lists the rows. Files of this package may add rows in an
// init function: badInputTable = append(badInputTable, badInputRow{...}).
var badInputTable = concatRows(
	// wrong types
	onBoth("seed a string", edited(`seed = 7`, `seed = "seven"`), "BADFILE:5: sim.seed: incompatible types"),
	onBoth("count a float", edited(`count = 4`, `count = 4.5`), "BADFILE", "providers[0].count"),
	onBoth("name a number", edited(`name = "base"`, `name = 3`), "BADFILE:1: name"),
	onBoth("arrivals a string", edited(`arrivals_per_day = 50.0`, `arrivals_per_day = "many"`), "BADFILE", "tenants[0].arrivals_per_day"),
	onBoth("gpus not a table", edited(`gpus = { h100 = 8 }`, `gpus = 8`), "BADFILE", "providers[1].gpus: must be a table"),
	onBoth("horizon a number", edited(`horizon = "2d"`, `horizon = 2`), "BADFILE", "sim.horizon"),
	onBoth("market a string", edited("[market]\nmechanism = \"akash-reverse\"\nmax_bids = 20", `market = "auction"`), "BADFILE", "market"),
	// negative and zero counts
	[]badInputRow{
		{name: "run/negative count", args: func(e *badEnv) []string { return []string{"run", e.edit(`count = 4`, `count = -1`)} }, want: []string{"BADFILE:", "providers[0].count: must be in [0, 16777216], got -1"}},
		{name: "run/zero replications", args: func(e *badEnv) []string { return []string{"run", e.edit(`replications = 1`, `replications = 0`)} }, want: []string{"BADFILE:", "sim.replications: must be in [1, 100000], got 0"}},
		{name: "run/negative replications", args: func(e *badEnv) []string { return []string{"run", e.edit(`replications = 1`, `replications = -5`)} }, want: []string{"BADFILE:", "sim.replications"}},
		{name: "run/negative seed", args: func(e *badEnv) []string { return []string{"run", e.edit(`seed = 7`, `seed = -1`)} }, want: []string{"BADFILE:", "sim.seed: must be >= 0"}},
		{name: "run/negative cores", args: func(e *badEnv) []string { return []string{"run", e.edit(`cpu_cores = 64`, `cpu_cores = -64`)} }, want: []string{"BADFILE:", "providers[0].cpu_cores"}},
		{name: "run/zero-weight GPU models", args: func(e *badEnv) []string {
			return []string{"run", e.edit(`gpu_models = { h100 = 1.0 }`, `gpu_models = { h100 = 0.0 }`)}
		}, want: []string{"BADFILE:", "tenants[1].gpu_models: weights must not all be 0"}},
	},
	// NaN and Inf
	onBoth("NaN arrivals", edited(`arrivals_per_day = 50.0`, `arrivals_per_day = nan`), "BADFILE:", "tenants[0].arrivals_per_day: must be in [0, 1e8], got NaN"),
	onBoth("Inf arrivals", edited(`arrivals_per_day = 50.0`, `arrivals_per_day = inf`), "BADFILE:", "tenants[0].arrivals_per_day"),
	onBoth("NaN in a distribution", edited(`max_price_ratio = { kind = "const", value = 2 }`, `max_price_ratio = { kind = "const", value = nan }`), "BADFILE:", "tenants[0].max_price_ratio.value: must be finite"),
	onBoth("Inf price", edited(`token_price_usd = 2.0`, `token_price_usd = inf`), "BADFILE:", "tokenomics.token_price_usd"),
	onBoth("NaN price", edited(`token_price_usd = 2.0`, `token_price_usd = nan`), "BADFILE:", "tokenomics.token_price_usd"),
	onBoth("Inf in a price list", edited(`price_list_usd_hour = { cpu = 0.0022, memory_gb = 0.0011 }`, `price_list_usd_hour = { cpu = inf, memory_gb = 0.0011 }`), "BADFILE:", "providers[0].price_list_usd_hour"),
	// absurd durations and sizes
	[]badInputRow{
		{name: "run/zero horizon", args: func(e *badEnv) []string { return []string{"run", e.edit(`horizon = "2d"`, `horizon = "0s"`)} }, want: []string{"BADFILE:", "sim.horizon: must be in (0, 100y]"}},
		{name: "run/1000-year horizon", args: func(e *badEnv) []string { return []string{"run", e.edit(`horizon = "2d"`, `horizon = "1000y"`)} }, want: []string{"BADFILE:", "sim.horizon"}},
		{name: "run/negative horizon", args: func(e *badEnv) []string { return []string{"run", e.edit(`horizon = "2d"`, `horizon = "-3d"`)} }, want: []string{"BADFILE:", "sim.horizon", "negative"}},
		{name: "run/horizon beyond time", args: func(e *badEnv) []string { return []string{"run", e.edit(`horizon = "2d"`, `horizon = "99999999999y"`)} }, want: []string{"BADFILE:", "sim.horizon"}},
		{name: "run/nonsense duration", args: func(e *badEnv) []string { return []string{"run", e.edit(`horizon = "2d"`, `horizon = "5 parsecs"`)} }, want: []string{"BADFILE:", "sim.horizon"}},
		{name: "run/warmup of 20 years", args: func(e *badEnv) []string {
			return []string{"run", e.edit(`horizon = "2d"`, "horizon = \"2d\"\nwarmup = \"20y\"")}
		}, want: []string{"BADFILE:", "sim.warmup"}},
		{name: "run/sample_every 0", args: func(e *badEnv) []string { return []string{"run", e.edit(`sample_every = "6h"`, `sample_every = "0s"`)} }, want: []string{"BADFILE:", "sim.sample_every"}},
		{name: "run/sample_every 1ns", args: func(e *badEnv) []string {
			return []string{"run", e.edit(`sample_every = "6h"`, `sample_every = "1ns"`)}
		}, want: []string{"BADFILE:", "sim.sample_every"}},
		{name: "run/10^9 providers", args: func(e *badEnv) []string { return []string{"run", e.edit(`count = 4`, `count = 1000000000`)} }, want: []string{"BADFILE:", "providers[0].count"}},
		{name: "run/10^8 cores", args: func(e *badEnv) []string { return []string{"run", e.edit(`cpu_cores = 64`, `cpu_cores = 100000000`)} }, want: []string{"BADFILE:", "providers[0].cpu_cores"}},
		{name: "run/10^5 GPUs a node", args: func(e *badEnv) []string {
			return []string{"run", e.edit(`gpus = { h100 = 8 }`, `gpus = { h100 = 100000 }`)}
		}, want: []string{"BADFILE:", "providers[1].gpus.h100"}},
		{name: "run/10^9 arrivals a day", args: func(e *badEnv) []string {
			return []string{"run", e.edit(`arrivals_per_day = 50.0`, `arrivals_per_day = 1e9`)}
		}, want: []string{"BADFILE:", "tenants[0].arrivals_per_day"}},
		{name: "run/10^6 replications", args: func(e *badEnv) []string { return []string{"run", e.edit(`replications = 1`, `replications = 1000000`)} }, want: []string{"BADFILE:", "sim.replications"}},
		{name: "run/integer beyond int64", args: func(e *badEnv) []string { return []string{"run", e.edit(`seed = 7`, `seed = 99999999999999999999`)} }, want: []string{"BADFILE:5", "sim.seed"}},
	},
	// unknown names at every level
	onBoth("unknown top-level key", edited(`name = "base"`, "name = \"base\"\ncolour = \"red\""), "BADFILE:2: colour: unknown key (allowed here:"),
	onBoth("unknown table", edited(`[market]`, "[extras]\nx = 1\n\n[market]"), "BADFILE:", "extras", "unknown key"),
	onBoth("unknown sim key", edited(`seed = 7`, "seed = 7\nhoirzon = \"3d\""), "BADFILE:6: sim.hoirzon: unknown key"),
	onBoth("unknown provider key", edited(`count = 4`, "count = 4\ncolour = 1"), "BADFILE:", "providers[0].colour: unknown key"),
	onBoth("unknown tenant key", edited(`arrivals_per_day = 2.0`, "arrivals_per_day = 2.0\ncolour = 1"), "BADFILE:", "tenants[1].colour: unknown key"),
	onBoth("unknown tokenomics key", edited(`token_price_usd = 2.0`, "token_price_usd = 2.0\nprice_usd = 2.0"), "BADFILE:", "tokenomics.price_usd: unknown key"),
	onBoth("unknown price key", edited(`model = "constant"`, "model = \"constant\"\nspeed = 1"), "BADFILE:", "tokenomics.price.speed: unknown key"),
	onBoth("unknown distribution field", edited(`value = 2 }`, `value = 2, spread = 1 }`), "BADFILE:", "tenants[0].cpu_cores.spread: unknown key"),
	onBoth("unknown market parameter", edited(`max_bids = 20`, "max_bids = 20\nreserve_price = 1.0"), "BADFILE:", "market.reserve_price: unknown parameter", "--mechanism"),
	onBoth("bad open_orders", edited(`max_bids = 20`, "max_bids = 20\nopen_orders = \"forever\""), "BADFILE:", "market.open_orders", `must be one of ["retry" "wait"], got forever`),
	onBoth("unknown mechanism", edited(`mechanism = "akash-reverse"`, `mechanism = "vickrey"`), "BADFILE:", `market.mechanism: unknown mechanism "vickrey"`),
	onBoth("unknown GPU model in a provider", edited(`gpus = { h100 = 8 }`, `gpus = { b200 = 8 }`), "BADFILE:", "providers[1].gpus.b200: unknown GPU model"),
	onBoth("unknown GPU model in a tenant", edited(`gpu_models = { h100 = 1.0 }`, `gpu_models = { mi300 = 1.0 }`), "BADFILE:", "tenants[1].gpu_models.mi300: unknown GPU model"),
	onBoth("unknown distribution kind", edited(`max_price_ratio = { kind = "const", value = 2 }`, `max_price_ratio = { kind = "gaussian", value = 2 }`), "BADFILE:", "tenants[0].max_price_ratio.kind"),
	onBoth("unknown strategy", edited(`count = 4`, "count = 4\nstrategy = \"greedy\""), "BADFILE:", "providers[0].strategy"),
	onBoth("unknown price model", edited(`model = "constant"`, `model = "random-walk"`), "BADFILE:", "tokenomics.price.model"),
	onBoth("unknown resource in a price list", edited(`price_list_usd_hour = { cpu = 0.0022, memory_gb = 0.0011 }`, `price_list_usd_hour = { cpu = 0.0022, disk = 0.0011 }`), "BADFILE:", "providers[0].price_list_usd_hour.disk"),
	// duplicate keys and names
	onBoth("duplicate key", edited(`seed = 7`, "seed = 7\nseed = 8"), "BADFILE:", "seed"),
	onBoth("duplicate table", edited(`[market]`, "[sim]\nseed = 3\n\n[market]"), "BADFILE:12: sim: Key 'sim' has already been defined"),
	onBoth("duplicate provider cohort", edited(`name = "h100"`, `name = "cpu"`), "BADFILE:", `providers[1].name: duplicate cohort name "cpu"`),
	onBoth("duplicate tenant cohort", edited(`name = "inference"`, `name = "web"`), "BADFILE:", `tenants[1].name: duplicate cohort name "web"`),
	// unusable names
	onBoth("name too long", edited(`name = "base"`, `name = "`+strings.Repeat("x", 101)+`"`), "BADFILE:1: name: must be usable as a folder name, but it is 101 bytes long"),
	onBoth("name with a slash", edited(`name = "base"`, `name = "a/b"`), "BADFILE:1: name:", `got "a/b"`),
	onBoth("name with a control character", edited(`name = "base"`, `name = "a\u0007b"`), "BADFILE:1: name:", `got "a\ab"`),
	onBoth("name a Windows device", edited(`name = "base"`, `name = "aux"`), "BADFILE:1: name:", "device name"),
	onBoth("name ..", edited(`name = "base"`, `name = ".."`), "BADFILE:1: name:"),
	// missing cohorts, empty, binary, UTF-16, syntax
	onBoth("no providers", func(e *badEnv) string {
		return e.file("bad.toml", []byte("name = \"x\"\n[[tenants]]\nname = \"web\"\narrivals_per_day = 1.0\n"))
	}, "BADFILE: providers: at least one [[providers]] cohort is required"),
	onBoth("empty file", func(e *badEnv) string { return e.file("bad.toml", nil) }, "BADFILE: empty file"),
	onBoth("blank file", func(e *badEnv) string { return e.file("bad.toml", []byte("\n  \n\t\n")) }, "BADFILE: empty file"),
	onBoth("binary", func(e *badEnv) string {
		return e.file("bad.toml", []byte("name = \"x\"\n\x7fELF\x02\x01\x01\x00\x00\x00\x00\x03\x00>\x00"))
	}, "BADFILE:2: binary data (a NUL byte at byte"),
	onBoth("UTF-16 with a byte-order mark", func(e *badEnv) string {
		return e.file("bad.toml", utf16le("\ufeffname = \"x\"\n"))
	}, "BADFILE: UTF-16 text"),
	onBoth("UTF-16 without a byte-order mark", func(e *badEnv) string { return e.file("bad.toml", utf16le("name = \"x\"\n")) }, "BADFILE:1: UTF-16 text"),
	onBoth("Latin-1", func(e *badEnv) string { return e.file("bad.toml", []byte("name = \"caf\xe9\"\n")) }, "BADFILE:1: not UTF-8 text"),
	onBoth("unterminated string", edited(`name = "base"`, `name = "base`), "BADFILE:1:", "name"),
	onBoth("TOML syntax error", edited(`seed = 7`, `seed 7`), "BADFILE:5:"),
	// files that are not regular, or too large
	onBoth("a directory", func(e *badEnv) string { return e.dir }, "DIR: scenario file must be a regular file, got a directory"),
	[]badInputRow{
		{name: "run/a device", args: func(*badEnv) []string { return []string{"run", os.DevNull} }, want: []string{os.DevNull + ": scenario file must be a regular file, got a character device"}, skip: unixOnly},
		{name: "validate/a device", args: func(*badEnv) []string { return []string{"validate", "/dev/zero"} }, want: []string{"/dev/zero: scenario file must be a regular file, got a character device"}, skip: unixOnly},
		{name: "run/a FIFO", args: func(e *badEnv) []string { return []string{"run", filepath.Join(e.dir, "fifo.toml")} }, want: []string{"fifo.toml: scenario file must be a regular file, got a named pipe (FIFO)"},
			skip: func(e *badEnv) string {
				if err := mkfifo(filepath.Join(e.dir, "fifo.toml")); err != nil {
					return "no FIFO: " + err.Error()
				}
				return ""
			}},
		{name: "run/scenario above the cap", args: func(e *badEnv) []string { return []string{"run", e.sized("big.toml", scenarios.MaxScenarioBytes+1)} },
			want: []string{"big.toml: scenario file too large: 4194305 bytes, the cap is 4 MiB (4194304 bytes)"}},
	},
	// files a scenario names: the price file
	[]badInputRow{
		cmdRow("run/price file by absolute path", func(e *badEnv) []string {
			return []string{"run", e.csvScenario(e.file("p.csv", []byte("day,price_usd\n0,1\n")))}
		}, "BADFILE:", "tokenomics.price.csv: path", "is absolute, which leaves the scenario file's folder", "--allow-outside-paths"),
		cmdRow("validate/price file up with ..", func(e *badEnv) []string {
			e.file("p.csv", []byte("day,price_usd\n0,1\n"))
			return []string{"validate", e.file("sub/bad.toml", []byte(strings.Replace(badBaseTOML, `model = "constant"`, "model = \"csv\"\ncsv = \"../p.csv\"", 1)))}
		}, "bad.toml:", `tokenomics.price.csv: path "../p.csv" goes up with ..`, "--allow-outside-paths"),
		{name: "run/price file through a symbolic link out", args: func(e *badEnv) []string {
			outside := filepath.Join(e.t.TempDir(), "p.csv")
			require.NoError(e.t, os.WriteFile(outside, []byte("day,price_usd\n0,1\n"), 0o644))
			require.NoError(e.t, os.Symlink(outside, filepath.Join(e.dir, "p.csv")))
			return []string{"run", e.csvScenario("p.csv")}
		}, want: []string{"BADFILE:", `tokenomics.price.csv: path "p.csv" leads through a symbolic link`}, skip: unixOnly},
		cmdRow("run/price file a directory", func(e *badEnv) []string {
			require.NoError(e.t, os.Mkdir(filepath.Join(e.dir, "p.csv"), 0o755))
			return []string{"run", e.csvScenario("p.csv")}
		}, "BADFILE:", "tokenomics.price.csv:", "price file must be a regular file, got a directory"),
		{name: "run/price file a device, outside allowed", args: func(e *badEnv) []string {
			return []string{"run", e.csvScenario("/dev/zero"), "--allow-outside-paths"}
		}, want: []string{"BADFILE:", "tokenomics.price.csv:", "/dev/zero: price file must be a regular file, got a character device"}, skip: unixOnly},
		cmdRow("run/price file above the cap", func(e *badEnv) []string {
			e.sized("p.csv", scenarios.MaxPriceFileBytes+1)
			return []string{"run", e.csvScenario("p.csv")}
		}, "BADFILE:", "tokenomics.price.csv:", "p.csv: price file too large: 67108865 bytes, the cap is 64 MiB (67108864 bytes)"),
		cmdRow("run/price file missing", func(e *badEnv) []string { return []string{"run", e.csvScenario("nowhere.csv")} },
			"BADFILE:", "tokenomics.price.csv: cannot read the price file", "nowhere.csv"),
		cmdRow("run/price file not a price file", func(e *badEnv) []string {
			e.file("p.csv", []byte("SECRET=hunter2\nroot:x:0:0\n"))
			return []string{"run", e.csvScenario("p.csv")}
		}, "BADFILE:", "tokenomics.price.csv:", "p.csv: line 1: the header row"),
		cmdRow("run/price file of a preset leaves the current folder", func(*badEnv) []string {
			return []string{"run", "akash-2024", "--set", "tokenomics.price.model=csv", "--set", "tokenomics.price.csv=/proc/self/environ"}
		}, "preset akash-2024 with --set", `tokenomics.price.csv: path "/proc/self/environ" is absolute, which leaves the current folder`),
	},
	// flag mistakes
	[]badInputRow{
		cmdRow("run/unknown flag", func(*badEnv) []string { return []string{"run", "--bogus"} }, "unknown flag: --bogus", "depinsim run --help"),
		cmdRow("run/unknown shorthand", func(*badEnv) []string { return []string{"run", "-z"} }, "unknown shorthand flag: 'z'"),
		cmdRow("run/--out without a value", func(*badEnv) []string { return []string{"run", "akash-2024", "--out"} }, "flag needs an argument: --out"),
		cmdRow("run/--set without a value", func(*badEnv) []string { return []string{"run", "akash-2024", "--set"} }, "flag needs an argument: --set"),
		cmdRow("run/--set without =", func(*badEnv) []string { return []string{"run", "akash-2024", "--set", "sim.horizon"} }, "--set", `"sim.horizon": want path=value`),
		cmdRow("run/--set with an empty path", func(*badEnv) []string { return []string{"run", "akash-2024", "--set", "=3"} }, "--set", "want path=value"),
		cmdRow("run/--set unknown key", func(*badEnv) []string { return []string{"run", "akash-2024", "--set", "sim.nope=1"} }, "preset akash-2024 with --set sim.nope=1: sim.nope: unknown key"),
		cmdRow("run/--set index out of range", func(*badEnv) []string { return []string{"run", "akash-2024", "--set", "providers[99].count=1"} }, "--set: providers[99].count: index 99 out of range"),
		cmdRow("run/--set unknown cohort", func(*badEnv) []string { return []string{"run", "akash-2024", "--set", "providers.nope.count=1"} }, "--set: providers.nope.count", `no element named "nope"`),
		cmdRow("run/--set through a value", func(*badEnv) []string { return []string{"run", "akash-2024", "--set", "sim.seed.x=1"} }, "--set: sim.seed.x", "not a table"),
		cmdRow("run/--set a bad open_orders", func(*badEnv) []string { return []string{"run", "akash-2024", "--set", "market.open_orders=never"} },
			"with --set market.open_orders=never: market.open_orders", `must be one of ["retry" "wait"], got never`),
		cmdRow("run/--set a bad value", func(*badEnv) []string { return []string{"run", "akash-2024", "--set", "sim.seed=abc"} }, "with --set sim.seed=abc: sim.seed"),
		cmdRow("run/--set initial_usd", func(*badEnv) []string {
			return []string{"run", "akash-2024", "--set", "tokenomics.price.initial_usd=3"}
		}, "--set: tokenomics.price.initial_usd: not used"),
		cmdRow("run/--check bogus", func(*badEnv) []string { return []string{"run", "akash-2024", "--check=bogus"} }, `--check: want event or sample, got "bogus"`),
		cmdRow("run/--workers -1", func(*badEnv) []string { return []string{"run", "akash-2024", "--workers", "-1"} }, "--workers: must be >= 0, got -1"),
		cmdRow("run/--workers abc", func(*badEnv) []string { return []string{"run", "akash-2024", "--workers", "abc"} }, `invalid argument "abc" for "--workers" flag`),
		cmdRow("run/--reps 0", func(*badEnv) []string { return []string{"run", "akash-2024", "--reps", "0"} }, "--reps: must be >= 1, got 0"),
		cmdRow("run/--reps abc", func(*badEnv) []string { return []string{"run", "akash-2024", "--reps", "abc"} }, `invalid argument "abc" for "--reps" flag`),
		cmdRow("run/--reps 10^6", func(*badEnv) []string { return []string{"run", "akash-2024", "--reps", "1000000"} }, "with --set sim.replications=1000000: sim.replications: must be in [1, 100000]"),
		cmdRow("run/--seed -1", func(*badEnv) []string { return []string{"run", "akash-2024", "--seed", "-1"} }, "--seed: must be >= 0, got -1"),
		cmdRow("run/--seed abc", func(*badEnv) []string { return []string{"run", "akash-2024", "--seed", "abc"} }, `invalid argument "abc" for "--seed" flag`),
		cmdRow("run/--mechanism unknown", func(*badEnv) []string { return []string{"run", "akash-2024", "--mechanism", "dutch"} }, `--mechanism: unknown mechanism "dutch" (known: akash-reverse`),
		cmdRow("run/--allow-outside-paths=maybe", func(*badEnv) []string { return []string{"run", "akash-2024", "--allow-outside-paths=maybe"} }, `invalid argument "maybe" for "--allow-outside-paths" flag`),
		cmdRow("run/--quiet=2", func(*badEnv) []string { return []string{"run", "akash-2024", "--quiet=2"} }, `invalid argument "2" for "--quiet" flag`),
		cmdRow("run/two scenarios", func(*badEnv) []string { return []string{"run", "akash-2024", "akash-2021"} }, "want at most one scenario, got 2"),
		cmdRow("run/no such scenario", func(*badEnv) []string { return []string{"run", "akash-2099"} }, "akash-2099: no such file, and no preset of that name (presets:"),
		cmdRow("unknown command", func(*badEnv) []string { return []string{"runn", "akash-2024"} }, `unknown command "runn"`),
		cmdRow("validate/no file", func(*badEnv) []string { return []string{"validate"} }, "want at least one scenario file"),
		cmdRow("validate/unknown flag", func(*badEnv) []string { return []string{"validate", "akash-2024", "--out", "x"} }, "unknown flag: --out"),
		cmdRow("validate/--mechanism unknown", func(*badEnv) []string { return []string{"validate", "akash-2024", "--mechanism=nope"} }, `--mechanism: unknown mechanism "nope"`),
		cmdRow("show/no preset", func(*badEnv) []string { return []string{"show", "nope"} }, `no preset "nope"`),
		cmdRow("compare/one scenario", func(*badEnv) []string { return []string{"compare", "akash-2024"} }, "at least two scenarios", "got 1"),
		cmdRow("compare/bad --set-for", func(*badEnv) []string {
			return []string{"compare", "akash-2024", "akash-2021", "--set-for", "x:sim.seed=1"}
		}, "--set-for", "want K:path=value"),
		cmdRow("compare/a bad file second", func(e *badEnv) []string {
			return []string{"compare", e.base(), e.edit(`count = 4`, `count = -1`)}
		}, "scenario 2", "BADFILE:", "providers[0].count"),
		cmdRow("compare/price file outside", func(e *badEnv) []string {
			return []string{"compare", e.base(), e.csvScenario("/etc/hostname")}
		}, "scenario 2", "BADFILE:", "tokenomics.price.csv: path \"/etc/hostname\" is absolute"),
		cmdRow("compare/--seed -1", func(*badEnv) []string { return []string{"compare", "akash-2024", "akash-2021", "--seed=-1"} }, "--seed: must be >= 0, got -1"),
	},
)

func concatRows(parts ...[]badInputRow) []badInputRow {
	var rows []badInputRow
	for _, p := range parts {
		rows = append(rows, p...)
	}
	return rows
}

// utf16le encodes ASCII text s as UTF-16LE.
func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		if r == '\ufeff' {
			b = append(b, 0xFF, 0xFE)
			continue
		}
		b = append(b, byte(r), 0)
	}
	return b
}

// simulated matches what only a run that started prints: a
// replication's error, a panic's stack, the summary.
var simulated = regexp.MustCompile(`replication \d|stack of the panic|events in`)

func TestBadInputTable(t *testing.T) {
	t.Parallel()
	require.GreaterOrEqual(t, len(badInputTable), 60)
	names := map[string]bool{}
	for _, row := range badInputTable {
		require.False(t, names[row.name], "row names are unique: %s", row.name)
		names[row.name] = true
	}
	for _, row := range badInputTable {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			e := &badEnv{t: t, dir: t.TempDir(), out: filepath.Join(t.TempDir(), "out")}
			if row.skip != nil {
				if why := row.skip(e); why != "" {
					t.Skip(why)
				}
			}
			args := row.args(e)
			if (args[0] == "run" || args[0] == "compare") && !slices.Contains(args, "--out") {
				args = append([]string{args[0], "--out", e.out}, args[1:]...)
			}
			code, stdout, stderr := cli(t, args...)
			assert.Equal(t, exitUsage, code, "exit code; stderr:\n%s", stderr)
			for _, w := range row.want {
				w = strings.ReplaceAll(w, "BADFILE", filepath.Join(e.dir, "bad.toml"))
				w = strings.ReplaceAll(w, "DIR", e.dir)
				assert.Contains(t, stderr, w)
			}
			assert.NotRegexp(t, simulated, stderr, "refused before any event is simulated")
			assert.NotContains(t, stdout, ": ok:", "no scenario passes")
			if args[0] == "run" || args[0] == "compare" {
				assert.Empty(t, stdout)
			}
			assert.NoDirExists(t, e.out, "no output folder is left")
			assert.NoDirExists(t, filepath.Join(e.dir, "out"), "no default output folder either")
		})
	}
}
