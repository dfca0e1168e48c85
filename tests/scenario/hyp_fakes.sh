#!/bin/bash
# XEN, VBOX and VMW through bin/ctys on localhost with recording stand-ins
# (tests/fixtures/hyp/fake-*) installed as xl, VBoxManage and vmrun on PATH:
# LIST and ENUMERATE records, CREATE/CANCEL command lines, GETCLIENTPORT,
# INFO/SHOW lines; -T ALL without the tools, or with the tools but no running
# hypervisor, stays quiet.
. "$(dirname "$0")/lib.sh"
FX=$TOP/tests/fixtures/hyp
mkdir -p "$T/bin" "$T/vms"
cp "$FX/fake-xl" "$T/bin/xl"
cp "$FX/fake-VBoxManage" "$T/bin/VBoxManage"
cp "$FX/fake-vmrun" "$T/bin/vmrun"
cp -r "$FX/xen" "$FX/vmw" "$FX/vbox" "$T/vms/"
# CTYS_CLIENT: a CANCEL that goes into a guest (stack propagation) reaches
# the recording stand-in fake-ctys-client, never the guest's address
export FAKE_LOG=$T/log FAKE_DIR=$FX FAKE_VMS=$T/vms/vmw FAKE_VBOX_VMS=$T/vms/vbox XEN_SAVEDIR=$T \
	DEFAULT_ENUM_BASE=$T/vms CTYS_CLIENT=$FX/fake-ctys-client
unset DISPLAY
C=$BIN/ctys
OLDPATH=$PATH

# -T ALL without the tools: nothing from XEN/VBOX/VMW, no noise (empty stderr)
export PATH=/usr/bin:/bin
check quiet 0 "*" "" -- "$C" -T ALL -a list=machine localhost
grep -qE ';(XEN|VBOX|VMW);' "$T/out" && fail "quiet: $(cat "$T/out")"
check quiet-enum 0 "*" "" -- "$C" -T ALL -a enumerate=machine,b:$T/vms localhost
grep -qE ';(XEN|VBOX|VMW);' "$T/out" && fail "quiet-enum: $(cat "$T/out")"
check quiet-info 0 "*" "" -- "$C" -T ALL -a info localhost
grep -qE '^(XEN|VBOX|VMW) *:' "$T/out" && fail "quiet-info: $(cat "$T/out")"
grep -q 'XEN(DISABLED)' "$T/out" || fail "quiet-info: no Plugins line: $(cat "$T/out")"
check quiet-show 0 "*" "" -- "$C" -T ALL -a show localhost
grep -qE '^(XEN|VBOX|VMW) *:' "$T/out" && fail "quiet-show: $(cat "$T/out")"
# named with -t, the missing tool is said
check named-missing 0 "*" "xl (the Xen toolstack) is not installed" -- "$C" -t XEN -a list=machine localhost

# the tools present, no hypervisor running: -T ALL still quiet, -t says why
export PATH=$T/bin:$OLDPATH
export FAKE_XL_FAIL=info FAKE_VBOX_NODRV=1 FAKE_VMRUN_FAIL=list
check down-quiet 0 "*" "" -- "$C" -T ALL -a list=machine localhost
grep -qE ';(XEN|VBOX|VMW);' "$T/out" && fail "down-quiet: $(cat "$T/out")"
check down-quiet-enum 0 "*" "" -- "$C" -T ALL -a enumerate=machine localhost
grep -qE ';(XEN|VBOX|VMW);' "$T/out" && fail "down-quiet-enum: $(cat "$T/out")"
check down-named 0 "*" "the Xen hypervisor is not running here" -- "$C" -t XEN -a list=machine localhost
check down-show 0 "*" "" -- "$C" -t VMW -a show localhost
grep -q "^VMW     :server DISABLED: VMware is not usable here (vmrun list: Error: Unable to connect to host.)" "$T/out" ||
	fail "down-show: $(cat "$T/out")"
unset FAKE_XL_FAIL FAKE_VBOX_NODRV FAKE_VMRUN_FAIL

export PATH=$T/bin:$OLDPATH
check xen-list 0 "*" "" -- "$C" -t XEN -a list=machine localhost
[ "$(cut -d';' -f2,3 "$T/out" | tr '\n' ' ')" = "XEN;deb12 XEN;win10 " ] || fail "xen-list: $(cat "$T/out")"
check xen-enum 0 "*" "" -- "$C" -t XEN -a enumerate=machine localhost
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "xen-enum: $(cat "$T/out")"
awk -F';' 'NF != 47 { exit 1 }' "$T/out" || fail "xen-enum: not 47 fields"
: >"$FAKE_LOG"
check xen-cancel 0 "*" "" -- "$C" -t XEN -a cancel=label:deb12,pause localhost
[ "$(grep '^xl ' "$FAKE_LOG" | grep -v '^xl info$')" = "$(printf 'xl list -v\nxl pause deb12')" ] || fail "xen-cancel: $(cat "$FAKE_LOG")"
# POWEROFF with STACK (the default) asks the guest's agent first, at the
# #@#IP0 of deb12's configuration; the domain does not end (xl is a
# stand-in), so after TIMEOUT it is escalated to FORCE
: >"$FAKE_LOG"
FAKE_CLIENT_RC=0 check xen-cancel-stack 0 "*" "" -- "$C" -t XEN -a cancel=label:deb12,timeout:1 localhost
grep -q "stack: deb12: POWEROFF through its agent at 192.168.122.12" "$T/out" &&
	grep -q "stack: deb12: did not stop within 1 s: escalated to FORCE" "$T/out" ||
	fail "xen-cancel-stack: $(cat "$T/out")"
