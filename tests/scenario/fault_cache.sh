#!/bin/bash
# Fault injection on the cache DB.
# (1) ctys-vdbgen killed with SIGKILL at random moments while it scans 40
#     rig hosts and writes the cache: after every kill the cache opens, a
#     concurrent reader never failed, every host still has its complete
#     records (old or new, never half), enum.fdb is whole.
# (2) LMDB map full (CTYS_CACHE_MAXSIZE caps the map): a clear error naming
#     the cache and the limit, non-zero exit, the previous contents kept.
# (3) Disk full under the cache (a 2 MiB tmpfs in a private mount
#     namespace): a clear error, non-zero exit, the previous contents kept.
. "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null || { echo "SKIP: no unshare"; exit 0; }
rig_start flat:40
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=30
V=$BIN/ctys-vdbgen
Q=$BIN/ctys-vhost
DB=$T/db
# shellcheck disable=SC2086
set -- $RIG_HOSTS

# hosts_ok DB: every host of the rig has exactly its baseline records
hosts_ok() {
	"$Q" -p "$1" -o machine . >"$T/now" 2>"$T/now.err" || { echo "ctys-vhost: $(cat "$T/now.err")"; return 1; }
	cut -d';' -f1,2,3 "$T/now" | sort >"$T/now.keys"
	cmp -s "$T/now.keys" "$T/base.keys" || { echo "records differ: $(diff "$T/base.keys" "$T/now.keys" | head -5)"; return 1; }
	awk -F';' 'NF != 47 { bad = 1 } END { exit bad }' "$1/enum.fdb" || { echo "enum.fdb has broken lines"; return 1; }
	[ "$(cut -d';' -f1 "$1/enum.fdb" | sort -u | wc -l)" -eq 40 ] || { echo "enum.fdb lost hosts"; return 1; }
}

check baseline 0 "" "40 targets, 40 scanned, 0 failed" -- "$V" --cacheDB="$DB" --threads=8 -- "$@"
"$Q" -p "$DB" -o machine . | cut -d';' -f1,2,3 | sort >"$T/base.keys"
[ "$(cut -d';' -f1 "$T/base.keys" | sort -u | wc -l)" -eq 40 ] || fail "baseline: $(wc -l <"$T/base.keys") records"

# (1) kill -9 at 8 moments spread over a run (one run takes about 1-3 s)
reader_failed=0
for delay in 0.15 0.3 0.45 0.6 0.8 1.0 1.3 1.7; do
	"$V" --replace --cacheDB="$DB" --threads=8 -- "$@" >/dev/null 2>&1 &
	vpid=$!
	# a reader keeps querying while the writer runs and dies
	for _ in 1 2 3 4; do
		"$Q" -p "$DB" -o l 'F:3:^h0[0-9][0-9]$' >/dev/null 2>"$T/reader.err" || reader_failed=1
		sleep "$(awk "BEGIN { print $delay / 4 }")"
	done
	kill -9 "$vpid" 2>/dev/null
	wait "$vpid" 2>/dev/null
	why=$(hosts_ok "$DB") || fail "killed after $delay s: $why"
done
[ "$reader_failed" -eq 0 ] || fail "a reader failed during the kills: $(cat "$T/reader.err")"
# a leftover temporary enum.fdb does not disturb the next full run
check after-kills 0 "" "40 targets, 40 scanned, 0 failed" -- "$V" --replace --cacheDB="$DB" --threads=8 -- "$@"
why=$(hosts_ok "$DB") || fail "after the kills: $why"

# (2) map full: a 20,000-record enum.fdb does not fit a 1 MiB map
BIG=$T/big
mkdir -p "$BIG"
awk 'BEGIN { OFS = ";"; for (i = 0; i < 20000; i++) {
	$0 = ""; $1 = sprintf("pm%03d", i % 100); $2 = "QEMU"; $3 = sprintf("vm%05d", i)
	$4 = sprintf("/vm/%05d.ctys", i); $5 = sprintf("uuid-%05d", i); $47 = ""; print } }' >"$BIG/enum.fdb"
: >"$BIG/macmap.fdb"
CTYS_CACHE_MAXSIZE=1 check map-full 2 "" "map full (it may not grow past CTYS_CACHE_MAXSIZE=1 MiB); previous contents kept" \
	-- "$Q" -p "$BIG" -o l vm00042
check map-ok 0 "vm00042" "" -- "$Q" -p "$BIG" -o l 'F:3:^vm00042$'
# a full map under a cache that has its data already: the old records stay
cp "$DB/enum.fdb" "$T/enum.keep"
cat "$BIG/enum.fdb" >>"$DB/enum.fdb"
CTYS_CACHE_MAXSIZE=1 check map-full-kept 2 "" "map full" -- "$Q" -p "$DB" -o l 'F:3:^h001$'
cp "$T/enum.keep" "$DB/enum.fdb"
why=$(hosts_ok "$DB") || fail "after map full: $why"

# (3) disk full: the cache on a 2 MiB tmpfs, filled up, then vdbgen --replace
cat >"$T/diskfull.sh" <<EOF
set -u
mount -t tmpfs -o size=2m tmpfs "$T/small" || exit 99
mkdir "$T/small/db"
"$V" --cacheDB="$T/small/db" -- h001 h002 h003 >"$T/df.base.out" 2>&1 || exit 98
"$Q" -p "$T/small/db" -o machine . | sort >"$T/df.before"
# fill what is left
dd if=/dev/zero of="$T/small/fill" bs=4k 2>/dev/null
sync
"$V" --replace --cacheDB="$T/small/db" --threads=8 -- $* >"$T/df.out" 2>"$T/df.err"
echo \$? >"$T/df.rc"
rm -f "$T/small/fill"
"$Q" -p "$T/small/db" -o machine . | sort >"$T/df.after"
EOF
mkdir -p "$T/small"
unshare -m --propagation private bash "$T/diskfull.sh"
urc=$?
if [ "$urc" -eq 99 ]; then
	echo "note: cannot mount a tmpfs here; disk-full part skipped"
else
	[ "$urc" -eq 0 ] || fail "disk full: setup failed ($urc): $(cat "$T/df.base.out" 2>/dev/null)"
	rc=$(cat "$T/df.rc")
	[ "$rc" -ne 0 ] || fail "disk full: vdbgen exit 0"
	# hosts written before the disk filled are new, the others keep theirs:
	# h001-h003 are there, every record whole, and each host the error names
	# as failed has nothing but its old records
	[ "$(cut -d';' -f1 "$T/df.before" | sort -u | tr '\n' ' ')" = "h001 h002 h003 " ] ||
		fail "disk full: baseline: $(cat "$T/df.before")"
	for h in h001 h002 h003; do
		grep -q "^$h;PM;$h;" "$T/df.after" || fail "disk full: $h lost"
	done
	awk -F';' 'NF != 47 { bad = 1 } END { exit bad }' "$T/df.after" || fail "disk full: broken records"
	nfail=$(grep -c "no space left on device" "$T/df.err")
	[ "$nfail" -ge 1 ] || fail "disk full: no host reported failed"
	[ "$(cut -d';' -f1 "$T/df.after" | sort -u | wc -l)" -le $((40 - nfail + 3)) ] ||
		fail "disk full: failed hosts were written: $(cat "$T/df.err")"
fi
finish
