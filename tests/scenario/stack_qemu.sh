#!/bin/bash
# VMSTACKs end to end on real layers (stacks.md):
#   root ns --ssh--> pm1 (rig host) --QEMU TCG--> tg1 (guest: sshd, ctys-agent)
#                                                  --QEMU in tg1--> nd1 (disk-less VM)
# plus tn1 on pm1, a guest that ignores every shutdown request.
# CREATE of a .VMSTACK group runs bottom-up and waits (SSHPING) for tg1
# before nd1 starts inside it; -n shows the levels; the running stack's
# CREATE again is refused, with -k REUSE:1 keeps tg1 only, with -k REUSE:2
# keeps both; SUSPEND of pm1's stack
# goes top-down (nd1 saved inside tg1, tg1 paused: QEMU cannot save a guest
# with a 9p share) and CREATE=RESUME brings it back bottom-up with state
# kept; CANCEL STACK goes top-down with the order asserted; tn1 is escalated
# to FORCE after its TIMEOUT; a VM whose agent cannot be reached falls back
# to its hypervisor; FORCE does not propagate; SELF runs the machine's own
# halt (a recording command on the rig host); bad stacks are refused.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64 (package qemu-system-x86)"; exit 0; }
. "$TOP/tests/guest/guest.sh"
guest_build || { echo "SKIP: the test guest cannot be built here"; exit 0; }
. "$TOP/tests/rig/rig.sh"
R=$T/rig
QRUN=
trap 'guest_kill_all "$QRUN"; rm -rf "$T"' EXIT
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" chain:1 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=5 CTYS_TIMEOUT=300
QRUN=$RIG_PM1_RUN/ctys/qemu
C=$BIN/ctys

GUEST_MEM=512 guest_rig_add tg1 10022 1 "$RIG_PM1_HOME" || exit 1
guest_rig_add tn1 10023 0 "$RIG_PM1_HOME" || exit 1
# tn1 ignores its agent's halt too
echo 'CTYS_PM_HALT=true' >"$T/guest-tn1/home/.ctys/pm/pm.conf-Linux.sh"
# nd1 runs inside tg1; nd9 on pm1 has a forwarded port nobody answers on
mkdir -p "$T/vms2/nd1" "$T/vms9/nd9"
printf '#@#MAGICID-QEMU\nLABEL=nd1\nMEMSIZE=32\nACCELERATOR=QEMU\nBOOTMODE=PXE\n' >"$T/vms2/nd1/nd1.ctys"
printf '#@#MAGICID-QEMU\nLABEL=nd9\nMEMSIZE=32\nACCELERATOR=QEMU\nBOOTMODE=PXE\nMAC0=52:54:00:c7:09:09\nNETFWD=10029:22\n' >"$T/vms9/nd9/nd9.ctys"
# pm1 records its own halt instead of halting the machine under the rig
mkdir -p "$RIG_PM1_HOME/.ctys/pm"
echo "CTYS_PM_HALT='echo halted >>$T/pm1-halt'" >"$RIG_PM1_HOME/.ctys/pm/pm.conf-Linux.sh"
G=$HOME/.ctys/groups
mkdir -p "$G"
printf "pm1'(-t QEMU -a create=l:tg1,b:%s,console:none)'\npm1[tg1]'(-t QEMU -a create=l:nd1,b:%s,console:none)'\n" \
	"$T/vms" "$T/vms2" >"$G/lab.VMSTACK"
printf "pm1'(-t QEMU -a create=l:tg1,b:%s,resume)'\npm1[tg1]'(-t QEMU -a create=l:nd1,b:%s,resume)'\n" \
	"$T/vms" "$T/vms2" >"$G/labr.VMSTACK"

