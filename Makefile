# depinsim: the two commands a newcomer needs are `make run` and `make test`.
GO ?= go
BIN := bin/depinsim

.PHONY: run test build bench verify r1 clean

## run: build and run the default scenario (akash-2024) into out/akash-2024
run: build
	$(BIN) run --force

## build: build the CLI into bin/depinsim
build:
	$(GO) build -o $(BIN) ./cmd/depinsim

## test: vet, the whole test suite, and the race detector on the kernel, market and runner (the worker pool)
test:
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) test -race -short ./sim/ ./market/ ./runner/

## bench: Go benchmarks (kernel, auction index, reports)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./sim/ ./market/ ./reports/

## r1: workload R1 (docs/bench/r1.md), one simulated year, seed 1
r1: build
	$(BIN) run scenarios/bench/r1.toml --out out/r1 --force

## verify: formatting and vet
verify:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

clean:
	rm -rf bin out
