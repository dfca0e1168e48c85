# tests/scenario/ldap_slapd.sh — a private OpenLDAP slapd for the ldap_*
# scenarios and bench/ldap.bench.sh.  Source it (after lib.sh) for:
#   slapd_start <dir> [tls]   start slapd on 127.0.0.1:<free port> and an
#                             ldapi socket in <dir>; sets SLAPD_PID, SLAPD_URI,
#                             SLAPD_LDAPI, SLAPD_BASE; with tls, a test CA and
#                             server certificate made with openssl (SLAPD_CA);
#                             and an ldaps:// listener (SLAPD_LDAPS_URI);
#                             SLAPD_PRELOAD=<ldif> loads it with slapadd -q first
#   slapd_stop                kill that slapd by its PID (bounded wait)
#   slapd_env                 export the CTYS_LDAP_* settings for it
#   ldap_gen <n>              n synthetic records (enum.fdb lines)
# Run directly, it is a test of itself: start, answer, stop.
# Only loopback and ldapi; every wait is bounded.

SLAPD=${SLAPD:-/usr/sbin/slapd}
SLAPD_PID=
SLAPD_SUFFIX=dc=ctys,dc=test
SLAPD_BASE=ou=machines,$SLAPD_SUFFIX
SLAPD_ROOT=cn=admin,$SLAPD_SUFFIX

_slapd_conf() { # dir port indexed tls
	local d=$1
	cat >"$d/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include $TOP/conf/ctys.schema
pidfile $d/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
$( [ "$4" = tls ] && printf 'TLSCACertificateFile %s\nTLSCertificateFile %s\nTLSCertificateKeyFile %s\n' "$d/ca.crt" "$d/srv.crt" "$d/srv.key")
sizelimit unlimited
database mdb
directory $d/db
maxsize 4294967296
dbnosync
suffix "$SLAPD_SUFFIX"
rootdn "$SLAPD_ROOT"
rootpw secret
index objectClass eq
index ctysLabel,cn eq,sub
index ctysHostName eq,sub
index ctysUUID,ctysMAC,ctysTCP,ctysSessionType,ctysContainingMachine,macAddress,ipHostNumber eq
index ctysKey eq
index entryCSN eq
access to * by * read
CONF
}

_slapd_tls() { # dir: test CA + server certificate for 127.0.0.1
	local d=$1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ctys test CA" \
		-keyout "$d/ca.key" -out "$d/ca.crt" >/dev/null 2>&1 || return 1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/srv.key" -out "$d/srv.csr" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.crt" >/dev/null 2>&1 || return 1
	SLAPD_CA=$d/ca.crt
}

_slapd_suffix() {
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: ctys\no: ctys test\n' \
		"$SLAPD_SUFFIX"
}

slapd_start() {
	local d=$1 tls=${2:-} try port i enc
	mkdir -p "$d/db"
	if [ "$tls" = tls ]; then _slapd_tls "$d" || { echo "slapd_start: openssl failed"; return 1; }; fi
	enc=$(printf '%s' "$d/ldapi" | sed 's|/|%2F|g')
	for try in 1 2 3 4 5; do
		port=$((20000 + (RANDOM * 7 + $$ + try * 131) % 40000))
		_slapd_conf "$d" "$port" 1 "$tls"
		if [ -n "${SLAPD_PRELOAD:-}" ] && [ "$try" = 1 ]; then   # offline load
			{ _slapd_suffix; echo; cat "$SLAPD_PRELOAD"; } |
				slapadd -q -f "$d/slapd.conf" >"$d/slapadd.log" 2>&1 ||
				{ echo "slapd_start: slapadd failed:"; cat "$d/slapadd.log"; return 1; }
		fi
		local urls="ldap://127.0.0.1:$port/ ldapi://$enc"
		SLAPD_LDAPS_URI=
		if [ "$tls" = tls ]; then
			SLAPD_LDAPS_URI=ldaps://127.0.0.1:$((port + 1))
			urls="$urls $SLAPD_LDAPS_URI/"
		fi
		"$SLAPD" -d 0 -h "$urls" -f "$d/slapd.conf" >"$d/slapd.log" 2>&1 &
		SLAPD_PID=$!
		SLAPD_URI=ldap://127.0.0.1:$port
		SLAPD_LDAPI=ldapi://$enc
		for i in $(seq 1 100); do   # bounded: 100 x 50 ms
			if ldapsearch -x -H "$SLAPD_URI" -b "" -s base -LLL namingContexts >/dev/null 2>&1; then
				[ -n "${SLAPD_PRELOAD:-}" ] && return 0
				_slapd_suffix | ldapadd -x -H "$SLAPD_URI" -D "$SLAPD_ROOT" -w secret \
					>/dev/null || return 1
				return 0
			fi
			kill -0 "$SLAPD_PID" 2>/dev/null || break
			sleep 0.05
		done
		slapd_stop
	done
	echo "slapd_start: slapd did not come up:"; cat "$d/slapd.log"
	return 1
}

