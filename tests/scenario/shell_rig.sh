#!/bin/bash
# The shell on a rig host, driven through tmux: Ctrl-C during a slow remote
# command shows the job's state, a second aborts it, and the shell goes on.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
command -v tmux >/dev/null || { echo "SKIP: needs tmux"; exit 0; }
. "$TOP/tests/rig/rig.sh"
R=$T/rig
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" chain:1 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=60
X="tmux -S $T/tmux.sock"
$X new-session -d -x 200 -y 50 "env HOME=$HOME USER=$USER CTYS_CONFDIR=$CTYS_CONFDIR CTYS_SSH_CONFIG=$CTYS_SSH_CONFIG PATH=$BIN:$PATH $BIN/ctys"
trap '$X kill-server 2>/dev/null; rig_down "$R"; rm -rf "$T"' EXIT
wait_for() { # TEXT: bounded wait for TEXT on the screen
	local i
	for i in $(seq 1 100); do
		$X capture-pane -p -S -100 | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	fail "no '$1' on the screen: $($X capture-pane -p -S -100 | grep -v '^$')"
	return 1
}
wait_for "ctys>"
$X send-keys -l -- "-t cli -a create=l:x,cmd:echo%begun;sleep%30 pm1"; $X send-keys Enter
wait_for "begun" || finish
$X send-keys C-c
wait_for "@pm1: running"
$X send-keys C-c
wait_for "@pm1: cancelled"
$X send-keys -l -- "-t cli -a create=l:x,cmd:hostname pm1"; $X send-keys Enter
for i in $(seq 1 100); do
	[ "$($X capture-pane -p -S -100 | grep -cx 'pm1')" -ge 1 ] && break
	sleep 0.1
done
$X capture-pane -p -S -100 | grep -qx pm1 || fail "shell unusable after the abort: $($X capture-pane -p -S -100 | grep -v '^$')"
$X send-keys -l "last"; $X send-keys Enter
wait_for "exit 0]"
$X kill-server 2>/dev/null
finish
