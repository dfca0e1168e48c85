#!/bin/bash
# Name-service resolution before dispatch (remote-execution.md §5): the
# address of a CREATE/CANCEL job is completed from the cache DB, in front of
# the user's own suboptions; -c off and -c remote skip it; an ambiguous
# address exits 11; -c ...,ONLY makes a miss an error; HOST plugins and
# absolute IDs are left alone.
. "$(dirname "$0")/lib.sh"
C=$BIN/ctys
DB=$T/db
mkdir -p "$DB"
cp "$TOP/tests/fixtures/resolve/enum.fdb" "$TOP/tests/fixtures/resolve/macmap.fdb" "$DB/"
O="opts='-b ASYNC,PAR -c BOTH -L DISPLAYFORWARDING -p $DB -s USER -t QEMU'"

# the reference's observed example: records scanned by acue resolve for acue
check acue 0 "job=1 target=acue@lab01.soho via=ssh type=QEMU action=CREATE subopts=TCP:192.168.1.100,MAC:00:50:56:aa:00:01,UUID:u-100,LABEL:tst100,ID:/mntn/vmpool/tst100/tst100.ctys,FILENAME:tst100.ctys,LABEL:tst100,REUSE $O" "" -- \
	"$C" -n -p "$DB" -t qemu -a create=l:tst100,reuse acue@lab01.soho
# ... and not for another user (the cache is per scanning account)
check other-user 0 "job=1 target=root@lab01.soho via=ssh type=QEMU action=CREATE subopts=LABEL:tst100,REUSE $O" "" -- \
	"$C" -n -p "$DB" -t qemu -a create=l:tst100,reuse root@lab01.soho
# exact label: tst10 is not tst100 or tst101 (the original matched a regex)
check exact 0 "*" "" -- "$C" -n -p "$DB" -t qemu -a create=l:tst10 acue@lab01.soho
grep -q "subopts=LABEL:tst10 " "$T/out" || fail "exact: $(cat "$T/out")"
# by MAC, for CANCEL too; the user's own value still comes last and wins
check by-mac 0 "*" "" -- "$C" -n -p "$DB" -t qemu -a cancel=m:00:50:56:aa:00:02,poweroff acue@lab01.soho
grep -q "subopts=MAC:00:50:56:aa:00:02,UUID:u-101,LABEL:tst101,ID:/mntn/vmpool/tst101/tst101.ctys,FILENAME:tst101.ctys,MAC:00:50:56:aa:00:02,POWEROFF" "$T/out" ||
	fail "by-mac: $(cat "$T/out")"
# -c off / -c remote: no local resolution
check off 0 "*" "" -- "$C" -n -c off -p "$DB" -t qemu -a create=l:tst100 acue@lab01.soho
grep -q "subopts=LABEL:tst100 " "$T/out" || fail "off: $(cat "$T/out")"
check remote 0 "*" "" -- "$C" -n -c remote -p "$DB" -t qemu -a create=l:tst100 acue@lab01.soho
grep -q "subopts=LABEL:tst100 " "$T/out" || fail "remote: $(cat "$T/out")"
# absolute ID and HOST plugins are left alone
check abs-id 0 "*" "" -- "$C" -n -p "$DB" -t qemu -a create=p:/x/y.ctys acue@lab01.soho
grep -q "subopts=ID:/x/y.ctys " "$T/out" || fail "abs-id: $(cat "$T/out")"
# ambiguous: two machines labelled dup on lab01.soho
check ambiguous 11 "" "is ambiguous: 2 machines" -- "$C" -n -p "$DB" -t qemu -a create=l:dup acue@lab01.soho
# -c ...,ONLY: a miss is an error, nothing runs
check only 2 "" "no machine in the cache DB matches" -- "$C" -n -c local,only -p "$DB" -t qemu -a create=l:nosuch acue@lab01.soho
finish
