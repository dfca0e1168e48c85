#!/bin/bash
# cache_macmap.sh — ctys-macmap end to end: field selection and order,
# sorting, MAC arguments uppercased, -u, several DB directories, errors.
set -u
# no DNS lookups: tests send nothing beyond loopback
export CTYS_NORESOLVE=1
cd "$(dirname "$0")/../.." || exit 2
M=$PWD/bin/ctys-macmap
T=$(mktemp -d /tmp/ctys-test-XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME=$T
mkdir -p "$T/a" "$T/b"
printf 'tst200.soho;00:16:3E:00:02:00;192.168.1.200;\nlab01.soho;00:11:22:33:44:01;192.168.1.11;\n' >"$T/a/macmap.fdb"
printf 'mixed.soho;00:aa:bb:cc:dd:ee;10.0.0.9;\n' >"$T/b/macmap.fdb"
fail=0
check() {
	local want_rc=$1 want=$2 got rc
	shift 2
	got=$("$M" "$@" 2>"$T/err")
	rc=$?
	if [ "$rc" != "$want_rc" ] || [ "$got" != "$want" ]; then
		echo "FAIL: ctys-macmap $* -> rc=$rc: $got (stderr: $(cat "$T/err"))"
		fail=1
	fi
}
nl=$'\n'
check 0 "lab01.soho;00:11:22:33:44:01;192.168.1.11${nl}tst200.soho;00:16:3E:00:02:00;192.168.1.200" -p "$T/a" soho
check 0 "192.168.1.200" -p "$T/a" -i tst200
check 0 "tst200.soho;192.168.1.200" -p "$T/a" -i -n 00:16:3e:00:02:00
check 0 "00:11:22:33:44:01" -p "$T/a" -m lab01
check 0 "" -p "$T/a:$T/b" -n 00:aa:bb:cc:dd:ee
check 0 "MIXED.SOHO" -p "$T/a:$T/b" -u -n 00:aa:bb:cc:dd:ee
check 1 "" -p "$T/nonexistent" x
grep -q "Missing macmap.fdb" "$T/err" || { echo "FAIL: missing message"; fail=1; }
check 1 "" -p "$T/a" 'x('
[ "$fail" = 0 ] && echo "cache_macmap: all ok"
exit $fail
