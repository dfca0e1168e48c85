#!/bin/bash
# Man pages: every page in man/ (found by glob, so pages added later are
# checked too) renders without a single warning with groff -ww and man -l;
# its .TH names the file; every program of `make print-progs` has a page in
# section 1 or 8 and its --help and -h exit 0 and name that page; the file
# formats and concepts have their pages in sections 5 and 7; every ctys page
# a page refers to exists.
. "$(dirname "$0")/lib.sh"
for t in groff man; do
	command -v "$t" >/dev/null || { fail "$t is not installed (tests/deps.sh installs it)"; finish; }
done
M=$TOP/man
pages=("$M"/*.[1-8])
[ "${#pages[@]}" -ge 20 ] || fail "only ${#pages[@]} pages in man/"

for p in "${pages[@]}"; do
	n=${p##*/}
	name=${n%.*} sec=${n##*.}
	# every warning of groff (all categories) and of man-db's own run
	groff -ww -z -t -man "$p" >"$T/groff" 2>&1
	[ -s "$T/groff" ] && fail "$n: groff -ww: $(head -n 5 "$T/groff")"
	MANWIDTH=80 man --warnings -E UTF-8 -l "$p" >"$T/man.out" 2>"$T/man.err" || fail "$n: man -l failed"
	[ -s "$T/man.err" ] && fail "$n: man -l: $(head -n 5 "$T/man.err")"
	grep -q "^NAME" "$T/man.out" || fail "$n: no NAME section"
	# .TH NAME SECTION, the name upper-cased as man(7) wants it
	th=$(grep -m 1 '^\.TH' "$p")
	read -r _ thname thsec _ <<<"$th"
	[ "$thname" = "$(tr '[:lower:]' '[:upper:]' <<<"$name")" ] || fail "$n: .TH name '$thname'"
	[ "$thsec" = "$sec" ] || fail "$n: .TH section '$thsec', file says $sec"
	# the release: .TH NAME SEC "date" "ctys <VERSION>" "title"
	[[ $th == *"\"ctys $(cat "$TOP/VERSION")\""* ]] || fail "$n: .TH does not name ctys $(cat "$TOP/VERSION"): $th"
	# NAME line: "name[, other...] \- what it is"
	nl=$(sed -n '/^\.SH NAME/{n;p;q}' "$p" | sed 's/\\-/-/g')
	[[ $nl == "$name "-\ * || $nl == "$name, "*" - "* ]] || fail "$n: NAME line '$nl'"
done

# programs: a page in section 1 or 8, --help/-h point to it
make -s -C "$TOP" --no-print-directory print-progs >"$T/progs" || fail "make print-progs"
[ "$(wc -l <"$T/progs")" -ge 10 ] || fail "print-progs: $(cat "$T/progs")"
while read -r prog; do
	page=""
	for s in 1 8; do [ -f "$M/$prog.$s" ] && page="$prog($s)"; done
	if [ -z "$page" ]; then
		fail "$prog: no man page man/$prog.1 or man/$prog.8"
		continue
	fi
	for h in --help -h; do
		timeout 10 "$BIN/$prog" $h </dev/null >"$T/help" 2>&1
		rc=$?
		[ "$rc" -eq 0 ] || fail "$prog $h: exit $rc"
		grep -qF "$page" "$T/help" || fail "$prog $h does not name $page: $(tail -n 2 "$T/help")"
	done
done <"$T/progs"

# file formats (5) and concepts (7); more pages in these sections are welcome
for n in ctys-config.5 ctys-macros.5 ctys-groups.5 ctys-cachedb.5 ctys-ldap.5 ctys-protocol.5 \
	ctys-actions.7 ctys-addressing.7 ctys-stacks.7 ctys-migration.7; do
	[ -f "$M/$n" ] || fail "missing man/$n"
done

# references to ctys pages resolve: "ctys\-name (N)" in any page
grep -ho 'ctys\(\\-[A-Za-z0-9]*\)* *([1-8])' "${pages[@]}" | sed 's/\\-/-/g; s/ //g' | sort -u >"$T/refs"
[ -s "$T/refs" ] || fail "no cross references found"
while read -r ref; do
	n=${ref%(*} s=${ref#*(}
	[ -f "$M/$n.${s%)}" ] || fail "a page refers to $ref, which does not exist"
done <"$T/refs"
finish
