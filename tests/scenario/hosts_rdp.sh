#!/bin/bash
# RDP through the hop path of a 3-layer rig with a recording stand-in for
# xfreerdp (tests/fixtures/hosts/xfreerdp; no RDP server runs here): the
# client gets exactly its expected arguments, connects to the local end of
# the tunnel ctys opens and reads the banner of a test server listening on
# nvm1's loopback; LIST shows it by label, CANCEL ends it and the tunnel.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
command -v socat >/dev/null || { echo "SKIP: needs socat"; exit 0; }
. "$TOP/tests/rig/rig.sh"
R=$T/rig
CF=""
trap '[ -n "$CF" ] && kill $CF 2>/dev/null; rig_down "$R"; rm -rf "$T"' EXIT
RIG_QUIET=1 rig_up "$R" chain:3 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=30
export CTYS_LOCAL_PORTREMAP=$((20000 + RANDOM % 20000)) CTYS_FAKE_RDP_LOG=$T/rdp
C=$BIN/ctys
N='pm1[vm1][nvm1]'
# a test server on nvm1's loopback (the rig ends it with the namespace)
rig_exec "$R" nvm1 socat TCP-LISTEN:3390,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo RDP-TEST-BANNER' &
for i in $(seq 1 100); do ip netns exec "$RIG_NVM1_NS" ss -Hltn 'sport = :3390' | grep -q . && break; sleep 0.05; done

PATH=$TOP/tests/fixtures/hosts:$PATH "$C" -L CF -g 800x600 -t rdp -a create=l:win1,rdpport:3390 "$N" \
	>"$T/cf.out" 2>"$T/cf.err" &
CF=$!
for i in $(seq 1 200); do [ -s "$T/rdp.banner" ] && break; sleep 0.05; done
[ "$(cat "$T/rdp.banner" 2>/dev/null)" = RDP-TEST-BANNER ] || fail "banner: '$(cat "$T/rdp.banner" 2>/dev/null)' ($(cat "$T/cf.err"))"
lport=$(sed -n 's|^/v:127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$T/rdp.argv")
[ "$(cat "$T/rdp.argv")" = "/v:127.0.0.1:$lport /title:win1 /size:800x600" ] || fail "argv: $(cat "$T/rdp.argv")"
[ "$lport" -ge "$CTYS_LOCAL_PORTREMAP" ] || fail "local port $lport"
for i in $(seq 1 100); do "$C" -t rdp -a list=label,site,terse localhost >"$T/list" 2>&1; grep -qx "win1;CLIENT" "$T/list" && break; sleep 0.05; done
grep -qx "win1;CLIENT" "$T/list" || fail "list: $(cat "$T/list")"
check cancel 0 "" "" -- "$C" -b 0 -t rdp -a cancel=l:win1 "$N"
for i in $(seq 1 100); do kill -0 "$CF" 2>/dev/null || break; sleep 0.05; done
wait "$CF"
rc=$?
CF=""
[ "$rc" -eq 0 ] || fail "the RDP session ended with $rc: $(cat "$T/cf.err")"
ss -Hltn "sport = :$lport" | grep -q . && fail "tunnel port $lport still listens"
check no-rdesktop 2 "" "rdesktop not found on this machine: install the Debian package rdesktop" -- \
	env PATH=/usr/bin/nonexistent "$C" -L CF -t rdp -a create=l:w2,console:rdesktop "$N"
check bad-port 1 "" "bad RDPPORT 'x1'" -- "$C" -L CF -t rdp -a create=l:w2,rdpport:x1 "$N"
finish
