#!/bin/sh
# bench-sweep.sh: the sweep benchmark of docs/experiments.md ("Memory and
# parallel efficiency"), run by `make bench-sweep` (not by make test).
#
# 1. Peak memory (the "Maximum resident set size" of /usr/bin/time -v) of
#    `depinsim sweep` for 100 and for 10,000 runs of a small, short
#    scenario (akash-2024 over two days), the median of MEMREPEAT runs
#    (default 3) each, in three shapes:
#      replications: 1 point x 100 replications vs 1 point x 10,000
#      reps/points:  1 point x 100 replications vs 100 points x 100
#      points:       a 10 x 10 grid vs a 100 x 100 grid, 1 replication
#    and the ratio 10,000 / 100 (the sweep's memory is bounded by its
#    workers, not its size; what a design of many points holds per point
#    is docs/experiments.md's "Memory").
# 2. Parallel efficiency: the whole-process wall time of a sweep of 200
#    short akash-2024 runs (20 points x 10 replications over 90 days) with 1 and with 2
#    workers, medians of REPEAT interleaved runs (hyperfine when
#    installed, else a loop of /usr/bin/time), and the speedup.
#
# Environment: DEPINSIM, a depinsim binary to measure instead of building
# bin/depinsim; REPEAT, the runs per worker count (default 5); WORKERS,
# the workers of the memory sweeps (default 2); PART, memory or speed to
# run one part only; TMPDIR, where the sweeps write. Every output goes to a temporary folder removed at the end.
set -eu

cd "$(dirname "$0")/.."
if [ -z "${DEPINSIM:-}" ]; then
	go build -o bin/depinsim ./cmd/depinsim
	DEPINSIM=$PWD/bin/depinsim
fi
REPEAT=${REPEAT:-5}
WORKERS=${WORKERS:-2}
if [ ! -x /usr/bin/time ]; then
	echo "bench-sweep: needs /usr/bin/time (Debian package time)" >&2
	exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-sweep.XXXXXX")
trap 'rm -rf "$work"' EXIT

# the small scenario: akash-2024 over two days after a one-day warmup
small="--set sim.warmup=1d --set sim.horizon=2d --set sim.sample_every=1d"

# values LO, LO+1, ... LO+N-1 of an integer key, as one --grid value
ints() { seq -s, "$1" "$(($1 + $2 - 1))"; }
# N bonded ratios 0.3 + i x 0.4/N, as one --grid value
ratios() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%s%.6f", (i ? "," : ""), 0.3 + i * 0.4 / n }'; }

MEMREPEAT=${MEMREPEAT:-3}
# rss NAME ARGS...: runs depinsim sweep ARGS MEMREPEAT times and prints the
# median of its peak RSS in KB
rss() {
	name=$1
	shift
	: >"$work/$name.rss"
	for i in $(seq "$MEMREPEAT"); do
		# shellcheck disable=SC2086
		/usr/bin/time -v -o "$work/$name.time" "$DEPINSIM" sweep akash-2024 $small "$@" \
			--workers "$WORKERS" --out "$work/$name" --force --quiet --progress=none
		awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/$name.time" >>"$work/$name.rss"
		rm -rf "${work:?}/$name"
	done
	sort -n "$work/$name.rss" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

PART=${PART:-all}
if [ "$PART" != speed ]; then
echo "== peak memory (Maximum resident set size, KB, median of $MEMREPEAT), $WORKERS workers"
r100=$(rss reps100 --grid "tokenomics.staking.bonded_ratio=0.5" --set sim.replications=100)
q10k=$(rss reps1x10k --grid "tokenomics.staking.bonded_ratio=0.5" --set sim.replications=10000)
r10k=$(rss reps10k --grid "tokenomics.staking.bonded_ratio=$(ratios 100)" --set sim.replications=100)
p100=$(rss pts100 --grid "tokenomics.staking.bonded_ratio=$(ratios 10)" --grid "market.max_bids=$(ints 5 10)" --set sim.replications=1)
p10k=$(rss pts10k --grid "tokenomics.staking.bonded_ratio=$(ratios 100)" --grid "market.max_bids=$(ints 5 100)" --set sim.replications=1)
printf '%-34s %10s %10s %7s\n' shape "100 runs" "10k runs" ratio
printf '%-34s %10s %10s %7s\n' "replications (1x100 vs 1x10000)" "$r100" "$q10k" "$(awk -v a="$r100" -v b="$q10k" 'BEGIN { printf "%.2f", b / a }')"
printf '%-34s %10s %10s %7s\n' "reps/points (1x100 vs 100x100)" "$r100" "$r10k" "$(awk -v a="$r100" -v b="$r10k" 'BEGIN { printf "%.2f", b / a }')"
printf '%-34s %10s %10s %7s\n' "points (10x10 vs 100x100 grid)" "$p100" "$p10k" "$(awk -v a="$p100" -v b="$p10k" 'BEGIN { printf "%.2f", b / a }')"

fi
[ "$PART" = memory ] && exit 0

# the 200-run sweep: 20 points x 10 replications of akash-2024 over 90
# days after a ten-day warmup (some 0.2 s per run)
speed="sweep akash-2024 --grid market.max_bids=$(ints 5 20) --set sim.replications=10 --set sim.warmup=10d --set sim.horizon=90d --set sim.sample_every=12h --quiet --progress=none --force"

echo
echo "== 200 runs of akash-2024 (20 points x 10 replications, 90-day horizon): 1 vs 2 workers, $REPEAT runs each"
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine --runs "$REPEAT" --export-json "$work/h.json" \
		"$DEPINSIM $speed --workers 1 --out $work/w1" \
		"$DEPINSIM $speed --workers 2 --out $work/w2"
	m1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$work/h.json")
	m2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][1]["median"])' "$work/h.json")
else
	: >"$work/w1.txt"
	: >"$work/w2.txt"
	for i in $(seq "$REPEAT"); do
		for w in 1 2; do
			# shellcheck disable=SC2086
			/usr/bin/time -f "%e %U" -a -o "$work/w$w.txt" "$DEPINSIM" $speed --workers "$w" --out "$work/w$w"
		done
	done
	median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	usermed() { awk '{ print $2 }' "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	m1=$(median "$work/w1.txt")
	m2=$(median "$work/w2.txt")
	echo "1 worker:  median wall ${m1} s (user $(usermed "$work/w1.txt") s); runs: $(awk '{ printf "%s ", $1 }' "$work/w1.txt")"
	echo "2 workers: median wall ${m2} s (user $(usermed "$work/w2.txt") s); runs: $(awk '{ printf "%s ", $1 }' "$work/w2.txt")"
fi
awk -v a="$m1" -v b="$m2" 'BEGIN { printf "speedup 1 -> 2 workers: %.2fx (want >= 1.85x on an idle 2-core machine)\n", a / b }'
