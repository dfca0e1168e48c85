#!/bin/bash
# ctys resolves a machine address through the LDAP directory when the local
# cache DB knows nothing (order: LMDB, then LDAP, then the target's scan).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ldap_slapd.sh"
trap 'slapd_stop; rm -rf "$T"' EXIT
[ -x "$SLAPD" ] || { echo "SKIP: no slapd (apt-get install slapd ldap-utils)"; exit 0; }
C=$BIN/ctys
PUB=$T/pub EMPTY=$T/empty
mkdir -p "$PUB" "$EMPTY"
slapd_start "$T/ldap" || exit 1
slapd_env
cp "$TOP/tests/fixtures/resolve/enum.fdb" "$TOP/tests/fixtures/resolve/macmap.fdb" "$PUB/"
: >"$EMPTY/enum.fdb"
: >"$EMPTY/macmap.fdb"
check publish 0 "*" "" -- "$BIN/ctys-ldap" -p "$PUB" publish
# the local cache is empty: the directory answers
check via-ldap 0 "*" "" -- "$C" -n -p "$EMPTY" -t qemu -a create=l:tst100,reuse acue@lab01.soho
grep -q "subopts=TCP:192.168.1.100,MAC:00:50:56:aa:00:01,UUID:u-100,LABEL:tst100,ID:/mntn/vmpool/tst100/tst100.ctys,FILENAME:tst100.ctys,LABEL:tst100,REUSE" "$T/out" ||
	fail "via-ldap: $(cat "$T/out")"
check ambiguous-ldap 11 "" "is ambiguous" -- "$C" -n -p "$EMPTY" -t qemu -a create=l:dup acue@lab01.soho
# libldap is loaded on first use: without it, a clear error or a warning
check ldap-lib-missing 1 "" "LDAP directory support is not available: /nonexistent/libldap.so.2" -- \
	env CTYS_LDAP_LIB=/nonexistent/libldap.so.2 "$BIN/ctys-ldap" -p "$PUB" publish
check ldap-lib-wrong 0 "*" "libc.so.6 has no ber_bvdup" -- \
	env CTYS_LDAP_LIB=libc.so.6 "$C" -n -p "$EMPTY" -t qemu -a create=l:tst100 acue@lab01.soho
grep -q "subopts=LABEL:tst100 " "$T/out" || fail "ldap-lib-wrong: $(cat "$T/out")"
# the directory is down: a warning at most, the job goes on unresolved
slapd_stop
check ldap-down 0 "*" "LDAP directory not used for name resolution: directory unreachable" -- "$C" -n -p "$EMPTY" -t qemu -a create=l:tst100 acue@lab01.soho
grep -q "subopts=LABEL:tst100 " "$T/out" || fail "ldap-down: $(cat "$T/out")"
finish
