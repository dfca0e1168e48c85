/*
 * ldap-dir.h — the LDAP nameservice of the machine cache (ctys-ldap(5)):
 * connection settings, publishing records, answering ctys-vhost queries
 * from the directory, and syncing the directory into the LMDB cache.
 *
 * Settings (ctys.conf.sh or the environment, read with conf_get):
 *   CTYS_LDAP_URI          blank-separated list, tried in order; only
 *                          ldap://, ldaps:// and ldapi:// URIs
 *   CTYS_LDAP_BASE         base DN of the host entries (required)
 *   CTYS_LDAP_BINDDN       simple bind DN (empty: anonymous, or SASL)
 *   CTYS_LDAP_BINDPW_FILE  file with the bind password; must be a regular
 *                          file of mode 0600 or stricter (refused otherwise)
 *   CTYS_LDAP_SASL_MECH    SASL mechanism instead of a simple bind
 *                          (EXTERNAL over ldapi:// or with a TLS client cert)
 *   CTYS_LDAP_TLS          none (default) | starttls (required, fails when
 *                          refused) | ldaps is implied by an ldaps:// URI
 *   CTYS_LDAP_CACERT       CA certificate file for StartTLS/LDAPS; the
 *                          server certificate is always verified
 *   CTYS_LDAP_TIMEOUT      seconds for connect and each operation (default 5)
 *
 * Every value placed into a filter is escaped (ldap-map.h); every loop over
 * server results is bounded by the results themselves (paged, 1000 per page).
 */
#ifndef CTYS_CACHE_LDAP_DIR_H
#define CTYS_CACHE_LDAP_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "cache/query.h"
#include "cache/store.h"
#include "lib/conf.h"
#include "lib/err.h"
#include "lib/strv.h"

enum dir_tls { DIR_TLS_NONE = 0, DIR_TLS_STARTTLS };

struct dir_conf {
	struct strv uris;
	char *base;
	char *binddn;
	char *pwfile;
	char *sasl_mech;
	enum dir_tls tls;
	char *cacert;
	int timeout_s;
};

/*
 * Read the CTYS_LDAP_* settings from c.  CTYS_ERR_USAGE naming the variable
 * for a missing URI or base, a URI that is not ldap/ldaps/ldapi, a bad
 * CTYS_LDAP_TLS or timeout.  Free with dir_conf_free().
 */
ctys_err_t dir_conf_load(const struct conf *c, struct dir_conf *out);
void dir_conf_free(struct dir_conf *dc);

/*
 * Read a bind password from `path`: the first line, without its newline.
 * Refused (CTYS_ERR_USAGE "bind password file '<path>' must be mode 0600")
 * unless it is a regular file without group/other permissions; a missing
 * file is CTYS_ERR_NOENT.  *pw is freed by the caller.
 */
ctys_err_t dir_read_password(const char *path, char **pw);

struct dir_conn;

/*
 * Connect to the first URI of the list that answers, StartTLS when asked
 * (never falling back to plain text), and bind.  CTYS_ERR_IO "directory
 * unreachable: <uri>: <reason>" when no URI works; CTYS_ERR_USAGE for a
 * rejected bind or settings.  Free with dir_close().
 */
ctys_err_t dir_connect(const struct dir_conf *dc, struct dir_conn **out);
void dir_close(struct dir_conn *c);
/* The URI that answered (owned by c). */
const char *dir_conn_uri(const struct dir_conn *c);

/* One directory record: its host, key and line (field 32 empty). */
struct dir_rec {
	char *host;
	char key[17];
	char *line;
	size_t len;
	char mtime[64];    /* entryCSN (change sequence number), "" if not asked for */
};

struct dir_recs {
	struct dir_rec *v;
	size_t n, cap;
};
void dir_recs_free(struct dir_recs *r);
/* Sort by line bytewise (the cache's index order). */
void dir_recs_sort(struct dir_recs *r);

/*
 * Every record entry below the base matching `filter` (NULL: all), paged.
 * with_mtime also reads entryCSN.
 */
ctys_err_t dir_fetch(struct dir_conn *c, const char *filter, bool with_mtime,
    struct dir_recs *out);

/* A host entry: name and published record count. */
struct dir_host {
	char *name;
	unsigned long count;
	char mtime[64];
	bool seen;         /* scratch for the caller */
};
struct dir_hosts {
	struct dir_host *v;
	size_t n;
};
void dir_hosts_free(struct dir_hosts *h);
/* All host entries (filter NULL) or those matching `filter`. */
ctys_err_t dir_fetch_hosts(struct dir_conn *c, const char *filter, struct dir_hosts *out);

/* ---- publishing ---- */

struct dir_pub_stats {
	size_t added, modified, deleted, unchanged, hosts;
};

