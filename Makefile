# depinsim: the two commands a newcomer needs are `make run` and `make test`.
GO ?= go
BIN := bin/depinsim
# staticcheck, run from the module proxy at a fixed version (no tool in go.mod)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# the tests that test-long runs under the race detector besides every
# test of runner (in full): sweep's pool, and the command tests that signal, lock,
# stream, write from several workers or show progress (every command test
# under the race detector takes some 7 minutes)
RACE_SWEEP := TestRunCommonRandomNumbers|TestStreamedFolder|TestFailFast|TestFailedRunIsARow|TestRunCancelled|TestTimeseriesFilesAreTheRowsHandedOver|TestTimeseriesCancelled|TestValidateFirstInvalid
RACE_CMD := TestRunInterrupted|TestRunSignalled|TestRunConcurrentSameOut|TestRunRefusesLockedOut|TestSweepEndToEnd|TestSweepResumeInterrupted|TestSweepFailFastPlainProgress|TestSweepTimeseries$$|TestCompareFailureRemovesRunFolders
# the Go fuzz targets `make fuzz` runs, as pairs "target package" (go test
# fuzzes one target per invocation); docs/architecture.md, "Fuzzing".
FUZZ_TARGETS := \
	FuzzClear ./market \
	FuzzClearBatch ./market \
	FuzzLedger ./tokenomics \
	FuzzSettle ./tokenomics \
	FuzzBME ./tokenomics \
	FuzzParsePricePath ./tokenomics \
	FuzzScenario ./scenarios
# how long `make fuzz` runs each target (a go test -fuzztime: 30s, 5m, 1000x)
FUZZTIME ?= 30s
# extra go test flags for `make fuzz` (e.g. -parallel 1 on a shared machine)
FUZZFLAGS ?=

# the presets whose [[assert]] entries `make test` checks over a short
# horizon and test-long over their full one ('depinsim check')
PRESETS := akash-2021 akash-2024 akash-2026-bme gensyn ionet-2024 render-2024
# the short check of `make test`: 15 simulated days, 2 replications
# (assertions whose window ends after 15 days are skipped: the same ones
# as over 30 days for every preset, at half the cost, most of it
# ionet-2024's)
CHECK_SHORT := --set sim.horizon=15d --reps 2
# where the checks write their JUnit XML (.ci/run publishes it)
JUNIT_DIR ?= out/junit

# the nested module that decodes the Kubernetes manifests of sweep --emit
# k8s with the real API types (its own go.mod keeps k8s.io out of ours)
K8SCHECK := internal/k8scheck
# the nested module that checks the HTML reports in a headless Chromium
# (chromedp; make e2e-browser), a module of its own for the same reason
E2EBROWSER := e2e/browser

.PHONY: run test test-long fuzz build pgo bench bench-r1 bench-scale bench-presets bench-all verify r1 clean e2e-slurm e2e-browser bench-sweep oracle

## run: build and run the default scenario (akash-2024) into out/akash-2024
run: build
	$(BIN) run --force

## build: build the CLI into bin/depinsim (with the profile-guided
## optimisation of cmd/depinsim/default.pgo, which go build applies itself)
build:
	$(GO) build -o $(BIN) ./cmd/depinsim

## pgo: rewrite cmd/depinsim/default.pgo, the CPU profile `go build`
## uses for profile-guided optimisation of the CLI, from runs of R1 and
## of every preset made with a build without it (bin/depinsim-nopgo;
## scripts/pgo.sh; docs/performance.md), then build with it. Outputs do
## not change; refresh it after large changes to the kernel.
pgo:
	$(GO) build -pgo=off -o bin/depinsim-nopgo ./cmd/depinsim
	GO=$(GO) BIN=bin/depinsim-nopgo sh scripts/pgo.sh
	$(GO) build -o $(BIN) ./cmd/depinsim

