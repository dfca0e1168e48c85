#!/bin/bash
# tests/scenario/rig_flat.sh — the test-host rig (tests/rig/rig.sh), flat:N
# (default 20; RIG_FLAT_N overrides): N hosts on one bridge, all reachable
# from the root namespace.  Reaches every host in parallel (bounded xargs -P,
# and pdsh if installed), prints the timings, tears down and checks that
# nothing is left.  Needs root and openssh-server; skipped when not root.

# shellcheck disable=SC2016,SC1091
. "$(dirname "$0")/lib.sh"
RIG=$TOP/tests/rig/rig.sh
N=${RIG_FLAT_N:-20}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: rig tests need root"
	exit 0
fi
if [ ! -x /usr/sbin/sshd ]; then
	echo "FAIL: /usr/sbin/sshd missing (apt-get install openssh-server)"
	exit 1
fi
# shellcheck source=../rig/rig.sh
. "$RIG"
export RIG_QUIET=1

ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

D=$T/rig
rig_trap "$D"
t=$(ms)
rig_up "$D" "flat:$N" || {
	echo "FAIL: rig_up flat:$N"
	exit 1
}
echo "flat:$N up in $(($(ms) - t)) ms"
ID=$RIG_ID

[ "$(echo "$RIG_HOSTS" | wc -w)" -eq "$N" ] || fail "RIG_HOSTS has $(echo "$RIG_HOSTS" | wc -w) hosts, want $N"
want=$(for i in $(seq 1 "$N"); do printf 'h%03d\n' "$i"; done)
[ "$RIG_HOSTS" = "$(echo "$want" | tr "\n" " " | sed "s/ $//")" ] || fail "RIG_HOSTS='$RIG_HOSTS'"
[ -z "$RIG_H001_JUMP" ] || fail "flat host has a jump: $RIG_H001_JUMP"

# every host, in parallel: "name CTYS_NODE" back from each
t=$(ms)
tr ' ' '\n' <<<"$RIG_HOSTS" |
	timeout 60 xargs -P 10 -I{} ssh -F "$RIG_SSH_CONFIG" {} 'echo $(hostname) $CTYS_NODE' \
		>"$T/fan" 2>"$T/fan.err"
rc=$?
echo "ssh to all $N hosts, xargs -P 10: $(($(ms) - t)) ms"
[ "$rc" -eq 0 ] || fail "parallel ssh rc=$rc: $(head -n 5 "$T/fan.err")"
[ "$(sort "$T/fan")" = "$(paste -d ' ' - - <<<"$(for h in $want; do echo "$h"; echo "$h"; done)")" ] ||
	fail "parallel ssh answers: $(sort "$T/fan" | tr '\n' ' ')"

# the same by address (the config has Host entries for the IPs too)
t=$(ms)
for h in $RIG_HOSTS; do
	v="RIG_${h^^}_IP"
	echo "${!v}"
done | timeout 60 xargs -P "$N" -I{} ssh -F "$RIG_SSH_CONFIG" {} hostname >"$T/fan2" 2>"$T/fan.err"
echo "ssh to all $N addresses, xargs -P $N: $(($(ms) - t)) ms"
[ "$(sort "$T/fan2")" = "$want" ] || fail "ssh by address: $(sort "$T/fan2" | tr '\n' ' ') $(head -n 3 "$T/fan.err")"

if command -v pdsh >/dev/null; then
	t=$(ms)
	PDSH_RCMD_TYPE=ssh PDSH_SSH_ARGS_APPEND="-F $RIG_SSH_CONFIG" \
		timeout 60 pdsh -f 32 -w "$(echo "$RIG_HOSTS" | tr ' ' ,)" hostname >"$T/pdsh" 2>"$T/pdsh.err"
	echo "pdsh -f 32 on all $N hosts: $(($(ms) - t)) ms"
	if [ "$(sed 's/: .*//' "$T/pdsh" | sort)" != "$want" ] ||
		[ "$(sed 's/.*: //' "$T/pdsh" | sort)" != "$want" ]; then
		fail "pdsh: $(sort "$T/pdsh" | head -n 3 | tr '\n' ' ') $(head -n 3 "$T/pdsh.err")"
	fi
else
	echo "pdsh not installed: skipping the pdsh fan-out"
fi

# hosts are on one bridge but have no keys for each other; the blackhole hangs
check "h001 exec" 0 h001 "" -- rig_exec "$D" h001 hostname
t=$(ms)
check "blackhole times out" 255 "" "timed out" -- \
	timeout 10 ssh -F "$RIG_SSH_CONFIG" -o ConnectTimeout=1 "root@$RIG_BLACKHOLE_IP" true

pids=$(for h in $RIG_HOSTS; do v="RIG_${h^^}_PID"; echo "${!v}"; done)
t=$(ms)
check "down" 0 "" "" -- rig_down "$D"
echo "flat:$N down in $(($(ms) - t)) ms"
ip netns list | grep -q "^ctys-$ID-" && fail "namespaces left: $(ip netns list | grep -c "^ctys-$ID-")"
ip -o link show | grep -qE ": c[rb]${ID}[@:]" && fail "root links left"
pgrep -f -- "$D/" >/dev/null && fail "processes left: $(pgrep -a -f -- "$D/" | head -n 3)"
for p in $pids; do
	[ -r "/proc/$p/stat" ] || continue
	read -r st <"/proc/$p/stat"
	st=${st##*) }
	[ "${st%% *}" = Z ] || fail "sshd $p alive after down"
done
ip route | grep -q "unreachable $RIG_NET" && fail "route $RIG_NET left"

finish
