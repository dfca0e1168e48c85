#!/bin/bash
# Fault injection: the client interrupted.  ctys runs commands on every
# layer of a 3-layer rig (and on localhost) in parallel, in CHAIN and in
# STAR mode; SIGINT or SIGTERM to ctys must end it within a bounded time
# with 128+signal, report each unfinished target as "cancelled", and leave
# no job process behind on any layer: each agent sees its client gone and
# ends its job's process group, the relays pass the hang-up on.
. "$(dirname "$0")/lib.sh"
rig_start chain:3
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=60
C=$BIN/ctys

# interrupt NAME SIGNAL MODE DURATION TARGETS...: start, wait until every
# target's command runs, signal, then check status, report and leftovers
interrupt() {
	local name=$1 sig=$2 mode=$3 secs=$4 cpid start ms n
	shift 4
	n=$#
	"$C" -x "$mode" -b par -t cli -a "create=l:t,cmd:sleep%$secs" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	cpid=$!
	wait_procs "sleep $secs" "$n" 20 || fail "$name: $(count_procs "sleep $secs") of $n commands started"
	start=$(date +%s%N)
	kill "-$sig" "$cpid"
	# bounded wait for ctys itself: it must not hang on its channels
	wait_bg "$cpid" 10 "$name"
	ms=$((($(date +%s%N) - start) / 1000000))
	case $sig in INT) want=130 ;; TERM) want=143 ;; esac
	[ "$rc" -eq "$want" ] || fail "$name: exit $rc, want $want ($(cat "$T/$name.err"))"
	[ "$ms" -lt 5000 ] || fail "$name: ctys took $ms ms to end after SIG$sig"
	[ "$(grep -c ': cancelled$' "$T/$name.err")" -eq "$n" ] ||
		fail "$name: want $n 'cancelled' lines: $(cat "$T/$name.err")"
	for t in "$@"; do
		sed 's/tester@//g' "$T/$name.err" | grep -qxF "ctys: $t: cancelled" ||
			fail "$name: $t not reported: $(cat "$T/$name.err")"
	done
	# every layer ended its job (each hop notices within a second or so)
	wait_procs "sleep $secs" 0 10 || fail "$name: $(count_procs "sleep $secs") job processes left: $(pgrep -af "sleep $secs")"
	# and no agent stays behind in any namespace
	for h in pm1 vm1 nvm1; do
		ns=RIG_${h^^}_NS
		wait_agents_gone "${!ns}" || fail "$name: agent processes left on $h"
	done
}

wait_agents_gone() {
	local i p busy
	for i in $(seq 1 50); do
		busy=0
		for p in $(ip netns pids "$1"); do
			case $(cat "/proc/$p/comm" 2>/dev/null) in ctys-agent*) busy=1 ;; esac
		done
		[ "$busy" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}

interrupt chain-int INT CHAIN 41.1 pm1 'pm1[vm1]' 'pm1[vm1][nvm1]'
interrupt star-int INT STAR 41.2 pm1 'pm1[vm1]' 'pm1[vm1][nvm1]'
interrupt chain-term TERM CHAIN 41.3 localhost pm1 'pm1[vm1][nvm1]'
interrupt star-term TERM STAR 41.4 localhost 'pm1[vm1][nvm1]'

# a job that finished before the signal keeps its result; the others are cancelled
"$C" -b par -t cli -a create=l:t,cmd:echo%done pm1 >"$T/mix.out" 2>"$T/mix.err"
[ "$(cat "$T/mix.out")" = done ] || fail "plain run after the interrupts: $(cat "$T/mix.out" "$T/mix.err")"
"$C" -b par -t cli -a "create=l:t,cmd:sleep%41.5" pm1 'pm1[vm1]' \
	'pm1[vm1][nvm1](-a create=l:u,cmd:echo%early)' >"$T/mix.out" 2>"$T/mix.err" &
cpid=$!
wait_procs "sleep 41.5" 2 20 || fail "mix: commands did not start"
for _ in $(seq 1 50); do grep -q early "$T/mix.out" && break; sleep 0.1; done
kill -INT "$cpid"
wait_bg "$cpid" 10 mix
[ "$rc" -eq 130 ] || fail "mix: exit $rc"
[ "$(cat "$T/mix.out")" = early ] || fail "mix: output '$(cat "$T/mix.out")'"
[ "$(grep -c ': cancelled$' "$T/mix.err")" -eq 2 ] || fail "mix: $(cat "$T/mix.err")"
grep -q "nvm1\]: cancelled" "$T/mix.err" && fail "mix: the finished job was reported cancelled"
wait_procs "sleep 41.5" 0 10 || fail "mix: job processes left"
finish
