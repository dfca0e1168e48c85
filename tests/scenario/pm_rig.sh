#!/bin/bash
# The PM plugin on the test-host rig:
#  (a) ENUMERATE=MACHINE on flat:3: one record per interface address with each
#      host's own hostname, MAC and IP; a pm.conf in a node's home (BASEPATH ~)
#      is merged in;
#  (b) INFO and SHOW through chain:3 (pm1[vm1][nvm1]) run on nvm1; pm1 with two
#      interfaces gives two records;
#  (c) CANCEL with harmless commands from the node's own ctys.conf.sh: SELF runs
#      the halt/init command on the right host, WOL runs the ethtool command
#      first, rule violations are refused before anything runs;
#  (e) a XEN CANCEL on pm1 asks its guest's agent (vm1) first, for real;
#  (d) the magic packet captured for real: ctys-wakeup and PM CREATE send from
#      one flat host, a raw AF_PACKET socket on another host sees the broadcast
#      frame with its 102-byte payload.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: needs python3 for the capture"; exit 0; }
. "$TOP/tests/rig/rig.sh"
export CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=30
C=$BIN/ctys

field() { cut -d';' -f"$1"; }

# ---------------------------------------------------------------- flat:3
F=$T/flat
rig_trap "$F"
RIG_QUIET=1 rig_up "$F" flat:3 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG

# (a) each host reports itself; h002 has a pm.conf in its home (BASEPATH ~)
cat >"$RIG_H002_HOME/pm.conf" <<'EOF'
#@#MAGICID-Linux
#@#LABEL="rack2-slot4"
#@#UUID=11111111-2222-3333-4444-555555555555
#@#STACKCAP="QEMU,KVM"
EOF
check enum-flat 0 "*" "" -- "$C" -a enumerate=machine h001 h002 h003
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "enum-flat: want 3 records: $(cat "$T/out")"
for h in h001 h002 h003; do
	H=${h^^}
	ip=$(eval echo "\$RIG_${H}_IP")
	mac=$(rig_exec "$F" "$h" cat /sys/class/net/eth0/address)
	rec=$(grep "^$h;" "$T/out")
	[ "$(echo "$rec" | wc -l)" -eq 1 ] || { fail "enum-flat $h: $(cat "$T/out")"; continue; }
	[ "$(echo "$rec" | awk -F';' '{print NF}')" -eq 47 ] || fail "enum-flat $h: not 47 fields: $rec"
	want="$h;PM;$mac;$ip;eth0;PM;ACTIVE;root"
	got="$(echo "$rec" | field 1);$(echo "$rec" | field 2);$(echo "$rec" | field 6);$(echo "$rec" | field 7);$(echo "$rec" | field 33);$(echo "$rec" | field 18);$(echo "$rec" | field 19);$(echo "$rec" | field 44)"
	[ "$got" = "$want" ] || fail "enum-flat $h: got '$got', want '$want' in $rec"
done
rec=$(grep "^h002;" "$T/out")
[ "$(echo "$rec" | field 3,4,5,21)" = "rack2-slot4;/root/pm.conf;11111111-2222-3333-4444-555555555555;QEMU,KVM" ] ||
	fail "enum-flat h002 pm.conf not merged: $rec"
[ "$(grep "^h001;" "$T/out" | field 3,4)" = "h001;/etc/ctys.d/pm.conf" ] ||
	fail "enum-flat h001 without pm.conf: $(grep "^h001;" "$T/out")"

# LIST: the machine itself, one 22-field SERVER record
check list-flat 0 "*" "" -- "$C" -t pm -a list=machine h003
[ "$(cat "$T/out")" = "h003;PM;h003;/etc/ctys.d/pm.conf;;$(rig_exec "$F" h003 cat /sys/class/net/eth0/address);$RIG_H003_IP;;;;;root;root;SERVER;;eth0;;;;;$(awk '/^flags/{if ($0 ~ / vmx/) print "VMX"; else if ($0 ~ / svm/) print "SVM"; exit}' /proc/cpuinfo);$(uname -m)" ] ||
	fail "list-flat: $(cat "$T/out")"

