# bench/lib.sh — helpers for benchmark scripts (source it).
#   measure CMD...   runs CMD $RUNS times (default 30) through build/bench/timeit
#                    and sets MED_MS (median wall ms), RSS_KB (peak RSS, KiB),
#                    CPU_MS (median CPU ms of CMD and the children it
#                    waited for) and MACH_MS (mean CPU ms of the whole
#                    machine per run, all cores, from /proc/stat: with rig
#                    hosts it includes their sshd and shells)
#   alternate ROUNDS FN...
#                    runs each FN (a function that calls measure) once per
#                    round, in turn, so that drift of the machine during the
#                    rounds hits every contestant alike; then sets ALT_MS[FN],
#                    ALT_CPU[FN] and ALT_MACH[FN] (medians of its rounds) and
#                    ALT_RSS[FN] (peak RSS)
#   report NAME VALUE_MS TARGET_MS BASELINE_NAME BASELINE_MS [RSS_KB]
RUNS=${RUNS:-30}
TIMEIT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bench/timeit

# nanoseconds since the epoch (for scripts that time a single long step)
now_ns() { date +%s%N; }

# busy time of all cores so far, in ms (user nice system irq softirq)
busy_ms() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8) * 1000 / hz; exit }' /proc/stat
}

measure() {
	local r b0
	b0=$(busy_ms)
	r=$("$TIMEIT" "$RUNS" "$@") ||
		{ echo "bench: cannot run: $*" >&2; MED_MS=0; RSS_KB=0; CPU_MS=0; MACH_MS=0; return 1; }
	read -r MED_MS RSS_KB CPU_MS <<<"$r"
	MACH_MS=$(awk -v a="$b0" -v b="$(busy_ms)" -v n="$RUNS" 'BEGIN { print (b - a) / n }')
}

alternate() {
	local rounds=$1 i f
	local -A all=() cpu=() mach=()
	shift
	declare -gA ALT_MS=() ALT_RSS=() ALT_CPU=() ALT_MACH=()
	for ((i = 0; i < rounds; i++)); do
		for f in "$@"; do
			RUNS=1 "$f" || return 1
			all[$f]+="$MED_MS "
			cpu[$f]+="$CPU_MS "
			mach[$f]+="$MACH_MS "
			((RSS_KB > ${ALT_RSS[$f]:-0})) && ALT_RSS[$f]=$RSS_KB
		done
	done
	for f in "$@"; do
		# shellcheck disable=SC2086
		ALT_MS[$f]=$(median_of ${all[$f]})
		# shellcheck disable=SC2086
		ALT_CPU[$f]=$(median_of ${cpu[$f]})
		# shellcheck disable=SC2086
		ALT_MACH[$f]=$(median_of ${mach[$f]})
	done
}

median_of() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

report() {
	awk -v n="$1" -v v="$2" -v t="$3" -v bn="$4" -v b="$5" -v rss="${6:-}" 'BEGIN {
		ok = (v <= t) ? "ok" : "OVER TARGET";
		r = (b > 0) ? sprintf("%.2fx %s", v / b, bn) : "";
		printf "%-44s %9.2f ms  (target <= %s ms: %s)  ratio %s%s\n", n, v, t, ok, r,
		    rss != "" ? sprintf("  peak RSS %d KiB", rss) : "";
	}'
}
