#!/bin/sh
# tests/deps.sh — install the Debian packages the build and tests need, only
# when something is missing.  `tests/deps.sh fuzz` adds the fuzzing toolchain,
# `tests/deps.sh valgrind` valgrind.
# Runs `apt-get update` once, and only if an install is needed.
set -eu

PKGS="make gcc pkg-config libssh-dev libldap2-dev liblmdb-dev libreadline-dev uuid-dev
      libjansson-dev libcriterion-dev lmdb-utils openssh-server openssh-client iproute2
      util-linux pdsh socat tmux python3 qemu-system-x86 busybox-static cpio
      slapd ldap-utils openssl
      tigervnc-standalone-server tigervnc-viewer tigervnc-tools xvfb x11-apps xauth xterm
      imagemagick freerdp2-x11 groff-base man-db time"
case "${1:-}" in
fuzz) PKGS="$PKGS clang libclang-rt-14-dev" ;;
valgrind) PKGS="$PKGS valgrind" ;;
bench) PKGS="$PKGS hyperfine" ;;
esac

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
# Package scripts must not start system daemons (sshd, slapd) on this machine.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
