#!/usr/bin/env bash
# make e2e-browser: open depinsim's HTML reports in a real headless
# Chromium and check them (docs/ci.md, "The HTML reports in a real
# browser").
#
# Installs Debian's chromium (apt-get, as root or through sudo) when no
# chromium, chromium-browser or google-chrome is on PATH, builds
# bin/depinsim, writes one output folder of each kind into out/e2e/ with
# short runs (run: akash-2024 over 30 days, 2 replications; compare:
# akash-2024 against akash-2026-bme, its BME variant, the same way;
# sweep: each file of examples/sweeps/ over 14 days; a Sobol and a
# Morris sensitivity analysis and a calibration of akash-2024 over 14
# days, from small files written into out/e2e/inputs/), then runs the Go
# tests of the nested module e2e/browser (chromedp): the harness's own
# tests on its test pages (a good page passes; a console error, an uncaught exception, a
# network request, a blank page, a chart that does not zoom and a page
# that never says it is ready are each rejected), and every report.html
# found under out/e2e/: no console error or uncaught exception, no
# network request but the file itself, reportReady within 20 s, a
# screenshot that is not blank (out/e2e/<folder>.png) and a mouse drag
# that zooms the first chart in.
#
# An output folder without report.html is named and skipped (depinsim
# writes one in every folder of each kind), unless E2E_REQUIRE_REPORTS=1 (as
# .ci/run sets it): then it is
# a failure. Environment: E2E_DEPINSIM, a depinsim binary to test instead
# of building one; DEPINSIM_CHROME, the browser to use. Exits 0 when
# every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
t0=$(date +%s)

say() { echo "e2e-browser: $*"; }
fail() {
	echo "e2e-browser: FAILED: $*" >&2
	exit 1
}

# the browser: $DEPINSIM_CHROME, one on PATH, else Debian's chromium
chrome=${DEPINSIM_CHROME:-}
if [ -z "$chrome" ]; then
	for n in chromium chromium-browser google-chrome google-chrome-stable; do
		if command -v "$n" >/dev/null; then
			chrome=$(command -v "$n")
			break
		fi
	done
fi
if [ -z "$chrome" ]; then
	command -v apt-get >/dev/null || fail "no chromium, chromium-browser or google-chrome on PATH and no apt-get to install one: install Chromium or set DEPINSIM_CHROME to a Chrome or Chromium binary"
	if [ "$(id -u)" = 0 ]; then
		sudo=()
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo=(sudo)
	else
		fail "no chromium, chromium-browser or google-chrome on PATH, and installing Debian's chromium needs root: run as root, allow sudo, or run 'apt-get install chromium' first (or set DEPINSIM_CHROME)"
	fi
	say "installing chromium from the Debian packages"
	t1=$(date +%s)
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
	chrome=$(command -v chromium) || fail "apt-get installed chromium but it is not on PATH"
	say "chromium installed in $(($(date +%s) - t1)) s"
fi
say "browser: $chrome ($("$chrome" --version 2>/dev/null || echo "version unknown"))"

# the CLI
if [ -n "${E2E_DEPINSIM:-}" ]; then
	depinsim=$E2E_DEPINSIM
else
	go build -o bin/depinsim ./cmd/depinsim
	depinsim=$repo/bin/depinsim
fi

# one output folder of each kind, short
out=$repo/out/e2e
rm -rf "$out"
mkdir -p "$out"
folders=()
"$depinsim" run akash-2024 --set sim.horizon=30d --reps 2 --out "$out/run" --quiet
folders+=("$out/run")
"$depinsim" compare akash-2024 akash-2026-bme --set sim.horizon=30d --reps 2 --out "$out/compare" >/dev/null
folders+=("$out/compare")
for f in examples/sweeps/*.toml; do
	name=$(basename "$f" .toml)
	"$depinsim" sweep "$f" --set sim.horizon=14d --out "$out/sweep-$name" --quiet
	folders+=("$out/sweep-$name")
done
# a sensitivity analysis of each method and a calibration, small
mkdir -p "$out/inputs"
cat >"$out/inputs/sobol.toml" <<'TOML'
base = "akash-2024"
replications = 2
set = ["sim.horizon=14d"]
method = "sobol"
samples = 8
bootstrap = 200
[[factor]]
key = "tenants[2].arrivals_per_day"
dist = "uniform"
min = 9
max = 36
[[factor]]
key = "tokenomics.staking.bonded_ratio"
dist = "uniform"
min = 0.45
max = 0.7
[[output]]
name = "gpu-utilization"
metric = "gpu_utilization"
stat = "mean"
[[output]]
name = "token-supply"
metric = "token_supply"
stat = "final"
TOML
sed -e 's/^method = "sobol"/method = "morris"/' -e 's/^samples = 8/samples = 4/' "$out/inputs/sobol.toml" >"$out/inputs/morris.toml"
cat >"$out/inputs/calibration.toml" <<'TOML'
base = "akash-2024"
replications = 2
check_replications = 2
set = ["sim.horizon=14d"]
[search]
population = 4
generations = 2
polish = 4
profile = 1
[[param]]
key = "tenants[2].arrivals_per_day"
min = 5
max = 60
scale = "log"
[[target]]
name = "gpu-utilization"
metric = "gpu_utilization"
stat = "mean"
min = 0.40
max = 0.60
TOML
"$depinsim" sensitivity "$out/inputs/sobol.toml" --out "$out/sensitivity-sobol" --quiet
"$depinsim" sensitivity "$out/inputs/morris.toml" --out "$out/sensitivity-morris" --quiet
"$depinsim" calibrate "$out/inputs/calibration.toml" --out "$out/calibration" --quiet >/dev/null
folders+=("$out/sensitivity-sobol" "$out/sensitivity-morris" "$out/calibration")
say "outputs written in $(($(date +%s) - t0)) s"

# the reports to check: every report.html under out/e2e/
reports=()
while IFS= read -r f; do reports+=("$f"); done < <(find "$out" -name report.html | sort)
missing=()
for d in "${folders[@]}"; do
	[ -f "$d/report.html" ] || missing+=("${d#"$repo"/}")
done
if [ "${#missing[@]}" -gt 0 ]; then
	if [ "${E2E_REQUIRE_REPORTS:-}" = 1 ]; then
		fail "no report.html in ${missing[*]} (E2E_REQUIRE_REPORTS=1)"
	fi
	say "no report.html in ${missing[*]} : not checked (E2E_REQUIRE_REPORTS=1 makes this a failure)"
fi
if [ "${#reports[@]}" -eq 0 ]; then
	say "no report.html anywhere under out/e2e: checking the harness on its test pages only"
else
	say "checking ${#reports[@]} report(s): ${reports[*]#"$repo"/}"
fi

list=$(
	IFS=:
	echo "${reports[*]}"
)
(
	cd e2e/browser
	DEPINSIM_E2E=1 DEPINSIM_E2E_REPORTS="$list" DEPINSIM_E2E_SHOTS="$out" DEPINSIM_CHROME="$chrome" \
		go test -count=1 -v ./...
) || fail "the browser checks failed (above); screenshots in out/e2e/"
say "passed in $(($(date +%s) - t0)) s; screenshots in out/e2e/*.png"
