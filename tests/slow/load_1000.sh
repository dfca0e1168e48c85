#!/bin/bash
# Load: one ctys command to 1,000 SSH hosts.  1,000 sshd, one per loopback
# address 127.1.<a>.<b>, in a network namespace of this test; ctys (as
# ctys-fdcheck, which counts its descriptors and peak RSS in-process) runs
# CLI CREATE on all of them in parallel.  Every host must answer with its
# own address, the exit status is 0, the peak RSS stays within 200 MiB, and
# ctys holds as many descriptors after the run as before it.  It starts
# with the common soft limit of 1,024 open files (ctys raises it).
. "$(dirname "$0")/../scenario/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || { echo "SKIP: no sshd"; exit 0; }
N=${CTYS_LOAD_HOSTS:-1000}
NS=ctys-load-$$
FD=$TOP/${BUILD:-build}/tests/ctys-fdcheck
[ -x "$FD" ] || { echo "FAIL: $FD missing (make test-slow builds it)"; exit 1; }
mkdir -p /run/sshd

addr() { echo "127.1.$(($1 / 250)).$(($1 % 250 + 1))"; }
teardown() {
	local p
	[ -f "$T/pids" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$T/pids"
	sleep 0.5
	[ -f "$T/pids" ] && while read -r p; do kill -9 "$p" 2>/dev/null; done <"$T/pids"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap teardown EXIT

# keys, one sshd_config, client config and known_hosts for all hosts
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/id"
cp "$T/id.pub" "$T/authorized_keys"
cat >"$T/sshd_config" <<EOF2
Port 22
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
MaxStartups 200:30:400
KexAlgorithms curve25519-sha256
LogLevel ERROR
SetEnv PATH=$BIN:/usr/sbin:/usr/bin:/sbin:/bin
EOF2
echo "127.1.* $(cut -d' ' -f1,2 "$T/hostkey.pub")" >"$T/known_hosts"
cat >"$T/ssh_config" <<EOF2
Host 127.1.*
  User root
  IdentityFile $T/id
  IdentitiesOnly yes
  UserKnownHostsFile $T/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  KexAlgorithms curve25519-sha256
  GSSAPIAuthentication no
EOF2

# the namespace: loopback with quickack (no 40 ms delayed-ACK stalls)
ip netns add "$NS" || { echo "FAIL: cannot create a network namespace"; exit 1; }
ip -n "$NS" link set lo up
ip -n "$NS" route change local 127.0.0.0/8 dev lo table local quickack 1 2>/dev/null ||
	ip -n "$NS" route replace local 127.0.0.0/8 dev lo table local quickack 1
start=$(date +%s)
ip netns exec "$NS" bash -c '
	for ((i = 0; i < '"$N"'; i++)); do
		a=127.1.$((i / 250)).$((i % 250 + 1))
		'"$SSHD"' -D -e -f '"$T"'/sshd_config -o ListenAddress=$a -o PidFile=none \
			2>>'"$T"'/sshd.log </dev/null &
		echo $! >>'"$T"'/pids
	done'
# bounded wait until all N listen
for _ in $(seq 1 600); do
	n=$(ip netns exec "$NS" ss -Hltn 'sport = :22' | wc -l)
	[ "$n" -ge "$N" ] && break
	sleep 0.2
done
[ "$n" -ge "$N" ] || { echo "FAIL: only $n of $N sshd listen: $(tail -n 3 "$T/sshd.log")"; exit 1; }
echo "$N sshd up in $(($(date +%s) - start)) s"

hosts=()
for ((i = 0; i < N; i++)); do hosts+=("$(addr "$i")"); done
export CTYS_SSH_CONFIG=$T/ssh_config CTYS_CONNECT_TIMEOUT=60 CTYS_TIMEOUT=600
start=$(date +%s%N)
ulimit -Sn 1024
ip netns exec "$NS" /usr/bin/time -o "$T/time" -f "%e s wall, %U s user, %S s sys" "$FD" -b par -t cli -a 'create=l:x,cmd:echo%$SSH_CONNECTION' \
	"${hosts[@]}" >"$T/out" 2>"$T/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "ctys on $N hosts: $ms ms ($(cat "$T/time")), exit $rc; $(grep '^fdcheck:' "$T/err")"
[ "$rc" -eq 0 ] || fail "exit $rc: $(grep -v '^fdcheck:' "$T/err" | head -5)"
# each answer names the address it was given (the 3rd word of SSH_CONNECTION)
awk '{ print $3 }' "$T/out" | sort >"$T/got"
printf '%s\n' "${hosts[@]}" | sort >"$T/want"
cmp -s "$T/got" "$T/want" || fail "answers: $(wc -l <"$T/got") of $N, $(comm -13 "$T/got" "$T/want" | head -3 | tr '\n' ' ')missing"
read -r before after rss < <(sed -n 's/^fdcheck: fds before \([0-9]*\) after \([0-9]*\), peak rss \([0-9]*\) KiB$/\1 \2 \3/p' "$T/err")
[ -n "$rss" ] || fail "no fdcheck report: $(tail -n 3 "$T/err")"
[ "${after:-x}" = "${before:-y}" ] || fail "descriptors: $before before, $after after the run"
[ "${rss:-999999}" -le $((200 * 1024)) ] || fail "peak RSS $rss KiB > 200 MiB"
finish
