#!/bin/bash
# vhost_golden.sh — ctys-vhost end to end on the worked example of
# cache-db.md §8: every documented query with its exact stdout and exit
# status, the -M modes, error exit codes, -C OFF/MACMAPONLY, -i CTYSADDRESS.
# HOME is a private temp dir; the DB is given with -p (and once via
# DEFAULT_DBPATHLST = $HOME/.ctys/db/default).
set -u
# no DNS lookups: tests send nothing beyond loopback
export CTYS_NORESOLVE=1
cd "$(dirname "$0")/../.." || exit 2
TOP=$PWD
V=$PWD/bin/ctys-vhost
T=$(mktemp -d /tmp/ctys-test-XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home
DB=$HOME/.ctys/db/default
mkdir -p "$DB"
fail=0

cat >"$DB/enum.fdb" <<'EOF'
lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;A1B2C3D4;00:11:22:33:44:01;192.168.1.11;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;22;lab01.soho;;;;;eth0;01_11_018;;;;x86_64;;4096;2;;;root;root;;
lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;00:50:56:13:11:40;192.168.1.100;;;/var/tmp/qemumon.tst100;5900;debian;5.0;Linux;2.6.26;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;22;tst100.soho;;KVM;;;eth0;;;;;x86_64;;512;1;;;acue;ldapusers;;
lab01.soho;QEMU;tst101;/mntn/vmpool/tst101/tst101.ctys;U101;00:50:56:13:11:41;192.168.1.101;;;;5900;CentOS;5.4;Linux;2.6.18;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;;;;QEMU;;;eth0;;;;;i386;;256;1;;;acue;ldapusers;;
lab02.soho;XEN;tst200;/mntn/vmpool/tst200/tst200.conf;U200;00:16:3E:00:02:00;;;;;;SuSE;10.3;Linux;2.6.22;;;VM;ACTIVE;Xen-3.0-x86_64;;;;;;;;;;PARA;;;eth0;;;;;x86_64;;1024;2;;;root;root;;
lab02.soho;VMW;tst300;/mntn/vmpool/tst300/tst300.vmx;U300;00:50:56:13:13:00;192.168.1.130;;904;;;SuSE;9.3;Linux;2.6;;;VM;BACKUP;VMW-WS6;;;;;;;;;;;;;0;;;;;i386;;256;1;;;acue;ldapusers;;
lab02.soho;PM;lab02;/etc/ctys.d/pm.conf;B1B2;00:11:22:33:44:02;192.168.1.12;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;;lab02.soho;;;;;eth0;;;;;x86_64;;8192;4;;;root;root;;
EOF
cat >"$DB/macmap.fdb" <<'EOF'
lab01.soho;00:11:22:33:44:01;192.168.1.11;
lab02.soho;00:11:22:33:44:02;192.168.1.12;
tst100.soho;00:50:56:13:11:40;192.168.1.100;
tst200.soho;00:16:3E:00:02:00;192.168.1.200;
tst300.soho;00:50:56:13:13:00;192.168.1.130;
EOF
cp "$DB/enum.fdb" "$T/enum.orig"

# check <want-exit> <want-stdout> <args...>
check() {
	local want_rc=$1 want=$2 got rc
	shift 2
	got=$("$V" "$@" 2>"$T/err")
	rc=$?
	if [ "$rc" != "$want_rc" ] || [ "$got" != "$want" ]; then
		echo "FAIL: ctys-vhost $*"
		echo "  exit $rc (want $want_rc); stderr: $(cat "$T/err")"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/  /'
		fail=1
	fi
}

nl=$'\n'
P=(-p "$DB")
check 0 "tst100;192.168.1.100${nl}tst101;192.168.1.101" "${P[@]}" -o l,t tst1
check 0 "tst100;192.168.1.100${nl}tst101;192.168.1.101" "${P[@]}" -o t,l tst1
check 0 "lab01.soho;QEMU;tst100${nl}lab01.soho;QEMU;tst101" "${P[@]}" -o st,l,pm -M all F:2:QEMU
check 0 "tst100" "${P[@]}" -o l -M first tst
check 0 "tst200" "${P[@]}" -o l -M last tst
check 11 "" "${P[@]}" -o l -M unique tst10
grep -q 'Query result on cache for UNIQUE key "tst10" is AMBIGUOUS(#2)' "$T/err" ||
	{ echo "FAIL: UNIQUE warning: $(cat "$T/err")"; fail=1; }
check 0 "tst100" "${P[@]}" -o l -M unique tst100
check 0 "" "${P[@]}" -o l -M unique nosuchthing
check 0 "tst100${nl}tst101${nl}tst300${nl}tst200" "${P[@]}" -o l not F:2:PM
check 0 "lab02" "${P[@]}" -o l F:2:PM and lab02
check 0 "lab01${nl}lab02" "${P[@]}" -o l E:28:1
check 0 "tst101${nl}tst300${nl}tst200" "${P[@]}" -o l E:3:28
check 0 "tst100${nl}tst200" "${P[@]}" -o l tst100 or tst200 .
check 0 "tst100" "${P[@]}" -o l tst100 or tst200
check 0 "lab01.soho${nl}lab01.soho[/mntn/vmpool/tst100/tst100.ctys,tst100,U100,00:50:56:13:11:40,192.168.1.100]${nl}lab01.soho[/mntn/vmpool/tst101/tst101.ctys,tst101,U101,00:50:56:13:11:41,192.168.1.101]" "${P[@]}" -o ctys lab01
check 0 "tst100;2${nl}tst101;3${nl}tst300;5${nl}tst200;6" "${P[@]}" -o index,l tst
check 0 "tst100${nl}tst101${nl}lab02" "${P[@]}" -o l R:2:4
check 0 "tst100;;;/var/tmp/qemumon.tst100;5900${nl}tst101;;;;5900${nl}tst300;;904;;${nl}tst200;;;;" "${P[@]}" -o l,disp,cport,sport,vncbase tst
check 0 "SessionType;Label${nl}QEMU;tst100${nl}QEMU;tst101" "${P[@]}" -o title,l,st tst10
check 0 "SessionType(2);Label(3)${nl}QEMU;tst100" "${P[@]}" -o titleidx,l,st tst100
check 0 "SessionType(B-2);Label(C-3)${nl}QEMU;tst100" "${P[@]}" -o titleidxasc,l,st tst100
check 0 "XEN;tst200${nl}VMW;tst300${nl}QEMU;tst101${nl}QEMU;tst100" "${P[@]}" -o l,st,sort:1%r tst
check 0 "lab01${nl}lab02${nl}tst100${nl}tst101${nl}tst200${nl}tst300" "${P[@]}" -o l -M sort .
check 0 "lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;00:50:56:13:11:40;192.168.1.100;;;/var/tmp/qemumon.tst100;5900;debian;5.0;Linux;2.6.26;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;22;tst100.soho;;KVM;;2;eth0;;;;;x86_64;;512;1;;;acue;ldapusers;;" "${P[@]}" -o machine tst100
# -o MACHINE keeps the records of a last OR term (quirk only for other outputs)
check 0 "$("$V" "${P[@]}" -o machine tst100)${nl}$("$V" "${P[@]}" -o machine tst200)" "${P[@]}" -o machine tst100 or tst200
check 0 "lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;00:50:56:13:11:40" "${P[@]}" -o maxkey tst100

check 0 "label     |stype   |accel|distro      |distrorel      |os        |osrel     |PM             |if     |TCP            
----------+--------+-----+------------+---------------+----------+----------+---------------+-------+---------------
tst100    |QEMU    |KVM  |debian      |5.0            |Linux     |2.6.26    |lab01.soho     |eth0   |192.168.1.100  
tst101    |QEMU    |QEMU |CentOS      |5.4            |Linux     |2.6.18    |lab01.soho     |eth0   |192.168.1.101  " "${P[@]}" tst10

check 0 "label   |type |tcp            
--------+-----+---------------
tst100  |QEMU |192.168.1.100  
tst101  |QEMU |192.168.1.101  
tst300  |VMW  |192.168.1.130  
tst200  |XEN  |192.168.1.200  " "${P[@]}" -o tab_gen:3_label_8%2_type_5%7_tcp_15 tst
# "%%" is turned into "%" first
check 0 "$("$V" "${P[@]}" -o tab_gen:3_label_8%2_type_5%7_tcp_15 tst)" "${P[@]}" -o tab_gen:3_label_8%%2_type_5%%7_tcp_15 tst

check 0 "l   |id          |7         
----+------------+----------
tst1|/tst100.ctys|192.168.1.
tst1|/tst101.ctys|192.168.1." "${P[@]}" -o tab_gen:3_l_4%4_id_12_L%7 tst10

check 0 "id        
----------
/mntn/vmpo
ol/tst100/
tst100.cty
s         " "${P[@]}" -o tab_gen:4_id_10_B tst100

check 0 "record(1):={
    {label,3,tst100  },
    {type,2,QEMU }
}
record(2):={
    {label,3,tst101  },
    {type,2,QEMU }
}" "${P[@]}" -o rec_gen:3_label_8%2_type_5 tst10

