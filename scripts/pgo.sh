#!/bin/sh
# Writes the CPU profile that `go build` uses for profile-guided
# optimisation of the CLI (make pgo): cmd/depinsim/default.pgo, the
# merged CPU profiles of the runs below, made with the binary BIN
# (DEPINSIM_CPUPROFILE; docs/performance.md, "Profile-guided
# optimisation"), which make pgo builds without a profile (-pgo=off) so
# that the profile does not depend on the one before it. The runs are
# the workloads the timing targets measure (R1, akash-2024 as it ships
# and sampled hourly, one replication of ionet-2024) and one replication
# of every other preset, so that each mechanism's hot path is in the
# profile. Outputs do not depend on the profile: it only guides the
# compiler's inlining and devirtualisation.
set -eu
BIN=${BIN:-bin/depinsim}
GO=${GO:-go}
OUT=${OUT:-cmd/depinsim/default.pgo}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
prof() {
	i=$((i + 1))
	echo "pgo: depinsim $*"
	DEPINSIM_CPUPROFILE="$tmp/$i.cpu" "$BIN" "$@" --out "$tmp/run" --force --quiet
}
prof run scenarios/bench/r1.toml
prof run scenarios/bench/r1.toml
prof run akash-2024
prof run akash-2024
prof run akash-2024 --set sim.sample_every=1h --reps 1
prof run ionet-2024 --reps 1
for p in akash-2021 akash-2026-bme gensyn render-2024; do
	prof run "$p" --reps 1
done
"$GO" tool pprof -proto "$tmp"/*.cpu >"$tmp/merged.pgo"
mv "$tmp/merged.pgo" "$OUT"
echo "pgo: wrote $OUT ($(wc -c <"$OUT") bytes)"