# ---- bad stacks are refused before anything runs ----
printf "pm1'(-t QEMU -a create=l:tg1)'\npm1[tg1]'(-t PM -a create=t:x,mac:00:11:22:33:44:55)'\n" >"$G/badpm.VMSTACK"
check stack-pm-level 1 "" "level 1 is a PM: a PM is allowed only at level 0" -- "$C" -n badpm.VMSTACK
printf "pm1'(-t QEMU -a create=l:tg1)'\npm1[tg1]'(-t QEMU -a list)'\n" >"$G/badmix.VMSTACK"
check stack-mixed 1 "" "a stack supports CREATE (bottom-up) and CANCEL (top-down)" -- "$C" -n badmix.VMSTACK
printf '#include cyc.VMSTACK\n' >"$G/cyc.VMSTACK"
check stack-cycle 2 "" "cyc.VMSTACK -> cyc.VMSTACK" -- "$C" -n cyc.VMSTACK
printf '# no levels\n' >"$G/empty.VMSTACK"
check stack-empty 1 "" "VMSTACK group 'empty.VMSTACK' has no levels" -- "$C" -n empty.VMSTACK
printf "pm1'(-t QEMU -a create=l:tg1)'\npm1[nosuchvm]'(-t QEMU -a create=l:nd1)'\n" >"$G/unknown.VMSTACK"
check stack-unknown-level 2 "" "stack level 1 'nosuchvm' cannot be found" -- "$C" -n unknown.VMSTACK
check pm-force-noself 1 "" "FORCE requires SELF" -- "$C" -t PM -a cancel=FORCE,POWEROFF pm1
[ -e "$QRUN/tg1.pid" ] && fail "a refused stack started something"

# ---- -n: the levels in order, each waiting for its guest ----
check plan 0 "*" "" -- "$C" -n lab.VMSTACK
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "plan: $(cat "$T/out")"
head -n 1 "$T/out" | grep -q "job=1 target=tester@pm1 .*type=QEMU action=CREATE subopts=LABEL:tg1,.*,SSHPING opts='-b SYNC,SEQ,STACK" ||
	fail "plan level 0: $(cat "$T/out")"
tail -n 1 "$T/out" | grep -q "job=2 target='tester@pm1\[tester@tg1\]' .*subopts=LABEL:nd1,BASEPATH:$T/vms2,CONSOLE:none opts=" ||
	fail "plan level 1 (the top level does not wait): $(cat "$T/out")"

# ---- CREATE bottom-up: tg1 answers before nd1 starts inside it ----
check create 0 "*" "" -- "$C" lab.VMSTACK
grep -q '^started tg1: pid' "$T/out" && grep -q '^started nd1: pid' "$T/out" || fail "create: $(cat "$T/out")"
[ "$(grep '^started' "$T/out" | awk '{print $2}' | tr -d ':' | tr '\n' ' ')" = "tg1 nd1 " ] || fail "create order: $(cat "$T/out")"
check nd1-inside 0 "*" "" -- "$C" -t qemu -a list=machine 'pm1[tg1]'
grep -q ';QEMU;nd1;' "$T/out" || fail "nd1 does not run inside tg1: $(cat "$T/out")"
check mark 0 "" "" -- "$C" -t cli -a "create=l:t,cmd:echo%kept-$$%>/dev/shm/mark" 'pm1[tg1]'

# ---- the stack again: refused while it runs; -k REUSE:1 keeps only the
# bottom (nd1 still refused), -k REUSE:2 keeps every level ----
check again 1 "*" "tg1 is already running" -- "$C" lab.VMSTACK
check reuse-k1 1 "*" "nd1 is already running" -- "$C" -k reuse:1 lab.VMSTACK
grep -q '^running tg1: pid' "$T/out" || fail "reuse-k1: tg1 not kept: $(cat "$T/out")"
check reuse-k2 0 "*" "" -- "$C" -k reuse:2 lab.VMSTACK
[ "$(grep '^running' "$T/out" | awk '{print $2}' | tr -d ':' | tr '\n' ' ')" = "tg1 nd1 " ] &&
	! grep -q '^started' "$T/out" || fail "reuse-k2: $(cat "$T/out")"

