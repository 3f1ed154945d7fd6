#!/bin/sh
# Shows 'depinsim check' catching an economic regression, as a CI job
# would: the unchanged scenario passes against its baseline, then the same
# scenario with the AKT take rate one point higher (2% -> 3%) fails, naming
# the metric that moved. Run from the repository root:
#
#   sh examples/ci/demo.sh
#
# It uses 'depinsim' from PATH, else builds it into bin/.
set -u

if command -v depinsim >/dev/null 2>&1; then
	DEPINSIM=depinsim
else
	echo "== building bin/depinsim"
	go build -o bin/depinsim ./cmd/depinsim || exit 2
	DEPINSIM=bin/depinsim
fi

SCENARIO=examples/ci/market.toml
BASELINE=examples/ci/baseline
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "== 1. the unchanged scenario against its baseline (expect exit 0)"
"$DEPINSIM" check "$SCENARIO" --baseline "$BASELINE" --junit "$OUT/pass.xml"
status=$?
echo "-> exit $status"
if [ "$status" -ne 0 ]; then
	echo "demo: the unchanged scenario should pass; regenerate the baseline with" >&2
	echo "  $DEPINSIM check $SCENARIO --baseline $BASELINE --update-baseline" >&2
	exit 1
fi

echo
echo "== 2. the AKT take rate one point higher (expect exit 1)"
"$DEPINSIM" check "$SCENARIO" --baseline "$BASELINE" --set tokenomics.take_rate.akt=0.03 \
	--junit "$OUT/fail.xml" >"$OUT/fail.txt" 2>&1
status=$?
cat "$OUT/fail.txt"
echo "-> exit $status"
if [ "$status" -ne 1 ]; then
	echo "demo: the changed take rate should fail the check with exit 1, got $status" >&2
	exit 1
fi
echo
echo "== the metrics that moved:"
grep -E 'moved|MOVED' "$OUT/fail.txt" || true
echo
echo "demo: the change was caught (JUnit report of the failing run: $(grep -c '<failure' "$OUT/fail.xml") failure(s))"
