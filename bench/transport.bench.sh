#!/bin/bash
# Transport benchmarks on rig hosts (issue 5), all contestants with the same
# ssh settings (the rig's config pins KexAlgorithms curve25519-sha256):
#   one command on 200 hosts: ctys vs pdsh -f 32 (target <= 0.6x) and
#   xargs -P 32 ssh; a 3-hop command: ctys vs ssh -J pm1,vm1 nvm1 (target
#   <= 0.6x; STAR is its like-for-like mode, CHAIN is also compared with
#   nested ssh, each layer logging in to the next); peak RSS of ctys with
#   200 concurrent targets (<= 100 MiB); and, without a target, the 200
#   hosts in STUBMODE (no agent: the transport alone) and the CPU time the
#   client machine spends per host.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/.." && pwd)
C=$TOP/bin/ctys
[ "$(id -u)" -eq 0 ] || { echo "transport bench: needs root (network namespaces); skipped"; exit 0; }
command -v pdsh >/dev/null || { echo "transport bench: pdsh missing (make bench installs it)"; exit 0; }
. "$TOP/tests/rig/rig.sh"
W=$(mktemp -d /tmp/ctys-bench-XXXXXX)
trap 'rig_down "$W/flat" >/dev/null 2>&1; rig_down "$W/chain" >/dev/null 2>&1; rm -rf "$W"' EXIT
export HOME=$W/home USER=root
mkdir -p "$HOME"

RIG_QUIET=1 rig_up "$W/chain" chain:3 || exit 1
CCFG=$RIG_SSH_CONFIG
RUNS=10
measure ssh -F "$CCFG" -J pm1,vm1 nvm1 true
base=$MED_MS
# CHAIN's like-for-like contestant: each layer logs in to the next itself
measure ssh -F "$CCFG" pm1 ssh vm1 ssh nvm1 true
nested=$MED_MS
CTYS_SSH_CONFIG=$CCFG measure "$C" -x star -t cli -a create=l:b,cmd:true 'pm1[vm1][nvm1]'
report "3 hops, ctys (STAR)" "$MED_MS" "$(awk -v b="$base" 'BEGIN{print b*0.6}')" "ssh -J" "$base"
CTYS_SSH_CONFIG=$CCFG measure "$C" -t cli -a create=l:b,cmd:true 'pm1[vm1][nvm1]'
report "3 hops, ctys (CHAIN)" "$MED_MS" "$(awk -v b="$base" 'BEGIN{print b*0.6}')" "ssh -J" "$base"
report "3 hops, ctys (CHAIN) vs nested ssh" "$MED_MS" "$(awk -v b="$nested" 'BEGIN{print b*0.6}')" "nested ssh" "$nested"
echo "baselines: ssh -J pm1,vm1 nvm1 true: $base ms; ssh pm1 ssh vm1 ssh nvm1 true: $nested ms"

RIG_QUIET=1 rig_up "$W/flat" flat:200 || exit 1
FCFG=$RIG_SSH_CONFIG
# shellcheck disable=SC2086
printf '%s\n' $RIG_HOSTS >"$W/hosts"
# the contestants take turns, five rounds, so that drift of the machine
# (it varies by 20% from one minute to the next) hits them all alike
c_pdsh() { PDSH_RCMD_TYPE=ssh PDSH_SSH_ARGS_APPEND="-F $FCFG" measure pdsh -f 32 -w "^$W/hosts" true; }
c_xargs() { measure sh -c "xargs -P 32 -I{} ssh -F '$FCFG' {} true <'$W/hosts'"; }
# shellcheck disable=SC2046
c_ctys() { CTYS_SSH_CONFIG=$FCFG measure "$C" -b par -t cli -a "create=l:b${1:-},cmd:true" $(cat "$W/hosts"); }
c_ctys200() { CTYS_FANOUT=200 c_ctys; }
c_stub() { c_ctys ,stubmode; }
# a figure counts only if every host answered
# shellcheck disable=SC2046
CTYS_SSH_CONFIG=$FCFG "$C" -b par -t cli -a create=l:b,cmd:true $(cat "$W/hosts") >/dev/null 2>&1 ||
	{ echo "transport bench: ctys failed on the 200 hosts (exit $?)"; exit 1; }
