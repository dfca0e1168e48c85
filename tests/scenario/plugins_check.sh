#!/bin/bash
# ctys-plugins, the self-check.  Here: a missing tool (qemu not on PATH), a
# tool without its hypervisor (a recording stand-in xl whose "xl info"
# fails), the terse and tab formats.  On a 2-layer rig: pm1 without qemu
# on its PATH, vm1 without ctys-agent on its PATH (CHAIN and STAR), and an
# agent stand-in speaking protocol version 2: each reason is reported.
. "$(dirname "$0")/lib.sh"
P=$BIN/ctys-plugins
FX=$TOP/tests/fixtures/hyp

# --- local: PATH has only a stand-in xl and cat (which it uses) ---
mkdir -p "$T/bin"
cp "$FX/fake-xl" "$T/bin/xl"
ln -s "$(command -v cat)" "$T/bin/cat"
export FAKE_DIR=$FX FAKE_LOG=$T/xl.log
loc() { PATH=$T/bin QEMU_PATHLIST= FAKE_XL_FAIL=info "$@"; }
loc check local-terse 0 "*" "" -- "$P" -X
grep -qxF "tester@localhost;QEMU;DISABLED;;;no qemu-system-x86_64 in QEMU_PATHLIST or PATH" "$T/out" ||
	fail "missing qemu: $(cat "$T/out")"
grep -q "^tester@localhost;XEN;CLIENT-ONLY;PARA;XEN_xl;the Xen hypervisor is not running here (xl info: xencall: error: Could not obtain handle" "$T/out" ||
	fail "xl without hypervisor: $(cat "$T/out")"
grep -qxF "tester@localhost;VBOX;DISABLED;;;VBoxManage (VirtualBox) is not installed: not found on PATH" "$T/out" ||
	fail "missing VBoxManage: $(cat "$T/out")"
grep -q "^tester@localhost;PM;ENABLED;;PM_Linux;$" "$T/out" || fail "PM: $(cat "$T/out")"
[ "$(wc -l <"$T/out")" -eq "$("$BIN/ctys" -h | sed -n '/^session types/,/^$/p' | grep -c '^  [A-Z]')" ] ||
	fail "not one line per plugin: $(cat "$T/out")"
loc check local-table 0 "*" "" -- "$P" -T xen,qemu
[ "$(head -n 1 "$T/out" | tr -s ' ')" = "TARGET PLUGIN STATE ACCEL VERSION REASON" ] || fail "header: $(cat "$T/out")"
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "-T xen,qemu: $(cat "$T/out")"
# the client's ctys.conf.sh reaches the plugins of local jobs
mkdir -p "$HOME/.ctys"
printf 'VBOX_IGNORE=1\n' >"$HOME/.ctys/ctys.conf.sh"
loc check local-conf 0 "*" "" -- "$P" -X -T vbox
grep -qxF "tester@localhost;VBOX;DISABLED;;;VBOX_IGNORE=1 is set" "$T/out" || fail "local ctys.conf.sh: $(cat "$T/out")"
rm -f "$HOME/.ctys/ctys.conf.sh"
loc check local-tab 0 "*" "" -- "$P" --quick-tab
[ "$(sed -n 2p "$T/out" | tr -s ' ')" = "tester@localhost | x | - x - - | x x x x" ] ||
	fail "quick-tab: $(cat "$T/out")"
check bad-option 1 "" "unknown option '-q'" -- "$P" -q
check help 0 "*" "" -- "$P" --help
grep -q "ctys-plugins(1)" "$T/out" || fail "help: $(cat "$T/out")"

# --- remote, on the rig ---
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: rig part needs root"
	finish
