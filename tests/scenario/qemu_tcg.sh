#!/bin/bash
# The QEMU plugin against a real qemu-system-x86_64 guest under TCG (KVM here
# cannot boot a guest, testing-notes §4): a Debian kernel + a busybox
# initramfs that prints GUEST-READY and sleeps (it ignores ACPI).
# ENUMERATE, CREATE, LIST, ISACTIVE, GETCLIENTPORT, PAUSE, RESUME, SUSPEND,
# RESUME from the image, RESET, POWEROFF (quit after the delay), bad input.
# Every wait is bounded; every qemu we start is killed by PID on exit.
. "$(dirname "$0")/lib.sh"
C=$BIN/ctys
QEMU=$(command -v qemu-system-x86_64) || { echo "SKIP: no qemu-system-x86_64 (package qemu-system-x86)"; exit 0; }
BB=$(command -v busybox) || { echo "SKIP: no busybox (package busybox-static)"; exit 0; }
command -v socat >/dev/null || { echo "SKIP: no socat"; exit 0; }
command -v cpio >/dev/null || { echo "SKIP: no cpio"; exit 0; }

export CTYS_QEMU_RUNDIR=$T/run QEMU_ACCEL=TCG
RUN=$CTYS_QEMU_RUNDIR
cleanup() {
	local f p
	for f in "$RUN"/*.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		case $p in '' | *[!0-9]*) continue ;; esac
		grep -q qemu "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p"
	done
	rm -rf "$T"
}
trap cleanup EXIT

# ---- the guest: the kernel of tests/guest (cached), a tiny initramfs built here ----
. "$TOP/tests/guest/guest.sh"
guest_build || { echo "SKIP: no guest kernel (tests/guest/guest.sh build)"; exit 0; }
KERNEL=$GUEST_KERNEL
mkdir -p "$T/initrd/bin" "$T/initrd/proc" "$T/initrd/dev"
cp "$BB" "$T/initrd/bin/busybox"
cat >"$T/initrd/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
echo GUEST-READY
n=0
while :; do
	n=$((n + 1))
	echo "TICK $n"
	/bin/busybox sleep 1
done
EOF
chmod 755 "$T/initrd/init"
(cd "$T/initrd" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$T/initrd.gz")

mkdir -p "$T/vms/tg1" "$T/vms/tpl" "$T/vms/ign"
cat >"$T/vms/tg1/tg1.ctys" <<EOF
#@#MAGICID-QEMU
#@#LABEL = "tg1"
#@#UUID = "0badc0de-0000-4000-8000-000000000001"
#@#VMSTATE = "ACTIVE"
#@#MAC0 = "52:54:00:c7:00:01"
#@#IP0 = "10.0.2.15%255.255.255.0%slirp%eth0%22%10.0.2.2"
LABEL="tg1"
MEMSIZE=\${MEMSIZE:-'128'}
ACCELERATOR=QEMU
KERNEL=$KERNEL
INITRD=$T/initrd.gz
APPEND="console=ttyS0 quiet panic=-1"
EOF
printf '#@#MAGICID-QEMU\n#@#VMSTATE = "TEMPLATE"\nLABEL=tpl\n' >"$T/vms/tpl/tpl.ctys"
printf '#@#MAGICID-QEMU\n#@#MAGICID-IGNORE\nLABEL=ign\n' >"$T/vms/ign/ign.ctys"
B=b:$T/vms

# wait_for FILE PATTERN SECONDS
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
qmp_status() {
	(echo '{"execute":"qmp_capabilities"}'; echo '{"execute":"query-status"}'; sleep 0.3) |
		timeout 5 socat -t1 - "UNIX-CONNECT:$RUN/tg1.qmp" | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p'
}
pid_of() { cat "$RUN/tg1.pid" 2>/dev/null; }
pid_of_label() { cat "$RUN/$1.pid" 2>/dev/null; }

# ---- ENUMERATE: the template is filtered by default, the ignored file never shows ----
check enum 0 "*" "" -- "$C" -t qemu -a "enumerate=machine,$B"
[ "$(cut -d';' -f2,3,19 "$T/out")" = "QEMU;tg1;ACTIVE" ] || fail "enum: $(cat "$T/out")"
[ "$(cut -d';' -f7,33 "$T/out")" = "10.0.2.15;eth0" ] || fail "enum interface: $(cat "$T/out")"
check enum-all 0 "*" "" -- "$C" -t qemu -a "enumerate=machine,$B,matchvstat:all"
[ "$(cut -d';' -f3 "$T/out" | sort | tr '\n' ' ')" = "tg1 tpl " ] || fail "enum-all: $(cat "$T/out")"

# ---- bad input ----
check create-missing 1 "" "no QEMU configuration for LABEL nosuch" -- "$C" -t qemu -a "create=l:nosuch,$B"
check create-template 1 "" "VMSTATE TEMPLATE" -- "$C" -t qemu -a "create=l:tpl,$B"
check create-relid 1 "" "PNAME has to be an absolute path" -- "$C" -t qemu -a "create=id:x.ctys"
mkdir -p "$T/vms/bad"
printf '#@#MAGICID-QEMU\nLABEL=bad\nMEMSIZE=64\nQEMU_ARGS="-no-such-option"\n' >"$T/vms/bad/bad.ctys"
check create-dies 2 "" "no-such-option" -- "$C" -t qemu -a "create=l:bad,$B,console:none"
[ -e "$RUN/bad.pid" ] && fail "create-dies left a pid file"
rm -rf "$T/vms/bad"
check cancel-none 1 "" "no running QEMU instance for LABEL tg1" -- "$C" -t qemu -a cancel=l:tg1,pause

# ---- CREATE, LIST, ISACTIVE, GETCLIENTPORT ----
check create 0 "*" "" -- "$C" -t qemu -a "create=l:tg1,$B,console:none"
grep -q '^started tg1: pid [0-9]*, TCG, VNC :[0-9]' "$T/out" || fail "create: $(cat "$T/out")"
P1=$(pid_of)
wait_for "$RUN/tg1.serial" GUEST-READY 120 || fail "no GUEST-READY in 120 s: $(tail -c 300 "$RUN/tg1.serial")"
check create-twice 1 "" "tg1 is already running" -- "$C" -t qemu -a "create=l:tg1,$B"
check create-reuse 0 "*" "" -- "$C" -t qemu -a "create=l:tg1,$B,reuse"
grep -q "^running tg1: pid $P1," "$T/out" || fail "reuse: $(cat "$T/out")"
check list 0 "*" "" -- "$C" -t qemu -a list=machine
grep -q "^[^;]*;QEMU;tg1;$T/vms/tg1/tg1.ctys;0badc0de-0000-4000-8000-000000000001;52:54:00:c7:00:01;10.0.2.15;[0-9]*;59[0-9][0-9];$RUN/tg1.qmp;$P1;" "$T/out" ||
	fail "list: $(cat "$T/out")"
# the probed version is remembered per executable and mtime (no qemu -version per agent)
grep -qP "^$(readlink -f "$QEMU" 2>/dev/null || echo "$QEMU")\t[0-9]+\t[0-9][0-9.]*\$|^$QEMU\t[0-9]+\t[0-9][0-9.]*\$" "$RUN/qemu-version" ||
	fail "version cache: $(cat "$RUN/qemu-version" 2>&1)"
check isactive 0 "ISACTIVE(QEMU,tg1)=0" "" -- "$C" -t qemu -a isactive=tg1
check isactive-no 0 "ISACTIVE(QEMU,nosuch)=1" "" -- "$C" -t qemu -a isactive=nosuch
check clientport 0 "*" "" -- "$C" -t qemu -a getclientport=tg1
grep -q '^CLIENTPORT(QEMU,.*,tg1)=59[0-9][0-9]$' "$T/out" || fail "clientport: $(cat "$T/out")"

# ---- PAUSE (QMP stop, not the original's resume-from-S4), RESUME = cont ----
check pause 0 "tg1: paused, CREATE with RESUME continues it (QMP stop)" "" -- "$C" -t qemu -a cancel=l:tg1,pause
[ "$(qmp_status)" = paused ] || fail "after PAUSE the status is '$(qmp_status)'"
check resume-cont 0 "*" "" -- "$C" -t qemu -a "create=l:tg1,$B,resume"
[ "$(qmp_status)" = running ] || fail "after RESUME the status is '$(qmp_status)'"
check reset 0 "tg1: reset (QMP system_reset)" "" -- "$C" -t qemu -a cancel=l:tg1,reset

# the guest reboots: wait for its second GUEST-READY
for ((i = 0; i < 1200; i++)); do
	[ "$(grep -a -c GUEST-READY "$RUN/tg1.serial")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -a -c GUEST-READY "$RUN/tg1.serial")" -ge 2 ] || fail "no reboot after RESET"
grep -q qemu "/proc/$P1/cmdline" 2>/dev/null || fail "qemu $P1 is gone after RESET"

# ---- SUSPEND to a file, RESUME from it: the guest continues its counter ----
sleep 2
check suspend 0 "*" "" -- "$C" -t qemu -a cancel=l:tg1,suspend
grep -q "^tg1: suspended to $HOME/.ctys/qemu/suspend/tg1.state" "$T/out" || fail "suspend: $(cat "$T/out")"
[ -s "$HOME/.ctys/qemu/suspend/tg1.state" ] || fail "no suspend image"
grep -q qemu "/proc/$P1/cmdline" 2>/dev/null && fail "qemu $P1 still runs after SUSPEND"
last=$(grep -a -o 'TICK [0-9]*' "$RUN/tg1.serial" | tail -n 1 | cut -d' ' -f2)
check resume-image 0 "*" "" -- "$C" -t qemu -a "create=l:tg1,$B,resume"
grep -q '^resumed from SUSPEND image tg1:' "$T/out" || fail "resume-image: $(cat "$T/out")"
[ -e "$HOME/.ctys/qemu/suspend/tg1.state" ] && fail "the suspend image was kept after RESUME"
sleep 3
first=$(grep -a -o 'TICK [0-9]*' "$RUN/tg1.serial" | head -n 1 | cut -d' ' -f2)
# the new serial log starts where the old guest stopped (no reboot: no GUEST-READY, TICK > last)
grep -q GUEST-READY "$RUN/tg1.serial" && fail "the resumed guest booted again"
[ -n "$first" ] && [ -n "$last" ] && [ "$first" -gt "$last" ] || fail "resumed guest: first tick '$first' after last '$last'"

# ---- POWEROFF: the busybox guest ignores ACPI, so QMP quit ends it after the delay ----
P2=$(pid_of)
start=$(date +%s)
check poweroff 0 "*" "" -- "$C" -t qemu -a cancel=l:tg1,poweroff:3
grep -q '^tg1: ended by QMP quit after [0-9]* ms$' "$T/out" || fail "poweroff: $(cat "$T/out")"
[ $(($(date +%s) - start)) -le 12 ] || fail "poweroff took more than 12 s"
grep -q qemu "/proc/$P2/cmdline" 2>/dev/null && fail "qemu $P2 still runs after POWEROFF"
[ -e "$RUN/tg1.pid" ] && fail "the pid file is left after POWEROFF"
check list-empty 0 "" "" -- "$C" -t qemu -a list=machine

# ---- a disk-less VM (PXE without a NIC idles in the firmware) ----
mkdir -p "$T/vms/nd1"
printf '#@#MAGICID-QEMU\nLABEL=nd1\nMEMSIZE=32\nACCELERATOR=QEMU\nBOOTMODE=PXE\n' >"$T/vms/nd1/nd1.ctys"
check bootmode-bad 1 "" "BOOTMODE 'FLOPPY' of $T/vms/nd1/nd1.ctys is not one of" -- "$C" -t qemu -a "create=l:nd1,$B,bootmode:floppy"
check bootmode-cd 1 "" "BOOTMODE CD: no image" -- "$C" -t qemu -a "create=l:nd1,$B,bootmode:cd"
[ -e "$RUN/nd1.pid" ] && fail "a refused BOOTMODE left a pid file"
# the NETFWD port is taken: refused before qemu starts
printf 'MAC0=52:54:00:c7:00:09\nNETFWD=%s:22\n' 0 >>"$T/vms/nd1/nd1.ctys"
socat TCP-LISTEN:0,bind=127.0.0.1,fork,reuseaddr /dev/null &
SOCAT=$!
port=
for ((i = 0; i < 50; i++)); do
	port=$(ss -Hltnp 2>/dev/null | awk -v p="pid=$SOCAT," '$0 ~ p {sub(/.*:/, "", $4); print $4; exit}')
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || fail "socat did not listen"
sed -i "s/^NETFWD=0:22/NETFWD=$port:22/" "$T/vms/nd1/nd1.ctys"
check port-taken 1 "" "NETFWD port $port on 127.0.0.1 is already in use" -- "$C" -t qemu -a "create=l:nd1,$B,console:none"
kill "$SOCAT"
wait "$SOCAT" 2>/dev/null
[ -e "$RUN/nd1.pid" ] && fail "port-taken left a pid file"
pgrep -f -- "-name nd1 " >/dev/null && fail "port-taken left a qemu"
sed -i '/^MAC0=/d; /^NETFWD=/d' "$T/vms/nd1/nd1.ctys"

# ---- the QMP socket vanished: PAUSE says so, POWEROFF still ends the VM ----
check nd1-create 0 "*" "" -- "$C" -t qemu -a "create=l:nd1,$B,console:none"
P3=$(pid_of_label nd1)
rm -f "$RUN/nd1.qmp"
check qmp-gone-pause 2 "" "nd1: QMP socket '$RUN/nd1.qmp' is missing" -- "$C" -t qemu -a cancel=l:nd1,pause
check qmp-gone-poweroff 0 "*" "does not answer" -- "$C" -t qemu -a cancel=l:nd1,poweroff:1
grep -q '^nd1: ended by SIGKILL after [0-9]* ms$' "$T/out" || fail "qmp-gone poweroff: $(cat "$T/out")"
grep -q qemu "/proc/$P3/cmdline" 2>/dev/null && fail "qemu $P3 still runs"
[ -e "$RUN/nd1.pid" ] && fail "the pid file of nd1 is left"

finish
