#!/bin/bash
# XEN, VBOX and VMW through bin/ctys on localhost with recording stand-ins
# (tests/fixtures/hyp/fake-*) installed as xl, VBoxManage and vmrun on PATH:
# LIST and ENUMERATE records, CREATE/CANCEL command lines, -T ALL without the
# tools stays quiet.
. "$(dirname "$0")/lib.sh"
FX=$TOP/tests/fixtures/hyp
mkdir -p "$T/bin" "$T/vms"
cp "$FX/fake-xl" "$T/bin/xl"
cp "$FX/fake-VBoxManage" "$T/bin/VBoxManage"
cp "$FX/fake-vmrun" "$T/bin/vmrun"
cp -r "$FX/xen" "$FX/vmw" "$FX/vbox" "$T/vms/"
export FAKE_LOG=$T/log FAKE_DIR=$FX FAKE_VMS=$T/vms/vmw XEN_SAVEDIR=$T DEFAULT_ENUM_BASE=$T/vms
C=$BIN/ctys
OLDPATH=$PATH

# -T ALL without the tools: nothing from XEN/VBOX/VMW, no noise
export PATH=/usr/bin:/bin
check quiet 0 "*" "" -- "$C" -T ALL -a list=machine localhost
grep -qE ';(XEN|VBOX|VMW);' "$T/out" && fail "quiet: $(cat "$T/out")"

export PATH=$T/bin:$OLDPATH
check xen-list 0 "*" "" -- "$C" -t XEN -a list=machine localhost
[ "$(cut -d';' -f2,3 "$T/out" | tr '\n' ' ')" = "XEN;deb12 XEN;win10 " ] || fail "xen-list: $(cat "$T/out")"
check xen-enum 0 "*" "" -- "$C" -t XEN -a enumerate=machine localhost
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "xen-enum: $(cat "$T/out")"
awk -F';' 'NF != 47 { exit 1 }' "$T/out" || fail "xen-enum: not 47 fields"
: >"$FAKE_LOG"
check xen-cancel 0 "*" "" -- "$C" -t XEN -a cancel=label:deb12,pause localhost
[ "$(grep '^xl ' "$FAKE_LOG" | grep -v '^xl info$')" = "$(printf 'xl list -v\nxl pause deb12')" ] || fail "xen-cancel: $(cat "$FAKE_LOG")"

check vmw-list 0 "*" "" -- "$C" -t VMW -a list=machine localhost
[ "$(cut -d';' -f2,3,4 "$T/out")" = "VMW;ubuntu22;$T/vms/vmw/ws/ubuntu22/ubuntu22.vmx" ] || fail "vmw-list: $(cat "$T/out")"
: >"$FAKE_LOG"
check vmw-create 0 "*" "" -- "$C" -t VMW -a create=label:win7 localhost
grep -qxF "vmrun start $T/vms/vmw/ws/win7/win7.vmx nogui" "$FAKE_LOG" || fail "vmw-create: $(cat "$FAKE_LOG")"

check vbox-list 0 "*" "" -- "$C" -t VBOX -a list=machine localhost
[ "$(cut -d';' -f2,3,5 "$T/out")" = "VBOX;fedora39;3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b" ] || fail "vbox-list: $(cat "$T/out")"
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
finish
