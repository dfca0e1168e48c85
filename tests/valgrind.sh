#!/bin/bash
# tests/valgrind.sh — every Criterion unit test binary under valgrind
# memcheck (make valgrind).  Criterion runs each test in a child process,
# so valgrind follows children and writes one log per process; the
# children's exit codes do not reach Criterion's verdict, so a run counts
# as failed when any log holds an error (invalid access, uninitialised
# value, definitely lost memory) or a test failed.
#   tests/valgrind.sh [PATTERN]    only binaries whose name contains PATTERN
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 2; }
only=${1:-}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
bad=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	[ -n "$only" ] && [[ $name != *"$only"* ]] && continue
	mkdir -p "$logs/$name"
	# system tools the tests run (sh, mount, ...) are not followed
	valgrind --trace-children=yes --trace-children-skip='/bin/*,/sbin/*,/usr/*' \
		--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--track-origins=yes --log-file="$logs/$name/vg.%p" \
		"$t" --jobs 1 >"$logs/$name.out" 2>&1
	rc=$?
	syn=$(grep -a 'Synthesis:' "$logs/$name.out" | tail -n 1)
	errs=$(grep -l 'ERROR SUMMARY: [1-9]' "$logs/$name"/vg.* 2>/dev/null | wc -l)
	if [ "$rc" -ne 0 ] || [ "$errs" -ne 0 ] || ! grep -q 'Failing: 0 | Crashing: 0' <<<"$syn"; then
		bad=$((bad + 1))
		printf '%-20s FAILED (rc=%d, %d process(es) with valgrind errors) %s\n' "$name" "$rc" "$errs" "$syn"
		grep -l 'ERROR SUMMARY: [1-9]' "$logs/$name"/vg.* | xargs -r cat | grep -v '^==[0-9]*== *$' | head -n 80
		grep -a -B2 -A8 'FAIL\|CRASH' "$logs/$name.out" | head -n 30
	else
		printf '%-20s clean  %s\n' "$name" "$syn"
	fi
done
echo "$bad unit test binaries with findings"
[ "$bad" -eq 0 ]
