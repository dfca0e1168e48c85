# tests/scenario/lib.sh — helpers for scenario scripts (source it).
# Every scenario runs with a private HOME and temp dir, removed on exit.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$TOP/bin
T=$(mktemp -d /tmp/ctys-scn-XXXXXX)
export HOME=$T/home USER=tester CTYS_CONFDIR=$TOP/conf
# tests send nothing beyond loopback and their own namespaces: no DNS lookups
export CTYS_NORESOLVE=1
mkdir -p "$HOME"
trap 'rm -rf "$T"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# check NAME WANT_RC WANT_STDOUT WANT_STDERR_SUBSTRING -- CMD...
check() {
	local name=$1 rc=$2 out=$3 err=$4
	shift 5
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	[ "$got" -eq "$rc" ] || fail "$name: exit $got, want $rc ($(cat "$T/err"))"
	if [ "$out" != "*" ] && [ "$(cat "$T/out")" != "$out" ]; then
		fail "$name: stdout '$(cat "$T/out")', want '$out'"
	fi
	if [ -n "$err" ] && ! grep -qF -- "$err" "$T/err"; then
		fail "$name: stderr '$(cat "$T/err")' lacks '$err'"
	fi
	if [ -z "$err" ] && [ -s "$T/err" ]; then
		fail "$name: unexpected stderr '$(cat "$T/err")'"
	fi
}

finish() {
	if [ "$fails" -ne 0 ]; then
		echo "$fails check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}

# rig_start TOPOLOGY: a test rig (tests/rig) in R=$T/rig, torn down on exit;
# prints SKIP and exits 0 when not root.
rig_start() {
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
	. "$TOP/tests/rig/rig.sh"
	R=$T/rig
	rig_trap "$R"
	RIG_QUIET=1 rig_up "$R" "$1" || exit 1
}

# count_procs CMDLINE: processes (any namespace) whose command line is CMDLINE
count_procs() { pgrep -xf "$1" | wc -l; }

# wait_procs CMDLINE N SECS: until exactly N such processes exist; false
# when that takes longer than SECS
wait_procs() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(count_procs "$1")" -eq "$2" ] && return 0
		sleep 0.1
	done
	[ "$(count_procs "$1")" -eq "$2" ]
}

# wait_bg PID SECS NAME: wait for the background job PID, at most SECS
# (then it fails the check NAME and is killed); its exit status in $rc
wait_bg() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		fail "$3: still running after $2 s"
		kill -9 "$1"
	fi
	wait "$1"
	rc=$?
}
