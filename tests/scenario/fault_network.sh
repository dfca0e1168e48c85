#!/bin/bash
# Fault injection: the network drops between two layers while jobs run
# (ip link set down inside the rig: packets vanish, no reset).  A job to
# pm1[vm1][nvm1] fails within its timeout naming the hop that stopped
# answering, in CHAIN and STAR mode, while the jobs to pm1 and pm1[vm1] of
# the same run finish with their output; once the link is up again the
# same command succeeds.
. "$(dirname "$0")/lib.sh"
rig_start chain:3
# job timeout 4 s: the relay on vm1 gives up on nvm1 after 4+3 s, the
# client (STAR) after 4+3*3 s
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=4
C=$BIN/ctys

# drop MODE SECS LIMIT WANT_ERR: run on all three layers, drop nvm1's uplink
# once the three commands run, check the result, restore the link
drop() {
	local mode=$1 secs=$2 limit=$3 want=$4 cpid start el
	"$C" -v -x "$mode" -b par -t cli -a "create=l:t,cmd:sleep%$secs;hostname" \
		pm1 'pm1[vm1]' 'pm1[vm1][nvm1]' >"$T/$mode.out" 2>"$T/$mode.err" &
	cpid=$!
	wait_procs "sleep $secs" 3 10 || fail "$mode: commands did not start"
	start=$(date +%s%N)
	rig_link "$R" nvm1 down
	wait_bg "$cpid" 30 "$mode"
	el=$((($(date +%s%N) - start) / 1000000))
	[ "$rc" -eq 255 ] || fail "$mode: exit $rc, want 255 ($(cat "$T/$mode.err"))"
	[ "$el" -le "$limit" ] || fail "$mode: took $el ms after the drop, limit $limit"
	[ "$(sort "$T/$mode.out" | tr '\n' ' ')" = "pm1 vm1 " ] ||
		fail "$mode: output of the other layers: $(cat "$T/$mode.out")"
	grep -qF "$want" "$T/$mode.err" || fail "$mode: error lacks '$want': $(cat "$T/$mode.err")"
	grep -q "summary: job 3 .*nvm1\]: failed 255" "$T/$mode.err" || fail "$mode: summary: $(cat "$T/$mode.err")"
	[ "$(grep -c 'summary: .*: ok 0' "$T/$mode.err")" -eq 2 ] || fail "$mode: others not ok: $(cat "$T/$mode.err")"
	rig_link "$R" nvm1 up
	check "$mode-after" 0 "nvm1" "" -- "$C" -x "$mode" -t cli -a create=l:t,cmd:hostname 'pm1[vm1][nvm1]'
}

drop CHAIN 1.01 12000 "no answer from the agent on 'nvm1' within 7 s"
drop STAR 1.02 18000 "no answer from the agent on 'nvm1' within 13 s"

# the link is down before the run: the hop below says it cannot reach nvm1
rig_link "$R" nvm1 down
start=$(date +%s)
check down-before 255 "" "'vm1' cannot reach 'nvm1'" -- "$C" -t cli -a create=l:t,cmd:true 'pm1[vm1][nvm1]'
[ $(($(date +%s) - start)) -le 10 ] || fail "down-before: took more than 10 s"
rig_link "$R" nvm1 up
finish
