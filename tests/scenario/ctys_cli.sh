#!/bin/bash
# The ctys binary end to end: plans, exit codes, configuration errors.
. "$(dirname "$0")/lib.sh"
C=$BIN/ctys

check version 0 "$(printf 'ctys %s (C rewrite of UnifiedSessionsManager 01.11)\nplugins: PM QEMU XEN VBOX VMW CLI X11 VNC RDP' "$(cat "$TOP/VERSION")")" "" -- "$C" -V
# -X -V: the bare version, no newline
"$C" -X -V >"$T/v"
[ "$(od -An -c "$T/v" | tr -d ' \n')" = "$(printf '%s' "$(cat "$TOP/VERSION")" | od -An -c | tr -d ' \n')" ] ||
	fail "-X -V printed '$(cat "$T/v")'"
check help 0 "*" "" -- "$C" -h
grep -q '^  -a ACTION\[=subopts\]' "$T/out" || fail "help lacks -a"

check plan-local 0 "job=1 target=tester@localhost via=local type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,PAR -c BOTH -L DISPLAYFORWARDING -s ALL'" "" -- "$C" -n -a list
# quotes from the user's shell are gone before ctys sees the words
check plan-quoted 0 "job=1 target=tester@h1 via=ssh type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,PAR -c OFF -L DISPLAYFORWARDING -s ALL'" "" -- "$C" -n -a list 'h1(-c off)'
check json 0 "*" "" -- "$C" -n -o json -a list h1 h2
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "json: want 2 lines"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out" || fail "json: not JSON lines"

# errors: message on stderr naming the token, exit status as the reference says
check bad-option 1 "" "ctys: unknown option '-q'" -- "$C" -n -q
check bad-action 2 "" "unknown action 'bogus'" -- "$C" -n -a bogus
check bad-subopt 1 "" "unknown suboption 'xyz' for action CANCEL" -- "$C" -n -a cancel=xyz h
check unbalanced 1 "" "unbalanced '(' at position 14" -- "$C" -n -a list 'h1(-d 1'
# localhost runs in-process, without ssh
check local-cli 0 "hi there" "" -- "$C" -t cli -a create=l:x,cmd:echo%hi%there
check local-status 4 "" "oops" -- "$C" -t cli -a 'create=l:x,cmd:echo%oops%>&2;exit%4' localhost
# the command reads nothing: its input is /dev/null, not ctys's own
check local-stdin 0 "/dev/null" "" -- sh -c 'echo data | "$1" -t cli -a create=l:x,cmd:readlink%/proc/self/fd/0' sh "$C"
check local-info 0 "*" "" -- "$C" -a info
grep -qx "Node:$(hostname)" "$T/out" || fail "local info: $(cat "$T/out")"
check no-vnc-passwd 2 "" "no VNC password file '$HOME/.vnc/passwd' on 'localhost': create it with vncpasswd (Debian package tigervnc-tools)" -- "$C" -L SO -t vnc -a create=l:x
check plugin-check 1 "" "suboption 'console' is not supported by CLI CREATE" -- "$C" -t cli -a create=l:x,console:vnc

# configuration: user file first, VAR=${VAR:-x} first wins, bad lines named
mkdir -p "$HOME/.ctys"
echo 'DEFAULT_C_SESSIONTYPE=${DEFAULT_C_SESSIONTYPE:-QEMU}' >"$HOME/.ctys/ctys.conf.sh"
check conf-user 0 "job=1 target=tester@h via=ssh type=QEMU action=CREATE subopts=LABEL:x opts='-b ASYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER'" "" -- "$C" -n -a create=l:x h
DEFAULT_C_SESSIONTYPE=XEN check conf-env 0 "*" "" -- "$C" -n -a create=l:x h
grep -q 'type=XEN' "$T/out" || fail "environment does not beat the config file"
printf 'A=1\n[ -n "$X" ] && B=2\n' >"$HOME/.ctys/ctys.conf.sh"
check conf-bad 2 "" "$HOME/.ctys/ctys.conf.sh:2: expected a variable assignment" -- "$C" -n

finish