# ---- SUSPEND of pm1's stack, top-down; RESUME bottom-up with state kept ----
check suspend 0 "*" "Migration is disabled" -- "$C" -t PM -a cancel=SUSPEND,TIMEOUT:60 pm1
grep -q '^nd1: suspended to ' "$T/out" || fail "suspend: nd1 not saved: $(cat "$T/out")"
grep -q '^stack: tg1: SUSPEND refused (.*): PAUSE instead$' "$T/out" || fail "suspend: tg1: $(cat "$T/out")"
n1=$(grep -n '^nd1: suspended' "$T/out" | cut -d: -f1)
n2=$(grep -n '^stack: tg1: SUSPEND refused' "$T/out" | cut -d: -f1)
[ -n "$n1" ] && [ -n "$n2" ] && [ "$n1" -lt "$n2" ] || fail "suspend is not top-down: $(cat "$T/out")"
check resume 0 "*" "" -- "$C" labr.VMSTACK
grep -q '^resumed (cont) tg1:' "$T/out" || fail "resume tg1: $(cat "$T/out")"
grep -q '^resumed from SUSPEND image nd1:' "$T/out" || fail "resume nd1: $(cat "$T/out")"
check kept 0 "kept-$$" "" -- "$C" -t cli -a "create=l:t,cmd:cat%/dev/shm/mark" 'pm1[tg1]'

# ---- CANCEL STACK top-down; pm1 itself stays (no SELF) ----
check cancel 0 "*" "" -- "$C" -t PM -a cancel=POWEROFF,TIMEOUT:60 pm1
a=$(grep -n '^nd1: ended by ' "$T/out" | cut -d: -f1)
b=$(grep -n '^stack: tg1: ended (' "$T/out" | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || fail "cancel is not top-down (nd1 then tg1): $(cat "$T/out")"
grep -q '^stack: tg1: POWEROFF through its agent at 127.0.0.1:10022$' "$T/out" || fail "cancel: $(cat "$T/out")"
[ -e "$T/pm1-halt" ] && fail "pm1 halted without SELF"
check none-left 0 "" "" -- "$C" -t qemu -a list=machine pm1

# ---- a level that ignores shutdown is escalated after its TIMEOUT ----
check create-tn1 0 "*" "" -- "$C" -t qemu -a "create=l:tn1,b:$T/vms,console:none,sshping:60%1" pm1
t0=$(date +%s)
check escalate 0 "*" "" -- "$C" -t qemu -a cancel=l:tn1,poweroff:2,timeout:5 pm1
grep -q '^stack: tn1: did not stop within 5 s: escalated to FORCE$' "$T/out" || fail "escalate: $(cat "$T/out")"
grep -q '^tn1: ended by \(QMP quit\|SIGKILL\) after' "$T/out" || fail "escalate end: $(cat "$T/out")"
[ $(($(date +%s) - t0)) -le 60 ] || fail "escalation took more than 60 s"

# ---- an unreachable level falls back to its hypervisor; FORCE does not propagate ----
check create-nd9 0 "*" "" -- "$C" -t qemu -a "create=l:nd9,b:$T/vms9,console:none" pm1
CTYS_CONNECT_TIMEOUT=2 check unreachable 0 "*" "cannot connect to '127.0.0.1'" -- "$C" -t qemu -a cancel=l:nd9,poweroff:1,timeout:10 pm1
grep -q '^stack: nd9: agent unreachable: hypervisor POWEROFF$' "$T/out" || fail "unreachable: $(cat "$T/out")"
grep -q '^nd9: ended by ' "$T/out" || fail "unreachable end: $(cat "$T/out")"
check create-nd9b 0 "*" "" -- "$C" -t qemu -a "create=l:nd9,b:$T/vms9,console:none" pm1
check force 0 "*" "" -- "$C" -t qemu -a cancel=l:nd9,force,poweroff:0 pm1
grep -q '^stack:' "$T/out" && fail "FORCE propagated: $(cat "$T/out")"
grep -q '^nd9: ended by QMP quit' "$T/out" || fail "force: $(cat "$T/out")"

# ---- SELF: the machine's own halt after its (no longer running) guests ----
check self 0 "*" "" -- "$C" -t PM -a cancel=SELF,POWEROFF:0 pm1
[ "$(cat "$T/pm1-halt" 2>/dev/null)" = halted ] || fail "SELF did not run pm1's halt"
finish
