#!/bin/bash
# ldap_nameservice.sh — the LDAP nameservice against a private slapd
# (ldap_slapd.sh; loopback and ldapi only, killed by PID on any exit):
# publish 10,000 records (add, then unchanged, then modify/delete/add),
# resolve by label/MAC/UUID/IP, ctys-vhost -C LDAP answers exactly as the
# LMDB cache for a set of queries, sync into an empty cache, incremental
# sync after 100 changes, directory down -> cache answers with a stale
# note, hostile filter values, bind password file mode.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ldap_slapd.sh"
trap 'slapd_stop; rm -rf "$T"' EXIT
[ -x "$SLAPD" ] || { echo "SKIP: no slapd (apt-get install slapd ldap-utils)"; exit 0; }
L=$BIN/ctys-ldap V=$BIN/ctys-vhost
A=$T/a B=$T/b
mkdir -p "$A"
ldap_gen 10000 >"$A/enum.fdb"
# mkrec host type label id uuid category: a 47-field record, state ACTIVE
mkrec() {
	local f=() i
	for i in $(seq 1 47); do f[i]=; done
	f[1]=$1 f[2]=$2 f[3]=$3 f[4]=$4 f[5]=$5 f[18]=$6 f[19]=ACTIVE
	(IFS=';'; printf '%s\n' "${f[*]}")
}
# two hostile labels on their own host
mkrec odd.host PM 'odd*(x)\y' /etc/ctys.d/pm.conf U-ODD PM >>"$A/enum.fdb"
mkrec odd.host QEMU odd /vm/odd.conf U-ODD2 VM >>"$A/enum.fdb"
: >"$A/macmap.fdb"
slapd_start "$T/ldap" || exit 1
slapd_env

# -- publish --
s=$(date +%s%N)
check "publish 10,002 records" 0 \
	"published 501 host(s): 10002 added, 0 modified, 0 deleted, 0 unchanged" "" -- "$L" -p "$A" publish
echo "publish: $((($(date +%s%N) - s) / 1000000)) ms"
check "publish again: nothing to do" 0 \
	"published 501 host(s): 0 added, 0 modified, 0 deleted, 10002 unchanged" "" -- "$L" -p "$A" publish
check "directory holds 10,002 records" 0 "10002" "" -- bash -c \
	"ldapsearch -x -H '$SLAPD_URI' -b '$SLAPD_BASE' -LLL '(objectClass=ctysMachine)' 1.1 | grep -c '^dn:'"
check "RFC 2307 view: ipHost by ipHostNumber" 0 "cn: vm012305" "" -- bash -c \
	"ldapsearch -x -H '$SLAPD_URI' -b '$SLAPD_BASE' -LLL '(&(objectClass=ipHost)(ipHostNumber=10.0.123.6))' cn | grep '^cn:'"

# -- resolve (directory only, then cache first) --
line() { grep -F ";$1;" "$A/enum.fdb" | head -1; }
want=$(grep '^pm0123.lab;XEN;vm012304;' "$A/enum.fdb")
for k in vm012304 00:50:56:00:7B:04 4c4c4544-007b-0004-8000-0000000009a0 10.0.123.5; do
	check "resolve $k through LDAP" 0 "$want" "" -- "$L" -p "$A" resolve --no-cache "$k"
done
check "resolve from the cache first" 0 "$want" "" -- "$L" -p "$A" resolve vm012304
check "resolve: unknown name" 2 "" "'nosuchvm' is neither in the cache nor in the directory" -- \
	"$L" -p "$A" resolve --no-cache nosuchvm