# (d) the magic packet on the wire, seen by h002 with a raw socket
cat >"$T/cap.py" <<'EOF'
# cap.py IF OUT READY SECONDS: print "<eth-dst> <ip-dst> <udp-dport> <len> <hex>"
# for the first UDP/IPv4 frame to port 9 or 40000 seen on IF (bounded wait).
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
s.settimeout(0.5)
open(sys.argv[3], "w").close()
end = time.time() + float(sys.argv[4])
while time.time() < end:
    try:
        f = s.recv(65535)
    except socket.timeout:
        continue
    if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17:
        continue
    u = 14 + (f[14] & 15) * 4
    dport = int.from_bytes(f[u + 2:u + 4], "big")
    if dport not in (9, 40000):
        continue
    n = int.from_bytes(f[u + 4:u + 6], "big") - 8
    with open(sys.argv[2], "w") as o:
        o.write("%s %s %d %d %s\n" % (f[0:6].hex(":"), socket.inet_ntoa(f[30:34]), dport, n,
                                      f[u + 8:u + 8 + n].hex()))
    break
EOF
# capture NAME CMD...: run CMD on h001 while h002 captures; result in $T/NAME.cap
capture() {
	local name=$1 i
	shift
	rm -f "$T/$name.cap" "$T/$name.ready"
	rig_exec "$F" h002 python3 "$T/cap.py" eth0 "$T/$name.cap" "$T/$name.ready" 10 &
	local cpid=$!
	for i in $(seq 1 50); do [ -e "$T/$name.ready" ] && break; sleep 0.1; done
	[ -e "$T/$name.ready" ] || fail "$name: capture did not start"
	"$@" >"$T/$name.out" 2>"$T/$name.err" || fail "$name: sender failed: $(cat "$T/$name.err")"
	wait "$cpid"
}
MAC=52:54:00:c7:a5:01
pkt=ffffffffffff$(for i in $(seq 16); do printf 525400c7a501; done)
bcast=${RIG_H002_IP%.*}.255
[ "$("$BIN/ctys-wakeup" -n -t "$bcast" "$MAC")" = "$bcast:9 $pkt" ] || fail "wakeup -n: $("$BIN/ctys-wakeup" -n -t "$bcast" "$MAC")"

capture wake-t rig_exec "$F" h001 ctys-wakeup -t "$bcast" "$MAC"
[ "$(cat "$T/wake-t.cap" 2>/dev/null)" = "ff:ff:ff:ff:ff:ff $bcast 9 102 $pkt" ] ||
	fail "wake-t: captured '$(cat "$T/wake-t.cap" 2>/dev/null)'"
grep -qx "magic packet for $MAC sent to $bcast:9" "$T/wake-t.out" || fail "wake-t output: $(cat "$T/wake-t.out")"

capture wake-i rig_exec "$F" h001 ctys-wakeup -X -i eth0 52-54-00-C7-A5-01
[ "$(cat "$T/wake-i.cap" 2>/dev/null)" = "ff:ff:ff:ff:ff:ff 255.255.255.255 9 102 $pkt" ] ||
	fail "wake-i: captured '$(cat "$T/wake-i.cap" 2>/dev/null)'"
[ ! -s "$T/wake-i.out" ] || fail "wake-i -X printed: $(cat "$T/wake-i.out")"

# PM CREATE through ctys: the job runs on h001, which sends on its segment
capture create-bc "$C" -t pm -a "create=bmac:$MAC,broadcast:$bcast,port:40000" h001
[ "$(cat "$T/create-bc.cap" 2>/dev/null)" = "ff:ff:ff:ff:ff:ff $bcast 40000 102 $pkt" ] ||
	fail "create-bc: captured '$(cat "$T/create-bc.cap" 2>/dev/null)'"
