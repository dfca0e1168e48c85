#!/bin/bash
# VNC through a 3-layer rig (root -> pm1 -> vm1 -> nvm1): ctys starts Xvnc
# in the innermost layer and a viewer here on a tunnel it opens across
# every hop (-L CONNECTIONFORWARDING).  The RFB banner read through the
# tunnel and a screenshot of the viewer under Xvfb (the server's red xlogo,
# checked away from the viewer's F8 overlay) prove it; LIST shows server
# and client by label; CANCEL BOTH leaves no process and no listening
# port.  Bad input: a label used twice, a port taken, a viewer or server
# binary missing, a hop dropping mid-session (the tunnel closes, the error
# names the hop).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
for p in Xvnc xtigervncviewer vncpasswd Xvfb xlogo import; do
	command -v $p >/dev/null || { echo "SKIP: needs $p (tests/deps.sh)"; exit 0; }
done
. "$TOP/tests/rig/rig.sh"
R=$T/rig
XPID=""
CPIDS=()
cleanup() {
	local p
	for p in "${CPIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null
}
trap 'cleanup; rig_down "$R"; rm -rf "$T"' EXIT
RIG_QUIET=1 rig_up "$R" chain:3 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=30
# a private range for the local tunnel ports: no clash with parallel runs
export CTYS_LOCAL_PORTREMAP=$((20000 + RANDOM % 20000))
C=$BIN/ctys
N='pm1[vm1][nvm1]'

# the same VNC password here (viewer) and on nvm1 (server); a red xlogo as desktop
for h in "$HOME" "$RIG_NVM1_HOME"; do
	mkdir -p "$h/.vnc"
	echo ctys-test | vncpasswd -f >"$h/.vnc/passwd"
	chmod 600 "$h/.vnc/passwd"
done
printf '#!/bin/sh\nexec xlogo -bg red -geometry 640x480+0+0\n' >"$RIG_NVM1_HOME/.vnc/xstartup"
chmod 755 "$RIG_NVM1_HOME/.vnc/xstartup"

# a local X server for the viewer, on a display nobody uses (-displayfd)
Xvfb -displayfd 3 -screen 0 800x600x24 -nolisten tcp 3>"$T/xdisp" 2>"$T/xvfb.log" &
XPID=$!
for i in $(seq 1 100); do [ -s "$T/xdisp" ] && break; sleep 0.05; done
export DISPLAY=:$(cat "$T/xdisp")
[ "$DISPLAY" != ":" ] || { fail "Xvfb did not start: $(cat "$T/xvfb.log")"; finish; }

pid_in_ns() { # NS COMM: pids of COMM inside network namespace NS
	ip netns pids "$1" 2>/dev/null | while read -r p; do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = "$2" ] && echo "$p"; done
}
viewer_port() { # LABEL: the local port of its viewer, from LIST on localhost
	"$C" -t vnc -a list=label,cport,site,terse localhost 2>/dev/null |
		awk -F';' -v l="$1" '$1 == l && $3 == "CLIENT" { print $2 }'
}
wait_viewer() { # LABEL -> sets VPORT
	local i
	VPORT=""
	for i in $(seq 1 200); do
		VPORT=$(viewer_port "$1")
		[ -n "$VPORT" ] && return 0
		sleep 0.05
	done
	return 1
}
listening() { # [NS] PORT
	if [ $# -eq 2 ]; then ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; else ss -Hltn "sport = :$1" | grep -q .; fi
}

# ---- a session through three hops ----
t0=$(date +%s%N)
"$C" -L CF -r 640x480 -t vnc -a create=l:desk1 "$N" >"$T/cf1.out" 2>"$T/cf1.err" &
CF1=$!
CPIDS+=("$CF1")
wait_viewer desk1 || fail "no viewer for desk1: $(cat "$T/cf1.err")"
echo "viewer up after $((($(date +%s%N) - t0) / 1000000)) ms"
# display numbers are shared by all namespaces: take the one ctys chose
SPORT=$(sed -n 's/^CLIENTPORT(VNC,nvm1,desk1)=\([0-9]*\)$/\1/p' "$T/cf1.out")
[ -n "$SPORT" ] || { fail "create output: $(cat "$T/cf1.out") $(cat "$T/cf1.err")"; finish; }
SDISP=$((SPORT - 5900))
[ "$(pid_in_ns "$RIG_NVM1_NS" Xvnc | wc -l)" -eq 1 ] || fail "no Xvnc inside nvm1"
[ -z "$(pid_in_ns "$RIG_VM1_NS" Xvnc)" ] || fail "Xvnc in vm1"

# the RFB banner through the tunnel
banner=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$VPORT; head -c 12 <&3")
[ "$banner" = "RFB 003.008" ] || fail "banner through 127.0.0.1:$VPORT: '$banner'"

# the viewer shows the server's desktop: red at (600,440), far from the F8 overlay
px=""
for i in $(seq 1 100); do
	import -window root "$T/shot.png" 2>/dev/null &&
		px=$(convert "$T/shot.png" -format '%[pixel:p{600,440}]' info: 2>/dev/null)
	case $px in red | "srgb(255,0,0)") break ;; esac
	sleep 0.1