check 0 "record(1):={
    001:       3:                     label: tst100  
    002:       2:                      type: QEMU 
}" "${P[@]}" -o spec_gen:3_label_8%2_type_5 tst100

got=$("$V" "${P[@]}" -o xml_gen:3_label_8%2_type_5 tst100; echo x)
want="<record index='1'>
   <label index=3>tst100  </label>
   <type index=2>QEMU </type>
</record>

x"
[ "$got" = "$want" ] || { echo "FAIL: xml_gen"; diff <(echo "$want") <(echo "$got"); fail=1; }

# the default DB list (DEFAULT_DBPATHLST = $HOME/.ctys/db/default)
check 0 "tst100" -o l tst100
# -M complement (fixed: the records not matching)
check 0 "lab01${nl}lab02" "${P[@]}" -o l -M complement tst
# -i CTYSADDRESS: [ and ] become blanks
check 0 "tst100" "${P[@]}" -o l -i CTYSADDRESS 'lab01.soho[tst100]'
# -C OFF: enum.fdb itself, index = line, TCP not filled
check 0 "tst200;;4" "${P[@]}" -C off -o l,t,index tst200
# -C MACMAP fills TCP/DNS from macmap.fdb at output time
check 0 "tst200;192.168.1.200;tst200.soho" "${P[@]}" -C off,macmap -o l,t,dns tst200
check 0 "tst200;" "${P[@]}" -C off -o l,t tst200
# -C MACMAPONLY
check 0 "00:16:3E:00:02:00;192.168.1.200;tst200.soho" "${P[@]}" -C macmaponly tst200
check 0 "192.168.1.100" "${P[@]}" -C macmaponly -o t -M first 'tst1|tst2'
check 1 "" "${P[@]}" -C macmaponly -o l tst200
# -C MEMBERSDB / -S MEMBERSDB: every record as a ctys address, sorted
check 0 "lab01.soho${nl}lab01.soho[/mntn/vmpool/tst100/tst100.ctys,tst100,U100,00:50:56:13:11:40,192.168.1.100]${nl}lab01.soho[/mntn/vmpool/tst101/tst101.ctys,tst101,U101,00:50:56:13:11:41,192.168.1.101]${nl}lab02.soho${nl}lab02.soho[/mntn/vmpool/tst200/tst200.conf,tst200,U200,00:16:3E:00:02:00,192.168.1.200]${nl}lab02.soho[/mntn/vmpool/tst300/tst300.vmx,tst300,U300,00:50:56:13:13:00,192.168.1.130]" "${P[@]}" -S membersdb