## test: vet, the test suite in -short mode (property tests on fewer seeds;
## the full-year calibration and conformance tests are skipped, and the
## race detector runs in test-long), the check of the Kubernetes
## manifests (internal/k8scheck, a module of its own), and 'depinsim check'
## of every preset over 15 days (JUnit in out/junit/). About a minute and a
## quarter of wall time on 2 cores, some 135 s of CPU (the build cache warm).
test: build
	$(GO) vet ./...
	$(GO) test -short ./...
	$(BIN) check $(PRESETS) $(CHECK_SHORT) --quiet --junit $(JUNIT_DIR)/presets-15d.xml
	cd $(K8SCHECK) && $(GO) vet ./... && DEPINSIM_BIN=$(CURDIR)/$(BIN) $(GO) test -short ./...

## test-long: every test in full: the full-year calibration and conformance
## tests (akash-2024's ranges, io.net's snapshot and decline, R1's 10-seed
## acceptance), the property tests over all their seeds, 1,000 generated
## scenarios (internal/scengen), and the race detector on every test of
## runner, on the run folder's writer (reports' TestRunWriter tests) and
## on the pool and command tests of RACE_SWEEP and RACE_CMD;
## the calibration test is 'depinsim check' of every preset over its full
## horizon (cmd/depinsim TestPresetCalibration), JUnit in out/junit/; the
## command tests under the race detector are built without the CLI's
## profile (-pgo=off: one build of every dependency fewer, race and
## profile together, on a cold build cache)
test-long:
	DEPINSIM_JUNIT_DIR=$(CURDIR)/$(JUNIT_DIR) $(GO) test -count=1 ./...
	$(GO) test -race -count=1 ./runner/
	$(GO) test -race -short -count=1 -run 'TestRunWriter' ./reports/
	$(GO) test -race -short -count=1 -run '$(RACE_SWEEP)' ./sweep/
	$(GO) test -race -pgo=off -short -count=1 -run '$(RACE_CMD)' ./cmd/depinsim/

## oracle: the Sobol estimators of package analysis against OpenTURNS
## (Debian's python3-openturns) on the same Ishigami and G-function
## designs (TestOpenTURNSOracle; skipped with the reason when no Python
## imports openturns: $$DEPINSIM_PYTHON, /usr/bin/python3, python3)
oracle:
	$(GO) test ./analysis -run TestOpenTURNSOracle -count=1 -v

## fuzz: run each Go fuzz target (FUZZ_TARGETS) for FUZZTIME (default 30s);
## a failure stops here and writes the input to the package's
## testdata/fuzz/<target>/, where go test then replays it (scripts/fuzz.sh
## runs a target again after Go 1.26's bare deadline race, golang/go#75804)
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZFLAGS='$(FUZZFLAGS)' sh scripts/fuzz.sh $(FUZZ_TARGETS)

## bench: Go benchmarks (kernel, R1 and the presets per event, auction index, mechanisms, settlement, reports, loading a scenario),
## built with the CLI's profile (BENCH_PGO; -pgo=off measures without it)
BENCH_PGO ?= -pgo=$(CURDIR)/cmd/depinsim/default.pgo
bench:
	$(GO) test $(BENCH_PGO) -run '^$$' -bench . -benchmem ./sim/ ./scenarios/ ./market/ ./tokenomics/ ./reports/

# pairs (runs, for bench-presets) of the timing targets below
BENCH_N ?= 5
SCALE_N ?= 3
PRESETS_N ?= 1

## bench-r1: R1's full year, whole process, paired and interleaved (BENCH_N
## pairs after a warm-up): depinsim run scenarios/bench/r1.toml (outputs
## included) vs bin/r1limit, the plain-Go R1 of bench/r1limit; prints wall,
## CPU and peak RSS medians, the median per-pair ratio and R1 events/s
## (bench/pair; docs/performance.md). A timing run: not part of make test.
bench-r1: build bin/r1limit bin/pair
	bin/pair r1 -n $(BENCH_N)

