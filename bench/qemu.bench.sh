#!/bin/bash
# QEMU plugin (issue 7): CREATE -> QMP ready and POWEROFF -> gone of a
# disk-less VM against qemu itself started by hand until its QMP socket
# answers (baseline, same run); LIST of 20 running disk-less VMs on one host
# (target <= 100 ms: /proc only, no QMP round trip) against ctys -V; the
# real test guest (tests/guest): CREATE with SSHPING -> ssh answers, and
# POWEROFF through ACPI -> gone, once each.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/.." && pwd)
C=$TOP/bin/ctys
QEMU=$(command -v qemu-system-x86_64) || { echo "qemu bench: no qemu-system-x86_64; skipped"; exit 0; }
W=$(mktemp -d /tmp/ctys-bench-XXXXXX)
export HOME=$W/home USER=root CTYS_NORESOLVE=1 CTYS_QEMU_RUNDIR=$W/run
mkdir -p "$HOME" "$W/vms"
kill_all() {
	local f p
	for f in "$W"/run/*.pid "$W"/raw.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		case $p in '' | *[!0-9]*) continue ;; esac
		grep -q qemu "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p"
	done
}
trap 'kill_all; rm -rf "$W"' EXIT
B=b:$W/vms
for i in $(seq -w 1 20); do
	mkdir -p "$W/vms/d$i"
	printf '#@#MAGICID-QEMU\nLABEL=d%s\nMEMSIZE=32\nACCELERATOR=QEMU\nBOOTMODE=PXE\n' "$i" >"$W/vms/d$i/d$i.ctys"
done

# baseline: qemu by hand, until QMP answers a capabilities handshake
raw_start() {
	local s=$W/raw.qmp i
	rm -f "$s"
	("$QEMU" -name raw -accel tcg -m 32 -nodefaults -no-user-config -display none -boot n \
		-qmp "unix:$s,server=on,wait=off" </dev/null >/dev/null 2>&1 &
	echo $! >"$W/raw.pid")
	for ((i = 0; i < 1000; i++)); do
		[ -S "$s" ] && printf '{"execute":"qmp_capabilities"}\n' |
			socat -t0.2 - "UNIX-CONNECT:$s" 2>/dev/null | grep -q '"return"' && return 0
		sleep 0.005
	done
	return 1
}
RUNS=${RUNS_QEMU:-7}
raw=()
for ((r = 0; r < RUNS; r++)); do
	t0=$(now_ns)
	raw_start || echo "qemu bench: the raw qemu did not answer"
	t1=$(now_ns)
	raw+=($(((t1 - t0) / 1000)))
	p=$(cat "$W/raw.pid")
	kill -9 "$p" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		grep -q qemu "/proc/$p/cmdline" 2>/dev/null || break
		sleep 0.01
	done
done
raw_ms=$(printf '%s\n' "${raw[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}')

cr=() po=()
for ((r = 0; r < RUNS; r++)); do
	t0=$(now_ns)
	"$C" -t qemu -a "create=l:d01,$B,console:none" localhost >/dev/null || echo "qemu bench: create failed"
	t1=$(now_ns)
	"$C" -t qemu -a "cancel=l:d01,poweroff:0" localhost >/dev/null || echo "qemu bench: poweroff failed"
	t2=$(now_ns)
	cr+=($(((t1 - t0) / 1000)))
	po+=($(((t2 - t1) / 1000)))
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'; }
report "CREATE -> QMP ready (disk-less VM)" "$(med "${cr[@]}")" 1000 "qemu by hand to QMP" "$raw_ms"
report "POWEROFF:0 -> process gone (disk-less VM)" "$(med "${po[@]}")" 1000 "qemu by hand to QMP" "$raw_ms"

for i in $(seq -w 1 20); do
	"$C" -t qemu -a "create=l:d$i,$B,console:none" localhost >/dev/null || echo "qemu bench: create d$i failed"
done
n=$("$C" -t qemu -a list=machine localhost | grep -c ';QEMU;d')
[ "$n" -eq 20 ] || echo "qemu bench: LIST shows $n of 20 VMs"
RUNS=20
measure "$C" -V
base=$MED_MS
measure "$C" -t qemu -a list=machine localhost
report "LIST of 20 running disk-less VMs" "$MED_MS" 100 "ctys -V" "$base" "$RSS_KB"
for i in $(seq -w 1 20); do
	"$C" -t qemu -a "cancel=l:d$i,poweroff:0" localhost >/dev/null
done

# the real guest: boot to ssh, ACPI power-off to gone
. "$TOP/tests/guest/guest.sh"
if ! guest_build >/dev/null; then
	echo "qemu bench: test guest unavailable; guest figures skipped"
	exit 0
fi
ssh-keygen -q -t ed25519 -N '' -f "$W/key"
guest_data "$W/g" bg1 "$W/key.pub" "$TOP/bin:/usr/sbin:/usr/bin:/sbin:/bin" || exit 1
port=$((20000 + RANDOM % 20000))
guest_config "$W/vms/bg1/bg1.ctys" bg1 "$W/g" "$port" 1 384 || exit 1
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$W/g/host_key.pub")" >"$W/kh"
export CTYS_SSHPING="ssh -i $W/key -o UserKnownHostsFile=$W/kh -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 %s true"
t0=$(now_ns)
"$C" -t qemu -a "create=l:bg1,$B,console:none,sshping:90%1" localhost >/dev/null || echo "qemu bench: guest create failed"
t1=$(now_ns)
"$C" -t qemu -a "cancel=l:bg1,poweroff:30" localhost >"$W/po.out" || echo "qemu bench: guest poweroff failed"
t2=$(now_ns)
report "guest CREATE -> ssh answers (TCG, 1 run)" "$(((t1 - t0) / 1000000))" 30000 "qemu by hand to QMP" "$raw_ms"
report "guest POWEROFF (ACPI) -> gone (1 run)" "$(((t2 - t1) / 1000000))" 5000 "qemu by hand to QMP" "$raw_ms"
cat "$W/po.out"
echo "baselines: qemu started by hand until QMP answers $raw_ms ms; ctys -V $base ms"
