#!/bin/bash
# ldap.bench.sh — the LDAP nameservice against a private slapd (loopback,
# killed by PID on exit; tests/scenario/ldap_slapd.sh).  N records
# (default 100,000, bench/gen-fdb: N/20 PMs) are loaded with slapadd -q.
#   resolve one label through LDAP on a cache miss, process included
#       ctys-ldap resolve <label> (empty LMDB cache first)   target <= 10 ms
#       ctys-vhost -C LDAP -o l,t F:3:^<label>$               reported
#       baseline: ldapsearch of the same equality filter
#   full sync of N entries into an empty cache                target <= 30 s
#       baseline: ldapsearch -E pr=1000 of all record entries to /dev/null
#   incremental sync after 1,000 changes (published first)   target <= 1 s
#       baseline: ldapsearch of the same entryCSN delta
set -u
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh
N=${LDAP_BENCH_N:-100000}
TOP=$PWD BIN=$PWD/bin
L=$BIN/ctys-ldap V=$BIN/ctys-vhost G=$PWD/build/bench/gen-fdb
[ -x "$L" ] && [ -x "$G" ] || { echo "build first: make all build/bench/gen-fdb"; exit 2; }
[ -x /usr/sbin/slapd ] || { echo "SKIP: no slapd (apt-get install slapd ldap-utils)"; exit 0; }
T=$(mktemp -d /tmp/ctys-bench-XXXXXX)
. tests/scenario/ldap_slapd.sh
trap 'slapd_stop; rm -rf "$T"' EXIT
export HOME=$T
ms() { echo $(( $(date +%s%N) / 1000000 )); }

S=$T/src E=$T/empty Y=$T/synced
mkdir -p "$S" "$E"
"$G" "$N" "$S" >/dev/null 2>&1 || exit 2
: >"$E/enum.fdb"; : >"$E/macmap.fdb"
export CTYS_LDAP_BASE=$SLAPD_BASE
t0=$(ms)
"$L" -p "$S" ldif --with-base >"$T/all.ldif" || exit 2
t1=$(ms)
SLAPD_PRELOAD=$T/all.ldif slapd_start "$T/ldap" || exit 2
t2=$(ms)
slapd_env
printf '%-44s %9d ms  (%d records: LDIF %d ms, slapadd -q + start %d ms)\n' \
	"load the directory" $((t2 - t0)) "$N" $((t1 - t0)) $((t2 - t1))

label=$(printf 'vm%07d' $((N * 19 / 20 / 2 + 7)))
measure ldapsearch -x -H "$SLAPD_URI" -D "$SLAPD_ROOT" -w secret -b "$SLAPD_BASE" -LLL \
	"(&(objectClass=ctysMachine)(ctysLabel=$label))"
base=$MED_MS
"$L" -p "$E" resolve "$label" >"$T/r.out" || echo "resolve failed"
[ "$(wc -l <"$T/r.out")" -eq 1 ] || echo "resolve: $(wc -l <"$T/r.out") lines, want 1"
measure "$L" -p "$E" resolve "$label"
report "resolve label, cache miss -> LDAP (process)" "$MED_MS" 10 "ldapsearch" "$base" "$RSS_KB"
measure "$V" -p "$E" -C LDAP -o l,t "F:3:^$label\$"
report "ctys-vhost -C LDAP F:3:^label\$ (process)" "$MED_MS" 10 "ldapsearch" "$base" "$RSS_KB"

RUNS=1 measure ldapsearch -x -H "$SLAPD_URI" -D "$SLAPD_ROOT" -w secret -b "$SLAPD_BASE" -LLL \
	-E pr=1000/noprompt "(objectClass=ctysMachine)"
base=$MED_MS
RUNS=1 measure "$L" -p "$Y" sync --full
report "full sync of $N entries into an empty cache" "$MED_MS" 30000 "ldapsearch paged" "$base" "$RSS_KB"
"$V" -p "$Y" -o l . | wc -l | awk -v n="$N" '$1 != n { print "full sync: " $1 " records, want " n }'

# 1,000 changes, published first (not timed here), then one timed sync:
#   spread:    a new VM state on 1,000 records of 1,000 different hosts
#   clustered: a new VM state on the 1,000 records of 50 hosts
incr() { # name awk-condition target
	awk -F';' -v OFS=';' "$2"' { $19 = "'"$1"'" } { print }' "$S/enum.fdb" >"$T/e" &&
		mv "$T/e" "$S/enum.fdb"
	t0=$(ms)
	"$L" -p "$S" publish | sed 's/^/  /'
	printf '%-44s %9d ms\n' "  publish of the changes (all hosts compared)" $(($(ms) - t0))
	csn=$(awk '/^mtime /{print $2}' "$Y/ldap-sync.state")
	RUNS=1 measure ldapsearch -x -H "$SLAPD_URI" -D "$SLAPD_ROOT" -w secret -b "$SLAPD_BASE" \
		-LLL "(&(objectClass=ctysMachine)(entryCSN>=$csn))"
	base=$MED_MS
	RUNS=1 measure "$L" -p "$Y" sync
	report "incremental sync, 1,000 changes ($1)" "$MED_MS" 1000 "ldapsearch delta" "$base" "$RSS_KB"
	"$L" -p "$Y" sync | sed 's/^/  again: /'
	"$V" -p "$Y" -o l "F:19:^$1\$" | wc -l |
		awk -v w="$1" '$1 != 1000 { print "incremental sync (" w "): " $1 " changed records, want 1000" }'
}
incr spread 'NR % 100 == 7 && n++ < 1000'
incr clustered 'NR <= 1000'
