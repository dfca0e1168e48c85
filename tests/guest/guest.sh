#!/bin/bash
# tests/guest/guest.sh — the ctys test guest: a real QEMU layer that runs
# sshd and ctys-agent, built from Debian packages on this machine.
#
# The guest is the Debian kernel (its PVH vmlinux: no decompressor under TCG)
# with a small busybox initramfs that mounts the host's root file system
# read-only over 9p, puts a tmpfs overlay on it and runs tests/guest/stage2.sh
# from there, so the guest runs the host's own sshd, qemu and the ctys
# binaries of this tree unchanged (testing-notes §7.2).  Per guest, a data
# directory holds its host key, sshd_config and root's ~/.ssh.
#
#   guest.sh build [CACHE]            kernel + initrd into CACHE, prints paths
#   guest.sh data DIR NAME PUBKEY     per-guest data directory
#
# As a library (`. tests/guest/guest.sh`): guest_build CACHE sets
# GUEST_KERNEL GUEST_INITRD; guest_data DIR NAME PUBKEY; guest_qemu_args DIR
# prints the QEMU_ARGS and APPEND a ctys QEMU config needs.
# Kernel and modules are cached (default /tmp/ctys-test-cache/guest), keyed by
# the kernel package; the initramfs is rebuilt when tests/guest/init changes.

GUEST_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
failover net_failover virtio_net 9pnet 9pnet_virtio netfs fscache 9p overlay button evdev
irqbypass kvm ccp kvm-amd"

_guest_err() { echo "guest.sh: $*" >&2; }

