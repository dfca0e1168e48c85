#!/bin/bash
# ldap_tls.sh — StartTLS with a test CA made by openssl at test time: the
# right CA works, an unknown CA or no CA fails (never falling back to plain
# text), a URI list skips a dead URI, settings errors name the variable.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ldap_slapd.sh"
trap 'slapd_stop; rm -rf "$T"' EXIT
[ -x "$SLAPD" ] || { echo "SKIP: no slapd (apt-get install slapd ldap-utils)"; exit 0; }
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 0; }
L=$BIN/ctys-ldap V=$BIN/ctys-vhost
A=$T/a
mkdir -p "$A"
ldap_gen 40 >"$A/enum.fdb"
: >"$A/macmap.fdb"
slapd_start "$T/ldap" tls || exit 1
slapd_env
want=$(grep '^pm0001.lab;PM;' "$A/enum.fdb")

export CTYS_LDAP_TLS=starttls CTYS_LDAP_CACERT=$SLAPD_CA
check "publish over StartTLS" 0 \
	"published 2 host(s): 40 added, 0 modified, 0 deleted, 0 unchanged" "" -- "$L" -p "$A" publish
check "resolve over StartTLS" 0 "$want" "" -- "$L" -p "$A" resolve --no-cache pm0001
check "vhost -C LDAP over StartTLS" 0 "$("$V" -p "$A" -o l,t F:2:PM)" "" -- "$V" -p "$A" -C LDAP -o l,t F:2:PM

check "LDAPS with the test CA" 0 "$want" "" -- \
	env CTYS_LDAP_URI="$SLAPD_LDAPS_URI" CTYS_LDAP_TLS=ldaps "$L" -p "$A" resolve --no-cache pm0001
check "LDAPS with an unknown CA fails" 2 "" "directory unreachable: $SLAPD_LDAPS_URI" -- \
	env CTYS_LDAP_URI="$SLAPD_LDAPS_URI" CTYS_LDAP_CACERT="$SLAPD_CA.none" "$L" -p "$A" resolve --no-cache pm0001

# GROUPs as netgroups (over StartTLS too)
mkdir -p "$HOME/.ctys/groups"
printf 'root@pm1 pm2:2222\npm3'"'"'(-t qemu)'"'"'\n#include sub\n' >"$HOME/.ctys/groups/lab"
printf 'pm4\n' >"$HOME/.ctys/groups/sub"
check "publish group lab as a netgroup" 0 "netgroup lab: 4 host(s)" "" -- "$L" -p "$A" netgroup lab
check "the netgroup entry" 0 "$(printf 'nisNetgroupTriple: (pm1,,)\nnisNetgroupTriple: (pm2,,)\nnisNetgroupTriple: (pm3,,)\nnisNetgroupTriple: (pm4,,)')" "" -- \
	bash -c "LDAPTLS_CACERT='$SLAPD_CA' ldapsearch -ZZ -x -H '$SLAPD_URI' -b 'cn=lab,ou=netgroups,$SLAPD_BASE' -s base -LLL nisNetgroupTriple | grep '^nis' | sort"
check "an unknown group" 2 "" "sub2" -- "$L" -p "$A" netgroup sub2

# another CA: the server certificate must not verify
mkdir -p "$T/other"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=other CA" \
	-keyout "$T/other/ca.key" -out "$T/other/ca.crt" >/dev/null 2>&1
check "StartTLS with an unknown CA fails" 2 "" "StartTLS with $SLAPD_URI failed" -- \
	env CTYS_LDAP_CACERT="$T/other/ca.crt" "$L" -p "$A" resolve --no-cache pm0001
check "vhost -C LDAP: TLS failure falls back to the cache, stale note" 0 "*" "the data may be stale" -- \
	env CTYS_LDAP_CACERT="$T/other/ca.crt" "$V" -p "$A" -C LDAP -o l F:2:PM

# URI list: a dead loopback port first
dead="ldap://127.0.0.1:1"
check "URI list: the second URI answers" 0 "$want" "" -- \
	env CTYS_LDAP_URI="$dead $SLAPD_URI" "$L" -p "$A" resolve --no-cache pm0001

# settings errors
check "no base" 1 "*" "CTYS_LDAP_BASE is not set" -- env CTYS_LDAP_BASE= "$L" -p "$A" status
check "bad URI scheme" 1 "*" "is not an ldap://, ldaps:// or ldapi:// URI" -- \
	env CTYS_LDAP_URI=http://127.0.0.1/ "$L" -p "$A" status
check "bad TLS mode" 1 "*" "CTYS_LDAP_TLS: 'maybe'" -- env CTYS_LDAP_TLS=maybe "$L" -p "$A" status
check "missing password file" 2 "*" "cannot open bind password file" -- \
	env CTYS_LDAP_BINDPW_FILE="$T/none" "$L" -p "$A" status
finish
