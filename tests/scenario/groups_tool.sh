#!/bin/bash
# groups_tool.sh — bin/ctys-groups on the original's example groups and a
# private group directory: listing, display modes, exit statuses.
set -u
# no DNS lookups: tests send nothing beyond loopback
export CTYS_NORESOLVE=1
cd "$(dirname "$0")/../.." || exit 2
work=$(mktemp -d /tmp/ctys-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
compat=/work/shared/compat/groups
[ -d "$compat" ] || exit 77
export HOME=$work/home CTYS_CONFDIR=$PWD/conf USER=tester
export CTYS_GROUPS_PATH=$work/g:$compat CTYS_GROUPS_TMPPATH=$work/tmp
unset CTYS_MAXRECURSE
mkdir -p "$HOME" "$work/g" "$work/tmp"
fails=0
check() { # name expected-status expected-output cmd...
	local name=$1 st=$2 want=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$st" ] || [ "$out" != "$want" ]; then
		echo "FAIL $name: rc=$rc (want $st)"
		diff <(echo "$want") <(echo "$out")
		fails=$((fails + 1))
	fi
}
printf '# mine\nCONTEXT(-c off)\nroot@m1 m2(-d 1)\n#include netscan/ctys-all\n' >"$work/g/mine"
printf '#include loop2\n' >"$work/g/loop"
printf '#include loop\n' >"$work/g/loop2"
printf 'x\n' >"$work/tmp/20260101-1-0001"

check list 0 "1 2/1 6 $work/g/mine
1 4/0 4 $compat/netscan/ctys-all
2 2/0 2 $compat/tst/tst001/ctys-tst-001
2 6/0 6 $compat/tst/tst002/ctys-tst-002
1 6/0 6 $compat/db/ctys-allVMs
1 2/0 2 $compat/desktops/tst/ctys-lab" bin/ctys-groups mine netscan/ tst/ db/ desktops/
check listall 2 "1 0/1 ? $work/g/loop
1 0/1 ? $work/g/loop2
1 2/1 6 $work/g/mine
1 6/0 6 $compat/db/ctys-allVMs
1 2/0 2 $compat/desktops/tst/ctys-lab
1 4/0 4 $compat/netscan/ctys-all
2 2/0 2 $compat/tst/tst001/ctys-tst-001
2 6/0 6 $compat/tst/tst002/ctys-tst-002" sh -c 'bin/ctys-groups 2>/dev/null'
check list_cycle 2 "1 0/1 ? $work/g/loop
ctys-groups: group 'loop' includes itself: $work/g/loop -> loop2 -> loop" bin/ctys-groups loop
check m1 0 "$work/g/mine: root@m1( -c off ) m2( -c off -d 1 -c off ) lab01( -c off ) lab02( -c off ) lab03( -c off ) lab04( -c off )" \
	bin/ctys-groups -m 1 mine
check m2 0 "$compat/tst/tst002/ctys-tst-002:GROUP($compat/tst/tst002/ctys-tst-002)tst000 tst001 tst002 tst003 tst004 tst005" \
	bin/ctys-groups -m 2 tst/tst002/ctys-tst-002
check m4 0 "root@lab02'(-a create=l:LAB02,reuse -c local -g 1268x992:A11:ALL -b 1,2 )' root@lab03'(-a create=l:LAB03,reuse -c local -g 1268x994:A21:ALL -b 1,2 )'" \
	bin/ctys-groups -X -m 4 desktops/tst/ctys-lab
check m5 0 "ctys root@m1'( -c off )'
ctys m2'( -c off -d 1 -c off )'
ctys lab01'( -c off )'
ctys lab02'( -c off )'
ctys lab03'( -c off )'
ctys lab04'( -c off )'" bin/ctys-groups -X -m 5 mine
check m7 0 "root@m1 tester@m2 tester@lab01 tester@lab02 tester@lab03 tester@lab04" bin/ctys-groups -X -m 7 mine
check m8u 0 "lab02 lab03 lab05 m1 m2 lab01 lab04" bin/ctys-groups -X -m 8u db/ctys-allVMs%mine
check cached 0 "2 1 $work/tmp/20260101-1-0001" bin/ctys-groups -c
check missing 2 "ctys-groups: group 'nope' not found (searched: $CTYS_GROUPS_PATH)" bin/ctys-groups -m 1 nope
check badmode 1 "ctys-groups: unknown display mode '9' for -m" bin/ctys-groups -m 9 mine
check defs 0 "$(cat "$work/g/mine")" bin/ctys-groups -X -l mine
[ "$fails" -eq 0 ]
