#!/bin/bash
# The bash completion script in conf/ is the current output of
# `ctys --completion bash`, is valid bash, and completes from the tables;
# the shell reads a script on stdin (no terminal) and a too long input is
# refused without ending it.
. "$(dirname "$0")/lib.sh"
C=$BIN/ctys
"$C" --completion bash >"$T/gen" || fail "ctys --completion bash failed"
cmp -s "$T/gen" "$TOP/conf/ctys.bash-completion" ||
	fail "conf/ctys.bash-completion is stale: run bin/ctys --completion bash >conf/ctys.bash-completion"
bash -n "$TOP/conf/ctys.bash-completion" || fail "bash completion: syntax"
mkdir -p "$T/groups" && echo h1 >"$T/groups/webfarm"
export CTYS_GROUPS_PATH=$T/groups
out=$(PATH=$BIN:$PATH bash -c '
	. "$1"
	comp() { COMP_LINE=$2; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _ctys; echo "$1:${COMPREPLY[*]}"; }
	comp act "ctys -a cre"
	comp sub "ctys -a create=lab"
	comp typ "ctys -t qe"
	comp opt "ctys -Y"
	comp grp "ctys -a list webf"
' _ "$TOP/conf/ctys.bash-completion")
for want in "act:create " "sub:label:" "typ:qemu " "opt:-Y " "grp:webfarm "; do
	grep -qxF -- "$want" <<<"$out" || fail "bash completion: want '$want' in: $out"
done
check words-groups 0 "webfarm" "" -- "$C" --completion words groups web
# no terminal: lines from stdin, errors do not end it
printf -- '-a bogus\n-n -a list h1\nexit 3\n' >"$T/in"
"$C" --shell <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 3 ] || fail "script exit status $rc"
grep -q "target=tester@h1" "$T/out" || fail "script: $(cat "$T/out")"
grep -q "unknown action 'bogus'" "$T/err" || fail "script err: $(cat "$T/err")"
head -c 5000000 /dev/zero | tr '\0' x >"$T/big"
printf '\n-n -a list h2\n' >>"$T/big"
"$C" --shell <"$T/big" >"$T/out" 2>"$T/err"
grep -q "input longer than" "$T/err" || fail "huge input: $(head -c 300 "$T/err")"
grep -q "target=tester@h2" "$T/out" || fail "huge input: shell did not go on"
finish
