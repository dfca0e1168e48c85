#!/bin/bash
# tests/rig/rig.sh — test-host rig: SSH hosts in network namespaces.
#
# Command:  tests/rig/rig.sh up DIR TOPOLOGY        TOPOLOGY: chain:N | flat:N
#           tests/rig/rig.sh down DIR
#           tests/rig/rig.sh exec DIR HOST CMD...    run in HOST's net/mount/uts view
#           tests/rig/rig.sh ssh DIR HOST [CMD...]   OpenSSH from the root ns (-J as needed)
#           tests/rig/rig.sh kill-sshd|start-sshd|rekey|link-down|link-up DIR HOST
#           tests/rig/rig.sh trust|status DIR
# Library:  . tests/rig/rig.sh; rig_trap DIR; rig_up DIR chain:3   (sources DIR/env)
#
# See tests/rig/README.md for the interface, topologies and address scheme.
# Needs root, bash >= 5.1, iproute2, util-linux (unshare, nsenter), openssh-server.
#
# Safety: traffic only goes to addresses inside the namespaces made here; the
# root namespace gets an `unreachable` route for the rig's /23 so a wrong hop
# fails locally.  Only the sshd processes recorded in DIR (verified by their
# command line) and processes living in this rig's own network namespaces are
# killed; only the namespaces, links and route recorded in DIR/state are deleted.

RIG_SH=$(readlink -f "${BASH_SOURCE[0]}")
RIG_REPO=${RIG_SH%/tests/rig/rig.sh}
RIG_SSHD_BIN=/usr/sbin/sshd
RIG_SYSPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RIG_NODE_PATH=$RIG_REPO/bin:$RIG_SYSPATH

# ---------------------------------------------------------------- helpers
# The public functions run their work in a subshell with known options, so a
# caller's set -e / pipefail / ERR trap cannot change what they do.
_rig_opts() {
	set +e +o pipefail +o errtrace
	trap - ERR
}
_rig_err() { echo "rig: $*" >&2; }
_rig_log() { [ -n "${RIG_QUIET:-}" ] || echo "rig: $*" >&2; }
# milliseconds since the epoch -> REPLY (no fork)
_rig_now() {
	local t=${EPOCHREALTIME/./}
	REPLY=$((t / 1000))
}

# chain layer K (1-based) -> host name: pm1 vm1 nvm1 n4vm1 n5vm1 ...
_rig_chain_name() {
	case $1 in
	1) REPLY=pm1 ;;
	2) REPLY=vm1 ;;
	3) REPLY=nvm1 ;;
	*) REPLY="n${1}vm1" ;;
	esac
}

# ST_<WHAT>_<host> -> REPLY
_rig_v() {
	local v="ST_${1}_${2}"
	REPLY=${!v:-}
}

# Load DIR/state (ST_* variables) into the calling scope.
_rig_load() {
	if [ ! -f "$1/state" ]; then
		_rig_err "no rig is up in $1"
		return 1
	fi
	# shellcheck disable=SC1091
	. "$1/state"
}

