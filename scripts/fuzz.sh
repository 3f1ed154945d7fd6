#!/bin/sh
# Runs each Go fuzz target for FUZZTIME (make fuzz). Arguments: pairs
# "target package". A target fails when go test finds an input that
# breaks it (it prints "Failing input written to" and leaves the input
# in the package's testdata/fuzz/<target>/) or fails in any other way.
#
# One failure is retried, at most twice: a bare "context deadline
# exceeded" with no failing input, which Go 1.26's fuzzing coordinator
# reports when -fuzztime ends while a worker is mid-execution on a busy
# machine (golang/go#75804, fixed in Go 1.27). It is not a finding: no
# input is written and the seed corpus replays clean.
set -u
FUZZTIME=${FUZZTIME:-30s}
FUZZFLAGS=${FUZZFLAGS:-}
GO=${GO:-go}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while [ $# -ge 2 ]; do
	target=$1 pkg=$2
	shift 2
	tries=0
	while :; do
		echo "fuzz $target in $pkg for $FUZZTIME"
		# shellcheck disable=SC2086
		if $GO test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" $FUZZFLAGS "$pkg" >"$log" 2>&1; then
			cat "$log"
			break
		fi
		cat "$log"
		tries=$((tries + 1))
		if grep -q 'context deadline exceeded' "$log" &&
			! grep -q -e 'Failing input written to' -e 'panic:' -e '_test.go:[0-9]*:' "$log" &&
			[ "$tries" -le 2 ]; then
			echo "fuzz $target: the fuzzing engine's deadline race (golang/go#75804), no failing input: running it again"
			continue
		fi
		echo "fuzz $target in $pkg: FAILED" >&2
		exit 1
	done
done
