#!/bin/bash
# render_remote.sh — LIST/ENUMERATE output end to end: records from two rig
# hosts (h001, h002) through real SSH, rendered by the client.  The remote
# agent is a fake (CTYS_AGENT) that answers every job with canned protocol
# records, h002 adding malformed ones.  Checks: SORT across both targets,
# TAB_GEN bytes, JSON lines parsed by python3, LIST's per-target headers and
# NONE, the malformed records dropped with the host named (exit 2), and a
# bad colspec / SORT refused at plan time (exit 1) before any job ran.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 0; }
. "$TOP/tests/rig/rig.sh"
R=$T/rig
rig_trap "$R"
RIG_QUIET=1 rig_up "$R" flat:2 || exit 1
# no name lookups: the TCP values stay as the records carry them
export CTYS_SSH_CONFIG=$RIG_SSH_CONFIG CTYS_CONNECT_TIMEOUT=2 CTYS_TIMEOUT=20 CTYS_NORESOLVE=1
C=$BIN/ctys
D=$T/fake
mkdir -p "$D"
chmod 755 "$T"

e47() { # host type label tcp -> a 47-field record as a JSON array
	local f=("$1" "$2" "$3" "/vm/$3.ctys" "U-$3" "" "$4") i
	for ((i = 7; i < 47; i++)); do f+=(""); done
	printf '%s\n' "${f[@]}" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split("\n")[:-1]))'
}
l22() { # host type label site -> a 22-field LIST record
	local f=("$1" "$2" "$3" "/vm/$3.ctys" "" "" "10.0.0.9" "" "" "" "42" "root" "root" "$4") i
	for ((i = 14; i < 22; i++)); do f+=(""); done
	printf '%s\n' "${f[@]}" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split("\n")[:-1]))'
}
rec() { # kind type fields-json
	printf '{"t":"rec","id":"@ID@","hop":"@HOST@","kind":"%s","type":"%s","fields":%s}\n' "$1" "$2" "$3"
}
{
	rec enum QEMU "$(e47 h001 QEMU vm-c 10.0.0.3)"
	rec enum XEN "$(e47 h001 XEN vm-a 10.0.0.1)"
} >"$D/h001.enum"
{
	rec enum QEMU "$(e47 h002 QEMU vm-b 10.0.0.2)"
	rec enum QEMU '["too","few"]'
	rec enum QEMU "$(e47 h002 QEMU vm-x 1 | sed 's/"vm-x"/17/')"
} >"$D/h002.enum"
rec list QEMU "$(l22 h001 QEMU vm-c SERVER)" >"$D/h001.list"
: >"$D/h002.list"

cat >"$D/agent" <<EOF
#!/bin/bash
# fake ctys-agent: hello, the canned records of this host for the action, status
touch "$D/ran.\$(hostname)"
job=\$(grep '"t":"job"' | head -n 1)
id=\$(grep -o '"id":"[^"]*"' <<<"\$job" | head -n 1 | cut -d'"' -f4)
h=\$(hostname)
kind=enum
grep -q '"action":"LIST"' <<<"\$job" && kind=list
echo '{"t":"hello","v":1,"agent":"fake","host":"'\$h'","user":"root"}'
sed -e "s/@ID@/\$id/" -e "s/@HOST@/\$h/" "$D/\$h.\$kind"
echo '{"t":"status","id":"'\$id'","hop":"'\$h'","code":0,"error":null}'
EOF
chmod 755 "$D/agent" "$D"
export CTYS_AGENT=$D/agent

# SORT across both targets; h002's two malformed records dropped, host named
check enum-sort 2 "$(printf '%s\n' vm-a vm-b vm-c)" "malformed record from 'h002' dropped" -- \
	"$C" -a enumerate=l,terse,sort h001 h002
[ "$(grep -c 'malformed record' "$T/err")" -eq 2 ] || fail "enum-sort: want 2 drop messages: $(cat "$T/err")"
grep -qF "ctys: $USER@h002: malformed record from 'h002' dropped: 2 fields, an ENUMERATE record has 47" "$T/err" ||
	fail "enum-sort: field count message: $(cat "$T/err")"
grep -qF "field 3 is not a string" "$T/err" || fail "enum-sort: non-string message: $(cat "$T/err")"

# TAB_GEN bytes (one target: the order is the agent's)
want=$(printf '%s\n' 'label   |type |tcp            ' '--------+-----+---------------' \
	'vm-c    |QEMU |10.0.0.3       ' 'vm-a    |XEN  |10.0.0.1       ')
check enum-tab-gen 0 "$want" "" -- "$C" -a enumerate=tab_gen:3_label_8%2_type_5%7_tcp_15 h001

# JSON lines from -o json: every line parses, one object per good record
check enum-json 2 "*" "malformed record from 'h002'" -- "$C" -o json -a enumerate=l,st h001 h002
python3 - "$T/out" <<'PY' || fail "enum-json: $(cat "$T/out")"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) == 3, objs
for o in objs:
    assert o["v"] == 1 and o["kind"] == "enum", o
    assert set(o["fields"]) == {"SessionType", "Label"}, o
assert sorted(o["fields"]["Label"] + "@" + o["host"] for o in objs) == \
    ["vm-a@h001", "vm-b@h002", "vm-c@h001"], objs
PY

# LIST, non-terse: a header per target and type (the user is the job's, here the
# local one: ssh_config picks the login), NONE for h002 (jobs run in parallel,
# so the two targets' blocks may come in either order; each block is whole)
check list-nonterse 0 "*" "" -- "$C" -a list=label,site h001 h002
grep -A1 "^QEMU sessions of SCOPE=[A-Z]* -  $USER@h001:\$" "$T/out" | grep -qx '+->vm-c;SERVER' ||
	fail "list-nonterse h001: $(cat "$T/out")"
grep -A1 "^ALL sessions of SCOPE=[A-Z]* -  $USER@h002:\$" "$T/out" | grep -qx 'NONE' ||
	fail "list-nonterse h002: $(cat "$T/out")"
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "list-nonterse: $(cat "$T/out")"

# LIST default (both,tab_tcp,dns) with the table header once
want=$(printf '%-18s|%-17s|%-8s|%-17s|%-9s|%-5s|%1s|%-10s|%-10s\n' TCP-container TCP-guest IF label \
	stype accel c user group
	printf '%s\n' '------------------+-----------------+--------+-----------------+---------+-----+-+----------+----------'
	printf '%s\n' 'h001              |10.0.0.9         |-       |vm-c             |QEMU     |-    |S|root      |root      ')
check list-default 0 "$want" "" -- "$C" -a list h001 h002

# plan-time errors: exit 1, nothing executed
rm -f "$D"/ran.*
check bad-colspec 1 "" "unknown field index 48 (an ENUMERATE record has fields 1 to 47)" -- \
	"$C" -a enumerate=tab_gen:3_l%48 h001 h002
check bad-sort 1 "" "invalid SORT argument 'x'" -- "$C" -a list=label,sort:1%x h001
check bad-break-sort 1 "" "SORT cannot be combined with the break policy B" -- \
	"$C" -a enumerate=tab_gen:4_id_10_B,sort h001
ls "$D"/ran.* >/dev/null 2>&1 && fail "a job ran despite a plan-time error"

finish
