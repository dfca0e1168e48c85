#!/bin/bash
# make install DESTDIR=<tmp> puts exactly the expected files in place (every
# program, every man page, conf/ with the LDAP schema, the bash completion)
# with the right modes; the staged binaries run and find the staged
# configuration (not /usr/local/etc/ctys, not the source tree's conf/);
# make uninstall removes exactly those files and keeps one an administrator
# added.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
D=$T/stage
P=/usr/local
mk() { make -s -C "$TOP" --no-print-directory BUILD="$BUILD" DESTDIR="$D" "$@"; }

mk install >"$T/install.log" 2>&1 || fail "make install: $(cat "$T/install.log")"

# The expected list, built from the sources independently of the Makefile's
# own lists: programs from print-progs, pages and conf files by glob.
mk print-progs >"$T/progs" || fail "make print-progs"
[ "$(wc -l <"$T/progs")" -ge 10 ] || fail "print-progs: $(cat "$T/progs")"
{
	sed "s|^|.$P/bin/|" "$T/progs"
	for m in "$TOP"/man/*.[1-8]; do
		n=${m##*/}
		echo ".$P/share/man/man${n##*.}/$n"
	done
	(cd "$TOP/conf" && find . -type f ! -name ctys.bash-completion) | sed "s|^\./|.$P/etc/ctys/|"
	echo ".$P/share/bash-completion/completions/ctys"
} | sort >"$T/want"
(cd "$D" && find . -type f | sort) >"$T/got"
diff "$T/want" "$T/got" >"$T/diff" || fail "installed files differ from the expected list: $(cat "$T/diff")"
for f in ctys.schema ctys.ldif ctys.conf.sh macros/default groups/example; do
	cmp -s "$TOP/conf/$f" "$D$P/etc/ctys/$f" || fail "conf file $f not installed as is"
done
(cd "$D" && find . -type f -perm 755) | sort >"$T/exec"
sed "s|^|.$P/bin/|" "$T/progs" | sort | diff - "$T/exec" >/dev/null ||
	fail "executables: $(cat "$T/exec")"
(cd "$D" && find . -type f ! -perm 755 ! -perm 644) | grep -q . && fail "modes other than 755/644"

# The staged binaries: version, and the staged configuration directory
B=$D$P/bin
export -n CTYS_CONFDIR
unset CTYS_CONFDIR
check version 0 "$(cat "$TOP/VERSION")" "" -- "$B/ctys" -X -V
check agent-version 0 "*" "" -- "$B/ctys-agent" --version
check groups-staged 0 "*" "" -- "$B/ctys-groups"
grep -qF "$D$P/etc/ctys/groups/example" "$T/out" || fail "ctys-groups does not use the staged conf: $(cat "$T/out")"
check macros-staged 0 "*" "" -- "$B/ctys-macros" -l
grep -qxF "$D$P/etc/ctys/macros/" "$T/out" || fail "ctys-macros does not use the staged conf: $(cat "$T/out")"
# a group in the staged configuration, expanded by the staged ctys
printf 'lab01 lab02\n' >"$D$P/etc/ctys/groups/tourlab"
check group-dryrun 0 "*" "" -- "$B/ctys" -n -a list tourlab
grep -q "lab01" "$T/out" && grep -q "lab02" "$T/out" || fail "group dry run: $(cat "$T/out")"
rm -f "$D$P/etc/ctys/groups/tourlab"
# CTYS_CONFDIR still wins
CTYS_CONFDIR=$TOP/conf check confdir-env 0 "*" "" -- "$B/ctys-macros" -l
grep -qxF "$TOP/conf/macros/" "$T/out" || fail "CTYS_CONFDIR ignored: $(cat "$T/out")"
# the page and the completion are usable where they were installed
MANPATH=$D$P/share/man man -w ctys >"$T/manw" 2>&1 && grep -qxF "$D$P/share/man/man1/ctys.1" "$T/manw" ||
	fail "man -w ctys: $(cat "$T/manw")"
bash -c '. "$1" && complete -p ctys' _ "$D$P/share/bash-completion/completions/ctys" >"$T/comp" 2>&1 ||
	fail "completion: $(cat "$T/comp")"
grep -q "ctys" "$T/comp" || fail "completion not registered: $(cat "$T/comp")"

# uninstall: exactly the installed files go; an administrator's file stays
echo "# local" >"$D$P/etc/ctys/local.conf"
mk uninstall >"$T/uninstall.log" 2>&1 || fail "make uninstall: $(cat "$T/uninstall.log")"
left=$(cd "$D" && find . -type f | sort)
[ "$left" = "./usr/local/etc/ctys/local.conf" ] || fail "after uninstall: '$left'"
[ -d "$D$P/etc/ctys/groups" ] && fail "empty groups/ left behind"
rm -f "$D$P/etc/ctys/local.conf"
mk uninstall >/dev/null 2>&1 || fail "a second uninstall fails"
[ -e "$D$P/etc/ctys" ] && fail "empty $P/etc/ctys left behind"
finish
