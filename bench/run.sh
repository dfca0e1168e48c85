#!/bin/bash
# bench/run.sh — run every benchmark script bench/*.bench.sh in name order.
# Each prints its figures, its target and the ratio against the baseline it
# measures in the same run.  Benchmarks never fail the build; they report.
set -u
cd "$(dirname "$0")/.." || exit 2
for b in bench/*.bench.sh; do
	[ -f "$b" ] || continue
	echo "== ${b##*/}"
	bash "$b"
	echo
done
