#!/bin/bash
# ctys-vdbgen on 20 rig hosts: every host's PM records land in the LMDB
# cache (one transaction per host) and ctys-vhost finds them; enum.fdb is
# written back; --append keeps, --replace refreshes; a host that cannot be
# reached keeps its old records.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
. "$TOP/tests/rig/rig.sh"
R=$T/rig
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" flat:20 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=30
V=$BIN/ctys-vdbgen
DB=$T/db
# shellcheck disable=SC2086
set -- $RIG_HOSTS

check scan-20 0 "" "20 targets, 20 scanned, 0 failed" -- "$V" --cacheDB="$DB" --threads=8 -- "$@"
[ "$(cut -d';' -f1 "$DB/enum.fdb" | sort -u | wc -l)" -eq 20 ] || fail "enum.fdb: $(cut -d';' -f1 "$DB/enum.fdb" | sort -u | wc -l) hosts"
awk -F';' 'NF != 47 { bad = 1 } END { exit bad }' "$DB/enum.fdb" || fail "enum.fdb has records without 47 fields"
# ctys-vhost finds each host by its label and its address
check vhost-label 0 "PM;h007" "" -- "$BIN/ctys-vhost" -p "$DB" -o l,st 'F:3:^h007$'
check vhost-ip 0 "h013" "" -- "$BIN/ctys-vhost" -p "$DB" -o l "F:7:^${RIG_H013_IP//./\\.}\$"
# an existing DB needs --append or --replace
check exists 1 "" "give --append or --replace" -- "$V" --cacheDB="$DB" -- h001
# a host that is down keeps its records; the others are refreshed
rig_kill_sshd "$R" h005
check replace-one-down 255 "" "h005: scan failed" -- "$V" --replace --cacheDB="$DB" --threads=8 -- "$@"
check vhost-kept 0 "h005" "" -- "$BIN/ctys-vhost" -p "$DB" -o l 'F:3:^h005$'
[ "$(cut -d';' -f1 "$DB/enum.fdb" | sort -u | wc -l)" -eq 20 ] || fail "replace lost hosts"
# --replace with fewer targets drops the hosts that were not named
rig_start_sshd "$R" h005
check replace-fewer 0 "" "3 targets, 3 scanned" -- "$V" --replace --cacheDB="$DB" -- h001 h002 h003
[ "$(cut -d';' -f1 "$DB/enum.fdb" | sort -u | tr '\n' ' ')" = "h001 h002 h003 " ] || fail "replace: $(cut -d';' -f1 "$DB/enum.fdb" | sort -u | tr '\n' ' ')"
# --append adds
check append 0 "" "2 targets, 2 scanned" -- "$V" --append --cacheDB="$DB" -- h010 h011
[ "$(cut -d';' -f1 "$DB/enum.fdb" | sort -u | wc -l)" -eq 5 ] || fail "append: $(cut -d';' -f1 "$DB/enum.fdb" | sort -u | tr '\n' ' ')"
# --stdio prints the records and writes nothing
check stdio 0 "*" "" -- "$V" --stdio -- h001
[ "$(wc -l <"$T/out")" -ge 1 ] && awk -F';' 'NF != 47 { bad = 1 } END { exit bad }' "$T/out" || fail "stdio: $(cat "$T/out")"
finish
