/*
 * store.h — the LMDB cache of one cacheDB directory (ctys-cachedb(5)).
 *
 * The cache lives in <dbdir>/ctys.lmdb/ (data.mdb, lock.mdb) next to the
 * original's enum.fdb and macmap.fdb, which stay the interchange format.
 * It holds the static cache (cache-db.md §1.1: TCP filled from macmap.fdb,
 * sorted, unique), exact-match secondary indexes, the macmap and enough of
 * the source files to export them byte for byte.
 *
 * cache_open() imports the .fdb files automatically, in one write
 * transaction, when the cache is missing or when a file's size or mtime
 * differs from the stamp recorded at the last import and its content hash
 * differs too.  Readers use their own read transactions and are never
 * blocked by a writer (LMDB MVCC).  Every write is one transaction: a
 * failure (disk full, read-only, permission, a file changing while it is
 * read) aborts it and leaves the previous contents intact.
 *
 * Record index: the 1-based position of a record in the static cache order
 * (bytewise sort of the lines) — what ctys-vhost puts into field 32.
 */
#ifndef CTYS_CACHE_STORE_H
#define CTYS_CACHE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define CACHE_ENV_NAME "ctys.lmdb"
#define CACHE_LAYOUT "ctys-cachedb 1"

struct cache_db;

enum {
	CACHE_REBUILD = 1, /* import even when the stamps match (-C REBUILDCACHE) */
	CACHE_NOREFRESH = 2, /* never import; use what is there (fails if empty) */
};

/*
 * Open the cache of `dbdir`, creating <dbdir>/ctys.lmdb and importing
 * enum.fdb/macmap.fdb as needed (see above).  Errors (message names the
 * file): CTYS_ERR_NOENT missing directory or .fdb file; CTYS_ERR_PARSE a bad
 * .fdb line ("<file>:<line>: ..."); CTYS_ERR_IO a file changed while read;
 * CTYS_ERR_DB a corrupt, foreign or wrong-layout LMDB file, or a cache that
 * must be updated but cannot be written (read-only, EACCES, ENOSPC).  An
 * unwritable but current cache is opened read-only.  On success *out is
 * freed with cache_close().
 */
ctys_err_t cache_open(const char *dbdir, unsigned flags, struct cache_db **out);
void cache_close(struct cache_db *db);

/* True when the last cache_open() imported the .fdb files. */
bool cache_imported(const struct cache_db *db);

/* How often writes through db hit MDB_MAP_FULL and grew the map. */
unsigned cache_map_grown(const struct cache_db *db);

/* Number of records (unique static-cache lines). */
size_t cache_count(struct cache_db *db);

/*
 * Called for each record with its index and its line: 47 fields with field
 * 32 replaced by the index, as ctys-vhost queries and prints it.  `line` is
 * valid during the call only.  Return non-zero to stop the iteration.
 */
typedef int (*cache_rec_fn)(void *arg, unsigned long index, const char *line,
    size_t len);

/* Every record in index order. */
ctys_err_t cache_scan(struct cache_db *db, cache_rec_fn fn, void *arg);

/* True when field `num` (1-based) has an exact-match index. */
bool cache_field_indexed(unsigned num);

/*
 * The records whose field `num` equals value[0..len) exactly, in index
 * order.  CTYS_ERR_UNSUPPORTED when the field is not indexed.  An empty
 * value or one longer than the LMDB key limit finds nothing.
 */
ctys_err_t cache_lookup(struct cache_db *db, unsigned num, const char *value,
    size_t len, cache_rec_fn fn, void *arg);

/*
 * A superset of the records whose line contains lit[0..len), in index
 * order, through the trigram index (gram.h), which is built on first use
 * (and again after every write) when the cache can be written.  Returns
 * CTYS_ERR_UNSUPPORTED, before calling fn at all, when the literal is
 * unsuitable (< 3 bytes, contains ';', only digits), the cache is small
 * (< GRAM_MIN_RECORDS), the literal is common (more candidates than
 * GRAM_MAX_SHARE) or no current index can be had: scan instead.
 */
ctys_err_t cache_lookup_substr(struct cache_db *db, const char *lit, size_t len,
    cache_rec_fn fn, void *arg);

/*
 * macmap.fdb as imported: the callback gets the whole file content.
 */
ctys_err_t cache_macmap(struct cache_db *db,
    void (*fn)(void *arg, const char *data, size_t len), void *arg);

/*
 * Replace all records whose containing machine (field 1) is `host` by
 * lines[0..n) in one transaction (n = 0 removes the host).  Each line must
 * be a valid 47-field record with field 1 == host (CTYS_ERR_PARSE naming
 * its position otherwise, nothing changed).  Empty TCP fields are filled
 * from the stored macmap as on import.  Afterwards the cache, not
 * enum.fdb, holds the truth: cache_export() writes it back.
 */
ctys_err_t cache_put_host(struct cache_db *db, const char *host,
    const char *const *lines, size_t n);

/*
 * Write enum.fdb and macmap.fdb into `dir` (atomically: temporary file +
 * rename).  Right after an import they are byte-identical to the imported
 * files; after cache_put_host() enum.fdb is the sorted unique record set
 * (with TCP fields that came from macmap.fdb emptied again).
 */
ctys_err_t cache_export(struct cache_db *db, const char *dir);

/*
 * Tuning and tests: the map size a new environment starts with and the
 * reservation an import makes up front (0 = automatic: 256 MiB, and four
 * times the .fdb sizes plus 64 MiB).  Whatever it is, a write that hits
 * MDB_MAP_FULL doubles the map and retries the whole transaction.
 */
void cache_set_mapsize_hint(size_t bytes);

/* The environment directory (<dbdir>/ctys.lmdb); owned by db. */
const char *cache_env_path(const struct cache_db *db);

#endif
