/*
 * ldap-map.h — how a 47-field machine record maps onto LDAP entries
 * (ctys-ldap(5)), the ctys schema generated from one table, and RFC 4515 /
 * RFC 4514 escaping.  Nothing here talks to a server (no libldap calls), so
 * unit tests and the fuzzer drive it directly.
 *
 * Layout under the base DN B (CTYS_LDAP_BASE):
 *
 *   cn=<host>,B                    objectClass device + ctysHost
 *                                  ctysHostName, ctysRecordCount
 *   ctysKey=<key>,cn=<host>,B      objectClass device + ctysMachine
 *                                  [+ ipHost when field 7 is an IPv4 address]
 *                                  [+ ieee802Device when field 6 is set]
 *   cn=<group>,ou=netgroups,B      objectClass nisNetgroup (ctys-ldap groups)
 *   ctysKey=host-counts,B          objectClass device + ctysHostIndex:
 *                                  ctysHostCount "<count> <host>" per host,
 *                                  so the record index needs one read
 *
 * Every record field but 32 (the index) has its own case-exact ctys
 * attribute (dir_fields[]), the round trip is byte exact; an empty field is
 * an absent attribute.  The RFC 2307 attributes cn, ipHostNumber and
 * macAddress are written as well for other LDAP clients.  ctysRecordLine
 * holds the whole line (field 32 empty) for substring filters.
 */
#ifndef CTYS_CACHE_LDAP_MAP_H
#define CTYS_CACHE_LDAP_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/record.h"
#include "lib/buf.h"
#include "lib/err.h"

/* The OID arc of the ctys schema: 2.25.<UUID as decimal> (X.667). */
#define DIR_OID_ARC "2.25.44533830309276951840824911088915031921"

/* One record field and its attribute; attr NULL for field 32. */
struct dir_field {
	unsigned num;       /* 1..47 */
	const char *attr;   /* ctys attribute, NULL = not stored */
	unsigned oid;       /* DIR_OID_ARC.1.<oid> */
};
extern const struct dir_field dir_fields[REC_NFIELDS];

/* Attribute names outside the field table. */
#define DIR_AT_PARENT "ctysContainingMachine"
#define DIR_AT_LINE "ctysRecordLine"
#define DIR_AT_KEY "ctysKey"
#define DIR_AT_COUNT "ctysRecordCount"
#define DIR_AT_HOSTCOUNT "ctysHostCount"
#define DIR_OC_REC "ctysMachine"
#define DIR_OC_HOST "ctysHost"
#define DIR_OC_INDEX "ctysHostIndex"
/* RDN of the host-count summary entry below the base */
#define DIR_RDN_INDEX DIR_AT_KEY "=host-counts"

/* Write the schema in slapd.conf form (conf/ctys.schema). */
void dir_schema_text(struct buf *out);
/* Write the schema as a cn=config LDIF entry (conf/ctys.ldif). */
void dir_schema_ldif(struct buf *out);

/*
 * Append value[0..n) escaped for an LDAP filter assertion (RFC 4515):
 * '*', '(', ')', '\\' and NUL become \2a \28 \29 \5c \00; every other byte
 * is copied.  The result never ends a filter early or adds a wildcard.
 */
void dir_filter_escape(struct buf *out, const char *value, size_t n);

/*
 * Append value[0..n) escaped as an RDN attribute value (RFC 4514):
 * leading ' ' or '#', trailing ' ', and , + " \ < > ; = as \<char>, NUL
 * and other control bytes as \<hex>.
 */
void dir_dn_escape(struct buf *out, const char *value, size_t n);

/*
 * The RDN key of a record: 16 hex digits of FNV-1a 64 over fields 1-5
 * (host;type;label;id;uuid).  `dup` > 0 (a second record with the same
 * identity on one host) hashes the whole line instead.
 */
void dir_record_key(const struct rec *r, bool whole_line, char out[17]);

/*
 * Filters (appended to out, values escaped):
 *   dir_filter_field   (&(objectClass=ctysMachine)(<attr of num>=<value>))
 *   dir_filter_substr  (&(objectClass=ctysMachine)(ctysRecordLine=*<lit>*))
 * dir_filter_field returns false (nothing appended) for field 32 or a
 * field without an attribute.
 */
bool dir_filter_field(struct buf *out, unsigned num, const char *v, size_t n);
void dir_filter_substr(struct buf *out, const char *lit, size_t n);

/* True when s[0..n) is a dotted-quad IPv4 address. */
bool dir_is_ipv4(const char *s, size_t n);

/* True when s[0..n) is valid UTF-8 without NUL (Directory String). */
bool dir_utf8_ok(const char *s, size_t n);

/* The field number whose attribute is `attr` (any case), 0 if none. */
unsigned dir_field_by_attr(const char *attr);

#endif
