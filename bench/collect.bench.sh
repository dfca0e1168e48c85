#!/bin/bash
# Collector actions (issue 6): ctys -a list localhost <= 50 ms (the bash
# original: 16 s), baseline ctys -V; ctys-vdbgen of 200 rig hosts vs the
# same fan-out with pdsh (pdsh running the agent's ENUMERATE by hand) in the
# same run: target <= 1.0x pdsh + 1 s.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/.." && pwd)
C=$TOP/bin/ctys
W=$(mktemp -d /tmp/ctys-bench-XXXXXX)
export HOME=$W/home USER=root CTYS_NORESOLVE=1
mkdir -p "$HOME"
trap 'rm -rf "$W"' EXIT

RUNS=20
measure "$C" -V
base=$MED_MS
measure "$C" -a list localhost
report "ctys -a list localhost" "$MED_MS" 50 "ctys -V" "$base" "$RSS_KB"
measure "$C" -a enumerate=machine localhost
report "ctys -a enumerate=machine localhost" "$MED_MS" 50 "ctys -V" "$base" "$RSS_KB"
measure "$C" -a info localhost
report "ctys -a info localhost" "$MED_MS" 50 "ctys -V" "$base" "$RSS_KB"

[ "$(id -u)" -eq 0 ] || { echo "vdbgen bench: needs root (network namespaces); skipped"; exit 0; }
command -v pdsh >/dev/null || { echo "vdbgen bench: pdsh missing; skipped"; exit 0; }
. "$TOP/tests/rig/rig.sh"
trap 'rig_down "$W/flat" >/dev/null 2>&1; rm -rf "$W"' EXIT
RIG_QUIET=1 rig_up "$W/flat" flat:200 || exit 1
# shellcheck disable=SC2086
printf '%s\n' $RIG_HOSTS >"$W/hosts"
job='{"t":"hello","v":1,"client":"bench"}'
job2='{"t":"job","id":"b","at":0,"mode":"chain","hops":[{"host":"x"}],"type":"ALL","action":"ENUMERATE","subopts":[{"key":"MACHINE","arg":null}],"timeout":60}'
printf '%s\n%s\n' "$job" "$job2" >"$W/job.txt"
RUNS=3
PDSH_RCMD_TYPE=ssh PDSH_SSH_ARGS_APPEND="-F $RIG_SSH_CONFIG" measure sh -c \
    "pdsh -f 32 -w ^$W/hosts 'ctys-agent --stdio < $W/job.txt' >/dev/null"
pdsh_ms=$MED_MS
rm -rf "$W/db"
# shellcheck disable=SC2046
CTYS_SSH_CONFIG=$RIG_SSH_CONFIG measure sh -c "rm -rf '$W/db'; '$TOP/bin/ctys-vdbgen' --threads=32 --cacheDB='$W/db' -- $(tr '\n' ' ' <"$W/hosts")"
report "ctys-vdbgen 200 rig hosts into LMDB" "$MED_MS" "$(awk -v b="$pdsh_ms" 'BEGIN{print b + 1000}')" "pdsh -f 32" "$pdsh_ms" "$RSS_KB"
echo "baselines: ctys -V $base ms; pdsh -f 32 running the agent's ENUMERATE on 200 hosts $pdsh_ms ms"
