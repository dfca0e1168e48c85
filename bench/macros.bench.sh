#!/bin/bash
# bench/macros.bench.sh — group expansion and macro expansion, whole process.
#   ctys-groups: 100,000 hosts in 101 files over 10 include levels, with
#                CONTEXT lines and per-member options (target <= 100 ms,
#                <= 100 MiB RSS); baseline: cat of the same files.
#   ctys-macros: one macro of the shipped default file (target <= 2 ms);
#                baseline: /bin/true.
set -u
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh

work=$(mktemp -d /tmp/ctys-bench-macros-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/groups"
export HOME=$work/home USER=${USER:-bench} CTYS_CONFDIR=$PWD/conf CTYS_MAXRECURSE=20
export CTYS_GROUPS_PATH=$work/groups CTYS_MACRO_PATH=$PWD/conf/macros

# 10 chains of 10 levels; each file 1000 members, every second with options,
# every tenth with user@ and :port; two CONTEXT lines in the root.
python3 - "$work/groups" <<'PY'
import os, sys
d = sys.argv[1]
root = open(os.path.join(d, "root"), "w")
root.write("# bench root\nCONTEXT'(-b sync,par)'\n#include " +
           " ".join("g0_%d" % c for c in range(10)) + "\nCONTEXT'(-c off)'\n")
for lvl in range(10):
    for c in range(10):
        with open(os.path.join(d, "g%d_%d" % (lvl, c)), "w") as f:
            f.write("# level %d chain %d\n" % (lvl, c))
            if lvl < 9:
                f.write("#include g%d_%d\n" % (lvl + 1, c))
            for i in range(100):
                row = []
                for j in range(10):
                    n = (lvl * 10 + c) * 1000 + i * 10 + j
                    h = "h%06d" % n
                    if j == 0:
                        h = "u%d@%s:22" % (n % 7, h)
                    if n % 2:
                        h += "'(-d %d -a create=l:vm%d)'" % (n % 3, n)
                    row.append(h)
                f.write(" ".join(row) + "\n")
PY

n=$(bin/ctys-groups -X -m 8 root | wc -w)
[ "$n" -eq 100000 ] || { echo "expected 100000 hosts, got $n"; exit 1; }

measure cat "$work"/groups/*
base=$MED_MS
measure bin/ctys-groups -X -m 1 root
report "ctys-groups -m 1: 100k hosts, 10 levels" "$MED_MS" 100 "cat of the files" "$base" "$RSS_KB"
[ "$RSS_KB" -le 102400 ] || echo "ctys-groups peak RSS $RSS_KB KiB OVER TARGET (100 MiB)"

measure /bin/true
base=$MED_MS
measure bin/ctys-macros -E -f default vhostdefault
report "ctys-macros -E vhostdefault (process)" "$MED_MS" 2 "/bin/true" "$base" "$RSS_KB"
