#!/bin/bash
# Transport on a 3-layer rig (root -> pm1 -> vm1 -> nvm1, each layer
# reachable only from the one below): CHAIN and STAR reach every layer and
# each hop runs on the right host; hostile command text arrives unchanged;
# a changed host key, an unreachable hop, a missing agent and an agent
# killed mid-job are reported naming the hop.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
. "$TOP/tests/rig/rig.sh"
R=$T/rig
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" chain:3 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=20
C=$BIN/ctys
cli() { echo "-t cli -a create=l:t,cmd:$1"; }

# each hop runs on its own host (hostname differs per namespace)
for mode in CHAIN STAR; do
	check "$mode-pm1" 0 "pm1" "" -- "$C" -x "$mode" $(cli hostname) pm1
	check "$mode-vm1" 0 "vm1" "" -- "$C" -x "$mode" $(cli hostname) 'pm1[vm1]'
	check "$mode-nvm1" 0 "nvm1
nvm1" "" -- "$C" -x "$mode" $(cli 'hostname;echo%$CTYS_NODE') 'pm1[vm1][nvm1]'
	[ "$(tail -n 1 "$T/out")" = nvm1 ] || fail "$mode: CTYS_NODE on the last hop: $(cat "$T/out")"
	check "$mode-info" 0 "*" "" -- "$C" -x "$mode" -a info 'pm1[vm1][nvm1]'
	grep -qx "Node:nvm1" "$T/out" || fail "$mode info: $(cat "$T/out")"
done
# LIST through the layers: the PM record of the last hop, rendered here
for mode in CHAIN STAR; do
	CTYS_NORESOLVE=1 check "$mode-list" 0 "*" "" -- "$C" -x "$mode" -a list=machine,pkg:pm 'pm1[vm1][nvm1]'
	grep -q "^nvm1;PM;nvm1;" "$T/out" || fail "$mode list: $(cat "$T/out")"
done
# the direct route to vm1 does not exist: only the chain reaches it
check no-route 255 "" "cannot connect to 'vm1'" -- "$C" $(cli true) vm1

# hostile text reaches the remote shell byte for byte, through 3 hops:
# single quotes keep $() and backticks literal, ,, is a comma, :: a colon;
# the scanner drops a trailing quote without a leading one, so it is doubled
want='$(hostname) `uname`;x,y:z "q"'
check hostile-chain 0 "$want" "" -- "$C" -t cli -a "create=l:t,cmd:echo%'\$(hostname)%\`uname\`;x,,y::z%\"q\"''" 'pm1[vm1][nvm1]'
check hostile-star 0 "$want" "" -- "$C" -x star -t cli -a "create=l:t,cmd:echo%'\$(hostname)%\`uname\`;x,,y::z%\"q\"''" 'pm1[vm1][nvm1]'
# exit status and stderr of the remote command come back
check remote-status 3 "out" "err" -- "$C" $(cli 'echo%out;echo%err%>&2;exit%3') 'pm1[vm1]'

# a missing agent is named
CTYS_AGENT=/nonexistent/ctys-agent check no-agent 255 "" "ctys-agent not found on 'pm1'" -- "$C" $(cli true) pm1

# an agent killed mid-job: the hop is named
"$C" $(cli 'sleep%20') 'pm1[vm1]' >"$T/kill.out" 2>"$T/kill.err" &
cpid=$!
for i in $(seq 1 150); do
	apid=$(ip netns pids "$RIG_VM1_NS" | while read -r p; do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = ctys-agent ] && echo "$p"; done | head -n 1)
	[ -n "$apid" ] && break
	sleep 0.1
done
[ -n "$apid" ] || fail "no ctys-agent appeared on vm1"
[ -n "$apid" ] && kill -9 "$apid"
wait "$cpid"
rc=$?
[ "$rc" -eq 255 ] || fail "agent killed: exit $rc"
grep -q "the agent on 'vm1' ended before the job finished" "$T/kill.err" || fail "agent killed: $(cat "$T/kill.err")"

# an unreachable hop is named: vm1 loses its link to nvm1
rig_link "$R" nvm1 down
check hop-down 255 "" "'vm1' cannot reach 'nvm1'" -- "$C" $(cli true) 'pm1[vm1][nvm1]'
check hop-down-star 255 "" "'vm1' cannot open a tunnel to" -- "$C" -x star $(cli true) 'pm1[vm1][nvm1]'
rig_link "$R" nvm1 up

# a changed host key is refused, with the new key's fingerprint, in both modes
rig_rekey "$R" vm1
check rekey-chain 255 "" "host key of 'vm1' has changed (now SHA256:" -- "$C" $(cli true) 'pm1[vm1]'
check rekey-star 255 "" "host key of 'vm1' has changed (now SHA256:" -- "$C" -x star $(cli true) 'pm1[vm1]'
rig_rekey "$R" pm1
check rekey-first 255 "" "host key of 'pm1' has changed" -- "$C" $(cli true) pm1
finish
