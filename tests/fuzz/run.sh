#!/bin/bash
# tests/fuzz/run.sh — run each built fuzzer for FUZZ_SECONDS from its seed
# corpus (tests/fuzz/corpus/<name>/, copied so the repo's seeds stay as they
# are).  Prints executions per fuzzer; exits non-zero on the first finding,
# leaving the crash input in build-fuzz/findings/<name>/.
#   tests/fuzz/run.sh [name...]     default: every fuzzer
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$f" ] && names+=("${f##*/}")
	done
fi
status=0
for n in "${names[@]}"; do
	bin=$BUILD/fuzz/$n
	work=$BUILD/corpus/$n
	found=$BUILD/findings/$n
	mkdir -p "$work" "$found"
	[ -d "tests/fuzz/corpus/$n" ] && cp -n tests/fuzz/corpus/"$n"/* "$work"/ 2>/dev/null
	dict=()
	[ -f "tests/fuzz/$n.dict" ] && dict=(-dict="tests/fuzz/$n.dict")
	"$bin" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$found/" -print_final_stats=1 "$work" >"$BUILD/$n.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/$n.log" | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		echo "$n: FINDING (rc=$rc) after ${execs:-?} executions; see $BUILD/$n.log and $found/"
		tail -n 40 "$BUILD/$n.log"
		status=1
	else
		echo "$n: ${execs:-?} executions in ${secs}s, no finding"
	fi
done
exit $status