# Is PID alive (exists and is not a zombie)?
_rig_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	{ read -r st; } 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# Does PID's command line contain the word S?  Guards against PID reuse.
# (sshd rewrites its argv: "sshd: /usr/sbin/sshd -D -e -f CFG [listener] ...")
_rig_argv_has() {
	local joined
	local -a argv=()
	[ -n "$1" ] || return 1
	mapfile -d "" argv 2>/dev/null <"/proc/$1/cmdline" || return 1
	[ ${#argv[@]} -gt 0 ] || return 1
	joined=" ${argv[*]} "
	[[ $joined == *" $2 "* ]]
}

# _rig_wait_gone MS PID... — bounded wait until none is alive; 1 on timeout.
_rig_wait_gone() {
	local end p left
	_rig_now
	end=$((REPLY + $1))
	shift
	while :; do
		left=0
		for p in "$@"; do
			_rig_alive "$p" && left=1 && break
		done
		[ "$left" -eq 0 ] && return 0
		_rig_now
		[ "$REPLY" -ge "$end" ] && return 1
		sleep 0.02
	done
}

# PIDs living in the given named network namespaces (one /proc scan).
_rig_ns_pids() {
	local ns inodes="" line pid me=$BASHPID
	for ns in "$@"; do
		[ -e "/run/netns/$ns" ] && inodes="$inodes $(stat -L -c %i "/run/netns/$ns" 2>/dev/null)"
	done
	[ -n "${inodes// /}" ] || return 0
	find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net' -printf '%h %l\n' 2>/dev/null |
		while read -r line; do
			pid=${line#/proc/}
			pid=${pid%%/*}
			line=${line##*net:[}
			line=${line%]}
			case " $inodes " in *" $line "*)
				[ "$pid" != "$$" ] && [ "$pid" != "$me" ] && echo "$pid" ;;
			esac
		done
}

# sshd pids of HOST recorded in DIR and verified by command line -> stdout
_rig_sshd_pids() {
	local nd="$ST_DIR/nodes/$1" f pid
	for f in sshd.launch sshd.pid; do
		pid=""
		[ -f "$nd/$f" ] && read -r pid <"$nd/$f"
		[ -n "$pid" ] && _rig_argv_has "$pid" "$nd/sshd_config" && echo "$pid"
	done | sort -u
}

# ---------------------------------------------------------------- files
_rig_keygen() { # PATH... -> new ed25519 keys, in parallel, bounded
	local f
	[ $# -gt 0 ] || return 0
	for f in "$@"; do rm -f "$f" "$f.pub"; done
	# shellcheck disable=SC2016
	printf '%s\0' "$@" | timeout 120 xargs -0 -n 16 -P 4 \
		sh -c 'for f; do ssh-keygen -q -t ed25519 -N "" -C ctys-rig -f "$f" || exit 1; done' rig-keygen
}

# (Re)write DIR/known_hosts and every node's ~/.ssh/known_hosts from the
# current host keys: "name,ip ssh-ed25519 KEY".
_rig_write_known() {
	local h key lines=""
	for h in $ST_HOSTS; do
		read -r key <"$ST_DIR/nodes/$h/ssh_host_ed25519_key.pub" || return 1
		_rig_v IP "$h"
		lines="$lines$h,$REPLY ${key% *}"$'\n'
	done
	(
		umask 077
		printf '%s' "$lines" >"$ST_DIR/known_hosts.tmp" &&
			mv -f "$ST_DIR/known_hosts.tmp" "$ST_DIR/known_hosts" || exit 1
		for h in $ST_HOSTS; do
			printf '%s' "$lines" >"$ST_DIR/nodes/$h/home/.ssh/known_hosts" || exit 1
		done
	)
}

# ssh client options for one Host block: $1 identity, $2 known_hosts -> stdout
_rig_client_opts() {
	printf '  %s\n' "User root" "IdentityFile $1" "IdentitiesOnly yes" \
		"UserKnownHostsFile $2" "GlobalKnownHostsFile /dev/null" \
		"StrictHostKeyChecking yes" "BatchMode yes" "ConnectTimeout 5" \
		"KexAlgorithms curve25519-sha256" "GSSAPIAuthentication no"
}

_rig_write_sshd_config() { # HOST
	local h=$1 nd="$ST_DIR/nodes/$1"
	_rig_v IP "$h"
	mkdir -p -m 700 "$nd/run"
	printf '%s\n' "# ctys test rig $ST_ID: sshd of $h" "Port 22" "ListenAddress $REPLY" \
		"HostKey $nd/ssh_host_ed25519_key" "PidFile $nd/sshd.pid" \
		"AuthorizedKeysFile .ssh/authorized_keys" "StrictModes yes" \
		"PermitRootLogin prohibit-password" "PubkeyAuthentication yes" \
		"PasswordAuthentication no" "KbdInteractiveAuthentication no" "UsePAM no" \
		"UseDNS no" "AllowTcpForwarding yes" "AllowAgentForwarding yes" \
		"X11Forwarding yes" "PrintMotd no" "PrintLastLog no" \
		"MaxStartups 200:30:400" "MaxSessions 64" "LogLevel ERROR" \
		"SetEnv CTYS_NODE=$h PATH=$RIG_NODE_PATH XDG_RUNTIME_DIR=$nd/run" \
		"Subsystem sftp /usr/lib/openssh/sftp-server" >"$nd/sshd_config"
}

# Write DIR/env (public, sourceable) from the state and the pid files.
_rig_write_env() {
	local h H pid ip jump parent f="$ST_DIR/env"
	{
		echo "# ctys test rig $ST_ID ($ST_TOPO), written by tests/rig/rig.sh"
		printf 'export RIG_DIR=%q\n' "$ST_DIR"
		printf 'export RIG_ID=%q\n' "$ST_ID"
		printf 'export RIG_TOPOLOGY=%q\n' "$ST_TOPO"
		printf 'export RIG_NET=%q\n' "$ST_NET"
		printf 'export RIG_HOSTS=%q\n' "$ST_HOSTS"
		printf 'export RIG_SSH_CONFIG=%q\n' "$ST_DIR/ssh_config"
		printf 'export RIG_KNOWN_HOSTS=%q\n' "$ST_DIR/known_hosts"
		printf 'export RIG_KEY=%q\n' "$ST_DIR/id_ed25519"
		printf 'export RIG_BLACKHOLE_IP=%q\n' "$ST_BH_IP"
		printf 'export RIG_SH=%q\n' "$RIG_SH"
		for h in $ST_HOSTS; do
			H=${h^^}
			pid=""
			[ -f "$ST_DIR/nodes/$h/sshd.pid" ] && read -r pid <"$ST_DIR/nodes/$h/sshd.pid"
			_rig_v IP "$h"
			ip=$REPLY
			_rig_v JUMP "$h"
			jump=$REPLY
			_rig_v PARENT "$h"
			parent=$REPLY
			printf 'export RIG_%s_IP=%q RIG_%s_NS=%q RIG_%s_HOME=%q RIG_%s_RUN=%q RIG_%s_PID=%q RIG_%s_JUMP=%q RIG_%s_PARENT=%q\n' \
				"$H" "$ip" "$H" "$ST_NSPFX$h" "$H" "$ST_DIR/nodes/$h/home" "$H" "$ST_DIR/nodes/$h/run" \
				"$H" "$pid" "$H" "$jump" "$H" "$parent"
		done
	} >"$f.tmp" && mv -f "$f.tmp" "$f"
}

# ---------------------------------------------------------------- plan
# Pick RIG_ID and a free 10.{231..250}.{even}.0/23, claimed atomically by
# adding the root-ns unreachable route (EEXIST if a concurrent run has it).
# DIR/claim records the route just before and after it is added (builtins
# only, so a SIGKILL can at worst lose a few microseconds).
_rig_claim() {
	local i id o2 o3 net
	for ((i = 0; i < 64; i++)); do
		printf -v id '%06x' $((SRANDOM & 0xffffff))
		compgen -G "/run/netns/ctys-$id-*" >/dev/null && continue
		ip link show "cr$id" >/dev/null 2>&1 && continue
		o2=$((231 + SRANDOM % 20))
		o3=$((2 * (SRANDOM % 128)))
		net="10.$o2.$o3.0/23"
		[ -z "$(ip -4 route show table all root "$net" 2>/dev/null)" ] || continue
		ip -4 route show table all match "$net" 2>/dev/null | grep -qv '^default ' && continue
		ip route add unreachable "$net" 2>/dev/null || continue
		echo "CLAIMED_NET=$net" >"$ST_DIR/claim"
		CL_ID=$id CL_O2=$o2 CL_O3=$o3 CL_NET=$net
		return 0
	done
	_rig_err "no free 10.231-250.x.0/23 found in 64 tries"
	return 1
}

# TOPOLOGY -> ST_HOSTS and per host ST_IP_h, ST_UPNET_h, ST_PARENT_h, ST_JUMP_h
_rig_plan() {
	local kind=${1%%:*} n=${1#*:} k h prev="" jumps="" base="10.$CL_O2.$CL_O3"
	ST_HOSTS=""
	ST_BH_IP="10.$CL_O2.$((CL_O3 + 1)).9"
	case $kind in
	chain)
		if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 63 ]; then
			_rig_err "chain:N needs 1 <= N <= 63 (got '$1')"
			return 1
		fi
		for ((k = 1; k <= n; k++)); do
			_rig_chain_name "$k"
			h=$REPLY
			ST_HOSTS="$ST_HOSTS${ST_HOSTS:+ }$h"
			printf -v "ST_IP_$h" '%s' "$base.$((4 * (k - 1) + 2))"
			printf -v "ST_UPNET_$h" '%s' "$base.$((4 * (k - 1)))/30"
			printf -v "ST_PARENT_$h" '%s' "$prev"
			printf -v "ST_JUMP_$h" '%s' "$jumps"
			jumps="$jumps${jumps:+,}$h"
			prev=$h
		done
		;;
	flat)
		if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 250 ]; then
			_rig_err "flat:N needs 1 <= N <= 250 (got '$1')"
			return 1
		fi
		for ((k = 1; k <= n; k++)); do
			printf -v h 'h%03d' "$k"
			ST_HOSTS="$ST_HOSTS${ST_HOSTS:+ }$h"
			printf -v "ST_IP_$h" '%s' "$base.$((k + 1))"
			printf -v "ST_UPNET_$h" '%s' "$base.0/24"
			printf -v "ST_PARENT_$h" '%s' ""
			printf -v "ST_JUMP_$h" '%s' ""
		done
		;;
	*)
		_rig_err "unknown topology '$1' (want chain:N or flat:N)"
		return 1
		;;
	esac
}

_rig_write_state() {
	local h v
	{
		printf 'ST_DIR=%q\nST_ID=%q\nST_TOPO=%q\nST_KIND=%q\nST_NET=%q\nST_HOSTS=%q\n' \
			"$ST_DIR" "$ST_ID" "$ST_TOPO" "$ST_KIND" "$ST_NET" "$ST_HOSTS"
		printf 'ST_NSPFX=%q\nST_NSLIST=%q\nST_ROOTIFS=%q\nST_BH_IP=%q\nST_BH_NET=%q\n' \
			"$ST_NSPFX" "$ST_NSLIST" "$ST_ROOTIFS" "$ST_BH_IP" "$ST_BH_NET"
		for h in $ST_HOSTS; do
			for v in IP UPNET PARENT JUMP; do
				_rig_v "$v" "$h"
				printf 'ST_%s_%s=%q\n' "$v" "$h" "$REPLY"
			done
		done
	} >"$ST_DIR/state" # builtins only: no window for a SIGKILL between claim and state
}

# ---------------------------------------------------------------- network
# Root-ns batch (namespaces, veths, root addresses), the switch and
# blackhole namespaces, and per node a batch file DIR/nodes/h/net that the
# node's launcher runs inside its namespace.
_rig_net() {
	local d=$ST_DIR base=${ST_NET%.0/23} bh=${ST_BH_NET%.0/24} ns h k n prevh ip plen dip
	local -a hs
	read -r -a hs <<<"$ST_HOSTS"
	n=${#hs[@]}
	{
		for ns in $ST_NSLIST; do echo "netns add $ns"; done
		# blackhole: root --cb<id>--> bh ns, which forwards into a blackhole route
		echo "link add cb$ST_ID type veth peer name eth0 netns ${ST_NSPFX}bh"
		echo "addr add $bh.1/30 dev cb$ST_ID noprefixroute"
		echo "link set cb$ST_ID up"
		echo "route add $bh.0/30 dev cb$ST_ID src $bh.1"
		echo "route add $bh.8/29 via $bh.2 dev cb$ST_ID onlink"
		if [ "$ST_KIND" = chain ]; then
			prevh=""
			for h in $ST_HOSTS; do
				if [ -z "$prevh" ]; then
					echo "link add cr$ST_ID type veth peer name eth0 netns $ST_NSPFX$h"
				else
					echo "link add eth1 netns $ST_NSPFX$prevh type veth peer name eth0 netns $ST_NSPFX$h"
				fi
				prevh=$h
			done
			echo "addr add $base.1/30 dev cr$ST_ID noprefixroute"
			echo "link set cr$ST_ID up"
			echo "route add $base.0/30 dev cr$ST_ID src $base.1 quickack 1"
		else
			echo "link add br0 netns ${ST_NSPFX}sw type bridge"
			echo "link add cr$ST_ID type veth peer name p0 netns ${ST_NSPFX}sw"
			for ((k = 1; k <= n; k++)); do
				echo "link add p$k netns ${ST_NSPFX}sw type veth peer name eth0 netns $ST_NSPFX${hs[k - 1]}"
			done
			echo "addr add $base.1/24 dev cr$ST_ID noprefixroute"
			echo "link set cr$ST_ID up"
			echo "route add $base.0/24 dev cr$ST_ID src $base.1 quickack 1"
		fi
	} >"$d/net.root"
	if ! ip -batch "$d/net.root" >"$d/net.log" 2>&1; then
		_rig_err "network setup failed: $(tail -n 3 "$d/net.log")"
		return 1
	fi
	printf '%s\n' "link set lo up" "addr add $bh.2/30 dev eth0" "link set eth0 up" \
		"route add blackhole default" >"$d/net.bh"
	if ! { ip -n "${ST_NSPFX}bh" -batch "$d/net.bh" &&
		ip netns exec "${ST_NSPFX}bh" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'; } >>"$d/net.log" 2>&1; then
		_rig_err "blackhole setup failed: $(tail -n 3 "$d/net.log")"
		return 1
	fi
	if [ "$ST_KIND" = flat ]; then
		{
			printf '%s\n' "link set lo up" "link set br0 up" "link set p0 master br0 up"
			for ((k = 1; k <= n; k++)); do echo "link set p$k master br0 up"; done
		} >"$d/net.sw"
		if ! ip -n "${ST_NSPFX}sw" -batch "$d/net.sw" >>"$d/net.log" 2>&1; then
			_rig_err "switch setup failed: $(tail -n 3 "$d/net.log")"
			return 1
		fi
	fi
	plen=30
	[ "$ST_KIND" = flat ] && plen=24
	for ((k = 0; k < n; k++)); do
		h=${hs[k]}
		_rig_v IP "$h"
		ip=$REPLY
		_rig_v UPNET "$h"
		{
			printf '%s\n' "link set lo up" "addr add $ip/$plen dev eth0 noprefixroute" \
				"link set eth0 up" "route add $REPLY dev eth0 src $ip quickack 1"
			if [ "$ST_KIND" = chain ] && [ $((k + 1)) -lt "$n" ]; then
				dip="$base.$((4 * (k + 1) + 1))"
				printf '%s\n' "addr add $dip/30 dev eth1 noprefixroute" "link set eth1 up" \
					"route add $base.$((4 * (k + 1)))/30 dev eth1 src $dip quickack 1"
			fi
		} >"$d/nodes/$h/net"
	done
}

# ---------------------------------------------------------------- nodes
# The node launcher, run as: ip netns exec NS unshare --uts --mount bash -c
# "$_RIG_NODE_SH" rig-node NETBATCH HOST HOME CMD...  — configures the
# interfaces (first start only), sets the hostname, puts the node's home on
# /root and execs CMD (sshd, or a command for `exec`).  No forks but `ip`
# and `mount`, so the PID of the launcher becomes the PID of CMD.
# shellcheck disable=SC2016
_RIG_NODE_SH='PATH='"$RIG_SYSPATH"'
set -e
if [ -n "$1" ]; then ip -batch "$1"; fi
echo "$2" >/proc/sys/kernel/hostname
mount --bind "$3" /root
shift 3
exec "$@"'

# Start sshd of HOST in its namespace (background, pid -> sshd.launch).
# FIRST=1 also configures the node's interfaces.
_rig_spawn_sshd() {
	local h=$1 first=${2:-} nd="$ST_DIR/nodes/$1" net=""
	[ -n "$first" ] && net="$nd/net"
	rm -f "$nd/sshd.pid"
	(exec -c ip netns exec "$ST_NSPFX$h" unshare --uts --mount /bin/bash -c "$_RIG_NODE_SH" \
		rig-node "$net" "$h" "$nd/home" "$RIG_SSHD_BIN" -D -e -f "$nd/sshd_config") \
		</dev/null >>"$nd/sshd.log" 2>&1 &
	echo $! >"$nd/sshd.launch"
}

# _rig_wait_sshd MS HOST... — bounded wait for every HOST's sshd.pid (sshd
# writes it after binding its listen socket).  Reports dead/slow hosts.
_rig_wait_sshd() {
	local end h pid pending="" next bad="" nd
	_rig_now
	end=$((REPLY + $1))
	shift
	pending="$*"
	while [ -n "$pending" ]; do
		next=""
		for h in $pending; do
			nd="$ST_DIR/nodes/$h"
			[ -s "$nd/sshd.pid" ] && continue
			pid=""
			read -r pid 2>/dev/null <"$nd/sshd.launch"
			if ! _rig_alive "$pid"; then
				bad="$bad $h"
				continue
			fi
			next="$next $h"
		done
		pending=${next# }
		[ -z "$pending" ] && break
		_rig_now
		if [ "$REPLY" -ge "$end" ]; then
			bad="$bad $pending"
			break
		fi
		sleep 0.02
	done
	[ -z "$bad" ] && return 0
	for h in $bad; do
		_rig_err "$h: sshd did not come up: $(tail -n 3 "$ST_DIR/nodes/$h/sshd.log" 2>/dev/null | tr '\n' ' ')"
	done
	return 1
}

# ---------------------------------------------------------------- up
_rig_up_inner() {
	local dir=$1 topo=$2 h k nd nx t0 t1 t2 t3 prev pub rootpub n
	local -a keys hs
	local CL_ID CL_O2 CL_O3 CL_NET
	_rig_now
	t0=$REPLY
	if [ "$(id -u)" -ne 0 ]; then
		_rig_err "must run as root"
		return 2
	fi
	for k in ip unshare nsenter ssh ssh-keygen xargs find timeout; do
		command -v "$k" >/dev/null || {
			_rig_err "missing command: $k"
			return 2
		}
	done
	if [ ! -x "$RIG_SSHD_BIN" ]; then
		_rig_err "$RIG_SSHD_BIN missing (apt-get install openssh-server)"
		return 2
	fi
	case $dir in *[[:space:]]*)
		_rig_err "DIR must not contain white space: '$dir'"
		return 2
		;;
	esac
	mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || return 2
	if [ -f "$dir/state" ] || [ -f "$dir/claim" ]; then
		_rig_err "$dir already holds a rig (rig.sh down it first)"
		return 2
	fi
	ST_DIR=$dir ST_TOPO=$topo ST_KIND=${topo%%:*}
	CL_O2=231 CL_O3=0
	_rig_plan "$topo" || return 2 # reject a bad topology before claiming anything
	mkdir -p /run/sshd || return 1 # sshd's hard-coded privilege separation dir
	_rig_claim || return 1
	ST_ID=$CL_ID ST_NET=$CL_NET ST_NSPFX="ctys-$CL_ID-"
	ST_BH_NET="10.$CL_O2.$((CL_O3 + 1)).0/24"
	# shellcheck disable=SC2015
	_rig_plan "$topo" && {
		ST_NSLIST="${ST_NSPFX}bh"
		[ "$ST_KIND" = flat ] && ST_NSLIST="$ST_NSLIST ${ST_NSPFX}sw"
		for h in $ST_HOSTS; do ST_NSLIST="$ST_NSLIST $ST_NSPFX$h"; done
		ST_ROOTIFS="cr$ST_ID cb$ST_ID"
		_rig_write_state # from here on `down` can undo everything
	} || {
		ip route del unreachable "$CL_NET" 2>/dev/null
		return 1
	}

	# keys and files (all private: umask 077)
	umask 077
	read -r -a hs <<<"$ST_HOSTS"
	n=${#hs[@]}
	keys=("$dir/id_ed25519")
	local -a dirs=()
	for h in $ST_HOSTS; do
		dirs+=("$dir/nodes/$h/home/.ssh")
		keys+=("$dir/nodes/$h/ssh_host_ed25519_key")
		[ "$ST_KIND" = chain ] && keys+=("$dir/nodes/$h/home/.ssh/id_ed25519")
	done
	mkdir -p "${dirs[@]}" || return 1
	if ! _rig_keygen "${keys[@]}"; then
		_rig_err "ssh-keygen failed"
		return 1
	fi
	read -r rootpub <"$dir/id_ed25519.pub" || return 1
	for ((k = 0; k < n; k++)); do
		h=${hs[k]}
		nd="$dir/nodes/$h"
		_rig_v IP "$h"
		printf 'Host %s %s\n  HostName %s\n' "$h" "$REPLY" "$REPLY"
		_rig_client_opts "$dir/id_ed25519" "$dir/known_hosts"
		echo
		_rig_v PARENT "$h"
		prev=$REPLY
		{
			echo "$rootpub"
			if [ -n "$prev" ]; then
				read -r pub <"$dir/nodes/$prev/home/.ssh/id_ed25519.pub" && echo "$pub"
			fi
		} >"$nd/home/.ssh/authorized_keys"
		if [ "$ST_KIND" = chain ]; then
			if [ $((k + 1)) -lt "$n" ]; then
				nx=${hs[k + 1]}
				_rig_v IP "$nx"
				{
					echo "# $h reaches the next layer, $nx"
					printf 'Host %s %s\n  HostName %s\n' "$nx" "$REPLY" "$REPLY"
					_rig_client_opts /root/.ssh/id_ed25519 /root/.ssh/known_hosts
				} >"$nd/home/.ssh/config"
			else
				echo "# $h is the last layer" >"$nd/home/.ssh/config"
			fi
		fi
		_rig_write_sshd_config "$h"
	done >"$dir/ssh_config"
	_rig_write_known || return 1
	umask 022
	_rig_now
	t1=$REPLY
	_rig_net || return 1
	_rig_now
	t2=$REPLY
	# one launcher per node: interfaces, hostname, /root, exec sshd
	(for h in $ST_HOSTS; do _rig_spawn_sshd "$h" 1; done)
	_rig_wait_sshd $((10000 + 50 * n)) "${hs[@]}" || return 1
	_rig_write_env || return 1
	_rig_now
	t3=$REPLY
	_rig_log "up $topo (id $ST_ID, net $ST_NET): files $((t1 - t0)) ms," \
		"net $((t2 - t1)) ms, nodes+sshd $((t3 - t2)) ms, total $((t3 - t0)) ms"
}

# rig_up DIR TOPOLOGY — bring a rig up in DIR.  When sourced, the caller's
# shell also gets DIR/env.  On failure everything made so far is torn down.
rig_up() {
	if [ $# -ne 2 ]; then
		_rig_err "usage: rig_up DIR TOPOLOGY"
		return 2
	fi
	local rc
	(
		_rig_opts
		_rig_up_inner "$1" "$2"
	)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		if [ "$rc" -ne 2 ]; then
			_rig_err "setup failed; tearing down"
			rig_down "$1" >&2
		fi
		return 1
	fi
	# shellcheck disable=SC1091
	. "$1/env"
}

# ---------------------------------------------------------------- down
# rig_down DIR — kill, delete, remove the route; idempotent, works after a
# crash (everything is recorded in DIR/state before it is created).
rig_down() {
	if [ $# -ne 1 ]; then
		_rig_err "usage: rig_down DIR"
		return 2
	fi
	if [ ! -f "$1/state" ]; then # never up, already down, or killed right after the claim
		if [ -f "$1/claim" ]; then
			(
				_rig_opts
				# shellcheck disable=SC1091
				. "$1/claim"
				[ -n "$(ip -4 route show exact "$CLAIMED_NET" type unreachable 2>/dev/null)" ] &&
					ip route del unreachable "$CLAIMED_NET"
				rm -f "$1/claim"
			)
		fi
		return 0
	fi
	(
		_rig_opts
		_rig_load "$1" || exit 1
		_rig_now
		t0=$REPLY
		# 1. the sshds recorded in DIR (verified by their command line)
		pids=$(for h in $ST_HOSTS; do _rig_sshd_pids "$h"; done)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
		# 2. whatever else lives in our namespaces (sessions, agents, exec'd commands)
		# shellcheck disable=SC2086
		rest=$(_rig_ns_pids $ST_NSLIST)
		# shellcheck disable=SC2086
		[ -n "$rest" ] && kill -TERM $rest 2>/dev/null
		# shellcheck disable=SC2086
		if ! _rig_wait_gone 3000 $pids $rest; then
			# shellcheck disable=SC2086
			rest="$(_rig_ns_pids $ST_NSLIST) $(for h in $ST_HOSTS; do _rig_sshd_pids "$h"; done)"
			# shellcheck disable=SC2086
			[ -n "${rest// /}" ] && kill -KILL $rest 2>/dev/null
			# shellcheck disable=SC2086
			_rig_wait_gone 3000 $rest || _rig_err "down: still alive: $rest"
		fi
		# 3. root-ns links, namespaces, the route
		for h in $ST_ROOTIFS; do
			ip link show "$h" >/dev/null 2>&1 && ip link del "$h" 2>/dev/null
		done
		for ns in $ST_NSLIST; do
			[ -e "/run/netns/$ns" ] && echo "netns del $ns"
		done >"$ST_DIR/net.down"
		[ -s "$ST_DIR/net.down" ] && ip -force -batch "$ST_DIR/net.down" 2>/dev/null
		if [ -n "$ST_NET" ] && [ -n "$(ip -4 route show exact "$ST_NET" type unreachable 2>/dev/null)" ]; then
			ip route del unreachable "$ST_NET" 2>/dev/null
		fi
		# 4. verify
		left=""
		for ns in $ST_NSLIST; do [ -e "/run/netns/$ns" ] && left="$left $ns"; done
		for h in $ST_ROOTIFS; do ip link show "$h" >/dev/null 2>&1 && left="$left $h"; done
		[ -n "$(ip -4 route show exact "$ST_NET" type unreachable 2>/dev/null)" ] && left="$left route:$ST_NET"
		if [ -n "$left" ]; then
			_rig_err "down: could not remove:$left"
			exit 1
		fi
		for h in $ST_HOSTS; do rm -f "$ST_DIR/nodes/$h/sshd.pid" "$ST_DIR/nodes/$h/sshd.launch"; done
		mv -f "$ST_DIR/state" "$ST_DIR/state.down"
		rm -f "$ST_DIR/claim"
		_rig_now
		_rig_log "down $ST_ID in $((REPLY - t0)) ms"
	)
}

# rig_trap DIR — tear the rig down on EXIT, INT and TERM of this shell.  An
# earlier EXIT trap (e.g. lib.sh's rm -rf of its temp dir) still runs, after.
rig_trap() {
	local dir prev
	dir=$(cd "$1" 2>/dev/null && pwd) || dir=$1
	prev=$(trap -p EXIT)
	if [ -n "$prev" ]; then
		eval "set -- $prev"
		prev=$3
	fi
	# shellcheck disable=SC2064
	trap "rig_down $(printf %q "$dir") >/dev/null 2>&1; $prev" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# ---------------------------------------------------------------- per host
_rig_host_ok() { # DIR HOST: load state, check HOST
	_rig_load "$1" || return 1
	case " $ST_HOSTS " in *" $2 "*) return 0 ;; esac
	_rig_err "no host '$2' in rig $1 (hosts: $ST_HOSTS)"
	return 1
}

# rig_exec DIR HOST CMD... — run CMD in HOST's network, mount and UTS
# namespaces (its home on /root), with HOME=/root, CTYS_NODE=HOST and the
# node PATH, in the caller's working directory.  Enters the running sshd's
# namespaces; if sshd is down, an equivalent fresh view of the node.
rig_exec() {
	(
		_rig_opts
		_rig_host_ok "$1" "$2" || exit 125
		h=$2
		nd="$ST_DIR/nodes/$h"
		shift 2
		pid=""
		read -r pid 2>/dev/null <"$nd/sshd.pid"
		if [ -n "$pid" ] && _rig_argv_has "$pid" "$nd/sshd_config" && _rig_alive "$pid"; then
			exec nsenter -t "$pid" -n -m -u --wd="$PWD" -- \
				env HOME=/root CTYS_NODE="$h" PATH="$RIG_NODE_PATH" XDG_RUNTIME_DIR="$nd/run" "$@"
		fi
		exec ip netns exec "$ST_NSPFX$h" unshare --uts --mount /bin/bash -c "$_RIG_NODE_SH" \
			rig-node "" "$h" "$nd/home" env -C "$PWD" HOME=/root CTYS_NODE="$h" PATH="$RIG_NODE_PATH" XDG_RUNTIME_DIR="$nd/run" "$@"
	)
}

# rig_ssh DIR HOST [CMD...] — OpenSSH client from the root ns, -J through
# the lower layers of a chain.  CMD is joined by ssh: quote it yourself.
rig_ssh() {
	(
		_rig_opts
		_rig_host_ok "$1" "$2" || exit 255
		h=$2
		_rig_v JUMP "$h"
		shift 2
		exec ssh -F "$ST_DIR/ssh_config" ${REPLY:+-J "$REPLY"} "$h" "$@"
	)
}

# rig_kill_sshd DIR HOST — SIGTERM the host's sshd listener (sessions it
# already forked live on), bounded wait, SIGKILL if needed.
rig_kill_sshd() {
	(
		_rig_opts
		_rig_host_ok "$1" "$2" || exit 1
		nd="$ST_DIR/nodes/$2"
		pids=$(_rig_sshd_pids "$2")
		if [ -n "$pids" ]; then
			# shellcheck disable=SC2086
			kill -TERM $pids 2>/dev/null
			# shellcheck disable=SC2086
			if ! _rig_wait_gone 5000 $pids; then
				# shellcheck disable=SC2086
				kill -KILL $pids 2>/dev/null
				# shellcheck disable=SC2086
				_rig_wait_gone 2000 $pids || exit 1
			fi
		fi
		rm -f "$nd/sshd.pid" "$nd/sshd.launch"
		_rig_write_env
	)
}

# rig_start_sshd DIR HOST — start a (killed) sshd again, same config.
rig_start_sshd() {
	(
		_rig_opts
		_rig_host_ok "$1" "$2" || exit 1
		for pid in $(_rig_sshd_pids "$2"); do
			if _rig_alive "$pid"; then
				_rig_err "$2: sshd already running ($pid)"
				exit 1
			fi
		done
		(_rig_spawn_sshd "$2")
		_rig_wait_sshd 10000 "$2" || exit 1
		_rig_write_env
	)
}

# rig_rekey DIR HOST — new host key and sshd restart.  known_hosts are left
# alone, so clients now see a changed key; `rig_trust DIR` re-seeds them.
rig_rekey() {
	rig_kill_sshd "$1" "$2" || return 1
	(
		_rig_opts
		_rig_host_ok "$1" "$2" || exit 1
		umask 077
		_rig_keygen "$ST_DIR/nodes/$2/ssh_host_ed25519_key"
	) || return 1
	rig_start_sshd "$1" "$2"
}

# rig_trust DIR — rewrite all known_hosts (root's and every node's) from the
# current host keys.
rig_trust() {
	(
		_rig_opts
		_rig_load "$1" || exit 1
		_rig_write_known
	)
}

# rig_link DIR HOST up|down — the host's uplink (eth0 in its namespace).
rig_link() {
	(
		_rig_opts
		_rig_host_ok "$1" "$2" || exit 1
		ip -n "$ST_NSPFX$2" link set eth0 "$3" || exit 1
		[ "$3" = up ] || exit 0
		# link down drops the (noprefixroute, quickack) routes: put them back
		sed -n 's/^route add /route replace /p' "$ST_DIR/nodes/$2/net" |
			ip -n "$ST_NSPFX$2" -batch - || exit 1
		_rig_link_wait "$2"
	)
}

# _rig_link_wait HOST — after link up: forget the neighbour entries that
# failed while the link was down (a FAILED entry answers "No route to
# host" until it is probed again) and wait, bounded (5 s), until HOST's
# sshd port answers from the layer below.
_rig_link_wait() {
	local ip lower="" i
	_rig_v IP "$1"
	ip=$REPLY
	_rig_v PARENT "$1"
	[ -n "$REPLY" ] && lower=$ST_NSPFX$REPLY
	if [ -n "$lower" ]; then
		ip -n "$lower" neigh flush to "$ip" 2>/dev/null
	else
		ip neigh flush to "$ip" 2>/dev/null
	fi
	ip -n "$ST_NSPFX$1" neigh flush dev eth0 2>/dev/null
	# a refused connection proves the route as well as an accepted one
	local out
	for ((i = 0; i < 50; i++)); do
		if [ -n "$lower" ]; then
			out=$(ip netns exec "$lower" timeout 1 bash -c ": </dev/tcp/$ip/22" 2>&1) && return 0
		else
			out=$(timeout 1 bash -c ": </dev/tcp/$ip/22" 2>&1) && return 0
		fi
		case $out in *"Connection refused"*) return 0 ;; esac
		sleep 0.1
	done
	_rig_err "$1 ($ip) still unreachable 5 s after its link came up"
	return 1
}

rig_status() {
	(
		_rig_opts
		_rig_load "$1" || exit 1
		echo "rig $ST_ID $ST_TOPO net $ST_NET blackhole $ST_BH_IP"
		for h in $ST_HOSTS; do
			pid="" st=down
			read -r pid 2>/dev/null <"$ST_DIR/nodes/$h/sshd.pid"
			_rig_argv_has "$pid" "$ST_DIR/nodes/$h/sshd_config" && _rig_alive "$pid" && st="up pid $pid"
			_rig_v IP "$h"
			printf '%-8s %-15s sshd %s\n' "$h" "$REPLY" "$st"
		done
	)
}

# ---------------------------------------------------------------- command
_rig_usage() {
	sed -n '3,10p' "$RIG_SH" | sed 's/^# \{0,1\}//' >&2
	return 2
}

rig_main() {
	local cmd=${1:-}
	[ $# -ge 2 ] || {
		_rig_usage
		return 2
	}
	shift
	case $cmd in
	up)
		[ $# -eq 2 ] || {
			_rig_usage
			return 2
		}
		# shellcheck disable=SC2064
		trap "rig_down $(printf %q "$1") >/dev/null 2>&1; exit 130" INT
		# shellcheck disable=SC2064
		trap "rig_down $(printf %q "$1") >/dev/null 2>&1; exit 143" TERM
		rig_up "$1" "$2"
		;;
	down) rig_down "$1" ;;
	exec | ssh | kill-sshd | start-sshd | rekey | link-down | link-up)
		if [ $# -lt 2 ] || { [ "$cmd" = exec ] && [ $# -lt 3 ]; }; then
			_rig_usage
			return 2
		fi
		case $cmd in
		exec) rig_exec "$@" ;;
		ssh) rig_ssh "$@" ;;
		kill-sshd) rig_kill_sshd "$1" "$2" ;;
		start-sshd) rig_start_sshd "$1" "$2" ;;
		rekey) rig_rekey "$1" "$2" ;;
		link-down) rig_link "$1" "$2" down ;;
		link-up) rig_link "$1" "$2" up ;;
		esac
		;;
	trust) rig_trust "$1" ;;
	status) rig_status "$1" ;;
	*) _rig_usage ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	rig_main "$@"
	exit $?
fi
