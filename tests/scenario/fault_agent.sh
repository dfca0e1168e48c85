#!/bin/bash
# Fault injection: an agent killed with SIGKILL in the middle of a job.
# The job fails at once with 255 naming the layer whose agent died, the
# other jobs of the run finish, and no job process stays behind: killing
# the relay on pm1 closes its session to vm1, whose relay and the agent on
# nvm1 then end the job (CHAIN); killing the last agent takes its command
# with it (STAR and CHAIN).
. "$(dirname "$0")/lib.sh"
rig_start chain:3
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=30
C=$BIN/ctys

# agent_pid HOST COMM: the pid of process COMM (ctys-agent, ctys-agent-rel...)
# in HOST's namespace that runs a job (has a child)
agent_pid() {
	local ns=RIG_${1^^}_NS p
	for p in $(ip netns pids "${!ns}"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] || continue
		echo "$p"
		return
	done
}

# kill_agent NAME MODE HOST COMM SECS WANT_ERR
kill_agent() {
	local name=$1 mode=$2 host=$3 comm=$4 secs=$5 want=$6 cpid apid start el
	"$C" -v -x "$mode" -b par -t cli -a "create=l:t,cmd:sleep%$secs;hostname" \
		pm1 'pm1[vm1][nvm1]' >"$T/$name.out" 2>"$T/$name.err" &
	cpid=$!
	wait_procs "sleep $secs" 2 10 || fail "$name: commands did not start"
	apid=$(agent_pid "$host" "$comm")
	[ -n "$apid" ] || { fail "$name: no $comm on $host"; wait "$cpid"; return; }
	start=$(date +%s%N)
	kill -9 "$apid"
	wait_bg "$cpid" 10 "$name"
	el=$((($(date +%s%N) - start) / 1000000))
	[ "$rc" -eq 255 ] || fail "$name: exit $rc, want 255 ($(cat "$T/$name.err"))"
	# the job on pm1 alone (sleep 2 s) decides the duration
	[ "$el" -le 5000 ] || fail "$name: took $el ms after the kill"
	[ "$(cat "$T/$name.out")" = pm1 ] || fail "$name: output '$(cat "$T/$name.out")', want pm1"
	grep -qF "$want" "$T/$name.err" || fail "$name: error lacks '$want': $(cat "$T/$name.err")"
	grep -q "summary: job 1 .*pm1: ok 0" "$T/$name.err" || fail "$name: pm1's job: $(cat "$T/$name.err")"
	grep -q "summary: job 2 .*: failed 255" "$T/$name.err" || fail "$name: summary: $(cat "$T/$name.err")"
	wait_procs "sleep $secs" 0 5 || fail "$name: job processes left: $(pgrep -af "sleep $secs")"
}

kill_agent chain-relay CHAIN pm1 ctys-agent-rela 2.01 "the agent on 'pm1' ended before the job finished"
kill_agent chain-middle CHAIN vm1 ctys-agent-rela 2.02 "the agent on 'vm1' ended before the job finished"
kill_agent chain-last CHAIN nvm1 ctys-agent 2.03 "the agent on 'nvm1' ended before the job finished"
kill_agent star-last STAR nvm1 ctys-agent 2.04 "the agent on 'nvm1' ended before the job finished"

# afterwards every layer works as before
for mode in CHAIN STAR; do
	check "$mode-after" 0 "nvm1" "" -- "$C" -x "$mode" -t cli -a create=l:t,cmd:hostname 'pm1[vm1][nvm1]'
done
finish
