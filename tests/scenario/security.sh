#!/bin/bash
# Security checks on a 3-layer rig (root -> pm1 -> vm1 -> nvm1), see
# ctys-security(7):
# - host keys are verified on every hop in both hop modes: a changed or an
#   unknown key on the MIDDLE hop stops the job before anything runs behind it;
# - a corpus of hostile strings reaches the last layer's shell byte for byte
#   through 3 layers, CHAIN and STAR;
# - nothing secret travels on a command line or in the environment: every
#   remote ctys process runs exactly "ctys-agent[-relay] --stdio" and its
#   environment holds no CTYS_LDAP_* secret setting and no agent socket
#   unless -Y asked for forwarding;
# - private runtime directories are made 0700, a bind password file that
#   others can read is refused;
# - -Z never makes ctys run sudo or ksu by itself.
. "$(dirname "$0")/lib.sh"
rig_start chain:3
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=3 CTYS_TIMEOUT=20
C=$BIN/ctys
NVM1_HOME=$RIG_NVM1_HOME

# ---- host keys: the middle hop ----------------------------------------------
check before-rekey 0 "nvm1" "" -- "$C" -t cli -a create=l:t,cmd:hostname 'pm1[vm1][nvm1]'
rig_rekey "$R" vm1
for mode in CHAIN STAR; do
	rm -f "$NVM1_HOME/ran"
	# CHAIN: pm1 checks vm1 with pm1's known_hosts; STAR: the client does
	check "rekey-middle-$mode" 255 "" "host key of 'vm1' has changed (now SHA256:" -- \
		"$C" -x "$mode" -t cli -a create=l:t,cmd:touch%/root/ran 'pm1[vm1][nvm1]'
	[ -e "$NVM1_HOME/ran" ] && fail "rekey-middle-$mode: the job ran behind the changed hop"
done
# an unknown key on the middle hop (its entries removed everywhere)
rig_trust "$R"
for f in "$RIG_KNOWN_HOSTS" "$RIG_PM1_HOME/.ssh/known_hosts"; do
	grep -v "^vm1[, ]" "$f" >"$f.new" && cat "$f.new" >"$f" && rm -f "$f.new"
done
for mode in CHAIN STAR; do
	check "unknown-middle-$mode" 255 "" "host key of 'vm1' is not known" -- \
		"$C" -x "$mode" -t cli -a create=l:t,cmd:touch%/root/ran 'pm1[vm1][nvm1]'
	[ -e "$NVM1_HOME/ran" ] && fail "unknown-middle-$mode: the job ran behind the unknown hop"
done
rig_trust "$R"
check after-trust 0 "nvm1" "" -- "$C" -x STAR -t cli -a create=l:t,cmd:hostname 'pm1[vm1][nvm1]'

