#!/bin/bash
# tests/scenario/rig_chain.sh — the test-host rig (tests/rig/rig.sh), chain:3:
# root -> pm1 -> vm1 -> nvm1, each layer reachable only from the one below.
# Proves reachability, isolation, per-node ~/.ssh, hostnames, CTYS_NODE, the
# fault helpers (kill-sshd, rekey, link-down, blackhole) and that teardown
# leaves nothing behind, also after the test shell is killed with SIGKILL.
# Needs root and openssh-server; skipped (exit 0) when not root.

# shellcheck disable=SC2016,SC1091,SC2015
. "$(dirname "$0")/lib.sh"
RIG=$TOP/tests/rig/rig.sh
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

ms() { # milliseconds since the epoch
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# no_leftovers ID DIR PID... — no namespace, root link or route of rig ID,
# no live process started from DIR, none of the PIDs alive
no_leftovers() {
	local id=$1 dir=$2 p st
	shift 2
	ip netns list | grep -q "^ctys-$id-" && fail "namespaces of $id left: $(ip netns list | grep "^ctys-$id-" | tr '\n' ' ')"
	ip -o link show | grep -qE ": c[rb]${id}[@:]" && fail "links of $id left"
	pgrep -f -- "$dir/" >/dev/null && fail "processes of $dir left: $(pgrep -a -f -- "$dir/")"
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		read -r st <"/proc/$p/stat"
		st=${st##*) }
		[ "${st%% *}" = Z ] || fail "process $p of $id still alive"
	done
}

D=$T/rig
rig_trap "$D"
t0=$(ms)
rig_up "$D" chain:3 || {
	echo "FAIL: rig_up chain:3"
	exit 1
}
echo "chain:3 up in $(($(ms) - t0)) ms"
ID=$RIG_ID
NET=$RIG_NET
PIDS="$RIG_PM1_PID $RIG_VM1_PID $RIG_NVM1_PID"
CFG=$RIG_SSH_CONFIG

# --- env
[ "$RIG_HOSTS" = "pm1 vm1 nvm1" ] || fail "RIG_HOSTS='$RIG_HOSTS'"
for v in RIG_DIR RIG_ID RIG_SSH_CONFIG RIG_KNOWN_HOSTS RIG_KEY RIG_BLACKHOLE_IP \
	RIG_PM1_IP RIG_PM1_NS RIG_PM1_HOME RIG_PM1_PID RIG_NVM1_IP RIG_NVM1_JUMP; do
	[ -n "${!v:-}" ] || fail "$v not set"
done
[ "$(stat -c %a "$RIG_KEY")" = 600 ] || fail "RIG_KEY mode $(stat -c %a "$RIG_KEY")"
[ "$RIG_NVM1_JUMP" = pm1,vm1 ] || fail "RIG_NVM1_JUMP=$RIG_NVM1_JUMP"
ip route show exact "$NET" type unreachable | grep -q unreachable || fail "no unreachable route for $NET"

# --- reachability
check "root->pm1" 0 pm1 "" -- ssh -F "$CFG" pm1 hostname
t=$(ms)
check "root->vm1 direct fails" 255 "" "No route to host" -- ssh -F "$CFG" vm1 true
[ $(($(ms) - t)) -lt 2000 ] || fail "root->vm1 took $(($(ms) - t)) ms, want a fast failure"
check "root->nvm1 direct fails" 255 "" "No route to host" -- ssh -F "$CFG" "$RIG_NVM1_IP" true
check "pm1->nvm1 direct fails" 255 "" "Network is unreachable" -- \
	rig_exec "$D" pm1 ssh -o BatchMode=yes -o ConnectTimeout=2 "$RIG_NVM1_IP" true
check "nested ssh, each layer's own config" 0 nvm1 "" -- \
	ssh -F "$CFG" pm1 ssh vm1 ssh nvm1 hostname
check "rig ssh -J" 0 nvm1 "" -- rig_ssh "$D" nvm1 hostname
check "rig.sh ssh (command)" 0 vm1 "" -- "$RIG" ssh "$D" vm1 hostname

# --- hostnames, env, homes
names=$(hostname)
for h in $RIG_HOSTS; do
	n=$(rig_ssh "$D" "$h" hostname)
	[ "$n" = "$h" ] || fail "hostname on $h is '$n'"
	names="$names $n"
	check "CTYS_NODE on $h" 0 "$h" "" -- rig_ssh "$D" "$h" 'echo $CTYS_NODE'
done
[ "$(echo "$names" | tr ' ' '\n' | sort -u | wc -l)" -eq 4 ] || fail "hostnames not distinct: $names"
check "node PATH has the repo's bin" 0 "$TOP/bin" "" -- rig_ssh "$D" vm1 'echo ${PATH%%:*}'
check "rig exec: hostname" 0 vm1 "" -- rig_exec "$D" vm1 hostname
check "rig exec: own home on /root" 0 "Host nvm1 $RIG_NVM1_IP" "" -- \
	rig_exec "$D" vm1 grep '^Host ' /root/.ssh/config
check "rig exec: env" 0 "/root vm1" "" -- rig_exec "$D" vm1 sh -c 'echo $HOME $CTYS_NODE'
check "rig exec in the caller's cwd" 0 "$PWD" "" -- rig_exec "$D" pm1 pwd

# --- blackhole: the connect hangs until the client's timeout
t=$(ms)
check "blackhole times out" 255 "" "timed out" -- \
	timeout 10 ssh -F "$CFG" -o ConnectTimeout=1 "root@$RIG_BLACKHOLE_IP" true
dt=$(($(ms) - t))
[ "$dt" -ge 900 ] && [ "$dt" -lt 5000 ] || fail "blackhole connect took $dt ms, want ~1000"

# --- fault helpers
check "kill-sshd" 0 "" "" -- "$RIG" kill-sshd "$D" pm1
check "pm1 sshd down" 255 "" "Connection refused" -- ssh -F "$CFG" pm1 true
check "start-sshd" 0 "" "" -- "$RIG" start-sshd "$D" pm1
check "pm1 sshd back" 0 pm1 "" -- ssh -F "$CFG" pm1 hostname
. "$D/env"
PIDS="$PIDS $RIG_PM1_PID"
check "rekey" 0 "" "" -- "$RIG" rekey "$D" vm1
check "changed key seen from root" 255 "" "Host key verification failed" -- rig_ssh "$D" vm1 true
check "changed key seen from pm1" 255 "" "Host key verification failed" -- ssh -F "$CFG" pm1 ssh vm1 true
check "trust" 0 "" "" -- "$RIG" trust "$D"
check "new key trusted" 0 vm1 "" -- ssh -F "$CFG" pm1 ssh vm1 hostname
. "$D/env"
PIDS="$PIDS $RIG_VM1_PID"
check "link-down" 0 "" "" -- "$RIG" link-down "$D" pm1
check "pm1 unreachable with link down" 255 "" "connect to host" -- \
	timeout 10 ssh -F "$CFG" -o ConnectTimeout=1 pm1 true
check "link-up" 0 "" "" -- "$RIG" link-up "$D" pm1
check "pm1 back after link-up" 0 pm1 "" -- ssh -F "$CFG" pm1 hostname

# --- teardown
ssh -F "$CFG" pm1 'sleep 30' >/dev/null 2>&1 & # a live session: down must end it
sleep 0.3
t=$(ms)
check "down" 0 "" "" -- rig_down "$D"
echo "chain:3 down in $(($(ms) - t)) ms"
wait
# shellcheck disable=SC2086
no_leftovers "$ID" "$D" $PIDS
ip route show exact "$NET" type unreachable | grep -q . && fail "route $NET left"
check "down again is a no-op" 0 "" "" -- "$RIG" down "$D"

# --- SIGKILL of the test shell after up: `rig.sh down DIR` still cleans all
D2=$T/rig2
bash -c '. "$1"; RIG_QUIET=1 rig_up "$2" chain:2 && : >"$2/upped"; sleep 60' rig "$RIG" "$D2" &
pid=$!
for _ in $(seq 1 300); do [ -e "$D2/upped" ] && break; sleep 0.05; done
[ -e "$D2/upped" ] || fail "chain:2 in a sub-shell did not come up"
kill -9 "$pid"
wait "$pid" 2>/dev/null
( . "$D2/env" && echo "$RIG_ID $RIG_PM1_PID $RIG_VM1_PID" ) >"$T/k"
read -r id2 p1 p2 <"$T/k"
kill -0 "$p1" 2>/dev/null || fail "sshd died with the killed shell (want it to linger)"
check "down after SIGKILL" 0 "" "" -- "$RIG" down "$D2"
no_leftovers "$id2" "$D2" "$p1" "$p2"

# --- SIGKILL of the whole process group in the middle of up
for delay in 0.03 0.08 0.15; do
	D3=$T/rig3-$delay
	setsid bash -c '. "$1"; RIG_QUIET=1 rig_up "$2" chain:3; sleep 60' rig "$RIG" "$D3" &
	pid=$!
	sleep "$delay"
	kill -9 -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sleep 0.05
	check "down after SIGKILL during up ($delay s)" 0 "" "" -- "$RIG" down "$D3"
	if [ -f "$D3/state.down" ]; then
		id3=$(sed -n 's/^ST_ID=//p' "$D3/state.down")
		no_leftovers "$id3" "$D3"
	fi
done

finish
