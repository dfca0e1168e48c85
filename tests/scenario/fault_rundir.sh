#!/bin/bash
# Fault injection: disk full on the runtime directory.  QEMU CREATE keeps
# its per-VM files (configuration path, QMP socket, pid, log) in the
# runtime directory; here that is a 64 KiB tmpfs, mounted in this test's
# own mount namespace and filled up.  CREATE fails with exit 2 and an
# error naming the file and the reason, starts no qemu and leaves no file
# behind; LIST still works.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (mount)"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 0; }
command -v unshare >/dev/null || { echo "SKIP: no unshare"; exit 0; }
C=$BIN/ctys
export CTYS_QEMU_RUNDIR=$T/run QEMU_ACCEL=TCG
mkdir -p "$T/run" "$T/vms/rd1"
printf '#@#MAGICID-QEMU\n#@#LABEL = "rd1"\nLABEL="rd1"\nMEMSIZE=32\n' >"$T/vms/rd1/rd1.ctys"

cat >"$T/full.sh" <<EOF
set -u
mount -t tmpfs -o size=64k tmpfs "$T/run" || exit 99
dd if=/dev/zero of="$T/run/fill" bs=4k 2>/dev/null
"$C" -t qemu -a "create=l:rd1,b:$T/vms,console:none" >"$T/create.out" 2>"$T/create.err"
echo \$? >"$T/create.rc"
ls -A "$T/run" >"$T/run.ls"
"$C" -t qemu -a list=machine >"$T/list.out" 2>"$T/list.err"
echo \$? >"$T/list.rc"
EOF
unshare -m --propagation private bash "$T/full.sh"
urc=$?
[ "$urc" -eq 99 ] && { echo "SKIP: cannot mount a tmpfs"; exit 0; }
[ "$(cat "$T/create.rc")" -eq 2 ] || fail "create: exit $(cat "$T/create.rc"), want 2"
grep -qF "cannot write into the runtime directory: '$T/run/rd1.conf': No space left on device" "$T/create.err" ||
	fail "create: error: $(cat "$T/create.err")"
[ "$(cat "$T/run.ls")" = fill ] || fail "files left in the runtime directory: $(cat "$T/run.ls")"
pgrep -f "qemu-system.*rd1" >/dev/null && fail "a qemu for rd1 runs"
[ "$(cat "$T/list.rc")" -eq 0 ] || fail "list after the failure: exit $(cat "$T/list.rc"): $(cat "$T/list.err")"
grep -q ";rd1;" "$T/list.out" && fail "list shows rd1: $(cat "$T/list.out")"
finish