# -- ctys-vhost: directory answers == LMDB answers --
queries=(
	"-o l,t vm01230"                      # substring (ctysRecordLine)
	"-o machine F:3:^vm012304\$"          # exact label (index, field 32)
	"-o l,st,pm F:6:^00:50:56:00:7B:0"    # MAC prefix
	"-o l F:5:^4c4c4544-007b-0004-8000-0000000009a0\$"
	"-o l,t F:7:^10.0.123.5\$"
	"-o index,l F:1:^pm0042.lab\$"
	"-o l F:2:XEN and F:19:BACKUP and vm00"
	"-o l pm00 and not F:2:PM and F:38:i386"
	"-o l vm000101 or vm000202 ."
	"-o l R:5000:5003"
	"-o l E:28:1 and pm004"
	"-o ctys pm0007"
	"-o l -M unique vm004501"
	"-o l -M first,last F:2:VMW"
	"-o tab_gen:3_label_10%2_type_5%7_tcp_12 vm00070"
	"-o l odd"
	"-o l,u odd\\*"
	"-o l odd\\*\\(x\\)"
	"-o l F:3:^odd\\*"
	"-o l F:3:\\*"
)
same_answers() { # query...: -C LDAP and the LMDB cache give the same stdout and status
	local q
	for q in "$@"; do
		# shellcheck disable=SC2086
		"$V" -p "$A" $q >"$T/lmdb.out" 2>"$T/lmdb.err"; r1=$?
		# shellcheck disable=SC2086
		"$V" -p "$A" -C LDAP $q >"$T/ldap.out" 2>"$T/ldap.err"; r2=$?
		if [ "$r1" -ne "$r2" ] || ! cmp -s "$T/lmdb.out" "$T/ldap.out"; then
			fail "ctys-vhost -C LDAP $q: differs from LMDB (rc $r2 vs $r1): $(diff "$T/lmdb.out" "$T/ldap.out" | head -5)"
		elif [ ! -s "$T/lmdb.out" ] && [ "$q" != "-o l -M unique vm004501" ]; then
			fail "ctys-vhost $q: empty on both sides (the test cannot fail)"
		fi
	done
}
same_answers "${queries[@]}"
check "-C LDAP hostile label found exactly" 0 'odd*(x)\y' "" -- "$V" -p "$A" -C LDAP -o l 'F:3:^odd\*\(x\)\\y$'

# -- hostile values in LDAP filters: escaped, never wildcards --
check "resolve '*' is a literal, not a wildcard" 2 "" "neither" -- "$L" -p "$A" resolve --no-cache '*'
check "resolve ')(' cannot break the filter" 2 "" "neither" -- "$L" -p "$A" resolve --no-cache '*)(ctysLabel=*'
check "resolve a backslash value" 2 "" "neither" -- "$L" -p "$A" resolve --no-cache '\2a'
check "resolve the hostile label exactly" 0 "$(grep -F 'odd*(x)' "$A/enum.fdb")" "" -- \
	"$L" -p "$A" resolve --no-cache 'odd*(x)\y'

# -- sync into an empty cache --
check "full sync into an empty cache" 0 "*" "" -- "$L" -p "$B" sync
grep -q "^full sync: 10002 records, 501 host(s) written" "$T/out" || fail "full sync: $(cat "$T/out")"
"$V" -p "$A" -o machine . >"$T/a.all"; "$V" -p "$B" -o machine . >"$T/b.all"
cmp -s "$T/a.all" "$T/b.all" || fail "synced cache differs: $(diff "$T/a.all" "$T/b.all" | head -3)"
[ "$(wc -l <"$T/b.all")" -eq 10002 ] || fail "synced cache has $(wc -l <"$T/b.all") records"

# -- 100 changes, publish, incremental sync: 80 changed entries (+ the last
# one of the previous sync) and the hosts with deletions re-read --
sleep 1  # modifyTimestamp has one-second resolution: changes land in a later second
awk -F';' -v OFS=';' '
	/^pm00[0-9][0-9]\.lab;(XEN|VMW);/ && n < 60 { $19 = "BROKEN"; n++; print; next }   # 60 modified
	/^pm001[0-9]\.lab;QEMU;/ && d < 20 { d++; next }                              # 20 deleted
	{ print }
