#!/bin/bash
# ctys client start-up and planning.  Targets (issue 2): ctys -V <= 3 ms,
# ctys -n with 1,000 targets on the command line <= 20 ms.  Baseline in the
# same run: /bin/true (the cost of starting any process here).
. "$(dirname "$0")/lib.sh"
C=$(dirname "$0")/../bin/ctys
export HOME=$(mktemp -d) USER=bench
trap 'rm -rf "$HOME"' EXIT

measure /bin/true
base=$MED_MS
targets=$(for i in $(seq 1 1000); do printf 'host%04d ' "$i"; done)
measure "$C" -V
report "ctys -V" "$MED_MS" 3 "/bin/true" "$base" "$RSS_KB"
# shellcheck disable=SC2086
measure "$C" -n -a list $targets
report "ctys -n -a list <1,000 targets>" "$MED_MS" 20 "/bin/true" "$base" "$RSS_KB"
# shellcheck disable=SC2086
measure "$C" -n -t qemu -a create=l:vm,reuse -- '(-d 1)' $(for i in $(seq 1 1000); do printf 'u@pm%04d(-z 2)[vm] ' "$i"; done)
report "ctys -n <1,000 stack targets w/ contexts>" "$MED_MS" 20 "/bin/true" "$base" "$RSS_KB"
echo "baseline /bin/true: $base ms"