slapd_stop() {
	local i
	[ -n "$SLAPD_PID" ] || return 0
	kill "$SLAPD_PID" 2>/dev/null
	for i in $(seq 1 100); do   # bounded: 5 s
		kill -0 "$SLAPD_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$SLAPD_PID" 2>/dev/null
	wait "$SLAPD_PID" 2>/dev/null
	SLAPD_PID=
}

# ldap_gen N: N synthetic 47-field records on stdout, 20 per host (a PM and
# 19 VMs), each with a distinct label, UUID, MAC and IP.
ldap_gen() {
	awk -v n="$1" '
function rec(host, type, label, id, uuid, mac, ip, cat, state, net, accel, arch, vram) {
	printf "%s;%s;%s;%s;%s;%s;%s;;;;5900;debian;12;Linux;6.1;;;%s;%s;QEMU-7.2;;;;;;;22;%s;;%s;;;eth0;;;;;%s;;%d;2;;;root;root;;\n",
	    host, type, label, id, uuid, mac, ip, cat, state, net, accel, arch, vram
}
BEGIN {
	split("QEMU XEN VMW", types, " ")
	split("ACTIVE BACKUP ACTIVE", states, " ")
	for (i = 0; i < n; i++) {
		h = int(i / 20); k = i % 20
		host = sprintf("pm%04d.lab", h)
		mac = sprintf("00:50:56:%02X:%02X:%02X", int(h / 256), h % 256, k)
		ip = sprintf("10.%d.%d.%d", int(h / 256), h % 256, k + 1)
		uuid = sprintf("4c4c4544-%04x-%04x-8000-%012x", h, k, i)
		if (k == 0)
			rec(host, "PM", sprintf("pm%04d", h), "/etc/ctys.d/pm.conf", uuid, mac, ip,
			    "PM", "ACTIVE", host, "", "x86_64", 8192)
		else
			rec(host, types[k % 3 + 1], sprintf("vm%04d%02d", h, k),
			    sprintf("/mntn/vmpool/vm%04d%02d/vm.conf", h, k), uuid, mac, ip, "VM",
			    states[k % 3 + 1], sprintf("vm%04d%02d.lab", h, k), k % 2 ? "KVM" : "",
			    k % 4 ? "x86_64" : "i386", 256 * (k % 8 + 1))
	}
}
'
}

slapd_env() {
	printf 'secret\n' >"$T/bindpw"
	chmod 600 "$T/bindpw"
	export CTYS_LDAP_URI=$SLAPD_URI CTYS_LDAP_BASE=$SLAPD_BASE \
		CTYS_LDAP_BINDDN=$SLAPD_ROOT CTYS_LDAP_BINDPW_FILE=$T/bindpw
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	. "$(dirname "$0")/lib.sh"
	trap 'slapd_stop; rm -rf "$T"' EXIT
	[ -x "$SLAPD" ] || { echo "SKIP: no slapd (apt-get install slapd ldap-utils)"; exit 0; }
	slapd_start "$T/ldap" || exit 1
	check "rootDSE answers" 0 "dn:
namingContexts: $SLAPD_SUFFIX" "" -- \
		ldapsearch -x -H "$SLAPD_URI" -b "" -s base -LLL namingContexts
	pid=$SLAPD_PID
	slapd_stop
	kill -0 "$pid" 2>/dev/null && fail "slapd $pid still running after slapd_stop"
	# conf/ctys.ldif loads into cn=config next to the nis schema
	mkdir -p "$T/cfg/slapd.d"
	{ printf 'dn: cn=config\nobjectClass: olcGlobal\ncn: config\n\n'
	  printf 'dn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: schema\n\n'
	  for s in core cosine inetorgperson nis; do cat "/etc/ldap/schema/$s.ldif"; echo; done
	  cat "$TOP/conf/ctys.ldif"; } >"$T/cfg/all.ldif"
	check "conf/ctys.ldif loads into cn=config" 0 "" "" -- \
		slapadd -n 0 -F "$T/cfg/slapd.d" -l "$T/cfg/all.ldif"
	kill -0 "$pid" 2>/dev/null && fail "slapd $pid still running after slapd_stop"
	finish
fi