/*
 * Make the directory's records of `host` exactly lines[0..n) (47-field
 * records, field 1 == host, field 32 ignored), in one pass: add new
 * entries, modify changed ones, delete stale ones, then update the host
 * entry (count; its entryCSN tells dir_sync() the host
 * changed).  n == 0 deletes the host entry and its records.  Creates the
 * base entry when it is a missing ou=.  CTYS_ERR_PARSE for a bad line,
 * CTYS_ERR_UNSUPPORTED for a value that is not UTF-8, CTYS_ERR_IO for a
 * server error (the message has the DN and the server's text).
 */
ctys_err_t dir_publish_host(struct dir_conn *c, const char *host,
    const char *const *lines, size_t n, struct dir_pub_stats *st);

/*
 * Publish every host of the cache db (or only those in `hosts` when it is
 * non-empty), and with `prune` delete host entries that the cache does not
 * have.
 */
ctys_err_t dir_publish_cache(struct dir_conn *c, struct cache_db *db,
    const struct strv *hosts, bool prune, struct dir_pub_stats *st);

/*
 * Publish a group as a netgroup cn=<name>,ou=netgroups,<base> with one
 * triple (<host>,,) per member host and memberNisNetgroup per included
 * group; replaces an existing entry.
 */
ctys_err_t dir_publish_netgroup(struct dir_conn *c, const char *name,
    const struct strv *hosts, const struct strv *groups);

/*
 * Write the cache's records as LDIF entries for slapadd (host entries
 * first, then their records; the base ou= entry too with with_base).
 */
ctys_err_t dir_ldif_cache(struct cache_db *db, const char *base, bool with_base,
    FILE *out);

/* ---- queries ---- */

struct dir_source;

/*
 * A query source over the directory (query.h): exact field lookups become
 * equality filters, substring lookups a ctysRecordLine substring filter,
 * everything else a paged fetch of all records; query_run() applies the
 * terms locally, so the answers equal those of the LMDB cache for the same
 * records, including the record index (computed from the host entries'
 * counts and the host's own records).  Free with dir_source_free().
 */
struct dir_source *dir_source_new(struct dir_conn *c);
void dir_source_init(struct query_source *s, struct dir_source *ds);
void dir_source_free(struct dir_source *ds);

/*
 * For ctys-vhost -C LDAP: load the configuration (ctys_conf_load), connect
 * and set *src to a directory source.  CTYS_ERR_IO when the directory is
 * unreachable (the caller falls back to the cache with dir_stale_note()).
 * Free with dir_session_close().
 */
struct dir_session {
	struct dir_conf dc;
	struct dir_conn *c;
	struct dir_source *ds;
};
ctys_err_t dir_session_open(struct dir_session *s, struct query_source *src);
void dir_session_close(struct dir_session *s);

/* ---- sync ---- */

#define DIR_SYNC_STATE "ldap-sync.state"

struct dir_sync_stats {
	size_t records, hosts_put, hosts_removed, changed_entries, hosts_refetched;
	bool full;
};

/*
 * Pull the directory into the cache of `dbdir` (created with empty .fdb
 * files when missing).  Incremental when a state file from the same URI
 * set and base exists and `full` is false: only entries whose
 * entryCSN is >= the newest one seen are read, and each changed host
 * is patched (or re-read when its count disagrees).  A full sync, or one
 * with 64 or more changed hosts, writes a new <dbdir>/enum.fdb (records
 * with field 32 empty, TCP as in the directory) and imports it in one
 * transaction; fewer hosts are written with cache_put_host(), one
 * transaction each.  Writes <dbdir>/ldap-sync.state on success.
 */
ctys_err_t dir_sync(struct dir_conn *c, const struct dir_conf *dc, const char *dbdir,
    bool full, struct dir_sync_stats *st);

/*
 * When <dbdir> was last synced (0 if never): for the stale note
 * ("directory unreachable; answering from the cache synced <when>").
 */
time_t dir_sync_time(const char *dbdir);

/*
 * Warn (always shown) "<why>; answering from the local cache (last sync:
 * <UTC time>|never): the data may be stale".
 */
void dir_stale_note(const char *dbdir, const char *why);

/*
 * Resolve one key (label, MAC, UUID or TCP address, exact) the -c order's
 * way: the LMDB cache of dbdir first (when dbdir is not NULL), then the
 * directory (when c is not NULL).  Appends matching record lines to *out
 * and sets *from to "cache" or "ldap".  CTYS_ERR_NOTFOUND when neither has
 * it (the caller scans next).
 */
ctys_err_t dir_resolve(struct cache_db *db, struct dir_conn *c, const char *key,
    struct strv *out, const char **from);

#endif