# _guest_kernel CACHE -> CACHE/k/<version>/{vmlinux,modules/*.ko,modules.order}
_guest_kernel() {
	local cache=$1 pkg ver dir tmp vz off m
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	[ -n "$pkg" ] || { _guest_err "no Debian kernel package known to apt (linux-image-amd64)"; return 1; }
	ver=${pkg#linux-image-}
	dir=$cache/k/$ver
	if [ -s "$dir/vmlinux" ] && [ -s "$dir/modules.order" ]; then
		GUEST_KDIR=$dir
		return 0
	fi
	tmp=$(mktemp -d "$cache/dl.XXXXXX") || return 1
	if ! (cd "$tmp" && timeout 300 apt-get download "$pkg" >/dev/null 2>&1); then
		_guest_err "apt-get download $pkg failed"
		rm -rf "$tmp"
		return 1
	fi
	(cd "$tmp" && dpkg-deb --fsys-tarfile "$pkg"_*.deb |
		tar -x --wildcards './boot/vmlinuz-*' './lib/modules/*.ko') || {
		_guest_err "cannot unpack $pkg"
		rm -rf "$tmp"
		return 1
	}
	vz=$(ls "$tmp"/boot/vmlinuz-* | head -n 1)
	# the PVH entry needs the ELF vmlinux: unpack it from the bzImage (xz)
	off=$(LC_ALL=C grep -abo $'\xfd7zXZ\x00' "$vz" | head -n 1 | cut -d: -f1)
	mkdir -p "$tmp/out/modules"
	if [ -z "$off" ] || ! tail -c +$((off + 1)) "$vz" | xz -dc --single-stream >"$tmp/out/vmlinux" 2>/dev/null ||
		[ "$(head -c 4 "$tmp/out/vmlinux" | od -An -c | tr -d ' ')" != '177ELF' ]; then
		_guest_err "cannot unpack vmlinux from $vz (no xz stream)"
		rm -rf "$tmp"
		return 1
	fi
	# modules in dependency order, from each .ko's depends= line
	local -A seen=()
	local order=()
	_guest_add() {
		local name=$1 f dep
		[ -n "${seen[$name]:-}" ] && return 0
		seen[$name]=1
		f=$(find "$tmp/lib/modules" -name "$name.ko" | head -n 1)
		[ -n "$f" ] || { _guest_err "module $name is not in $pkg"; return 1; }
		for dep in $(strings "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
			_guest_add "$dep" || return 1
		done
		cp "$f" "$tmp/out/modules/"
		order+=("$name")
	}
	for m in $GUEST_MODULES; do
		_guest_add "$m" || { rm -rf "$tmp"; return 1; }
	done
	printf '%s\n' "${order[@]}" >"$tmp/out/modules.order"
	mkdir -p "$cache/k"
	rm -rf "$dir"
	mv "$tmp/out" "$dir"
	rm -rf "$tmp"
	GUEST_KDIR=$dir
}

# guest_build CACHE -> GUEST_KERNEL GUEST_INITRD (and GUEST_BIOS when qboot exists)
guest_build() {
	local cache=${1:-${CTYS_TEST_CACHE:-/tmp/ctys-test-cache}/guest} bb sum root
	for t in apt-cache apt-get dpkg-deb xz cpio gzip strings; do
		command -v "$t" >/dev/null || { _guest_err "needs $t"; return 1; }
	done
	bb=$(command -v busybox) || { _guest_err "needs busybox (package busybox-static)"; return 1; }
	mkdir -p "$cache" || return 1
	(
		flock -w 600 9 || { _guest_err "cache $cache is locked"; exit 1; }
		_guest_kernel "$cache" || exit 1
		sum=$(cat "$GUEST_SRC/init" "$GUEST_KDIR/modules.order" "$bb" | md5sum | cut -c1-12)
		[ -s "$GUEST_KDIR/initrd-$sum.gz" ] && exit 0
		root=$(mktemp -d "$cache/initrd.XXXXXX") || exit 1
		mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/modules"
		cp "$bb" "$root/bin/busybox"
		cp "$GUEST_SRC/init" "$root/init"
		cp "$GUEST_KDIR"/modules/*.ko "$root/modules/"
		cp "$GUEST_KDIR/modules.order" "$root/modules.order"
		(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$GUEST_KDIR/initrd-$sum.tmp") &&
			mv "$GUEST_KDIR/initrd-$sum.tmp" "$GUEST_KDIR/initrd-$sum.gz"
		rm -rf "$root"
	) 9>"$cache/.lock" || return 1
	_guest_kernel "$cache" || return 1
	sum=$(cat "$GUEST_SRC/init" "$GUEST_KDIR/modules.order" "$bb" | md5sum | cut -c1-12)
	GUEST_KERNEL=$GUEST_KDIR/vmlinux
	GUEST_INITRD=$GUEST_KDIR/initrd-$sum.gz
	GUEST_BIOS=
	[ -r /usr/share/qemu/qboot.rom ] && GUEST_BIOS=/usr/share/qemu/qboot.rom
	[ -s "$GUEST_INITRD" ]
}

# guest_data DIR NAME PUBKEY [PATH] — host key, sshd_config (port 22, key
# login for root from PUBKEY, SetEnv PATH so ctys-agent is found) and
# root's ~/.ssh.  Writes DIR/host_key.pub for the caller's known_hosts.
guest_data() {
	local d=$1 name=$2 pub=$3 path=${4:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}
	mkdir -p "$d/home/.ssh" || return 1
	chmod 700 "$d/home" "$d/home/.ssh"
	rm -f "$d/ssh_host_ed25519_key" "$d/ssh_host_ed25519_key.pub"
	ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$d/ssh_host_ed25519_key" || return 1
	cp "$d/ssh_host_ed25519_key.pub" "$d/host_key.pub"
	cp "$pub" "$d/home/.ssh/authorized_keys"
	chmod 600 "$d/home/.ssh/authorized_keys"
	# how the guest's PM plugin halts and reboots it (PID 1 is stage2.sh, not
	# an init that `halt` could talk to); detached, so the agent can still
	# report before the machine goes
	mkdir -p "$d/home/.ctys/pm"
	cat >"$d/home/.ctys/pm/pm.conf-Linux.sh" <<'EOC'
CTYS_PM_HALT="setsid -f sh -c 'sleep 1; busybox poweroff -f' </dev/null >/dev/null 2>&1"
CTYS_PM_REBOOT="setsid -f sh -c 'sleep 1; busybox reboot -f' </dev/null >/dev/null 2>&1"
EOC
	printf '%s\n' "# ctys test guest $name" "Port 22" "HostKey $d/ssh_host_ed25519_key" \
		"PidFile /run/sshd.pid" "AuthorizedKeysFile .ssh/authorized_keys" "StrictModes no" \
		"PermitRootLogin prohibit-password" "PubkeyAuthentication yes" \
		"PasswordAuthentication no" "KbdInteractiveAuthentication no" "UsePAM no" \
		"UseDNS no" "AllowTcpForwarding yes" "AllowAgentForwarding yes" "X11Forwarding no" \
		"PrintMotd no" "PrintLastLog no" "LogLevel ERROR" \
		"KexAlgorithms curve25519-sha256" \
		"SetEnv CTYS_NODE=$name PATH=$path" >"$d/sshd_config"
}

# guest_config FILE LABEL DATA PORT [ACPI=1|0] [MEM] — a ctys QEMU
# configuration (#@# keys + shell assignments) for this guest; its ssh port
# is forwarded to 127.0.0.1:PORT of the host that runs it.
guest_config() {
	local f=$1 label=$2 d=$3 port=$4 acpi=${5:-1} mem=${6:-384} args
	args="-cpu max -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	[ -n "$GUEST_BIOS" ] && args="$args -bios $GUEST_BIOS"
	mkdir -p "$(dirname "$f")" || return 1
	cat >"$f" <<EOC
#@#MAGICID-QEMU
#@#LABEL = "$label"
#@#VMSTATE = "ACTIVE"
#@#MAC0 = "52:54:00:c7:$(printf '%02x' $((port % 256))):01"
#@#IP0 = "10.0.2.15%255.255.255.0%slirp%eth0%22%10.0.2.2"
#@#STACKCAP = "QEMU,CLI"
LABEL="$label"
MEMSIZE=$mem
ACCELERATOR=QEMU
KERNEL=$GUEST_KERNEL
INITRD=$GUEST_INITRD
APPEND="console=ttyS0 quiet panic=-1 ctys.stage2=$GUEST_SRC/stage2.sh ctys.guest=$d ctys.hostname=$label ctys.acpi=$acpi"
NETFWD=$port:22
QEMU_ARGS="$args"
EOC
}

# guest_rig_add LABEL PORT ACPI HOSTHOME [PUBKEYS] — make guest LABEL of a
# rig host reachable: data in $T/guest-LABEL (keys of the rig's client and,
# for CHAIN, of the host), a config in $T/vms/LABEL, known_hosts and ssh
# config entries "LABEL -> 127.0.0.1:PORT" for the host (HOSTHOME) and the
# root namespace (RIG_SSH_CONFIG).  Needs $T, $TOP and the rig's env.
guest_rig_add() {
	local label=$1 port=$2 acpi=$3 hh=$4 g=$T/guest-$1 hk
	cat "$RIG_KEY.pub" "$hh/.ssh/id_ed25519.pub" >"$T/guest-$1.pub" 2>/dev/null
	guest_data "$g" "$label" "$T/guest-$1.pub" \
		"$TOP/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" || return 1
	[ -f "$hh/.ssh/id_ed25519" ] && cp "$hh/.ssh/id_ed25519" "$g/home/.ssh/id_ed25519"
	guest_config "$T/vms/$label/$label.ctys" "$label" "$g" "$port" "$acpi" "${GUEST_MEM:-384}" || return 1
	hk=$(cut -d' ' -f1,2 "$g/host_key.pub")
	echo "[127.0.0.1]:$port $hk" >>"$hh/.ssh/known_hosts"
	echo "[127.0.0.1]:$port $hk" >>"$RIG_KNOWN_HOSTS"
	{
		printf 'Host %s\n  HostName 127.0.0.1\n  Port %s\n' "$label" "$port"
		_rig_client_opts /root/.ssh/id_ed25519 /root/.ssh/known_hosts
	} >>"$hh/.ssh/config"
	{
		printf 'Host %s\n  HostName 127.0.0.1\n  Port %s\n' "$label" "$port"
		_rig_client_opts "$RIG_KEY" "$RIG_KNOWN_HOSTS"
	} >>"$RIG_SSH_CONFIG"
}

# guest_kill_all DIR... — SIGKILL every qemu whose pid file is in a runtime
# directory DIR (by PID, only while that PID still is a qemu): test teardown.
guest_kill_all() {
	local d f p
	for d in "$@"; do
		[ -n "$d" ] || continue
		for f in "$d"/*.pid; do
			[ -f "$f" ] || continue
			p=$(cat "$f")
			case $p in '' | *[!0-9]*) continue ;; esac
			grep -q qemu "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p"
		done
	done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case ${1:-} in
	build)
		guest_build "${2:-}" || exit 1
		echo "kernel $GUEST_KERNEL"
		echo "initrd $GUEST_INITRD"
		;;
	data)
		[ $# -eq 4 ] || { echo "usage: guest.sh data DIR NAME PUBKEY" >&2; exit 2; }
		guest_data "$2" "$3" "$4"
		;;
	*)
		echo "usage: guest.sh build [CACHE] | data DIR NAME PUBKEY" >&2
		exit 2
		;;
	esac
fi
