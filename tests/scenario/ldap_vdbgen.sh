#!/bin/bash
# ldap_vdbgen.sh — ctys-vdbgen --ldap publishes what the run wrote to the
# cache and deletes from the directory what --replace removed from it.
# The scan of localhost writes this machine's PM records (one per interface
# address): the directory must then answer exactly as the cache does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ldap_slapd.sh"
trap 'slapd_stop; rm -rf "$T"' EXIT
[ -x "$SLAPD" ] || { echo "SKIP: no slapd (apt-get install slapd ldap-utils)"; exit 0; }
L=$BIN/ctys-ldap V=$BIN/ctys-vhost D=$T/db
mkdir -p "$D"
slapd_start "$T/ldap" || exit 1
slapd_env
H=$(hostname)
ldap_gen 40 | sed "s/^pm0000\.lab;/$H;/" >"$D/enum.fdb"
: >"$D/macmap.fdb"
check "publish 40" 0 "published 2 host(s): 40 added, 0 modified, 0 deleted, 0 unchanged" "" -- \
	"$L" -p "$D" publish
check "this host has 20 records in the directory" 0 20 "" -- bash -c \
	"'$V' -p '$D' -C LDAP -o l 'F:1:^$H\$' | wc -l"
check "vdbgen --replace --ldap" 0 "" "0 modified, 40 deleted" -- \
	timeout 120 "$BIN/ctys-vdbgen" --replace --ldap --cacheDB="$D" -- localhost
# this machine's PM records (one per interface address) were published
"$V" -p "$D" -o l,t . >"$T/lmdb.out" 2>/dev/null
[ -s "$T/lmdb.out" ] || fail "the scan of localhost wrote no records"
check "the directory follows the cache" 0 "$(cat "$T/lmdb.out")" "" -- "$V" -p "$D" -C LDAP -o l,t .
check "vdbgen --ldap without settings fails" 2 "" "CTYS_LDAP_URI is not set" -- \
	env CTYS_LDAP_URI= timeout 120 "$BIN/ctys-vdbgen" --replace --ldap --cacheDB="$D" -- localhost
finish