alternate 5 c_pdsh c_xargs c_ctys c_ctys200 c_stub || exit 1
pdsh_ms=${ALT_MS[c_pdsh]}
xargs_ms=${ALT_MS[c_xargs]}
t=$(awk -v b="$pdsh_ms" 'BEGIN{print b*0.6}')
report "200 hosts, ctys (fan-out 32)" "${ALT_MS[c_ctys]}" "$t" "pdsh -f 32" "$pdsh_ms"
report "200 hosts, ctys vs xargs -P 32 ssh" "${ALT_MS[c_ctys]}" "$t" "xargs+ssh" "$xargs_ms"
awk -v r="${ALT_RSS[c_ctys]}" 'BEGIN { printf "%-44s %9.1f MiB (target <= 100 MiB: %s)\n", "peak RSS, 200 concurrent targets", r/1024, (r/1024 <= 100) ? "ok" : "OVER TARGET" }'
report "200 hosts, ctys (fan-out 200)" "${ALT_MS[c_ctys200]}" "$t" "pdsh -f 32" "$pdsh_ms"
awk -v r="${ALT_RSS[c_ctys200]}" 'BEGIN { printf "%-44s %9.1f MiB (target <= 100 MiB: %s)\n", "peak RSS, fan-out 200", r/1024, (r/1024 <= 100) ? "ok" : "OVER TARGET" }'
# no target, for reading the figures above: STUBMODE runs the command over
# SSH with no agent, so it is ctys's transport alone.  sshd's own start per
# connection, the same for every contestant, is most of each figure.
awk -v v="${ALT_MS[c_stub]}" -v b="$pdsh_ms" 'BEGIN { printf "%-44s %9.2f ms  (no target)  ratio %.2fx pdsh -f 32\n", "200 hosts, ctys STUBMODE (no agent)", v, v / b }'
# no target either: the CPU time the client machine spends, per host (the
# contestant and the processes it waited for: ssh under pdsh and xargs).
# Here sshd and the remote shells share the client's 2 cores, so the wall
# times above include them; with real hosts they run elsewhere.
awk -v c="${ALT_CPU[c_ctys]}" -v p="${ALT_CPU[c_pdsh]}" -v x="${ALT_CPU[c_xargs]}" 'BEGIN {
	printf "%-44s %9.2f ms  (no target)  ratio %.2fx pdsh -f 32 (%.2f ms), %.2fx xargs+ssh (%.2f ms)\n",
	    "client CPU per host, ctys (fan-out 32)", c / 200, c / p, p / 200, c / x, x / 200 }'
# and the rest of the machine's CPU per host: sshd, the shells, the agent
# (the rig hosts' side).  With all of it on these 2 cores, a client that
# cost nothing would still take (ctys's rest) / (pdsh's whole) of the time.
awk -v c="${ALT_CPU[c_ctys]}" -v m="${ALT_MACH[c_ctys]}" -v pc="${ALT_CPU[c_pdsh]}" \
    -v pm="${ALT_MACH[c_pdsh]}" 'BEGIN {
	printf "%-44s %9.2f ms  (no target)  pdsh -f 32: %.2f ms\n", "rig hosts\047 CPU per host (sshd, shells, agent)",
	    (m - c) / 200, (pm - pc) / 200
	printf "%-44s %9.2fx pdsh -f 32 (ctys with a client costing nothing)\n", "floor of the 200-host ratio on this machine",
	    (m - c) / pm }'
echo "baselines: pdsh -f 32 $pdsh_ms ms, xargs -P 32 ssh $xargs_ms ms"
