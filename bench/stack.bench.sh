#!/bin/bash
# Stack CANCEL (issue 8): ctys's overhead for one PM x 10 VMs x 2 nested
# guests on rig hosts, target <= 1 s.  flat:31 rig: h001 is the PM; it runs
# 10 disk-less QEMU VMs v01..v10 whose guest address (#@#IP0 on a real
# network) is rig host h002..h011; each of those runs 2 disk-less VMs whose
# guests are h012..h031.  A guest's halt (CTYS_PM_HALT) kills its VM's
# process, so the guests' own shutdown time is ~0 and the whole time of
# `ctys -t PM -a cancel=POWEROFF h001` is ctys's: 30 propagations over ssh,
# the waits for the VMs to end, the reports.  The guests' own shutdown time
# (the same VMs ended by SIGTERM level by level, no ctys) is measured in the
# same run and subtracted: the overhead is what the issue's target bounds.
# Baseline: one `ctys -t cli -a create=l:t,cmd:true h001` round trip.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/.." && pwd)
C=$TOP/bin/ctys
[ "$(id -u)" -eq 0 ] || { echo "stack bench: needs root (network namespaces); skipped"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "stack bench: no qemu; skipped"; exit 0; }
W=$(mktemp -d /tmp/ctys-bench-XXXXXX)
export HOME=$W/home USER=root CTYS_NORESOLVE=1
mkdir -p "$HOME"
. "$TOP/tests/rig/rig.sh"
kill_vms() {
	local f p
	for f in "$W"/rig/nodes/*/run/ctys/qemu/*.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		case $p in '' | *[!0-9]*) continue ;; esac
		grep -q qemu "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p"
	done
}
trap 'kill_vms; rig_down "$W/rig" >/dev/null 2>&1; rm -rf "$W"' EXIT
RIG_QUIET=1 rig_up "$W/rig" flat:31 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_TIMEOUT=120
ip_of() { local v="RIG_${1^^}_IP"; echo "${!v}"; }
home_of() { local v="RIG_${1^^}_HOME"; echo "${!v}"; }
run_of() { local v="RIG_${1^^}_RUN"; echo "${!v}"; }
vmconf() { # FILE LABEL GUEST-IP
	mkdir -p "$(dirname "$1")"
	printf '#@#MAGICID-QEMU\n#@#IP0 = "%s%%255.255.255.0%%br0%%eth0%%22%%"\nLABEL=%s\nMEMSIZE=32\nACCELERATOR=QEMU\nBOOTMODE=PXE\n' \
		"$3" "$2" >"$1"
}
# every node can reach every other one with the rig's key; the PM and the
# 10 guests run ctys from this tree (PATH in the rig's sshd)
for h in $RIG_HOSTS; do
	hh=$(home_of "$h")
	cp "$RIG_SSH_CONFIG" "$hh/.ssh/config"
	cp "$RIG_KNOWN_HOSTS" "$hh/.ssh/known_hosts"
done
# v<k> on h001, guest h<k+1>; n<k>a/n<k>b on h<k+1>, guests h<10+2k>, h<11+2k>
for k in $(seq 1 10); do
	g=$(printf 'h%03d' $((k + 1)))
	vmconf "$W/vms/h001/v$k/v$k.ctys" "v$k" "$(ip_of "$g")"
	for s in a b; do
		o=$([ $s = a ] && echo 0 || echo 1)
		n=$(printf 'h%03d' $((10 + 2 * k + o)))
		vmconf "$W/vms/$g/n$k$s/n$k$s.ctys" "n$k$s" "$(ip_of "$n")"
		mkdir -p "$(home_of "$n")/.ctys/pm"
		echo "CTYS_PM_HALT='kill \$(cat $(run_of "$g")/ctys/qemu/n$k$s.pid)'" >"$(home_of "$n")/.ctys/pm/pm.conf-Linux.sh"
	done
	mkdir -p "$(home_of "$g")/.ctys/pm"
	echo "CTYS_PM_HALT='kill \$(cat $(run_of h001)/ctys/qemu/v$k.pid)'" >"$(home_of "$g")/.ctys/pm/pm.conf-Linux.sh"
done
start_stack() {
	local k g
	for k in $(seq 1 10); do
		g=$(printf 'h%03d' $((k + 1)))
		"$C" -t qemu -a "create=l:v$k,b:$W/vms/h001,console:none" h001 >/dev/null || echo "stack bench: v$k failed"
		"$C" -t qemu -a "create=l:n${k}a,b:$W/vms/$g,console:none" "$g" >/dev/null || echo "stack bench: n${k}a failed"
		"$C" -t qemu -a "create=l:n${k}b,b:$W/vms/$g,console:none" "$g" >/dev/null || echo "stack bench: n${k}b failed"
	done
}
count_vms() { local f n=0; for f in "$W"/rig/nodes/*/run/ctys/qemu/*.pid; do [ -f "$f" ] && grep -q qemu "/proc/$(cat "$f")/cmdline" 2>/dev/null && n=$((n + 1)); done; echo $n; }

RUNS=10
measure "$C" -t cli -a create=l:t,cmd:true h001
base=$MED_MS
tot=()
for r in 1 2 3; do
	start_stack
	[ "$(count_vms)" -eq 30 ] || echo "stack bench: $(count_vms) of 30 VMs running"
	t0=$(now_ns)
	if [ -n "${STACK_BENCH_TRACE:-}" ]; then
		"$C" -t PM -a cancel=POWEROFF:0,TIMEOUT:30 h001 2>&1 | while IFS= read -r l; do
			echo "$((($(date +%s%N) - t0) / 1000000)) $l"; done >"$W/cancel.out"
	else
		"$C" -t PM -a cancel=POWEROFF:0,TIMEOUT:30 h001 >"$W/cancel.out" 2>&1 ||
			{ echo "stack bench: cancel failed"; cat "$W/cancel.out"; }
	fi
	t1=$(now_ns)
	tot+=($(((t1 - t0) / 1000)))
	[ "$(count_vms)" -eq 0 ] || echo "stack bench: $(count_vms) VMs left after the cancel"
	grep -q 'escalated' "$W/cancel.out" && echo "stack bench: some guest was escalated"
done
# the guests' own shutdown time: the same 30 VMs ended the way their halts
# end them (SIGTERM), level by level as the stack does (20 nested, then 10)
kill_level() { # PATTERN: kill those VMs, wait until all are gone (bounded)
	local f p pids=() i
	for f in "$W"/rig/nodes/*/run/ctys/qemu/$1.pid; do
		[ -f "$f" ] && p=$(cat "$f") && grep -q qemu "/proc/$p/cmdline" 2>/dev/null && pids+=("$p")
	done
	kill "${pids[@]}" 2>/dev/null
	for ((i = 0; i < 2000; i++)); do
		for p in "${pids[@]}"; do grep -q qemu "/proc/$p/cmdline" 2>/dev/null && continue 2; done
		return 0
	done
}
own=()
for r in 1 2 3; do
	start_stack
	t0=$(now_ns)
	kill_level 'n*'
	kill_level 'v*'
	t1=$(now_ns)
	own+=($(((t1 - t0) / 1000)))
done
med=$(printf '%s\n' "${tot[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}')
ownmed=$(printf '%s\n' "${own[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}')
report "stack CANCEL 1 PM x 10 VMs x 2 nested (total)" "$med" 1500 "one job on h001" "$base"
report "  ctys overhead (total - guests' own shutdown)" "$(awk -v a="$med" -v b="$ownmed" 'BEGIN{printf "%.2f", a - b}')" 1000 "one job on h001" "$base"
echo "guests' own shutdown (30 VMs ended level by level, no ctys): $ownmed ms"
[ -n "${STACK_BENCH_TRACE:-}" ] && cat "$W/cancel.out"
echo "lines of the report: $(wc -l <"$W/cancel.out") (stack steps: $(grep -c '^stack:' "$W/cancel.out"))"
