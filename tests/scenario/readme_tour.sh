#!/bin/bash
# README.md's "A 5-minute tour" runs as written: its first sh block is
# extracted and run by bash -e from the top of the tree with a private HOME
# (so ~/tour is the test's own).  Without root the lines of the test rig
# (those naming ~/tour or the stack) are left out.  The output must show
# each step's effect; the rig is torn down even when a step fails.
. "$(dirname "$0")/lib.sh"
README=$TOP/README.md
awk '/^## A 5-minute tour/ { t = 1; next }
     t && /^```sh/ { b = 1; next }
     b && /^```/ { exit }
     b' "$README" >"$T/tour.sh"
[ "$(grep -c . "$T/tour.sh")" -ge 8 ] || fail "tour block not found: $(cat "$T/tour.sh")"
grep -q "ctys -L SO -t vnc -a create=l:tour 'pm1\[vm1\]\[nvm1\]'" "$T/tour.sh" || fail "the VNC step is missing"
root=0
[ "$(id -u)" -eq 0 ] && root=1
if [ "$root" -eq 0 ]; then
	echo "SKIP: the rig lines need root; running the others"
	grep -v -e '~/tour' -e "pm1\[vm1\]" "$T/tour.sh" >"$T/tour.local"
	mv "$T/tour.local" "$T/tour.sh"
fi
# the tour's ~/tour rig goes, whatever happens
trap '[ -f "$HOME/tour/state" ] && "$TOP/tests/rig/rig.sh" down "$HOME/tour" >/dev/null 2>&1; rm -rf "$T"' EXIT
unset CTYS_SSH_CONFIG
(cd "$TOP" && RIG_QUIET=1 timeout 300 bash -e -o pipefail "$T/tour.sh") >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] || fail "the tour failed (exit $rc): $(tail -n 5 "$T/err")"
out=$(cat "$T/out")

# a local LIST: the table's header
grep -q "^TCP-container" "$T/out" || grep -qi "label" "$T/out" || fail "local LIST: $out"
# the local self-check
grep -q "^$USER@localhost *PM *ENABLED" "$T/out" || fail "ctys-plugins: $out"
# the group's dry run: one job per member, the member's context kept
grep -q "^job=1 target=$USER@lab01 via=ssh group=lab " "$T/out" || fail "group dry run: $out"
grep -q "^job=2 target=$USER@lab02 .*opts='-b SYNC,SEQ " "$T/out" || fail "lab02's context lost: $out"
# contexts are cumulative: lab03 keeps lab02's -b seq
grep -q "^job=3 target=root@lab03 via=ssh group=lab .*opts='-b SYNC,SEQ " "$T/out" || fail "group member 3: $out"
if [ "$root" -eq 1 ]; then
	grep -qx "nvm1" "$T/out" || fail "command on the third layer: $out"
	grep -qx "Node:nvm1" "$T/out" || fail "INFO through STAR: $out"
	grep -q "^$USER@pm1\[$USER@vm1\]\[$USER@nvm1\] *CLI *ENABLED" "$T/out" ||
		fail "ctys-plugins through the layers: $out"
	# the VNC desktop on the third layer: created, listed with its port, cancelled
	grep -q "^CLIENTPORT(VNC,nvm1,tour)=59[0-9][0-9]$" "$T/out" || fail "VNC create on nvm1: $out"
	grep -q "^tour;59[0-9][0-9];SERVER$" "$T/out" || fail "VNC list on nvm1: $out"
	[ -f "$HOME/tour/state.down" ] || fail "the tour's last line did not take the rig down"
fi
finish