grep -qxF "ctys-client -c OFF -t PM -a cancel=SELF,POWEROFF:0,TIMEOUT:1 192.168.122.12" "$FAKE_LOG" &&
	[ "$(grep -E '^xl (shutdown|destroy)' "$FAKE_LOG")" = "$(printf 'xl shutdown deb12\nxl destroy deb12')" ] ||
	fail "xen-cancel-stack: $(cat "$FAKE_LOG")"

check vmw-list 0 "*" "" -- "$C" -t VMW -a list=machine localhost
[ "$(cut -d';' -f2,3,4 "$T/out")" = "VMW;ubuntu22;$T/vms/vmw/ws/ubuntu22/ubuntu22.vmx" ] || fail "vmw-list: $(cat "$T/out")"
: >"$FAKE_LOG"
check vmw-create 0 "*" "" -- "$C" -t VMW -a create=label:win7 localhost
grep -qxF "vmrun start $T/vms/vmw/ws/win7/win7.vmx nogui" "$FAKE_LOG" || fail "vmw-create: $(cat "$FAKE_LOG")"

check vbox-list 0 "*" "" -- "$C" -t VBOX -a list=machine localhost
[ "$(cut -d';' -f2,3,4,5 "$T/out")" = "VBOX;fedora39;$T/vms/vbox/fedora39/fedora39.vdi;3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b" ] ||
	fail "vbox-list: $(cat "$T/out")"
# the same ID as ENUMERATE gives
"$C" -t VBOX -a enumerate=machine localhost 2>/dev/null | grep -q "^[^;]*;VBOX;fedora39;$T/vms/vbox/fedora39/fedora39.vdi;" ||
	fail "vbox-enum: ID differs from LIST"
: >"$FAKE_LOG"
check vbox-cancel 0 "*" "" -- "$C" -t VBOX -a cancel=label:fedora39,suspend localhost
grep -qxF "VBoxManage controlvm fedora39 savestate" "$FAKE_LOG" || fail "vbox-cancel: $(cat "$FAKE_LOG")"
check vbox-err 2 "*" "Could not find a registered machine named 'nosuch'" -- "$C" -t VBOX -a create=label:nosuch localhost

# ISACTIVE from each tool's own listing: by label or by ID, and a stopped one
check xen-isactive 0 "ISACTIVE(XEN,deb12)=0" "" -- "$C" -t XEN -a isactive=deb12 localhost
check xen-isactive-id 0 "ISACTIVE(XEN,$T/vms/xen/deb12/deb12.conf)=0" "" -- \
	"$C" -t XEN -a "isactive=$T/vms/xen/deb12/deb12.conf" localhost
check xen-notactive 0 "ISACTIVE(XEN,nosuch)=1" "" -- "$C" -t XEN -a isactive=nosuch localhost
check vmw-isactive 0 "ISACTIVE(VMW,ubuntu22)=0" "" -- "$C" -t VMW -a isactive=l:ubuntu22 localhost
check vbox-isactive 0 "ISACTIVE(VBOX,fedora39)=0" "" -- "$C" -t VBOX -a isactive=fedora39 localhost
check vbox-notactive 0 "ISACTIVE(VBOX,win10)=1" "" -- "$C" -t VBOX -a isactive=win10 localhost

# GETCLIENTPORT: XEN from xl's listing, VBOX the VRDE port, VMW the .vmx's VNC port
check xen-port 0 "*" "" -- "$C" -t XEN -a getclientport=deb12 localhost
grep -qE '^CLIENTPORT\(XEN,[^,]+,deb12\)=5901$' "$T/out" || fail "xen-port: $(cat "$T/out")"
check vbox-port 0 "*" "" -- "$C" -t VBOX -a getclientport=fedora39 localhost
grep -qE '^CLIENTPORT\(VBOX,[^,]+,fedora39\)=3389$' "$T/out" || fail "vbox-port: $(cat "$T/out")"
check vmw-port 0 "*" "" -- "$C" -t VMW -a getclientport=ubuntu22 localhost
grep -qE '^CLIENTPORT\(VMW,[^,]+,ubuntu22\)=5901$' "$T/out" || fail "vmw-port: $(cat "$T/out")"
check vmw-noport 1 "" "win7: no running VMW machine" -- "$C" -t VMW -a getclientport=win7 localhost

# INFO and SHOW lines of the plugins
check xen-info 0 "*" "" -- "$C" -t XEN -a info localhost
grep -qxF "XEN     :xl $T/bin/xl, XEN_4.17.3, accel HVM, server ENABLED" "$T/out" || fail "xen-info: $(cat "$T/out")"
check all-show 0 "*" "" -- "$C" -T XEN,VBOX,VMW -a show localhost
grep -qxF "XEN     :2 running: deb12(3,-b----) win10(5,--p---)" "$T/out" || fail "all-show xen: $(cat "$T/out")"
grep -qxF "VBOX    :1 running: fedora39" "$T/out" || fail "all-show vbox: $(cat "$T/out")"

# a console through the tool: VBOX gui needs a display, RDP turns VRDE on
check vbox-gui-nodisplay 1 "" "CONSOLE:VBOX of VBOX needs an X display (DISPLAY is not set)" -- \
	"$C" -t VBOX -a create=label:debian,console:vbox localhost
: >"$FAKE_LOG"
check vbox-rdp 0 "*" "" -- "$C" -t VBOX -a create=label:fedora39,console:rdp localhost
grep -qxF "VBoxManage controlvm fedora39 vrde on" "$FAKE_LOG" || fail "vbox-rdp: $(cat "$FAKE_LOG")"
check xen-cli 1 "" "CONSOLE:CLI is not supported by XEN (NONE VNC XTERM GTERM)" -- \
	"$C" -t XEN -a create=label:deb12,console:cli localhost
finish
