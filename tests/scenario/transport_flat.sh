#!/bin/bash
# Fan-out on 50 rig hosts: every host answers once, attributed to it; a host
# whose sshd is down, a black-holed address and a host that dies mid-job
# fail alone, within their own timeout, while the others finish.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
. "$TOP/tests/rig/rig.sh"
R=$T/rig
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" flat:50 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=2 CTYS_TIMEOUT=20
C=$BIN/ctys
# shellcheck disable=SC2086
set -- $RIG_HOSTS

check fanout-50 0 "*" "" -- "$C" -a info "$@"
[ "$(grep -c '^Node:h0' "$T/out")" -eq 50 ] || fail "fan-out: $(grep -c '^Node:' "$T/out") answers of 50"
[ "$(grep '^Node:' "$T/out" | sort -u | wc -l)" -eq 50 ] || fail "fan-out: answers not from 50 distinct hosts"

# one session per host: two jobs to one host share it (both succeed)
check same-host-twice 0 "*" "" -- "$C" -a info h001 h001
[ "$(grep -c '^Node:h001' "$T/out")" -eq 2 ] || fail "same host twice: $(cat "$T/out")"

# a command on a target reads /dev/null, not the agent's protocol stream
check cmd-stdin 0 "/dev/null" "" -- "$C" -t cli -a create=l:t,cmd:readlink%/proc/self/fd/0 h001
# sshd's shell reads ~/.bashrc; the command's bash, one level down, does not again
echo 'echo read >>"$HOME/bashrc.log"' >"$R/nodes/h002/home/.bashrc"
check cmd-bashrc 0 "2" "" -- "$C" -t cli -a 'create=l:t,cmd:echo%$SHLVL' h002
[ "$(wc -l <"$R/nodes/h002/home/bashrc.log")" -eq 1 ] ||
	fail "cmd-bashrc: ~/.bashrc read $(wc -l <"$R/nodes/h002/home/bashrc.log") times, want 1"
rm "$R/nodes/h002/home/.bashrc"

# the first identity file is not authorized, or needs a passphrase: the
# direct signature is refused (or not tried) and the probing walk finds the
# right key.  libssh puts the last IdentityFile read first.
for k in stray:"" locked:secret; do
	ssh-keygen -q -t ed25519 -N "${k#*:}" -C "${k%%:*}" -f "$T/${k%%:*}_key" || fail "ssh-keygen"
	{ cat "$RIG_SSH_CONFIG"; printf '\nHost *\n  IdentityFile %s\n' "$T/${k%%:*}_key"; } >"$T/ids_config"
	CTYS_SSH_CONFIG=$T/ids_config check "first-identity-${k%%:*}" 0 "*" "" -- "$C" -a info h001 h002
	[ "$(grep -c '^Node:h00[12]' "$T/out")" -eq 2 ] || fail "first identity ${k%%:*}: $(cat "$T/out")"
done

# sshd down on one host: that host fails, the other 49 answer
rig_kill_sshd "$R" h010
check sshd-down 255 "*" "cannot connect to 'h010'" -- "$C" -a info "$@"
[ "$(grep -c '^Node:' "$T/out")" -eq 49 ] || fail "sshd down: $(grep -c '^Node:' "$T/out") answers"
rig_start_sshd "$R" h010

# a black-holed address costs only its own connect timeout
start=$(date +%s%N)
check blackhole 255 "*" "cannot connect to '$RIG_BLACKHOLE_IP'" -- "$C" -a info "$RIG_BLACKHOLE_IP" h001 h002
ms=$((($(date +%s%N) - start) / 1000000))
[ "$(grep -c '^Node:' "$T/out")" -eq 2 ] || fail "blackhole: the others did not answer"
[ "$ms" -lt 8000 ] || fail "blackhole took $ms ms (connect timeout 2 s)"

# a host dies mid-job (every process in its namespace killed): reported, others finish
"$C" -v -t cli -a create=l:t,cmd:sleep%2\;hostname h003 h004 h005 >"$T/mid.out" 2>"$T/mid.err" &
cpid=$!
sleep 1
for p in $(ip netns pids "$RIG_H004_NS"); do kill -9 "$p" 2>/dev/null; done
wait "$cpid"
rc=$?
[ "$rc" -eq 255 ] || fail "mid-job death: exit $rc"
[ "$(sort "$T/mid.out" | tr '\n' ' ')" = "h003 h005 " ] || fail "mid-job death: out '$(cat "$T/mid.out")'"
grep -q "h004" "$T/mid.err" || fail "mid-job death: h004 not named: $(cat "$T/mid.err")"
grep -q "summary: job 2 .*h004: failed 255" "$T/mid.err" || fail "summary: $(cat "$T/mid.err")"
finish
