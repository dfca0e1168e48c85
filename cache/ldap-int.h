/*
 * ldap-int.h — internals shared by the cache/ldap-*.c files (not for other
 * modules): the libldap handle and the paged search loop.
 */
#ifndef CTYS_CACHE_LDAP_INT_H
#define CTYS_CACHE_LDAP_INT_H

#include "cache/ldap-dl.h"

#include "cache/ldap-dir.h"
#include "cache/record.h"

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

/* ---- ldap-entry.c ---- */

/* A set of modifications of one entry (single values, objectClass list). */
#define MS_MAX 64
struct modset {
	LDAPMod m[MS_MAX];
	LDAPMod *p[MS_MAX + 1];
	struct berval bv[MS_MAX];
	struct berval *bvp[MS_MAX][2];
	struct berval oc[4];
	struct berval *ocp[5];
	size_t n;
};

/* Append one single-valued modification (v NULL or empty: no values). */
void dir_i_ms_add(struct modset *ms, int op, const char *attr, const char *v, size_t len);
/* Append the objectClass modification with ocs[0..n) (n <= 4). */
void dir_i_ms_oc(struct modset *ms, int op, const char *const *ocs, size_t n);

/* One new record of the host: parsed, its line (field 32 empty), key. */
struct newrec {
	struct rec r;
	char *line;
	size_t len;
	char key[17];
};

/*
 * The modifications of record r: LDAP_MOD_ADD for a new entry (empty
 * values left out) or LDAP_MOD_REPLACE (empty values delete).
 */
void dir_i_record_mods(struct modset *ms, int op, const struct rec *r, const char *key,
    const char *hostdn, const char *line, size_t len);
/* Parse, check (field 1 == host, UTF-8), sort, unique and key lines[0..n). */
ctys_err_t dir_i_parse_new(const char *host, const char *const *lines, size_t n,
    struct newrec **out, size_t *nout);
void dir_i_newrecs_free(struct newrec *v, size_t n);
/* DN of a record entry (caller frees). */
char *dir_i_rec_dn(const char *key, const char *hostdn);
ctys_err_t dir_i_entry_exists(struct dir_conn *c, const char *dn, bool *yes);
/* Make sure the base entry exists (creating a missing ou=). */
ctys_err_t dir_i_ensure_base(struct dir_conn *c);

/* The cache's lines grouped by host (cache_scan callback). */
struct host_lines {
	struct strv hosts;        /* distinct, in cache order */
	struct strv *lines;       /* per host */
	size_t cap;
};
int dir_i_collect_cb(void *arg, unsigned long index, const char *line, size_t len);

#endif