# errors and their exit codes
check 1 "" "${P[@]}" -o nosuchfield tst
grep -q "unknown OUTPUT 'nosuchfield'" "$T/err" || { echo "FAIL: unknown OUTPUT msg"; fail=1; }
check 1 "" "${P[@]}" -M nosuchmode tst
check 1 "" "${P[@]}" -Q tst
check 1 "" "${P[@]}" -o l 'F:x:1'
check 1 "" "${P[@]}" -o l 'tst('
# macros expand on the whole command line (the shipped default file):
# macro:vconn is the same query as its expansion written out
exp=$(CTYS_CONFDIR=$TOP/conf "$TOP/bin/ctys-macros" -E vconn 2>/dev/null)
exp=${exp#vconn:}
[ -n "$exp" ] || { echo "FAIL: ctys-macros -E vconn printed nothing"; fail=1; }
CTYS_CONFDIR=$TOP/conf "$V" "${P[@]}" macro:vconn tst100 >"$T/m1" 2>&1
# shellcheck disable=SC2086
CTYS_CONFDIR=$TOP/conf "$V" "${P[@]}" $exp tst100 >"$T/m2" 2>&1
cmp -s "$T/m1" "$T/m2" && grep -q '^tst100 ' "$T/m1" || { echo "FAIL: macro:vconn: $(cat "$T/m1")"; fail=1; }
check 1 "" "${P[@]}" macro:nosuchmacro tst100
check 7 "" -p "$T/nodir" -o l tst
mkdir "$T/empty"
check 10 "" -p "$T/empty" -o l tst
: >"$T/empty/macmap.fdb"
check 2 "" -p "$T/empty" -o l tst
# a malformed enum.fdb: error names file and line, exit 2, old cache kept
printf 'bad;line\n' >>"$DB/enum.fdb"
check 2 "" "${P[@]}" -o l tst100
grep -q "enum.fdb:7: record has 2 fields, 47 required" "$T/err" ||
	{ echo "FAIL: malformed line message: $(cat "$T/err")"; fail=1; }
cp "$T/enum.orig" "$DB/enum.fdb"
check 0 "tst100" "${P[@]}" -o l tst100
# a corrupt cache file is named and not silently replaced
echo garbage >"$DB/ctys.lmdb/data.mdb"
check 2 "" "${P[@]}" -o l tst100
grep -q "ctys.lmdb/data.mdb' is not a valid cache" "$T/err" ||
	{ echo "FAIL: corrupt cache message: $(cat "$T/err")"; fail=1; }
rm -rf "$DB/ctys.lmdb"
check 0 "tst100" "${P[@]}" -o l tst100

[ "$fail" = 0 ] && echo "vhost_golden: all ok"
exit $fail