capture create-if "$C" -t pm -a "create=m:$MAC,if:eth0" h001
[ "$(cat "$T/create-if.cap" 2>/dev/null)" = "ff:ff:ff:ff:ff:ff 255.255.255.255 9 102 $pkt" ] ||
	fail "create-if: captured '$(cat "$T/create-if.cap" 2>/dev/null)'"

# CREATE errors, reported by the agent with exit 1
check create-nomac 1 "" "give the MAC address to wake" -- "$C" -t pm -a create=t:10.0.0.1 h001
check create-bc-if 1 "" "BROADCAST and IF exclude each other" -- "$C" -t pm -a "create=m:$MAC,broadcast:$bcast,if:eth0" h001
check create-noif 1 "" "no network interface 'eth7'" -- "$C" -t pm -a "create=m:$MAC,if:eth7" h001
check wakeup-both 1 "" "options -i and -t exclude each other" -- "$BIN/ctys-wakeup" -i eth0 -t 1.2.3.4 "$MAC"
check wakeup-badmac 1 "" "invalid MAC address '52:54:00'" -- "$BIN/ctys-wakeup" -n 52:54:00
rig_down "$F"

# ---------------------------------------------------------------- chain:3
R=$T/chain
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" chain:3 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG

# (b) INFO and SHOW run on the last hop
check info-chain 0 "*" "" -- "$C" -a info 'pm1[vm1][nvm1]'
grep -qx "Node:nvm1" "$T/out" || fail "info-chain: $(cat "$T/out")"
grep -qx "System  :Linux" "$T/out" || fail "info-chain System: $(cat "$T/out")"
grep -qx "CPUS    :$(grep -c ^processor /proc/cpuinfo)" "$T/out" || fail "info-chain CPUS: $(cat "$T/out")"
check show-chain 0 "*" "" -- "$C" -a show 'pm1[vm1][nvm1]'
grep -qx "Node:nvm1" "$T/out" || fail "show-chain: $(cat "$T/out")"
grep -q "^HEALTH  :\(OK\|ALARM\)$" "$T/out" || fail "show-chain HEALTH: $(cat "$T/out")"
grep -q "^TOP     :   PID USER " "$T/out" || fail "show-chain TOP: $(cat "$T/out")"
# pm1 has two interfaces (uplink eth0, eth1 to vm1): two records
check enum-pm1 0 "*" "" -- "$C" -t pm -a enumerate=machine pm1
[ "$(field 7,33 <"$T/out" | sort | tr '\n' ' ')" = "$RIG_PM1_IP;eth0 ${RIG_VM1_IP%.*}.$((${RIG_VM1_IP##*.} - 1));eth1 " ] ||
	fail "enum-pm1: $(cat "$T/out")"