# ---- hostile strings through 3 layers ----------------------------------------
# enc STRING: a CLI CREATE suboption whose command prints STRING: bash
# single quotes for the last shell, then the suboption escapes (%% , ,, ::,
# space as %).  "; true" keeps a trailing quote away from the scanner's
# trailing-quote rule.  (A space next to a literal % has no spelling in the
# original's suboption syntax, so the corpus has none.)
enc() {
	local q c
	q="'${1//\'/\'\\\'\'}'"
	c="printf '%s\n' $q;true"
	c=${c//"%"/"%%"}
	c=${c//","/",,"}
	c=${c//":"/"::"}
	c=${c//" "/"%"}
	printf 'create=l:t,cmd:%s' "$c"
}
corpus=(
	'$(touch /root/pwned)' '`touch /root/pwned`' 'a;b&&c||d|e' "'single' \"double\""
	'back\slash \\ \n \t' '*?[a]{x,y}~' '$HOME ${HOME} $((1+2))' ',, :: , : a,b:c'
	'-n' '--help' '#comment' '>redir <in 2>&1' '!history !!' 'unicode é ü 日本 ✓'
	"trailing'" '"trailing' "'" "''" '\' 'a%b%%c%%%d' '-- -a create=l:x' 'pm1[vm1] (x) {z}'
	"it's \"quoted\" \\\"twice\\\" '\\''" '$IFS${IFS}$@$*$#$?$$$!' 'x=$(id -u) eval "$x"'
)
for mode in CHAIN STAR; do
	for s in "${corpus[@]}"; do
		"$C" -x "$mode" -t cli -a "$(enc "$s")" 'pm1[vm1][nvm1]' >"$T/h.out" 2>"$T/h.err"
		rc=$?
		[ "$rc" -eq 0 ] && [ "$(cat "$T/h.out")" = "$s" ] ||
			fail "hostile $mode [$s]: exit $rc, got [$(cat "$T/h.out")] $(cat "$T/h.err")"
	done
done
for h in pm1 vm1 nvm1; do
	home=RIG_${h^^}_HOME
	[ -e "${!home}/pwned" ] && fail "a hostile string ran a command on $h"
done

# ---- no secrets on command lines or in remote environments -------------------
printf 'S3cretBindPw\n' >"$T/bindpw"
chmod 600 "$T/bindpw"
export CTYS_LDAP_BINDPW_FILE=$T/bindpw CTYS_LDAP_BINDDN=cn=admin,dc=x CTYS_SECRET_PROBE=S3cretBindPw
# snapshot MODE FLAGS: while a 3-layer job sleeps, copy the command line and
# the environment of every ctys process inside the rig
snapshot() {
	local mode=$1 p ns cpid
	shift
	rm -rf "$T/snap"
	mkdir -p "$T/snap"
	"$C" -x "$mode" "$@" -t cli -a create=l:t,cmd:sleep%2.51 'pm1[vm1][nvm1]' >/dev/null 2>&1 &
	cpid=$!
	wait_procs 'sleep 2.51' 1 10 || fail "snapshot $mode: the job did not start"
	for ns in "$RIG_PM1_NS" "$RIG_VM1_NS" "$RIG_NVM1_NS"; do
		for p in $(ip netns pids "$ns"); do
			case $(cat "/proc/$p/comm" 2>/dev/null) in
			ctys*)
				tr '\0' ' ' <"/proc/$p/cmdline" >"$T/snap/$p.cmd"
				tr '\0' '\n' <"/proc/$p/environ" >"$T/snap/$p.env"
				;;
			esac
		done
	done
	wait_bg "$cpid" 20 "snapshot $mode"
	ls "$T/snap"/*.cmd >/dev/null 2>&1 || fail "snapshot $mode: no ctys process found"
}
for mode in CHAIN STAR; do
	snapshot "$mode"
	for f in "$T/snap"/*.cmd; do
		case $(cat "$f") in
		"ctys-agent --stdio " | "ctys-agent-relay --stdio ") ;;
		*) fail "$mode: a remote ctys process runs '$(cat "$f")'" ;;
		esac
	done
	grep -l "S3cretBindPw\|CTYS_LDAP\|CTYS_SSH_CONFIG\|CTYS_SECRET" "$T/snap"/*.env "$T/snap"/*.cmd &&
		fail "$mode: a client setting reached a remote process"
	grep -l "^SSH_AUTH_SOCK=" "$T/snap"/*.env && fail "$mode: an agent socket without -Y"
	# (the snapshot did read the environments: sshd's SetEnv is there)
	[ "$(grep -l "^CTYS_NODE=" "$T/snap"/*.env | wc -l)" -eq "$(ls "$T/snap"/*.env | wc -l)" ] ||
		fail "$mode: environments not read"
done
# with -Y only the forwarded agent socket appears (CHAIN), still no secret
eval "$(ssh-agent -s)" >/dev/null
ssh-add -q "$RIG_KEY" 2>/dev/null
snapshot CHAIN -Y
ssh-agent -k >/dev/null 2>&1
grep -l "S3cretBindPw" "$T/snap"/*.env "$T/snap"/*.cmd && fail "-Y: the secret reached a remote process"
grep -q "^SSH_AUTH_SOCK=" "$T/snap"/*.env || fail "-Y: no forwarded agent socket on the remote side"
unset CTYS_LDAP_BINDPW_FILE CTYS_LDAP_BINDDN CTYS_SECRET_PROBE SSH_AUTH_SOCK SSH_AGENT_PID

# ---- file permissions ---------------------------------------------------------
# a bind password file others can read is refused, naming it
chmod 644 "$T/bindpw"
mkdir -p "$T/db"
: >"$T/db/enum.fdb"
: >"$T/db/macmap.fdb"
CTYS_LDAP_URI=ldap://127.0.0.1:9 CTYS_LDAP_BASE=dc=x CTYS_LDAP_BINDDN=cn=admin,dc=x CTYS_LDAP_BINDPW_FILE=$T/bindpw \
	check bindpw-mode 1 "*" "bind password file '$T/bindpw' must be a regular file of mode 0600" -- \
	"$BIN/ctys-ldap" -p "$T/db" status
# the QEMU runtime directory is made private whatever the umask and prior mode
if command -v qemu-system-x86_64 >/dev/null; then
	mkdir -p "$T/rd"
	chmod 777 "$T/rd"
	(umask 000 && CTYS_QEMU_RUNDIR=$T/rd/q "$C" -t qemu -a list=machine >/dev/null 2>&1)
	[ "$(stat -c %a "$T/rd/q" 2>/dev/null)" = 700 ] || fail "new runtime directory mode $(stat -c %a "$T/rd/q")"
	chmod 755 "$T/rd/q"
	CTYS_QEMU_RUNDIR=$T/rd/q "$C" -t qemu -a list=machine >/dev/null 2>&1
	[ "$(stat -c %a "$T/rd/q")" = 700 ] || fail "runtime directory left at mode $(stat -c %a "$T/rd/q")"
fi

# ---- -Z does not run sudo or ksu ----------------------------------------------
mkdir -p "$T/fakebin"
for t in sudo ksu; do
	printf '#!/bin/sh\necho "$0 $*" >>%s/escalated\nexit 1\n' "$T" >"$T/fakebin/$t"
	chmod 755 "$T/fakebin/$t"
done
for z in SUDO KSU ALL; do
	PATH=$T/fakebin:$PATH check "Z-$z" 0 "me" "" -- "$C" -Z "$z" -t cli -a create=l:t,cmd:echo%me localhost
	PATH=$T/fakebin:$PATH "$C" -Z "$z" -a info localhost >/dev/null 2>&1 || fail "-Z $z info failed"
done
[ -e "$T/escalated" ] && fail "ctys ran: $(cat "$T/escalated")"
finish
