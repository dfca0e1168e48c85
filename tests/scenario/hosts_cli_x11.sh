#!/bin/bash
# CLI and X11 sessions in the innermost layer of a 3-layer rig:
# a command (through the agents, and STUBMODE without them), an
# interactive login driven through a PTY (tmux: keys in, prompt and output
# read back), and an X client in nvm1 whose window appears on a local
# Xvfb through SSH X11 forwarding on the session ctys opens across the hops.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
for p in tmux Xvfb xlogo import xauth; do
	command -v $p >/dev/null || { echo "SKIP: needs $p (tests/deps.sh)"; exit 0; }
done
. "$TOP/tests/rig/rig.sh"
R=$T/rig
X="tmux -S $T/tmux.sock"
XPID=""
XCPID=""
trap '$X kill-server 2>/dev/null; [ -n "$XCPID" ] && kill $XCPID 2>/dev/null; [ -n "$XPID" ] && kill $XPID 2>/dev/null; rig_down "$R"; rm -rf "$T"' EXIT
RIG_QUIET=1 rig_up "$R" chain:3 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=30
C=$BIN/ctys
N='pm1[vm1][nvm1]'

# ---- a command in the innermost layer, with CHDIR; STUBMODE needs no agent ----
check cmd 0 "nvm1 /tmp" "" -- "$C" -t cli -a 'create=l:c1,cd:/tmp,cmd:echo%$(hostname)%$(pwd)' "$N"
check stub 0 "nvm1 /tmp" "" -- env CTYS_AGENT=/nonexistent/ctys-agent \
	"$C" -t cli -a 'create=l:c2,stubmode,cd:/tmp,cmd:echo%$(hostname)%$(pwd)' "$N"
check stub-status 3 "" "oops" -- "$C" -t cli -a 'create=l:c3,stub,cmd:echo%oops%>&2;exit%3' "$N"
check no-tty 1 "" "interactive CLI sessions need a terminal" -- "$C" -t cli -a create=l:c4 "$N" </dev/null

# ---- an interactive login through a PTY ----
$X new-session -d -x 120 -y 30 "env HOME=$HOME USER=$USER CTYS_CONFDIR=$CTYS_CONFDIR CTYS_SSH_CONFIG=$CTYS_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_NORESOLVE=1 TERM=xterm sh -c '$C -t cli -a create=l:login1 \"$N\"; echo ctys-exit=\$?; sleep 30'"
screen() { $X capture-pane -p -S -100; }
wait_for() { # REGEX: bounded wait for it on the screen
	local i
	for i in $(seq 1 100); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	fail "no '$1' on the screen: $(screen | grep -v '^$')"
	return 1
}
wait_for '^root@nvm1:~#' || finish
$X send-keys -l 'echo "answer-$((6*7))-$CTYS_NODE" ; tty'
$X send-keys Enter
wait_for '^answer-42-nvm1$'
wait_for '^/dev/pts/[0-9]+$'
# the terminal size travelled: 120 columns
$X send-keys -l 'stty size'
$X send-keys Enter
wait_for '^30 120$'
$X send-keys -l 'exit 7'
$X send-keys Enter
wait_for '^ctys-exit=7$'
$X kill-server 2>/dev/null

# ---- X11: xlogo in nvm1, its window on an Xvfb here ----
Xvfb -displayfd 3 -screen 0 640x480x24 -nolisten tcp 3>"$T/xdisp" 2>"$T/xvfb.log" &
XPID=$!
for i in $(seq 1 100); do [ -s "$T/xdisp" ] && break; sleep 0.05; done
export DISPLAY=:$(cat "$T/xdisp")
"$C" -t x11 -a 'create=l:logo,cmd:xlogo%-bg%red%-geometry%300x200+0+0' "$N" >"$T/x11.out" 2>"$T/x11.err" &
XCPID=$!
px=""
for i in $(seq 1 100); do
	import -window root "$T/x.png" 2>/dev/null && px=$(convert "$T/x.png" -format '%[pixel:p{290,190}]' info: 2>/dev/null)
	case $px in red | "srgb(255,0,0)") break ;; esac
	sleep 0.1
done
case $px in red | "srgb(255,0,0)") ;; *) fail "no xlogo window from nvm1: pixel '$px' ($(cat "$T/x11.err"))" ;; esac
# it runs in nvm1 (its own network namespace), not here
xl=$(ip netns pids "$RIG_NVM1_NS" | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = xlogo ] && echo $p; done)
[ -n "$xl" ] || fail "no xlogo process in nvm1"
# ending ctys (our own process) closes the forwarding: the X client in nvm1 goes too
kill "$XCPID"
wait "$XCPID" 2>/dev/null
XCPID=""
for i in $(seq 1 100); do
	[ -z "$xl" ] || ! [ -e /proc/$xl ] || grep -q '^State:.*Z' /proc/$xl/status || { sleep 0.05; continue; }
	break
done
[ -n "$xl" ] && [ -e /proc/$xl ] && ! grep -q '^State:.*Z' /proc/$xl/status && fail "xlogo $xl in nvm1 survived its session"
check x11-nodisplay 1 "" "X11 sessions need a display here" -- env -u DISPLAY "$C" -t x11 -a create=l:x,cmd:xlogo "$N"
check x11-nolabel 1 "" "X11 CREATE needs LABEL" -- "$C" -t x11 -a create=cmd:xlogo "$N"
check x11-missing 127 "" "cannot start 'no-such-xprog' on 'nvm1'" -- "$C" -t x11 -a create=l:x,cmd:no-such-xprog "$N"
finish
