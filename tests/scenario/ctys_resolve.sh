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

# STACKCHECK of a VMSTACK CREATE on the records: lab01.soho hosts XEN only
# (STACKCAP), 2 CPUs; tst100 (on it) wants 4; tst200 runs inside tst100
G=$HOME/.ctys/groups
mkdir -p "$G"
printf 'acue@lab01.soho(-t PM -a create=t:lab01.soho,wol)\nacue@lab01.soho(-t QEMU -a create=l:tst100%s)\nacue@tst100(-t QEMU -a create=l:tst200)\n' "" >"$G/lab.VMSTACK"
cp "$DB/enum.fdb" "$T/enum.save"
{
	cat "$T/enum.save"
	printf 'lab01.soho;PM;lab01.soho;/etc/ctys.d/pm.conf;u-pm;;192.168.1.11;;;;;;;;;;;PM;ACTIVE;;XEN;;;;;;;lab01.soho;;;;;;;;;;x86_64;;4096;2;;;acue;;;\n'
	printf 'tst100;QEMU;tst200;/v/tst200.ctys;u-200;;;;;;;;;;;;;VM;ACTIVE;;;;;;;;;;;;;;;;;;;;;;;;;acue;;;\n'
} >"$DB/enum.fdb"
sed -i 's/^\(lab01.soho;QEMU;tst100;[^;]*;u-100;[^;]*;192.168.1.100\);;;;;;;;;;;VM;ACTIVE;;;;;;;;;;;;;;;;;;;;;;;;;acue/\1;;;;;;;;;;;VM;ACTIVE;;QEMU;;;;;;;tst100.soho;;;;;;;;;;x86_64;;1024;4;;;acue/' "$DB/enum.fdb"
grep -q "tst100.soho;;;;;;;;;;x86_64;;1024;4;" "$DB/enum.fdb" || fail "fixture edit: $(grep tst100.ctys "$DB/enum.fdb")"
check stackcap 1 "" "level 1 (QEMU, job 2): its container cannot host QEMU (STACKCAP XEN) (STACKCHECK:NOSTACKCAP skips this check)" -- \
	"$C" -n -p "$DB" lab.VMSTACK
printf 'acue@lab01.soho(-t PM -a create=t:lab01.soho,wol)\nacue@lab01.soho(-t QEMU -a create=l:tst100,stackcheck:nostackcap)\nacue@tst100(-t QEMU -a create=l:tst200)\n' >"$G/lab.VMSTACK"
check hwcap 1 "" "level 1 (QEMU, job 2): needs VCPU 4, its container has 2" -- "$C" -n -p "$DB" lab.VMSTACK
printf 'acue@lab01.soho(-t PM -a create=t:lab01.soho,wol)\nacue@lab01.soho(-t QEMU -a create=l:tst100,stackcheck:nostackcap%%nohwcap)\nacue@tst100(-t QEMU -a create=l:tst200)\n' >"$G/lab.VMSTACK"
check stackcheck-selected 0 "*" "" -- "$C" -n -p "$DB" lab.VMSTACK
[ "$(grep -c "group='VMSTACK#1'" "$T/out")" -eq 3 ] || fail "stack plan: $(cat "$T/out")"
# level 2 runs on 'lab01.soho', not inside tst100
printf 'acue@lab01.soho(-t PM -a create=t:lab01.soho,wol)\nacue@lab01.soho(-t QEMU -a create=l:tst100,stackcheck:off)\nacue@lab01.soho(-t QEMU -a create=l:tst101)\n' >"$G/lab.VMSTACK"
check context 1 "" "level 2 (QEMU, job 3): runs on 'lab01.soho', not on the machine the level below starts (tst100)" -- \
	"$C" -n -p "$DB" lab.VMSTACK
# -c off: no records, nothing checked
check stack-cache-off 0 "*" "" -- "$C" -n -c off -p "$DB" lab.VMSTACK
cp "$T/enum.save" "$DB/enum.fdb"
finish
