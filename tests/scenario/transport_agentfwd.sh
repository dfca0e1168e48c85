#!/bin/bash
# -Y forwards the client's ssh-agent through every CHAIN hop: with the
# layers' own keys removed, pm1[vm1][nvm1] fails without -Y and works with
# it (the relays on pm1 and vm1 authenticate with the forwarded agent).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
command -v ssh-agent >/dev/null || { echo "FAIL: ssh-agent missing"; exit 1; }
. "$TOP/tests/rig/rig.sh"
R=$T/rig
eval "$(ssh-agent -s)" >/dev/null
# the agent goes with the temp dir (lib.sh's trap), the rig before both
trap 'kill "$SSH_AGENT_PID" 2>/dev/null; rm -rf "$T"' EXIT
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" chain:3 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=20
C=$BIN/ctys
ssh-add -q "$RIG_KEY" || { echo "FAIL: ssh-add"; exit 1; }
# the layers lose their own keys: only the forwarded agent can open the next hop
rm -f "$RIG_PM1_HOME/.ssh/id_ed25519" "$RIG_VM1_HOME/.ssh/id_ed25519"

check without-Y 255 "" "'pm1' cannot reach 'vm1'" -- "$C" -t cli -a create=l:t,cmd:hostname 'pm1[vm1][nvm1]'
check with-Y 0 "nvm1" "" -- "$C" -Y -t cli -a create=l:t,cmd:hostname 'pm1[vm1][nvm1]'
# the client itself may also authenticate with the agent only
check agent-only-first-hop 0 "pm1" "" -- "$C" -t cli -a create=l:t,cmd:hostname pm1
finish