done
case $px in red | "srgb(255,0,0)") ;; *) fail "screenshot pixel (600,440) is '$px', want red" ;; esac
# and the viewer is 640x480: outside it the Xvfb root is black
px=$(convert "$T/shot.png" -format '%[pixel:p{700,560}]' info:)
case $px in black | "srgb(0,0,0)") ;; *) fail "pixel (700,560) outside the viewer is '$px'" ;; esac

# LIST: the server on nvm1 and the client here, by label (fields in record order)
check list 0 "*" "" -- "$C" -t vnc -a list=host,label,site,cport,terse localhost "$N"
grep -qx "nvm1;desk1;$SPORT;SERVER" "$T/out" || fail "list server: $(cat "$T/out")"
grep -qx "localhost;desk1;$VPORT;CLIENT" "$T/out" || fail "list client: $(cat "$T/out")"
check getclientport 0 "CLIENTPORT(VNC,nvm1,desk1)=$SPORT" "" -- "$C" -t vnc -a getclientport=desk1 "$N"

# ---- bad input ----
check label-twice 1 "" "label 'desk1' is already used by VNC display :$SDISP on 'nvm1'" -- \
	"$C" -L CF -t vnc -a create=l:desk1 "$N"
check port-taken 2 "" "port $SPORT is already in use on 'nvm1'" -- \
	"$C" -L CF -t vnc -a create=l:desk2,vncport:$SPORT "$N"
check no-viewer 2 "" "xtigervncviewer not found on this machine: install the Debian package tigervnc-viewer" -- \
	env PATH=/nonexistent "$C" -L CF -t vnc -a create=l:desk3 "$N"
[ "$(pid_in_ns "$RIG_NVM1_NS" Xvnc | wc -l)" -eq 1 ] || fail "a server started without a viewer"
check no-server 2 "" "Xvnc not found on 'localhost': install the Debian package tigervnc-standalone-server" -- \
	env PATH=/nonexistent "$C" -L SO -t vnc -a create=l:desk3 localhost
check cancel-unknown 1 "" "no VNC session 'nosuch' on 'nvm1'" -- "$C" -b 0 -t vnc -a cancel=l:nosuch "$N"

# ---- CANCEL BOTH: no process and no port left ----
XVNC=$(pid_in_ns "$RIG_NVM1_NS" Xvnc)
check cancel-both 0 "" "" -- "$C" -b 0 -t vnc -a cancel=l:desk1,both "$N"
for i in $(seq 1 100); do kill -0 "$CF1" 2>/dev/null || break; sleep 0.05; done
kill -0 "$CF1" 2>/dev/null && fail "ctys with the tunnel still runs after CANCEL BOTH"
wait "$CF1"
rc=$?
[ "$rc" -eq 0 ] || fail "the CF session ended with $rc: $(cat "$T/cf1.err")"
[ -z "$(viewer_port desk1)" ] || fail "a viewer is left"
listening "$VPORT" && fail "local port $VPORT still listens"
listening "$RIG_NVM1_NS" "$SPORT" && fail "port $SPORT still listens in nvm1"
[ -n "$XVNC" ] && [ -e "/proc/$XVNC" ] && ! grep -q '^State:.*Z' "/proc/$XVNC/status" && fail "Xvnc $XVNC still runs"

# ---- a hop drops mid-session: the tunnel closes, the error names the hop ----
"$C" -L CF -t vnc -a create=l:desk4 "$N" >"$T/cf4.out" 2>"$T/cf4.err" &
CF4=$!
CPIDS+=("$CF4")
wait_viewer desk4 || fail "no viewer for desk4: $(cat "$T/cf4.err")"
P4=$VPORT
rig_link "$R" nvm1 down
for i in $(seq 1 300); do kill -0 "$CF4" 2>/dev/null || break; sleep 0.05; done
kill -0 "$CF4" 2>/dev/null && fail "ctys still runs 15 s after nvm1 dropped"
wait "$CF4"
rc=$?
[ "$rc" -eq 255 ] || fail "hop drop: exit $rc"
grep -q "^ctys: tester@pm1\[tester@vm1\]\[tester@nvm1\]: tunnel closed: no answer from 'nvm1'" "$T/cf4.err" ||
	fail "hop drop message: $(cat "$T/cf4.err")"
[ -z "$(viewer_port desk4)" ] || fail "the viewer survived the dropped hop"
listening "$P4" && fail "local port $P4 still listens after the drop"
rig_link "$R" nvm1 up
check cancel-after-drop 0 "" "" -- "$C" -b 0 -t vnc -a cancel=l:desk4 "$N"
[ -z "$(pid_in_ns "$RIG_NVM1_NS" Xvnc)" ] || fail "Xvnc left in nvm1"
finish