' "$A/enum.fdb" >"$T/enum.new" && mv "$T/enum.new" "$A/enum.fdb"
for i in $(seq -w 0 19); do mkrec pm0300.lab QEMU "new$i" "/vm/new$i.conf" "UN$i" VM; done >>"$A/enum.fdb"
check "publish 100 changes" 0 \
	"published 501 host(s): 20 added, 60 modified, 20 deleted, 9922 unchanged" "" -- "$L" -p "$A" publish
# the record index (field 32) follows added and deleted records
same_answers "-o index,l F:1:^pm0300.lab\$" "-o machine F:3:^vm045005\$" "-o index,l new1" \
	"-o l R:300:302"
check "incremental sync" 0 "*" "" -- "$L" -p "$B" sync
grep -q "^incremental sync: 8[01] changed entries, .* 0 removed" "$T/out" || fail "incremental sync: $(cat "$T/out")"
"$V" -p "$A" -o machine . >"$T/a.all"; "$V" -p "$B" -o machine . >"$T/b.all"
cmp -s "$T/a.all" "$T/b.all" || fail "after incremental sync: $(diff "$T/a.all" "$T/b.all" | head -3)"
# many changed hosts (>= 64): one enum.fdb import instead of a commit per host
awk -F';' -v OFS=';' 'NR % 20 == 3 && n++ < 200 { $19 = "MANY" } { print }' "$A/enum.fdb" >"$T/e" &&
	mv "$T/e" "$A/enum.fdb"
check "publish 200 changes on 200 hosts" 0 \
	"published 501 host(s): 0 added, 200 modified, 0 deleted, 9802 unchanged" "" -- "$L" -p "$A" publish
check "incremental sync of 200 hosts" 0 "*" "" -- "$L" -p "$B" sync
grep -q "^incremental sync: 20[01] changed entries, 20[01] host(s) patched" "$T/out" ||
	fail "incremental sync (200 hosts): $(cat "$T/out")"
"$V" -p "$A" -o machine . >"$T/a.all"; "$V" -p "$B" -o machine . >"$T/b.all"
cmp -s "$T/a.all" "$T/b.all" || fail "after the 200-host sync: $(diff "$T/a.all" "$T/b.all" | head -3)"
check "a deleted host leaves the cache" 0 "*" "" -- bash -c \
	"grep -v '^odd.host;' '$A/enum.fdb' >'$T/e' && mv '$T/e' '$A/enum.fdb' && '$L' -p '$A' publish --prune && '$L' -p '$B' sync"
check "  odd.host is gone" 0 "" "" -- "$V" -p "$B" -o l 'F:1:^odd.host$'

# -- bind password file must be 0600 --
chmod 644 "$T/bindpw"
check "bind password file 0644 refused" 1 "*" "must be a regular file of mode 0600" -- "$L" -p "$A" status
chmod 600 "$T/bindpw"

# -- ldapi:// with SASL EXTERNAL (read) --
check "ldapi + SASL EXTERNAL" 0 "$want" "" -- env CTYS_LDAP_URI="$SLAPD_LDAPI" CTYS_LDAP_BINDDN= \
	CTYS_LDAP_BINDPW_FILE= CTYS_LDAP_SASL_MECH=EXTERNAL "$L" -p "$A" resolve --no-cache vm012304

# -- directory down: the cache answers and says it may be stale --
"$V" -p "$B" -o machine . >"$T/b.all"
slapd_stop
check "vhost -C LDAP with the directory down" 0 "$("$V" -p "$B" -o l,t vm01230)" \
	"the data may be stale" -- "$V" -p "$B" -C LDAP -o l,t vm01230
check "sync with the directory down keeps the cache" 2 "" "directory unreachable: $SLAPD_URI" -- \
	"$L" -p "$B" sync
"$V" -p "$B" -o machine . >"$T/b.after"
cmp -s "$T/b.all" "$T/b.after" || fail "a failed sync changed the cache"
check "resolve with the directory down" 2 "" "the data may be stale" -- "$L" -p "$B" resolve nosuchvm
check "URI list: the second URI answers... none here" 0 "$want" "" -- \
	"$L" -p "$B" resolve vm012304
finish
