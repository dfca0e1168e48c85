#!/bin/bash
# Fault injection: the LDAP server stops in the middle of a sync.
# A directory of 40,000 records (2,000 hosts); a cache that holds an older
# state of every record.  (A full sync imports in one transaction at its
# end, so a stop mid-read must leave every record old.)  slapd is killed (SIGKILL), or frozen (SIGSTOP),
# while ctys-ldap sync --full runs: the sync fails within its timeout with
# an error naming the directory, the cache stays readable with all 40,000
# records, each host either wholly old or wholly new; once slapd is back,
# the sync completes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ldap_slapd.sh"
trap 'kill -CONT "$SLAPD_PID" 2>/dev/null; slapd_stop; rm -rf "$T"' EXIT
[ -x "$SLAPD" ] || { echo "SKIP: no slapd (apt-get install slapd ldap-utils)"; exit 0; }
L=$BIN/ctys-ldap V=$BIN/ctys-vhost
S=$T/src Y=$T/cache
N=40000
mkdir -p "$S" "$Y"
ldap_gen $N >"$S/enum.fdb"
: >"$S/macmap.fdb"
CTYS_LDAP_BASE=$SLAPD_BASE "$L" -p "$S" ldif --with-base >"$T/all.ldif" || { echo "ctys-ldap ldif failed"; exit 1; }
SLAPD_PRELOAD=$T/all.ldif slapd_start "$T/ldap" || exit 1
slapd_env
export CTYS_LDAP_TIMEOUT=3

# restart slapd on its old address and database
slapd_restart() {
	"$SLAPD" -d 0 -h "$SLAPD_URI/" -f "$T/ldap/slapd.conf" >>"$T/ldap/slapd.log" 2>&1 &
	SLAPD_PID=$!
	for _ in $(seq 1 100); do
		ldapsearch -x -H "$SLAPD_URI" -b "" -s base -LLL namingContexts >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "slapd did not come back: $(tail -n 5 "$T/ldap/slapd.log")"
}

# old_cache: the cache holds every record with state OLD (field 19)
old_cache() {
	rm -rf "$Y"
	mkdir -p "$Y"
	awk -F';' -v OFS=';' '{ $19 = "OLD" } { print }' "$S/enum.fdb" >"$Y/enum.fdb"
	: >"$Y/macmap.fdb"
	[ "$("$V" -p "$Y" -o l . | wc -l)" -eq $N ] || fail "the old cache was not built"
}

# whole_hosts NAME: N records, and per host only OLD or only the new states
whole_hosts() {
	"$V" -p "$Y" -o machine . >"$T/all" 2>"$T/all.err" || { fail "$1: cache unreadable: $(cat "$T/all.err")"; return; }
	[ "$(wc -l <"$T/all")" -eq $N ] || fail "$1: $(wc -l <"$T/all") records, want $N"
	mixed=$(awk -F';' '{ o = ($19 == "OLD"); if ($1 in s && s[$1] != o) m[$1] = 1; s[$1] = o }
		END { for (h in m) n++; print n + 0 }' "$T/all")
	[ "$mixed" -eq 0 ] || fail "$1: $mixed hosts hold old and new records at once"
	old=$(awk -F';' '$19 == "OLD"' "$T/all" | wc -l)
	echo "$1: $old of $N records still old"
}

# stop_mid NAME SIGNAL: sync --full, SIGNAL to slapd once the sync runs
stop_mid() {
	local name=$1 sig=$2 spid start el
	old_cache
	start=$(date +%s%N)
	"$L" -p "$Y" sync --full >"$T/$name.out" 2>"$T/$name.err" &
	spid=$!
	sleep 0.5
	kill "-$sig" "$SLAPD_PID"
	wait_bg "$spid" 30 "$name"
	el=$((($(date +%s%N) - start) / 1000000))
	[ "$rc" -ne 0 ] || { fail "$name: sync exit 0 although slapd stopped after 0.3 s"; cat "$T/$name.out"; }
	grep -q "127.0.0.1" "$T/$name.err" || fail "$name: the error does not name the directory: $(cat "$T/$name.err")"
	[ "$el" -le 15000 ] || fail "$name: sync took $el ms"
	whole_hosts "$name"
}

stop_mid killed KILL
slapd_restart
check resync-after-kill 0 "*" "" -- "$L" -p "$Y" sync --full
[ "$("$V" -p "$Y" -o l,t 'F:19:^OLD$' | wc -l)" -eq 0 ] || fail "resync after the kill left old records"

stop_mid frozen STOP
kill -CONT "$SLAPD_PID"
check resync-after-freeze 0 "*" "" -- "$L" -p "$Y" sync --full
whole_hosts final
[ "$("$V" -p "$Y" -o l 'F:19:^OLD$' | wc -l)" -eq 0 ] || fail "resync after the freeze left old records"
finish