fi
. "$TOP/tests/rig/rig.sh"
R=$T/rig
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" chain:2 || exit 1
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=5 CTYS_TIMEOUT=30
# pm1: the repo's bin (agent, relay), cat and the stand-in xl whose "xl
# info" fails, no qemu; vm1: the system only (no ctys-agent there)
setenv() { # HOST VAR=VALUE...: restart HOST's sshd with this session environment
	local h=$1
	shift
	rig_kill_sshd "$R" "$h" || fail "kill sshd $h"
	sed -i "s|^SetEnv .*|SetEnv CTYS_NODE=$h $*|" "$R/nodes/$h/sshd_config"
	rig_start_sshd "$R" "$h" || fail "start sshd $h"
}
setenv pm1 "PATH=$T/bin:$TOP/bin" QEMU_PATHLIST= FAKE_XL_FAIL=info "FAKE_DIR=$FX"
setenv vm1 "PATH=/usr/bin:/bin"
[ -x /usr/bin/ctys-agent ] && echo "SKIP: /usr/bin/ctys-agent is installed here" && finish

check remote 2 "*" "" -- "$P" -X pm1 'pm1[vm1]'
grep -qxF "tester@pm1;QEMU;DISABLED;;;no qemu-system-x86_64 in QEMU_PATHLIST or PATH" "$T/out" ||
	fail "pm1 without qemu: $(cat "$T/out")"
grep -qxF "tester@pm1;CLI;ENABLED;;CLIBASH;" "$T/out" || fail "pm1 CLI: $(cat "$T/out")"
grep -q "^tester@pm1;XEN;CLIENT-ONLY;PARA;XEN_xl;the Xen hypervisor is not running here" "$T/out" ||
	fail "pm1 xl without hypervisor: $(cat "$T/out")"
grep -q "^tester@pm1\[tester@vm1\];;NO-AGENT;;;ctys-agent not found on 'vm1'" "$T/out" ||
	fail "vm1 without agent: $(cat "$T/out")"
[ "$(grep -c '^tester@pm1;' "$T/out")" -ge 9 ] || fail "pm1: not every plugin: $(cat "$T/out")"
# a plugin setting in pm1's own ctys.conf.sh reaches its agent's plugins
mkdir -p "$RIG_PM1_HOME/.ctys"
printf '# pm1 has no VMware\nVMW_IGNORE=1\n' >"$RIG_PM1_HOME/.ctys/ctys.conf.sh"
check remote-conf 0 "*" "" -- "$P" -X pm1
grep -qxF "tester@pm1;VMW;DISABLED;;;VMW_IGNORE=1 is set" "$T/out" || fail "pm1 ctys.conf.sh: $(cat "$T/out")"
rm -f "$RIG_PM1_HOME/.ctys/ctys.conf.sh"
check remote-star 2 "*" "" -- "$P" -X -x STAR 'pm1[vm1]'
grep -q "^tester@pm1\[tester@vm1\];;NO-AGENT;;;ctys-agent not found on 'vm1'" "$T/out" ||
	fail "STAR, vm1 without agent: $(cat "$T/out")"
check remote-tab 2 "*" "" -- "$P" --quick-tab pm1 'pm1[vm1]'
[ "$(sed -n 2p "$T/out" | tr -s ' ')" = "tester@pm1 | x | - x - - | x x x x" ] || fail "tab pm1: $(cat "$T/out")"
[ "$(sed -n 3p "$T/out" | tr -s ' ')" = "tester@pm1[tester@vm1] | NO-AGENT" ] || fail "tab vm1: $(cat "$T/out")"

# an agent that speaks protocol version 2: a stand-in, named as such
cat >"$T/agent-v2" <<'EOF'
#!/bin/sh
# STAND-IN for a ctys-agent of protocol version 2 (not the real agent)
read -r hello
echo '{"t":"hello","v":2,"agent":"ctys-agent 9.0.0","host":"pm1","user":"root"}'
EOF
chmod 755 "$T/agent-v2"
CTYS_AGENT=$T/agent-v2 check version 2 "*" "" -- "$P" -X pm1
grep -q "^tester@pm1;;VERSION-MISMATCH;;;the agent on 'pm1' speaks protocol version 2 (ctys-agent 9.0.0), this side 1" "$T/out" ||
	fail "version mismatch: $(cat "$T/out")"
# -v also shows the dispatcher's messages
CTYS_AGENT=$T/agent-v2 check verbose 2 "*" "speaks protocol version 2" -- "$P" -v pm1
finish
