/*
 * ldap-int.h — internals shared by the cache/ldap-*.c files (not for other
 * modules): the libldap handle and the paged search loop.
 */
#ifndef CTYS_CACHE_LDAP_INT_H
#define CTYS_CACHE_LDAP_INT_H

#include <ldap.h>

#include "cache/ldap-dir.h"

LDAP *dir_i_ld(struct dir_conn *c);
const char *dir_i_base(const struct dir_conn *c);
/* Flag: the base entry is known to exist on this connection. */
bool *dir_i_base_ok(struct dir_conn *c);

/* Record a libldap failure: "<what> '<dn>' on <uri> failed: <text>". */
ctys_err_t dir_i_lderr(struct dir_conn *c, int rc, const char *what, const char *dn);

typedef ctys_err_t (*dir_i_entry_fn)(void *arg, LDAP *ld, LDAPMessage *ent);

/* Paged search (1000 per page); fn per entry; a missing base is empty. */
ctys_err_t dir_i_search(struct dir_conn *c, const char *base, int scope,
    const char *filter, char **attrs, dir_i_entry_fn fn, void *arg);

/* The attributes of a record entry to request (static storage). */
char **dir_i_record_attrs(bool with_mtime);

/* Build the record (host, key, line with field 32 empty) of an entry. */
ctys_err_t dir_i_entry_rec(LDAP *ld, LDAPMessage *ent, struct dir_rec *r);

void dir_i_recs_push(struct dir_recs *r, struct dir_rec *x);

/* DN of the host entry: cn=<escaped host>,<base> (owned by the caller). */
char *dir_i_host_dn(const char *base, const char *host);

/* (&(objectClass=ctysMachine)(ctysHostName=<escaped host>)), caller frees. */
char *dir_i_host_filter(const char *host);

/*
 * Set the keys of one host's records (sorted by line, lines with field 32
 * empty) exactly as publishing assigns them.
 */
void dir_i_rekey(struct dir_recs *r);

#endif
