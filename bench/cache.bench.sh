#!/bin/bash
# cache.bench.sh — ctys-vhost on a synthetic cacheDB (bench/gen-fdb.c):
# N records (default 1,000,000) on N/20 PMs.  Figures:
#   import of enum.fdb + macmap.fdb into the LMDB cache      target <= 5 s
#   exact label lookup F:3:^<label>$ (index), process start  target <= 5 ms, RSS <= 20 MiB
#   gram index build (first substring query after a write)   reported
#   bare label (substring over the whole record, gram index) target <= 5 ms, RSS <= 20 MiB
#   a 3-term regex query that must scan                       target <= 300 ms
#   all labels (-o label .)                                   target <= 1 s
# each with the ratio against the same selection done by awk -F';' over the
# .fdb file in the same run.  The DB lives under /tmp and is removed.
set -u
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh
N=${CACHE_BENCH_N:-1000000}
V=$PWD/bin/ctys-vhost
G=$PWD/build/bench/gen-fdb
[ -x "$V" ] && [ -x "$G" ] || { echo "build first: make"; exit 2; }
D=$(mktemp -d /tmp/ctys-bench-XXXXXX)
trap 'rm -rf "$D"' EXIT
export HOME=$D

t0=$(now_ns)
"$G" "$N" "$D" 2>/dev/null || exit 2
t1=$(now_ns)
printf '%-44s %9.2f ms  (%d records, %s)\n' "generate enum.fdb/macmap.fdb" \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN{print (b-a)/1e6}')" "$N" "$(du -sh "$D/enum.fdb" | cut -f1)"

L=$(printf 'vm%07d' $((N * 19 / 20 / 2 + 7)))     # a VM label in the middle

# import: the first query builds the cache; baseline = the original's
# statcache derivation (awk fill from macmap + sort -u)
RUNS=${IMPORT_RUNS:-2} measure "$V" -p "$D" -C REBUILDCACHE -o l "F:3:^$L\$"
imp=$MED_MS
RUNS=1 measure bash -c "awk -F';' 'NR==FNR{m[\$2]=\$3;next} \$7==\"\"&&(\$6 in m){\$7=m[\$6]} 1' OFS=';' '$D/macmap.fdb' '$D/enum.fdb' | LC_ALL=C sort -u >/dev/null"
report "import (LMDB cache build)" "$imp" 5000 "awk+sort -u statcache" "$MED_MS"
printf '%-44s %s\n' "  cache size" "$(du -sh "$D/ctys.lmdb" | cut -f1)"

RUNS=${AWK_RUNS:-3} measure awk -F';' -v l="$L" '$3==l{print $3";"$7}' "$D/enum.fdb"
awk_exact=$MED_MS
RUNS=${RUNS_FAST:-30} measure "$V" -p "$D" -o l,t "F:3:^$L\$"
report "label lookup F:3:^label\$ (index)" "$MED_MS" 5 "awk \$3==label" "$awk_exact" "$RSS_KB"

RUNS=${AWK_RUNS:-3} measure awk -F';' "/$L/{print \$3\";\"\$7}" "$D/enum.fdb"
awk_bare=$MED_MS
RUNS=1 measure "$V" -p "$D" -o l,t "$L"
report "gram index build (first bare query)" "$MED_MS" 5000 "awk /label/" "$awk_bare"
RUNS=${RUNS_FAST:-30} measure "$V" -p "$D" -o l,t "$L"
report "bare label '$L' (substring, gram index)" "$MED_MS" 5 "awk /label/" "$awk_bare" "$RSS_KB"

# no literal of 3 bytes anywhere: no index can help, this must scan
Q3=('F:2:^X.N$' '0[0-9]7;' 'F:14:L.n.x')
RUNS=${AWK_RUNS:-3} measure awk -F';' '$2~/^X.N$/ && /0[0-9]7;/ && $14~/L.n.x/ {print $3";"$7}' "$D/enum.fdb"
awk_q3=$MED_MS
RUNS=${RUNS_SCAN:-5} measure "$V" -p "$D" -o l,t "${Q3[@]}"
report "3-term regex scan" "$MED_MS" 300 "awk same regexes" "$awk_q3" "$RSS_KB"
Q4=('F:2:^X.N$' 'vm01234[0-9]' 'F:14:Lin.x')
RUNS=${RUNS_FAST:-30} measure "$V" -p "$D" -o l,t "${Q4[@]}"
report "3-term regex with a literal (gram index)" "$MED_MS" 300 "awk same regexes" "$awk_q3" "$RSS_KB"
RUNS=${RUNS_SCAN:-5} measure "$V" -p "$D" -o l,t debian
report "common word 'debian' (95% match: scan)" "$MED_MS" 1000 "awk same regexes" "$awk_q3" "$RSS_KB"

RUNS=${AWK_RUNS:-3} measure awk -F';' '{print $3}' "$D/enum.fdb"
awk_all=$MED_MS
RUNS=${RUNS_SCAN:-3} measure "$V" -p "$D" -o label .
report "all labels (-o label .)" "$MED_MS" 1000 "awk print \$3" "$awk_all" "$RSS_KB"

# peak RSS without the Python fork that bench/lib.sh's figure includes
if [ -x /usr/bin/time ]; then
	for q in "F:3:^$L\$" "$L"; do
		/usr/bin/time -f "%M" -o "$D/rss" "$V" -p "$D" -o l,t "$q" >/dev/null
		printf '%-44s %9s KiB (target <= 20480 KiB)\n' "  peak RSS (GNU time) of '$q'" "$(cat "$D/rss")"
	done
fi

# sanity: the figures are for correct answers
[ "$("$V" -p "$D" -o l "F:3:^$L\$")" = "$L" ] || echo "WRONG ANSWER for $L"
[ "$("$V" -p "$D" -o l "$L")" = "$L" ] || echo "WRONG ANSWER for bare $L"
[ "$("$V" -p "$D" -o label . | wc -l)" = "$N" ] || echo "WRONG record count"
[ "$("$V" -p "$D" -o l "${Q4[@]}")" = "$("$V" -p "$D" -C OFF -o l "${Q4[@]}")" ] ||
	echo "WRONG ANSWER: gram plan differs from the plain file scan"
