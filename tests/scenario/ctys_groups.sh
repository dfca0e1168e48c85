#!/bin/bash
# ctys -n with real group and macro files: groups usable wherever a host
# is, nested, CONTEXT superposed, .VMSTACK files, MACRO: references.
. "$(dirname "$0")/lib.sh"
C=$BIN/ctys
G=$HOME/.ctys/groups
mkdir -p "$G/sub"
# the reference's example files A, B, C (addressing-groups-macros.md §2.3)
printf '# comment\nh1\nh2(-d 2)\n' >"$G/A"
printf '#include A\nh3\n' >"$G/B"
printf "CONTEXT'(-b sync)'\nh4\nu5@h5'(-c off)'\n" >"$G/C"
printf 'pm1(-t PM -a create=t:pm1,wol)\npm1(-t QEMU -a create=l:vm1)\nvm1(-t QEMU -a create=l:vm2)\n' >"$G/sub/lab.VMSTACK"
printf 'hello = -a list\n' >"$T/macros"

L="subopts=BOTH,TAB_TCP,DNS"
O="opts='-b SYNC,PAR -c BOTH -L DISPLAYFORWARDING -s ALL'"
check group-B 0 "job=1 target=tester@h3 via=ssh group=B type=ALL action=LIST $L $O
job=2 target=tester@h1 via=ssh group=B type=ALL action=LIST $L $O
job=3 target=tester@h2 via=ssh group=B type=ALL action=LIST $L $O ropts='-d 2'" "" -- "$C" -n -a list B
check group-C 0 "job=1 target=tester@h4 via=ssh group=C type=ALL action=LIST $L $O
job=2 target=u5@h5 via=ssh group=C type=ALL action=LIST $L opts='-b SYNC,PAR -c OFF -L DISPLAYFORWARDING -s ALL'
job=3 target=tester@x via=ssh type=ALL action=LIST $L opts='-b SYNC,PAR -c OFF -L DISPLAYFORWARDING -s ALL'" "" -- "$C" -n -a list C x
check group-in-stack-order 0 "*" "" -- "$C" -n sub/lab.VMSTACK
grep -q "job=2 target=tester@pm1 .*type=QEMU action=CREATE subopts=LABEL:vm1,SSHPING opts=" "$T/out" || fail "VMSTACK level 2 does not wait: $(cat "$T/out")"
[ "$(grep -c "group='VMSTACK#1'" "$T/out")" -eq 3 ] || fail "VMSTACK group: $(cat "$T/out")"
grep -q "job=3 target=tester@vm1 .*type=QEMU action=CREATE subopts=LABEL:vm2 opts='-b SYNC,SEQ,STACK" "$T/out" ||
	fail "VMSTACK level 3: $(cat "$T/out")"
# CANCEL of a stack runs top-down: the levels reversed
printf 'pm1(-t QEMU -a cancel=l:vm1)\nvm1(-t QEMU -a cancel=l:vm2)\n' >"$G/down.VMSTACK"
check stack-cancel-order 0 "*" "" -- "$C" -n down.VMSTACK
[ "$(sed -n 's/^job=\([0-9]\) .*subopts=LABEL:\(vm[12]\).*/\1\2/p' "$T/out" | tr '\n' ' ')" = "1vm2 2vm1 " ] ||
	fail "stack CANCEL is not top-down: $(cat "$T/out")"
check macro 0 "job=1 target=tester@h9 via=ssh type=ALL action=LIST $L $O" "" -- "$C" -n "MACRO:hello%$T/macros" h9
check macro-missing 1 "" "nosuch" -- "$C" -n "macro:nosuch%$T/macros" h9
printf '#include D\nh1\n' >"$G/D"
check group-cycle 2 "" "D -> D" -- "$C" -n -a list D
# the shipped compat groups load and plan
for g in tst/tst001/ctys-tst-001 desktops/tst/ctys-lab db/ctys-allVMs; do
	cp -r "$TOP/../shared/compat/groups/." "$G/"
	check "compat-$g" 0 "*" "" -- "$C" -n -a list "$g"
	[ -s "$T/out" ] || fail "compat group $g planned no job"
done
finish
