# bench/lib.sh — helpers for benchmark scripts (source it).
#   measure CMD...   runs CMD $RUNS times (default 30) through build/bench/timeit
#                    and sets MED_MS (median wall ms) and RSS_KB (peak RSS, KiB)
#   report NAME VALUE_MS TARGET_MS BASELINE_NAME BASELINE_MS [RSS_KB]
RUNS=${RUNS:-30}
TIMEIT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bench/timeit

# nanoseconds since the epoch (for scripts that time a single long step)
now_ns() { date +%s%N; }

measure() {
	local r
	r=$("$TIMEIT" "$RUNS" "$@") || { echo "bench: cannot run: $*" >&2; MED_MS=0; RSS_KB=0; return 1; }
	MED_MS=${r% *}
	RSS_KB=${r#* }
}

report() {
	awk -v n="$1" -v v="$2" -v t="$3" -v bn="$4" -v b="$5" -v rss="${6:-}" 'BEGIN {
		ok = (v <= t) ? "ok" : "OVER TARGET";
		r = (b > 0) ? sprintf("%.2fx %s", v / b, bn) : "";
		printf "%-44s %9.2f ms  (target <= %s ms: %s)  ratio %s%s\n", n, v, t, ok, r,
		    rss != "" ? sprintf("  peak RSS %d KiB", rss) : "";
	}'
}
