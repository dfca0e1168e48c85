# bench/lib.sh — helpers for benchmark scripts (source it).
# measure CMD...: runs CMD $RUNS times (default 20) and sets MED_MS (median
# wall milliseconds) and RSS_KB (peak RSS of the last run, from GNU time or
# /proc accounting via bench/peakrss).
RUNS=${RUNS:-20}

now_ns() { date +%s%N; }

# median of numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

measure() {
	local i t0 t1 times=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now_ns)
		"$@" >/dev/null 2>&1
		t1=$(now_ns)
		times+=($(((t1 - t0) / 1000)))
	done
	MED_MS=$(printf '%s\n' "${times[@]}" | median | awk '{printf "%.2f", $1/1000}')
	RSS_KB=$(peak_rss "$@")
}

# peak RSS in KiB of one run of CMD (getrusage of the child).
peak_rss() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

# report NAME VALUE_MS TARGET_MS BASELINE_NAME BASELINE_MS
report() {
	awk -v n="$1" -v v="$2" -v t="$3" -v bn="$4" -v b="$5" -v rss="${6:-}" 'BEGIN {
		ok = (v <= t) ? "ok" : "OVER TARGET";
		r = (b > 0) ? sprintf("%.2fx %s", v / b, bn) : "";
		printf "%-44s %9.2f ms  (target <= %s ms: %s)  ratio %s%s\n", n, v, t, ok, r,
		    rss != "" ? sprintf("  peak RSS %d KiB", rss) : "";
	}'
}