## bench-scale: R1 scaled to 1k, 4k, 16k and 64k providers (demand alike,
## horizon a year / k), depinsim vs r1limit -scale k paired (SCALE_N pairs
## each); writes docs/performance_scaling.csv and .png (bench/scaleplot)
bench-scale: build bin/r1limit bin/pair
	bin/pair scale -n $(SCALE_N) -csv docs/performance_scaling.csv
	$(GO) run ./bench/scaleplot docs/performance_scaling.csv docs/performance_scaling.png

## bench-presets: whole-process medians (PRESETS_N runs after a warm-up) of
## akash-2024 and ionet-2024 as they ship, and akash-2024 x1 and x100
## (scenarios/bench/akash-2024-x100.sets) over 30 days: ns/event, peak RSS
bench-presets: build bin/pair
	bin/pair presets -n $(PRESETS_N)

## bench-all: bench-r1, bench-scale and bench-presets in one go, their
## Markdown tables into out/bench/, into docs/performance.md's results and
## README's Performance (between their results markers, with the date and
## the machine; under 10 minutes on 2 quiet cores)
bench-all: build bin/r1limit bin/pair
	mkdir -p out/bench
	bin/pair r1 -n $(BENCH_N) -md out/bench/r1.md
	bin/pair scale -n $(SCALE_N) -csv docs/performance_scaling.csv -md out/bench/scale.md
	$(GO) run ./bench/scaleplot docs/performance_scaling.csv docs/performance_scaling.png
	bin/pair presets -n $(PRESETS_N) -md out/bench/presets.md
	bin/pair splice docs/performance.md out/bench/r1.md out/bench/scale.md out/bench/presets.md
	bin/pair splice README.md out/bench/r1.md out/bench/presets.md

bin/r1limit bin/pair: FORCE
	$(GO) build -o $@ ./bench/$(notdir $@)

FORCE:

## bench-sweep: peak memory of sweeps of 100 vs 10,000 runs and the 1-vs-2-worker
## speedup of a 200-run sweep (scripts/bench-sweep.sh; docs/experiments.md)
bench-sweep:
	sh scripts/bench-sweep.sh

## r1: workload R1 (docs/bench/r1.md), one simulated year, seed 1
r1: build
	$(BIN) run scenarios/bench/r1.toml --out out/r1 --force

## verify: formatting, vet, go.mod tidy, staticcheck (the nested modules
## internal/k8scheck and e2e/browser too), and a build and vet (tests included) for
## darwin and windows (built without the profile: they check that it compiles)
verify:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) run $(STATICCHECK) ./...
	cd $(K8SCHECK) && $(GO) vet ./... && $(GO) mod tidy -diff && $(GO) run $(STATICCHECK) ./...
	cd $(E2EBROWSER) && $(GO) vet ./... && $(GO) mod tidy -diff && $(GO) run $(STATICCHECK) ./...
	GOOS=darwin GOARCH=arm64 $(GO) build -pgo=off -o /dev/null ./...
	GOOS=windows GOARCH=amd64 $(GO) build -pgo=off -o /dev/null ./...
	GOOS=darwin GOARCH=arm64 $(GO) vet ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./...

## e2e-slurm: sweep --emit slurm on a real one-node Slurm cluster on
## 127.0.0.1 (installs slurm and munge from Debian packages if missing;
## root): the merged shards equal a local sweep, a failed task is reported
e2e-slurm:
	scripts/e2e-slurm.sh

## e2e-browser: open a report.html of each kind (run, compare, sweep,
## sensitivity, calibration; short runs into out/e2e/) in a headless Chromium (installs Debian's
## chromium if missing; root or sudo) and check it: no console error, no
## network request, ready within 20 s, a screenshot that is not blank
## (out/e2e/*.png), a mouse drag zooms the first chart (e2e/browser,
## chromedp, a module of its own; docs/ci.md)
e2e-browser:
	scripts/e2e-browser.sh

clean:
	rm -rf bin out
