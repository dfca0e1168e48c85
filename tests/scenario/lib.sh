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
