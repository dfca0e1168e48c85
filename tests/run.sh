#!/bin/bash
# tests/run.sh — run every unit test binary and scenario script; print one
# closing line "N passed, N failed".  Exit status 0 only if nothing failed.
#   tests/run.sh            everything
#   tests/run.sh --unit     unit tests only
#   tests/run.sh PATTERN    only tests whose name contains PATTERN
#   tests/run.sh --slow     the long scenarios of tests/slow/ only
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
only=""
unit_only=0
scen_dir=tests/scenario
scen_timeout=600
case "${1:-}" in
--unit) unit_only=1 ;;
--slow) scen_dir=tests/slow scen_timeout=1800 ;;
"") ;;
*) only=$1 ;;
esac

pass=0
fail=0
failed=()
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# Unit tests: Criterion binaries.  Their own synthesis line is kept, and the
# counts are summed into ours.
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	[ "$scen_dir" = tests/slow ] && break
	name=${t##*/}
	[ -n "$only" ] && [[ $name != *"$only"* ]] && continue
	"$t" --jobs 2 >"$log/$name" 2>&1
	rc=$?
	syn=$(grep -a 'Synthesis:' "$log/$name" | tail -n 1)
	p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$syn")
	f=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' <<<"$syn")
	if [ -z "$p" ]; then
		p=0
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		[ "$f" -eq 0 ] && fail=$((fail + 1))
		failed+=("$name")
		cat "$log/$name"
	fi
	printf '%-34s %s\n' "$name" "${syn:-no synthesis line (rc=$rc)}"
done

# Scenario tests: each script (but lib.sh, their helpers) is one test; 0 = pass.
if [ "$unit_only" -eq 0 ]; then
	for s in "$scen_dir"/*.sh; do
		[ -f "$s" ] || continue
		name=${s##*/}
		[ "$name" = lib.sh ] && continue
		[ -n "$only" ] && [[ $name != *"$only"* ]] && continue
		start=$(date +%s)
		BUILD=$BUILD timeout "$scen_timeout" bash "$s" >"$log/$name" 2>&1
		rc=$?
		secs=$(($(date +%s) - start))
		if [ "$rc" -eq 0 ]; then
			pass=$((pass + 1))
			printf '%-34s ok (%ds)\n' "$name" "$secs"
		else
			fail=$((fail + 1))
			failed+=("$name")
			cat "$log/$name"
			printf '%-34s FAILED rc=%d (%ds)\n' "$name" "$rc" "$secs"
		fi
	done
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
