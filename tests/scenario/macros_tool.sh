#!/bin/bash
# macros_tool.sh — bin/ctys-macros against the shipped default file and a
# private macro directory: listings, expansion, exit statuses.
set -u
# no DNS lookups: tests send nothing beyond loopback
export CTYS_NORESOLVE=1
cd "$(dirname "$0")/../.." || exit 2
work=$(mktemp -d /tmp/ctys-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home CTYS_CONFDIR=$PWD/conf CTYS_MACRO_PATH=$work/m:$PWD/conf/macros
unset CTYS_MACRO_DB CTYS_MAXRECURSE
mkdir -p "$HOME" "$work/m"
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
printf 'hello = -a list\ntwo=one macro:hello two\nrec=macro:rec\natom=x\nHELLO=dup\nHELLO=dup2\n' >"$work/m/t"

check names 0 "$(printf 'hello\ntwo\nrec\natom\nHELLO\nHELLO')" bin/ctys-macros -f t
check defs 0 "$(printf 'hello=-a list\ntwo=one macro:hello two')" bin/ctys-macros -N -f t hello two
check atoms 0 "$(printf 'hello\natom\nHELLO\nHELLO')" bin/ctys-macros -a -f t
check combined 0 "$(printf 'two\nrec')" bin/ctys-macros -c -f t
check expand 0 "two:one -a list two" bin/ctys-macros -E -f t two
check default 0 "vconn:-o tab_gen:3_label_10%%2_stype_8%%8_DISP_4%%9_cport_5_L%%10_sport_5_L%%1_PM_15%%33_if_7%%7_TCP_15" \
	bin/ctys-macros -E vconn
check missing 1 "ctys-macros: missing macro 'nope' in '$work/m/t' (macro names are case-sensitive)" \
	bin/ctys-macros -f t nope
check dup 1 "ctys-macros: multiple definitions of macro 'HELLO' in '$work/m/t' (lines 5 and 6)" \
	bin/ctys-macros -f t HELLO
check recursion 1 "ctys-macros: recursion threshold exceeded (20) expanding macros of '$work/m/t': rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec -> rec" \
	bin/ctys-macros -E -f t rec
check nofile 2 "ctys-macros: cannot access macro file 'nosuch': no such file, nor along CTYS_MACRO_PATH '$CTYS_MACRO_PATH'" \
	bin/ctys-macros -f nosuch
check badopt 1 "ctys-macros: unknown option '-z'; see bin/ctys-macros -h" bin/ctys-macros -z
check noarg 1 "ctys-macros: option '-f' needs an argument; see bin/ctys-macros -h" bin/ctys-macros -f
check version 0 "$(cat VERSION)" bin/ctys-macros -X -V
check list 0 "$(printf '%s/m/\n  t\n%s/conf/macros/\n  default' "$work" "$PWD")" bin/ctys-macros -l
[ "$fails" -eq 0 ]
