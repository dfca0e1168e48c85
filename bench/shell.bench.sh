#!/bin/bash
# bench/shell.bench.sh — the interactive shell: start-up to the first
# prompt on a PTY with a 100,000-record cache in DBPATHLST (target <= 20 ms;
# completion data is loaded on the first TAB, reported separately), with
# the ratio against a bare `bin/ctys -V` timed the same way in the same run.
# The PTY driver is python3's pty module; the time is taken inside it, from
# fork to the prompt (or to the end of -V's output), median of $RUNS.
set -u
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh
N=${SHELL_BENCH_N:-100000}
G=$PWD/build/bench/gen-fdb
[ -x bin/ctys ] && [ -x "$G" ] || { echo "build first: make bench"; exit 2; }
D=$(mktemp -d /tmp/ctys-bench-shell-XXXXXX)
trap 'rm -rf "$D"' EXIT
mkdir -p "$D/home" "$D/db"
export HOME=$D/home CTYS_CONFDIR=$PWD/conf DBPATHLST=$D/db
"$G" "$N" "$D/db" 2>/dev/null || exit 2
bin/ctys-vhost -p "$D/db" -o l "F:3:^vm0000001\$" >/dev/null # import into the LMDB cache

pty_ms() { # MODE: prompt | version | tab ; prints the median ms
	python3 - "$1" "$RUNS" <<'PY'
import os, pty, select, statistics, sys, time
mode, runs = sys.argv[1], int(sys.argv[2])
def once():
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"
        if mode == "version":
            os.execv("bin/ctys", ["ctys", "-V"])
        os.execv("bin/ctys", ["ctys"])
    out, t1 = b"", None
    want = b"ctys> "
    sent = False
    while True:
        r, _, _ = select.select([fd], [], [], 5)
        if not r:
            break
        try:
            b = os.read(fd, 65536)
        except OSError:
            b = b""
        if not b:
            t1 = t1 or time.perf_counter()
            break
        out += b
        if mode == "prompt" and want in out:
            t1 = time.perf_counter()
            os.write(fd, b"\x04")
            break
        if mode == "tab" and want in out and not sent:
            sent = True
            out = b""
            t0 = time.perf_counter()
            os.write(fd, b"-a list vm0001234.\t")
        if mode == "tab" and sent and b"vm0001234.bench " in out:
            t1 = time.perf_counter()
            os.write(fd, b"\x15\x04")
            break
    if t1 is None:
        print("bench: no answer in 5 s", file=sys.stderr)
        t1 = time.perf_counter()
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
    os.waitpid(pid, 0)
    return (t1 - t0) * 1000
print("%.2f" % statistics.median(once() for _ in range(runs)))
PY
}
base=$(pty_ms version)
printf '%-44s %9.2f ms  (baseline)\n' "bin/ctys -V on a PTY" "$base"
v=$(pty_ms prompt)
report "shell start-up to prompt ($N-record cache)" "$v" 20 "ctys -V" "$base"
t=$(RUNS=5 pty_ms tab)
report "first TAB on a machine name (loads $N)" "$t" 1000 "ctys -V" "$base"