# (c) CANCEL with harmless commands from nvm1's own ctys.conf.sh
mkdir -p "$RIG_NVM1_HOME/.ctys"
cat >"$RIG_NVM1_HOME/.ctys/ctys.conf.sh" <<EOF
CTYS_PM_HALT="hostname >$T/halted"
CTYS_PM_INIT="echo init %d >$T/init"
CTYS_ETHTOOL="echo >$T/ethtool"
EOF
check cancel-nos 0 "" "" -- "$C" -t pm -a cancel=poweroff 'pm1[vm1][nvm1]'
[ ! -e "$T/halted" ] || fail "cancel without SELF halted the machine"
check cancel-self 0 "" "" -- "$C" -t pm -a cancel=self,poweroff:0 'pm1[vm1][nvm1]'
[ "$(cat "$T/halted" 2>/dev/null)" = nvm1 ] || fail "cancel-self: halt command did not run on nvm1"
check cancel-init 0 "" "" -- "$C" -t pm -a cancel=self,force,init:3,timeout:0 'pm1[vm1][nvm1]'
[ "$(cat "$T/init" 2>/dev/null)" = "init 3" ] || fail "cancel-init: $(cat "$T/init" 2>/dev/null)"
rm -f "$T/halted"
check cancel-wol 0 "" "" -- "$C" -t pm -a cancel=self,wol,if:eth0,poweroff:0 'pm1[vm1][nvm1]'
[ "$(cat "$T/ethtool" 2>/dev/null)" = "-s eth0 wol g" ] || fail "cancel-wol: ethtool: $(cat "$T/ethtool" 2>/dev/null)"
[ "$(cat "$T/halted" 2>/dev/null)" = nvm1 ] || fail "cancel-wol: not halted"
rm -f "$T/halted"
check cancel-force 1 "" "FORCE requires SELF" -- "$C" -t pm -a cancel=force,poweroff 'pm1[vm1][nvm1]'
check cancel-noself-method 1 "" "SELF needs one of REBOOT" -- "$C" -t pm -a cancel=self 'pm1[vm1][nvm1]'
check cancel-delay 1 "" "does not fit the job timeout" -- "$C" -t pm -a cancel=self,poweroff:600 'pm1[vm1][nvm1]'
[ ! -e "$T/halted" ] || fail "a refused CANCEL ran the halt command"
# a failing command is reported with its output and status
echo "CTYS_PM_REBOOT=\"echo no reboot here >&2; exit 4\"" >>"$RIG_NVM1_HOME/.ctys/ctys.conf.sh"
check cancel-fail 2 "" "'echo no reboot here >&2; exit 4' failed with exit status 4" -- "$C" -t pm -a cancel=self,reboot,timeout:0 'pm1[vm1][nvm1]'
grep -q "^no reboot here$" "$T/err" || fail "cancel-fail: output not relayed: $(cat "$T/err")"

# (e) a XEN CANCEL goes into the guest for real: pm1 "runs" the domain deb12
# (the recording stand-in xl, set up by pm1's ~/.bashrc), whose #@#IP0 is
# vm1's address; pm1's agent runs a real ctys-client with pm1's own key and
# ssh config, vm1's agent halts vm1 (its harmless CTYS_PM_HALT); xl still
# lists the domain, so after TIMEOUT it is escalated to FORCE
FX=$TOP/tests/fixtures/hyp
mkdir -p "$T/xen/bin" "$T/xen/vms"
cp "$FX/fake-xl" "$T/xen/bin/xl"
cp -r "$FX/xen/." "$T/xen/vms/"
sed -i "s|^#@#IP0=.*|#@#IP0=\"$RIG_VM1_IP%255.255.255.0%br0%eth0\"|" "$T/xen/vms/deb12/deb12.conf"
printf 'export PATH=%q:$PATH FAKE_LOG=%q FAKE_DIR=%q DEFAULT_ENUM_BASE=%q\n' "$T/xen/bin" \
	"$T/xen/log" "$FX" "$T/xen/vms" >>"$RIG_PM1_HOME/.bashrc"
mkdir -p "$RIG_VM1_HOME/.ctys"
echo "CTYS_PM_HALT=\"hostname >$T/halted\"" >"$RIG_VM1_HOME/.ctys/ctys.conf.sh"
rm -f "$T/halted"
check xen-stack 0 "*" "" -- "$C" -t xen -a cancel=label:deb12,timeout:2 pm1
grep -qx "stack: deb12: POWEROFF through its agent at $RIG_VM1_IP" "$T/out" &&
	grep -q "^stack: deb12: its agent finished POWEROFF after " "$T/out" &&
	grep -qx "stack: deb12: did not stop within 2 s: escalated to FORCE" "$T/out" ||
	fail "xen-stack: $(cat "$T/out")"
[ "$(cat "$T/halted" 2>/dev/null)" = vm1 ] || fail "xen-stack: vm1 was not halted by its agent"
[ "$(grep -E '^xl (shutdown|destroy)' "$T/xen/log" 2>/dev/null)" = "$(printf 'xl shutdown deb12\nxl destroy deb12')" ] ||
	fail "xen-stack: xl calls: $(cat "$T/xen/log" 2>/dev/null)"
finish
