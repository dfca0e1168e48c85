#!/bin/bash
# The QEMU plugin with a real, SSH-reachable guest (tests/guest/guest.sh: the
# Debian kernel, the host's root over 9p, the host's sshd and this tree's
# ctys-agent) started by ctys on a rig host: PM -> VM propagation.
#   root ns --ssh--> pm1 (rig host) --qemu TCG, hostfwd on pm1's loopback--> tg1
# tg1 is reachable only through pm1.  CREATE with PING/SSHPING waits until
# the guest answers; jobs then run in the guest through its agent (CHAIN and
# STAR); LIST/ISACTIVE from pm1; PAUSE and continue; SUSPEND is refused by
# QEMU while the 9p share is mounted (the message says so); POWEROFF ends the
# guest through ACPI; a guest without acpid is quit after the delay.
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
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=5 CTYS_TIMEOUT=150
QRUN=$RIG_PM1_RUN/ctys/qemu
C=$BIN/ctys

# ---- two guests: tg1 with acpid, tn1 without ----
guest_rig_add tg1 10022 1 "$RIG_PM1_HOME" || exit 1
guest_rig_add tn1 10023 0 "$RIG_PM1_HOME" || exit 1
B=b:$T/vms

check enum 0 "*" "" -- "$C" -t qemu -a "enumerate=machine,$B" pm1
[ "$(cut -d';' -f2,3 "$T/out" | sort | tr '\n' ' ')" = "QEMU;tg1 QEMU;tn1 " ] || fail "enum: $(cat "$T/out")"

# ---- bad input before anything starts ----
check bad-sshping 1 "" "invalid SSHPING 'x'" -- "$C" -t qemu -a "create=l:tg1,$B,sshping:x" pm1

# ---- CREATE waits until the guest's sshd answers: the next job just works ----
t0=$(date +%s%N)
check create 0 "*" "SSHPING: 127.0.0.1 port 10022 answers after" -- "$C" -v -t qemu -a "create=l:tg1,$B,console:none,ping:60%1,sshping:60%1" pm1
t1=$(date +%s%N)
grep -q '^started tg1: pid [0-9]*, TCG' "$T/out" || fail "create: $(cat "$T/out")"
grep -q GUEST-READY "$QRUN/tg1.serial" || fail "tg1's console: $(tail -c 2000 "$QRUN/tg1.serial")"
grep -q "PING: 127.0.0.1 port 10022 answers after" "$T/err" || fail "create: no PING line: $(cat "$T/err")"
echo "create -> ssh ready: $(((t1 - t0) / 1000000)) ms"
for mode in CHAIN STAR; do
	check "$mode-hostname" 0 "tg1" "" -- "$C" -x "$mode" -t cli -a "create=l:t,cmd:hostname" 'pm1[tg1]'
done
check info 0 "*" "" -- "$C" -a info 'pm1[tg1]'
grep -qx "Node:tg1" "$T/out" || fail "info through the guest: $(cat "$T/out")"
# the guest's agent runs the plugins there: LIST of PMs reports tg1 itself
check guest-list 0 "*" "" -- "$C" -a list=machine,pkg:pm 'pm1[tg1]'
grep -q "^tg1;PM;tg1;" "$T/out" || fail "list inside the guest: $(cat "$T/out")"

# ---- LIST and ISACTIVE on pm1 ----
check list 0 "*" "" -- "$C" -t qemu -a list=machine pm1
grep -q "^[^;]*;QEMU;tg1;$T/vms/tg1/tg1.ctys;" "$T/out" || fail "list: $(cat "$T/out")"
check isactive 0 "ISACTIVE(QEMU,tg1)=0" "" -- "$C" -t qemu -a isactive=tg1 pm1

# ---- PAUSE: the guest stops answering; RESUME continues it ----
check pause 0 "*" "" -- "$C" -t qemu -a cancel=l:tg1,pause pm1
CTYS_CONNECT_TIMEOUT=2 CTYS_TIMEOUT=6 check paused-ssh 255 "" "cannot reach 'tg1'" -- "$C" -t cli -a "create=l:t,cmd:true" 'pm1[tg1]'
check resume 0 "*" "" -- "$C" -t qemu -a "create=l:tg1,$B,resume,sshping:30%1" pm1
check resumed-ssh 0 "tg1" "" -- "$C" -t cli -a "create=l:t,cmd:hostname" 'pm1[tg1]'

# ---- SUSPEND: QEMU cannot save a guest with a mounted 9p share; said plainly ----
check suspend-9p 2 "" "Migration is disabled" -- "$C" -t qemu -a cancel=l:tg1,suspend pm1
check still-up 0 "tg1" "" -- "$C" -t cli -a "create=l:t,cmd:hostname" 'pm1[tg1]'

# ---- POWEROFF of a guest whose agent cannot be reached (pm1 no longer trusts
# its host key): the hypervisor's sequence, and acpid in the guest obeys ACPI ----
P=$(cat "$QRUN/tg1.pid")
sed -i '/^\[127.0.0.1\]:10022 /d' "$RIG_PM1_HOME/.ssh/known_hosts"
check poweroff-acpi 0 "*" "host key of '127.0.0.1' is not known" -- "$C" -t qemu -a cancel=l:tg1,poweroff:30 pm1
grep -q '^stack: tg1: POWEROFF through its agent at 127.0.0.1:10022$' "$T/out" || fail "poweroff: no propagation: $(cat "$T/out")"
grep -q '^stack: tg1: agent unreachable: hypervisor POWEROFF$' "$T/out" || fail "poweroff: no fallback: $(cat "$T/out")"
grep -q '^tg1: ended by ACPI powerdown after [0-9]* ms$' "$T/out" || fail "poweroff: $(cat "$T/out")"
grep -q GUEST-ACPI-POWEROFF "$QRUN/tg1.serial" || fail "no GUEST-ACPI-POWEROFF on the guest's console"
grep -q qemu "/proc/$P/cmdline" 2>/dev/null && fail "qemu $P still runs after POWEROFF: $(cat /proc/$P/stat)"
check gone 0 "ISACTIVE(QEMU,tg1)=1" "" -- "$C" -t qemu -a isactive=tg1 pm1

# ---- POWEROFF through the guest's agent (STACK, the default): the guest
# halts itself; no ACPI needed (tn1 has no acpid) ----
check create-tn1 0 "*" "" -- "$C" -t qemu -a "create=l:tn1,$B,console:none,sshping:60%1" pm1
check tn1-hostname 0 "tn1" "" -- "$C" -t cli -a "create=l:t,cmd:hostname" 'pm1[tn1]'
check poweroff-stack 0 "*" "" -- "$C" -t qemu -a cancel=l:tn1,poweroff:3,timeout:60 pm1
grep -q '^stack: tn1: its agent finished POWEROFF after [0-9]* ms$' "$T/out" || fail "poweroff tn1: $(cat "$T/out")"
grep -q '^stack: tn1: ended ([0-9]* ms)$' "$T/out" || fail "poweroff tn1: not ended by itself: $(cat "$T/out")"
grep -q 'QMP quit\|ACPI' "$T/out" && fail "poweroff tn1 used the hypervisor: $(cat "$T/out")"
check list-empty 0 "" "" -- "$C" -t qemu -a list=machine pm1

finish
