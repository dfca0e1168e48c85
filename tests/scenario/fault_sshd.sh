#!/bin/bash
# Fault injection: sshd killed in the middle of a fan-out over 30 rig hosts.
# (1) Every sshd process of three hosts (listener and the connections that
# carry running jobs) is killed with SIGKILL while their jobs run: those
# three fail with 255 naming themselves, the 27 others finish with their
# output, nothing hangs, and no job process stays behind on the three.
# (2) With a fan-out of 5, a later host's listener dies while the first
# wave runs: that host alone fails to connect, the rest succeed.
. "$(dirname "$0")/lib.sh"
rig_start flat:30
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=30
C=$BIN/ctys
# shellcheck disable=SC2086
set -- $RIG_HOSTS

# sshd_pids NS: every sshd process inside network namespace NS
sshd_pids() {
	local p
	for p in $(ip netns pids "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sshd ] && echo "$p"
	done
}

# (1) all sshd of h005, h010, h015 killed while every host runs its job
"$C" -v -b par -t cli -a 'create=l:t,cmd:sleep%3.01;hostname' "$@" >"$T/f1.out" 2>"$T/f1.err" &
cpid=$!
wait_procs 'sleep 3.01' 30 20 || fail "only $(count_procs 'sleep 3.01') of 30 jobs started"
start=$(date +%s)
for h in h005 h010 h015; do
	ns=RIG_${h^^}_NS
	for p in $(sshd_pids "${!ns}"); do kill -9 "$p"; done
done
wait_bg "$cpid" 30 "sshd killed"
secs=$(($(date +%s) - start))
[ "$rc" -eq 255 ] || fail "sshd killed: exit $rc, want 255"
[ "$secs" -le 10 ] || fail "sshd killed: ctys needed $secs s after the kill"
want=$(printf '%s\n' "$@" | grep -vxE 'h005|h010|h015')
[ "$(sort "$T/f1.out")" = "$want" ] || fail "sshd killed: output of the others: $(sort "$T/f1.out" | tr '\n' ' ')"
for h in h005 h010 h015; do
	grep -q "summary: job [0-9]* .*@$h: failed 255 ([0-9.]* s) at $h" "$T/f1.err" ||
		fail "sshd killed: no failed summary naming $h: $(grep "$h" "$T/f1.err")"
	grep -q "^ctys: [^ ]*@$h: .*'$h'" "$T/f1.err" || fail "sshd killed: no error naming '$h'"
done
[ "$(grep -c 'summary: .*: ok 0' "$T/f1.err")" -eq 27 ] || fail "sshd killed: $(grep -c ': ok 0' "$T/f1.err") ok summaries, want 27"
# the jobs of the three hosts were ended by their agents (client gone)
wait_procs 'sleep 3.01' 0 5 || fail "job processes left: $(pgrep -af 'sleep 3.01')"
for h in h005 h010 h015; do rig_start_sshd "$R" "$h"; done

# (2) fan-out 5: h025's listener dies while the first wave runs
CTYS_FANOUT=5 "$C" -v -b par -t cli -a 'create=l:t,cmd:sleep%1;hostname' "$@" >"$T/f2.out" 2>"$T/f2.err" &
cpid=$!
for _ in $(seq 1 100); do [ "$(count_procs 'sleep 1')" -ge 1 ] && break; sleep 0.05; done
rig_kill_sshd "$R" h025
wait_bg "$cpid" 60 "fan-out 5"
[ "$rc" -eq 255 ] || fail "fan-out 5: exit $rc, want 255"
want=$(printf '%s\n' "$@" | grep -vx h025)
[ "$(sort "$T/f2.out")" = "$want" ] || fail "fan-out 5: output: $(sort "$T/f2.out" | tr '\n' ' ')"
grep -q "cannot connect to 'h025'" "$T/f2.err" || fail "fan-out 5: h025 not named: $(cat "$T/f2.err")"
[ "$(grep -c 'summary: .*: ok 0' "$T/f2.err")" -eq 29 ] || fail "fan-out 5: $(cat "$T/f2.err")"
finish
