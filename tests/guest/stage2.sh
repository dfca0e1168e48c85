#!/bin/sh
# Stage 2 of the ctys test guest: PID 1 after switch_root, running from the
# host's root file system (9p, read-only, tmpfs overlay).  Reads its per-guest
# data directory from the kernel command line (ctys.guest=DIR, made by
# tests/guest/guest.sh data), starts sshd with that directory's config and
# keys, busybox acpid unless ctys.acpi=0 (so the guest powers off on an ACPI
# power button, or ignores it), prints GUEST-READY on the console and reaps
# orphans.  Every wait here is a sleep, never a fork-heavy poll (TCG guest).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /root
mkdir -p /run/sshd
G= acpi=1 name=guest
for w in $(cat /proc/cmdline); do
	case $w in
	ctys.guest=*) G=${w#ctys.guest=} ;;
	ctys.acpi=*) acpi=${w#ctys.acpi=} ;;
	ctys.hostname=*) name=${w#ctys.hostname=} ;;
	esac
done
echo "$name" >/proc/sys/kernel/hostname
# root logs in with /bin/sh and an empty home (the host's ~/.bashrc and
# ~/.ssh stay out); only the overlay copy of passwd changes
sed -i 's#^root:.*#root:x:0:0:root:/root:/bin/sh#' /etc/passwd
if [ -d "$G/home" ]; then
	cp -a "$G/home/." /root/
fi
chmod 700 /root
[ -d /root/.ssh ] && chmod 700 /root/.ssh
if [ "$acpi" = 1 ]; then
	mkdir -p /etc/acpi/PWRF
	printf '#!/bin/sh\necho GUEST-ACPI-POWEROFF >/dev/console\nsync\nbusybox poweroff -f\n' \
		>/etc/acpi/PWRF/00000080
	chmod 755 /etc/acpi/PWRF/00000080
	busybox acpid -c /etc/acpi
fi
if [ -x "$G/setup.sh" ]; then
	"$G/setup.sh" >/dev/console 2>&1
fi
/usr/sbin/sshd -f "$G/sshd_config" -E /run/sshd.log
echo GUEST-READY >/dev/console
trap 'busybox poweroff -f' USR2
trap 'busybox reboot -f' INT
while :; do
	wait
	sleep 1
done
